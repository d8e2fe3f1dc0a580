/*
 * SMP bring-up policy and report (see hv/smp.h): the CPU list from the MADT, cut to what
 * cpus= allows, handed to the architecture to start, and one report line of what came up.
 * Runs on the boot CPU only, before any guest; of cpus[], the other CPUs write only their
 * own state, while arch_smp_start() runs (struct smp_cpu says how).
 */
#include <hv/acpi.h>
#include <hv/arch.h>
#include <hv/cmdline.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/log.h>
#include <hv/smp.h>

static struct smp_cpu cpus[CPU_MAX];
static unsigned int cpu_count, ready_count, up_count;
static uint64_t ready_mask;

unsigned int smp_up_count(void)
{
	return up_count;
}

unsigned int smp_ready_count(void)
{
	return ready_count;
}

uint64_t smp_ready_mask(void)
{
	return ready_mask;
}

static const char *plural(unsigned int n)
{
	return n == 1 ? "" : "s";
}

static void report_madt(const struct madt_cpus *m)
{
	if (m->beyond_max)
		log_warn("smp: the MADT lists %u more CPUs than Shunt drives (CPU_MAX %u): not "
			 "started\n",
			 m->beyond_max, CPU_MAX);
	if (m->duplicates)
		log_warn("smp: the MADT names %u APIC id%s a second time: ignored\n", m->duplicates,
			 plural(m->duplicates));
	if (m->bad_ids)
		log_warn("smp: the MADT lists %u CPU%s with the broadcast APIC id: ignored\n",
			 m->bad_ids, plural(m->bad_ids));
	/* Firmware lists every socket it could have: disabled ones are no news. */
	if (m->disabled)
		log_debug("smp: the MADT lists %u CPU%s as disabled: not started\n", m->disabled,
			  plural(m->disabled));
	if (m->online_capable)
		log_info("smp: %u online-capable CPU%s not enabled by the firmware: not started\n",
			 m->online_capable, plural(m->online_capable));
}

/* Fills cpus[] after the boot CPU from the MADT, at most limit CPUs in all. */
static void choose_cpus(const struct madt_cpus *m, uint32_t self, unsigned int limit)
{
	unsigned int not_started = 0;

	for (uint32_t i = 0; i < m->count; i++) {
		if (m->cpus[i].apic_id == self)
			continue;
		if (cpu_count >= limit) {
			not_started++;
			continue;
		}
		cpus[cpu_count++] =
			(struct smp_cpu){ .hw_id = m->cpus[i].apic_id, .state = SMP_CPU_STARTING };
	}
	if (not_started)
		log_info("smp: cpus=%u: %u more CPU%s in the MADT not started\n", limit,
			 not_started, plural(not_started));
}

static void read_madt(const struct hv_options *opts, uint32_t self)
{
	static struct madt_cpus madt;
	const struct acpi_header *t = acpi_find_table("APIC", 0);
	char why[MADT_WHY_MAX];

	if (!t) {
		log_warn("smp: no MADT among the ACPI tables: only the boot CPU runs\n");
		return;
	}
	if (madt_parse(t, t->length, &madt, why, sizeof(why))) {
		log_warn("smp: %s: only the boot CPU runs\n", why);
		return;
	}
	report_madt(&madt);
	if (madt_find(&madt, self) < 0)
		log_warn("smp: the boot CPU (APIC id %u) is not in the MADT\n", self);
	choose_cpus(&madt, self, opts->cpus ? opts->cpus : CPU_MAX);
}

/* The report: each CPU left out with its reason, then one line of what came up. */
static void report(int virt, uint64_t start)
{
	char ids[CPU_MAX * 11 + 1] = "";
	unsigned int up = 0;
	uint64_t last = start;
	size_t n = 0;

	ready_count = 0;
	ready_mask = 0;
	for (unsigned int i = 0; i < cpu_count; i++) {
		const struct smp_cpu *c = &cpus[i];

		if (c->state == SMP_CPU_FAILED || c->state == SMP_CPU_NO_ANSWER)
			log_warn("smp: CPU %u (APIC id %u) left out: %s\n", i, c->hw_id, c->why);
		if (c->state == SMP_CPU_NO_ANSWER)
			continue;
		up++;
		ready_count += c->state == SMP_CPU_READY;
		if (c->state == SMP_CPU_READY)
			ready_mask |= 1ull << i;
		if (i && c->ready_cycles > last)
			last = c->ready_cycles;
		/* Room for CPU_MAX ids of 10 digits: never cut, but never past the end either. */
		if (n < sizeof(ids))
			n += (size_t)fmt_snprintf(ids + n, sizeof(ids) - n, "%s%u", n ? " " : "",
						  c->hw_id);
	}
	up_count = up;
	log_info("smp: %u CPU%s up (APIC id%s %s), %u ready for VMs%s\n", up, plural(up),
		 plural(up), ids, ready_count, virt ? "" : " (no hardware virtualization)");
	if (cpu_count > 1)
		log_info(
			"smp: startup: %llu ticks from the first INIT to every CPU ready, %llu per "
			"CPU; %llu since Shunt's entry\n",
			(unsigned long long)(last - start),
			(unsigned long long)((last - start) / cpu_count),
			(unsigned long long)(last - hv_entry_cycles));
}

void smp_init(const struct hv_options *opts, int virt)
{
	uint32_t self = arch_cpu_hw_id();
	uint64_t start = 0;

	cpus[0] = (struct smp_cpu){ .hw_id = self, .state = virt ? SMP_CPU_READY : SMP_CPU_UP };
	cpu_count = 1;
	read_madt(opts, self);
	if (opts->smp_fail && opts->smp_fail >= cpu_count)
		log_warn("smp: smp.fail=%u: there is no CPU %u to fail\n", opts->smp_fail,
			 opts->smp_fail);
	if (opts->smp_fault && opts->smp_fault >= cpu_count)
		log_warn("smp: smp.fault=%u: there is no CPU %u to fault\n", opts->smp_fault,
			 opts->smp_fault);
	if (cpu_count > 1)
		arch_smp_start(cpus, cpu_count, virt, opts->smp_fail, opts->smp_fault, &start);
	report(virt, start);
	if (opts->crash_cpu && !(ready_mask & (1ull << opts->crash_cpu)))
		log_warn("smp: crashtest=%u: CPU %u runs no VMs: it will not crash\n",
			 opts->crash_cpu, opts->crash_cpu);
	if (opts->crash_stack_cpu && !(ready_mask & (1ull << opts->crash_stack_cpu)))
		log_warn("smp: crashtest.stack=%u: CPU %u runs no VMs: it will not crash\n",
			 opts->crash_stack_cpu, opts->crash_stack_cpu);
}

/* Calls itself until the stack runs into the page under it (crashtest.stack=N). */
static __attribute__((noinline)) uint64_t overflow_stack(volatile uint64_t *above)
{
	volatile uint64_t frame[64];

	frame[0] = above ? above[0] + 1 : 0;
	if (frame[0] == UINT64_MAX)
		return 0; /* never: the guard page comes first */
	return overflow_stack(frame) + frame[63];
}

void smp_crash_test(unsigned int me)
{
	uint64_t at;

	if (me != hv_options.crash_cpu && me != hv_options.crash_stack_cpu)
		return;
	at = arch_cycles() + arch_tsc_hz(); /* the VMs on the other CPUs run meanwhile */
	while (arch_cycles() < at)
		arch_idle_until(at);
	if (me == hv_options.crash_stack_cpu) {
		log_info("shunt: crashtest: overflowing CPU %u's stack on purpose, into its guard "
			 "page at 0x%llx\n",
			 me, (unsigned long long)arch_stack_guard());
		overflow_stack(NULL);
	}
	log_info("shunt: crashtest: raising #UD on CPU %u on purpose\n", me);
	__builtin_trap();
}
