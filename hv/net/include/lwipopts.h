/*
 * lwIP's configuration for Shunt's management network (see lwIP's src/include/lwip/opt.h
 * for each option): no OS (NO_SYS, the raw API, called only from Shunt's host work), IPv4
 * with ARP, ICMP echo, DHCP and TCP, one interface. All of lwIP's memory, its pbufs and
 * protocol control blocks included (MEMP_MEM_MALLOC), comes from one heap: the pool that
 * hv/net/mgmt.c takes from Shunt's frames once, at boot, sized by mgmt.pool=.
 */
#ifndef SHUNT_LWIPOPTS_H
#define SHUNT_LWIPOPTS_H

#include <stddef.h>

/* The pool (hv/net/mgmt.c): where and how large. */
extern void *shunt_lwip_pool;
extern size_t shunt_lwip_pool_size;

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_SINGLE_NETIF 1

/* Memory: lwIP's heap over the pool. MEM_SIZE is a run-time value; in the preprocessor's
 * #if (where the variable reads 0) it is 65536, so that mem_size_t is 32 bits wide. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEM_SIZE (shunt_lwip_pool_size ? shunt_lwip_pool_size : 65536L)
#define LWIP_RAM_HEAP_POINTER shunt_lwip_pool
#define MEM_OVERFLOW_CHECK 0
#define MEM_SANITY_CHECK 0

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0 /* a lease is used at once: no 1 s ARP probe */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 0 /* fragments are dropped: nothing Shunt serves needs them */
#define IP_FRAG 0
#define LWIP_BROADCAST_PING 0
#define LWIP_MULTICAST_PING 0
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 4
#define ARP_TABLE_SIZE 8

/* TCP, for the management API to come: modest windows, no out-of-order queue. */
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / TCP_MSS)
#define TCP_QUEUE_OOSEQ 0
#define LWIP_TCP_KEEPALIVE 1

/* The interface. */
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_API 0
#define ETH_PAD_SIZE 0

/* Statistics: the heap's use and high-water mark only (for the management API). */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 0
#define LINK_STATS 0
#define ETHARP_STATS 0
#define IP_STATS 0
#define IPFRAG_STATS 0
#define ICMP_STATS 0
#define UDP_STATS 0
#define TCP_STATS 0
#define SYS_STATS 0

#define LWIP_CHECKSUM_CTRL_PER_NETIF 0
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1

#endif
