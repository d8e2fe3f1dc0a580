/*
 * Fuzz target: the emulated x2APIC (hv/devices/lapic.c) driven by a guest's MSR accesses and
 * IPIs in any order and with any values: every access returns 0 or -1, a pending vector is
 * a legal one (16-255) above the processor priority, and an ICR names only vCPUs the VM has
 * (lapic_icr_decode), with a kind it knows.
 */
#include <hv/devices/lapic.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECORD 10 /* op, register, value (8 bytes, little-endian) */

static void check_decode(uint64_t icr, uint32_t self, unsigned int vcpus)
{
	uint64_t all = vcpus >= 64 ? ~0ull : (1ull << vcpus) - 1;
	struct lapic_ipi ipi;

	lapic_icr_decode(icr, self, vcpus, &ipi);
	if (ipi.kind > LAPIC_IPI_INVALID || (ipi.targets & ~all))
		abort();
	if (ipi.kind != LAPIC_IPI_NONE && ipi.kind != LAPIC_IPI_INVALID && !ipi.targets)
		abort();
	if (ipi.kind == LAPIC_IPI_FIXED && ipi.vector < 16)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lapic l;
	uint64_t now = 0;

	lapic_reset(&l, data && size ? data[0] % 8 : 0);
	for (size_t at = 0; at + RECORD <= size; at += RECORD) {
		const uint8_t *r = data + at;
		uint32_t msr = r[1] == 0xff ? LAPIC_MSR_TSC_DEADLINE : LAPIC_MSR_FIRST + r[1];
		uint64_t value, got;
		int vector, rc;

		memcpy(&value, r + 2, sizeof(value));
		now += 1 + (r[0] >> 3) * 997;
		switch (r[0] & 7) {
		case 0:
		case 1:
			rc = lapic_msr_write(&l, msr, now, value);
			break;
		case 2:
			rc = lapic_msr_read(&l, msr, now, &got);
			break;
		case 3:
			check_decode(value, r[1] & 63, 1 + (r[1] >> 2) % 64);
			rc = 0;
			break;
		case 4:
			rc = lapic_deliver(&l, r[2]) < 0;
			break;
		case 5:
			if (lapic_post_startup(&l, r[2]) == 0 && lapic_take_startup(&l) != r[2])
				abort();
			rc = 0;
			break;
		default:
			lapic_tick(&l, now);
			rc = 0;
			break;
		}
		if (rc != 0 && rc != -1)
			abort();
		vector = lapic_pending_vector(&l);
		if (vector != -1 && (vector < 16 || vector > 255))
			abort();
		if (vector >= 0 && (r[0] & 0x80)) {
			lapic_accept(&l, vector);
			if (!(l.isr[vector / 32] & (1u << (vector % 32))))
				abort();
		}
	}
	return 0;
}
