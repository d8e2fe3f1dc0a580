/*
 * The UEFI memory map conversion (boot/efi/memmap_efi.c): every EFI memory type's handoff
 * type, sorting and merging of maps in any order, the HANDOFF_MAX_MEM limit, descriptors
 * larger than the structure, and malformed descriptor sizes and ranges refused.
 */
#include "unit.h"

#include <stdlib.h>

#include "memmap_efi.h"

#include <hv/types.h>

#define EFI_PAGE 4096ull
#define MAX_DESCS 1200
#define MAX_DESC_SIZE 128

/* EFI_MEMORY_TYPE values (UEFI specification 2.10, 7.2), written out here on purpose. */
enum {
	RESERVED_MEMORY = 0,
	LOADER_CODE = 1,
	LOADER_DATA = 2,
	BOOT_SERVICES_CODE = 3,
	BOOT_SERVICES_DATA = 4,
	RUNTIME_SERVICES_CODE = 5,
	RUNTIME_SERVICES_DATA = 6,
	CONVENTIONAL_MEMORY = 7,
	UNUSABLE_MEMORY = 8,
	ACPI_RECLAIM_MEMORY = 9,
	ACPI_MEMORY_NVS = 10,
	MEMORY_MAPPED_IO = 11,
	MEMORY_MAPPED_IO_PORT_SPACE = 12,
	PAL_CODE = 13,
	PERSISTENT_MEMORY = 14,
	UNACCEPTED_MEMORY = 15,
};

#define USABLE HANDOFF_MEM_USABLE
#define RECLAIM HANDOFF_MEM_ACPI_RECLAIM
#define NVS HANDOFF_MEM_ACPI_NVS
#define RESERVED HANDOFF_MEM_RESERVED
#define MMIO HANDOFF_MEM_MMIO
#define BAD HANDOFF_MEM_BAD

static uint8_t map[MAX_DESCS * MAX_DESC_SIZE];
static uint64_t desc_size;
static uint32_t desc_count;
static struct handoff h;
static char err[160];

static int setup(void **state)
{
	(void)state;
	memset(map, 0xa5, sizeof(map)); /* what lies between descriptors must not matter */
	desc_size = sizeof(struct memmap_efi_desc);
	desc_count = 0;
	return 0;
}

/* Appends a descriptor with junk in the fields the conversion has no business reading. */
static void desc(uint32_t type, uint64_t base, uint64_t pages)
{
	struct memmap_efi_desc d = {
		.type = type,
		.pad = 0xdeadbeef,
		.physical_start = base,
		.virtual_start = 0x5a5a5a5a5a5a5a5aull,
		.page_count = pages,
		.attribute = 0x800000000000000full,
	};

	assert_true(desc_count < MAX_DESCS && desc_size <= MAX_DESC_SIZE);
	memcpy(map + desc_count * desc_size, &d, sizeof(d));
	desc_count++;
}

/* Converts map_size bytes from a heap copy of exactly that size, so that ASan sees overreads. */
static int convert_n(uint64_t map_size)
{
	void *copy = malloc(map_size ? map_size : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, map, map_size);
	memset(&h, 0x5a, sizeof(h)); /* mem_count included: the conversion must reset it */
	strcpy(err, "(err not set)");
	r = memmap_efi_convert(copy, map_size, desc_size, &h, err, sizeof(err));
	free(copy);
	return r;
}

static int convert(void)
{
	return convert_n(desc_count * desc_size);
}

struct expect {
	uint64_t base, length;
	uint32_t type;
};

static void check_regions(const struct expect *e, uint32_t n)
{
	for (uint32_t i = 0; i < h.mem_count && i < n; i++) {
		const struct handoff_mem_region *r = &h.mem[i];

		if (r->base != e[i].base || r->length != e[i].length || r->type != e[i].type)
			fail_msg("region %u is 0x%llx+0x%llx type %u, expected 0x%llx+0x%llx "
				 "type %u",
				 i, (unsigned long long)r->base, (unsigned long long)r->length,
				 r->type, (unsigned long long)e[i].base,
				 (unsigned long long)e[i].length, e[i].type);
		assert_int_equal(r->reserved, 0);
	}
	assert_int_equal(h.mem_count, n);
}

#define CHECK_REGIONS(...)                                                                         \
	do {                                                                                       \
		const struct expect e_[] = { __VA_ARGS__ };                                        \
		check_regions(e_, ARRAY_SIZE(e_));                                                 \
	} while (0)

#define P(n) ((n)*EFI_PAGE)

static const struct {
	uint32_t efi, handoff;
} type_table[] = {
	{ RESERVED_MEMORY, RESERVED },
	{ LOADER_CODE, USABLE },
	{ LOADER_DATA, USABLE },
	{ BOOT_SERVICES_CODE, USABLE },
	{ BOOT_SERVICES_DATA, USABLE },
	{ RUNTIME_SERVICES_CODE, RESERVED },
	{ RUNTIME_SERVICES_DATA, RESERVED },
	{ CONVENTIONAL_MEMORY, USABLE },
	{ UNUSABLE_MEMORY, BAD },
	{ ACPI_RECLAIM_MEMORY, RECLAIM },
	{ ACPI_MEMORY_NVS, NVS },
	{ MEMORY_MAPPED_IO, MMIO },
	{ MEMORY_MAPPED_IO_PORT_SPACE, MMIO },
	{ PAL_CODE, RESERVED },
	{ PERSISTENT_MEMORY, RESERVED },
	/* Types the loader does not know, including the OEM and OS ranges: leave them alone. */
	{ UNACCEPTED_MEMORY, RESERVED },
	{ 16, RESERVED },
	{ 0x6fffffff, RESERVED },
	{ 0x70000000, RESERVED },
	{ 0x80000000, RESERVED },
	{ 0xffffffff, RESERVED },
};

static void test_type_mapping(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(type_table); i++)
		if (memmap_efi_type(type_table[i].efi) != type_table[i].handoff)
			fail_msg("EFI type 0x%x became %u, expected %u", type_table[i].efi,
				 memmap_efi_type(type_table[i].efi), type_table[i].handoff);
}

/* One descriptor of each type, with gaps between them: each keeps its own region. */
static void test_convert_every_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(type_table); i++)
		desc(type_table[i].efi, P(32 * i), i + 1);
	assert_int_equal(convert(), 0);
	assert_int_equal(h.mem_count, ARRAY_SIZE(type_table));
	for (uint32_t i = 0; i < h.mem_count; i++) {
		assert_u64_equal(h.mem[i].base, P(32 * i));
		assert_u64_equal(h.mem[i].length, P(i + 1));
		assert_int_equal(h.mem[i].type, type_table[i].handoff);
		assert_int_equal(h.mem[i].reserved, 0);
	}
}

static void test_merge_adjacent_same_type(void **state)
{
	(void)state;
	/* Everything that is free once the loader is gone becomes one region. */
	desc(CONVENTIONAL_MEMORY, 0, 1);
	desc(BOOT_SERVICES_CODE, P(1), 2);
	desc(BOOT_SERVICES_DATA, P(3), 3);
	desc(LOADER_CODE, P(6), 4);
	desc(LOADER_DATA, P(10), 5);
	desc(CONVENTIONAL_MEMORY, P(15), 0x100);
	/* Adjacent but of another type: a new region; then runtime + reserved merge. */
	desc(ACPI_RECLAIM_MEMORY, P(0x10f), 1);
	desc(RUNTIME_SERVICES_CODE, P(0x110), 1);
	desc(RUNTIME_SERVICES_DATA, P(0x111), 1);
	desc(RESERVED_MEMORY, P(0x112), 1);
	/* A gap keeps regions of one type apart. */
	desc(CONVENTIONAL_MEMORY, P(0x200), 1);
	desc(MEMORY_MAPPED_IO, 0xfec00000, 1);
	desc(MEMORY_MAPPED_IO_PORT_SPACE, 0xfec01000, 1);
	desc(MEMORY_MAPPED_IO, 0xfee00000, 1);
	assert_int_equal(convert(), 0);
	CHECK_REGIONS({ 0, P(0x10f), USABLE }, { P(0x10f), P(1), RECLAIM },
		      { P(0x110), P(3), RESERVED }, { P(0x200), P(1), USABLE },
		      { 0xfec00000, P(2), MMIO }, { 0xfee00000, P(1), MMIO });
}

static void test_sorted_and_merged_out_of_order(void **state)
{
	(void)state;
	desc(MEMORY_MAPPED_IO, 0xfee00000, 1);
	desc(CONVENTIONAL_MEMORY, P(0x100), 0x100);
	desc(ACPI_MEMORY_NVS, P(0x9f), 1);
	desc(CONVENTIONAL_MEMORY, 0, 0x9f);
	desc(CONVENTIONAL_MEMORY, P(0x310), 0x10);
	desc(BOOT_SERVICES_DATA, P(0x300), 0x10);   /* joins the region after it */
	desc(CONVENTIONAL_MEMORY, P(0x200), 0x100); /* bridges 0x100 and 0x300 */
	desc(UNUSABLE_MEMORY, P(0xa0), 0x60);
	assert_int_equal(convert(), 0);
	CHECK_REGIONS({ 0, P(0x9f), USABLE }, { P(0x9f), P(1), NVS }, { P(0xa0), P(0x60), BAD },
		      { P(0x100), P(0x220), USABLE }, { 0xfee00000, P(1), MMIO });
}

static void test_reverse_order_merges_to_one(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 600; i++)
		desc(i % 2 ? BOOT_SERVICES_DATA : CONVENTIONAL_MEMORY, P(599 - i), 1);
	assert_int_equal(convert(), 0);
	CHECK_REGIONS({ 0, P(600), USABLE });
}

static void test_zero_pages_skipped(void **state)
{
	(void)state;
	desc(CONVENTIONAL_MEMORY, 0, 1);
	desc(RESERVED_MEMORY, P(1), 0); /* would split the two if it counted */
	desc(CONVENTIONAL_MEMORY, P(1), 1);
	desc(ACPI_MEMORY_NVS, P(0x40), 0);
	assert_int_equal(convert(), 0);
	CHECK_REGIONS({ 0, P(2), USABLE });
}

static void test_empty_map(void **state)
{
	(void)state;
	assert_int_equal(convert_n(0), 0);
	assert_int_equal(h.mem_count, 0);
	/* Less than one descriptor is no descriptor. */
	desc(CONVENTIONAL_MEMORY, 0, 1);
	assert_int_equal(convert_n(desc_size - 8), 0);
	assert_int_equal(h.mem_count, 0);
}

static void test_region_limit(void **state)
{
	(void)state;
	/* HANDOFF_MAX_MEM regions that can not merge fit... */
	for (uint32_t i = 0; i < HANDOFF_MAX_MEM; i++)
		desc(i % 2 ? RESERVED_MEMORY : CONVENTIONAL_MEMORY, P(i + 2), 1);
	assert_int_equal(convert(), 0);
	assert_int_equal(h.mem_count, HANDOFF_MAX_MEM);
	assert_u64_equal(h.mem[HANDOFF_MAX_MEM - 1].base, P(HANDOFF_MAX_MEM + 1));
	/* ... and so do more descriptors that merge into them, at either end... */
	desc(LOADER_DATA, P(1), 1);
	desc(RUNTIME_SERVICES_DATA, P(HANDOFF_MAX_MEM + 2), 1);
	desc(PAL_CODE, P(HANDOFF_MAX_MEM + 3), 9);
	assert_int_equal(convert(), 0);
	assert_int_equal(h.mem_count, HANDOFF_MAX_MEM);
	assert_u64_equal(h.mem[0].base, P(1));
	assert_u64_equal(h.mem[0].length, P(2));
	assert_int_equal(h.mem[0].type, USABLE);
	assert_u64_equal(h.mem[HANDOFF_MAX_MEM - 1].base, P(HANDOFF_MAX_MEM + 1));
	assert_u64_equal(h.mem[HANDOFF_MAX_MEM - 1].length, P(11));
	assert_int_equal(h.mem[HANDOFF_MAX_MEM - 1].type, RESERVED);
	/* ... but one more region does not, whether it goes last or first. */
	desc(ACPI_RECLAIM_MEMORY, P(0x1000), 1);
	assert_int_equal(convert(), -1);
	assert_contains(err, "memory map has more than 256 regions even after merging");
	assert_contains(err, "(260 descriptors)");
	desc_count--;
	desc(ACPI_MEMORY_NVS, 0, 1);
	assert_int_equal(convert(), -1);
	assert_contains(err, "more than 256 regions");
}

/*
 * A map of any order fits in HANDOFF_MAX_MEM whenever its merged form does (memmap_efi.c's
 * promise): here 600 pages, even ones first, whose first 257 do not touch each other but
 * which merge into a single region. (Merging while inserting used to refuse this map.)
 */
static void test_any_order_fits_when_merged(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 600; i += 2)
		desc(CONVENTIONAL_MEMORY, P(i), 1);
	for (uint32_t i = 1; i < 600; i += 2)
		desc(CONVENTIONAL_MEMORY, P(i), 1);
	assert_int_equal(convert(), 0);
	CHECK_REGIONS({ 0, P(600), USABLE });
}

static void test_descriptor_larger_than_struct(void **state)
{
	static const uint64_t sizes[] = { 40, 48, 56, 64, 128 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		setup(NULL);
		desc_size = sizes[i];
		desc(CONVENTIONAL_MEMORY, P(0x100), 0x10);
		desc(ACPI_RECLAIM_MEMORY, P(0x90), 2);
		desc(LOADER_DATA, P(0x110), 0x20);
		assert_int_equal(convert(), 0);
		CHECK_REGIONS({ P(0x90), P(2), RECLAIM }, { P(0x100), P(0x30), USABLE });
		/* A trailing piece smaller than a descriptor is ignored. */
		assert_int_equal(convert_n(3 * desc_size + sizeof(struct memmap_efi_desc) - 8), 0);
		assert_int_equal(h.mem_count, 2);
	}
}

static void test_bad_descriptor_size(void **state)
{
	static const uint64_t bad[] = { 0, 8, 24, 32, 36, 44, 52, 41 };
	char msg[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		desc_size = bad[i];
		assert_int_equal(convert_n(4096), -1);
		snprintf(msg, sizeof(msg), "memory descriptor size %llu is not usable",
			 (unsigned long long)bad[i]);
		assert_contains(err, msg);
	}
}

static void test_wrap_around(void **state)
{
	(void)state;
	/* The longest region that still ends below 2^64, and the highest page, are fine. */
	desc(CONVENTIONAL_MEMORY, 0, UINT64_MAX >> 12);
	assert_int_equal(convert(), 0);
	CHECK_REGIONS({ 0, 0xfffffffffffff000ull, USABLE });
	setup(NULL);
	desc(RESERVED_MEMORY, 0xffffffffffffe000ull, 1);
	desc(CONVENTIONAL_MEMORY, 0, (UINT64_MAX >> 12) - 1);
	assert_int_equal(convert(), 0);
	CHECK_REGIONS({ 0, 0xffffffffffffe000ull, USABLE },
		      { 0xffffffffffffe000ull, P(1), RESERVED });

	setup(NULL);
	desc(CONVENTIONAL_MEMORY, 0, 1);
	desc(RESERVED_MEMORY, 0xfffffffffffff000ull, 2);
	assert_int_equal(convert(), -1);
	assert_contains(err, "memory descriptor 1 (0xfffffffffffff000, 2 pages) wraps around");

	/* A page count whose byte length does not fit in 64 bits. */
	setup(NULL);
	desc(CONVENTIONAL_MEMORY, 0, 1ull << 52);
	assert_int_equal(convert(), -1);
	assert_contains(err, "memory descriptor 0 (0x0, 4503599627370496 pages) wraps around");
	setup(NULL);
	desc(CONVENTIONAL_MEMORY, P(1), UINT64_MAX);
	assert_int_equal(convert(), -1);
	assert_contains(err, "wraps around");
	/* Nor one that ends at 2^64 exactly: a region's end must be an address. */
	setup(NULL);
	desc(CONVENTIONAL_MEMORY, P(0x10), (UINT64_MAX >> 12) - 0xf);
	assert_int_equal(convert(), -1);
	assert_contains(err, "wraps around");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_type_mapping, setup),
		cmocka_unit_test_setup(test_convert_every_type, setup),
		cmocka_unit_test_setup(test_merge_adjacent_same_type, setup),
		cmocka_unit_test_setup(test_sorted_and_merged_out_of_order, setup),
		cmocka_unit_test_setup(test_reverse_order_merges_to_one, setup),
		cmocka_unit_test_setup(test_zero_pages_skipped, setup),
		cmocka_unit_test_setup(test_empty_map, setup),
		cmocka_unit_test_setup(test_region_limit, setup),
		cmocka_unit_test_setup(test_any_order_fits_when_merged, setup),
		cmocka_unit_test_setup(test_descriptor_larger_than_struct, setup),
		cmocka_unit_test_setup(test_bad_descriptor_size, setup),
		cmocka_unit_test_setup(test_wrap_around, setup),
	};

	return unit_run(tests);
}
