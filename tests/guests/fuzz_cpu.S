/*
 * The hypercall fuzzer's CPU-level pieces (tests/guests/fuzz.c): a VMCALL with every general
 * register and RFLAGS loaded from a struct fuzz_regs and stored back to it, a trip to CPL 3
 * that issues one VMCALL there and comes back through the #UD handler, and the stubs of the
 * exceptions and interrupts the fuzzer never expects.
 */
#define R(i) (8 * (i)) /* struct fuzz_regs: rax rbx rcx rdx rsi rdi rbp r8-r15 rflags */
#define RAX R(0)
#define RBX R(1)
#define RCX R(2)
#define RDX R(3)
#define RSI R(4)
#define RDI R(5)
#define RBP R(6)
#define R8 R(7)
#define R9 R(8)
#define R10 R(9)
#define R11 R(10)
#define R12 R(11)
#define R13 R(12)
#define R14 R(13)
#define R15 R(14)
#define RFLAGS R(15)

	.text
	.code64
	.global fuzz_vmcall
fuzz_vmcall:			/* void fuzz_vmcall(struct fuzz_regs *r) */
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi
	pushq RFLAGS(%rdi)
	popfq
	movq RAX(%rdi), %rax
	movq RBX(%rdi), %rbx
	movq RCX(%rdi), %rcx
	movq RDX(%rdi), %rdx
	movq RSI(%rdi), %rsi
	movq RBP(%rdi), %rbp
	movq R8(%rdi), %r8
	movq R9(%rdi), %r9
	movq R10(%rdi), %r10
	movq R11(%rdi), %r11
	movq R12(%rdi), %r12
	movq R13(%rdi), %r13
	movq R14(%rdi), %r14
	movq R15(%rdi), %r15
	movq RDI(%rdi), %rdi
	vmcall
	pushfq
	xchgq %rdi, 8(%rsp)		/* RDI = r; the VMCALL's RDI waits on the stack */
	popq RFLAGS(%rdi)
	movq %rax, RAX(%rdi)
	movq %rbx, RBX(%rdi)
	movq %rcx, RCX(%rdi)
	movq %rdx, RDX(%rdi)
	movq %rsi, RSI(%rdi)
	movq %rbp, RBP(%rdi)
	movq %r8, R8(%rdi)
	movq %r9, R9(%rdi)
	movq %r10, R10(%rdi)
	movq %r11, R11(%rdi)
	movq %r12, R12(%rdi)
	movq %r13, R13(%rdi)
	movq %r14, R14(%rdi)
	movq %r15, R15(%rdi)
	popq RDI(%rdi)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.global fuzz_ring3
fuzz_ring3:			/* void fuzz_ring3(void): fuzz_user_in through a VMCALL at CPL 3 */
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, fuzz_kernel_rsp(%rip)
	pushq $0x1b			/* SS: user data, RPL 3 */
	leaq fuzz_user_stack+4096(%rip), %rax
	pushq %rax			/* RSP */
	pushq $0x2			/* RFLAGS: interrupts off */
	pushq $0x23			/* CS: user code, RPL 3 */
	leaq fuzz_user_entry(%rip), %rax
	pushq %rax			/* RIP */
	iretq
fuzz_user_entry:			/* CPL 3: every page is a user page */
	movq fuzz_user_in+RAX(%rip), %rax
	movq fuzz_user_in+RBX(%rip), %rbx
	movq fuzz_user_in+RCX(%rip), %rcx
	movq fuzz_user_in+RDX(%rip), %rdx
	movq fuzz_user_in+RSI(%rip), %rsi
	movq fuzz_user_in+RDI(%rip), %rdi
	movq fuzz_user_in+RBP(%rip), %rbp
	movq fuzz_user_in+R8(%rip), %r8
	movq fuzz_user_in+R9(%rip), %r9
	movq fuzz_user_in+R10(%rip), %r10
	movq fuzz_user_in+R11(%rip), %r11
	movq fuzz_user_in+R12(%rip), %r12
	movq fuzz_user_in+R13(%rip), %r13
	movq fuzz_user_in+R14(%rip), %r14
	movq fuzz_user_in+R15(%rip), %r15
	.global fuzz_user_vmcall
fuzz_user_vmcall:
	vmcall
	ud2				/* reached only if the VMCALL did not fault */

	.global fuzz_ud_handler
fuzz_ud_handler:		/* frame: RIP, CS, RFLAGS, RSP, SS (no error code) */
	testb $3, 8(%rsp)
	jz 1f				/* #UD at CPL 0: nothing the fuzzer expects */
	movq %rax, fuzz_user_out+RAX(%rip)
	movq %rbx, fuzz_user_out+RBX(%rip)
	movq %rcx, fuzz_user_out+RCX(%rip)
	movq %rdx, fuzz_user_out+RDX(%rip)
	movq %rsi, fuzz_user_out+RSI(%rip)
	movq %rdi, fuzz_user_out+RDI(%rip)
	movq %rbp, fuzz_user_out+RBP(%rip)
	movq %r8, fuzz_user_out+R8(%rip)
	movq %r9, fuzz_user_out+R9(%rip)
	movq %r10, fuzz_user_out+R10(%rip)
	movq %r11, fuzz_user_out+R11(%rip)
	movq %r12, fuzz_user_out+R12(%rip)
	movq %r13, fuzz_user_out+R13(%rip)
	movq %r14, fuzz_user_out+R14(%rip)
	movq %r15, fuzz_user_out+R15(%rip)
	movq 0(%rsp), %rax
	movq %rax, fuzz_user_rip(%rip)
	movq 8(%rsp), %rax
	movq %rax, fuzz_user_cs(%rip)
	incq fuzz_ud_count(%rip)
	movq fuzz_kernel_rsp(%rip), %rsp
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret				/* from fuzz_ring3 */
1:	movl $6, %edi
fuzz_exception_common:		/* EDI = vector: report and stop the VM */
	andq $-16, %rsp
	call fuzz_fatal

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
fuzz_exception_\v:
	movl $\v, %edi
	jmp fuzz_exception_common
	.endr

	.global fuzz_stray_irq
fuzz_stray_irq:			/* an event vector arrived although IF=0 all along */
	incq fuzz_stray_irqs(%rip)
	iretq

	.section .rodata
	.balign 8
	.global fuzz_exception_stubs
fuzz_exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad fuzz_exception_\v
	.endr
