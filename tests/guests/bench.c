/*
 * The benchmark guest: measures with RDTSC the round trip of a null hypercall (VERSION)
 * and of an emulated UART register write (the scratch register, so nothing is printed),
 * over many iterations, minus the cost of the same loop doing nothing. Under Bochs the TSC
 * counts instructions, so the figures are the instructions Shunt spends per exit.
 */
#include "guest.h"

#define ITERATIONS 2000
#define UART_SCRATCH (GK_UART_COM1 + 7)

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t loop_empty(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		__asm__ volatile("" ::: "memory");
	return rdtsc() - t0;
}

static uint64_t loop_hypercall(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		gk_hypercall0(PV_CALL_VERSION);
	return rdtsc() - t0;
}

static uint64_t loop_uart(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < ITERATIONS; i++)
		gk_outb(UART_SCRATCH, (uint8_t)i);
	return rdtsc() - t0;
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

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t empty, hc, uart;

	if (guest_open())
		return 99;

	loop_hypercall(); /* warm up: first exits touch cold paths */
	empty = loop_empty();
	hc = loop_hypercall();
	uart = loop_uart();
	print_figure("null_hypercall_round_trip", hc, empty);
	print_figure("emulated_uart_write_round_trip", uart, empty);
	return report(si, 0, 0);
}
