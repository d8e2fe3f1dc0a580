/*
 * The machine's I/O ports for generic code: plain port access by width, and PCI
 * configuration space through the legacy configuration mechanism #1 (0xCF8 address,
 * 0xCFC data; PCI Local Bus Specification 3.0, 3.2.2.3.2).
 */
#include <arch/x86.h>
#include <hv/arch.h>
#include <pvabi/hw.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_CONFIG_ENABLE (1u << 31)

void arch_ports_run(const struct pv_port_op *ops, uint32_t count, struct pv_port_op *results)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t raw; /* the op in one load: port 15:0, width 23:16, write 31:24, value */

		__builtin_memcpy(&raw, &ops[i], sizeof(raw));
		if ((uint16_t)(raw >> 16) == 0x0101) /* a one-byte write, the commonest */
			outb((uint16_t)raw, (uint8_t)(raw >> 32));
		else if (raw & (1ull << 24))
			arch_port_write((uint16_t)raw, (uint8_t)(raw >> 16), (uint32_t)(raw >> 32));
		else
			results[i].value = arch_port_read((uint16_t)raw, (uint8_t)(raw >> 16));
	}
}

uint32_t arch_port_read(uint16_t port, unsigned int width)
{
	if (width == 1)
		return inb(port);
	if (width == 2)
		return inw(port);
	return inl(port);
}

void arch_port_write(uint16_t port, unsigned int width, uint32_t value)
{
	if (width == 1)
		outb(port, (uint8_t)value);
	else if (width == 2)
		outw(port, (uint16_t)value);
	else
		outl(port, value);
}

uint32_t arch_pci_cfg_read32(uint32_t bdf, uint16_t offset)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (bdf << 8) | (offset & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

void arch_pci_cfg_write32(uint32_t bdf, uint16_t offset, uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (bdf << 8) | (offset & 0xfc));
	outl(PCI_CONFIG_DATA, value);
}
