/*
 * shunt.elf, the hypervisor: read from the loader's directory, validated with elf64_parse()
 * and copied to the physical addresses it was linked for, which must be free RAM.
 */
#ifndef BOOT_EFI_HVIMAGE_H
#define BOOT_EFI_HVIMAGE_H

#include <efi.h>

#include <hv/elf64.h>

#include "file.h"

#define HVIMAGE_FILE FILE_HYPERVISOR

struct hvimage_pages {
	uint64_t base;
	uint64_t count; /* 4 KiB pages */
};

struct hvimage {
	uint64_t entry; /* physical address of e_entry: the firmware's page tables map 1:1 */
	uint32_t range_count;
	struct hvimage_pages ranges[ELF64_MAX_SEGMENTS]; /* pages allocated for the segments */
};

/* Loads <dir>\shunt.elf into EfiLoaderData pages at its addresses. Prints why it failed. */
EFI_STATUS hvimage_load(struct volume *vol, struct hvimage *img);

/* Frees the segments' pages again, for when a later step fails. */
void hvimage_unload(struct hvimage *img);

#endif
