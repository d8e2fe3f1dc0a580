/*
 * The bounded formatter (hv/lib/fmt.c): every conversion, flag and length it documents,
 * checked against fixed strings and against the host's snprintf, and its truncation rules
 * (full length returned, always terminated, nothing written for size 0); and fmt_escape(),
 * which makes outside text safe to echo on a console.
 */
#define _GNU_SOURCE /* mmap's MAP_ANONYMOUS, fork */
#include "unit.h"

#include <hv/fmt.h>
#include <hv/types.h>

#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Formats into a fresh buffer; no format attribute, so odd formats can be tested too. */
static char buf[256];

static int fmt(const char *format, ...)
{
	va_list ap;
	int n;

	memset(buf, '#', sizeof(buf));
	va_start(ap, format);
	n = fmt_vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	return n;
}

#define CHECK(expected, ...)                                                                       \
	do {                                                                                       \
		int n_ = fmt(__VA_ARGS__);                                                         \
		assert_string_equal(buf, expected);                                                \
		assert_int_equal(n_, strlen(expected));                                            \
	} while (0)

static void test_plain_text(void **state)
{
	(void)state;
	CHECK("", "");
	CHECK("hello, world\n", "hello, world\n");
	CHECK("100%", "100%%");
	CHECK("%", "%%");
}

static void test_signed(void **state)
{
	(void)state;
	CHECK("0", "%d", 0);
	CHECK("42", "%d", 42);
	CHECK("-42", "%d", -42);
	CHECK("-7", "%i", -7);
	CHECK("2147483647", "%d", INT_MAX);
	CHECK("-2147483648", "%d", INT_MIN);
	CHECK("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK("9223372036854775807", "%lld", LLONG_MAX);
	CHECK("-9223372036854775808", "%ld", LONG_MIN);
	CHECK("-1 -2 -3", "%d %ld %lld", -1, -2L, -3LL);
}

static void test_unsigned(void **state)
{
	(void)state;
	CHECK("0", "%u", 0u);
	CHECK("4294967295", "%u", UINT_MAX);
	CHECK("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK("18446744073709551615", "%lu", ULONG_MAX);
	CHECK("18446744073709551615", "%zu", SIZE_MAX);
	CHECK("123", "%zu", (size_t)123);
	/* An int argument of -1 read as %u is its unsigned value, not sign-extended. */
	CHECK("4294967295", "%u", (unsigned int)-1);
}

static void test_hex(void **state)
{
	(void)state;
	CHECK("0", "%x", 0u);
	CHECK("deadbeef", "%x", 0xdeadbeefu);
	CHECK("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK("ffffffff", "%x", UINT_MAX);
	CHECK("fedcba9876543210", "%llx", 0xfedcba9876543210ull);
	CHECK("FEDCBA9876543210", "%llX", 0xfedcba9876543210ull);
	CHECK("100000000", "%lx", 0x100000000ul);
	CHECK("ffffffffffffffff", "%zx", SIZE_MAX);
	CHECK("0x00001000", "0x%08x", 0x1000u);
	CHECK("0x0000fee00000", "0x%012llx", 0xfee00000ull);
}

static void test_pointer(void **state)
{
	(void)state;
	CHECK("0x1234", "%p", (void *)0x1234);
	CHECK("0x0", "%p", NULL);
	CHECK("0xffff800000000000", "%p", (void *)0xffff800000000000ull);
}

static void test_string(void **state)
{
	(void)state;
	CHECK("abc", "%s", "abc");
	CHECK("", "%s", "");
	CHECK("(null)", "%s", (char *)NULL);
	CHECK("ab", "%.2s", "abcdef");
	CHECK("", "%.0s", "abcdef");
	CHECK("abc", "%.10s", "abc");
	CHECK("(nu", "%.3s", (char *)NULL);
	CHECK("  abc", "%5s", "abc");
	CHECK("abc  |", "%-5s|", "abc");
	CHECK("abcdef", "%3s", "abcdef"); /* width never truncates */
	CHECK("   ab", "%5.2s", "abcdef");
	CHECK("[x] [y]", "[%s] [%s]", "x", "y");
}

/*
 * Regression (hv/lib/fmt.c, out_string): with a precision, %s must not read more than
 * precision bytes (C11 7.21.6.1p8: the array need not be NUL-terminated then); the loop
 * once tested s[n] before n < precision and so read one byte past. Here the array ends at a page
 * boundary followed by an inaccessible page; the formatting runs in a child process so that
 * the fault fails this test only.
 */
static void test_string_precision_stops_at_array_end(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	char *pages =
		mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *sig;
	pid_t pid;
	int status;

	(void)state;
	assert_true(pages != MAP_FAILED);
	assert_int_equal(mprotect(pages + page, page, PROT_NONE), 0);
	sig = pages + page - 4;
	memcpy(sig, "FACP", 4); /* an ACPI signature: four bytes, no NUL */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char out[8];

		/* Die of the fault here rather than in cmocka's handler, which would resume the
		 * test run in the child. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		fmt_snprintf(out, sizeof(out), "%.4s", sig);
		_exit(strcmp(out, "FACP") != 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	munmap(pages, 2 * page);
	if (WIFSIGNALED(status))
		fail_msg("fmt_snprintf(\"%%.4s\") on 4 unterminated bytes read past them "
			 "(signal %d)",
			 WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_char(void **state)
{
	(void)state;
	CHECK("a", "%c", 'a');
	CHECK("<x>", "<%c>", 'x');
	CHECK("ab", "%c%c", 'a', 'b');
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("-0042", "%05d", -42);
	CHECK("  -42", "%5d", -42);
	CHECK("-42  |", "%-5d|", -42);
	CHECK("-42  |", "%-05d|", -42); /* '-' wins over '0' */
	CHECK("123456", "%3d", 123456);
	CHECK("  ff", "%4x", 0xffu);
	CHECK("00ff", "%04x", 0xffu);
	CHECK("ff  |", "%-4x|", 0xffu);
	CHECK("0000000000000001", "%016llx", 1ull);
	CHECK("      1234", "%10zu", (size_t)1234);
}

/* Integer conversions agree with the host's printf over a range of values and specs. */
static void test_against_host_printf(void **state)
{
	static const char *const int_specs[] = {
		"%d", "%5d", "%-5d|", "%05d", "%012d", "%i", "%1d",
	};
	static const char *const uint_specs[] = { "%u", "%x", "%X", "%08x", "%-9X|", "%10u" };
	static const char *const ll_specs[] = {
		"%lld", "%llu", "%llx", "%020llx", "%-22lld|", "%lu",
	};
	static const long long values[] = {
		0,
		1,
		-1,
		9,
		10,
		-10,
		255,
		256,
		65535,
		-65536,
		123456789,
		INT_MAX,
		INT_MIN,
		UINT_MAX,
		0x100000000ll,
		-0x100000000ll,
		LLONG_MAX,
		LLONG_MIN,
		0x7fffffffffffll,
	};
	char expected[256];

	(void)state;
	for (unsigned int v = 0; v < ARRAY_SIZE(values); v++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(int_specs); s++) {
			snprintf(expected, sizeof(expected), int_specs[s], (int)values[v]);
			fmt(int_specs[s], (int)values[v]);
			assert_string_equal(buf, expected);
		}
		for (unsigned int s = 0; s < ARRAY_SIZE(uint_specs); s++) {
			unsigned int u = (unsigned int)values[v];

			snprintf(expected, sizeof(expected), uint_specs[s], u);
			fmt(uint_specs[s], u);
			assert_string_equal(buf, expected);
		}
		for (unsigned int s = 0; s < ARRAY_SIZE(ll_specs); s++) {
			snprintf(expected, sizeof(expected), ll_specs[s], values[v]);
			fmt(ll_specs[s], values[v]);
			assert_string_equal(buf, expected);
		}
	}
}

static void test_mixed_arguments(void **state)
{
	(void)state;
	/* Arguments of different sizes must be consumed in order with the right widths. */
	CHECK("1 ffffffffffffffff x -2 (null) 3 0x10 %", "%d %llx %c %ld %s %zu %p %%", 1, ~0ull,
	      'x', -2L, (char *)NULL, (size_t)3, (void *)0x10);
}

static void test_unknown_conversion_printed(void **state)
{
	(void)state;
	CHECK("%q", "%q");
	CHECK("a%wb", "a%wb");
	CHECK("abc", "abc%"); /* a lone '%' at the end prints nothing */
}

/* --- Truncation --- */

static void test_truncation(void **state)
{
	char small[6];

	(void)state;
	memset(small, '#', sizeof(small));
	assert_int_equal(fmt_snprintf(small, sizeof(small), "hello, %s", "world"), 12);
	assert_string_equal(small, "hello");

	memset(small, '#', sizeof(small));
	assert_int_equal(fmt_snprintf(small, sizeof(small), "%d", -1234567), 8);
	assert_string_equal(small, "-1234");

	/* Exactly filling the buffer: size - 1 characters and the NUL. */
	memset(small, '#', sizeof(small));
	assert_int_equal(fmt_snprintf(small, sizeof(small), "%s", "12345"), 5);
	assert_string_equal(small, "12345");

	memset(small, '#', sizeof(small));
	assert_int_equal(fmt_snprintf(small, sizeof(small), "%s", "123456"), 6);
	assert_string_equal(small, "12345");

	/* Padding counts too. */
	memset(small, '#', sizeof(small));
	assert_int_equal(fmt_snprintf(small, sizeof(small), "%20s", "x"), 20);
	assert_string_equal(small, "     ");
}

static void test_size_one(void **state)
{
	char one[2] = { '#', '#' };

	(void)state;
	assert_int_equal(fmt_snprintf(one, 1, "abc%d", 12), 5);
	assert_int_equal(one[0], '\0');
	assert_int_equal(one[1], '#');
}

static void test_size_zero_writes_nothing(void **state)
{
	char none[4] = { '#', '#', '#', '#' };

	(void)state;
	assert_int_equal(fmt_snprintf(none, 0, "abc%s", "def"), 6);
	assert_memory_equal(none, "####", 4);
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

/* Nothing is written past size, even when the output is much longer. */
static void test_no_write_past_size(void **state)
{
	char big[32];

	(void)state;
	memset(big, '#', sizeof(big));
	assert_int_equal(fmt_snprintf(big, 8, "%s%s%lld", "abcdefgh", "ijklmnop", LLONG_MIN), 36);
	assert_string_equal(big, "abcdefg");
	for (unsigned int i = 8; i < sizeof(big); i++)
		assert_int_equal(big[i], '#');
}

/* --- fmt_escape --- */

#define CHECK_ESCAPE(src, expected)                                                                \
	do {                                                                                       \
		char e_[64];                                                                       \
		memset(e_, '#', sizeof(e_));                                                       \
		assert_int_equal(fmt_escape(e_, sizeof(e_), src), strlen(expected));               \
		assert_string_equal(e_, expected);                                                 \
	} while (0)

static void test_escape_printable_unchanged(void **state)
{
	(void)state;
	CHECK_ESCAPE("", "");
	CHECK_ESCAPE("hello.elf mem=4M -- a \"b\" ~", "hello.elf mem=4M -- a \"b\" ~");
}

/* Regression: module options reached the console raw (a terminal's escape sequences too). */
static void test_escape_control_and_high_bytes(void **state)
{
	(void)state;
	CHECK_ESCAPE("\x1b[2J", "\\x1b[2J");
	CHECK_ESCAPE("caf\xc3\xa9", "caf\\xc3\\xa9");
	CHECK_ESCAPE("a\tb\rc\nd\x7f\x01\xff", "a\\x09b\\x0dc\\x0ad\\x7f\\x01\\xff");
	CHECK_ESCAPE(" ~", " ~"); /* the ends of the printable range stay */
}

/* A backslash is doubled, so "\x41" typed as text can be told from an escaped byte. */
static void test_escape_backslash(void **state)
{
	(void)state;
	CHECK_ESCAPE("\\x41\\", "\\\\x41\\\\");
}

static void test_escape_every_byte_printable(void **state)
{
	char src[2] = { 0, 0 }, out[8];

	(void)state;
	for (unsigned int c = 1; c < 256; c++) {
		src[0] = (char)c;
		fmt_escape(out, sizeof(out), src);
		for (const char *p = out; *p; p++)
			assert_true(*p >= 0x20 && *p <= 0x7e);
	}
}

/* Cut short: never inside an escape, "..." at the end, terminated, nothing past size. */
static void test_escape_truncation(void **state)
{
	char out[16];

	(void)state;
	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_escape(out, 10, "abcdefghijkl"), 12);
	assert_string_equal(out, "abcdef...");
	assert_int_equal(out[10], '#');

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_escape(out, 10, "abcd\x1b\x1bxy"), 14);
	assert_string_equal(out, "abcd...");

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_escape(out, 10, "abcde\x1b"), 9); /* exactly fits */
	assert_string_equal(out, "abcde\\x1b");

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_escape(out, 3, "abcdef"), 6); /* no room for "...": plain cut */
	assert_string_equal(out, "ab");

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_escape(out, 1, "abc"), 3);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], '#');
	assert_int_equal(fmt_escape(NULL, 0, "abc\x01"), 7);
}

#define T(name) cmocka_unit_test(name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plain_text),
		T(test_signed),
		T(test_unsigned),
		T(test_hex),
		T(test_pointer),
		T(test_string),
		T(test_string_precision_stops_at_array_end),
		T(test_char),
		T(test_width_and_flags),
		T(test_against_host_printf),
		T(test_mixed_arguments),
		T(test_unknown_conversion_printed),
		T(test_truncation),
		T(test_size_one),
		T(test_size_zero_writes_nothing),
		T(test_no_write_past_size),
		T(test_escape_printable_unchanged),
		T(test_escape_control_and_high_bytes),
		T(test_escape_backslash),
		T(test_escape_every_byte_printable),
		T(test_escape_truncation),
	};

	return unit_run(tests);
}
