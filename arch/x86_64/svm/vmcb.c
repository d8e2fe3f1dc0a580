/*
 * VMCB construction for one vCPU (AMD APM Vol. 2 15.5, 15.9-15.13, appendix B): the
 * intercepts that give Shunt what VMX's controls do (CPUID, the I/O and MSR permission maps,
 * HLT, shutdown, the exceptions Shunt reflects, the SVM instructions themselves), nested
 * paging, the interrupt controls, then the guest's state for the way it starts.
 */
#include "svm.h"

#include <arch/x86.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/string.h>

/* Segment attributes in the VMCB's format (APM B-2): descriptor bits 47:40 and 55:52. */
#define ATTR_CODE64 0x0a9b /* present, DPL 0, code exec/read accessed, L=1, G=1 */
#define ATTR_CODE32 0x0c9b /* present, DPL 0, code exec/read accessed, D=1, G=1 */
#define ATTR_DATA 0x0c93   /* present, DPL 0, data read/write accessed, D/B=1, G=1 */
#define ATTR_TSS_BUSY 0x008b
#define ATTR_LDT 0x0082
#define ATTR_REAL_CODE 0x009b /* present, DPL 0, code exec/read accessed, 16-bit */
#define ATTR_REAL_DATA 0x0093 /* present, DPL 0, data read/write accessed, 16-bit */

#define CR0_ET (1ull << 4)
#define DR6_RESET 0xffff0ff0ull
#define DR7_RESET 0x400ull

static const uint32_t misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_RDPMC | INTERCEPT_CPUID |
			      INTERCEPT_RSM | INTERCEPT_INVD | INTERCEPT_HLT | INTERCEPT_INVLPGA |
			      INTERCEPT_IOIO_PROT | INTERCEPT_MSR_PROT | INTERCEPT_TASK_SWITCH |
			      INTERCEPT_SHUTDOWN;
/* VMRUN's intercept is required (APM 15.5.1); the rest are not offered to guests: #UD. */
static const uint32_t misc2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD |
			      INTERCEPT2_VMSAVE | INTERCEPT2_STGI | INTERCEPT2_CLGI |
			      INTERCEPT2_SKINIT | INTERCEPT2_RDTSCP | INTERCEPT2_ICEBP |
			      INTERCEPT2_WBINVD | INTERCEPT2_MONITOR | INTERCEPT2_MWAIT |
			      INTERCEPT2_MWAIT_ARMED | INTERCEPT2_XSETBV;

static void setup_control(struct vcpu *vcpu, struct vmcb_control *c)
{
	struct arch_vm *avm = &vcpu->vm->arch;

	c->cr_write = 1u << 4; /* CR4: the bits Shunt forbids (exit_cr.c) */
	/* DR0-DR3 until the vCPU first uses them (svm_debug_registers_live); DR6/7 are here. */
	c->dr_read = c->dr_write = 0x000f;
	/*
	 * #DB and #AC are intercepted and reflected: a guest that makes their delivery raise
	 * them again would otherwise loop inside the CPU with no exit at all (CVE-2015-5307,
	 * CVE-2015-8104). #UD: Intel's VMCALL from guests built for it (exit_ud.c).
	 */
	c->exceptions = (1u << X86_VECTOR_DB) | (1u << X86_VECTOR_AC) | (1u << X86_VECTOR_UD);
	c->misc1 = misc1;
	c->misc2 = misc2;
	c->iopm_base_pa = avm->io_bitmaps;
	c->msrpm_base_pa = avm->msr_bitmap;
	c->tsc_offset = 0;
	c->guest_asid = vcpu->arch.vpid;
	c->tlb_control = TLB_CONTROL_ALL;
	/*
	 * Virtual interrupt masking: the guest's RFLAGS.IF and CR8 (V_TPR) mask only what
	 * Shunt injects, the host's IF the real interrupts, which exit (APM 15.21.1). V_IRQ,
	 * ignoring V_TPR, asks for the interrupt window.
	 */
	c->int_ctl = V_INTR_MASKING | V_IGN_TPR | (0xfull << V_INTR_PRIO_SHIFT);
	c->np_enable = 1;
	c->n_cr3 = avm->ept.root;
	c->clean = 0; /* every field is read from memory at each VMRUN */
}

static void set_segment(struct vmcb_segment *s, uint16_t sel, uint16_t attrib, uint32_t limit)
{
	*s = (struct vmcb_segment){ .selector = sel, .attrib = attrib, .limit = limit };
}

static int vmcb_alloc(struct vcpu *vcpu)
{
	hpa_t pa;

	if (mm_alloc_frames(1, PAGE_SIZE, &pa))
		return -ENOMEM;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	vcpu->arch.vmcs = pa;
	vcpu->arch.dr_live = 0;
	vcpu->arch.event_queued = 0;
	setup_control(vcpu, &svm_vmcb(vcpu)->control);
	/* x87 and SSE at their reset values (FCW 0x37F, MXCSR 0x1F80), debug registers clear. */
	vcpu->arch.fpu = (struct guest_fpu_debug){ .fxsave = { .fcw = 0x37f, .mxcsr = 0x1f80 },
						   .dr6 = DR6_RESET };
	return 0;
}

static void setup_common_state(struct vmcb_save *s)
{
	set_segment(&s->tr, 0, ATTR_TSS_BUSY, 0x67);
	set_segment(&s->ldtr, 0, ATTR_LDT, 0);
	s->cpl = 0;
	s->dr6 = DR6_RESET;
	s->dr7 = DR7_RESET;
	s->rflags = 0x2;
	s->g_pat = GUEST_PAT_DEFAULT;
}

int vmcb_setup_long64(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t cr3,
		      uint64_t gdt_base, uint16_t gdt_limit, uint16_t cs, uint16_t ds)
{
	struct vmcb_save *s;

	if (vmcb_alloc(vcpu))
		return -ENOMEM;
	s = &svm_vmcb(vcpu)->save;
	setup_common_state(s);
	set_segment(&s->cs, cs, ATTR_CODE64, 0xffffffff);
	set_segment(&s->ss, ds, ATTR_DATA, 0xffffffff);
	set_segment(&s->ds, ds, ATTR_DATA, 0xffffffff);
	set_segment(&s->es, ds, ATTR_DATA, 0xffffffff);
	set_segment(&s->fs, ds, ATTR_DATA, 0xffffffff);
	set_segment(&s->gs, ds, ATTR_DATA, 0xffffffff);
	s->gdtr = (struct vmcb_segment){ .limit = gdt_limit, .base = gdt_base };
	s->idtr = (struct vmcb_segment){ 0 }; /* no IDT yet: an early fault is a shutdown */
	s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr3 = cr3;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
	s->rsp = stack_top;
	s->rip = entry;
	return 0;
}

int vmcb_setup_flat32(struct vcpu *vcpu, uint32_t entry)
{
	struct vmcb_save *s;

	if (vmcb_alloc(vcpu))
		return -ENOMEM;
	s = &svm_vmcb(vcpu)->save;
	setup_common_state(s);
	set_segment(&s->cs, GUEST_SEL_CODE, ATTR_CODE32, 0xffffffff);
	set_segment(&s->ss, GUEST_SEL_DATA, ATTR_DATA, 0xffffffff);
	set_segment(&s->ds, GUEST_SEL_DATA, ATTR_DATA, 0xffffffff);
	set_segment(&s->es, GUEST_SEL_DATA, ATTR_DATA, 0xffffffff);
	set_segment(&s->fs, GUEST_SEL_DATA, ATTR_DATA, 0xffffffff);
	set_segment(&s->gs, GUEST_SEL_DATA, ATTR_DATA, 0xffffffff);
	s->cr0 = CR0_PE | CR0_ET;
	s->efer = EFER_SVME; /* the guest's EFER must have SVME set (APM 15.5.1) */
	s->rip = entry;
	return 0;
}

/*
 * Real mode at cs:0 as INIT and STARTUP leave a CPU (AMD APM Vol. 2 14.1.3, table 14-1):
 * 64 KiB segments, the vector table at 0, interrupts off, paging and protection off. The
 * nested page tables stay; what the guest's ASID cached goes with the next VMRUN.
 */
void vmcb_set_real_mode(struct vcpu *vcpu, uint16_t cs)
{
	struct vmcb *v = svm_vmcb(vcpu);
	struct vmcb_save *s = &v->save;

	setup_common_state(s);
	s->cs = (struct vmcb_segment){
		.selector = cs, .attrib = ATTR_REAL_CODE, .limit = 0xffff, .base = (uint64_t)cs << 4
	};
	set_segment(&s->ss, 0, ATTR_REAL_DATA, 0xffff);
	set_segment(&s->ds, 0, ATTR_REAL_DATA, 0xffff);
	set_segment(&s->es, 0, ATTR_REAL_DATA, 0xffff);
	set_segment(&s->fs, 0, ATTR_REAL_DATA, 0xffff);
	set_segment(&s->gs, 0, ATTR_REAL_DATA, 0xffff);
	set_segment(&s->tr, 0, ATTR_TSS_BUSY, 0xffff);
	s->gdtr = (struct vmcb_segment){ .limit = 0xffff };
	s->idtr = (struct vmcb_segment){ .limit = 0xffff };
	s->cr0 = CR0_ET;
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = EFER_SVME; /* the guest's EFER must have SVME set (APM 15.5.1) */
	s->rsp = 0;
	s->rip = 0;
	s->rax = 0;
	v->control.event_inj = 0;
	v->control.int_ctl &= ~V_IRQ;
	v->control.misc1 &= ~INTERCEPT_VINTR;
	v->control.tlb_control = TLB_CONTROL_ALL;
	vcpu->arch.regs = (struct guest_gprs){ 0 };
	vcpu->arch.event_queued = 0;
}

int vmcb_setup_real_mode(struct vcpu *vcpu)
{
	if (vmcb_alloc(vcpu))
		return -ENOMEM;
	vmcb_set_real_mode(vcpu, 0);
	return 0;
}

void vmcb_free(struct vcpu *vcpu)
{
	if (!vcpu->arch.vmcs)
		return;
	mm_free_frames(vcpu->arch.vmcs, 1);
	vcpu->arch.vmcs = 0;
}

/*
 * DR0-DR3 are switched only for vCPUs that use them: until a vCPU's first MOV to or from
 * one (intercepted) or its first #DB, the CPU's hold another vCPU's values, which its DR7
 * (in the VMCB) enables no breakpoint on. Then they are loaded and switched with it from
 * then on, and its MOV DRs run without exits.
 */
void svm_debug_registers_live(struct vcpu *vcpu)
{
	const struct guest_fpu_debug *f = &vcpu->arch.fpu;

	if (vcpu->arch.dr_live)
		return;
	write_dr0(f->dr[0]);
	write_dr1(f->dr[1]);
	write_dr2(f->dr[2]);
	write_dr3(f->dr[3]);
	vcpu->arch.dr_live = 1;
	svm_vmcb(vcpu)->control.dr_read = svm_vmcb(vcpu)->control.dr_write = 0;
}
