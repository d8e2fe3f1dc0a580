/*
 * What a guest's CPUID shows: a whitelist of the host's bits, the same for every vendor
 * backend. Pure: the caller executes CPUID on the host and passes what it needs to know.
 */
#ifndef ARCH_CPUID_POLICY_H
#define ARCH_CPUID_POLICY_H

#include <arch/x86.h>

/* The highest leaves a guest sees (leaf 0 EAX, leaf 0x80000000 EAX), if the host has them. */
#define CPUID_POLICY_MAX_BASIC 0xdu
#define CPUID_POLICY_MAX_EXTENDED 0x80000008u

/* What the policy needs to know about the vCPU and the backend's configuration. */
struct cpuid_context {
	uint32_t vcpu_id;	    /* shown as the initial APIC id, leaf 1 EBX[31:24] */
	uint32_t host_max_basic;    /* the host's leaf 0 EAX */
	uint32_t host_max_extended; /* the host's leaf 0x80000000 EAX */
	uint64_t cr4_settable;	    /* CR4 bits a guest's MOV to CR4 may set without #GP */
	int rdtscp;		    /* RDTSCP and RDPID execute in the guest (else #UD) */
	int invpcid;		    /* INVPCID executes in the guest (else #UD) */
	/*
	 * The VM has an emulated x2APIC with the TSC-deadline timer (a Linux VM, hv/devices/
	 * lapic.c): APIC, x2APIC, TSC-deadline and ARAT (the timer runs in every C-state) shown.
	 */
	int x2apic;
};

/*
 * The guest's answer to CPUID(leaf, subleaf) given the host's answer to the same: only bits
 * Shunt knows a guest can use pass, and leaves it does not know read as zeros. The
 * hypervisor range 0x40000000-0x4fffffff is the caller's (pv_cpuid); here it reads as zeros.
 */
struct cpuid_regs cpuid_policy_filter(uint32_t leaf, uint32_t subleaf, struct cpuid_regs host,
				      const struct cpuid_context *ctx);

#endif
