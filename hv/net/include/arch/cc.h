/*
 * lwIP's platform definitions for Shunt (lwIP's doc/sys_arch.txt, "arch/cc.h"): a
 * freestanding little-endian x86-64, no C library headers beyond the compiler's own,
 * diagnostics to Shunt's log, assertions a host invariant (panic), randomness from
 * hv/net/lwip_port.c.
 */
#ifndef SHUNT_LWIP_ARCH_CC_H
#define SHUNT_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_UNISTD_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_LIMITS_H 1

/* printf formats of lwIP's types, as hv/lib/fmt.c writes them. */
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"

void shunt_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void shunt_lwip_assert(const char *what, const char *file, int line) __attribute__((noreturn));
uint32_t shunt_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x)                                                                      \
	do {                                                                                       \
		shunt_lwip_diag x;                                                                 \
	} while (0)
/* An lwIP assertion is about lwIP's own state, never about input (which it checks). */
#define LWIP_PLATFORM_ASSERT(x) shunt_lwip_assert(x, __FILE__, __LINE__)
#define LWIP_RAND() shunt_lwip_rand()

#endif
