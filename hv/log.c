/*
 * The hypervisor's log (see hv/log.h): formats each line into a bounded buffer and writes it
 * to the console in one piece, with "error:"/"warning:" prefixes.
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/log.h>
#include <hv/string.h>

#include <stdarg.h>

#define LOG_LINE_MAX 256

static enum log_level current_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

int log_level_from_name(const char *name, enum log_level *level)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(name, names[i])) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void log_vprintf(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = strlcpy(line, prefix, sizeof(line));
	int len = fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);

	n += (size_t)len < sizeof(line) - n ? (size_t)len : sizeof(line) - n - 1;
	arch_console_write(line, n);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	log_vprintf(level == LOG_ERROR ? "error: " : level == LOG_WARN ? "warning: " : "", fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf("PANIC: ", fmt, ap);
	va_end(ap);
	hv_stop(3);
}
