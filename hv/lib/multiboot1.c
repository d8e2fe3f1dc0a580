/*
 * Multiboot (v1) kernels (see hv/multiboot1.h): the header search, the image it loads by
 * (a.out-kludge addresses, ELF32 or ELF64) and the information block. The file is untrusted:
 * every field is read through byte loads and checked against the file and the VM's RAM.
 */
#include <hv/fmt.h>
#include <hv/multiboot1.h>
#include <hv/pvh.h>
#include <hv/string.h>

#define HDR_FLAGS 4
#define HDR_CHECKSUM 8
#define HDR_HEADER_ADDR 12 /* the a.out-kludge fields, valid with flag 16 */
#define HDR_LOAD_ADDR 16
#define HDR_LOAD_END_ADDR 20
#define HDR_BSS_END_ADDR 24
#define HDR_ENTRY_ADDR 28
#define HDR_KLUDGE_SIZE 32
#define HDR_SIZE 12
/* Requirements Shunt meets: module alignment (initrds are page-aligned), memory info. */
#define SUPPORTED_REQUIREMENTS (MULTIBOOT1_PAGE_ALIGN | MULTIBOOT1_MEMORY_INFO)

/* ELF32 (i386) fields, by offset: the header and a program header. */
#define ELF_CLASS 4
#define ELF_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1
#define PF_X 1
#define E32_TYPE 16
#define E32_MACHINE 18
#define E32_ENTRY 24
#define E32_PHOFF 28
#define E32_PHENTSIZE 42
#define E32_PHNUM 44
#define E32_EHSIZE 52
#define P32_SIZE 32

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static int refuse(char *err, size_t n, const char *fmt, uint64_t a, uint64_t b)
{
	fmt_snprintf(err, n, fmt, (unsigned long long)a, (unsigned long long)b);
	return -EINVAL;
}

/* Every byte loaded in [1 MiB, ram_size), and the entry inside an executable part. */
static int check_placement(const struct elf64_image *img, uint64_t ram_size, char *err, size_t n)
{
	if (img->lowest_paddr < PC_HIGH_RAM_GPA)
		return refuse(err, n,
			      "multiboot kernel loads at 0x%llx, below 1 MiB where Shunt keeps "
			      "the boot data",
			      img->lowest_paddr, 0);
	if (img->highest_paddr > ram_size)
		return refuse(err, n,
			      "multiboot kernel ends at 0x%llx, past the VM's %llu MiB of RAM",
			      img->highest_paddr, ram_size / MIB);
	return 0;
}

/* The a.out kludge: one piece of the file at load_addr, then bss up to bss_end_addr. */
static int load_by_kludge(const uint8_t *b, uint64_t size, uint32_t at, struct multiboot1_info *out,
			  struct elf64_image *img, char *err, size_t n)
{
	uint32_t header_addr, load, load_end, bss_end;
	uint64_t offset, file_bytes, mem_bytes;

	if (at + HDR_KLUDGE_SIZE > size)
		return refuse(err, n,
			      "multiboot header at 0x%llx: its address fields run past "
			      "the end of the file",
			      at, 0);
	header_addr = get32(b + at + HDR_HEADER_ADDR);
	load = get32(b + at + HDR_LOAD_ADDR);
	load_end = get32(b + at + HDR_LOAD_END_ADDR);
	bss_end = get32(b + at + HDR_BSS_END_ADDR);
	if (load > header_addr || header_addr - load > at)
		return refuse(err, n,
			      "multiboot load_addr 0x%llx does not put header_addr 0x%llx inside "
			      "the file",
			      load, header_addr);
	offset = at - (header_addr - load);
	file_bytes = load_end ? (uint64_t)load_end - load : size - offset;
	if (load_end && load_end <= load)
		return refuse(err, n,
			      "multiboot load_end_addr 0x%llx is not above load_addr 0x%llx",
			      load_end, load);
	if (file_bytes > size - offset)
		return refuse(err, n,
			      "multiboot image of %llu bytes runs past the end of the file "
			      "(%llu bytes)",
			      file_bytes, size);
	mem_bytes = bss_end ? (uint64_t)bss_end - load : file_bytes;
	if (bss_end && (uint64_t)bss_end < load + file_bytes)
		return refuse(err, n,
			      "multiboot bss_end_addr 0x%llx is below the image's end 0x%llx",
			      bss_end, load + file_bytes);
	out->entry = get32(b + at + HDR_ENTRY_ADDR);
	if (out->entry < load || out->entry - load >= file_bytes)
		return refuse(err, n, "multiboot entry_addr 0x%llx is outside the loaded image",
			      out->entry, 0);
	img->segment_count = 1;
	img->segments[0] = (struct elf64_segment){ .paddr = load,
						   .vaddr = load,
						   .file_offset = offset,
						   .file_size = file_bytes,
						   .mem_size = mem_bytes,
						   .flags = ELF64_PF_R | ELF64_PF_W | ELF64_PF_X };
	img->lowest_paddr = load;
	img->highest_paddr = load + mem_bytes;
	return 0;
}

/* One PT_LOAD of an ELF32 file into seg; -EINVAL if it lies outside the file. */
static int elf32_segment(const uint8_t *ph, uint64_t size, struct elf64_segment *seg, char *err,
			 size_t n)
{
	uint64_t offset = get32(ph + 4), filesz = get32(ph + 16), memsz = get32(ph + 20);

	*seg = (struct elf64_segment){ .vaddr = get32(ph + 8),
				       .paddr = get32(ph + 12),
				       .file_offset = offset,
				       .file_size = filesz,
				       .mem_size = memsz,
				       .flags = get32(ph + 24) & 7 };
	if (offset + filesz > size)
		return refuse(err, n,
			      "ELF32 segment at offset 0x%llx runs past the end of the file",
			      offset, 0);
	if (filesz > memsz)
		return refuse(err, n,
			      "ELF32 segment at offset 0x%llx has more file bytes than "
			      "memory",
			      offset, 0);
	if (seg->paddr + memsz > 0x100000000ull)
		return refuse(err, n, "ELF32 segment at 0x%llx runs past 4 GiB", seg->paddr, 0);
	return 0;
}

static int parse_elf32(const uint8_t *b, uint64_t size, struct elf64_image *img, char *err,
		       size_t n)
{
	uint32_t phoff, phentsize, phnum;

	if (size < E32_EHSIZE || b[ELF_DATA] != 1 || get16(b + E32_TYPE) != ET_EXEC ||
	    get16(b + E32_MACHINE) != EM_386)
		return refuse(err, n, "not an i386 ELF32 executable", 0, 0);
	phoff = get32(b + E32_PHOFF);
	phentsize = get16(b + E32_PHENTSIZE);
	phnum = get16(b + E32_PHNUM);
	if (phentsize < P32_SIZE || (uint64_t)phoff + (uint64_t)phentsize * phnum > size)
		return refuse(err, n,
			      "ELF32 program headers at 0x%llx run past the end of the file", phoff,
			      0);
	img->entry = get32(b + E32_ENTRY);
	img->segment_count = 0;
	for (uint32_t i = 0; i < phnum; i++) {
		const uint8_t *ph = b + phoff + (uint64_t)i * phentsize;
		struct elf64_segment *seg = &img->segments[img->segment_count];

		if (get32(ph) != PT_LOAD || get32(ph + 20) == 0)
			continue;
		if (img->segment_count == ELF64_MAX_SEGMENTS)
			return refuse(err, n, "more than %llu loadable ELF32 segments",
				      ELF64_MAX_SEGMENTS, 0);
		if (elf32_segment(ph, size, seg, err, n))
			return -EINVAL;
		img->segment_count++;
	}
	return 0;
}

/* An ELF image's bounds, segments that do not overlap, and its entry as a physical address. */
static int elf_finish(struct elf64_image *img, struct multiboot1_info *out, char *err, size_t n)
{
	int entry_found = 0;

	if (!img->segment_count)
		return refuse(err, n, "multiboot ELF kernel with nothing to load", 0, 0);
	img->lowest_paddr = UINT64_MAX;
	img->highest_paddr = 0;
	for (uint32_t i = 0; i < img->segment_count; i++) {
		const struct elf64_segment *s = &img->segments[i];

		for (uint32_t j = 0; j < i; j++) {
			const struct elf64_segment *t = &img->segments[j];

			if (s->paddr < t->paddr + t->mem_size && t->paddr < s->paddr + s->mem_size)
				return refuse(err, n, "ELF segments at 0x%llx and 0x%llx overlap",
					      t->paddr, s->paddr);
		}
		img->lowest_paddr = MIN(img->lowest_paddr, s->paddr);
		img->highest_paddr = MAX(img->highest_paddr, s->paddr + s->mem_size);
		/* Entered with paging off: a virtual entry is translated as the segment maps it. */
		if (!entry_found && (s->flags & ELF64_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->mem_size) {
			out->entry = (uint32_t)(s->paddr + (img->entry - s->vaddr));
			entry_found = 1;
		}
	}
	if (!entry_found)
		return refuse(err, n, "ELF entry 0x%llx is not inside an executable segment",
			      img->entry, 0);
	return 0;
}

static int load_by_elf(const uint8_t *b, uint64_t size, struct multiboot1_info *out,
		       struct elf64_image *img, char *err, size_t n)
{
	if (size < 16 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
		return refuse(err, n,
			      "multiboot kernel is not ELF and has no a.out-kludge addresses "
			      "(header flag 16)",
			      0, 0);
	if (b[ELF_CLASS] == ELFCLASS64) {
		if (elf64_parse_loadable(b, size, img, err, n))
			return -EINVAL;
	} else if (b[ELF_CLASS] == ELFCLASS32) {
		if (parse_elf32(b, size, img, err, n))
			return -EINVAL;
	} else {
		return refuse(err, n, "ELF class %llu is neither ELF32 nor ELF64", b[ELF_CLASS], 0);
	}
	return elf_finish(img, out, err, n);
}

/* The offset of the first valid-looking header magic, or -1. */
static int64_t find_header(const uint8_t *b, uint64_t size)
{
	for (uint64_t at = 0; at + HDR_SIZE <= MIN(size, MULTIBOOT1_SEARCH); at += 4)
		if (get32(b + at) == MULTIBOOT1_HEADER_MAGIC)
			return (int64_t)at;
	return -1;
}

int multiboot1_check(const void *file, uint64_t size, uint64_t ram_size,
		     struct multiboot1_info *out, struct elf64_image *load, char *err,
		     size_t err_size)
{
	const uint8_t *b = file;
	int64_t at = find_header(b, size);
	uint32_t flags, sum;
	int rc;

	if (at < 0)
		return 1;
	flags = get32(b + at + HDR_FLAGS);
	sum = MULTIBOOT1_HEADER_MAGIC + flags + get32(b + at + HDR_CHECKSUM);
	if (sum != 0)
		return refuse(err, err_size,
			      "multiboot header at 0x%llx: bad checksum (magic + flags + checksum "
			      "is 0x%llx, not 0)",
			      (uint64_t)at, sum);
	if (flags & 0xffffu & ~SUPPORTED_REQUIREMENTS)
		return refuse(err, err_size,
			      "multiboot kernel requires header flags 0x%llx that Shunt does not "
			      "offer (flag 2: a video mode; Shunt VMs have a serial console only)",
			      flags & 0xffffu & ~SUPPORTED_REQUIREMENTS, 0);
	*out = (struct multiboot1_info){ .header_offset = (uint32_t)at, .flags = flags };
	memset(load, 0, sizeof(*load));
	if (flags & MULTIBOOT1_AOUT_KLUDGE)
		rc = load_by_kludge(b, size, (uint32_t)at, out, load, err, err_size);
	else
		rc = load_by_elf(b, size, out, load, err, err_size);
	if (rc)
		return rc;
	load->entry = out->entry;
	return check_placement(load, ram_size, err, err_size);
}

/* Offsets inside the information area. */
#define AREA_MMAP 0x100
#define AREA_MODS 0x180
#define AREA_LOADER_NAME 0x1c0
#define AREA_MODULE_NAME 0x200
#define AREA_MODULE_NAME_MAX 0xe00
#define AREA_CMDLINE 0x1000
#define AREA_CMDLINE_MAX 0x1000

uint64_t multiboot1_write_info(void *area, uint64_t gpa, const struct multiboot1_boot *boot)
{
	uint8_t *a = area;
	struct multiboot1_info_block *mbi = area;
	struct multiboot1_mmap_entry *mmap = (struct multiboot1_mmap_entry *)(a + AREA_MMAP);
	struct pc_mem_region map[PC_MEMMAP_MAX];
	unsigned int count = pc_memmap(map, boot->ram_size, boot->acpi);
	const char *name = boot->module_name ? boot->module_name : "";
	size_t cmdline_len = strlen(boot->cmdline);

	_Static_assert(AREA_MMAP + PC_MEMMAP_MAX * sizeof(*mmap) <= AREA_MODS, "mmap fits");
	_Static_assert(AREA_CMDLINE + AREA_CMDLINE_MAX <= MULTIBOOT1_AREA_SIZE, "area");
	if (cmdline_len >= AREA_CMDLINE_MAX || strlen(name) >= AREA_MODULE_NAME_MAX)
		return 0;
	memset(area, 0, AREA_CMDLINE);
	for (unsigned int i = 0; i < count; i++)
		mmap[i] = (struct multiboot1_mmap_entry){ sizeof(*mmap) - 4, map[i].addr,
							  map[i].size, map[i].type };
	memcpy(a + AREA_CMDLINE, boot->cmdline, cmdline_len + 1);
	memcpy(a + AREA_LOADER_NAME, "Shunt", 6);
	*mbi = (struct multiboot1_info_block){
		.flags = MULTIBOOT1_INFO_MEMORY | MULTIBOOT1_INFO_CMDLINE | MULTIBOOT1_INFO_MODS |
			 MULTIBOOT1_INFO_MMAP | MULTIBOOT1_INFO_LOADER_NAME,
		.mem_lower = (uint32_t)(PC_LOW_RAM_END / KIB),
		.mem_upper = (uint32_t)((boot->ram_size - PC_HIGH_RAM_GPA) / KIB),
		.cmdline = (uint32_t)(gpa + AREA_CMDLINE),
		.mmap_length = (uint32_t)(count * sizeof(*mmap)),
		.mmap_addr = (uint32_t)(gpa + AREA_MMAP),
		.mods_addr = (uint32_t)(gpa + AREA_MODS),
		.boot_loader_name = (uint32_t)(gpa + AREA_LOADER_NAME),
	};
	if (boot->module_size) {
		struct multiboot1_module *mod = (struct multiboot1_module *)(a + AREA_MODS);

		memcpy(a + AREA_MODULE_NAME, name, strlen(name) + 1);
		*mod = (struct multiboot1_module){ (uint32_t)boot->module_gpa,
						   (uint32_t)(boot->module_gpa + boot->module_size),
						   (uint32_t)(gpa + AREA_MODULE_NAME), 0 };
		mbi->mods_count = 1;
	}
	return gpa;
}
