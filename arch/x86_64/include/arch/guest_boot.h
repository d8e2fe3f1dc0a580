/*
 * What every vendor backend builds in a new guest's memory before its first entry
 * (guest_boot.c), and the guest state that goes with it.
 */
#ifndef ARCH_GUEST_BOOT_H
#define ARCH_GUEST_BOOT_H

#include <hv/types.h>

struct vm;

/* The guest's first page tables and GDT in [area, +area_size); returns 0 or -ENOSPC. */
int guest_boot_build(struct vm *vm, gpa_t area, uint64_t area_size, uint64_t *cr3,
		     uint64_t *gdt_base, uint16_t *gdt_limit);

/*
 * The same for a Linux kernel entered through its 64-bit boot protocol (Documentation/arch/
 * x86/boot.rst): the GDT also holds __BOOT_CS and __BOOT_DS at the selectors it names.
 */
int guest_boot_build_linux64(struct vm *vm, gpa_t area, uint64_t area_size, uint64_t *cr3,
			     uint64_t *gdt_base, uint16_t *gdt_limit);

#define GUEST_SEL_CODE 0x08 /* guest_boot_build's GDT: 64-bit code */
#define GUEST_SEL_DATA 0x10 /* and flat data */
/* Linux's 64-bit boot protocol's selectors (__BOOT_CS, __BOOT_DS) and descriptors. */
#define GUEST_BOOT_CS 0x10
#define GUEST_BOOT_DS 0x18
#define GUEST_GDT_CODE64 0x00af9b000000ffffull	/* 64-bit code, DPL 0, execute/read, accessed */
#define GUEST_GDT_DATA 0x00cf93000000ffffull	/* flat 4 GiB data, DPL 0, read/write, accessed */
#define GUEST_PAT_DEFAULT 0x0007040600070406ull /* the PAT's reset value */

#endif
