/*
 * The scheduler: round-robin time slices over the runnable vCPUs of one CPU. A slice ends
 * when the vCPU yields (hypercall or HLT), its VM stops, or SCHED_SLICE_CYCLES pass.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

/* Slice length in arch_cycles() (TSC ticks: under Bochs, about one per instruction). */
#define SCHED_SLICE_CYCLES 2000000ull

/* Runs every VM until all have stopped. */
void sched_run(void);

#endif
