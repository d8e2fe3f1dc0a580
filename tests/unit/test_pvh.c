/*
 * Linux kernels on Shunt (hv/lib/pvh.c): a vmlinux-like ELF built in memory (text and data
 * linked high, loaded at 16 MiB, a "Xen" PVH entry note) is told apart from a Shunt guest,
 * a bzImage, an ELF32 file and a vmlinux without the note, each refusal with its reason;
 * then the initrd's place and the PVH start-info block as Linux reads them.
 */
#include "unit.h"

#include <hv/pvh.h>

#include <elf.h>
#include <stdlib.h>

#define FILE_BYTES 0x3000
#define TEXT_PADDR 0x1000000ull
#define DATA_PADDR 0x1200000ull
#define KERNEL_END (DATA_PADDR + 0x4000)
#define HIGH 0xffffffff80000000ull
#define ENTRY (TEXT_PADDR + 0x40)
#define RAM (64 * MIB)
#define LINUX_NOTE 0x18 /* the first note's size: header, "Linux\0" padded, 4 bytes */

static uint64_t file_words[FILE_BYTES / 8 + 1];
static uint8_t *const file = (uint8_t *)file_words;
static Elf64_Ehdr *const eh = (Elf64_Ehdr *)file_words;
static uint64_t file_size;
static struct kernel_image k;
static char err[ELF64_ERR_MAX];

static Elf64_Phdr *ph(unsigned int i)
{
	return (Elf64_Phdr *)(file + eh->e_phoff) + i;
}

/* A note at offset: owner, type, descriptor of len bytes; returns its size. */
static uint32_t put_note(uint64_t offset, const char *owner, uint32_t type, uint64_t desc,
			 uint32_t len)
{
	Elf64_Nhdr *n = (Elf64_Nhdr *)(file + offset);
	uint32_t name_space = ((uint32_t)strlen(owner) + 1 + 3) & ~3u;

	n->n_namesz = (uint32_t)strlen(owner) + 1;
	n->n_descsz = len;
	n->n_type = type;
	memcpy(file + offset + sizeof(*n), owner, strlen(owner) + 1);
	memcpy(file + offset + sizeof(*n) + name_space, &desc, len);
	return (uint32_t)sizeof(*n) + name_space + ((len + 3) & ~3u);
}

/* Text (R+X) and data (R+W, with bss) linked high, loaded at 16 MiB; notes: Linux, then Xen. */
static int setup(void **state)
{
	uint32_t notes;

	(void)state;
	memset(file_words, 0, sizeof(file_words));
	memset(&k, 0x5a, sizeof(k));
	file_size = FILE_BYTES;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = TEXT_PADDR; /* a vmlinux's ELF entry is a physical address */
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	*ph(0) = (Elf64_Phdr){ PT_LOAD,	   PF_R | PF_X, 0x1000, HIGH + TEXT_PADDR,
			       TEXT_PADDR, 0x800,	0x800,	0x1000 };
	*ph(2) = (Elf64_Phdr){ PT_LOAD,	   PF_R | PF_W, 0x2000, HIGH + DATA_PADDR,
			       DATA_PADDR, 0x100,	0x4000, 0x1000 };
	notes = put_note(0x1800, "Linux", 0x100, 0, 4);
	assert_int_equal(notes, LINUX_NOTE);
	notes += put_note(0x1800 + notes, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 8);
	*ph(1) = (Elf64_Phdr){ PT_NOTE, PF_R, 0x1800, 0, 0, notes, notes, 4 };
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

static void test_pvh_kernel(void **state)
{
	(void)state;
	assert_int_equal(check(RAM), 0);
	assert_string_equal(err, "");
	assert_int_equal(k.kind, KERNEL_PVH);
	assert_u64_equal(k.entry, ENTRY);
	assert_int_equal(k.elf.segment_count, 2);
	assert_u64_equal(k.elf.lowest_paddr, TEXT_PADDR);
	assert_u64_equal(k.elf.highest_paddr, KERNEL_END);
}

static void test_pvh_note_of_four_bytes(void **state)
{
	(void)state;
	put_note(0x1800 + LINUX_NOTE, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 4);
	ph(1)->p_filesz = LINUX_NOTE + 0x14;
	assert_int_equal(check(RAM), 0);
	assert_u64_equal(k.entry, ENTRY);
}

static void test_pvh_note_bad_size(void **state)
{
	(void)state;
	put_note(0x1800 + LINUX_NOTE, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 2);
	expect_refused(RAM, "PVH entry note of 2 bytes");
}

static void test_pvh_entry_above_4g(void **state)
{
	(void)state;
	put_note(0x1800 + LINUX_NOTE, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, 0x100000000ull + ENTRY, 8);
	expect_refused(RAM, "above 4 GiB");
}

static void test_pvh_entry_outside_text(void **state)
{
	(void)state;
	put_note(0x1800 + LINUX_NOTE, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, DATA_PADDR + 8, 8);
	expect_refused(RAM, "not inside an executable segment");
}

static void test_kernel_larger_than_ram(void **state)
{
	(void)state;
	expect_refused(18 * MIB, "past the VM's 18 MiB of RAM: give it mem=");
}

static void test_kernel_below_1m(void **state)
{
	(void)state;
	ph(0)->p_paddr = 0x80000;
	put_note(0x1800 + LINUX_NOTE, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, 0x80040, 8);
	expect_refused(RAM, "below 1 MiB");
}

static void test_truncated_vmlinux(void **state)
{
	(void)state;
	file_size = 0x2080; /* the data segment's bytes run past the end */
	expect_refused(RAM, "past the end of the file");
}

static void test_malformed_note_is_no_note(void **state)
{
	(void)state;
	((Elf64_Nhdr *)(file + 0x1800))->n_namesz = 0xfffffff0u; /* the first note runs away */
	/* Neither note can be trusted: then it must be a Shunt guest, which it is not. */
	expect_refused(RAM, "entry point 0x1000000 is not inside an executable segment");
}

static void test_vmlinux_without_pvh_note(void **state)
{
	(void)state;
	ph(1)->p_filesz = LINUX_NOTE; /* only the Linux note */
	expect_refused(RAM, "without a PVH entry note");
	assert_contains(err, "CONFIG_PVH");
}

/* "HdrS" makes a file a bzImage, judged by bzimage_check (tests/unit/test_bzimage.c). */
static void test_bzimage(void **state)
{
	(void)state;
	memset(file, 0, 0x300);
	memcpy(file, "MZ", 2);
	memcpy(file + 0x202, "HdrS", 4);
	expect_refused(RAM, "not a bzImage (no boot flag 0xaa55");
}

static void test_elf32(void **state)
{
	(void)state;
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	expect_refused(RAM, "a 32-bit (ELF32) kernel without a multiboot header");
}

static void test_shunt_guest(void **state)
{
	(void)state;
	ph(1)->p_filesz = 0; /* no notes */
	ph(0)->p_vaddr = ph(0)->p_paddr = 0x100000;
	ph(2)->p_vaddr = ph(2)->p_paddr = 0x200000;
	eh->e_entry = 0x100010;
	assert_int_equal(check(4 * MIB), 0);
	assert_int_equal(k.kind, KERNEL_SHUNT);
	assert_u64_equal(k.entry, 0x100010);
}

static void test_not_elf(void **state)
{
	(void)state;
	memset(file, 0, 16);
	expect_refused(RAM, "not an ELF file");
}

static void test_initrd_placement(void **state)
{
	uint64_t at = 0;

	(void)state;
	assert_int_equal(pvh_place_initrd(RAM, KERNEL_END, 0x12345, &at, err, sizeof(err)), 0);
	assert_u64_equal(at, (RAM - 0x12345) & ~0xfffull);
	assert_true(at >= KERNEL_END);
	assert_int_equal(pvh_place_initrd(RAM, RAM - 0x1000, 0x2000, &at, err, sizeof(err)),
			 -ENOSPC);
	assert_contains(err, "does not fit");
	assert_int_equal(pvh_place_initrd(RAM, KERNEL_END, RAM + 1, &at, err, sizeof(err)),
			 -ENOSPC);
}

static uint8_t area[PC_BOOT_INFO_SIZE];

static void test_start_info(void **state)
{
	struct pvh_boot boot = { .ram_size = RAM,
				 .kernel_end = KERNEL_END,
				 .initrd_gpa = 0x3e00000,
				 .initrd_size = 0x1234,
				 .rsdp_gpa = PC_ACPI_GPA,
				 .cmdline = "console=ttyS0 panic=-1" };
	const struct hvm_start_info *si = (const void *)area;
	const struct hvm_memmap_table_entry *map;
	const struct hvm_modlist_entry *mod;
	uint64_t ram = 0;

	(void)state;
	memset(area, 0xa5, sizeof(area));
	assert_u64_equal(pvh_write_start_info(area, &boot), PC_BOOT_INFO_GPA);
	assert_int_equal(si->magic, 0x336ec578);
	assert_int_equal(si->version, 1);
	assert_u64_equal(si->rsdp_paddr, PC_ACPI_GPA);
	assert_string_equal((const char *)area + (si->cmdline_paddr - PC_BOOT_INFO_GPA),
			    "console=ttyS0 panic=-1");
	assert_int_equal(si->nr_modules, 1);
	mod = (const void *)(area + (si->modlist_paddr - PC_BOOT_INFO_GPA));
	assert_u64_equal(mod->paddr, 0x3e00000);
	assert_u64_equal(mod->size, 0x1234);
	assert_u64_equal(mod->cmdline_paddr, 0);
	/* The map: RAM below 640 KiB and from 1 MiB, the tables and this block not RAM. */
	map = (const void *)(area + (si->memmap_paddr - PC_BOOT_INFO_GPA));
	assert_int_equal(si->memmap_entries, 4);
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (map[i].type == PVH_MEMMAP_RAM)
			ram += map[i].size;
		assert_true(i == 0 || map[i].addr >= map[i - 1].addr + map[i - 1].size);
		if (map[i].addr <= PC_ACPI_GPA && PC_ACPI_GPA < map[i].addr + map[i].size)
			assert_int_equal(map[i].type, PVH_MEMMAP_ACPI);
		if (map[i].addr <= PC_BOOT_INFO_GPA && PC_BOOT_INFO_GPA < map[i].addr + map[i].size)
			assert_int_equal(map[i].type, PVH_MEMMAP_RESERVED);
	}
	assert_u64_equal(ram, PC_LOW_RAM_END + RAM - PC_HIGH_RAM_GPA);
	assert_u64_equal(map[3].addr + map[3].size, RAM);
}

static void test_start_info_without_initrd_or_acpi(void **state)
{
	struct pvh_boot boot = { .ram_size = RAM, .kernel_end = KERNEL_END, .cmdline = "" };
	const struct hvm_start_info *si = (const void *)area;

	(void)state;
	memset(area, 0xa5, sizeof(area));
	assert_u64_equal(pvh_write_start_info(area, &boot), PC_BOOT_INFO_GPA);
	assert_int_equal(si->nr_modules, 0);
	assert_u64_equal(si->modlist_paddr, 0);
	assert_u64_equal(si->rsdp_paddr, 0);
	assert_int_equal(si->memmap_entries, 3);
	assert_int_equal(si->flags, 0);
	assert_int_equal(si->reserved, 0);
}

static void test_start_info_cmdline_too_long(void **state)
{
	char *line = malloc(PC_BOOT_INFO_SIZE);
	struct pvh_boot boot = { .ram_size = RAM, .kernel_end = KERNEL_END, .cmdline = line };

	(void)state;
	memset(line, 'a', PC_BOOT_INFO_SIZE - 1);
	line[PC_BOOT_INFO_SIZE - 1] = '\0';
	assert_u64_equal(pvh_write_start_info(area, &boot), 0);
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pvh_kernel, setup),
		cmocka_unit_test_setup(test_pvh_note_of_four_bytes, setup),
		cmocka_unit_test_setup(test_pvh_note_bad_size, setup),
		cmocka_unit_test_setup(test_pvh_entry_above_4g, setup),
		cmocka_unit_test_setup(test_pvh_entry_outside_text, setup),
		cmocka_unit_test_setup(test_kernel_larger_than_ram, setup),
		cmocka_unit_test_setup(test_kernel_below_1m, setup),
		cmocka_unit_test_setup(test_truncated_vmlinux, setup),
		cmocka_unit_test_setup(test_malformed_note_is_no_note, setup),
		cmocka_unit_test_setup(test_vmlinux_without_pvh_note, setup),
		cmocka_unit_test_setup(test_bzimage, setup),
		cmocka_unit_test_setup(test_elf32, setup),
		cmocka_unit_test_setup(test_shunt_guest, setup),
		cmocka_unit_test_setup(test_not_elf, setup),
		cmocka_unit_test(test_initrd_placement),
		cmocka_unit_test(test_start_info),
		cmocka_unit_test(test_start_info_without_initrd_or_acpi),
		cmocka_unit_test(test_start_info_cmdline_too_long),
	};
	return unit_run(tests);
}
