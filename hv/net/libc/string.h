/*
 * <string.h> for lwIP's sources: Shunt's own string routines (hv/lib/string.c), so that lwIP
 * never reaches the host's C library. Only on lwIP's include path (Makefile, LWIP_CFLAGS).
 */
#ifndef SHUNT_LWIP_STRING_H
#define SHUNT_LWIP_STRING_H

#include <hv/string.h>

#endif
