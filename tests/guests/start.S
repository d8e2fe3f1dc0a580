/*
 * Entry stub of the test guests: Shunt enters _start in 64-bit mode with RDI = the
 * start-info page and RSP = the top of guest RAM. Call guest_main(start_info) and exit
 * with its return value.
 */
	.section .text.start, "ax"
	.global _start
_start:
	andq $-16, %rsp
	call guest_main
	movq %rax, %rdi
	movq $3, %rax		/* PV_CALL_EXIT */
	vmcall
1:	cli
	hlt
	jmp 1b
