/*
 * Bitmap frame allocator (see hv/frame.h). A set bit means "not available": in use, or not
 * usable RAM at all, so a free bit is by construction a frame of usable RAM that nobody
 * owns. Pure code, tested on the host (tests/unit/test_frame.c).
 */
#include <hv/frame.h>

#define BITS 64u

static int bit_test(const struct frame_allocator *fa, uint64_t i)
{
	return (fa->bitmap[i / BITS] >> (i % BITS)) & 1;
}

static void bit_set(struct frame_allocator *fa, uint64_t i)
{
	fa->bitmap[i / BITS] |= 1ull << (i % BITS);
}

static void bit_clear(struct frame_allocator *fa, uint64_t i)
{
	fa->bitmap[i / BITS] &= ~(1ull << (i % BITS));
}

/* Clears bits [from, to): a word at a time where whole words are in it (boot: 10^5 frames). */
static void bits_clear(struct frame_allocator *fa, uint64_t from, uint64_t to)
{
	while (from < to && from % BITS)
		bit_clear(fa, from++);
	for (; from + BITS <= to; from += BITS)
		fa->bitmap[from / BITS] = 0;
	while (from < to)
		bit_clear(fa, from++);
}

/* [first, last) frame numbers spanned by the usable RAM of map; empty when there is none. */
static void usable_span(const struct memmap *map, uint64_t *first, uint64_t *last)
{
	*first = UINT64_MAX;
	*last = 0;
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_region *r = &map->regions[i];

		if (r->type != HANDOFF_MEM_USABLE)
			continue;
		*first = MIN(*first, r->base >> PAGE_SHIFT);
		*last = MAX(*last, r->end >> PAGE_SHIFT);
	}
	if (*first > *last)
		*first = *last = 0;
}

size_t frame_bitmap_bytes(const struct memmap *map)
{
	uint64_t first, last;

	usable_span(map, &first, &last);
	return (size_t)(ALIGN_UP(last - first, BITS) / 8);
}

void frame_init(struct frame_allocator *fa, const struct memmap *map, uint64_t *bitmap)
{
	uint64_t first, last;

	usable_span(map, &first, &last);
	fa->base_frame = first;
	fa->frames = last - first;
	fa->bitmap = bitmap;
	fa->map = map;
	fa->free = 0;
	for (uint64_t w = 0; w < ALIGN_UP(fa->frames, BITS) / BITS; w++)
		bitmap[w] = ~0ull;
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_region *r = &map->regions[i];

		if (r->type != HANDOFF_MEM_USABLE)
			continue;
		if (r->end >> PAGE_SHIFT > r->base >> PAGE_SHIFT) {
			bits_clear(fa, (r->base >> PAGE_SHIFT) - first,
				   (r->end >> PAGE_SHIFT) - first);
			fa->free += (r->end >> PAGE_SHIFT) - (r->base >> PAGE_SHIFT);
		}
	}
}

/* Length of the run of free frames starting at index i, capped at want. */
static uint64_t free_run(const struct frame_allocator *fa, uint64_t i, uint64_t want)
{
	uint64_t n = 0;

	while (n < want && i + n < fa->frames && !bit_test(fa, i + n))
		n++;
	return n;
}

int frame_alloc(struct frame_allocator *fa, uint64_t count, uint64_t align, hpa_t *out)
{
	uint64_t step, i;

	if (count == 0 || count > fa->free || align < PAGE_SIZE || (align & (align - 1)))
		return -ENOMEM;
	step = align >> PAGE_SHIFT;
	/* First index whose frame number is a multiple of the alignment. */
	i = ALIGN_UP(fa->base_frame, step) - fa->base_frame;
	while (i + count <= fa->frames) {
		uint64_t run;

		if (fa->bitmap[i / BITS] == ~0ull && step < BITS) {
			i = ALIGN_UP(ALIGN_DOWN(i, BITS) + BITS + fa->base_frame, step) -
			    fa->base_frame; /* a full word: skip it whole */
			continue;
		}
		run = free_run(fa, i, count);
		if (run == count) {
			for (uint64_t k = 0; k < count; k++)
				bit_set(fa, i + k);
			fa->free -= count;
			*out = (fa->base_frame + i) << PAGE_SHIFT;
			return 0;
		}
		/* Restart at the next aligned index past the used frame that ended the run. */
		i = ALIGN_UP(fa->base_frame + i + run + 1, step) - fa->base_frame;
	}
	return -ENOMEM;
}

/* 1 if [base, end) lies inside a single usable region of map (neighbours never merge). */
static int range_is_usable(const struct memmap *map, uint64_t base, uint64_t end)
{
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_region *r = &map->regions[i];

		if (r->type == HANDOFF_MEM_USABLE && r->base <= base && end <= r->end)
			return 1;
	}
	return 0;
}

int frame_free(struct frame_allocator *fa, hpa_t addr, uint64_t count)
{
	uint64_t frame = addr >> PAGE_SHIFT;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || frame < fa->base_frame ||
	    frame - fa->base_frame > fa->frames || count > fa->frames - (frame - fa->base_frame))
		return -EINVAL;
	if (!range_is_usable(fa->map, addr, addr + count * PAGE_SIZE))
		return -EINVAL; /* not RAM the allocator owns: change nothing */
	for (uint64_t k = 0; k < count; k++)
		if (!bit_test(fa, frame - fa->base_frame + k))
			return -EINVAL; /* double free: change nothing */
	for (uint64_t k = 0; k < count; k++)
		bit_clear(fa, frame - fa->base_frame + k);
	fa->free += count;
	return 0;
}

int frame_is_free(const struct frame_allocator *fa, hpa_t addr)
{
	uint64_t frame = addr >> PAGE_SHIFT;

	return frame >= fa->base_frame && frame - fa->base_frame < fa->frames &&
	       !bit_test(fa, frame - fa->base_frame);
}
