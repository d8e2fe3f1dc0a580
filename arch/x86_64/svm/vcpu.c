/*
 * AMD-V's side of the arch hooks for VMs and vCPUs (svm_ops, arch/vendor.h): a VM's nested
 * page tables, a vCPU's ASID and VMCB, and svm_vcpu_run(), which enters the guest and
 * handles its exits until the vCPU yields, its time slice ends (the local APIC's
 * TSC-deadline timer, whose interrupt makes the guest exit: SVM has no preemption timer),
 * or its VM stops, and then goes on with the vCPU the scheduler picks next.
 */
#include "svm.h"

#include <arch/apic.h>
#include <arch/guest_cpuid.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <hv/log.h>
#include <hv/pv.h>
#include <hv/sched.h>
#include <pvabi/pvabi.h>

struct cpuid_context svm_cpuid_context(const struct vcpu *vcpu)
{
	return (struct cpuid_context){
		.vcpu_id = vcpu->id,
		.host_max_basic = svm_cpu.cpuid_max_basic,
		.host_max_extended = svm_cpu.cpuid_max_extended,
		.cr4_settable = svm_cpu.cr4_allowed,
		.rdtscp = 0,  /* RDTSCP is intercepted (#UD): TSC_AUX is not switched here */
		.invpcid = 0, /* not offered */
		.x2apic = vcpu->vm->platform == VM_PLATFORM_PC,
	};
}

/* Each vCPU gets an ASID of its own while there are enough; after that they are shared. */
static void asid_assign(struct vcpu *vcpu)
{
	static uint32_t next;

	/* Atomic: VCPU_START may take one on each CPU at once. */
	vcpu->arch.vpid = (uint16_t)(1 + __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) %
						 (svm_cpu.nasid - 1));
}

static int finish_init(struct vcpu *vcpu)
{
	struct cpuid_context ctx = svm_cpuid_context(vcpu);

	guest_cpuid_build(vcpu, &ctx); /* after vm_platform_attach(): the x2APIC and KVM leaves */
	return 0;
}

/*
 * A Shunt guest's vCPU in 64-bit mode on the VM's boot tables (vm->arch.boot_*): its first
 * (arch_vcpu_init, which builds them) and its later ones (arch_vcpu_start). Nothing here
 * touches this CPU's state, so a later vCPU built during another's hypercall, on any CPU,
 * is ready for VMRUN on its own CPU.
 */
static int svm_vcpu_start(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg)
{
	struct arch_vm *avm = &vcpu->vm->arch;
	int err;

	asid_assign(vcpu);
	err = vmcb_setup_long64(vcpu, entry, stack_top, avm->boot_cr3, avm->boot_gdt_base,
				avm->boot_gdt_limit, GUEST_SEL_CODE, GUEST_SEL_DATA);
	if (err)
		return err;
	vcpu->arch.regs = (struct guest_gprs){ .rdi = arg };
	return finish_init(vcpu);
}

static int svm_vcpu_init_flat32(struct vcpu *vcpu, uint32_t entry, uint32_t arg, uint32_t magic)
{
	int err;

	asid_assign(vcpu);
	err = vmcb_setup_flat32(vcpu, entry);
	if (err)
		return err;
	vcpu->arch.regs = (struct guest_gprs){ .rax = magic, .rbx = arg };
	return finish_init(vcpu);
}

static int svm_vcpu_init_real_mode(struct vcpu *vcpu)
{
	int err;

	asid_assign(vcpu);
	err = vmcb_setup_real_mode(vcpu);
	return err ?: finish_init(vcpu);
}

/* AMD-V runs real mode natively: the VMCB's state is all there is to set. */
static int svm_vcpu_start_real_mode(struct vcpu *vcpu, uint16_t cs)
{
	if (!vcpu->arch.vmcs)
		return -EIO;
	vmcb_set_real_mode(vcpu, cs);
	return 0;
}

static int svm_vcpu_init_long64(struct vcpu *vcpu, uint64_t entry, uint64_t arg, gpa_t boot_area,
				uint64_t boot_area_size)
{
	uint64_t cr3, gdt_base;
	uint16_t gdt_limit;
	int err;

	err = guest_boot_build_linux64(vcpu->vm, boot_area, boot_area_size, &cr3, &gdt_base,
				       &gdt_limit);
	if (err)
		return err;
	asid_assign(vcpu);
	err = vmcb_setup_long64(vcpu, entry, 0, cr3, gdt_base, gdt_limit, GUEST_BOOT_CS,
				GUEST_BOOT_DS);
	if (err)
		return err;
	vcpu->arch.regs = (struct guest_gprs){ .rsi = arg };
	return finish_init(vcpu);
}

static int svm_vm_init(struct vm *vm)
{
	return npt_init(vm);
}

/* On vcpu's own CPU, its VM stopped: nothing of it stays in this CPU (see vendor.h). */
static void svm_vcpu_release(struct vcpu *vcpu)
{
	struct cpu_tables *t = cpu_this();

	if (t->vcpu_loaded == vcpu)
		t->vcpu_loaded = NULL;
	if (t->vcpu_running == vcpu)
		t->vcpu_running = NULL;
	if (vcpu->arch.vpid < SVM_MAX_ASIDS && t->asid_owner[vcpu->arch.vpid] == vcpu)
		t->asid_owner[vcpu->arch.vpid] = NULL; /* the ASID's next owner flushes it */
}

static void svm_vm_destroy(struct vm *vm)
{
	/* Each vCPU's CPU released it (svm_vcpu_release). */
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		vmcb_free(&vm->vcpus[i]);
	npt_destroy(vm);
}

/*
 * The guest state no VMCB field holds: x87/SSE, and DR0-DR3 of vCPUs that use them. And
 * CR2: VMRUN loads it from the VMCB and #VMEXIT saves it there (APM 15.5.1, 15.6), but not
 * every implementation does (Bochs 2.7 does neither), and #VMEXIT leaves the guest's in the
 * CPU either way: switched here too, so that no VM sees another's.
 */
static void load_unswitched_state(struct vcpu *next)
{
	struct vcpu *prev = this_cpu_read(vcpu_loaded);
	struct guest_fpu_debug *f;

	if (prev == next)
		return;
	if (prev) {
		f = &prev->arch.fpu;
		if (prev->arch.vmcs)
			svm_vmcb(prev)->save.cr2 = read_cr2();
		fxsave(&f->fxsave);
		if (prev->arch.dr_live) {
			f->dr[0] = read_dr0();
			f->dr[1] = read_dr1();
			f->dr[2] = read_dr2();
			f->dr[3] = read_dr3();
		}
	}
	f = &next->arch.fpu;
	write_cr2(svm_vmcb(next)->save.cr2);
	fxrstor(&f->fxsave);
	if (next->arch.dr_live) {
		write_dr0(f->dr[0]);
		write_dr1(f->dr[1]);
		write_dr2(f->dr[2]);
		write_dr3(f->dr[3]);
	}
	this_cpu_write(vcpu_loaded, next);
}

/*
 * Before an entry from the run loop: the next moment the vCPU must come out (its slice's
 * end, its PV timer, a Linux VM's APIC timer, host work) for the APIC timer, written only
 * when it changed; from then on exits come back here.
 */
static void arm_deadlines(struct vcpu *vcpu)
{
	uint64_t deadline = vcpu->arch.slice_end, host = sched_host_work_due_for(vcpu);

	if ((vcpu->work & VCPU_WORK_TIMER) && vcpu->timer_deadline < deadline)
		deadline = vcpu->timer_deadline;
	if ((vcpu->work & VCPU_WORK_LAPIC) && vm_platform_next_deadline(vcpu) < deadline)
		deadline = vm_platform_next_deadline(vcpu);
	if (host < deadline)
		deadline = host;
	vcpu->run_deadline = deadline;
	vcpu->look_at = deadline;
	if (deadline != this_cpu_read(timer_armed)) {
		apic_timer_arm(deadline);
		this_cpu_write(timer_armed, deadline);
	}
}

static void before_entry(struct vcpu *vcpu, uint64_t now)
{
	if (now >= sched_host_work_due_for(vcpu))
		sched_host_work(vcpu);
	if (vcpu->work)
		vcpu_entry_work(vcpu);
	vcpu->attention &= VCPU_ATTN_HOST; /* all it asked for is done, or stays in work */
	arm_deadlines(vcpu);
}

/* The TLB entries of vcpu's ASID: flushed when another vCPU used it or its NPT lost a page. */
static void tlb_before_vmrun(struct vcpu *vcpu, struct vmcb *v)
{
	struct vcpu **owner = &this_cpu_read(self)->asid_owner[vcpu->arch.vpid];

	if (*owner == vcpu && !vcpu->arch.tlb_stale)
		return;
	*owner = vcpu;
	__atomic_store_n(&vcpu->arch.tlb_stale, 0, __ATOMIC_RELAXED); /* then the NPT is read */
	/* Without flush by ASID, TLB_CONTROL 3 is reserved: flush everything (APM 15.16.1). */
	v->control.tlb_control = svm_cpu.caps.flush_by_asid ? TLB_CONTROL_GUEST : TLB_CONTROL_ALL;
}

/* The scheduler's next vCPU at prev's slice's end (prev again, maybe), or NULL. */
static struct vcpu *next_slice(struct vcpu *prev, uint64_t now)
{
	struct vcpu *next = sched_switch(prev, now);

	if (!next)
		return NULL;
	load_unswitched_state(next);
	this_cpu_write(vcpu_running, next);
	next->arch.slice_end = now + SCHED_SLICE_CYCLES;
	return next;
}

static struct vcpu *svm_vcpu_run(struct vcpu *vcpu)
{
	uint64_t now = rdtsc();

	this_cpu_write(timer_armed, 0); /* arch_idle_until() may have used the timer since */
	this_cpu_write(vcpu_running, vcpu);
	load_unswitched_state(vcpu);
	vcpu->arch.slice_end = now + SCHED_SLICE_CYCLES;
	before_entry(vcpu, now);
	for (;;) {
		struct vmcb *v = svm_vmcb(vcpu);

		tlb_before_vmrun(vcpu, v);
		v->save.rax = vcpu->arch.regs.rax;
		svm_run(&vcpu->arch.regs, vcpu->arch.vmcs, this_cpu_read(virt_pages[1]));
		vcpu->arch.regs.rax = v->save.rax;
		if (vcpu->arch.exit_reason) {
			vcpu->arch.exit_reason = 0;
			if (svm_exit(vcpu) == SVM_EXIT_RESUME)
				continue;
		}
		/*
		 * Time spent in Shunt on this vCPU's exits counts against its slice too. Looked at
		 * after every exit that reaches here: no exit does much work.
		 */
		now = rdtsc();
		if (vcpu->vm->state != VM_RUNNING ||
		    (vcpu->attention & (VCPU_ATTN_YIELD | VCPU_ATTN_HALT | VCPU_ATTN_HOST)) ||
		    (int64_t)(vcpu->arch.slice_end - now) <= 0) {
			struct vcpu *next = next_slice(vcpu, now);

			if (!next)
				break;
			vcpu = next;
		}
		before_entry(vcpu, now);
	}
	apic_timer_arm(0);
	return this_cpu_read(vcpu_running);
}

const struct vendor_ops svm_ops = {
	.name = "AMD-V",
	.pv_features = PV_FEATURE_VMMCALL,
	.probe = svm_probe,
	.enable = svm_enable,
	.cpu_enable = svm_cpu_enable,
	.vm_init = svm_vm_init,
	.vm_map_ram = npt_map_ram,
	.vm_map_mmio = npt_map_mmio,
	.vm_unmap = npt_unmap,
	.vm_destroy = svm_vm_destroy,
	.vcpu_start = svm_vcpu_start,
	.vcpu_init_flat32 = svm_vcpu_init_flat32,
	.vcpu_init_long64 = svm_vcpu_init_long64,
	.vcpu_init_real_mode = svm_vcpu_init_real_mode,
	.vcpu_start_real_mode = svm_vcpu_start_real_mode,
	.vcpu_run = svm_vcpu_run,
	.vcpu_inject_vector = svm_vcpu_inject_vector,
	.vcpu_release = svm_vcpu_release,
	.exit_name = svm_exit_kind_name,
};
