/*
 * A compute-bound guest that knows nothing of yielding: it only finishes if the scheduler
 * preempts it and the other VMs keep running. Prints through the emulated UART only.
 */
#include "guest.h"

int64_t guest_main(const struct pv_start_info *si)
{
	volatile uint64_t acc = 0;
	char buf[24];

	if (guest_open())
		return 99;

	for (uint64_t i = 0; i < 3000000; i++)
		acc += i ^ (acc >> 3);
	gk_uart_puts(GK_UART_COM1, "counter done: ");
	gk_uart_puts(GK_UART_COM1, gk_fmt_hex(buf, acc));
	gk_uart_puts(GK_UART_COM1, "\n");
	return report(si, 0, 0);
}
