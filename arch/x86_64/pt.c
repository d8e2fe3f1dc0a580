/*
 * Page-table construction and walks over the format described by struct pt_format (see
 * arch/pt.h). Pure code apart from the two callbacks, tested on the host.
 */
#include <arch/pt.h>

#define ENTRIES 512
#define LEVEL_SHIFT(level) (PAGE_SHIFT + 9 * ((level)-1))
#define LEVEL_SIZE(level) (1ull << LEVEL_SHIFT(level))

static unsigned int index_at(uint64_t va, int level)
{
	return (va >> LEVEL_SHIFT(level)) & (ENTRIES - 1);
}

static int is_present(const struct pt *pt, uint64_t e)
{
	return (e & pt->fmt->present_mask) != 0;
}

int pt_init(struct pt *pt)
{
	return pt->alloc_table(&pt->root);
}

/* The table one level below entry *e, created if absent; NULL if *e is a leaf or no memory. */
static uint64_t *next_table(struct pt *pt, uint64_t *e, int *err)
{
	hpa_t table;

	if (is_present(pt, *e)) {
		if (*e & PT_LARGE) {
			*err = -EEXIST;
			return NULL;
		}
		return pt->table_ptr(*e & PT_ADDR_MASK);
	}
	*err = pt->alloc_table(&table);
	if (*err)
		return NULL;
	*e = table | pt->fmt->table_flags;
	return pt->table_ptr(table);
}

static int set_leaf(uint64_t *e, uint64_t value)
{
	if (*e == value)
		return 0;
	if (*e)
		return -EEXIST;
	*e = value;
	return 0;
}

/* 1 if the large leaf e already maps va to pa with flags (an overlapping identical request). */
static int large_leaf_covers(uint64_t e, int level, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t offset_mask = LEVEL_SIZE(level) - 1;

	return (e & ~PT_ADDR_MASK) == (flags | PT_LARGE) &&
	       (e & PT_ADDR_MASK & ~offset_mask) + (va & offset_mask) == pa;
}

/*
 * The table holding va's leaf at leaf_level, tables created on the way. NULL with *err = 0
 * when a large leaf above already maps va to pa with flags (nothing to do), else with the
 * error.
 */
static uint64_t *leaf_table(struct pt *pt, uint64_t va, uint64_t pa, int leaf_level, uint64_t flags,
			    int *err)
{
	uint64_t *table = pt->table_ptr(pt->root);

	*err = 0;
	for (int level = 4; level > leaf_level; level--) {
		uint64_t *e = &table[index_at(va, level)];

		if (is_present(pt, *e) && (*e & PT_LARGE) && level > 1) {
			*err = large_leaf_covers(*e, level, va, pa, flags) ? 0 : -EEXIST;
			return NULL;
		}
		table = next_table(pt, e, err);
		if (!table)
			return NULL;
	}
	return table;
}

static int map_one(struct pt *pt, uint64_t va, uint64_t pa, int leaf_level, uint64_t flags)
{
	int err;
	uint64_t *table = leaf_table(pt, va, pa, leaf_level, flags, &err);

	if (!table)
		return err;
	if (leaf_level > 1)
		flags |= PT_LARGE;
	return set_leaf(&table[index_at(va, leaf_level)], pa | flags);
}

/*
 * 4 KiB pages from va up to the end of their page table or of size, whichever is first:
 * one walk for the table, then its entries in a row. Returns the bytes mapped (0: error).
 */
static uint64_t map_small_run(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
			      uint64_t flags, int *err)
{
	uint64_t *table = leaf_table(pt, va, pa, 1, flags, err);
	uint64_t done = 0;

	if (!table)
		return *err ? 0 : PAGE_SIZE; /* inside a large leaf that maps it already */
	for (unsigned int i = index_at(va, 1); i < ENTRIES && done < size; i++) {
		*err = set_leaf(&table[i], (pa + done) | flags);
		if (*err)
			return 0;
		done += PAGE_SIZE;
	}
	return done;
}

int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_flags)
{
	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || (leaf_flags & PT_ADDR_MASK) ||
	    va + size < va || pa + size < pa)
		return -EINVAL;
	while (size) {
		int level = pt->fmt->max_leaf_level;
		int err;

		uint64_t done;

		while (level > 1 &&
		       (!IS_ALIGNED(va | pa, LEVEL_SIZE(level)) || size < LEVEL_SIZE(level)))
			level--;
		if (level == 1) {
			/* Small pages run to the end of their table: then a large one may fit. */
			done = map_small_run(pt, va, pa, size, leaf_flags, &err);
			if (!done)
				return err;
		} else {
			err = map_one(pt, va, pa, level, leaf_flags);
			if (err)
				return err;
			done = LEVEL_SIZE(level);
		}
		va += done;
		pa += done;
		size -= done;
	}
	return 0;
}

/*
 * The entries on the walk to va's leaf: path[l] is the entry at level l (4 = root table).
 * Returns the leaf's level, or 0 if va is not mapped.
 */
static int walk(const struct pt *pt, uint64_t va, uint64_t *path[5])
{
	uint64_t *table = pt->table_ptr(pt->root);

	for (int l = 4; l >= 1; l--) {
		uint64_t *e = &table[index_at(va, l)];

		path[l] = e;
		if (!is_present(pt, *e))
			return 0;
		if (l == 1 || (*e & PT_LARGE))
			return l;
		table = pt->table_ptr(*e & PT_ADDR_MASK);
	}
	return 0;
}

int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *flags, int *level)
{
	uint64_t *path[5];
	int l = walk(pt, va, path);
	uint64_t offset_mask;

	if (!l)
		return -ENOENT;
	offset_mask = LEVEL_SIZE(l) - 1;
	*pa = (*path[l] & PT_ADDR_MASK & ~offset_mask) | (va & offset_mask);
	*flags = *path[l] & ~PT_ADDR_MASK;
	*level = l;
	return 0;
}

static int table_is_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < ENTRIES; i++)
		if (table[i])
			return 0;
	return 1;
}

/* 0 if [va, end) is made of whole present leaves, else -ENOENT or -EINVAL. */
static int check_whole_leaves(const struct pt *pt, uint64_t va, uint64_t end)
{
	while (va < end) {
		uint64_t *path[5];
		int level = walk(pt, va, path);

		if (!level)
			return -ENOENT;
		if (!IS_ALIGNED(va, LEVEL_SIZE(level)) || end - va < LEVEL_SIZE(level))
			return -EINVAL;
		va += LEVEL_SIZE(level);
	}
	return 0;
}

int pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	uint64_t end = va + size;
	int err;

	if (!IS_ALIGNED(va | size, PAGE_SIZE) || end < va)
		return -EINVAL;
	err = check_whole_leaves(pt, va, end);
	if (err)
		return err;
	while (va < end) {
		uint64_t *path[5];
		int level = walk(pt, va, path);

		*path[level] = 0;
		/* Tables this emptied go back, from the leaf's up to (not including) the root. */
		for (int l = level; l < 4 && pt->free_table; l++) {
			const uint64_t *table =
				(const uint64_t *)((uintptr_t)path[l] & ~(PAGE_SIZE - 1));
			hpa_t table_pa = *path[l + 1] & PT_ADDR_MASK;

			if (!table_is_empty(table))
				break;
			*path[l + 1] = 0;
			pt->free_table(table_pa);
		}
		va += LEVEL_SIZE(level);
	}
	return 0;
}

int pt_split(struct pt *pt, uint64_t va)
{
	for (;;) {
		uint64_t *path[5], *table, leaf, base, flags;
		int level = walk(pt, va, path);
		hpa_t table_pa;

		if (!level)
			return -ENOENT;
		if (level == 1)
			return 0;
		if (pt->alloc_table(&table_pa))
			return -ENOMEM;
		table = pt->table_ptr(table_pa);
		leaf = *path[level];
		base = leaf & PT_ADDR_MASK & ~(LEVEL_SIZE(level) - 1);
		flags = leaf & ~PT_ADDR_MASK;
		if (level - 1 == 1)
			flags &= ~PT_LARGE; /* 4 KiB leaves carry no size bit */
		for (unsigned int i = 0; i < ENTRIES; i++)
			table[i] = (base + i * LEVEL_SIZE(level - 1)) | flags;
		*path[level] = table_pa | pt->fmt->table_flags; /* the same translations below */
	}
}

static void destroy_level(struct pt *pt, hpa_t table_pa, int level)
{
	uint64_t *table = pt->table_ptr(table_pa);

	for (unsigned int i = 0; level > 1 && i < ENTRIES; i++) {
		uint64_t e = table[i];

		if (is_present(pt, e) && !(e & PT_LARGE))
			destroy_level(pt, e & PT_ADDR_MASK, level - 1);
	}
	pt->free_table(table_pa);
}

void pt_destroy(struct pt *pt)
{
	if (!pt->root)
		return;
	destroy_level(pt, pt->root, 4);
	pt->root = 0;
}
