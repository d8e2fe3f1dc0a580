/*
 * The bitmap frame allocator (hv/frame.c) over a map with holes and reserved ranges: it hands
 * out exactly the usable frames, each once, aligned and contiguous as asked, and refuses bad
 * frees and requests without changing anything (fake physical addresses, host bitmap).
 */
#include "unit.h"

#include <hv/frame.h>

#include <stdlib.h>

static struct memmap map;
static struct frame_allocator fa;
static uint64_t *bitmap;
static size_t bitmap_bytes;

/* The allocator's whole state, to prove a refused call changed nothing. */
static struct frame_allocator saved_fa;
static uint64_t *saved_bitmap;

#define R(base, len, type)                                                                         \
	{                                                                                          \
		(base), (len), (type), 0                                                           \
	}

/*
 * 1 MiB..8 MiB usable but for a claimed hole, a reserved range inside it, a hole in the
 * address space, a usable range that is not 2 MiB aligned and ACPI tables.
 */
static const struct handoff_mem_region raw_map[] = {
	R(0x1000, 0x9e000, HANDOFF_MEM_USABLE),	    /* frames 1..158 */
	R(0x9fc00, 0x60400, HANDOFF_MEM_RESERVED),  /* up to 1 MiB */
	R(0x100000, 0x700000, HANDOFF_MEM_USABLE),  /* 1 MiB..8 MiB */
	R(0x480000, 0x10000, HANDOFF_MEM_RESERVED), /* inside it */
	R(0x1000000, 0x7ff000, HANDOFF_MEM_USABLE), /* 16 MiB..24 MiB - 4 KiB: after a hole */
	R(0x17ff000, 0x1000, HANDOFF_MEM_ACPI_RECLAIM),
	R(0x1a03000, 0x5fd000, HANDOFF_MEM_USABLE), /* unaligned start and end in 2 MiB */
};

static void init_map(const struct handoff_mem_region *in, uint32_t n)
{
	assert_int_equal(memmap_normalise(&map, in, n), 0);
	bitmap_bytes = frame_bitmap_bytes(&map);
	free(bitmap);
	bitmap = malloc(bitmap_bytes ? bitmap_bytes : 1);
	assert_non_null(bitmap);
	memset(bitmap, 0x5a, bitmap_bytes);
	frame_init(&fa, &map, bitmap);
}

static int setup(void **state)
{
	(void)state;
	init_map(raw_map, ARRAY_SIZE(raw_map));
	/* Carved out after normalisation, as mm.c does for the image: a hole in usable RAM. */
	assert_int_equal(memmap_claim(&map, 0x200000, 0x210000, MEMMAP_HV_IMAGE), 0);
	bitmap_bytes = frame_bitmap_bytes(&map);
	frame_init(&fa, &map, bitmap);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(bitmap);
	bitmap = NULL;
	free(saved_bitmap);
	saved_bitmap = NULL;
	return 0;
}

static int is_usable(uint64_t base, uint64_t end)
{
	return memmap_spans(&map, base, end, MEMMAP_TYPE_BIT(HANDOFF_MEM_USABLE));
}

static uint64_t usable_frames(void)
{
	return memmap_total(&map, HANDOFF_MEM_USABLE) / PAGE_SIZE;
}

static void save(void)
{
	saved_fa = fa;
	free(saved_bitmap);
	saved_bitmap = malloc(bitmap_bytes);
	assert_non_null(saved_bitmap);
	memcpy(saved_bitmap, bitmap, bitmap_bytes);
}

static void assert_unchanged(void)
{
	assert_memory_equal(&saved_fa, &fa, sizeof(fa));
	assert_memory_equal(saved_bitmap, bitmap, bitmap_bytes);
	free(saved_bitmap);
	saved_bitmap = NULL;
}

/* Per-frame ownership of the test's own, to find frames handed out twice. */
#define MAX_FRAME (0x2000000 / PAGE_SIZE)
static uint8_t owned[MAX_FRAME];

static void take(uint64_t addr, uint64_t count)
{
	assert_true(addr / PAGE_SIZE + count <= MAX_FRAME);
	for (uint64_t k = 0; k < count; k++) {
		if (owned[addr / PAGE_SIZE + k])
			fail_msg("frame 0x%llx handed out twice",
				 (unsigned long long)(addr + k * PAGE_SIZE));
		owned[addr / PAGE_SIZE + k] = 1;
	}
}

/* Allocates runs of count frames aligned to align until -ENOMEM; returns how many. */
static uint64_t alloc_all(uint64_t count, uint64_t align)
{
	uint64_t n = 0;
	hpa_t at;
	int err;

	memset(owned, 0, sizeof(owned));
	while ((err = frame_alloc(&fa, count, align, &at)) == 0) {
		if (!IS_ALIGNED(at, align))
			fail_msg("0x%llx is not aligned to 0x%llx", (unsigned long long)at,
				 (unsigned long long)align);
		if (!is_usable(at, at + count * PAGE_SIZE))
			fail_msg("[0x%llx, +%llu frames) is not all usable RAM",
				 (unsigned long long)at, (unsigned long long)count);
		take(at, count);
		n++;
	}
	assert_int_equal(err, -ENOMEM);
	return n;
}

/* Runs of count frames aligned to align that fit in usable RAM without overlapping. */
static uint64_t expected_runs(uint64_t count, uint64_t align)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < map.count; i++) {
		const struct memmap_region *r = &map.regions[i];

		if (r->type != HANDOFF_MEM_USABLE)
			continue;
		for (uint64_t at = ALIGN_UP(r->base, align); at + count * PAGE_SIZE <= r->end;
		     at = ALIGN_UP(at + count * PAGE_SIZE, align))
			n++;
	}
	return n;
}

/* After -ENOMEM: no aligned run of count usable frames is left that nobody owns. */
static void assert_no_fit_left(uint64_t count, uint64_t align)
{
	for (uint32_t i = 0; i < map.count; i++) {
		const struct memmap_region *r = &map.regions[i];

		if (r->type != HANDOFF_MEM_USABLE)
			continue;
		for (uint64_t at = ALIGN_UP(r->base, align); at + count * PAGE_SIZE <= r->end;
		     at += align) {
			uint64_t k = 0;

			while (k < count && !owned[at / PAGE_SIZE + k])
				k++;
			if (k == count)
				fail_msg("-ENOMEM, but [0x%llx, +%llu frames) is free",
					 (unsigned long long)at, (unsigned long long)count);
		}
	}
}

/* --- Set-up --- */

static void test_bitmap_bytes(void **state)
{
	struct memmap m = { 0 };

	(void)state;
	/* Frames 1 .. 0x1fff: one bit each from the first to the last usable frame. */
	assert_int_equal(frame_bitmap_bytes(&map), ALIGN_UP(0x2000 - 1, 64) / 8);
	m.count = 1;
	m.regions[0] = (struct memmap_region){ MIB, 2 * MIB, HANDOFF_MEM_USABLE, 0 };
	assert_int_equal(frame_bitmap_bytes(&m), 256 / 8);
	m.regions[0].end = MIB + 0x1000; /* one frame: still a whole 64-bit word */
	assert_int_equal(frame_bitmap_bytes(&m), 8);
	m.regions[0].type = HANDOFF_MEM_RESERVED;
	assert_int_equal(frame_bitmap_bytes(&m), 0);
	m.count = 0;
	assert_int_equal(frame_bitmap_bytes(&m), 0);
}

static void test_init_free_count(void **state)
{
	(void)state;
	assert_u64_equal(fa.free, usable_frames());
	assert_u64_equal(fa.free, 158 + (0x700 - 0x10 - 0x10) + 0x7ff + 0x5fd);
}

static void test_is_free(void **state)
{
	(void)state;
	assert_true(frame_is_free(&fa, 0x1000));
	assert_true(frame_is_free(&fa, 0x9e000));
	assert_true(frame_is_free(&fa, 0x100fff));   /* any byte of the frame */
	assert_false(frame_is_free(&fa, 0x0));	     /* below the first usable frame */
	assert_false(frame_is_free(&fa, 0x9f000));   /* partly reserved */
	assert_false(frame_is_free(&fa, 0xa0000));   /* reserved */
	assert_false(frame_is_free(&fa, 0x480000));  /* reserved inside usable */
	assert_false(frame_is_free(&fa, 0x208000));  /* claimed for the image */
	assert_false(frame_is_free(&fa, 0x900000));  /* a hole */
	assert_false(frame_is_free(&fa, 0x17ff000)); /* ACPI tables */
	assert_true(frame_is_free(&fa, 0x1fff000));  /* the last usable frame */
	assert_false(frame_is_free(&fa, 0x2000000)); /* past the last usable frame */
	assert_false(frame_is_free(&fa, 0x100000000ull));
}

/* --- Allocation --- */

/* Every usable frame exactly once, nothing else, and then -ENOMEM. */
static void test_alloc_every_frame_once(void **state)
{
	uint64_t initial = fa.free;
	hpa_t at = 0xdead;

	(void)state;
	assert_u64_equal(alloc_all(1, PAGE_SIZE), initial);
	assert_u64_equal(fa.free, 0);
	assert_int_equal(frame_alloc(&fa, 1, PAGE_SIZE, &at), -ENOMEM);
	assert_u64_equal(at, 0xdead);
	for (uint64_t f = 0; f < MAX_FRAME; f++)
		assert_int_equal(owned[f], is_usable(f * PAGE_SIZE, (f + 1) * PAGE_SIZE));
}

static void test_alloc_2m_aligned(void **state)
{
	uint64_t initial = fa.free;
	uint64_t n;

	(void)state;
	n = alloc_all(512, 2 * MIB);
	/* 2..4 MiB has the image in it, 4..6 MiB a reserved range, 22..24 MiB ACPI tables at
	 * its end: only 6..8, 16..18, 18..20, 20..22, 28..30 and 30..32 MiB. */
	assert_u64_equal(n, expected_runs(512, 2 * MIB));
	assert_u64_equal(n, 1 + 3 + 2);
	assert_u64_equal(fa.free, initial - n * 512);
}

/* One aligned frame per 2 MiB: alignment without contiguity. */
static void test_alloc_aligned_single_frames(void **state)
{
	(void)state;
	assert_u64_equal(alloc_all(1, 2 * MIB), expected_runs(1, 2 * MIB));
}

static void test_alloc_aligned_64k_runs(void **state)
{
	(void)state;
	assert_u64_equal(alloc_all(16, 64 * KIB), expected_runs(16, 64 * KIB));
}

/* Runs of an awkward length never straddle a hole, a reserved range or the image. */
static void test_alloc_contiguous_never_spans_hole(void **state)
{
	uint64_t n;

	(void)state;
	n = alloc_all(7, PAGE_SIZE);
	assert_true(n >= usable_frames() / 7 - map.count);
	assert_no_fit_left(7, PAGE_SIZE);
}

static void test_alloc_larger_than_any_run(void **state)
{
	hpa_t at = 0xdead;

	(void)state;
	save();
	/* 16..24 MiB less the ACPI frame is the longest run: 0x7ff frames. */
	assert_int_equal(frame_alloc(&fa, 0x800, PAGE_SIZE, &at), -ENOMEM);
	assert_unchanged();
	assert_int_equal(frame_alloc(&fa, 0x7ff, PAGE_SIZE, &at), 0);
	assert_u64_equal(at, 0x1000000);
	assert_int_equal(frame_alloc(&fa, fa.free + 1, PAGE_SIZE, &at), -ENOMEM);
}

static void expect_refused(uint64_t count, uint64_t align)
{
	hpa_t at = 0xdead;

	save();
	assert_int_not_equal(frame_alloc(&fa, count, align, &at), 0);
	assert_unchanged();
	assert_u64_equal(at, 0xdead);
}

static void test_alloc_bad_requests_refused(void **state)
{
	(void)state;
	expect_refused(0, PAGE_SIZE);
	expect_refused(1, 0);
	expect_refused(1, 2048);	  /* below a page */
	expect_refused(1, 3 * PAGE_SIZE); /* not a power of two */
	expect_refused(1, 6 * PAGE_SIZE);
	expect_refused(1, PAGE_SIZE + 1);
	expect_refused(UINT64_MAX, PAGE_SIZE);
}

/* --- Freeing --- */

static void test_free_then_realloc(void **state)
{
	uint64_t initial = fa.free;
	hpa_t a, b2;

	(void)state;
	assert_int_equal(frame_alloc(&fa, 4, PAGE_SIZE, &a), 0);
	assert_u64_equal(fa.free, initial - 4);
	for (int k = 0; k < 4; k++)
		assert_false(frame_is_free(&fa, a + k * PAGE_SIZE));
	assert_int_equal(frame_free(&fa, a, 4), 0);
	assert_u64_equal(fa.free, initial);
	for (int k = 0; k < 4; k++)
		assert_true(frame_is_free(&fa, a + k * PAGE_SIZE));
	/* After freeing everything, everything can be allocated again. */
	assert_u64_equal(alloc_all(1, PAGE_SIZE), initial);
	for (uint64_t f = 0; f < MAX_FRAME; f++)
		if (owned[f])
			assert_int_equal(frame_free(&fa, f * PAGE_SIZE, 1), 0);
	assert_u64_equal(fa.free, initial);
	assert_int_equal(frame_alloc(&fa, 0x7ff, PAGE_SIZE, &b2), 0);
}

/* Every other frame freed: single frames come back, pairs do not exist. */
static void test_fragmentation(void **state)
{
	hpa_t at;
	uint64_t n;

	(void)state;
	alloc_all(1, PAGE_SIZE);
	for (uint64_t f = 0; f < MAX_FRAME; f += 2)
		if (owned[f])
			assert_int_equal(frame_free(&fa, f * PAGE_SIZE, 1), 0);
	n = fa.free;
	assert_true(n > 0);
	assert_int_equal(frame_alloc(&fa, 2, PAGE_SIZE, &at), -ENOMEM);
	assert_int_equal(frame_alloc(&fa, 1, PAGE_SIZE, &at), 0);
	assert_true(IS_ALIGNED(at, 2 * PAGE_SIZE));
	assert_u64_equal(fa.free, n - 1);
}

static void expect_free_refused(hpa_t addr, uint64_t count)
{
	save();
	assert_int_equal(frame_free(&fa, addr, count), -EINVAL);
	assert_unchanged();
}

static void test_double_free_refused(void **state)
{
	hpa_t a;

	(void)state;
	assert_int_equal(frame_alloc(&fa, 2, PAGE_SIZE, &a), 0);
	assert_int_equal(frame_free(&fa, a, 2), 0);
	expect_free_refused(a, 2);
	expect_free_refused(a + PAGE_SIZE, 1);
	/* Half allocated, half free: nothing is freed, the allocated half stays allocated. */
	assert_int_equal(frame_alloc(&fa, 1, PAGE_SIZE, &a), 0);
	assert_false(frame_is_free(&fa, a));
	assert_true(frame_is_free(&fa, a + PAGE_SIZE));
	expect_free_refused(a, 2);
	assert_false(frame_is_free(&fa, a));
	/* A frame that was never allocated. */
	expect_free_refused(0x7ff000, 1);
}

static void test_free_outside_usable_refused(void **state)
{
	(void)state;
	expect_free_refused(0x0, 1);	   /* below the first usable frame */
	expect_free_refused(0xa0000, 1);   /* reserved */
	expect_free_refused(0x9f000, 1);   /* partly reserved */
	expect_free_refused(0x480000, 1);  /* reserved inside usable */
	expect_free_refused(0x200000, 1);  /* the hypervisor image */
	expect_free_refused(0x900000, 1);  /* a hole */
	expect_free_refused(0x17ff000, 1); /* ACPI tables */
	expect_free_refused(0x2000000, 1); /* just past the last usable frame */
	expect_free_refused(0x100000000ull, 1);
	expect_free_refused(UINT64_MAX & ~0xfffull, 1);
	expect_free_refused(0x1000, UINT64_MAX); /* a count that overflows */
}

/* A range that starts in allocated usable RAM and runs into something else. */
static void test_free_across_boundary_refused(void **state)
{
	(void)state;
	assert_u64_equal(alloc_all(1, PAGE_SIZE), usable_frames());
	expect_free_refused(0x9e000, 2);   /* into the reserved range */
	expect_free_refused(0x47f000, 2);  /* into the reserved range inside usable */
	expect_free_refused(0x1ff000, 2);  /* into the image */
	expect_free_refused(0x7ff000, 2);  /* into the hole */
	expect_free_refused(0x17fe000, 2); /* into the ACPI tables */
	expect_free_refused(0x1fff000, 2); /* past the end */
	assert_u64_equal(fa.free, 0);
}

static void test_free_unaligned_refused(void **state)
{
	hpa_t a;

	(void)state;
	assert_int_equal(frame_alloc(&fa, 1, PAGE_SIZE, &a), 0);
	expect_free_refused(a + 1, 1);
	expect_free_refused(a + 0x800, 1);
	assert_false(frame_is_free(&fa, a));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bitmap_bytes),
		T(test_init_free_count),
		T(test_is_free),
		T(test_alloc_every_frame_once),
		T(test_alloc_2m_aligned),
		T(test_alloc_aligned_single_frames),
		T(test_alloc_aligned_64k_runs),
		T(test_alloc_contiguous_never_spans_hole),
		T(test_alloc_larger_than_any_run),
		T(test_alloc_bad_requests_refused),
		T(test_free_then_realloc),
		T(test_fragmentation),
		T(test_double_free_refused),
		T(test_free_outside_usable_refused),
		T(test_free_across_boundary_refused),
		T(test_free_unaligned_refused),
	};

	return unit_run(tests);
}
