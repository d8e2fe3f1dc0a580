/*
 * VT-x's side of the arch hooks for VMs and vCPUs (vmx_ops, arch/vendor.h): a VM's EPT, a
 * vCPU's VPID and VMCS, and vmx_vcpu_run(), which enters the guest and handles its exits
 * until the vCPU yields, its time slice (measured by the VMX preemption timer) ends, or
 * its VM stops, and then goes on with the vCPU the scheduler picks next.
 */
#include "vmx.h"
#include "vmx_switch.h"

#include <arch/vendor.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/pv.h>
#include <hv/sched.h>
#include <hv/string.h>

uint16_t vmx_vpid_take(void)
{
	uint32_t vpid;

	/* VPIDs only with a way to flush them (INVVPID single- or all-context). */
	if (!vmx_cpu.caps.vpid || !vmx_cpu.caps.invvpid ||
	    !(vmx_cpu.caps.invvpid_single || vmx_cpu.caps.invvpid_all))
		return 0;
	vpid = __atomic_fetch_add(&vmx_cpu.next_vpid, 1, __ATOMIC_RELAXED);
	return vpid && vpid <= 0xffff ? (uint16_t)vpid : 0; /* past 65535: none, flushed alike */
}

void vmx_flush_vpid(uint16_t vpid)
{
	if (vmx_cpu.caps.invvpid_single)
		invvpid(INVVPID_SINGLE_CONTEXT, vpid);
	else
		invvpid(INVVPID_ALL_CONTEXTS, 0);
}

static int vmx_vm_init(struct vm *vm)
{
	return ept_init(&vm->arch);
}

static int vmx_vm_map_ram(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	return ept_map_ram(&vm->arch, gpa, hpa, size);
}

static int vmx_vm_map_mmio(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	return ept_map_mmio(&vm->arch, gpa, hpa, size);
}

static int vmx_vm_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	return ept_unmap(&vm->arch, gpa, size);
}

static void vmx_vm_destroy(struct vm *vm)
{
	struct arch_vm *avm = &vm->arch;

	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (!vcpu->arch.vmcs)
			continue; /* never started */
		/* Its CPU released it (vmx_vcpu_release): clear, current nowhere, TLB flushed. */
		mm_free_frames(vcpu->arch.vmcs, 1);
		vcpu->arch.vmcs = 0;
	}
	if (avm->ept.root)
		ept_destroy(avm);
}

static void vmx_vm_flush_local(struct vm *vm)
{
	ept_flush(&vm->arch);
}

/* On vcpu's own CPU, its VM stopped: nothing of it stays in this CPU (see vendor.h). */
static void vmx_vcpu_release(struct vcpu *vcpu)
{
	if (this_cpu_read(vcpu_loaded) == vcpu)
		this_cpu_write(vcpu_loaded, NULL); /* its state in the CPU is no one's now */
	if (!vcpu->arch.vmcs)
		return;
	vmclear(vcpu->arch.vmcs); /* written back, active nowhere: it may be freed */
	if (vcpu->arch.vpid)
		vmx_flush_vpid(vcpu->arch.vpid);
	ept_flush(&vcpu->vm->arch); /* its EPT's translations too: the root may be reused */
}

/*
 * A Shunt guest's vCPU: its first (arch_vcpu_init, on the boot CPU or the CPU reaping it)
 * or a later one (arch_vcpu_start, built during the hypercall of the vCPU whose VMCS is
 * current here). vmcs_setup() makes the new VMCS current; it is then cleared,
 * which writes it to memory with launch state "clear" (SDM Vol. 3C 25.1, 25.11.1: a VMCS is
 * cleared before another processor makes it active, and VMLAUNCH needs that state), and the
 * caller's VMCS is made current again for the rest of its exit.
 */
static int vmx_vcpu_start(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg)
{
	struct arch_vm *avm = &vcpu->vm->arch;
	int err;

	vcpu->arch.vpid = vmx_vpid_take();
	vmx_cpuid_table_build(vcpu);
	err = vmcs_setup(vcpu, entry, stack_top, arg, avm->boot_cr3, avm->boot_gdt_base,
			 avm->boot_gdt_limit);
	/* Cleared for its own CPU, the caller's VMCS current again for the rest of its exit. */
	vmx_vcpu_built(vcpu);
	if (err && vcpu->arch.vmcs) {
		mm_free_frames(vcpu->arch.vmcs, 1);
		vcpu->arch.vmcs = 0;
	}
	return err;
}

/*
 * The preemption timer's count for cycles (its field is 32 bits wide): never more than a
 * slice's, which arch_vcpu_run() keeps below 2^32, since every deadline is at or before the
 * slice's end; so it fits as it is, without a cast that would cost an instruction.
 */
static uint64_t timer_ticks(uint64_t cycles)
{
	return cycles >> vmx_cpu.caps.preemption_timer_shift;
}

/*
 * The VMX preemption timer counts only while the guest runs, so the time Shunt spends on
 * exits that go straight back in delays it. Re-armed at least this often (at an exit that
 * comes later), a timer or a slice's end is never later than this for that reason.
 */
#define TIMER_REARM_CYCLES (SCHED_SLICE_CYCLES / 32)

/*
 * Before an entry from the run loop: the next moment the vCPU must come out (its slice's
 * end, its PV timer or host work) for the preemption timer, written only when it changed,
 * fired or is due for a re-arm (always for a new slice: fresh, a constant where it is
 * inlined, so the run loop's two copies test only what they must); and the moment from
 * which exits come back here. slice_end and host (sched_host_work_due_for()) come as values:
 * the caller has them in registers.
 */
static inline __attribute__((always_inline)) void
arm_deadlines(struct vcpu *vcpu, uint64_t now, int fresh, uint64_t slice_end, uint64_t host)
{
	struct arch_vcpu *a = &vcpu->arch;
	uint64_t deadline = slice_end;

	if ((vcpu->work & VCPU_WORK_TIMER) && vcpu->timer_deadline < deadline)
		deadline = vcpu->timer_deadline;
	if ((vcpu->work & VCPU_WORK_LAPIC) && vm_platform_next_deadline(vcpu) < deadline)
		deadline = vm_platform_next_deadline(vcpu); /* a Linux VM's APIC timer */
	if (host < deadline)
		deadline = host;
	/* The timer was armed for the last run_deadline: every change re-arms it. */
	if (fresh || a->timer_expired || deadline != vcpu->run_deadline ||
	    now - a->armed_at >= TIMER_REARM_CYCLES) {
		int64_t left = (int64_t)(deadline - now);

		vmwrite(VMCS_PREEMPTION_TIMER_VALUE, timer_ticks(left > 0 ? (uint64_t)left : 0));
		a->armed_at = now;
		/* Without "save preemption timer" every entry starts the timer from the VMCS value. */
		a->timer_expired = vmx_cpu.timer_not_saved;
	}
	vcpu->run_deadline = deadline;
	vcpu->look_at = a->armed_at + TIMER_REARM_CYCLES < deadline
				? a->armed_at + TIMER_REARM_CYCLES
				: deadline;
}

/*
 * A host invariant that a guest could break if CR0_HOST_OWNED were wrong: VM exits do not
 * load CR0.CD and NW, so a guest's caching-off would stay on for Shunt and every VM. The
 * guest/host mask is what keeps it; this audit of it runs each time the scheduler loop takes
 * the CPU back, not on every VM switch, which it would make 3 instructions longer.
 */
static void check_host_caching(const struct vcpu *vcpu)
{
	uint64_t cr0 = read_cr0();

	if (cr0 & (CR0_CD | CR0_NW)) {
		log_error(
			"vm %s: the host's caches were off after it ran (CR0 0x%llx): turned on\n",
			vcpu->vm->name, (unsigned long long)cr0);
		write_cr0(cr0 & ~(uint64_t)(CR0_CD | CR0_NW));
	}
}

/*
 * What the run loop does before every entry, at TSC now: host work that is due, the
 * vCPU's own work (a timer may fire, an event be injected), its deadlines (its slice ends
 * at slice_end).
 */
static inline __attribute__((always_inline)) struct guest_gprs *
before_entry(struct vcpu *vcpu, uint64_t now, int fresh, uint64_t slice_end)
{
	uint64_t host = sched_host_work_due_for(vcpu);

	if (now >= host) {
		sched_host_work(vcpu);
		host = sched_host_work_due_for(vcpu);
	}
	if (vcpu->work)
		vcpu_entry_work(vcpu);
	/*
	 * All it asked for is done, or stays in work; a stop, and deferred work, stay: the run
	 * loop ends its slice.
	 */
	vcpu->attention &= VCPU_ATTN_STOP | VCPU_ATTN_HOST;
	arm_deadlines(vcpu, now, fresh, slice_end, host); /* sets look_at */
	vcpu->arch.event_queued = 0; /* what is queued now goes in with this entry */
	return &vcpu->arch.regs;
}

/*
 * The counting build's clock in Shunt (arch_vcpu.hv_ticks): vcpu's ticks since its last
 * exit end here (a switch to another vCPU, or the scheduler loop taking over), and
 * count_from() starts counting another's from here until its entry.
 */
static inline void count_until(struct vcpu *vcpu)
{
#ifdef SHUNT_BENCH_COUNTERS
	vcpu->arch.hv_ticks += rdtsc() - vcpu->arch.exit_tsc;
#else
	(void)vcpu;
#endif
}

static inline void count_from(struct vcpu *vcpu)
{
#ifdef SHUNT_BENCH_COUNTERS
	vcpu->arch.exit_tsc = rdtsc();
#else
	(void)vcpu;
#endif
}

/*
 * prev's slice is over at TSC now: the VM switch. The scheduler's next vCPU (prev again,
 * maybe) gets its VMCS current and a slice of its own; returns it, or NULL when the
 * scheduler loop takes over. Inline in vmx_run_loop(), whose frame it shares.
 */
static inline __attribute__((always_inline)) struct vcpu *next_slice(struct vcpu *prev,
								     uint64_t now)
{
	struct vcpu *next;

	next = sched_switch(prev, now);
	if (!next)
		return NULL;
	if (vmx_vcpu_switch(prev, next)) {		/* prev's VMCS is current: it just ran */
		this_cpu_write(vcpu_load_failed, next); /* the scheduler loop releases it */
		vm_stop(next->vm, VM_STOP_ENTRY_FAILED, -1, "VMPTRLD of its VMCS failed");
		return NULL;
	}
	next->arch.slice_end = now + SCHED_SLICE_CYCLES; /* a constant: one instruction */
	if (next != prev) {
		count_until(prev);
		count_from(next);
	}
	return next;
}

/*
 * The run loop: what an exit leaves to it (vcpu->attention, a deadline passed) is done
 * here, between entries; every other exit goes straight back in from vmx_entry.S. At a
 * slice's end the next vCPU comes from the scheduler here too, so a VM switch enters the
 * next guest from the frame the last one exited to, without unwinding to sched_run().
 */
struct guest_gprs *vmx_run_loop_at(struct guest_gprs *regs, uint64_t now)
{
	struct vcpu *vcpu = vmx_vcpu_of(regs);

	/*
	 * Time spent in Shunt on this vCPU's exits counts against its slice too (the preemption
	 * timer counts only guest time). Looked at after every exit: no exit does much work,
	 * so the slice overruns by at most one exit's.
	 */
	if ((vcpu->attention &
	     (VCPU_ATTN_YIELD | VCPU_ATTN_HALT | VCPU_ATTN_STOP | VCPU_ATTN_HOST)) ||
	    (int64_t)(vcpu->arch.slice_end - now) <= 0) {
		vcpu = next_slice(vcpu, now);
		return vcpu ? before_entry(vcpu, now, 1, vcpu->arch.slice_end) : NULL;
	}
	return before_entry(vcpu, now, 0, vcpu->arch.slice_end);
}

struct guest_gprs *vmx_run_loop(struct guest_gprs *regs)
{
	return vmx_run_loop_at(regs, rdtsc());
}

/* The preemption timer's field is 32 bits wide (timer_ticks()). */
_Static_assert(SCHED_SLICE_CYCLES < UINT32_MAX, "a slice fits the VMX preemption timer");

static struct vcpu *vmx_vcpu_run(struct vcpu *vcpu)
{
	uint64_t now = rdtsc();
	int err;

	if (vmx_vcpu_load(vcpu)) {
		vm_stop(vcpu->vm, VM_STOP_ENTRY_FAILED, -1, "VMPTRLD of its VMCS failed");
		return vcpu;
	}
	vcpu->arch.slice_end = now + SCHED_SLICE_CYCLES;
	count_from(vcpu);
	err = vmx_run(before_entry(vcpu, now, 1, vcpu->arch.slice_end));
	/* The one that ran last (the scheduler may have switched), or the one it could not load. */
	vcpu = this_cpu_read(vcpu_load_failed) ? this_cpu_read(vcpu_load_failed)
					       : this_cpu_read(vcpu_loaded);
	this_cpu_write(vcpu_load_failed, NULL);
	count_until(vcpu);
	check_host_caching(vcpu);
	if (err)
		vm_stop(vcpu->vm, VM_STOP_ENTRY_FAILED, -1,
			"VM%s failed: VM-instruction error %llu",
			err == VMX_RUN_LAUNCH_FAILED ? "LAUNCH" : "RESUME",
			(unsigned long long)vmread(VMCS_VM_INSTRUCTION_ERROR));
	return vcpu;
}

const struct vendor_ops vmx_ops = {
	.name = "VT-x",
	.pv_features = 0, /* VMCALL */
	.probe = vmx_probe,
	.enable = vmx_enable,
	.cpu_enable = vmx_cpu_enable,
	.vm_init = vmx_vm_init,
	.vm_map_ram = vmx_vm_map_ram,
	.vm_map_mmio = vmx_vm_map_mmio,
	.vm_unmap = vmx_vm_unmap,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_start = vmx_vcpu_start,
	.vcpu_init_flat32 = vmx_vcpu_init_flat32,
	.vcpu_init_long64 = vmx_vcpu_init_long64,
	.vcpu_init_real_mode = vmx_vcpu_init_real_mode,
	.vcpu_start_real_mode = vmx_vcpu_start_real_mode,
	.vcpu_run = vmx_vcpu_run,
	.vcpu_inject_vector = vmx_vcpu_inject_vector,
	.vcpu_built = vmx_vcpu_built,
	.vcpu_release = vmx_vcpu_release,
	.vm_flush_local = vmx_vm_flush_local,
	.exit_name = vmx_exit_reason_name,
};
