/*
 * A Linux VM's ACPI tables (hv/vm_acpi.c): every checksum, the RSDP -> XSDT -> FADT/MADT
 * chain at the guest-physical addresses given, the FADT's fixed hardware (PM1a event and
 * control blocks, PM timer, SCI, FACS; not hardware-reduced), sleep and reset registers, the DSDT's \_S5 package and the MADT's local APICs; refusals of an area
 * too small and of impossible CPU counts.
 */
#include "unit.h"

#include <hv/vm_acpi.h>

#define GPA 0xe0000ull
static uint8_t area[4096];

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static const uint8_t *at(uint64_t gpa)
{
	assert_true(gpa >= GPA && gpa < GPA + sizeof(area));
	return area + (gpa - GPA);
}

static void assert_sum_zero(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	assert_int_equal(sum, 0);
}

/* A table at gpa with signature sig: its length, checksum checked. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t = at(gpa);

	assert_memory_equal(t, sig, 4);
	assert_sum_zero(t, rd32(t + 4));
	return t;
}

static void test_chain(void **state)
{
	const uint8_t *rsdp, *xsdt, *fadt, *dsdt, *madt;

	(void)state;
	memset(area, 0xa5, sizeof(area));
	assert_u64_equal(vm_acpi_build(area, GPA, sizeof(area), 1), GPA);
	rsdp = at(GPA);
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_sum_zero(rsdp, 20);
	assert_sum_zero(rsdp, 36);
	assert_int_equal(rsdp[15], 2);
	xsdt = table(rd64(rsdp + 24), "XSDT");
	assert_int_equal(rd32(xsdt + 4), 36 + 16);
	fadt = table(rd64(xsdt + 36), "FACP");
	madt = table(rd64(xsdt + 44), "APIC");

	assert_int_equal(rd32(fadt + 4), 276);
	assert_false(rd32(fadt + 112) & (1u << 20));	  /* not HW_REDUCED_ACPI */
	assert_true(rd32(fadt + 112) & (1u << 10));	  /* RESET_REG_SUP */
	assert_int_equal(fadt[109] & (1u << 5), 1u << 5); /* no CMOS RTC */
	assert_int_equal(fadt[116], 1);			  /* reset register in I/O space */
	assert_u64_equal(rd64(fadt + 120), VM_ACPI_RESET_PORT);
	assert_int_equal(fadt[128], VM_ACPI_RESET_VALUE);
	assert_u64_equal(rd64(fadt + 244 + 4), VM_ACPI_SLEEP_CTL_PORT);
	assert_u64_equal(rd64(fadt + 256 + 4), VM_ACPI_SLEEP_STS_PORT);
	assert_int_equal(rd32(fadt + 56), VM_ACPI_PM1A_EVT_PORT);
	assert_int_equal(fadt[88], 4);
	assert_int_equal(rd32(fadt + 64), VM_ACPI_PM1A_CNT_PORT);
	assert_int_equal(fadt[89], 2);
	assert_int_equal(rd32(fadt + 76), VM_ACPI_PM_TMR_PORT);
	assert_int_equal(fadt[91], 4);
	assert_true(rd32(fadt + 112) & (1u << 8)); /* TMR_VAL_EXT */
	assert_int_equal(rd32(fadt + 46) & 0xffff, VM_ACPI_SCI_IRQ);
	assert_int_equal(rd32(fadt + 48), 0); /* no SMI command: always in ACPI mode */
	assert_memory_equal(at(rd32(fadt + 36)), "FACS", 4);
	assert_int_equal(rd32(fadt + 36) % 64, 0);
	assert_int_equal(rd32(at(rd32(fadt + 36)) + 4), 64);

	dsdt = table(rd64(fadt + 140), "DSDT");
	assert_int_equal(rd32(fadt + 40), (uint32_t)rd64(fadt + 140));
	assert_memory_equal(dsdt + 36 + 1, "_S5_", 4);
	assert_int_equal(dsdt[36 + 11], VM_ACPI_S5_SLP_TYP);

	assert_int_equal(rd32(madt + 36), VM_ACPI_LAPIC_BASE);
	assert_int_equal(rd32(madt + 40), 1); /* PCAT_COMPAT: the 8259A pair */
	assert_int_equal(rd32(madt + 4), 44 + 8);
	assert_int_equal(madt[44], 0); /* processor local APIC */
	assert_int_equal(madt[47], 0); /* APIC ID 0 */
	assert_int_equal(rd32(madt + 48), 1);
}

static void test_several_cpus(void **state)
{
	const uint8_t *madt;

	(void)state;
	assert_u64_equal(vm_acpi_build(area, GPA, sizeof(area), 3), GPA);
	madt = table(rd64(table(rd64(at(GPA) + 24), "XSDT") + 44), "APIC");
	assert_int_equal(rd32(madt + 4), 44 + 3 * 8);
	assert_int_equal(madt[44 + 2 * 8 + 3], 2);
	/* A VM of 8 vCPUs (vcpus=8, the most): one enabled local APIC each, id = UID = vCPU. */
	assert_u64_equal(vm_acpi_build(area, GPA, sizeof(area), 8), GPA);
	madt = table(rd64(table(rd64(at(GPA) + 24), "XSDT") + 44), "APIC");
	assert_int_equal(rd32(madt + 4), 44 + 8 * 8);
	for (unsigned int i = 0; i < 8; i++) {
		const uint8_t *e = madt + 44 + i * 8;

		assert_int_equal(e[0], 0); /* processor local APIC */
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], i);	  /* ACPI processor UID */
		assert_int_equal(e[3], i);	  /* APIC ID */
		assert_int_equal(rd32(e + 4), 1); /* enabled */
	}
}

static void test_refusals(void **state)
{
	(void)state;
	assert_u64_equal(vm_acpi_build(area, GPA, sizeof(area), 0), 0);
	assert_u64_equal(vm_acpi_build(area, GPA, sizeof(area), 256), 0);
	assert_u64_equal(vm_acpi_build(area, GPA, 0x200, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_several_cpus),
		cmocka_unit_test(test_refusals),
	};
	return unit_run(tests);
}
