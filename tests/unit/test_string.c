/*
 * The hypervisor's own string routines (hv/lib/string.c, linked under hv_ names through
 * tests/unit/hv_string.c): results compared with the C library's, overlapping moves in both
 * directions, and strlcpy's truncation.
 */
#include "unit.h"

#include "hv_string.h"

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcpy(void **state)
{
	char dst[16];

	(void)state;
	memset(dst, '#', sizeof(dst));
	assert_ptr_equal(hv_memcpy(dst + 1, "abcdef", 6), dst + 1);
	assert_memory_equal(dst, "#abcdef#", 8);
	assert_ptr_equal(hv_memcpy(dst, "zz", 0), dst);
	assert_int_equal(dst[0], '#');
}

static void test_memmove_overlap(void **state)
{
	char buf[16];

	(void)state;
	memcpy(buf, "0123456789", 11);
	assert_ptr_equal(hv_memmove(buf + 2, buf, 6), buf + 2); /* forward overlap */
	assert_string_equal(buf, "0101234589");
	memcpy(buf, "0123456789", 11);
	assert_ptr_equal(hv_memmove(buf, buf + 3, 6), buf); /* backward overlap */
	assert_string_equal(buf, "3456786789");
	memcpy(buf, "0123456789", 11);
	hv_memmove(buf + 4, buf + 4, 3);
	assert_string_equal(buf, "0123456789");
	hv_memmove(buf + 1, buf, 0);
	assert_string_equal(buf, "0123456789");
}

static void test_memset(void **state)
{
	unsigned char buf[8] = { 0 };

	(void)state;
	assert_ptr_equal(hv_memset(buf + 1, 0x1ab, 6), buf + 1); /* converted to unsigned char */
	assert_int_equal(buf[0], 0);
	for (int i = 1; i < 7; i++)
		assert_int_equal(buf[i], 0xab);
	assert_int_equal(buf[7], 0);
}

static void test_compare_like_libc(void **state)
{
	static const char *const s[] = { "", "a", "b", "ab", "abc", "abd", "\x80", "\x7f", "A" };

	(void)state;
	for (unsigned int i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		for (unsigned int j = 0; j < sizeof(s) / sizeof(s[0]); j++) {
			size_t n = strlen(s[i]) < strlen(s[j]) ? strlen(s[i]) : strlen(s[j]);

			assert_int_equal(sign(hv_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
			for (size_t k = 0; k <= 4; k++)
				assert_int_equal(sign(hv_strncmp(s[i], s[j], k)),
						 sign(strncmp(s[i], s[j], k)));
			assert_int_equal(sign(hv_memcmp(s[i], s[j], n + 1)),
					 sign(memcmp(s[i], s[j], n + 1)));
		}
	}
	assert_int_equal(hv_memcmp("abc", "abd", 2), 0);
	assert_int_equal(hv_memcmp("abc", "xyz", 0), 0);
}

static void test_lengths(void **state)
{
	(void)state;
	assert_int_equal(hv_strlen(""), 0);
	assert_int_equal(hv_strlen("hello"), 5);
	assert_int_equal(hv_strnlen("hello", 3), 3);
	assert_int_equal(hv_strnlen("hello", 10), 5);
	assert_int_equal(hv_strnlen("hello", 0), 0);
}

static void test_strlcpy(void **state)
{
	char dst[6];

	(void)state;
	memset(dst, '#', sizeof(dst));
	assert_int_equal(hv_strlcpy(dst, "abc", sizeof(dst)), 3);
	assert_string_equal(dst, "abc");
	assert_int_equal(hv_strlcpy(dst, "abcdefgh", sizeof(dst)), 8);
	assert_string_equal(dst, "abcde");
	assert_int_equal(hv_strlcpy(dst, "abcdef", sizeof(dst)), 6);
	assert_string_equal(dst, "abcde");
	assert_int_equal(hv_strlcpy(dst, "", sizeof(dst)), 0);
	assert_string_equal(dst, "");
	memset(dst, '#', sizeof(dst));
	assert_int_equal(hv_strlcpy(dst, "xy", 1), 2);
	assert_int_equal(dst[0], '\0');
	assert_int_equal(dst[1], '#');
	assert_int_equal(hv_strlcpy(dst, "xy", 0), 2);
	assert_int_equal(dst[0], '\0');
}

#define T(name) cmocka_unit_test(name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_memcpy),	 T(test_memmove_overlap), T(test_memset), T(test_compare_like_libc),
		T(test_lengths), T(test_strlcpy),
	};

	return unit_run(tests);
}
