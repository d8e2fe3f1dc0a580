/*
 * One run of a guest on AMD-V (AMD APM Vol. 2 15.5, 15.6): svm_vmrun(regs, vmcb, host)
 * loads the guest's general registers from regs (RAX and RSP are in the VMCB), VMLOADs the
 * guest's FS, GS, TR, LDTR and syscall MSRs, VMRUNs it and, at #VMEXIT, VMSAVEs them back,
 * keeps its registers in regs and VMLOADs the host's (which #VMEXIT does not restore).
 * GIF is cleared around it and the host's RFLAGS.IF set for VMRUN: with V_INTR_MASKING a
 * real interrupt then makes the guest exit (INTR intercept) instead of being masked by the
 * guest's IF (15.21.1), and after the exit it stays pending, with IF clear again, until the
 * exit handler takes it. The values are vm_arch.h's.
 */

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
	.global svm_vmrun
svm_vmrun:				/* (struct guest_gprs *regs, hpa_t vmcb, hpa_t host) */
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx			/* 8(%rsp): the host's VMLOAD area */
	pushq %rdi			/* 0(%rsp): regs */
	movq %rsi, %rax			/* VMLOAD, VMRUN, VMSAVE take the VMCB in RAX */
	movq R_RBX(%rdi), %rbx
	movq R_RCX(%rdi), %rcx
	movq R_RDX(%rdi), %rdx
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
	clgi
	sti				/* GIF holds every interrupt until VMRUN sets it */
	vmload %rax
	vmrun %rax
	/* #VMEXIT: RAX and RSP are the host's again, GIF is clear, the rest the guest's. */
	vmsave %rax
	pushq %rdi
	movq 8(%rsp), %rdi		/* regs */
	popq R_RDI(%rdi)
	movq %rbx, R_RBX(%rdi)
	movq %rcx, R_RCX(%rdi)
	movq %rdx, R_RDX(%rdi)
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
	movq 8(%rsp), %rax
	vmload %rax			/* the host's FS, GS, TR, LDTR, KernelGSBase, syscall MSRs */
	cli
	stgi				/* interrupts stay pending (IF clear); an NMI is taken */
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
