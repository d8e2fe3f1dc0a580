/*
 * #VMEXIT dispatch on AMD-V: the hypercall and the other common exits tested first, then a
 * switch over the exit code (AMD APM Vol. 2 appendix C). Exits are counted by kind, the
 * kinds numbered and named as VT-x's basic exit reasons are (vmx/exit.c), so that the
 * summary reads the same on either backend: "VMCALL" counts VMMCALL, "EPT violation" nested
 * page faults, "external interrupt" the timer that ends a slice. An exit Shunt does not
 * handle, or a VMRUN the CPU refused, dumps the guest's state and stops that VM only.
 */
#include "svm.h"

#include <arch/guest_cpuid.h>
#include <arch/x86.h>
#include <hv/log.h>
#include <hv/pv.h>
#include <hv/sched.h>

/* Exit kinds: VT-x's basic exit reason numbers (SDM Vol. 3D appendix C). */
enum {
	KIND_EXCEPTION = 0,
	KIND_INTR = 1,
	KIND_SHUTDOWN = 2,
	KIND_SVM_INSN = 6, /* unused by VT-x: the SVM instructions */
	KIND_VINTR = 7,
	KIND_TASK_SWITCH = 9,
	KIND_CPUID = 10,
	KIND_HLT = 12,
	KIND_INVD = 13,
	KIND_RDPMC = 15,
	KIND_HYPERCALL = 18,
	KIND_CR = 28,
	KIND_DR = 29,
	KIND_IO = 30,
	KIND_RDMSR = 31,
	KIND_WRMSR = 32,
	KIND_ENTRY_FAILED = 33,
	KIND_MWAIT = 36,
	KIND_MONITOR = 39,
	KIND_NPF = 48,
	KIND_RDTSCP = 51,
	KIND_WBINVD = 54,
	KIND_XSETBV = 55,
	KIND_OTHER = 69,
};

static const char *const kind_names[ARCH_EXIT_REASONS] = {
	[KIND_EXCEPTION] = "exception or NMI",
	[KIND_INTR] = "external interrupt",
	[KIND_SHUTDOWN] = "triple fault",
	[KIND_SVM_INSN] = "SVM instruction",
	[KIND_VINTR] = "interrupt window",
	[KIND_TASK_SWITCH] = "task switch",
	[KIND_CPUID] = "CPUID",
	[KIND_HLT] = "HLT",
	[KIND_INVD] = "INVD",
	[KIND_RDPMC] = "RDPMC",
	[KIND_HYPERCALL] = "VMCALL",
	[KIND_CR] = "control register access",
	[KIND_DR] = "debug register access",
	[KIND_IO] = "I/O instruction",
	[KIND_RDMSR] = "RDMSR",
	[KIND_WRMSR] = "WRMSR",
	[KIND_ENTRY_FAILED] = "VM entry: invalid guest state",
	[KIND_MWAIT] = "MWAIT",
	[KIND_MONITOR] = "MONITOR",
	[KIND_NPF] = "EPT violation",
	[KIND_RDTSCP] = "RDTSCP",
	[KIND_WBINVD] = "WBINVD",
	[KIND_XSETBV] = "XSETBV",
	[KIND_OTHER] = "other",
};

const char *svm_exit_kind_name(unsigned int kind)
{
	return kind < ARCH_EXIT_REASONS && kind_names[kind] ? kind_names[kind] : "unknown";
}

void svm_dump_and_stop(struct vcpu *vcpu, int reason_code, const char *what)
{
	const struct vmcb *v = svm_vmcb(vcpu);

	log_error("vm %s: %s: exit code 0x%llx, exit info 0x%llx 0x%llx\n", vcpu->vm->name, what,
		  (unsigned long long)v->control.exit_code,
		  (unsigned long long)v->control.exit_info1,
		  (unsigned long long)v->control.exit_info2);
	log_error("vm %s:   RIP=0x%llx RSP=0x%llx RFLAGS=0x%llx CR0=0x%llx CR3=0x%llx "
		  "CR4=0x%llx EFER=0x%llx\n",
		  vcpu->vm->name, (unsigned long long)v->save.rip, (unsigned long long)v->save.rsp,
		  (unsigned long long)v->save.rflags, (unsigned long long)v->save.cr0,
		  (unsigned long long)v->save.cr3, (unsigned long long)v->save.cr4,
		  (unsigned long long)v->save.efer);
	vm_stop(vcpu->vm, reason_code, -1, "%s: exit code 0x%llx at RIP 0x%llx", what,
		(unsigned long long)v->control.exit_code, (unsigned long long)v->save.rip);
}

static void queue_event(struct vcpu *vcpu, uint64_t event)
{
	svm_vmcb(vcpu)->control.event_inj = event;
	vcpu->arch.event_queued = 1;
}

void svm_inject_exception(struct vcpu *vcpu, unsigned int vector, int has_error_code,
			  uint32_t error_code)
{
	uint64_t e = vector | EVENT_TYPE_EXCEPTION | EVENT_VALID;

	if (has_error_code)
		e |= EVENT_ERROR_VALID | ((uint64_t)error_code << 32);
	queue_event(vcpu, e);
}

int svm_vcpu_inject_vector(struct vcpu *vcpu, uint8_t vector)
{
	struct vmcb *v = svm_vmcb(vcpu);

	/* Masked by IF, in an STI or MOV SS shadow, or an event already queued. */
	if (!(v->save.rflags & RFLAGS_IF) || (v->control.int_state & INT_STATE_SHADOW) ||
	    vcpu->arch.event_queued) {
		/* A virtual interrupt (V_IRQ) the guest takes when it can: the window's exit. */
		v->control.int_ctl |= V_IRQ;
		v->control.misc1 |= INTERCEPT_VINTR;
		return -EBUSY;
	}
	queue_event(vcpu, vector | EVENT_TYPE_INTR | EVENT_VALID);
	return 0;
}

void svm_hypercall(struct vcpu *vcpu, uint64_t length, uint64_t now)
{
	struct guest_gprs *g = &vcpu->arch.regs;

	vcpu->arch.exit_counts[KIND_HYPERCALL]++;
	if (svm_vmcb(vcpu)->save.cpl != 0) {
		/* From CPL > 0: #UD, as on a CPU without the hypercall (SPEC §3). */
		vcpu->arch.cpl_violations++;
		svm_inject_exception(vcpu, X86_VECTOR_UD, 0, 0);
		return;
	}
	svm_skip(vcpu, length);
	g->rax = (uint64_t)hc_dispatch(vcpu, (struct hc_args *)g, now);
}

/*
 * An event the exit interrupted in the middle of its delivery (EXITINTINFO, APM 15.7.2) is
 * delivered again on the next VMRUN. An exception exit that interrupted Shunt's upcall goes
 * first, and the upcall is asked for again; a software interrupt comes back when its
 * instruction runs again.
 */
static void reinject_interrupted_event(struct vcpu *vcpu, struct vmcb *v, int exception_exit)
{
	uint64_t info = v->control.exit_int_info;

	if (!(info & EVENT_VALID))
		return;
	if ((info & EVENT_TYPE_MASK) == EVENT_TYPE_SOFT_INT)
		return;
	if (exception_exit && (info & EVENT_TYPE_MASK) == EVENT_TYPE_INTR) {
		vcpu_upcall_again(vcpu);
		return;
	}
	queue_event(vcpu, info);
}

/* A real interrupt made the guest exit: the slice's timer, most often. Taken here. */
static void exit_intr(struct vcpu *vcpu)
{
	__asm__ volatile("sti; nop; cli" ::: "memory"); /* apic.c's handler ends it */
	this_cpu_write(timer_armed, 0);			/* armed again at the next entry */
	vcpu_attention(vcpu, VCPU_ATTN_WORK);
}

static void exit_vintr(struct vcpu *vcpu, struct vmcb *v)
{
	/* The guest can take an interrupt now: the run loop's entry work injects it. */
	v->control.int_ctl &= ~V_IRQ;
	v->control.misc1 &= ~INTERCEPT_VINTR;
	vcpu_attention(vcpu, VCPU_ATTN_WORK);
}

static void exit_hlt(struct vcpu *vcpu, struct vmcb *v)
{
	if (!(v->save.rflags & RFLAGS_IF)) {
		vm_stop(vcpu->vm, VM_STOP_HALTED, -1,
			"HLT with interrupts disabled at RIP 0x%llx: nothing can wake it",
			(unsigned long long)v->save.rip);
		return;
	}
	svm_skip(vcpu, 1); /* F4; the event that wakes it is delivered past it */
	sched_halt(vcpu);
}

/* With no IDT loaded (Shunt starts guests so, SPEC §8), the first exception is a shutdown. */
static void exit_shutdown(struct vcpu *vcpu, struct vmcb *v)
{
	vm_stop(vcpu->vm, VM_STOP_TRIPLE_FAULT, -1, "triple fault at RIP 0x%llx%s",
		(unsigned long long)v->save.rip,
		v->save.idtr.limit == 0
			? ": an exception with no IDT loaded (built without guest-kit's flags? see "
			  "guest-kit/README.md, \"Building a guest\")"
			: "");
}

static void exit_npf(struct vcpu *vcpu, struct vmcb *v)
{
	uint64_t err = v->control.exit_info1;
	const char *access = (err & NPF_FETCH)	 ? "instruction fetch"
			     : (err & NPF_WRITE) ? "write"
						 : "read";

	vm_stop(vcpu->vm, VM_STOP_BAD_ACCESS, -1,
		"nested page fault: %s at guest-physical 0x%llx (RIP 0x%llx), outside its %llu MiB "
		"of RAM",
		access, (unsigned long long)v->control.exit_info2, (unsigned long long)v->save.rip,
		(unsigned long long)(vcpu->vm->ram_size >> 20));
}

static void exit_exception(struct vcpu *vcpu, struct vmcb *v, unsigned int vector)
{
	if (vector == X86_VECTOR_UD) {
		if (!svm_exit_ud(vcpu))
			vcpu->arch.exit_counts[KIND_EXCEPTION]++;
		return;
	}
	vcpu->arch.exit_counts[KIND_EXCEPTION]++;
	switch (vector) {
	case X86_VECTOR_DB:
		svm_debug_registers_live(vcpu);
		/*
		 * Whether the CPU updated DR6 before the intercept differs between implementations;
		 * a trap with RFLAGS.TF still set is a single step: DR6.BS, as delivery would set.
		 */
		if (v->save.rflags & RFLAGS_TF)
			v->save.dr6 |= DR6_BS;
		svm_inject_exception(vcpu, X86_VECTOR_DB, 0, 0);
		return;
	case X86_VECTOR_AC:
		svm_inject_exception(vcpu, X86_VECTOR_AC, 1, (uint32_t)v->control.exit_info1);
		return;
	default:
		svm_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "unexpected exception exit");
		return;
	}
}

/* Port I/O (APM 15.10.2): EXITINFO1 the port, size and direction; EXITINFO2 the next RIP. */
static void exit_io(struct vcpu *vcpu, struct vmcb *v)
{
	uint64_t info = v->control.exit_info1, *rax = &vcpu->arch.regs.rax;
	unsigned int size = (info & IOIO_SZ32) ? 4 : (info & IOIO_SZ16) ? 2 : 1;
	int in = !!(info & IOIO_TYPE_IN);
	uint32_t value = (uint32_t)*rax;

	if (info & IOIO_STRING) {
		svm_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "string port I/O is not emulated");
		return;
	}
	switch (vm_io_access(vcpu, (uint16_t)(info >> 16), size, !in, &value)) {
	case 0:
		break;
	case VM_IO_RETRY:
		vcpu_attention(vcpu, VCPU_ATTN_YIELD); /* run it again after the others' turn */
		return;
	default:
		return; /* the device stopped the VM */
	}
	if (in) {
		if (size == 4)
			*rax = value; /* a 32-bit destination zero-extends */
		else if (size == 2)
			*rax = (*rax & ~0xffffull) | (value & 0xffff);
		else
			*rax = (*rax & ~0xffull) | (value & 0xff);
	}
	v->save.rip = v->control.exit_info2;
	v->control.int_state &= ~INT_STATE_SHADOW;
}

static void exit_cpuid(struct vcpu *vcpu)
{
	struct guest_gprs *g = &vcpu->arch.regs;
	const uint64_t *r = guest_cpuid_lookup(&vcpu->arch, (uint32_t)g->rax);
	uint64_t other[4];

	if (!r) {
		struct cpuid_context ctx = svm_cpuid_context(vcpu);

		guest_cpuid_answer(vcpu, &ctx, (uint32_t)g->rax, (uint32_t)g->rcx, other);
		r = other;
	}
	g->rax = r[0];
	g->rbx = r[1];
	g->rcx = r[2];
	g->rdx = r[3];
	svm_skip(vcpu, 2); /* 0F A2 */
}

/* The exits that count as one kind and are handled by what they are. */
static void dispatch(struct vcpu *vcpu, struct vmcb *v, uint64_t code)
{
	uint32_t *counts = vcpu->arch.exit_counts;

	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
		exit_exception(vcpu, v, (unsigned int)(code - SVM_EXIT_EXCP_BASE));
		return;
	}
	if (code >= SVM_EXIT_DR0_READ && code <= SVM_EXIT_DR7_WRITE) {
		/* The first MOV DR: its registers are loaded, and it runs again, natively. */
		counts[KIND_DR]++;
		svm_debug_registers_live(vcpu);
		return;
	}
	switch (code) {
	case SVM_EXIT_INTR:
		counts[KIND_INTR]++;
		exit_intr(vcpu);
		return;
	case SVM_EXIT_NMI:
		counts[KIND_EXCEPTION]++; /* taken by the host at STGI (svm_entry.S) */
		return;
	case SVM_EXIT_VINTR:
		counts[KIND_VINTR]++;
		exit_vintr(vcpu, v);
		return;
	case SVM_EXIT_HLT:
		counts[KIND_HLT]++;
		exit_hlt(vcpu, v);
		return;
	case SVM_EXIT_SHUTDOWN:
		counts[KIND_SHUTDOWN]++;
		exit_shutdown(vcpu, v);
		return;
	case SVM_EXIT_NPF:
		counts[KIND_NPF]++;
		exit_npf(vcpu, v);
		return;
	case SVM_EXIT_CR4_WRITE:
		counts[KIND_CR]++;
		svm_exit_cr4_write(vcpu);
		return;
	case SVM_EXIT_ICEBP:
		/* INT1: a #DB delivered past the instruction (F1), as the CPU would. */
		counts[KIND_EXCEPTION]++;
		svm_debug_registers_live(vcpu);
		svm_skip(vcpu, 1);
		svm_inject_exception(vcpu, X86_VECTOR_DB, 0, 0);
		return;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		counts[code == SVM_EXIT_INVD ? KIND_INVD : KIND_WBINVD]++;
		svm_skip(vcpu, 2); /* caches stay coherent under NPT write-back: a no-op */
		return;
	case SVM_EXIT_RDPMC:
		counts[KIND_RDPMC]++;
		svm_inject_exception(vcpu, X86_VECTOR_GP, 1, 0); /* no performance counters */
		return;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		counts[KIND_SVM_INSN]++;
		svm_inject_exception(vcpu, X86_VECTOR_UD, 0, 0); /* SVM is not offered: #UD */
		return;
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_ARMED:
	case SVM_EXIT_XSETBV:
		counts[code == SVM_EXIT_RDTSCP	  ? KIND_RDTSCP
		       : code == SVM_EXIT_MONITOR ? KIND_MONITOR
		       : code == SVM_EXIT_XSETBV  ? KIND_XSETBV
						  : KIND_MWAIT]++;
		svm_inject_exception(vcpu, X86_VECTOR_UD, 0, 0); /* not offered (CPUID): #UD */
		return;
	case SVM_EXIT_INVALID:
		counts[KIND_ENTRY_FAILED]++;
		svm_dump_and_stop(vcpu, VM_STOP_ENTRY_FAILED, "VM entry failed (VMEXIT_INVALID)");
		return;
	case SVM_EXIT_TASK_SWITCH:
		counts[KIND_TASK_SWITCH]++;
		svm_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "unhandled VM exit");
		return;
	default:
		counts[KIND_OTHER]++;
		svm_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "unhandled VM exit");
		return;
	}
}

int svm_exit(struct vcpu *vcpu)
{
	struct vmcb *v = svm_vmcb(vcpu);
	uint64_t code = v->control.exit_code;

	/* What VMRUN injected is gone; what it could not finish comes back in EXITINTINFO. */
	v->control.event_inj = 0;
	vcpu->arch.event_queued = 0;
	reinject_interrupted_event(vcpu, v,
				   code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32);
	switch (code) {
	case SVM_EXIT_VMMCALL:
		svm_hypercall(vcpu, VMMCALL_LENGTH, rdtsc()); /* 0F 01 D9 */
		break;
	case SVM_EXIT_IOIO:
		vcpu->arch.exit_counts[KIND_IO]++;
		exit_io(vcpu, v);
		break;
	case SVM_EXIT_CPUID:
		vcpu->arch.exit_counts[KIND_CPUID]++;
		exit_cpuid(vcpu);
		break;
	case SVM_EXIT_MSR:
		vcpu->arch.exit_counts[v->control.exit_info1 ? KIND_WRMSR : KIND_RDMSR]++;
		svm_exit_msr(vcpu);
		break;
	default:
		dispatch(vcpu, v, code);
		break;
	}
	return rdtsc() >= vcpu->look_at ? SVM_EXIT_LOOK : SVM_EXIT_RESUME;
}

/*
 * Called by svm_entry.S after every #VMEXIT, with GIF clear and the guest's VMLOAD state
 * still in the CPU, its RAX in the VMCB and the rest but RBP and R12-R15 in regs. Takes the
 * hypercall, CPUID and port I/O, whose handlers touch none of that state, unless an event
 * was injected by the VMRUN (its EXITINTINFO wants svm_exit()). Returns 0 to resume the
 * guest at once; else the run loop looks first, and svm_exit() handles the exit when
 * exit_reason says it is still to be handled.
 */
int svm_exit_fast(struct guest_gprs *regs)
{
	struct vcpu *vcpu =
		(struct vcpu *)((char *)regs - __builtin_offsetof(struct vcpu, arch.regs));
	struct vmcb *v = svm_vmcb(vcpu);
	uint64_t code = v->control.exit_code, now;

	v->control.tlb_control = TLB_CONTROL_NOTHING; /* a flush is done with the VMRUN */
	if (__builtin_expect(vcpu->arch.event_queued, 0))
		goto full;
	regs->rax = v->save.rax;
	/*
	 * The hypercall every call pays: VMMCALL is 0F 01 D9, its length need not be read; and
	 * VMCALL, a #UD here, from guests built for VT-x (one look at guest memory more).
	 */
	if (__builtin_expect(code == SVM_EXIT_VMMCALL && v->save.cpl == 0, 1) ||
	    (code == SVM_EXIT_EXCP_BASE + X86_VECTOR_UD && v->save.cpl == 0 &&
	     svm_insn_is_vmcall(vcpu))) {
		now = rdtsc(); /* one look at the TSC for the call's rate limit and the deadlines */
		vcpu->arch.exit_counts[KIND_HYPERCALL]++;
		v->save.rip += VMMCALL_LENGTH; /* = VMCALL_LENGTH */
		if (v->control.int_state & INT_STATE_SHADOW)
			v->control.int_state &= ~INT_STATE_SHADOW;
		regs->rax = (uint64_t)hc_dispatch(vcpu, (struct hc_args *)regs, now);
	} else if (code == SVM_EXIT_CPUID) {
		vcpu->arch.exit_counts[KIND_CPUID]++;
		exit_cpuid(vcpu);
		now = rdtsc();
	} else if (code == SVM_EXIT_IOIO) {
		vcpu->arch.exit_counts[KIND_IO]++;
		exit_io(vcpu, v);
		now = rdtsc();
	} else {
		goto full;
	}
	v->save.rax = regs->rax;
	/* A nested page table that lost a page wants its flush before the next VMRUN. */
	return now >= vcpu->look_at || vcpu->arch.tlb_stale;
full:
	vcpu->arch.exit_reason = 1;
	return 1;
}
