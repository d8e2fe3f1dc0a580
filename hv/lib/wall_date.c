/*
 * Calendar arithmetic for the wall clock (hv/wallclock.h): civil dates to and from Unix
 * seconds in the proleptic Gregorian calendar, by whole eras of 400 years (146,097 days),
 * so that no table of years is needed. Pure code, tested on the host.
 */
#include <hv/fmt.h>
#include <hv/wallclock.h>

#define SECONDS_PER_DAY 86400ull

static int is_leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned int days_in_month(unsigned int y, unsigned int m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int wall_date_is_valid(const struct wall_date *d)
{
	return d->year >= WALL_YEAR_MIN && d->year <= WALL_YEAR_MAX && d->month >= 1 &&
	       d->month <= 12 && d->day >= 1 && d->day <= days_in_month(d->year, d->month) &&
	       d->hour < 24 && d->minute < 60 && d->second < 60;
}

/*
 * Days since 1970-01-01 of y-m-d: the year counted from March, so that February's leap day
 * is the last of its year and a month's first day is a linear function of its number.
 */
static uint64_t days_from_civil(unsigned int y, unsigned int m, unsigned int d)
{
	uint64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

uint64_t wall_date_to_unix(const struct wall_date *d)
{
	return days_from_civil(d->year, d->month, d->day) * SECONDS_PER_DAY + d->hour * 3600u +
	       d->minute * 60u + d->second;
}

void wall_date_from_unix(uint64_t t, struct wall_date *d)
{
	uint64_t days = t / SECONDS_PER_DAY + 719468, secs = t % SECONDS_PER_DAY;
	uint64_t era = days / 146097, doe = days % 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	unsigned int m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);

	d->year = (uint16_t)(yoe + era * 400 + (m <= 2));
	d->month = (uint8_t)m;
	d->day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	d->hour = (uint8_t)(secs / 3600);
	d->minute = (uint8_t)(secs / 60 % 60);
	d->second = (uint8_t)(secs % 60);
}

void wall_date_format(char *buf, size_t size, const struct wall_date *d)
{
	fmt_snprintf(buf, size, "%04u-%02u-%02u %02u:%02u:%02u", d->year, d->month, d->day, d->hour,
		     d->minute, d->second);
}
