/*
 * A hostile neighbour for the latency victim (victim.c): floods Shunt one way, chosen on
 * its command line (after "--"), for watch=TICKS of time, ignoring every retry-after:
 *   console-write  4 KiB PV_CALL_CONSOLE_WRITE calls, as fast as they return
 *   ring-kick      a 64 KiB console ring kept full and kicked
 *   uart           bytes to the emulated UART's THR, never looking at LSR
 *   hypercall      PV_CALL_VERSION, the cheapest exit there is
 *   port           OUT to an unclaimed port (0x80): one emulated exit each
 *   port-batch     HW_PORT_BATCH of 256 writes to a granted UART's scratch register (COM2)
 *   memory         writes all over its own RAM: no exits at all
 * It counts what it did and passes if the flood ran (the victim judges the latency).
 */
#include "guest.h"

#define RING_SIZE PV_CONSOLE_RING_MAX

static struct {
	struct pv_console_ring header;
	uint8_t data[RING_SIZE];
} ring __attribute__((aligned(8)));
static char text[PV_CONSOLE_WRITE_MAX];
static struct pv_port_op batch[256];
static uint8_t scratch[1 << 20];

static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b || (*b == '\0' && *a == ' ');
}

/* The word after "kind=" in the command line, or "". */
static const char *kind_of(const char *cmdline)
{
	for (const char *p = cmdline; *p; p++)
		if (p[0] == 'k' && p[1] == 'i' && p[2] == 'n' && p[3] == 'd' && p[4] == '=')
			return p + 5;
	return "";
}

static uint64_t watch_of(const char *cmdline)
{
	uint64_t n = 0;

	for (const char *p = cmdline; *p; p++)
		if (p[0] == 'w' && p[1] == 'a' && p[2] == 't' && p[3] == 'c' && p[4] == 'h' &&
		    p[5] == '=') {
			for (p += 6; *p >= '0' && *p <= '9'; p++)
				n = n * 10 + (uint64_t)(*p - '0');
			break;
		}
	return n;
}

int64_t guest_main(const struct pv_start_info *si)
{
	const char *kind = kind_of(si->cmdline);
	uint64_t watch = watch_of(si->cmdline), start, ops = 0, refused = 0;
	int failures = 0;

	if (guest_open())
		return 99;
	for (unsigned int i = 0; i < sizeof(text); i++)
		text[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	if (is(kind, "ring-kick")) {
		check(&failures, gk_ring_init(&ring.header, RING_SIZE) == 0, "ring set up");
		for (unsigned int i = 0; i < RING_SIZE; i++)
			ring.data[i] = (uint8_t)text[i % sizeof(text)];
	}
	for (unsigned int i = 0; i < 256; i++)
		batch[i] = (struct pv_port_op){ .port = 0x2ff, .width = 1, .write = 1, .value = i };
	start = gk_rdtsc();
	while (gk_rdtsc() - start < watch) {
		int64_t r = 0;

		if (is(kind, "console-write")) {
			r = gk_call_console_write(GK_VIRT_TO_PHYS(text), sizeof(text));
		} else if (is(kind, "ring-kick")) {
			/* Keep it full: every byte Shunt took is produced again at once. */
			__atomic_store_n(&ring.header.producer, ring.header.consumer + RING_SIZE,
					 __ATOMIC_RELEASE);
			r = gk_call_console_ring_kick();
		} else if (is(kind, "uart")) {
			gk_outb(GK_UART_COM1, (uint8_t)text[ops % sizeof(text)]);
		} else if (is(kind, "hypercall")) {
			r = gk_call_version();
		} else if (is(kind, "port-batch")) {
			r = gk_call_hw_port_batch(GK_VIRT_TO_PHYS(batch), 256);
		} else if (is(kind, "port")) {
			gk_outb(0x80, (uint8_t)ops);
		} else if (is(kind, "memory")) {
			for (unsigned int i = 0; i < sizeof(scratch); i += 64)
				scratch[i] = (uint8_t)(ops + i);
		} else {
			check(&failures, 0, "kind= is one of the flood kinds");
			break;
		}
		ops++;
		refused += r < 0;
	}
	say("\n"); /* the flood may have stopped mid-line */
	say_num("flood: operations ", (int64_t)ops);
	say_num("flood: refused (throttled or waiting for room) ", (int64_t)refused);
	check(&failures, ops > 0, "the flood ran");
	return report(si, failures, 0);
}
