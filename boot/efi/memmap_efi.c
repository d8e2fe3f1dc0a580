/*
 * UEFI memory map -> handoff memory regions (see memmap_efi.h). The descriptors are first
 * sorted in place by base, so that each one can only extend or follow the last region:
 * a map of any order then fits in HANDOFF_MAX_MEM whenever its merged form does.
 */
#include "memmap_efi.h"

#include <hv/fmt.h>

#define EFI_PAGE_SHIFT 12
#define DESC_SIZE_MAX 512 /* firmware pads descriptors; none pads them this far */

/* EFI_MEMORY_TYPE values (UEFI specification, 7.2 AllocatePages). */
enum {
	EFI_RESERVED_MEMORY = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL_MEMORY = 7,
	EFI_UNUSABLE_MEMORY = 8,
	EFI_ACPI_RECLAIM_MEMORY = 9,
	EFI_ACPI_MEMORY_NVS = 10,
	EFI_MEMORY_MAPPED_IO = 11,
	EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
	EFI_PAL_CODE = 13,
	EFI_PERSISTENT_MEMORY = 14,
};

uint32_t memmap_efi_type(uint32_t efi_type)
{
	switch (efi_type) {
	/* Once the loader has jumped, boot services and the loader itself are gone. */
	case EFI_CONVENTIONAL_MEMORY:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
		return HANDOFF_MEM_USABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return HANDOFF_MEM_ACPI_RECLAIM;
	case EFI_ACPI_MEMORY_NVS:
		return HANDOFF_MEM_ACPI_NVS;
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
		return HANDOFF_MEM_MMIO;
	case EFI_UNUSABLE_MEMORY:
		return HANDOFF_MEM_BAD;
	default:
		/* Runtime services, reserved, PAL code, persistent memory, types yet to come. */
		return HANDOFF_MEM_RESERVED;
	}
}

/*
 * Appends [base, base + length) to the map, or extends the last region when it has the same
 * type and ends at base. Descriptors come sorted by start (sort_descriptors), so this is
 * all the merging needed; overlaps are left to hv's memmap_normalise.
 */
static int append_region(struct handoff *h, uint64_t base, uint64_t length, uint32_t type)
{
	struct handoff_mem_region *last = h->mem_count ? &h->mem[h->mem_count - 1] : NULL;

	if (last && last->type == type && last->base + last->length == base) {
		last->length += length;
		return 0;
	}
	if (h->mem_count == HANDOFF_MAX_MEM)
		return -1;
	h->mem[h->mem_count++] =
		(struct handoff_mem_region){ .base = base, .length = length, .type = type };
	return 0;
}

static void copy_bytes(uint8_t *dst, const uint8_t *src, uint64_t n)
{
	while (n--)
		*dst++ = *src++;
}

static uint64_t desc_start(const uint8_t *d)
{
	return ((const struct memmap_efi_desc *)(const void *)d)->physical_start;
}

/* Insertion sort by physical start, in place: maps hold a few hundred descriptors. */
static void sort_descriptors(uint8_t *p, uint64_t count, uint64_t desc_size)
{
	uint8_t held[DESC_SIZE_MAX];

	for (uint64_t i = 1; i < count; i++) {
		uint64_t j = i;

		copy_bytes(held, p + i * desc_size, desc_size);
		while (j > 0 && desc_start(p + (j - 1) * desc_size) > desc_start(held)) {
			copy_bytes(p + j * desc_size, p + (j - 1) * desc_size, desc_size);
			j--;
		}
		copy_bytes(p + j * desc_size, held, desc_size);
	}
}

int memmap_efi_convert(void *map, uint64_t map_size, uint64_t desc_size, struct handoff *h,
		       char *err, size_t err_size)
{
	uint8_t *p = map;
	uint64_t count;

	h->mem_count = 0;
	if (desc_size < sizeof(struct memmap_efi_desc) || desc_size % 8 ||
	    desc_size > DESC_SIZE_MAX) {
		fmt_snprintf(err, err_size, "memory descriptor size %llu is not usable",
			     (unsigned long long)desc_size);
		return -1;
	}
	count = map_size / desc_size;
	sort_descriptors(p, count, desc_size);
	for (uint64_t i = 0; i < count; i++) {
		const struct memmap_efi_desc *d = (const void *)(p + i * desc_size);
		uint64_t length = d->page_count << EFI_PAGE_SHIFT;

		if (d->page_count == 0)
			continue;
		if (d->page_count > (UINT64_MAX >> EFI_PAGE_SHIFT) ||
		    d->physical_start + length < d->physical_start) {
			fmt_snprintf(err, err_size,
				     "memory descriptor %llu (0x%llx, %llu pages) wraps around",
				     (unsigned long long)i, (unsigned long long)d->physical_start,
				     (unsigned long long)d->page_count);
			return -1;
		}
		if (append_region(h, d->physical_start, length, memmap_efi_type(d->type))) {
			fmt_snprintf(err, err_size,
				     "memory map has more than %u regions even after merging "
				     "(%llu descriptors)",
				     HANDOFF_MAX_MEM, (unsigned long long)count);
			return -1;
		}
	}
	return 0;
}
