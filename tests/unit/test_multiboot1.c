/*
 * Multiboot (v1) kernels (hv/lib/multiboot1.c): an ELF32 kernel built in memory with its
 * header in the first 8 KiB is recognised by kernel_image_check and loaded by its segments'
 * physical addresses; the same header with flag 16 loads by its a.out-kludge addresses; bad
 * checksums, requirements Shunt can not meet, images outside the file or the VM's RAM are
 * refused with their reasons; then the multiboot information as the kernel reads it.
 */
#include "unit.h"

#include <hv/pvh.h>

#include <elf.h>
#include <stdlib.h>

#define FILE_BYTES 0x3000
#define HEADER_AT 0x1000 /* the text segment's first bytes */
#define LOAD 0x100000u
#define ENTRY (LOAD + 0x40)
#define RAM (8 * MIB)

static uint32_t file_words[FILE_BYTES / 4];
static uint8_t *const file = (uint8_t *)file_words;
static Elf32_Ehdr *const eh = (Elf32_Ehdr *)file_words;
static uint64_t file_size;
static struct kernel_image k;
static char err[ELF64_ERR_MAX];

static Elf32_Phdr *ph(unsigned int i)
{
	return (Elf32_Phdr *)(file + eh->e_phoff) + i;
}

static uint32_t *header(void)
{
	return (uint32_t *)(file + HEADER_AT);
}

static void set_header(uint32_t flags)
{
	header()[0] = MULTIBOOT1_HEADER_MAGIC;
	header()[1] = flags;
	header()[2] = -(MULTIBOOT1_HEADER_MAGIC + flags);
}

/* Text (R+X, the header first) at 1 MiB, data with bss after it. */
static int setup(void **state)
{
	(void)state;
	memset(file_words, 0, sizeof(file_words));
	memset(&k, 0x5a, sizeof(k));
	file_size = FILE_BYTES;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ENTRY;
	eh->e_phoff = sizeof(Elf32_Ehdr);
	eh->e_ehsize = sizeof(Elf32_Ehdr);
	eh->e_phentsize = sizeof(Elf32_Phdr);
	eh->e_phnum = 2;
	*ph(0) = (Elf32_Phdr){ PT_LOAD, HEADER_AT, LOAD, LOAD, 0x800, 0x800, PF_R | PF_X, 0x1000 };
	*ph(1) = (Elf32_Phdr){ PT_LOAD, 0x2000, LOAD + 0x1000, LOAD + 0x1000,
			       0x100,	0x3000, PF_R | PF_W,   0x1000 };
	set_header(MULTIBOOT1_PAGE_ALIGN | MULTIBOOT1_MEMORY_INFO);
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

static void test_elf32_kernel(void **state)
{
	(void)state;
	assert_int_equal(check(RAM), 0);
	assert_string_equal(err, "");
	assert_int_equal(k.kind, KERNEL_MULTIBOOT1);
	assert_u64_equal(k.entry, ENTRY);
	assert_int_equal(k.mb.header_offset, HEADER_AT);
	assert_int_equal(k.elf.segment_count, 2);
	assert_u64_equal(k.elf.segments[0].file_offset, HEADER_AT);
	assert_u64_equal(k.elf.segments[1].file_size, 0x100);
	assert_u64_equal(k.elf.segments[1].mem_size, 0x3000);
	assert_u64_equal(k.elf.lowest_paddr, LOAD);
	assert_u64_equal(k.elf.highest_paddr, LOAD + 0x4000);
	assert_u64_equal(kernel_initrd_top(&k, RAM), RAM);
}

static void test_higher_half_entry(void **state)
{
	(void)state;
	ph(0)->p_vaddr = 0xc0100000u; /* linked high, loaded at 1 MiB */
	eh->e_entry = 0xc0100040u;
	assert_int_equal(check(RAM), 0);
	assert_u64_equal(k.entry, ENTRY);
}

static void test_bad_checksum(void **state)
{
	(void)state;
	header()[2] += 1;
	expect_refused(RAM, "multiboot header at 0x1000: bad checksum (magic + flags + checksum is "
			    "0x1, not 0)");
}

static void test_video_mode_required(void **state)
{
	(void)state;
	set_header(MULTIBOOT1_VIDEO_MODE | MULTIBOOT1_MEMORY_INFO);
	expect_refused(RAM, "requires header flags 0x4 that Shunt does not offer");
	set_header(1u << 9);
	expect_refused(RAM, "requires header flags 0x200");
	set_header(1u << 20); /* an optional flag Shunt does not know is no reason to refuse */
	assert_int_equal(check(RAM), 0);
}

static void test_header_past_8k(void **state)
{
	uint8_t big[0x2400];

	(void)state;
	memcpy(big, file, sizeof(big));
	memset(big + HEADER_AT, 0, 12);
	memcpy(big + 0x2000, header(), 12);
	assert_int_equal(kernel_image_check(big, sizeof(big), RAM, &k, err, sizeof(err)), -EINVAL);
	assert_contains(err, "a 32-bit (ELF32) kernel without a multiboot header");
	memcpy(big + 0x1ff4, header(), 12); /* the last place the search looks */
	memset(big + 0x2000, 0, 12);
	assert_int_equal(kernel_image_check(big, sizeof(big), RAM, &k, err, sizeof(err)), 0);
	assert_int_equal(k.mb.header_offset, 0x1ff4);
}

static void test_unaligned_header_ignored(void **state)
{
	(void)state;
	memmove(file + HEADER_AT + 2, file + HEADER_AT, 12);
	memset(file + HEADER_AT, 0, 2);
	expect_refused(RAM, "without a multiboot header");
}

static void test_segment_past_file(void **state)
{
	(void)state;
	ph(1)->p_filesz = 0x1001;
	expect_refused(RAM, "ELF32 segment at offset 0x2000 runs past the end of the file");
	ph(1)->p_filesz = 0xffffffffu; /* no 32-bit wrap-around */
	ph(1)->p_memsz = 0xffffffffu;
	expect_refused(RAM, "runs past the end of the file");
}

static void test_segment_filesz_above_memsz(void **state)
{
	(void)state;
	ph(1)->p_memsz = 0x80;
	expect_refused(RAM, "has more file bytes than memory");
}

static void test_program_headers_past_file(void **state)
{
	(void)state;
	eh->e_phnum = 0x1000;
	expect_refused(RAM, "program headers at 0x34 run past the end of the file");
}

static void test_not_i386(void **state)
{
	(void)state;
	eh->e_machine = EM_ARM;
	expect_refused(RAM, "not an i386 ELF32 executable");
}

static void test_below_1m(void **state)
{
	(void)state;
	ph(0)->p_paddr = ph(0)->p_vaddr = 0x80000;
	eh->e_entry = 0x80040;
	expect_refused(RAM, "multiboot kernel loads at 0x80000, below 1 MiB");
}

static void test_past_ram(void **state)
{
	(void)state;
	expect_refused(LOAD + 0x2000,
		       "multiboot kernel ends at 0x104000, past the VM's 1 MiB of RAM");
}

static void test_overlapping_segments(void **state)
{
	(void)state;
	ph(1)->p_paddr = LOAD + 0x400;
	expect_refused(RAM, "ELF segments at 0x100000 and 0x100400 overlap");
}

static void test_entry_outside_text(void **state)
{
	(void)state;
	eh->e_entry = LOAD + 0x1010; /* in data */
	expect_refused(RAM, "ELF entry 0x101010 is not inside an executable segment");
}

static void test_nothing_to_load(void **state)
{
	(void)state;
	ph(0)->p_type = PT_NOTE;
	ph(1)->p_memsz = 0;
	expect_refused(RAM, "multiboot ELF kernel with nothing to load");
}

/* The a.out kludge: the header says which bytes go where. */
static void set_kludge(uint32_t header_addr, uint32_t load, uint32_t load_end, uint32_t bss_end,
		       uint32_t entry)
{
	set_header(MULTIBOOT1_MEMORY_INFO | MULTIBOOT1_AOUT_KLUDGE);
	header()[3] = header_addr;
	header()[4] = load;
	header()[5] = load_end;
	header()[6] = bss_end;
	header()[7] = entry;
}

static void test_kludge(void **state)
{
	(void)state;
	memcpy(file,
	       "\x7f"
	       "BIN",
	       4); /* no longer ELF: the addresses are all it has */
	/* The file from 0x800 on loads at 2 MiB: the header (at 0x1000) lands at 2 MiB + 0x800. */
	set_kludge(0x200800, 0x200000, 0x201000, 0x208000, 0x200900);
	assert_int_equal(check(RAM), 0);
	assert_int_equal(k.kind, KERNEL_MULTIBOOT1);
	assert_u64_equal(k.entry, 0x200900);
	assert_int_equal(k.elf.segment_count, 1);
	assert_u64_equal(k.elf.segments[0].paddr, 0x200000);
	assert_u64_equal(k.elf.segments[0].file_offset, 0x800);
	assert_u64_equal(k.elf.segments[0].file_size, 0x1000);
	assert_u64_equal(k.elf.segments[0].mem_size, 0x8000);
	assert_u64_equal(k.elf.highest_paddr, 0x208000);
	/* load_end_addr 0: to the end of the file; bss_end_addr 0: no bss. */
	set_kludge(0x200800, 0x200000, 0, 0, 0x200900);
	assert_int_equal(check(RAM), 0);
	assert_u64_equal(k.elf.segments[0].file_size, FILE_BYTES - 0x800);
	assert_u64_equal(k.elf.segments[0].mem_size, FILE_BYTES - 0x800);
}

static void test_kludge_refused(void **state)
{
	(void)state;
	set_kludge(0x200000, 0x200800, 0, 0, 0x200900); /* header before load_addr */
	expect_refused(RAM, "load_addr 0x200800 does not put header_addr 0x200000 inside the file");
	set_kludge(0x300000, 0x200000, 0, 0, 0x300100); /* the load would start before the file */
	expect_refused(RAM, "does not put header_addr 0x300000 inside the file");
	set_kludge(0x200800, 0x200000, 0x204000, 0, 0x200900);
	expect_refused(RAM, "multiboot image of 16384 bytes runs past the end of the file");
	set_kludge(0x200800, 0x200000, 0x200000, 0, 0x200900);
	expect_refused(RAM, "load_end_addr 0x200000 is not above load_addr 0x200000");
	set_kludge(0x200800, 0x200000, 0x201000, 0x200800, 0x200900);
	expect_refused(RAM, "bss_end_addr 0x200800 is below the image's end 0x201000");
	set_kludge(0x200800, 0x200000, 0x201000, 0, 0x201000);
	expect_refused(RAM, "entry_addr 0x201000 is outside the loaded image");
	set_kludge(0x80800, 0x80000, 0x81000, 0, 0x80900);
	expect_refused(RAM, "below 1 MiB");
	set_kludge(0x7ff800, 0x7ff000, 0, 0x900000, 0x7ff900);
	expect_refused(RAM, "ends at 0x900000, past the VM's 8 MiB of RAM");
	/* The address fields cut off, in a buffer of exactly that size (ASan sees a read past). */
	set_kludge(0x200800, 0x200000, 0, 0, 0x200900);
	{
		uint8_t *cut = malloc(HEADER_AT + 20);

		memcpy(cut, file, HEADER_AT + 20);
		assert_int_equal(kernel_image_check(cut, HEADER_AT + 20, RAM, &k, err, sizeof(err)),
				 -EINVAL);
		assert_contains(err, "its address fields run past the end of the file");
		free(cut);
	}
}

static void test_not_elf_without_kludge(void **state)
{
	(void)state;
	memcpy(file,
	       "\x7f"
	       "BIN",
	       4);
	expect_refused(RAM, "multiboot kernel is not ELF and has no a.out-kludge addresses");
}

static uint8_t area[MULTIBOOT1_AREA_SIZE];

static void test_information(void **state)
{
	struct multiboot1_boot boot = { .ram_size = RAM,
					.acpi = 1,
					.cmdline = "mb1.word=one two",
					.module_gpa = 0x600000,
					.module_size = 0x1234,
					.module_name = "initramfs.cpio" };
	const struct multiboot1_info_block *mbi = (const void *)area;
	const struct multiboot1_mmap_entry *e;
	const struct multiboot1_module *mod;
	uint64_t ram = 0;

	(void)state;
	memset(area, 0xa5, sizeof(area));
	assert_u64_equal(multiboot1_write_info(area, PC_BOOT_INFO_GPA, &boot), PC_BOOT_INFO_GPA);
	assert_int_equal(mbi->flags, MULTIBOOT1_INFO_MEMORY | MULTIBOOT1_INFO_CMDLINE |
					     MULTIBOOT1_INFO_MODS | MULTIBOOT1_INFO_MMAP |
					     MULTIBOOT1_INFO_LOADER_NAME);
	assert_int_equal(mbi->mem_lower, 640);
	assert_int_equal(mbi->mem_upper, (RAM - MIB) / KIB);
	assert_string_equal((const char *)area + (mbi->cmdline - PC_BOOT_INFO_GPA),
			    "mb1.word=one two");
	assert_string_equal((const char *)area + (mbi->boot_loader_name - PC_BOOT_INFO_GPA),
			    "Shunt");
	assert_int_equal(mbi->mods_count, 1);
	mod = (const void *)(area + (mbi->mods_addr - PC_BOOT_INFO_GPA));
	assert_int_equal(mod->mod_start, 0x600000);
	assert_int_equal(mod->mod_end, 0x601234);
	assert_string_equal((const char *)area + (mod->string - PC_BOOT_INFO_GPA),
			    "initramfs.cpio");
	/* The memory map: PVH's and e820's, each entry's size not counting itself. */
	assert_int_equal(mbi->mmap_length, 4 * 24);
	for (uint32_t off = 0; off < mbi->mmap_length; off += e->size + 4) {
		e = (const void *)(area + (mbi->mmap_addr - PC_BOOT_INFO_GPA) + off);
		assert_int_equal(e->size, 20);
		if (e->type == 1)
			ram += e->len;
		if (e->addr == PC_ACPI_GPA)
			assert_int_equal(e->type, 3);
		if (e->addr == PC_BOOT_INFO_GPA)
			assert_int_equal(e->type, 2);
	}
	assert_u64_equal(ram, (uint64_t)(mbi->mem_lower + mbi->mem_upper) * KIB);
	assert_int_equal(mbi->syms[0] | mbi->drives_length | mbi->apm_table, 0);
}

static void test_information_without_module(void **state)
{
	struct multiboot1_boot boot = { .ram_size = RAM, .cmdline = "" };
	const struct multiboot1_info_block *mbi = (const void *)area;

	(void)state;
	memset(area, 0xa5, sizeof(area));
	assert_u64_equal(multiboot1_write_info(area, PC_BOOT_INFO_GPA, &boot), PC_BOOT_INFO_GPA);
	assert_int_equal(mbi->mods_count, 0);
	assert_int_equal(mbi->mmap_length, 3 * 24); /* no ACPI tables */
	assert_string_equal((const char *)area + (mbi->cmdline - PC_BOOT_INFO_GPA), "");
}

static void test_information_cmdline_too_long(void **state)
{
	static char line[0x1001];
	struct multiboot1_boot boot = { .ram_size = RAM, .cmdline = line };

	(void)state;
	memset(line, 'a', 0x1000);
	assert_u64_equal(multiboot1_write_info(area, PC_BOOT_INFO_GPA, &boot), 0);
	line[0xfff] = '\0';
	assert_u64_equal(multiboot1_write_info(area, PC_BOOT_INFO_GPA, &boot), PC_BOOT_INFO_GPA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_elf32_kernel, setup),
		cmocka_unit_test_setup(test_higher_half_entry, setup),
		cmocka_unit_test_setup(test_bad_checksum, setup),
		cmocka_unit_test_setup(test_video_mode_required, setup),
		cmocka_unit_test_setup(test_header_past_8k, setup),
		cmocka_unit_test_setup(test_unaligned_header_ignored, setup),
		cmocka_unit_test_setup(test_segment_past_file, setup),
		cmocka_unit_test_setup(test_segment_filesz_above_memsz, setup),
		cmocka_unit_test_setup(test_program_headers_past_file, setup),
		cmocka_unit_test_setup(test_not_i386, setup),
		cmocka_unit_test_setup(test_below_1m, setup),
		cmocka_unit_test_setup(test_past_ram, setup),
		cmocka_unit_test_setup(test_overlapping_segments, setup),
		cmocka_unit_test_setup(test_entry_outside_text, setup),
		cmocka_unit_test_setup(test_nothing_to_load, setup),
		cmocka_unit_test_setup(test_kludge, setup),
		cmocka_unit_test_setup(test_kludge_refused, setup),
		cmocka_unit_test_setup(test_not_elf_without_kludge, setup),
		cmocka_unit_test(test_information),
		cmocka_unit_test(test_information_without_module),
		cmocka_unit_test(test_information_cmdline_too_long),
	};
	return unit_run(tests);
}
