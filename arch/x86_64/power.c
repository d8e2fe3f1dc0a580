/*
 * Stopping the machine (arch_stop). A power-off goes through whatever the platform offers,
 * in this order: QEMU's isa-debug-exit (carries the exit code), ACPI S5 from the FADT and
 * \_S5, and Bochs' shutdown port. A reboot resets through the PCI reset control register
 * (0xCF9), then the keyboard controller. If nothing works, the CPU halts.
 */
#include <arch/x86.h>
#include <hv/acpi.h>
#include <hv/arch.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define ACPI_SLP_EN (1u << 13)
#define RESET_CONTROL_PORT 0xcf9
#define RESET_CONTROL_FULL 0x0e /* full reset, reset CPU, system reset */
#define KBC_COMMAND_PORT 0x64
#define KBC_PULSE_RESET 0xfe

static void acpi_power_off(void)
{
	struct acpi_s5 s5;

	if (acpi_s5_info(&s5))
		return;
	outw(s5.pm1a_cnt, (uint16_t)((s5.slp_typa << 10) | ACPI_SLP_EN));
	if (s5.pm1b_cnt)
		outw(s5.pm1b_cnt, (uint16_t)((s5.slp_typb << 10) | ACPI_SLP_EN));
}

void arch_stop(enum arch_stop_mode mode, int exit_code)
{
	cli();
	if (mode == ARCH_STOP_REBOOT) {
		outb(RESET_CONTROL_PORT, RESET_CONTROL_FULL);
		outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
	}
	if (mode == ARCH_STOP_POWER_OFF) {
		outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)exit_code);
		acpi_power_off();
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	}
	for (;;)
		hlt();
}
