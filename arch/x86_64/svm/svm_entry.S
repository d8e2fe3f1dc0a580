/*
 * Guest entry and exit on AMD-V (AMD APM Vol. 2 15.5, 15.6). svm_run(regs, vmcb, host)
 * loads the guest's general registers from regs (RAX and RSP are in the VMCB), VMLOADs the
 * guest's FS, GS, TR, LDTR and syscall MSRs and VMRUNs it. GIF is cleared around it and
 * the host's RFLAGS.IF set for VMRUN: with V_INTR_MASKING a real interrupt then makes the
 * guest exit (INTR intercept) instead of being masked by the guest's IF (15.21.1), and after
 * the exit it stays pending until the exit handler takes it.
 *
 * At #VMEXIT only the registers C may change are kept (and RBX, which CPUID sets), and
 * svm_exit_fast() takes the common exits (the hypercall, CPUID, port I/O) with GIF still
 * clear and the guest's VMLOAD state still in the CPU: when it says so the guest is
 * resumed at once, with neither VMSAVE nor VMLOAD. Nothing in Shunt uses FS, GS, the LDT,
 * KernelGSBase or the syscall MSRs, and the one use of TR, the IST stacks of NMI, #DF and
 * #MC, waits behind GIF (NMI; a #DF is a host bug). Every other exit keeps all the guest's
 * registers in regs, VMSAVEs its state into the VMCB, VMLOADs the host's (which #VMEXIT
 * does not restore), sets GIF and returns to the run loop (vcpu.c). The values are
 * vm_arch.h's and svm.h's.
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

#define F_REGS 0	/* svm_run's frame */
#define F_VMCB 8
#define F_HOST 16

	.section .text
	.code64
	.global svm_run
svm_run:				/* (struct guest_gprs *regs, hpa_t vmcb, hpa_t host) */
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx			/* F_HOST */
	pushq %rsi			/* F_VMCB */
	pushq %rdi			/* F_REGS */
	movq %rsi, %rax			/* VMLOAD, VMRUN, VMSAVE take the VMCB in RAX */
	movq R_RBX(%rdi), %rbx
	movq R_RBP(%rdi), %rbp
	movq R_R12(%rdi), %r12
	movq R_R13(%rdi), %r13
	movq R_R14(%rdi), %r14
	movq R_R15(%rdi), %r15
	clgi
	sti				/* GIF holds every interrupt until VMRUN sets it */
	vmload %rax
	jmp 2f

	/* The way back in after a fast exit: RBP and R12-R15 are still the guest's. */
1:	movq F_VMCB(%rsp), %rax
2:	movq R_RCX(%rdi), %rcx
	movq R_RDX(%rdi), %rdx
	movq R_RSI(%rdi), %rsi
	movq R_R8(%rdi), %r8
	movq R_R9(%rdi), %r9
	movq R_R10(%rdi), %r10
	movq R_R11(%rdi), %r11
	movq R_RDI(%rdi), %rdi
	vmrun %rax
	/* #VMEXIT: RAX and RSP are the host's again, GIF is clear, the rest the guest's. */
	pushq %rdi
	movq 8+F_REGS(%rsp), %rdi
	popq R_RDI(%rdi)
	movq %rbx, R_RBX(%rdi)
	movq %rcx, R_RCX(%rdi)
	movq %rdx, R_RDX(%rdi)
	movq %rsi, R_RSI(%rdi)
	movq %r8, R_R8(%rdi)
	movq %r9, R_R9(%rdi)
	movq %r10, R_R10(%rdi)
	movq %r11, R_R11(%rdi)
	call svm_exit_fast		/* (regs): 0 to resume it, else to the run loop */
	movq F_REGS(%rsp), %rdi
	testl %eax, %eax
	jnz 3f
	movq R_RBX(%rdi), %rbx		/* CPUID's */
	jmp 1b

3:	movq %rbp, R_RBP(%rdi)		/* every register in regs */
	movq %r12, R_R12(%rdi)
	movq %r13, R_R13(%rdi)
	movq %r14, R_R14(%rdi)
	movq %r15, R_R15(%rdi)
	movq F_VMCB(%rsp), %rax
	vmsave %rax
	movq F_HOST(%rsp), %rax
	vmload %rax			/* the host's FS, GS, TR, LDTR, KernelGSBase, syscall MSRs */
	cli
	stgi				/* interrupts stay pending (IF clear); an NMI is taken */
	addq $24, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
