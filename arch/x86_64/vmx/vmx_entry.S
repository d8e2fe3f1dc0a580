/*
 * VM entry and exit. vmx_run(regs) enters the guest and stays with it: each VM exit lands
 * in vmx_exit_entry (HOST_RIP) on vmx_run's own frame, keeps the guest's registers in
 * regs, has C handle the exit and, when nothing needs the run loop, resumes the guest at
 * once. An exit that needs the run loop calls vmx_run_loop() from this frame (a VMCALL's
 * handler calls it itself), and enters the vCPU whose registers it returns: the same one,
 * or at a slice's end the one the scheduler picked (a VM switch without unwinding to the
 * scheduler loop). Only a NULL from
 * it or a failed VM entry returns from vmx_run: 0 for the first, VMX_RUN_RESUME_FAILED or
 * VMX_RUN_LAUNCH_FAILED (VMfail, SDM Vol. 3C 31.2) for the second. So the host's
 * callee-saved registers are saved once per visit of the scheduler loop, not once per exit
 * or switch, and each VMCS's HOST_RSP is written only when vmx_run's frame is not where it
 * was the last time. The values here are vmx.h's.
 */
#include "vmcs_fields.h"

/* Offsets in struct guest_gprs (arch/vm_arch.h), then in struct arch_vcpu beside it. */
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
#define A_HOST_RSP 120
#define A_LAUNCHED 128
#define A_ENTRY_TSC 136
#define A_GUEST_TICKS 144
#define A_EXIT_TSC 152
#define A_HV_TICKS 160

#define VMX_RUN_RESUME_FAILED 1
#define VMX_RUN_LAUNCH_FAILED 2
#define VMX_EXIT_FULL 2

/*
 * The counting build's clock (arch_vcpu.entry_tsc ...): at each entry the ticks since the
 * vCPU's last exit (or since the run loop took it up) go to hv_ticks, at each exit those
 * since its entry to guest_ticks. Only RAX and RDX change, where they are free. The
 * product build has neither: its exit path stays as short as it is.
 */
.macro COUNT_ENTRY regs
#ifdef SHUNT_BENCH_COUNTERS
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, A_ENTRY_TSC(\regs)
	subq A_EXIT_TSC(\regs), %rax
	addq %rax, A_HV_TICKS(\regs)
#endif
.endm

.macro COUNT_EXIT regs
#ifdef SHUNT_BENCH_COUNTERS
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, A_EXIT_TSC(\regs)
	subq A_ENTRY_TSC(\regs), %rax
	addq %rax, A_GUEST_TICKS(\regs)
#endif
.endm

/* Every guest register from regs (RDI) into the CPU, RDI last: what a VM entry from the run
 * loop, or a VMCS's first, needs. */
.macro LOAD_ALL_GUEST_REGS
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
.endm

/* vmx_enter's test, inline where a VM switch would otherwise jump to it: RDI = (%rsp) = regs. */
.macro ENTER_CURRENT
	cmpq %rsp, A_HOST_RSP(%rdi)
	je vmx_resume
	jmp vmx_enter_first
.endm

	.section .text
	.code64
	.global vmx_run
vmx_run:				/* int vmx_run(struct guest_gprs *regs) */
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi			/* the frame: 0(%rsp) = regs, where each exit finds them */

vmx_enter:				/* RDI = (%rsp) = regs of the vCPU whose VMCS is current */
	/*
	 * One test for both things a VMCS may lack: A_HOST_RSP is this frame's address once
	 * the VMCS is launched with HOST_RSP pointing here (the same on every visit of vmx_run
	 * but each VMCS's first), 0 before its VMLAUNCH.
	 */
	cmpq %rsp, A_HOST_RSP(%rdi)
	jne vmx_enter_first

vmx_resume:				/* RDI = regs */
	COUNT_ENTRY %rdi
	LOAD_ALL_GUEST_REGS
	vmresume
	/* VMfail: nothing of the guest ran. */
	movl $VMX_RUN_RESUME_FAILED, %eax
	jmp vmx_run_out

vmx_enter_first:			/* this VMCS's first entry from this frame; RDI = regs */
	movq $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
#ifdef SHUNT_BENCH_COUNTERS
	incq vmx_vmcs_accesses(%rip)	/* the counting build counts this one too (vmx_insn.h) */
#endif
	movq %rsp, A_HOST_RSP(%rdi)
	cmpb $0, A_LAUNCHED(%rdi)
	jne vmx_resume
	movb $1, A_LAUNCHED(%rdi)	/* the first entry of this VMCS */
	COUNT_ENTRY %rdi
	LOAD_ALL_GUEST_REGS
	vmlaunch
	movl $VMX_RUN_LAUNCH_FAILED, %eax
	jmp vmx_run_out

	/*
	 * A VM exit: RSP = HOST_RSP = vmx_run's frame, every register the guest's. Only those
	 * C code may change are kept first (and RBX, which CPUID sets): vmx_exit_fast() handles
	 * the common exits, which need no other, and C keeps RBP and R12-R15 as they are. So
	 * the way back into the guest loads those ten, no more.
	 */
	.global vmx_exit_entry
vmx_exit_entry:
	pushq %rdi			/* the one register we need before the others are kept */
	movq 8(%rsp), %rdi		/* regs */
	movq %rax, R_RAX(%rdi)
	movq %rbx, R_RBX(%rdi)
	movq %rcx, R_RCX(%rdi)
	movq %rdx, R_RDX(%rdi)
	movq %rsi, R_RSI(%rdi)
	movq %r8, R_R8(%rdi)
	movq %r9, R_R9(%rdi)
	movq %r10, R_R10(%rdi)
	movq %r11, R_R11(%rdi)
	popq R_RDI(%rdi)
	COUNT_EXIT %rdi
	movq $VMCS_EXIT_REASON, %rsi	/* the hypercall, the exit guests take most, first */
	vmread %rsi, %rsi
#ifdef SHUNT_BENCH_COUNTERS
	incq vmx_vmcs_accesses(%rip)
#endif
	cmpl $EXIT_REASON_VMCALL, %esi
	je 8f
	call vmx_exit_fast		/* any other exit: (regs, reason); RSP 16-byte aligned */
	movq (%rsp), %rdi		/* regs again: the C code owns RDI */
	testl %eax, %eax
	jnz 1f
6:	COUNT_ENTRY %rdi			/* VMX_EXIT_RESUME: straight back in */
	movq R_RAX(%rdi), %rax
	movq R_RBX(%rdi), %rbx
	movq R_RCX(%rdi), %rcx
	movq R_RDX(%rdi), %rdx
	movq R_RSI(%rdi), %rsi
	movq R_R8(%rdi), %r8
	movq R_R9(%rdi), %r9
	movq R_R10(%rdi), %r10
	movq R_R11(%rdi), %r11
	movq R_RDI(%rdi), %rdi
	vmresume
	movl $VMX_RUN_RESUME_FAILED, %eax
	jmp vmx_run_out

8:	call vmx_exit_vmcall_fast	/* the hypercall, which may run the run loop itself */
	movq (%rsp), %rdi
	cmpq %rax, %rdi
	je 6b				/* the same vCPU: its RBP and R12-R15 are still in the CPU */
	movq %rbp, R_RBP(%rdi)		/* another's (a VM switch) or NULL: keep the rest */
	movq %r12, R_R12(%rdi)
	movq %r13, R_R13(%rdi)
	movq %r14, R_R14(%rdi)
	movq %r15, R_R15(%rdi)
	testq %rax, %rax
	jz vmx_run_leave
	movq %rax, (%rsp)		/* its VMCS is current */
	movq %rax, %rdi
	ENTER_CURRENT

	/* The rest of the guest's registers, still in the CPU: now regs holds all of them. */
1:	movq %rbp, R_RBP(%rdi)
	movq %r12, R_R12(%rdi)
	movq %r13, R_R13(%rdi)
	movq %r14, R_R14(%rdi)
	movq %r15, R_R15(%rdi)
	cmpl $VMX_EXIT_FULL, %eax
	jne 4f				/* VMX_EXIT_LOOK: to the run loop */
	call vmx_exit_full		/* any exit, with every register in regs */
	movq (%rsp), %rdi
	testl %eax, %eax
	jz vmx_resume
4:	call vmx_run_loop		/* (regs): whose registers to enter next, or NULL */
	testq %rax, %rax
	jz vmx_run_leave
	movq %rax, %rdi			/* another vCPU's after a VM switch: its VMCS is current */
	movq %rax, (%rsp)
	ENTER_CURRENT
vmx_run_leave:				/* the scheduler loop takes over */
	xorl %eax, %eax
	jmp vmx_run_out

vmx_run_out:
	addq $8, %rsp			/* the frame */
	popq %r15			/* the host's callee-saved registers, every way out */
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
