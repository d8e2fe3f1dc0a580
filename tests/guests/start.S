/*
 * Entry stub of the test guests: Shunt enters _start in 64-bit mode with RDI = the
 * start-info page and RSP = the top of guest RAM. It first records the machine state it was
 * entered with (guest_entry_state in guest.h: every general register, RFLAGS, CR0/CR3/CR4,
 * the selectors, IDTR) before any code changes it, then calls guest_main(start_info) and
 * exits with its return value.
 */
	.section .text.start, "ax"
	.global _start
_start:
	movq %rax, guest_entry_state+0(%rip)
	movq %rbx, guest_entry_state+8(%rip)
	movq %rcx, guest_entry_state+16(%rip)
	movq %rdx, guest_entry_state+24(%rip)
	movq %rsi, guest_entry_state+32(%rip)
	movq %rdi, guest_entry_state+40(%rip)
	movq %rbp, guest_entry_state+48(%rip)
	movq %rsp, guest_entry_state+56(%rip)
	movq %r8, guest_entry_state+64(%rip)
	movq %r9, guest_entry_state+72(%rip)
	movq %r10, guest_entry_state+80(%rip)
	movq %r11, guest_entry_state+88(%rip)
	movq %r12, guest_entry_state+96(%rip)
	movq %r13, guest_entry_state+104(%rip)
	movq %r14, guest_entry_state+112(%rip)
	movq %r15, guest_entry_state+120(%rip)
	pushfq				/* RSP is the top of RAM: the slot below is RAM */
	popq %rax
	movq %rax, guest_entry_state+128(%rip)
	movq %cr0, %rax
	movq %rax, guest_entry_state+136(%rip)
	movq %cr3, %rax
	movq %rax, guest_entry_state+144(%rip)
	movq %cr4, %rax
	movq %rax, guest_entry_state+152(%rip)
	movw %cs, guest_entry_state+160(%rip)
	movw %ds, guest_entry_state+162(%rip)
	movw %es, guest_entry_state+164(%rip)
	movw %ss, guest_entry_state+166(%rip)
	movw %fs, guest_entry_state+168(%rip)
	movw %gs, guest_entry_state+170(%rip)
	sidt guest_entry_state+172(%rip)
	movq guest_entry_state+0(%rip), %rax
	andq $-16, %rsp
	call guest_main
	movq %rax, %rdi
	movq $3, %rax		/* PV_CALL_EXIT */
	vmcall			/* always VMCALL: abi10 (1.0 headers) links this too, and on
				 * AMD every test guest's exit exercises SPEC.md §3's #UD path */
1:	cli
	hlt
	jmp 1b

	.data
	.balign 16
	.global guest_entry_state
guest_entry_state:
	.skip 184
