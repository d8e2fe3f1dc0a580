/*
 * Bringing up Shunt's console from the command line's choice (console=, screen=) and the
 * screen the loader found: the serial port (a PCI serial controller through its BAR0; COM1
 * when the chosen port can not be used), the screen (VGA text or a framebuffer), the line
 * that says what the console is, and what it occupies, so that no guest is granted it.
 */
#include <boot/handoff.h>
#include <hv/arch.h>
#include <hv/cmdline.h>
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/pci.h>
#include <hv/screen.h>
#include <hv/serial.h>

#include <stdarg.h>

/* The font, converted from a Debian console font by tools/psf2c (build/font/). */
extern const uint8_t screen_font[SCREEN_FONT_COUNT][SCREEN_FONT_HEIGHT];
extern const char screen_font_source[];

#define PCI_CLASS_REVISION 0x08
#define PCI_BAR0 0x10
#define PCI_CLASS_SERIAL 0x07 /* simple communication controller */
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define BOOT_MAPPED_LIMIT (1ull << 32) /* what the boot page tables reach (boot64.S) */
#define TEXT_ATTRIBUTE 0x07	       /* light grey on black */
#define PROBLEMS_MAX 2
#define PROBLEM_MAX 160

static struct {
	struct serial_spec serial; /* in use: PORT, MMIO or NONE */
	uint32_t pci_bdf;	   /* the PCI function it is, or UINT32_MAX */
	char serial_where[48];	   /* "port 0x2f8", "BAR0 port 0xc000", ... */
	struct screen screen;
	struct screen_surface surface;
	int screen_set;	    /* surface describes a usable screen */
	int screen_waiting; /* set, but beyond the boot page tables: drawn once mapped */
	char screen_what[96];
	char problems[PROBLEMS_MAX][PROBLEM_MAX];
	unsigned int problem_count;
} con = { .pci_bdf = UINT32_MAX };

__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...)
{
	va_list ap;

	if (con.problem_count == PROBLEMS_MAX)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(con.problems[con.problem_count++], PROBLEM_MAX, fmt, ap);
	va_end(ap);
}

/* A PCI serial controller's BAR0 as a PORT or MMIO spec; 0, or -ENODEV with why set. */
static int resolve_pci(struct serial_spec *s, char *why, size_t size)
{
	uint32_t id = arch_pci_cfg_read32(s->bdf, 0), class_code, bar, command;
	uint64_t base;

	if ((id & 0xffff) == 0xffff) {
		fmt_snprintf(why, size, "no PCI function there");
		return -ENODEV;
	}
	class_code = arch_pci_cfg_read32(s->bdf, PCI_CLASS_REVISION) >> 8;
	if (class_code >> 16 != PCI_CLASS_SERIAL) {
		fmt_snprintf(why, size, "%04x:%04x is not a serial controller (class %06x)",
			     id & 0xffff, id >> 16, class_code);
		return -ENODEV;
	}
	bar = arch_pci_cfg_read32(s->bdf, PCI_BAR0);
	command = arch_pci_cfg_read32(s->bdf, PCI_COMMAND) & 0xffff;
	if (bar & 1) {
		base = bar & ~3u;
		s->kind = SERIAL_PORT;
		command |= PCI_COMMAND_IO;
	} else {
		base = bar & ~0xfu;
		if (((bar >> 1) & 3) == 2)
			base |= (uint64_t)arch_pci_cfg_read32(s->bdf, PCI_BAR0 + 4) << 32;
		s->kind = SERIAL_MMIO;
		s->reg_width = 1;
		command |= PCI_COMMAND_MEMORY;
	}
	if (!base) {
		fmt_snprintf(why, size, "its BAR0 is not assigned");
		return -ENODEV;
	}
	if (s->kind == SERIAL_MMIO && base + SERIAL_REGS > BOOT_MAPPED_LIMIT) {
		fmt_snprintf(why, size, "its BAR0 (0x%llx) is above 4 GiB, out of reach at boot",
			     (unsigned long long)base);
		return -ENODEV;
	}
	s->addr = base;
	arch_pci_cfg_write32(s->bdf, PCI_COMMAND, command); /* decoding on; status bits kept */
	return 0;
}

static void describe_serial(void)
{
	const struct serial_spec *s = &con.serial;
	const char *bar = con.pci_bdf != UINT32_MAX ? "BAR0 " : "";

	if (s->kind == SERIAL_PORT)
		fmt_snprintf(con.serial_where, sizeof(con.serial_where), "%sport 0x%llx", bar,
			     (unsigned long long)s->addr);
	else if (s->kind == SERIAL_MMIO)
		fmt_snprintf(con.serial_where, sizeof(con.serial_where), "%smemory 0x%llx%s", bar,
			     (unsigned long long)s->addr,
			     s->reg_width == 4 ? ", 32-bit registers" : "");
}

static void setup_serial(const struct hv_options *o)
{
	struct serial_spec s = o->console;
	char why[96] = "it does not answer";

	if (s.kind == SERIAL_PORT && !s.baud)
		s.baud =
			SERIAL_BAUD_DEFAULT; /* a legacy port is set up fully; others keep theirs */
	if (s.kind == SERIAL_PCI)
		con.pci_bdf = s.bdf;
	if ((s.kind != SERIAL_PCI || resolve_pci(&s, why, sizeof(why)) == 0) &&
	    arch_console_init(&s) == 0) {
		con.serial = s;
	} else if (o->console.kind == SERIAL_PORT && o->console.addr == 0x3f8) {
		con.serial.kind = SERIAL_NONE; /* no COM1 (the default): the screen alone */
		fmt_snprintf(con.serial.name, sizeof(con.serial.name), "none (no COM1)");
	} else {
		con.pci_bdf = UINT32_MAX;
		serial_default(&s);
		s.baud = SERIAL_BAUD_DEFAULT;
		if (arch_console_init(&s))
			s.kind = SERIAL_NONE;
		problem("console: %s: %s: %s", o->console.name, why,
			s.kind == SERIAL_NONE ? "no serial console (COM1 does not answer either)"
					      : "using COM1");
		con.serial = s;
	}
	describe_serial();
	console_set_baud(con.serial.baud);
}

/* The loader's screen as a surface; 0, or -EINVAL with why set. */
static int screen_surface(const struct handoff_screen *hs, struct screen_surface *out,
			  uint64_t *size, char *why, size_t why_size)
{
	*out = (struct screen_surface){ .base = phys_to_virt(hs->base),
					.width = hs->width,
					.height = hs->height,
					.pitch = hs->pitch };
	if (hs->type == HANDOFF_SCREEN_EGA_TEXT) {
		out->kind = SCREEN_TEXT;
		out->fg = TEXT_ATTRIBUTE;
		fmt_snprintf(why, why_size, "VGA text %ux%u", hs->width, hs->height);
	} else if (hs->type == HANDOFF_SCREEN_RGB) {
		const uint8_t shift[3] = { hs->red_shift, hs->green_shift, hs->blue_shift };
		const uint8_t bits[3] = { hs->red_bits, hs->green_bits, hs->blue_bits };

		out->kind = SCREEN_RGB;
		out->bytes_per_pixel = (hs->bpp + 7u) / 8;
		out->fg = screen_rgb(0xaa, 0xaa, 0xaa, shift, bits);
		out->bg = screen_rgb(0, 0, 0, shift, bits);
		fmt_snprintf(why, why_size,
			     "framebuffer %ux%u, %u bits per pixel (%ux%u characters)", hs->width,
			     hs->height, hs->bpp, hs->width / SCREEN_FONT_WIDTH,
			     hs->height / SCREEN_FONT_HEIGHT);
	} else {
		fmt_snprintf(why, why_size, "none found");
		return -EINVAL;
	}
	*size = (uint64_t)hs->pitch * hs->height;
	if (!hs->base || !*size || hs->base + *size < hs->base ||
	    (out->kind == SCREEN_RGB && out->bytes_per_pixel != 2 && out->bytes_per_pixel != 3 &&
	     out->bytes_per_pixel != 4)) {
		problem("console: the screen the loader reports can not be drawn on (%s at 0x%llx, "
			"pitch %u)",
			why, (unsigned long long)hs->base, hs->pitch);
		fmt_snprintf(why, why_size, "off (unusable)");
		return -EINVAL;
	}
	return 0;
}

static void setup_screen(const struct hv_options *o, const struct handoff_screen *hs)
{
	uint64_t size;

	if (o->screen == HV_SCREEN_OFF ||
	    (o->screen == HV_SCREEN_AUTO && o->console.kind == SERIAL_NONE)) {
		fmt_snprintf(con.screen_what, sizeof(con.screen_what), "off (%s)",
			     o->screen == HV_SCREEN_OFF ? "screen=off" : "console=none");
		return;
	}
	if (!hs) {
		fmt_snprintf(con.screen_what, sizeof(con.screen_what), "none found");
		return;
	}
	if (screen_surface(hs, &con.surface, &size, con.screen_what, sizeof(con.screen_what)))
		return;
	con.screen_set = 1;
	con.screen_waiting = hs->base + size > BOOT_MAPPED_LIMIT;
	if (con.screen_waiting)
		return;
	if (screen_init(&con.screen, &con.surface, screen_font)) {
		con.screen_set = 0;
		fmt_snprintf(con.screen_what, sizeof(con.screen_what), "off (too small)");
		return;
	}
	console_screen = &con.screen;
}

void console_setup(const struct hv_options *opts, const struct handoff_screen *screen)
{
	setup_serial(opts);
	setup_screen(opts, screen);
}

void console_map_devices(void)
{
	const struct serial_spec *s = &con.serial;

	if (s->kind == SERIAL_MMIO && arch_map_device(s->addr, SERIAL_REGS * s->reg_width)) {
		problem("console: %s can not be mapped: no serial console", s->name);
		con.serial.kind = SERIAL_NONE;
		arch_console_init(&con.serial);
	}
	if (!con.screen_set)
		return;
	if (arch_map_device(virt_to_phys(con.surface.base),
			    (uint64_t)con.surface.pitch * con.surface.height)) {
		console_screen = NULL;
		con.screen_set = 0;
		log_warn("console: the screen can not be mapped: no screen console\n");
		return;
	}
	if (con.screen_waiting && screen_init(&con.screen, &con.surface, screen_font) == 0)
		console_screen = &con.screen;
	con.screen_waiting = 0;
}

void console_report(void)
{
	const struct serial_spec *s = &con.serial;

	if (s->kind == SERIAL_NONE)
		log_info("console: serial %s, screen %s\n", s->name, con.screen_what);
	else if (s->baud)
		log_info("console: serial %s (%s, %u baud), screen %s\n", s->name, con.serial_where,
			 s->baud, con.screen_what);
	else
		log_info("console: serial %s (%s, baud rate as the firmware set it), screen %s\n",
			 s->name, con.serial_where, con.screen_what);
	if (console_screen)
		log_debug("console: font %s\n", screen_font_source);
	for (unsigned int i = 0; i < con.problem_count; i++)
		log_warn("%s\n", con.problems[i]);
}

const struct serial_spec *console_serial_device(uint32_t *pci_bdf)
{
	*pci_bdf = con.pci_bdf;
	return &con.serial;
}

int console_screen_is_on(void)
{
	return console_screen != NULL || con.screen_waiting;
}

void console_screen_release(const char *why)
{
	log_info("%s\n", why);	 /* drawn at once before guests run (grants are judged then) */
	console_screen_detach(); /* not while another CPU's line is drawn */
	con.screen_set = con.screen_waiting = 0;
}
