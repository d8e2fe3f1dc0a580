/*
 * The wall clock's calendar (hv/lib/wall_date.c) and the RTC's register decoding
 * (arch/x86_64/rtc_decode.c): dates against Unix times computed independently (Python's
 * calendar.timegm), every day of four centuries there and back, leap years, the checks
 * of impossible dates, BCD and binary, 12 and 24 hours, with and without a century register.
 */
#include "unit.h"

#include <arch/rtc.h>
#include <hv/wallclock.h>

#define DATE(y, mo, d, h, mi, s) ((struct wall_date){ y, mo, d, h, mi, s })

static void test_known_dates(void **state)
{
	static const struct {
		struct wall_date d;
		uint64_t unix;
	} known[] = {
		{ DATE(1970, 1, 1, 0, 0, 0), 0 },
		{ DATE(1999, 12, 31, 23, 0, 0), 946681200 },
		{ DATE(2000, 2, 29, 12, 34, 56), 951827696 },
		{ DATE(2024, 2, 29, 0, 0, 0), 1709164800 },
		{ DATE(2026, 11, 29, 20, 31, 7), 1795984267 },
		{ DATE(2100, 3, 1, 0, 0, 0), 4107542400 },
		{ DATE(2199, 12, 31, 23, 59, 59), 7258118399 },
	};
	struct wall_date back;
	char text[24];

	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_true(wall_date_is_valid(&known[i].d));
		assert_u64_equal(wall_date_to_unix(&known[i].d), known[i].unix);
		wall_date_from_unix(known[i].unix, &back);
		assert_memory_equal(&back, &known[i].d, sizeof(back));
	}
	wall_date_format(text, sizeof(text), &known[4].d);
	assert_string_equal(text, "2026-11-29 20:31:07");
}

/* Every day from 1970 to 2369 converts there and back, each one day after the one before. */
static void test_every_day(void **state)
{
	struct wall_date d, back;
	uint64_t t, prev = 0;
	int first = 1;

	(void)state;
	for (unsigned int y = 1970; y < 2370; y++)
		for (unsigned int m = 1; m <= 12; m++)
			for (unsigned int day = 1; day <= 31; day++) {
				d = DATE(y, m, day, 23, 59, 58);
				if (y > WALL_YEAR_MAX) {
					assert_false(wall_date_is_valid(&d));
					d.year = (uint16_t)(y - 400); /* the same calendar */
					if (!wall_date_is_valid(&d))
						continue;
					d.year = (uint16_t)y;
				} else if (!wall_date_is_valid(&d)) {
					continue;
				}
				t = wall_date_to_unix(&d);
				if (!first)
					assert_u64_equal(t - prev, 86400);
				first = 0;
				prev = t;
				wall_date_from_unix(t, &back);
				assert_memory_equal(&back, &d, sizeof(d));
			}
}

static void test_invalid_dates(void **state)
{
	static const struct wall_date bad[] = {
		DATE(1969, 12, 31, 23, 59, 59), DATE(2200, 1, 1, 0, 0, 0),
		DATE(2023, 2, 29, 0, 0, 0),	DATE(2100, 2, 29, 0, 0, 0),
		DATE(2026, 4, 31, 0, 0, 0),	DATE(2026, 0, 1, 0, 0, 0),
		DATE(2026, 13, 1, 0, 0, 0),	DATE(2026, 1, 0, 0, 0, 0),
		DATE(2026, 1, 1, 24, 0, 0),	DATE(2026, 1, 1, 0, 60, 0),
		DATE(2026, 1, 1, 0, 0, 60),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(wall_date_is_valid(&bad[i]));
	assert_true(wall_date_is_valid(&DATE(2000, 2, 29, 0, 0, 0)));
}

static struct rtc_regs regs(uint8_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s,
			    uint8_t century, uint8_t status_b)
{
	return (struct rtc_regs){ .second = s,
				  .minute = mi,
				  .hour = h,
				  .day = d,
				  .month = mo,
				  .year = y,
				  .century = century,
				  .status_b = status_b };
}

static void expect(struct rtc_regs r, struct wall_date want)
{
	struct wall_date got;

	assert_int_equal(rtc_decode(&r, &got), 0);
	assert_memory_equal(&got, &want, sizeof(got));
}

static void test_rtc_decode(void **state)
{
	const uint8_t bcd24 = RTC_STATUS_B_24H, bin24 = RTC_STATUS_B_24H | RTC_STATUS_B_BIN;
	struct wall_date d;
	struct rtc_regs r;

	(void)state;
	/* BCD, 24 hours, century register. */
	expect(regs(0x26, 0x11, 0x29, 0x20, 0x31, 0x07, 0x20, bcd24),
	       DATE(2026, 11, 29, 20, 31, 7));
	/* Binary. */
	expect(regs(26, 11, 29, 20, 31, 7, 20, bin24), DATE(2026, 11, 29, 20, 31, 7));
	/* No century register: 70-99 are 19xx (Bochs' time0 of the tests), the rest 20xx. */
	expect(regs(0x99, 0x12, 0x31, 0x23, 0, 0, 0xff, bcd24), DATE(1999, 12, 31, 23, 0, 0));
	expect(regs(0x69, 0x01, 0x01, 0, 0, 0, 0xff, bcd24), DATE(2069, 1, 1, 0, 0, 0));
	expect(regs(0x70, 0x01, 0x01, 0, 0, 0, 0xff, bcd24), DATE(1970, 1, 1, 0, 0, 0));
	/* 12 hours: 12 AM is 0, 12 PM is 12, 1 PM is 13, in BCD and binary. */
	expect(regs(0x26, 1, 1, 0x12, 0, 0, 0x20, 0), DATE(2026, 1, 1, 0, 0, 0));
	expect(regs(0x26, 1, 1, 0x12 | RTC_HOURS_PM, 0, 0, 0x20, 0), DATE(2026, 1, 1, 12, 0, 0));
	expect(regs(0x26, 1, 1, 0x01 | RTC_HOURS_PM, 0, 0, 0x20, 0), DATE(2026, 1, 1, 13, 0, 0));
	expect(regs(26, 1, 1, 11 | RTC_HOURS_PM, 0, 0, 20, RTC_STATUS_B_BIN),
	       DATE(2026, 1, 1, 23, 0, 0));
	/* Not BCD, not an hour of a 12-hour clock, a year past 99: refused. */
	r = regs(0x2a, 1, 1, 0, 0, 0, 0x20, bcd24);
	assert_int_equal(rtc_decode(&r, &d), -EINVAL);
	r = regs(0x26, 1, 1, 0, 0, 0xf0, 0x20, bcd24);
	assert_int_equal(rtc_decode(&r, &d), -EINVAL);
	r = regs(0x26, 1, 1, 0x1a, 0, 0, 0x20, bcd24);
	assert_int_equal(rtc_decode(&r, &d), -EINVAL);
	r = regs(0x26, 1, 1, 0x00, 0, 0, 0x20, 0);
	assert_int_equal(rtc_decode(&r, &d), -EINVAL);
	r = regs(0x26, 1, 1, 0x13, 0, 0, 0x20, 0);
	assert_int_equal(rtc_decode(&r, &d), -EINVAL);
	r = regs(100, 1, 1, 0, 0, 0, 20, bin24);
	assert_int_equal(rtc_decode(&r, &d), -EINVAL);
	r = regs(0x26, 1, 1, 0, 0, 0, 0xa0, bcd24);
	assert_int_equal(rtc_decode(&r, &d), -EINVAL);
	/* Decoded but impossible: left to wall_date_is_valid(). */
	expect(regs(0x26, 0x02, 0x30, 0, 0, 0, 0x20, bcd24), DATE(2026, 2, 30, 0, 0, 0));
	assert_false(wall_date_is_valid(&DATE(2026, 2, 30, 0, 0, 0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_every_day),
		cmocka_unit_test(test_invalid_dates),
		cmocka_unit_test(test_rtc_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
