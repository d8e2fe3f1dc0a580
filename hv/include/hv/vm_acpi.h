/*
 * The ACPI tables Shunt builds for each Linux VM (README.md, "Linux guests"): RSDP, XSDT,
 * a FADT whose PM1a control (and ACPI 5 sleep control) register powers the VM off and whose
 * reset register stops it for a reboot, with a PM timer and an SCI that never fires, an
 * empty FACS, a MADT with its local APICs and the PC-AT 8259A pair, and a DSDT that only
 * names the S5 sleep state. Pure code, host-tested; the ports are emulated by hv/devices/acpi_pm.c.
 */
#ifndef HV_VM_ACPI_H
#define HV_VM_ACPI_H

#include <hv/types.h>

/* The VM's ACPI register block: 16 ports. */
#define VM_ACPI_PORT_BASE 0x600
#define VM_ACPI_PORT_COUNT 16
#define VM_ACPI_PM1A_EVT_PORT 0x600 /* PM1a status (2 bytes) and enable (2 bytes) */
#define VM_ACPI_PM1A_EN_PORT 0x602
#define VM_ACPI_PM1A_CNT_PORT 0x604  /* PM1a control (2 bytes): SLP_TYP 12:10, SLP_EN 13 */
#define VM_ACPI_SLEEP_CTL_PORT 0x606 /* sleep control (1 byte): SLP_TYP 4:2, SLP_EN 5 */
#define VM_ACPI_SLEEP_STS_PORT 0x607 /* sleep status (1 byte): WAK_STS 7 */
#define VM_ACPI_RESET_PORT 0x608     /* reset register (1 byte) */
#define VM_ACPI_RESET_VALUE 0x01
#define VM_ACPI_PM_TMR_PORT 0x60c /* PM timer (4 bytes): 3.579545 MHz, 32 bits */
#define VM_ACPI_PM_TMR_HZ 3579545u
#define VM_ACPI_SCI_IRQ 9
#define VM_ACPI_S5_SLP_TYP 5 /* the DSDT's \_S5 package */

#define VM_ACPI_LAPIC_BASE 0xfee00000u

/*
 * Writes the tables into area, the host view of guest-physical [gpa, gpa + size), for cpus
 * local APICs (IDs 0..cpus-1). Returns the RSDP's guest-physical address (gpa), or 0 when
 * size is too small (4 KiB is enough) or cpus is 0 or above 255.
 */
uint64_t vm_acpi_build(void *area, uint64_t gpa, uint64_t size, unsigned int cpus);

#endif
