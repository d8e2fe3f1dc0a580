/*
 * Fuzz target: the memory map normaliser and the frame allocator (hv/memmap.c, hv/frame.c)
 * on arbitrary firmware maps: the result must be sorted and disjoint, usable RAM page
 * aligned, and every frame handed out must be usable RAM, never twice.
 */
#include <hv/frame.h>
#include <hv/memmap.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALLOCATIONS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct {
		hpa_t base, end;
	} got[ALLOCATIONS];
	static struct memmap map;
	static struct handoff_mem_region in[HANDOFF_MAX_MEM];
	struct frame_allocator fa;
	uint32_t n = (uint32_t)(size / sizeof(in[0]));
	uint64_t *bitmap;
	size_t bytes;

	if (n > HANDOFF_MAX_MEM)
		n = HANDOFF_MAX_MEM;
	memcpy(in, data, n * sizeof(in[0]));
	if (memmap_normalise(&map, in, n))
		return 0;
	for (uint32_t i = 0; i < map.count; i++) {
		const struct memmap_region *r = &map.regions[i];

		if (r->base >= r->end || (i && map.regions[i - 1].end > r->base))
			abort();
		if (r->type == HANDOFF_MEM_USABLE && ((r->base | r->end) & 0xfff))
			abort();
	}
	bytes = frame_bitmap_bytes(&map);
	if (bytes > (1u << 18))
		return 0; /* maps spanning terabytes: fine, but too big to allocate here */
	bitmap = malloc(bytes ? bytes : 8);
	frame_init(&fa, &map, bitmap);
	for (int i = 0; i < ALLOCATIONS; i++) {
		uint64_t pages = 1 + (i % 4), align = 4096u << (i % 3);

		if (frame_alloc(&fa, pages, align, &got[i].base))
			break;
		got[i].end = got[i].base + pages * 4096;
		if (got[i].base & (align - 1) || !memmap_spans(&map, got[i].base, got[i].end,
							       MEMMAP_TYPE_BIT(HANDOFF_MEM_USABLE)))
			abort();
		for (int j = 0; j < i; j++) /* never handed out twice */
			if (got[i].base < got[j].end && got[j].base < got[i].end)
				abort();
	}
	free(bitmap);
	return 0;
}
