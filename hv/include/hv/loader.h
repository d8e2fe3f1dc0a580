/*
 * Guest image loading: an ELF64 kernel from a boot module into a VM's RAM, and the
 * start-info page (pv-abi/include/pvabi/start_info.h) that tells it where it is.
 */
#ifndef HV_LOADER_H
#define HV_LOADER_H

#include <hv/guest_layout.h>
#include <hv/vm.h>

/*
 * Validates image (elf64_parse) and that every segment fits in [GUEST_LOAD_MIN_GPA,
 * RAM size) of vm, identity-mapped (elf64_check_placement), then copies it in and zero-fills.
 * Returns 0 with *entry set, or -EINVAL with the reason in err, followed by advice on how to
 * build a guest that loads (elf64_add_guest_hint); vm's RAM may then hold part of the image
 * but nothing else.
 */
int loader_load_elf64(struct vm *vm, const void *image, uint64_t size, uint64_t *entry, char *err,
		      size_t err_size);

/*
 * Copies the segments of elf, a checked image (elf64_check_guest, kernel_image_check) whose
 * segments lie in vm's RAM, from image into place at their physical addresses, zero-filled.
 */
struct elf64_image;
void loader_copy_segments(struct vm *vm, const struct elf64_image *elf, const void *image);

/* Writes the start-info page of vm (name, id, memory map, guest command line). */
int loader_write_start_info(struct vm *vm, const char *guest_cmdline);

#endif
