/*
 * Reading the firmware's ACPI tables: the RSDP copy from the handoff, the RSDT/XSDT, table
 * lookup by signature with every checksum and length verified, and the few facts Shunt
 * needs from them (for now: how to enter S5, i.e. power off).
 */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <hv/types.h>

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* Where the ACPI code may read: returns 1 if [phys, phys + len) is mapped, readable memory. */
typedef int (*acpi_readable_fn)(uint64_t phys, uint64_t len);

/*
 * Validates an RSDP copy (signature, checksum, and for revision 2+ the extended checksum and
 * length) and the root table it points to. Returns 0, or -EINVAL/-ENOENT with a reason
 * available from acpi_error().
 */
int acpi_init(const uint8_t *rsdp, uint32_t rsdp_length, acpi_readable_fn readable);
const char *acpi_error(void);

/* The index-th table (0-based) with signature sig whose checksum is valid, or NULL. */
const struct acpi_header *acpi_find_table(const char sig[4], unsigned int index);

struct acpi_s5 {
	uint16_t pm1a_cnt; /* I/O port of PM1a_CNT */
	uint16_t pm1b_cnt; /* 0 when absent */
	uint8_t slp_typa;  /* SLP_TYPa value for \_S5 */
	uint8_t slp_typb;
};

/* Finds PM1 control ports in the FADT and \_S5's sleep types in the DSDT. 0 or -ENOENT. */
int acpi_s5_info(struct acpi_s5 *out);

/* The FADT's CENTURY: the CMOS index of the RTC's century register, 0 when none (or no FADT). */
unsigned int acpi_rtc_century(void);

#endif
