/*
 * A VM's options, as written on its boot module's command line (GRUB `module2 FILE
 * OPTIONS`, or `module FILE OPTIONS` in the UEFI loader's boot.cfg):
 *   [FILE] [name=NAME] [mem=SIZE[K|M|G]] [console=print|discard] [-- GUEST COMMAND LINE]
 * A leading word without '=' is the image's file name; its base name is the default VM
 * name. Every other word is checked here; an unknown one refuses the VM, with the reason.
 */
#ifndef HV_VM_OPTIONS_H
#define HV_VM_OPTIONS_H

#include <hv/types.h>

#define VM_OPTIONS_NAME_MAX 32
#define VM_OPTIONS_CMDLINE_MAX 256
#define VM_MEM_DEFAULT (4 * MIB)
#define VM_MEM_MIN (2 * MIB)
#define VM_MEM_MAX (1 * GIB)

struct vm_options {
	char name[VM_OPTIONS_NAME_MAX];
	uint64_t mem; /* bytes, a multiple of 2 MiB */
	int console_discard; /* console=discard: count the VM's output, do not print it */
	char guest_cmdline[VM_OPTIONS_CMDLINE_MAX];
};

/* Returns 0, or -EINVAL with a one-line reason in err. */
int vm_options_parse(const char *cmdline, struct vm_options *opts, char *err, size_t err_size);

#endif
