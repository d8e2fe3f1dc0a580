/*
 * Register isolation between VMs: two copies of this guest (command lines "A" and "B")
 * fill XMM0, XMM7, XMM15 and DR0-DR3 with their own pattern, then yield to each other many
 * times; each must always find its own values back, never the other VM's. Before that each
 * reads DR0-DR3 once, after the other may have set its own: still zero, as a VM starts.
 * Then IA32_KERNEL_GS_BASE, which SWAPGS changes without an exit, across switches; and the
 * SYSCALL MSRs, which only SYSCALL itself reads: each copy's must land at its own entry.
 */
#include "guest.h"

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE 1
#define GUEST_SEL_CODE 0x08 /* the code selector Shunt starts a guest with (SPEC §8) */

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void set_regs(uint64_t v)
{
	__asm__ volatile(
		"movq %0, %%xmm0\n\tmovq %0, %%xmm7\n\tmovq %0, %%xmm15\n\t"
		"mov %0, %%dr0\n\tmov %0, %%dr1\n\tmov %0, %%dr2\n\tmov %0, %%dr3" ::"r"(v));
}

static int regs_hold_dr(uint64_t v)
{
	uint64_t d0, d1, d2, d3;

	__asm__ volatile("mov %%dr0, %0\n\tmov %%dr1, %1\n\tmov %%dr2, %2\n\tmov %%dr3, %3"
			 : "=r"(d0), "=r"(d1), "=r"(d2), "=r"(d3));
	return d0 == v && d1 == v && d2 == v && d3 == v;
}

static int regs_hold(uint64_t v)
{
	uint64_t x0, x7, x15, d0, d1, d2, d3;

	__asm__ volatile("movq %%xmm0, %0\n\tmovq %%xmm7, %1\n\tmovq %%xmm15, %2\n\t"
			 "mov %%dr0, %3\n\tmov %%dr1, %4\n\tmov %%dr2, %5\n\tmov %%dr3, %6"
			 : "=r"(x0), "=r"(x7), "=r"(x15), "=r"(d0), "=r"(d1), "=r"(d2), "=r"(d3));
	return x0 == v && x7 == v && x15 == v && d0 == v && d1 == v && d2 == v && d3 == v;
}

/*
 * Two SYSCALL entry points, one per copy: each notes that it ran and goes straight back
 * (RCX holds the return address; SFMASK 0 left RFLAGS alone; CS and SS are the kernel's).
 */
static volatile uint32_t syscall_landed;
extern char syscall_entry_a[], syscall_entry_b[];
__asm__(".text\n"
	"syscall_entry_a: movl $0xa, syscall_landed(%rip); jmp *%rcx\n"
	"syscall_entry_b: movl $0xb, syscall_landed(%rip); jmp *%rcx\n");

static uint32_t syscall_lands(void)
{
	syscall_landed = 0;
	__asm__ volatile("syscall" ::: "rcx", "r11", "memory");
	return syscall_landed;
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t cr4,
		pattern = si->cmdline[0] == 'A' ? 0x1111aaaa2222bbbbull : 0x3333cccc4444ddddull;
	int failures = 0, lost = 0;

	if (guest_open())
		return 99;
	/* SSE on (CR4.OSFXSR): a guest-owned bit, no exit. */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 9) | (1u << 10)));
	/* Two yields: the first copy sets its pattern while the second is still here. */
	gk_yield();
	gk_yield();
	check(&failures, regs_hold_dr(0), "DR0-DR3 start at zero, not the other VM's");
	set_regs(pattern);
	for (int i = 0; i < 200; i++) {
		gk_yield(); /* the other copy runs and sets its own pattern */
		lost += !regs_hold(pattern);
	}
	check(&failures, lost == 0, "XMM and DR0-DR3 keep this VM's values across switches");

	/*
	 * SWAPGS changes IA32_KERNEL_GS_BASE without an exit: it must still be this VM's after
	 * switches (GS.base is in the VMCS). Swapped, yielded, swapped back: both as they were.
	 */
	wrmsr(MSR_GS_BASE, pattern >> 16); /* canonical addresses of this VM's own */
	wrmsr(MSR_KERNEL_GS_BASE, pattern >> 20);
	__asm__ volatile("swapgs" ::: "memory");
	for (int i = 0; i < 20; i++)
		gk_yield();
	__asm__ volatile("swapgs" ::: "memory");
	check(&failures, rdmsr(MSR_GS_BASE) == pattern >> 16, "GS.base back after SWAPGS twice");
	check(&failures, rdmsr(MSR_KERNEL_GS_BASE) == pattern >> 20,
	      "IA32_KERNEL_GS_BASE kept across switches while swapped in by SWAPGS");

	/*
	 * STAR, LSTAR and SFMASK are not in the VMCS either, and nothing reads them back but
	 * SYSCALL: after the other copy set its own entry, this one's must still be the CPU's.
	 */
	int a = si->cmdline[0] == 'A', wrong = 0;

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (uint64_t)GUEST_SEL_CODE << 32); /* SYSCALL's CS; SS is the next one */
	wrmsr(MSR_SFMASK, 0);
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)(a ? syscall_entry_a : syscall_entry_b));
	for (int i = 0; i < 20; i++) {
		gk_yield();
		wrong += syscall_lands() != (a ? 0xa : 0xb);
	}
	check(&failures, wrong == 0, "SYSCALL lands at this VM's own LSTAR across switches");
	return report(si, failures, 0);
}
