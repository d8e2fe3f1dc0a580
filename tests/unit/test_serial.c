/*
 * The console= word (hv/serial.c): every device form with and without a baud rate, the
 * names messages use, and malformed or out-of-range words refused with the default kept.
 */
#include "unit.h"

#include <hv/serial.h>

static struct serial_spec spec;
static char err[160];

static int parse(const char *text)
{
	err[0] = '\0';
	memset(&spec, 0xaa, sizeof(spec));
	return serial_parse(text, &spec, err, sizeof(err));
}

static void expect_default(void)
{
	assert_int_equal(spec.kind, SERIAL_PORT);
	assert_u64_equal(spec.addr, 0x3f8);
	assert_int_equal(spec.baud, 0);
	assert_string_equal(spec.name, "COM1");
}

static void test_default(void **state)
{
	(void)state;
	serial_default(&spec);
	expect_default();
}

static void test_legacy_ports(void **state)
{
	static const struct {
		const char *text;
		uint16_t base;
		const char *name;
	} cases[] = {
		{ "com1", 0x3f8, "COM1" },
		{ "com2", 0x2f8, "COM2" },
		{ "COM3", 0x3e8, "COM3" },
		{ "Com4", 0x2e8, "COM4" },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		if (parse(cases[i].text))
			fail_msg("\"%s\" refused: %s", cases[i].text, err);
		assert_int_equal(spec.kind, SERIAL_PORT);
		assert_u64_equal(spec.addr, cases[i].base);
		assert_int_equal(spec.baud, 0);
		assert_string_equal(spec.name, cases[i].name);
		assert_int_equal(serial_port_last(&spec), cases[i].base + 7);
	}
}

static void test_port_and_baud(void **state)
{
	(void)state;
	assert_int_equal(parse("0x2f8,9600"), 0);
	assert_int_equal(spec.kind, SERIAL_PORT);
	assert_u64_equal(spec.addr, 0x2f8);
	assert_int_equal(spec.baud, 9600);
	assert_string_equal(spec.name, "port 0x2f8");
	assert_int_equal(parse("com2,115200"), 0);
	assert_u64_equal(spec.addr, 0x2f8);
	assert_int_equal(spec.baud, 115200);
	assert_int_equal(parse("0xfff8,50"), 0); /* the last base whose 8 ports fit */
	assert_u64_equal(spec.addr, 0xfff8);
	assert_int_equal(spec.baud, 50);
	assert_int_equal(parse("0X1,1"), 0);
	assert_u64_equal(spec.addr, 1);
	assert_int_equal(spec.baud, 1);
}

static void test_pci(void **state)
{
	(void)state;
	assert_int_equal(parse("pci:00:05.0"), 0);
	assert_int_equal(spec.kind, SERIAL_PCI);
	assert_int_equal(spec.bdf, 5 << 3);
	assert_string_equal(spec.name, "pci:00:05.0");
	assert_int_equal(parse("pci:ff:1f.7,57600"), 0);
	assert_int_equal(spec.bdf, 0xff << 8 | 0x1f << 3 | 7);
	assert_int_equal(spec.baud, 57600);
	assert_string_equal(spec.name, "pci:ff:1f.7");
}

static void test_mmio(void **state)
{
	(void)state;
	assert_int_equal(parse("mmio:0xfe030000"), 0);
	assert_int_equal(spec.kind, SERIAL_MMIO);
	assert_int_equal(spec.reg_width, 1);
	assert_u64_equal(spec.addr, 0xfe030000);
	assert_string_equal(spec.name, "mmio:0xfe030000");
	assert_int_equal(parse("mmio32:fedc9000,38400"), 0);
	assert_int_equal(spec.reg_width, 4);
	assert_u64_equal(spec.addr, 0xfedc9000);
	assert_int_equal(spec.baud, 38400);
	assert_string_equal(spec.name, "mmio32:0xfedc9000");
	assert_int_equal(parse("mmio:0xfffffff8"), 0); /* its 8 registers end at 4 GiB */
	assert_int_equal(parse("mmio32:0xffffffe0"), 0);
}

static void test_none(void **state)
{
	(void)state;
	assert_int_equal(parse("none"), 0);
	assert_int_equal(spec.kind, SERIAL_NONE);
	assert_string_equal(spec.name, "none");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"com",
		"com0",
		"com5",
		"com12",
		"comm1",
		" com1",
		"com1 ",
		"ttyS0",
		"none,9600",
		"NONE",
		"0x",
		"0x0",
		"0xfff9",
		"0x10000",
		"2f8",
		"0x2fg",
		"0x2f8,",
		",9600",
		"0x2f8,9601",
		"0x2f8,0",
		"0x2f8,230400",
		"0x2f8,-1",
		"0x2f8,9600,8n1",
		"0x2f8 9600",
		"com2,0x2580",
		"pci:",
		"pci:00:05",
		"pci:00:05.",
		"pci:00:20.0",
		"pci:00:05.8",
		"pci:100:00.0",
		"pci:00.05.0",
		"pci:00:05.0x",
		"pci:00:05.0,",
		"mmio:",
		"mmio:0",
		"mmio:0x0",
		"mmio:0xfffffff9",
		"mmio:0x100000000",
		"mmio32:0xfe030002",
		"mmio32:0xfffffff0",
		"mmio16:0xfe030000",
		"mmio:fe03000g",
		"serial",
		"0x2f8,9600x",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse(bad[i]) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_true(err[0] != '\0');
		expect_default();
	}
}

static void test_messages(void **state)
{
	(void)state;
	assert_int_equal(parse("com9"), -EINVAL);
	assert_contains(err, "com1-com4, 0xPORT, pci:BB:DD.F, mmio:ADDR or mmio32:ADDR");
	assert_int_equal(parse("com2,9601"), -EINVAL);
	assert_contains(err, "a divisor of 115200");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),	      cmocka_unit_test(test_legacy_ports),
		cmocka_unit_test(test_port_and_baud), cmocka_unit_test(test_pci),
		cmocka_unit_test(test_mmio),	      cmocka_unit_test(test_none),
		cmocka_unit_test(test_malformed),     cmocka_unit_test(test_messages),
	};

	return unit_run(tests);
}
