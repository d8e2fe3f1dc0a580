/*
 * The well-behaved guest: detects Shunt through guest-kit, checks its start-info, prints
 * through the PV console and through the emulated UART, and exits with code 0 (a code other
 * than 0 would make the run's own exit code 1: see README.md, "Exit codes").
 */
#include "guest.h"

int64_t guest_main(const struct pv_start_info *si)
{
	uint32_t version = 0;
	int failures = 0;

	if (guest_open() || gk_detect(&version) != GK_DETECT_OK)
		return 99;

	say("hello from the PV console\n");
	gk_uart_puts(GK_UART_COM1, "hello from the emulated UART\n");
	check(&failures, version == PV_ABI_VERSION(PV_ABI_MAJOR, PV_ABI_MINOR), "CPUID version");
	check(&failures, gk_version() == version, "version hypercall agrees with CPUID");
	check(&failures, si->magic == PV_START_INFO_MAGIC, "start-info magic");
	check(&failures, si->mem_count >= 2 && si->mem[1].type == PV_MEM_RAM, "start-info memory");
	check(&failures, gk_yield() == 0, "yield returns 0");
	say("cmdline: ");
	say(si->cmdline);
	say("\n");
	return report(si, failures, 0);
}
