/*
 * A compute-bound guest that knows nothing of yielding: it only finishes if the scheduler
 * preempts it and the other VMs keep running. Prints through the emulated UART only, and
 * passes only if its sum is the one the loop must give: preemption and VM switches must
 * not change a single bit of its registers or memory.
 */
#include "guest.h"

/*
 * acc = acc + (i ^ (acc >> 3)) mod 2^64 for i in [0, 3000000), from acc = 0: computed
 * apart from this code, in Python (tests/system/scenarios.py, counter_expected()).
 */
#define COUNTER_ITERATIONS 3000000
#define COUNTER_EXPECTED 0xc0bfa702a1a66668ull

int64_t guest_main(const struct pv_start_info *si)
{
	volatile uint64_t acc = 0;
	char buf[24];
	int failures = 0;

	if (guest_open())
		return 99;

	for (uint64_t i = 0; i < COUNTER_ITERATIONS; i++)
		acc += i ^ (acc >> 3);
	gk_uart_puts(GK_UART_COM1, "counter done: ");
	gk_uart_puts(GK_UART_COM1, gk_fmt_hex(buf, acc));
	gk_uart_puts(GK_UART_COM1, "\n");
	if (acc != COUNTER_EXPECTED) {
		failures++;
		gk_uart_puts(GK_UART_COM1, "check failed: counter sum is not 0xc0bfa702a1a66668\n");
	}
	gk_uart_puts(GK_UART_COM1, failures ? "GUEST-FAIL " : "GUEST-PASS ");
	gk_uart_puts(GK_UART_COM1, si->vm_name);
	gk_uart_puts(GK_UART_COM1, "\n");
	return failures ? 101 : 0;
}
