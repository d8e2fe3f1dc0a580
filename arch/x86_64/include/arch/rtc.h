/*
 * The PC's real-time clock (a Motorola MC146818 as the chipsets keep it, in CMOS): its
 * register numbers and the decoding of its raw registers into a date, which is pure code,
 * tested on the host (tests/unit/test_rtc.c).
 */
#ifndef ARCH_RTC_H
#define ARCH_RTC_H

#include <hv/wallclock.h>

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_STATUS_A_UIP 0x80 /* an update is in progress: the registers are changing */
#define RTC_STATUS_B_24H 0x02 /* hours 0-23 (else 1-12, bit 7 set for PM) */
#define RTC_STATUS_B_BIN 0x04 /* binary (else BCD) */
#define RTC_HOURS_PM 0x80

/* The registers as read: one snapshot. century is 0xff when the machine names none. */
struct rtc_regs {
	uint8_t second, minute, hour, day, month, year, century, status_b;
};

/*
 * Decodes r into out: BCD or binary and 12 or 24 hours as status B says, the century from
 * its register or, without one, 70-99 as 19xx and 00-69 as 20xx. Returns 0, or -EINVAL for
 * a byte that is not valid BCD or an hour that is not one of the 12-hour clock (the caller
 * still checks the date itself with wall_date_is_valid()).
 */
int rtc_decode(const struct rtc_regs *r, struct wall_date *out);

#endif
