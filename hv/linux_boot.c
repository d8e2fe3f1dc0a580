/*
 * Building a kernel VM on the PC-like platform (see hv/linux_boot.h): the guest-physical map
 * of hv/pvh.h filled in for a PVH vmlinux, a bzImage or a multiboot kernel. The initrd comes
 * from the boot medium like the kernel, so it is checked before a byte is copied: that it
 * exists, that Shunt could read it, that it fits above the kernel and below the highest
 * address the kernel takes one at.
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/linux_boot.h>
#include <hv/loader.h>
#include <hv/log.h>
#include <hv/string.h>
#include <hv/vm_acpi.h>

/* What the boot protocols share: the initrd's place and size, the RSDP's, the command line. */
struct boot_common {
	uint64_t initrd_gpa; /* 0: none */
	uint64_t initrd_size;
	uint64_t rsdp_gpa;
	const char *
		cmdline; /* a Linux kernel's with the platform's word (vm_options_platform_cmdline) */
};

static int load_initrd(struct vm *vm, const char *file, uint64_t kernel_end, uint64_t top,
		       struct boot_common *boot, char *err, size_t err_size)
{
	char why[96];
	const void *data;
	uint64_t size;

	if (hv_boot_file(file, &data, &size, why, sizeof(why))) {
		fmt_snprintf(err, err_size, "initrd=%s: %s", file, why);
		return -ENOENT;
	}
	if (pvh_place_initrd(top, kernel_end, size, &boot->initrd_gpa, err, err_size))
		return -ENOSPC;
	memcpy(vm_gpa_to_hva(vm, boot->initrd_gpa, size), data, size);
	boot->initrd_size = size;
	return 0;
}

static int start_pvh(struct vm *vm, const struct kernel_image *kernel, const struct vm_options *o,
		     const struct boot_common *c, char *err, size_t err_size)
{
	struct pvh_boot boot = { .ram_size = vm->ram_size,
				 .kernel_end = kernel->elf.highest_paddr,
				 .initrd_gpa = c->initrd_gpa,
				 .initrd_size = c->initrd_size,
				 .rsdp_gpa = c->rsdp_gpa,
				 .cmdline = c->cmdline };
	uint64_t start_info =
		pvh_write_start_info(vm_gpa_to_hva(vm, PC_BOOT_INFO_GPA, PC_BOOT_INFO_SIZE), &boot);

	if (!start_info) {
		fmt_snprintf(err, err_size, "no room for the start-info block");
		return -ENOSPC;
	}
	log_info("vm %s: Linux through PVH: kernel [0x%llx, 0x%llx), initrd %llu KiB at 0x%llx, "
		 "command line \"%s\"\n",
		 vm->name, (unsigned long long)kernel->elf.lowest_paddr,
		 (unsigned long long)kernel->elf.highest_paddr,
		 (unsigned long long)(c->initrd_size / KIB), (unsigned long long)c->initrd_gpa,
		 c->cmdline);
	return arch_vcpu_init_flat32(&vm->vcpus[0], (uint32_t)kernel->entry, (uint32_t)start_info,
				     0);
}

/* The 64-bit boot protocol: command line, zero page, then long mode at startup_64. */
static int start_bzimage(struct vm *vm, const struct kernel_image *kernel, const void *image,
			 const struct vm_options *o, const struct boot_common *c, char *err,
			 size_t err_size)
{
	const struct bzimage_info *bz = &kernel->bz;
	struct bzimage_boot boot = { .cmdline_gpa = PC_CMDLINE_GPA,
				     .initrd_gpa = c->initrd_gpa,
				     .initrd_size = c->initrd_size,
				     .rsdp_gpa = c->rsdp_gpa,
				     .ram_size = vm->ram_size };
	size_t len = strlen(c->cmdline);

	memcpy(vm_gpa_to_hva(vm, PC_CMDLINE_GPA, len + 1), c->cmdline, len + 1);
	bzimage_write_zero_page(vm_gpa_to_hva(vm, PC_BOOT_INFO_GPA, BZIMAGE_ZERO_PAGE_SIZE), image,
				bz, &boot);
	log_info("vm %s: Linux bzImage (boot protocol %u.%02u): kernel at 0x%llx, init_size "
		 "%llu KiB, initrd %llu KiB at 0x%llx, command line \"%s\"\n",
		 vm->name, bz->version >> 8, bz->version & 0xff, (unsigned long long)bz->load_gpa,
		 (unsigned long long)(bz->init_size / KIB),
		 (unsigned long long)(c->initrd_size / KIB), (unsigned long long)c->initrd_gpa,
		 c->cmdline);
	return arch_vcpu_init_long64(&vm->vcpus[0], kernel->entry, PC_BOOT_INFO_GPA,
				     PC_BOOT_TABLES_GPA, PC_BOOT_TABLES_SIZE);
}

static int start_multiboot1(struct vm *vm, const struct kernel_image *kernel,
			    const struct vm_options *o, const struct boot_common *c, char *err,
			    size_t err_size)
{
	struct multiboot1_boot boot = { .ram_size = vm->ram_size,
					.acpi = c->rsdp_gpa != 0,
					.cmdline = o->guest_cmdline,
					.module_gpa = c->initrd_gpa,
					.module_size = c->initrd_size,
					.module_name = o->initrd };
	uint64_t info = multiboot1_write_info(
		vm_gpa_to_hva(vm, PC_BOOT_INFO_GPA, MULTIBOOT1_AREA_SIZE), PC_BOOT_INFO_GPA, &boot);

	if (!info) {
		fmt_snprintf(err, err_size, "no room for the multiboot information");
		return -ENOSPC;
	}
	log_info("vm %s: multiboot kernel [0x%llx, 0x%llx), entry 0x%llx, module %llu KiB at "
		 "0x%llx, command line \"%s\"\n",
		 vm->name, (unsigned long long)kernel->elf.lowest_paddr,
		 (unsigned long long)kernel->elf.highest_paddr, (unsigned long long)kernel->entry,
		 (unsigned long long)(c->initrd_size / KIB), (unsigned long long)c->initrd_gpa,
		 o->guest_cmdline);
	return arch_vcpu_init_flat32(&vm->vcpus[0], (uint32_t)kernel->entry, (uint32_t)info,
				     MULTIBOOT1_BOOT_MAGIC);
}

int linux_boot_setup(struct vm *vm, const struct kernel_image *kernel, const void *image,
		     const struct vm_options *o, char *err, size_t err_size)
{
	static char cmdline[VM_OPTIONS_CMDLINE_MAX + 1 + sizeof(VM_PLATFORM_CMDLINE_WORD)];
	struct boot_common c = { .cmdline = o->guest_cmdline };
	int rc;

	err[0] = '\0';
	if (kernel->kind != KERNEL_MULTIBOOT1) /* Linux: the words the platform needs */
		c.cmdline = vm_options_platform_cmdline(o->guest_cmdline, cmdline, sizeof(cmdline));
	rc = kernel_cmdline_check(kernel, c.cmdline, err, err_size);
	if (rc)
		return rc;
	loader_copy_segments(vm, &kernel->elf, image);
	if (o->initrd[0]) {
		rc = load_initrd(vm, o->initrd, kernel->elf.highest_paddr,
				 kernel_initrd_top(kernel, vm->ram_size), &c, err, err_size);
		if (rc)
			return rc;
	}
	c.rsdp_gpa = vm_acpi_build(vm_gpa_to_hva(vm, PC_ACPI_GPA, PC_ACPI_SIZE), PC_ACPI_GPA,
				   PC_ACPI_SIZE, 1);
	if (!c.rsdp_gpa) {
		fmt_snprintf(err, err_size, "no room for the ACPI tables");
		return -ENOSPC;
	}
	/* Before the vCPU: its CPUID table offers what the platform has. */
	if (vm_platform_attach(vm)) {
		fmt_snprintf(err, err_size, "no room for its ACPI ports");
		return -ENOSPC;
	}
	if (kernel->kind == KERNEL_BZIMAGE)
		rc = start_bzimage(vm, kernel, image, o, &c, err, err_size);
	else if (kernel->kind == KERNEL_MULTIBOOT1)
		rc = start_multiboot1(vm, kernel, o, &c, err, err_size);
	else
		rc = start_pvh(vm, kernel, o, &c, err, err_size);
	if (rc && !err[0])
		fmt_snprintf(err, err_size, "could not set up its vCPU");
	return rc;
}
