/*
 * Fuzz target: kernel recognition (hv/lib/pvh.c, bzimage.c, multiboot1.c) on arbitrary files
 * for a VM of 64 MiB. On success every byte to copy lies inside the file and loads inside the
 * VM's RAM, above 1 MiB for the PC-like kernels, and the entry lies in what is loaded; the
 * zero page or multiboot information is then written. Every refusal has a reason.
 */
#include <hv/pvh.h>

#include <stdlib.h>
#include <string.h>

#define RAM (64ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_loadable(const struct kernel_image *k, size_t size)
{
	uint64_t floor = k->kind == KERNEL_SHUNT ? 0x10000 : PC_HIGH_RAM_GPA;

	for (uint32_t i = 0; i < k->elf.segment_count; i++) {
		const struct elf64_segment *s = &k->elf.segments[i];

		if (s->file_offset > size || s->file_size > size - s->file_offset ||
		    s->file_size > s->mem_size || s->paddr < floor || s->paddr > RAM ||
		    s->mem_size > RAM - s->paddr || s->paddr + s->mem_size > k->elf.highest_paddr)
			abort();
	}
	if (k->elf.highest_paddr > RAM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kernel_image k;
	static uint8_t area[PC_BOOT_INFO_SIZE];
	char err[ELF64_ERR_MAX];
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	memcpy(copy, data, size);
	rc = kernel_image_check(copy, size, RAM, &k, err, sizeof(err));
	if (rc < 0 && (!err[0] || !memchr(err, '\0', sizeof(err))))
		abort();
	if (rc == 0) {
		check_loadable(&k, size);
		if (k.kind == KERNEL_BZIMAGE) {
			struct bzimage_boot boot = { PC_CMDLINE_GPA, 0, 0, PC_ACPI_GPA, RAM };

			if (k.entry != k.bz.load_gpa + BZIMAGE_ENTRY64 || k.bz.initrd_end > RAM ||
			    kernel_initrd_top(&k, RAM) > RAM)
				abort();
			bzimage_write_zero_page(area, copy, &k.bz, &boot);
		} else if (k.kind == KERNEL_MULTIBOOT1) {
			struct multiboot1_boot boot = { RAM, 1, "x", 0x3000000, 10, "m" };

			if (k.entry < k.elf.lowest_paddr || k.entry >= k.elf.highest_paddr)
				abort();
			if (multiboot1_write_info(area, PC_BOOT_INFO_GPA, &boot) !=
			    PC_BOOT_INFO_GPA)
				abort();
		}
	}
	free(copy);
	return 0;
}
