/*
 * ACPI tables of a Linux VM (see hv/vm_acpi.h). Layouts from the ACPI 6.4 specification,
 * chapter 5 (RSDP 5.2.5, XSDT 5.2.8, FADT 5.2.9, MADT 5.2.12); the DSDT's AML is one
 * Name(_S5_, Package) (ACPI 20.2.5), the FACS (5.2.10) is empty. The FADT describes a PC
 * with the fixed hardware a full one has, not a hardware-reduced one: Linux takes the 8259A
 * pair that routes the emulated UART's interrupt only then. Its PM1a event block reads as
 * nothing pending, its SCI (IRQ 9) never fires, its PM timer counts; no legacy devices,
 * no i8042, no CMOS clock.
 */
#include <hv/string.h>
#include <hv/vm_acpi.h>

#define OFF_RSDP 0x000
#define OFF_XSDT 0x040
#define OFF_FACS 0x0c0 /* 64-byte aligned */
#define OFF_FADT 0x100
#define OFF_DSDT 0x240
#define OFF_MADT 0x280
#define HEADER_SIZE 36
#define FADT_SIZE 276
#define FACS_SIZE 64
#define MADT_LAPIC_SIZE 8

#define FADT_WBINVD (1u << 0)
#define FADT_PWR_BUTTON (1u << 4)  /* no fixed power button */
#define FADT_SLP_BUTTON (1u << 5)  /* no fixed sleep button */
#define FADT_TMR_VAL_EXT (1u << 8) /* a 32-bit PM timer */
#define FADT_RESET_REG_SUP (1u << 10)
#define BOOT_ARCH_NO_VGA (1u << 2)
#define BOOT_ARCH_NO_CMOS_RTC (1u << 5)
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

static void put8(uint8_t *p, uint8_t v)
{
	p[0] = v;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return (uint8_t)-sum;
}

/* The common header (5.2.6); the checksum is set last, by finish(). */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	put8(t + 8, rev);
	memcpy(t + 10, "SHUNT ", 6);
	memcpy(t + 16, "SHUNTVM ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "SHNT", 4);
	put32(t + 32, 1);
}

static void finish(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = checksum(t, len);
}

/* A Generic Address Structure (5.2.3.2) for a byte-wide I/O port. */
static void gas_port(uint8_t *p, uint16_t port)
{
	put8(p, GAS_SYSTEM_IO);
	put8(p + 1, 8);
	put8(p + 2, 0);
	put8(p + 3, GAS_ACCESS_BYTE);
	put64(p + 4, port);
}

static void build_fadt(uint8_t *t, uint64_t gpa)
{
	header(t, "FACP", FADT_SIZE, 6);
	put32(t + 36, (uint32_t)(gpa + OFF_FACS));
	put32(t + 40, (uint32_t)(gpa + OFF_DSDT));
	put16(t + 46, VM_ACPI_SCI_IRQ);
	/* SMI_CMD (48) 0: always in ACPI mode, nothing to switch. */
	put32(t + 56, VM_ACPI_PM1A_EVT_PORT);
	put32(t + 64, VM_ACPI_PM1A_CNT_PORT);
	put32(t + 76, VM_ACPI_PM_TMR_PORT);
	put8(t + 88, 4); /* PM1_EVT_LEN: status and enable, 2 bytes each */
	put8(t + 89, 2); /* PM1_CNT_LEN */
	put8(t + 91, 4); /* PM_TMR_LEN */
	put16(t + 109, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC);
	put32(t + 112, FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_TMR_VAL_EXT |
			       FADT_RESET_REG_SUP);
	gas_port(t + 116, VM_ACPI_RESET_PORT);
	put8(t + 128, VM_ACPI_RESET_VALUE);
	put8(t + 131, 4); /* FADT minor version: ACPI 6.4 */
	put64(t + 140, gpa + OFF_DSDT);
	gas_port(t + 244, VM_ACPI_SLEEP_CTL_PORT);
	gas_port(t + 256, VM_ACPI_SLEEP_STS_PORT);
	memcpy(t + 268, "ShuntHV\0", 8); /* hypervisor vendor identity */
	finish(t, FADT_SIZE);
}

/* Name (_S5_, Package (4) { 5, 5, 0, 0 }): SLP_TYPa, SLP_TYPb, reserved. */
static const uint8_t dsdt_aml[] = { 0x08, '_',
				    'S',  '5',
				    '_',  0x12,
				    0x08, 0x04,
				    0x0a, VM_ACPI_S5_SLP_TYP,
				    0x0a, VM_ACPI_S5_SLP_TYP,
				    0x00, 0x00 };

static uint32_t build_madt(uint8_t *t, unsigned int cpus)
{
	uint32_t len = HEADER_SIZE + 8 + cpus * MADT_LAPIC_SIZE;

	header(t, "APIC", len, 5);
	put32(t + 36, VM_ACPI_LAPIC_BASE);
	put32(t + 40, 1); /* PCAT_COMPAT: the 8259A pair is there (and no I/O APIC) */
	for (unsigned int i = 0; i < cpus; i++) {
		uint8_t *e = t + 44 + i * MADT_LAPIC_SIZE;

		put8(e, 0); /* Processor Local APIC */
		put8(e + 1, MADT_LAPIC_SIZE);
		put8(e + 2, (uint8_t)i); /* ACPI processor UID */
		put8(e + 3, (uint8_t)i); /* APIC ID */
		put32(e + 4, 1);	 /* enabled */
	}
	finish(t, len);
	return len;
}

uint64_t vm_acpi_build(void *area, uint64_t gpa, uint64_t size, unsigned int cpus)
{
	uint8_t *a = area, *rsdp = a + OFF_RSDP, *xsdt = a + OFF_XSDT, *dsdt = a + OFF_DSDT;
	uint32_t dsdt_len = HEADER_SIZE + sizeof(dsdt_aml);

	if (cpus == 0 || cpus > 255 || size < OFF_MADT + HEADER_SIZE + 8 + cpus * MADT_LAPIC_SIZE)
		return 0;
	memset(area, 0, OFF_MADT + HEADER_SIZE + 8 + cpus * MADT_LAPIC_SIZE);
	build_fadt(a + OFF_FADT, gpa);
	memcpy(a + OFF_FACS, "FACS", 4); /* no waking vector, no global lock */
	put32(a + OFF_FACS + 4, FACS_SIZE);
	put8(a + OFF_FACS + 32, 2); /* version */
	build_madt(a + OFF_MADT, cpus);
	header(dsdt, "DSDT", dsdt_len, 2);
	memcpy(dsdt + HEADER_SIZE, dsdt_aml, sizeof(dsdt_aml));
	finish(dsdt, dsdt_len);
	header(xsdt, "XSDT", HEADER_SIZE + 16, 1);
	put64(xsdt + HEADER_SIZE, gpa + OFF_FADT);
	put64(xsdt + HEADER_SIZE + 8, gpa + OFF_MADT);
	finish(xsdt, HEADER_SIZE + 16);
	/* RSDP: the first 20 bytes (ACPI 1.0) and all 36 have checksums of their own. */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "SHUNT ", 6);
	put8(rsdp + 15, 2);
	put32(rsdp + 20, 36);
	put64(rsdp + 24, gpa + OFF_XSDT);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, 36);
	return gpa + OFF_RSDP;
}
