/*
 * The hardware-access rules that need no hardware (hv/hw_rules.c): the grant grammar with
 * every kind of malformed grant, the compatibility table of device classes, and the
 * port-batch validator (widths, write flags, windows, wrap-around, first bad index).
 */
#include "unit.h"

#include <hv/hw.h>
#include <hv/pci.h>

#define MODE_BIT(m) (1u << (m))

static struct hw_grant_spec spec;
static char err[200];

static int parse(const char *text)
{
	memset(&spec, 0x5a, sizeof(spec));
	memset(err, 0, sizeof(err));
	return hw_grant_parse(text, &spec, err, sizeof(err));
}

/* --- hw_grant_parse --- */

static void test_parse_pci(void **state)
{
	static const struct {
		const char *text;
		uint32_t bdf;
		uint16_t mode;
	} cases[] = {
		{ "pci:00:1f.2:io", 0x00fa, PV_HW_MODE_IO },
		{ "pci:00:00.0:mmio", 0x0000, PV_HW_MODE_MMIO },
		{ "pci:ff:1f.7:passthrough", 0xffff, PV_HW_MODE_PASSTHROUGH },
		{ "pci:0xff:0x1F.0x7:mmio", 0xffff, PV_HW_MODE_MMIO },
		{ "pci:0X3:0X1.0X1:io", 0x0309, PV_HW_MODE_IO },
		{ "pci:3:0.1:mmio", 0x0301, PV_HW_MODE_MMIO },
		{ "pci:aB:0e.5:io", 0xab75, PV_HW_MODE_IO },
		{ "pci:01:00.0:passthrough", 0x0100, PV_HW_MODE_PASSTHROUGH },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		if (parse(cases[i].text))
			fail_msg("\"%s\" refused: %s", cases[i].text, err);
		assert_int_equal(spec.kind, PV_HW_KIND_PCI);
		assert_int_equal(spec.bdf, cases[i].bdf);
		assert_int_equal(spec.mode, cases[i].mode);
		assert_int_equal(spec.port_first, 0);
		assert_int_equal(spec.port_last, 0);
	}
}

static void test_parse_ports(void **state)
{
	static const struct {
		const char *text;
		uint16_t first, last, mode;
	} cases[] = {
		{ "ports:3f8-3ff:io", 0x3f8, 0x3ff, PV_HW_MODE_IO },
		{ "ports:0x2F8-0x2fF:passthrough", 0x2f8, 0x2ff, PV_HW_MODE_PASSTHROUGH },
		{ "ports:60-60:io", 0x60, 0x60, PV_HW_MODE_IO },
		{ "ports:0-ffff:mmio", 0, 0xffff, PV_HW_MODE_MMIO },
		{ "ports:0x0-0xFFFF:io", 0, 0xffff, PV_HW_MODE_IO },
		{ "ports:1ce-0x1cf:io", 0x1ce, 0x1cf, PV_HW_MODE_IO },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		if (parse(cases[i].text))
			fail_msg("\"%s\" refused: %s", cases[i].text, err);
		assert_int_equal(spec.kind, PV_HW_KIND_PORTS);
		assert_int_equal(spec.port_first, cases[i].first);
		assert_int_equal(spec.port_last, cases[i].last);
		assert_int_equal(spec.mode, cases[i].mode);
		assert_int_equal(spec.bdf, 0);
	}
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		/* empty, and missing parts */
		"",
		"pci",
		"pci:",
		"pci:00",
		"pci:00:",
		"pci:00:1f",
		"pci:00:1f.",
		"pci:00:1f.2",
		"pci:00:1f.2:",
		"pci::1f.2:io",
		"pci:00:.2:io",
		"pci:00:1f.:io",
		"ports",
		"ports:",
		"ports:3f8",
		"ports:3f8-",
		"ports:3f8-3ff",
		"ports:3f8-3ff:",
		"ports:-3ff:io",
		"ports:3f8-:io",
		":io",
		"io",
		/* out of range */
		"pci:100:00.0:io",
		"pci:0x100:00.0:io",
		"pci:000000100:00.0:io",
		"pci:00:20.0:io",
		"pci:00:0x20.0:io",
		"pci:00:00.8:io",
		"pci:00:00.f:io",
		"pci:fffffffff:00.0:io",
		"ports:10000-10000:io",
		"ports:3f8-10000:io",
		"ports:0x10000-0x10001:io",
		"ports:0-fffffffffff:io",
		/* last before first */
		"ports:3ff-3f8:io",
		"ports:1-0:io",
		/* unknown modes */
		"pci:00:1f.2:dma",
		"pci:00:1f.2:IO",
		"pci:00:1f.2:Mmio",
		"ports:3f8-3ff:pass",
		"ports:3f8-3ff:ioo",
		"ports:3f8-3ff:i",
		/* trailing junk */
		"pci:00:1f.2:io ",
		"pci:00:1f.2:io:x",
		"pci:00:1f.2:mmio,",
		"ports:3f8-3ff:io\n",
		"ports:3f8-3ff:io-",
		"pci:00:1f.2:iox",
		/* wrong separators, kinds, digits and prefixes */
		"pci:00.1f.2:io",
		"pci:00:1f:2:io",
		"pci:00:1f.2-io",
		"pci-00:1f.2:io",
		"ports:3f8:3ff:io",
		"ports:3f8..3ff:io",
		"ports:3f8-3ff-io",
		"ports 3f8-3ff:io",
		"port:3f8-3ff:io",
		"PCI:00:1f.2:io",
		"Ports:3f8-3ff:io",
		"usb:00:1f.2:io",
		"pci:g0:1f.2:io",
		"pci:-1:1f.2:io",
		"pci:+1:1f.2:io",
		"pci: 0:1f.2:io",
		"pci:0x:1f.2:io",
		"pci:0x0x1:1f.2:io",
		"ports:0x-3ff:io",
		"ports:3f8-0x:io",
		"ports:x3f8-3ff:io",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		char quoted[64];
		int rc = parse(bad[i]);

		if (rc != -22)
			fail_msg("\"%s\": returned %d, expected -EINVAL", bad[i], rc);
		snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
		assert_contains(err, quoted);
		assert_contains(err, "pci:BB:DD.F:MODE");
	}
}

/* A small error buffer is cut and terminated, never overrun. */
static void test_parse_error_truncated(void **state)
{
	char small[12];

	(void)state;
	memset(small, '#', sizeof(small));
	assert_int_equal(hw_grant_parse("pci:zz", &spec, small, 8), -22);
	assert_int_equal(small[7], '\0');
	assert_int_equal(strlen(small), 7);
	assert_memory_equal(small, "\"pci:zz", 7);
	for (unsigned int i = 8; i < sizeof(small); i++)
		assert_int_equal(small[i], '#');
}

/* --- hw_compat_find --- */

static const struct hw_compat *expect_compat(uint16_t kind, uint32_t class_code, const char *name,
					     int dma)
{
	const struct hw_compat *c = hw_compat_find(kind, class_code);

	if (!c)
		fail_msg("kind %u class %06x: no entry, expected \"%s\"", kind, class_code, name);
	assert_string_equal(c->name, name);
	assert_int_equal(c->kind, kind);
	assert_int_equal(c->dma_capable, dma);
	assert_int_equal(class_code & c->class_mask, c->class_value);
	return c;
}

static void test_compat_legacy_ports(void **state)
{
	const struct hw_compat *c;

	(void)state;
	c = expect_compat(PV_HW_KIND_PORTS, HW_CLASS_UART_16550, "16550 UART", 0);
	assert_int_equal(c->modes, MODE_BIT(PV_HW_MODE_IO) | MODE_BIT(PV_HW_MODE_PASSTHROUGH));
	c = expect_compat(PV_HW_KIND_PORTS, HW_CLASS_VBE_DISPI, "VBE display interface", 0);
	assert_int_equal(c->modes, MODE_BIT(PV_HW_MODE_IO) | MODE_BIT(PV_HW_MODE_PASSTHROUGH));
	/* Port entries match the whole class code, and only for port ranges. */
	assert_null(hw_compat_find(PV_HW_KIND_PORTS, 0x070000));
	assert_null(hw_compat_find(PV_HW_KIND_PORTS, 0x070001));
	assert_null(hw_compat_find(PV_HW_KIND_PORTS, 0x038001));
	assert_null(hw_compat_find(PV_HW_KIND_PORTS, 0x030000));
	assert_null(hw_compat_find(PV_HW_KIND_PORTS, 0x010601));
	assert_null(hw_compat_find(PV_HW_KIND_PORTS, 0x020000));
	assert_null(hw_compat_find(PV_HW_KIND_PCI, HW_CLASS_VBE_DISPI));
	assert_null(hw_compat_find(0, HW_CLASS_UART_16550));
	assert_null(hw_compat_find(3, HW_CLASS_UART_16550));
	assert_null(hw_compat_find(0xffff, 0x070002));
}

static void test_compat_pci(void **state)
{
	static const uint32_t storage[] = { 0x010000, 0x010101, 0x010601, 0x010802, 0x018000 };
	static const uint32_t network[] = { 0x020000, 0x020100, 0x028000 };
	static const uint32_t usb[] = { 0x0c0300, 0x0c0310, 0x0c0320, 0x0c0330, 0x0c03fe };
	const struct hw_compat *c;

	(void)state;
	/* Serial controllers 07:00, any programming interface. */
	c = expect_compat(PV_HW_KIND_PCI, 0x070002, "serial controller", 0);
	assert_true(c->modes & MODE_BIT(PV_HW_MODE_IO));
	assert_false(c->modes & MODE_BIT(PV_HW_MODE_MMIO));
	expect_compat(PV_HW_KIND_PCI, 0x070000, "serial controller", 0);
	expect_compat(PV_HW_KIND_PCI, 0x0700ff, "serial controller", 0);
	/* VGA 03:00: memory only, and a bus master unless Shunt knows the adapter. */
	c = expect_compat(PV_HW_KIND_PCI, 0x030000, "VGA display", 1);
	assert_int_equal(c->modes, MODE_BIT(PV_HW_MODE_MMIO));
	expect_compat(PV_HW_KIND_PCI, 0x030001, "VGA display", 1);
	c = hw_compat_find_device(0x1234, 0x1111, 0x030000);
	assert_non_null(c);
	assert_string_equal(c->name, "standard VGA (emulated)");
	assert_int_equal(c->dma_capable, 0);
	assert_int_equal(c->modes, MODE_BIT(PV_HW_MODE_MMIO));
	/* Known IDs with another class, or unknown IDs: the class decides. */
	assert_int_equal(hw_compat_find_device(0x1234, 0x1111, 0x020000)->dma_capable, 1);
	assert_int_equal(hw_compat_find_device(0x8086, 0x1234, 0x030000)->dma_capable, 1);
	assert_null(hw_compat_find_device(0x1234, 0x1111, 0x060000));
	/* Bus masters: storage 01:xx, network 02:xx, USB 0c:03. */
	for (unsigned int i = 0; i < ARRAY_SIZE(storage); i++) {
		c = expect_compat(PV_HW_KIND_PCI, storage[i], "mass storage", 1);
		assert_true(c->modes & MODE_BIT(PV_HW_MODE_MMIO));
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(network); i++)
		expect_compat(PV_HW_KIND_PCI, network[i], "network controller", 1);
	for (unsigned int i = 0; i < ARRAY_SIZE(usb); i++)
		expect_compat(PV_HW_KIND_PCI, usb[i], "USB controller", 1);
}

/* Bridges, other subclasses of the known classes, and unknown classes are foreign. */
static void test_compat_foreign(void **state)
{
	static const uint32_t foreign[] = {
		0x060000, 0x060100, 0x060400, 0x060401, 0x068000, /* bridges */
		0x070100, 0x070200, 0x078000,			  /* parallel, multiport, other */
		0x030200, 0x038000, 0x030100,			  /* 3D, other display, XGA */
		0x0c0000, 0x0c0500, 0x0c0400, 0x0c8000,		  /* FireWire, SMBus, FC, other */
		0x000000, 0x040100, 0x050000, 0x080000, 0x0b4000, 0x0d1100, 0xff0000, 0xffffff,
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(foreign); i++) {
		const struct hw_compat *c = hw_compat_find(PV_HW_KIND_PCI, foreign[i]);

		if (c)
			fail_msg("class %06x matched \"%s\"", foreign[i], c->name);
	}
	/* A kind that is neither ports nor PCI matches nothing. */
	assert_null(hw_compat_find(0, 0x010601));
	assert_null(hw_compat_find(3, 0x020000));
}

/* --- hw_batch_check --- */

/* 0x3f8-0x3ff and 0x400-0x407 touch; 0x1f0-0x1f7 stands alone; 0xfff0-0xffff tops out. */
static const struct hw_port_window windows[] = {
	{ 0x3f8, 0x3ff }, { 0x400, 0x407 }, { 0x1f0, 0x1f7 }, { 0x60, 0x60 }, { 0xfff0, 0xffff },
};
#define NWIN ((unsigned int)ARRAY_SIZE(windows))

#define BAD_INDEX_UNSET 0xdeadbeefu

/*
 * Checks ops, verifies that neither ops nor the windows were touched, and that every op up to
 * the verdict's was copied as it was.
 */
static int check(const struct pv_port_op *ops, uint32_t count, const struct hw_port_window *win,
		 unsigned int nwin, uint32_t *bad)
{
	struct pv_port_op before[PV_PORT_BATCH_MAX], copy[PV_PORT_BATCH_MAX];
	struct hw_port_window win_before[8];
	int rc;

	assert_true(count <= PV_PORT_BATCH_MAX && nwin <= 8);
	if (count)
		memcpy(before, ops, count * sizeof(*ops));
	if (nwin)
		memcpy(win_before, win, nwin * sizeof(*win));
	*bad = BAD_INDEX_UNSET;
	rc = hw_batch_check(ops, count, win, nwin, copy, bad);
	if (count)
		assert_memory_equal(before, ops, count * sizeof(*ops));
	if (count && rc == 0)
		assert_memory_equal(copy, ops, count * sizeof(*ops));
	if (nwin)
		assert_memory_equal(win_before, win, nwin * sizeof(*win));
	return rc;
}

/* One op, alone in a batch: its verdict. */
static int check_one(uint16_t port, uint8_t width, uint8_t write)
{
	struct pv_port_op op = { .port = port, .width = width, .write = write, .value = 0x1234 };
	uint32_t bad;
	int rc = check(&op, 1, windows, NWIN, &bad);

	if (rc)
		assert_int_equal(bad, 0);
	return rc;
}

static void test_batch_ok(void **state)
{
	static const struct pv_port_op ops[] = {
		{ 0x3f8, 1, 0, 0 },  { 0x3f8, 1, 1, 0x41 }, { 0x3fc, 4, 1, 0xffffff },
		{ 0x3fe, 2, 0, 0 },  { 0x3ff, 1, 1, 0 },    { 0x400, 4, 0, 0 },
		{ 0x404, 4, 1, 0 },  { 0x1f0, 4, 0, 0 },    { 0x1f4, 4, 0, 0 },
		{ 0x1f6, 2, 1, 0 },  { 0x60, 1, 0, 0 },	    { 0xfff0, 4, 0, 0 },
		{ 0xfffc, 4, 1, 0 }, { 0xfffe, 2, 0, 0 },   { 0xffff, 1, 1, 0 },
	};
	uint32_t bad;

	(void)state;
	assert_int_equal(check(ops, ARRAY_SIZE(ops), windows, NWIN, &bad), 0);
	/* Every width at every port inside a window, as single-op batches too. */
	for (unsigned int w = 0; w < NWIN; w++)
		for (uint32_t port = windows[w].first; port <= windows[w].last; port++)
			for (uint8_t width = 1; width <= 4; width *= 2)
				if (port + width - 1 <= windows[w].last) {
					assert_int_equal(check_one((uint16_t)port, width, 0), 0);
					assert_int_equal(check_one((uint16_t)port, width, 1), 0);
				}
}

static void test_batch_empty(void **state)
{
	static const struct pv_port_op op = { 0x3f8, 1, 0, 0 };
	uint32_t bad;

	(void)state;
	assert_int_equal(check(&op, 0, windows, NWIN, &bad), 0);
	assert_int_equal(hw_batch_check(NULL, 0, windows, NWIN, NULL, &bad), 0);
	assert_int_equal(hw_batch_check(NULL, 0, NULL, 0, NULL, &bad), 0);
}

static void test_batch_bad_width(void **state)
{
	static const uint8_t widths[] = { 0, 3, 5, 6, 7, 8, 16, 255 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(widths); i++) {
		assert_int_equal(check_one(0x3f8, widths[i], 0), PV_EINVAL);
		assert_int_equal(check_one(0x3f8, widths[i], 1), PV_EINVAL);
	}
}

static void test_batch_bad_write(void **state)
{
	static const uint8_t writes[] = { 2, 3, 0x80, 0xff };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(writes); i++) {
		assert_int_equal(check_one(0x3f8, 1, writes[i]), PV_EINVAL);
		assert_int_equal(check_one(0x400, 4, writes[i]), PV_EINVAL);
	}
}

static void test_batch_outside_windows(void **state)
{
	(void)state;
	/* Wholly outside. */
	assert_int_equal(check_one(0x3f7, 1, 0), PV_EACCES);
	assert_int_equal(check_one(0x408, 1, 1), PV_EACCES);
	assert_int_equal(check_one(0x0, 1, 0), PV_EACCES);
	assert_int_equal(check_one(0x61, 1, 0), PV_EACCES);
	assert_int_equal(check_one(0xffef, 1, 0), PV_EACCES);
	/* Starting below a window and reaching into it. */
	assert_int_equal(check_one(0x3f6, 4, 0), PV_EACCES);
	assert_int_equal(check_one(0x3f7, 2, 0), PV_EACCES);
	assert_int_equal(check_one(0x5f, 2, 0), PV_EACCES);
	/* Running past a window's last port into nothing. */
	assert_int_equal(check_one(0x1f6, 4, 0), PV_EACCES);
	assert_int_equal(check_one(0x1f7, 2, 1), PV_EACCES);
	assert_int_equal(check_one(0x1f5, 4, 0), PV_EACCES);
	assert_int_equal(check_one(0x60, 2, 0), PV_EACCES);
	assert_int_equal(check_one(0x406, 4, 0), PV_EACCES);
	/* Straddling two adjacent windows: every byte is granted, but not in ONE window. */
	assert_int_equal(check_one(0x3fe, 4, 0), PV_EACCES);
	assert_int_equal(check_one(0x3ff, 2, 0), PV_EACCES);
	assert_int_equal(check_one(0x3fd, 4, 1), PV_EACCES);
	assert_int_equal(check_one(0x3ff, 4, 1), PV_EACCES);
}

/* The last port is 0xffff: an op that would go past it (wrapping to 0) is refused. */
static void test_batch_top_of_port_space(void **state)
{
	static const struct hw_port_window all[] = { { 0, 0xffff } };
	struct pv_port_op op = { .port = 0xffff, .width = 2 };
	uint32_t bad;

	(void)state;
	assert_int_equal(check_one(0xffff, 2, 0), PV_EACCES);
	assert_int_equal(check_one(0xffff, 4, 1), PV_EACCES);
	assert_int_equal(check_one(0xfffd, 4, 0), PV_EACCES);
	assert_int_equal(check(&op, 1, all, 1, &bad), PV_EACCES);
	op.width = 4;
	op.port = 0xfffe;
	assert_int_equal(check(&op, 1, all, 1, &bad), PV_EACCES);
	op.port = 0xfffc;
	assert_int_equal(check(&op, 1, all, 1, &bad), 0);
	op.port = 0;
	assert_int_equal(check(&op, 1, all, 1, &bad), 0);
}

static void test_batch_no_windows(void **state)
{
	static const struct pv_port_op op = { 0x3f8, 1, 0, 0 };
	uint32_t bad;

	(void)state;
	assert_int_equal(check(&op, 1, windows, 0, &bad), PV_EACCES);
	assert_int_equal(bad, 0);
	struct pv_port_op copy;

	assert_int_equal(hw_batch_check(&op, 1, NULL, 0, &copy, &bad), PV_EACCES);
}

/*
 * Batches that move between windows: each op is judged on its own, whatever window the op
 * before it was in (an op next to, or overlapping, the previous op's window included).
 */
static void test_batch_ops_across_windows(void **state)
{
	static const struct {
		struct pv_port_op ops[3];
		int rc;
		uint32_t bad;
	} cases[] = {
		{ { { 0x3f8, 1, 0, 0 }, { 0x400, 4, 0, 0 }, { 0x3ff, 1, 1, 0 } }, 0, 0 },
		{ { { 0x3f8, 1, 0, 0 }, { 0x1f0, 4, 0, 0 }, { 0x60, 1, 1, 0 } }, 0, 0 },
		{ { { 0x3f8, 1, 0, 0 }, { 0x3f7, 1, 0, 0 }, { 0x3f8, 1, 0, 0 } }, PV_EACCES, 1 },
		{ { { 0x3f8, 1, 0, 0 }, { 0x3f6, 4, 0, 0 }, { 0x3f8, 1, 0, 0 } }, PV_EACCES, 1 },
		{ { { 0x3f8, 1, 0, 0 }, { 0x3fe, 4, 0, 0 }, { 0x3f8, 1, 0, 0 } }, PV_EACCES, 1 },
		{ { { 0x400, 1, 0, 0 }, { 0x3fe, 4, 0, 0 }, { 0x400, 1, 0, 0 } }, PV_EACCES, 1 },
		{ { { 0x400, 1, 0, 0 }, { 0x3ff, 2, 0, 0 }, { 0x400, 1, 0, 0 } }, PV_EACCES, 1 },
		{ { { 0x1f0, 1, 0, 0 }, { 0x1f4, 4, 0, 0 }, { 0x1f6, 4, 0, 0 } }, PV_EACCES, 2 },
		{ { { 0x60, 1, 0, 0 }, { 0x60, 2, 0, 0 }, { 0x60, 1, 0, 0 } }, PV_EACCES, 1 },
		{ { { 0xfff0, 1, 0, 0 }, { 0xfffc, 4, 0, 0 }, { 0xffff, 2, 0, 0 } }, PV_EACCES, 2 },
		{ { { 0x3f8, 1, 0, 0 }, { 0x3f8, 2, 2, 0 }, { 0x2f8, 1, 0, 0 } }, PV_EINVAL, 1 },
	};
	uint32_t bad;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = check(cases[i].ops, 3, windows, NWIN, &bad);

		if (rc != cases[i].rc)
			fail_msg("case %u: %d, expected %d", i, rc, cases[i].rc);
		if (rc)
			assert_int_equal(bad, cases[i].bad);
	}
}

/* The FIRST bad op is reported, whatever comes after it. */
static void test_batch_first_bad_index(void **state)
{
	struct pv_port_op ops[PV_PORT_BATCH_MAX];
	uint32_t bad;

	(void)state;
	for (unsigned int i = 0; i < PV_PORT_BATCH_MAX; i++)
		ops[i] = (struct pv_port_op){
			.port = (uint16_t)(0x3f8 + i % 8), .width = 1, .write = i & 1, .value = i
		};
	assert_int_equal(check(ops, PV_PORT_BATCH_MAX, windows, NWIN, &bad), 0);

	ops[2].port = 0x2f8; /* not granted */
	ops[3].width = 3;    /* malformed */
	assert_int_equal(check(ops, PV_PORT_BATCH_MAX, windows, NWIN, &bad), PV_EACCES);
	assert_int_equal(bad, 2);
	/* Only the ops before it: nothing bad. */
	assert_int_equal(check(ops, 2, windows, NWIN, &bad), 0);

	ops[1].write = 7;
	assert_int_equal(check(ops, PV_PORT_BATCH_MAX, windows, NWIN, &bad), PV_EINVAL);
	assert_int_equal(bad, 1);

	/* A bad op at the very end of a full batch. */
	for (unsigned int i = 0; i < 4; i++)
		ops[i] = (struct pv_port_op){ .port = 0x400, .width = 4 };
	ops[PV_PORT_BATCH_MAX - 1].port = 0x3fe;
	ops[PV_PORT_BATCH_MAX - 1].width = 4;
	assert_int_equal(check(ops, PV_PORT_BATCH_MAX, windows, NWIN, &bad), PV_EACCES);
	assert_int_equal(bad, PV_PORT_BATCH_MAX - 1);
	ops[PV_PORT_BATCH_MAX - 1].width = 0;
	assert_int_equal(check(ops, PV_PORT_BATCH_MAX, windows, NWIN, &bad), PV_EINVAL);
	assert_int_equal(bad, PV_PORT_BATCH_MAX - 1);
}

/* A granted PCI function loses bus mastering, and keeps everything else (SPEC.md §12). */
/* --- What no grant may reach: Shunt's console --- */

static const char *conflict(const struct hw_console_use *con, const char *grant,
			    const struct pv_hw_bar *bars)
{
	static char why[80];

	assert_int_equal(parse(grant), 0);
	return hw_console_conflict(con, &spec, bars, why, sizeof(why));
}

static void test_console_ports(void **state)
{
	const struct hw_console_use com2 = {
		.name = "COM2", .has_ports = 1, .port_first = 0x2f8, .port_last = 0x2ff
	};
	static const char *const refused[] = {
		"ports:0x2f8-0x2ff:io", "ports:0x2f8-0x2f8:passthrough",
		"ports:0x2ff-0x300:io", "ports:0x2f0-0x2f8:io",
		"ports:0-0xffff:io",	"ports:0x2fa-0x2fb:mmio",
	};
	static const char *const clear[] = {
		"ports:0x3f8-0x3ff:io",
		"ports:0x2f0-0x2f7:io",
		"ports:0x300-0x307:passthrough",
		"pci:00:02.0:io",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(refused); i++) {
		const char *why = conflict(&com2, refused[i], NULL);

		if (!why)
			fail_msg("%s granted over the console", refused[i]);
		assert_string_equal(why, "it is Shunt's own console (COM2)");
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(clear); i++)
		if (conflict(&com2, clear[i], NULL))
			fail_msg("%s refused", clear[i]);
}

static void test_console_pci_and_bars(void **state)
{
	const struct hw_console_use pci = { .name = "pci:00:05.0",
					    .has_ports = 1,
					    .port_first = 0xc000,
					    .port_last = 0xc007,
					    .has_bdf = 1,
					    .bdf = 5 << 3 };
	const struct hw_console_use mmio = { .name = "mmio:0xfe030000",
					     .has_mmio = 1,
					     .mmio_first = 0xfe030000,
					     .mmio_last = 0xfe030007 };
	struct pv_hw_bar bars[HW_BARS_MAX] = { 0 };

	(void)state;
	assert_string_equal(conflict(&pci, "pci:00:05.0:io", NULL),
			    "it is Shunt's own console (pci:00:05.0)");
	assert_null(conflict(&pci, "pci:00:06.0:io", NULL));
	assert_non_null(conflict(&pci, "ports:0xc004-0xc00f:io", NULL));
	/* Another function whose I/O BAR decodes the console's ports. */
	bars[2] = (struct pv_hw_bar){ .flags = PV_HW_BAR_IO, .base = 0xc000, .size = 0x20 };
	assert_non_null(conflict(&pci, "pci:00:06.0:io", bars));
	bars[2].base = 0xc008;
	assert_null(conflict(&pci, "pci:00:06.0:io", bars));
	/* A memory BAR over an MMIO console, in any mode; one beside it is clear. */
	bars[0] =
		(struct pv_hw_bar){ .flags = PV_HW_BAR_MEM, .base = 0xfe000000, .size = 0x100000 };
	assert_string_equal(conflict(&mmio, "pci:00:06.0:mmio", bars),
			    "it is Shunt's own console (mmio:0xfe030000)");
	bars[0].base = 0xfe030008;
	assert_null(conflict(&mmio, "pci:00:06.0:mmio", bars));
	bars[0].base = 0xfe020000;
	bars[0].size = 0x10001; /* its last byte is the console's first */
	assert_non_null(conflict(&mmio, "pci:00:06.0:mmio", bars));
	bars[0].size = 0; /* an empty BAR decodes nothing */
	assert_null(conflict(&mmio, "pci:00:06.0:mmio", bars));
	assert_null(conflict(&mmio, "ports:0x3f8-0x3ff:io", NULL));
}

static void test_no_console(void **state)
{
	const struct hw_console_use none = { .name = "none" };
	struct pv_hw_bar bars[HW_BARS_MAX] = {
		{ .flags = PV_HW_BAR_IO, .base = 0x3f8, .size = 8 },
		{ .flags = PV_HW_BAR_MEM, .base = 0, .size = 0x1000 },
	};

	(void)state;
	assert_null(conflict(&none, "ports:0x3f8-0x3ff:io", NULL));
	assert_null(conflict(&none, "pci:00:00.0:io", bars));
}

static void test_display_grants(void **state)
{
	(void)state;
	assert_int_equal(parse("pci:00:02.0:mmio"), 0);
	assert_true(hw_grant_is_display(&spec, 0x030000));
	assert_true(hw_grant_is_display(&spec, 0x038000));
	assert_false(hw_grant_is_display(&spec, 0x070002));
	assert_false(hw_grant_is_display(&spec, 0x020000));
	assert_int_equal(parse("ports:0x1ce-0x1d0:io"), 0);
	assert_true(hw_grant_is_display(&spec, HW_CLASS_VBE_DISPI));
	assert_true(hw_grant_is_display(&spec, 0));
	assert_int_equal(parse("ports:0x3c0-0x3cf:io"), 0);
	assert_true(hw_grant_is_display(&spec, 0));
	assert_int_equal(parse("ports:0x3df-0x3e0:io"), 0);
	assert_true(hw_grant_is_display(&spec, 0));
	assert_int_equal(parse("ports:0x3e8-0x3ef:io"), 0);
	assert_false(hw_grant_is_display(&spec, HW_CLASS_UART_16550));
	assert_int_equal(parse("ports:0x1d1-0x1d8:io"), 0);
	assert_false(hw_grant_is_display(&spec, 0));
	assert_int_equal(parse("ports:0x3a0-0x3af:io"), 0);
	assert_false(hw_grant_is_display(&spec, 0));
}

static void test_pci_command_granted(void **state)
{
	(void)state;
	assert_int_equal(hw_pci_command_granted(0x0007), 0x0003);
	assert_int_equal(hw_pci_command_granted(0xffff), 0xfffb);
	assert_int_equal(hw_pci_command_granted(0x0003), 0x0003);
	assert_int_equal(hw_pci_command_granted(0x0004), 0x0000);
	assert_int_equal(hw_pci_command_granted(0x0000), 0x0000);
	for (uint32_t c = 0; c <= 0xffff; c++) {
		assert_int_equal(hw_pci_command_granted((uint16_t)c) & PCI_COMMAND_BUS_MASTER, 0);
		assert_int_equal(hw_pci_command_granted((uint16_t)c) | PCI_COMMAND_BUS_MASTER,
				 c | PCI_COMMAND_BUS_MASTER);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_pci),
		cmocka_unit_test(test_parse_ports),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_error_truncated),
		cmocka_unit_test(test_compat_legacy_ports),
		cmocka_unit_test(test_compat_pci),
		cmocka_unit_test(test_compat_foreign),
		cmocka_unit_test(test_batch_ok),
		cmocka_unit_test(test_batch_empty),
		cmocka_unit_test(test_batch_bad_width),
		cmocka_unit_test(test_batch_bad_write),
		cmocka_unit_test(test_batch_outside_windows),
		cmocka_unit_test(test_batch_top_of_port_space),
		cmocka_unit_test(test_batch_no_windows),
		cmocka_unit_test(test_batch_ops_across_windows),
		cmocka_unit_test(test_batch_first_bad_index),
		cmocka_unit_test(test_console_ports),
		cmocka_unit_test(test_console_pci_and_bars),
		cmocka_unit_test(test_no_console),
		cmocka_unit_test(test_display_grants),
		cmocka_unit_test(test_pci_command_granted),
	};

	return unit_run(tests);
}
