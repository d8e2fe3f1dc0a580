/*
 * shunt.cfg, the one configuration file of a Shunt boot medium (README.md, "The config
 * file"). An admin edits it with any editor; three programs read it with this one parser:
 * the hypervisor (which builds the VMs from it), Shunt's UEFI loader (which loads the files it
 * names) and the host validator `shunt-config check` (which an admin runs before rebooting).
 *
 * The file is ASCII, one directive per line (LF or CRLF, a UTF-8 byte order mark skipped):
 *	# a comment (the first non-blank character of the line is '#')
 *	shunt <words...>			Shunt's command line; at most one such line
 *	vm <file> [options...] [-- guest command line]
 * <file> is a file in the medium's /guests/ folder: letters, digits and "._+-", no folders.
 * The options are a VM's options (hv/vm_options.h); this parser checks the line's form, the
 * hypervisor and the validator check the options themselves.
 *
 * Nothing in the file stops a boot. A problem is recorded with its line number and costs
 * that line alone: a bad vm line refuses that VM (it keeps its place, so the others keep
 * their ids), any other bad line is ignored. The parser is pure C over a byte buffer with an
 * explicit length: no terminator is trusted, nothing is allocated.
 */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_FILE_NAME "shunt.cfg" /* how messages call the file */
/* The command lines both loaders give the modules they pass (GRUB: "module2 FILE FILE"). */
#define CONFIG_MODULE_NAME "/shunt.cfg"
#define CONFIG_GUEST_DIR "/guests/"

#define CONFIG_LINE_MAX 511	  /* bytes per line, without its end */
#define CONFIG_CMDLINE_MAX 512	  /* Shunt's command line with its NUL (HANDOFF_CMDLINE_MAX) */
#define CONFIG_FILE_MAX 64	  /* a guest file's name with its NUL */
#define CONFIG_VM_CMDLINE_MAX 256 /* "<file> <options...>" with its NUL (a module's limit) */
#define CONFIG_VMS_MAX 64	  /* vm lines kept (Shunt's VM cap); later ones: vms_dropped */
#define CONFIG_PROBLEM_MAX 120	  /* one problem's text with its NUL */
#define CONFIG_PROBLEMS_MAX 8	  /* problems kept that are not a VM's own */

struct config_vm {
	uint32_t line;			     /* where the vm line is, 1-based */
	char file[CONFIG_FILE_MAX];	     /* the guest file; "" when the line names none */
	char cmdline[CONFIG_VM_CMDLINE_MAX]; /* "<file> <options...>": what vm_options_parse takes */
	char problem[CONFIG_PROBLEM_MAX];    /* "" or why this VM is refused */
	char initrd[CONFIG_FILE_MAX];	     /* its initrd=FILE option's file, or "" */
};

struct config_problem {
	uint32_t line;
	char text[CONFIG_PROBLEM_MAX];
};

struct config {
	uint32_t shunt_line;		  /* 0: no shunt line */
	char cmdline[CONFIG_CMDLINE_MAX]; /* the shunt line's words */
	uint32_t vm_count;		  /* entries of vms[], refused ones included */
	uint32_t vms_dropped;		  /* vm lines past the CONFIG_VMS_MAX-th */
	uint32_t dropped_line;		  /* the first of them */
	struct config_vm vms[CONFIG_VMS_MAX];
	uint32_t problem_count; /* lines ignored for a problem (more than problems[] holds) */
	struct config_problem problems[CONFIG_PROBLEMS_MAX];
};

/* Parses size bytes of shunt.cfg into cfg (all of it overwritten). Never fails as a whole. */
void config_parse(const char *text, size_t size, struct config *cfg);

/* Problems of the whole file: lines ignored, VMs refused by their line, vm lines dropped. */
uint32_t config_problem_total(const struct config *cfg);

/* The vm entry naming file (the first one), or NULL. Files named by initrd= are not looked at. */
const struct config_vm *config_find_file(const struct config *cfg, const char *file);

#endif
