/*
 * The instructions SVM exits on without saying what they were: without decode assists
 * (AMD APM Vol. 2 15.33) Shunt reads them from guest memory itself (arch/guest_walk.h),
 * at CS.base + RIP. Two need it: a MOV to CR4, intercepted for the bits Shunt forbids, and
 * a #UD, which is a hypercall when the instruction is Intel's VMCALL (0F 01 C1), executed
 * by a guest built for VT-x (pv-abi/SPEC.md §3). A guest whose tables do not lead to its
 * instruction gets what a CPU that could not fetch it would: its VM stops, with a reason.
 */
#include "svm.h"
#include "svm_decode.h"

#include <arch/guest_walk.h>
#include <arch/x86.h>
#include <hv/log.h>

#define AR_L (1u << 9) /* the VMCB's CS attributes: bit 9 is L, 64-bit code */
#define MAX_INSN 15

/* Reads len bytes of the instruction at the guest's RIP: 0, or -EFAULT. */
static int fetch(struct vcpu *vcpu, uint8_t *buf, unsigned int len)
{
	const struct vmcb *v = svm_vmcb(vcpu);
	struct guest_paging p = SVM_GUEST_PAGING(v);
	uint64_t la = v->save.cs.base + v->save.rip;

	if (!((v->save.efer & EFER_LMA) && (v->save.cs.attrib & AR_L)))
		la &= 0xffffffffull; /* 32-bit code: the linear address wraps at 4 GiB */
	return guest_read_linear(vcpu->vm, &p, la, buf, len);
}

static uint64_t gpr_read(struct vcpu *vcpu, unsigned int index)
{
	struct guest_gprs *r = &vcpu->arch.regs;
	const uint64_t *slots[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, 0,	   &r->rbp,
				      &r->rsi, &r->rdi, &r->r8,	 &r->r9,  &r->r10, &r->r11,
				      &r->r12, &r->r13, &r->r14, &r->r15 };

	return slots[index & 15] ? *slots[index & 15] : svm_vmcb(vcpu)->save.rsp;
}

void svm_exit_cr4_write(struct vcpu *vcpu)
{
	struct vmcb *v = svm_vmcb(vcpu);
	uint8_t insn[MAX_INSN];
	unsigned int gpr = 0, len = 0;
	uint64_t value;

	if (svm_cpu.caps.decode_assists && (v->control.exit_info1 >> 63)) {
		gpr = v->control.exit_info1 & 15; /* APM 15.33.1 */
		len = 3;			  /* NRIP save comes with decode assists */
	} else {
		/* An instruction is up to 15 bytes; it may end just before an unmapped page. */
		for (unsigned int n = MAX_INSN; n >= 3 && !len; n--)
			if (!fetch(vcpu, insn, n))
				len = svm_decode_mov_to_cr4(insn, n, &gpr);
	}
	if (!len) {
		svm_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "MOV to CR4 not decoded");
		return;
	}
	value = gpr_read(vcpu, gpr);
	/* Bits Shunt forbids or the CPU lacks, or leaving PAE in long mode: #GP, as the CPU. */
	if ((value & ~svm_cpu.cr4_allowed) || ((v->save.efer & EFER_LMA) && !(value & CR4_PAE))) {
		svm_inject_exception(vcpu, X86_VECTOR_GP, 1, 0);
		return;
	}
	v->save.cr4 = value;
	vcpu->arch.tlb_stale = 1; /* a CR4 write may flush the TLB (PGE, PCIDE): do so */
	svm_skip(vcpu, len);
}

int svm_insn_is_vmcall(struct vcpu *vcpu)
{
	uint8_t insn[VMCALL_LENGTH];

	return !fetch(vcpu, insn, sizeof(insn)) && insn[0] == 0x0f && insn[1] == 0x01 &&
	       insn[2] == 0xc1;
}

int svm_exit_ud(struct vcpu *vcpu)
{
	if (svm_insn_is_vmcall(vcpu)) {
		svm_hypercall(vcpu, VMCALL_LENGTH, rdtsc());
		return 1;
	}
	svm_inject_exception(vcpu, X86_VECTOR_UD, 0, 0);
	return 0;
}
