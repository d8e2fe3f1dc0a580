/*
 * Kernels on Shunt (see hv/pvh.h): which kernel a file is, whether a PVH kernel fits its VM,
 * the memory map every PC-like VM is given, and the PVH start-info block. The file is
 * untrusted: every offset is checked first.
 */
#include <hv/fmt.h>
#include <hv/guest_layout.h>
#include <hv/pvh.h>
#include <hv/string.h>

#define ELF_CLASS_OFFSET 4
#define ELFCLASS32 1
#define LINUX_ELFNOTE_BUILD_SALT 0x100 /* in every vmlinux since Linux 4.17 */

static int is_elf(const uint8_t *b, uint64_t size)
{
	return size > ELF_CLASS_OFFSET && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

/* The PVH entry of a file with the note: 0, or -1 without one; -EINVAL for a bad one. */
static int pvh_entry(const uint8_t *b, uint64_t size, uint64_t *entry, char *err, size_t n)
{
	uint64_t at, value = 0;
	uint32_t len;

	if (elf64_find_note(b, size, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &at, &len))
		return -1;
	if (len != 4 && len != 8) {
		fmt_snprintf(err, n, "PVH entry note of %u bytes (4 or 8 expected)", len);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < len; i++)
		value |= (uint64_t)b[at + i] << (8 * i);
	if (value >> 32) {
		fmt_snprintf(err, n, "PVH entry 0x%llx is above 4 GiB", (unsigned long long)value);
		return -EINVAL;
	}
	*entry = value;
	return 0;
}

/* A kernel's segments load at their physical addresses: all in [1 MiB, ram_size)? */
static int check_pvh_placement(const struct kernel_image *k, uint64_t ram_size, char *err, size_t n)
{
	const struct elf64_image *e = &k->elf;
	int entry_ok = 0;

	if (e->lowest_paddr < PC_HIGH_RAM_GPA) {
		fmt_snprintf(err, n,
			     "kernel image starts at 0x%llx, below 1 MiB where Shunt keeps the "
			     "boot data",
			     (unsigned long long)e->lowest_paddr);
		return -EINVAL;
	}
	if (e->highest_paddr > ram_size) {
		fmt_snprintf(err, n,
			     "kernel image ends at 0x%llx, past the VM's %llu MiB of RAM: give "
			     "it mem=%lluM or more",
			     (unsigned long long)e->highest_paddr,
			     (unsigned long long)(ram_size / MIB),
			     (unsigned long long)(ALIGN_UP(e->highest_paddr, MIB) / MIB + 32));
		return -EINVAL;
	}
	for (uint32_t i = 0; i < e->segment_count; i++) {
		const struct elf64_segment *s = &e->segments[i];

		if (k->entry >= s->paddr && k->entry - s->paddr < s->mem_size &&
		    (s->flags & ELF64_PF_X))
			entry_ok = 1;
	}
	if (!entry_ok) {
		fmt_snprintf(err, n, "PVH entry 0x%llx is not inside an executable segment",
			     (unsigned long long)k->entry);
		return -EINVAL;
	}
	return 0;
}

/* A multiboot kernel or a bzImage (1), refused (-EINVAL), or neither (0). */
static int check_other_formats(const uint8_t *b, uint64_t size, uint64_t ram_size,
			       struct kernel_image *out, char *err, size_t err_size)
{
	int rc = multiboot1_check(b, size, ram_size, &out->mb, &out->elf, err, err_size);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		out->kind = KERNEL_MULTIBOOT1;
		out->entry = out->mb.entry;
		return 1;
	}
	if (is_elf(b, size) || !bzimage_is_bzimage(b, size))
		return 0;
	if (bzimage_check(b, size, ram_size, &out->bz, err, err_size))
		return -EINVAL;
	out->kind = KERNEL_BZIMAGE;
	out->entry = out->bz.load_gpa + BZIMAGE_ENTRY64;
	memset(&out->elf, 0, sizeof(out->elf));
	out->elf.segment_count = 1;
	out->elf.segments[0] =
		(struct elf64_segment){ .paddr = out->bz.load_gpa,
					.vaddr = out->bz.load_gpa,
					.file_offset = out->bz.kernel_offset,
					.file_size = out->bz.kernel_size,
					.mem_size = out->bz.kernel_size,
					.flags = ELF64_PF_R | ELF64_PF_W | ELF64_PF_X };
	out->elf.entry = out->entry;
	out->elf.lowest_paddr = out->bz.load_gpa;
	out->elf.highest_paddr = out->bz.load_gpa + MAX(out->bz.init_size, out->bz.kernel_size);
	return 1;
}

int kernel_image_check(const void *file, uint64_t size, uint64_t ram_size, struct kernel_image *out,
		       char *err, size_t err_size)
{
	const uint8_t *b = file;
	int rc;

	err[0] = '\0';
	rc = b ? pvh_entry(b, size, &out->entry, err, err_size) : -1;
	if (rc == -EINVAL)
		return rc;
	if (rc == 0) {
		out->kind = KERNEL_PVH;
		if (elf64_parse_loadable(file, size, &out->elf, err, err_size))
			return -EINVAL;
		return check_pvh_placement(out, ram_size, err, err_size);
	}
	rc = b ? check_other_formats(b, size, ram_size, out, err, err_size) : 0;
	if (rc)
		return rc < 0 ? rc : 0;
	if (b && is_elf(b, size) && b[ELF_CLASS_OFFSET] == ELFCLASS32) {
		fmt_snprintf(err, err_size,
			     "a 32-bit (ELF32) kernel without a multiboot header: Shunt runs "
			     "64-bit kernels, and 32-bit ones through multiboot");
		return -EINVAL;
	}
	/* A Linux vmlinux carries a "Linux" note; without a PVH note it can not be entered. */
	if (b && !elf64_find_note(b, size, "Linux", LINUX_ELFNOTE_BUILD_SALT, &(uint64_t){ 0 },
				  &(uint32_t){ 0 })) {
		fmt_snprintf(err, err_size,
			     "a Linux vmlinux without a PVH entry note (Xen ELF note %u): build "
			     "it with CONFIG_PVH=y, or give Shunt its bzImage",
			     XEN_ELFNOTE_PHYS32_ENTRY);
		return -EINVAL;
	}
	out->kind = KERNEL_SHUNT;
	if (elf64_check_guest(file, size, GUEST_LOAD_MIN_GPA, ram_size, &out->elf, err, err_size))
		return -EINVAL;
	out->entry = out->elf.entry;
	return 0;
}

uint64_t kernel_initrd_top(const struct kernel_image *kernel, uint64_t ram_size)
{
	if (kernel->kind == KERNEL_BZIMAGE)
		return MIN(kernel->bz.initrd_end, ram_size);
	if (kernel->kind == KERNEL_MULTIBOOT1) /* its module list holds 32-bit addresses */
		return MIN(ram_size, 4 * GIB);
	return ram_size;
}

int kernel_cmdline_check(const struct kernel_image *kernel, const char *cmdline, char *err,
			 size_t err_size)
{
	size_t len = strlen(cmdline);
	uint64_t max = kernel->kind == KERNEL_BZIMAGE
			       ? MIN(kernel->bz.cmdline_max, PC_CMDLINE_SIZE - 1)
			       : PC_CMDLINE_SIZE - 1;

	if (len <= max)
		return 0;
	fmt_snprintf(err, err_size,
		     "command line of %llu bytes is longer than the kernel takes (%llu)",
		     (unsigned long long)len, (unsigned long long)max);
	return -E2BIG;
}

int pvh_place_initrd(uint64_t ram_size, uint64_t kernel_end, uint64_t initrd_size, uint64_t *gpa,
		     char *err, size_t err_size)
{
	uint64_t floor = ALIGN_UP(kernel_end, PAGE_SIZE);

	if (initrd_size > ram_size || ALIGN_DOWN(ram_size - initrd_size, PAGE_SIZE) < floor) {
		fmt_snprintf(err, err_size,
			     "initrd of %llu KiB does not fit between the kernel (ending at "
			     "0x%llx) and the end of the VM's %llu MiB of RAM: give it more mem=",
			     (unsigned long long)(initrd_size / KIB),
			     (unsigned long long)kernel_end, (unsigned long long)(ram_size / MIB));
		return -ENOSPC;
	}
	*gpa = ALIGN_DOWN(ram_size - initrd_size, PAGE_SIZE);
	return 0;
}

/* Offsets inside the start-info area. */
#define SI_MODLIST 0x40
#define SI_MEMMAP 0x80
#define SI_MEMMAP_MAX 8
#define SI_CMDLINE 0x200

unsigned int pc_memmap(struct pc_mem_region map[PC_MEMMAP_MAX], uint64_t ram_size, int acpi)
{
	unsigned int n = 0;

	map[n++] = (struct pc_mem_region){ 0, PC_LOW_RAM_END, PVH_MEMMAP_RAM };
	if (acpi)
		map[n++] = (struct pc_mem_region){ PC_ACPI_GPA, PC_ACPI_SIZE, PVH_MEMMAP_ACPI };
	map[n++] =
		(struct pc_mem_region){ PC_BOOT_INFO_GPA, PC_BOOT_INFO_SIZE, PVH_MEMMAP_RESERVED };
	map[n++] = (struct pc_mem_region){ PC_HIGH_RAM_GPA, ram_size - PC_HIGH_RAM_GPA,
					   PVH_MEMMAP_RAM };
	return n;
}

uint64_t pvh_write_start_info(void *area, const struct pvh_boot *boot)
{
	uint8_t *a = area;
	struct hvm_start_info *si = area;
	struct hvm_modlist_entry *mod = (struct hvm_modlist_entry *)(a + SI_MODLIST);
	struct hvm_memmap_table_entry *map = (struct hvm_memmap_table_entry *)(a + SI_MEMMAP);
	size_t cmdline_len = strlen(boot->cmdline);
	struct pc_mem_region regions[PC_MEMMAP_MAX];
	uint32_t n = pc_memmap(regions, boot->ram_size, boot->rsdp_gpa != 0);

	_Static_assert(SI_MEMMAP + SI_MEMMAP_MAX * sizeof(*map) <= SI_CMDLINE, "memmap fits");
	_Static_assert(PC_MEMMAP_MAX <= SI_MEMMAP_MAX, "the memory map fits its slots");
	if (cmdline_len >= PC_RESET_VECTOR_GPA - PC_BOOT_INFO_GPA - SI_CMDLINE)
		return 0;
	memset(area, 0, SI_CMDLINE);
	for (uint32_t i = 0; i < n; i++)
		map[i] = (struct hvm_memmap_table_entry){ regions[i].addr, regions[i].size,
							  regions[i].type, 0 };
	memcpy(a + SI_CMDLINE, boot->cmdline, cmdline_len + 1);
	*si = (struct hvm_start_info){
		.magic = PVH_START_MAGIC,
		.version = 1,
		.cmdline_paddr = PC_BOOT_INFO_GPA + SI_CMDLINE,
		.rsdp_paddr = boot->rsdp_gpa,
		.memmap_paddr = PC_BOOT_INFO_GPA + SI_MEMMAP,
		.memmap_entries = n,
	};
	if (boot->initrd_size) {
		*mod = (struct hvm_modlist_entry){ boot->initrd_gpa, boot->initrd_size, 0, 0 };
		si->nr_modules = 1;
		si->modlist_paddr = PC_BOOT_INFO_GPA + SI_MODLIST;
	}
	return PC_BOOT_INFO_GPA;
}
