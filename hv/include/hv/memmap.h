/*
 * The physical memory map: the loader's raw regions normalised into a sorted list of
 * non-overlapping ranges, from which the hypervisor then carves what it must never hand
 * out (its own image, boot modules, low memory) before the frame allocator takes the rest.
 */
#ifndef HV_MEMMAP_H
#define HV_MEMMAP_H

#include <boot/handoff.h>
#include <hv/types.h>

/* Types beyond the loader's enum handoff_mem_type: usable RAM claimed by the hypervisor. */
enum memmap_type {
	MEMMAP_HV_IMAGE = 16, /* shunt.elf's text, data and bss */
	MEMMAP_MODULE = 17,   /* a boot module (guest image, config) */
	MEMMAP_LOW = 18,      /* below 1 MiB: real-mode structures, later the AP trampoline */
	MEMMAP_HV_DATA = 19,  /* the frame allocator's bitmap and similar boot-time carve-outs */
};

#define MEMMAP_MAX (2 * HANDOFF_MAX_MEM + 2 * HANDOFF_MAX_MODULES + 8)
#define MEMMAP_ERR_MAX 160

struct memmap_region {
	uint64_t base;
	uint64_t end;  /* exclusive */
	uint32_t type; /* enum handoff_mem_type or enum memmap_type */
	uint32_t reserved;
};

struct memmap {
	uint32_t count;
	struct memmap_region regions[MEMMAP_MAX];
	char error[MEMMAP_ERR_MAX]; /* reason of the last failed call */
};

/*
 * Builds a normalised map from the loader's regions: zero-length regions dropped, where
 * regions overlap the more restrictive type wins (see enum handoff_mem_type), the result
 * sorted and non-overlapping with neighbours of one type merged, and usable RAM shrunk to
 * whole pages. Returns 0, or -EINVAL (a region wraps around, an unknown type, no usable
 * RAM) with the reason in map->error.
 */
int memmap_normalise(struct memmap *map, const struct handoff_mem_region *in, uint32_t count);

/*
 * Marks [base, end) as type, which must be entirely usable RAM now. Returns 0, -EINVAL when
 * some byte of it is not usable RAM, or -ENOSPC when the map is full; reason in map->error.
 */
int memmap_claim(struct memmap *map, uint64_t base, uint64_t end, uint32_t type);

/* Marks whatever usable RAM lies in [base, end) as type; other types are left alone. */
int memmap_reserve(struct memmap *map, uint64_t base, uint64_t end, uint32_t type);

/* Finds size bytes of usable RAM aligned to align (a power of two) at or above min. */
int memmap_find_usable(const struct memmap *map, uint64_t size, uint64_t align, uint64_t min,
		       uint64_t *out);

/* 1 if every byte of [base, end) lies in regions whose type t has bit (1u << t) in mask. */
int memmap_spans(const struct memmap *map, uint64_t base, uint64_t end, uint32_t type_mask);
#define MEMMAP_TYPE_BIT(t) (1u << (t))

uint64_t memmap_total(const struct memmap *map, uint32_t type);
uint32_t memmap_count(const struct memmap *map, uint32_t type);
const char *memmap_type_name(uint32_t type);

#endif
