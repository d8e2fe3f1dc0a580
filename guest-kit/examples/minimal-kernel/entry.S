/*
 * Entry and interrupt glue of the minimal kernel. Shunt starts it in 64-bit mode with
 * RDI = the start-info page and RSP = the top of its RAM (pv-abi/SPEC.md, "Boot").
 */
	.section .text.entry, "ax"
	.global _start
_start:
	andq $-16, %rsp
	call kernel_main
	movq %rax, %rdi		/* exit code */
	movq $3, %rax		/* PV_CALL_EXIT */
	vmcall
1:	cli
	hlt
	jmp 1b

	.text
	.global kernel_event_entry
kernel_event_entry:		/* the bound event vector: save what C may clobber */
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	movq %rsp, %rax
	andq $-16, %rsp
	pushq %rax
	subq $8, %rsp
	call kernel_event_interrupt
	addq $8, %rsp
	popq %rsp
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq
