/*
 * Fuzz target: the UEFI loader's boot.cfg and LoadOptions parsers (boot/efi/bootcfg.c) on
 * arbitrary text. Results must be NUL-terminated and within their limits; a module is
 * refused exactly when its command line or file name does not fit (then its command line is
 * cut to what fits and its file name empty), and module lines are dropped only past a full
 * table.
 */
#include "bootcfg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_module(const struct bootcfg_module *m)
{
	const char *end = memchr(m->cmdline, 0, sizeof(m->cmdline));
	const char *file_end = memchr(m->file, 0, sizeof(m->file));
	size_t file_len = end ? strcspn(m->cmdline, " ") : 0; /* the file, as the first word */
	uint32_t expected = m->cmdline_length >= HANDOFF_MODULE_CMDLINE_MAX
				    ? HANDOFF_MODULE_CMDLINE_TOO_LONG
			    : file_len >= BOOTCFG_FILE_MAX ? HANDOFF_MODULE_NOT_LOADED
							   : HANDOFF_MODULE_OK;

	if (!end || !file_end || m->refused != expected)
		abort();
	if ((size_t)(end - m->cmdline) != (expected == HANDOFF_MODULE_CMDLINE_TOO_LONG
						   ? HANDOFF_MODULE_CMDLINE_MAX - 1
						   : m->cmdline_length))
		abort();
	/* A loadable module's file name is its command line's first word; a refused one's "". */
	if (expected == HANDOFF_MODULE_OK ? file_len == 0 || strlen(m->file) != file_len ||
						    strncmp(m->cmdline, m->file, file_len)
					  : m->file[0] != '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bootcfg cfg;
	char err[BOOTCFG_ERR_MAX], cmdline[HANDOFF_CMDLINE_MAX];
	char *text = malloc(size ? size : 1);
	uint16_t *ucs2 = malloc(size ? size : 2);

	memcpy(text, data, size);
	bootcfg_init(&cfg);
	if (bootcfg_parse(text, size, "boot.cfg", &cfg, err, sizeof(err)) == 0) {
		if (cfg.module_count > HANDOFF_MAX_MODULES ||
		    !memchr(cfg.cmdline, 0, sizeof(cfg.cmdline)) ||
		    (cfg.modules_dropped && cfg.module_count != HANDOFF_MAX_MODULES))
			abort();
		for (uint32_t i = 0; i < cfg.module_count; i++)
			check_module(&cfg.modules[i]);
	}
	memcpy(ucs2, data, size);
	if (bootcfg_parse_load_options(ucs2, size, cmdline, sizeof(cmdline), err, sizeof(err)) ==
		    BOOTCFG_OPTIONS_CMDLINE &&
	    !memchr(cmdline, 0, sizeof(cmdline)))
		abort();
	free(text);
	free(ucs2);
	return 0;
}
