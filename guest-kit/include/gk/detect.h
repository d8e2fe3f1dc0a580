/* SPDX-License-Identifier: MIT */
/*
 * Finding Shunt before using it: CPUID's hypervisor bit, Shunt's signature at leaf
 * 0x40000000 and its ABI version at 0x40000001, then the feature leaf's choice of hypercall
 * instruction (VMCALL or VMMCALL, ABI 1.4). A guest built against another major ABI version
 * must not make calls beyond PV_CALL_VERSION; gk_detect() refuses that case.
 */
#ifndef GK_DETECT_H
#define GK_DETECT_H

#include <gk/hypercall.h>
#include <pvabi/pvabi.h>
#include <pvabi/types.h>

enum gk_detect_result {
	GK_DETECT_OK = 0,	 /* Shunt, with an ABI of this guest-kit's major version */
	GK_DETECT_NO_HYPERVISOR, /* bare metal, or CPUID does not say */
	GK_DETECT_FOREIGN,	 /* another hypervisor: its calls mean something else */
	GK_DETECT_WRONG_MAJOR,	 /* Shunt, but an ABI this guest was not built for */
};

#ifdef GK_MOCK
#ifdef __cplusplus
extern "C"
#endif
	void
	gk_mock_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d);
#endif

static inline void gk_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
#ifdef GK_MOCK
	gk_mock_cpuid(leaf, a, b, c, d);
#else
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
#endif
}

/* One of Shunt's CPUID leaves, by register: 0 = EAX ... 3 = EDX. */
static inline uint32_t gk_cpuid_reg(uint32_t leaf, int reg)
{
	uint32_t r[4];

	gk_cpuid(leaf, &r[0], &r[1], &r[2], &r[3]);
	return r[reg & 3];
}

/*
 * Detects Shunt and checks its ABI major version against PV_ABI_MAJOR. On GK_DETECT_OK and
 * GK_DETECT_WRONG_MAJOR, *version (if not NULL) holds the hypervisor's PV_ABI_VERSION. On
 * GK_DETECT_OK it also chooses the instruction of every later hypercall from the feature
 * leaf (gk_hypercall_select()): call it before the first hypercall, which on AMD otherwise
 * takes Shunt's slow path (pv-abi/SPEC.md §3). Safe to call anywhere, and again: it uses
 * only CPUID.
 */
static inline enum gk_detect_result gk_detect(uint32_t *version)
{
	uint32_t a, b, c, d, max_leaf;

	gk_cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 31)))
		return GK_DETECT_NO_HYPERVISOR;
	gk_cpuid(PV_CPUID_BASE, &a, &b, &c, &d);
	if (b != PV_CPUID_SIGNATURE_EBX || c != PV_CPUID_SIGNATURE_ECX ||
	    d != PV_CPUID_SIGNATURE_EDX || a < PV_CPUID_INTERFACE)
		return GK_DETECT_FOREIGN;
	max_leaf = a;
	gk_cpuid(PV_CPUID_INTERFACE, &a, &b, &c, &d);
	if (a != PV_INTERFACE_SIGNATURE)
		return GK_DETECT_FOREIGN;
	if (version)
		*version = b;
	/* Another major may give the feature bits other meanings: its calls stay VMCALLs. */
	if (PV_ABI_VERSION_MAJOR(b) != PV_ABI_MAJOR)
		return GK_DETECT_WRONG_MAJOR;
	gk_hypercall_select(max_leaf >= PV_CPUID_FEATURES ? gk_cpuid_reg(PV_CPUID_FEATURES, 0) : 0);
	return GK_DETECT_OK;
}

/* A short phrase for a detection result, for the guest's own log. */
static inline const char *gk_detect_describe(enum gk_detect_result r)
{
	switch (r) {
	case GK_DETECT_OK:
		return "Shunt found";
	case GK_DETECT_NO_HYPERVISOR:
		return "no hypervisor";
	case GK_DETECT_FOREIGN:
		return "a hypervisor other than Shunt";
	case GK_DETECT_WRONG_MAJOR:
		return "Shunt with an unsupported ABI major version";
	default:
		return "?";
	}
}

#endif
