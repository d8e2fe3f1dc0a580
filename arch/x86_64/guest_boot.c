/*
 * The x86-64 environment a Shunt guest starts in (pv-abi/SPEC.md, "Boot"): a GDT with a
 * 64-bit code and a data segment, and 4-level page tables identity-mapping all its RAM with
 * 2 MiB pages, all built inside the boot area of its own memory. The same for both vendor
 * backends.
 */
#include <arch/guest_boot.h>
#include <arch/pt.h>
#include <hv/vm.h>

int guest_boot_build(struct vm *vm, gpa_t area, uint64_t area_size, uint64_t *cr3,
		     uint64_t *gdt_base, uint16_t *gdt_limit)
{
	uint64_t pds = ALIGN_UP(vm->ram_size, GIB) / GIB;
	gpa_t gdt = area, pml4 = area + PAGE_SIZE, pdpt = area + 2 * PAGE_SIZE;
	gpa_t pd = area + 3 * PAGE_SIZE;
	uint64_t *g, *l4, *l3;

	if ((3 + pds) * PAGE_SIZE > area_size || pds > 512)
		return -ENOSPC;
	g = vm_gpa_to_hva(vm, gdt, PAGE_SIZE);
	l4 = vm_gpa_to_hva(vm, pml4, PAGE_SIZE);
	l3 = vm_gpa_to_hva(vm, pdpt, PAGE_SIZE);
	if (!g || !l4 || !l3 || !vm_gpa_to_hva(vm, pd, pds * PAGE_SIZE))
		return -ENOSPC;

	g[0] = 0;
	g[1] = 0x00af9b000000ffffull; /* 0x08: 64-bit code, DPL 0, accessed */
	g[2] = 0x00cf93000000ffffull; /* 0x10: data, DPL 0, accessed */
	*gdt_base = gdt;
	*gdt_limit = 3 * 8 - 1;

	l4[0] = pdpt | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < pds; i++) {
		uint64_t *dir = vm_gpa_to_hva(vm, pd + i * PAGE_SIZE, PAGE_SIZE);

		l3[i] = (pd + i * PAGE_SIZE) | PTE_P | PTE_RW;
		for (uint64_t j = 0; j < 512; j++) {
			uint64_t addr = i * GIB + j * LARGE_PAGE_SIZE;

			dir[j] = addr < vm->ram_size ? (addr | PTE_P | PTE_RW | PT_LARGE) : 0;
		}
	}
	*cr3 = pml4;
	return 0;
}

int guest_boot_build_linux64(struct vm *vm, gpa_t area, uint64_t area_size, uint64_t *cr3,
			     uint64_t *gdt_base, uint16_t *gdt_limit)
{
	uint64_t *gdt;
	int err = guest_boot_build(vm, area, area_size, cr3, gdt_base, gdt_limit);

	if (err)
		return err;
	gdt = vm_gpa_to_hva(vm, *gdt_base, PAGE_SIZE);
	gdt[GUEST_BOOT_CS / 8] = GUEST_GDT_CODE64;
	gdt[GUEST_BOOT_DS / 8] = GUEST_GDT_DATA;
	*gdt_limit = GUEST_BOOT_DS + 8 - 1;
	return 0;
}
