/*
 * Fuzz target: the text Shunt reads from its command line and from each VM's module line
 * (hv/cmdline.c, hv/vm_options.c, grants in hv/hw_rules.c). Anything must be refused or
 * parsed into values inside their documented ranges.
 */
#include <hv/cmdline.h>
#include <hv/vm_options.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cmdline.c reports through the log, which needs a console. */
void arch_console_write(const char *s, size_t len);
void arch_console_write(const char *s, size_t len)
{
	(void)s;
	(void)len;
}

/* glibc before 2.38 has no strlcpy, which log.c uses: give it hv's own. */
#include "../unit/hv_string.h"
size_t strlcpy(char *dst, const char *src, size_t size)
{
	return hv_strlcpy(dst, src, size);
}

/* The log's console and clock (hv/log.c): lines are dropped, time stands still. */
int console_log_write(const char *s, size_t len);
int console_log_write(const char *s, size_t len)
{
	(void)s;
	(void)len;
	return 0;
}

void console_stop_async(void);
void console_stop_async(void)
{
}

void console_begin_dump(void);
void console_begin_dump(void)
{
}

uint64_t arch_cycles(void);
uint64_t arch_cycles(void)
{
	return 0;
}

uint64_t arch_tsc_hz(void);
uint64_t arch_tsc_hz(void)
{
	return 1;
}

void hv_stop(int exit_code);
void hv_stop(int exit_code)
{
	(void)exit_code;
	abort();
}

void hv_stop_other_cpus(void);
void hv_stop_other_cpus(void)
{
}

void hv_stop_fatal(int exit_code);
void hv_stop_fatal(int exit_code)
{
	(void)exit_code;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_options o;
	static struct hv_options h;
	static struct cmdline_problems p;
	char err[160];
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	if (vm_options_parse(text, &o, err, sizeof(err)) == 0) {
		if (o.mem < VM_MEM_MIN || o.mem > VM_MEM_MAX || o.mem % (2u << 20) ||
		    o.grant_count > VM_OPTIONS_GRANTS_MAX || !o.name[0])
			abort();
	} else if (!err[0]) {
		abort();
	}
	cmdline_parse(text, &h, &p);
	if (h.log_level > LOG_DEBUG || h.console.kind > SERIAL_PCI || h.screen > HV_SCREEN_OFF ||
	    (h.console.baud && 115200 % h.console.baud) ||
	    (h.console.kind == SERIAL_MMIO &&
	     h.console.addr + 8u * h.console.reg_width > SERIAL_MMIO_LIMIT))
		abort();
	free(text);
	return 0;
}
