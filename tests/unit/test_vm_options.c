/*
 * VM boot-module options (hv/vm_options.c): file name, name=, mem= with units and bounds,
 * the guest command line after "--", and every malformed word refused with a reason.
 */
#include "unit.h"

#include <hv/vm_options.h>

static struct vm_options o;
static char err[160];

static int parse(const char *cmdline)
{
	memset(&o, 0x5a, sizeof(o));
	err[0] = '\0';
	return vm_options_parse(cmdline, &o, err, sizeof(err));
}

static void test_defaults_from_file_name(void **state)
{
	(void)state;
	assert_int_equal(parse("/boot/shunt/hello.elf"), 0);
	assert_string_equal(o.name, "hello");
	assert_u64_equal(o.mem, VM_MEM_DEFAULT);
	assert_string_equal(o.guest_cmdline, "");
	assert_int_equal(parse("dir\\kernel"), 0);
	assert_string_equal(o.name, "kernel");
	assert_int_equal(parse("a.b.c.elf"), 0);
	assert_string_equal(o.name, "a.b.c");
}

static void test_name_and_mem(void **state)
{
	(void)state;
	assert_int_equal(parse("x.elf name=web-1 mem=16M"), 0);
	assert_string_equal(o.name, "web-1");
	assert_u64_equal(o.mem, 16ull << 20);
	assert_int_equal(parse("name=big mem=1G"), 0);
	assert_u64_equal(o.mem, 1ull << 30);
	assert_int_equal(parse("name=k mem=3072k"), 0);
	assert_u64_equal(o.mem, 4ull << 20); /* rounded up to 2 MiB */
	assert_int_equal(parse("name=b mem=2097152"), 0);
	assert_u64_equal(o.mem, 2ull << 20);
}

static void test_guest_cmdline(void **state)
{
	(void)state;
	assert_int_equal(parse("g.elf mem=4M --   console=pv   debug  "), 0);
	assert_string_equal(o.guest_cmdline, "console=pv debug");
	assert_int_equal(parse("g.elf -- name=ignored mem=99G"), 0);
	assert_string_equal(o.name, "g");
	assert_string_equal(o.guest_cmdline, "name=ignored mem=99G");
	assert_u64_equal(o.mem, VM_MEM_DEFAULT);
}

static void test_bad_mem(void **state)
{
	(void)state;
	const char *bad[] = { "name=a mem=", "name=a mem=1M", "name=a mem=2G", "name=a mem=16Q",
			      "name=a mem=16MB", "name=a mem=-4M", "name=a mem=99999999999999999999M",
			      "name=a mem=M" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i]), -22);
		assert_contains(err, "mem=");
	}
}

static void test_bad_names(void **state)
{
	(void)state;
	assert_int_equal(parse("name="), -22);
	assert_contains(err, "name");
	assert_int_equal(parse("name=has/slash"), -22);
	assert_int_equal(parse("name=0123456789012345678901234567890123"), -22);
	/* No file name and no name=: nothing to call the VM. */
	assert_int_equal(parse("mem=4M"), -22);
	assert_contains(err, "name=NAME");
	assert_int_equal(parse(""), -22);
	assert_int_equal(parse("-- args only"), -22);
}

static void test_unknown_and_overlong(void **state)
{
	(void)state;
	char longword[200];

	assert_int_equal(parse("x.elf cpus=4"), -22);
	assert_contains(err, "unknown option \"cpus=4\"");
	/* Only the first word may be a bare file name. */
	assert_int_equal(parse("x.elf y.elf"), -22);
	assert_contains(err, "y.elf");
	memset(longword, 'a', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	assert_int_equal(parse(longword), -22);
	assert_contains(err, "longer than");
}

static void test_guest_cmdline_too_long(void **state)
{
	(void)state;
	char line[400] = "g.elf --";

	for (int i = 0; i < 60; i++)
		strcat(line, " word");
	assert_int_equal(parse(line), -22);
	assert_contains(err, "guest command line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_from_file_name),
		cmocka_unit_test(test_name_and_mem),
		cmocka_unit_test(test_guest_cmdline),
		cmocka_unit_test(test_bad_mem),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_unknown_and_overlong),
		cmocka_unit_test(test_guest_cmdline_too_long),
	};

	return unit_run(tests);
}
