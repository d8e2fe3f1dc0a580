/*
 * VM-execution control adjustment (vmx_ctl_adjust in arch/x86_64/vmx/vmx_caps.c): bits the
 * CPU forces to 1 are set, optional bits only where allowed, and a required bit the CPU
 * does not allow is reported with its number and no control word.
 */
#include "unit.h"

#include "vmx_caps.h"

static uint64_t cap(uint32_t must_be_one, uint32_t may_be_one)
{
	return (uint64_t)may_be_one << 32 | must_be_one;
}

static void test_required_and_forced_bits(void **state)
{
	(void)state;
	uint32_t out = 0;
	unsigned int bit = 99;

	assert_int_equal(vmx_ctl_adjust(cap(0x16, 0xff), 0x41, 0, &out, &bit), 0);
	assert_int_equal(out, 0x57); /* 0x41 required | 0x16 forced */
	assert_int_equal(bit, 99);   /* untouched on success */
}

static void test_optional_only_where_allowed(void **state)
{
	(void)state;
	uint32_t out;
	unsigned int bit;

	assert_int_equal(vmx_ctl_adjust(cap(0, 0x0f), 0x1, 0xf0f0, &out, &bit), 0);
	assert_int_equal(out, 0x1 | 0x0); /* 0xf0f0 & 0x0f = 0 */
	assert_int_equal(vmx_ctl_adjust(cap(0, 0xffff), 0x1, 0xf0f0, &out, &bit), 0);
	assert_int_equal(out, 0xf0f1);
}

static void test_missing_required_bit_named(void **state)
{
	(void)state;
	uint32_t out = 0x1234;
	unsigned int bit = 0;

	/* Bits 6 and 9 required, only bit 6 allowed: the lowest missing one is reported. */
	assert_int_equal(
		vmx_ctl_adjust(cap(0, 1u << 6), (1u << 6) | (1u << 9) | (1u << 12), 0, &out, &bit),
		-1);
	assert_int_equal(bit, 9);
	assert_int_equal(out, 0x1234); /* no half-adjusted word escapes */
}

static void test_bit_31_and_all_ones(void **state)
{
	(void)state;
	uint32_t out;
	unsigned int bit;

	assert_int_equal(vmx_ctl_adjust(cap(0, 0x7fffffff), 1u << 31, 0, &out, &bit), -1);
	assert_int_equal(bit, 31);
	assert_int_equal(vmx_ctl_adjust(cap(0xffffffff, 0xffffffff), 0, 0, &out, &bit), 0);
	assert_int_equal(out, 0xffffffffu);
}

static void test_true_controls_can_clear_default1(void **state)
{
	(void)state;
	/*
	 * With the TRUE capability MSRs, a default-1 bit such as CR3-load exiting (15) may be 0:
	 * allowed-0 lacks it, so nothing forces it on.
	 */
	uint64_t legacy = cap(0x0401e172, 0xffffffff), true_msr = cap(0x04006172, 0xffffffff);
	uint32_t out;
	unsigned int bit;

	assert_int_equal(vmx_ctl_adjust(legacy, 1u << 7, 0, &out, &bit), 0);
	assert_true(out & (1u << 15));
	assert_int_equal(vmx_ctl_adjust(true_msr, 1u << 7, 0, &out, &bit), 0);
	assert_false(out & (1u << 15));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_and_forced_bits),
		cmocka_unit_test(test_optional_only_where_allowed),
		cmocka_unit_test(test_missing_required_bit_named),
		cmocka_unit_test(test_bit_31_and_all_ones),
		cmocka_unit_test(test_true_controls_can_clear_default1),
	};

	return unit_run(tests);
}
