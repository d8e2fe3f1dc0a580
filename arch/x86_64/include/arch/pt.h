/*
 * Four-level x86 radix page tables, shared by the hypervisor's own paging and (later) EPT:
 * both use 512-entry tables, bits 51:12 for addresses and bit 7 for large leaves, and
 * differ only in which bits mean "present" and what a table entry carries (struct pt_format).
 */
#ifndef ARCH_PT_H
#define ARCH_PT_H

#include <hv/types.h>

#define PT_ADDR_MASK 0x000ffffffffff000ull
#define PT_LARGE (1ull << 7) /* PS in paging, "maps a page" in EPT (SDM Vol. 3C 29.3.2) */

/* Entry bits of 4-level x86 paging (SDM Vol. 3A 4.5): the hypervisor's and a guest's boot tables. */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_NX (1ull << 63)

struct pt_format {
	uint64_t table_flags;  /* bits of an entry that points to the next-level table */
	uint64_t present_mask; /* an entry with none of these bits is not present */
	int max_leaf_level;    /* 1: 4 KiB leaves only, 2: also 2 MiB, 3: also 1 GiB */
};

struct pt {
	const struct pt_format *fmt;
	hpa_t root;
	/* Returns a zeroed, page-aligned table's physical address, or -ENOMEM. */
	int (*alloc_table)(hpa_t *out);
	/* Turns a table's physical address into a pointer the code can use. */
	uint64_t *(*table_ptr)(hpa_t pa);
	/* Gives back a table pt_unmap() emptied or pt_destroy() drops; NULL: pt_unmap keeps them. */
	void (*free_table)(hpa_t pa);
};

/*
 * Unmaps the 4 KiB page at page from the hypervisor's own identity map (paging.c), splitting
 * the large leaf it sits in, so that a stack growing into it faults: a CPU's stack guard.
 * Only for RAM no CPU uses yet (another CPU's TLB may hold the large leaf, which maps the
 * same). 0, or -ENOMEM / -ENOENT with nothing unmapped.
 */
int paging_guard_page(hpa_t page);

/*
 * struct pt's callbacks for tables in frames of the hypervisor's allocator, reached through
 * its identity map (paging.c): its own tables', EPT's and NPT's.
 */
int pt_frame_alloc(hpa_t *out);
uint64_t *pt_frame_ptr(hpa_t pa);
void pt_frame_free(hpa_t pa);

/* Allocates the root table. 0 or -ENOMEM. */
int pt_init(struct pt *pt);

/*
 * Maps [va, va + size) to [pa, pa + size) with leaf_flags, using the largest leaves that
 * alignment and fmt->max_leaf_level allow. All three must be 4 KiB aligned. Mapping a page
 * again with the same address and flags is a no-op; anything else already there is -EEXIST.
 */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_flags);

/*
 * Walks the tables for va. Returns 0 and the physical address va maps to, the leaf entry's
 * flags (address bits cleared) and its level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB), or -ENOENT.
 */
int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *flags, int *level);

/*
 * Removes the leaves mapping [va, va + size), which must cover whole leaves exactly as
 * pt_map created them. Returns 0; or, changing nothing, -ENOENT if some page of the range
 * is not mapped and -EINVAL if the range would cut a leaf.
 * Tables left empty are given back through free_table (the root stays); the caller
 * flushes the TLB.
 */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size);

/*
 * Makes the 4 KiB page at va a leaf of its own, so that pt_unmap() can take it alone: each
 * large leaf over it becomes a table of the next smaller leaves with the same addresses and
 * flags, down to 4 KiB pages. The translations do not change. Returns 0 (also if va's leaf
 * is a 4 KiB page already), -ENOENT if va is not mapped, -ENOMEM (a split done so far
 * stays: it maps the same).
 */
int pt_split(struct pt *pt, uint64_t va);

/* Frees every table of pt (not the pages it maps) through pt->free_table; pt is empty after. */
void pt_destroy(struct pt *pt);

#endif
