/*
 * The CPU's random number instructions (arch_random_source, arch_random_read): RDSEED where
 * CPUID says so (leaf 7 EBX bit 18), else RDRAND (leaf 1 ECX bit 30). Either may return
 * with CF clear when its buffer is drained; Intel's DRNG Software Implementation Guide
 * (5.2.1) retries RDRAND 10 times before it counts as failed, and RDSEED, which drains
 * sooner, is retried longer with a PAUSE between tries (5.3.1), then RDRAND is asked.
 */
#include <arch/x86.h>
#include <hv/arch.h>

#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)
#define RDRAND_RETRIES 10
#define RDSEED_RETRIES 100

static struct {
	int probed, rdseed, rdrand;
} cpu;

/* CPUID once: it is slow where it is emulated, and the answer never changes. */
static void probe(void)
{
	if (cpu.probed)
		return;
	cpu.rdrand = (cpuid(1, 0).ecx & CPUID1_ECX_RDRAND) != 0;
	cpu.rdseed = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & CPUID7_EBX_RDSEED);
	cpu.probed = 1;
}

static int rdrand(uint64_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static int rdseed(uint64_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

const char *arch_random_source(void)
{
	probe();
	if (cpu.rdseed)
		return "RDSEED";
	if (cpu.rdrand)
		return "RDRAND";
	return NULL;
}

int arch_random_read(uint64_t *out)
{
	probe();
	if (cpu.rdseed)
		for (int i = 0; i < RDSEED_RETRIES; i++) {
			if (rdseed(out))
				return 0;
			__asm__ volatile("pause");
		}
	if (cpu.rdrand)
		for (int i = 0; i < RDRAND_RETRIES; i++)
			if (rdrand(out))
				return 0;
	return -EIO;
}
