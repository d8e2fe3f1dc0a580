/*
 * Radix page tables (arch/x86_64/pt.c) in two formats, x86 paging (2 MiB leaves at most)
 * and EPT (1 GiB leaves): leaf sizes chosen by alignment, lookups inside large pages, the
 * rules for mapping over existing entries, and argument and allocation errors. Tables are
 * host memory whose address serves as the "physical" one.
 */
#include "unit.h"

#include <arch/pt.h>

#include <stdlib.h>

#define X86_P (1ull << 0)
#define X86_RW (1ull << 1)
#define X86_NX (1ull << 63)
#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_WB (6ull << 3)

static const struct pt_format x86_format = {
	.table_flags = X86_P | X86_RW,
	.present_mask = X86_P,
	.max_leaf_level = 2,
};

static const struct pt_format ept_format = {
	.table_flags = EPT_R | EPT_W | EPT_X,
	.present_mask = EPT_R | EPT_W | EPT_X,
	.max_leaf_level = 3,
};

/* Every table handed out, to free them and to count allocations; budget < 0: unlimited. */
#define MAX_TABLES 256
static uint64_t *tables[MAX_TABLES];
static unsigned int table_count;
static int budget;

static int alloc_table(hpa_t *out)
{
	uint64_t *t;

	if (budget == 0)
		return -ENOMEM;
	assert_true(table_count < MAX_TABLES);
	t = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_non_null(t);
	memset(t, 0, PAGE_SIZE);
	tables[table_count++] = t;
	if (budget > 0)
		budget--;
	*out = (hpa_t)(uintptr_t)t;
	return 0;
}

static uint64_t *table_ptr(hpa_t pa)
{
	/* Only addresses that alloc_table gave out are ever tables. */
	for (unsigned int i = 0; i < table_count; i++)
		if ((uintptr_t)tables[i] == pa)
			return tables[i];
	fail_msg("table_ptr(0x%llx): not a table", (unsigned long long)pa);
	return NULL;
}

static struct pt pt;
static unsigned int freed; /* tables given back by pt_unmap (kept allocated until teardown) */

static void free_table(hpa_t pa)
{
	table_ptr(pa);					/* must be one of ours */
	memset((void *)(uintptr_t)pa, 0xee, PAGE_SIZE); /* a later use shows up as garbage */
	freed++;
}

static void init(const struct pt_format *fmt)
{
	pt = (struct pt){ .fmt = fmt, .alloc_table = alloc_table, .table_ptr = table_ptr };
	assert_int_equal(pt_init(&pt), 0);
	assert_int_equal(table_count, 1);
}

static int setup(void **state)
{
	(void)state;
	table_count = 0;
	budget = -1;
	freed = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < table_count; i++)
		free(tables[i]);
	table_count = 0;
	return 0;
}

/* Checks that va maps to pa with a leaf of level and the given flags. */
static void expect_leaf(uint64_t va, uint64_t pa, int level, uint64_t flags)
{
	uint64_t got_pa = 0, got_flags = 0;
	int got_level = 0;

	if (pt_lookup(&pt, va, &got_pa, &got_flags, &got_level))
		fail_msg("va 0x%llx is not mapped", (unsigned long long)va);
	if (got_pa != pa || got_level != level)
		fail_msg("va 0x%llx maps to 0x%llx at level %d, expected 0x%llx at level %d",
			 (unsigned long long)va, (unsigned long long)got_pa, got_level,
			 (unsigned long long)pa, level);
	assert_u64_equal(got_flags, flags | (level > 1 ? PT_LARGE : 0));
}

static void expect_unmapped(uint64_t va)
{
	uint64_t pa, flags;
	int level;

	assert_int_equal(pt_lookup(&pt, va, &pa, &flags, &level), -ENOENT);
}

/* --- Leaf sizes --- */

static void test_empty_lookup(void **state)
{
	(void)state;
	init(&x86_format);
	expect_unmapped(0);
	expect_unmapped(0x7ffffffff000ull);
}

/* [2M - 8K, 6M + 8K): 4 KiB at both unaligned edges, 2 MiB leaves in between. */
static void test_x86_leaf_sizes(void **state)
{
	const uint64_t va = 2 * MIB - 0x2000, pa = GIB + va, fl = X86_P | X86_RW;

	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, va, pa, 4 * MIB + 0x4000, fl), 0);
	expect_unmapped(va - 0x1000);
	expect_leaf(va, pa, 1, fl);
	expect_leaf(va + 0x1000, pa + 0x1000, 1, fl);
	expect_leaf(2 * MIB, GIB + 2 * MIB, 2, fl);
	expect_leaf(2 * MIB + 0x1234, GIB + 2 * MIB + 0x1234, 2, fl); /* offset inside 2M */
	expect_leaf(4 * MIB + 0x1fffff, GIB + 4 * MIB + 0x1fffff, 2, fl);
	expect_leaf(6 * MIB, GIB + 6 * MIB, 1, fl);
	expect_leaf(6 * MIB + 0x1fff, GIB + 6 * MIB + 0x1fff, 1, fl);
	expect_unmapped(6 * MIB + 0x2000);
}

/* x86 paging here stops at 2 MiB leaves even for a whole aligned GiB. */
static void test_x86_no_1g_leaves(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, GIB, 2 * GIB, GIB, X86_P), 0);
	expect_leaf(GIB, 2 * GIB, 2, X86_P);
	expect_leaf(2 * GIB - 1, 3 * GIB - 1, 2, X86_P);
	expect_unmapped(2 * GIB);
	/* PML4, PDPT, one PD: 512 2 MiB leaves need no page table. */
	assert_int_equal(table_count, 3);
}

/* Large leaves need va and pa both aligned: a pa off by 4 KiB forces 4 KiB pages. */
static void test_misaligned_pa_uses_4k(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB + 0x1000, 2 * MIB, X86_P), 0);
	expect_leaf(2 * MIB, 2 * MIB + 0x1000, 1, X86_P);
	expect_leaf(4 * MIB - 0x1000, 4 * MIB, 1, X86_P);
}

/* Large leaves also need size: 2 MiB aligned but 1 MiB long is 4 KiB pages. */
static void test_short_aligned_uses_4k(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, MIB, X86_P), 0);
	expect_leaf(2 * MIB, 2 * MIB, 1, X86_P);
	expect_leaf(3 * MIB - 0x1000, 3 * MIB - 0x1000, 1, X86_P);
	expect_unmapped(3 * MIB);
}

static void test_flags_kept(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 0x1000, 0x5000, 0x1000, X86_P | X86_NX), 0);
	expect_leaf(0x1000, 0x5000, 1, X86_P | X86_NX);
	assert_int_equal(pt_map(&pt, 0x200000, 0x200000, 0x200000, X86_P | X86_RW | X86_NX), 0);
	expect_leaf(0x234567, 0x234567, 2, X86_P | X86_RW | X86_NX);
}

/* A table entry carries the format's table flags and the next table's address. */
static void test_table_entries(void **state)
{
	uint64_t *root, e;

	(void)state;
	init(&ept_format);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, EPT_R), 0);
	root = table_ptr(pt.root);
	e = root[0];
	assert_u64_equal(e & ~PT_ADDR_MASK, ept_format.table_flags);
	assert_u64_equal(e & PT_ADDR_MASK, (uintptr_t)tables[1]);
	for (unsigned int i = 1; i < 512; i++)
		assert_u64_equal(root[i], 0);
	/* A second page in the same 2 MiB shares every table. */
	assert_int_equal(table_count, 4);
	assert_int_equal(pt_map(&pt, 0x2000, 0x9000, 0x1000, EPT_R), 0);
	assert_int_equal(table_count, 4);
	expect_leaf(0x2000, 0x9000, 1, EPT_R);
	expect_leaf(0x1000, 0x1000, 1, EPT_R);
}

/* [1G, 2G + 2M + 4K) in EPT: one 1 GiB leaf, one 2 MiB leaf, one 4 KiB leaf. */
static void test_ept_leaf_sizes(void **state)
{
	const uint64_t fl = EPT_R | EPT_W | EPT_X | EPT_WB;

	(void)state;
	init(&ept_format);
	assert_int_equal(pt_map(&pt, GIB, 5 * GIB, GIB + 2 * MIB + 0x1000, fl), 0);
	expect_leaf(GIB, 5 * GIB, 3, fl);
	expect_leaf(GIB + 0x12345678, 5 * GIB + 0x12345678, 3, fl); /* offset inside 1G */
	expect_leaf(2 * GIB - 1, 6 * GIB - 1, 3, fl);
	expect_leaf(2 * GIB, 6 * GIB, 2, fl);
	expect_leaf(2 * GIB + 0x1fffff, 6 * GIB + 0x1fffff, 2, fl);
	expect_leaf(2 * GIB + 2 * MIB, 6 * GIB + 2 * MIB, 1, fl);
	expect_unmapped(2 * GIB + 2 * MIB + 0x1000);
	expect_unmapped(GIB - 0x1000);
}

/* EPT entries with only some permission bits are present; with none they are not. */
static void test_ept_present_mask(void **state)
{
	(void)state;
	init(&ept_format);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, EPT_X), 0);
	expect_leaf(0x1000, 0x1000, 1, EPT_X);
	assert_int_equal(pt_map(&pt, 0x2000, 0x2000, 0x1000, EPT_W | EPT_R), 0);
	expect_leaf(0x2000, 0x2000, 1, EPT_R | EPT_W);
	assert_int_equal(pt_map(&pt, 0x3000, 0x3000, 0x1000, EPT_WB), 0); /* no permission */
	expect_unmapped(0x3000);
}

/* An address with bits above 47 set: the walk uses bits 47:12 and maps the high half too. */
static void test_high_half(void **state)
{
	const uint64_t va = 0xffffffff80000000ull;

	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, va, 0x100000, 4 * MIB, X86_P | X86_RW), 0);
	expect_leaf(va, 0x100000, 1, X86_P | X86_RW); /* pa not 2 MiB aligned */
	expect_leaf(va + 4 * MIB - 0x1000, 0x4ff000, 1, X86_P | X86_RW);
	expect_unmapped(0x80000000);
}

/* --- Mapping over existing entries --- */

static void test_remap_same_is_noop(void **state)
{
	unsigned int tables_before;

	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 2 * MIB - 0x1000, 0x40000000 + 2 * MIB - 0x1000,
				2 * MIB + 0x2000, X86_P | X86_RW),
			 0);
	tables_before = table_count;
	assert_int_equal(pt_map(&pt, 2 * MIB - 0x1000, 0x40000000 + 2 * MIB - 0x1000,
				2 * MIB + 0x2000, X86_P | X86_RW),
			 0);
	assert_int_equal(table_count, tables_before);
	expect_leaf(2 * MIB - 0x1000, 0x40000000 + 2 * MIB - 0x1000, 1, X86_P | X86_RW);
	expect_leaf(2 * MIB, 0x40000000 + 2 * MIB, 2, X86_P | X86_RW);
}

static void test_remap_different_refused(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, X86_P | X86_RW), 0);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, 0x1000, X86_P | X86_RW), -EEXIST);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, X86_P), -EEXIST);
	expect_leaf(0x1000, 0x1000, 1, X86_P | X86_RW);

	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, X86_P), 0);
	assert_int_equal(pt_map(&pt, 2 * MIB, 4 * MIB, 2 * MIB, X86_P), -EEXIST);
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, X86_P | X86_NX), -EEXIST);
	expect_leaf(2 * MIB, 2 * MIB, 2, X86_P);
}

/* A 4 KiB request that an identical 2 MiB leaf already covers is a no-op ... */
static void test_4k_inside_identical_2m(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 2 * MIB, 8 * MIB, 2 * MIB, X86_P | X86_RW), 0);
	assert_int_equal(pt_map(&pt, 2 * MIB + 0x5000, 8 * MIB + 0x5000, 0x3000, X86_P | X86_RW),
			 0);
	expect_leaf(2 * MIB + 0x5000, 8 * MIB + 0x5000, 2, X86_P | X86_RW);
	assert_int_equal(table_count, 3);
}

/* ... but one with another address or other flags is not. */
static void test_4k_inside_different_2m_refused(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 2 * MIB, 8 * MIB, 2 * MIB, X86_P | X86_RW), 0);
	assert_int_equal(pt_map(&pt, 2 * MIB + 0x5000, 8 * MIB + 0x6000, 0x1000, X86_P | X86_RW),
			 -EEXIST);
	assert_int_equal(pt_map(&pt, 2 * MIB + 0x5000, 8 * MIB + 0x5000, 0x1000, X86_P), -EEXIST);
	expect_leaf(2 * MIB + 0x5000, 8 * MIB + 0x5000, 2, X86_P | X86_RW);
}

static void test_2m_inside_identical_1g(void **state)
{
	const uint64_t fl = EPT_R | EPT_W;

	(void)state;
	init(&ept_format);
	assert_int_equal(pt_map(&pt, GIB, GIB, GIB, fl), 0);
	assert_int_equal(pt_map(&pt, GIB + 6 * MIB, GIB + 6 * MIB, 2 * MIB, fl), 0);
	assert_int_equal(pt_map(&pt, GIB + 0x3000, GIB + 0x3000, 0x1000, fl), 0);
	assert_int_equal(pt_map(&pt, GIB + 6 * MIB, GIB + 8 * MIB, 2 * MIB, fl), -EEXIST);
	expect_leaf(GIB + 6 * MIB, GIB + 6 * MIB, 3, fl);
}

/* A large leaf where smaller pages are already mapped is refused. */
static void test_2m_over_4k_refused(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 2 * MIB + 0x1000, 2 * MIB + 0x1000, 0x1000, X86_P), 0);
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, X86_P), -EEXIST);
	expect_leaf(2 * MIB + 0x1000, 2 * MIB + 0x1000, 1, X86_P);
	expect_unmapped(2 * MIB);
}

/* --- Errors --- */

static void test_unaligned_refused(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 0x1001, 0x1000, 0x1000, X86_P), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1800, 0x1000, X86_P), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1001, X86_P), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x800, X86_P), -EINVAL);
	expect_unmapped(0x1000);
	assert_int_equal(table_count, 1);
}

static void test_flags_with_address_bits_refused(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, X86_P | 0x2000), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, X86_P | (1ull << 51)), -EINVAL);
	expect_unmapped(0x1000);
}

static void test_wrapping_range_refused(void **state)
{
	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 0xfffffffffffff000ull, 0x1000, 0x2000, X86_P), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0xfffffffffffff000ull, 0x2000, X86_P), -EINVAL);
	expect_unmapped(0x1000);
	assert_int_equal(table_count, 1);
}

static void test_alloc_failure(void **state)
{
	(void)state;
	budget = 0;
	pt = (struct pt){ .fmt = &x86_format, .alloc_table = alloc_table, .table_ptr = table_ptr };
	assert_int_equal(pt_init(&pt), -ENOMEM);

	budget = -1;
	init(&x86_format);
	budget = 0;
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, X86_P), -ENOMEM);
	expect_unmapped(0x1000);
	/* Out of memory half-way down: the error is still -ENOMEM and nothing is mapped. */
	budget = 2;
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, X86_P), -ENOMEM);
	expect_unmapped(0x1000);
	/* With the tables that did get allocated, one more is enough. */
	budget = 1;
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, X86_P), 0);
	expect_leaf(0x1000, 0x1000, 1, X86_P);
}

/* A 2 MiB leaf needs no page table: it fits the budget a 4 KiB page does not. */
static void test_alloc_large_leaf_needs_fewer_tables(void **state)
{
	(void)state;
	init(&x86_format);
	budget = 2;
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, X86_P), 0);
	budget = 0;
	assert_int_equal(pt_map(&pt, 4 * MIB, 4 * MIB, 0x1000, X86_P), -ENOMEM);
	expect_leaf(2 * MIB, 2 * MIB, 2, X86_P);
	expect_unmapped(4 * MIB);
}

/* pt_unmap gives back the tables it empties (not the root) and nothing else. */
static void test_unmap_frees_emptied_tables(void **state)
{
	uint64_t pa, flags;
	int level;

	(void)state;
	init(&ept_format);
	pt.free_table = free_table;
	/* A 4 KiB page at 1 GiB: a PDPT, a PD and a PT below the root. */
	assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, PAGE_SIZE, 7), 0);
	assert_int_equal(table_count, 4);
	/* A second page in the same PT keeps the tables alive after the first goes. */
	assert_int_equal(pt_map(&pt, 0x40001000, 0x80001000, PAGE_SIZE, 7), 0);
	assert_int_equal(pt_unmap(&pt, 0x40000000, PAGE_SIZE), 0);
	assert_int_equal(freed, 0);
	assert_int_equal(pt_lookup(&pt, 0x40001000, &pa, &flags, &level), 0);
	/* The last page goes: PT, PD and PDPT are freed, the root stays. */
	assert_int_equal(pt_unmap(&pt, 0x40001000, PAGE_SIZE), 0);
	assert_int_equal(freed, 3);
	assert_int_equal(pt_lookup(&pt, 0x40001000, &pa, &flags, &level), -ENOENT);
	/* No stale table is left in the way: a 2 MiB leaf can take the place now. */
	assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, 2 * 1024 * 1024, 7), 0);
	expect_leaf(0x40000000, 0x80000000, 2, 7);
}

/* Map/unmap cycles at fresh addresses do not grow the tables (nothing leaks). */
static void test_unmap_cycles_do_not_leak(void **state)
{
	(void)state;
	init(&ept_format);
	pt.free_table = free_table;
	for (uint64_t i = 0; i < 50; i++) {
		uint64_t va = 0x40000000 + i * (2ull << 20);

		assert_int_equal(pt_map(&pt, va, 0x80000000, PAGE_SIZE, 7), 0);
		assert_int_equal(pt_unmap(&pt, va, PAGE_SIZE), 0);
	}
	assert_int_equal(table_count - 1, freed); /* every table but the root came back */
}

/* A range that would cut a leaf, or that has a hole, is refused and nothing is removed. */
static void test_unmap_refuses_partial_leaves_and_holes(void **state)
{
	(void)state;
	init(&ept_format);
	pt.free_table = free_table;
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, 7), 0);
	assert_int_equal(pt_map(&pt, 8 * MIB, 8 * MIB, PAGE_SIZE, 7), 0);
	assert_int_equal(pt_unmap(&pt, 2 * MIB, PAGE_SIZE), -EINVAL);
	assert_int_equal(pt_unmap(&pt, 2 * MIB + PAGE_SIZE, PAGE_SIZE), -EINVAL);
	/* The 2 MiB leaf is whole, the page after it is not mapped: -ENOENT. */
	assert_int_equal(pt_unmap(&pt, 2 * MIB, 2 * MIB + PAGE_SIZE), -ENOENT);
	expect_leaf(2 * MIB, 2 * MIB, 2, 7);
	expect_leaf(8 * MIB, 8 * MIB, 1, 7);
	assert_int_equal(freed, 0);
	assert_int_equal(pt_unmap(&pt, 2 * MIB, 2 * MIB), 0);
	expect_unmapped(2 * MIB);
}

/* pt_destroy gives back every table, the root included, and leaves pt empty. */
static void test_destroy_frees_every_table(void **state)
{
	(void)state;
	init(&ept_format);
	pt.free_table = free_table;
	assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, PAGE_SIZE, 7), 0);
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, 7), 0);
	pt_destroy(&pt);
	assert_int_equal(freed, table_count);
	assert_int_equal(pt.root, 0);
}

/*
 * pt_split: a 1 GiB leaf down to 4 KiB pages around one page, the rest of the gigabyte as it
 * was (2 MiB leaves beside, 4 KiB pages in the split 2 MiB), flags kept; then that page alone
 * can be unmapped, a guard page. Splitting a 4 KiB page is a no-op; an unmapped one -ENOENT.
 */
static void test_split_down_to_a_page(void **state)
{
	const uint64_t fl = EPT_R | EPT_W | EPT_WB, page = GIB + 6 * MIB + 5 * PAGE_SIZE;

	(void)state;
	init(&ept_format);
	pt.free_table = free_table;
	assert_int_equal(pt_map(&pt, GIB, 3 * GIB, GIB, fl), 0);
	assert_int_equal(table_count, 2); /* the root, and the PDPT holding the 1 GiB leaf */
	assert_int_equal(pt_split(&pt, page), 0);
	assert_int_equal(table_count, 4); /* a PD of 2 MiB leaves, then a PT of 4 KiB pages */
	expect_leaf(GIB, 3 * GIB, 2, fl);
	expect_leaf(GIB + 4 * MIB, 3 * GIB + 4 * MIB, 2, fl);
	expect_leaf(GIB + 6 * MIB, 3 * GIB + 6 * MIB, 1, fl);
	expect_leaf(page, 3 * GIB + 6 * MIB + 5 * PAGE_SIZE, 1, fl);
	expect_leaf(GIB + 8 * MIB - PAGE_SIZE, 3 * GIB + 8 * MIB - PAGE_SIZE, 1, fl);
	expect_leaf(2 * GIB - 2 * MIB, 4 * GIB - 2 * MIB, 2, fl);
	assert_int_equal(pt_split(&pt, page), 0); /* a page already */
	assert_int_equal(table_count, 4);
	assert_int_equal(pt_unmap(&pt, page, PAGE_SIZE), 0);
	expect_unmapped(page);
	expect_leaf(page - PAGE_SIZE, 3 * GIB + 6 * MIB + 4 * PAGE_SIZE, 1, fl);
	expect_leaf(page + PAGE_SIZE, 3 * GIB + 6 * MIB + 6 * PAGE_SIZE, 1, fl);
	assert_int_equal(pt_split(&pt, page), -ENOENT);
	assert_int_equal(pt_split(&pt, 5 * GIB), -ENOENT);
}

/* x86 paging's 2 MiB leaf: the 4 KiB pages carry no size bit; out of tables, nothing lost. */
static void test_split_2m_x86(void **state)
{
	const uint64_t fl = X86_P | X86_RW | X86_NX;

	(void)state;
	init(&x86_format);
	assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, fl), 0);
	budget = 0;
	assert_int_equal(pt_split(&pt, 3 * MIB), -ENOMEM);
	expect_leaf(3 * MIB, 3 * MIB, 2, fl);
	budget = -1;
	assert_int_equal(pt_split(&pt, 3 * MIB), 0);
	expect_leaf(3 * MIB, 3 * MIB, 1, fl);
	expect_leaf(2 * MIB, 2 * MIB, 1, fl);
	expect_leaf(4 * MIB - PAGE_SIZE, 4 * MIB - PAGE_SIZE, 1, fl);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty_lookup),
		T(test_unmap_refuses_partial_leaves_and_holes),
		T(test_destroy_frees_every_table),
		T(test_x86_leaf_sizes),
		T(test_x86_no_1g_leaves),
		T(test_misaligned_pa_uses_4k),
		T(test_short_aligned_uses_4k),
		T(test_flags_kept),
		T(test_table_entries),
		T(test_ept_leaf_sizes),
		T(test_ept_present_mask),
		T(test_high_half),
		T(test_remap_same_is_noop),
		T(test_remap_different_refused),
		T(test_4k_inside_identical_2m),
		T(test_4k_inside_different_2m_refused),
		T(test_2m_inside_identical_1g),
		T(test_2m_over_4k_refused),
		T(test_unaligned_refused),
		T(test_flags_with_address_bits_refused),
		T(test_wrapping_range_refused),
		T(test_alloc_failure),
		T(test_alloc_large_leaf_needs_fewer_tables),
		T(test_unmap_frees_emptied_tables),
		T(test_unmap_cycles_do_not_leak),
		T(test_split_down_to_a_page),
		T(test_split_2m_x86),
	};

	return unit_run(tests);
}
