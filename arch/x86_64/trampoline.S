/*
 * The other CPUs' way from a start-up IPI to C: smp_trampoline, copied by smp.c to a page
 * below 1 MiB whose number is the SIPI's vector, runs in real mode at (page):0000, goes to
 * protected mode and to long mode on the boot page tables (boot_pml4: the first 4 GiB
 * identity-mapped, Shunt's image in it), then jumps to smp_ap_entry64 in Shunt's image. That
 * one claims the start parameters, switches to Shunt's own page tables and its stack and
 * calls smp_ap_main. Addresses inside the page are offsets (TRAMP): it runs wherever it is
 * copied, and smp.c writes in the few absolute ones (the GDT base, the far jumps).
 */
#define TRAMP(x) ((x) - smp_trampoline)
#define CR0_PE 0x1
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define EFER_NXE 0x800
/* struct smp_tramp_params (smp.c) */
#define P_EXPECTED_ID 0
#define P_CLAIM 4
#define P_CR3 8
#define P_STACK 16
#define P_ARG 24

	.section .rodata
	.balign 16
	.global smp_trampoline
smp_trampoline:
	.code16
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %esi
	shll $4, %esi			/* ESI = the page's physical address, kept to the end */
	lgdtl TRAMP(smp_tramp_gdtr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *TRAMP(smp_tramp_pm32_ptr)

	.code32
	.global smp_tramp_pm32
smp_tramp_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax		/* in the image, below 4 GiB */
	movl %eax, %cr3
	movl $MSR_EFER, %ecx		/* NXE too: Shunt's own tables set NX bits */
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmpl *TRAMP(smp_tramp_lm64_ptr)(%esi)

	.code64
	.global smp_tramp_lm64
smp_tramp_lm64:
	movabsq $smp_ap_entry64, %rax	/* into the image: the low page may be NX in Shunt's tables */
	jmp *%rax

	.balign 8
	.global smp_tramp_gdt
smp_tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
smp_tramp_gdt_end:
	.global smp_tramp_gdtr
smp_tramp_gdtr:
	.word smp_tramp_gdt_end - smp_tramp_gdt - 1
	.long 0				/* smp.c: page + TRAMP(smp_tramp_gdt) */
	.global smp_tramp_pm32_ptr
smp_tramp_pm32_ptr:
	.long 0				/* smp.c: page + TRAMP(smp_tramp_pm32) */
	.word 0x08
	.global smp_tramp_lm64_ptr
smp_tramp_lm64_ptr:
	.long 0				/* smp.c: page + TRAMP(smp_tramp_lm64) */
	.word 0x18
	.balign 8
	.global smp_tramp_params
smp_tramp_params:			/* struct smp_tramp_params, written by smp.c */
	.fill 32, 1, 0
	.global smp_trampoline_end
smp_trampoline_end:

	.text
	.code64
	.global smp_ap_entry64
/*
 * RSI = the trampoline page. Which CPU this is: its initial APIC id (as cpu_initial_apic_id
 * finds it) must be the one the parameters are for, and it must win the claim on them
 * against the boot CPU giving up on it; otherwise it parks, touching nothing.
 */
smp_ap_entry64:
	movq %rsi, %rbp
	xorl %eax, %eax
	cpuid
	cmpl $0xb, %eax
	jb 1f
	movl $0xb, %eax
	xorl %ecx, %ecx
	cpuid
	testl %ebx, %ebx
	jz 1f
	movl %edx, %edi
	jmp 2f
1:	movl $1, %eax
	cpuid
	shrl $24, %ebx
	movl %ebx, %edi
2:	leaq TRAMP(smp_tramp_params)(%rbp), %rbx
	cmpl P_EXPECTED_ID(%rbx), %edi
	jne 3f
	xorl %eax, %eax
	movl $1, %ecx
	lock cmpxchgl %ecx, P_CLAIM(%rbx)
	jnz 3f
	movq P_CR3(%rbx), %rax
	movq P_STACK(%rbx), %rsp
	movq P_ARG(%rbx), %rdi
	movq %rax, %cr3
	xorl %ebp, %ebp
	call smp_ap_main
3:	cli
	hlt
	jmp 3b
