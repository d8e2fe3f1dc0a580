/*
 * The register probes of regkeep.c: each loads every general register but RSP, CR2, DR0-DR3,
 * DR6, DR7 and XMM0-XMM15 from the probe_*_in areas, runs one kind of exiting instruction
 * and stores them all back to probe_*_out, RSP included, before any other code can touch
 * them. Layouts: GPRs in the order of enum guest_gpr (guest.h), system registers as CR2,
 * DR0, DR1, DR2, DR3, DR6, DR7, then XMM0-XMM15 16 bytes each.
 */
	.text
	.code64

.macro PROBE_BEGIN name
	.global probe_\name
probe_\name:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, probe_rsp_in(%rip)
	movq probe_sys_in+0(%rip), %rax
	movq %rax, %cr2
	movq probe_sys_in+8(%rip), %rax
	movq %rax, %dr0
	movq probe_sys_in+16(%rip), %rax
	movq %rax, %dr1
	movq probe_sys_in+24(%rip), %rax
	movq %rax, %dr2
	movq probe_sys_in+32(%rip), %rax
	movq %rax, %dr3
	movq probe_sys_in+40(%rip), %rax
	movq %rax, %dr6
	movq probe_sys_in+48(%rip), %rax
	movq %rax, %dr7
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu probe_xmm_in+16*\n(%rip), %xmm\n
	.endr
	movq probe_gpr_in+0(%rip), %rax
	movq probe_gpr_in+8(%rip), %rbx
	movq probe_gpr_in+16(%rip), %rcx
	movq probe_gpr_in+24(%rip), %rdx
	movq probe_gpr_in+32(%rip), %rsi
	movq probe_gpr_in+40(%rip), %rdi
	movq probe_gpr_in+48(%rip), %rbp
	movq probe_gpr_in+64(%rip), %r8
	movq probe_gpr_in+72(%rip), %r9
	movq probe_gpr_in+80(%rip), %r10
	movq probe_gpr_in+88(%rip), %r11
	movq probe_gpr_in+96(%rip), %r12
	movq probe_gpr_in+104(%rip), %r13
	movq probe_gpr_in+112(%rip), %r14
	movq probe_gpr_in+120(%rip), %r15
.endm

.macro PROBE_END
	movq %rax, probe_gpr_out+0(%rip)
	movq %rbx, probe_gpr_out+8(%rip)
	movq %rcx, probe_gpr_out+16(%rip)
	movq %rdx, probe_gpr_out+24(%rip)
	movq %rsi, probe_gpr_out+32(%rip)
	movq %rdi, probe_gpr_out+40(%rip)
	movq %rbp, probe_gpr_out+48(%rip)
	movq %rsp, probe_gpr_out+56(%rip)
	movq %r8, probe_gpr_out+64(%rip)
	movq %r9, probe_gpr_out+72(%rip)
	movq %r10, probe_gpr_out+80(%rip)
	movq %r11, probe_gpr_out+88(%rip)
	movq %r12, probe_gpr_out+96(%rip)
	movq %r13, probe_gpr_out+104(%rip)
	movq %r14, probe_gpr_out+112(%rip)
	movq %r15, probe_gpr_out+120(%rip)
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu %xmm\n, probe_xmm_out+16*\n(%rip)
	.endr
	movq %cr2, %rax
	movq %rax, probe_sys_out+0(%rip)
	movq %dr0, %rax
	movq %rax, probe_sys_out+8(%rip)
	movq %dr1, %rax
	movq %rax, probe_sys_out+16(%rip)
	movq %dr2, %rax
	movq %rax, probe_sys_out+24(%rip)
	movq %dr3, %rax
	movq %rax, probe_sys_out+32(%rip)
	movq %dr6, %rax
	movq %rax, probe_sys_out+40(%rip)
	movq %dr7, %rax
	movq %rax, probe_sys_out+48(%rip)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret
.endm

PROBE_BEGIN none		/* no exit: checks the probe itself */
PROBE_END

PROBE_BEGIN vmcall		/* RAX = the call number (VERSION or YIELD) */
	vmcall
PROBE_END

PROBE_BEGIN cpuid		/* EAX = leaf, ECX = subleaf */
	cpuid
PROBE_END

PROBE_BEGIN io			/* DX = the emulated UART's scratch register */
	outb %al, %dx
	notb %al
	inb %dx, %al		/* AL back as it was: what OUT stored */
PROBE_END

PROBE_BEGIN rdmsr		/* ECX = an MSR Shunt emulates */
	rdmsr
PROBE_END

PROBE_BEGIN spin		/* no register in use: preempted by the timer only */
1:	decq probe_spin_count(%rip)
	jnz 1b
PROBE_END

	.data
	.balign 16
	.global probe_gpr_in, probe_gpr_out, probe_sys_in, probe_sys_out
	.global probe_xmm_in, probe_xmm_out, probe_rsp_in, probe_spin_count
probe_xmm_in: .skip 256
probe_xmm_out: .skip 256
probe_gpr_in: .skip 128
probe_gpr_out: .skip 128
probe_sys_in: .skip 56
probe_sys_out: .skip 56
probe_rsp_in: .quad 0
probe_spin_count: .quad 0
