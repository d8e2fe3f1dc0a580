/*
 * Validation of ELF64 x86-64 executables, pure code with no memory side effects: used by the
 * UEFI loader for shunt.elf and by the guest loader for guest kernels. It checks that the
 * file is what it claims and that every byte it describes lies inside the file; the caller
 * decides where the segments may go.
 */
#ifndef HV_ELF64_H
#define HV_ELF64_H

#include <stddef.h>
#include <stdint.h>

#define ELF64_MAX_SEGMENTS 16
#define ELF64_ERR_MAX 128

#define ELF64_PF_X 1u
#define ELF64_PF_W 2u
#define ELF64_PF_R 4u

struct elf64_segment {
	uint64_t paddr; /* physical (for guests: guest-physical) load address */
	uint64_t vaddr;
	uint64_t file_offset; /* where the bytes are in the file */
	uint64_t file_size;   /* bytes copied from the file ... */
	uint64_t mem_size;    /* ... then zero-filled up to this size */
	uint32_t flags;	      /* ELF64_PF_* */
	uint32_t reserved;
};

struct elf64_image {
	uint64_t entry;
	uint32_t segment_count; /* PT_LOAD segments with mem_size > 0, in file order */
	uint32_t reserved;
	struct elf64_segment segments[ELF64_MAX_SEGMENTS];
	uint64_t lowest_paddr;	/* lowest byte any segment occupies */
	uint64_t highest_paddr; /* one past the highest byte */
};

/*
 * Parses and validates an ELF64 executable of file_size bytes at file. Checks: magic, class,
 * data encoding, version, machine (x86-64), type (EXEC), header sizes, the program header
 * table and every PT_LOAD's bytes inside the file, file_size <= mem_size, no address
 * overflow, no two PT_LOAD segments overlapping, at most ELF64_MAX_SEGMENTS of them, and an
 * entry point inside an executable segment. Returns 0, or -1 with a one-line reason in err.
 */
int elf64_parse(const void *file, uint64_t file_size, struct elf64_image *out, char *err,
		size_t err_size);

#endif
