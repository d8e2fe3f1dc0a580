/*
 * ACPI table access (see hv/acpi.h). Nothing is trusted: every table is range-checked with
 * the caller's readable() before it is touched and must carry a valid checksum. Pure code
 * over physical addresses (identity-mapped in the hypervisor), tested on the host.
 */
#include <hv/acpi.h>
#include <hv/fmt.h>
#include <hv/string.h>

#include <stdarg.h>

#define ACPI_MAX_TABLES 64

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes (ACPI 6.4, 5.2.5.3)");
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header is 36 bytes");

/* FADT fields Shunt reads, at their ACPI 6.4 (5.2.9) byte offsets. */
#define FADT_DSDT 40
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_CENTURY 108 /* the RTC's century register, a CMOS index; 0: none */
#define FADT_X_DSDT 140

static struct {
	acpi_readable_fn readable;
	const struct acpi_header *root; /* RSDT or XSDT */
	unsigned int entry_size;	/* 4 (RSDT) or 8 (XSDT) */
	char error[128];
} acpi;

__attribute__((format(printf, 2, 3))) static int acpi_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(acpi.error, sizeof(acpi.error), fmt, ap);
	va_end(ap);
	return err;
}

const char *acpi_error(void)
{
	return acpi.error;
}

static uint8_t sum_bytes(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* The table at phys if it is readable, whole and checksummed; NULL otherwise. */
static const struct acpi_header *table_at(uint64_t phys)
{
	const struct acpi_header *h = (const struct acpi_header *)(uintptr_t)phys;

	if (!phys || !acpi.readable(phys, sizeof(*h)))
		return NULL;
	if (h->length < sizeof(*h) || h->length > 16 * MIB || !acpi.readable(phys, h->length))
		return NULL;
	if (sum_bytes(h, h->length) != 0)
		return NULL;
	return h;
}

int acpi_init(const uint8_t *rsdp_bytes, uint32_t rsdp_length, acpi_readable_fn readable)
{
	struct acpi_rsdp rsdp = { 0 };

	acpi.root = NULL;
	acpi.readable = readable;
	if (rsdp_length < 20)
		return acpi_fail(-ENOENT, "ACPI: the loader found no RSDP");
	memcpy(&rsdp, rsdp_bytes, MIN(rsdp_length, sizeof(rsdp)));
	if (memcmp(rsdp.signature, "RSD PTR ", 8))
		return acpi_fail(-EINVAL, "ACPI: RSDP has a bad signature");
	if (sum_bytes(&rsdp, 20))
		return acpi_fail(-EINVAL, "ACPI: RSDP checksum is wrong");
	if (rsdp.revision >= 2 && rsdp_length >= sizeof(rsdp)) {
		if (rsdp.length < sizeof(rsdp) || sum_bytes(&rsdp, sizeof(rsdp)))
			return acpi_fail(-EINVAL, "ACPI: RSDP extended checksum is wrong");
		acpi.root = table_at(rsdp.xsdt_address);
		acpi.entry_size = 8;
		if (acpi.root && memcmp(acpi.root->signature, "XSDT", 4))
			acpi.root = NULL;
	}
	if (!acpi.root) {
		acpi.root = table_at(rsdp.rsdt_address);
		acpi.entry_size = 4;
		if (acpi.root && memcmp(acpi.root->signature, "RSDT", 4))
			acpi.root = NULL;
	}
	if (!acpi.root)
		return acpi_fail(-EINVAL, "ACPI: no valid RSDT/XSDT at 0x%x/0x%llx",
				 rsdp.rsdt_address, (unsigned long long)rsdp.xsdt_address);
	return 0;
}

static uint64_t root_entry(unsigned int i)
{
	const uint8_t *p = (const uint8_t *)(acpi.root + 1) + (uint64_t)i * acpi.entry_size;
	uint64_t v = 0;

	memcpy(&v, p, acpi.entry_size);
	return v;
}

const struct acpi_header *acpi_find_table(const char sig[4], unsigned int index)
{
	unsigned int entries;

	if (!acpi.root)
		return NULL;
	entries = (acpi.root->length - sizeof(*acpi.root)) / acpi.entry_size;
	for (unsigned int i = 0; i < entries && i < ACPI_MAX_TABLES; i++) {
		const struct acpi_header *t = table_at(root_entry(i));

		if (t && !memcmp(t->signature, sig, 4) && index-- == 0)
			return t;
	}
	return NULL;
}

static uint32_t read_u32(const struct acpi_header *t, uint32_t offset)
{
	uint32_t v = 0;

	if (offset + 4 <= t->length)
		memcpy(&v, (const uint8_t *)t + offset, 4);
	return v;
}

/* Decodes an AML integer (ZeroOp, OneOp, BytePrefix) at p; returns bytes used or 0. */
static unsigned int aml_small_int(const uint8_t *p, const uint8_t *end, uint8_t *value)
{
	if (p >= end)
		return 0;
	if (*p == 0x00 || *p == 0x01) {
		*value = *p;
		return 1;
	}
	if (*p == 0x0a && p + 1 < end) {
		*value = p[1];
		return 2;
	}
	return 0;
}

/* Scans the DSDT for "_S5_" followed by Package(){SLP_TYPa, SLP_TYPb, ...}. */
static int dsdt_s5(const struct acpi_header *dsdt, struct acpi_s5 *out)
{
	const uint8_t *p = (const uint8_t *)(dsdt + 1);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

	for (; p + 8 < end; p++) {
		unsigned int n;

		if (memcmp(p, "_S5_", 4) || p[4] != 0x12) /* NameOp _S5_ PackageOp */
			continue;
		p += 5;
		p += 1 + (*p >> 6); /* PkgLength: lead byte plus its follow-on bytes */
		p++;		    /* NumElements */
		n = aml_small_int(p, end, &out->slp_typa);
		if (!n || !aml_small_int(p + n, end, &out->slp_typb))
			return -ENOENT;
		return 0;
	}
	return -ENOENT;
}

int acpi_s5_info(struct acpi_s5 *out)
{
	const struct acpi_header *fadt = acpi_find_table("FACP", 0);
	const struct acpi_header *dsdt;
	uint64_t dsdt_addr = 0;

	if (!fadt)
		return acpi_fail(-ENOENT, "ACPI: no valid FADT");
	out->pm1a_cnt = (uint16_t)read_u32(fadt, FADT_PM1A_CNT_BLK);
	out->pm1b_cnt = (uint16_t)read_u32(fadt, FADT_PM1B_CNT_BLK);
	if (fadt->length >= FADT_X_DSDT + 8)
		memcpy(&dsdt_addr, (const uint8_t *)fadt + FADT_X_DSDT, 8);
	if (!dsdt_addr)
		dsdt_addr = read_u32(fadt, FADT_DSDT);
	dsdt = table_at(dsdt_addr);
	if (!out->pm1a_cnt || !dsdt || memcmp(dsdt->signature, "DSDT", 4) || dsdt_s5(dsdt, out))
		return acpi_fail(-ENOENT, "ACPI: no PM1a control block or \\_S5 object");
	return 0;
}

unsigned int acpi_rtc_century(void)
{
	const struct acpi_header *fadt = acpi_find_table("FACP", 0);

	if (!fadt || fadt->length <= FADT_CENTURY)
		return 0;
	return ((const uint8_t *)fadt)[FADT_CENTURY];
}
