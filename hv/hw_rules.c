/*
 * The rules of direct hardware access that need no hardware: the compatibility table of
 * device classes Shunt vouches for, the grammar of grants, the port-batch validator, and
 * what a grant may not reach (Shunt's console) or takes from Shunt (the display).
 * Pure code, host-tested (tests/unit/test_hw_rules.c).
 */
#include <hv/fmt.h>
#include <hv/hw.h>
#include <hv/parse.h>
#include <hv/pci.h>
#include <hv/string.h>

#define MODE_BIT(m) (1u << (m))
#define IO_MODES (MODE_BIT(PV_HW_MODE_IO) | MODE_BIT(PV_HW_MODE_PASSTHROUGH))

/* Device classes Shunt vouches for, and what it allows on each (PCI class codes: PCI Code
 * and ID Assignment Specification 1.11). Anything else is foreign: refused. */
static const struct hw_compat compat_table[] = {
	{ "16550 UART", PV_HW_KIND_PORTS, 0xffffff, HW_CLASS_UART_16550, IO_MODES, 0 },
	{ "VBE display interface", PV_HW_KIND_PORTS, 0xffffff, HW_CLASS_VBE_DISPI, IO_MODES, 0 },
	{ "serial controller", PV_HW_KIND_PCI, 0xffff00, 0x070000, IO_MODES, 0 },
	/* A real GPU is a bus master whose BARs program its DMA: only known adapters are safe. */
	{ "VGA display", PV_HW_KIND_PCI, 0xffff00, 0x030000, MODE_BIT(PV_HW_MODE_MMIO), 1 },
	{ "mass storage", PV_HW_KIND_PCI, 0xff0000, 0x010000, IO_MODES | MODE_BIT(PV_HW_MODE_MMIO),
	  1 },
	{ "network controller", PV_HW_KIND_PCI, 0xff0000, 0x020000,
	  IO_MODES | MODE_BIT(PV_HW_MODE_MMIO), 1 },
	{ "USB controller", PV_HW_KIND_PCI, 0xffff00, 0x0c0300,
	  IO_MODES | MODE_BIT(PV_HW_MODE_MMIO), 1 },
};

/* Devices Shunt knows by their IDs, checked before the classes above. */
static const struct {
	uint16_t vendor, device;
	struct hw_compat compat;
} known_devices[] = {
	/* Bochs/QEMU standard VGA: a framebuffer and its registers, no DMA engine. */
	{ 0x1234,
	  0x1111,
	  { "standard VGA (emulated)", PV_HW_KIND_PCI, 0xffff00, 0x030000,
	    MODE_BIT(PV_HW_MODE_MMIO), 0 } },
};

const struct hw_compat *hw_compat_find_device(uint16_t vendor, uint16_t device, uint32_t class_code)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(known_devices); i++) {
		const struct hw_compat *c = &known_devices[i].compat;

		if (known_devices[i].vendor == vendor && known_devices[i].device == device &&
		    (class_code & c->class_mask) == c->class_value)
			return c;
	}
	return hw_compat_find(PV_HW_KIND_PCI, class_code);
}

const struct hw_compat *hw_compat_find(uint16_t kind, uint32_t class_code)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(compat_table); i++) {
		const struct hw_compat *c = &compat_table[i];

		if (c->kind == kind && (class_code & c->class_mask) == c->class_value)
			return c;
	}
	return NULL;
}

static int parse_hex(const char **p, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if ((*p)[0] == '0' && ((*p)[1] == 'x' || (*p)[1] == 'X'))
		*p += 2;
	if (parse_uint(p, 16, max, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_mode(const char *p, uint16_t *mode)
{
	if (!strcmp(p, "io"))
		*mode = PV_HW_MODE_IO;
	else if (!strcmp(p, "mmio"))
		*mode = PV_HW_MODE_MMIO;
	else if (!strcmp(p, "passthrough"))
		*mode = PV_HW_MODE_PASSTHROUGH;
	else
		return -1;
	return 0;
}

int hw_grant_parse(const char *text, struct hw_grant_spec *out, char *err, size_t err_size)
{
	const char *p = text;
	uint32_t a, b, c;

	memset(out, 0, sizeof(*out));
	if (!strncmp(p, "pci:", 4)) {
		p += 4;
		if (parse_hex(&p, 0xff, &a) || *p++ != ':' || parse_hex(&p, 0x1f, &b) ||
		    *p++ != '.' || parse_hex(&p, 7, &c) || *p++ != ':')
			goto bad;
		out->kind = PV_HW_KIND_PCI;
		out->bdf = a << 8 | b << 3 | c;
	} else if (!strncmp(p, "ports:", 6)) {
		p += 6;
		if (parse_hex(&p, 0xffff, &a) || *p++ != '-' || parse_hex(&p, 0xffff, &b) ||
		    *p++ != ':' || b < a)
			goto bad;
		out->kind = PV_HW_KIND_PORTS;
		out->port_first = (uint16_t)a;
		out->port_last = (uint16_t)b;
	} else {
		goto bad;
	}
	if (parse_mode(p, &out->mode))
		goto bad;
	return 0;
bad:
	fmt_snprintf(err, err_size,
		     "\"%s\": a grant is pci:BB:DD.F:MODE or ports:FIRST-LAST:MODE "
		     "(hex), MODE io, mmio or passthrough",
		     text);
	return -EINVAL;
}

/* The window holding [first, last] entirely, or NULL. */
static const struct hw_port_window *window_of(uint32_t first, uint32_t last,
					      const struct hw_port_window *windows,
					      unsigned int window_count)
{
	for (unsigned int w = 0; w < window_count; w++)
		if (first >= windows[w].first && last <= windows[w].last)
			return &windows[w];
	return NULL;
}

/* By width: 1 if the CPU has port operations that wide (1, 2 or 4 bytes). */
static const uint8_t port_width_ok[256] = { [1] = 1, [2] = 1, [4] = 1 };

int hw_batch_check(const struct pv_port_op *ops, uint32_t count,
		   const struct hw_port_window *windows, unsigned int window_count,
		   struct pv_port_op *copy, uint32_t *bad_index)
{
	/* The window of the last op (none yet: an empty one). Batches mostly stay on one device. */
	uint32_t first = 1, last = 0;

	for (uint32_t i = 0; i < count; i++) {
		struct pv_port_op op;
		uint32_t end;
		const struct hw_port_window *w;

		/* 8 bytes in one move (not field by field); what is checked is what runs. */
		__builtin_memcpy(&op, &ops[i], sizeof(op));
		__builtin_memcpy(&copy[i], &op, sizeof(op));
		/* The commonest by far: a one-byte write into the last op's window. */
		if (op.width == 1 && op.write == 1 && op.port >= first && op.port <= last)
			continue;
		if (!port_width_ok[op.width] | (op.write > 1)) {
			*bad_index = i;
			return PV_EINVAL;
		}
		end = (uint32_t)op.port + op.width - 1;
		if (!((op.port < first) | (end > last))) /* in the last op's window */
			continue;
		w = window_of(op.port, end, windows, window_count);
		if (!w) {
			*bad_index = i;
			return PV_EACCES;
		}
		first = w->first;
		last = w->last;
	}
	return 0;
}

uint16_t hw_pci_command_granted(uint16_t command)
{
	return (uint16_t)(command & ~PCI_COMMAND_BUS_MASTER);
}

static int ranges_overlap(uint64_t a_first, uint64_t a_last, uint64_t b_first, uint64_t b_last)
{
	return a_first <= b_last && b_first <= a_last;
}

const char *hw_console_conflict(const struct hw_console_use *con, const struct hw_grant_spec *s,
				const struct pv_hw_bar *bars, char *why, size_t why_size)
{
	int hit = 0;

	if (s->kind == PV_HW_KIND_PORTS)
		hit = con->has_ports &&
		      ranges_overlap(s->port_first, s->port_last, con->port_first, con->port_last);
	else
		hit = con->has_bdf && s->bdf == con->bdf;
	for (unsigned int b = 0; bars && !hit && b < HW_BARS_MAX; b++) {
		uint64_t first = bars[b].base, last = bars[b].base + bars[b].size - 1;

		if (!bars[b].size)
			continue;
		if (bars[b].flags & PV_HW_BAR_IO)
			hit = con->has_ports &&
			      ranges_overlap(first, last, con->port_first, con->port_last);
		else
			hit = con->has_mmio &&
			      ranges_overlap(first, last, con->mmio_first, con->mmio_last);
	}
	if (!hit)
		return NULL;
	fmt_snprintf(why, why_size, "it is Shunt's own console (%s)", con->name);
	return why;
}

int hw_grant_is_display(const struct hw_grant_spec *s, uint32_t class_code)
{
	if (class_code >> 16 == 0x03)
		return 1;
	return s->kind == PV_HW_KIND_PORTS &&
	       (ranges_overlap(s->port_first, s->port_last, 0x3b0, 0x3df) ||
		ranges_overlap(s->port_first, s->port_last, 0x1ce, 0x1d0));
}
