/*
 * Linux bzImages (/boot/vmlinuz-*) on Shunt: the setup header of the x86 boot protocol
 * (Linux's Documentation/arch/x86/boot.rst, struct setup_header at 0x1f1 of the file), read
 * and validated for the 64-bit boot protocol, and the zero page (struct boot_params) that
 * the kernel's 64-bit entry finds in RSI. Pure code, host-tested.
 */
#ifndef HV_BZIMAGE_H
#define HV_BZIMAGE_H

#include <hv/types.h>

#define BZIMAGE_HEADER_OFFSET 0x1f1 /* struct setup_header, in the file and the zero page */
#define BZIMAGE_MAGIC_OFFSET 0x202  /* "HdrS" */
#define BZIMAGE_MIN_VERSION 0x020c  /* 2.12: xloadflags, so XLF_KERNEL_64 can be asked */
#define BZIMAGE_ENTRY64 0x200	    /* startup_64, from the protected-mode kernel's start */
#define BZIMAGE_LOADER_TYPE 0xff    /* type_of_loader: a boot loader without an assigned ID */
#define BZIMAGE_ZERO_PAGE_SIZE 0x1000

/* What the loader needs from a checked bzImage. */
struct bzimage_info {
	uint16_t version;	/* boot protocol version, 0x020f for 2.15 */
	uint16_t header_end;	/* the setup header is the file's bytes [0x1f1, header_end) */
	uint32_t cmdline_max;	/* longest command line it takes, without the NUL */
	uint64_t kernel_offset; /* the protected-mode kernel's bytes in the file ... */
	uint64_t kernel_size;	/* ... which are this many */
	uint64_t load_gpa;	/* where they go: its 64-bit entry is load_gpa + 0x200 */
	uint64_t init_size;	/* memory from load_gpa it needs until it has started */
	uint64_t initrd_end;	/* one past the highest byte an initrd may occupy */
};

/* Does the file carry the boot protocol's "HdrS" magic at 0x202? */
int bzimage_is_bzimage(const void *file, uint64_t size);

/*
 * Validates the setup header of a bzImage of size bytes for a VM of ram_size bytes: boot
 * flag 0xaa55, "HdrS", protocol 2.12 or later, XLF_KERNEL_64, a setup header that covers
 * init_size and lies in the file, setup_sects and syssize inside the file, the payload inside
 * the protected-mode kernel, a power-of-two kernel_alignment for a relocatable kernel, and
 * that [load address, + init_size) fits the VM's RAM above 1 MiB. The load address is
 * pref_address (aligned up to kernel_alignment when relocatable). Returns 0, or -EINVAL with
 * a one-line reason in err.
 */
int bzimage_check(const void *file, uint64_t size, uint64_t ram_size, struct bzimage_info *out,
		  char *err, size_t err_size);

/* What the zero page tells the kernel about its VM. */
struct bzimage_boot {
	uint64_t cmdline_gpa; /* the NUL-terminated command line, at most cmdline_max bytes */
	uint64_t initrd_gpa;  /* 0: none */
	uint64_t initrd_size;
	uint64_t rsdp_gpa; /* 0: no ACPI */
	uint64_t ram_size;
};

/*
 * Writes the zero page into zp (BZIMAGE_ZERO_PAGE_SIZE bytes): zeroed, the file's setup
 * header copied in, then what the loader fills: type_of_loader, cmd_line_ptr, ramdisk_image
 * and ramdisk_size (and their ext_ high halves), acpi_rsdp_addr (protocol 2.14 and later),
 * the e820 map of the Linux VM layout (hv/pvh.h).
 */
void bzimage_write_zero_page(void *zp, const void *file, const struct bzimage_info *info,
			     const struct bzimage_boot *boot);

#endif
