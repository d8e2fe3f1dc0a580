/*
 * The UEFI loader's two text inputs, parsed by pure C with no firmware calls so that host unit
 * tests can feed them anything: the optional boot.cfg file beside the loader, and the
 * LoadOptions a boot manager (GRUB's chainloader, the UEFI shell) passed to it.
 *
 * boot.cfg is ASCII, one directive per line (LF or CRLF):
 *	# a comment (the first non-blank character of the line is '#')
 *	cmdline <hypervisor command line...>
 *	module <file> <module command line...>
 * <file> is relative to the loader's directory ('/' or '\' separate sub-directories). At most
 * one cmdline line; other lines than module lines of at most BOOTCFG_LINE_MAX bytes. Anything
 * else is an error naming the file and the line.
 *
 * A well-formed module line that Shunt can not take whole refuses that module, not the boot:
 * one whose command line ("<file> <words>") is longer than HANDOFF_MODULE_CMDLINE_MAX - 1
 * bytes is kept refused (HANDOFF_MODULE_CMDLINE_TOO_LONG, the command line cut to fit), one
 * whose file name is longer than BOOTCFG_FILE_MAX - 1 bytes refused as not loadable
 * (HANDOFF_MODULE_NOT_LOADED); module lines past the HANDOFF_MAX_MODULES-th are counted in
 * modules_dropped. The loader passes all of that on in the handoff.
 */
#ifndef BOOT_EFI_BOOTCFG_H
#define BOOT_EFI_BOOTCFG_H

#include <stddef.h>
#include <stdint.h>

#include <boot/handoff.h>

#define BOOTCFG_LINE_MAX (HANDOFF_CMDLINE_MAX - 1) /* bytes per line, without its end */
#define BOOTCFG_FILE_MAX 128			   /* bytes in a module's file name, NUL included */
#define BOOTCFG_ERR_MAX 160

struct bootcfg_module {
	char file[BOOTCFG_FILE_MAX];		  /* as written in boot.cfg; "" when refused */
	char cmdline[HANDOFF_MODULE_CMDLINE_MAX]; /* "<file> <module command line>", cut to fit */
	uint32_t cmdline_length;		  /* of the whole "<file> <module command line>" */
	uint32_t refused;			  /* enum handoff_module_refusal */
	uint32_t line;				  /* where it was named, for error messages */
};

struct bootcfg {
	uint32_t cmdline_line;	  /* 0: boot.cfg has no cmdline line */
	uint32_t module_count;	  /* entries of modules[], refused ones included */
	uint32_t modules_dropped; /* module lines past HANDOFF_MAX_MODULES */
	uint32_t dropped_line;	  /* the first of them, for messages */
	char cmdline[HANDOFF_CMDLINE_MAX];
	struct bootcfg_module modules[HANDOFF_MAX_MODULES];
};

/* Empties cfg: no cmdline, no modules (what a missing boot.cfg means). */
void bootcfg_init(struct bootcfg *cfg);

/*
 * Parses size bytes of boot.cfg text into cfg (which the caller has bootcfg_init()ed). name
 * is how error messages call the file. Returns 0, or -1 with "name:line: reason" in err.
 */
int bootcfg_parse(const char *text, size_t size, const char *name, struct bootcfg *cfg, char *err,
		  size_t err_size);

/* What bootcfg_parse_load_options() found. */
enum bootcfg_options {
	BOOTCFG_OPTIONS_NONE = 0,     /* no words (or only the image's own name) */
	BOOTCFG_OPTIONS_CMDLINE = 1,  /* cmdline holds the words */
	BOOTCFG_OPTIONS_NOT_TEXT = 2, /* binary data (some boot managers pass that): ignore it */
};

/*
 * Turns UEFI LoadOptions (size bytes of UCS-2, not necessarily NUL-terminated) into a
 * command line: printable ASCII only, surrounding blanks trimmed, and a leading word that
 * ends in ".efi" (any case) dropped, since the UEFI shell passes the image name first while
 * GRUB's chainloader passes only the words after it. Returns an enum bootcfg_options, or -1
 * with a reason in err when the words do not fit in cmdline_size bytes.
 */
int bootcfg_parse_load_options(const uint16_t *options, size_t size, char *cmdline,
			       size_t cmdline_size, char *err, size_t err_size);

#endif
