/*
 * The direct hardware calls of pv-abi (PV_PERM_HW): query, port batches, MMIO map/unmap,
 * and the trapped path (a guest's own IN/OUT on ports it was granted for io) that forwards
 * one access per exit. Every port is checked against the VM's windows before anything
 * touches the hardware; a batch with one bad entry runs nothing.
 */
#include <hv/arch.h>
#include <hv/hw.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/madt.h>
#include <hv/mm.h>
#include <hv/pci.h>
#include <hv/string.h>

#define GUEST_PHYS_LIMIT (1ull << 39)  /* MMIO maps lie below 512 GiB (SPEC.md, HW_MMIO_MAP) */
#define APIC_RANGE_FIRST 0xfec00000ull /* IOAPIC .. LAPIC: Shunt's own */
#define APIC_RANGE_LAST 0xfeefffffull

static void fill_resource(const struct vm *vm, unsigned int id, struct pv_hw_resource *out)
{
	const struct hw_grant *g = &vm->grants[id];
	const struct hw_resource *r = g->resource;

	memset(out, 0, sizeof(*out));
	out->id = id;
	out->kind = g->spec.kind;
	out->mode = g->spec.mode;
	out->verdict = g->verdict;
	out->pci_bdf = g->spec.bdf;
	out->port_base = g->spec.port_first;
	out->port_count = (uint16_t)(g->spec.port_last - g->spec.port_first + 1);
	if (!r)
		return;
	out->vendor = r->vendor;
	out->device = r->device;
	out->class_code = r->class_code;
	if (r->compat)
		strlcpy(out->name, r->compat->name, sizeof(out->name));
	memcpy(out->bars, r->bars, sizeof(out->bars));
}

int64_t hc_hw_query(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	uint64_t max = args->arg[1];
	struct pv_hw_resource *buf;

	if (max > vm->grant_count)
		max = vm->grant_count;
	buf = vm_gpa_to_hva(vm, args->arg[0], max * sizeof(*buf));
	if (!buf && max)
		return PV_EFAULT;
	for (unsigned int i = 0; i < max; i++)
		fill_resource(vm, i, &buf[i]);
	return vm->grant_count;
}

int64_t hc_hw_port_batch(struct vcpu *vcpu, const struct hc_args *args)
{
	/* Each CPU's own: one batch at a time on it (a call's exit runs to its end). */
	static struct pv_port_op cpu_ops[CPU_MAX][PV_PORT_BATCH_MAX];
	struct pv_port_op *ops = cpu_ops[arch_cpu_index()];
	struct vm *vm = vcpu->vm;
	uint64_t count = args->arg[1];
	struct pv_port_op *guest;
	uint32_t bad;
	int err;

	if (count > PV_PORT_BATCH_MAX)
		return PV_E2BIG;
	guest = vm_gpa_to_hva(vm, args->arg[0], count * sizeof(*guest));
	if (!guest && count)
		return PV_EFAULT;
	/* Check a private copy, so the guest can not change an op after it was checked. */
	err = hw_batch_check(guest, (uint32_t)count, vm->windows, vm->window_count, ops, &bad);
	if (err) {
		log_debug("vm %s: port batch refused at op %u (port 0x%x): %d\n", vm->name, bad,
			  ops[bad].port, err);
		return err;
	}
	arch_ports_run(ops, (uint32_t)count, guest); /* reads go straight back to the guest */
	vcpu->stats.hw_port_ops += count;
	return (int64_t)count;
}

static int overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/*
 * With vm->mmio_lock: [gpa, gpa + size) onto host [first, first + size) in a free slot, if
 * it overlaps no other mapping. 0 or a PV_E* code.
 */
static int64_t map_in_free_slot(struct vm *vm, gpa_t gpa, hpa_t first, uint64_t size)
{
	unsigned int slot = VM_MMIO_MAPS_MAX;

	for (unsigned int s = 0; s < VM_MMIO_MAPS_MAX; s++) {
		if (!vm->mmio_maps[s].size)
			slot = slot < s ? slot : s;
		else if (overlaps(gpa, size, vm->mmio_maps[s].gpa, vm->mmio_maps[s].size))
			return PV_EINVAL;
	}
	if (slot == VM_MMIO_MAPS_MAX)
		return PV_E2BIG;
	if (arch_vm_map_mmio(vm, gpa, first, size)) {
		arch_vm_unmap(vm, gpa, size); /* whatever part of it was mapped */
		return PV_EINVAL;
	}
	vm->mmio_maps[slot].gpa = gpa;
	vm->mmio_maps[slot].size = size;
	return 0;
}

int64_t hc_hw_mmio_map(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	uint64_t id = args->arg[0], index = args->arg[1], gpa = args->arg[2], size, first;
	const struct hw_grant *g;
	const struct pv_hw_bar *bar;
	int64_t ret;

	if (id >= vm->grant_count)
		return PV_ENODEV;
	g = &vm->grants[id];
	if (g->verdict)
		return g->verdict;
	if (g->spec.mode != PV_HW_MODE_MMIO)
		return PV_EOPNOTSUPP;
	if (index >= 6)
		return PV_EINVAL;
	bar = &g->resource->bars[index];
	if (!(bar->flags & PV_HW_BAR_MEM) || !bar->size || bar->base + bar->size < bar->base ||
	    bar->base + bar->size > ALIGN_DOWN(UINT64_MAX, PAGE_SIZE))
		return PV_EINVAL;
	/*
	 * What gets mapped is whole pages: the pages holding the BAR. Nothing else may live in
	 * them: not Shunt's APICs, not RAM (a misprogrammed BAR), not PCI configuration space,
	 * not another device's registers.
	 */
	first = ALIGN_DOWN(bar->base, PAGE_SIZE);
	size = ALIGN_UP(bar->base + bar->size, PAGE_SIZE) - first;
	if (overlaps(first, size, APIC_RANGE_FIRST, APIC_RANGE_LAST - APIC_RANGE_FIRST + 1) ||
	    mm_range_has_ram(first, size) || pci_ecam_overlaps(first, size) ||
	    hw_other_bar_overlaps(g->resource, first, size))
		return PV_EACCES;
	if ((gpa & (PAGE_SIZE - 1)) || gpa < vm->ram_size || gpa + size > GUEST_PHYS_LIMIT ||
	    gpa + size < gpa)
		return PV_EINVAL;
	arch_lock_answering_flushes(&vm->mmio_lock);
	ret = map_in_free_slot(vm, gpa, first, size);
	spin_unlock(&vm->mmio_lock);
	if (ret)
		return ret;
	log_info("vm %s: BAR%llu of %s (0x%llx, %llu KiB) mapped at guest-physical 0x%llx\n",
		 vm->name, (unsigned long long)index, g->resource->label,
		 (unsigned long long)bar->base, (unsigned long long)(size >> 10),
		 (unsigned long long)gpa);
	return 0;
}

int64_t hc_hw_mmio_unmap(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	int64_t ret = PV_EINVAL;

	arch_lock_answering_flushes(&vm->mmio_lock);
	for (unsigned int s = 0; s < VM_MMIO_MAPS_MAX; s++) {
		if (!vm->mmio_maps[s].size || vm->mmio_maps[s].gpa != args->arg[0])
			continue;
		arch_vm_unmap(vm, vm->mmio_maps[s].gpa, vm->mmio_maps[s].size);
		vm->mmio_maps[s].size = 0;
		ret = 0;
		break;
	}
	spin_unlock(&vm->mmio_lock);
	return ret;
}

/*
 * A trapped IN/OUT on a port of an io grant: forwarded to the hardware, one access per
 * exit, under the same rate limit as the calls. Over the limit the instruction is not
 * executed yet: the vCPU yields and retries it later (back-pressure, not an error).
 */
static int forward_access(struct vcpu *vcpu, void *device, uint16_t offset, unsigned int size,
			  int write, uint32_t *value)
{
	struct vm *vm = vcpu->vm;
	const struct hw_port_window *w = device;
	uint16_t port = (uint16_t)(w->first + offset);
	uint64_t retry_after;

	if ((uint32_t)port + size - 1 > w->last) {
		if (!write)
			*value = 0xffffffffu;
		return 0;
	}
	if (vm_rate_take(vm, PV_RATE_HW, &retry_after))
		return VM_IO_RETRY;
	if (write)
		arch_port_write(port, size, *value);
	else
		*value = arch_port_read(port, size);
	vcpu->stats.hw_port_ops++;
	return 0;
}

void hw_trap_register(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->grant_count; i++) {
		const struct hw_grant *g = &vm->grants[i];

		if (g->verdict || g->spec.mode != PV_HW_MODE_IO)
			continue;
		for (unsigned int w = g->window_first; w < g->window_first + g->window_count; w++)
			vm_io_register(vm, vm->windows[w].first,
				       (uint16_t)(vm->windows[w].last - vm->windows[w].first + 1),
				       forward_access, &vm->windows[w]);
	}
}
