/*
 * VM entry and exit. vmx_vcpu_enter(regs, launched) saves the host's callee-saved
 * registers, records the stack in HOST_RSP, loads the guest registers that the VMCS does
 * not hold and executes VMLAUNCH or VMRESUME. A VM exit lands in vmx_exit_entry (HOST_RIP)
 * on that same stack, stores the guest registers back and returns 0 to the caller. If the
 * instruction itself fails (VMfail, SDM Vol. 3C 31.2), it returns 1 instead.
 */
#include "vmcs_fields.h"

/* Offsets in struct guest_gprs (arch/vm_arch.h). */
#define R_RAX 0
#define R_RDI 8
#define R_RSI 16
#define R_RDX 24
#define R_R10 32
#define R_R8 40
#define R_R9 48
#define R_RCX 56
#define R_RBX 64
#define R_RBP 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112

	.section .text
	.code64
	.global vmx_vcpu_enter
vmx_vcpu_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi			/* regs, found again at 0(%rsp) after the exit */

	movq $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
#ifdef SHUNT_BENCH_COUNTERS
	incq vmx_vmcs_accesses(%rip)	/* the counting build counts this one too (vmx_insn.h) */
#endif

	testl %esi, %esi		/* flags survive the MOVs below */
	movq R_RAX(%rdi), %rax
	movq R_RCX(%rdi), %rcx
	movq R_RDX(%rdi), %rdx
	movq R_RBX(%rdi), %rbx
	movq R_RBP(%rdi), %rbp
	movq R_RSI(%rdi), %rsi
	movq R_R8(%rdi), %r8
	movq R_R9(%rdi), %r9
	movq R_R10(%rdi), %r10
	movq R_R11(%rdi), %r11
	movq R_R12(%rdi), %r12
	movq R_R13(%rdi), %r13
	movq R_R14(%rdi), %r14
	movq R_R15(%rdi), %r15
	movq R_RDI(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* VMfail: nothing of the guest ran; give the host its registers back. */
	addq $8, %rsp			/* regs */
	movl $1, %eax
	jmp 3f

	.global vmx_exit_entry
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, R_RAX(%rdi)
	movq %rcx, R_RCX(%rdi)
	movq %rdx, R_RDX(%rdi)
	movq %rbx, R_RBX(%rdi)
	movq %rbp, R_RBP(%rdi)
	movq %rsi, R_RSI(%rdi)
	movq %r8, R_R8(%rdi)
	movq %r9, R_R9(%rdi)
	movq %r10, R_R10(%rdi)
	movq %r11, R_R11(%rdi)
	movq %r12, R_R12(%rdi)
	movq %r13, R_R13(%rdi)
	movq %r14, R_R14(%rdi)
	movq %r15, R_R15(%rdi)
	popq R_RDI(%rdi)
	addq $8, %rsp			/* regs */
	xorl %eax, %eax
3:	popq %r15			/* the host's callee-saved registers, both ways out */
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
