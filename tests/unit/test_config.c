/*
 * shunt.cfg's parser (hv/lib/config.c): comments, line ends and the byte order mark, the
 * shunt and vm lines, and every problem recorded against its line while the rest of the file
 * is still read: a bad vm line refuses that VM alone, any other bad line is ignored alone.
 */
#include "unit.h"

#include <stdlib.h>

#include <hv/config.h>
#include <hv/types.h>

static struct config cfg;
static char text[8192];

/* Parses size bytes from a heap copy of exactly that size, so that ASan sees any overread. */
static void parse_n(const char *t, size_t size)
{
	char *copy = malloc(size ? size : 1);

	assert_non_null(copy);
	memcpy(copy, t, size);
	memset(&cfg, 0x5a, sizeof(cfg)); /* config_parse() must set what it reports */
	config_parse(copy, size, &cfg);
	free(copy);
}

#define PARSE(lit) parse_n((lit), sizeof(lit) - 1)

static void parse(const char *t)
{
	parse_n(t, strlen(t));
}

/* The VM at index i is usable: its line, file and command line. */
static void check_vm(uint32_t i, uint32_t line, const char *file, const char *cmdline)
{
	assert_true(i < cfg.vm_count);
	assert_int_equal(cfg.vms[i].line, line);
	assert_string_equal(cfg.vms[i].file, file);
	assert_string_equal(cfg.vms[i].cmdline, cmdline);
	assert_string_equal(cfg.vms[i].problem, "");
}

/* The VM at index i is refused at line, for a reason containing needle. */
static void check_refused(uint32_t i, uint32_t line, const char *needle)
{
	assert_true(i < cfg.vm_count);
	assert_int_equal(cfg.vms[i].line, line);
	assert_string_equal(cfg.vms[i].cmdline, "");
	assert_contains(cfg.vms[i].problem, needle);
}

/* Problem i of the lines that are not VMs: at line, containing needle. */
static void check_problem(uint32_t i, uint32_t line, const char *needle)
{
	assert_true(i < cfg.problem_count);
	assert_int_equal(cfg.problems[i].line, line);
	assert_contains(cfg.problems[i].text, needle);
}

static void test_empty_and_comments(void **state)
{
	(void)state;
	parse_n("", 0);
	assert_int_equal(cfg.shunt_line, 0);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.vm_count, 0);
	assert_int_equal(config_problem_total(&cfg), 0);
	parse("# Shunt\n\n   \n\t# indented comment\n#vm x.elf\n   # vm y.elf\n");
	assert_int_equal(cfg.vm_count, 0);
	assert_int_equal(config_problem_total(&cfg), 0);
}

static void test_shunt_and_vm_lines(void **state)
{
	(void)state;
	parse("# the demo\n"
	      "shunt loglevel=info  on-all-stopped=poweroff \n"
	      "vm hello.elf mem=4M -- demo\n"
	      "\tvm\tcounter.elf\n"
	      "vm fpu.elf name=fpu-b  -- B  \n");
	assert_int_equal(cfg.shunt_line, 2);
	assert_string_equal(cfg.cmdline, "loglevel=info  on-all-stopped=poweroff");
	assert_int_equal(cfg.vm_count, 3);
	check_vm(0, 3, "hello.elf", "hello.elf mem=4M -- demo");
	check_vm(1, 4, "counter.elf", "counter.elf");
	check_vm(2, 5, "fpu.elf", "fpu.elf name=fpu-b  -- B");
	assert_int_equal(config_problem_total(&cfg), 0);
	/* An empty shunt line is a shunt line. */
	parse("shunt\nshunt x\n");
	assert_int_equal(cfg.shunt_line, 1);
	assert_string_equal(cfg.cmdline, "");
	check_problem(0, 2, "a second 'shunt' line (the first is line 1)");
}

static void test_line_ends(void **state)
{
	(void)state;
	/* CRLF, a last line without its end, a lone CR inside a line is a bad byte. */
	parse("shunt a\r\n\r\nvm a.elf x=1\r\nvm b.elf");
	assert_string_equal(cfg.cmdline, "a");
	check_vm(0, 3, "a.elf", "a.elf x=1");
	check_vm(1, 4, "b.elf", "b.elf");
	parse("vm a.elf\rvm b.elf\n");
	assert_int_equal(cfg.vm_count, 1);
	check_refused(0, 1, "byte 0x0d in column 9 is not printable ASCII");
	/* A byte order mark is skipped, once and only at the start. */
	PARSE("\xef\xbb\xbfshunt a\nvm x.elf\n");
	assert_int_equal(cfg.shunt_line, 1);
	check_vm(0, 2, "x.elf", "x.elf");
	PARSE("\xef\xbb\xbf\xef\xbb\xbfshunt a\n");
	assert_int_equal(cfg.shunt_line, 0);
	check_problem(0, 1, "byte 0xef in column 1");
}

static void test_bad_lines_cost_themselves_only(void **state)
{
	(void)state;
	parse("shunt loglevel=debug\n"
	      "cmdline test\n"
	      "vm good.elf\n"
	      "module old.elf\n"
	      "vm\n"
	      "vm dir/x.elf\n"
	      "vm ../x.elf\n"
	      "vm \\x.elf\n"
	      "vm last.elf -- ok\n");
	assert_string_equal(cfg.cmdline, "loglevel=debug");
	assert_int_equal(cfg.problem_count, 2);
	check_problem(0, 2,
		      "unknown directive 'cmdline' (expected 'shunt', 'vm' or a '#' comment)");
	check_problem(1, 4, "unknown directive 'module'");
	assert_int_equal(cfg.vm_count, 6);
	check_vm(0, 3, "good.elf", "good.elf");
	check_refused(1, 5, "'vm' needs a guest file name");
	check_refused(2, 6, "guest file \"dir/x.elf\": name a file directly in /guests/");
	check_refused(3, 7, "\"../x.elf\"");
	check_refused(4, 8, "\"\\x.elf\"");
	check_vm(5, 9, "last.elf", "last.elf -- ok");
	assert_int_equal(config_problem_total(&cfg), 6);
	/* A refused line names no file: nothing is loaded for it. */
	assert_string_equal(cfg.vms[2].file, "");
	/* A long unknown word is cut in the message. */
	parse("abcdefghijklmnopqrstuvwxyz0123456789 x\n");
	check_problem(0, 1, "unknown directive 'abcdefghijklmnopqrstuvw'");
	/* "vm" must be the whole word. */
	parse("vmx a.elf\nVM a.elf\n");
	assert_int_equal(cfg.vm_count, 0);
	assert_int_equal(cfg.problem_count, 2);
}

static void test_non_printable_bytes(void **state)
{
	(void)state;
	/* In a vm line, the VM is refused but keeps its file name (for its name in the log). */
	PARSE("vm a.elf mem=4M\x01\nshunt \x80\nvm b.elf\x00x\nvm c.elf\n");
	assert_int_equal(cfg.vm_count, 3);
	check_refused(0, 1, "byte 0x01 in column 16");
	assert_string_equal(cfg.vms[0].file, "a.elf");
	check_refused(1, 3, "byte 0x00 in column 9");
	check_vm(2, 4, "c.elf", "c.elf");
	assert_int_equal(cfg.shunt_line, 0);
	check_problem(0, 2, "byte 0x80 in column 7 is not printable ASCII (line ignored)");
	/* A keyword that goes on with NULs is not the keyword (nor read past its end). */
	PARSE("vm\0\0\0\0 a.elf\n");
	assert_int_equal(cfg.vm_count, 0);
	check_problem(0, 1, "byte 0x00 in column 3");
	/* Tabs are blanks, DEL is not printable. */
	parse("vm\ta.elf\tx=1\nvm b.elf \x7f\n");
	check_vm(0, 1, "a.elf", "a.elf\tx=1");
	check_refused(1, 2, "byte 0x7f");
}

static void test_limits(void **state)
{
	char file[CONFIG_FILE_MAX + 1];
	size_t n;

	(void)state;
	/* The longest file name, and one longer. */
	memset(file, 'f', sizeof(file));
	file[CONFIG_FILE_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "vm %s\n", file);
	parse(text);
	check_vm(0, 1, file, file);
	file[CONFIG_FILE_MAX - 1] = 'f';
	file[CONFIG_FILE_MAX] = '\0';
	snprintf(text, sizeof(text), "vm %s\n", file);
	parse(text);
	check_refused(0, 1, "guest file name is 64 characters, at most 63");
	/* The VM's command line ("<file> <options>") takes at most 255 characters. */
	n = (size_t)snprintf(text, sizeof(text), "vm a.elf ");
	memset(text + n, 'o', CONFIG_VM_CMDLINE_MAX - 1 - 6);
	text[n + CONFIG_VM_CMDLINE_MAX - 1 - 6] = '\0';
	parse(text);
	assert_int_equal(strlen(cfg.vms[0].cmdline), CONFIG_VM_CMDLINE_MAX - 1);
	strcat(text, "o");
	parse(text);
	check_refused(0, 1, "the VM's file and options are 256 characters, at most 255");
	/* A line of 511 bytes is taken, one of 512 is not. */
	memset(text, 'w', sizeof(text));
	memcpy(text, "shunt ", 6);
	text[CONFIG_LINE_MAX] = '\0';
	parse(text);
	assert_int_equal(cfg.shunt_line, 1);
	assert_int_equal(strlen(cfg.cmdline), CONFIG_LINE_MAX - 6);
	text[CONFIG_LINE_MAX] = 'w';
	text[CONFIG_LINE_MAX + 1] = '\0';
	parse(text);
	assert_int_equal(cfg.shunt_line, 0);
	check_problem(0, 1, "line is 512 bytes long, at most 511");
	memcpy(text, "vm a.elf", 8);
	parse(text);
	check_refused(0, 1, "line is 512 bytes long");
}

static void test_vm_count_and_problem_count(void **state)
{
	size_t at = 0;

	(void)state;
	for (unsigned int i = 0; i < CONFIG_VMS_MAX + 3; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "vm m%u.elf\n", i);
	parse(text);
	assert_int_equal(cfg.vm_count, CONFIG_VMS_MAX);
	assert_int_equal(cfg.vms_dropped, 3);
	assert_int_equal(cfg.dropped_line, CONFIG_VMS_MAX + 1);
	assert_int_equal(config_problem_total(&cfg), 3);
	snprintf(text, sizeof(text), "m%u.elf", CONFIG_VMS_MAX - 1);
	check_vm(CONFIG_VMS_MAX - 1, CONFIG_VMS_MAX, text, text);
	/* More problems than are kept: all counted, the first kept. */
	at = 0;
	for (unsigned int i = 0; i < CONFIG_PROBLEMS_MAX + 5; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "bad%u\n", i);
	parse(text);
	assert_int_equal(cfg.problem_count, CONFIG_PROBLEMS_MAX + 5);
	assert_int_equal(config_problem_total(&cfg), CONFIG_PROBLEMS_MAX + 5);
	check_problem(CONFIG_PROBLEMS_MAX - 1, CONFIG_PROBLEMS_MAX, "'bad7'");
}

static void test_size_bounds_the_text(void **state)
{
	(void)state;
	parse_n("shunt abc\nvm x.elf", 8);
	assert_string_equal(cfg.cmdline, "ab");
	assert_int_equal(cfg.vm_count, 0);
	parse_n("vm m.elf junk", 8);
	check_vm(0, 1, "m.elf", "m.elf");
}

static void test_find_file(void **state)
{
	(void)state;
	parse("vm a.elf name=one\nvm bad/x.elf\nvm a.elf name=two\nvm ab.elf\n");
	assert_ptr_equal(config_find_file(&cfg, "a.elf"), &cfg.vms[0]);
	assert_ptr_equal(config_find_file(&cfg, "ab.elf"), &cfg.vms[3]);
	assert_null(config_find_file(&cfg, "a.el"));
	assert_null(config_find_file(&cfg, "a.elfx"));
	assert_null(config_find_file(&cfg, ""));
	assert_null(config_find_file(&cfg, "bad/x.elf"));
}

/* The initrd= of a vm line, for the UEFI loader to load too; a bad name refuses the VM. */
static void test_initrd_files(void **state)
{
	(void)state;
	parse("vm vmlinux mem=128M initrd=root.cpio -- initrd=not-this\n"
	      "vm hello.elf\n"
	      "vm vmlinux name=b initrd=../x\n");
	assert_string_equal(cfg.vms[0].initrd, "root.cpio");
	assert_string_equal(cfg.vms[1].initrd, "");
	assert_contains(cfg.vms[2].problem, "initrd=: name a file directly in /guests/");
	assert_string_equal(cfg.vms[2].initrd, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initrd_files),
		cmocka_unit_test(test_empty_and_comments),
		cmocka_unit_test(test_shunt_and_vm_lines),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_bad_lines_cost_themselves_only),
		cmocka_unit_test(test_non_printable_bytes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_vm_count_and_problem_count),
		cmocka_unit_test(test_size_bounds_the_text),
		cmocka_unit_test(test_find_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
