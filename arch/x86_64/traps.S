/*
 * Exception entry stubs for vectors 0-31. Each pushes a zero where the CPU pushes no error
 * code, then its vector, and joins trap_common, which saves the general registers into a
 * struct trap_frame (arch/cpu.h) and calls trap_handle(frame).
 */
	.section .text
	.code64

/* Vectors with a CPU-pushed error code (SDM Vol. 3A 6.15): 8, 10-14, 17, 21, 29, 30. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.macro trap_stub vector
	.balign 16
trap_stub_\vector:
	.if HAS_ERROR_CODE(\vector) == 0
	pushq $0
	.endif
	pushq $\vector
	jmp trap_common
	.endm

	.altmacro
	.set v, 0
	.rept 32
	trap_stub %v
	.set v, v + 1
	.endr

trap_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_handle
	/* trap_handle does not return for exceptions; restore anyway for future vectors. */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.global trap_stubs
trap_stubs:
	.macro stub_address vector
	.quad trap_stub_\vector
	.endm
	.set v, 0
	.rept 32
	stub_address %v
	.set v, v + 1
	.endr
	.noaltmacro
