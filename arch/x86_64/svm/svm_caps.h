/*
 * AMD-V capability discovery: CPUID Fn8000_0001 ECX.SVM, Fn8000_000A (APM Vol. 2 15.4 and
 * Vol. 3 appendix E.4.9) and VM_CR (15.30.1), what they mean and what Shunt requires of
 * them. The decoding is pure, tested on the host.
 */
#ifndef SVM_CAPS_H
#define SVM_CAPS_H

#include <stdint.h>

#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_LOCK (1ull << 3)
#define VM_CR_SVMDIS (1ull << 4)

/* The raw values as read; leaf 0x8000000A's registers are zero where the leaf is missing. */
struct svm_raw {
	uint32_t max_extended; /* CPUID 0x80000000 EAX */
	uint32_t ext_ecx;      /* CPUID 0x80000001 ECX */
	uint32_t leaf_a_eax, leaf_a_ebx, leaf_a_edx;
	uint64_t vm_cr;
};

struct svm_caps {
	int svm;
	int disabled, locked; /* VM_CR.SVMDIS, VM_CR.LOCK */
	uint32_t revision, nasid;
	int npt, lbr_virt, nrip_save, vmcb_clean, flush_by_asid, decode_assists, pause_filter;
	int vgif;
};

void svm_caps_decode(const struct svm_raw *raw, struct svm_caps *caps);

/* The first thing Shunt requires that caps lacks, as a phrase; NULL if nothing is missing. */
const char *svm_caps_missing(const struct svm_caps *caps);

#endif
