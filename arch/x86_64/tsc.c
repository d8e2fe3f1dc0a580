/*
 * The TSC's frequency (arch_tsc_hz): from CPUID leaf 0x15 (crystal clock and ratio) when
 * the CPU states it, else measured once against the PIT (channel 2 gated through port
 * 0x61, counting 50 ms), which every PC and every emulator here has.
 */
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/log.h>

#define PIT_HZ 1193182ull
#define PIT_CALIBRATION_TICKS (PIT_HZ / 20) /* 50 ms */

static uint64_t tsc_hz;

static uint64_t tsc_hz_from_cpuid(void)
{
	struct cpuid_regs r;

	if (cpuid(0, 0).eax < 0x15)
		return 0;
	r = cpuid(0x15, 0); /* EAX/EBX = TSC/crystal ratio, ECX = crystal Hz */
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax;
}

static uint64_t tsc_hz_from_pit(void)
{
	uint8_t gate = inb(0x61);
	uint64_t t0, t1;

	outb(0x61, (uint8_t)((gate & ~0x02) | 0x01)); /* gate channel 2 on, speaker off */
	outb(0x43, 0xb0); /* channel 2, low then high byte, mode 0 (interrupt on count) */
	outb(0x42, (uint8_t)PIT_CALIBRATION_TICKS);
	outb(0x42, (uint8_t)(PIT_CALIBRATION_TICKS >> 8));
	t0 = rdtsc();
	for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 100000000ull)
			return 0; /* no PIT answering */
	t1 = rdtsc();
	outb(0x61, gate);
	return (t1 - t0) * PIT_HZ / PIT_CALIBRATION_TICKS;
}

uint64_t arch_tsc_hz(void)
{
	const char *how = "CPUID leaf 0x15";

	if (tsc_hz)
		return tsc_hz;
	tsc_hz = tsc_hz_from_cpuid();
	if (!tsc_hz) {
		how = "PIT calibration";
		tsc_hz = tsc_hz_from_pit();
	}
	if (!tsc_hz) {
		how = "a guess: no PIT and no CPUID leaf 0x15";
		tsc_hz = 1000000000ull;
	}
	log_info("time: TSC runs at %llu kHz (%s)\n", (unsigned long long)(tsc_hz / 1000), how);
	return tsc_hz;
}

int arch_tsc_is_invariant(void)
{
	/* CPUID.80000007H:EDX[8], "invariant TSC" (SDM Vol. 3B 18.17.1). */
	return cpuid(0x80000000, 0).eax >= 0x80000007 && (cpuid(0x80000007, 0).edx & (1u << 8));
}
