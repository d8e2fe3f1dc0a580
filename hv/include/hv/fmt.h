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

#endif
