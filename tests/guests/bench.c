/*
 * The benchmark guest. Under Bochs the TSC counts instructions, so every figure is the
 * instructions spent, hypervisor included, net of the same loop doing nothing. What it
 * measures depends on its command line (after "--" in its module options):
 *   (empty)        prints: null hypercall, emulated UART register write, PV clock read and
 *                  a trapped time source (RDMSR of IA32_TSC) round trips
 *   console-uart   exit code = 100 x ticks per byte written through the emulated UART
 *   console-ring   exit code = 100 x ticks per byte written through the console ring
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

static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t empty, hc, uart, clock, trapped;

	if (guest_open())
		return -99;
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

	loop_hypercall(0); /* warm up: first exits touch cold paths */
	empty = best_of(loop_empty, 0);
	hc = best_of(loop_hypercall, 0);
	uart = best_of(loop_uart, 0);
	clock = best_of(loop_pv_clock, 0);
	trapped = best_of(loop_trapped_tsc, 0);
	print_figure("null_hypercall_round_trip", hc, empty);
	print_figure("emulated_uart_write_round_trip", uart, empty);
	print_figure("pv_clock_read", clock, empty);
	print_figure("trapped_time_source_read", trapped, empty);
	return report(si, 0, 0);
}
