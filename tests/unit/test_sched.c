/*
 * The scheduler's run-queue logic (hv/sched.c, hv/sched.h) over stubs of the architecture
 * and the VMs: round-robin order on one CPU, stopped, halted and not-started vCPUs passed
 * by, a halted one woken from its deadline, each CPU's ring holding only the vCPUs placed on
 * it, kicks to other CPUs (and none to this one), a stopped VM's vCPUs released by their own
 * CPU and the VM reaped once, by the last.
 */
#include "unit.h"

#include <hv/log.h>
#include <hv/sched.h>

#define VMS 3

static struct vm vms[VMS];
static unsigned int vm_used;
static uint64_t clock_now = 1000;
static unsigned int this_cpu;
static uint64_t kicks[64];
static unsigned int released, reaped;
static struct vcpu *ran[64];
static unsigned int runs;
static unsigned int stop_after_runs = 6; /* every VM stops after this many runs in all */

/* The stubs sched.c links against. */
uint64_t console_due = UINT64_MAX;
uint64_t arch_cycles(void)
{
	return clock_now;
}
uint64_t arch_tsc_hz(void)
{
	return 1000000;
}
unsigned int arch_cpu_index(void)
{
	return this_cpu;
}
void arch_cpu_kick(unsigned int cpu)
{
	kicks[cpu]++;
}
void arch_idle_until(uint64_t deadline)
{
	clock_now = deadline == UINT64_MAX ? clock_now + 1 : deadline;
}
uint64_t smp_ready_mask(void)
{
	return ~0ull; /* every CPU the tests name */
}
void smp_crash_test(unsigned int me)
{
	(void)me; /* the test word's: no crash here */
}
void arch_vcpu_release(struct vcpu *vcpu)
{
	(void)vcpu;
	released++;
}
void vm_reap(struct vm *vm)
{
	(void)vm;
	reaped++;
}
struct vm *vm_at(unsigned int i)
{
	return i < vm_used ? &vms[i] : NULL;
}
unsigned int vm_count(void)
{
	return vm_used;
}
void console_input_poll(void)
{
}
void console_poll(void)
{
}
void mgmt_poll(void)
{
}
int console_input_can_reach(const struct vm *vm)
{
	(void)vm;
	return 0;
}
void vcpu_publish_steal(struct vcpu *vcpu)
{
	(void)vcpu;
}
int vm_platform_interrupt_pending(const struct vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}
uint64_t vm_platform_next_deadline(const struct vcpu *vcpu)
{
	(void)vcpu;
	return UINT64_MAX;
}
void log_printf(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* One slice of vcpu: recorded; after stop_after_runs slices in all, every VM stops. */
struct vcpu *arch_vcpu_run(struct vcpu *vcpu)
{
	if (runs < 64)
		ran[runs] = vcpu;
	runs++;
	clock_now += 100;
	if (runs == stop_after_runs)
		for (unsigned int i = 0; i < vm_used; i++) {
			vms[i].state = VM_STOPPED;
			vms[i].reaping = 1;
			sched_vm_stopped(&vms[i]);
		}
	return vcpu;
}

/* VM i with n vCPUs on the CPUs cpus[], built and running. */
static struct vm *add_vm(unsigned int n, const unsigned int *cpus)
{
	struct vm *vm = &vms[vm_used++];

	vm->state = VM_RUNNING;
	vm->vcpu_count = n;
	vm->vcpus_held = n;
	for (unsigned int i = 0; i < n; i++)
		vm->vcpus[i] = (struct vcpu){ .vm = vm,
					      .id = i,
					      .cpu = cpus[i],
					      .held = 1,
					      .host_due = &sched_no_host_work };
	return vm;
}

/* sched_pick: round-robin after last; stopped, DOWN and halted-not-due vCPUs passed by. */
static void test_pick(void **state)
{
	struct vcpu a = { 0 }, b = { 0 }, c = { 0 };
	struct vm running = { .state = VM_RUNNING }, stopped = { .state = VM_STOPPED };
	uint64_t wake_at = UINT64_MAX;
	int asleep = 0;

	(void)state;
	a.vm = &running;
	b.vm = &stopped;
	c.vm = &running;
	a.sched_next = &b;
	b.sched_next = &c;
	c.sched_next = &a;
	assert_ptr_equal(sched_pick(&a, 10, &wake_at, &asleep), &c); /* b's VM stopped */
	assert_ptr_equal(sched_pick(&c, 10, &wake_at, &asleep), &a);
	c.halted = VCPU_DOWN;
	assert_ptr_equal(sched_pick(&a, 10, &wake_at, &asleep), &a); /* c not started: a again */
	assert_int_equal(asleep, 1);
	/* A halted vCPU with a PV timer: passed by until its deadline, then runnable from it. */
	c.halted = VCPU_HALTED;
	c.work = VCPU_WORK_TIMER;
	c.timer_deadline = 50;
	a.halted = VCPU_DOWN;
	asleep = 0;
	assert_null(sched_pick(&a, 10, &wake_at, &asleep));
	assert_int_equal(asleep, 1);
	assert_int_equal(wake_at, 50);
	assert_ptr_equal(sched_pick(&a, 70, &wake_at, &asleep), &c);
	assert_int_equal(c.halted, VCPU_RUNNING);
	assert_int_equal(c.runnable_since, 50); /* its steal time counts from the deadline */
}

/* sched_vcpu_start: only a DOWN vCPU; runnable now; its CPU kicked when it is another. */
static void test_start_and_kick(void **state)
{
	static const unsigned int cpus[] = { 0, 2 };
	struct vm *vm;

	(void)state;
	memset(vms, 0, sizeof(vms));
	vm_used = 0;
	memset(kicks, 0, sizeof(kicks));
	vm = add_vm(2, cpus);
	vm->vcpus[1].halted = VCPU_DOWN;
	this_cpu = 0;
	assert_int_equal(sched_vcpu_start(&vm->vcpus[0]), -EBUSY);
	assert_int_equal(sched_vcpu_start(&vm->vcpus[1]), 0);
	assert_int_equal(vm->vcpus[1].halted, VCPU_RUNNING);
	assert_int_equal(vm->vcpus[1].runnable_since, clock_now);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(sched_vcpu_start(&vm->vcpus[1]), -EBUSY);
	/* A kick to a vCPU of this CPU is an attention, not an IPI. */
	sched_kick(&vm->vcpus[0]);
	assert_true(vm->vcpus[0].attention & VCPU_ATTN_WORK);
	assert_int_equal(vm->vcpus[0].look_at, 0);
	assert_int_equal(kicks[0], 0);
	/* A stop: this CPU's vCPUs look at once; each other CPU is kicked once. */
	sched_vm_stopped(vm);
	assert_true(vm->vcpus[0].attention & VCPU_ATTN_STOP);
	assert_false(vm->vcpus[1].attention & VCPU_ATTN_STOP);
	assert_int_equal(kicks[2], 2);
}

/*
 * sched_run on CPU 0: the rings hold only CPU 0's vCPUs, taken in turn; the other CPUs are
 * kicked to start theirs; when every VM stops, CPU 0 releases its vCPUs; the VMs with
 * vCPUs elsewhere wait for those CPUs, and the loop waits with them until they are reaped.
 */
static void test_run_on_cpu0(void **state)
{
	static const unsigned int on0[] = { 0 }, on0and1[] = { 0, 1 };

	(void)state;
	memset(vms, 0, sizeof(vms));
	vm_used = 0;
	memset(kicks, 0, sizeof(kicks));
	runs = released = reaped = 0;
	stop_after_runs = 6;
	this_cpu = 0;
	add_vm(1, on0);
	add_vm(2, on0and1);
	add_vm(1, on0);
	/* CPU 1 never answers here: its vCPU is released by hand when CPU 0 waits for it. */
	vms[1].vcpus[1].held = 0;
	vms[1].vcpus_held = 1;
	sched_run();
	assert_int_equal(runs, 6);
	/* Round robin over CPU 0's three vCPUs, VM order; VM 1's second vCPU never here. */
	for (unsigned int i = 0; i < 6; i++)
		assert_ptr_equal(ran[i], i % 3 == 0   ? &vms[0].vcpus[0]
					 : i % 3 == 1 ? &vms[1].vcpus[0]
						      : &vms[2].vcpus[0]);
	assert_true(kicks[1] >= 1); /* started, then told of VM 1's stop */
	assert_int_equal(released, 3);
	assert_int_equal(reaped, 3);
	for (unsigned int i = 0; i < VMS; i++)
		assert_int_equal(vms[i].vcpus_held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_start_and_kick),
		cmocka_unit_test(test_run_on_cpu0),
	};

	return unit_run(tests);
}
