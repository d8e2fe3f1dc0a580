/*
 * printf-style formatting into a bounded buffer, with no dependency on the rest of hv/:
 * used by the hypervisor's log, by its parsers' error messages and by the UEFI loader.
 * Supports %d %i %u %x %X %p %s %c %% with flags '-', '0', width, precision for %s,
 * and the length modifiers l, ll, z.
 */
#ifndef HV_FMT_H
#define HV_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Like C's vsnprintf: always NUL-terminates when size > 0, returns the untruncated length. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Copies the NUL-terminated text src into buf so that it is safe to echo on a console: a
 * byte outside 0x20-0x7e becomes "\xNN" (two lowercase hex digits) and a backslash "\\",
 * so no input can put control sequences or raw bytes on the console and the original bytes
 * can be read back. When the result does not fit in size bytes it is cut before an escape,
 * never inside one, and ends with "..." (if size allows). Always NUL-terminates when
 * size > 0; returns the length of the whole escaped text, like fmt_snprintf().
 */
size_t fmt_escape(char *buf, size_t size, const char *src);

#endif
