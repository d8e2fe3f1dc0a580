/*
 * Every register a guest owns survives every kind of VM exit (pv-abi/SPEC.md §3, §13 and the
 * architecture): all sixteen general registers, CR2, DR0-DR3, DR6, DR7 and XMM0-XMM15, across
 * a hypercall, CPUID, an emulated UART port access, an emulated MSR read, preemption by the
 * VMX timer, and a YIELD to another VM. Two copies run side by side, each with patterns of
 * its own (from its vm_id), so a register that leaks from the other VM is caught too; the
 * preemption and the switch must have happened (steal time grew) for the check to count.
 * Only the registers an instruction is defined to write may change, to exactly its result.
 */
#include "guest.h"

#define NSYS 7
enum { SYS_CR2, SYS_DR0, SYS_DR1, SYS_DR2, SYS_DR3, SYS_DR6, SYS_DR7 };
static const char *const sys_names[NSYS] = { "CR2", "DR0", "DR1", "DR2", "DR3", "DR6", "DR7" };

#define UART_SCR 0x3ff
#define MSR_IA32_APIC_BASE 0x1b
#define SPIN_ITERATIONS 1500000 /* 2 instructions each: over one slice (2,000,000 ticks) */
#define SPIN_TRIES 6
#define YIELDS 10

extern uint64_t probe_gpr_in[GPR_COUNT], probe_gpr_out[GPR_COUNT];
extern uint64_t probe_sys_in[NSYS], probe_sys_out[NSYS];
extern uint64_t probe_xmm_in[32], probe_xmm_out[32];
extern uint64_t probe_rsp_in, probe_spin_count;
extern void probe_none(void), probe_vmcall(void), probe_cpuid(void), probe_io(void),
	probe_rdmsr(void), probe_spin(void);

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static uint64_t dr6_norm, dr7_norm; /* DR6/DR7 as the CPU reads back our values */
static int failures;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Fresh patterns for this VM and this probe: no register holds another's value. */
static void fill(uint64_t vm, uint64_t probe)
{
	uint64_t seed = (vm + 1) << 32 | probe << 16;

	for (int r = 0; r < GPR_COUNT; r++)
		probe_gpr_in[r] = mix(seed | (uint64_t)r);
	for (int x = 0; x < 32; x++)
		probe_xmm_in[x] = mix(seed | 0x100 | (uint64_t)x);
	for (int s = SYS_CR2; s <= SYS_DR3; s++)
		probe_sys_in[s] = mix(seed | 0x200 | (uint64_t)s);
	/* DR6: B0-B3 and BS; DR7: LE or GE, R/W and LEN fields, no breakpoint enabled. */
	probe_sys_in[SYS_DR6] = 0xffff0ff0ull | (vm & 1 ? 0x4005 : 0x000a);
	probe_sys_in[SYS_DR7] = 0x400ull | (vm & 1 ? 0x00110100 : 0x00d00200);
}

static void name_of(char *buf, const char *kind, const char *reg)
{
	int n = 0;

	while (*kind)
		buf[n++] = *kind++;
	buf[n++] = ':';
	buf[n++] = ' ';
	while (*reg)
		buf[n++] = *reg++;
	buf[n] = '\0';
}

/* Compares every register with what it must hold; want[] overrides the GPRs that change. */
static void check_probe(const char *kind, const uint64_t want_gpr[GPR_COUNT])
{
	char what[48];

	for (int r = 0; r < GPR_COUNT; r++) {
		name_of(what, kind, guest_gpr_names[r]);
		check_eq(&failures, probe_gpr_out[r], want_gpr[r], what);
	}
	for (int s = 0; s < NSYS; s++) {
		uint64_t want = s == SYS_DR6 ? dr6_norm : s == SYS_DR7 ? dr7_norm : probe_sys_in[s];

		name_of(what, kind, sys_names[s]);
		check_eq(&failures, probe_sys_out[s], want, what);
	}
	for (int x = 0; x < 32; x++) {
#define XMM(n) "XMM" #n " bits 63:0", "XMM" #n " bits 127:64"
		static const char *const xmm[32] = { XMM(0),  XMM(1),  XMM(2),	XMM(3),
						     XMM(4),  XMM(5),  XMM(6),	XMM(7),
						     XMM(8),  XMM(9),  XMM(10), XMM(11),
						     XMM(12), XMM(13), XMM(14), XMM(15) };

		name_of(what, kind, xmm[x]);
		check_eq(&failures, probe_xmm_out[x], probe_xmm_in[x], what);
	}
}

/* Runs probe with the VM's patterns (and the given inputs), then checks it. */
static void run(uint64_t vm, uint64_t n, const char *kind, void (*probe)(void),
		const uint64_t set[GPR_COUNT], const uint64_t set_mask,
		const uint64_t out[GPR_COUNT], const uint64_t out_mask)
{
	uint64_t want[GPR_COUNT];

	fill(vm, n);
	for (int r = 0; r < GPR_COUNT; r++)
		if (set_mask & (1ull << r))
			probe_gpr_in[r] = set[r];
	probe();
	for (int r = 0; r < GPR_COUNT; r++)
		want[r] = out_mask & (1ull << r) ? out[r] : probe_gpr_in[r];
	want[GPR_RSP] = probe_rsp_in;
	check_probe(kind, want);
}

#define BIT(r) (1ull << (r))

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t vm = si->vm_id, set[GPR_COUNT] = { 0 }, out[GPR_COUNT] = { 0 };
	uint64_t cr4, before, preempted = 0, switched = 0, n = 0;
	uint32_t lo, hi;

	if (guest_open() || gk_vcpu_page_set(&page))
		return 99;
	/* SSE on (CR4.OSFXSR, OSXMMEXCPT): guest-owned bits, as in fpu.c. */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 9) | (1u << 10)));

	/* No exit: the probe itself, and how DR6/DR7 read back the values written. */
	fill(vm, n);
	probe_none();
	dr6_norm = probe_sys_out[SYS_DR6];
	dr7_norm = probe_sys_out[SYS_DR7];
	check_eq(&failures, dr7_norm, probe_sys_in[SYS_DR7], "DR7 reads back");
	run(vm, n++, "no exit", probe_none, set, 0, out, 0);

	/* VMCALL VERSION: RAX = the version, every other register kept. */
	set[GPR_RAX] = PV_CALL_VERSION;
	out[GPR_RAX] = PV_ABI_CURRENT;
	run(vm, n++, "hypercall", probe_vmcall, set, BIT(GPR_RAX), out, BIT(GPR_RAX));

	/* CPUID 0x40000000 (ECX's upper half is not the subleaf): EAX-EDX zero-extended. */
	set[GPR_RAX] = 0xffffffff00000000ull | PV_CPUID_BASE;
	set[GPR_RCX] = 0x1234567800000000ull;
	out[GPR_RAX] = PV_CPUID_MAX_LEAF;
	out[GPR_RBX] = 0x6e756853; /* "Shun" */
	out[GPR_RCX] = 0x75685374; /* "tShu" */
	out[GPR_RDX] = 0x5648746e; /* "ntHV" */
	run(vm, n++, "CPUID", probe_cpuid, set, BIT(GPR_RAX) | BIT(GPR_RCX), out,
	    BIT(GPR_RAX) | BIT(GPR_RBX) | BIT(GPR_RCX) | BIT(GPR_RDX));

	/* OUT and IN on the emulated UART's scratch register: IN writes AL and nothing else. */
	fill(vm, n);
	set[GPR_RDX] = (probe_gpr_in[GPR_RDX] & ~0xffffull) | UART_SCR;
	run(vm, n++, "UART port I/O", probe_io, set, BIT(GPR_RDX), out, 0);

	/* RDMSR of IA32_APIC_BASE (emulated): EDX:EAX zero-extended, ECX's upper half ignored. */
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_IA32_APIC_BASE));
	set[GPR_RCX] = 0xabcdef0100000000ull | MSR_IA32_APIC_BASE;
	out[GPR_RAX] = lo;
	out[GPR_RDX] = hi;
	run(vm, n++, "RDMSR", probe_rdmsr, set, BIT(GPR_RCX), out, BIT(GPR_RAX) | BIT(GPR_RDX));

	/* Preempted by the VMX timer while spinning: the other copy runs with its own values. */
	for (int i = 0; i < SPIN_TRIES && (i < 2 || !preempted); i++) {
		before = __atomic_load_n(&page.steal_time_ns, __ATOMIC_ACQUIRE);
		probe_spin_count = SPIN_ITERATIONS;
		run(vm, n++, "preempted", probe_spin, set, 0, out, 0);
		preempted += __atomic_load_n(&page.steal_time_ns, __ATOMIC_ACQUIRE) > before;
	}
	check(&failures, preempted > 0, "preempted: another VM ran during a spin (steal time)");

	/* YIELD: the other copy runs; RAX = 0, every other register kept. */
	set[GPR_RAX] = PV_CALL_YIELD;
	out[GPR_RAX] = 0;
	for (int i = 0; i < YIELDS; i++) {
		before = __atomic_load_n(&page.steal_time_ns, __ATOMIC_ACQUIRE);
		run(vm, n++, "yield", probe_vmcall, set, BIT(GPR_RAX), out, BIT(GPR_RAX));
		switched += __atomic_load_n(&page.steal_time_ns, __ATOMIC_ACQUIRE) > before;
	}
	check(&failures, switched > 0, "yield: another VM ran in between (steal time)");
	say_num("regkeep: spins preempted ", (int64_t)preempted);
	say_num("regkeep: yields that switched ", (int64_t)switched);
	return report(si, failures, 0);
}
