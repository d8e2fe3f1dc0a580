/*
 * vCPU placement (hv/sched_place.c): the least loaded allowed CPU that is ready, a VM's
 * vCPUs on different CPUs while it has some, ties to the lowest number, and the refusal
 * when no allowed CPU is ready.
 */
#include "unit.h"

#include <hv/sched.h>

static unsigned int load[64], cpu_of[8];

static void reset(void)
{
	memset(load, 0, sizeof(load));
	memset(cpu_of, 0xff, sizeof(cpu_of));
}

/* Default (no cpus=): VMs of one vCPU each go round the ready CPUs. */
static void test_spread(void **state)
{
	(void)state;
	reset();
	for (unsigned int vm = 0; vm < 6; vm++) {
		assert_int_equal(sched_place(0, 0xf, 1, load, cpu_of), 0);
		assert_int_equal(cpu_of[0], vm % 4);
	}
	assert_int_equal(load[0], 2);
	assert_int_equal(load[3], 1);
}

/* A VM's vCPUs go to different CPUs first, then wrap; its load is counted. */
static void test_vcpus_of_one_vm(void **state)
{
	(void)state;
	reset();
	assert_int_equal(sched_place(0, 0x3, 3, load, cpu_of), 0);
	assert_int_equal(cpu_of[0], 0);
	assert_int_equal(cpu_of[1], 1);
	assert_int_equal(cpu_of[2], 0);
	/* The next VM starts on the less loaded CPU 1. */
	assert_int_equal(sched_place(0, 0x3, 1, load, cpu_of), 0);
	assert_int_equal(cpu_of[0], 1);
	/* A CPU its own vCPUs use comes after an unused one, even a busier one. */
	reset();
	load[2] = 5;
	assert_int_equal(sched_place(0x6, 0xf, 2, load, cpu_of), 0);
	assert_int_equal(cpu_of[0], 1);
	assert_int_equal(cpu_of[1], 2);
}

/* cpus= is obeyed; CPUs it names that are not ready are skipped; none ready: refused. */
static void test_allowed(void **state)
{
	(void)state;
	reset();
	assert_int_equal(sched_place(0x8, 0xf, 2, load, cpu_of), 0);
	assert_int_equal(cpu_of[0], 3);
	assert_int_equal(cpu_of[1], 3);
	assert_int_equal(load[3], 2);
	assert_int_equal(sched_place(0x30, 0xf, 1, load, cpu_of), -1);
	assert_int_equal(sched_place(0x12, 0xf, 1, load, cpu_of), 0);
	assert_int_equal(cpu_of[0], 1);
	assert_int_equal(sched_place(1ull << 63, 1ull << 63, 1, load, cpu_of), 0);
	assert_int_equal(cpu_of[0], 63);
	assert_int_equal(sched_place(0, 0, 1, load, cpu_of), -1);
	assert_int_equal(sched_place(0, 1, 0, load, cpu_of), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_vcpus_of_one_vm),
		cmocka_unit_test(test_allowed),
	};

	return unit_run(tests);
}
