/*
 * The benchmark guest. Under Bochs the TSC counts instructions, so every figure is the
 * instructions spent, hypervisor included, net of the same loop doing nothing. What it
 * measures depends on its command line (after "--" in its module options):
 *   (empty)        prints: null hypercall, emulated UART register write, PV clock read, a
 *                  trapped time source (RDMSR of IA32_TSC), CPUID and RDMSR exits, TIMER_SET,
 *                  EVENT_SEND and a timer cancel (TIMER_SET 0) round trips
 *   ratelimit      prints the timer cancel round trip only: run in a VM whose "other" class
 *                  is unlimited, beside one where it is limited, for the rate limit's cost
 *   switch         YIELD back and forth with another VM in this mode: prints the ticks from
 *                  one VM's last instruction to the other's first
 *   idle=N         N times: a PV timer 10 ms ahead, then sti; hlt until its event. Prints
 *                  how long that took; the harness reads the VM's exits from the summary
 *   count          for the counting build of Shunt only (its bench MSRs): the ticks from
 *                  Shunt's entry to this guest's first instructions, and the VMREADs and
 *                  VMWRITEs of a null hypercall
 *   console-uart   exit code = 100 x ticks per byte written through the emulated UART
 *   console-ring   exit code = 100 x ticks per byte written through the console ring
 *   mgmt=N         mgmt_guest_slowdown: N windows of null hypercalls and computing, then
 *                  "bench-mgmt: load now" (the harness loads the management API), a pause
 *                  for its clients to start, N windows more, "bench-mgmt: done"; prints the
 *                  second phase's ticks over the first's
 *   hw             prints the cost per port operation on a real UART's scratch register:
 *                  trapped and forwarded (COM2, io grant), by HW_PORT_BATCH in batches of
 *                  1, 8 and 64 (COM2), and by passthrough (COM3), with no rate limit
 * The console modes run with console=discard, so the host's serial line, which is paced
 * and would dominate both, is out of the measurement; the exit code carries the result.
 * The TSC counts every instruction of the machine, so a measurement that spans a switch to
 * another VM counts that VM's slice too: each figure is the best of REPEATS runs.
 */
#include "guest.h"

#define ITERATIONS 2000
#define CONSOLE_BYTES 1024 /* bytes per measured run */
#define REPEATS 8
#define UART_SCRATCH (GK_UART_COM1 + 7)
#define MSR_IA32_TSC 0x10
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EVENT_VECTOR 0x41
/* The counting build's MSRs (arch/x86_64/vmx/exit_msr.c): not in a Shunt users run. */
#define MSR_SHUNT_BENCH_VMCS_ACCESSES 0x400000f0
#define MSR_SHUNT_BENCH_ENTRY_TSC 0x400000f1

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static struct {
	struct pv_console_ring header;
	uint8_t data[4096];
} ring __attribute__((aligned(64)));
static char text[CONSOLE_BYTES];

/* The fewest ticks of REPEATS runs of fn(arg): the run no other VM's slice fell into. */
static uint64_t best_of(uint64_t (*fn)(uint32_t), uint32_t arg)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < REPEATS; i++) {
		uint64_t ticks = fn(arg);

		if (ticks < best)
			best = ticks;
	}
	return best;
}

static uint64_t loop_empty(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		__asm__ volatile("" ::: "memory");
	return gk_rdtsc() - t0;
}

static uint64_t loop_hypercall(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		gk_hypercall0(PV_CALL_VERSION);
	return gk_rdtsc() - t0;
}

static uint64_t loop_uart(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		gk_outb(UART_SCRATCH, (uint8_t)i);
	return gk_rdtsc() - t0;
}

static uint64_t loop_pv_clock(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc(), sum = 0;

	for (int i = 0; i < ITERATIONS; i++)
		sum += gk_clock_ns(&page);
	__asm__ volatile("" ::"r"(sum));
	return gk_rdtsc() - t0;
}

static uint64_t loop_trapped_tsc(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++) {
		uint32_t lo, hi;

		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_IA32_TSC));
	}
	return gk_rdtsc() - t0;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t loop_rdmsr(uint32_t msr)
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		rdmsr(msr);
	return gk_rdtsc() - t0;
}

static uint64_t loop_cpuid(uint32_t leaf)
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++) {
		uint32_t a = leaf, b, c = 0, d;

		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
	return gk_rdtsc() - t0;
}

static int call_failures; /* calls in a timed loop that did not return 0: the figure is void */

/* TIMER_SET to a deadline 1 s ahead, replacing the one set before: what a tickless kernel does. */
static uint64_t loop_timer_set(uint32_t unused __attribute__((unused)))
{
	uint64_t deadline = gk_clock_ns(&page) + 1000000000ull, t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		call_failures += gk_call_timer_set(deadline) != 0;
	return gk_rdtsc() - t0;
}

/* TIMER_SET 0, which cancels: the cheapest call of the rate-limited "other" class. */
static uint64_t loop_timer_cancel(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		call_failures += gk_call_timer_set(0) != 0;
	return gk_rdtsc() - t0;
}

/* EVENT_SEND of a guest event to this vCPU, its vector unbound: the bit is set, no upcall. */
static uint64_t loop_event_send(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		call_failures += gk_event_send(0, PV_EVENT_GUEST_FIRST) != 0;
	return gk_rdtsc() - t0;
}

static void print_figure(const char *name, uint64_t total, uint64_t empty)
{
	char buf[24];
	uint64_t per = total > empty ? (total - empty) / ITERATIONS : 0;

	say("bench: ");
	say(name);
	say(": ");
	say(gk_fmt_u64(buf, per));
	say(" ticks\n");
}

/* Ticks to push CONSOLE_BYTES through the emulated UART, polling LSR. */
static uint64_t uart_text(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (uint32_t i = 0; i < CONSOLE_BYTES; i++)
		gk_uart_putc(GK_UART_COM1, text[i]);
	return gk_rdtsc() - t0;
}

/* The same through the console ring, its flush included. */
static uint64_t ring_text(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	gk_ring_write(&ring.header, text, CONSOLE_BYTES);
	gk_ring_flush();
	return gk_rdtsc() - t0;
}

#define HW_OPS 1536 /* divisible by 1, 8 and 64 */
#define COM2_SCRATCH (0x2f8 + 7)
#define COM3_SCRATCH (0x3e8 + 7)

static struct pv_port_op batch_ops[64];

static int batch_failures; /* HW_PORT_BATCH calls that did not run all their operations */

/* OUT to port, HW_OPS times. */
static uint64_t out_loop(uint32_t port)
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < HW_OPS; i++)
		gk_outb((uint16_t)port, (uint8_t)i);
	return gk_rdtsc() - t0;
}

/* The same loop with the same operands and no OUT: what out_loop costs beyond the ports. */
static uint64_t out_loop_empty(uint32_t port)
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < HW_OPS; i++)
		__asm__ volatile("" ::"a"((uint8_t)i), "Nd"((uint16_t)port));
	return gk_rdtsc() - t0;
}

/* HW_OPS operations in HW_PORT_BATCH calls of size operations each. */
static uint64_t batch_loop(uint32_t size)
{
	uint64_t t0;

	for (uint32_t i = 0; i < size; i++)
		batch_ops[i] = (struct pv_port_op){ COM2_SCRATCH, 1, 1, (uint8_t)i };
	t0 = gk_rdtsc();
	for (int i = 0; i < HW_OPS; i += (int)size)
		batch_failures += gk_call_hw_port_batch(GK_VIRT_TO_PHYS(batch_ops), size) != size;
	return gk_rdtsc() - t0;
}

/* The same number of passes, with no call. */
static uint64_t batch_loop_empty(uint32_t size)
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < HW_OPS; i += (int)size)
		__asm__ volatile("" ::: "memory");
	return gk_rdtsc() - t0;
}

/* Prints the ticks per operation of fn(arg) net of empty(arg), each the best of REPEATS. */
static void print_per_op(const char *name, uint64_t (*fn)(uint32_t), uint64_t (*empty)(uint32_t),
			 uint32_t arg)
{
	char buf[24];
	uint64_t total = best_of(fn, arg), loop = best_of(empty, arg);
	uint64_t per100 = total > loop ? (total - loop) * 100 / HW_OPS : 0;

	say("bench: ");
	say(name);
	say(": ");
	say(gk_fmt_u64(buf, per100 / 100));
	say(".");
	say(gk_fmt_u64(buf, per100 % 100 / 10));
	say(" ticks\n");
}

static int64_t bench_hw(const struct pv_start_info *si)
{
	batch_loop(1); /* warm up */
	print_per_op("port_op_trapped", out_loop, out_loop_empty, COM2_SCRATCH);
	print_per_op("port_op_batch_1", batch_loop, batch_loop_empty, 1);
	print_per_op("port_op_batch_8", batch_loop, batch_loop_empty, 8);
	print_per_op("port_op_batch_64", batch_loop, batch_loop_empty, 64);
	print_per_op("port_op_passthrough", out_loop, out_loop_empty, COM3_SCRATCH);
	if (batch_failures)
		say("bench: HW_PORT_BATCH failed: the batch figures are void\n");
	return report(si, batch_failures, 0);
}

/*
 * vm_switch: two VMs in this mode YIELD in turn, so each YIELD runs the other VM's loop once
 * and comes back: per pass, two switches and the other's loop. The same loop without the
 * VMCALL (RAX still loaded, guest-kit's choice of instruction made, the result still
 * checked) is the loop's own cost, counted twice (this VM's and the other's): what is left
 * is VMCALL to the next VM's first instruction, twice.
 */
#define SWITCHES 1000

static uint64_t loop_yield(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < SWITCHES; i++)
		call_failures += gk_call_yield() != 0;
	return gk_rdtsc() - t0;
}

static uint64_t loop_yield_empty(uint32_t unused __attribute__((unused)))
{
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < SWITCHES; i++) {
		int64_t ret;

		/*
		 * RAX loaded as for the call and left as a YIELD leaves it (0); guest-kit's choice
		 * of instruction (GK_HYPERCALL_INSN) made, with no instruction where it puts one.
		 */
		__asm__ volatile("cmpb $0, %[vmmcall]\n\tje 1f\n\tjmp 2f\n1:\n2:"
				 : "=a"(ret)
				 : "0"((uint64_t)0), GK_HYPERCALL_FLAG
				 : "memory");
		call_failures += ret != 0;
	}
	return gk_rdtsc() - t0;
}

static int64_t bench_switch(const struct pv_start_info *si)
{
	uint64_t total = best_of(loop_yield, 0), empty = best_of(loop_yield_empty, 0);
	uint64_t per = total > 2 * empty ? (total - 2 * empty) / SWITCHES / 2 : 0;
	char buf[24];

	say("bench: vm_switch: ");
	say(gk_fmt_u64(buf, per));
	say(" ticks\n");
	return report(si, call_failures, 0);
}

/* idle=N: sleeps in sti; hlt for N timers 10 ms apart; the summary shows its exits. */
static volatile unsigned int timer_events;

static void on_event(unsigned int event, void *context)
{
	(void)context;
	timer_events += event == PV_EVENT_TIMER;
}

void bench_upcall(void);
void bench_upcall(void)
{
	gk_events_dispatch(&page, on_event, 0);
}

GUEST_UPCALL_ENTRY(bench_event_entry, bench_upcall);
extern char bench_event_entry[];

static int64_t bench_idle(const struct pv_start_info *si, uint64_t timers)
{
	uint64_t t0;
	char buf[24];

	guest_idt_set(EVENT_VECTOR, bench_event_entry);
	if (gk_vcpu_page_set(&page) < 0 || gk_events_bind(EVENT_VECTOR) < 0)
		return -97;
	t0 = gk_clock_ns(&page);
	for (uint64_t i = 1; i <= timers; i++) {
		call_failures += gk_timer_set(t0 + i * 10000000ull) != 0;
		while (timer_events < i)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	say("bench: idle: ");
	say(gk_fmt_u64(buf, timers));
	say(" timers in ");
	say(gk_fmt_u64(buf, gk_clock_ns(&page) - t0));
	say(" ns\n");
	return report(si, call_failures, 0);
}

/* The counting build's figures: boot to this guest, and VMCS accesses per null hypercall. */
static int64_t bench_count(const struct pv_start_info *si, uint64_t first_tsc)
{
	uint64_t entry = rdmsr(MSR_SHUNT_BENCH_ENTRY_TSC), a0, a1, b0, b1, per100;
	char buf[24];

	say("bench: boot_to_first_guest: ");
	say(gk_fmt_u64(buf, first_tsc - entry));
	say(" ticks\n");
	loop_hypercall(0); /* warm up */
	a0 = rdmsr(MSR_SHUNT_BENCH_VMCS_ACCESSES);
	a1 = rdmsr(MSR_SHUNT_BENCH_VMCS_ACCESSES); /* what one read of the counter costs */
	b0 = rdmsr(MSR_SHUNT_BENCH_VMCS_ACCESSES);
	loop_hypercall(0);
	b1 = rdmsr(MSR_SHUNT_BENCH_VMCS_ACCESSES);
	per100 = ((b1 - b0) - (a1 - a0)) * 100 / ITERATIONS;
	say("bench: vmcs_accesses_per_null_hypercall: ");
	say(gk_fmt_u64(buf, per100 / 100));
	say(".");
	say(gk_fmt_u64(buf, per100 / 10 % 10));
	say(gk_fmt_u64(buf, per100 % 10));
	say("\n");
	return report(si, 0, 0);
}

#define MGMT_WORK 200000       /* a window's computing: about as long as its hypercalls */
#define MGMT_RAMP 100000000ull /* ticks for the harness's clients to start (1 s of Bochs) */

/* One window of mgmt=N: ITERATIONS null hypercalls and a fixed computation, in ticks. */
static uint64_t mgmt_window(void)
{
	volatile uint64_t acc = 1;
	uint64_t t0 = gk_rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		gk_hypercall0(PV_CALL_VERSION);
	for (uint64_t i = 0; i < MGMT_WORK; i++)
		acc = acc * 6364136223846793005ull + i;
	return gk_rdtsc() - t0;
}

/*
 * The ticks of windows windows with the management API idle, then under load: Shunt's
 * host work for the requests lands inside the windows (the TSC counts it), so their ratio
 * is what the load costs a guest. Totals, not a best-of: the interference is the point.
 */
static int64_t bench_mgmt(const struct pv_start_info *si, uint64_t windows)
{
	uint64_t idle = 0, loaded = 0, t0, hundredths;
	char buf[24];

	mgmt_window(); /* warm up */
	for (uint64_t w = 0; w < windows; w++)
		idle += mgmt_window();
	say("bench-mgmt: load now\n");
	t0 = gk_rdtsc();
	while (gk_rdtsc() - t0 < MGMT_RAMP)
		__asm__ volatile("pause");
	for (uint64_t w = 0; w < windows; w++)
		loaded += mgmt_window();
	say("bench-mgmt: done\n");
	say_num("bench-mgmt: ticks idle ", (int64_t)idle);
	say_num("bench-mgmt: ticks under load ", (int64_t)loaded);
	hundredths = (loaded * 100 + idle / 2) / idle;
	say("bench: mgmt_guest_slowdown: ");
	say(gk_fmt_u64(buf, hundredths / 100));
	say(hundredths % 100 < 10 ? ".0" : ".");
	say(gk_fmt_u64(buf, hundredths % 100));
	say("x\n");
	return report(si, 0, 0);
}

static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The number after "word=" in s, or 0. */
static uint64_t arg_number(const char *s, const char *word)
{
	uint64_t n = 0;

	while (*word && *s == *word)
		s++, word++;
	if (*word)
		return 0;
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (uint64_t)(*s++ - '0');
	return n;
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t first_tsc = gk_rdtsc(); /* before anything else: the end of the boot figure */
	uint64_t empty, hc, uart, clock, trapped, cpuid, msr, timer_set, event_send, cancel;

	if (guest_open())
		return -99;
	if (is(si->cmdline, "count"))
		return bench_count(si, first_tsc);
	if (is(si->cmdline, "switch"))
		return bench_switch(si);
	if (arg_number(si->cmdline, "idle="))
		return bench_idle(si, arg_number(si->cmdline, "idle="));
	if (arg_number(si->cmdline, "mgmt="))
		return bench_mgmt(si, arg_number(si->cmdline, "mgmt="));
	for (int i = 0; i < CONSOLE_BYTES; i++)
		text[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	if (is(si->cmdline, "console-uart"))
		return (int64_t)(best_of(uart_text, 0) * 100 / CONSOLE_BYTES);
	if (is(si->cmdline, "console-ring")) {
		if (gk_ring_init(&ring.header, sizeof(ring.data)) < 0)
			return -1;
		return (int64_t)(best_of(ring_text, 0) * 100 / CONSOLE_BYTES);
	}
	if (is(si->cmdline, "hw"))
		return bench_hw(si);
	if (gk_vcpu_page_set(&page) < 0)
		return -98;
	if (is(si->cmdline, "ratelimit")) {
		loop_timer_cancel(0); /* warm up */
		print_figure("timer_cancel_round_trip", best_of(loop_timer_cancel, 0),
			     best_of(loop_empty, 0));
		return report(si, call_failures, 0);
	}

	loop_hypercall(0); /* warm up: first exits touch cold paths */
	empty = best_of(loop_empty, 0);
	hc = best_of(loop_hypercall, 0);
	uart = best_of(loop_uart, 0);
	clock = best_of(loop_pv_clock, 0);
	trapped = best_of(loop_trapped_tsc, 0);
	cpuid = best_of(loop_cpuid, 0);
	msr = best_of(loop_rdmsr, MSR_KERNEL_GS_BASE);
	event_send = best_of(loop_event_send, 0);
	cancel = best_of(loop_timer_cancel, 0);
	timer_set = best_of(loop_timer_set, 0); /* last: an armed timer is the run loop's too */
	gk_timer_set(0);
	print_figure("null_hypercall_round_trip", hc, empty);
	print_figure("emulated_uart_write_round_trip", uart, empty);
	print_figure("pv_clock_read", clock, empty);
	print_figure("trapped_time_source_read", trapped, empty);
	print_figure("cpuid_exit_round_trip", cpuid, empty);
	print_figure("rdmsr_exit_round_trip", msr, empty);
	print_figure("timer_set_round_trip", timer_set, empty);
	print_figure("event_send_round_trip", event_send, empty);
	print_figure("timer_cancel_round_trip", cancel, empty);
	if (call_failures)
		say("bench: a timed call failed: the call figures are void\n");
	return report(si, call_failures, 0);
}
