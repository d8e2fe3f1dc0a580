/*
 * The UEFI loader's messages: every line goes to COM1 (a polled 16550, which test harnesses
 * read) and, until the loader leaves boot services, to the firmware console (ConOut).
 */
#ifndef BOOT_EFI_CONSOLE_H
#define BOOT_EFI_CONSOLE_H

#include <efi.h>

/* Programs COM1 for 115200 8N1 and starts printing through ConOut too. */
void console_init(void);

/* Stops using ConOut: must be called before the first ExitBootServices attempt. */
void console_detach_firmware(void);

/* Prints formatted text as is ('\n' becomes CRLF). */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints one line "shunt-efi: <message>" / "shunt-efi: error: <message>". */
void console_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The UEFI name of a status ("EFI_NOT_FOUND"), or its value in hex when unknown. */
const char *console_status_name(EFI_STATUS status);

#endif
