/*
 * What lwIP needs from its platform (lwIP's doc/NO_SYS_SampleCode.c and sys_arch.txt for
 * NO_SYS=1): the time in milliseconds, diagnostics, assertions, random numbers, and the
 * pool its heap lives in (set by hv/net/mgmt.c before lwip_init()).
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/net/random.h>

#include <lwip/sys.h>
#include <stdarg.h>
#include <stdlib.h> /* hv/net/libc's: atoi */

void *shunt_lwip_pool;
size_t shunt_lwip_pool_size;

u32_t sys_now(void)
{
	/* Wraps after 49 days, which lwIP's timers allow for (they compare differences). */
	return (u32_t)(arch_cycles() / (arch_tsc_hz() / 1000));
}

void shunt_lwip_diag(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_debug("mgmt: lwip: %s", line);
}

void shunt_lwip_assert(const char *what, const char *file, int line)
{
	panic("mgmt: lwIP's assertion \"%s\" failed at %s:%d\n", what, file, line);
}

/* DHCP transaction IDs, TCP sequence numbers, ports: not to be guessed (hv/net/random.c). */
uint32_t shunt_lwip_rand(void)
{
	return random_u32();
}

int atoi(const char *s)
{
	int v = 0, neg = *s == '-';

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9' && v < 100000000)
		v = v * 10 + (*s++ - '0');
	return neg ? -v : v;
}
