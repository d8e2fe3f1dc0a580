/*
 * The scheduler: round-robin time slices over the runnable vCPUs of one CPU. A slice ends
 * when the vCPU yields (YIELD, or a HLT nothing could wake), halts, its VM stops, or
 * SCHED_SLICE_CYCLES pass; the slice is checked after every exit and no exit does more than
 * a bounded amount of work (console output is queued, never written by the exit), so a
 * runnable vCPU waits at most one slice, plus one exit, per other runnable vCPU. A halted
 * vCPU is not runnable until its next event or PV timer; when no vCPU is runnable the CPU
 * waits (arch_idle_until) for the first of those deadlines.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/console.h>
#include <hv/pv.h>
#include <hv/types.h>
#include <hv/vm.h>

/* Slice length in arch_cycles() (TSC ticks: under Bochs, about one per instruction). */
#define SCHED_SLICE_CYCLES 2000000ull

/*
 * Placement: the CPUs for a VM's vcpus vCPUs (cpu_of[0..vcpus-1]), chosen among allowed (its
 * cpus= option; 0: any) that are also ready (bit n: CPU n can run VMs): for each vCPU the
 * CPU with the fewest vCPUs so far (load[], indexed by CPU, counted up here), preferring one
 * its VM's earlier vCPUs do not use, then the lowest number. 0, or -1 when no allowed CPU is
 * ready. A vCPU stays on its CPU for as long as its VM exists, restarts included.
 */
int sched_place(uint64_t allowed, uint64_t ready, unsigned int vcpus, unsigned int *load,
		unsigned int *cpu_of);

/*
 * vcpu's work bits, halted state or VM changed from code that may run on another CPU than
 * vcpu's (another vCPU's hypercall or IPI, host work): its CPU looks at it soon. On its own
 * CPU that is vcpu_attention(VCPU_ATTN_WORK); on another, that CPU is interrupted: the vCPU
 * it runs comes out to the run loop, or its idle wait ends, and its scheduler finds vcpu
 * woken. Set work bits from another CPU with vcpu_work_set() (atomic) before the kick.
 */
void sched_kick(struct vcpu *vcpu);

/* Sets work bits of a vCPU that may be another CPU's (atomic: its own CPU clears them). */
static inline void vcpu_work_set(struct vcpu *vcpu, uint32_t bits)
{
	__atomic_fetch_or(&vcpu->work, bits, __ATOMIC_SEQ_CST);
}

/* Clears work bits, on the vCPU's own CPU, without losing a bit another CPU sets. */
static inline void vcpu_work_clear(struct vcpu *vcpu, uint32_t bits)
{
	__atomic_fetch_and(&vcpu->work, ~bits, __ATOMIC_SEQ_CST);
}

/*
 * Starts a vCPU that was VCPU_DOWN, whose arch state the caller has just built (entry,
 * stack): it is runnable from now on its CPU. -EBUSY if it was not down.
 */
int sched_vcpu_start(struct vcpu *vcpu);

/*
 * CPU 0's scheduler, over the vCPUs placed on it, with the host work, until every VM has
 * stopped and been reaped (the first call also builds every CPU's ring and lets the other
 * CPUs start theirs). Called again when the admin starts a VM after all had stopped.
 */
void sched_run(void);
/* The scheduler of a CPU other than 0 that is ready for VMs, from its start on. No return. */
void sched_cpu_main(void) __attribute__((noreturn));

/*
 * vm stopped (vm_stop, on any CPU): its vCPUs on this CPU leave the guest before their next
 * entry, the CPUs of the others are kicked; each CPU releases its own, the last reaps vm.
 */
void sched_vm_stopped(struct vm *vm);
/* vm runs again (built anew): the CPUs of its vCPUs are kicked, should they be idle. */
void sched_vm_started(struct vm *vm);
/* In the run loop of a CPU another one kicked, with current the vCPU it runs: look at it. */
void sched_kicked(struct vcpu *current);

/*
 * Work that may only be done with no vCPU on the CPU (the admin's stop and start of a VM,
 * which release and rebuild it), asked for from host work: fn(ctx, arg) runs from
 * sched_run()'s loop as soon as the vCPU on the CPU ends its slice (sched_switch() then
 * hands the CPU back), or right after the host work when it ran there, or after the poll
 * when no VM runs (mgmt_serve_until()). Never from inside the caller. 0, or -EBUSY when
 * SCHED_DEFERRED_MAX calls are waiting already.
 */
#define SCHED_DEFERRED_MAX 8
int sched_defer(void (*fn)(void *ctx, uint64_t arg), void *ctx, uint64_t arg);
/* Runs the deferred calls waiting now; only where no vCPU is on the CPU. */
void sched_run_deferred(void);

struct vcpu;

/*
 * A halted vCPU whose event or timer has come is woken, as runnable since that moment (so
 * its steal time counts from the deadline, not from when the scheduler noticed); otherwise
 * *wake_at (unless NULL) is lowered to its timer's deadline. Returns 1 if it is runnable now.
 */
int sched_wake_if_due(struct vcpu *vcpu, uint64_t now, uint64_t *wake_at);

/*
 * The first vCPU after last in the round-robin ring (last itself at the end) that can run at
 * now, woken if it slept and its time has come; NULL when none can, with *wake_at (unless
 * NULL) lowered to the first wake-up and *asleep set if any sleeps. Inline: every VM switch
 * pays it.
 */
static inline __attribute__((always_inline)) struct vcpu *
sched_pick(struct vcpu *last, uint64_t now, uint64_t *wake_at, int *asleep)
{
	struct vcpu *v = last;

	do {
		v = v->sched_next;
		if (v->vm->state != VM_RUNNING)
			continue; /* stopped: stays in the ring, passed by */
		if (v->halted && !sched_wake_if_due(v, now, wake_at)) {
			*asleep = 1;
			continue;
		}
		return v;
	} while (v != last);
	return NULL;
}

/*
 * The end of prev's slice (it yielded, halted or used it up) at arch_cycles() now, for an
 * architecture that switches vCPUs without returning from arch_vcpu_run(): the next vCPU
 * in round-robin order that can run, its steal time and prev's bookkeeping done (prev
 * itself when no other can run), or NULL when sched_run() must take over (prev's VM
 * stopped, or nothing can run now: the CPU idles). Inline in the architecture's switch.
 */
static inline __attribute__((always_inline)) struct vcpu *sched_switch(struct vcpu *prev,
								       uint64_t now)
{
	int asleep = 0;
	struct vcpu *next;

	if (prev->attention & (VCPU_ATTN_STOP | VCPU_ATTN_HOST))
		return NULL; /* its VM stopped, or deferred work waits: sched_run() does it */
	vcpu_account_run_end(prev, now); /* first: sched_pick() may wake it, from its deadline */
	next = sched_pick(prev, now, NULL, &asleep); /* when the rest wake: sched_run()'s */
	if (next)
		vcpu_account_run_start(next, now); /* prev again if it alone can run: no steal */
	return next;
}

/*
 * The vCPU executed HLT with interrupts enabled: it sleeps until an event is to be
 * delivered or its PV timer is due, and leaves the CPU meanwhile. With an event already
 * waiting it goes on at once; with no timer armed (nothing could wake it) it only yields.
 */
void sched_halt(struct vcpu *vcpu);

/*
 * Host work that must go on while guests run: draining the console to the serial line,
 * reading its input, and the management network (hv/net/mgmt.c). sched_host_work() is
 * bounded; it is due at arch_cycles() >= sched_host_work_due() (UINT64_MAX: nothing to do),
 * and the arch makes a running vCPU exit by then. current: the vCPU whose entry it runs
 * before (NULL in the scheduler loop); if the work deferred calls (sched_defer()), current
 * gets VCPU_ATTN_HOST, which the arch keeps until sched_switch() hands the CPU back.
 */
static inline uint64_t sched_host_work_due(void)
{
	return console_poll_due();
}
extern const uint64_t sched_no_host_work; /* UINT64_MAX: CPUs other than 0 have none */
/* The same as the run loop of vcpu's CPU sees it: host work is CPU 0's (UINT64_MAX else). */
static inline uint64_t sched_host_work_due_for(const struct vcpu *vcpu)
{
	return *vcpu->host_due;
}
void sched_host_work(struct vcpu *current);

#endif
