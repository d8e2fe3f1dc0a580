/*
 * Multiboot2 tag parser: walks GRUB's boot information with every length checked against
 * the enclosing size, and fills a struct handoff. Pure code: tested on the host with
 * malformed input (tests/unit/test_mb2.c).
 */
#include "mb2.h"

#include <hv/fmt.h>
#include <stdarg.h>
#include <stddef.h>

struct mb2_walk {
	const uint8_t *base;
	uint32_t total;
	uint32_t seen; /* bitmask of tag types < 32 already seen, to refuse duplicates */
	struct handoff *out;
};

__attribute__((format(printf, 2, 3))) static int mb2_error(struct handoff *out, const char *fmt,
							   ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(out->boot_error, sizeof(out->boot_error), fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t read32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read64(const uint8_t *p)
{
	return (uint64_t)read32(p) | (uint64_t)read32(p + 4) << 32;
}

/* Copies a NUL-terminated string that must end inside [s, s + avail) into dst. */
static int copy_string(struct mb2_walk *w, uint32_t offset, const uint8_t *s, uint32_t avail,
		       char *dst, size_t dst_size, const char *what)
{
	uint32_t n = 0;

	while (n < avail && s[n])
		n++;
	if (n == avail)
		return mb2_error(w->out, "multiboot2: %s at offset %u is not NUL-terminated", what,
				 offset);
	if (n >= dst_size)
		return mb2_error(w->out, "multiboot2: %s at offset %u is longer than %zu bytes",
				 what, offset, dst_size - 1);
	for (uint32_t i = 0; i <= n; i++)
		dst[i] = (char)s[i];
	return 0;
}

static uint32_t mb2_mem_type(uint32_t type)
{
	switch (type) {
	case MB2_MMAP_AVAILABLE:
		return HANDOFF_MEM_USABLE;
	case MB2_MMAP_ACPI_RECLAIMABLE:
		return HANDOFF_MEM_ACPI_RECLAIM;
	case MB2_MMAP_NVS:
		return HANDOFF_MEM_ACPI_NVS;
	case MB2_MMAP_BAD:
		return HANDOFF_MEM_BAD;
	default:
		return HANDOFF_MEM_RESERVED;
	}
}

static int parse_mmap(struct mb2_walk *w, uint32_t offset, const uint8_t *tag, uint32_t size)
{
	uint32_t entry_size, count;

	if (size < sizeof(struct mb2_tag_mmap))
		return mb2_error(w->out,
				 "multiboot2: memory map tag at offset %u is %u bytes, "
				 "too short",
				 offset, size);
	entry_size = read32(tag + offsetof(struct mb2_tag_mmap, entry_size));
	if (entry_size < sizeof(struct mb2_mmap_entry) || entry_size % 8)
		return mb2_error(w->out,
				 "multiboot2: memory map entry size %u at offset %u is "
				 "invalid",
				 entry_size, offset);
	if ((size - sizeof(struct mb2_tag_mmap)) % entry_size)
		return mb2_error(w->out,
				 "multiboot2: memory map tag at offset %u holds a partial "
				 "entry (entry size %u)",
				 offset, entry_size);
	count = (size - sizeof(struct mb2_tag_mmap)) / entry_size;
	if (count > HANDOFF_MAX_MEM)
		return mb2_error(w->out,
				 "multiboot2: memory map has %u entries, at most %u "
				 "supported",
				 count, HANDOFF_MAX_MEM);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = tag + sizeof(struct mb2_tag_mmap) + i * entry_size;
		struct handoff_mem_region *r = &w->out->mem[i];

		r->base = read64(e + offsetof(struct mb2_mmap_entry, base_addr));
		r->length = read64(e + offsetof(struct mb2_mmap_entry, length));
		r->type = mb2_mem_type(read32(e + offsetof(struct mb2_mmap_entry, type)));
		r->reserved = 0;
	}
	w->out->mem_count = count;
	return 0;
}

/*
 * A well-formed module tag always gets through: a command line too long for the handoff
 * refuses that module (cut to a prefix that names it), and modules past the table are
 * counted. Only a malformed tag ends the boot.
 */
static int parse_module(struct mb2_walk *w, uint32_t offset, const uint8_t *tag, uint32_t size)
{
	struct handoff *out = w->out;
	const uint8_t *s = tag + sizeof(struct mb2_tag_module);
	uint32_t avail, start, end, n = 0;
	struct handoff_module *m;

	if (size < sizeof(struct mb2_tag_module) + 1)
		return mb2_error(out, "multiboot2: module tag at offset %u is %u bytes, too short",
				 offset, size);
	start = read32(tag + offsetof(struct mb2_tag_module, mod_start));
	end = read32(tag + offsetof(struct mb2_tag_module, mod_end));
	if (end < start)
		return mb2_error(out,
				 "multiboot2: module at offset %u ends (0x%x) before it "
				 "starts",
				 offset, end);
	avail = size - sizeof(struct mb2_tag_module);
	while (n < avail && s[n])
		n++;
	if (n == avail)
		return mb2_error(out,
				 "multiboot2: module command line at offset %u is not "
				 "NUL-terminated",
				 offset);
	if (out->module_count == HANDOFF_MAX_MODULES) {
		out->modules_dropped++;
		return 0;
	}
	m = &out->modules[out->module_count++];
	m->base = start;
	m->length = end - start;
	m->cmdline_length = n;
	if (n >= sizeof(m->cmdline)) {
		m->refused = HANDOFF_MODULE_CMDLINE_TOO_LONG;
		n = sizeof(m->cmdline) - 1;
	}
	for (uint32_t i = 0; i < n; i++)
		m->cmdline[i] = (char)s[i];
	m->cmdline[n] = '\0';
	return 0;
}

static int parse_rsdp(struct mb2_walk *w, uint32_t offset, const uint8_t *tag, uint32_t size,
		      uint32_t min_len)
{
	uint32_t len = size - sizeof(struct mb2_tag);

	if (len < min_len)
		return mb2_error(w->out, "multiboot2: ACPI RSDP tag at offset %u holds %u bytes",
				 offset, len);
	if (len > HANDOFF_RSDP_MAX)
		len = HANDOFF_RSDP_MAX; /* only the fixed part of the RSDP is defined */
	/* Prefer the ACPI 2.0 copy when both tags are present. */
	if (w->out->rsdp_length >= len)
		return 0;
	for (uint32_t i = 0; i < len; i++)
		w->out->rsdp[i] = tag[sizeof(struct mb2_tag) + i];
	w->out->rsdp_length = len;
	return 0;
}

/*
 * The screen for Shunt's screen console. A well-formed tag of a kind Shunt can not draw on
 * (indexed colour, odd pixel sizes) is no error: there is just no screen console.
 */
static int parse_framebuffer(struct mb2_walk *w, uint32_t offset, const uint8_t *tag, uint32_t size)
{
	struct handoff_screen *s = &w->out->screen;
	uint8_t type, bpp;

	if (size < sizeof(struct mb2_tag_framebuffer))
		return mb2_error(w->out, "multiboot2: framebuffer tag at offset %u is %u bytes",
				 offset, size);
	type = tag[offsetof(struct mb2_tag_framebuffer, type)];
	bpp = tag[offsetof(struct mb2_tag_framebuffer, bpp)];
	*s = (struct handoff_screen){
		.base = read64(tag + offsetof(struct mb2_tag_framebuffer, addr)),
		.pitch = read32(tag + offsetof(struct mb2_tag_framebuffer, pitch)),
		.width = read32(tag + offsetof(struct mb2_tag_framebuffer, width)),
		.height = read32(tag + offsetof(struct mb2_tag_framebuffer, height)),
		.bpp = bpp,
	};
	if (type == MB2_FRAMEBUFFER_EGA_TEXT) {
		s->type = HANDOFF_SCREEN_EGA_TEXT;
	} else if (type == MB2_FRAMEBUFFER_RGB && size >= sizeof(struct mb2_tag_framebuffer) + 6 &&
		   (bpp == 16 || bpp == 24 || bpp == 32)) {
		const uint8_t *c = tag + sizeof(struct mb2_tag_framebuffer);

		s->type = HANDOFF_SCREEN_RGB;
		s->red_shift = c[0];
		s->red_bits = c[1];
		s->green_shift = c[2];
		s->green_bits = c[3];
		s->blue_shift = c[4];
		s->blue_bits = c[5];
	} else {
		*s = (struct handoff_screen){ 0 };
	}
	return 0;
}

static int parse_tag(struct mb2_walk *w, uint32_t offset, uint32_t type, uint32_t size)
{
	const uint8_t *tag = w->base + offset;
	const uint8_t *body = tag + sizeof(struct mb2_tag);
	uint32_t body_size = size - sizeof(struct mb2_tag);

	switch (type) {
	case MB2_TAG_CMDLINE:
		return copy_string(w, offset, body, body_size, w->out->cmdline,
				   sizeof(w->out->cmdline), "command line");
	case MB2_TAG_LOADER_NAME:
		return copy_string(w, offset, body, body_size, w->out->loader_name,
				   sizeof(w->out->loader_name), "boot loader name");
	case MB2_TAG_MODULE:
		return parse_module(w, offset, tag, size);
	case MB2_TAG_MMAP:
		return parse_mmap(w, offset, tag, size);
	case MB2_TAG_FRAMEBUFFER:
		return parse_framebuffer(w, offset, tag, size);
	case MB2_TAG_EFI64:
		if (size < sizeof(struct mb2_tag_efi64))
			return mb2_error(w->out, "multiboot2: EFI64 tag at offset %u is %u bytes",
					 offset, size);
		w->out->efi_system_table = read64(body);
		w->out->firmware = HANDOFF_FW_UEFI_MULTIBOOT2;
		return 0;
	case MB2_TAG_ACPI_OLD:
		return parse_rsdp(w, offset, tag, size, 20);
	case MB2_TAG_ACPI_NEW:
		return parse_rsdp(w, offset, tag, size, 36);
	default:
		return 0; /* tags Shunt does not use are skipped */
	}
}

/* Tags that may appear at most once: a second copy means the loader is confused. */
static int is_single_tag(uint32_t type)
{
	return type == MB2_TAG_CMDLINE || type == MB2_TAG_LOADER_NAME || type == MB2_TAG_MMAP ||
	       type == MB2_TAG_EFI64 || type == MB2_TAG_FRAMEBUFFER;
}

static int walk_tags(struct mb2_walk *w)
{
	uint32_t offset = sizeof(struct mb2_info_header);

	while (offset + sizeof(struct mb2_tag) <= w->total) {
		uint32_t type = read32(w->base + offset);
		uint32_t size = read32(w->base + offset + 4);

		if (size < sizeof(struct mb2_tag))
			return mb2_error(w->out,
					 "multiboot2: tag at offset %u has size %u, less "
					 "than its own header",
					 offset, size);
		if (size > w->total - offset)
			return mb2_error(w->out,
					 "multiboot2: tag at offset %u (size %u) runs past "
					 "the end of the boot information",
					 offset, size);
		if (type == MB2_TAG_END)
			return size == sizeof(struct mb2_tag)
				       ? 0
				       : mb2_error(w->out,
						   "multiboot2: end tag at offset %u has size %u",
						   offset, size);
		if (is_single_tag(type)) {
			if (w->seen & (1u << type))
				return mb2_error(w->out,
						 "multiboot2: duplicate tag of type %u at "
						 "offset %u",
						 type, offset);
			w->seen |= 1u << type;
		}
		if (parse_tag(w, offset, type, size))
			return -1;
		offset += (size + 7) & ~7u;
	}
	return mb2_error(w->out,
			 "multiboot2: no end tag within the %u bytes of boot "
			 "information",
			 w->total);
}

int mb2_parse(uint32_t magic, const void *info, struct handoff *out)
{
	struct mb2_walk w = { .base = info, .out = out };

	*out = (struct handoff){ 0 };
	out->magic = HANDOFF_MAGIC;
	out->version = HANDOFF_VERSION;
	out->firmware = HANDOFF_FW_BIOS_MULTIBOOT2;
	if (magic != MB2_BOOTLOADER_MAGIC)
		return mb2_error(out,
				 "multiboot2: entered with magic 0x%x, expected 0x%x: not "
				 "booted by a multiboot2 loader",
				 magic, MB2_BOOTLOADER_MAGIC);
	if (!info || ((uintptr_t)info & 7))
		return mb2_error(out,
				 "multiboot2: boot information at 0x%lx is not 8-byte "
				 "aligned",
				 (unsigned long)(uintptr_t)info);
	w.total = read32(w.base);
	if (w.total < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag) ||
	    w.total > MB2_INFO_MAX_SIZE)
		return mb2_error(out,
				 "multiboot2: boot information total size %u is outside "
				 "[16, %u]",
				 w.total, MB2_INFO_MAX_SIZE);
	if (walk_tags(&w))
		return -1;
	if (out->mem_count == 0)
		return mb2_error(out, "multiboot2: the loader passed no memory map tag");
	return 0;
}
