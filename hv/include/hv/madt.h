/*
 * The CPUs the firmware lists in its ACPI MADT ("APIC" table): Local APIC (type 0) and
 * Local x2APIC (type 9) entries, read into a bounded list by pure code that trusts no byte
 * of the table (hv/madt.c, tested on the host and fuzzed).
 */
#ifndef HV_MADT_H
#define HV_MADT_H

#include <hv/types.h>

/* The most CPUs Shunt drives; the rest of a larger machine is left out, with a line. */
#define CPU_MAX 64

#define MADT_WHY_MAX 96

struct madt_cpu {
	uint32_t apic_id; /* the local APIC's id: what INIT and SIPI are addressed to */
	uint32_t uid;	  /* the ACPI processor UID */
	uint8_t x2apic;	  /* 1: from a Local x2APIC entry */
	uint8_t reserved[3];
};

struct madt_cpus {
	uint32_t count; /* enabled CPUs kept in cpus[], in table order */
	struct madt_cpu cpus[CPU_MAX];
	uint32_t online_capable; /* not enabled, but could be brought online later: not used */
	uint32_t disabled;	 /* neither enabled nor online-capable: not usable at all */
	uint32_t duplicates;	 /* entries naming an APIC id already listed: ignored */
	uint32_t beyond_max;	 /* enabled CPUs past CPU_MAX: not kept */
	uint32_t bad_ids;	 /* entries with the broadcast id (0xff, 0xffffffff): ignored */
	uint32_t lapic_address;	 /* the table's 32-bit local APIC address */
};

/*
 * Reads the MADT at table, length bytes readable there (its header's length field must fit
 * in them). Returns 0 with out filled, or -EINVAL with why saying what is wrong (bad
 * signature, a length that does not add up, an entry cut short or shorter than its type
 * needs); out then holds nothing (count 0). Never reads outside [table, table + length).
 */
int madt_parse(const void *table, uint64_t length, struct madt_cpus *out, char *why,
	       size_t why_size);

/* Index in cpus->cpus[] of the CPU with apic_id, or -1. */
int madt_find(const struct madt_cpus *cpus, uint32_t apic_id);

#endif
