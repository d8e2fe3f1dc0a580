/*
 * CPUID exits: the host's answers, with the hypervisor bit set, features Shunt does not
 * virtualize hidden (so what a guest sees is what it gets), and Shunt's own leaves at
 * 0x40000000, whose contents the generic pv_cpuid() decides.
 */
#include "vmx.h"

#include <arch/x86.h>
#include <hv/pv.h>

#define CPUID1_ECX_MONITOR (1u << 3)
#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_SMX (1u << 6)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID7_EBX_INVPCID (1u << 10)
#define CPUID80000001_EDX_RDTSCP (1u << 27)

void vmx_exit_cpuid(struct vcpu *vcpu, uint64_t q)
{
	struct guest_gprs *g = &vcpu->arch.regs;
	uint32_t leaf = (uint32_t)g->rax, subleaf = (uint32_t)g->rcx;
	struct cpuid_regs r;

	if ((leaf & 0xf0000000u) == 0x40000000u) {
		uint32_t v[4];

		pv_cpuid(vcpu, leaf, v);
		r = (struct cpuid_regs){ v[0], v[1], v[2], v[3] };
	} else {
		r = cpuid(leaf, subleaf);
		switch (leaf) {
		case 1:
			/* No nested VMX, no XSAVE state switching, MONITOR/MWAIT exit to #UD. */
			r.ecx &= ~(CPUID1_ECX_MONITOR | CPUID1_ECX_VMX | CPUID1_ECX_SMX |
				   CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE | CPUID1_ECX_AVX);
			r.ecx |= CPUID1_ECX_HYPERVISOR;
			r.ebx = (r.ebx & 0x00ffffffu) | ((uint32_t)vcpu->id << 24); /* APIC ID */
			break;
		case 7:
			if (subleaf == 0 && !(vmx_cpu.proc2 & PROC2_ENABLE_INVPCID))
				r.ebx &= ~CPUID7_EBX_INVPCID;
			break;
		case 0xa: /* performance monitoring: RDPMC is trapped, no counters are offered */
		case 0xd: /* XSAVE state enumeration: hidden with XSAVE itself */
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
			break;
		case 0x80000001:
			if (!(vmx_cpu.proc2 & PROC2_ENABLE_RDTSCP))
				r.edx &= ~CPUID80000001_EDX_RDTSCP;
			break;
		default:
			break;
		}
	}
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	vmx_skip_instruction();
}
