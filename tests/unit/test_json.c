/*
 * The JSON writer (hv/lib/json.c): commas and nesting, escapes, UTF-8 kept or replaced,
 * integers at their limits, and a buffer too small at every length (never written past,
 * always reported).
 */
#include "unit.h"

#include <hv/json.h>

static char buf[512];

static const char *write_sample(struct json *j, char *out, size_t size)
{
	json_init(j, out, size);
	json_object_begin(j);
	json_key_u64(j, "a", 1);
	json_key(j, "b");
	json_array_begin(j);
	json_bool(j, 1);
	json_bool(j, 0);
	json_null(j);
	json_object_begin(j);
	json_object_end(j);
	json_array_begin(j);
	json_array_end(j);
	json_array_end(j);
	json_key_string(j, "c", "x");
	json_key(j, "d");
	json_string(j, NULL);
	json_object_end(j);
	return "{\"a\":1,\"b\":[true,false,null,{},[]],\"c\":\"x\",\"d\":null}";
}

static void test_structure(void **state)
{
	struct json j;
	const char *want = write_sample(&j, buf, sizeof(buf));

	(void)state;
	assert_int_equal(json_finish(&j), (long)strlen(want));
	assert_string_equal(buf, want);
}

static const char *str(const char *s, size_t n)
{
	struct json j;

	json_init(&j, buf, sizeof(buf));
	json_string_n(&j, s, n);
	assert_true(json_finish(&j) >= 0);
	return buf;
}

static void test_escapes(void **state)
{
	(void)state;
	assert_string_equal(str("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	assert_string_equal(str("\n\t\r", 3), "\"\\n\\t\\r\"");
	assert_string_equal(str("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"");
	assert_string_equal(str("a\0b", 3), "\"a\\u0000b\"");
	assert_string_equal(str("/", 1), "\"/\"");
}

static void test_utf8(void **state)
{
	(void)state;
	/* Well-formed: kept as they are (é, €, U+1F600). */
	assert_string_equal(str("\xc3\xa9", 2), "\"\xc3\xa9\"");
	assert_string_equal(str("\xe2\x82\xac", 3), "\"\xe2\x82\xac\"");
	assert_string_equal(str("\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
	/* A lone continuation byte, a truncated sequence, overlong forms, a surrogate, > U+10FFFF. */
	assert_string_equal(str("\x80", 1), "\"\\ufffd\"");
	assert_string_equal(str("\xc3", 1), "\"\\ufffd\"");
	assert_string_equal(str("\xe2\x82", 2), "\"\\ufffd\\ufffd\"");
	assert_string_equal(str("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	assert_string_equal(str("\xe0\x80\xaf", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(str("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(str("\xf4\x90\x80\x80", 4), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(str("\xff"
				"a",
				2),
			    "\"\\ufffda\"");
	assert_string_equal(str("\xc3"
				"a",
				2),
			    "\"\\ufffda\"");
}

static void test_integers(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, buf, sizeof(buf));
	json_array_begin(&j);
	json_u64(&j, 0);
	json_u64(&j, UINT64_MAX);
	json_i64(&j, -1);
	json_i64(&j, INT64_MIN);
	json_i64(&j, INT64_MAX);
	json_array_end(&j);
	assert_true(json_finish(&j) > 0);
	assert_string_equal(buf, "[0,18446744073709551615,-1,-9223372036854775808,"
				 "9223372036854775807]");
}

/* Every size smaller than needed: reported, and nothing past the buffer is touched. */
static void test_overflow(void **state)
{
	char big[512], small[512];
	struct json j;
	const char *want = write_sample(&j, big, sizeof(big));
	size_t need = strlen(want) + 1;

	(void)state;
	for (size_t size = 0; size < need; size++) {
		memset(small, 'Z', sizeof(small));
		write_sample(&j, small, size);
		assert_int_equal(json_finish(&j), -1);
		for (size_t i = size; i < sizeof(small); i++)
			assert_int_equal(small[i], 'Z');
	}
	write_sample(&j, small, need);
	assert_int_equal(json_finish(&j), (long)strlen(want));
}

static void test_misuse(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, buf, sizeof(buf));
	json_object_begin(&j);
	assert_int_equal(json_finish(&j), -1); /* left open */
	json_init(&j, buf, sizeof(buf));
	json_object_end(&j);
	assert_int_equal(json_finish(&j), -1); /* closed what was not open */
	json_init(&j, buf, sizeof(buf));
	json_object_begin(&j);
	json_key(&j, "k");
	json_object_end(&j);
	assert_int_equal(json_finish(&j), -1); /* a key without its value */
	json_init(&j, buf, sizeof(buf));
	for (int i = 0; i <= JSON_DEPTH_MAX; i++)
		json_array_begin(&j);
	assert_int_equal(json_finish(&j), -1); /* too deep */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure), cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),	  cmocka_unit_test(test_integers),
		cmocka_unit_test(test_overflow),  cmocka_unit_test(test_misuse),
	};

	return unit_run(tests);
}
