/*
 * Linux VMs: a kernel entered through the PVH boot ABI, with its initrd, ACPI tables and the
 * PC platform (hv/vm_platform.c), set up in a VM whose RAM, grants and console vm_build()
 * prepared.
 */
#ifndef HV_LINUX_BOOT_H
#define HV_LINUX_BOOT_H

#include <hv/pvh.h>
#include <hv/vm.h>
#include <hv/vm_options.h>

/*
 * Loads kernel (checked by kernel_image_check) from image, the initrd its options name, the
 * ACPI tables and the start-info block, attaches the PC platform and starts the vCPU at the
 * PVH entry. Returns 0, or a negative code with the reason in err.
 */
int linux_boot_setup(struct vm *vm, const struct kernel_image *kernel, const void *image,
		     const struct vm_options *o, char *err, size_t err_size);

#endif
