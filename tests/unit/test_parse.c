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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_stops_at_non_digit),
		cmocka_unit_test(test_words),
	};

	return unit_run(tests);
}
