/*
 * Bringing up every CPU (hv/smp.c): which CPUs the firmware lists (the MADT), which of
 * them Shunt starts (cpus=, CPU_MAX), and the boot report of how many came up and are
 * ready for VMs. The starting itself is the architecture's (arch_smp_start). CPUs ready for
 * VMs then run their own schedulers (hv/sched.c, sched_cpu_main) once VMs are built.
 */
#ifndef HV_SMP_H
#define HV_SMP_H

#include <hv/madt.h>
#include <hv/types.h>

#define SMP_WHY_MAX 96

enum smp_state {
	SMP_CPU_STARTING = 0, /* asked to start, not heard from yet */
	SMP_CPU_UP,	      /* running Shunt's code; no hardware virtualization to turn on */
	SMP_CPU_READY,	      /* up, and hardware virtualization is on: it can run VMs */
	SMP_CPU_FAILED,	      /* up, but left out: why says why (e.g. its virtualization check) */
	SMP_CPU_NO_ANSWER,    /* never answered INIT-SIPI-SIPI in time: left out */
};

/*
 * One CPU Shunt starts. Only the boot CPU writes it, except state, which the CPU itself
 * moves once from STARTING to where it ended, with an atomic compare-and-swap that the boot
 * CPU races when it gives up waiting: whichever moves it first decides. The arch copies
 * the CPU's reason and time in after that; no lock is needed.
 */
struct smp_cpu {
	uint32_t hw_id;	       /* the MADT's id for it (x86: its local APIC id) */
	uint32_t state;	       /* enum smp_state */
	uint64_t ready_cycles; /* arch_cycles() when it reached READY or FAILED */
	char why[SMP_WHY_MAX]; /* FAILED, NO_ANSWER: the reason */
};

struct hv_options;

/*
 * Reads the MADT, starts the CPUs the options allow (cpus=N; the test words smp.fail=N and
 * smp.fault=N make CPU N fail its check or raise an exception while starting, and so be left
 * out) and prints the report. virt: the boot CPU's arch_virt_probe() said guests can run,
 * so each CPU is to enable it too. Never fails: a CPU that does not come up is left out with
 * its reason, and with no MADT only the boot CPU runs.
 */
void smp_init(const struct hv_options *opts, int virt);

/* How many CPUs run Shunt's code: ready, up, or left out after they started (0 before
 * smp_init, the boot CPU's report included). */
unsigned int smp_up_count(void);
/* How many CPUs are ready for VMs (at least 1 once smp_init ran with virt, the boot CPU). */
unsigned int smp_ready_count(void);
/* The same as a set: bit n, CPU n (Shunt's numbering: 0 the boot CPU, then start order). */
uint64_t smp_ready_mask(void);

/*
 * The test words crashtest=N and crashtest.stack=N, on CPU me (ready for VMs) as its
 * scheduler starts: if me is N, it waits a second while the others run their VMs, then
 * raises #UD in Shunt (or overflows its stack into its guard page: #DF), to show that a
 * fatal error on one CPU stops them all (hv_stop_other_cpus()). Otherwise nothing.
 */
void smp_crash_test(unsigned int me);

#endif
