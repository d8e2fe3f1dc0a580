/*
 * ELF64 executable validation (see hv/elf64.h). Reads headers through byte copies so an
 * unaligned or truncated file can never cause an unaligned or out-of-bounds access.
 */
#include <hv/elf64.h>
#include <hv/fmt.h>

#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_REL 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_NOTE 4

struct elf64_ehdr {
	uint8_t ident[EI_NIDENT];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf64_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

static void copy_bytes(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

static int fail(int code, char *err, size_t err_size, const char *fmt, uint64_t a, uint64_t b)
{
	if (err && err_size)
		fmt_snprintf(err, err_size, fmt, (unsigned long long)a, (unsigned long long)b);
	return -code;
}

static int type_refusal(uint16_t type)
{
	if (type == ET_DYN)
		return ELF64_E_DYNAMIC;
	return type == ET_REL ? ELF64_E_OBJECT : ELF64_E_TYPE;
}

static int check_header(const struct elf64_ehdr *eh, uint64_t file_size, char *err, size_t err_size)
{
	if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' ||
	    eh->ident[3] != 'F')
		return fail(ELF64_E_NOT_ELF, err, err_size, "not an ELF file (bad magic)", 0, 0);
	if (eh->ident[4] != ELFCLASS64)
		return fail(ELF64_E_NOT_64BIT, err, err_size, "ELF class %llu is not ELF64",
			    eh->ident[4], 0);
	if (eh->ident[5] != ELFDATA2LSB)
		return fail(ELF64_E_CORRUPT, err, err_size,
			    "ELF data encoding %llu is not little-endian", eh->ident[5], 0);
	if (eh->ident[6] != EV_CURRENT || eh->version != EV_CURRENT)
		return fail(ELF64_E_CORRUPT, err, err_size, "ELF version %llu is not 1",
			    eh->version, 0);
	if (eh->machine != EM_X86_64)
		return fail(ELF64_E_MACHINE, err, err_size, "ELF machine %llu is not x86-64 (62)",
			    eh->machine, 0);
	if (eh->type != ET_EXEC)
		return fail(type_refusal(eh->type), err, err_size,
			    "ELF type %llu is not an executable (2)", eh->type, 0);
	if (eh->ehsize < sizeof(struct elf64_ehdr))
		return fail(ELF64_E_CORRUPT, err, err_size, "ELF header size %llu is too small",
			    eh->ehsize, 0);
	if (eh->phnum == 0)
		return fail(ELF64_E_CORRUPT, err, err_size, "ELF file has no program headers", 0,
			    0);
	if (eh->phentsize != sizeof(struct elf64_phdr))
		return fail(ELF64_E_CORRUPT, err, err_size, "program header size %llu is not 56",
			    eh->phentsize, 0);
	if (eh->phoff > file_size ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > file_size - eh->phoff)
		return fail(ELF64_E_CORRUPT, err, err_size,
			    "program header table at 0x%llx runs past the end of "
			    "the file (%llu bytes)",
			    eh->phoff, file_size);
	return 0;
}

static int check_segment(const struct elf64_phdr *ph, unsigned int index, uint64_t file_size,
			 char *err, size_t err_size)
{
	if (ph->filesz > ph->memsz)
		return fail(ELF64_E_CORRUPT, err, err_size,
			    "segment %llu: file size exceeds memory size", index, 0);
	if (ph->offset > file_size || ph->filesz > file_size - ph->offset)
		return fail(ELF64_E_CORRUPT, err, err_size,
			    "segment %llu: bytes at offset 0x%llx run past the end "
			    "of the file",
			    index, ph->offset);
	if (ph->paddr + ph->memsz < ph->paddr || ph->vaddr + ph->memsz < ph->vaddr)
		return fail(ELF64_E_CORRUPT, err, err_size,
			    "segment %llu: address 0x%llx + size wraps around", index, ph->paddr);
	return 0;
}

static int check_overlaps(const struct elf64_image *img, char *err, size_t err_size)
{
	for (uint32_t i = 0; i < img->segment_count; i++) {
		const struct elf64_segment *a = &img->segments[i];

		for (uint32_t j = i + 1; j < img->segment_count; j++) {
			const struct elf64_segment *b = &img->segments[j];

			if (a->paddr < b->paddr + b->mem_size && b->paddr < a->paddr + a->mem_size)
				return fail(ELF64_E_CORRUPT, err, err_size,
					    "segments %llu and %llu overlap", i, j);
		}
	}
	return 0;
}

static int entry_is_executable(const struct elf64_image *img)
{
	for (uint32_t i = 0; i < img->segment_count; i++) {
		const struct elf64_segment *s = &img->segments[i];

		if ((s->flags & ELF64_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->mem_size)
			return 1;
	}
	return 0;
}

int elf64_parse_loadable(const void *file, uint64_t file_size, struct elf64_image *out, char *err,
			 size_t err_size)
{
	const uint8_t *bytes = file;
	struct elf64_ehdr eh;
	int rc;

	if (err && err_size)
		err[0] = '\0';
	if (!file || file_size < sizeof(eh))
		return fail(ELF64_E_CORRUPT, err, err_size,
			    "file of %llu bytes is too small for an ELF header", file_size, 0);
	copy_bytes(&eh, bytes, sizeof(eh));
	rc = check_header(&eh, file_size, err, err_size);
	if (rc)
		return rc;

	out->entry = eh.entry;
	out->segment_count = 0;
	out->reserved = 0;
	out->lowest_paddr = UINT64_MAX;
	out->highest_paddr = 0;
	for (unsigned int i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		struct elf64_segment *seg;

		copy_bytes(&ph, bytes + eh.phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_LOAD)
			continue;
		rc = check_segment(&ph, i, file_size, err, err_size);
		if (rc)
			return rc;
		if (ph.memsz == 0)
			continue; /* valid, but occupies nothing */
		if (out->segment_count == ELF64_MAX_SEGMENTS)
			return fail(ELF64_E_CORRUPT, err, err_size,
				    "more than %llu loadable segments", ELF64_MAX_SEGMENTS, 0);
		seg = &out->segments[out->segment_count++];
		seg->paddr = ph.paddr;
		seg->vaddr = ph.vaddr;
		seg->file_offset = ph.offset;
		seg->file_size = ph.filesz;
		seg->mem_size = ph.memsz;
		seg->flags = ph.flags;
		seg->reserved = 0;
		if (ph.paddr < out->lowest_paddr)
			out->lowest_paddr = ph.paddr;
		if (ph.paddr + ph.memsz > out->highest_paddr)
			out->highest_paddr = ph.paddr + ph.memsz;
	}
	if (out->segment_count == 0)
		return fail(ELF64_E_NO_SEGMENTS, err, err_size, "no loadable segments", 0, 0);
	return check_overlaps(out, err, err_size);
}

int elf64_parse(const void *file, uint64_t file_size, struct elf64_image *out, char *err,
		size_t err_size)
{
	int rc = elf64_parse_loadable(file, file_size, out, err, err_size);

	if (rc)
		return rc;
	if (!entry_is_executable(out))
		return fail(ELF64_E_ENTRY, err, err_size,
			    "entry point 0x%llx is not inside an executable segment", out->entry,
			    0);
	return 0;
}

/* Note header (ELF gABI, "Note Section"): name and descriptor follow, each padded to 4. */
struct elf64_nhdr {
	uint32_t namesz;
	uint32_t descsz;
	uint32_t type;
};

/* The note (owner, type) among the notes in [at, at + size): its descriptor's offset from at. */
static int find_in_notes(const uint8_t *at, uint64_t size, const char *owner, uint32_t type,
			 uint64_t *desc_offset, uint32_t *desc_size)
{
	uint32_t owner_len = 0;
	uint64_t pos = 0;

	while (owner[owner_len])
		owner_len++;
	while (size - pos >= sizeof(struct elf64_nhdr)) {
		struct elf64_nhdr nh;
		uint64_t name_space, desc_space;

		copy_bytes(&nh, at + pos, sizeof(nh));
		pos += sizeof(nh);
		name_space = ((uint64_t)nh.namesz + 3) & ~3ull;
		desc_space = ((uint64_t)nh.descsz + 3) & ~3ull;
		if (name_space > size - pos || desc_space > size - pos - name_space)
			return -1; /* a note runs past its segment: nothing further is trusted */
		if (nh.type == type && nh.namesz == owner_len + 1 && at[pos + owner_len] == '\0') {
			uint32_t i = 0;

			while (i < owner_len && at[pos + i] == (uint8_t)owner[i])
				i++;
			if (i == owner_len) {
				*desc_offset = pos + name_space; /* from at */
				*desc_size = nh.descsz;
				return 0;
			}
		}
		pos += name_space + desc_space;
	}
	return -1;
}

int elf64_find_note(const void *file, uint64_t file_size, const char *owner, uint32_t type,
		    uint64_t *desc_offset, uint32_t *desc_size)
{
	const uint8_t *bytes = file;
	struct elf64_ehdr eh;

	if (!file || file_size < sizeof(eh))
		return -1;
	copy_bytes(&eh, bytes, sizeof(eh));
	if (check_header(&eh, file_size, NULL, 0))
		return -1;
	for (unsigned int i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		uint64_t off;

		copy_bytes(&ph, bytes + eh.phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_NOTE || ph.offset > file_size ||
		    ph.filesz > file_size - ph.offset)
			continue;
		if (find_in_notes(bytes + ph.offset, ph.filesz, owner, type, &off, desc_size))
			continue;
		*desc_offset = ph.offset + off;
		return 0;
	}
	return -1;
}

int elf64_check_placement(const struct elf64_image *img, uint64_t min, uint64_t end, char *err,
			  size_t err_size)
{
	for (uint32_t i = 0; i < img->segment_count; i++) {
		const struct elf64_segment *s = &img->segments[i];
		int code = s->paddr < min ? ELF64_E_BELOW : ELF64_E_ABOVE;

		if (s->paddr < min || s->paddr + s->mem_size > end) {
			if (err && err_size)
				fmt_snprintf(err, err_size,
					     "segment %u at [0x%llx, 0x%llx) is outside the "
					     "guest's loadable RAM [0x%llx, 0x%llx)",
					     i, (unsigned long long)s->paddr,
					     (unsigned long long)(s->paddr + s->mem_size),
					     (unsigned long long)min, (unsigned long long)end);
			return -code;
		}
		if (s->vaddr != s->paddr) {
			if (err && err_size)
				fmt_snprintf(err, err_size,
					     "segment %u is linked at 0x%llx but loads at 0x%llx: "
					     "Shunt guests start identity-mapped",
					     i, (unsigned long long)s->vaddr,
					     (unsigned long long)s->paddr);
			return -ELF64_E_NOT_IDENTITY;
		}
	}
	return 0;
}

/*
 * The advice for each refusal: what a guest built the way guest-kit's README shows (its
 * pkg-config flags) does right and this image did not. The usual ways to get there: a
 * compiler's defaults (a PIE), cc -c output, -m32, another architecture's compiler, ld's
 * default address (4 MiB), a linker script that links high and loads low.
 */
#define GUIDE "(see guest-kit/README.md, \"Building a guest\")"
static const char *guest_hint(int code)
{
	switch (code) {
	case ELF64_E_NOT_ELF:
		return "a guest is an ELF64 kernel, not a raw binary " GUIDE;
	case ELF64_E_NOT_64BIT:
		return "a 32-bit file: build the kernel for x86-64 (no -m32) " GUIDE;
	case ELF64_E_MACHINE:
		return "built for another CPU: use an x86-64 compiler " GUIDE;
	case ELF64_E_DYNAMIC:
		return "a PIE or shared object: link with -static -no-pie " GUIDE;
	case ELF64_E_OBJECT:
		return "an object file (cc -c): link it into an executable " GUIDE;
	case ELF64_E_NO_SEGMENTS:
	case ELF64_E_ENTRY:
		return "link with the guest-kit entry stub and linker script " GUIDE;
	case ELF64_E_BELOW:
	case ELF64_E_NOT_IDENTITY:
		return "link with guest-kit's linker script, shunt-guest.ld";
	case ELF64_E_ABOVE:
		return "link at 1 MiB with guest-kit's linker script, shunt-guest.ld, or give the "
		       "VM "
		       "more mem=";
	default:
		return NULL;
	}
}

void elf64_add_guest_hint(char *err, size_t err_size, int code)
{
	const char *hint = guest_hint(code < 0 ? -code : code);
	size_t len = 0;

	if (!err || !err_size || !hint)
		return;
	while (len < err_size - 1 && err[len])
		len++;
	fmt_snprintf(err + len, err_size - len, ": %s", hint);
}

int elf64_check_guest(const void *file, uint64_t file_size, uint64_t min, uint64_t end,
		      struct elf64_image *out, char *err, size_t err_size)
{
	int rc = elf64_parse(file, file_size, out, err, err_size);

	if (!rc)
		rc = elf64_check_placement(out, min, end, err, err_size);
	if (rc)
		elf64_add_guest_hint(err, err_size, rc); /* most refusals are build mistakes */
	return rc;
}
