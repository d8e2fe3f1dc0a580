/*
 * What the test guests share: guest_main(), and reporting helpers that print one
 * machine-readable line ("GUEST-PASS name" or "GUEST-FAIL name: why") through the PV
 * console, which the system tests look for in the serial log.
 */
#ifndef TEST_GUEST_H
#define TEST_GUEST_H

#include <gk/gk.h>

int64_t guest_main(const struct pv_start_info *si);

/* Opens Shunt's interface (HELLO); on failure says why on the UART, which always works. */
static inline int guest_open(void)
{
	enum gk_detect_result d;
	int64_t r = gk_open(PV_OS_TEST, 1, &d);

	if (r > 0)
		return 0;
	gk_uart_puts(GK_UART_COM1, "GUEST-FAIL can not open Shunt's interface: ");
	gk_uart_puts(GK_UART_COM1, gk_strerror(r));
	gk_uart_puts(GK_UART_COM1, " (");
	gk_uart_puts(GK_UART_COM1, gk_detect_describe(d));
	gk_uart_puts(GK_UART_COM1, ")\n");
	return -1;
}

static inline void say(const char *s)
{
	gk_console_puts(s);
}

static inline void say_num(const char *label, int64_t v)
{
	char buf[24];

	say(label);
	say(gk_fmt_i64(buf, v));
	say("\n");
}

/* Counts a failed check and prints what was expected. */
static inline void check(int *failures, int ok, const char *what)
{
	if (ok)
		return;
	(*failures)++;
	say("check failed: ");
	say(what);
	say("\n");
}

static inline int64_t report(const struct pv_start_info *si, int failures, int64_t code)
{
	say(failures ? "GUEST-FAIL " : "GUEST-PASS ");
	say(si->vm_name);
	say("\n");
	return failures ? 100 + failures : code;
}

#endif
