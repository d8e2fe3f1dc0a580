/*
 * What every entry path shares before C runs: the boot page tables (the first 4 GiB
 * identity-mapped with 2 MiB pages, built by the assembler so no code has to fill them),
 * the boot GDT, the boot stack, and handoff_entry, the ELF entry point that 64-bit loaders
 * (Shunt's UEFI loader) jump to with RDI = struct handoff *.
 */
#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PS 0x80
#define BOOT_STACK_SIZE 16384

	.section .data.pagetables, "aw"
	.balign 4096
	.global boot_pml4
boot_pml4:
	.quad boot_pdpt + (PTE_P | PTE_RW)
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 0x0000 + (PTE_P | PTE_RW)
	.quad boot_pd + 0x1000 + (PTE_P | PTE_RW)
	.quad boot_pd + 0x2000 + (PTE_P | PTE_RW)
	.quad boot_pd + 0x3000 + (PTE_P | PTE_RW)
	.fill 508, 8, 0
boot_pd:
	.set addr, 0
	.rept 2048
	.quad addr + (PTE_P | PTE_RW | PTE_PS)
	.set addr, addr + 0x200000
	.endr

	.section .rodata
	.balign 16
boot_gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
	.global boot_gdt_ptr
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss
	.balign 4096
	.global boot_stack_guard
boot_stack_guard:			/* left unmapped: an overflow faults instead of corrupting */
	.skip 4096
	.global boot_stack_bottom
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
	.global boot_stack_top
boot_stack_top:

	.section .text.boot, "ax"
	.code64
	.global handoff_entry
handoff_entry:
	cli
	cld
	movq $boot_stack_top, %rsp	/* our stack first: it is mapped in both page tables */
	lgdt boot_gdt_ptr(%rip)
	pushq $0x08
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_pml4, %rax		/* the firmware's tables may sit in memory we will reuse */
	movq %rax, %cr3
	xorl %ebp, %ebp
	call hv_main			/* RDI still holds the handoff pointer */
	ud2
