/*
 * Boot-time memory setup (see hv/mm.h): the one memory map and frame allocator of the
 * hypervisor, and the carve-outs that keep the image, modules and low memory out of it.
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/spinlock.h>
#include <hv/string.h>

#define LOW_MEMORY_END (1 * MIB)

static struct memmap memmap;
static struct frame_allocator frames;
/* Guards frames (its bitmap and counts) from CPUs allocating and freeing at once. */
static struct spinlock frames_lock = SPINLOCK_INIT;

const struct memmap *mm_memmap(void)
{
	return &memmap;
}

/* [i]: module i lies wholly in RAM Shunt claimed for it (a byte each: 66 do not fit a word). */
static uint8_t module_in_ram[HANDOFF_MAX_MODULES];

static void claim_modules(const struct handoff *handoff)
{
	char label[64];

	for (uint32_t i = 0; i < handoff->module_count && i < HANDOFF_MAX_MODULES; i++) {
		const struct handoff_module *m = &handoff->modules[i];

		if (m->refused || !m->length || m->base + m->length < m->base)
			continue;
		if (memmap_claim(&memmap, m->base, m->base + m->length, MEMMAP_MODULE) == 0) {
			module_in_ram[i] = 1;
			continue;
		}
		/* Keep whatever RAM it does occupy away from the allocator all the same. */
		fmt_escape(label, sizeof(label), m->cmdline);
		log_warn("boot module %u (\"%s\"): %s\n", i, label, memmap.error);
		memmap_reserve(&memmap, m->base, m->base + m->length, MEMMAP_MODULE);
	}
}

int mm_module_is_usable(uint32_t index)
{
	return index < HANDOFF_MAX_MODULES && module_in_ram[index];
}

static int start_frame_allocator(void)
{
	size_t bytes = frame_bitmap_bytes(&memmap);
	uint64_t at;

	if (memmap_find_usable(&memmap, ALIGN_UP(bytes, PAGE_SIZE), PAGE_SIZE, LOW_MEMORY_END,
			       &at)) {
		log_error("memory: no room for the %zu-byte frame bitmap\n", bytes);
		return -ENOMEM;
	}
	if (memmap_claim(&memmap, at, at + bytes, MEMMAP_HV_DATA)) {
		log_error("%s\n", memmap.error);
		return -ENOSPC;
	}
	frame_init(&frames, &memmap, phys_to_virt(at));
	return 0;
}

int mm_init(const struct handoff *handoff)
{
	hpa_t image_start = virt_to_phys(__image_start), image_end = virt_to_phys(__image_end);

	if (memmap_normalise(&memmap, handoff->mem, handoff->mem_count)) {
		log_error("%s\n", memmap.error);
		return -EINVAL;
	}
	if (memmap_claim(&memmap, image_start, image_end, MEMMAP_HV_IMAGE)) {
		log_error("the firmware's memory map does not cover the hypervisor image: %s\n",
			  memmap.error);
		return -EINVAL;
	}
	claim_modules(handoff);
	if (memmap_reserve(&memmap, 0, LOW_MEMORY_END, MEMMAP_LOW)) {
		log_error("%s\n", memmap.error);
		return -ENOSPC;
	}
	return start_frame_allocator();
}

int mm_alloc_frames(uint64_t count, uint64_t align, hpa_t *out)
{
	int err;

	spin_lock(&frames_lock);
	err = frame_alloc(&frames, count, align, out);
	spin_unlock(&frames_lock);
	if (!err) /* outside the lock: the frames are this caller's alone now */
		arch_zero_pages(phys_to_virt(*out), count);
	return err;
}

void mm_free_frames(hpa_t addr, uint64_t count)
{
	int err;

	spin_lock(&frames_lock);
	err = frame_free(&frames, addr, count);
	spin_unlock(&frames_lock);
	if (err)
		panic("mm: freeing %llu frames at 0x%llx that are not allocated\n",
		      (unsigned long long)count, (unsigned long long)addr);
}

uint64_t mm_free_bytes(void)
{
	return frames.free * PAGE_SIZE;
}

#define RAM_TYPES                                                                                  \
	(MEMMAP_TYPE_BIT(HANDOFF_MEM_USABLE) | MEMMAP_TYPE_BIT(HANDOFF_MEM_ACPI_RECLAIM) |         \
	 MEMMAP_TYPE_BIT(HANDOFF_MEM_ACPI_NVS) | MEMMAP_TYPE_BIT(MEMMAP_HV_IMAGE) |                \
	 MEMMAP_TYPE_BIT(MEMMAP_MODULE) | MEMMAP_TYPE_BIT(MEMMAP_LOW) |                            \
	 MEMMAP_TYPE_BIT(MEMMAP_HV_DATA))

int mm_type_is_ram(uint32_t type)
{
	return type < 32 && (RAM_TYPES & MEMMAP_TYPE_BIT(type));
}

int mm_is_readable(uint64_t phys, uint64_t len)
{
	const uint32_t firmware = RAM_TYPES | MEMMAP_TYPE_BIT(HANDOFF_MEM_RESERVED);

	if (phys + len < phys)
		return 0;
	if (memmap_spans(&memmap, phys, phys + len, RAM_TYPES))
		return 1;
	return memmap_spans(&memmap, phys, phys + len, firmware) &&
	       arch_map_firmware(phys, len) == 0;
}

int mm_range_has_ram(uint64_t base, uint64_t len)
{
	for (uint32_t i = 0; i < memmap.count; i++) {
		const struct memmap_region *r = &memmap.regions[i];

		if (mm_type_is_ram(r->type) && r->base < base + len && base < r->end)
			return 1;
	}
	return 0;
}
