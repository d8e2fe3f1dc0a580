/*
 * The physical frame allocator: one bit per 4 KiB frame between the lowest and the highest
 * usable byte of the memory map, set when the frame is in use or not RAM at all. Only
 * usable RAM of the map is ever handed out; contiguous, aligned runs are supported for
 * page tables, guest RAM and large pages.
 */
#ifndef HV_FRAME_H
#define HV_FRAME_H

#include <hv/memmap.h>
#include <hv/types.h>

struct frame_allocator {
	uint64_t base_frame;	  /* frame number of bit 0 */
	uint64_t frames;	  /* bits in the bitmap */
	uint64_t free;		  /* frames currently free */
	uint64_t *bitmap;	  /* 1 = used or not RAM */
	const struct memmap *map; /* what is RAM: frees outside its usable regions are refused */
};

/* Bytes of bitmap needed for map (a multiple of 8; 0 when the map has no usable RAM). */
size_t frame_bitmap_bytes(const struct memmap *map);

/*
 * Sets up fa over the usable regions of map, with bitmap storage of frame_bitmap_bytes().
 * The map must outlive fa and must not change afterwards.
 */
void frame_init(struct frame_allocator *fa, const struct memmap *map, uint64_t *bitmap);

/*
 * Allocates count contiguous frames whose first address is aligned to align bytes (a power
 * of two, at least 4 KiB). Returns 0 with the address in *out, or -ENOMEM.
 */
int frame_alloc(struct frame_allocator *fa, uint64_t count, uint64_t align, hpa_t *out);

/* Frees count frames at addr; -EINVAL when any of them is outside the map or already free. */
int frame_free(struct frame_allocator *fa, hpa_t addr, uint64_t count);

/* 1 if the frame holding addr is usable RAM that is free now. */
int frame_is_free(const struct frame_allocator *fa, hpa_t addr);

#endif
