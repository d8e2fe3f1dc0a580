/*
 * Placing shunt.elf (see hvimage.h). Each PT_LOAD segment gets the pages it covers with
 * AllocatePages(AllocateAddress), so a segment that would land on memory the firmware uses
 * is refused instead of silently overwriting it; file bytes are copied and the rest zeroed.
 */
#include "hvimage.h"

#include <efilib.h>

#include "console.h"

#define PAGE_SIZE 4096ull

/* Pages [*start, *end) minus the pages of earlier segments (they may share an end page). */
static void clip_to_new_pages(const struct hvimage *img, uint64_t *start, uint64_t *end)
{
	for (uint32_t i = 0; i < img->range_count; i++) {
		uint64_t base = img->ranges[i].base;
		uint64_t top = base + img->ranges[i].count * PAGE_SIZE;

		if (*start >= base && *start < top)
			*start = top;
		if (*end > base && *end <= top)
			*end = base;
	}
}

static EFI_STATUS place_segment(struct hvimage *img, const struct elf64_segment *seg,
				const UINT8 *file)
{
	uint64_t start = seg->paddr & ~(PAGE_SIZE - 1);
	uint64_t end = (seg->paddr + seg->mem_size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	EFI_PHYSICAL_ADDRESS addr;
	EFI_STATUS st;

	if (end < seg->paddr + seg->mem_size) {
		console_error(HVIMAGE_FILE " wants [0x%llx, 2^64): not memory",
			      (unsigned long long)start);
		return EFI_LOAD_ERROR;
	}
	clip_to_new_pages(img, &start, &end);
	if (start < end) {
		addr = start;
		st = BS->AllocatePages(AllocateAddress, EfiLoaderData,
				       (UINTN)((end - start) / PAGE_SIZE), &addr);
		if (EFI_ERROR(st)) {
			console_error(HVIMAGE_FILE " wants [0x%llx, 0x%llx) but firmware uses it "
						   "(AllocatePages: %s)",
				      (unsigned long long)start, (unsigned long long)end,
				      console_status_name(st));
			return st;
		}
		img->ranges[img->range_count].base = start;
		img->ranges[img->range_count].count = (end - start) / PAGE_SIZE;
		img->range_count++;
		ZeroMem((void *)(UINTN)start, (UINTN)(end - start));
	}
	CopyMem((void *)(UINTN)seg->paddr, file + seg->file_offset, (UINTN)seg->file_size);
	/* Bytes of the segment past the file (.bss) are zero: its new pages were zeroed. */
	if (seg->mem_size > seg->file_size)
		ZeroMem((void *)(UINTN)(seg->paddr + seg->file_size),
			(UINTN)(seg->mem_size - seg->file_size));
	return EFI_SUCCESS;
}

/* elf64_parse() has checked that the entry lies in an executable segment. */
static uint64_t entry_paddr(const struct elf64_image *elf)
{
	for (uint32_t i = 0; i < elf->segment_count; i++) {
		const struct elf64_segment *s = &elf->segments[i];

		if ((s->flags & ELF64_PF_X) && elf->entry >= s->vaddr &&
		    elf->entry - s->vaddr < s->mem_size)
			return elf->entry - s->vaddr + s->paddr;
	}
	return elf->entry;
}

EFI_STATUS hvimage_load(struct volume *vol, struct hvimage *img)
{
	struct elf64_image elf;
	char err[ELF64_ERR_MAX];
	void *file;
	UINT64 size;
	EFI_STATUS st;

	img->range_count = 0;
	st = file_read(vol, HVIMAGE_FILE, 0, &file, &size);
	if (EFI_ERROR(st))
		return st;
	if (elf64_parse(file, size, &elf, err, sizeof(err))) {
		console_error("\\" HVIMAGE_FILE " is not a usable hypervisor image: %s", err);
		st = EFI_LOAD_ERROR;
		goto out_free;
	}
	for (uint32_t i = 0; i < elf.segment_count; i++) {
		st = place_segment(img, &elf.segments[i], file);
		if (EFI_ERROR(st)) {
			hvimage_unload(img);
			goto out_free;
		}
	}
	img->entry = entry_paddr(&elf);
	console_info(HVIMAGE_FILE ": %u segments in [0x%llx, 0x%llx), entry 0x%llx",
		     elf.segment_count, (unsigned long long)elf.lowest_paddr,
		     (unsigned long long)elf.highest_paddr, (unsigned long long)img->entry);
out_free:
	file_free(file, size);
	return st;
}

void hvimage_unload(struct hvimage *img)
{
	for (uint32_t i = 0; i < img->range_count; i++)
		BS->FreePages(img->ranges[i].base, (UINTN)img->ranges[i].count);
	img->range_count = 0;
}
