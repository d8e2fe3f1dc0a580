/*
 * Decoding of the AMD-V capabilities and Shunt's requirements on them (see svm_caps.h). Bit
 * positions are from the AMD APM Vol. 3, appendix E.4.9 (CPUID Fn8000_000A) and Vol. 2
 * 15.30.1 (VM_CR).
 */
#include "svm_caps.h"

#define EXT_ECX_SVM (1u << 2)
#define LEAF_A_EDX_NP (1u << 0)
#define LEAF_A_EDX_LBR_VIRT (1u << 1)
#define LEAF_A_EDX_NRIPS (1u << 3)
#define LEAF_A_EDX_VMCB_CLEAN (1u << 5)
#define LEAF_A_EDX_FLUSH_BY_ASID (1u << 6)
#define LEAF_A_EDX_DECODE_ASSISTS (1u << 7)
#define LEAF_A_EDX_PAUSE_FILTER (1u << 10)
#define LEAF_A_EDX_VGIF (1u << 16)

void svm_caps_decode(const struct svm_raw *r, struct svm_caps *c)
{
	uint32_t edx = r->leaf_a_edx;

	*c = (struct svm_caps){ 0 };
	c->svm = r->max_extended >= 0x80000001u && (r->ext_ecx & EXT_ECX_SVM);
	if (!c->svm)
		return;
	c->disabled = !!(r->vm_cr & VM_CR_SVMDIS);
	c->locked = !!(r->vm_cr & VM_CR_LOCK);
	if (r->max_extended < 0x8000000au)
		return; /* no leaf 0x8000000A: nothing beyond SVM itself is known */
	c->revision = r->leaf_a_eax & 0xff;
	c->nasid = r->leaf_a_ebx;
	c->npt = !!(edx & LEAF_A_EDX_NP);
	c->lbr_virt = !!(edx & LEAF_A_EDX_LBR_VIRT);
	c->nrip_save = !!(edx & LEAF_A_EDX_NRIPS);
	c->vmcb_clean = !!(edx & LEAF_A_EDX_VMCB_CLEAN);
	c->flush_by_asid = !!(edx & LEAF_A_EDX_FLUSH_BY_ASID);
	c->decode_assists = !!(edx & LEAF_A_EDX_DECODE_ASSISTS);
	c->pause_filter = !!(edx & LEAF_A_EDX_PAUSE_FILTER);
	c->vgif = !!(edx & LEAF_A_EDX_VGIF);
}

const char *svm_caps_missing(const struct svm_caps *c)
{
	if (!c->svm)
		return "CPU has no SVM";
	/* SVMDIS with LOCK clear can be cleared by software (APM 15.30.1); with LOCK, not. */
	if (c->disabled && c->locked)
		return "AMD-V disabled and locked by firmware (VM_CR.SVMDIS): enable SVM in the "
		       "firmware setup";
	if (!c->npt)
		return "CPU has no nested paging (NPT)";
	if (c->nasid < 2)
		return "CPU offers no ASID for guests (CPUID Fn8000_000A EBX < 2)";
	return 0;
}
