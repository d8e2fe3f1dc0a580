/*
 * Kernels on Shunt: how a file is recognised (a Shunt ELF64 guest, a vmlinux with a PVH
 * entry note, a multiboot v1 kernel, a bzImage), the PC-like guest-physical map all but the
 * first start in, and the PVH boot ABI's start-info block (Xen's public
 * include/xen/interface/hvm/start_info.h: struct hvm_start_info version 1, its module list and
 * memory map). Pure code, host-tested.
 */
#ifndef HV_PVH_H
#define HV_PVH_H

#include <hv/bzimage.h>
#include <hv/elf64.h>
#include <hv/multiboot1.h>
#include <hv/types.h>

/* The guest-physical map of a Linux VM: low RAM, the BIOS area holding Shunt's boot data
 * (ACPI tables, then the start-info block), RAM from 1 MiB to the end. */
#define PC_LOW_RAM_END 0xa0000ull
#define PC_ACPI_GPA 0xe0000ull /* ACPI tables (RSDP first), up to 64 KiB */
#define PC_ACPI_SIZE 0x10000ull
#define PC_BOOT_INFO_GPA 0xf0000ull /* hvm_start_info, module list, memory map, command line */
#define PC_BOOT_INFO_SIZE 0x10000ull
/* The BIOS area's last 16 bytes, where an x86 CPU starts after a reset (F000:FFF0): Shunt's
 * "firmware" there resets the VM (vm_platform_attach()); no boot data reaches its page. */
#define PC_RESET_VECTOR_GPA 0xffff0ull
#define PC_HIGH_RAM_GPA 0x100000ull
/* The boot data area as the bzImage and multiboot paths divide it (PVH has its own offsets):
 * the zero page or multiboot information first, the command line, then the 64-bit boot
 * protocol's GDT and page tables (arch_vcpu_init_long64). */
#define PC_CMDLINE_GPA (PC_BOOT_INFO_GPA + 0x1000)
#define PC_CMDLINE_SIZE 0x1000ull
#define PC_BOOT_TABLES_GPA (PC_BOOT_INFO_GPA + 0x2000)
#define PC_BOOT_TABLES_SIZE ((PC_RESET_VECTOR_GPA & ~0xfffull) - PC_BOOT_TABLES_GPA)
/* A Linux VM needs room for the kernel, its initrd and a working set; Shunt's minimum. */
#define PVH_MEM_MIN (16 * MIB)

#define XEN_ELFNOTE_PHYS32_ENTRY 18 /* in a "Xen" note: the 32-bit PVH entry, physical */
#define PVH_START_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version; /* 1: memmap_paddr and memmap_entries are valid */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

#define PVH_MEMMAP_RAM 1
#define PVH_MEMMAP_RESERVED 2
#define PVH_MEMMAP_ACPI 3

/* One region of a Linux VM's memory map: the e820 types above (RAM, reserved, ACPI). */
struct pc_mem_region {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

#define PC_MEMMAP_MAX 4

/*
 * The memory map every boot protocol gives a Linux VM of ram_size bytes (PVH's memory map,
 * the zero page's e820 table, multiboot's mmap): low RAM, the ACPI tables if acpi, the boot
 * data area reserved, RAM from 1 MiB to the end. Fills map, returns the count.
 */
unsigned int pc_memmap(struct pc_mem_region map[PC_MEMMAP_MAX], uint64_t ram_size, int acpi);

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* PVH_MEMMAP_*, the e820 types */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info is 56 bytes");
_Static_assert(__builtin_offsetof(struct hvm_start_info, rsdp_paddr) == 32, "rsdp_paddr");
_Static_assert(__builtin_offsetof(struct hvm_start_info, memmap_entries) == 48, "memmap");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry is 32 bytes");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry");

enum kernel_kind {
	KERNEL_SHUNT = 1,  /* Shunt's own ELF64 guests (pv-abi/SPEC.md §8) */
	KERNEL_PVH,	   /* a kernel entered through the PVH boot ABI (a Linux vmlinux) */
	KERNEL_BZIMAGE,	   /* a Linux bzImage, entered through the 64-bit boot protocol */
	KERNEL_MULTIBOOT1, /* a multiboot (v1) kernel */
};

struct kernel_image {
	enum kernel_kind kind;
	/* KERNEL_SHUNT: the ELF entry; KERNEL_PVH, KERNEL_MULTIBOOT1: the 32-bit physical
	 * entry; KERNEL_BZIMAGE: the 64-bit entry (its load address + 0x200) */
	uint64_t entry;
	/* The bytes to load, each at its guest-physical address: the ELF segments, a
	 * multiboot a.out-kludge image or a bzImage's protected-mode kernel as one segment;
	 * highest_paddr is where the kernel's memory ends (a bzImage's: load + init_size). */
	struct elf64_image elf;
	struct bzimage_info bz;	   /* KERNEL_BZIMAGE only */
	struct multiboot1_info mb; /* KERNEL_MULTIBOOT1 only */
};

/*
 * Recognises and validates a guest kernel of size bytes for a VM of ram_size bytes, from the
 * file itself: an ELF file with a PVH entry note is a PVH kernel, whose segments load at
 * their physical addresses in [1 MiB, ram_size); then a file with a multiboot (v1) header in
 * its first 8 KiB is a multiboot kernel (multiboot1_check); then a file with the boot
 * protocol's "HdrS" is a bzImage (bzimage_check); anything else must be a Shunt guest
 * (elf64_check_guest). Refused with a reason in err: a vmlinux without the note, another
 * 32-bit file, a bad header, an image that does not fit the VM's RAM. Returns 0 or -EINVAL.
 */
int kernel_image_check(const void *file, uint64_t size, uint64_t ram_size, struct kernel_image *out,
		       char *err, size_t err_size);

/*
 * One past the highest address kernel (checked by kernel_image_check) takes its initrd at in
 * a VM of ram_size bytes: the RAM's end, a bzImage's initrd_addr_max + 1, 4 GiB for multiboot.
 */
uint64_t kernel_initrd_top(const struct kernel_image *kernel, uint64_t ram_size);

/*
 * Whether kernel takes cmdline: at most the bzImage's cmdline_size bytes, and what fits in
 * the boot data area (PC_CMDLINE_SIZE - 1). 0, or -E2BIG with the reason in err.
 */
int kernel_cmdline_check(const struct kernel_image *kernel, const char *cmdline, char *err,
			 size_t err_size);

/* Where a PVH VM's boot data goes, and what it says. */
struct pvh_boot {
	uint64_t ram_size;
	uint64_t kernel_end; /* one past the kernel image's last byte */
	uint64_t initrd_gpa; /* 0: none (see pvh_place_initrd) */
	uint64_t initrd_size;
	uint64_t rsdp_gpa;   /* 0: no ACPI */
	const char *cmdline; /* NUL-terminated */
};

/*
 * The initrd's place: the top of RAM (or below ram_size, kernel_initrd_top), page-aligned,
 * above the kernel. 0 with *gpa, or -ENOSPC with the reason in err when it does not fit.
 */
int pvh_place_initrd(uint64_t ram_size, uint64_t kernel_end, uint64_t initrd_size, uint64_t *gpa,
		     char *err, size_t err_size);

/*
 * Writes the start-info block (hvm_start_info, module list, memory map, command line) into
 * area, the host view of guest-physical [PC_BOOT_INFO_GPA, + PC_BOOT_INFO_SIZE). Returns
 * the guest-physical address of the hvm_start_info (for EBX), or 0 if the command line is
 * too long for the area.
 */
uint64_t pvh_write_start_info(void *area, const struct pvh_boot *boot);

#endif
