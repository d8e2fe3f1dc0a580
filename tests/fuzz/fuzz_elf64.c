/*
 * Fuzz target: the ELF64 validator (hv/lib/elf64.c) on arbitrary files. On success every
 * segment's bytes must lie inside the file and segments must not overlap.
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

	memcpy(copy, data, size);
	if (elf64_parse(copy, size, &img, err, sizeof(err)) == 0) {
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
	} else if (!err[0]) {
		abort();
	}
	free(copy);
	return 0;
}
