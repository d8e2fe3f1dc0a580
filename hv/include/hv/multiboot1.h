/*
 * Multiboot (v1) kernels on Shunt (the Multiboot Specification 0.6.96): the header a kernel
 * carries in its first 8 KiB, the ELF32 or ELF64 image (or the a.out-kludge addresses) it
 * loads by, and the multiboot information handed over in EBX. Pure code, host-tested.
 */
#ifndef HV_MULTIBOOT1_H
#define HV_MULTIBOOT1_H

#include <hv/elf64.h>
#include <hv/types.h>

#define MULTIBOOT1_HEADER_MAGIC 0x1badb002u
#define MULTIBOOT1_BOOT_MAGIC 0x2badb002u /* in EAX at the entry */
#define MULTIBOOT1_SEARCH 8192		  /* the header is in the file's first 8 KiB */

/* Header flags. Bits 0-15 are requirements: a loader that can not meet one must refuse. */
#define MULTIBOOT1_PAGE_ALIGN (1u << 0)	  /* modules on 4 KiB boundaries */
#define MULTIBOOT1_MEMORY_INFO (1u << 1)  /* mem_lower/mem_upper and the memory map */
#define MULTIBOOT1_VIDEO_MODE (1u << 2)	  /* a video mode table: Shunt VMs have no display */
#define MULTIBOOT1_AOUT_KLUDGE (1u << 16) /* load by the header's address fields */

/* Information flags (struct multiboot1 information, offset 0). */
#define MULTIBOOT1_INFO_MEMORY (1u << 0)
#define MULTIBOOT1_INFO_CMDLINE (1u << 2)
#define MULTIBOOT1_INFO_MODS (1u << 3)
#define MULTIBOOT1_INFO_MMAP (1u << 6)
#define MULTIBOOT1_INFO_LOADER_NAME (1u << 9)

/* The multiboot information (offsets of the specification's section 3.3). */
struct multiboot1_info_block {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
};

struct multiboot1_module {
	uint32_t mod_start;
	uint32_t mod_end; /* one past the last byte */
	uint32_t string;
	uint32_t reserved;
};

/* A memory map entry: size counts the bytes after itself (20). */
struct multiboot1_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type; /* 1 RAM, 2 reserved, 3 ACPI: the e820 types */
} __attribute__((packed));

_Static_assert(sizeof(struct multiboot1_info_block) == 72, "multiboot information to apm_table");
_Static_assert(__builtin_offsetof(struct multiboot1_info_block, mmap_length) == 44, "mmap");
_Static_assert(__builtin_offsetof(struct multiboot1_info_block, boot_loader_name) == 64, "name");
_Static_assert(sizeof(struct multiboot1_module) == 16, "module entry");
_Static_assert(sizeof(struct multiboot1_mmap_entry) == 24, "mmap entry");

/* What the loader needs from a checked multiboot kernel. */
struct multiboot1_info {
	uint32_t header_offset; /* where the header is in the file */
	uint32_t flags;		/* its flags */
	uint32_t entry;		/* the physical entry point */
};

/*
 * Looks for a multiboot header (4-byte aligned, in the first 8 KiB of the file): 1 when
 * there is none. With one, validates it (checksum, no requirement Shunt can not meet) and
 * the image it describes: the a.out-kludge address fields when flag 16 is set, else an ELF32
 * (i386) or ELF64 (x86-64) executable loaded at its segments' physical addresses. Every byte
 * must load in [1 MiB, ram_size) and the entry lie in what is loaded, below 4 GiB. Returns 0
 * with out and load (the segments to copy, highest_paddr the image's end) filled, or -EINVAL
 * with a one-line reason in err.
 */
int multiboot1_check(const void *file, uint64_t size, uint64_t ram_size,
		     struct multiboot1_info *out, struct elf64_image *load, char *err,
		     size_t err_size);

/* What the multiboot information tells the kernel. */
struct multiboot1_boot {
	uint64_t ram_size;
	int acpi;	     /* the ACPI tables are present (the memory map says where) */
	const char *cmdline; /* NUL-terminated */
	uint64_t module_gpa; /* 0: no module */
	uint64_t module_size;
	const char *module_name; /* the module's string, NUL-terminated */
};

/* The information area: the block, memory map, module list, names, then the command line. */
#define MULTIBOOT1_AREA_SIZE 0x2000ull

/*
 * Writes the multiboot information into area, the host view of guest-physical [gpa, gpa +
 * MULTIBOOT1_AREA_SIZE), gpa below 4 GiB: memory sizes and map (pc_memmap), command line,
 * the module if any, the loader's name. Returns the block's guest-physical address (for
 * EBX), or 0 when the command line or the module's name is too long for the area.
 */
uint64_t multiboot1_write_info(void *area, uint64_t gpa, const struct multiboot1_boot *boot);

#endif
