/*
 * PCI enumeration at boot: every function on every bus, through ECAM when the ACPI MCFG
 * table describes it (PCI Firmware Specification 3.2, 4.1.2) and the legacy 0xCF8/0xCFC
 * mechanism otherwise, with BAR sizes found the usual way (all ones, with decoding off).
 */
#include <hv/acpi.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <hv/pci.h>
#include <hv/string.h>

#define PCI_VENDOR_ID 0x00
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0c /* byte 2 of this dword */
#define PCI_BAR0 0x10
#define PCI_COMMAND_DECODE 0x3 /* I/O and memory space */

static struct {
	hpa_t base; /* 0: legacy mechanism */
	uint8_t bus_first, bus_last;
} ecam;

uint32_t pci_cfg_read32(uint32_t bdf, uint16_t offset)
{
	if (ecam.base)
		return *(volatile uint32_t *)(uintptr_t)(ecam.base +
							 ((uint64_t)(bdf - (ecam.bus_first << 8))
							  << 12) +
							 offset);
	return arch_pci_cfg_read32(bdf, offset);
}

void pci_cfg_write32(uint32_t bdf, uint16_t offset, uint32_t value)
{
	if (ecam.base)
		*(volatile uint32_t *)(uintptr_t)(ecam.base +
						  ((uint64_t)(bdf - (ecam.bus_first << 8)) << 12) +
						  offset) = value;
	else
		arch_pci_cfg_write32(bdf, offset, value);
}

/* MCFG: a 44-byte header, then 16-byte allocations (base, segment, first bus, last bus). */
static void find_ecam(void)
{
	const struct acpi_header *mcfg = acpi_find_table("MCFG", 0);
	const uint8_t *entry;
	uint64_t base;

	if (!mcfg || mcfg->length < 44 + 16)
		return;
	entry = (const uint8_t *)mcfg + 44;
	memcpy(&base, entry, 8);
	if (entry[8] | entry[9]) /* segment group 0 only */
		return;
	if (arch_map_device(base + ((uint64_t)entry[10] << 20),
			    ((uint64_t)entry[11] - entry[10] + 1) << 20))
		return;
	ecam.base = base + ((uint64_t)entry[10] << 20);
	ecam.bus_first = entry[10];
	ecam.bus_last = entry[11];
	log_info("pci: ECAM at 0x%llx for buses %u-%u (ACPI MCFG)\n", (unsigned long long)base,
		 ecam.bus_first, ecam.bus_last);
}

uint16_t pci_command_read(uint32_t bdf)
{
	return (uint16_t)pci_cfg_read32(bdf, PCI_COMMAND);
}

void pci_command_write(uint32_t bdf, uint16_t command)
{
	pci_cfg_write32(bdf, PCI_COMMAND, command);
}

static void size_bars(uint32_t bdf, struct pci_function *f)
{
	uint16_t command = pci_command_read(bdf);

	pci_command_write(bdf, command & ~PCI_COMMAND_DECODE);
	for (unsigned int i = 0; i < 6; i++) {
		uint16_t off = (uint16_t)(PCI_BAR0 + 4 * i);
		uint32_t orig = pci_cfg_read32(bdf, off), mask;
		struct pv_hw_bar *bar = &f->bars[i];

		pci_cfg_write32(bdf, off, 0xffffffff);
		mask = pci_cfg_read32(bdf, off);
		pci_cfg_write32(bdf, off, orig);
		if (!mask || mask == 0xffffffff)
			continue;
		if (orig & 1) {
			uint64_t base = orig & ~3u, size = (~(mask & ~3u) + 1) & 0xffff;

			/* Unassigned, not decoded, or past the 64 Ki ports: not a usable window. */
			if (base && size && (command & 1) && base + size <= 0x10000) {
				bar->flags = PV_HW_BAR_IO;
				bar->base = base;
				bar->size = size;
			}
			continue;
		}
		bar->flags = PV_HW_BAR_MEM | ((orig & 8) ? PV_HW_BAR_PREFETCH : 0);
		bar->base = orig & ~0xfu;
		bar->size = (uint32_t)(~(mask & ~0xfu) + 1);
		if (((orig >> 1) & 3) == 2 &&
		    i < 5) { /* 64-bit: the next BAR holds the high half */
			uint32_t orig_hi = pci_cfg_read32(bdf, off + 4), mask_hi;

			pci_cfg_write32(bdf, off + 4, 0xffffffff);
			mask_hi = pci_cfg_read32(bdf, off + 4);
			pci_cfg_write32(bdf, off + 4, orig_hi);
			bar->flags |= PV_HW_BAR_64BIT;
			bar->base |= (uint64_t)orig_hi << 32;
			bar->size = ~(((uint64_t)mask_hi << 32) | (mask & ~0xfu)) + 1;
			i++;
		}
		if (!bar->base || !(command & 2))
			*bar = (struct pv_hw_bar){ 0 }; /* unassigned or not decoded */
	}
	pci_command_write(bdf, command);
}

unsigned int pci_enumerate(struct pci_function *out, unsigned int max)
{
	unsigned int n = 0;
	unsigned int bus_first = 0, bus_last = 255;

	find_ecam();
	if (ecam.base) {
		bus_first = ecam.bus_first;
		bus_last = ecam.bus_last;
	}
	for (unsigned int bus = bus_first; bus <= bus_last; bus++) {
		for (unsigned int dev = 0; dev < 32; dev++) {
			for (unsigned int fn = 0; fn < 8; fn++) {
				uint32_t bdf = bus << 8 | dev << 3 | fn;
				uint32_t id = pci_cfg_read32(bdf, PCI_VENDOR_ID);
				uint8_t header;

				if ((id & 0xffff) == 0xffff) {
					if (fn == 0)
						break;
					continue;
				}
				header = (uint8_t)(pci_cfg_read32(bdf, PCI_HEADER_TYPE) >> 16);
				if (n < max) {
					struct pci_function *f = &out[n];

					memset(f, 0, sizeof(*f));
					f->bdf = bdf;
					f->vendor = (uint16_t)id;
					f->device = (uint16_t)(id >> 16);
					f->class_code =
						pci_cfg_read32(bdf, PCI_CLASS_REVISION) >> 8;
					f->header_type = header & 0x7f;
					if (f->header_type == 0)
						size_bars(bdf, f);
				}
				n++;
				if (fn == 0 && !(header & 0x80))
					break; /* not multi-function */
			}
		}
	}
	return n;
}

int pci_ecam_overlaps(uint64_t base, uint64_t size)
{
	uint64_t ecam_size = ((uint64_t)ecam.bus_last - ecam.bus_first + 1) << 20;

	return ecam.base && base < ecam.base + ecam_size && ecam.base < base + size;
}
