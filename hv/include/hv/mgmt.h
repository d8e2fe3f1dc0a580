/*
 * The management network (README.md, "Management network"): Shunt's own NIC, lwIP on a
 * fixed memory pool, and the words of the command line that configure it. The options are
 * pure code (hv/net/mgmt_options.c, host-tested); the rest runs only in Shunt's host work.
 */
#ifndef HV_MGMT_H
#define HV_MGMT_H

#include <hv/types.h>

/* "mgmt=": how the management interface gets its address. */
enum mgmt_mode {
	MGMT_DHCP = 0, /* "dhcp" (default when there is a NIC Shunt drives) */
	MGMT_OFF,      /* "off": the NIC is left alone, and no network code runs */
	MGMT_STATIC,   /* "static": mgmt.ip= (and mgmt.gw=) */
};

/* "mgmt.metrics=": who may read /metrics (API.md, "Authentication"). */
enum mgmt_metrics_access {
	MGMT_METRICS_SIGNED = 0, /* "signed" (default): a signed request, as the API */
	MGMT_METRICS_TOKEN,	 /* "token": also the key file's metrics-token, as a Bearer token */
	MGMT_METRICS_PUBLIC,	 /* "public": anyone */
};

/* lwIP's memory pool ("mgmt.pool=SIZE"): all the stack ever allocates comes from it. */
#define MGMT_POOL_DEFAULT (256 * KIB)
#define MGMT_POOL_MIN (64 * KIB)
#define MGMT_POOL_MAX (16 * MIB)

struct mgmt_options {
	enum mgmt_mode mode;
	uint32_t ip, gw;     /* host byte order; 0: not given */
	uint8_t prefix;	     /* mgmt.ip=A.B.C.D/N: N */
	uint64_t pool_bytes; /* a multiple of 4 KiB */
	enum mgmt_metrics_access metrics;
};

/* The defaults: DHCP, no address, MGMT_POOL_DEFAULT, /metrics signed. */
void mgmt_options_default(struct mgmt_options *o);

/*
 * Applies one command-line word if it is a management word (mgmt=, mgmt.ip=, mgmt.gw=,
 * mgmt.pool=, mgmt.metrics=): 0, or -EINVAL with the reason in why (o unchanged). Returns 1 when word is
 * not one of them. Pure.
 */
int mgmt_option_apply(const char *word, struct mgmt_options *o, char *why, size_t why_size);

/*
 * The words together (they may come from shunt.cfg and the loader's command line): static
 * needs mgmt.ip=; an address that is its subnet's network or broadcast address, or a
 * gateway outside the subnet, is refused. 0, or -EINVAL with why. Pure.
 */
int mgmt_options_check(const struct mgmt_options *o, char *why, size_t why_size);

/* Writes A.B.C.D for ip (host byte order) into buf (at least 16 bytes). Pure. */
void mgmt_format_ip(char *buf, size_t size, uint32_t ip);

/* Looks for the NIC to manage Shunt through in the inventory and reserves it (hw.h). */
void mgmt_probe(void);
/*
 * Brings the management interface up: the NIC, lwIP, the address (waiting up to
 * MGMT_BOOT_WAIT_MS for DHCP), and prints the mgmt: line. Or says why it stays off.
 */
void mgmt_start(void);
/* 1 once mgmt_start() brought the interface up. */
int mgmt_is_up(void);
/*
 * arch_cycles() spent in polls that received frames (lwIP's input, the API's work, the
 * answers sent): what the management network costs beyond its idle polls. For /metrics.
 */
uint64_t mgmt_work_cycles(void);
/* Receives, transmits and runs lwIP's timers: bounded work, when mgmt_poll_due() passed. */
void mgmt_poll(void);
/*
 * The machine stays up for management after every VM stopped (on-all-stopped=halt): polls
 * forever, the CPU halted between polls. Never returns.
 */
void mgmt_serve_forever(void) __attribute__((noreturn));
/* The same until done() says 1 after a poll (a VM was started over the API): then returns. */
void mgmt_serve_until(int (*done)(void));

#endif
