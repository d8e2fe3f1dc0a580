/* SPDX-License-Identifier: MIT */
/*
 * Console output for guests: the PV console (one hypercall for up to PV_CONSOLE_WRITE_MAX
 * bytes), the emulated 16550 UART at 0x3F8 (works for any guest, one exit per byte), and
 * small number formatters so guests need no printf. Needs gk_open() first (except the UART).
 * The emulated UART reports its transmitter busy (LSR.THRE clear) while Shunt's buffer for
 * the VM is full; gk_uart_putc() waits for it like for a real one.
 */
#ifndef GK_CONSOLE_H
#define GK_CONSOLE_H

#include <gk/backoff.h>
#include <gk/base.h>
#include <gk/hypercall.h>
#include <pvabi/types.h>

#define GK_UART_COM1 0x3f8

static inline size_t gk_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

#define GK_CONSOLE_MAX_RETRIES 64 /* a full console buffer drains at the serial line's pace */

/*
 * Writes len bytes through the PV console, all or nothing; while Shunt's buffer for this
 * VM is full (or the VM is over its byte rate) it waits as told and retries. Returns bytes
 * written or a PV_E* code (PV_ETHROTTLED after GK_CONSOLE_MAX_RETRIES waits).
 */
static inline int64_t gk_console_write(const char *buf, size_t len)
{
	return gk_call_backoff(PV_CALL_CONSOLE_WRITE, GK_VIRT_TO_PHYS(buf), (uint64_t)len, 0,
			       GK_CONSOLE_MAX_RETRIES, GK_NULL);
}

static inline int64_t gk_console_puts(const char *s)
{
	return gk_console_write(s, gk_strlen(s));
}

/* Writes one byte through the (emulated or real) 16550 at base, waiting for THRE. */
static inline void gk_uart_putc(uint16_t base, char c)
{
	while (!(gk_inb((uint16_t)(base + 5)) & 0x20))
		;
	gk_outb(base, (uint8_t)c);
}

static inline void gk_uart_puts(uint16_t base, const char *s)
{
	while (*s)
		gk_uart_putc(base, *s++);
}

/* Formats v in decimal into buf (at least 21 bytes); returns buf. */
static inline char *gk_fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	int n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

/* Formats v as a signed decimal into buf (at least 22 bytes); returns buf. */
static inline char *gk_fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		gk_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
		return buf;
	}
	return gk_fmt_u64(buf, (uint64_t)v);
}

/* Formats v as 0x-prefixed hexadecimal into buf (at least 19 bytes); returns buf. */
static inline char *gk_fmt_hex(char *buf, uint64_t v)
{
	const char *digits = "0123456789abcdef";
	int shift = 60, i = 2;

	buf[0] = '0';
	buf[1] = 'x';
	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		buf[i++] = digits[(v >> shift) & 0xf];
	buf[i] = '\0';
	return buf;
}

#endif
