/*
 * What CPUID shows is what the guest may use (pv-abi/SPEC.md §2): features whose MSRs or
 * state Shunt refuses (x2APIC, TSC-deadline, XSAVE, AVX, AVX2, AVX-512F, VMX) must read as
 * absent, and IA32_APIC_BASE must agree with the APIC bit. A shown feature's MSR must read
 * without #GP.
 */
#include "guest.h"

extern char gp_handler[];
extern volatile uint64_t gp_count, gp_skip;

struct regs {
	uint32_t a, b, c, d;
};

static struct regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/* RDMSR; returns 1 if it raised #GP (the handler skips the 2-byte instruction). */
static int rdmsr_faults(uint32_t msr, uint64_t *value)
{
	uint64_t before = gp_count;
	uint32_t lo = 0, hi = 0;

	gp_skip = 2;
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*value = ((uint64_t)hi << 32) | lo;
	return gp_count != before;
}

static int bit(uint32_t word, int n)
{
	return (word >> n) & 1;
}

int64_t guest_main(const struct pv_start_info *si)
{
	struct regs l0, l1, l7 = { 0, 0, 0, 0 }, ld = { 0, 0, 0, 0 };
	int failures = 0;
	uint64_t v;

	if (guest_open())
		return 99;
	guest_idt_set(13, gp_handler);
	l0 = cpuid(0, 0);
	l1 = cpuid(1, 0);
	if (l0.a >= 7)
		l7 = cpuid(7, 0);
	if (l0.a >= 0xd)
		ld = cpuid(0xd, 0);

	check(&failures, bit(l1.c, 31), "leaf 1 ECX: hypervisor bit set");
	check(&failures, !bit(l1.c, 5), "leaf 1 ECX: VMX hidden");
	check(&failures, !bit(l1.c, 21), "leaf 1 ECX: x2APIC hidden");
	check(&failures, !bit(l1.c, 24), "leaf 1 ECX: TSC-deadline hidden");
	check(&failures, !bit(l1.c, 26), "leaf 1 ECX: XSAVE hidden");
	check(&failures, !bit(l1.c, 27), "leaf 1 ECX: OSXSAVE hidden");
	check(&failures, !bit(l1.c, 28), "leaf 1 ECX: AVX hidden");
	check(&failures, !bit(l7.b, 5), "leaf 7 EBX: AVX2 hidden");
	check(&failures, !bit(l7.b, 16), "leaf 7 EBX: AVX-512F hidden");
	check(&failures, (ld.a | ld.b | ld.c | ld.d) == 0, "leaf 0xD: all zeros");

	/* Whatever is shown must work: x2APIC's MSRs, IA32_TSC_DEADLINE. */
	if (bit(l1.c, 21))
		check(&failures, !rdmsr_faults(0x802, &v), "x2APIC shown: its id MSR reads");
	if (bit(l1.c, 24))
		check(&failures, !rdmsr_faults(0x6e0, &v), "TSC-deadline shown: its MSR reads");
	check(&failures, rdmsr_faults(0x802, &v), "x2APIC id MSR raises #GP");
	check(&failures, rdmsr_faults(0x6e0, &v), "IA32_TSC_DEADLINE raises #GP");

	/* IA32_APIC_BASE: its global enable bit (11) says what CPUID's APIC bit says. */
	check(&failures, !rdmsr_faults(0x1b, &v), "IA32_APIC_BASE reads");
	check(&failures, bit(l1.d, 9) == (int)((v >> 11) & 1),
	      "IA32_APIC_BASE enable bit agrees with CPUID's APIC bit");
	check(&failures, !bit(l1.d, 9), "leaf 1 EDX: APIC hidden (none is mapped)");
	check(&failures, (l1.b >> 24) == 0, "leaf 1 EBX: APIC id of vCPU 0 is 0");
	return report(si, failures, 0);
}
