/*
 * AMD-V capability decoding and Shunt's requirements (arch/x86_64/svm/svm_caps.c): what
 * QEMU's TCG and Bochs's ryzen model report meets every requirement, each missing one is
 * reported with a phrase that names it, and VM_CR's SVMDIS stops Shunt only when locked.
 */
#include "unit.h"

#include "svm_caps.h"

#define EDX_NP (1u << 0)
#define EDX_LBRV (1u << 1)
#define EDX_NRIPS (1u << 3)
#define EDX_CLEAN (1u << 5)
#define EDX_FLUSH_ASID (1u << 6)
#define EDX_DECODE (1u << 7)
#define EDX_PAUSE (1u << 10)
#define EDX_VGIF (1u << 16)

/* QEMU 7.2's TCG, -cpu max: NPT, VGIF and SVME address checks only, 16 ASIDs. */
static const struct svm_raw qemu = {
	.max_extended = 0x80000021,
	.ext_ecx = 1u << 2,
	.leaf_a_eax = 1,
	.leaf_a_ebx = 16,
	.leaf_a_edx = EDX_NP | EDX_VGIF | (1u << 28),
};

/* Bochs 2.7, cpu: model=ryzen. */
static const struct svm_raw ryzen = {
	.max_extended = 0x8000001f,
	.ext_ecx = 1u << 2,
	.leaf_a_eax = 1,
	.leaf_a_ebx = 0x8000,
	.leaf_a_edx = EDX_NP | EDX_NRIPS | EDX_FLUSH_ASID | EDX_PAUSE,
};

static struct svm_raw raw;
static struct svm_caps caps;

static int setup(void **state)
{
	(void)state;
	raw = qemu;
	memset(&caps, 0x5a, sizeof(caps));
	return 0;
}

static const char *missing(void)
{
	svm_caps_decode(&raw, &caps);
	return svm_caps_missing(&caps);
}

static void test_qemu_decoded(void **state)
{
	(void)state;
	assert_null(missing());
	assert_int_equal(caps.svm, 1);
	assert_int_equal(caps.npt, 1);
	assert_int_equal(caps.nasid, 16);
	assert_int_equal(caps.revision, 1);
	assert_int_equal(caps.vgif, 1);
	/* What QEMU lacks, the backend must do without. */
	assert_int_equal(caps.nrip_save, 0);
	assert_int_equal(caps.decode_assists, 0);
	assert_int_equal(caps.flush_by_asid, 0);
	assert_int_equal(caps.vmcb_clean, 0);
	assert_int_equal(caps.pause_filter, 0);
}

static void test_ryzen_decoded(void **state)
{
	(void)state;
	raw = ryzen;
	assert_null(missing());
	assert_int_equal(caps.nasid, 0x8000);
	assert_int_equal(caps.nrip_save, 1);
	assert_int_equal(caps.flush_by_asid, 1);
	assert_int_equal(caps.pause_filter, 1);
	assert_int_equal(caps.decode_assists, 0);
	assert_int_equal(caps.lbr_virt, 0);
}

static void test_each_optional_bit(void **state)
{
	(void)state;
	raw.leaf_a_edx = EDX_NP | EDX_LBRV | EDX_CLEAN | EDX_DECODE;
	assert_null(missing());
	assert_int_equal(caps.lbr_virt, 1);
	assert_int_equal(caps.vmcb_clean, 1);
	assert_int_equal(caps.decode_assists, 1);
	assert_int_equal(caps.nrip_save, 0);
	assert_int_equal(caps.vgif, 0);
}

static void test_no_svm(void **state)
{
	(void)state;
	raw.ext_ecx = 0;
	assert_string_equal(missing(), "CPU has no SVM");
	assert_int_equal(caps.npt, 0); /* nothing else is decoded */
}

static void test_no_extended_leaf(void **state)
{
	(void)state;
	raw.max_extended = 0x80000000; /* not even Fn8000_0001: its ECX means nothing */
	assert_string_equal(missing(), "CPU has no SVM");
	raw.max_extended = 0x80000008; /* SVM but no Fn8000_000A: nothing known of NPT */
	assert_string_equal(missing(), "CPU has no nested paging (NPT)");
}

static void test_no_npt(void **state)
{
	(void)state;
	raw.leaf_a_edx &= ~EDX_NP;
	assert_string_equal(missing(), "CPU has no nested paging (NPT)");
}

static void test_no_guest_asid(void **state)
{
	(void)state;
	raw.leaf_a_ebx = 1; /* ASID 0 is the host's */
	assert_non_null(strstr(missing(), "ASID"));
	raw.leaf_a_ebx = 2;
	assert_null(missing());
}

static void test_disabled_unlocked(void **state)
{
	(void)state;
	raw.vm_cr = VM_CR_SVMDIS; /* software may clear it: Shunt does */
	assert_null(missing());
	assert_int_equal(caps.disabled, 1);
	assert_int_equal(caps.locked, 0);
}

static void test_disabled_locked(void **state)
{
	(void)state;
	raw.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK;
	assert_non_null(strstr(missing(), "disabled and locked by firmware"));
	raw.vm_cr = VM_CR_LOCK; /* locked on: fine */
	assert_null(missing());
}

static void test_locked_off_reported_before_npt(void **state)
{
	(void)state;
	raw.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK;
	raw.leaf_a_edx = 0;
	assert_non_null(strstr(missing(), "locked by firmware"));
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qemu_decoded),	   T(test_ryzen_decoded),
		T(test_each_optional_bit), T(test_no_svm),
		T(test_no_extended_leaf),  T(test_no_npt),
		T(test_no_guest_asid),	   T(test_disabled_unlocked),
		T(test_disabled_locked),   T(test_locked_off_reported_before_npt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
