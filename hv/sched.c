/*
 * Scheduling (see hv/sched.h): on every CPU ready for VMs, round-robin over the vCPUs placed
 * on it for good, and on CPU 0 the host work done between and during slices. A vCPU halted
 * in HLT sleeps until its next event or PV timer and is passed by until then; with nothing
 * runnable the CPU itself waits for the first deadline or a kick from another CPU. A stopped
 * VM's vCPUs are released by their own CPUs; the last one gives its memory back (vm_reap).
 *
 * Sharing between CPUs: each CPU's ring and its struct sched_cpu are its own once the boot
 * CPU built them (before `started` is set: release/acquire); a vCPU's scheduling fields are
 * its CPU's, except halted from VCPU_DOWN (sched_vcpu_start, a release store) and work bits
 * (vcpu_work_set, atomic); stop_generation is atomic; the deferred calls are CPU 0's.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/console_input.h>
#include <hv/log.h>
#include <hv/mgmt.h>
#include <hv/pv.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/vm.h>

/* Each CPU's own scheduler state. */
struct sched_cpu {
	struct vcpu *last;  /* the last vCPU of its ring (NULL: none placed on it) */
	uint32_t stop_seen; /* stop_generation when it last released stopped VMs' vCPUs */
	uint64_t waits;	    /* times nothing was runnable, for the debug log */
	uint64_t idle;	    /* cycles spent waiting then */
};
static struct sched_cpu sched_cpus[CPU_MAX];
static int started;		 /* the rings are built: every CPU may schedule (release) */
static int others_placed;	 /* a CPU other than 0 has vCPUs (set with the rings) */
static uint32_t stop_generation; /* bumped by every VM stop: CPUs look for vCPUs to release */
const uint64_t sched_no_host_work = UINT64_MAX; /* what a vCPU of a CPU other than 0 reads */

/* Work for when no vCPU is on the CPU (sched_defer()), in the order it came: CPU 0's. */
static struct {
	void (*fn)(void *ctx, uint64_t arg);
	void *ctx;
	uint64_t arg;
} deferred[SCHED_DEFERRED_MAX];
static unsigned int deferred_count;

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
	if (vcpu->cpu == arch_cpu_index())
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
	else
		arch_cpu_kick(vcpu->cpu);
}

void sched_kicked(struct vcpu *current)
{
	/* Another CPU stopped its VM, or woke one of this CPU's vCPUs: the run loop looks. */
	vcpu_attention(current, current->vm->state == VM_RUNNING ? VCPU_ATTN_WORK : VCPU_ATTN_STOP);
}

/* Kicks every other CPU that has a vCPU of vm, once each. */
static void kick_vm_cpus(const struct vm *vm)
{
	uint64_t kicked = 0;

	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		unsigned int cpu = vm->vcpus[i].cpu;

		if (cpu != arch_cpu_index() && !(kicked & (1ull << cpu))) {
			kicked |= 1ull << cpu;
			arch_cpu_kick(cpu);
		}
	}
}

void sched_vm_stopped(struct vm *vm)
{
	__atomic_add_fetch(&stop_generation, 1, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i].cpu == arch_cpu_index())
			vcpu_attention(&vm->vcpus[i],
				       VCPU_ATTN_STOP); /* out before its next entry */
	kick_vm_cpus(vm); /* each other CPU takes its vCPUs out, then releases them */
}

void sched_vm_started(struct vm *vm)
{
	kick_vm_cpus(vm); /* they may be idle with nothing else to run */
}

/*
 * On CPU me with no vCPU running: each vCPU of its ring whose VM stopped gives back what it
 * holds in this CPU (arch_vcpu_release); the last of a VM's vCPUs to do so, on whichever
 * CPU, reaps the VM (restart after a reset, or its memory freed), as nothing runs it now.
 */
static void release_stopped(unsigned int me)
{
	struct sched_cpu *sc = &sched_cpus[me];
	uint32_t gen = __atomic_load_n(&stop_generation, __ATOMIC_ACQUIRE);
	struct vcpu *v;

	if (gen == sc->stop_seen || !sc->last)
		return;
	sc->stop_seen = gen;
	v = sc->last;
	do {
		struct vm *vm;

		v = v->sched_next;
		vm = v->vm;
		if (!v->held || __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_RUNNING)
			continue;
		arch_vcpu_release(v);
		v->held = 0;
		if (__atomic_sub_fetch(&vm->vcpus_held, 1, __ATOMIC_ACQ_REL) == 0) {
			vm_reap(vm);
			/* Reaped: the admin may start it (a restart, built anew, is running). */
			__atomic_store_n(&vm->reaping, 0, __ATOMIC_RELEASE);
			if (vm->state == VM_RUNNING)
				sched_vm_started(vm); /* restarted: its other CPUs run it again */
		}
	} while (v != sc->last);
}

int sched_vcpu_start(struct vcpu *vcpu)
{
	if (vcpu->halted != VCPU_DOWN)
		return -EBUSY;
	vcpu->runnable_since = arch_cycles();
	vcpu->ever_started = 1;
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
	    !(vcpu->vm->platform == VM_PLATFORM_PC && console_input_can_reach(vcpu->vm)) &&
	    !(vcpu->vm->vcpu_count > 1 &&
	      (vcpu->event_vector || vcpu->vm->platform == VM_PLATFORM_PC))) {
		/*
		 * Nothing could ever wake it (no timer, no input, and no other vCPU of its VM to
		 * raise its events, EVENT_SEND, or send its APIC an IPI).
		 */
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
	if (!wake_now(vcpu)) {
		/*
		 * No timer: asleep until an event, an IPI or input makes wake_now() true (whoever
		 * raises it kicks this CPU); sched_halt() lets only such a vCPU sleep so.
		 */
		if (due == UINT64_MAX)
			return 0;
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
 * Links the vCPUs of every VM that runs into their CPUs' round-robin rings, once, before any
 * CPU schedules: a VM stopped later stays in its ring, passed by, and is there when it is
 * started again. Every VM's clocks start now.
 */
static void rings_build(void)
{
	struct vcpu *first[CPU_MAX] = { 0 };
	uint64_t now = arch_cycles();

	for (unsigned int i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_at(i);

		if (vm->state != VM_RUNNING)
			continue;
		vm->start_cycles = now; /* its PV clock counts from here, not its creation */
		for (unsigned int v = 0; v < vm->vcpu_count; v++) {
			struct vcpu *vcpu = &vm->vcpus[v];
			struct sched_cpu *sc = &sched_cpus[vcpu->cpu];

			vcpu->runnable_since = now; /* waits for its first slice */
			if (sc->last)
				sc->last->sched_next = vcpu;
			else
				first[vcpu->cpu] = vcpu;
			sc->last = vcpu;
		}
	}
	for (unsigned int c = 0; c < CPU_MAX; c++)
		if (sched_cpus[c].last) {
			sched_cpus[c].last->sched_next = first[c];
			others_placed |= c != 0;
		}
}

/* Whether CPU 0's loop goes on: a VM runs, or one stopped is not yet reaped. */
static int vms_alive(void)
{
	for (unsigned int i = 0; i < vm_count(); i++) {
		const struct vm *vm = vm_at(i);

		if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_RUNNING ||
		    __atomic_load_n(&vm->reaping, __ATOMIC_ACQUIRE))
			return 1;
	}
	return 0;
}

/*
 * How long CPU 0 waits at most while it has nothing to run but other CPUs' VMs run: their
 * console output is drained by CPU 0's host work, at the latest this late (1 ms).
 */
#define OTHERS_POLL_CYCLES (arch_tsc_hz() / 1000)

/*
 * CPU me's scheduler: its ring round-robin until (CPU 0) every VM stopped and was reaped;
 * the other CPUs never leave it.
 */
static void sched_loop(unsigned int me)
{
	struct sched_cpu *sc = &sched_cpus[me];
	struct vcpu *last = sc->last;

	for (;;) {
		uint64_t now = arch_cycles(), wake_at = UINT64_MAX;
		int asleep = 0;
		struct vcpu *vcpu = NULL;

		if (me == 0) {
			if (now >= sched_host_work_due())
				sched_host_work(NULL);
			sched_run_deferred();
		}
		release_stopped(me);
		/* After the work: a VM it started counts its wait from then (vm_admin_start()). */
		now = arch_cycles();
		if (last)
			vcpu = sched_pick(last, now, &wake_at, &asleep);
		if (vcpu) {
			vcpu_account_run_start(vcpu, now);
			/* The arch switches to other vCPUs itself (sched_switch()) while it can. */
			last = arch_vcpu_run(vcpu);
			last->attention &= ~VCPU_ATTN_HOST; /* the deferred work runs next */
			vcpu_account_run_end(last, arch_cycles());
			continue;
		}
		if (me == 0) {
			if (!vms_alive() && !deferred_count)
				break; /* (a restart's start waits there for its stop's release) */
			if (!asleep && !others_placed)
				break; /* nothing here can ever run again, and no other CPU runs VMs */
			if (sched_host_work_due() < wake_at)
				wake_at = sched_host_work_due();
			if (others_placed) {
				/* Other CPUs' VMs run (or stop): their console output drains here. */
				uint64_t poll = arch_cycles() + OTHERS_POLL_CYCLES;

				if (poll < wake_at)
					wake_at = poll;
			}
		}
		/* Every vCPU here sleeps, or none is here: wait for the first deadline or a kick. */
		sc->waits++;
		sc->idle -= arch_cycles();
		arch_idle_until(wake_at);
		sc->idle += arch_cycles();
	}
	log_debug("sched: CPU %u: nothing to run %llu times, for %llu ms in all\n", me,
		  (unsigned long long)sc->waits,
		  (unsigned long long)(sc->idle / (arch_tsc_hz() / 1000)));
}

void sched_run(void)
{
	if (!__atomic_load_n(&started, __ATOMIC_ACQUIRE)) {
		rings_build();
		__atomic_store_n(&started, 1, __ATOMIC_RELEASE);
		for (unsigned int c = 1; c < CPU_MAX; c++)
			if (smp_ready_mask() & (1ull << c))
				arch_cpu_kick(c); /* waiting in sched_cpu_main(), VMs or none */
	}
	sched_loop(0);
}

void sched_cpu_main(void)
{
	unsigned int me = arch_cpu_index();

	while (!__atomic_load_n(&started, __ATOMIC_ACQUIRE))
		arch_idle_until(UINT64_MAX); /* until the boot CPU's kick */
	smp_crash_test(me);
	sched_loop(me);
	for (;;)
		arch_idle_until(UINT64_MAX); /* not reached: only CPU 0 leaves its loop */
}
