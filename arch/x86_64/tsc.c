/*
 * The TSC's frequency (arch_tsc_hz), as cheaply as it can be known exactly. From CPUID leaf
 * 0x15 when the CPU states its crystal clock: then nothing is measured. Otherwise measured
 * once against the PIT (channel 2, its counter read edge to edge over a few milliseconds),
 * and CPUID leaf 0x16's base frequency taken instead when it agrees (a TSC that runs at the
 * base frequency, exact to the MHz); an emulator's leaf 0x16 need not (Bochs states
 * 3500 MHz and counts its instructions).
 */
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/log.h>

#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_GATE_PORT 0x61
#define PIT_CH2_LATCH 0x80	/* counter latch command, channel 2 */
#define PIT_CH2_MODE0_LOHI 0xb0 /* channel 2, low then high byte, mode 0 */
/*
 * PIT ticks measured: 5 ms. Both ends are found to within one read of the counter (a few
 * instructions), which is 0.004 % of it: the old 50 ms to a terminal count did no better.
 */
#define PIT_CALIBRATION_TICKS (PIT_HZ / 200)
#define CPUID_AGREES_PPM 2000 /* leaf 0x16 within 0.2 % of what was measured: taken */

static uint64_t tsc_hz;

static uint64_t tsc_hz_from_crystal(void)
{
	struct cpuid_regs r;

	if (cpuid(0, 0).eax < 0x15)
		return 0;
	r = cpuid(0x15, 0); /* EAX/EBX = TSC/crystal ratio, ECX = crystal Hz (0: not stated) */
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax;
}

/* Leaf 0x16 EAX: the base frequency in MHz (0 or absent: not stated). */
static uint64_t base_hz_from_cpuid(void)
{
	if (cpuid(0, 0).eax < 0x16)
		return 0;
	return (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000000;
}

static uint16_t pit_ch2_count(void)
{
	uint8_t lo;

	outb(PIT_COMMAND, PIT_CH2_LATCH);
	lo = inb(PIT_CH2_DATA);
	return (uint16_t)(lo | inb(PIT_CH2_DATA) << 8);
}

/*
 * The TSC over PIT_CALIBRATION_TICKS of the PIT, from one change of its counter to another,
 * so that neither end is off by part of a PIT tick. 0 if no PIT counts. *interrupted is set
 * when the measurement stalled for a quarter of it or more: then the 16-bit counter may have
 * gone round unseen (an emulator's CPU thread descheduled for 55 ms makes the TSC look ten
 * times faster), and the caller measures again.
 */
static uint64_t tsc_hz_from_pit_once(int *interrupted)
{
	uint8_t gate = inb(PIT_GATE_PORT);
	uint64_t t0, t1, t, longest = 0, spins = 0;
	uint16_t c0, c;

	*interrupted = 0;
	outb(PIT_GATE_PORT, (uint8_t)((gate & ~0x02) | 0x01)); /* gate channel 2 on, speaker off */
	outb(PIT_COMMAND, PIT_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, 0xff); /* from 0xffff down: 55 ms, more than we wait */
	outb(PIT_CH2_DATA, 0xff);
	c0 = pit_ch2_count();
	while ((c = pit_ch2_count()) == c0)
		if (++spins > 10000000)
			return 0; /* no PIT counting */
	t0 = t1 = rdtsc();
	c0 = c;
	while ((uint16_t)(c0 - (c = pit_ch2_count())) < PIT_CALIBRATION_TICKS) {
		if (++spins > 100000000)
			return 0;
		t = rdtsc();
		if (t - t1 > longest)
			longest = t - t1;
		t1 = t;
	}
	t1 = rdtsc();
	outb(PIT_GATE_PORT, gate);
	*interrupted = longest > (t1 - t0) / 4;
	return (t1 - t0) * PIT_HZ / (uint16_t)(c0 - c);
}

/* tsc_hz_from_pit_once() until it was not interrupted, or its third answer. */
static uint64_t tsc_hz_from_pit(void)
{
	int interrupted = 1;
	uint64_t hz = 0;

	for (int tries = 0; tries < 3 && interrupted; tries++)
		hz = tsc_hz_from_pit_once(&interrupted);
	if (hz && interrupted)
		log_warn("time: the PIT calibration was interrupted three times: the TSC's rate "
			 "may be off\n");
	return hz;
}

/*
 * The first call's measurement, apart from arch_tsc_hz(): inlined there, its registers made
 * every later call (a PV timer's set, on the exit path) save and restore six of them.
 */
static __attribute__((noinline)) uint64_t tsc_hz_measure(void)
{
	const char *how = "CPUID leaf 0x15";
	uint64_t base;

	tsc_hz = tsc_hz_from_crystal();
	if (!tsc_hz) {
		how = "PIT calibration";
		tsc_hz = tsc_hz_from_pit();
		base = base_hz_from_cpuid();
		if (tsc_hz && base &&
		    (base > tsc_hz ? base - tsc_hz : tsc_hz - base) <=
			    tsc_hz / 1000000 * CPUID_AGREES_PPM) {
			how = "CPUID leaf 0x16, confirmed by the PIT";
			tsc_hz = base;
		}
	}
	if (!tsc_hz) {
		how = "a guess: no PIT and no CPUID leaf 0x15";
		tsc_hz = 1000000000ull;
	}
	log_info("time: TSC runs at %llu kHz (%s)\n", (unsigned long long)(tsc_hz / 1000), how);
	return tsc_hz;
}

uint64_t arch_tsc_hz(void)
{
	return tsc_hz ? tsc_hz : tsc_hz_measure();
}

int arch_tsc_is_invariant(void)
{
	/* CPUID.80000007H:EDX[8], "invariant TSC" (SDM Vol. 3B 18.17.1). */
	return cpuid(0x80000000, 0).eax >= 0x80000007 && (cpuid(0x80000007, 0).edx & (1u << 8));
}
