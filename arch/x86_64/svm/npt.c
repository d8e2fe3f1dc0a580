/*
 * Nested page tables (AMD APM Vol. 2 15.25): one 4-level table per VM, in the format of the
 * host's own paging (arch/pt.h), walked from the VMCB's N_CR3. Nested walks are user
 * accesses (15.25.5), so every entry has U/S set. Guest RAM is mapped write-back (PAT entry
 * 0 of the host's PAT), device memory uncached (PCD and PWT: entry 3, UC) and never
 * executable, in 2 MiB leaves
 * where alignment allows; nothing else is mapped, so any other guest-physical access is a
 * nested page fault. A mapping removed marks the VM's tables stale: its vCPU's next VMRUN
 * flushes its TLB entries.
 */
#include "svm.h"

#include <hv/mm.h>

#define NPT_US (1ull << 2)
#define NPT_RWX (PTE_P | PTE_RW | NPT_US)

static const struct pt_format npt_format = {
	.table_flags = NPT_RWX,
	.present_mask = PTE_P,
	.max_leaf_level = 2,
};

int npt_init(struct vm *vm)
{
	vm->arch.ept = (struct pt){
		.fmt = &npt_format,
		.alloc_table = pt_frame_alloc,
		.table_ptr = pt_frame_ptr,
		.free_table = pt_frame_free,
	};
	return pt_init(&vm->arch.ept) ? -ENOMEM : 0;
}

/*
 * Every vCPU of vm flushes its ASID before its next VMRUN, wherever it runs: marked after the
 * tables changed, so that a CPU flushing meanwhile can not cache the old entry again unseen.
 */
static void npt_mark_stale(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		__atomic_store_n(&vm->vcpus[i].arch.tlb_stale, 1, __ATOMIC_RELEASE);
}

int npt_map_ram(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	int err = pt_map(&vm->arch.ept, gpa, hpa, size, NPT_RWX);

	npt_mark_stale(vm); /* stale "not present" entries may be cached too */
	return err;
}

int npt_map_mmio(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	/* Never executable (NX: Shunt runs with EFER.NXE, which the nested walk uses). */
	int err = pt_map(&vm->arch.ept, gpa, hpa, size, NPT_RWX | PTE_PCD | PTE_PWT | PTE_NX);

	npt_mark_stale(vm);
	return err;
}

int npt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	int err = pt_unmap(&vm->arch.ept, gpa, size);

	npt_mark_stale(vm);
	return err;
}

void npt_destroy(struct vm *vm)
{
	if (vm->arch.ept.root)
		pt_destroy(&vm->arch.ept);
}
