/*
 * The physical memory map (hv/memmap.c): normalisation of unsorted, overlapping and
 * malformed loader maps, and the carving operations (claim, reserve, find, spans) with their
 * error paths, including a map that runs out of room.
 */
#include "unit.h"

#include <hv/memmap.h>

#define USABLE HANDOFF_MEM_USABLE
#define RECLAIM HANDOFF_MEM_ACPI_RECLAIM
#define NVS HANDOFF_MEM_ACPI_NVS
#define RESERVED HANDOFF_MEM_RESERVED
#define MMIO HANDOFF_MEM_MMIO
#define BAD HANDOFF_MEM_BAD

static struct memmap map;
static struct memmap saved;

struct expect {
	uint64_t base, end;
	uint32_t type;
};

static int setup(void **state)
{
	(void)state;
	memset(&map, 0x5a, sizeof(map));
	return 0;
}

static void check_map(const struct expect *e, uint32_t n)
{
	for (uint32_t i = 0; i < map.count && i < n; i++) {
		const struct memmap_region *r = &map.regions[i];

		if (r->base != e[i].base || r->end != e[i].end || r->type != e[i].type)
			fail_msg("region %u is [0x%llx, 0x%llx) type %u, expected [0x%llx, 0x%llx) "
				 "type %u",
				 i, (unsigned long long)r->base, (unsigned long long)r->end,
				 r->type, (unsigned long long)e[i].base,
				 (unsigned long long)e[i].end, e[i].type);
	}
	assert_int_equal(map.count, n);
}

#define CHECK_MAP(...)                                                                             \
	do {                                                                                       \
		const struct expect e_[] = { __VA_ARGS__ };                                        \
		check_map(e_, ARRAY_SIZE(e_));                                                     \
	} while (0)

static int normalise(const struct handoff_mem_region *in, uint32_t n)
{
	return memmap_normalise(&map, in, n);
}

#define REGIONS(...) ((const struct handoff_mem_region[]){ __VA_ARGS__ })
#define NORMALISE(...) normalise(REGIONS(__VA_ARGS__), ARRAY_SIZE(REGIONS(__VA_ARGS__)))

#define R(base, len, type)                                                                         \
	{                                                                                          \
		(base), (len), (type), 0                                                           \
	}

/* The properties every normalised map has: sorted, disjoint, no same-type neighbours. */
static void check_invariants(void)
{
	for (uint32_t i = 0; i < map.count; i++) {
		const struct memmap_region *r = &map.regions[i];

		assert_true(r->base < r->end);
		if (r->type == USABLE)
			assert_true(IS_ALIGNED(r->base | r->end, PAGE_SIZE));
		if (i == 0)
			continue;
		assert_true(r[-1].end <= r->base);
		if (r[-1].end == r->base)
			assert_int_not_equal(r[-1].type, r->type);
	}
}

static void save(void)
{
	memcpy(&saved, &map, sizeof(map));
}

/* The map's regions are exactly as saved (the error text may change). */
static void assert_unchanged(void)
{
	assert_int_equal(map.count, saved.count);
	assert_memory_equal(map.regions, saved.regions, sizeof(map.regions[0]) * map.count);
}

/* --- memmap_normalise --- */

static void test_sorts_unsorted_input(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0x100000000ull, 0x40000000, USABLE),
				   R(0x100000, 0x7f00000, USABLE), R(0xf0000, 0x10000, RESERVED),
				   R(0x0, 0x9f000, USABLE), R(0xfee00000, 0x1000, MMIO)),
			 0);
	CHECK_MAP({ 0x0, 0x9f000, USABLE }, { 0xf0000, 0x100000, RESERVED },
		  { 0x100000, 0x8000000, USABLE }, { 0xfee00000, 0xfee01000, MMIO },
		  { 0x100000000ull, 0x140000000ull, USABLE });
	assert_string_equal(map.error, "");
	check_invariants();
}

static void test_reserved_inside_usable_wins(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 16 * MIB, USABLE), R(4 * MIB, MIB, RESERVED)), 0);
	CHECK_MAP({ 0, 4 * MIB, USABLE }, { 4 * MIB, 5 * MIB, RESERVED },
		  { 5 * MIB, 16 * MIB, USABLE });
}

/* The same overlap listed in the other order gives the same map. */
static void test_reserved_before_usable_wins(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(4 * MIB, MIB, RESERVED), R(0, 16 * MIB, USABLE)), 0);
	CHECK_MAP({ 0, 4 * MIB, USABLE }, { 4 * MIB, 5 * MIB, RESERVED },
		  { 5 * MIB, 16 * MIB, USABLE });
}

static void test_partial_overlaps(void **state)
{
	(void)state;
	/* Reserved over the top of one usable region and the bottom of another. */
	assert_int_equal(NORMALISE(R(0, 8 * MIB, USABLE), R(6 * MIB, 4 * MIB, RESERVED),
				   R(9 * MIB, 7 * MIB, USABLE)),
			 0);
	CHECK_MAP({ 0, 6 * MIB, USABLE }, { 6 * MIB, 10 * MIB, RESERVED },
		  { 10 * MIB, 16 * MIB, USABLE });
}

/* Usable RAM listed over a reserved range does not make it usable. */
static void test_usable_over_reserved_loses(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 2 * MIB, RESERVED), R(MIB, 7 * MIB, USABLE)), 0);
	CHECK_MAP({ 0, 2 * MIB, RESERVED }, { 2 * MIB, 8 * MIB, USABLE });
}

static void test_nested_overlaps(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(20 * MIB, MIB, RESERVED), R(0, 64 * MIB, USABLE),
				   R(16 * MIB, 16 * MIB, RECLAIM), R(40 * MIB, 4 * MIB, BAD),
				   R(41 * MIB, MIB, MMIO)),
			 0);
	CHECK_MAP({ 0, 16 * MIB, USABLE }, { 16 * MIB, 20 * MIB, RECLAIM },
		  { 20 * MIB, 21 * MIB, RESERVED }, { 21 * MIB, 32 * MIB, RECLAIM },
		  { 32 * MIB, 40 * MIB, USABLE }, { 40 * MIB, 44 * MIB, BAD },
		  { 44 * MIB, 64 * MIB, USABLE });
	check_invariants();
}

static void test_zero_length_dropped(void **state)
{
	(void)state;
	/* Including the all-zero entries some firmware leaves in its tables. */
	assert_int_equal(NORMALISE(R(0, 0, RESERVED), R(0x1000, 0x100000, USABLE),
				   R(0x5000, 0, RESERVED), R(0x200000, 0, USABLE), R(0, 0, 0),
				   R(UINT64_MAX, 0, USABLE)),
			 0);
	CHECK_MAP({ 0x1000, 0x101000, USABLE });
}

static void test_adjacent_same_type_merged(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, MIB, USABLE), R(2 * MIB, MIB, USABLE), R(MIB, MIB, USABLE),
				   R(3 * MIB, 0x1000, RESERVED),
				   R(3 * MIB + 0x1000, 0x1000, RESERVED),
				   R(3 * MIB + 0x2000, 0x1000, NVS)),
			 0);
	CHECK_MAP({ 0, 3 * MIB, USABLE }, { 3 * MIB, 3 * MIB + 0x2000, RESERVED },
		  { 3 * MIB + 0x2000, 3 * MIB + 0x3000, NVS });
}

static void test_overlapping_same_type_merged(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 3 * MIB, USABLE), R(MIB, 4 * MIB, USABLE)), 0);
	CHECK_MAP({ 0, 5 * MIB, USABLE });
}

static void test_unaligned_usable_shrunk(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0x1234, 0x5678 - 0x1234, USABLE),
				   R(0x9fc00, 0x400, RESERVED), /* not RAM: kept as it is */
				   R(0x10100, 0xe00, USABLE),	/* less than a page: dropped */
				   R(0x20800, 0x1000, USABLE)), /* a page long, but no whole page */
			 0);
	CHECK_MAP({ 0x2000, 0x5000, USABLE }, { 0x9fc00, 0xa0000, RESERVED });
}

/* A page partly taken by a reserved range is not usable RAM. */
static void test_usable_shrunk_around_reserved(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 0x10000, USABLE), R(0x3800, 0x1000, RESERVED)), 0);
	CHECK_MAP({ 0, 0x3000, USABLE }, { 0x3800, 0x4800, RESERVED }, { 0x5000, 0x10000, USABLE });
	check_invariants();
}

static void test_wrapping_region_refused(void **state)
{
	(void)state;
	assert_int_equal(
		NORMALISE(R(0, 16 * MIB, USABLE), R(0xfffffffffffff000ull, 0x2000, RESERVED)),
		-EINVAL);
	assert_contains(map.error, "wraps");
	assert_contains(map.error, "region 1");
}

static void test_unknown_type_refused(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 16 * MIB, USABLE), R(16 * MIB, MIB, 7)), -EINVAL);
	assert_contains(map.error, "unknown type 7");
	assert_int_equal(NORMALISE(R(0, 16 * MIB, USABLE), R(16 * MIB, MIB, 0)), -EINVAL);
	assert_contains(map.error, "unknown type 0");
}

static void test_no_usable_ram_refused(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 16 * MIB, RESERVED), R(16 * MIB, MIB, RECLAIM)), -EINVAL);
	assert_contains(map.error, "no usable RAM");
	/* Usable RAM entirely under a reserved range, or less than a page of it. */
	assert_int_equal(NORMALISE(R(0, 16 * MIB, RESERVED), R(MIB, MIB, USABLE),
				   R(32 * MIB + 1, 0xfff, USABLE)),
			 -EINVAL);
	assert_contains(map.error, "no usable RAM");
	assert_int_equal(normalise(NULL, 0), -EINVAL);
	assert_contains(map.error, "no usable RAM");
}

static void test_too_many_regions_refused(void **state)
{
	static struct handoff_mem_region in[HANDOFF_MAX_MEM + 1];

	(void)state;
	for (uint32_t i = 0; i < ARRAY_SIZE(in); i++)
		in[i] = (struct handoff_mem_region)R(i * 2 * MIB, MIB, i % 2 ? RESERVED : USABLE);
	assert_int_equal(normalise(in, HANDOFF_MAX_MEM + 1), -EINVAL);
	assert_contains(map.error, "at most 256");
	/* Exactly the maximum, all disjoint: every one of them kept. */
	assert_int_equal(normalise(in, HANDOFF_MAX_MEM), 0);
	assert_int_equal(map.count, HANDOFF_MAX_MEM);
	assert_u64_equal(map.regions[HANDOFF_MAX_MEM - 1].base, (HANDOFF_MAX_MEM - 1) * 2 * MIB);
	check_invariants();
}

/* A typical PC map through normalise, checked against the helpers' view of it. */
static const struct handoff_mem_region pc_map[] = {
	R(0x0, 0x9fc00, USABLE),	  R(0x9fc00, 0x400, RESERVED),
	R(0xf0000, 0x10000, RESERVED),	  R(0x100000, 0x7ee0000, USABLE),
	R(0x7fe0000, 0x20000, RECLAIM),	  R(0xfec00000, 0x1000, MMIO),
	R(0xfffc0000, 0x40000, RESERVED), R(0x100000000ull, 0x80000000ull, USABLE),
};

static void pc(void)
{
	assert_int_equal(normalise(pc_map, ARRAY_SIZE(pc_map)), 0);
}

static void test_total_and_count(void **state)
{
	(void)state;
	pc();
	assert_u64_equal(memmap_total(&map, USABLE), 0x9f000 + 0x7ee0000 + 0x80000000ull);
	assert_int_equal(memmap_count(&map, USABLE), 3);
	assert_u64_equal(memmap_total(&map, RESERVED), 0x400 + 0x10000 + 0x40000);
	assert_int_equal(memmap_count(&map, RESERVED), 3);
	assert_u64_equal(memmap_total(&map, RECLAIM), 0x20000);
	assert_int_equal(memmap_count(&map, NVS), 0);
	assert_u64_equal(memmap_total(&map, NVS), 0);
	assert_int_equal(memmap_count(&map, MEMMAP_MODULE), 0);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(memmap_type_name(USABLE), "usable");
	assert_string_equal(memmap_type_name(MEMMAP_MODULE), "boot module");
	assert_string_equal(memmap_type_name(12345), "unknown");
}

/* --- memmap_spans --- */

static void test_spans(void **state)
{
	uint32_t ram = MEMMAP_TYPE_BIT(USABLE) | MEMMAP_TYPE_BIT(RECLAIM);

	(void)state;
	pc();
	assert_true(memmap_spans(&map, 0x1000, 0x2000, MEMMAP_TYPE_BIT(USABLE)));
	assert_true(memmap_spans(&map, 0x100000, 0x8000000, ram)); /* across a type change */
	assert_false(memmap_spans(&map, 0x100000, 0x8000000, MEMMAP_TYPE_BIT(USABLE)));
	assert_false(memmap_spans(&map, 0x9e000, 0xa0000, MEMMAP_TYPE_BIT(USABLE)));
	assert_true(memmap_spans(&map, 0xf0000, 0x101000,
				 MEMMAP_TYPE_BIT(USABLE) | MEMMAP_TYPE_BIT(RESERVED)));
	assert_false(memmap_spans(&map, 0xf0000, 0x101000, MEMMAP_TYPE_BIT(RESERVED)));
	assert_false(memmap_spans(&map, 0xa0000, 0xa1000, ~0u));	       /* a hole */
	assert_false(memmap_spans(&map, 0x9f000, 0xf1000, ~0u));	       /* across a hole */
	assert_false(memmap_spans(&map, 0x17ffff000ull, 0x180001000ull, ~0u)); /* past the end */
	assert_false(memmap_spans(&map, 0x200000000ull, 0x200001000ull, ~0u));
}

/* --- memmap_claim --- */

static void test_claim_splits_usable(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 16 * MIB, USABLE)), 0);
	assert_int_equal(memmap_claim(&map, 4 * MIB, 5 * MIB, MEMMAP_MODULE), 0);
	CHECK_MAP({ 0, 4 * MIB, USABLE }, { 4 * MIB, 5 * MIB, MEMMAP_MODULE },
		  { 5 * MIB, 16 * MIB, USABLE });
	assert_u64_equal(memmap_total(&map, USABLE), 15 * MIB);
	/* At either edge a region splits in two, and a neighbour of the same type grows. */
	assert_int_equal(memmap_claim(&map, 0, MIB, MEMMAP_LOW), 0);
	assert_int_equal(memmap_claim(&map, 5 * MIB, 6 * MIB, MEMMAP_MODULE), 0);
	CHECK_MAP({ 0, MIB, MEMMAP_LOW }, { MIB, 4 * MIB, USABLE },
		  { 4 * MIB, 6 * MIB, MEMMAP_MODULE }, { 6 * MIB, 16 * MIB, USABLE });
	check_invariants();
}

/* A claim covers every byte asked for, rounded out to whole pages. */
static void test_claim_rounds_to_pages(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 16 * MIB, USABLE)), 0);
	assert_int_equal(memmap_claim(&map, 0x101234, 0x105001, MEMMAP_HV_DATA), 0);
	CHECK_MAP({ 0, 0x101000, USABLE }, { 0x101000, 0x106000, MEMMAP_HV_DATA },
		  { 0x106000, 16 * MIB, USABLE });
}

/* Two loader regions that normalise merged are one usable range to claim from. */
static void test_claim_across_merged_regions(void **state)
{
	(void)state;
	assert_int_equal(NORMALISE(R(0, 8 * MIB, USABLE), R(8 * MIB, 8 * MIB, USABLE)), 0);
	assert_int_equal(memmap_claim(&map, 7 * MIB, 9 * MIB, MEMMAP_HV_IMAGE), 0);
	CHECK_MAP({ 0, 7 * MIB, USABLE }, { 7 * MIB, 9 * MIB, MEMMAP_HV_IMAGE },
		  { 9 * MIB, 16 * MIB, USABLE });
}

static void expect_claim_refused(uint64_t base, uint64_t end)
{
	save();
	assert_int_equal(memmap_claim(&map, base, end, MEMMAP_MODULE), -EINVAL);
	assert_unchanged();
	assert_contains(map.error, "not inside usable RAM");
	assert_contains(map.error, "boot module");
}

static void test_claim_outside_usable_refused(void **state)
{
	(void)state;
	pc();
	expect_claim_refused(0x9e000, 0xa0000);		      /* into a reserved range */
	expect_claim_refused(0x9f000, 0x9f800);		      /* a partial page of one */
	expect_claim_refused(0x7fdf000, 0x7fe1000);	      /* into ACPI tables */
	expect_claim_refused(0x50000, 0x200000);	      /* across a hole */
	expect_claim_refused(0x17ffff000ull, 0x180001000ull); /* past the end of RAM */
	expect_claim_refused(0x200000000ull, 0x200001000ull); /* nowhere near RAM */
	/* Usable RAM that is already claimed is no longer usable. */
	assert_int_equal(memmap_claim(&map, 0x200000, 0x300000, MEMMAP_HV_IMAGE), 0);
	expect_claim_refused(0x2ff000, 0x301000);
}

static void test_claim_end_before_base_refused(void **state)
{
	(void)state;
	pc();
	save();
	assert_int_equal(memmap_claim(&map, 0x300000, 0x200000, MEMMAP_MODULE), -EINVAL);
	assert_unchanged();
	assert_contains(map.error, "ends before it starts");
}

/*
 * Regression (hv/memmap.c, memmap_claim): an end in the last page of the address space
 * once rounded up to 0, so the range was "empty", found "entirely usable", and the claim
 * returned 0 having claimed nothing, although [base, end) is far from usable RAM: -EINVAL.
 */
static void test_claim_end_near_top_of_address_space(void **state)
{
	(void)state;
	pc();
	save();
	assert_int_equal(memmap_claim(&map, 0x100000, UINT64_MAX, MEMMAP_MODULE), -EINVAL);
	assert_unchanged();
}

/* --- memmap_reserve --- */

static void test_reserve_leaves_other_types(void **state)
{
	(void)state;
	pc();
	assert_int_equal(memmap_claim(&map, 0x8000, 0x9000, MEMMAP_HV_DATA), 0);
	assert_int_equal(memmap_reserve(&map, 0, MIB, MEMMAP_LOW), 0);
	CHECK_MAP({ 0x0, 0x8000, MEMMAP_LOW }, { 0x8000, 0x9000, MEMMAP_HV_DATA },
		  { 0x9000, 0x9f000, MEMMAP_LOW }, { 0x9fc00, 0xa0000, RESERVED },
		  { 0xf0000, 0x100000, RESERVED }, { 0x100000, 0x7fe0000, USABLE },
		  { 0x7fe0000, 0x8000000, RECLAIM }, { 0xfec00000, 0xfec01000, MMIO },
		  { 0xfffc0000, 0x100000000ull, RESERVED },
		  { 0x100000000ull, 0x180000000ull, USABLE });
	/* A range with no usable RAM in it changes nothing. */
	save();
	assert_int_equal(memmap_reserve(&map, 0xf0000, 0x100000, MEMMAP_MODULE), 0);
	assert_unchanged();
}

/* Reserving a range partly outside RAM keeps the RAM part of it. */
static void test_reserve_partly_outside_ram(void **state)
{
	(void)state;
	pc();
	assert_int_equal(memmap_reserve(&map, 0x17ff00000ull, 0x200000000ull, MEMMAP_MODULE), 0);
	assert_int_equal(map.count, 9);
	assert_u64_equal(map.regions[7].end, 0x17ff00000ull);
	assert_int_equal(map.regions[7].type, USABLE);
	assert_u64_equal(map.regions[8].base, 0x17ff00000ull);
	assert_u64_equal(map.regions[8].end, 0x180000000ull);
	assert_int_equal(map.regions[8].type, MEMMAP_MODULE);
}

/*
 * Regression (hv/memmap.c, memmap_reserve): as with memmap_claim, an end in the last page
 * of the address space once rounded up to 0 and nothing was reserved; "everything from
 * 4 GiB up" kept all its usable RAM.
 */
static void test_reserve_to_top_of_address_space(void **state)
{
	(void)state;
	pc();
	assert_int_equal(memmap_reserve(&map, 4 * GIB, UINT64_MAX, MEMMAP_MODULE), 0);
	assert_u64_equal(memmap_total(&map, MEMMAP_MODULE), 0x80000000ull);
	assert_u64_equal(memmap_total(&map, USABLE), 0x9f000 + 0x7ee0000);
}

/* --- memmap_find_usable --- */

/* *out is a valid answer: aligned, at or above min, and size bytes of usable RAM. */
static void check_found(uint64_t at, uint64_t size, uint64_t align, uint64_t min)
{
	assert_true(IS_ALIGNED(at, align));
	assert_true(at >= min);
	assert_true(memmap_spans(&map, at, at + size, MEMMAP_TYPE_BIT(USABLE)));
}

static void test_find_usable(void **state)
{
	uint64_t at = 0xdead;

	(void)state;
	pc();
	assert_int_equal(memmap_find_usable(&map, 0x1000, 0x1000, 0, &at), 0);
	check_found(at, 0x1000, 0x1000, 0);
	/* 2 MiB alignment above 0: nothing below 1 MiB qualifies. */
	assert_int_equal(memmap_find_usable(&map, 0x1000, 2 * MIB, 0x1000, &at), 0);
	check_found(at, 0x1000, 2 * MIB, 0x1000);
	assert_u64_equal(at, 2 * MIB);
	/* 1 GiB alignment: only the RAM above 4 GiB has such an address (besides 0). */
	assert_int_equal(memmap_find_usable(&map, 0x1000, GIB, 0x1000, &at), 0);
	check_found(at, 0x1000, GIB, 0x1000);
	assert_u64_equal(at, 4 * GIB);
	/* Exactly as large as a region. */
	assert_int_equal(memmap_find_usable(&map, 0x9f000, 0x1000, 0, &at), 0);
	assert_u64_equal(at, 0);
	/* Too big for the first region but not for a later one. */
	assert_int_equal(memmap_find_usable(&map, 0x100000, 0x1000, 0, &at), 0);
	check_found(at, 0x100000, 0x1000, 0);
	/* A minimum inside a region, unaligned. */
	assert_int_equal(memmap_find_usable(&map, 0x2000, 0x1000, 0x123456, &at), 0);
	check_found(at, 0x2000, 0x1000, 0x123456);
	assert_u64_equal(at, 0x124000);
	/* A minimum that skips the rest of a region whose tail is too small. */
	assert_int_equal(memmap_find_usable(&map, 0x20000, 0x1000, 0x7fd0000, &at), 0);
	check_found(at, 0x20000, 0x1000, 0x7fd0000);
	assert_u64_equal(at, 4 * GIB);
}

static void test_find_usable_none(void **state)
{
	uint64_t at = 0xdead;

	(void)state;
	pc();
	/* Larger than the largest region, though not than the total. */
	assert_int_equal(memmap_find_usable(&map, 0x80001000ull, 0x1000, 0, &at), -ENOMEM);
	/* Above all RAM. */
	assert_int_equal(memmap_find_usable(&map, 0x1000, 0x1000, 0x180000000ull, &at), -ENOMEM);
	/* Aligned higher than any usable address but 0. */
	assert_int_equal(memmap_find_usable(&map, 0x1000, 8 * GIB, 0x1000, &at), -ENOMEM);
	assert_u64_equal(at, 0xdead);
}

/*
 * Regression (hv/memmap.c, memmap_find_usable): ALIGN_UP(MAX(base, min), align) once
 * wrapped to 0 for a min in the last alignment unit of the address space, and 0 was
 * returned although it is below min and not even usable RAM in this map: -ENOMEM.
 */
static void test_find_usable_min_near_top(void **state)
{
	uint64_t at = 0xdead;

	(void)state;
	assert_int_equal(NORMALISE(R(MIB, 15 * MIB, USABLE)), 0);
	assert_int_equal(memmap_find_usable(&map, 0x1000, 0x1000, UINT64_MAX - 0x10, &at), -ENOMEM);
	assert_u64_equal(at, 0xdead);
}

/* --- Capacity --- */

/* Claiming a page in every other page of a region splits it until the map is full. */
static void test_claim_until_full(void **state)
{
	uint32_t claims = 0;
	int err = 0;

	(void)state;
	assert_int_equal(
		NORMALISE(R(0, MIB, USABLE), R(MIB, MIB, RESERVED), R(2 * MIB, 4 * MIB, USABLE)),
		0);
	for (uint64_t at = 2 * MIB + 0x1000; at < 6 * MIB; at += 0x2000) {
		save();
		err = memmap_claim(&map, at, at + 0x1000, MEMMAP_MODULE);
		if (err)
			break;
		claims++;
	}
	assert_int_equal(err, -ENOSPC);
	assert_unchanged();
	assert_contains(map.error, "more than");
	/* Each successful claim added two regions to the three the map started with. */
	assert_int_equal(map.count, 3 + 2 * claims);
	assert_true(map.count + 2 > MEMMAP_MAX);
	assert_int_equal(memmap_count(&map, MEMMAP_MODULE), claims);
	check_invariants();
	/* A split near the start fails as well: the regions after it no longer fit. */
	save();
	assert_int_equal(memmap_claim(&map, 0x2000, 0x3000, MEMMAP_HV_DATA), -ENOSPC);
	assert_unchanged();
	/* A claim that adds no region (it grows a neighbour) still works. */
	assert_int_equal(memmap_claim(&map, 2 * MIB, 2 * MIB + 0x1000, MEMMAP_MODULE), 0);
	assert_int_equal(map.count, 2 + 2 * claims);
	check_invariants();
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sorts_unsorted_input),
		T(test_reserved_inside_usable_wins),
		T(test_reserved_before_usable_wins),
		T(test_partial_overlaps),
		T(test_usable_over_reserved_loses),
		T(test_nested_overlaps),
		T(test_zero_length_dropped),
		T(test_adjacent_same_type_merged),
		T(test_overlapping_same_type_merged),
		T(test_unaligned_usable_shrunk),
		T(test_usable_shrunk_around_reserved),
		T(test_wrapping_region_refused),
		T(test_unknown_type_refused),
		T(test_no_usable_ram_refused),
		T(test_too_many_regions_refused),
		T(test_total_and_count),
		T(test_type_names),
		T(test_spans),
		T(test_claim_splits_usable),
		T(test_claim_rounds_to_pages),
		T(test_claim_across_merged_regions),
		T(test_claim_outside_usable_refused),
		T(test_claim_end_before_base_refused),
		T(test_claim_end_near_top_of_address_space),
		T(test_reserve_leaves_other_types),
		T(test_reserve_partly_outside_ram),
		T(test_reserve_to_top_of_address_space),
		T(test_find_usable),
		T(test_find_usable_none),
		T(test_find_usable_min_near_top),
		T(test_claim_until_full),
	};

	return unit_run(tests);
}
