/*
 * The multiboot2 boot-information parser (boot/multiboot2/mb2_parse.c): well-formed BIOS
 * and UEFI information turned into the right handoff, and every malformed input refused with
 * -1 and a boot_error that names the problem.
 */
#include "unit.h"

#include "mb2.h"

#include <hv/types.h>

#define BUILDER_BYTES (64 * 1024)
#define MB2_MMAP_RESERVED_TYPE 2 /* "reserved" in the multiboot2 spec */

/* Boot information under construction, in an 8-byte-aligned buffer as GRUB passes it. */
struct mb2_builder {
	uint64_t words[BUILDER_BYTES / 8];
	uint32_t len;
};

static struct mb2_builder b;
static struct handoff out;

static uint8_t *info(void)
{
	return (uint8_t *)b.words;
}

static void put32(uint32_t offset, uint32_t v)
{
	memcpy(info() + offset, &v, 4);
}

static void put64(uint32_t offset, uint64_t v)
{
	memcpy(info() + offset, &v, 8);
}

static int setup(void **state)
{
	(void)state;
	memset(&b, 0, sizeof(b));
	memset(&out, 0xaa, sizeof(out)); /* mb2_parse must clear it */
	b.len = sizeof(struct mb2_info_header);
	return 0;
}

/* Appends a tag of size bytes (header included) and returns its offset; pads to 8. */
static uint32_t tag(uint32_t type, uint32_t size, const void *body)
{
	uint32_t at = b.len;

	assert_true(size >= 8 && at + size + 8 <= BUILDER_BYTES);
	put32(at, type);
	put32(at + 4, size);
	if (body)
		memcpy(info() + at + 8, body, size - 8);
	b.len = at + ((size + 7) & ~7u);
	return at;
}

static uint32_t tag_string(uint32_t type, const char *s)
{
	return tag(type, 8 + (uint32_t)strlen(s) + 1, s);
}

static uint32_t tag_module(uint32_t start, uint32_t end, const char *s)
{
	uint32_t len = (uint32_t)strlen(s) + 1;
	uint32_t at = tag(MB2_TAG_MODULE, 16 + len, NULL);

	put32(at + 8, start);
	put32(at + 12, end);
	memcpy(info() + at + 16, s, len);
	return at;
}

/* A memory map tag with n entries of entry_size bytes (at least 24). */
static uint32_t tag_mmap(const struct mb2_mmap_entry *e, uint32_t n, uint32_t entry_size)
{
	uint32_t at = tag(MB2_TAG_MMAP, 16 + n * entry_size, NULL);

	put32(at + 8, entry_size);
	put32(at + 12, 0);
	for (uint32_t i = 0; i < n; i++)
		memcpy(info() + at + 16 + i * entry_size, &e[i], sizeof(e[i]));
	return at;
}

/* An ACPI RSDP tag holding len bytes: "RSD PTR " followed by a recognisable pattern. */
static uint32_t tag_acpi(uint32_t type, uint32_t len)
{
	uint8_t rsdp[64];

	assert_true(len <= sizeof(rsdp));
	for (uint32_t i = 0; i < len; i++)
		rsdp[i] = (uint8_t)(type * 16 + i);
	memcpy(rsdp, "RSD PTR ", len < 8 ? len : 8);
	return tag(type, 8 + len, rsdp);
}

static uint32_t tag_efi64(uint64_t system_table)
{
	uint32_t at = tag(MB2_TAG_EFI64, 16, NULL);

	put64(at + 8, system_table);
	return at;
}

static void tag_end(void)
{
	tag(MB2_TAG_END, 8, NULL);
}

/* Writes total_size = what was built so far. */
static void finish(void)
{
	put32(0, b.len);
}

static int parse(void)
{
	return mb2_parse(MB2_BOOTLOADER_MAGIC, info(), &out);
}

/* A minimal memory map: enough for the parser to accept the rest. */
static const struct mb2_mmap_entry one_region[] = {
	{ .base_addr = 0x100000, .length = 0x7f00000, .type = MB2_MMAP_AVAILABLE },
};

static void minimal_mmap(void)
{
	tag_mmap(one_region, 1, sizeof(one_region[0]));
}

/* Parses what was built and expects failure with a boot_error containing needle. */
static void expect_error(const char *needle)
{
	assert_int_equal(parse(), -1);
	assert_true(out.boot_error[0] != '\0');
	assert_non_null(memchr(out.boot_error, '\0', sizeof(out.boot_error)));
	assert_contains(out.boot_error, needle);
}

/* --- Well-formed information --- */

static const struct mb2_mmap_entry bios_map[] = {
	{ 0x0, 0x9fc00, MB2_MMAP_AVAILABLE, 0 },
	{ 0x9fc00, 0x400, MB2_MMAP_RESERVED_TYPE, 0 },
	{ 0xf0000, 0x10000, MB2_MMAP_RESERVED_TYPE, 0 },
	{ 0x100000, 0x7ee0000, MB2_MMAP_AVAILABLE, 0 },
	{ 0x7fe0000, 0x10000, MB2_MMAP_ACPI_RECLAIMABLE, 0 },
	{ 0x7ff0000, 0x10000, MB2_MMAP_NVS, 0 },
	{ 0x8000000, 0x100000, MB2_MMAP_BAD, 0 },
	{ 0xfffc0000, 0x40000, 7 /* persistent memory: unknown to Shunt */, 0 },
	{ 0x100000000ull, 0x40000000ull, MB2_MMAP_AVAILABLE, 0 },
};

static const uint32_t bios_map_types[] = {
	HANDOFF_MEM_USABLE, HANDOFF_MEM_RESERVED,     HANDOFF_MEM_RESERVED,
	HANDOFF_MEM_USABLE, HANDOFF_MEM_ACPI_RECLAIM, HANDOFF_MEM_ACPI_NVS,
	HANDOFF_MEM_BAD,    HANDOFF_MEM_RESERVED,     HANDOFF_MEM_USABLE,
};

static void build_bios_info(void)
{
	static const uint8_t basic_meminfo[8] = { 0x80, 0x02, 0, 0, 0x00, 0xfc, 0x01, 0 };
	static const uint8_t odd_tag[5] = { 1, 2, 3, 4, 5 };

	tag_string(MB2_TAG_CMDLINE, "loglevel=debug test");
	tag_string(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	tag(MB2_TAG_BASIC_MEMINFO, 16, basic_meminfo);
	tag(21, 8 + sizeof(odd_tag), odd_tag); /* unknown, 13 bytes: padded to 16 */
	tag_module(0x200000, 0x234567, "guest1 mem=64M");
	tag_module(0x300000, 0x300000, ""); /* an empty file with no command line */
	tag_mmap(bios_map, ARRAY_SIZE(bios_map), sizeof(bios_map[0]));
	tag_acpi(MB2_TAG_ACPI_OLD, 20);
	tag_end();
	finish();
}

static void test_bios_info(void **state)
{
	(void)state;
	build_bios_info();
	assert_int_equal(parse(), 0);
	assert_string_equal(out.boot_error, "");
	assert_int_equal(out.screen.type, HANDOFF_SCREEN_NONE); /* no framebuffer tag */
	assert_u64_equal(out.magic, HANDOFF_MAGIC);
	assert_int_equal(out.version, HANDOFF_VERSION);
	assert_int_equal(out.firmware, HANDOFF_FW_BIOS_MULTIBOOT2);
	assert_string_equal(out.cmdline, "loglevel=debug test");
	assert_string_equal(out.loader_name, "GRUB 2.06");
	assert_u64_equal(out.efi_system_table, 0);

	assert_int_equal(out.mem_count, ARRAY_SIZE(bios_map));
	for (unsigned int i = 0; i < ARRAY_SIZE(bios_map); i++) {
		assert_u64_equal(out.mem[i].base, bios_map[i].base_addr);
		assert_u64_equal(out.mem[i].length, bios_map[i].length);
		assert_int_equal(out.mem[i].type, bios_map_types[i]);
		assert_int_equal(out.mem[i].reserved, 0);
	}
	/* Cleared first: nothing left over from the 0xaa filling past the entries. */
	assert_u64_equal(out.mem[ARRAY_SIZE(bios_map)].base, 0);

	assert_int_equal(out.module_count, 2);
	assert_u64_equal(out.modules[0].base, 0x200000);
	assert_u64_equal(out.modules[0].length, 0x34567);
	assert_string_equal(out.modules[0].cmdline, "guest1 mem=64M");
	assert_int_equal(out.modules[0].cmdline_length, strlen("guest1 mem=64M"));
	assert_int_equal(out.modules[0].refused, HANDOFF_MODULE_OK);
	assert_u64_equal(out.modules[1].base, 0x300000);
	assert_u64_equal(out.modules[1].length, 0);
	assert_string_equal(out.modules[1].cmdline, "");
	assert_int_equal(out.modules[1].refused, HANDOFF_MODULE_OK);
	assert_u64_equal(out.modules[2].base, 0);
	assert_int_equal(out.modules_dropped, 0);

	assert_int_equal(out.rsdp_length, 20);
	assert_memory_equal(out.rsdp, "RSD PTR ", 8);
	for (unsigned int i = 8; i < 20; i++)
		assert_int_equal(out.rsdp[i], (uint8_t)(MB2_TAG_ACPI_OLD * 16 + i));
	assert_int_equal(out.rsdp[20], 0);
}

static void test_efi64_means_uefi(void **state)
{
	(void)state;
	minimal_mmap();
	tag_efi64(0x7f9e5018ull);
	tag_acpi(MB2_TAG_ACPI_NEW, 36);
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.firmware, HANDOFF_FW_UEFI_MULTIBOOT2);
	assert_u64_equal(out.efi_system_table, 0x7f9e5018ull);
	assert_int_equal(out.rsdp_length, 36);
	assert_int_equal(out.rsdp[35], (uint8_t)(MB2_TAG_ACPI_NEW * 16 + 35));
	assert_string_equal(out.cmdline, "");
	assert_int_equal(out.module_count, 0);
}

/* A framebuffer tag: 32 bytes of common fields (GRUB's reserved is 16 bits), then colours. */
static uint32_t tag_framebuffer(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height,
				uint8_t bpp, uint8_t type, uint32_t size)
{
	uint32_t at = tag(MB2_TAG_FRAMEBUFFER, size, NULL);

	put64(at + 8, addr);
	put32(at + 16, pitch);
	put32(at + 20, width);
	put32(at + 24, height);
	info()[at + 28] = bpp;
	info()[at + 29] = type;
	return at;
}

static void test_framebuffer_rgb(void **state)
{
	uint32_t at;

	(void)state;
	minimal_mmap();
	at = tag_framebuffer(0x80000000ull, 3200, 800, 600, 32, MB2_FRAMEBUFFER_RGB, 38);
	memcpy(info() + at + 32, (const uint8_t[]){ 16, 8, 8, 8, 0, 8 }, 6);
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.screen.type, HANDOFF_SCREEN_RGB);
	assert_u64_equal(out.screen.base, 0x80000000ull);
	assert_int_equal(out.screen.pitch, 3200);
	assert_int_equal(out.screen.width, 800);
	assert_int_equal(out.screen.height, 600);
	assert_int_equal(out.screen.bpp, 32);
	assert_int_equal(out.screen.red_shift, 16);
	assert_int_equal(out.screen.red_bits, 8);
	assert_int_equal(out.screen.green_shift, 8);
	assert_int_equal(out.screen.blue_shift, 0);
	assert_int_equal(out.screen.blue_bits, 8);
}

static void test_framebuffer_ega_text(void **state)
{
	(void)state;
	minimal_mmap();
	tag_framebuffer(0xb8000, 160, 80, 25, 16, MB2_FRAMEBUFFER_EGA_TEXT, 32);
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.screen.type, HANDOFF_SCREEN_EGA_TEXT);
	assert_u64_equal(out.screen.base, 0xb8000);
	assert_int_equal(out.screen.width, 80);
	assert_int_equal(out.screen.height, 25);
	assert_int_equal(out.screen.pitch, 160);
}

/* Screens Shunt can not draw on are no error: there is just no screen console. */
static void test_framebuffer_unusable(void **state)
{
	static const struct {
		uint8_t type, bpp;
		uint32_t size;
	} cases[] = {
		{ MB2_FRAMEBUFFER_INDEXED, 8, 40 },
		{ MB2_FRAMEBUFFER_RGB, 8, 38 },
		{ MB2_FRAMEBUFFER_RGB, 15, 38 },
		{ MB2_FRAMEBUFFER_RGB, 32, 36 },
		{ 3, 32, 38 },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		setup(NULL);
		minimal_mmap();
		tag_framebuffer(0x80000000ull, 3200, 800, 600, cases[i].bpp, cases[i].type,
				cases[i].size);
		tag_end();
		finish();
		assert_int_equal(parse(), 0);
		assert_int_equal(out.screen.type, HANDOFF_SCREEN_NONE);
		assert_u64_equal(out.screen.base, 0);
	}
}

static void test_framebuffer_short_or_twice(void **state)
{
	(void)state;
	minimal_mmap();
	tag_framebuffer(0xb8000, 160, 80, 25, 16, MB2_FRAMEBUFFER_EGA_TEXT, 31);
	tag_end();
	finish();
	assert_int_equal(parse(), -1);
	assert_contains(out.boot_error, "framebuffer tag at offset");
	setup(NULL);
	minimal_mmap();
	tag_framebuffer(0xb8000, 160, 80, 25, 16, MB2_FRAMEBUFFER_EGA_TEXT, 32);
	tag_framebuffer(0xb8000, 160, 80, 25, 16, MB2_FRAMEBUFFER_EGA_TEXT, 32);
	tag_end();
	finish();
	assert_int_equal(parse(), -1);
	assert_contains(out.boot_error, "duplicate tag of type 8");
}

/* With both RSDP tags the ACPI 2.0 copy wins, in either order. */
static void test_acpi_new_preferred_after_old(void **state)
{
	(void)state;
	minimal_mmap();
	tag_acpi(MB2_TAG_ACPI_OLD, 20);
	tag_acpi(MB2_TAG_ACPI_NEW, 36);
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.rsdp_length, 36);
	assert_int_equal(out.rsdp[9], (uint8_t)(MB2_TAG_ACPI_NEW * 16 + 9));
}

static void test_acpi_new_preferred_before_old(void **state)
{
	(void)state;
	minimal_mmap();
	tag_acpi(MB2_TAG_ACPI_NEW, 36);
	tag_acpi(MB2_TAG_ACPI_OLD, 20);
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.rsdp_length, 36);
	assert_int_equal(out.rsdp[9], (uint8_t)(MB2_TAG_ACPI_NEW * 16 + 9));
}

/* Entries may be larger than the 24 bytes Shunt reads (later spec versions): stride by size. */
static void test_mmap_larger_entries(void **state)
{
	(void)state;
	tag_mmap(bios_map, 3, 32);
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.mem_count, 3);
	assert_u64_equal(out.mem[2].base, bios_map[2].base_addr);
	assert_u64_equal(out.mem[2].length, bios_map[2].length);
	assert_int_equal(out.mem[2].type, HANDOFF_MEM_RESERVED);
}

static void test_limits_accepted(void **state)
{
	static struct mb2_mmap_entry map[HANDOFF_MAX_MEM];
	char cmdline[HANDOFF_CMDLINE_MAX];
	char modline[HANDOFF_MODULE_CMDLINE_MAX];
	char name[HANDOFF_LOADER_NAME_MAX];

	(void)state;
	for (unsigned int i = 0; i < HANDOFF_MAX_MEM; i++)
		map[i] = (struct mb2_mmap_entry){ (uint64_t)i << 20, MIB, MB2_MMAP_AVAILABLE, 0 };
	memset(cmdline, 'c', sizeof(cmdline) - 1);
	cmdline[sizeof(cmdline) - 1] = '\0';
	memset(modline, 'm', sizeof(modline) - 1);
	modline[sizeof(modline) - 1] = '\0';
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';

	tag_mmap(map, HANDOFF_MAX_MEM, sizeof(map[0]));
	tag_string(MB2_TAG_CMDLINE, cmdline);
	tag_string(MB2_TAG_LOADER_NAME, name);
	for (unsigned int i = 0; i < HANDOFF_MAX_MODULES; i++)
		tag_module(0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, modline);
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.mem_count, HANDOFF_MAX_MEM);
	assert_u64_equal(out.mem[HANDOFF_MAX_MEM - 1].base, (uint64_t)(HANDOFF_MAX_MEM - 1) << 20);
	assert_int_equal(out.module_count, HANDOFF_MAX_MODULES);
	assert_u64_equal(out.modules[HANDOFF_MAX_MODULES - 1].base,
			 0x1000000 + (HANDOFF_MAX_MODULES - 1) * 0x1000);
	assert_string_equal(out.modules[HANDOFF_MAX_MODULES - 1].cmdline, modline);
	assert_int_equal(out.modules[HANDOFF_MAX_MODULES - 1].refused, HANDOFF_MODULE_OK);
	assert_int_equal(out.modules_dropped, 0);
	assert_string_equal(out.cmdline, cmdline);
	assert_string_equal(out.loader_name, name);
}

/* Bytes after the end tag (but inside total_size) are not boot information. */
static void test_bytes_after_end_ignored(void **state)
{
	(void)state;
	minimal_mmap();
	tag_end();
	tag(MB2_TAG_MMAP, 12, NULL); /* would be malformed if it were read */
	put32(b.len, 0xffffffff);
	b.len += 8;
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.mem_count, 1);
}

/* --- Malformed information --- */

static void test_bad_magic(void **state)
{
	(void)state;
	minimal_mmap();
	tag_end();
	finish();
	assert_int_equal(mb2_parse(0x2badb002 /* multiboot1 */, info(), &out), -1);
	assert_contains(out.boot_error, "magic");
}

static void test_misaligned_info(void **state)
{
	(void)state;
	minimal_mmap();
	tag_end();
	finish();
	memmove(info() + 4, info(), b.len);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, info() + 4, &out), -1);
	assert_contains(out.boot_error, "aligned");
}

static void test_null_info(void **state)
{
	(void)state;
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, NULL, &out), -1);
	assert_contains(out.boot_error, "multiboot2");
}

static void test_total_size_too_small(void **state)
{
	(void)state;
	put32(0, 8); /* just the header: no room for the end tag */
	expect_error("total size 8");
}

static void test_total_size_too_large(void **state)
{
	(void)state;
	minimal_mmap();
	tag_end();
	put32(0, MB2_INFO_MAX_SIZE + 8);
	expect_error("total size");
}

/* total_size ends inside a tag that itself claims more. */
static void test_tag_past_total(void **state)
{
	(void)state;
	minimal_mmap();
	tag_string(MB2_TAG_CMDLINE, "a command line");
	tag_end();
	put32(0, b.len - 8 - 8); /* cuts the command line tag */
	expect_error("runs past the end");
}

static void test_tag_size_past_total(void **state)
{
	uint32_t at;

	(void)state;
	minimal_mmap();
	at = tag_string(MB2_TAG_CMDLINE, "abc");
	tag_end();
	finish();
	put32(at + 4, 0x10000); /* far beyond total_size */
	expect_error("runs past the end");
}

static void test_tag_size_below_header(void **state)
{
	uint32_t at;

	(void)state;
	minimal_mmap();
	at = tag(33, 8, NULL);
	tag_end();
	finish();
	put32(at + 4, 4);
	expect_error("less than its own header");
}

static void test_tag_size_zero(void **state)
{
	uint32_t at;

	(void)state;
	minimal_mmap();
	at = tag(33, 8, NULL);
	tag_end();
	finish();
	put32(at + 4, 0); /* would loop forever if taken as a tag length */
	expect_error("less than its own header");
}

static void test_missing_end_tag(void **state)
{
	(void)state;
	minimal_mmap();
	tag_string(MB2_TAG_CMDLINE, "no end");
	finish();
	expect_error("no end tag");
}

/* The last tag's padding runs past total_size: the walk must stop, not read beyond. */
static void test_missing_end_tag_unpadded_total(void **state)
{
	(void)state;
	minimal_mmap();
	tag_string(MB2_TAG_CMDLINE, "odd"); /* 12 bytes, padded to 16 */
	put32(0, b.len - 4);
	expect_error("no end tag");
}

static void test_end_tag_wrong_size(void **state)
{
	(void)state;
	minimal_mmap();
	tag(MB2_TAG_END, 16, NULL);
	finish();
	expect_error("end tag");
}

static void test_duplicate_cmdline(void **state)
{
	(void)state;
	minimal_mmap();
	tag_string(MB2_TAG_CMDLINE, "first");
	tag_string(MB2_TAG_CMDLINE, "second");
	tag_end();
	finish();
	expect_error("duplicate");
}

static void test_duplicate_loader_name(void **state)
{
	(void)state;
	minimal_mmap();
	tag_string(MB2_TAG_LOADER_NAME, "GRUB");
	tag_string(MB2_TAG_LOADER_NAME, "GRUB");
	tag_end();
	finish();
	expect_error("duplicate");
}

static void test_duplicate_mmap(void **state)
{
	(void)state;
	minimal_mmap();
	minimal_mmap();
	tag_end();
	finish();
	expect_error("duplicate");
}

static void test_duplicate_efi64(void **state)
{
	(void)state;
	minimal_mmap();
	tag_efi64(0x1000);
	tag_efi64(0x2000);
	tag_end();
	finish();
	expect_error("duplicate");
}

/* A duplicate is refused even with other tags between the two (each type is remembered). */
static void test_duplicate_with_tags_between(void **state)
{
	(void)state;
	minimal_mmap();
	tag_string(MB2_TAG_CMDLINE, "first");
	tag_string(MB2_TAG_LOADER_NAME, "GRUB");
	tag_string(MB2_TAG_CMDLINE, "second");
	tag_end();
	finish();
	expect_error("duplicate");
}

static void test_mmap_entry_size_20(void **state)
{
	(void)state;
	tag_mmap(one_region, 0, 20);
	tag_end();
	finish();
	expect_error("entry size 20");
}

/* A multiple of 8, but smaller than the 24 bytes of an entry. */
static void test_mmap_entry_size_16(void **state)
{
	uint32_t at;

	(void)state;
	at = tag(MB2_TAG_MMAP, 16 + 2 * 16, NULL);
	put32(at + 8, 16);
	put64(at + 16, 0x100000); /* two entries of base and length only */
	put64(at + 24, 0x100000);
	put64(at + 32, 0x200000);
	put64(at + 40, 0x100000);
	tag_end();
	finish();
	expect_error("entry size 16");
}

static void test_mmap_entry_size_not_multiple_of_8(void **state)
{
	(void)state;
	tag_mmap(one_region, 1, 28);
	tag_end();
	finish();
	expect_error("entry size 28");
}

static void test_mmap_entry_size_zero(void **state)
{
	uint32_t at;

	(void)state;
	at = tag_mmap(one_region, 1, 24);
	put32(at + 8, 0); /* a division by zero if not refused */
	tag_end();
	finish();
	expect_error("entry size 0");
}

static void test_mmap_partial_entry(void **state)
{
	uint32_t at;

	(void)state;
	at = tag_mmap(bios_map, 2, 24);
	put32(at + 4, 16 + 24 + 16); /* one entry and two thirds */
	tag_end();
	finish();
	expect_error("partial");
}

static void test_mmap_tag_too_short(void **state)
{
	(void)state;
	tag(MB2_TAG_MMAP, 12, NULL);
	tag_end();
	finish();
	expect_error("too short");
}

static void test_mmap_too_many_entries(void **state)
{
	static struct mb2_mmap_entry map[HANDOFF_MAX_MEM + 1];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = (struct mb2_mmap_entry){ (uint64_t)i << 20, MIB, MB2_MMAP_AVAILABLE, 0 };
	tag_mmap(map, ARRAY_SIZE(map), sizeof(map[0]));
	tag_end();
	finish();
	expect_error("at most 256");
}

static void test_mmap_no_entries(void **state)
{
	(void)state;
	tag_mmap(one_region, 0, 24);
	tag_end();
	finish();
	expect_error("memory map");
}

static void test_no_mmap(void **state)
{
	(void)state;
	tag_string(MB2_TAG_CMDLINE, "test");
	tag_end();
	finish();
	expect_error("no memory map");
}

static void test_module_end_before_start(void **state)
{
	(void)state;
	minimal_mmap();
	tag_module(0x300000, 0x2fffff, "guest");
	tag_end();
	finish();
	expect_error("before it starts");
}

static void test_module_tag_too_short(void **state)
{
	uint32_t at;

	(void)state;
	minimal_mmap();
	at = tag_module(0x300000, 0x301000, "");
	put32(at + 4, 16); /* no room even for the terminating NUL */
	tag_end();
	finish();
	expect_error("too short");
}

/*
 * Regression: a 17th and 18th module used to end the boot ("more than 16 modules"). Valid
 * input refuses only what does not fit: the table is passed whole, the rest counted.
 */
static void test_modules_past_table_dropped(void **state)
{
	(void)state;
	minimal_mmap();
	for (unsigned int i = 0; i < HANDOFF_MAX_MODULES + 2; i++)
		tag_module(0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, "m");
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_string_equal(out.boot_error, "");
	assert_int_equal(out.module_count, HANDOFF_MAX_MODULES);
	assert_int_equal(out.modules_dropped, 2);
	assert_u64_equal(out.modules[HANDOFF_MAX_MODULES - 1].base,
			 0x1000000 + (HANDOFF_MAX_MODULES - 1) * 0x1000);
	for (unsigned int i = 0; i < HANDOFF_MAX_MODULES; i++)
		assert_int_equal(out.modules[i].refused, HANDOFF_MODULE_OK);
}

/* A module past the table is still checked: a malformed one ends the boot as before. */
static void test_module_past_table_malformed(void **state)
{
	uint32_t at = 0;

	(void)state;
	minimal_mmap();
	for (unsigned int i = 0; i <= HANDOFF_MAX_MODULES; i++)
		at = tag_module(0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, "guest");
	put32(at + 4, 16 + 5); /* the 17th's "guest" without its NUL */
	tag_end();
	finish();
	expect_error("NUL");
	assert_contains(out.boot_error, "module");
}

static void test_module_past_table_ends_before_start(void **state)
{
	(void)state;
	minimal_mmap();
	for (unsigned int i = 0; i < HANDOFF_MAX_MODULES; i++)
		tag_module(0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, "m");
	tag_module(0x300000, 0x2fffff, "guest");
	tag_end();
	finish();
	expect_error("before it starts");
}

/* A string tag without NUL inside its size, followed by zero padding it must not use. */
static void test_cmdline_not_terminated(void **state)
{
	(void)state;
	minimal_mmap();
	tag(MB2_TAG_CMDLINE, 8 + 3, "abc");
	tag_end();
	finish();
	expect_error("NUL");
	assert_contains(out.boot_error, "command line");
}

static void test_cmdline_empty_tag(void **state)
{
	(void)state;
	minimal_mmap();
	tag(MB2_TAG_CMDLINE, 8, NULL);
	tag_end();
	finish();
	expect_error("NUL");
}

static void test_loader_name_not_terminated(void **state)
{
	(void)state;
	minimal_mmap();
	tag(MB2_TAG_LOADER_NAME, 8 + 4, "GRUB");
	tag_end();
	finish();
	expect_error("NUL");
}

static void test_module_string_not_terminated(void **state)
{
	uint32_t at;

	(void)state;
	minimal_mmap();
	at = tag_module(0x300000, 0x301000, "guest");
	put32(at + 4, 16 + 5); /* "guest" without its NUL */
	tag_end();
	finish();
	expect_error("NUL");
	assert_contains(out.boot_error, "module");
}

static void test_cmdline_too_long(void **state)
{
	char s[HANDOFF_CMDLINE_MAX + 1];

	(void)state;
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	minimal_mmap();
	tag_string(MB2_TAG_CMDLINE, s);
	tag_end();
	finish();
	expect_error("longer than 511");
}

static void test_loader_name_too_long(void **state)
{
	char s[HANDOFF_LOADER_NAME_MAX + 1];

	(void)state;
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	minimal_mmap();
	tag_string(MB2_TAG_LOADER_NAME, s);
	tag_end();
	finish();
	expect_error("longer than 63");
}

/*
 * Regression: a module command line of 256 bytes or more used to end the boot. It refuses
 * that module alone, passed with its true length and a prefix that names it; the modules
 * around it are passed as usual.
 */
static void test_module_cmdline_too_long(void **state)
{
	char s[300 + 1];

	(void)state;
	memset(s, 'x', sizeof(s) - 1);
	memcpy(s, "big.elf ", 8);
	s[sizeof(s) - 1] = '\0';
	minimal_mmap();
	tag_module(0x200000, 0x201000, "before.elf");
	tag_module(0x300000, 0x301000, s);
	tag_module(0x400000, 0x401000, "after.elf");
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_string_equal(out.boot_error, "");
	assert_int_equal(out.module_count, 3);
	assert_int_equal(out.modules[0].refused, HANDOFF_MODULE_OK);
	assert_int_equal(out.modules[1].refused, HANDOFF_MODULE_CMDLINE_TOO_LONG);
	assert_int_equal(out.modules[1].cmdline_length, 300);
	assert_int_equal(strlen(out.modules[1].cmdline), HANDOFF_MODULE_CMDLINE_MAX - 1);
	assert_memory_equal(out.modules[1].cmdline, s, HANDOFF_MODULE_CMDLINE_MAX - 1);
	assert_u64_equal(out.modules[1].base, 0x300000);
	assert_int_equal(out.modules[2].refused, HANDOFF_MODULE_OK);
	assert_string_equal(out.modules[2].cmdline, "after.elf");
}

/* The longest command line that fits is passed as it is; one byte more refuses the module. */
static void test_module_cmdline_length_limit(void **state)
{
	char s[HANDOFF_MODULE_CMDLINE_MAX + 1];

	(void)state;
	memset(s, 'y', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	minimal_mmap();
	tag_module(0x300000, 0x301000, s + 1); /* 255 bytes */
	tag_module(0x300000, 0x301000, s);     /* 256 bytes */
	tag_end();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(out.modules[0].refused, HANDOFF_MODULE_OK);
	assert_int_equal(out.modules[0].cmdline_length, HANDOFF_MODULE_CMDLINE_MAX - 1);
	assert_string_equal(out.modules[0].cmdline, s + 1);
	assert_int_equal(out.modules[1].refused, HANDOFF_MODULE_CMDLINE_TOO_LONG);
	assert_int_equal(out.modules[1].cmdline_length, HANDOFF_MODULE_CMDLINE_MAX);
	assert_string_equal(out.modules[1].cmdline, s + 1);
}

static void test_acpi_old_too_short(void **state)
{
	(void)state;
	minimal_mmap();
	tag_acpi(MB2_TAG_ACPI_OLD, 19);
	tag_end();
	finish();
	expect_error("ACPI RSDP");
}

static void test_acpi_new_too_short(void **state)
{
	(void)state;
	minimal_mmap();
	tag_acpi(MB2_TAG_ACPI_NEW, 20); /* an ACPI 1.0 RSDP in the 2.0 tag */
	tag_end();
	finish();
	expect_error("ACPI RSDP");
}

static void test_efi64_too_short(void **state)
{
	(void)state;
	minimal_mmap();
	tag(MB2_TAG_EFI64, 12, "\1\2\3\4");
	tag_end();
	finish();
	expect_error("EFI64");
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bios_info),
		T(test_efi64_means_uefi),
		T(test_framebuffer_rgb),
		T(test_framebuffer_ega_text),
		T(test_framebuffer_unusable),
		T(test_framebuffer_short_or_twice),
		T(test_acpi_new_preferred_after_old),
		T(test_acpi_new_preferred_before_old),
		T(test_mmap_larger_entries),
		T(test_limits_accepted),
		T(test_bytes_after_end_ignored),
		T(test_bad_magic),
		T(test_misaligned_info),
		T(test_null_info),
		T(test_total_size_too_small),
		T(test_total_size_too_large),
		T(test_tag_past_total),
		T(test_tag_size_past_total),
		T(test_tag_size_below_header),
		T(test_tag_size_zero),
		T(test_missing_end_tag),
		T(test_missing_end_tag_unpadded_total),
		T(test_end_tag_wrong_size),
		T(test_duplicate_cmdline),
		T(test_duplicate_loader_name),
		T(test_duplicate_mmap),
		T(test_duplicate_efi64),
		T(test_duplicate_with_tags_between),
		T(test_mmap_entry_size_20),
		T(test_mmap_entry_size_16),
		T(test_mmap_entry_size_not_multiple_of_8),
		T(test_mmap_entry_size_zero),
		T(test_mmap_partial_entry),
		T(test_mmap_tag_too_short),
		T(test_mmap_too_many_entries),
		T(test_mmap_no_entries),
		T(test_no_mmap),
		T(test_module_end_before_start),
		T(test_module_tag_too_short),
		T(test_modules_past_table_dropped),
		T(test_module_past_table_malformed),
		T(test_module_past_table_ends_before_start),
		T(test_cmdline_not_terminated),
		T(test_cmdline_empty_tag),
		T(test_loader_name_not_terminated),
		T(test_module_string_not_terminated),
		T(test_cmdline_too_long),
		T(test_loader_name_too_long),
		T(test_module_cmdline_too_long),
		T(test_module_cmdline_length_limit),
		T(test_acpi_old_too_short),
		T(test_acpi_new_too_short),
		T(test_efi64_too_short),
	};

	return unit_run(tests);
}
