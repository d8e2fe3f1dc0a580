/*
 * The hypervisor's physical memory: the normalised memory map and the frame allocator
 * built over it at boot, and the identity mapping through which hv touches any frame.
 */
#ifndef HV_MM_H
#define HV_MM_H

#include <boot/handoff.h>
#include <hv/frame.h>
#include <hv/memmap.h>

/* The image's bounds, from linker.ld. */
extern char __image_start[], __image_end[], __text_end[], __rodata_end[];

/* RAM is identity-mapped in the hypervisor: a physical address is its own pointer. */
static inline void *phys_to_virt(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline hpa_t virt_to_phys(const void *va)
{
	return (hpa_t)(uintptr_t)va;
}

/*
 * Builds the memory map from the handoff, claims the hypervisor image, boot modules and low
 * memory, and starts the frame allocator. Returns 0, or a negative error with the reason
 * logged (e.g. a map that does not cover the hypervisor image).
 */
int mm_init(const struct handoff *handoff);

const struct memmap *mm_memmap(void);

/*
 * 1 if boot module index lies wholly in RAM (and so may be read); its loader said so. 0 for
 * an empty or refused module too, which claims no RAM: callers tell those apart first.
 */
int mm_module_is_usable(uint32_t index);

/* Allocates count zeroed, contiguous frames aligned to align bytes. 0 or -ENOMEM. */
int mm_alloc_frames(uint64_t count, uint64_t align, hpa_t *out);
void mm_free_frames(hpa_t addr, uint64_t count);
uint64_t mm_free_bytes(void);

/* 1 if any byte of [base, base + len) is RAM (of any owner) in the memory map. */
int mm_range_has_ram(uint64_t base, uint64_t len);

/* 1 for the memory map types that are RAM and so identity-mapped from boot on. */
int mm_type_is_ram(uint32_t type);

/*
 * For firmware tables: 1 if [phys, phys + len) is RAM or firmware-reserved memory (mapping
 * the latter read-only on demand), 0 if any of it is device memory, bad RAM or a hole.
 */
int mm_is_readable(uint64_t phys, uint64_t len);

#endif
