/*
 * Guest image loading (see hv/loader.h). The image comes from a boot module, so it is
 * untrusted input: every address and size is checked before a byte is copied.
 */
#include <hv/elf64.h>
#include <hv/loader.h>
#include <hv/string.h>
#include <pvabi/pvabi.h>
#include <pvabi/start_info.h>

int loader_load_elf64(struct vm *vm, const void *image, uint64_t size, uint64_t *entry, char *err,
		      size_t err_size)
{
	static struct elf64_image elf;

	if (elf64_check_guest(image, size, GUEST_LOAD_MIN_GPA, vm->ram_size, &elf, err, err_size))
		return -EINVAL;
	loader_copy_segments(vm, &elf, image);
	*entry = elf.entry;
	return 0;
}

void loader_copy_segments(struct vm *vm, const struct elf64_image *elf, const void *image)
{
	for (uint32_t i = 0; i < elf->segment_count; i++) {
		const struct elf64_segment *s = &elf->segments[i];
		uint8_t *dst = vm_gpa_to_hva(vm, s->paddr, s->mem_size);

		memcpy(dst, (const uint8_t *)image + s->file_offset, s->file_size);
		memset(dst + s->file_size, 0, s->mem_size - s->file_size);
	}
}

int loader_write_start_info(struct vm *vm, const char *guest_cmdline)
{
	struct pv_start_info *si = vm_gpa_to_hva(vm, GUEST_START_INFO_GPA, sizeof(*si));

	if (!si)
		return -EFAULT;
	memset(si, 0, sizeof(*si));
	si->magic = PV_START_INFO_MAGIC;
	si->abi_version = PV_ABI_VERSION(PV_ABI_MAJOR, PV_ABI_MINOR);
	si->vm_id = vm->id;
	si->mem_count = 2;
	si->vcpu_count = vm->options.vcpus; /* ABI 1.5; vm->vcpu_count is set later */
	si->mem[0] = (struct pv_mem_region){ 0, GUEST_LOAD_MIN_GPA, PV_MEM_RESERVED, 0 };
	si->mem[1] = (struct pv_mem_region){ GUEST_LOAD_MIN_GPA, vm->ram_size - GUEST_LOAD_MIN_GPA,
					     PV_MEM_RAM, 0 };
	strlcpy(si->cmdline, guest_cmdline, sizeof(si->cmdline));
	strlcpy(si->vm_name, vm->name, sizeof(si->vm_name));
	return 0;
}
