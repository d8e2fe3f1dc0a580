/*
 * Fuzz target: the ELF64 validator (hv/lib/elf64.c) on arbitrary files. On success every
 * segment's bytes must lie inside the file and segments must not overlap; then the guest
 * placement check runs on it. Every refusal has a reason, and the advice added for a guest's
 * author stays inside the buffer.
 */
#include <hv/elf64.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf64_image img;
	char err[ELF64_ERR_MAX];
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	memcpy(copy, data, size);
	rc = elf64_parse(copy, size, &img, err, sizeof(err));
	if (rc == 0) {
		for (uint32_t i = 0; i < img.segment_count; i++) {
			const struct elf64_segment *s = &img.segments[i];

			if (s->file_offset > size || s->file_size > size - s->file_offset ||
			    s->file_size > s->mem_size)
				abort();
			for (uint32_t j = 0; j < i; j++) /* physical ranges disjoint */
				if (s->paddr < img.segments[j].paddr + img.segments[j].mem_size &&
				    img.segments[j].paddr < s->paddr + s->mem_size)
					abort();
		}
		rc = elf64_check_placement(&img, 0x10000, 0x400000, err, sizeof(err));
	}
	if (rc < 0 && !err[0])
		abort();
	if (rc < 0) {
		elf64_add_guest_hint(err, sizeof(err), rc);
		if (!memchr(err, '\0', sizeof(err)))
			abort();
	}
	free(copy);
	return 0;
}
