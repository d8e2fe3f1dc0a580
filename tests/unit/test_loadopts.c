/*
 * The UEFI loader's LoadOptions (boot/efi/loadopts.c): UCS-2 words turned into a command line
 * or ignored, the image's own name dropped, every limit kept.
 */
#include "unit.h"

#include <stdlib.h>

#include "loadopts.h"

#include <boot/handoff.h>
#include <hv/types.h>

static char err[160];

/* LoadOptions: ASCII widened to UCS-2 in a heap buffer of exactly size bytes. */
static char out[HANDOFF_CMDLINE_MAX + 8];

static int load_options_n(const uint16_t *w, size_t size, size_t cmdline_size)
{
	uint16_t *copy = malloc(size ? size : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, w, size);
	memset(out, '@', sizeof(out));
	strcpy(err, "(err not set)");
	r = loadopts_parse(copy, size, out, cmdline_size, err, sizeof(err));
	free(copy);
	return r;
}

/* chars characters of ascii, and a terminating NUL when nul is set. */
static int load_options_ascii(const char *ascii, size_t chars, int nul, size_t cmdline_size)
{
	uint16_t w[1024];

	assert_true(chars < ARRAY_SIZE(w));
	for (size_t i = 0; i < chars; i++)
		w[i] = (unsigned char)ascii[i];
	w[chars] = 0;
	return load_options_n(w, (chars + !!nul) * sizeof(uint16_t), cmdline_size);
}

/* As firmware passes them: terminated, size counting the NUL. */
static int load_options(const char *ascii)
{
	return load_options_ascii(ascii, strlen(ascii), 1, HANDOFF_CMDLINE_MAX);
}

#define UCS2(...) ((const uint16_t[]){ __VA_ARGS__ })
#define LOAD_OPTIONS(...)                                                                          \
	load_options_n(UCS2(__VA_ARGS__), sizeof(UCS2(__VA_ARGS__)), HANDOFF_CMDLINE_MAX)

static void test_options_decoding(void **state)
{
	(void)state;
	assert_int_equal(load_options("console=serial log=debug"), LOADOPTS_CMDLINE);
	assert_string_equal(out, "console=serial log=debug");
	/* Not terminated: the size ends the text. */
	assert_int_equal(load_options_ascii("a=1 b", 5, 0, HANDOFF_CMDLINE_MAX), LOADOPTS_CMDLINE);
	assert_string_equal(out, "a=1 b");
	/* A NUL ends it before the size does, whatever follows. */
	assert_int_equal(LOAD_OPTIONS('a', 'b', 0, 'c', 'd'), LOADOPTS_CMDLINE);
	assert_string_equal(out, "ab");
	assert_int_equal(LOAD_OPTIONS('a', 'b', 0, 0xffff, 0x0001), LOADOPTS_CMDLINE);
	assert_string_equal(out, "ab");
	/* Surrounding blanks trimmed; tabs and line ends inside become spaces, one for one. */
	assert_int_equal(load_options(" \t\r\n a\tb\r\nc  \r\n"), LOADOPTS_CMDLINE);
	assert_string_equal(out, "a b  c");
	/* Every printable ASCII character comes through. */
	for (int c = 0x21; c <= 0x7e; c++) {
		char s[] = { 'x', (char)c, 'y', 0 };

		assert_int_equal(load_options(s), LOADOPTS_CMDLINE);
		assert_string_equal(out, s);
	}
}

static void test_options_none(void **state)
{
	(void)state;
	assert_int_equal(loadopts_parse(NULL, 0, out, sizeof(out), err, sizeof(err)),
			 LOADOPTS_NONE);
	assert_int_equal(load_options_n(UCS2('a'), 0, HANDOFF_CMDLINE_MAX), LOADOPTS_NONE);
	assert_int_equal(load_options(""), LOADOPTS_NONE);
	assert_int_equal(load_options(" \t\r\n  "), LOADOPTS_NONE);
	assert_int_equal(LOAD_OPTIONS(0, 'a', 'b'), LOADOPTS_NONE);
}

static void test_options_efi_word_skipped(void **state)
{
	static const struct {
		const char *in, *cmdline;
	} cases[] = {
		{ "fs0:\\EFI\\SHUNT\\BOOTX64.EFI  a  b ", "a  b" },
		{ "shunt.efi console=serial", "console=serial" },
		{ "x.Efi a", "a" },
		{ "x.eFI\ta", "a" },
		{ "  \tloader.efi\r\n k=v", "k=v" },
		{ ".efi a", "a" },
		/* Only a first word that ends in ".efi". */
		{ "a.efi b.efi", "b.efi" },
		{ "efi a", "efi a" },
		{ "xefi a", "xefi a" },
		{ "x.ef a", "x.ef a" },
		{ "x.efx a", "x.efx a" },
		{ "x.eii a", "x.eii a" },
		{ "x,efi a", "x,efi a" },
		{ "x.efix a", "x.efix a" },
		{ "shunt.efi.bak a", "shunt.efi.bak a" },
		{ "a x.efi", "a x.efi" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (load_options(cases[i].in) != LOADOPTS_CMDLINE)
			fail_msg("\"%s\" gave no command line", cases[i].in);
		assert_string_equal(out, cases[i].cmdline);
	}
	/* The image name alone is no command line. */
	assert_int_equal(load_options("BOOTX64.EFI"), LOADOPTS_NONE);
	assert_int_equal(load_options("\\EFI\\BOOT\\bootx64.efi \t\r\n"), LOADOPTS_NONE);
	assert_int_equal(load_options_ascii("x.efi", 5, 0, HANDOFF_CMDLINE_MAX), LOADOPTS_NONE);
}

static void test_options_not_text(void **state)
{
	static const uint16_t bad[] = { 0x0001, 0x001f, 0x007f, 0x0080, 0x00e9,
					0x4e2d, 0xfeff, 0xfffe, 0xffff, 0xd83d };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint16_t w[] = { 'a', '=', 'b', bad[i], 'c', 0 };

		if (load_options_n(w, sizeof(w), HANDOFF_CMDLINE_MAX) != LOADOPTS_NOT_TEXT)
			fail_msg("0x%04x taken for text", bad[i]);
		/* Also as the first character. */
		w[0] = bad[i];
		assert_int_equal(load_options_n(w, sizeof(w), HANDOFF_CMDLINE_MAX),
				 LOADOPTS_NOT_TEXT);
	}
	assert_int_equal(LOAD_OPTIONS('x', '.', 'e', 'f', 'i', ' ', 0x0002), LOADOPTS_NOT_TEXT);
	/* A boot entry's binary optional data, e.g. a GUID. */
	assert_int_equal(LOAD_OPTIONS(0x8be4, 0xdf61, 0x93ca, 0x11d2, 0x0daa, 0xe000, 0x8c98),
			 LOADOPTS_NOT_TEXT);
	/* UCS-2 comes in whole characters. */
	assert_int_equal(load_options_n(UCS2('a', 'b'), 3, HANDOFF_CMDLINE_MAX), LOADOPTS_NOT_TEXT);
	assert_int_equal(load_options_n(UCS2('a'), 1, HANDOFF_CMDLINE_MAX), LOADOPTS_NONE);
}

static void test_options_too_long(void **state)
{
	char longest[HANDOFF_CMDLINE_MAX + 1];

	(void)state;
	assert_int_equal(load_options_ascii("abcde", 5, 1, 6), LOADOPTS_CMDLINE);
	assert_string_equal(out, "abcde");
	assert_int_equal(out[6], '@');
	assert_int_equal(load_options_ascii("abcdef", 6, 1, 6), -1);
	assert_contains(err, "load options of 6 characters do not fit in 6 bytes");
	assert_int_equal(out[6], '@');
	/* What counts is the words after trimming and dropping the image name. */
	assert_int_equal(load_options_ascii(" x.efi  abcde  ", 15, 1, 6), LOADOPTS_CMDLINE);
	assert_string_equal(out, "abcde");
	assert_int_equal(load_options_ascii("abc", 3, 1, 0), -1);
	assert_int_equal(out[0], '@');
	/* The handoff's command line takes HANDOFF_CMDLINE_MAX - 1 characters. */
	memset(longest, 'c', sizeof(longest));
	assert_int_equal(
		load_options_ascii(longest, HANDOFF_CMDLINE_MAX - 1, 1, HANDOFF_CMDLINE_MAX),
		LOADOPTS_CMDLINE);
	assert_int_equal(strlen(out), HANDOFF_CMDLINE_MAX - 1);
	assert_int_equal(load_options_ascii(longest, HANDOFF_CMDLINE_MAX, 1, HANDOFF_CMDLINE_MAX),
			 -1);
	assert_contains(err, "512 characters do not fit in 512 bytes");
	/* No buffers at all: still refused. */
	assert_int_equal(loadopts_parse(UCS2('a', 0), 4, NULL, 0, NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_decoding),
		cmocka_unit_test(test_options_none),
		cmocka_unit_test(test_options_efi_word_skipped),
		cmocka_unit_test(test_options_not_text),
		cmocka_unit_test(test_options_too_long),
	};

	return unit_run(tests);
}
