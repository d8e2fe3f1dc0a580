/*
 * Memory map normalisation and carving (see hv/memmap.h). The loader's regions may be
 * unsorted, overlapping or empty; everything after memmap_normalise() can rely on a sorted,
 * disjoint list. Pure code, tested on the host (tests/unit/test_memmap.c).
 */
#include <hv/fmt.h>
#include <hv/memmap.h>

#include <stdarg.h>

__attribute__((format(printf, 2, 3))) static int memmap_error(struct memmap *map, const char *fmt,
							      ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(map->error, sizeof(map->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int type_is_known(uint32_t type)
{
	return type >= HANDOFF_MEM_USABLE && type <= HANDOFF_MEM_BAD;
}

static void sort_points(uint64_t *p, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint64_t v = p[i];
		uint32_t j = i;

		while (j > 0 && p[j - 1] > v) {
			p[j] = p[j - 1];
			j--;
		}
		p[j] = v;
	}
}

/* The most restrictive type among the input regions covering [a, b); 0 if none does. */
static uint32_t type_of(const struct handoff_mem_region *in, uint32_t count, uint64_t a, uint64_t b)
{
	uint32_t type = 0;

	for (uint32_t i = 0; i < count; i++) {
		if (in[i].length && in[i].base <= a && b <= in[i].base + in[i].length &&
		    in[i].type > type)
			type = in[i].type;
	}
	return type;
}

static int append(struct memmap *map, uint64_t base, uint64_t end, uint32_t type)
{
	struct memmap_region *last = map->count ? &map->regions[map->count - 1] : NULL;

	if (base >= end)
		return 0;
	if (last && last->end == base && last->type == type) {
		last->end = end;
		return 0;
	}
	if (map->count == MEMMAP_MAX) {
		memmap_error(map, "memory map: more than %u regions", (unsigned int)MEMMAP_MAX);
		return -ENOSPC;
	}
	map->regions[map->count++] =
		(struct memmap_region){ .base = base, .end = end, .type = type };
	return 0;
}

/* Usable RAM counts in whole pages only: partial pages at either end are dropped. */
static void shrink_usable_to_pages(struct memmap *map)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < map->count; i++) {
		struct memmap_region r = map->regions[i];

		if (r.type == HANDOFF_MEM_USABLE) {
			uint64_t base = ALIGN_UP(r.base, PAGE_SIZE);

			r.end = ALIGN_DOWN(r.end, PAGE_SIZE);
			if (base < r.base || base >= r.end)
				continue; /* less than a page, or the rounding wrapped */
			r.base = base;
		}
		map->regions[kept++] = r;
	}
	map->count = kept;
}

int memmap_normalise(struct memmap *map, const struct handoff_mem_region *in, uint32_t count)
{
	static uint64_t points[2 * HANDOFF_MAX_MEM];
	uint32_t npoints = 0;

	map->count = 0;
	map->error[0] = '\0';
	if (count > HANDOFF_MAX_MEM)
		return memmap_error(map, "memory map: %u regions, at most %u supported", count,
				    (unsigned int)HANDOFF_MAX_MEM);
	for (uint32_t i = 0; i < count; i++) {
		if (!in[i].length)
			continue;
		if (in[i].base + in[i].length < in[i].base)
			return memmap_error(map,
					    "memory map: region %u at 0x%llx (length 0x%llx) "
					    "wraps around the address space",
					    i, (unsigned long long)in[i].base,
					    (unsigned long long)in[i].length);
		if (!type_is_known(in[i].type))
			return memmap_error(map, "memory map: region %u has unknown type %u", i,
					    in[i].type);
		points[npoints++] = in[i].base;
		points[npoints++] = in[i].base + in[i].length;
	}
	sort_points(points, npoints);

	/* Every elementary interval between two boundaries has exactly one type. */
	for (uint32_t i = 0; i + 1 < npoints; i++) {
		uint64_t a = points[i], b = points[i + 1];
		uint32_t type;

		if (a == b)
			continue;
		type = type_of(in, count, a, b);
		if (type && append(map, a, b, type))
			return -ENOSPC;
	}
	shrink_usable_to_pages(map);
	if (memmap_total(map, HANDOFF_MEM_USABLE) == 0)
		return memmap_error(map, "memory map: no usable RAM in %u regions", count);
	return 0;
}

/* Rewrites the map with [base, end) ∩ (regions of type from) set to type to. */
static int retype(struct memmap *map, uint64_t base, uint64_t end, uint32_t from, uint32_t to)
{
	static struct memmap scratch;

	scratch.count = 0;
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_region *r = &map->regions[i];
		uint64_t lo = MAX(r->base, base), hi = MIN(r->end, end);

		if (r->type != from || lo >= hi) {
			if (append(&scratch, r->base, r->end, r->type))
				goto full;
			continue;
		}
		if (append(&scratch, r->base, lo, r->type) || append(&scratch, lo, hi, to) ||
		    append(&scratch, hi, r->end, r->type))
			goto full;
	}
	map->count = scratch.count;
	for (uint32_t i = 0; i < scratch.count; i++)
		map->regions[i] = scratch.regions[i];
	return 0;
full:
	memmap_error(map, "memory map: more than %u regions after carving [0x%llx, 0x%llx)",
		     (unsigned int)MEMMAP_MAX, (unsigned long long)base, (unsigned long long)end);
	return -ENOSPC;
}

int memmap_spans(const struct memmap *map, uint64_t base, uint64_t end, uint32_t type_mask)
{
	uint64_t at = base;

	for (uint32_t i = 0; i < map->count && at < end; i++) {
		const struct memmap_region *r = &map->regions[i];

		if (r->end <= at)
			continue;
		if (r->base > at || r->type >= 32 || !(type_mask & MEMMAP_TYPE_BIT(r->type)))
			return 0;
		at = r->end;
	}
	return at >= end;
}

static int is_all_usable(const struct memmap *map, uint64_t base, uint64_t end)
{
	return memmap_spans(map, base, end, MEMMAP_TYPE_BIT(HANDOFF_MEM_USABLE));
}

/*
 * end rounded up to a page. In the last page of the address space that would wrap to 0, so
 * it stops at that page's start instead: no region reaches past it anyway, since regions
 * are page-aligned and their end can not be 2^64.
 */
static uint64_t page_end(uint64_t end)
{
	uint64_t up = ALIGN_UP(end, PAGE_SIZE);

	return up < end ? ALIGN_DOWN(UINT64_MAX, PAGE_SIZE) : up;
}

int memmap_claim(struct memmap *map, uint64_t base, uint64_t end, uint32_t type)
{
	if (end < base)
		return memmap_error(map, "memory map: range [0x%llx, 0x%llx) ends before it starts",
				    (unsigned long long)base, (unsigned long long)end);
	base = ALIGN_DOWN(base, PAGE_SIZE);
	end = page_end(end);
	if (!is_all_usable(map, base, end))
		return memmap_error(map,
				    "memory map: [0x%llx, 0x%llx) for %s is not inside "
				    "usable RAM",
				    (unsigned long long)base, (unsigned long long)end,
				    memmap_type_name(type));
	return retype(map, base, end, HANDOFF_MEM_USABLE, type);
}

int memmap_reserve(struct memmap *map, uint64_t base, uint64_t end, uint32_t type)
{
	return retype(map, ALIGN_DOWN(base, PAGE_SIZE), page_end(end), HANDOFF_MEM_USABLE, type);
}

int memmap_find_usable(const struct memmap *map, uint64_t size, uint64_t align, uint64_t min,
		       uint64_t *out)
{
	for (uint32_t i = 0; i < map->count; i++) {
		const struct memmap_region *r = &map->regions[i];
		uint64_t from = MAX(r->base, min), at = ALIGN_UP(from, align);

		if (at < from)
			break; /* rounding up wrapped: nothing aligned is left above min */
		if (r->type == HANDOFF_MEM_USABLE && at < r->end && r->end - at >= size) {
			*out = at;
			return 0;
		}
	}
	return -ENOMEM;
}

uint64_t memmap_total(const struct memmap *map, uint32_t type)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < map->count; i++)
		if (map->regions[i].type == type)
			total += map->regions[i].end - map->regions[i].base;
	return total;
}

uint32_t memmap_count(const struct memmap *map, uint32_t type)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < map->count; i++)
		n += map->regions[i].type == type;
	return n;
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case HANDOFF_MEM_USABLE:
		return "usable";
	case HANDOFF_MEM_ACPI_RECLAIM:
		return "ACPI tables";
	case HANDOFF_MEM_ACPI_NVS:
		return "ACPI NVS";
	case HANDOFF_MEM_RESERVED:
		return "reserved";
	case HANDOFF_MEM_MMIO:
		return "MMIO";
	case HANDOFF_MEM_BAD:
		return "bad RAM";
	case MEMMAP_HV_IMAGE:
		return "hypervisor image";
	case MEMMAP_MODULE:
		return "boot module";
	case MEMMAP_LOW:
		return "low memory";
	case MEMMAP_HV_DATA:
		return "hypervisor data";
	default:
		return "unknown";
	}
}
