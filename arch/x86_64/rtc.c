/*
 * Reading the PC's real-time clock through CMOS ports 0x70/0x71 (arch_rtc_read): wait for
 * the chip's update cycle to end, read every register, and read again until two snapshots
 * agree, so that a date that rolled over between two reads is never taken.
 */
#include <arch/rtc.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/string.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80    /* the index port's top bit masks NMIs: Shunt leaves it clear */
#define RTC_UIP_SPINS 100000 /* an update lasts under 2 ms: far past it, the RTC is dead */
#define RTC_TRIES 5

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg & ~CMOS_NMI_OFF);
	return inb(CMOS_DATA);
}

static int wait_not_updating(void)
{
	for (unsigned int i = 0; i < RTC_UIP_SPINS; i++)
		if (!(cmos_read(RTC_STATUS_A) & RTC_STATUS_A_UIP))
			return 0;
	return -EIO;
}

static int snapshot(struct rtc_regs *r, unsigned int century_index)
{
	if (wait_not_updating())
		return -EIO;
	r->second = cmos_read(RTC_SECONDS);
	r->minute = cmos_read(RTC_MINUTES);
	r->hour = cmos_read(RTC_HOURS);
	r->day = cmos_read(RTC_DAY);
	r->month = cmos_read(RTC_MONTH);
	r->year = cmos_read(RTC_YEAR);
	r->century = century_index ? cmos_read((uint8_t)century_index) : 0xff;
	r->status_b = cmos_read(RTC_STATUS_B);
	return 0;
}

int arch_rtc_read(struct wall_date *out, unsigned int century_index)
{
	struct rtc_regs a, b;

	/* The century register is one of the chip's 128 bytes past the clock's own 14. */
	if (century_index < 0x0e || century_index > 0x7f)
		century_index = 0;
	if (snapshot(&a, century_index))
		return -EIO;
	for (int i = 0; i < RTC_TRIES; i++) {
		if (snapshot(&b, century_index))
			return -EIO;
		if (!memcmp(&a, &b, sizeof(a)))
			return rtc_decode(&a, out) ? -EINVAL : 0;
		a = b;
	}
	return -EIO;
}
