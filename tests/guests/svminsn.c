/*
 * A guest that executes AMD's virtualization instructions at CPL 0, each once: VMRUN,
 * VMLOAD, VMSAVE, STGI, CLGI, SKINIT and INVLPGA. Shunt offers no nested virtualization,
 * so each must raise #UD at the instruction, as on a CPU without SVM (Intel's, where they
 * are undefined; AMD's, where Shunt intercepts them), and the guest goes on after it. Then
 * it executes one more with no #UD handler: the triple fault stops it alone.
 */
#include "guest.h"

volatile uint64_t svm_ud_count, svm_ud_rip;

/* #UD: counted, and the guest goes on past the 3-byte instruction (all seven are 0F 01 xx). */
__asm__(".text\n"
	"svm_ud_handler:\n"
	"  incq svm_ud_count(%rip)\n"
	"  pushq %rax\n"
	"  movq 8(%rsp), %rax\n"
	"  movq %rax, svm_ud_rip(%rip)\n"
	"  addq $3, 8(%rsp)\n"
	"  popq %rax\n"
	"  iretq\n");
extern char svm_ud_handler[];

int64_t guest_main(const struct pv_start_info *si)
{
	int failures = 0;
	uint64_t before, insn_at;

	if (guest_open())
		return 99;
	guest_idt_set(6, svm_ud_handler);
	/* Each with RAX pointing at this guest's own RAM, as a real VMCB address would. */
#define TRY(bytes, what)                                                                           \
	before = svm_ud_count;                                                                     \
	__asm__ volatile("lea 1f(%%rip), %0\n1: " bytes                                            \
			 : "=&r"(insn_at)                                                          \
			 : "a"(0x200000ull), "c"(0ull)                                             \
			 : "memory");                                                              \
	check(&failures, svm_ud_count == before + 1 && svm_ud_rip == insn_at, what)
	TRY(".byte 0x0f, 0x01, 0xd8", "VMRUN raises #UD at the instruction");
	TRY(".byte 0x0f, 0x01, 0xda", "VMLOAD raises #UD at the instruction");
	TRY(".byte 0x0f, 0x01, 0xdb", "VMSAVE raises #UD at the instruction");
	TRY(".byte 0x0f, 0x01, 0xdc", "STGI raises #UD at the instruction");
	TRY(".byte 0x0f, 0x01, 0xdd", "CLGI raises #UD at the instruction");
	TRY(".byte 0x0f, 0x01, 0xde", "SKINIT raises #UD at the instruction");
	TRY(".byte 0x0f, 0x01, 0xdf", "INVLPGA raises #UD at the instruction");
	say_num("svminsn: #UD raised ", (int64_t)svm_ud_count);
	if (failures)
		return report(si, failures, 0);
	say("svminsn: all seven raised #UD; now one with no handler\n");
	/* Going on without one: the next #UD finds no handler, and the VM is stopped alone. */
	guest_idt()[6].type = 0; /* not present */
	__asm__ volatile(".byte 0x0f, 0x01, 0xd8" ::"a"(0x200000ull) : "memory");
	say("svminsn: still running after VMRUN with no #UD handler\n");
	return report(si, 1, 0);
}
