/*
 * Linux bzImages (see hv/bzimage.h): the setup header checked field by field for the 64-bit
 * boot protocol, and the zero page built from it. The file is untrusted: fields are read
 * through byte loads at offsets checked against the file's size first.
 */
#include <hv/bzimage.h>
#include <hv/fmt.h>
#include <hv/pvh.h>
#include <hv/string.h>

/* Offsets in the file and the zero page (Linux's uapi asm/bootparam.h, boot.rst). */
#define SETUP_SECTS 0x1f1
#define SYSSIZE 0x1f4
#define BOOT_FLAG 0x1fe
#define JUMP 0x200 /* its second byte: the setup header's length past 0x202 */
#define VERSION 0x206
#define TYPE_OF_LOADER 0x210
#define RAMDISK_IMAGE 0x218
#define RAMDISK_SIZE 0x21c
#define CMD_LINE_PTR 0x228
#define INITRD_ADDR_MAX 0x22c
#define KERNEL_ALIGNMENT 0x230
#define RELOCATABLE_KERNEL 0x234
#define XLOADFLAGS 0x236
#define CMDLINE_SIZE 0x238
#define PAYLOAD_OFFSET 0x248
#define PAYLOAD_LENGTH 0x24c
#define PREF_ADDRESS 0x258
#define INIT_SIZE 0x260
#define HEADER_NEEDED 0x264 /* the header must reach past init_size */

/* Zero page fields outside the setup header. */
#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE 0x0c4
#define ZP_EXT_CMD_LINE_PTR 0x0c8
#define ZP_E820_ENTRIES 0x1e8
#define ZP_E820_TABLE 0x2d0 /* 128 entries of 20 bytes: addr, size, type */
#define ZP_E820_ENTRY 20

#define BOOT_FLAG_MAGIC 0xaa55
#define SECTOR 512
#define DEFAULT_SETUP_SECTS 4 /* setup_sects 0 means 4 */
#define XLF_KERNEL_64 (1u << 0)
#define VERSION_ACPI_RSDP 0x020e /* 2.14: acpi_rsdp_addr */

static uint64_t get(const uint8_t *b, uint32_t offset, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)b[offset + i] << (8 * i);
	return v;
}

static void put(uint8_t *b, uint32_t offset, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		b[offset + i] = (uint8_t)(v >> (8 * i));
}

static int refuse(char *err, size_t n, const char *fmt, uint64_t a, uint64_t b)
{
	fmt_snprintf(err, n, fmt, (unsigned long long)a, (unsigned long long)b);
	return -EINVAL;
}

int bzimage_is_bzimage(const void *file, uint64_t size)
{
	return size >= BZIMAGE_MAGIC_OFFSET + 4 &&
	       !memcmp((const uint8_t *)file + BZIMAGE_MAGIC_OFFSET, "HdrS", 4);
}

/* The magic, the protocol version, 64-bit entry and a header long enough to read. */
static int check_header(const uint8_t *b, uint64_t size, struct bzimage_info *out, char *err,
			size_t n)
{
	if (!bzimage_is_bzimage(b, size) || size < VERSION + 2 ||
	    get(b, BOOT_FLAG, 2) != BOOT_FLAG_MAGIC)
		return refuse(err, n, "not a bzImage (no boot flag 0xaa55 and \"HdrS\" magic)", 0,
			      0);
	out->version = (uint16_t)get(b, VERSION, 2);
	if (out->version < BZIMAGE_MIN_VERSION)
		return refuse(err, n,
			      "bzImage boot protocol %llu.%02llu is too old: the 64-bit entry "
			      "needs 2.12 or later",
			      out->version >> 8, out->version & 0xff);
	out->header_end = (uint16_t)(JUMP + 2 + b[JUMP + 1]);
	if (out->header_end < HEADER_NEEDED + 4 || out->header_end > size)
		return refuse(err, n,
			      "bzImage setup header ends at 0x%llx: before init_size or past the "
			      "end of the file",
			      out->header_end, 0);
	if (!(get(b, XLOADFLAGS, 2) & XLF_KERNEL_64))
		return refuse(
			err, n,
			"bzImage has no 64-bit entry (XLF_KERNEL_64 not in xloadflags 0x%llx): "
			"a 32-bit kernel",
			get(b, XLOADFLAGS, 2), 0);
	return 0;
}

/* The protected-mode kernel inside the file, and its compressed payload inside that. */
static int check_kernel_bytes(const uint8_t *b, uint64_t size, struct bzimage_info *out, char *err,
			      size_t n)
{
	uint64_t setup =
		((uint64_t)(b[SETUP_SECTS] ? b[SETUP_SECTS] : DEFAULT_SETUP_SECTS) + 1) * SECTOR;
	uint64_t sys = get(b, SYSSIZE, 4) * 16;

	if (setup < out->header_end || setup >= size)
		return refuse(
			err, n,
			"bzImage setup_sects %llu puts the kernel at 0x%llx, outside the file",
			b[SETUP_SECTS], setup);
	out->kernel_offset = setup;
	out->kernel_size = size - setup;
	if (sys == 0 || sys > out->kernel_size)
		return refuse(err, n,
			      "bzImage is truncated: syssize says %llu bytes of kernel, the file "
			      "holds %llu",
			      sys, out->kernel_size);
	if (get(b, PAYLOAD_OFFSET, 4) + get(b, PAYLOAD_LENGTH, 4) > out->kernel_size)
		return refuse(
			err, n,
			"bzImage payload (offset 0x%llx, %llu bytes) runs past the kernel's end",
			get(b, PAYLOAD_OFFSET, 4), get(b, PAYLOAD_LENGTH, 4));
	return 0;
}

/* Where it loads, and that it fits with its init_size. */
static int place_kernel(const uint8_t *b, uint64_t ram_size, struct bzimage_info *out, char *err,
			size_t n)
{
	uint64_t align = get(b, KERNEL_ALIGNMENT, 4), need, end;

	out->load_gpa = get(b, PREF_ADDRESS, 8);
	out->init_size = get(b, INIT_SIZE, 4);
	if (b[RELOCATABLE_KERNEL]) {
		if (align < PAGE_SIZE || (align & (align - 1)) || align > GIB)
			return refuse(err, n,
				      "bzImage kernel_alignment 0x%llx is not a power of two "
				      "from 4 KiB to 1 GiB",
				      align, 0);
		out->load_gpa = ALIGN_UP(MAX(out->load_gpa, PC_HIGH_RAM_GPA), align);
	}
	if (out->load_gpa < PC_HIGH_RAM_GPA || out->load_gpa >= ram_size)
		return refuse(err, n,
			      "bzImage wants to load at 0x%llx, outside the VM's RAM above 1 MiB "
			      "(%llu MiB)",
			      out->load_gpa, ram_size / MIB);
	need = MAX(out->init_size, out->kernel_size);
	end = out->load_gpa + need;
	if (need > ram_size || end > ram_size)
		return refuse(err, n,
			      "bzImage needs memory up to 0x%llx (load address + init_size), past "
			      "the VM's RAM: give it mem=%lluM or more",
			      end, ALIGN_UP(end, MIB) / MIB + 32);
	return 0;
}

int bzimage_check(const void *file, uint64_t size, uint64_t ram_size, struct bzimage_info *out,
		  char *err, size_t err_size)
{
	const uint8_t *b = file;
	uint64_t initrd_max;

	memset(out, 0, sizeof(*out));
	if (check_header(b, size, out, err, err_size) ||
	    check_kernel_bytes(b, size, out, err, err_size) ||
	    place_kernel(b, ram_size, out, err, err_size))
		return -EINVAL;
	out->cmdline_max = (uint32_t)get(b, CMDLINE_SIZE, 4);
	initrd_max = get(b, INITRD_ADDR_MAX, 4); /* the highest address its last byte may use */
	out->initrd_end = MIN(initrd_max + 1, ram_size);
	return 0;
}

void bzimage_write_zero_page(void *zp, const void *file, const struct bzimage_info *info,
			     const struct bzimage_boot *boot)
{
	uint8_t *z = zp;
	struct pc_mem_region map[PC_MEMMAP_MAX];
	unsigned int count = pc_memmap(map, boot->ram_size, boot->rsdp_gpa != 0);

	memset(z, 0, BZIMAGE_ZERO_PAGE_SIZE);
	memcpy(z + BZIMAGE_HEADER_OFFSET, (const uint8_t *)file + BZIMAGE_HEADER_OFFSET,
	       info->header_end - BZIMAGE_HEADER_OFFSET);
	z[TYPE_OF_LOADER] = BZIMAGE_LOADER_TYPE;
	put(z, CMD_LINE_PTR, boot->cmdline_gpa, 4);
	put(z, ZP_EXT_CMD_LINE_PTR, boot->cmdline_gpa >> 32, 4);
	put(z, RAMDISK_IMAGE, boot->initrd_gpa, 4);
	put(z, ZP_EXT_RAMDISK_IMAGE, boot->initrd_gpa >> 32, 4);
	put(z, RAMDISK_SIZE, boot->initrd_size, 4);
	put(z, ZP_EXT_RAMDISK_SIZE, boot->initrd_size >> 32, 4);
	if (info->version >= VERSION_ACPI_RSDP)
		put(z, ZP_ACPI_RSDP_ADDR, boot->rsdp_gpa, 8);
	z[ZP_E820_ENTRIES] = (uint8_t)count;
	for (unsigned int i = 0; i < count; i++) {
		uint32_t at = ZP_E820_TABLE + i * ZP_E820_ENTRY;

		put(z, at, map[i].addr, 8);
		put(z, at + 8, map[i].size, 8);
		put(z, at + 16, map[i].type, 4);
	}
}
