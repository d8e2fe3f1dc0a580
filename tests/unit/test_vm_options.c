/*
 * VM boot-module options (hv/vm_options.c): file name, name=, mem= with units and bounds,
 * console=, grant= (parsed into specs, at most VM_OPTIONS_GRANTS_MAX), rate= per class with
 * the defaults when absent, the guest command line after "--", every malformed word
 * refused with a reason, and fallback names that no option can give.
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
	const char *bad[] = { "name=a mem=",
			      "name=a mem=1M",
			      "name=a mem=2G",
			      "name=a mem=16Q",
			      "name=a mem=16MB",
			      "name=a mem=-4M",
			      "name=a mem=99999999999999999999M",
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
	/* 31 bytes is the longest name: the buffer keeps room for its NUL. */
	assert_int_equal(parse("name=0123456789012345678901234567890"), 0);
	assert_string_equal(o.name, "0123456789012345678901234567890");
	assert_int_equal(parse("name=01234567890123456789012345678901"), -22);
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

	assert_int_equal(parse("x.elf cpu=4"), -22);
	assert_contains(err, "unknown option \"cpu=4\"");
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

/* The spaces between words count: 255 bytes fit, 256 do not. */
static void test_guest_cmdline_longest(void **state)
{
	(void)state;
	char line[400] = "g.elf --";

	for (int i = 0; i < 51; i++) /* 51 words of 4 bytes, 50 spaces between: 254 bytes */
		strcat(line, " abcd");
	strcat(line, "e");
	assert_int_equal(parse(line), 0);
	assert_int_equal(strlen(o.guest_cmdline), VM_OPTIONS_CMDLINE_MAX - 1);
	strcat(line, "f");
	assert_int_equal(parse(line), -22);
	assert_contains(err, "guest command line");
}

/* --- console= --- */

static void test_console(void **state)
{
	(void)state;
	assert_int_equal(parse("g.elf"), 0);
	assert_int_equal(o.console, VM_CONSOLE_PRINT);
	assert_int_equal(parse("g.elf console=discard"), 0);
	assert_int_equal(o.console, VM_CONSOLE_DISCARD);
	assert_int_equal(parse("g.elf console=print"), 0);
	assert_int_equal(o.console, VM_CONSOLE_PRINT);
	assert_int_equal(parse("g.elf console=lossy"), 0);
	assert_int_equal(o.console, VM_CONSOLE_LOSSY);
	assert_int_equal(parse("g.elf console=discard console=print"), 0); /* the last one wins */
	assert_int_equal(o.console, VM_CONSOLE_PRINT);
	assert_int_equal(parse("g.elf console=print console=discard"), 0);
	assert_int_equal(o.console, VM_CONSOLE_DISCARD);
}

static void test_bad_console(void **state)
{
	static const char *const bad[] = {
		"console=",	    "console=Print", "console=DISCARD",
		"console=discard2", "console=prin",  "console=print,discard",
		"console==print",   "console=none",  "console=loss",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[64];

		snprintf(line, sizeof(line), "g.elf %s", bad[i]);
		assert_int_equal(parse(line), -22);
		assert_contains(err, bad[i]);
		assert_contains(err, "print, lossy or discard");
	}
}

/* --- grant= --- */

static void test_grants(void **state)
{
	(void)state;
	assert_int_equal(parse("g.elf"), 0);
	assert_int_equal(o.grant_count, 0);

	assert_int_equal(parse("g.elf grant=pci:00:1f.2:mmio grant=ports:3f8-3ff:io "
			       "grant=ports:0x2f8-0x2ff:passthrough grant=pci:0x1:0.1:io"),
			 0);
	assert_int_equal(o.grant_count, 4);
	assert_int_equal(o.grants[0].kind, PV_HW_KIND_PCI);
	assert_int_equal(o.grants[0].bdf, 0x00fa);
	assert_int_equal(o.grants[0].mode, PV_HW_MODE_MMIO);
	assert_int_equal(o.grants[1].kind, PV_HW_KIND_PORTS);
	assert_int_equal(o.grants[1].port_first, 0x3f8);
	assert_int_equal(o.grants[1].port_last, 0x3ff);
	assert_int_equal(o.grants[1].mode, PV_HW_MODE_IO);
	assert_int_equal(o.grants[2].kind, PV_HW_KIND_PORTS);
	assert_int_equal(o.grants[2].port_first, 0x2f8);
	assert_int_equal(o.grants[2].port_last, 0x2ff);
	assert_int_equal(o.grants[2].mode, PV_HW_MODE_PASSTHROUGH);
	assert_int_equal(o.grants[3].kind, PV_HW_KIND_PCI);
	assert_int_equal(o.grants[3].bdf, 0x0101);
	assert_int_equal(o.grants[3].mode, PV_HW_MODE_IO);

	/* Grants mix with the other options, in any order. */
	assert_int_equal(parse("name=n grant=ports:60-64:io mem=8M console=discard -- x"), 0);
	assert_int_equal(o.grant_count, 1);
	assert_int_equal(o.grants[0].port_first, 0x60);
	assert_int_equal(o.grants[0].port_last, 0x64);
	assert_int_equal(o.console, VM_CONSOLE_DISCARD);
	assert_u64_equal(o.mem, 8ull << 20);
	assert_string_equal(o.guest_cmdline, "x");
	/* After "--" a grant= word is the guest's. */
	assert_int_equal(parse("g.elf -- grant=pci:00:00.0:io"), 0);
	assert_int_equal(o.grant_count, 0);
}

static void test_too_many_grants(void **state)
{
	char line[512] = "g.elf";

	(void)state;
	/* VM_OPTIONS_GRANTS_MAX are fine, one more is refused, naming the extra grant. */
	for (unsigned int i = 1; i <= VM_OPTIONS_GRANTS_MAX; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " grant=ports:%x-%x:io",
			 i, i);
	assert_int_equal(parse(line), 0);
	assert_int_equal(o.grant_count, VM_OPTIONS_GRANTS_MAX);
	assert_int_equal(o.grants[VM_OPTIONS_GRANTS_MAX - 1].port_first, VM_OPTIONS_GRANTS_MAX);
	strcat(line, " grant=ports:50-50:io");
	assert_int_equal(parse(line), -22);
	assert_contains(err, "at most 8 grants");
	assert_contains(err, "grant=ports:50-50:io");
}

static void test_bad_grants(void **state)
{
	static const char *const bad[] = {
		"",
		"pci:00:20.0:io",
		"pci:100:00.0:io",
		"pci:00:00.8:mmio",
		"pci:00:1f.2",
		"pci:00:1f.2:dma",
		"ports:3ff-3f8:io",
		"ports:3f8-10000:io",
		"ports:3f8:3ff:io",
		"ports:3f8-3ff:io:",
		"usb:1:io",
		"pci:00.1f.2:io",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[80], quoted[40];

		snprintf(line, sizeof(line), "g.elf grant=ports:3f8-3ff:io grant=%s", bad[i]);
		if (parse(line) != -22)
			fail_msg("\"grant=%s\" accepted", bad[i]);
		snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
		assert_contains(err, quoted);
		assert_contains(err, "pci:BB:DD.F:MODE");
	}
	/* A malformed grant refuses the VM even with fewer than 4 grants before it. */
	assert_int_equal(parse("g.elf grant=pci:zz:00.0:io name=x"), -22);
	assert_contains(err, "\"pci:zz:00.0:io\"");
}

/* --- rate= --- */

static void expect_rate(unsigned int class, uint32_t rate, uint32_t burst)
{
	if (o.rate[class] != rate || o.burst[class] != burst)
		fail_msg("class %u: rate %u burst %u, expected %u %u", class, o.rate[class],
			 o.burst[class], rate, burst);
}

static void test_rate_defaults(void **state)
{
	(void)state;
	assert_int_equal(PV_RATE_CONSOLE, 1);
	assert_int_equal(PV_RATE_OTHER, 2);
	assert_int_equal(PV_RATE_HW, 3);
	assert_int_equal(parse("g.elf"), 0);
	expect_rate(PV_RATE_CONSOLE, VM_RATE_CONSOLE_DEFAULT, VM_BURST_CONSOLE_DEFAULT);
	expect_rate(PV_RATE_OTHER, VM_RATE_OTHER_DEFAULT, VM_BURST_OTHER_DEFAULT);
	expect_rate(PV_RATE_HW, VM_RATE_HW_DEFAULT, VM_BURST_HW_DEFAULT);
}

static void test_rates(void **state)
{
	(void)state;
	assert_int_equal(parse("g.elf rate=console:10:2"), 0);
	expect_rate(PV_RATE_CONSOLE, 10, 2);
	expect_rate(PV_RATE_OTHER, VM_RATE_OTHER_DEFAULT, VM_BURST_OTHER_DEFAULT);
	expect_rate(PV_RATE_HW, VM_RATE_HW_DEFAULT, VM_BURST_HW_DEFAULT);

	assert_int_equal(parse("g.elf rate=other:300:30"), 0);
	expect_rate(PV_RATE_CONSOLE, VM_RATE_CONSOLE_DEFAULT, VM_BURST_CONSOLE_DEFAULT);
	expect_rate(PV_RATE_OTHER, 300, 30);
	expect_rate(PV_RATE_HW, VM_RATE_HW_DEFAULT, VM_BURST_HW_DEFAULT);

	assert_int_equal(parse("g.elf rate=hw:4000:8"), 0);
	expect_rate(PV_RATE_CONSOLE, VM_RATE_CONSOLE_DEFAULT, VM_BURST_CONSOLE_DEFAULT);
	expect_rate(PV_RATE_OTHER, VM_RATE_OTHER_DEFAULT, VM_BURST_OTHER_DEFAULT);
	expect_rate(PV_RATE_HW, 4000, 8);

	/* All three, 0 (unlimited) and the bounds; the last word for a class wins. */
	assert_int_equal(parse("g.elf rate=hw:0:1 rate=console:1000000:1000000 rate=other:1:1 "
			       "rate=hw:7:3"),
			 0);
	expect_rate(PV_RATE_CONSOLE, 1000000, 1000000);
	expect_rate(PV_RATE_OTHER, 1, 1);
	expect_rate(PV_RATE_HW, 7, 3);
	assert_int_equal(parse("g.elf rate=hw:0:1"), 0);
	expect_rate(PV_RATE_HW, 0, 1);
	/* Ten digits is the most a number may have. */
	assert_int_equal(parse("g.elf rate=other:0000001000:0000000009"), 0);
	expect_rate(PV_RATE_OTHER, 1000, 9);
}

static void test_bad_rates(void **state)
{
	static const char *const bad[] = {
		/* unknown or missing class */
		"rate=",
		"rate=disk:10:1",
		"rate=Console:10:1",
		"rate=consolex:10:1",
		"rate=console",
		"rate=:10:1",
		"rate=none:10:1",
		"rate=hw10:1",
		"rate=h:10:1",
		/* missing or empty parts */
		"rate=console:",
		"rate=console:10",
		"rate=console:10:",
		"rate=console::1",
		"rate=hw::",
		"rate=hw:10:1:5",
		/* burst 0, values above 1000000 */
		"rate=console:10:0",
		"rate=hw:0:0",
		"rate=console:1000001:1",
		"rate=other:10:1000001",
		"rate=hw:4294967297:1",
		"rate=hw:1:4294967296",
		"rate=hw:9999999999:1",
		/* non-digits */
		"rate=console:1x:1",
		"rate=console:10:1x",
		"rate=console:-1:1",
		"rate=console:+1:1",
		"rate=console:0x10:1",
		"rate=console:1e3:1",
		"rate=console:10: 1",
		"rate=console:a:b",
		/* more than ten digits, even of a small value */
		"rate=console:00000000001:1",
		"rate=console:1:00000000001",
		"rate=console:99999999999999999999:1",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[80];

		snprintf(line, sizeof(line), "g.elf %s", bad[i]);
		if (parse(line) != -22)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_contains(err, "rate=CLASS:RATE:BURST");
		if (strchr(bad[i], ' ') == NULL) /* a blank ends the word */
			assert_contains(err, bad[i]);
	}
}

/*
 * Regression: a VM whose options failed was called "vm<N>", which a later module could name
 * itself (name=vm4, or a file vm4.elf), and a refused duplicate kept its wanted name: two
 * VMs of one name in the summary. Fallback names can be given by no option or file name,
 * and differ between modules.
 */
static void test_fallback_names_never_collide(void **state)
{
	static const char *const wanted[] = { NULL, "hello", "vm4", "module",
					      "0123456789012345678901234567890" };
	char names[ARRAY_SIZE(wanted) * 3][VM_OPTIONS_FALLBACK_NAME_MAX];
	char line[2 * VM_OPTIONS_FALLBACK_NAME_MAX];
	static const unsigned int modules[] = { 0, 4, 4294967295u };
	unsigned int n = 0;

	(void)state;
	for (unsigned int w = 0; w < ARRAY_SIZE(wanted); w++) {
		for (unsigned int m = 0; m < ARRAY_SIZE(modules); m++) {
			char *name = names[n++];

			vm_options_fallback_name(name, VM_OPTIONS_FALLBACK_NAME_MAX, wanted[w],
						 "module", modules[m]);
			/* Never cut: the module number is all there. */
			snprintf(line, sizeof(line), "#%u", modules[m]);
			assert_non_null(strstr(name, line));
			assert_int_equal(strlen(strstr(name, line)), strlen(line));
			/* Not a name an option may give, nor a file's default name. */
			snprintf(line, sizeof(line), "x.elf name=%s", name);
			assert_int_equal(parse(line), -22);
			snprintf(line, sizeof(line), "%s.elf", name);
			assert_true(parse(line) != 0 || strcmp(o.name, name));
			snprintf(line, sizeof(line), "%s", name);
			assert_true(parse(line) != 0 || strcmp(o.name, name));
		}
	}
	/* One module has one fallback name: those of different modules always differ. */
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			if (i % ARRAY_SIZE(modules) != j % ARRAY_SIZE(modules))
				assert_true(strcmp(names[i], names[j]) != 0);
	vm_options_fallback_name(names[0], VM_OPTIONS_FALLBACK_NAME_MAX, NULL, "module", 4);
	assert_string_equal(names[0], "module#4");
	vm_options_fallback_name(names[0], VM_OPTIONS_FALLBACK_NAME_MAX, "hello", "module", 3);
	assert_string_equal(names[0], "hello#3");
	vm_options_fallback_name(names[0], VM_OPTIONS_FALLBACK_NAME_MAX, NULL, "line", 12);
	assert_string_equal(names[0], "line#12");
}

/* A refused VM is named after its file, whatever its options say. */
static void test_file_names(void **state)
{
	static const struct {
		const char *cmdline, *name;
	} cases[] = {
		{ "hello.elf mem=4M", "hello" },
		{ "  /guests/x-1.2.elf", "x-1.2" },
		{ "a.b.c bad=option", "a.b" },
		{ "noext", "noext" },
		{ ".elf", ".elf" },
		{ "dir\\win.elf", "win" },
	};
	static const char *const nameless[] = { "",
						"   ",
						"mem=4M x.elf",
						"-- a",
						"bad$char.elf",
						"/guests/",
						"x.elf=1",
						"0123456789012345678901234567890123.elf" };
	char name[VM_OPTIONS_NAME_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(name, '@', sizeof(name));
		assert_int_equal(vm_options_file_name(cases[i].cmdline, name), 0);
		assert_string_equal(name, cases[i].name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(nameless); i++)
		if (vm_options_file_name(nameless[i], name) == 0)
			fail_msg("\"%s\" gave the name \"%s\"", nameless[i], name);
}

/* initrd=FILE binds a file of /guests/ to a Linux VM; the name is checked like a file's. */
static void test_initrd(void **state)
{
	(void)state;
	assert_int_equal(parse("vmlinux mem=128M initrd=initramfs.cpio -- console=ttyS0"), 0);
	assert_string_equal(o.initrd, "initramfs.cpio");
	assert_string_equal(o.guest_cmdline, "console=ttyS0");
	assert_int_equal(parse("hello.elf"), 0);
	assert_string_equal(o.initrd, "");
	assert_int_equal(parse("vmlinux initrd=../etc/passwd"), -EINVAL);
	assert_contains(err, "initrd= names a file in /guests/");
	assert_int_equal(parse("vmlinux initrd="), -EINVAL);
	assert_int_equal(parse("vmlinux initrd=a+b_c-1.cpio.gz"), 0);
	assert_string_equal(o.initrd, "a+b_c-1.cpio.gz");
}

/* reboots=N: how many quick resets in a row restart the VM; 3 unless given. */
static void test_reboots(void **state)
{
	static const char *const bad[] = { "reboots=",	 "reboots=-1",	"reboots=101",
					   "reboots=1x", "reboots=0x3", "reboots=0101" };

	(void)state;
	assert_int_equal(parse("vmlinux"), 0);
	assert_int_equal(o.reboots, VM_REBOOTS_DEFAULT);
	assert_int_equal(parse("vmlinux reboots=0"), 0);
	assert_int_equal(o.reboots, 0);
	assert_int_equal(parse("vmlinux reboots=100"), 0);
	assert_int_equal(o.reboots, 100);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "vmlinux %s", bad[i]);
		if (parse(line) != -EINVAL)
			fail_msg("\"%s\" was taken", line);
		assert_contains(err, "reboots= is how many quick resets in a row restart the VM, "
				     "0 to 100");
	}
}

/* vcpus=N (1..8, default 1) and cpus=LIST (default: any). */
static void test_vcpus_cpus(void **state)
{
	static const char *const bad_vcpus[] = { "vcpus=", "vcpus=0", "vcpus=9", "vcpus=2x",
						 "vcpus=-1" };
	static const char *const bad_cpus[] = { "cpus=", "cpus=64", "cpus=1,1", "cpus=2-1",
						"cpus=a" };

	(void)state;
	assert_int_equal(parse("g.elf"), 0);
	assert_int_equal(o.vcpus, 1);
	assert_true(o.cpus == 0);
	assert_int_equal(parse("g.elf vcpus=8 cpus=1,3-4"), 0);
	assert_int_equal(o.vcpus, 8);
	assert_true(o.cpus == 0x1a);
	for (size_t i = 0; i < sizeof(bad_vcpus) / sizeof(bad_vcpus[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "g.elf %s", bad_vcpus[i]);
		if (parse(line) != -EINVAL)
			fail_msg("\"%s\" was taken", line);
		assert_contains(err, "vcpus= is a number of vCPUs from 1 to 8");
	}
	for (size_t i = 0; i < sizeof(bad_cpus) / sizeof(bad_cpus[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "g.elf %s", bad_cpus[i]);
		if (parse(line) != -EINVAL)
			fail_msg("\"%s\" was taken", line);
		assert_contains(err, "cpus= lists CPU numbers from 0 to 63");
	}
}

/* A Linux command line gets " noapic" once: not again when it has it as a word of its own. */
static void test_platform_cmdline(void **state)
{
	char buf[VM_OPTIONS_CMDLINE_MAX + 1 + sizeof(VM_PLATFORM_CMDLINE_WORD)];
	const char *same = "console=ttyS0 noapic quiet";

	(void)state;
	assert_string_equal(vm_options_platform_cmdline("", buf, sizeof(buf)), "noapic");
	assert_string_equal(vm_options_platform_cmdline("console=ttyS0", buf, sizeof(buf)),
			    "console=ttyS0 noapic");
	assert_ptr_equal(vm_options_platform_cmdline(same, buf, sizeof(buf)), same);
	assert_string_equal(vm_options_platform_cmdline("\tnoapic", buf, sizeof(buf)), "\tnoapic");
	/* Words that only contain it are other words. */
	assert_string_equal(vm_options_platform_cmdline("noapic=1 xnoapic", buf, sizeof(buf)),
			    "noapic=1 xnoapic noapic");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initrd),
		cmocka_unit_test(test_reboots),
		cmocka_unit_test(test_vcpus_cpus),
		cmocka_unit_test(test_defaults_from_file_name),
		cmocka_unit_test(test_name_and_mem),
		cmocka_unit_test(test_guest_cmdline),
		cmocka_unit_test(test_bad_mem),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_unknown_and_overlong),
		cmocka_unit_test(test_guest_cmdline_too_long),
		cmocka_unit_test(test_guest_cmdline_longest),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_bad_console),
		cmocka_unit_test(test_grants),
		cmocka_unit_test(test_too_many_grants),
		cmocka_unit_test(test_bad_grants),
		cmocka_unit_test(test_rate_defaults),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_bad_rates),
		cmocka_unit_test(test_fallback_names_never_collide),
		cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_platform_cmdline),
	};

	return unit_run(tests);
}
