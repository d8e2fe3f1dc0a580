/*
 * Entry of the multiboot (v1) test kernel: the header (magic, flags, checksum; flag 1 asks
 * for the memory map), then a stack and a call to mb1_main(magic, info) in 32-bit protected
 * mode, as multiboot enters a kernel (EAX the boot magic, EBX the information's address).
 */
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00000003 /* page-aligned modules, memory information */

	.section .multiboot, "a"
	.align 4
	.long MB1_MAGIC
	.long MB1_FLAGS
#ifdef BAD_CHECKSUM
	.long -(MB1_MAGIC + MB1_FLAGS) + 1 /* for the refusal scenario */
#else
	.long -(MB1_MAGIC + MB1_FLAGS)
#endif

	.section .text.start, "ax"
	.code32
	.globl mb1_start
mb1_start:
	movl $stack_top, %esp
	pushl %ebx
	pushl %eax
	call mb1_main
1:	cli
	hlt
	jmp 1b

	.section .bss
	.align 16
stack:
	.skip 8192
stack_top:
