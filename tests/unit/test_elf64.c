/*
 * ELF64 executable validation (hv/lib/elf64.c): a valid image built in memory (two PT_LOAD
 * segments and an ignored PT_NOTE) parsed into the right segments, then one test per
 * corruption, each refused with its -ELF64_E_* code and a reason in err; the placement check
 * of guests; and the whole messages, advice included, that a guest's author reads.
 */
#include "unit.h"

#include <hv/elf64.h>

#include <elf.h>
#include <stdlib.h>

#define FILE_BYTES 0x3000
#define TEXT_PADDR 0x100000ull
#define TEXT_VADDR 0xffffffff80100000ull
#define DATA_PADDR 0x200000ull
#define DATA_VADDR 0xffffffff80200000ull
#define ENTRY (TEXT_VADDR + 0x10)

/* The file, 8-byte aligned, and views of its headers. */
static uint64_t file_words[FILE_BYTES / 8 + 1];
static uint8_t *const file = (uint8_t *)file_words;
static Elf64_Ehdr *const eh = (Elf64_Ehdr *)file_words;
static uint64_t file_size;

static struct elf64_image img;
static char err[ELF64_ERR_MAX];

static Elf64_Phdr *ph(unsigned int i)
{
	return (Elf64_Phdr *)(file + eh->e_phoff) + i;
}

static void set_phdr(unsigned int i, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr,
		     uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	*ph(i) = (Elf64_Phdr){ .p_type = type,
			       .p_flags = flags,
			       .p_offset = offset,
			       .p_vaddr = vaddr,
			       .p_paddr = paddr,
			       .p_filesz = filesz,
			       .p_memsz = memsz,
			       .p_align = 0x1000 };
}

/* Text (R+X) at 1 MiB, a note, then data (R+W) with bss at 2 MiB. */
static int setup(void **state)
{
	(void)state;
	memset(file_words, 0, sizeof(file_words));
	memset(&img, 0x5a, sizeof(img));
	memset(err, 'x', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	file_size = FILE_BYTES;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ENTRY;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	set_phdr(0, PT_LOAD, PF_R | PF_X, 0x1000, TEXT_VADDR, TEXT_PADDR, 0x800, 0x800);
	set_phdr(1, PT_NOTE, PF_R, 0x1800, 0, 0, 0x20, 0x20);
	set_phdr(2, PT_LOAD, PF_R | PF_W, 0x2000, DATA_VADDR, DATA_PADDR, 0x100, 0x3000);
	return 0;
}

static int parse(void)
{
	return elf64_parse(file, file_size, &img, err, sizeof(err));
}

static void expect_refused(const char *needle)
{
	assert_true(parse() < 0);
	assert_true(err[0] != '\0');
	assert_contains(err, needle);
}

/* Refused for this reason, and no other. */
static void expect_refusal(int code, const char *needle)
{
	assert_int_equal(parse(), -code);
	assert_contains(err, needle);
}

/* --- Valid images --- */

static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	assert_string_equal(err, ""); /* cleared on success */
	assert_u64_equal(img.entry, ENTRY);
	assert_int_equal(img.segment_count, 2);

	assert_u64_equal(img.segments[0].paddr, TEXT_PADDR);
	assert_u64_equal(img.segments[0].vaddr, TEXT_VADDR);
	assert_u64_equal(img.segments[0].file_offset, 0x1000);
	assert_u64_equal(img.segments[0].file_size, 0x800);
	assert_u64_equal(img.segments[0].mem_size, 0x800);
	assert_int_equal(img.segments[0].flags, ELF64_PF_R | ELF64_PF_X);

	assert_u64_equal(img.segments[1].paddr, DATA_PADDR);
	assert_u64_equal(img.segments[1].vaddr, DATA_VADDR);
	assert_u64_equal(img.segments[1].file_offset, 0x2000);
	assert_u64_equal(img.segments[1].file_size, 0x100);
	assert_u64_equal(img.segments[1].mem_size, 0x3000);
	assert_int_equal(img.segments[1].flags, ELF64_PF_R | ELF64_PF_W);

	assert_u64_equal(img.lowest_paddr, TEXT_PADDR);
	assert_u64_equal(img.highest_paddr, DATA_PADDR + 0x3000);
}

/* Headers are read by copying: any alignment of the file in memory is fine. */
static void test_valid_unaligned_buffer(void **state)
{
	uint8_t *copy = malloc(FILE_BYTES + 1);

	(void)state;
	assert_non_null(copy);
	memcpy(copy + 1, file, FILE_BYTES);
	assert_int_equal(elf64_parse(copy + 1, FILE_BYTES, &img, err, sizeof(err)), 0);
	assert_int_equal(img.segment_count, 2);
	assert_u64_equal(img.segments[1].mem_size, 0x3000);
	free(copy);
}

/* The file is exactly as long as the last byte any header describes. */
static void test_valid_exact_file_size(void **state)
{
	(void)state;
	file_size = 0x2100;
	assert_int_equal(parse(), 0);
}

/* A PT_LOAD with nothing in memory is no segment; other types are ignored even if odd. */
static void test_empty_load_and_odd_note_ignored(void **state)
{
	(void)state;
	set_phdr(1, PT_LOAD, PF_R, 0, 0x5000000, 0x5000000, 0, 0);
	assert_int_equal(parse(), 0);
	assert_int_equal(img.segment_count, 2);
	set_phdr(1, PT_NOTE, 0, UINT64_MAX, 0, 0, UINT64_MAX, 0);
	assert_int_equal(parse(), 0);
	assert_int_equal(img.segment_count, 2);
}

/* An empty PT_LOAD is still checked: file bytes it can not hold, or that are not there. */
static void test_empty_load_still_checked(void **state)
{
	(void)state;
	set_phdr(1, PT_LOAD, PF_R, 0x1000, 0x5000000, 0x5000000, 0x10, 0);
	expect_refused("file size exceeds memory size");
	set_phdr(1, PT_LOAD, PF_R, 0x100000, 0x5000000, 0x5000000, 0, 0);
	expect_refused("past the end");
}

/* Segments that touch but do not overlap are fine. */
static void test_adjacent_segments(void **state)
{
	(void)state;
	ph(2)->p_paddr = TEXT_PADDR + 0x800;
	assert_int_equal(parse(), 0);
	assert_u64_equal(img.highest_paddr, TEXT_PADDR + 0x800 + 0x3000);
}

static void test_sixteen_segments(void **state)
{
	(void)state;
	eh->e_phnum = ELF64_MAX_SEGMENTS;
	for (unsigned int i = 1; i < ELF64_MAX_SEGMENTS; i++)
		set_phdr(i, PT_LOAD, PF_R, 0x2000, DATA_VADDR + i * 0x10000,
			 DATA_PADDR + i * 0x10000, 0x100, 0x1000);
	assert_int_equal(parse(), 0);
	assert_int_equal(img.segment_count, ELF64_MAX_SEGMENTS);
	assert_u64_equal(img.segments[15].paddr, DATA_PADDR + 15 * 0x10000);
}

/* err may be absent, or too small for the message: never written past its size. */
static void test_err_optional_and_bounded(void **state)
{
	char small[8];

	(void)state;
	eh->e_machine = EM_386;
	assert_int_equal(elf64_parse(file, file_size, &img, NULL, 0), -ELF64_E_MACHINE);
	memset(small, '#', sizeof(small));
	assert_int_equal(elf64_parse(file, file_size, &img, small, 5), -ELF64_E_MACHINE);
	assert_string_equal(small, "ELF ");
	assert_int_equal(small[5], '#');
}

/* --- The header --- */

static void test_file_shorter_than_header(void **state)
{
	(void)state;
	file_size = sizeof(Elf64_Ehdr) - 1;
	expect_refused("too small");
	file_size = 0;
	expect_refused("too small");
	assert_int_equal(elf64_parse(NULL, FILE_BYTES, &img, err, sizeof(err)), -1);
	assert_contains(err, "too small");
}

static void test_bad_magic(void **state)
{
	(void)state;
	file[1] = 'e';
	expect_refusal(ELF64_E_NOT_ELF, "magic");
}

static void test_elf32_class(void **state)
{
	(void)state;
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	expect_refusal(ELF64_E_NOT_64BIT, "not ELF64");
}

static void test_big_endian(void **state)
{
	(void)state;
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_refusal(ELF64_E_CORRUPT, "little-endian");
}

static void test_bad_version(void **state)
{
	(void)state;
	eh->e_version = 2;
	expect_refused("version");
	setup(NULL);
	eh->e_ident[EI_VERSION] = 0;
	expect_refused("version");
}

static void test_wrong_machine(void **state)
{
	(void)state;
	eh->e_machine = EM_AARCH64;
	expect_refusal(ELF64_E_MACHINE, "machine 183");
}

static void test_not_executable(void **state)
{
	(void)state;
	eh->e_type = ET_DYN;
	expect_refusal(ELF64_E_DYNAMIC, "ELF type 3 is not an executable (2)");
	eh->e_type = ET_REL;
	expect_refusal(ELF64_E_OBJECT, "ELF type 1 is not an executable (2)");
	eh->e_type = ET_CORE;
	expect_refusal(ELF64_E_TYPE, "ELF type 4 is not an executable (2)");
	eh->e_type = ET_NONE;
	expect_refusal(ELF64_E_TYPE, "ELF type 0 is not an executable (2)");
}

static void test_header_size_too_small(void **state)
{
	(void)state;
	eh->e_ehsize = 52; /* an ELF32 header */
	expect_refused("header size");
}

static void test_phentsize_wrong(void **state)
{
	(void)state;
	eh->e_phentsize = 32; /* ELF32 program headers */
	expect_refused("program header size 32");
	eh->e_phentsize = 64;
	expect_refused("program header size 64");
}

static void test_no_program_headers(void **state)
{
	(void)state;
	eh->e_phnum = 0;
	expect_refused("no program headers");
}

static void test_phoff_past_end(void **state)
{
	(void)state;
	eh->e_phoff = FILE_BYTES + 8;
	expect_refused("program header table");
	eh->e_phoff = UINT64_MAX - 8; /* phoff + size wraps */
	expect_refused("program header table");
}

static void test_phnum_past_end(void **state)
{
	(void)state;
	eh->e_phoff = FILE_BYTES - 2 * sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	expect_refused("program header table");
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_phnum = 0xffff;
	expect_refused("program header table");
}

/* --- Segments --- */

static void test_segment_offset_past_end(void **state)
{
	(void)state;
	ph(2)->p_offset = FILE_BYTES + 0x1000;
	expect_refused("segment 2");
	assert_contains(err, "past the end");
}

static void test_segment_bytes_past_end(void **state)
{
	(void)state;
	file_size = 0x20ff; /* the data segment's last byte is cut off */
	expect_refused("past the end");
	setup(NULL);
	ph(0)->p_filesz = 0x2001;
	ph(0)->p_memsz = 0x2001;
	expect_refused("segment 0");
}

static void test_segment_offset_wraps(void **state)
{
	(void)state;
	ph(2)->p_offset = UINT64_MAX - 0x10;
	ph(2)->p_filesz = 0x100; /* offset + filesz wraps to a small number */
	expect_refused("past the end");
}

static void test_filesz_above_memsz(void **state)
{
	(void)state;
	ph(2)->p_filesz = 0x100;
	ph(2)->p_memsz = 0xff;
	expect_refusal(ELF64_E_CORRUPT, "file size exceeds memory size");
}

static void test_overlapping_segments(void **state)
{
	(void)state;
	ph(2)->p_paddr = TEXT_PADDR + 0x7ff; /* one byte over the end of text */
	expect_refused("overlap");
	setup(NULL);
	ph(2)->p_paddr = TEXT_PADDR - 0x2fff; /* data's bss reaches one byte into text */
	expect_refused("overlap");
	setup(NULL);
	ph(2)->p_paddr = TEXT_PADDR + 0x100; /* entirely inside */
	ph(2)->p_memsz = 0x100;
	expect_refused("overlap");
}

static void test_paddr_wraps(void **state)
{
	(void)state;
	ph(2)->p_paddr = UINT64_MAX - 0xfff; /* paddr + 0x3000 wraps */
	expect_refused("wraps");
}

static void test_vaddr_wraps(void **state)
{
	(void)state;
	ph(2)->p_vaddr = 0xfffffffffffff000ull;
	expect_refused("wraps");
}

static void test_seventeen_segments(void **state)
{
	(void)state;
	eh->e_phnum = ELF64_MAX_SEGMENTS + 1;
	for (unsigned int i = 1; i <= ELF64_MAX_SEGMENTS; i++)
		set_phdr(i, PT_LOAD, PF_R, 0x2000, DATA_VADDR + i * 0x10000,
			 DATA_PADDR + i * 0x10000, 0x100, 0x1000);
	expect_refused("more than 16");
}

static void test_no_load_segment(void **state)
{
	(void)state;
	ph(0)->p_type = PT_NOTE;
	ph(2)->p_type = PT_DYNAMIC;
	expect_refusal(ELF64_E_NO_SEGMENTS, "no loadable segments");
}

static void test_only_empty_load_segments(void **state)
{
	(void)state;
	ph(0)->p_memsz = 0;
	ph(0)->p_filesz = 0;
	ph(2)->p_memsz = 0;
	ph(2)->p_filesz = 0;
	expect_refused("no loadable segments");
}

/* --- The entry point --- */

static void test_entry_outside_segments(void **state)
{
	(void)state;
	eh->e_entry = 0x400000;
	expect_refusal(ELF64_E_ENTRY, "entry point 0x400000");
}

static void test_entry_in_data_segment(void **state)
{
	(void)state;
	eh->e_entry = DATA_VADDR + 0x10;
	expect_refused("entry point");
}

/* The entry is a virtual address: the physical address of text is not it. */
static void test_entry_physical_refused(void **state)
{
	(void)state;
	eh->e_entry = TEXT_PADDR + 0x10;
	expect_refused("entry point");
}

static void test_entry_at_segment_bounds(void **state)
{
	(void)state;
	eh->e_entry = TEXT_VADDR;
	assert_int_equal(parse(), 0);
	eh->e_entry = TEXT_VADDR + 0x7ff;
	assert_int_equal(parse(), 0);
	eh->e_entry = TEXT_VADDR + 0x800; /* one past the end */
	expect_refused("entry point");
	eh->e_entry = TEXT_VADDR - 1;
	expect_refused("entry point");
}

/* --- Placement of a guest (SPEC §8): identity-mapped, inside [0x10000, RAM size) --- */

#define RAM_4M 0x400000ull

/* The image relinked identity-mapped (setup()'s: text at 1 MiB, data at 2 MiB), then placed. */
static int place(uint64_t end)
{
	ph(0)->p_vaddr = ph(0)->p_paddr;
	ph(2)->p_vaddr = ph(2)->p_paddr;
	eh->e_entry = ph(0)->p_paddr + 0x10;
	assert_int_equal(parse(), 0);
	return elf64_check_placement(&img, 0x10000, end, err, sizeof(err));
}

static void test_placement_fits(void **state)
{
	(void)state;
	assert_int_equal(place(RAM_4M), 0);
	assert_int_equal(place(DATA_PADDR + 0x3000), 0); /* the last byte is RAM's last */
	ph(0)->p_paddr = 0x10000;
	assert_int_equal(place(RAM_4M), 0); /* the lowest loadable byte */
}

static void test_placement_below(void **state)
{
	(void)state;
	ph(0)->p_paddr = 0x8000;
	assert_int_equal(place(RAM_4M), -ELF64_E_BELOW);
	assert_string_equal(err, "segment 0 at [0x8000, 0x8800) is outside the guest's loadable "
				 "RAM [0x10000, 0x400000)");
}

static void test_placement_above(void **state)
{
	(void)state;
	assert_int_equal(place(DATA_PADDR + 0x2fff), -ELF64_E_ABOVE);
	assert_string_equal(err, "segment 1 at [0x200000, 0x203000) is outside the guest's "
				 "loadable RAM [0x10000, 0x202fff)");
}

static void test_placement_not_identity(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0); /* setup()'s image: linked high, loaded low */
	assert_int_equal(elf64_check_placement(&img, 0x10000, RAM_4M, err, sizeof(err)),
			 -ELF64_E_NOT_IDENTITY);
	assert_string_equal(err, "segment 0 is linked at 0xffffffff80100000 but loads at 0x100000: "
				 "Shunt guests start identity-mapped");
	assert_int_equal(elf64_check_placement(&img, 0x10000, RAM_4M, NULL, 0),
			 -ELF64_E_NOT_IDENTITY);
}

/* --- The advice a guest's author reads: the whole message, as Shunt's loader shows it --- */

#define GUIDE "(see guest-kit/README.md, \"Building a guest\")"

static void expect_guest_message(int rc, const char *message)
{
	assert_true(rc < 0);
	elf64_add_guest_hint(err, sizeof(err), rc);
	assert_string_equal(err, message);
}

static void test_hint_pie(void **state)
{
	(void)state;
	eh->e_type = ET_DYN; /* what cc gives by default on most distributions */
	expect_guest_message(parse(), "ELF type 3 is not an executable (2): a PIE or shared "
				      "object: link with -static -no-pie " GUIDE);
}

static void test_hint_object(void **state)
{
	(void)state;
	eh->e_type = ET_REL;
	expect_guest_message(parse(), "ELF type 1 is not an executable (2): an object file "
				      "(cc -c): link it into an executable " GUIDE);
}

static void test_hint_32bit_and_machine(void **state)
{
	(void)state;
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	expect_guest_message(parse(), "ELF class 1 is not ELF64: a 32-bit file: build the kernel "
				      "for x86-64 (no -m32) " GUIDE);
	setup(NULL);
	eh->e_machine = EM_AARCH64;
	expect_guest_message(parse(), "ELF machine 183 is not x86-64 (62): built for another CPU: "
				      "use an x86-64 compiler " GUIDE);
}

static void test_hint_not_elf(void **state)
{
	(void)state;
	memcpy(file, "\x55\x48\x89\xe5", 4); /* a flat binary: code from its first byte */
	expect_guest_message(parse(), "not an ELF file (bad magic): a guest is an ELF64 kernel, "
				      "not a raw binary " GUIDE);
}

static void test_hint_entry_and_no_segments(void **state)
{
	(void)state;
	eh->e_entry = 0;
	expect_guest_message(parse(), "entry point 0x0 is not inside an executable segment: link "
				      "with the guest-kit entry stub and linker script " GUIDE);
	setup(NULL);
	ph(0)->p_type = PT_NOTE;
	ph(2)->p_type = PT_NOTE;
	expect_guest_message(parse(), "no loadable segments: link with the guest-kit entry stub "
				      "and linker script " GUIDE);
}

static void test_hint_placement(void **state)
{
	(void)state;
	ph(0)->p_paddr = 0x8000;
	expect_guest_message(place(RAM_4M),
			     "segment 0 at [0x8000, 0x8800) is outside the guest's loadable RAM "
			     "[0x10000, 0x400000): link with guest-kit's linker script, "
			     "shunt-guest.ld");
	setup(NULL);
	/* ld's default address for a static executable is 4 MiB: the end of a 4 MiB VM */
	ph(0)->p_paddr = RAM_4M;
	ph(2)->p_paddr = RAM_4M + 0x10000;
	expect_guest_message(place(RAM_4M),
			     "segment 0 at [0x400000, 0x400800) is outside the guest's loadable "
			     "RAM [0x10000, 0x400000): link at 1 MiB with guest-kit's linker "
			     "script, shunt-guest.ld, or give the VM more mem=");
	setup(NULL);
	assert_int_equal(parse(), 0);
	expect_guest_message(elf64_check_placement(&img, 0x10000, RAM_4M, err, sizeof(err)),
			     "segment 0 is linked at 0xffffffff80100000 but loads at 0x100000: "
			     "Shunt guests start identity-mapped: link with guest-kit's linker "
			     "script, shunt-guest.ld");
}

/* A corrupt file gets its reason alone: no build step would have made it. */
static void test_no_hint_for_corruption(void **state)
{
	(void)state;
	eh->e_phentsize = 32;
	expect_guest_message(parse(), "program header size 32 is not 56");
	elf64_add_guest_hint(err, sizeof(err), 0);
	assert_string_equal(err, "program header size 32 is not 56");
}

/* The advice is cut to the buffer, never written past it; no buffer, nothing happens. */
static void test_hint_bounded(void **state)
{
	char small[48];

	(void)state;
	memset(small, '#', sizeof(small));
	strcpy(small, "ELF type 3 is not an executable (2)");
	elf64_add_guest_hint(small, 40, -ELF64_E_DYNAMIC);
	assert_string_equal(small, "ELF type 3 is not an executable (2): a ");
	assert_int_equal(small[40], '#');
	memset(small, 'x', 40); /* not NUL-terminated within its size: left as it is */
	small[39] = '\0';
	elf64_add_guest_hint(small, 40, -ELF64_E_DYNAMIC);
	assert_int_equal(strlen(small), 39);
	elf64_add_guest_hint(NULL, 0, -ELF64_E_DYNAMIC);
	elf64_add_guest_hint(small, 0, -ELF64_E_DYNAMIC);
	/* the longest message fits a whole ELF64_ERR_MAX with 64-bit addresses */
	ph(0)->p_paddr = 0xffffffff80100000ull;
	ph(0)->p_vaddr = 0xffffffff80100000ull;
	ph(2)->p_paddr = 0xffffffff80200000ull;
	ph(2)->p_vaddr = 0xffffffff80200000ull;
	eh->e_entry = 0xffffffff80100010ull;
	assert_int_equal(parse(), 0);
	expect_guest_message(elf64_check_placement(&img, 0x10000, RAM_4M, err, sizeof(err)),
			     "segment 0 at [0xffffffff80100000, 0xffffffff80100800) is outside "
			     "the guest's loadable RAM [0x10000, 0x400000): link at 1 MiB with "
			     "guest-kit's linker script, shunt-guest.ld, or give the VM more mem=");
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid),
		T(test_valid_unaligned_buffer),
		T(test_valid_exact_file_size),
		T(test_empty_load_and_odd_note_ignored),
		T(test_empty_load_still_checked),
		T(test_adjacent_segments),
		T(test_sixteen_segments),
		T(test_err_optional_and_bounded),
		T(test_file_shorter_than_header),
		T(test_bad_magic),
		T(test_elf32_class),
		T(test_big_endian),
		T(test_bad_version),
		T(test_wrong_machine),
		T(test_not_executable),
		T(test_header_size_too_small),
		T(test_phentsize_wrong),
		T(test_no_program_headers),
		T(test_phoff_past_end),
		T(test_phnum_past_end),
		T(test_segment_offset_past_end),
		T(test_segment_bytes_past_end),
		T(test_segment_offset_wraps),
		T(test_filesz_above_memsz),
		T(test_overlapping_segments),
		T(test_paddr_wraps),
		T(test_vaddr_wraps),
		T(test_seventeen_segments),
		T(test_no_load_segment),
		T(test_only_empty_load_segments),
		T(test_entry_outside_segments),
		T(test_entry_in_data_segment),
		T(test_entry_physical_refused),
		T(test_entry_at_segment_bounds),
		T(test_placement_fits),
		T(test_placement_below),
		T(test_placement_above),
		T(test_placement_not_identity),
		T(test_hint_pie),
		T(test_hint_object),
		T(test_hint_32bit_and_machine),
		T(test_hint_not_elf),
		T(test_hint_entry_and_no_segments),
		T(test_hint_placement),
		T(test_no_hint_for_corruption),
		T(test_hint_bounded),
	};

	return unit_run(tests);
}
