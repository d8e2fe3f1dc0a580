/*
 * The flooder: granted COM2 with a low hardware rate, it waits (yielding) until 150 ms of
 * its PV clock, then hammers HW_PORT_BATCH for 300 ms without ever backing off, counting
 * what Shunt answered. Shunt must throttle it, and its summary must show the same counts.
 */
#include "guest.h"

#define START_NS 150000000ull
#define FLOOD_NS 300000000ull

static struct pv_vcpu_page page __attribute__((aligned(4096)));

int64_t guest_main(const struct pv_start_info *si)
{
	struct pv_port_op op = { 0x2f8 + 7, 1, 0, 0 }; /* read COM2's scratch register */
	uint64_t ok = 0, throttled = 0, other = 0;
	char num[24];

	if (guest_open() || gk_vcpu_page_set(&page))
		return 99;
	while (gk_clock_ns(&page) < START_NS)
		gk_yield();
	while (gk_clock_ns(&page) < START_NS + FLOOD_NS) {
		int64_t r = gk_call_hw_port_batch(GK_VIRT_TO_PHYS(&op), 1);

		if (r == 1)
			ok++;
		else if (r == PV_ETHROTTLED)
			throttled++;
		else
			other++;
	}
	say("flooder: ok ");
	say(gk_fmt_u64(num, ok));
	say(" throttled ");
	say(gk_fmt_u64(num, throttled));
	say("\n");
	return other ? 1 : (throttled ? 0 : 2);
}
