/*
 * The management network: Shunt's own NIC (hv/net/e1000.c) under lwIP (NO_SYS, raw API),
 * its address by DHCP or from the command line, polled from the scheduler's host work every
 * MGMT_POLL_MS, and the boot report's mgmt: line. lwIP is only ever called from here, in
 * host work or at boot, never from a VM exit's handler.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/hw.h>
#include <hv/log.h>
#include <hv/mgmt.h>
#include <hv/mm.h>
#include <hv/net/auth.h>
#include <hv/net/e1000.h>
#include <hv/net/echo.h>
#include <hv/net/http_server.h>
#include <hv/net/random.h>
#include <hv/sched.h>
#include <hv/string.h>

#include <lwip/dhcp.h>
#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/raw.h>
#include <lwip/stats.h>
#include <lwip/sys.h>
#include <lwip/timeouts.h>
#include <netif/ethernet.h>

#define MGMT_POLL_MS 2	       /* host work: receive, transmit, lwIP's timers */
#define MGMT_LINK_POLL_MS 250  /* STATUS read for the link state */
#define MGMT_BOOT_WAIT_MS 3000 /* how long the boot waits for a DHCP lease */
#define MGMT_RX_BUDGET 32      /* frames per poll: bounded work */
#define MGMT_ECHO_ID 0x5348    /* "SH" */

static const char reserved_why[] = "it is Shunt's management NIC (mgmt=off frees it)";

static struct {
	struct hw_resource *nic_res; /* the NIC reserved by mgmt_probe() */
	struct hw_resource *foreign; /* the first NIC Shunt has no driver for */
	int up;			     /* mgmt_start() brought it up */
	int link;		     /* the link as last read */
	int reported;		     /* the address was reported */
	int announced;		     /* the boot's mgmt: line is out */
	uint64_t due, link_due;	     /* next poll, next link check (arch_cycles) */
	uint64_t poll_cycles;
	uint32_t echo_sent_ms;
	uint16_t echo_seq;
	int echo_pending;
	uint64_t rx_no_memory; /* frames dropped: the pool was full */
	uint64_t work_cycles;  /* spent in polls that received frames: the network's own cost */
} mgmt;

static struct e1000 nic;
static struct netif netif;
static struct raw_pcb *echo_pcb;

static void label(char *out, size_t size, uint32_t bdf)
{
	fmt_snprintf(out, size, "%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

void mgmt_probe(void)
{
	if (hv_options.mgmt.mode == MGMT_OFF)
		return;
	for (unsigned int i = 0; i < hw_resource_count(); i++) {
		struct hw_resource *r = hw_resource_at(i);

		if (r->kind != PV_HW_KIND_PCI || (r->class_code >> 16) != 0x02 || r->reserved_by)
			continue;
		if (r->header_type == 0 && e1000_is_supported(r->vendor, r->device)) {
			mgmt.nic_res = r;
			hw_reserve(r, reserved_why);
			return;
		}
		if (!mgmt.foreign)
			mgmt.foreign = r;
	}
}

/* lwIP's link output: one frame, copied into a transmit buffer (bounded, never waits). */
static err_t link_output(struct netif *n, struct pbuf *p)
{
	uint8_t *buf;

	if (p->tot_len > E1000_FRAME_MAX - 4 || p->tot_len < E1000_FRAME_MIN)
		return ERR_ARG;
	buf = e1000_tx_begin(&nic);
	if (!buf)
		return ERR_MEM; /* lwIP's protocols retransmit; ARP and DHCP retry */
	if (pbuf_copy_partial(p, buf, p->tot_len, 0) != p->tot_len)
		return ERR_BUF;
	return e1000_send(&nic, p->tot_len) ? ERR_IF : ERR_OK;
}

static err_t netif_setup(struct netif *n)
{
	n->name[0] = 'm';
	n->name[1] = 'g';
	n->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(n->hwaddr, nic.mac, ETH_HWADDR_LEN);
	n->mtu = 1500;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	n->output = etharp_output;
	n->linkoutput = link_output;
	netif_set_hostname(n, "shunt");
	return ERR_OK;
}

/* A frame the driver checked: into a pbuf of the pool, and up the stack. */
static void deliver(void *ctx, const uint8_t *frame, uint16_t len)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);

	(void)ctx;
	if (!p) {
		mgmt.rx_no_memory++;
		return;
	}
	if (pbuf_take(p, frame, len) != ERR_OK || netif.input(p, &netif) != ERR_OK)
		pbuf_free(p);
}

static uint32_t ms_now(void)
{
	return sys_now();
}

/* ICMP echo replies to Shunt's own requests: eaten here, the rest left to lwIP. */
static u8_t echo_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	uint8_t packet[20 + 40 + ECHO_REQUEST_LEN];
	uint16_t n = pbuf_copy_partial(p, packet, sizeof(packet), 0);
	char from[16];

	(void)arg;
	(void)pcb;
	if (!mgmt.echo_pending || p->tot_len > sizeof(packet) ||
	    !echo_is_reply(packet, n, ip4_addr_get_u32(addr), MGMT_ECHO_ID, mgmt.echo_seq))
		return 0;
	mgmt.echo_pending = 0;
	mgmt_format_ip(from, sizeof(from), lwip_ntohl(ip4_addr_get_u32(addr)));
	log_debug("mgmt: echo reply from %s (seq %u) in %u ms\n", from, mgmt.echo_seq,
		  ms_now() - mgmt.echo_sent_ms);
	pbuf_free(p);
	return 1;
}

/* One echo request to the gateway: a check that the path works, its reply logged. */
static void echo_gateway(void)
{
	const ip4_addr_t *gw = netif_ip4_gw(&netif);
	struct pbuf *p;

	if (!echo_pcb || ip4_addr_isany(gw))
		return;
	p = pbuf_alloc(PBUF_IP, ECHO_REQUEST_LEN, PBUF_RAM);
	if (!p)
		return;
	mgmt.echo_seq++;
	echo_build_request(p->payload, MGMT_ECHO_ID, mgmt.echo_seq);
	mgmt.echo_pending = 1;
	mgmt.echo_sent_ms = ms_now();
	raw_sendto(echo_pcb, p, gw);
	pbuf_free(p);
}

static unsigned int prefix_len(uint32_t mask)
{
	unsigned int n = 0;

	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

/* "10.0.2.15/24 by DHCP, gateway 10.0.2.2" into out. */
static void describe_address(char *out, size_t size)
{
	char ip[16], gw[16];
	uint32_t mask = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&netif)));

	mgmt_format_ip(ip, sizeof(ip), lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&netif))));
	mgmt_format_ip(gw, sizeof(gw), lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(&netif))));
	fmt_snprintf(out, size, "%s/%u %s, %s%s", ip, prefix_len(mask),
		     hv_options.mgmt.mode == MGMT_DHCP ? "by DHCP" : "static",
		     ip4_addr_isany(netif_ip4_gw(&netif)) ? "no gateway" : "gateway ",
		     ip4_addr_isany(netif_ip4_gw(&netif)) ? "" : gw);
}

static int has_address(void)
{
	if (hv_options.mgmt.mode == MGMT_DHCP)
		return dhcp_supplied_address(&netif);
	return !ip4_addr_isany(netif_ip4_addr(&netif));
}

static void check_link(uint64_t now)
{
	int link = e1000_link_is_up(&nic);

	mgmt.link_due = now + arch_tsc_hz() / 1000 * MGMT_LINK_POLL_MS;
	if (link == mgmt.link)
		return;
	mgmt.link = link;
	if (link) {
		netif_set_link_up(&netif);
	} else {
		netif_set_link_down(&netif);
	}
	if (mgmt.reported)
		log_info("mgmt: link %s\n", link ? "up" : "down");
}

/* The work of one poll, without rescheduling: bounded by MGMT_RX_BUDGET frames. */
static void poll_once(void)
{
	uint64_t now = arch_cycles();
	unsigned int received;

	if (now >= mgmt.link_due)
		check_link(now);
	e1000_tx_reap(&nic.tx);
	received = e1000_receive(&nic, MGMT_RX_BUDGET, deliver, NULL);
	sys_check_timeouts();
	if (mgmt.announced && !mgmt.reported && has_address()) {
		char addr[64];

		mgmt.reported = 1;
		describe_address(addr, sizeof(addr));
		log_info("mgmt: %s\n", addr);
		echo_gateway();
	}
	/* Requests and their answers, not the idle polls that find nothing (README, "Polling"). */
	if (received)
		mgmt.work_cycles += arch_cycles() - now;
}

void mgmt_poll(void)
{
	uint64_t now = arch_cycles();

	if (!mgmt.up || now < mgmt.due)
		return;
	poll_once();
	mgmt.due = now + mgmt.poll_cycles;
	console_set_poller_due(CONSOLE_POLL_MGMT, mgmt.due);
}

int mgmt_is_up(void)
{
	return mgmt.up;
}

uint64_t mgmt_work_cycles(void)
{
	return mgmt.work_cycles;
}

/* The pool of lwIP's heap: frames of Shunt's allocator, taken once (never a guest's). */
static int take_pool(uint64_t bytes)
{
	hpa_t pool;

	/* A page more than the heap: lwIP's end marker and alignment (mem.c, mem_init). */
	if (mm_alloc_frames(bytes / PAGE_SIZE + 1, PAGE_SIZE, &pool))
		return -ENOMEM;
	shunt_lwip_pool = phys_to_virt(pool);
	shunt_lwip_pool_size = (size_t)bytes;
	return 0;
}

static void set_static_address(void)
{
	const struct mgmt_options *o = &hv_options.mgmt;
	ip4_addr_t ip, mask, gw;

	ip4_addr_set_u32(&ip, lwip_htonl(o->ip));
	ip4_addr_set_u32(&mask, lwip_htonl(~0u << (32 - o->prefix)));
	ip4_addr_set_u32(&gw, lwip_htonl(o->gw));
	netif_set_addr(&netif, &ip, &mask, &gw);
}

/* Why management stays off, when it does: one line, and Shunt goes on without it. */
static int refuse_start(char *why, size_t size)
{
	char bdf[16];

	if (hv_options.mgmt.mode == MGMT_OFF) {
		fmt_snprintf(why, size, "off (mgmt=off)");
		return 1;
	}
	if (mgmt.nic_res)
		return 0;
	if (mgmt.foreign) {
		label(bdf, sizeof(bdf), mgmt.foreign->bdf);
		fmt_snprintf(why, size,
			     "off: no driver for the network controller %s (%04x:%04x): Shunt "
			     "drives the Intel 8254x (e1000) family",
			     bdf, mgmt.foreign->vendor, mgmt.foreign->device);
		return 1;
	}
	fmt_snprintf(why, size, "off: no network controller");
	return 1;
}

static void wait_for_lease(void)
{
	uint64_t end = arch_cycles() + arch_tsc_hz() / 1000 * MGMT_BOOT_WAIT_MS;

	while (!has_address() && mgmt.link && arch_cycles() < end) {
		poll_once();
		arch_idle_until(arch_cycles() + mgmt.poll_cycles);
	}
}

void mgmt_start(void)
{
	char why[160], bdf[16], addr[64];
	const uint8_t *m;

	if (refuse_start(why, sizeof(why))) {
		log_info("mgmt: %s\n", why);
		return;
	}
	if (mgmt_options_check(&hv_options.mgmt, why, sizeof(why))) {
		log_error("mgmt: off: %s\n", why);
		return;
	}
	label(bdf, sizeof(bdf), mgmt.nic_res->bdf);
	if (e1000_init(&nic, mgmt.nic_res, why, sizeof(why))) {
		log_error("mgmt: off: e1000 %s: %s\n", bdf, why);
		return;
	}
	if (take_pool(hv_options.mgmt.pool_bytes)) {
		log_error("mgmt: off: no memory for its pool of %llu KiB (mgmt.pool=)\n",
			  (unsigned long long)(hv_options.mgmt.pool_bytes / KIB));
		return;
	}
	mgmt.poll_cycles = arch_tsc_hz() / 1000 * MGMT_POLL_MS;
	random_init(); /* before lwIP draws its first port, sequence number or DHCP xid */
	lwip_init();
	netif_add(&netif, NULL, NULL, NULL, NULL, netif_setup, ethernet_input);
	netif_set_default(&netif);
	echo_pcb = raw_new(IP_PROTO_ICMP);
	if (echo_pcb)
		raw_recv(echo_pcb, echo_recv, NULL);
	if (hv_options.mgmt.mode == MGMT_STATIC)
		set_static_address();
	netif_set_up(&netif);
	mgmt.up = 1;
	check_link(arch_cycles());
	if (hv_options.mgmt.mode == MGMT_DHCP)
		dhcp_start(&netif);
	wait_for_lease();
	m = nic.mac;
	if (has_address()) {
		mgmt.reported = 1;
		describe_address(addr, sizeof(addr));
	} else {
		fmt_snprintf(addr, sizeof(addr), "%s",
			     !mgmt.link ? "no address until the link is up"
					: "no DHCP lease yet, still asking");
	}
	log_info("mgmt: e1000 %s %02x:%02x:%02x:%02x:%02x:%02x link %s; %s\n", bdf, m[0], m[1],
		 m[2], m[3], m[4], m[5], mgmt.link ? "up" : "down", addr);
	log_debug("mgmt: pool %llu KiB, %u of it in use after start\n",
		  (unsigned long long)(hv_options.mgmt.pool_bytes / KIB),
		  (unsigned int)lwip_stats.mem.used);
	mgmt_auth_report();
	if (http_server_start())
		log_error("mgmt: the API can not listen on port %u: no memory in its pool\n",
			  HTTP_SERVER_PORT);
	mgmt.announced = 1;
	if (mgmt.reported)
		echo_gateway();
	mgmt.due = arch_cycles() + mgmt.poll_cycles;
	console_set_poller_due(CONSOLE_POLL_MGMT, mgmt.due);
}

void mgmt_serve_until(int (*done)(void))
{
	log_info("mgmt: the management network stays up\n");
	while (!done || !done()) {
		arch_idle_until(mgmt.due);
		mgmt_poll();
		sched_run_deferred(); /* no VM runs: the admin's actions are done here */
	}
}

void mgmt_serve_forever(void)
{
	mgmt_serve_until(NULL);
	__builtin_unreachable();
}
