/*
 * A read-only walk of a guest's page tables (Intel SDM Vol. 3A 4.3-4.5, AMD APM Vol. 2 5.2-
 * 5.3): 32-bit paging, PAE and 4- or 5-level paging, from the CR0, CR3, CR4 and EFER the
 * caller hands over. Each table entry is read through vm_gpa_to_hva(), so a table outside
 * the VM's RAM, a missing entry or a reserved large page ends the walk with -EFAULT. The
 * accessed and dirty bits are left alone: the walk only looks.
 */
#include <arch/guest_walk.h>
#include <arch/pt.h>
#include <arch/x86.h>
#include <hv/string.h>
#include <hv/vm.h>

#define CR4_PSE (1ull << 4)
#define CR4_LA57 (1ull << 12)

static int read_entry(struct vm *vm, gpa_t at, unsigned int size, uint64_t *e)
{
	const void *p = vm_gpa_to_hva(vm, at, size);

	if (!p)
		return -EFAULT;
	*e = size == 8 ? *(const uint64_t *)p : *(const uint32_t *)p;
	return 0;
}

/* The walk from a table of 512 8-byte entries at level (4 or 5: the root; 2: a PAE PD). */
static int walk64(struct vm *vm, gpa_t table, int level, uint64_t la, gpa_t *gpa)
{
	for (; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (unsigned int)(level - 1);
		uint64_t e, size = 1ull << shift;

		if (read_entry(vm, table + ((la >> shift) & 511) * 8, 8, &e) || !(e & PTE_P))
			return -EFAULT;
		if (level == 1 || (level <= 3 && (e & PT_LARGE))) {
			*gpa = ((e & PT_ADDR_MASK) & ~(size - 1)) | (la & (size - 1));
			return 0;
		}
		table = e & PT_ADDR_MASK;
	}
	return -EFAULT;
}

int guest_linear_to_gpa(struct vm *vm, const struct guest_paging *p, uint64_t la, gpa_t *gpa)
{
	uint64_t e;

	if (!(p->cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffull;
		return 0;
	}
	if (p->efer & EFER_LMA)
		return walk64(vm, p->cr3 & PT_ADDR_MASK, (p->cr4 & CR4_LA57) ? 5 : 4, la, gpa);
	la &= 0xffffffffull;
	if (p->cr4 & CR4_PAE) {
		/* Four PDPTEs at CR3[31:5], each a page directory of 512 8-byte entries. */
		if (read_entry(vm, (p->cr3 & 0xffffffe0ull) + (la >> 30) * 8, 8, &e) ||
		    !(e & PTE_P))
			return -EFAULT;
		return walk64(vm, e & PT_ADDR_MASK, 2, la, gpa);
	}
	/* 32-bit paging: 1024 4-byte entries a table, 4 MiB pages with CR4.PSE. */
	if (read_entry(vm, (p->cr3 & 0xfffff000ull) + (la >> 22) * 4, 4, &e) || !(e & PTE_P))
		return -EFAULT;
	if ((e & PT_LARGE) && (p->cr4 & CR4_PSE)) {
		*gpa = (e & 0xffc00000ull) | (la & 0x3fffff);
		return 0;
	}
	if (read_entry(vm, (e & 0xfffff000ull) + ((la >> 12) & 1023) * 4, 4, &e) || !(e & PTE_P))
		return -EFAULT;
	*gpa = (e & 0xfffff000ull) | (la & 0xfff);
	return 0;
}

int guest_read_linear(struct vm *vm, const struct guest_paging *p, uint64_t la, void *buf,
		      unsigned int len)
{
	uint8_t *out = buf;

	while (len) {
		unsigned int chunk = PAGE_SIZE - (unsigned int)(la & (PAGE_SIZE - 1));
		const void *src;
		gpa_t gpa;

		if (chunk > len)
			chunk = len;
		if (guest_linear_to_gpa(vm, p, la, &gpa))
			return -EFAULT;
		src = vm_gpa_to_hva(vm, gpa, chunk);
		if (!src)
			return -EFAULT;
		memcpy(out, src, chunk);
		out += chunk;
		la += chunk;
		len -= chunk;
	}
	return 0;
}
