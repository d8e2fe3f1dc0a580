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
#include <hv/types.h>

/* Slice length in arch_cycles() (TSC ticks: under Bochs, about one per instruction). */
#define SCHED_SLICE_CYCLES 2000000ull

/* Runs every VM until all have stopped. */
void sched_run(void);

struct vcpu;
/*
 * The end of prev's slice (it yielded, halted or used it up) at arch_cycles() now, for an
 * architecture that switches vCPUs without returning from arch_vcpu_run(): the next vCPU
 * in round-robin order that can run, its steal time and prev's bookkeeping done (prev
 * itself when no other can run), or NULL when sched_run() must take over (prev's VM
 * stopped, or nothing can run now: the CPU idles).
 */
struct vcpu *sched_switch(struct vcpu *prev, uint64_t now);
/*
 * The vCPU executed HLT with interrupts enabled: it sleeps until an event is to be
 * delivered or its PV timer is due, and leaves the CPU meanwhile. With an event already
 * waiting it goes on at once; with no timer armed (nothing could wake it) it only yields.
 */
void sched_halt(struct vcpu *vcpu);

/*
 * Host work that must go on while guests run (today: draining the console to the serial
 * line). sched_host_work() is bounded; it is due at arch_cycles() >= sched_host_work_due()
 * (UINT64_MAX: nothing to do), and the arch makes a running vCPU exit by then.
 */
static inline uint64_t sched_host_work_due(void)
{
	return console_poll_due();
}
void sched_host_work(void);

#endif
