/*
 * PCI enumeration: what is on the buses, with IDs, class and BARs (sizes included).
 */
#ifndef HV_PCI_H
#define HV_PCI_H

#include <hv/types.h>
#include <pvabi/hw.h>

struct pci_function {
	uint32_t bdf; /* bus << 8 | device << 3 | function */
	uint16_t vendor, device;
	uint32_t class_code; /* class << 16 | subclass << 8 | prog-if */
	uint8_t header_type; /* 0: a device (BARs sized); 1: a bridge */
	struct pv_hw_bar bars[6];
};

#define PCI_COMMAND 0x04
#define PCI_COMMAND_BUS_MASTER (1u << 2)

/* Configuration space of bus/device/function bdf (ECAM when there is one, else 0xCF8). */
uint32_t pci_cfg_read32(uint32_t bdf, uint16_t offset);
void pci_cfg_write32(uint32_t bdf, uint16_t offset, uint32_t value);
/*
 * The command register (the low half of the dword at PCI_COMMAND). Writes leave the status
 * half zero: its error bits clear when written with 1, so writing back what was read would
 * wipe them.
 */
uint16_t pci_command_read(uint32_t bdf);
void pci_command_write(uint32_t bdf, uint16_t command);

/* 1 if [base, base + size) overlaps the ECAM window (PCI configuration space as memory). */
int pci_ecam_overlaps(uint64_t base, uint64_t size);

/* Finds every function (ECAM if the ACPI MCFG says so, else 0xCF8). Returns how many
 * exist; fills at most max of them into out. Call after ACPI is up. */
unsigned int pci_enumerate(struct pci_function *out, unsigned int max);

#endif
