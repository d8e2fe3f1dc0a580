/*
 * Parsing the ACPI MADT (see hv/madt.h): ACPI 6.4 5.2.12, the 44-byte head (SDT header,
 * local APIC address, flags) and then variable-length entries, each [type, length, ...].
 * Only the CPU entries matter here; every other type is stepped over by its length.
 */
#include <hv/fmt.h>
#include <hv/madt.h>
#include <hv/string.h>

#include <stdarg.h>

#define MADT_HEAD 44	       /* SDT header (36), local APIC address, flags */
#define MADT_LAPIC 0	       /* Processor Local APIC, 8 bytes (5.2.12.2) */
#define MADT_X2APIC 9	       /* Processor Local x2APIC, 16 bytes (5.2.12.12) */
#define FLAG_ENABLED 1u	       /* Local APIC Flags (table 5.23) */
#define FLAG_ONLINE_CAPABLE 2u /* meaningful only when Enabled is clear (ACPI 6.3 on) */

__attribute__((format(printf, 4, 5))) static int fail(struct madt_cpus *out, char *why,
						      size_t why_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
	*out = (struct madt_cpus){ 0 };
	return -EINVAL;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int madt_find(const struct madt_cpus *cpus, uint32_t apic_id)
{
	for (uint32_t i = 0; i < cpus->count && i < CPU_MAX; i++)
		if (cpus->cpus[i].apic_id == apic_id)
			return (int)i;
	return -1;
}

/* Counts one CPU entry into out by its flags and id. */
static void add_cpu(struct madt_cpus *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    int x2apic)
{
	if (!(flags & FLAG_ENABLED)) {
		if (flags & FLAG_ONLINE_CAPABLE)
			out->online_capable++;
		else
			out->disabled++;
		return;
	}
	if (apic_id == (x2apic ? 0xffffffffu : 0xffu)) {
		out->bad_ids++;
		return;
	}
	if (madt_find(out, apic_id) >= 0) {
		out->duplicates++;
		return;
	}
	if (out->count == CPU_MAX) {
		out->beyond_max++;
		return;
	}
	out->cpus[out->count++] =
		(struct madt_cpu){ .apic_id = apic_id, .uid = uid, .x2apic = (uint8_t)x2apic };
}

int madt_parse(const void *table, uint64_t length, struct madt_cpus *out, char *why,
	       size_t why_size)
{
	const uint8_t *t = table;
	uint32_t declared, at, n = 0;

	*out = (struct madt_cpus){ 0 };
	if (length < MADT_HEAD)
		return fail(out, why, why_size, "MADT: %llu bytes, shorter than its %u-byte head",
			    (unsigned long long)length, MADT_HEAD);
	if (memcmp(t, "APIC", 4))
		return fail(out, why, why_size, "MADT: signature is not \"APIC\"");
	declared = get32(t + 4);
	if (declared < MADT_HEAD || declared > length)
		return fail(out, why, why_size, "MADT: length %u is outside [%u, %llu]", declared,
			    MADT_HEAD, (unsigned long long)length);
	out->lapic_address = get32(t + 36);
	for (at = MADT_HEAD; at < declared; at += t[at + 1], n++) {
		uint8_t type, len;

		if (declared - at < 2)
			return fail(out, why, why_size, "MADT: entry %u at byte %u is cut short", n,
				    at);
		type = t[at];
		len = t[at + 1];
		if (len < 2 || len > declared - at)
			return fail(out, why, why_size,
				    "MADT: entry %u (type %u) at byte %u has length %u, outside "
				    "[2, %u]",
				    n, type, at, len, declared - at);
		if (type == MADT_LAPIC) {
			if (len < 8)
				return fail(out, why, why_size,
					    "MADT: Local APIC entry %u is %u bytes, not 8", n, len);
			add_cpu(out, t[at + 3], t[at + 2], get32(t + at + 4), 0);
		} else if (type == MADT_X2APIC) {
			if (len < 16)
				return fail(out, why, why_size,
					    "MADT: Local x2APIC entry %u is %u bytes, not 16", n,
					    len);
			add_cpu(out, get32(t + at + 4), get32(t + at + 12), get32(t + at + 8), 1);
		}
	}
	return 0;
}
