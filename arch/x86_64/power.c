/*
 * Stopping the machine (arch_stop). In test mode Shunt powers off through whatever the
 * platform offers, in this order: QEMU's isa-debug-exit (carries the exit code), ACPI S5
 * from the FADT and \_S5, and Bochs' shutdown port; if none works, it halts.
 */
#include <arch/x86.h>
#include <hv/acpi.h>
#include <hv/arch.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define ACPI_SLP_EN (1u << 13)

static void acpi_power_off(void)
{
	struct acpi_s5 s5;

	if (acpi_s5_info(&s5))
		return;
	outw(s5.pm1a_cnt, (uint16_t)((s5.slp_typa << 10) | ACPI_SLP_EN));
	if (s5.pm1b_cnt)
		outw(s5.pm1b_cnt, (uint16_t)((s5.slp_typb << 10) | ACPI_SLP_EN));
}

void arch_stop(int power_off, int exit_code)
{
	cli();
	if (power_off) {
		outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)exit_code);
		acpi_power_off();
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	}
	for (;;)
		hlt();
}
