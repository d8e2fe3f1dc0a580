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

/* Finds every function (ECAM if the ACPI MCFG says so, else 0xCF8). Returns how many
 * exist; fills at most max of them into out. Call after ACPI is up. */
unsigned int pci_enumerate(struct pci_function *out, unsigned int max);

#endif
