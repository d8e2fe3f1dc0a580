/*
 * <stdlib.h> for lwIP's sources: the one function of it lwIP calls (netif.c's atoi, on an
 * interface name), from hv/net/lwip_port.c. Only on lwIP's include path.
 */
#ifndef SHUNT_LWIP_STDLIB_H
#define SHUNT_LWIP_STDLIB_H

int atoi(const char *s);

#endif
