/*
 * Starting the other CPUs (arch_smp_start, see hv/arch.h): the start-up code copied to a
 * free page below 1 MiB (trampoline.S), INIT to every CPU, the SDM's 10 ms, then to one CPU
 * at a time a SIPI, 200 us, a second SIPI if it has not answered, and a bounded wait for it
 * to claim the start parameters (SDM Vol. 3A 9.4.4.1, "Typical BSP Initialization
 * Sequence"). Each CPU then runs smp_ap_main on its own stack and tables, checks and enables
 * hardware virtualization and its local APIC, reports, and goes to its scheduler
 * (sched_cpu_main), or halts for good when left out. Delays are timed by the TSC.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/pt.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/string.h>

#define AP_STACK_PAGES 4
#define TABLE_PAGES ((sizeof(struct cpu_tables) + PAGE_SIZE - 1) / PAGE_SIZE)
#define LOW_MEMORY_END 0x100000
#define CLAIM_FREE 0
#define CLAIM_TAKEN 1	 /* by the CPU it is for (trampoline.S writes it) */
#define CLAIM_GIVEN_UP 2 /* by the boot CPU, after waiting long enough */
#define EFER_SVME (1ull << 12)
#define ANSWER_US 1000000		      /* how long a CPU has to answer its SIPIs */
#define US(n) (arch_tsc_hz() * (n) / 1000000) /* (hz below 2^44: no overflow) */

/* In the trampoline page, at smp_tramp_params; trampoline.S reads it (P_* offsets). */
struct smp_tramp_params {
	uint32_t expected_id; /* the APIC id of the one CPU these are for */
	uint32_t claim;	      /* CLAIM_*: whoever changes it from CLAIM_FREE decides */
	uint64_t cr3;
	uint64_t stack_top;
	uint64_t arg; /* struct ap_start * */
};

_Static_assert(sizeof(struct smp_tramp_params) == 32, "trampoline.S reserves 32 bytes");

extern const uint8_t smp_trampoline[], smp_trampoline_end[], smp_tramp_gdt[], smp_tramp_gdtr[],
	smp_tramp_pm32[], smp_tramp_pm32_ptr[], smp_tramp_lm64[], smp_tramp_lm64_ptr[],
	smp_tramp_params[];

/*
 * What one CPU starts with and reports back, in its tables' pages. The boot CPU writes it
 * before the CPU's SIPI; then the CPU sets started once it runs on its own stack, writes
 * why, its times and virt_pages, and after them (release) moves its record's state from
 * STARTING to where it ended; the boot CPU copies why into the record once it sees that
 * (acquire). So each field has one writer at a time, the record's why only ever
 * the boot CPU, and whichever of the two moves the state first decides it.
 */
struct ap_start {
	struct smp_cpu *rec; /* the CPU writes only rec->state (move_state) */
	struct cpu_tables *tables;
	unsigned int index;
	int virt, fail, fault; /* fail, fault: the test words smp.fail=, smp.fault= name it */
	uint64_t stack_top;
	uint32_t started; /* 1: it has left the trampoline's parameters for its own */
	uint32_t sipis;	  /* start-up IPIs it took (1 or 2), for the debug line */
	/* For the debug line: the boot CPU's TSC, then this CPU's (the two need not agree). */
	uint64_t sipi_cycles, claim_cycles;
	uint64_t entry_cycles, done_cycles;
	char why[SMP_WHY_MAX];
};

/* The boot CPU's control registers and MSRs that every CPU runs Shunt with. */
static struct {
	uint64_t cr0, cr4, efer, pat;
} host;

void smp_ap_main(struct ap_start *ap) __attribute__((noreturn));

/* Moves c from state from to to, unless someone else moved it first; 1 if this did. */
static int move_state(struct smp_cpu *c, uint32_t from, uint32_t to)
{
	return __atomic_compare_exchange_n(&c->state, &from, to, 0, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static struct ap_start *aps[CPU_MAX]; /* by index; the boot CPU's part of arch_smp_start */

static void park(void) __attribute__((noreturn));
static void park(void)
{
	/*
	 * A CPU left out (or one not ready for VMs), for good. Interrupts are off, so only an
	 * NMI wakes it (the handler counts it and returns here).
	 */
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

void smp_park_if_starting(const char *name, uint64_t vector, uint64_t rip)
{
	unsigned int i = cpu_this()->index;
	struct ap_start *ap = i && i < CPU_MAX ? aps[i] : NULL;

	if (!ap || __atomic_load_n(&ap->rec->state, __ATOMIC_ACQUIRE) != SMP_CPU_STARTING)
		return;
	fmt_snprintf(ap->why, sizeof(ap->why),
		     "exception %s (vector %llu) at 0x%llx while starting", name,
		     (unsigned long long)vector, (unsigned long long)rip);
	ap->done_cycles = rdtsc();
	move_state(ap->rec, SMP_CPU_STARTING, SMP_CPU_FAILED);
	park();
}

void smp_ap_main(struct ap_start *ap)
{
	uint32_t to = SMP_CPU_UP;

	ap->entry_cycles = rdtsc();
	/* Tables first: from here on an exception lands in smp_park_if_starting. */
	cpu_tables_load(ap->tables, ap->index, ap->rec->hw_id);
	traps_load_idt();
	__atomic_store_n(&ap->started, 1, __ATOMIC_RELEASE);
	write_cr0(host.cr0);
	write_cr4(host.cr4 & ~CR4_VMXE); /* the vendor's enable sets what it needs */
	wrmsr(MSR_IA32_EFER, host.efer & ~EFER_SVME);
	wrmsr(MSR_IA32_PAT, host.pat);
	if (ap->fault)
		__asm__ volatile("ud2"); /* smp.fault=: smp_park_if_starting takes it from here */
	if (ap->virt)
		to = virt_cpu_enable(ap->fail, ap->index, cpu_this()->virt_pages, ap->why,
				     sizeof(ap->why))
			     ? SMP_CPU_FAILED
			     : SMP_CPU_READY;
	if (to == SMP_CPU_READY)
		apic_cpu_init(); /* its kicks and its idle waits' timer */
	ap->done_cycles = rdtsc();
	/* Fails if the boot CPU gave up on it: then it stays out for good. */
	if (move_state(ap->rec, SMP_CPU_STARTING, to) && to == SMP_CPU_READY)
		sched_cpu_main();
	park();
}

static void wait_cycles(uint64_t n)
{
	uint64_t end = rdtsc() + n;

	while (rdtsc() < end)
		pause();
}

/* Waits up to n cycles for *p to leave value; its last value. */
static uint32_t wait_change(const uint32_t *p, uint32_t value, uint64_t n)
{
	uint64_t end = rdtsc() + n;
	uint32_t v;

	while ((v = __atomic_load_n(p, __ATOMIC_ACQUIRE)) == value && rdtsc() < end)
		pause();
	return v;
}

/* A page below 1 MiB that was RAM and is Shunt's (mm reserved low memory), not page 0. */
static hpa_t find_trampoline_page(void)
{
	const struct memmap *map = mm_memmap();

	for (hpa_t p = PAGE_SIZE; p < LOW_MEMORY_END; p += PAGE_SIZE)
		if (memmap_spans(map, p, p + PAGE_SIZE, MEMMAP_TYPE_BIT(MEMMAP_LOW)))
			return p;
	return 0;
}

static void patch32(uint8_t *page, const uint8_t *field, uint32_t value)
{
	memcpy(page + (field - smp_trampoline), &value, 4);
}

static struct smp_tramp_params *install_trampoline(hpa_t page)
{
	uint8_t *p = phys_to_virt(page);
	uint32_t base = (uint32_t)page;

	memcpy(p, smp_trampoline, (size_t)(smp_trampoline_end - smp_trampoline));
	patch32(p, smp_tramp_gdtr + 2, base + (uint32_t)(smp_tramp_gdt - smp_trampoline));
	patch32(p, smp_tramp_pm32_ptr, base + (uint32_t)(smp_tramp_pm32 - smp_trampoline));
	patch32(p, smp_tramp_lm64_ptr, base + (uint32_t)(smp_tramp_lm64 - smp_trampoline));
	return (struct smp_tramp_params *)(p + (smp_tramp_params - smp_trampoline));
}

static void give_up(struct smp_cpu *c, const char *why)
{
	fmt_snprintf(c->why, sizeof(c->why), "%s", why);
	c->ready_cycles = rdtsc();
	__atomic_store_n(&c->state, SMP_CPU_NO_ANSWER, __ATOMIC_RELEASE);
}

static void fail_all(struct smp_cpu *cpus, unsigned int count, const char *why)
{
	for (unsigned int i = 1; i < count; i++)
		give_up(&cpus[i], why);
}

/* The start of CPU i: its tables and stack, or NULL (and why in the record). */
static struct ap_start *prepare(struct smp_cpu *c, unsigned int i, int virt, unsigned int fail,
				unsigned int fault)
{
	hpa_t tables, stack;
	struct ap_start *ap;

	if (!apic_is_x2apic() && c->hw_id > 0xfe) {
		give_up(c, "its APIC id needs x2APIC mode, which this machine's APIC lacks");
		return NULL;
	}
	if (mm_alloc_frames(TABLE_PAGES + 1, PAGE_SIZE, &tables) ||
	    mm_alloc_frames(AP_STACK_PAGES + 1, PAGE_SIZE, &stack)) {
		give_up(c, "no memory for its stack and tables");
		return NULL;
	}
	/* The page under the stack is unmapped: an overflow faults (#DF on its IST stack). */
	if (paging_guard_page(stack))
		log_warn("smp: CPU %u: no guard page under its stack (out of memory)\n", i);
	else
		((struct cpu_tables *)phys_to_virt(tables))->stack_guard = stack;
	stack += PAGE_SIZE;
	/* The ap_start in the page after the tables: both stay this CPU's for good. */
	ap = (struct ap_start *)((uint8_t *)phys_to_virt(tables) + TABLE_PAGES * PAGE_SIZE);
	*ap = (struct ap_start){ .rec = c,
				 .tables = phys_to_virt(tables),
				 .index = i,
				 .virt = virt,
				 .fail = fail == i,
				 .fault = fault == i,
				 .stack_top = stack + AP_STACK_PAGES * PAGE_SIZE };
	return ap;
}

/*
 * SIPI, 200 us, a second SIPI if need be, then up to ANSWER_US for the CPU to claim params.
 * A CPU answers in microseconds; the wait is long for emulators on a busy host, whose CPUs
 * are threads that may not run for a while (QEMU's TCG once took over 100 ms), and it costs
 * nothing unless a CPU the MADT calls enabled is missing.
 */
static void start_one(struct smp_tramp_params *params, hpa_t page, struct ap_start *ap)
{
	struct smp_cpu *c = ap->rec;
	uint32_t free = CLAIM_FREE;

	*params = (struct smp_tramp_params){ .expected_id = c->hw_id,
					     .claim = CLAIM_FREE,
					     .cr3 = read_cr3(),
					     .stack_top = ap->stack_top,
					     .arg = (uint64_t)(uintptr_t)ap };
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ap->sipi_cycles = rdtsc();
	ap->sipis = 1;
	apic_send_startup(c->hw_id, (uint8_t)(page >> 12));
	if (wait_change(&params->claim, CLAIM_FREE, US(200)) == CLAIM_FREE) {
		ap->sipis = 2;
		apic_send_startup(c->hw_id, (uint8_t)(page >> 12));
		wait_change(&params->claim, CLAIM_FREE, US(ANSWER_US));
	}
	ap->claim_cycles = rdtsc();
	if (__atomic_compare_exchange_n(&params->claim, &free, CLAIM_GIVEN_UP, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		give_up(c, "it did not answer INIT-SIPI-SIPI within 1 s");
		return;
	}
	/* Claimed: the params are read at once; its first C line says it has them. */
	if (!wait_change(&ap->started, 0, US(1000000)) &&
	    move_state(c, SMP_CPU_STARTING, SMP_CPU_NO_ANSWER)) {
		fmt_snprintf(c->why, sizeof(c->why), "it started but never reached Shunt's code");
		c->ready_cycles = rdtsc();
	}
}

/*
 * Waits (bounded) for CPU c to finish its checks (all CPUs run theirs at once, so the waits
 * overlap) and takes its report; one still at them after 1 s is left out.
 */
static void collect(struct smp_cpu *c, const struct ap_start *ap)
{
	if (c->state == SMP_CPU_NO_ANSWER)
		return; /* given up on already, why written */
	if (wait_change(&c->state, SMP_CPU_STARTING, US(1000000)) == SMP_CPU_STARTING &&
	    move_state(c, SMP_CPU_STARTING, SMP_CPU_FAILED)) {
		fmt_snprintf(c->why, sizeof(c->why), "it did not finish its checks within 1 s");
		c->ready_cycles = rdtsc();
		return;
	}
	/* It moved its state itself (move_state's acquire): its report is complete. */
	memcpy(c->why, ap->why, sizeof(c->why));
	c->why[sizeof(c->why) - 1] = '\0';
	c->ready_cycles = rdtsc(); /* the boot CPU's clock: CPUs' TSCs may differ */
}

void arch_smp_start(struct smp_cpu *cpus, unsigned int count, int virt, unsigned int fail,
		    unsigned int fault, uint64_t *first_init)
{
	struct smp_tramp_params *params;
	hpa_t page = find_trampoline_page();

	*first_init = rdtsc(); /* if it comes to no INIT at all */
	if (!page) {
		fail_all(cpus, count, "no free page below 1 MiB for the start-up code");
		return;
	}
	if (apic_init()) {
		fail_all(cpus, count, "the boot CPU has no usable local APIC to start it with");
		return;
	}
	host.cr0 = read_cr0();
	host.cr4 = read_cr4();
	host.efer = rdmsr(MSR_IA32_EFER);
	host.pat = rdmsr(MSR_IA32_PAT);
	log_debug("smp: starting %u CPUs through the %s, start-up code at 0x%llx\n", count - 1,
		  apic_is_x2apic() ? "x2APIC" : "xAPIC", (unsigned long long)page);
	params = install_trampoline(page);
	params->expected_id = 0xffffffffu; /* for no one, until start_one says */
	for (unsigned int i = 1; i < count && i < CPU_MAX; i++)
		aps[i] = prepare(&cpus[i], i, virt, fail, fault);
	arch_tsc_hz(); /* measured once, now, not inside the waits it times */
	*first_init = rdtsc();
	for (unsigned int i = 1; i < count && i < CPU_MAX; i++)
		if (aps[i])
			apic_send_init(cpus[i].hw_id);
	wait_cycles(US(10000));
	for (unsigned int i = 1; i < count && i < CPU_MAX; i++)
		if (aps[i])
			start_one(params, page, aps[i]);
	params->expected_id = 0xffffffffu;
	for (unsigned int i = 1; i < count && i < CPU_MAX; i++)
		if (aps[i])
			collect(&cpus[i], aps[i]);
	for (unsigned int i = 1; i < count && i < CPU_MAX; i++)
		if (aps[i])
			log_debug("smp: CPU %u: %u SIPI%s, answered %llu ticks after the first, "
				  "its checks took %llu ticks of its own\n",
				  i, aps[i]->sipis, aps[i]->sipis == 1 ? "" : "s",
				  (unsigned long long)(aps[i]->claim_cycles - aps[i]->sipi_cycles),
				  (unsigned long long)(aps[i]->done_cycles - aps[i]->entry_cycles));
}
