/*
 * Fuzz target: the text an admin or a boot manager hands Shunt: shunt.cfg (hv/lib/config.c)
 * and the UEFI loader's LoadOptions (boot/efi/loadopts.c). Every string must be NUL-terminated
 * and within its limits; a vm line is either usable (a valid file name that starts its command
 * line) or refused with a reason and no command line; counts must add up.
 */
#include <hv/config.h>

#include "loadopts.h"

#include <boot/handoff.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_vm(const struct config_vm *vm)
{
	size_t file_len;

	if (!memchr(vm->file, 0, sizeof(vm->file)) ||
	    !memchr(vm->cmdline, 0, sizeof(vm->cmdline)) ||
	    !memchr(vm->problem, 0, sizeof(vm->problem)) || vm->line == 0)
		abort();
	file_len = strlen(vm->file);
	if (strspn(vm->file,
		   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") !=
	    file_len)
		abort();
	if (vm->problem[0]) {
		if (vm->cmdline[0])
			abort();
		return;
	}
	/* Usable: the command line is "<file>" or "<file> <options>", printable ASCII. */
	if (!file_len || strncmp(vm->cmdline, vm->file, file_len) ||
	    (vm->cmdline[file_len] != '\0' && vm->cmdline[file_len] != ' ' &&
	     vm->cmdline[file_len] != '\t'))
		abort();
	for (const char *c = vm->cmdline; *c; c++)
		if (*c != '\t' && (*c < 0x20 || *c > 0x7e))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char err[160], cmdline[HANDOFF_CMDLINE_MAX];
	char *text = malloc(size ? size : 1);
	uint16_t *ucs2 = malloc(size ? size : 2);
	uint32_t refused = 0;

	memcpy(text, data, size);
	config_parse(text, size, &cfg);
	if (cfg.vm_count > CONFIG_VMS_MAX || !memchr(cfg.cmdline, 0, sizeof(cfg.cmdline)) ||
	    (cfg.vms_dropped && cfg.vm_count != CONFIG_VMS_MAX) ||
	    (!cfg.shunt_line && cfg.cmdline[0]))
		abort();
	for (uint32_t i = 0; i < cfg.vm_count; i++) {
		check_vm(&cfg.vms[i]);
		refused += cfg.vms[i].problem[0] != '\0';
		if (i && cfg.vms[i].line <= cfg.vms[i - 1].line)
			abort();
	}
	for (uint32_t i = 0; i < cfg.problem_count && i < CONFIG_PROBLEMS_MAX; i++)
		if (!memchr(cfg.problems[i].text, 0, CONFIG_PROBLEM_MAX) || !cfg.problems[i].line)
			abort();
	if (config_problem_total(&cfg) != cfg.problem_count + cfg.vms_dropped + refused)
		abort();

	memcpy(ucs2, data, size);
	if (loadopts_parse(ucs2, size, cmdline, sizeof(cmdline), err, sizeof(err)) ==
		    LOADOPTS_CMDLINE &&
	    !memchr(cmdline, 0, sizeof(cmdline)))
		abort();
	free(text);
	free(ucs2);
	return 0;
}
