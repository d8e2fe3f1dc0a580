/*
 * The loader's output (see console.h): messages are formatted once with fmt_vsnprintf, then
 * written to ConOut as UCS-2 while boot services last (the screen, and a serial port when
 * the firmware copies its console there), and to COM1 by polling the 16550's line status
 * register unless the firmware already copies ConOut to a serial port (each line once).
 * After ExitBootServices COM1 alone, so late errors reach it.
 */
#include "console.h"
#include "devpath.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <efilib.h>

#include <arch/x86.h>
#include <hv/devices/uart16550_regs.h>
#include <hv/fmt.h>

#define COM1 UART_COM1
#define UART_SPIN_MAX 100000 /* bounded: a board without COM1 reads 0xff and never blocks */

#define CONSOLE_LINE_MAX 512
#define CONOUT_CHUNK 128

static int use_conout;
static int conout_on_serial; /* the firmware copies ConOut to a UART: no COM1 copy of ours */

static void com1_putc(char c)
{
	for (int i = 0; i < UART_SPIN_MAX && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

static void conout_write(const char *s)
{
	CHAR16 chunk[CONOUT_CHUNK + 2];
	size_t n = 0;

	for (; *s; s++) {
		if (*s == '\n')
			chunk[n++] = L'\r';
		chunk[n++] = (CHAR16)(unsigned char)*s;
		if (n >= CONOUT_CHUNK || !s[1]) {
			chunk[n] = 0;
			ST->ConOut->OutputString(ST->ConOut, chunk);
			n = 0;
		}
	}
}

static void console_write(const char *s)
{
	if (!use_conout || !conout_on_serial) {
		for (const char *p = s; *p; p++) {
			if (*p == '\n')
				com1_putc('\r');
			com1_putc(*p);
		}
	}
	if (use_conout)
		conout_write(s);
}

/* Whether the firmware's console (the ConOut variable's device paths) includes a UART. */
static int firmware_console_has_uart(void)
{
	UINTN size = 0;
	uint8_t *paths = LibGetVariableAndSize(L"ConOut", &EfiGlobalVariable, &size);
	int found;

	if (!paths)
		return 0;
	found = devpath_has_uart(paths, size);
	FreePool(paths);
	return found;
}

void console_init(void)
{
	/* The firmware may be using COM1 too, at the same settings: let its bytes drain first. */
	for (int i = 0; i < UART_SPIN_MAX && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
		;
	outb(COM1 + UART_IER, 0x00); /* no interrupts: we poll */
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DATA, 0x01);	     /* divisor low: 115200 = 115200 / 1 */
	outb(COM1 + UART_IER, 0x00);	     /* divisor high */
	outb(COM1 + UART_LCR, UART_LCR_8N1); /* DLAB off */
	outb(COM1 + UART_IIR_FCR, 0x07);     /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);	     /* DTR, RTS */
	use_conout = ST && ST->ConOut;
	conout_on_serial = use_conout && firmware_console_has_uart();
}

void console_detach_firmware(void)
{
	use_conout = 0;
}

static void console_vprint(const char *prefix, const char *fmt, va_list ap)
{
	static char line[CONSOLE_LINE_MAX];
	size_t n = 0;

	if (prefix)
		n = (size_t)fmt_snprintf(line, sizeof(line), "%s", prefix);
	n += (size_t)fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (prefix) {
		/* Keep the line end even when the message was cut short. */
		if (n > sizeof(line) - 2)
			n = sizeof(line) - 2;
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	console_write(line);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprint(NULL, fmt, ap);
	va_end(ap);
}

void console_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprint("shunt-efi: ", fmt, ap);
	va_end(ap);
}

void console_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprint("shunt-efi: error: ", fmt, ap);
	va_end(ap);
}

static const struct {
	EFI_STATUS status;
	const char *name;
} status_names[] = {
	{ EFI_SUCCESS, "EFI_SUCCESS" },
	{ EFI_LOAD_ERROR, "EFI_LOAD_ERROR" },
	{ EFI_INVALID_PARAMETER, "EFI_INVALID_PARAMETER" },
	{ EFI_UNSUPPORTED, "EFI_UNSUPPORTED" },
	{ EFI_BAD_BUFFER_SIZE, "EFI_BAD_BUFFER_SIZE" },
	{ EFI_BUFFER_TOO_SMALL, "EFI_BUFFER_TOO_SMALL" },
	{ EFI_NOT_READY, "EFI_NOT_READY" },
	{ EFI_DEVICE_ERROR, "EFI_DEVICE_ERROR" },
	{ EFI_WRITE_PROTECTED, "EFI_WRITE_PROTECTED" },
	{ EFI_OUT_OF_RESOURCES, "EFI_OUT_OF_RESOURCES" },
	{ EFI_VOLUME_CORRUPTED, "EFI_VOLUME_CORRUPTED" },
	{ EFI_VOLUME_FULL, "EFI_VOLUME_FULL" },
	{ EFI_NO_MEDIA, "EFI_NO_MEDIA" },
	{ EFI_MEDIA_CHANGED, "EFI_MEDIA_CHANGED" },
	{ EFI_NOT_FOUND, "EFI_NOT_FOUND" },
	{ EFI_ACCESS_DENIED, "EFI_ACCESS_DENIED" },
	{ EFI_NO_RESPONSE, "EFI_NO_RESPONSE" },
	{ EFI_NO_MAPPING, "EFI_NO_MAPPING" },
	{ EFI_TIMEOUT, "EFI_TIMEOUT" },
	{ EFI_NOT_STARTED, "EFI_NOT_STARTED" },
	{ EFI_ALREADY_STARTED, "EFI_ALREADY_STARTED" },
	{ EFI_ABORTED, "EFI_ABORTED" },
	{ EFI_PROTOCOL_ERROR, "EFI_PROTOCOL_ERROR" },
	{ EFI_INCOMPATIBLE_VERSION, "EFI_INCOMPATIBLE_VERSION" },
	{ EFI_SECURITY_VIOLATION, "EFI_SECURITY_VIOLATION" },
	{ EFI_CRC_ERROR, "EFI_CRC_ERROR" },
	{ EFI_END_OF_MEDIA, "EFI_END_OF_MEDIA" },
	{ EFI_END_OF_FILE, "EFI_END_OF_FILE" },
	{ EFI_COMPROMISED_DATA, "EFI_COMPROMISED_DATA" },
};

const char *console_status_name(EFI_STATUS status)
{
	static char unknown[32];

	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (status_names[i].status == status)
			return status_names[i].name;
	fmt_snprintf(unknown, sizeof(unknown), "EFI status 0x%llx", (unsigned long long)status);
	return unknown;
}
