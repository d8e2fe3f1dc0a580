/*
 * The LoadOptions a boot manager (GRUB's chainloader, the UEFI shell, a firmware boot entry)
 * passed to Shunt's UEFI loader: words for the hypervisor's command line, added after the
 * config file's `shunt` line. Pure C with no firmware calls, so host unit tests feed it anything.
 */
#ifndef BOOT_EFI_LOADOPTS_H
#define BOOT_EFI_LOADOPTS_H

#include <stddef.h>
#include <stdint.h>

/* What loadopts_parse() found. */
enum loadopts_result {
	LOADOPTS_NONE = 0,     /* no words (or only the image's own name) */
	LOADOPTS_CMDLINE = 1,  /* cmdline holds the words */
	LOADOPTS_NOT_TEXT = 2, /* binary data (some boot managers pass that): ignore it */
};

/*
 * Turns UEFI LoadOptions (size bytes of UCS-2, not necessarily NUL-terminated) into a
 * command line: printable ASCII only, surrounding blanks trimmed, and a leading word that
 * ends in ".efi" (any case) dropped, since the UEFI shell passes the image name first while
 * GRUB's chainloader passes only the words after it. Returns an enum loadopts_result, or -1
 * with a reason in err when the words do not fit in cmdline_size bytes.
 */
int loadopts_parse(const uint16_t *options, size_t size, char *cmdline, size_t cmdline_size,
		   char *err, size_t err_size);

#endif
