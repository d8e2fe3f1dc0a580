/*
 * The console= word (see hv/serial.h): which serial port carries Shunt's console and at what
 * speed. Pure code, tested on the host (tests/unit/test_serial.c).
 */
#include <hv/fmt.h>
#include <hv/parse.h>
#include <hv/serial.h>
#include <hv/string.h>

static const struct {
	const char *word;
	uint16_t base;
} legacy[] = { { "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 }, { "com4", 0x2e8 } };

void serial_default(struct serial_spec *out)
{
	*out = (struct serial_spec){ .kind = SERIAL_PORT, .addr = 0x3f8, .name = "COM1" };
}

static int is_legacy(const char *p, size_t n, unsigned int *which)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(legacy); i++) {
		unsigned int k = 0;

		while (k < n && legacy[i].word[k] && (p[k] | 0x20) == legacy[i].word[k])
			k++;
		if (k == n && !legacy[i].word[k]) {
			*which = i;
			return 1;
		}
	}
	return 0;
}

static int parse_hex(const char **p, uint64_t max, uint64_t *out)
{
	if ((*p)[0] == '0' && ((*p)[1] == 'x' || (*p)[1] == 'X'))
		*p += 2;
	return parse_uint(p, 16, max, out);
}

/* The device part, up to the ',' or the end; 0, or -EINVAL. */
static int parse_device(const char *text, size_t n, struct serial_spec *s)
{
	const char *p = text, *end = text + n;
	unsigned int which;
	uint64_t a, b, c;

	if (is_legacy(text, n, &which)) {
		*s = (struct serial_spec){ .kind = SERIAL_PORT, .addr = legacy[which].base };
		fmt_snprintf(s->name, sizeof(s->name), "COM%u", which + 1);
		return 0;
	}
	*s = (struct serial_spec){ 0 };
	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (parse_hex(&p, 0x10000 - SERIAL_REGS, &a) || p != end || a == 0)
			return -EINVAL;
		s->kind = SERIAL_PORT;
		s->addr = a;
		fmt_snprintf(s->name, sizeof(s->name), "port 0x%llx", (unsigned long long)a);
		return 0;
	}
	if (n > 4 && !strncmp(p, "pci:", 4)) {
		p += 4;
		if (parse_hex(&p, 0xff, &a) || *p++ != ':' || parse_hex(&p, 0x1f, &b) ||
		    *p++ != '.' || parse_hex(&p, 7, &c) || p != end)
			return -EINVAL;
		s->kind = SERIAL_PCI;
		s->bdf = (uint32_t)(a << 8 | b << 3 | c);
		fmt_snprintf(s->name, sizeof(s->name), "pci:%02llx:%02llx.%llx",
			     (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
		return 0;
	}
	if ((n > 5 && !strncmp(p, "mmio:", 5)) || (n > 7 && !strncmp(p, "mmio32:", 7))) {
		s->reg_width = p[4] == ':' ? 1 : 4;
		p += s->reg_width == 1 ? 5 : 7;
		if (parse_hex(&p, SERIAL_MMIO_LIMIT - SERIAL_REGS * s->reg_width, &a) || p != end ||
		    a == 0 || !IS_ALIGNED(a, s->reg_width))
			return -EINVAL;
		s->kind = SERIAL_MMIO;
		s->addr = a;
		fmt_snprintf(s->name, sizeof(s->name), "%s:0x%llx",
			     s->reg_width == 1 ? "mmio" : "mmio32", (unsigned long long)a);
		return 0;
	}
	return -EINVAL;
}

int serial_parse(const char *text, struct serial_spec *out, char *err, size_t err_size)
{
	const char *comma = NULL;
	size_t n = 0;

	while (text[n] && text[n] != ',')
		n++;
	if (text[n] == ',')
		comma = text + n;

	if (!strcmp(text, "none")) {
		*out = (struct serial_spec){ .kind = SERIAL_NONE, .name = "none" };
		return 0;
	}
	if (parse_device(text, n, out)) {
		fmt_snprintf(err, err_size,
			     "console is none, com1-com4, 0xPORT, pci:BB:DD.F, mmio:ADDR or "
			     "mmio32:ADDR (hex, below 4 GiB), then optionally ,BAUD");
		goto bad;
	}
	if (comma) {
		const char *p = comma + 1;
		uint64_t baud;

		if (parse_uint(&p, 10, SERIAL_BAUD_DEFAULT, &baud) || *p || baud == 0 ||
		    SERIAL_BAUD_DEFAULT % baud) {
			fmt_snprintf(err, err_size,
				     "the baud rate is a divisor of 115200 (115200, 57600, 38400, "
				     "19200, 9600, ...)");
			goto bad;
		}
		out->baud = (uint32_t)baud;
	}
	return 0;
bad:
	serial_default(out);
	return -EINVAL;
}
