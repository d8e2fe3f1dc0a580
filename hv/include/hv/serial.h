/*
 * The serial port that carries Shunt's console, as the command line's console= word names it:
 * a legacy COM port, any I/O port, a PCI 16550 (resolved through its BAR0 at boot) or a
 * memory-mapped 16550. serial_parse() reads the word (pure, host-tested); hv/console_setup.c
 * finds the device and hands a port or MMIO spec to arch_console_init().
 */
#ifndef HV_SERIAL_H
#define HV_SERIAL_H

#include <hv/types.h>

enum serial_kind {
	SERIAL_NONE = 0, /* console=none: no serial output */
	SERIAL_PORT,	 /* com1-com4 or 0xPORT: a 16550 in I/O space, registers 1 port apart */
	SERIAL_MMIO,	 /* mmio:ADDR or mmio32:ADDR: a 16550 in memory space */
	SERIAL_PCI, /* pci:BB:DD.F: a PCI serial controller, a PORT or MMIO one once resolved */
};

#define SERIAL_BAUD_DEFAULT 115200u /* and the base clock: divisor = 115200 / baud */
#define SERIAL_NAME_MAX 24
#define SERIAL_MMIO_LIMIT (1ull << 32) /* MMIO consoles must lie below 4 GiB (see README) */
#define SERIAL_REGS 8		       /* a 16550 has 8 registers */

struct serial_spec {
	enum serial_kind kind;
	uint8_t reg_width; /* MMIO: bytes per register, 1 (mmio:) or 4 (mmio32:, 32-bit accesses) */
	uint64_t addr;	   /* PORT: the base port; MMIO: the physical address of register 0 */
	uint32_t bdf;	   /* PCI: bus << 8 | device << 3 | function */
	uint32_t baud;	   /* 0: not given (legacy ports: 115200; others keep the firmware's) */
	char name[SERIAL_NAME_MAX]; /* for messages: "COM2", "port 0x2f8", "pci:00:05.0", ... */
};

/* The default console: COM1 at 115200 baud. */
void serial_default(struct serial_spec *out);

/*
 * Parses the value of console=: none | com1..com4 | 0xPORT | pci:BB:DD.F | mmio:ADDR |
 * mmio32:ADDR (numbers in hex), each but none optionally followed by ",BAUD" (decimal, a
 * divisor of 115200). Returns 0, or -EINVAL with a one-line reason in err (out is then the
 * default). Pure.
 */
int serial_parse(const char *text, struct serial_spec *out, char *err, size_t err_size);

/* The ports [first, last] a PORT spec decodes: base .. base + 7. */
static inline uint16_t serial_port_last(const struct serial_spec *s)
{
	return (uint16_t)(s->addr + SERIAL_REGS - 1);
}

#endif
