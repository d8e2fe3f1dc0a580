/*
 * Reading a guest's memory by linear address (guest_walk.c): a read-only walk of its own
 * page tables, for the backends that must look at the instruction a guest executed (SVM
 * without decode assists). Every step is checked against the VM's RAM: a bad guest table
 * is an error, never a fault in Shunt.
 */
#ifndef ARCH_GUEST_WALK_H
#define ARCH_GUEST_WALK_H

#include <hv/types.h>

struct vm;

/* The guest's paging controls, as its vCPU holds them. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* The guest-physical address la maps to: 0, or -EFAULT (not present, outside RAM). */
int guest_linear_to_gpa(struct vm *vm, const struct guest_paging *p, uint64_t la, gpa_t *gpa);

/* Copies len bytes at la (pages may differ) into buf: 0, or -EFAULT. */
int guest_read_linear(struct vm *vm, const struct guest_paging *p, uint64_t la, void *buf,
		      unsigned int len);

#endif
