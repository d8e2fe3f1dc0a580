/*
 * The RTC's registers into a date (arch/rtc.h). Pure code: what the chip holds is checked
 * byte by byte, since a machine whose battery died holds anything.
 */
#include <arch/rtc.h>

/* v as a BCD byte (two decimal digits): its value, or -1 when a digit is past 9. */
static int from_bcd(uint8_t v)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static int field(uint8_t v, int binary)
{
	return binary ? v : from_bcd(v);
}

int rtc_decode(const struct rtc_regs *r, struct wall_date *out)
{
	int binary = r->status_b & RTC_STATUS_B_BIN;
	int sec = field(r->second, binary), min = field(r->minute, binary);
	int day = field(r->day, binary), mon = field(r->month, binary);
	int year = field(r->year, binary), century = 0, hour;
	int pm = 0;

	if (r->status_b & RTC_STATUS_B_24H) {
		hour = field(r->hour, binary);
	} else {
		pm = r->hour & RTC_HOURS_PM;
		hour = field(r->hour & ~RTC_HOURS_PM, binary);
		if (hour < 1 || hour > 12)
			return -EINVAL;
		hour = hour % 12 + (pm ? 12 : 0); /* 12 AM is 0, 12 PM is 12 */
	}
	if (r->century != 0xff) {
		century = field(r->century, binary);
		if (century < 0)
			return -EINVAL;
	}
	if (sec < 0 || min < 0 || hour < 0 || day < 0 || mon < 0 || year < 0 || year > 99 ||
	    century > 99)
		return -EINVAL;
	if (r->century == 0xff)
		century = year >= 70 ? 19 : 20;
	*out = (struct wall_date){ .year = (uint16_t)(century * 100 + year),
				   .month = (uint8_t)mon,
				   .day = (uint8_t)day,
				   .hour = (uint8_t)hour,
				   .minute = (uint8_t)min,
				   .second = (uint8_t)sec };
	return 0;
}
