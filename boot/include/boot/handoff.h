/*
 * The one contract between a boot loader and the hypervisor: whatever loaded Shunt
 * (GRUB via multiboot2, or Shunt's own UEFI loader) fills a struct handoff and enters
 * hv_main() with it. Everything here is plain data; hv copies it before using any memory.
 */
#ifndef BOOT_HANDOFF_H
#define BOOT_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#define HANDOFF_MAGIC 0x46464f444e414853ull /* "SHANDOFF" little-endian */
/* 2: modules may arrive refused, and dropped ones are counted; 3: the screen (at the end) */
#define HANDOFF_VERSION 3

#define HANDOFF_MAX_MEM 256
#define HANDOFF_MAX_MODULES 66 /* a guest file for each of 64 VMs, shunt.cfg, shunt.key */
#define HANDOFF_CMDLINE_MAX 512
#define HANDOFF_MODULE_CMDLINE_MAX 256
#define HANDOFF_LOADER_NAME_MAX 64
#define HANDOFF_ERROR_MAX 160
#define HANDOFF_RSDP_MAX 36 /* an ACPI 2.0+ RSDP; ACPI 1.0 uses the first 20 bytes */

/* How the machine was booted: printed in the banner, and decides nothing else. */
enum handoff_firmware {
	HANDOFF_FW_BIOS_MULTIBOOT2 = 1, /* legacy BIOS, GRUB2 multiboot2 */
	HANDOFF_FW_UEFI_MULTIBOOT2 = 2, /* UEFI, GRUB2 multiboot2 (boot services exited by GRUB) */
	HANDOFF_FW_UEFI_SHUNT = 3,	/* UEFI, Shunt's own gnu-efi loader (BOOTX64.EFI) */
};

/* Memory region types, in increasing order of restriction (see memmap_normalise()). */
enum handoff_mem_type {
	HANDOFF_MEM_USABLE = 1,	      /* free RAM once the loader is gone */
	HANDOFF_MEM_ACPI_RECLAIM = 2, /* ACPI tables: RAM, but keep until tables are parsed */
	HANDOFF_MEM_ACPI_NVS = 3,     /* firmware-owned across sleep states */
	HANDOFF_MEM_RESERVED = 4,     /* firmware, runtime services, anything unknown */
	HANDOFF_MEM_MMIO = 5,	      /* device memory reported by the firmware */
	HANDOFF_MEM_BAD = 6,	      /* RAM reported defective */
};

struct handoff_mem_region {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum handoff_mem_type */
	uint32_t reserved;
};

/*
 * Why a loader passes a module it did not load properly (struct handoff_module.refused).
 * Valid boot input that Shunt can not take whole refuses that one module, never the boot:
 * the loader keeps the module's slot, says why here, and hv reports it and builds no VM
 * from it. Malformed input (a tag that does not fit, a string without its NUL) still ends
 * the boot through boot_error, since nothing after it can be trusted.
 */
enum handoff_module_refusal {
	HANDOFF_MODULE_OK = 0,		     /* loaded: base and length describe the file */
	HANDOFF_MODULE_CMDLINE_TOO_LONG = 1, /* cmdline_length > HANDOFF_MODULE_CMDLINE_MAX - 1 */
	HANDOFF_MODULE_NOT_LOADED = 2, /* the loader could not read the file: base 0, length 0 */
};

/* What the loader knows of the screen, for Shunt's screen console (struct handoff.screen). */
enum handoff_screen_type {
	HANDOFF_SCREEN_NONE = 0,     /* none known (or one Shunt can not draw on) */
	HANDOFF_SCREEN_RGB = 1,	     /* a linear framebuffer of direct-colour pixels */
	HANDOFF_SCREEN_EGA_TEXT = 2, /* VGA text mode: a character and an attribute byte per cell */
};

struct handoff_screen {
	uint64_t base;		     /* physical address of the framebuffer or of the text buffer */
	uint32_t type;		     /* enum handoff_screen_type */
	uint32_t width;		     /* pixels (RGB) or characters (EGA text) */
	uint32_t height;	     /* pixels or characters */
	uint32_t pitch;		     /* bytes from one line of pixels (or characters) to the next */
	uint8_t bpp;		     /* RGB: bits per pixel, 16, 24 or 32 */
	uint8_t red_shift, red_bits; /* RGB: where each colour's bits are in a pixel */
	uint8_t green_shift, green_bits;
	uint8_t blue_shift, blue_bits;
	uint8_t reserved;
};

/* A file the loader placed in memory for the hypervisor (guest images, later config). */
struct handoff_module {
	uint64_t base; /* physical address of the first byte */
	uint64_t length;
	uint32_t refused; /* enum handoff_module_refusal; anything but OK: hv builds nothing */
	/*
	 * The command line's length as the loader found it, without its NUL. When it does not
	 * fit (HANDOFF_MODULE_CMDLINE_TOO_LONG), cmdline holds its first
	 * HANDOFF_MODULE_CMDLINE_MAX - 1 bytes, enough to name the module in an error.
	 */
	uint32_t cmdline_length;
	char cmdline[HANDOFF_MODULE_CMDLINE_MAX]; /* NUL-terminated: "name key=value ..." */
};

struct handoff {
	uint64_t magic;	   /* HANDOFF_MAGIC */
	uint32_t version;  /* HANDOFF_VERSION */
	uint32_t firmware; /* enum handoff_firmware */

	uint32_t mem_count;
	uint32_t module_count;	  /* entries of modules[], refused ones included */
	uint32_t modules_dropped; /* further modules past HANDOFF_MAX_MODULES, not passed */
	uint32_t reserved2;
	struct handoff_mem_region mem[HANDOFF_MAX_MEM]; /* as reported, not yet normalised */
	struct handoff_module modules[HANDOFF_MAX_MODULES];

	char cmdline[HANDOFF_CMDLINE_MAX];	   /* hypervisor command line, NUL-terminated */
	char loader_name[HANDOFF_LOADER_NAME_MAX]; /* e.g. "GRUB 2.06" */

	uint32_t rsdp_length; /* 0: no RSDP found; 20 (ACPI 1.0) or 36 (2.0+) */
	uint32_t reserved0;
	uint8_t rsdp[HANDOFF_RSDP_MAX]; /* a copy of the firmware's RSDP */
	uint32_t reserved1;

	uint64_t efi_system_table; /* physical address, 0 when not booted by UEFI */

	/*
	 * Non-empty when the loader found its input unusable (e.g. malformed multiboot2
	 * tags): hv prints it on the console and stops, since it can not trust the rest.
	 */
	char boot_error[HANDOFF_ERROR_MAX];

	/* Version 3: the screen, from GOP (Shunt's loader) or the multiboot2 framebuffer tag. */
	struct handoff_screen screen;
};

_Static_assert(sizeof(struct handoff_module) == 24 + HANDOFF_MODULE_CMDLINE_MAX,
	       "fixed-width module entries, no padding");
_Static_assert(offsetof(struct handoff, mem) == 32, "mem[] stays 8-byte aligned");
_Static_assert(sizeof(struct handoff_screen) == 32, "fixed-width screen fields, no padding");
_Static_assert(offsetof(struct handoff, screen) % 8 == 0, "screen stays 8-byte aligned");

/* The hypervisor's C entry point. Never returns. */
void hv_main(const struct handoff *handoff) __attribute__((noreturn));

#endif
