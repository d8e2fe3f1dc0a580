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
#define ELF64_ERR_MAX 224 /* a reason and, for a guest, elf64_add_guest_hint()'s advice */

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

/* Why an image was refused: elf64_parse() and elf64_check_placement() return -ELF64_E_*. */
enum elf64_refusal {
	ELF64_E_CORRUPT = 1, /* truncated, or headers that contradict each other or the file */
	ELF64_E_NOT_ELF,     /* no ELF magic */
	ELF64_E_NOT_64BIT,   /* ELFCLASS32 */
	ELF64_E_MACHINE,     /* not x86-64 */
	ELF64_E_DYNAMIC,     /* ET_DYN: a position-independent executable or shared object */
	ELF64_E_OBJECT,	     /* ET_REL: an object file, never linked */
	ELF64_E_TYPE,	     /* another type (core file, ...) */
	ELF64_E_NO_SEGMENTS, /* nothing to load */
	ELF64_E_ENTRY,	     /* the entry point is not in an executable segment */
	ELF64_E_BELOW,	     /* a segment starts below the lowest loadable address */
	ELF64_E_ABOVE,	     /* a segment ends past the end of RAM */
	ELF64_E_NOT_IDENTITY /* a segment's virtual and physical addresses differ */
};

/*
 * Parses and validates an ELF64 executable of file_size bytes at file. Checks: magic, class,
 * data encoding, version, machine (x86-64), type (EXEC), header sizes, the program header
 * table and every PT_LOAD's bytes inside the file, file_size <= mem_size, no address
 * overflow, no two PT_LOAD segments overlapping, at most ELF64_MAX_SEGMENTS of them, and an
 * entry point inside an executable segment. Returns 0, or -ELF64_E_* with a one-line reason
 * in err.
 */
int elf64_parse(const void *file, uint64_t file_size, struct elf64_image *out, char *err,
		size_t err_size);

/*
 * elf64_parse() without the entry point check, for kernels whose entry point is not the ELF
 * header's (a Linux vmlinux is entered where its PVH note says, at a physical address).
 */
int elf64_parse_loadable(const void *file, uint64_t file_size, struct elf64_image *out, char *err,
			 size_t err_size);

/*
 * Finds the ELF note of owner (e.g. "Xen") and type in the PT_NOTE segments of an ELF64
 * x86-64 executable: 0 with its descriptor's offset in the file and size (inside the file),
 * or -1. Malformed notes end the search, never read past the file.
 */
int elf64_find_note(const void *file, uint64_t file_size, const char *owner, uint32_t type,
		    uint64_t *desc_offset, uint32_t *desc_size);

/*
 * Checks that every segment of a parsed image is identity-mapped (vaddr == paddr) and lies
 * in [min, end), as Shunt loads guests (pv-abi/SPEC.md §8). Returns 0, or -ELF64_E_BELOW,
 * -ELF64_E_ABOVE or -ELF64_E_NOT_IDENTITY with a one-line reason in err.
 */
int elf64_check_placement(const struct elf64_image *img, uint64_t min, uint64_t end, char *err,
			  size_t err_size);

/*
 * Appends to the reason in err (a NUL-terminated string of err_size bytes) what the author of
 * a guest kernel refused with `code` (a return of the two functions above) should do: the
 * build step guest-kit's pkg-config flags take care of. Nothing when there is no advice to
 * give (a corrupt file); cut short, never past err_size.
 */
void elf64_add_guest_hint(char *err, size_t err_size, int code);

/*
 * A guest image as Shunt takes it: elf64_parse(), then elf64_check_placement() in [min, end),
 * and on refusal the advice of elf64_add_guest_hint(). The hypervisor's loader and the host
 * validator (tools/shunt-config.c) both judge images by this one function.
 */
int elf64_check_guest(const void *file, uint64_t file_size, uint64_t min, uint64_t end,
		      struct elf64_image *out, char *err, size_t err_size);

#endif
