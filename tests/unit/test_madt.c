/*
 * The MADT parser (hv/madt.c) over tables built here: Local APIC and Local x2APIC entries,
 * the enabled and online-capable flags, duplicates, broadcast ids, more CPUs than CPU_MAX,
 * other entry types stepped over, and each malformed table or entry refused. Each table is
 * copied into a heap buffer of exactly its size, so ASan catches a read past its end.
 */
#include "unit.h"

#include <hv/madt.h>

#include <stdlib.h>

static uint8_t buf[4096];
static size_t len;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void start(void)
{
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "APIC", 4);
	put32(buf + 36, 0xfee00000u);
	put32(buf + 40, 1); /* PCAT_COMPAT */
	len = 44;
}

static void lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t *e = buf + len;

	e[0] = 0, e[1] = 8, e[2] = uid, e[3] = id;
	put32(e + 4, flags);
	len += 8;
}

static void x2apic(uint32_t id, uint32_t uid, uint32_t flags)
{
	uint8_t *e = buf + len;

	e[0] = 9, e[1] = 16;
	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	len += 16;
}

static void raw(const uint8_t *bytes, size_t n)
{
	memcpy(buf + len, bytes, n);
	len += n;
}

/* Parses the table with its header's length set to len (or declared, if not 0). */
static int parse_as(uint32_t declared, size_t readable, struct madt_cpus *out, char *why)
{
	uint8_t *copy;
	int r;

	put32(buf + 4, declared ? declared : (uint32_t)len);
	copy = malloc(readable ? readable : 1);
	assert_non_null(copy);
	memcpy(copy, buf, readable);
	why[0] = '\0';
	r = madt_parse(copy, readable, out, why, 128);
	free(copy);
	return r;
}

static int parse(struct madt_cpus *out, char *why)
{
	return parse_as(0, len, out, why);
}

static void test_two_lapics(void **state)
{
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	lapic(0, 0, 1);
	lapic(1, 2, 1);
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, 2);
	assert_int_equal(m.cpus[0].apic_id, 0);
	assert_int_equal(m.cpus[1].apic_id, 2);
	assert_int_equal(m.cpus[1].uid, 1);
	assert_int_equal(m.cpus[1].x2apic, 0);
	assert_u64_equal(m.lapic_address, 0xfee00000u);
	assert_int_equal(madt_find(&m, 2), 1);
	assert_int_equal(madt_find(&m, 1), -1);
}

static void test_x2apic_entries(void **state)
{
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	lapic(0, 0, 1);
	x2apic(0x100, 7, 1);
	x2apic(0x101, 8, 1);
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, 3);
	assert_int_equal(m.cpus[1].apic_id, 0x100);
	assert_int_equal(m.cpus[1].uid, 7);
	assert_int_equal(m.cpus[1].x2apic, 1);
	assert_int_equal(m.cpus[2].apic_id, 0x101);
}

static void test_flags(void **state)
{
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	lapic(0, 0, 1);
	lapic(1, 1, 0);	 /* disabled */
	lapic(2, 2, 2);	 /* online-capable, not enabled */
	x2apic(3, 3, 2); /* the same in x2APIC form */
	x2apic(4, 4, 3); /* enabled: online-capable means nothing then */
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, 2);
	assert_int_equal(m.cpus[1].apic_id, 4);
	assert_int_equal(m.disabled, 1);
	assert_int_equal(m.online_capable, 2);
}

static void test_duplicates_and_broadcast(void **state)
{
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	lapic(0, 0, 1);
	lapic(1, 0, 1);	   /* the same APIC id again */
	x2apic(0, 9, 1);   /* and once more, as x2APIC */
	lapic(2, 0xff, 1); /* the broadcast id */
	x2apic(0xffffffffu, 3, 1);
	lapic(4, 1, 1);
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, 2);
	assert_int_equal(m.duplicates, 2);
	assert_int_equal(m.bad_ids, 2);
	assert_int_equal(m.cpus[1].apic_id, 1);
}

static void test_more_than_cpu_max(void **state)
{
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	for (uint32_t i = 0; i < CPU_MAX + 5; i++)
		x2apic(i, i, 1);
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, CPU_MAX);
	assert_int_equal(m.beyond_max, 5);
	assert_int_equal(m.cpus[CPU_MAX - 1].apic_id, CPU_MAX - 1);
}

static void test_other_types_skipped(void **state)
{
	/* An I/O APIC (type 1, 12 bytes) and an interrupt override (type 2, 10 bytes). */
	static const uint8_t ioapic[12] = { 1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
	static const uint8_t iso[10] = { 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 };
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	raw(ioapic, sizeof(ioapic));
	lapic(0, 0, 1);
	raw(iso, sizeof(iso));
	lapic(1, 1, 1);
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, 2);
}

static void test_empty_table(void **state)
{
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, 0);
}

/* A refused table leaves no CPU behind: the caller must not use half of it. */
static void assert_refused(const struct madt_cpus *m)
{
	assert_int_equal(m->count, 0);
}

static void test_short_and_bad_head(void **state)
{
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	assert_int_equal(parse_as(44, 43, &m, why), -EINVAL);
	assert_contains(why, "shorter than its 44-byte head");
	start();
	memcpy(buf, "APIX", 4);
	assert_int_equal(parse(&m, why), -EINVAL);
	assert_contains(why, "signature");
	start();
	lapic(0, 0, 1);
	assert_int_equal(parse_as(100, len, &m, why), -EINVAL); /* says more than there is */
	assert_contains(why, "length 100 is outside");
	assert_int_equal(parse_as(40, len, &m, why), -EINVAL);
	assert_refused(&m);
}

static void test_truncated_entries(void **state)
{
	static const uint8_t half[1] = { 0 };
	static const uint8_t zero_len[2] = { 5, 0 };
	static const uint8_t past_end[4] = { 1, 12, 0, 0 };
	static const uint8_t short_lapic[6] = { 0, 6, 0, 1, 1, 0 };
	static const uint8_t short_x2apic[12] = { 9, 12, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 };
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	lapic(0, 0, 1);
	raw(half, sizeof(half));
	assert_int_equal(parse(&m, why), -EINVAL);
	assert_contains(why, "entry 1 at byte 52 is cut short");
	assert_refused(&m);

	start();
	raw(zero_len, sizeof(zero_len));
	assert_int_equal(parse(&m, why), -EINVAL);
	assert_contains(why, "has length 0");

	start();
	raw(past_end, sizeof(past_end));
	assert_int_equal(parse(&m, why), -EINVAL);
	assert_contains(why, "has length 12, outside [2, 4]");

	start();
	raw(short_lapic, sizeof(short_lapic));
	assert_int_equal(parse(&m, why), -EINVAL);
	assert_contains(why, "Local APIC entry 0 is 6 bytes");

	start();
	raw(short_x2apic, sizeof(short_x2apic));
	assert_int_equal(parse(&m, why), -EINVAL);
	assert_contains(why, "Local x2APIC entry 0 is 12 bytes");
	assert_int_equal(m.count, 0);
}

/* A longer entry than its type needs (a later ACPI revision's) is read by its known part. */
static void test_longer_entry(void **state)
{
	static const uint8_t long_lapic[10] = { 0, 10, 3, 5, 1, 0, 0, 0, 0xaa, 0xbb };
	struct madt_cpus m;
	char why[128];

	(void)state;
	start();
	raw(long_lapic, sizeof(long_lapic));
	lapic(4, 6, 1);
	assert_int_equal(parse(&m, why), 0);
	assert_int_equal(m.count, 2);
	assert_int_equal(m.cpus[0].apic_id, 5);
	assert_int_equal(m.cpus[0].uid, 3);
	assert_int_equal(m.cpus[1].apic_id, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_lapics),
		cmocka_unit_test(test_x2apic_entries),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_duplicates_and_broadcast),
		cmocka_unit_test(test_more_than_cpu_max),
		cmocka_unit_test(test_other_types_skipped),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_short_and_bad_head),
		cmocka_unit_test(test_truncated_entries),
		cmocka_unit_test(test_longer_entry),
	};

	return unit_run(tests);
}
