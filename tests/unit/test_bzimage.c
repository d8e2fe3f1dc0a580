/*
 * Linux bzImages (hv/lib/bzimage.c): a bzImage-like file built in memory (a setup header of
 * boot protocol 2.15, four setup sectors, 4 KiB of protected-mode kernel) is recognised by
 * kernel_image_check and placed; every field it is refused by gets a bad header of its own;
 * then the zero page as the kernel reads it, and the initrd's and command line's limits.
 */
#include "unit.h"

#include <hv/pvh.h>

#include <stdlib.h>

#define SETUP_BYTES 0xa00 /* (4 + 1) sectors */
#define KERNEL_BYTES 0x1000
#define FILE_BYTES (SETUP_BYTES + KERNEL_BYTES)
#define PREF 0x1000000ull
#define INIT_SIZE 0x2000000ull
#define RAM (64 * MIB)

static uint8_t file[FILE_BYTES];
static uint64_t file_size;
static struct kernel_image k;
static char err[ELF64_ERR_MAX];

static void put(uint32_t offset, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		file[offset + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *b, uint32_t offset, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)b[offset + i] << (8 * i);
	return v;
}

static int setup(void **state)
{
	(void)state;
	memset(file, 0, sizeof(file));
	memset(&k, 0x5a, sizeof(k));
	file_size = FILE_BYTES;
	memcpy(file, "MZ", 2);
	file[0x1f1] = 4;			       /* setup_sects */
	put(0x1f4, KERNEL_BYTES / 16, 4);	       /* syssize */
	put(0x1fe, 0xaa55, 2);			       /* boot_flag */
	put(0x200, 0x6aeb, 2);			       /* jump: the header ends at 0x26c */
	memcpy(file + 0x202, "HdrS", 4);	       /* header */
	put(0x206, 0x020f, 2);			       /* version 2.15 */
	file[0x211] = 1;			       /* loadflags: LOADED_HIGH */
	put(0x22c, 0x7fffffff, 4);		       /* initrd_addr_max */
	put(0x230, 0x200000, 4);		       /* kernel_alignment */
	file[0x234] = 1;			       /* relocatable_kernel */
	put(0x236, 0x3, 2);			       /* xloadflags: KERNEL_64, above 4G */
	put(0x238, 255, 4);			       /* cmdline_size */
	put(0x248, 0x100, 4);			       /* payload_offset */
	put(0x24c, 0x800, 4);			       /* payload_length */
	put(0x258, PREF, 8);			       /* pref_address */
	put(0x260, INIT_SIZE, 4);		       /* init_size */
	file[0x1ef] = 0xff;			       /* the sentinel a loader must not copy */
	memcpy(file + SETUP_BYTES, "\x48\x31\xc0", 3); /* startup_32 ... */
	return 0;
}

static int check(uint64_t ram)
{
	return kernel_image_check(file, file_size, ram, &k, err, sizeof(err));
}

static void expect_refused(uint64_t ram, const char *needle)
{
	assert_int_equal(check(ram), -EINVAL);
	assert_contains(err, needle);
}

static void test_bzimage(void **state)
{
	(void)state;
	assert_int_equal(check(RAM), 0);
	assert_string_equal(err, "");
	assert_int_equal(k.kind, KERNEL_BZIMAGE);
	assert_int_equal(k.bz.version, 0x020f);
	assert_u64_equal(k.bz.load_gpa, PREF);
	assert_u64_equal(k.entry, PREF + 0x200);
	assert_u64_equal(k.bz.kernel_offset, SETUP_BYTES);
	assert_u64_equal(k.bz.kernel_size, KERNEL_BYTES);
	assert_u64_equal(k.bz.init_size, INIT_SIZE);
	assert_int_equal(k.bz.header_end, 0x26c);
	assert_int_equal(k.bz.cmdline_max, 255);
	/* The protected-mode kernel is the one segment to copy; its memory runs to init_size. */
	assert_int_equal(k.elf.segment_count, 1);
	assert_u64_equal(k.elf.segments[0].paddr, PREF);
	assert_u64_equal(k.elf.segments[0].file_offset, SETUP_BYTES);
	assert_u64_equal(k.elf.segments[0].file_size, KERNEL_BYTES);
	assert_u64_equal(k.elf.highest_paddr, PREF + INIT_SIZE);
	assert_u64_equal(k.bz.initrd_end, RAM);
	assert_u64_equal(kernel_initrd_top(&k, RAM), RAM);
}

static void test_setup_sects_zero_means_four(void **state)
{
	(void)state;
	file[0x1f1] = 0;
	assert_int_equal(check(RAM), 0);
	assert_u64_equal(k.bz.kernel_offset, SETUP_BYTES);
}

static void test_relocatable_aligned_up(void **state)
{
	(void)state;
	put(0x258, PREF + 0x1000, 8);
	assert_int_equal(check(RAM), 0);
	assert_u64_equal(k.bz.load_gpa, PREF + 0x200000);
	assert_u64_equal(k.entry, PREF + 0x200200);
}

static void test_not_relocatable_at_pref_address(void **state)
{
	(void)state;
	file[0x234] = 0;
	put(0x230, 3, 4); /* kernel_alignment does not matter then */
	put(0x258, PREF + 0x1000, 8);
	assert_int_equal(check(RAM), 0);
	assert_u64_equal(k.bz.load_gpa, PREF + 0x1000);
	put(0x258, 0x80000, 8);
	expect_refused(RAM, "wants to load at 0x80000, outside the VM's RAM above 1 MiB");
}

static void test_no_boot_flag(void **state)
{
	(void)state;
	put(0x1fe, 0, 2);
	expect_refused(RAM, "not a bzImage (no boot flag 0xaa55 and \"HdrS\" magic)");
}

static void test_protocol_too_old(void **state)
{
	(void)state;
	put(0x206, 0x020b, 2);
	expect_refused(RAM, "bzImage boot protocol 2.11 is too old: the 64-bit entry needs 2.12");
	put(0x206, 0x020c, 2);
	assert_int_equal(check(RAM), 0);
}

static void test_no_64bit_entry(void **state)
{
	(void)state;
	put(0x236, 0x2, 2);
	expect_refused(RAM, "bzImage has no 64-bit entry (XLF_KERNEL_64 not in xloadflags 0x2)");
}

static void test_short_setup_header(void **state)
{
	(void)state;
	put(0x200, 0x5eeb, 2); /* ends at 0x260, before init_size */
	expect_refused(RAM, "setup header ends at 0x260");
}

static void test_setup_sects_past_file(void **state)
{
	(void)state;
	file[0x1f1] = 40;
	expect_refused(RAM, "setup_sects 40 puts the kernel at 0x5200, outside the file");
}

static void test_truncated(void **state)
{
	(void)state;
	file_size = FILE_BYTES - 0x10;
	expect_refused(RAM, "bzImage is truncated: syssize says 4096 bytes of kernel, the file "
			    "holds 4080");
	file_size = 0x206; /* the magic, not even the version */
	expect_refused(RAM, "not a bzImage");
	put(0x1f4, 0, 4);
	file_size = FILE_BYTES;
	expect_refused(RAM, "syssize says 0 bytes");
}

static void test_payload_past_kernel(void **state)
{
	(void)state;
	put(0x24c, KERNEL_BYTES, 4);
	expect_refused(RAM,
		       "bzImage payload (offset 0x100, 4096 bytes) runs past the kernel's end");
	put(0x248, 0xffffffffu, 4); /* no 32-bit wrap-around */
	put(0x24c, 0x100, 4);
	expect_refused(RAM, "runs past the kernel's end");
}

static void test_bad_alignment(void **state)
{
	(void)state;
	put(0x230, 0x300000, 4);
	expect_refused(RAM, "kernel_alignment 0x300000 is not a power of two");
	put(0x230, 0, 4);
	expect_refused(RAM, "kernel_alignment 0x0 is not a power of two");
}

static void test_larger_than_ram(void **state)
{
	(void)state;
	expect_refused(32 * MIB, "bzImage needs memory up to 0x3000000 (load address + init_size), "
				 "past the VM's RAM: give it mem=80M or more");
	assert_int_equal(check(48 * MIB), 0);
	expect_refused(16 * MIB, "wants to load at 0x1000000, outside the VM's RAM");
	put(0x260, 0xffffffffu, 4);
	expect_refused(RAM, "needs memory up to 0x100ffffff");
}

static void test_initrd_addr_max(void **state)
{
	uint64_t at = 0;

	(void)state;
	put(0x22c, 0x37fffff, 4); /* the initrd's last byte at most at 56 MiB - 1 */
	assert_int_equal(check(RAM), 0);
	assert_u64_equal(k.bz.initrd_end, 0x3800000);
	assert_u64_equal(kernel_initrd_top(&k, RAM), 0x3800000);
	/* Only 8 MiB from the kernel's end (16 MiB + its 32 MiB init_size) to that limit. */
	assert_int_equal(pvh_place_initrd(kernel_initrd_top(&k, RAM), k.elf.highest_paddr, 0x800000,
					  &at, err, sizeof(err)),
			 0);
	assert_u64_equal(at, 0x3000000);
	assert_int_equal(pvh_place_initrd(kernel_initrd_top(&k, RAM), k.elf.highest_paddr, 0x800001,
					  &at, err, sizeof(err)),
			 -ENOSPC);
	assert_contains(err, "does not fit");
}

static void test_cmdline_size(void **state)
{
	char line[300];

	(void)state;
	assert_int_equal(check(RAM), 0);
	memset(line, 'a', 255);
	line[255] = '\0';
	assert_int_equal(kernel_cmdline_check(&k, line, err, sizeof(err)), 0);
	line[255] = 'a';
	line[256] = '\0';
	assert_int_equal(kernel_cmdline_check(&k, line, err, sizeof(err)), -E2BIG);
	assert_contains(err, "command line of 256 bytes is longer than the kernel takes (255)");
}

static uint8_t zp[BZIMAGE_ZERO_PAGE_SIZE];

static void test_zero_page(void **state)
{
	struct bzimage_boot boot = { .cmdline_gpa = PC_CMDLINE_GPA,
				     .initrd_gpa = 0x3c00000,
				     .initrd_size = 0x123456,
				     .rsdp_gpa = PC_ACPI_GPA,
				     .ram_size = RAM };
	uint64_t ram = 0;

	(void)state;
	assert_int_equal(check(RAM), 0);
	memset(zp, 0xa5, sizeof(zp));
	bzimage_write_zero_page(zp, file, &k.bz, &boot);
	assert_memory_equal(zp + 0x1f1, file + 0x1f1, 0x210 - 0x1f1); /* the header, copied */
	assert_memory_equal(zp + 0x211, file + 0x211, 0x218 - 0x211);
	assert_memory_equal(zp + 0x22c, file + 0x22c, 0x26c - 0x22c);
	assert_int_equal(zp[0x1ef], 0);			     /* the sentinel stays clear */
	assert_int_equal(zp[0x26c], 0);			     /* nothing past the header */
	assert_int_equal(zp[0x210], 0xff);		     /* type_of_loader */
	assert_u64_equal(get(zp, 0x228, 4), PC_CMDLINE_GPA); /* cmd_line_ptr */
	assert_u64_equal(get(zp, 0x218, 4), 0x3c00000);	     /* ramdisk_image */
	assert_u64_equal(get(zp, 0x21c, 4), 0x123456);	     /* ramdisk_size */
	assert_u64_equal(get(zp, 0xc0, 4) | get(zp, 0xc4, 4) | get(zp, 0xc8, 4), 0); /* ext_ */
	assert_u64_equal(get(zp, 0x70, 8), PC_ACPI_GPA); /* acpi_rsdp_addr */
	/* e820: the same map as PVH's, RAM below 640 KiB and from 1 MiB to the end. */
	assert_int_equal(zp[0x1e8], 4);
	for (unsigned int i = 0; i < 4; i++) {
		uint32_t at = 0x2d0 + i * 20;

		if (get(zp, at + 16, 4) == 1)
			ram += get(zp, at + 8, 8);
		if (i)
			assert_true(get(zp, at, 8) >= get(zp, at - 20, 8) + get(zp, at - 12, 8));
	}
	assert_u64_equal(get(zp, 0x2d0 + 3 * 20, 8), PC_HIGH_RAM_GPA);
	assert_u64_equal(get(zp, 0x2d0 + 3 * 20 + 8, 8), RAM - PC_HIGH_RAM_GPA);
	assert_u64_equal(ram, PC_LOW_RAM_END + RAM - PC_HIGH_RAM_GPA);
	assert_int_equal(zp[0x2d0 + 4 * 20], 0);
}

static void test_zero_page_old_protocol(void **state)
{
	struct bzimage_boot boot = { .cmdline_gpa = PC_CMDLINE_GPA,
				     .rsdp_gpa = PC_ACPI_GPA,
				     .ram_size = RAM };

	(void)state;
	put(0x206, 0x020d, 2); /* 2.13: no acpi_rsdp_addr yet (Linux finds the RSDP itself) */
	assert_int_equal(check(RAM), 0);
	bzimage_write_zero_page(zp, file, &k.bz, &boot);
	assert_u64_equal(get(zp, 0x70, 8), 0);
	assert_u64_equal(get(zp, 0x218, 4) | get(zp, 0x21c, 4), 0); /* no initrd */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bzimage, setup),
		cmocka_unit_test_setup(test_setup_sects_zero_means_four, setup),
		cmocka_unit_test_setup(test_relocatable_aligned_up, setup),
		cmocka_unit_test_setup(test_not_relocatable_at_pref_address, setup),
		cmocka_unit_test_setup(test_no_boot_flag, setup),
		cmocka_unit_test_setup(test_protocol_too_old, setup),
		cmocka_unit_test_setup(test_no_64bit_entry, setup),
		cmocka_unit_test_setup(test_short_setup_header, setup),
		cmocka_unit_test_setup(test_setup_sects_past_file, setup),
		cmocka_unit_test_setup(test_truncated, setup),
		cmocka_unit_test_setup(test_payload_past_kernel, setup),
		cmocka_unit_test_setup(test_bad_alignment, setup),
		cmocka_unit_test_setup(test_larger_than_ram, setup),
		cmocka_unit_test_setup(test_initrd_addr_max, setup),
		cmocka_unit_test_setup(test_cmdline_size, setup),
		cmocka_unit_test_setup(test_zero_page, setup),
		cmocka_unit_test_setup(test_zero_page_old_protocol, setup),
	};
	return unit_run(tests);
}
