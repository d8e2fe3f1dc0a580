/*
 * The multiboot2 header and entry. GRUB enters mb2_entry32 in 32-bit protected mode with
 * paging off (EAX = magic, EBX = info). We check for long mode, switch to it on the static
 * boot page tables (arch/x86_64/boot64.S) and call mb2_boot(magic, info) in C.
 */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_TAG_END 0
#define MB2_TAG_ENTRY_ADDRESS 3
#define MB2_TAG_OPTIONAL 1

#define COM1 0x3f8

	.section .multiboot2, "a"
	.balign 8
	.global mb2_header
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Entry address tag: the ELF entry (handoff_entry) is 64-bit code for other loaders. */
	.balign 8
	.word MB2_TAG_ENTRY_ADDRESS, 0
	.long 12
	.long mb2_entry32
	.balign 8
	.word MB2_TAG_END, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.global mb2_entry32
mb2_entry32:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %eax, %edi			/* magic: first C argument once in 64-bit mode */
	movl %ebx, %esi			/* info: second C argument */

	/* Fail cleanly on a CPU without long mode: say so on COM1 instead of faulting. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* CR4.PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* IA32_EFER */
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG | WP | PE */
	movl %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $0x08, $mb2_entry64

no_long_mode:
	movl $no_long_mode_msg, %esi
1:	movb (%esi), %al
	testb %al, %al
	jz 3f
	movw $(COM1 + 5), %dx		/* wait for the transmit holding register */
2:	inb %dx, %al
	testb $0x20, %al
	jz 2b
	movb (%esi), %al
	movw $COM1, %dx
	outb %al, %dx
	incl %esi
	jmp 1b
3:	hlt
	jmp 3b

	.code64
mb2_entry64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movl %edi, %edi			/* upper halves are undefined after the mode switch */
	movl %esi, %esi
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	call mb2_boot
	ud2

	.section .rodata
no_long_mode_msg:
	.asciz "Shunt: this CPU has no 64-bit long mode; Shunt needs an x86-64 CPU. Halted.\r\n"
