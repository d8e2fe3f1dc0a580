/*
 * Building a Linux VM (see hv/linux_boot.h): the guest-physical map of hv/pvh.h filled in.
 * The initrd comes from the boot medium like the kernel, so it is checked before a byte is
 * copied: that it exists, that Shunt could read it, that it fits above the kernel.
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/linux_boot.h>
#include <hv/loader.h>
#include <hv/log.h>
#include <hv/string.h>
#include <hv/vm_acpi.h>

static int load_initrd(struct vm *vm, const char *file, uint64_t kernel_end, struct pvh_boot *boot,
		       char *err, size_t err_size)
{
	char why[96];
	const void *data;
	uint64_t size;

	if (hv_boot_file(file, &data, &size, why, sizeof(why))) {
		fmt_snprintf(err, err_size, "initrd=%s: %s", file, why);
		return -ENOENT;
	}
	if (pvh_place_initrd(vm->ram_size, kernel_end, size, &boot->initrd_gpa, err, err_size))
		return -ENOSPC;
	memcpy(vm_gpa_to_hva(vm, boot->initrd_gpa, size), data, size);
	boot->initrd_size = size;
	return 0;
}

int linux_boot_setup(struct vm *vm, const struct kernel_image *kernel, const void *image,
		     const struct vm_options *o, char *err, size_t err_size)
{
	static char cmdline[VM_OPTIONS_CMDLINE_MAX + sizeof(VM_PLATFORM_CMDLINE_WORDS)];
	struct pvh_boot boot = { .ram_size = vm->ram_size,
				 .kernel_end = kernel->elf.highest_paddr,
				 .cmdline = vm_platform_cmdline(o->guest_cmdline, cmdline,
								sizeof(cmdline)) };
	void *acpi = vm_gpa_to_hva(vm, PC_ACPI_GPA, PC_ACPI_SIZE);
	void *info = vm_gpa_to_hva(vm, PC_BOOT_INFO_GPA, PC_BOOT_INFO_SIZE);
	uint64_t start_info;
	int rc;

	loader_copy_segments(vm, &kernel->elf, image);
	if (o->initrd[0]) {
		rc = load_initrd(vm, o->initrd, kernel->elf.highest_paddr, &boot, err, err_size);
		if (rc)
			return rc;
	}
	boot.rsdp_gpa = vm_acpi_build(acpi, PC_ACPI_GPA, PC_ACPI_SIZE, 1);
	start_info = pvh_write_start_info(info, &boot);
	if (!boot.rsdp_gpa || !start_info) {
		fmt_snprintf(err, err_size, "no room for the ACPI tables or the start-info block");
		return -ENOSPC;
	}
	if (vm_platform_attach(vm)) {
		fmt_snprintf(err, err_size, "no room for its ACPI ports");
		return -ENOSPC;
	}
	if (arch_vcpu_init_flat32(&vm->vcpu, (uint32_t)kernel->entry, (uint32_t)start_info)) {
		fmt_snprintf(err, err_size, "could not set up its vCPU");
		return -EIO;
	}
	log_info("vm %s: Linux through PVH: kernel [0x%llx, 0x%llx), initrd %llu KiB at 0x%llx, "
		 "command line \"%s\"\n",
		 vm->name, (unsigned long long)kernel->elf.lowest_paddr,
		 (unsigned long long)kernel->elf.highest_paddr,
		 (unsigned long long)(boot.initrd_size / KIB), (unsigned long long)boot.initrd_gpa,
		 boot.cmdline);
	return 0;
}
