/*
 * Kernel VMs on the PC-like platform: a kernel entered through the PVH boot ABI, the x86
 * 64-bit boot protocol (a bzImage) or multiboot v1, with its initrd, ACPI tables and the PC
 * platform (hv/vm_platform.c), set up in a VM whose RAM, grants and console vm_build()
 * prepared.
 */
#ifndef HV_LINUX_BOOT_H
#define HV_LINUX_BOOT_H

#include <hv/pvh.h>
#include <hv/vm.h>
#include <hv/vm_options.h>

/*
 * Loads kernel (a KERNEL_PVH, KERNEL_BZIMAGE or KERNEL_MULTIBOOT1 checked by
 * kernel_image_check) from image, the initrd its options name, the ACPI tables and what its
 * boot protocol hands over (start-info block, zero page, multiboot information), attaches
 * the PC platform and starts the vCPU at the kernel's entry in the state its protocol names.
 * Returns 0, or a negative code with the reason in err.
 */
int linux_boot_setup(struct vm *vm, const struct kernel_image *kernel, const void *image,
		     const struct vm_options *o, char *err, size_t err_size);

#endif
