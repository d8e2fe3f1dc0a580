/* SPDX-License-Identifier: MIT */
/*
 * guest-kit's entry stub: the _start of a C guest kernel. Shunt enters it in 64-bit mode,
 * identity-mapped, interrupts off, with RDI = the start-info page and RSP = the top of RAM
 * (pv-abi/SPEC.md §8). It gives C what the System V ABI promises at a call (a 16-byte
 * aligned stack, the direction flag clear, no frame to unwind to), calls
 *	int64_t kernel_main(const struct pv_start_info *start);
 * (declared in <gk/start.h>) and ends the VM with its return value as the exit code
 * (PV_CALL_EXIT), with the hypercall instruction gk_detect() chose. `pkg-config --libs shunt-guest-kit` names this file: the compiler that
 * links the kernel assembles it too, so the kit ships no object code.
 */
	.section .text.entry, "ax"
	.global _start
	.type _start, @function
_start:
	cld
	xorl %ebp, %ebp		/* the outermost frame, for backtraces */
	andq $-16, %rsp
	call kernel_main	/* RDI: the start-info page, as Shunt set it */
	movq %rax, %rdi		/* the exit code */
	movl $3, %eax		/* PV_CALL_EXIT (pv-abi/SPEC.md §6); numbers never change */
	cmpb $0, gk_hypercall_vmmcall(%rip)	/* the instruction detection chose (§3), */
	je 2f			/* defined by <gk/start.h>, which declares kernel_main */
	vmmcall			/* AMD-V */
	jmp 1f
2:	vmcall			/* Intel VT-x, or no detection ran */
1:	cli			/* EXIT does not return; never run past it */
	hlt
	jmp 1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
