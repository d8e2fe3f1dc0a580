/*
 * The hypervisor's own page tables (arch_paging_init): RAM (including ACPI tables and NVS)
 * identity-mapped and never executable, the image mapped W^X section by section, page 0
 * left unmapped to catch NULL dereferences. Reserved ranges, which may hide devices, are
 * mapped only on demand and read-only (arch_map_firmware), MMIO never by default.
 */
#include <arch/pt.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <hv/mm.h>

extern char boot_stack_guard[];

static struct pt_format paging_format = {
	.table_flags = PTE_P | PTE_RW,
	.present_mask = PTE_P,
	.max_leaf_level = 2,
};

int pt_frame_alloc(hpa_t *out)
{
	return mm_alloc_frames(1, PAGE_SIZE, out);
}

uint64_t *pt_frame_ptr(hpa_t pa)
{
	return phys_to_virt(pa);
}

void pt_frame_free(hpa_t pa)
{
	mm_free_frames(pa, 1);
}

static uint64_t pte_nx; /* PTE_NX once EFER.NXE is on, else 0 */

static struct pt hv_pt = {
	.fmt = &paging_format,
	.alloc_table = pt_frame_alloc,
	.table_ptr = pt_frame_ptr,
};

static int map_identity(uint64_t base, uint64_t end, uint64_t flags, const char *what)
{
	int err = pt_map(&hv_pt, base, base, end - base, flags);

	if (err)
		log_error("paging: mapping %s [0x%llx, 0x%llx) failed (%d)\n", what,
			  (unsigned long long)base, (unsigned long long)end, err);
	return err;
}

static int map_image(void)
{
	uint64_t text = virt_to_phys(__image_start), rodata = virt_to_phys(__text_end);
	uint64_t data = virt_to_phys(__rodata_end), end = virt_to_phys(__image_end);

	uint64_t guard = virt_to_phys(boot_stack_guard);

	/* The page under the boot stack stays unmapped so that an overflow faults (#DF on IST). */
	return map_identity(text, rodata, PTE_P, "hypervisor text") ||
	       map_identity(rodata, data, PTE_P | pte_nx, "hypervisor rodata") ||
	       map_identity(data, guard, PTE_P | PTE_RW | pte_nx, "hypervisor data") ||
	       map_identity(guard + PAGE_SIZE, end, PTE_P | PTE_RW | pte_nx, "hypervisor data");
}

int arch_paging_init(const struct memmap *map)
{
	if (cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & (1u << 20))) {
		wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
		pte_nx = PTE_NX;
	}
	if (pt_init(&hv_pt))
		return -ENOMEM;
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_region *r = &map->regions[i];
		uint64_t base = ALIGN_DOWN(r->base, PAGE_SIZE), end = ALIGN_UP(r->end, PAGE_SIZE);

		if (!mm_type_is_ram(r->type) || r->type == MEMMAP_HV_IMAGE)
			continue;
		if (base == 0)
			base = PAGE_SIZE; /* page 0 stays unmapped */
		if (base < end &&
		    map_identity(base, end, PTE_P | PTE_RW | pte_nx, memmap_type_name(r->type)))
			return -ENOMEM;
	}
	if (map_image())
		return -ENOMEM;
	write_cr3(hv_pt.root);
	write_cr0(read_cr0() | CR0_WP);
	return 0;
}

/*
 * Identity-maps the pages of [base, base + len) that are not mapped yet with flags, one
 * pt_map per run of unmapped pages (so large ranges get large leaves). Pages mapped
 * before keep their mapping.
 */
static int map_unmapped(hpa_t base, uint64_t len, uint64_t flags)
{
	uint64_t page = ALIGN_DOWN(base, PAGE_SIZE), end = ALIGN_UP(base + len, PAGE_SIZE);

	while (page < end) {
		uint64_t pa, leaf_flags, run;
		int level;

		if (pt_lookup(&hv_pt, page, &pa, &leaf_flags, &level) == 0) {
			page += PAGE_SIZE;
			continue;
		}
		for (run = page + PAGE_SIZE; run < end; run += PAGE_SIZE)
			if (pt_lookup(&hv_pt, run, &pa, &leaf_flags, &level) == 0)
				break;
		if (pt_map(&hv_pt, page, page, run - page, flags))
			return -ENOMEM;
		page = run;
	}
	return 0;
}

int paging_guard_page(hpa_t page)
{
	int err = pt_split(&hv_pt, page);

	if (!err)
		err = pt_unmap(&hv_pt, page, PAGE_SIZE);
	__asm__ volatile("invlpg (%0)" ::"r"(page) : "memory");
	return err;
}

int arch_map_device(hpa_t base, uint64_t len)
{
	return map_unmapped(base, len, PTE_P | PTE_RW | PTE_PCD | PTE_PWT | pte_nx);
}

int arch_map_firmware(hpa_t base, uint64_t len)
{
	return map_unmapped(base, len, PTE_P | pte_nx); /* RAM stays as it is: readable already */
}
