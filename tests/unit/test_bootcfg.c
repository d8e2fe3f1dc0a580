/*
 * The UEFI loader's text inputs (boot/efi/bootcfg.c): boot.cfg with its comments, line ends,
 * byte order mark, cmdline and module lines, every limit and malformed line refused with the
 * line number, and the UCS-2 LoadOptions turned into a command line or ignored.
 */
#include "unit.h"

#include <stdlib.h>

#include "bootcfg.h"

#include <hv/types.h>

#define NAME "b.cfg"

static struct bootcfg cfg;
static char err[BOOTCFG_ERR_MAX];
static char line[8192];

/* Parses size bytes from a heap copy of exactly that size, so that ASan sees any overread. */
static int parse_n(const char *text, size_t size)
{
	char *copy = malloc(size ? size : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, text, size);
	memset(&cfg, 0x5a, sizeof(cfg));
	bootcfg_init(&cfg);
	strcpy(err, "(err not set)");
	r = bootcfg_parse(copy, size, NAME, &cfg, err, sizeof(err));
	free(copy);
	return r;
}

/* A string literal, embedded NULs included. */
#define PARSE(lit) parse_n((lit), sizeof(lit) - 1)

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* The last parse failed, and its message starts with "b.cfg:<line>: " and contains needle. */
static void check_error(uint32_t line_number, const char *needle)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), NAME ":%u: ", line_number);
	if (strncmp(err, prefix, strlen(prefix)))
		fail_msg("\"%s\" does not start with \"%s\"", err, prefix);
	assert_contains(err, needle);
}

#define PARSE_FAILS(lit, line_number, needle)                                                      \
	do {                                                                                       \
		assert_int_equal(PARSE(lit), -1);                                                  \
		check_error((line_number), (needle));                                              \
	} while (0)

/* Writes into line: prefix, then fill bytes up to len bytes in all, then suffix. */
static const char *make_line(const char *prefix, size_t len, char fill, const char *suffix)
{
	size_t n = strlen(prefix);

	assert_true(n <= len && len + strlen(suffix) < sizeof(line));
	memcpy(line, prefix, n);
	memset(line + n, fill, len - n);
	strcpy(line + len, suffix);
	return line;
}

static void test_init_and_empty_files(void **state)
{
	(void)state;
	memset(&cfg, 0x5a, sizeof(cfg));
	bootcfg_init(&cfg);
	assert_int_equal(cfg.cmdline_line, 0);
	assert_int_equal(cfg.module_count, 0);
	assert_string_equal(cfg.cmdline, "");

	assert_int_equal(PARSE(""), 0);
	assert_int_equal(cfg.cmdline_line, 0);
	assert_int_equal(cfg.module_count, 0);
	assert_int_equal(PARSE("\n\n\r\n"), 0);
	assert_int_equal(cfg.cmdline_line, 0);
	assert_int_equal(cfg.module_count, 0);
}

static void test_comments_and_blank_lines(void **state)
{
	(void)state;
	assert_int_equal(PARSE("# Shunt\n\n   \t \n\t# indented\n#cmdline x\n  #module y\n"
			       "cmdline a\n# last"),
			 0);
	assert_string_equal(cfg.cmdline, "a");
	assert_int_equal(cfg.cmdline_line, 7);
	assert_int_equal(cfg.module_count, 0);
	/* '#' starts a comment only as the first non-blank character of a line. */
	assert_int_equal(PARSE("cmdline a # b\nmodule m.elf x=1 #y\n"), 0);
	assert_string_equal(cfg.cmdline, "a # b");
	assert_string_equal(cfg.modules[0].cmdline, "m.elf x=1 #y");
}

static void test_crlf(void **state)
{
	(void)state;
	assert_int_equal(PARSE("# c\r\n\r\ncmdline a b\r\nmodule m.elf k=v\r\nmodule n.elf\r\n"),
			 0);
	assert_string_equal(cfg.cmdline, "a b");
	assert_int_equal(cfg.cmdline_line, 3);
	assert_int_equal(cfg.module_count, 2);
	assert_string_equal(cfg.modules[0].file, "m.elf");
	assert_string_equal(cfg.modules[0].cmdline, "m.elf k=v");
	assert_int_equal(cfg.modules[0].line, 4);
	assert_string_equal(cfg.modules[1].file, "n.elf");
	assert_string_equal(cfg.modules[1].cmdline, "n.elf");
	assert_int_equal(cfg.modules[1].line, 5);
	/* Mixed line ends, and a last line without one. */
	assert_int_equal(PARSE("\nmodule a\r\nmodule b\ncmdline z\r"), 0);
	assert_int_equal(cfg.module_count, 2);
	assert_string_equal(cfg.modules[1].file, "b");
	assert_int_equal(cfg.modules[1].line, 3);
	assert_string_equal(cfg.cmdline, "z");
	assert_int_equal(cfg.cmdline_line, 4);
	/* A carriage return anywhere but before the line feed is not a line end. */
	PARSE_FAILS("cmdline a\ncmdline\rb\n", 2, "byte 0x0d in column 8");
	PARSE_FAILS("cmdline a\r\r\n", 1, "byte 0x0d in column 10");
}

static void test_byte_order_mark(void **state)
{
	(void)state;
	assert_int_equal(PARSE("\xef\xbb\xbf"), 0);
	assert_int_equal(cfg.cmdline_line, 0);
	assert_int_equal(PARSE("\xef\xbb\xbf"
			       "cmdline x\nmodule m\n"),
			 0);
	assert_string_equal(cfg.cmdline, "x");
	assert_int_equal(cfg.cmdline_line, 1);
	assert_int_equal(cfg.modules[0].line, 2);
	assert_int_equal(PARSE("\xef\xbb\xbf# comment\r\n"), 0);
	/* Only a whole mark, and only at the start of the file. */
	PARSE_FAILS("\xef\xbb"
		    "cmdline x\n",
		    1, "byte 0xef in column 1");
	PARSE_FAILS("cmdline x\n\xef\xbb\xbf"
		    "module m\n",
		    2, "byte 0xef in column 1");
	PARSE_FAILS("\xef\xbb\xbf\xef\xbb\xbf"
		    "cmdline x\n",
		    1, "byte 0xef in column 1");
}

static void test_cmdline(void **state)
{
	(void)state;
	/* Blanks around the words go, blanks between them stay as written. */
	assert_int_equal(PARSE("  cmdline \t console=serial  log=debug\t \n"), 0);
	assert_string_equal(cfg.cmdline, "console=serial  log=debug");
	assert_int_equal(cfg.cmdline_line, 1);
	assert_int_equal(PARSE("cmdline\tx"), 0);
	assert_string_equal(cfg.cmdline, "x");
	/* An empty cmdline line is still the one cmdline line. */
	assert_int_equal(PARSE("\n\ncmdline\n"), 0);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.cmdline_line, 3);
	assert_int_equal(PARSE("cmdline   \t"), 0);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.cmdline_line, 1);
}

static void test_second_cmdline(void **state)
{
	(void)state;
	PARSE_FAILS("cmdline a\n# c\n\ncmdline b\n", 4,
		    "second 'cmdline' line (the first is line 1)");
	PARSE_FAILS("module m\ncmdline\ncmdline a\n", 3, "the first is line 2");
}

static void test_longest_lines(void **state)
{
	(void)state;
	/* BOOTCFG_LINE_MAX bytes fit, line end not counted; the command line takes the rest. */
	assert_int_equal(parse(make_line("cmdline ", BOOTCFG_LINE_MAX, 'x', "\r\n")), 0);
	assert_int_equal(strlen(cfg.cmdline), BOOTCFG_LINE_MAX - strlen("cmdline "));
	assert_int_equal(cfg.cmdline[0], 'x');
	assert_int_equal(parse(make_line("# ", BOOTCFG_LINE_MAX, '#', "")), 0);
}

static void test_overlong_lines(void **state)
{
	char text[sizeof(line) + 16];

	(void)state;
	snprintf(text, sizeof(text), "cmdline a\n%s",
		 make_line("cmdline ", BOOTCFG_LINE_MAX + 1, 'x', "\n"));
	assert_int_equal(parse(text), -1);
	check_error(2, "line is longer than 511 bytes");
	/* Comments and blank lines are bounded too, as is a line far past the limit. */
	assert_int_equal(parse(make_line("#", BOOTCFG_LINE_MAX + 1, ' ', "")), -1);
	check_error(1, "line is longer than 511 bytes");
	assert_int_equal(parse(make_line("", BOOTCFG_LINE_MAX + 1, ' ', "\n")), -1);
	check_error(1, "line is longer than 511 bytes");
	assert_int_equal(parse(make_line("cmdline ", sizeof(line) - 2, 'a', "")), -1);
	check_error(1, "line is longer than 511 bytes");
}

/*
 * Regression: a module line longer than the line limit ended the boot. It refuses that
 * module alone (its command line can not fit anyway); the lines after it still count.
 */
static void test_overlong_module_line_refuses_module(void **state)
{
	char text[sizeof(line) + 64];

	(void)state;
	snprintf(text, sizeof(text), "module a.elf\n%s\nmodule b.elf x=1\ncmdline test\n",
		 make_line("module big.elf ", sizeof(line) - 64, 'a', ""));
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.module_count, 3);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_OK);
	assert_int_equal(cfg.modules[1].refused, HANDOFF_MODULE_CMDLINE_TOO_LONG);
	assert_int_equal(cfg.modules[1].cmdline_length, sizeof(line) - 64 - strlen("module "));
	assert_int_equal(cfg.modules[1].line, 2);
	assert_int_equal(strlen(cfg.modules[1].cmdline), HANDOFF_MODULE_CMDLINE_MAX - 1);
	assert_memory_equal(cfg.modules[1].cmdline, "big.elf aaa", 11);
	assert_string_equal(cfg.modules[1].file, "");
	assert_int_equal(cfg.modules[2].refused, HANDOFF_MODULE_OK);
	assert_string_equal(cfg.modules[2].cmdline, "b.elf x=1");
	assert_string_equal(cfg.cmdline, "test");
}

static void test_modules(void **state)
{
	(void)state;
	assert_int_equal(PARSE("module hello.elf name=a mem=4M\n"
			       "# two\n"
			       "  module\tdir/sub\\g.elf\n"
			       "module   x.elf \t k=v   z \t\n"),
			 0);
	assert_int_equal(cfg.module_count, 3);
	assert_string_equal(cfg.modules[0].file, "hello.elf");
	assert_string_equal(cfg.modules[0].cmdline, "hello.elf name=a mem=4M");
	assert_int_equal(cfg.modules[0].line, 1);
	assert_string_equal(cfg.modules[1].file, "dir/sub\\g.elf");
	assert_string_equal(cfg.modules[1].cmdline, "dir/sub\\g.elf");
	assert_int_equal(cfg.modules[1].line, 3);
	/* One blank between file and words; the words as written, trailing blanks dropped. */
	assert_string_equal(cfg.modules[2].file, "x.elf");
	assert_string_equal(cfg.modules[2].cmdline, "x.elf k=v   z");
	assert_int_equal(cfg.modules[2].line, 4);
	assert_int_equal(cfg.cmdline_line, 0);
}

static void test_module_needs_file(void **state)
{
	(void)state;
	PARSE_FAILS("module", 1, "'module' needs a file name");
	PARSE_FAILS("cmdline a\n\nmodule \t  \r\n", 3, "'module' needs a file name");
}

static void test_module_absolute_path(void **state)
{
	(void)state;
	PARSE_FAILS("module /boot/x.elf\n", 1, "relative to the loader's directory");
	PARSE_FAILS("module a.elf\nmodule \\EFI\\SHUNT\\b.elf a=1\n", 2,
		    "relative to the loader's directory");
	assert_int_equal(PARSE("module sub/x.elf\nmodule sub\\y.elf\n"), 0);
	assert_int_equal(cfg.module_count, 2);
}

/* Regression: a file name too long for the loader ended the boot; it refuses that module. */
static void test_module_file_name_length(void **state)
{
	(void)state;
	assert_int_equal(parse(make_line("module ", 7 + BOOTCFG_FILE_MAX - 1, 'f', " a=1")), 0);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_OK);
	assert_int_equal(strlen(cfg.modules[0].file), BOOTCFG_FILE_MAX - 1);
	assert_string_equal(cfg.modules[0].cmdline + BOOTCFG_FILE_MAX - 1, " a=1");
	assert_int_equal(parse(make_line("module ", 7 + BOOTCFG_FILE_MAX, 'f', "\n")), 0);
	assert_int_equal(cfg.module_count, 1);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_NOT_LOADED);
	assert_string_equal(cfg.modules[0].file, "");
	assert_int_equal(strlen(cfg.modules[0].cmdline), BOOTCFG_FILE_MAX);
	assert_int_equal(cfg.modules[0].cmdline_length, BOOTCFG_FILE_MAX);
}

/*
 * Regression: a module command line of 256 bytes or more ended the boot. That module is
 * refused, with its true length and the part that fits.
 */
static void test_module_cmdline_length(void **state)
{
	size_t longest = HANDOFF_MODULE_CMDLINE_MAX - 1;

	(void)state;
	/* "module " + "m.elf" + ' ' + words: the module's command line is all but "module ". */
	assert_int_equal(parse(make_line("module m.elf ", 7 + longest, 'w', "")), 0);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_OK);
	assert_int_equal(cfg.modules[0].cmdline_length, longest);
	assert_int_equal(strlen(cfg.modules[0].cmdline), longest);
	assert_string_equal(cfg.modules[0].file, "m.elf");
	assert_int_equal(parse(make_line("module m.elf ", 7 + longest + 1, 'w', "")), 0);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_CMDLINE_TOO_LONG);
	assert_int_equal(cfg.modules[0].cmdline_length, longest + 1);
	assert_int_equal(strlen(cfg.modules[0].cmdline), longest);
	assert_memory_equal(cfg.modules[0].cmdline, "m.elf www", 9);
	assert_int_equal(parse(make_line("module m.elf ", 7 + 300, 'w', "")), 0);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_CMDLINE_TOO_LONG);
	assert_int_equal(cfg.modules[0].cmdline_length, 300);
	/* The file name counts: the longest name leaves 127 bytes for the blank and words. */
	make_line("module ", 7 + BOOTCFG_FILE_MAX - 1, 'f', " ");
	memset(line + strlen(line), 'w', longest - BOOTCFG_FILE_MAX);
	line[7 + longest] = '\0';
	assert_int_equal(parse(line), 0);
	assert_int_equal(strlen(cfg.modules[0].file), BOOTCFG_FILE_MAX - 1);
	assert_int_equal(strlen(cfg.modules[0].cmdline), longest);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_OK);
	strcat(line, "w");
	assert_int_equal(parse(line), 0);
	assert_int_equal(cfg.modules[0].refused, HANDOFF_MODULE_CMDLINE_TOO_LONG);
}

/* Regression: a 17th module line ended the boot; the lines past the table are counted. */
static void test_module_count(void **state)
{
	char text[64 * (HANDOFF_MAX_MODULES + 4)] = "# modules\n";
	char one[32];

	(void)state;
	for (int i = 0; i < HANDOFF_MAX_MODULES; i++) {
		snprintf(one, sizeof(one), "module m%d.elf\n", i);
		strcat(text, one);
	}
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.module_count, HANDOFF_MAX_MODULES);
	assert_int_equal(cfg.modules_dropped, 0);
	assert_string_equal(cfg.modules[HANDOFF_MAX_MODULES - 1].file, "m15.elf");
	assert_int_equal(cfg.modules[HANDOFF_MAX_MODULES - 1].line, HANDOFF_MAX_MODULES + 1);
	strcat(text, "cmdline still fine\n");
	assert_int_equal(parse(text), 0);
	strcat(text, "module one-too-many.elf\nmodule two-too-many.elf a=1\n");
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.module_count, HANDOFF_MAX_MODULES);
	assert_int_equal(cfg.modules_dropped, 2);
	assert_int_equal(cfg.dropped_line, HANDOFF_MAX_MODULES + 3);
	assert_string_equal(cfg.cmdline, "still fine");
	/* A malformed line past the table is still an error. */
	strcat(text, "module /abs.elf\n");
	assert_int_equal(parse(text), -1);
	check_error(HANDOFF_MAX_MODULES + 5, "relative to the loader's directory");
}

static void test_non_printable_bytes(void **state)
{
	static const unsigned char bad[] = { 0x00, 0x01, 0x08, 0x0b, 0x0c,
					     0x1f, 0x7f, 0x80, 0xc3, 0xff };
	char text[] = "cmdline a\n\tmodule m.elf x?y\n";
	char *p = strchr(text, '?');
	char msg[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		*p = (char)bad[i];
		assert_int_equal(parse_n(text, sizeof(text) - 1), -1);
		/* Columns count from 1, the tab included. */
		snprintf(msg, sizeof(msg), "byte 0x%02x in column 16 is not printable ASCII",
			 bad[i]);
		check_error(2, msg);
	}
	/* Tabs are blanks; everything from space to '~' is allowed. */
	for (int c = 0x20; c <= 0x7e; c++) {
		*p = (char)c;
		assert_int_equal(parse_n(text, sizeof(text) - 1), 0);
		assert_int_equal(cfg.module_count, 1);
	}
	/* Comments are ASCII too. */
	PARSE_FAILS("# caf\xc3\xa9\n", 1, "byte 0xc3 in column 6");
}

static void test_unknown_directives(void **state)
{
	(void)state;
	PARSE_FAILS("cmdline a\nkernel x.elf\n", 2,
		    "unknown directive 'kernel' (expected 'cmdline', 'module' or a '#' comment)");
	/* Keywords are whole words. */
	PARSE_FAILS("cmdlinex a\n", 1, "unknown directive 'cmdlinex'");
	PARSE_FAILS("modules a.elf\n", 1, "unknown directive 'modules'");
	PARSE_FAILS("cmd a\n", 1, "unknown directive 'cmd'");
	PARSE_FAILS("\n  mod\n", 2, "unknown directive 'mod'");
	/* A long word is shown cut short, and the message still fits. */
	assert_int_equal(parse(make_line("", 300, 'k', " x\n")), -1);
	check_error(1, "unknown directive 'kkkkkkkkkkkkkkkkkkkkkkk'");
}

static void test_error_names_file_and_stops(void **state)
{
	char small[12];

	(void)state;
	bootcfg_init(&cfg);
	assert_int_equal(
		bootcfg_parse("\n\nbad\n", 6, "EFI/SHUNT/boot.cfg", &cfg, err, sizeof(err)), -1);
	assert_contains(err, "EFI/SHUNT/boot.cfg:3: unknown directive 'bad'");
	/* A small buffer gets what fits, terminated and no byte further. */
	memset(small, '@', sizeof(small));
	bootcfg_init(&cfg);
	assert_int_equal(bootcfg_parse("bad", 3, NAME, &cfg, small, 8), -1);
	assert_string_equal(small, "b.cfg:1");
	assert_int_equal(small[8], '@');
	/* No buffer at all: still refused. */
	bootcfg_init(&cfg);
	assert_int_equal(bootcfg_parse("bad", 3, NAME, &cfg, NULL, 0), -1);
	bootcfg_init(&cfg);
	assert_int_equal(bootcfg_parse("cmdline a\nbad", 13, NAME, &cfg, small, 0), -1);
}

static void test_size_bounds_the_text(void **state)
{
	(void)state;
	/* Only size bytes are read: no terminator is looked for, and bytes after it don't count. */
	assert_int_equal(parse_n("cmdline abc\nbad", 9), 0);
	assert_string_equal(cfg.cmdline, "a");
	assert_int_equal(parse_n("module m.elf", 12), 0);
	assert_string_equal(cfg.modules[0].cmdline, "m.elf");
}

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
	r = bootcfg_parse_load_options(copy, size, out, cmdline_size, err, sizeof(err));
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
	assert_int_equal(load_options("console=serial log=debug"), BOOTCFG_OPTIONS_CMDLINE);
	assert_string_equal(out, "console=serial log=debug");
	/* Not terminated: the size ends the text. */
	assert_int_equal(load_options_ascii("a=1 b", 5, 0, HANDOFF_CMDLINE_MAX),
			 BOOTCFG_OPTIONS_CMDLINE);
	assert_string_equal(out, "a=1 b");
	/* A NUL ends it before the size does, whatever follows. */
	assert_int_equal(LOAD_OPTIONS('a', 'b', 0, 'c', 'd'), BOOTCFG_OPTIONS_CMDLINE);
	assert_string_equal(out, "ab");
	assert_int_equal(LOAD_OPTIONS('a', 'b', 0, 0xffff, 0x0001), BOOTCFG_OPTIONS_CMDLINE);
	assert_string_equal(out, "ab");
	/* Surrounding blanks trimmed; tabs and line ends inside become spaces, one for one. */
	assert_int_equal(load_options(" \t\r\n a\tb\r\nc  \r\n"), BOOTCFG_OPTIONS_CMDLINE);
	assert_string_equal(out, "a b  c");
	/* Every printable ASCII character comes through. */
	for (int c = 0x21; c <= 0x7e; c++) {
		char s[] = { 'x', (char)c, 'y', 0 };

		assert_int_equal(load_options(s), BOOTCFG_OPTIONS_CMDLINE);
		assert_string_equal(out, s);
	}
}

static void test_options_none(void **state)
{
	(void)state;
	assert_int_equal(bootcfg_parse_load_options(NULL, 0, out, sizeof(out), err, sizeof(err)),
			 BOOTCFG_OPTIONS_NONE);
	assert_int_equal(load_options_n(UCS2('a'), 0, HANDOFF_CMDLINE_MAX), BOOTCFG_OPTIONS_NONE);
	assert_int_equal(load_options(""), BOOTCFG_OPTIONS_NONE);
	assert_int_equal(load_options(" \t\r\n  "), BOOTCFG_OPTIONS_NONE);
	assert_int_equal(LOAD_OPTIONS(0, 'a', 'b'), BOOTCFG_OPTIONS_NONE);
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
		if (load_options(cases[i].in) != BOOTCFG_OPTIONS_CMDLINE)
			fail_msg("\"%s\" gave no command line", cases[i].in);
		assert_string_equal(out, cases[i].cmdline);
	}
	/* The image name alone is no command line. */
	assert_int_equal(load_options("BOOTX64.EFI"), BOOTCFG_OPTIONS_NONE);
	assert_int_equal(load_options("\\EFI\\BOOT\\bootx64.efi \t\r\n"), BOOTCFG_OPTIONS_NONE);
	assert_int_equal(load_options_ascii("x.efi", 5, 0, HANDOFF_CMDLINE_MAX),
			 BOOTCFG_OPTIONS_NONE);
}

static void test_options_not_text(void **state)
{
	static const uint16_t bad[] = { 0x0001, 0x001f, 0x007f, 0x0080, 0x00e9,
					0x4e2d, 0xfeff, 0xfffe, 0xffff, 0xd83d };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint16_t w[] = { 'a', '=', 'b', bad[i], 'c', 0 };

		if (load_options_n(w, sizeof(w), HANDOFF_CMDLINE_MAX) != BOOTCFG_OPTIONS_NOT_TEXT)
			fail_msg("0x%04x taken for text", bad[i]);
		/* Also as the first character. */
		w[0] = bad[i];
		assert_int_equal(load_options_n(w, sizeof(w), HANDOFF_CMDLINE_MAX),
				 BOOTCFG_OPTIONS_NOT_TEXT);
	}
	assert_int_equal(LOAD_OPTIONS('x', '.', 'e', 'f', 'i', ' ', 0x0002),
			 BOOTCFG_OPTIONS_NOT_TEXT);
	/* A boot entry's binary optional data, e.g. a GUID. */
	assert_int_equal(LOAD_OPTIONS(0x8be4, 0xdf61, 0x93ca, 0x11d2, 0x0daa, 0xe000, 0x8c98),
			 BOOTCFG_OPTIONS_NOT_TEXT);
	/* UCS-2 comes in whole characters. */
	assert_int_equal(load_options_n(UCS2('a', 'b'), 3, HANDOFF_CMDLINE_MAX),
			 BOOTCFG_OPTIONS_NOT_TEXT);
	assert_int_equal(load_options_n(UCS2('a'), 1, HANDOFF_CMDLINE_MAX), BOOTCFG_OPTIONS_NONE);
}

static void test_options_too_long(void **state)
{
	char longest[HANDOFF_CMDLINE_MAX + 1];

	(void)state;
	assert_int_equal(load_options_ascii("abcde", 5, 1, 6), BOOTCFG_OPTIONS_CMDLINE);
	assert_string_equal(out, "abcde");
	assert_int_equal(out[6], '@');
	assert_int_equal(load_options_ascii("abcdef", 6, 1, 6), -1);
	assert_contains(err, "load options of 6 characters do not fit in 6 bytes");
	assert_int_equal(out[6], '@');
	/* What counts is the words after trimming and dropping the image name. */
	assert_int_equal(load_options_ascii(" x.efi  abcde  ", 15, 1, 6), BOOTCFG_OPTIONS_CMDLINE);
	assert_string_equal(out, "abcde");
	assert_int_equal(load_options_ascii("abc", 3, 1, 0), -1);
	assert_int_equal(out[0], '@');
	/* The handoff's command line takes HANDOFF_CMDLINE_MAX - 1 characters. */
	memset(longest, 'c', sizeof(longest));
	assert_int_equal(
		load_options_ascii(longest, HANDOFF_CMDLINE_MAX - 1, 1, HANDOFF_CMDLINE_MAX),
		BOOTCFG_OPTIONS_CMDLINE);
	assert_int_equal(strlen(out), HANDOFF_CMDLINE_MAX - 1);
	assert_int_equal(load_options_ascii(longest, HANDOFF_CMDLINE_MAX, 1, HANDOFF_CMDLINE_MAX),
			 -1);
	assert_contains(err, "512 characters do not fit in 512 bytes");
	/* No buffers at all: still refused. */
	assert_int_equal(bootcfg_parse_load_options(UCS2('a', 0), 4, NULL, 0, NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_empty_files),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_byte_order_mark),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_second_cmdline),
		cmocka_unit_test(test_longest_lines),
		cmocka_unit_test(test_overlong_lines),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_module_needs_file),
		cmocka_unit_test(test_module_absolute_path),
		cmocka_unit_test(test_module_file_name_length),
		cmocka_unit_test(test_module_cmdline_length),
		cmocka_unit_test(test_module_count),
		cmocka_unit_test(test_overlong_module_line_refuses_module),
		cmocka_unit_test(test_non_printable_bytes),
		cmocka_unit_test(test_unknown_directives),
		cmocka_unit_test(test_error_names_file_and_stops),
		cmocka_unit_test(test_size_bounds_the_text),
		cmocka_unit_test(test_options_decoding),
		cmocka_unit_test(test_options_none),
		cmocka_unit_test(test_options_efi_word_skipped),
		cmocka_unit_test(test_options_not_text),
		cmocka_unit_test(test_options_too_long),
	};

	return unit_run(tests);
}
