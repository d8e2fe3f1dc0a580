/*
 * The event interrupt's glue of the minimal kernel: the vector it binds enters here, the
 * registers C may clobber are saved, kernel_event_interrupt() runs on an aligned stack.
 * (_start is guest-kit's entry stub, crt0.S, named by `pkg-config --libs shunt-guest-kit`.)
 */
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

	.section .note.GNU-stack, "", @progbits
