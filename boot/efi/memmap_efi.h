/*
 * Conversion of the UEFI memory map into the handoff's memory regions. It runs between the
 * final GetMemoryMap and ExitBootServices, so it allocates nothing and calls no firmware;
 * it is pure C over the descriptor layout of the UEFI specification (7.2, GetMemoryMap).
 */
#ifndef BOOT_EFI_MEMMAP_EFI_H
#define BOOT_EFI_MEMMAP_EFI_H

#include <stddef.h>
#include <stdint.h>

#include <boot/handoff.h>

/* EFI_MEMORY_DESCRIPTOR, version 1. Descriptors are desc_size bytes apart, not sizeof. */
struct memmap_efi_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t physical_start;
	uint64_t virtual_start;
	uint64_t page_count; /* 4 KiB pages */
	uint64_t attribute;
};

/* The handoff type (enum handoff_mem_type) for a UEFI memory type. */
uint32_t memmap_efi_type(uint32_t efi_type);

/*
 * Replaces h->mem with the map_size bytes of descriptors at map, converted, sorted by base
 * and with adjacent regions of the same type merged. Sorts the descriptors at map in place.
 * Returns 0, or -1 with the reason in err (malformed descriptors, or more than
 * HANDOFF_MAX_MEM regions even after merging).
 */
int memmap_efi_convert(void *map, uint64_t map_size, uint64_t desc_size, struct handoff *h,
		       char *err, size_t err_size);

#endif
