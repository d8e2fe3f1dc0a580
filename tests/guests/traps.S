/*
 * Test-guest scaffolding for checking what Shunt injects: ring3_call() runs code at CPL 3
 * and comes back when that code takes #UD; the #UD handler records where and from which
 * CS it came, the #GP handler counts and skips the 2-byte RDMSR/WRMSR that raised it.
 */
	.text
	.code64
	.global ring3_call
ring3_call:			/* void ring3_call(void (*fn)(void), void *user_stack_top) */
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, ring3_saved_rsp(%rip)
	pushq $0x1b			/* SS: user data, RPL 3 */
	pushq %rsi			/* RSP */
	pushq $0x2			/* RFLAGS: interrupts off */
	pushq $0x23			/* CS: user code, RPL 3 */
	pushq %rdi			/* RIP */
	iretq
ring3_return:
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
	ret

	.global ud_handler
ud_handler:			/* frame: RIP, CS, RFLAGS, RSP, SS (no error code) */
	movq 0(%rsp), %rax
	movq %rax, ud_last_rip(%rip)
	movq 8(%rsp), %rax
	movq %rax, ud_last_cs(%rip)
	incq ud_count(%rip)
	movq ring3_saved_rsp(%rip), %rsp
	jmp ring3_return

	.global gp_handler
gp_handler:			/* frame: error code, RIP, CS, RFLAGS, RSP, SS */
	incq gp_count(%rip)
	addq $2, 8(%rsp)
	addq $8, %rsp
	iretq

	.global user_vmcall, user_vmcall_insn
user_vmcall:
	xorl %eax, %eax
user_vmcall_insn:
	vmcall
	ud2

	.data
	.balign 8
ring3_saved_rsp: .quad 0
	.global ud_last_rip, ud_last_cs, ud_count, gp_count
ud_last_rip: .quad 0
ud_last_cs: .quad 0
ud_count: .quad 0
gp_count: .quad 0
