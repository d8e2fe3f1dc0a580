/*
 * The read-only guest page walk (arch/x86_64/guest_walk.c) that AMD-V's instruction fetches
 * use: 4-level, PAE and 32-bit paging with their large pages, paging off, reads across
 * pages, and the guest tables that must fail cleanly (not present, outside the VM's RAM).
 * The VM's RAM is a buffer here; vm_gpa_to_hva() is the test's.
 */
#include "unit.h"

#include <stdlib.h>

#include <arch/guest_walk.h>
#include <arch/x86.h>
#include <hv/vm.h>

#define RAM_SIZE (4u << 20)
static uint8_t *ram;

void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len)
{
	(void)vm;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return ram + gpa;
}

static uint64_t *q(gpa_t at)
{
	return (uint64_t *)(ram + at);
}

static uint32_t *d(gpa_t at)
{
	return (uint32_t *)(ram + at);
}

static const struct guest_paging long4 = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA
};

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, RAM_SIZE);
	return ram ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static gpa_t walk(const struct guest_paging *p, uint64_t la)
{
	gpa_t gpa = 0;

	return guest_linear_to_gpa(NULL, p, la, &gpa) ? (gpa_t)-1 : gpa;
}

static void test_paging_off(void **state)
{
	struct guest_paging p = { .cr0 = CR0_PE };

	(void)state;
	assert_int_equal(walk(&p, 0x123456), 0x123456);
	assert_int_equal(walk(&p, 0x100000123456ull), 0x123456); /* 32-bit addresses */
}

static void test_four_level(void **state)
{
	(void)state;
	/* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 -> page 0x5000, for 0x401000. */
	*q(0x1000) = 0x2000 | PTE_P;
	*q(0x2000) = 0x3000 | PTE_P;
	*q(0x3000 + 2 * 8) = 0x4000 | PTE_P;
	*q(0x4000 + 1 * 8) = 0x5000 | PTE_P;
	assert_int_equal(walk(&long4, 0x401abc), 0x5abc);
	/* A 2 MiB page at PD entry 0: 0x200000. */
	*q(0x3000) = 0x200000 | PTE_P | PT_LARGE;
	assert_int_equal(walk(&long4, 0x12345), 0x212345);
	/* A 1 GiB page at PDPT entry 1 (beyond this RAM: the walk still says where). */
	*q(0x2000 + 8) = 0x40000000 | PTE_P | PT_LARGE;
	assert_int_equal(walk(&long4, 0x40000123), 0x40000123);
}

static void test_faults(void **state)
{
	uint8_t buf[4];

	(void)state;
	assert_int_equal(walk(&long4, 0x401000), (gpa_t)-1); /* nothing present */
	*q(0x1000) = 0x2000 | PTE_P;
	*q(0x2000) = 0x7ff000000ull | PTE_P; /* a table outside the VM's RAM */
	assert_int_equal(walk(&long4, 0x401000), (gpa_t)-1);
	*q(0x2000) = 0x3000 | PTE_P;
	*q(0x3000) = 0x200000 | PT_LARGE; /* not present, large or not */
	assert_int_equal(walk(&long4, 0x1000), (gpa_t)-1);
	/* The root itself outside RAM. */
	struct guest_paging far = long4;
	far.cr3 = 0x7ffff000;
	assert_int_equal(walk(&far, 0), (gpa_t)-1);
	/* A page mapped outside RAM reads as a fault, not as the host's memory. */
	*q(0x3000) = 0x7fe00000 | PTE_P | PT_LARGE;
	assert_int_equal(guest_read_linear(NULL, &long4, 0x100, buf, sizeof(buf)), -EFAULT);
}

static void test_read_across_pages(void **state)
{
	uint8_t buf[3];

	(void)state;
	*q(0x1000) = 0x2000 | PTE_P;
	*q(0x2000) = 0x3000 | PTE_P;
	*q(0x3000) = 0x4000 | PTE_P;
	*q(0x4000 + 0 * 8) = 0x8000 | PTE_P; /* linear 0x0000 -> 0x8000 */
	*q(0x4000 + 1 * 8) = 0x6000 | PTE_P; /* linear 0x1000 -> 0x6000 */
	ram[0x8fff] = 0x0f;
	ram[0x6000] = 0x01;
	ram[0x6001] = 0xc1;
	assert_int_equal(guest_read_linear(NULL, &long4, 0xfff, buf, 3), 0);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(buf[1], 0x01);
	assert_int_equal(buf[2], 0xc1);
	/* The second page unmapped: the read fails as a whole. */
	*q(0x4000 + 1 * 8) = 0;
	assert_int_equal(guest_read_linear(NULL, &long4, 0xfff, buf, 3), -EFAULT);
}

static void test_pae(void **state)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1020, .cr4 = CR4_PAE };

	(void)state;
	/* PDPTE 1 at CR3 + 8 -> PD 0x2000; PD entry 3 -> PT 0x3000; PT entry 5 -> 0x9000. */
	*q(0x1028) = 0x2000 | PTE_P;
	*q(0x2000 + 3 * 8) = 0x3000 | PTE_P;
	*q(0x3000 + 5 * 8) = 0x9000 | PTE_P;
	assert_int_equal(walk(&p, 0x40000000u + 3 * 0x200000u + 5 * 0x1000u + 0x12), 0x9012);
	*q(0x2000 + 4 * 8) = 0x600000 | PTE_P | PT_LARGE; /* 2 MiB */
	assert_int_equal(walk(&p, 0x40000000u + 4 * 0x200000u + 0x345), 0x600345);
	assert_int_equal(walk(&p, 0x80000000u), (gpa_t)-1); /* PDPTE 2 not present */
}

static void test_32bit(void **state)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 };

	(void)state;
	*d(0x1000 + 1 * 4) = 0x2000 | PTE_P; /* PDE 1 -> PT 0x2000 */
	*d(0x2000 + 2 * 4) = 0x7000 | PTE_P; /* PTE 2 -> 0x7000 */
	assert_int_equal(walk(&p, 0x402010), 0x7010);
	/* A 4 MiB page needs CR4.PSE; without it, bit 7 means nothing and the entry is a PT. */
	*d(0x1000 + 2 * 4) = 0x400000 | PTE_P | PT_LARGE;
	assert_int_equal(walk(&p, 0x812345), (gpa_t)-1); /* a "PT" at 4 MiB: outside RAM */
	p.cr4 = 1u << 4;
	assert_int_equal(walk(&p, 0x812345), 0x412345);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_paging_off),	   T(test_four_level), T(test_faults),
		T(test_read_across_pages), T(test_pae),	       T(test_32bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
