/*
 * Option text (hv/lib/parse.c): numbers in base 10 and 16, the bound checked before it can
 * overflow, digits above the bound refused even alone, no number longer than its bound
 * written out; words between blanks.
 */
#include "unit.h"

#include <hv/parse.h>

/* Parses text whole; returns parse_uint's result, the value in *out. */
static int parse_all(const char *text, unsigned int base, uint64_t max, uint64_t *out)
{
	const char *p = text;
	int err = parse_uint(&p, base, max, out);

	return err || *p ? -1 : 0;
}

static void test_values(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_all("0", 10, 9, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_all("18446744073709551615", 10, UINT64_MAX, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(parse_all("ffFF", 16, 0xffff, &v), 0);
	assert_int_equal(v, 0xffff);
	assert_int_equal(parse_all("007", 10, 100, &v), 0); /* as many digits as 100 has */
	assert_int_equal(v, 7);
}

static void test_refused(void **state)
{
	uint64_t v = 42;
	const char *p = "x1";

	(void)state;
	assert_int_equal(parse_uint(&p, 10, 9, &v), -1); /* no digit */
	assert_int_equal(v, 42);
	assert_int_equal(parse_all("18446744073709551616", 10, UINT64_MAX, &v), -1);
	assert_int_equal(parse_all("8", 16, 7, &v), -1); /* one digit, above the bound */
	assert_int_equal(parse_all("101", 10, 100, &v), -1);
	assert_int_equal(parse_all("0007", 10, 100, &v), -1); /* longer than 100 written out */
	assert_int_equal(parse_all("a", 10, 100, &v), -1);    /* not a decimal digit */
}

/* It stops at the first non-digit and leaves *p there. */
static void test_stops_at_non_digit(void **state)
{
	const char *p = "2f8-2ff";
	uint64_t v;

	(void)state;
	assert_int_equal(parse_uint(&p, 16, 0xffff, &v), 0);
	assert_int_equal(v, 0x2f8);
	assert_int_equal(*p, '-');
}

/* Words: blanks skipped, the word's length returned, 0 at the end. */
static void test_words(void **state)
{
	const char *p = " \tname=a  mem=4M\t";

	(void)state;
	assert_int_equal(parse_word(&p), 6);
	assert_memory_equal(p, "name=a", 6);
	p += 6;
	assert_int_equal(parse_word(&p), 6);
	assert_memory_equal(p, "mem=4M", 6);
	p += 6;
	assert_int_equal(parse_word(&p), 0);
	assert_int_equal(*p, '\0');
}

/* CPU lists: numbers and ranges, each CPU once, below the limit. */
static void test_cpu_list(void **state)
{
	static const char *const bad[] = { "",	    ",",  "1,",	 "-1", "1-",  "3-1", "1,1",
					   "0-2,2", "64", "1 2", "a",  "1;2", "0x1", "1--2" };
	uint64_t m = 0;

	(void)state;
	assert_int_equal(parse_cpu_list("0", 64, &m), 0);
	assert_int_equal(m, 1);
	assert_int_equal(parse_cpu_list("1,3-4", 64, &m), 0);
	assert_int_equal(m, 0x1a);
	assert_int_equal(parse_cpu_list("63", 64, &m), 0);
	assert_true(m == 1ull << 63);
	assert_int_equal(parse_cpu_list("0-63", 64, &m), 0);
	assert_true(m == ~0ull);
	assert_int_equal(parse_cpu_list("3", 4, &m), 0);
	assert_int_equal(parse_cpu_list("4", 4, &m), -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 0x55;
		if (parse_cpu_list(bad[i], 64, &m) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
		assert_int_equal(m, 0x55); /* untouched on refusal */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_stops_at_non_digit),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_cpu_list),
	};

	return unit_run(tests);
}
