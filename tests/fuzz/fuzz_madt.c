/*
 * Fuzz target: the MADT parser (hv/madt.c) on arbitrary tables. It must never read outside
 * the input, and its answer must hold together: on success at most CPU_MAX CPUs, no APIC id
 * twice, no broadcast id; on failure no CPU at all and a reason.
 */
#include <hv/madt.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct madt_cpus out;
	char why[MADT_WHY_MAX];
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	why[0] = '\0';
	if (madt_parse(copy, size, &out, why, sizeof(why))) {
		if (out.count || !why[0])
			abort();
	} else {
		if (out.count > CPU_MAX || (out.beyond_max && out.count != CPU_MAX))
			abort();
		for (uint32_t i = 0; i < out.count; i++) {
			const struct madt_cpu *c = &out.cpus[i];

			if (madt_find(&out, c->apic_id) != (int)i)
				abort();
			if (c->apic_id == (c->x2apic ? 0xffffffffu : 0xffu))
				abort();
		}
	}
	free(copy);
	return 0;
}
