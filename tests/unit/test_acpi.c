/*
 * ACPI table access (hv/acpi.c) over tables built in host memory: RSDP revisions 0 and 2,
 * RSDT/XSDT, table lookup, the S5 sleep information from the FADT and DSDT, and each broken
 * table or unreadable range refused. Host addresses are the "physical" ones.
 */
#define _GNU_SOURCE /* mmap's MAP_32BIT */
#include "unit.h"

#include <hv/acpi.h>

#include <stdlib.h>
#include <sys/mman.h>

/*
 * The tables live below 4 GiB, since the RSDT and the FADT's DSDT field hold 32-bit
 * addresses: an mmap'ed arena with a slot per table.
 */
#define ARENA_BYTES (64 * 1024)
#define SLOT 0x1000
enum { S_XSDT, S_RSDT, S_FADT, S_DSDT, S_APIC, S_SSDT0, S_SSDT1, S_DSDT2, S_SPARE };
#define S_GUARD (ARENA_BYTES / SLOT - 1) /* inaccessible: touching it faults */

static uint8_t *arena;
static uint8_t rsdp[36];

/* readable() says no to [deny_base, deny_end), and to anything outside the arena or extra. */
static uint64_t deny_base, deny_end;
static const uint8_t *extra;
static size_t extra_len;

static int readable(uint64_t phys, uint64_t len)
{
	uint64_t end = phys + len;
	uint64_t a = (uintptr_t)arena, x = (uintptr_t)extra;

	if (end < phys)
		return 0;
	if (phys < deny_end && deny_base < end)
		return 0;
	return (phys >= a && end <= a + ARENA_BYTES) ||
	       (extra && phys >= x && end <= x + extra_len);
}

static uint8_t *slot(int s)
{
	return arena + s * SLOT;
}

static uint64_t phys(const void *p)
{
	return (uintptr_t)p;
}

static void put32(void *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(void *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* Sets the checksum byte at offset so that the len bytes at p add up to 0. */
static void seal_at(void *p, size_t len, size_t offset)
{
	uint8_t *b = p;

	b[offset] = 0;
	b[offset] = (uint8_t)-sum(p, len);
}

static void seal(void *table)
{
	struct acpi_header *h = table;

	seal_at(table, h->length, offsetof(struct acpi_header, checksum));
}

static struct acpi_header *make_table(void *at, const char sig[4], uint32_t length)
{
	struct acpi_header *h = at;

	memset(at, 0, length);
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = 2;
	memcpy(h->oem_id, "SHUNT ", 6);
	memcpy(h->oem_table_id, "UNITTEST", 8);
	return h;
}

/* A DSDT with aml after its header. */
static struct acpi_header *make_dsdt(void *at, const uint8_t *aml, size_t aml_len)
{
	struct acpi_header *h = make_table(at, "DSDT", sizeof(*h) + aml_len);

	memcpy(h + 1, aml, aml_len);
	seal(h);
	return h;
}

#define FADT_LENGTH 276
#define PM1A_CNT 0x604

/* Some AML before \_S5: a scope with a string that mentions _S5_ but is no package. */
#define AML_PREFIX 0x10, 0x12, '\\', '_', 'S', 'B', '_', 0x0d, '_', 'S', '5', '_', 0x00, 0xa3

static const uint8_t aml_s5[] = {
	AML_PREFIX, 0x08, '_',	'S',  '5',  '_', 0x12, 0x0a, 0x04, 0x0a, 0x05, 0x0a,
	0x05,	    0x00, 0x00, 0x14, 0x08, '_', 'P',  'T',  'S',  0x01, 0xa3,
};

static void make_fadt(uint32_t length, uint32_t dsdt32, uint64_t x_dsdt, uint32_t pm1a)
{
	struct acpi_header *h = make_table(slot(S_FADT), "FACP", length);

	put32((uint8_t *)h + 40, dsdt32);
	put32((uint8_t *)h + 64, pm1a);
	if (length >= 148)
		put64((uint8_t *)h + 140, x_dsdt);
	seal(h);
}

/* An RSDT or XSDT listing the tables at the given slots. */
static void make_root(int s, const char sig[4], unsigned int entry_size, const int *slots,
		      unsigned int n)
{
	struct acpi_header *h = make_table(slot(s), sig, sizeof(*h) + n * entry_size);

	for (unsigned int i = 0; i < n; i++) {
		uint8_t *e = (uint8_t *)(h + 1) + i * entry_size;

		if (entry_size == 4)
			put32(e, (uint32_t)phys(slot(slots[i])));
		else
			put64(e, phys(slot(slots[i])));
	}
	seal(h);
}

static void make_rsdp(uint8_t revision)
{
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "SHUNT ", 6);
	rsdp[15] = revision;
	put32(rsdp + 16, (uint32_t)phys(slot(S_RSDT)));
	put32(rsdp + 20, 36);
	put64(rsdp + 24, phys(slot(S_XSDT)));
	seal_at(rsdp, 20, 8);
	seal_at(rsdp, 36, 32);
}

/* A DSDT of exactly len bytes in its own allocation (ASan catches any read beyond it). */
static uint8_t *dsdt_alone(const uint8_t *aml, size_t aml_len)
{
	size_t len = sizeof(struct acpi_header) + aml_len;
	uint8_t *dsdt = malloc(len);

	assert_non_null(dsdt);
	make_dsdt(dsdt, aml, aml_len);
	extra = dsdt;
	extra_len = len;
	make_fadt(FADT_LENGTH, 0, phys(dsdt), PM1A_CNT);
	return dsdt;
}

static const int default_tables[] = { S_APIC, S_FADT };

/* Everything valid: RSDP rev 2, XSDT and RSDT both listing APIC and FADT, DSDT with \_S5. */
static int setup(void **state)
{
	(void)state;
	if (!arena) {
		arena = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		assert_true(arena != MAP_FAILED);
		assert_true(phys(arena) + ARENA_BYTES <= 0x100000000ull);
		assert_int_equal(mprotect(slot(S_GUARD), SLOT, PROT_NONE), 0);
	}
	memset(arena, 0, S_GUARD * SLOT);
	deny_base = deny_end = 0;
	extra = NULL;
	extra_len = 0;

	make_table(slot(S_APIC), "APIC", 44);
	seal(slot(S_APIC));
	make_dsdt(slot(S_DSDT), aml_s5, sizeof(aml_s5));
	make_fadt(FADT_LENGTH, (uint32_t)phys(slot(S_DSDT)), phys(slot(S_DSDT)), PM1A_CNT);
	make_root(S_XSDT, "XSDT", 8, default_tables, 2);
	make_root(S_RSDT, "RSDT", 4, default_tables, 2);
	make_rsdp(2);
	return 0;
}

static int init(uint32_t rsdp_length)
{
	return acpi_init(rsdp, rsdp_length, readable);
}

static void expect_s5(uint16_t pm1a, uint8_t typa, uint8_t typb)
{
	struct acpi_s5 s5;

	memset(&s5, 0x5a, sizeof(s5));
	assert_int_equal(acpi_s5_info(&s5), 0);
	assert_int_equal(s5.pm1a_cnt, pm1a);
	assert_int_equal(s5.pm1b_cnt, 0);
	assert_int_equal(s5.slp_typa, typa);
	assert_int_equal(s5.slp_typb, typb);
}

static void expect_no_s5(const char *needle)
{
	struct acpi_s5 s5;

	assert_int_equal(acpi_s5_info(&s5), -ENOENT);
	assert_contains(acpi_error(), needle);
}

/* --- Valid tables --- */

/* The FADT's CENTURY byte (offset 108): the RTC's century register, 0 when none or no FADT. */
static void test_rtc_century(void **state)
{
	struct acpi_header *h = (struct acpi_header *)slot(S_FADT);

	(void)state;
	assert_int_equal(init(36), 0);
	assert_int_equal(acpi_rtc_century(), 0);
	((uint8_t *)h)[108] = 0x32;
	seal(h);
	assert_int_equal(acpi_rtc_century(), 0x32);
	make_fadt(108, 0, 0, PM1A_CNT); /* an ACPI 1.0 FADT cut before the byte */
	assert_int_equal(acpi_rtc_century(), 0);
	memcpy(h->signature, "XXXX", 4);
	seal(h);
	assert_int_equal(acpi_rtc_century(), 0);
}

static void test_rev2_xsdt(void **state)
{
	(void)state;
	assert_int_equal(init(36), 0);
	assert_ptr_equal(acpi_find_table("FACP", 0), slot(S_FADT));
	assert_ptr_equal(acpi_find_table("APIC", 0), slot(S_APIC));
	assert_null(acpi_find_table("FACP", 1));
	assert_null(acpi_find_table("HPET", 0));
	assert_null(acpi_find_table("DSDT", 0)); /* reached through the FADT, not the root */
	expect_s5(PM1A_CNT, 5, 5);
}

/* Revision 2 is read through the XSDT: an RSDT that lists less is not used. */
static void test_rev2_prefers_xsdt(void **state)
{
	(void)state;
	make_root(S_RSDT, "RSDT", 4, default_tables, 1);
	assert_int_equal(init(36), 0);
	assert_ptr_equal(acpi_find_table("FACP", 0), slot(S_FADT));
}

static void test_rev0_rsdt(void **state)
{
	(void)state;
	make_rsdp(0);
	/* An ACPI 1.0 FADT: 116 bytes, no X_DSDT; what lies after it in memory is not read. */
	make_fadt(116, (uint32_t)phys(slot(S_DSDT)), 0, 0xb004);
	put64(slot(S_FADT) + 140, phys(slot(S_APIC)));
	make_root(S_XSDT, "XSDT", 8, default_tables, 1); /* ignored for revision 0 */
	assert_int_equal(init(20), 0);
	assert_ptr_equal(acpi_find_table("FACP", 0), slot(S_FADT));
	expect_s5(0xb004, 5, 5);
	/* Also when the loader copied 36 bytes: a revision 0 RSDP has no XSDT address. */
	assert_int_equal(init(36), 0);
	assert_ptr_equal(acpi_find_table("FACP", 0), slot(S_FADT));
}

/* A revision 2 RSDP of which the loader copied only the ACPI 1.0 part: the RSDT is used. */
static void test_rev2_short_copy_uses_rsdt(void **state)
{
	(void)state;
	make_root(S_XSDT, "XSDT", 8, default_tables, 1);
	assert_int_equal(init(20), 0);
	assert_ptr_equal(acpi_find_table("FACP", 0), slot(S_FADT));
}

static void test_xsdt_broken_falls_back_to_rsdt(void **state)
{
	(void)state;
	slot(S_XSDT)[40] ^= 1; /* checksum now wrong */
	assert_int_equal(init(36), 0);
	assert_ptr_equal(acpi_find_table("FACP", 0), slot(S_FADT));
	expect_s5(PM1A_CNT, 5, 5);
}

/* The FADT's 64-bit X_DSDT wins over its 32-bit DSDT; the latter serves when it is 0. */
static void test_x_dsdt_preferred(void **state)
{
	static const uint8_t other[] = { 0x08, '_',  'S',  '5',	 '_',  0x12, 0x08,
					 0x04, 0x0a, 0x07, 0x0a, 0x03, 0x00, 0x00 };

	(void)state;
	make_dsdt(slot(S_DSDT2), other, sizeof(other));
	make_fadt(FADT_LENGTH, (uint32_t)phys(slot(S_DSDT)), phys(slot(S_DSDT2)), PM1A_CNT);
	assert_int_equal(init(36), 0);
	expect_s5(PM1A_CNT, 7, 3);

	make_fadt(FADT_LENGTH, (uint32_t)phys(slot(S_DSDT2)), 0, PM1A_CNT);
	assert_int_equal(init(36), 0);
	expect_s5(PM1A_CNT, 7, 3);
}

/* A DSDT above 4 GiB is reachable through X_DSDT only. */
static void test_x_dsdt_64bit(void **state)
{
	uint8_t *dsdt;

	(void)state;
	dsdt = dsdt_alone(aml_s5, sizeof(aml_s5));
	assert_int_equal(init(36), 0);
	expect_s5(PM1A_CNT, 5, 5);
	free(dsdt);
}

static void check_s5_aml(const uint8_t *aml, size_t len, uint8_t typa, uint8_t typb)
{
	make_dsdt(slot(S_DSDT), aml, len);
	assert_int_equal(init(36), 0);
	expect_s5(PM1A_CNT, typa, typb);
}

static void test_s5_zero_and_one_ops(void **state)
{
	static const uint8_t zeros[] = { AML_PREFIX, 0x08, '_',	 'S',  '5',  '_', 0x12,
					 0x06,	     0x04, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t mixed[] = { AML_PREFIX, 0x08, '_',	 'S',  '5',  '_',  0x12,
					 0x07,	     0x04, 0x01, 0x0a, 0x02, 0x00, 0x00 };
	static const uint8_t mixed2[] = { 0x08, '_',  'S',  '5',  '_',	0x12, 0x07,
					  0x02, 0x0a, 0x06, 0x00, 0xa3, 0xa3 };

	(void)state;
	check_s5_aml(zeros, sizeof(zeros), 0, 0);
	check_s5_aml(mixed, sizeof(mixed), 1, 2);
	check_s5_aml(mixed2, sizeof(mixed2), 6, 0);
}

/* PkgLength encodings of two and four bytes (ACPI 6.4, 20.2.4). */
static void test_s5_long_pkglength(void **state)
{
	static const uint8_t two[] = { AML_PREFIX, 0x08, '_',  'S',  '5',  '_',	 0x12, 0x40,
				       0x01,	   0x04, 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00 };
	static const uint8_t four[] = { 0x08, '_',  'S',  '5',	'_',  0x12, 0xc0, 0x00, 0x00,
					0x00, 0x04, 0x0a, 0x03, 0x0a, 0x04, 0x00, 0x00 };

	(void)state;
	check_s5_aml(two, sizeof(two), 5, 6);
	check_s5_aml(four, sizeof(four), 3, 4);
}

/* Tables are counted by signature; ones with a bad checksum or unreadable are skipped. */
static void test_find_by_index(void **state)
{
	static const int tables[] = { S_SSDT0, S_APIC, S_SPARE, S_SSDT1, S_FADT };

	(void)state;
	make_table(slot(S_SSDT0), "SSDT", 40);
	seal(slot(S_SSDT0));
	make_table(slot(S_SSDT1), "SSDT", 48);
	seal(slot(S_SSDT1));
	make_table(slot(S_SPARE), "SSDT", 40);
	seal(slot(S_SPARE));
	slot(S_SPARE)[37] ^= 0xff; /* a broken SSDT between the two good ones */
	make_root(S_XSDT, "XSDT", 8, tables, ARRAY_SIZE(tables));
	assert_int_equal(init(36), 0);
	assert_ptr_equal(acpi_find_table("SSDT", 0), slot(S_SSDT0));
	assert_ptr_equal(acpi_find_table("SSDT", 1), slot(S_SSDT1));
	assert_null(acpi_find_table("SSDT", 2));
	assert_ptr_equal(acpi_find_table("FACP", 0), slot(S_FADT));

	deny_base = phys(slot(S_SSDT0));
	deny_end = deny_base + 1;
	assert_ptr_equal(acpi_find_table("SSDT", 0), slot(S_SSDT1));
}

/* --- The RSDP --- */

static void test_no_rsdp(void **state)
{
	(void)state;
	assert_int_equal(init(0), -ENOENT);
	assert_contains(acpi_error(), "no RSDP");
	assert_int_equal(init(19), -ENOENT);
	assert_null(acpi_find_table("FACP", 0));
}

static void test_rsdp_bad_signature(void **state)
{
	(void)state;
	rsdp[7] = 'X';
	seal_at(rsdp, 20, 8); /* a correct checksum does not make it an RSDP */
	assert_int_equal(init(36), -EINVAL);
	assert_contains(acpi_error(), "signature");
	assert_null(acpi_find_table("FACP", 0));
}

static void test_rsdp_bad_checksum(void **state)
{
	(void)state;
	rsdp[9] ^= 0x20;
	assert_int_equal(init(36), -EINVAL);
	assert_contains(acpi_error(), "checksum");
	make_rsdp(0);
	rsdp[8]++;
	assert_int_equal(init(20), -EINVAL);
	assert_contains(acpi_error(), "RSDP checksum");
}

static void test_rsdp_bad_extended_checksum(void **state)
{
	(void)state;
	rsdp[33] = 1; /* a reserved byte: only the extended checksum covers it */
	assert_int_equal(init(36), -EINVAL);
	assert_contains(acpi_error(), "extended checksum");
	assert_null(acpi_find_table("FACP", 0));
}

static void test_rsdp_bad_length(void **state)
{
	(void)state;
	put32(rsdp + 20, 20);
	seal_at(rsdp, 36, 32);
	assert_int_equal(init(36), -EINVAL);
}

/* --- The root table --- */

static void expect_no_root(uint32_t rsdp_length)
{
	assert_int_equal(init(rsdp_length), -EINVAL);
	assert_contains(acpi_error(), "RSDT/XSDT");
	assert_null(acpi_find_table("FACP", 0));
	assert_null(acpi_find_table("APIC", 0));
}

static void test_root_bad_checksum(void **state)
{
	(void)state;
	make_rsdp(0);
	slot(S_RSDT)[10] ^= 1;
	expect_no_root(20);
}

static void test_both_roots_bad(void **state)
{
	(void)state;
	slot(S_RSDT)[10] ^= 1;
	slot(S_XSDT)[10] ^= 1;
	expect_no_root(36);
}

static void test_root_unreadable(void **state)
{
	(void)state;
	make_rsdp(0);
	deny_base = phys(slot(S_RSDT));
	deny_end = deny_base + SLOT;
	expect_no_root(20);
}

/* Memory that readable() refuses is never touched, not even for the table's length. */
static void test_root_in_unreadable_memory_not_touched(void **state)
{
	(void)state;
	make_rsdp(0);
	put32(rsdp + 16, (uint32_t)phys(slot(S_GUARD)));
	seal_at(rsdp, 20, 8);
	deny_base = phys(slot(S_GUARD));
	deny_end = deny_base + SLOT;
	expect_no_root(20);
}

/* The header is readable but the rest of the table is not. */
static void test_root_tail_unreadable(void **state)
{
	(void)state;
	make_rsdp(0);
	deny_base = phys(slot(S_RSDT)) + 36 + 4;
	deny_end = deny_base + 1;
	expect_no_root(20);
}

static void test_root_wrong_signature(void **state)
{
	(void)state;
	make_rsdp(0);
	put32(rsdp + 16, (uint32_t)phys(slot(S_FADT)));
	seal_at(rsdp, 20, 8);
	expect_no_root(20);
}

/* An XSDT where the RSDT should be, and the other way round. */
static void test_root_types_swapped(void **state)
{
	(void)state;
	put32(rsdp + 16, (uint32_t)phys(slot(S_XSDT)));
	put64(rsdp + 24, phys(slot(S_RSDT)));
	seal_at(rsdp, 20, 8);
	seal_at(rsdp, 36, 32);
	expect_no_root(36);
}

static void test_root_bad_length(void **state)
{
	(void)state;
	make_rsdp(0);
	((struct acpi_header *)slot(S_RSDT))->length = 20; /* shorter than its own header */
	seal_at(slot(S_RSDT), 20, 9);
	expect_no_root(20);
	((struct acpi_header *)slot(S_RSDT))->length = 0x7fffffff; /* far past readable memory */
	expect_no_root(20);
}

static void test_root_address_zero(void **state)
{
	(void)state;
	put32(rsdp + 16, 0);
	put64(rsdp + 24, 0);
	seal_at(rsdp, 20, 8);
	seal_at(rsdp, 36, 32);
	expect_no_root(36);
}

/* --- The FADT and the DSDT --- */

static void test_fadt_missing(void **state)
{
	static const int apic_only[] = { S_APIC };

	(void)state;
	make_root(S_XSDT, "XSDT", 8, apic_only, 1);
	assert_int_equal(init(36), 0);
	expect_no_s5("FADT");
}

static void test_fadt_bad_checksum(void **state)
{
	(void)state;
	slot(S_FADT)[100] ^= 1;
	assert_int_equal(init(36), 0);
	assert_null(acpi_find_table("FACP", 0));
	expect_no_s5("FADT");
}

static void test_fadt_unreadable(void **state)
{
	(void)state;
	deny_base = phys(slot(S_FADT)) + 200;
	deny_end = deny_base + 1;
	assert_int_equal(init(36), 0);
	expect_no_s5("FADT");
}

static void test_no_pm1a(void **state)
{
	(void)state;
	make_fadt(FADT_LENGTH, (uint32_t)phys(slot(S_DSDT)), phys(slot(S_DSDT)), 0);
	assert_int_equal(init(36), 0);
	expect_no_s5("PM1a");
}

static void test_dsdt_without_s5(void **state)
{
	static const uint8_t aml[] = { AML_PREFIX, 0x08, '_',  'S',  '4',  '_',	 0x12,
				       0x06,	   0x04, 0x0a, 0x04, 0x0a, 0x04, 0x00 };

	(void)state;
	make_dsdt(slot(S_DSDT), aml, sizeof(aml));
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
}

/* \_S5 defined as a method, not a package: Shunt can not evaluate it. */
static void test_s5_not_a_package(void **state)
{
	static const uint8_t aml[] = { 0x14, 0x09, '_',	 'S',  '5',  '_',
				       0x00, 0xa4, 0x0a, 0x05, 0xa3, 0xa3 };

	(void)state;
	make_dsdt(slot(S_DSDT), aml, sizeof(aml));
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
}

/* Package elements other than small integers (here a WordPrefix) are not guessed at. */
static void test_s5_unsupported_element(void **state)
{
	static const uint8_t aml[] = { 0x08, '_',  'S',	 '5',  '_',  0x12, 0x08,
				       0x04, 0x0b, 0x05, 0x00, 0x0a, 0x05, 0x00 };

	(void)state;
	make_dsdt(slot(S_DSDT), aml, sizeof(aml));
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
}

/* A package cut off by the end of the DSDT: refused, nothing read past the table. */
static void test_s5_truncated_at_end(void **state)
{
	static const uint8_t cut_in_typb[] = { AML_PREFIX, 0x08, '_',  'S',  '5',  '_',
					       0x12,	   0x0a, 0x04, 0x0a, 0x05, 0x0a };
	static const uint8_t cut_in_pkglength[] = { AML_PREFIX, 0x08, '_',  'S',  '5', '_',
						    0x12,	0xc0, 0x00, 0x00, 0x00 };
	uint8_t *dsdt;

	(void)state;
	dsdt = dsdt_alone(cut_in_typb, sizeof(cut_in_typb));
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
	free(dsdt);

	dsdt = dsdt_alone(cut_in_pkglength, sizeof(cut_in_pkglength));
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
	free(dsdt);
}

static void test_dsdt_bad_checksum(void **state)
{
	(void)state;
	slot(S_DSDT)[40] ^= 1;
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
}

/* The FADT points at a valid table with an \_S5 package that is not the DSDT. */
static void test_dsdt_wrong_signature(void **state)
{
	(void)state;
	make_dsdt(slot(S_SSDT0), aml_s5, sizeof(aml_s5));
	memcpy(slot(S_SSDT0), "SSDT", 4);
	seal(slot(S_SSDT0));
	make_fadt(FADT_LENGTH, 0, phys(slot(S_SSDT0)), PM1A_CNT);
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
}

static void test_dsdt_unreadable(void **state)
{
	(void)state;
	deny_base = phys(slot(S_DSDT));
	deny_end = deny_base + SLOT;
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
}

static void test_dsdt_address_zero(void **state)
{
	(void)state;
	make_fadt(FADT_LENGTH, 0, 0, PM1A_CNT);
	assert_int_equal(init(36), 0);
	expect_no_s5("_S5");
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rtc_century),
		T(test_rev2_xsdt),
		T(test_rev2_prefers_xsdt),
		T(test_rev0_rsdt),
		T(test_rev2_short_copy_uses_rsdt),
		T(test_xsdt_broken_falls_back_to_rsdt),
		T(test_x_dsdt_preferred),
		T(test_x_dsdt_64bit),
		T(test_s5_zero_and_one_ops),
		T(test_s5_long_pkglength),
		T(test_find_by_index),
		T(test_no_rsdp),
		T(test_rsdp_bad_signature),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_bad_extended_checksum),
		T(test_rsdp_bad_length),
		T(test_root_bad_checksum),
		T(test_both_roots_bad),
		T(test_root_unreadable),
		T(test_root_in_unreadable_memory_not_touched),
		T(test_root_tail_unreadable),
		T(test_root_wrong_signature),
		T(test_root_types_swapped),
		T(test_root_bad_length),
		T(test_root_address_zero),
		T(test_fadt_missing),
		T(test_fadt_bad_checksum),
		T(test_fadt_unreadable),
		T(test_no_pm1a),
		T(test_dsdt_without_s5),
		T(test_s5_not_a_package),
		T(test_s5_unsupported_element),
		T(test_s5_truncated_at_end),
		T(test_dsdt_bad_checksum),
		T(test_dsdt_wrong_signature),
		T(test_dsdt_unreadable),
		T(test_dsdt_address_zero),
	};

	return unit_run(tests);
}
