/*
 * A guest with two vCPUs (vcpus=2, ABI 1.5). vCPU 0 checks VCPU_START's refusals (vCPU 0
 * itself, ids past the count, a bad stack or entry, an IPI to a vCPU not started), starts
 * vCPU 1, which checks its own refusals, then both run a stretch of work at once and
 * exchange PV IPIs (EVENT_SEND to the other vCPU) in ping-pong, each waiting in `sti; hlt`.
 * vCPU 0 prints each vCPU's work as PV clock time stamps, their overlap, and how often each
 * saw the other's progress during its own work: "parallel" when both saw it often (only two
 * CPUs at once can do that: on one CPU the other vCPU moves only between slices). Command
 * line (after "--"): ipis=N ping-pong rounds (default 100); "bench": ipi_round_trip, the
 * ticks per round, best of REPEATS runs of ROUNDS, instead of the checks; hammer_ms=N: then
 * both vCPUs make VERSION hypercalls without pause for N ms of the PV clock (what another
 * VM's stop and restart must not disturb), each checking every answer, and vCPU 0 prints
 * a progress line every second ("smp: hammering: vCPU 0 N calls, vCPU 1 M calls, wrong
 * answers W").
 */
#include "guest.h"

#define PING (PV_EVENT_GUEST_FIRST + 0) /* vCPU 0 to vCPU 1 */
#define PONG (PV_EVENT_GUEST_FIRST + 1) /* and back */
#define EVENT_VECTOR 0x40
#define WORK_LOOPS 100000
#define PARALLEL_SEEN 64 /* the other's progress seen this often: they ran at the same time */
#define START_ARG 0x5eed5eed5eedull
#define REPEATS 8
#define ROUNDS 32

static struct pv_vcpu_page pages[2] __attribute__((aligned(4096)));
static uint8_t ap_stack[16384] __attribute__((aligned(16)));
static struct guest_gate idts[2][256] __attribute__((aligned(16)));

/* Between the two vCPUs: each field written by one of them (x86 keeps stores in order). */
static struct {
	volatile uint64_t progress[2];		    /* work loops done */
	volatile uint64_t work_from[2], work_to[2]; /* PV clock ns */
	volatile uint64_t seen[2];		    /* the other's progress changes seen */
	volatile uint64_t pings, pongs;		    /* handled by vCPU 1, by vCPU 0 */
	volatile uint64_t ipis;			    /* rounds vCPU 1 answers */
	volatile uint64_t self1, arg1;		    /* what vCPU 1 found */
	volatile uint32_t ready, go, work_done1, failures1;
	volatile uint64_t hammer_until, hammered[2]; /* hammer_ms: PV clock end, calls made */
	volatile uint64_t wrong[2];		     /* hammer_ms: wrong answers seen */
	volatile int64_t version;		     /* hammer_ms: VERSION's answer before */
	volatile uint32_t hammer, hammer_done1;
} shared;

extern char ap_entry[], upcall0_entry[], upcall1_entry[];
void ap_main(uint64_t arg);
void upcall0(void);
void upcall1(void);

static void on_event(unsigned int event, void *context)
{
	(void)context;
	if (event == PONG)
		shared.pongs++;
	else if (event == PING)
		shared.pings++;
}

void upcall0(void)
{
	gk_events_dispatch(&pages[0], on_event, 0);
}

void upcall1(void)
{
	gk_events_dispatch(&pages[1], on_event, 0);
}

GUEST_UPCALL_ENTRY(upcall0_entry, upcall0);
GUEST_UPCALL_ENTRY(upcall1_entry, upcall1);
GK_VCPU_ENTRY(ap_entry, ap_main);

/* Each vCPU its own IDT (IDTR is per vCPU), with its upcall at EVENT_VECTOR. */
static void idt_load(unsigned int self, char *handler)
{
	uint64_t a = (uint64_t)(uintptr_t)handler;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idts[0]) - 1, (uint64_t)(uintptr_t)idts[self] };

	idts[self][EVENT_VECTOR] =
		(struct guest_gate){ (uint16_t)a,	  0x08, 0, 0x8e, (uint16_t)(a >> 16),
				     (uint32_t)(a >> 32), 0 };
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

/* The vCPU page, the IDT and the event vector of vCPU self: 0, or what failed. */
static int events_setup(unsigned int self, char *handler)
{
	if (gk_vcpu_page_set(&pages[self]) < 0)
		return 1;
	idt_load(self, handler);
	return gk_events_bind(EVENT_VECTOR) < 0 ? 2 : 0;
}

/* Sleeps in `sti; hlt` (interrupts off around it) until an event's handler moves *counter. */
/*
 * Waits for *flag to be set by the other vCPU: spinning (on its own CPU the other sets it in
 * microseconds; a YIELD alone on a CPU would only spend the "other" rate class), yielding
 * every 1,000 spins so that on one CPU the other gets its turn before the slice ends.
 */
static void wait_flag(volatile uint32_t *flag)
{
	for (unsigned int i = 0; !*flag; i++)
		if (i % 1000 == 999)
			gk_yield();
		else
			__asm__ volatile("pause");
}

static void wait_above(volatile uint64_t *counter, uint64_t value)
{
	while (*counter <= value)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Both vCPUs at once: counts, and looks at the other's count at every step. */
static void work(unsigned int self)
{
	unsigned int other = 1 - self;
	uint64_t last = shared.progress[other], seen = 0;

	shared.work_from[self] = gk_clock_ns(&pages[self]);
	for (int i = 0; i < WORK_LOOPS; i++) {
		uint64_t now = shared.progress[other];

		shared.progress[self]++;
		if (now != last) {
			seen++;
			last = now;
		}
	}
	shared.work_to[self] = gk_clock_ns(&pages[self]);
	shared.seen[self] = seen;
}

#define HAMMER_REPORT_NS 1000000000ull

/* vCPU 0's progress line while both hammer, written whole. */
static void hammer_report(void)
{
	char calls0[24], calls1[24], wrong[24];

	say_line((const char *[]){ "smp: hammering: vCPU 0 ",
				   gk_fmt_u64(calls0, shared.hammered[0]), " calls, vCPU 1 ",
				   gk_fmt_u64(calls1, shared.hammered[1]), " calls, wrong answers ",
				   gk_fmt_u64(wrong, shared.wrong[0] + shared.wrong[1]), GK_NULL });
}

/*
 * hammer_ms: VERSION calls on vCPU self until the shared deadline, the count published as it
 * goes (vCPU 0 reports both every second); 0, or -1 on a wrong answer.
 */
static int hammer_calls(unsigned int self)
{
	uint64_t next_report = gk_clock_ns(&pages[self]) + HAMMER_REPORT_NS, now;

	while ((now = gk_clock_ns(&pages[self])) < shared.hammer_until) {
		uint64_t bad = 0;

		for (int i = 0; i < 64; i++)
			bad += gk_hypercall0(PV_CALL_VERSION) != shared.version;
		shared.hammered[self] += 64;
		if (bad)
			shared.wrong[self] += bad;
		if (self == 0 && now >= next_report) {
			hammer_report();
			next_report = now + HAMMER_REPORT_NS;
		}
	}
	return shared.wrong[self] ? -1 : 0;
}

/* vCPU 1, from ap_entry: its own checks, the work, then it answers every PING with a PONG. */
void ap_main(uint64_t arg)
{
	uint64_t handled = 0;

	shared.self1 = gk_vcpu_self();
	shared.arg1 = arg;
	if (events_setup(1, upcall1_entry))
		shared.failures1 |= 1;
	if (gk_vcpu_start(0, (uint64_t)(uintptr_t)ap_entry, 0x100000, 0) != PV_EBUSY)
		shared.failures1 |= 2; /* vCPU 0 runs */
	if (gk_vcpu_start(1, (uint64_t)(uintptr_t)ap_entry, 0x100000, 0) != PV_EINVAL)
		shared.failures1 |= 4; /* itself */
	shared.ready = 1;
	wait_flag(&shared.go);
	work(1);
	shared.work_done1 = 1;
	while (handled < shared.ipis) {
		wait_above(&shared.pings, handled);
		handled++;
		if (gk_ipi_send(0, PONG))
			shared.failures1 |= 8;
	}
	wait_flag(&shared.hammer);
	if (hammer_calls(1))
		shared.failures1 |= 16;
	shared.hammer_done1 = 1;
}

/* One ping-pong round from vCPU 0: PING to vCPU 1, then asleep until its PONG. 0 or error. */
static int64_t round_trip(void)
{
	uint64_t before = shared.pongs;
	int64_t r = gk_ipi_send(1, PING);

	if (r == 0)
		wait_above(&shared.pongs, before);
	return r;
}

static uint64_t ipi_rounds(unsigned int rounds, int *failures)
{
	uint64_t t0 = gk_rdtsc();

	for (unsigned int i = 0; i < rounds; i++)
		if (round_trip())
			(*failures)++;
	return gk_rdtsc() - t0;
}

/* Refusals of VCPU_START and of an IPI, before vCPU 1 runs. */
static void check_refusals(int *failures, uint64_t entry, uint64_t stack_top, uint64_t ram_top)
{
	check_val(failures, gk_vcpu_start(0, entry, stack_top, 0) == PV_EINVAL,
		  "start of vCPU 0 (the caller) refused PV_EINVAL",
		  gk_vcpu_start(0, entry, stack_top, 0));
	check_val(failures, gk_vcpu_start(2, entry, stack_top, 0) == PV_EINVAL,
		  "start of vCPU 2 (past the count) refused PV_EINVAL",
		  gk_vcpu_start(2, entry, stack_top, 0));
	check(failures, gk_call_vcpu_start(1ull << 32 | 1, entry, stack_top, 0) == PV_EINVAL,
	      "a 64-bit id that is 1 in its low half refused");
	check(failures, gk_vcpu_start(1, entry, stack_top - 8, 0) == PV_EINVAL,
	      "a stack not 16-byte aligned refused");
	check(failures, gk_vcpu_start(1, ram_top, stack_top, 0) == PV_EFAULT,
	      "an entry at the end of RAM refused");
	check(failures, gk_vcpu_start(1, 1ull << 63, stack_top, 0) == PV_EFAULT,
	      "an entry far outside RAM refused");
	check(failures, gk_vcpu_start(1, entry, ram_top + 16, 0) == PV_EFAULT,
	      "a stack above RAM refused");
	check(failures, gk_vcpu_start(1, entry, 0, 0) == PV_EFAULT, "a stack at 0 refused");
	check(failures, gk_ipi_send(1, PING) == PV_EINVAL, "an IPI to a vCPU not started refused");
	check(failures, gk_ipi_send(2, PING) == PV_EINVAL, "an IPI to vCPU 2 (past the count)");
}

static void say_u64(const char *label, uint64_t v)
{
	char buf[24];

	say(label);
	say(gk_fmt_u64(buf, v));
}

/*
 * The work's time stamps, their overlap and the progress each saw, as one line per vCPU
 * and "smp: overlap N ns; progress of the other seen A and B times: parallel|interleaved".
 */
static void report_work(void)
{
	uint64_t from = shared.work_from[0] > shared.work_from[1] ? shared.work_from[0]
								  : shared.work_from[1];
	uint64_t to = shared.work_to[0] < shared.work_to[1] ? shared.work_to[0] : shared.work_to[1];
	int parallel = shared.seen[0] >= PARALLEL_SEEN && shared.seen[1] >= PARALLEL_SEEN;

	for (unsigned int v = 0; v < 2; v++) {
		say_u64("smp: vCPU ", v);
		say_u64(" worked from ", shared.work_from[v]);
		say_u64(" to ", shared.work_to[v]);
		say(" ns (PV clock)\n");
	}
	say_u64("smp: overlap ", to > from ? to - from : 0);
	say_u64(" ns; progress of the other seen ", shared.seen[0]);
	say_u64(" and ", shared.seen[1]);
	say(parallel ? " times: parallel\n" : " times: interleaved\n");
}

static int64_t bench_ipi(const struct pv_start_info *si)
{
	uint64_t best = UINT64_MAX;
	int failures = 0;

	ipi_rounds(ROUNDS, &failures); /* warm up */
	for (int i = 0; i < REPEATS; i++) {
		uint64_t t = ipi_rounds(ROUNDS, &failures);

		if (t < best)
			best = t;
	}
	say_num("bench: ipi_round_trip: ",
		(int64_t)(best / ROUNDS)); /* ticks: the harness's unit */
	return report(si, failures, 0);
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t entry = (uint64_t)(uintptr_t)ap_entry;
	uint64_t stack_top = (uint64_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
	uint64_t ram_top = si->mem[1].base + si->mem[1].size;
	struct pv_vm_info info;
	int failures = 0, bench = si->cmdline[0] == 'b';
	uint64_t ticks;

	if (guest_open())
		return 99;
	check_eq(&failures, gk_vcpu_count(si), 2, "gk_vcpu_count (start-info)");
	check(&failures, gk_vm_info(&info) == 0 && info.vcpu_count == 2, "VM_INFO: 2 vCPUs");
	check_eq(&failures, gk_vcpu_self(), 0, "gk_vcpu_self on the first vCPU");
	check(&failures, gk_cpuid_reg(PV_CPUID_FEATURES, 0) & PV_FEATURE_VCPU_START,
	      "PV_FEATURE_VCPU_START offered");
	check(&failures, events_setup(0, upcall0_entry) == 0, "vCPU 0's page and vector");
	check_refusals(&failures, entry, stack_top, ram_top);
	shared.ipis = bench ? (REPEATS + 1) * ROUNDS : guest_arg(si->cmdline, "ipis", 100);
	check_val(&failures, gk_vcpu_start(1, entry, stack_top, START_ARG) == 0, "vCPU 1 started",
		  0);
	check(&failures, gk_vcpu_start(1, entry, stack_top, START_ARG) == PV_EBUSY,
	      "a second start of vCPU 1 (running) refused PV_EBUSY");
	wait_flag(&shared.ready);
	check_eq(&failures, shared.self1, 1, "gk_vcpu_self on vCPU 1");
	check_eq(&failures, shared.arg1, START_ARG, "vCPU 1's argument (RDI)");
	check_eq(&failures, shared.failures1 & 7, 0,
		 "vCPU 1's own checks (bits: 1 page/vector, "
		 "2 start of vCPU 0, 4 start of itself)");
	if (bench) {
		shared.go = 1;
		return failures ? report(si, failures, 0) : bench_ipi(si);
	}
	shared.go = 1;
	work(0);
	wait_flag(&shared.work_done1);
	report_work();
	ticks = ipi_rounds((unsigned int)shared.ipis, &failures);
	check_eq(&failures, shared.pings, shared.ipis, "PINGs vCPU 1 handled");
	check_eq(&failures, shared.pongs, shared.ipis, "PONGs vCPU 0 handled");
	check_eq(&failures, shared.failures1, 0, "vCPU 1's checks (8: a PONG refused)");
	say_num("smp: IPI round trips ", (int64_t)shared.ipis);
	say_num("smp: ticks per round trip ", shared.ipis ? (int64_t)(ticks / shared.ipis) : 0);
	if (guest_arg(si->cmdline, "hammer_ms", 0)) {
		shared.version = gk_hypercall0(PV_CALL_VERSION);
		check(&failures, shared.version > 0, "VERSION answered before the hammering");
		shared.hammer_until =
			gk_clock_ns(&pages[0]) + guest_arg(si->cmdline, "hammer_ms", 0) * 1000000;
		shared.hammer = 1;
		check(&failures, hammer_calls(0) == 0, "every VERSION answered on vCPU 0");
		wait_flag(&shared.hammer_done1);
		check_eq(&failures, shared.failures1, 0,
			 "vCPU 1's VERSION answers (16: a wrong one)");
		check(&failures, shared.hammered[0] && shared.hammered[1], "both vCPUs hammered");
		say_num("smp: hypercalls hammered by vCPU 0 ", (int64_t)shared.hammered[0]);
		say_num("smp: hypercalls hammered by vCPU 1 ", (int64_t)shared.hammered[1]);
	}
	return report(si, failures, 0);
}
