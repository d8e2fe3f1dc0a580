/*
 * Round-robin scheduling of all VMs' vCPUs on this CPU (see hv/sched.h), and the host work
 * done between and during slices. A vCPU halted in HLT sleeps until its next event or PV
 * timer and is passed by until then; with nothing runnable the CPU itself waits for the
 * first deadline. Stopped VMs give their memory back as soon as they leave the CPU.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/console_input.h>
#include <hv/log.h>
#include <hv/mgmt.h>
#include <hv/pv.h>
#include <hv/sched.h>
#include <hv/vm.h>

/* What the CPU did when nothing was runnable, for the debug log at the end. */
static struct {
	uint64_t waits, cycles;
} idle;

/* Work for when no vCPU is on the CPU (sched_defer()), in the order it came. */
static struct {
	void (*fn)(void *ctx, uint64_t arg);
	void *ctx;
	uint64_t arg;
} deferred[SCHED_DEFERRED_MAX];
static unsigned int deferred_count;
static int ring_changed; /* a VM started again: the ring is built anew */

void sched_ring_changed(void)
{
	ring_changed = 1;
}

void sched_run_deferred(void)
{
	/* A call may defer another: only those there now run, the rest on the next round. */
	unsigned int n = deferred_count;

	for (unsigned int i = 0; i < n; i++)
		deferred[i].fn(deferred[i].ctx, deferred[i].arg);
	for (unsigned int i = n; i < deferred_count; i++)
		deferred[i - n] = deferred[i];
	deferred_count -= n;
}

int sched_defer(void (*fn)(void *ctx, uint64_t arg), void *ctx, uint64_t arg)
{
	if (deferred_count == SCHED_DEFERRED_MAX)
		return -EBUSY;
	deferred[deferred_count].fn = fn;
	deferred[deferred_count].ctx = ctx;
	deferred[deferred_count].arg = arg;
	deferred_count++;
	return 0;
}

void sched_kick(struct vcpu *vcpu)
{
	vcpu_attention(vcpu, VCPU_ATTN_WORK); /* every vCPU runs on this CPU for now */
}

int sched_vcpu_start(struct vcpu *vcpu)
{
	if (vcpu->halted != VCPU_DOWN)
		return -EBUSY;
	vcpu->runnable_since = arch_cycles();
	__atomic_store_n(&vcpu->halted, VCPU_RUNNING, __ATOMIC_RELEASE);
	sched_kick(vcpu);
	return 0;
}

void sched_host_work(struct vcpu *current)
{
	console_input_poll();
	mgmt_poll();
	console_poll();
	if (deferred_count && current)
		current->attention |= VCPU_ATTN_HOST; /* its next exit gives the CPU back */
}

/*
 * When a halted vCPU's own timers next fire: its PV timer, and a Linux VM's APIC timer
 * (UINT64_MAX: none is armed).
 */
static uint64_t wake_deadline(const struct vcpu *vcpu)
{
	uint64_t at = (vcpu->work & VCPU_WORK_TIMER) ? vcpu->timer_deadline : UINT64_MAX;

	if ((vcpu->work & VCPU_WORK_LAPIC) && vm_platform_next_deadline(vcpu) < at)
		at = vm_platform_next_deadline(vcpu);
	return at;
}

/* Something to deliver now: an event, or an interrupt its APIC would take. */
static int wake_now(const struct vcpu *vcpu)
{
	return (vcpu->work & VCPU_WORK_NOTIFY) || vm_platform_interrupt_pending(vcpu);
}

void sched_halt(struct vcpu *vcpu)
{
	if (wake_now(vcpu)) {
		/* Delivered on the next entry, past the HLT. */
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
		return;
	}
	if (wake_deadline(vcpu) == UINT64_MAX &&
	    !(vcpu->vm->platform == VM_PLATFORM_PC && console_input_can_reach(vcpu->vm))) {
		/* Nothing could ever wake it (no timer, no input, no one else raises its events). */
		vcpu_attention(vcpu, VCPU_ATTN_YIELD);
		return;
	}
	vcpu->halted = VCPU_HALTED;
	vcpu_attention(vcpu, VCPU_ATTN_HALT);
}

int sched_wake_if_due(struct vcpu *vcpu, uint64_t now, uint64_t *wake_at)
{
	uint64_t since = now, due = wake_deadline(vcpu);

	if (vcpu->halted == VCPU_DOWN)
		return 0; /* not started yet: nothing of its own wakes it */
	if (!wake_now(vcpu) && due != UINT64_MAX) {
		if (now < due) {
			if (wake_at && due < *wake_at)
				*wake_at = due;
			return 0;
		}
		since = due;
	}
	vcpu->halted = VCPU_RUNNING;
	vcpu->runnable_since = since;
	return 1;
}

/*
 * Links the vCPUs of the VMs that run into the round-robin ring; returns the last, or NULL.
 * start: the scheduler starts (not a VM started again while it runs).
 */
static struct vcpu *ring_build(int start)
{
	struct vcpu *first = NULL, *last = NULL;

	for (unsigned int i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_at(i);

		if (vm->state != VM_RUNNING)
			continue;
		if (start)
			vm->start_cycles = arch_cycles(); /* its PV clock counts from here */
		for (unsigned int v = 0; v < vm->vcpu_count; v++) {
			struct vcpu *vcpu = &vm->vcpus[v];

			if (start)
				vcpu->runnable_since =
					vm->start_cycles; /* waits for its first slice */
			if (last)
				last->sched_next = vcpu;
			else
				first = vcpu;
			last = vcpu;
		}
	}
	if (last)
		last->sched_next = first;
	return last;
}

void sched_run(void)
{
	struct vcpu *last = ring_build(1); /* so the first pick is the first VM's */

	ring_changed = 0;
	while (last) {
		uint64_t now = arch_cycles(), wake_at = UINT64_MAX;
		int asleep = 0;
		struct vcpu *vcpu;

		if (now >= sched_host_work_due())
			sched_host_work(NULL);
		sched_run_deferred();
		if (ring_changed) {
			ring_changed = 0;
			last = ring_build(0);
			if (!last)
				break;
		}
		/* After the work: a VM it started counts its wait from then (vm_admin_start()). */
		now = arch_cycles();
		vcpu = sched_pick(last, now, &wake_at, &asleep);
		if (vcpu) {
			vcpu_account_run_start(vcpu, now);
			/* The arch switches to other vCPUs itself (sched_switch()) while it can. */
			last = arch_vcpu_run(vcpu, SCHED_SLICE_CYCLES);
			last->attention &= ~VCPU_ATTN_HOST; /* the deferred work runs next */
			vcpu_account_run_end(last, arch_cycles());
			vm_reap(last->vm); /* a reset restarts it: it keeps its place in the ring */
			continue;
		}
		if (!asleep)
			break;
		/* Every vCPU sleeps: wait for the first timer, or the console's next byte. */
		idle.waits++;
		idle.cycles -= arch_cycles();
		arch_idle_until(sched_host_work_due() < wake_at ? sched_host_work_due() : wake_at);
		idle.cycles += arch_cycles();
	}
	log_debug("sched: nothing to run %llu times, for %llu ms in all\n",
		  (unsigned long long)idle.waits,
		  (unsigned long long)(idle.cycles / (arch_tsc_hz() / 1000)));
}
