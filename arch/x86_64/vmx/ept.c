/*
 * Extended page tables (SDM Vol. 3C 29.3): one 4-level EPT per VM, built with the shared
 * radix code (arch/pt.h). Guest RAM is mapped write-back with 2 MiB (or 1 GiB) leaves where
 * alignment allows; nothing else is mapped, so any other guest-physical access exits.
 */
#include "vmx.h"

#include <hv/mm.h>

#define EPT_READ (1ull << 0)
#define EPT_WRITE (1ull << 1)
#define EPT_EXEC (1ull << 2)
#define EPT_MEMTYPE_WB (6ull << 3)
#define EPTP_MEMTYPE_WB 6ull
#define EPTP_WALK_LENGTH_4 (3ull << 3)

void ept_flush(const struct arch_vm *avm)
{
	/* vmx_caps_missing() made sure that one of the two exists. */
	if (vmx_cpu.caps.invept_single)
		invept(INVEPT_SINGLE_CONTEXT, avm->eptp);
	else
		invept(INVEPT_ALL_CONTEXTS, 0);
}

static struct pt_format ept_format = {
	.table_flags = EPT_READ | EPT_WRITE | EPT_EXEC,
	.present_mask = EPT_READ | EPT_WRITE | EPT_EXEC,
	.max_leaf_level = 2,
};

int ept_init(struct arch_vm *avm)
{
	if (vmx_cpu.caps.ept_1g)
		ept_format.max_leaf_level = 3;
	avm->ept = (struct pt){
		.fmt = &ept_format,
		.alloc_table = pt_frame_alloc,
		.table_ptr = pt_frame_ptr,
		.free_table = pt_frame_free,
	};
	if (pt_init(&avm->ept))
		return -ENOMEM;
	avm->eptp = avm->ept.root | EPTP_WALK_LENGTH_4 | EPTP_MEMTYPE_WB;
	return 0;
}

int ept_map_ram(struct arch_vm *avm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	int err =
		pt_map(&avm->ept, gpa, hpa, size, EPT_READ | EPT_WRITE | EPT_EXEC | EPT_MEMTYPE_WB);

	/* Mappings only grow here, but stale "not present" entries may be cached. */
	ept_flush(avm);
	return err;
}

#define EPT_MEMTYPE_UC (0ull << 3)
#define EPT_IGNORE_PAT (1ull << 6)

int ept_map_mmio(struct arch_vm *avm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	/* Uncached whatever the guest's PAT says: device registers must not be cached. */
	int err = pt_map(&avm->ept, gpa, hpa, size,
			 EPT_READ | EPT_WRITE | EPT_MEMTYPE_UC | EPT_IGNORE_PAT);

	ept_flush(avm);
	return err;
}

int ept_unmap(struct arch_vm *avm, gpa_t gpa, uint64_t size)
{
	int err = pt_unmap(&avm->ept, gpa, size);

	ept_flush(avm);
	return err;
}

void ept_destroy(struct arch_vm *avm)
{
	ept_flush(avm);
	pt_destroy(&avm->ept);
}
