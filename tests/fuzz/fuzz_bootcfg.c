/*
 * Fuzz target: the UEFI loader's boot.cfg and LoadOptions parsers (boot/efi/bootcfg.c) on
 * arbitrary text. Results must be NUL-terminated and within their limits.
 */
#include "bootcfg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		    !memchr(cfg.cmdline, 0, sizeof(cfg.cmdline)))
			abort();
		for (uint32_t i = 0; i < cfg.module_count; i++)
			if (!memchr(cfg.modules[i].cmdline, 0, sizeof(cfg.modules[i].cmdline)))
				abort();
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
