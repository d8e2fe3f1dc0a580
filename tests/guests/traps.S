/*
 * Test-guest scaffolding for checking what Shunt injects: ring3_call() runs code at CPL 3
 * and comes back when that code takes #UD or #AC; the #UD handler records where and from
 * which CS it came, the #GP handler counts and skips the faulting instruction (gp_skip
 * bytes long), the #DB handler counts single steps.
 */
	.text
	.code64
	.global ring3_call_ac
ring3_call_ac:			/* the same, with RFLAGS.AC set: alignment checks on */
	movq $0x40002, %rax
	jmp 1f
	.global ring3_call
ring3_call:			/* void ring3_call(void (*fn)(void), void *user_stack_top) */
	movq $0x2, %rax
1:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, ring3_saved_rsp(%rip)
	pushq $0x1b			/* SS: user data, RPL 3 */
	pushq %rsi			/* RSP */
	pushq %rax			/* RFLAGS: interrupts off, AC as asked */
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

	.global db_handler
db_handler:			/* single-step: count it, keep DR6, stop stepping (clear TF) */
	incq db_count(%rip)
	pushq %rax
	movq %dr6, %rax
	movq %rax, db_last_dr6(%rip)
	popq %rax
	andq $~0x100, 16(%rsp)
	iretq

	.global ac_handler
ac_handler:			/* alignment check from ring 3: count it, back to ring 0 */
	incq ac_count(%rip)
	movq ring3_saved_rsp(%rip), %rsp
	jmp ring3_return

	.global gp_handler
gp_handler:			/* frame: error code, RIP, CS, RFLAGS, RSP, SS */
	incq gp_count(%rip)
	pushq %rax
	movq gp_skip(%rip), %rax	/* the faulting instruction's length */
	addq %rax, 16(%rsp)
	popq %rax
	addq $8, %rsp
	iretq

	.global user_misaligned
user_misaligned:		/* a misaligned load: #AC when CR0.AM and RFLAGS.AC are set */
	movq %rsp, %rax
	movq 1(%rax), %rax
	ud2			/* not reached if #AC came */

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
	.global gp_skip
gp_skip: .quad 2			/* RDMSR/WRMSR; set to 3 around MOV to CR4 */
	.global db_count, db_last_dr6, ac_count
db_count: .quad 0
db_last_dr6: .quad 0
ac_count: .quad 0
