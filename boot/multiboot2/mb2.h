/*
 * The multiboot2 boot information format (Multiboot2 specification, section 3.6) as far as
 * Shunt reads it, and the parser that turns it into a struct handoff.
 */
#ifndef BOOT_MB2_H
#define BOOT_MB2_H

#include <boot/handoff.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_INFO_MAX_SIZE (1u << 20) /* no sane loader passes more; bounds the walk */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI64_IMAGE = 20,
};

enum mb2_mmap_type {
	MB2_MMAP_AVAILABLE = 1,
	MB2_MMAP_ACPI_RECLAIMABLE = 3,
	MB2_MMAP_NVS = 4,
	MB2_MMAP_BAD = 5,
};

struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* including this header, not the padding to the next 8-byte boundary */
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;
	uint32_t mod_end;
	/* followed by a NUL-terminated string */
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
	/* followed by entries of entry_size bytes */
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

/* The framebuffer info tag (3.6.12); GRUB writes reserved as 16 bits, so colour info is at 32. */
struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type; /* 0 indexed, 1 direct RGB, 2 EGA text */
	uint16_t reserved;
	/* RGB: red position, red size, green position, green size, blue position, blue size */
};

enum mb2_framebuffer_type {
	MB2_FRAMEBUFFER_INDEXED = 0,
	MB2_FRAMEBUFFER_RGB = 1,
	MB2_FRAMEBUFFER_EGA_TEXT = 2,
};

struct mb2_tag_efi64 {
	struct mb2_tag tag;
	uint64_t pointer;
};

/*
 * Parses the boot information at info (which the caller trusts to be readable for
 * info->total_size bytes up to MB2_INFO_MAX_SIZE) into out, which it clears first. On
 * malformed input returns -1 and leaves a one-line reason in out->boot_error; out is
 * otherwise as complete as the input allowed. Well-formed modules Shunt can not take whole
 * do not fail the parse: one whose command line does not fit is passed refused
 * (HANDOFF_MODULE_CMDLINE_TOO_LONG), and those past HANDOFF_MAX_MODULES are counted in
 * out->modules_dropped. Firmware is reported as UEFI when an EFI system table tag is present.
 * A framebuffer tag of a kind Shunt can draw on (RGB of 16, 24 or 32 bits per pixel, or EGA
 * text) fills out->screen; others leave it HANDOFF_SCREEN_NONE (no screen console).
 */
int mb2_parse(uint32_t magic, const void *info, struct handoff *out);

#endif
