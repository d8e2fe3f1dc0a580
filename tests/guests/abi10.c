/*
 * A guest built against the frozen ABI 1.0 headers (tests/abi/v1.0), not the current ones:
 * it must keep working on every later 1.x Shunt. It negotiates 1.0, checks that it got 1.0
 * even from a newer hypervisor, and uses the 1.0 services: console, clock, timer event
 * (polled), console ring.
 */
#include <gk/gk.h>

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static struct {
	struct pv_console_ring header;
	uint8_t data[128];
} ring __attribute__((aligned(64)));

static int failures;

static void check(int ok, const char *what)
{
	if (ok)
		return;
	failures++;
	gk_console_puts("check failed: ");
	gk_console_puts(what);
	gk_console_puts("\n");
}

int64_t guest_main(const struct pv_start_info *si);

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t deadline;
	char buf[24];
	int64_t v = gk_open(PV_OS_TEST, 0x10000, 0);

	if (v < 0)
		return 99;
	check(v == PV_ABI_VERSION(1, 0), "negotiated exactly 1.0");
	check(PV_ABI_VERSION_MAJOR(gk_version()) == 1, "hypervisor speaks major 1");
	gk_console_puts("abi10: built for ABI 1.0, hypervisor speaks 1.");
	gk_console_puts(gk_fmt_u64(buf, PV_ABI_VERSION_MINOR(gk_version())));
	gk_console_puts("\n");
	check(gk_vcpu_page_set(&page) == 0, "vCPU page");
	deadline = gk_clock_ns(&page) + 50000;
	check(gk_timer_set(deadline) == 0, "timer");
	while (gk_clock_ns(&page) < deadline)
		;
	gk_yield();
	check(page.events_pending & (1ull << PV_EVENT_TIMER), "timer event pending (polled)");
	check(gk_ring_init(&ring.header, sizeof(ring.data)) == 0, "ring");
	gk_ring_write(&ring.header, "abi10: hello through the 1.0 ring\n", 34);
	check(gk_ring_flush() == 34, "ring drained");
	gk_console_puts(failures ? "GUEST-FAIL " : "GUEST-PASS ");
	gk_console_puts(si->vm_name);
	gk_console_puts("\n");
	return failures;
}
