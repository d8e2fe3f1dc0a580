/*
 * VT-x capability decoding and Shunt's requirements (arch/x86_64/vmx/vmx_caps.c): the
 * values Bochs reports meet every requirement, and taking away each one in turn is reported
 * with a phrase that names it.
 */
#include "unit.h"

#include "vmx_caps.h"

/* Allowed-1 bits live in the high half of a control capability MSR. */
#define ALLOW1(bit) (1ull << (32 + (bit)))

#define PIN_PREEMPTION_TIMER 6
#define PROC_SECONDARY 31
#define PROC2_EPT 1
#define PROC2_VPID 5
#define PROC2_UNRESTRICTED 7

/*
 * IA32_VMX_BASIC, IA32_FEATURE_CONTROL and IA32_VMX_EPT_VPID_CAP as Bochs reports them; the
 * controls allow their usual bits (allowed-0 in the low half, allowed-1 in the high half).
 */
static const struct vmx_msrs bochs = {
	.feature_control = 5,
	.basic = 0xd810000000002bull,
	.pinbased = 0x16 | 0x16ull << 32 | ALLOW1(0) | ALLOW1(3) | ALLOW1(5) |
		    ALLOW1(PIN_PREEMPTION_TIMER),
	.procbased = 0x0401e172ull | 0x0401e172ull << 32 | ALLOW1(7) | ALLOW1(24) | ALLOW1(28) |
		     ALLOW1(PROC_SECONDARY),
	.procbased2 =
		ALLOW1(0) | ALLOW1(PROC2_EPT) | ALLOW1(PROC2_VPID) | ALLOW1(PROC2_UNRESTRICTED),
	.ept_vpid_cap = 0xf0106334141ull,
	.misc = 0x403c0 | 5, /* preemption timer ticks every 2^5 TSC ticks */
};

static struct vmx_msrs msrs;
static struct vmx_caps caps;

static int setup(void **state)
{
	(void)state;
	msrs = bochs;
	memset(&caps, 0x5a, sizeof(caps));
	return 0;
}

static const char *missing(void)
{
	vmx_caps_decode(&msrs, &caps);
	return vmx_caps_missing(&caps);
}

static void test_bochs_decoded(void **state)
{
	(void)state;
	vmx_caps_decode(&msrs, &caps);
	assert_int_equal(caps.vmcs_revision, 0x2b);
	assert_int_equal(caps.true_controls, 1);
	assert_int_equal(caps.feature_control, VMX_FC_ENABLED_LOCKED);
	assert_int_equal(caps.secondary_controls, 1);
	assert_int_equal(caps.ept, 1);
	assert_int_equal(caps.ept_4level, 1);
	assert_int_equal(caps.ept_wb, 1);
	assert_int_equal(caps.ept_2m, 1);
	assert_int_equal(caps.ept_1g, 1);
	assert_int_equal(caps.ept_ad, 1);
	assert_int_equal(caps.invept, 1);
	assert_int_equal(caps.invept_single, 1);
	assert_int_equal(caps.vpid, 1);
	assert_int_equal(caps.invvpid, 1);
	assert_int_equal(caps.unrestricted_guest, 1);
	assert_int_equal(caps.preemption_timer, 1);
	assert_int_equal(caps.preemption_timer_shift, 5);
	assert_null(vmx_caps_missing(&caps));
}

static void test_basic_fields(void **state)
{
	(void)state;
	msrs.basic = 0x00da040080000004ull; /* bit 31 (always 0 in the revision) set, bit 55 set */
	vmx_caps_decode(&msrs, &caps);
	assert_int_equal(caps.vmcs_revision, 4);
	assert_int_equal(caps.true_controls, 1);
	msrs.basic = 0x005a000000000012ull; /* bit 55 clear */
	vmx_caps_decode(&msrs, &caps);
	assert_int_equal(caps.vmcs_revision, 0x12);
	assert_int_equal(caps.true_controls, 0);
}

static void test_individual_ept_caps(void **state)
{
	(void)state;
	msrs.ept_vpid_cap = 1ull << 16;
	vmx_caps_decode(&msrs, &caps);
	assert_int_equal(caps.ept_2m, 1);
	assert_int_equal(caps.ept_1g, 0);
	assert_int_equal(caps.ept_ad, 0);
	assert_int_equal(caps.invept_single, 0);
	assert_int_equal(caps.invvpid, 0);
	msrs.ept_vpid_cap = (1ull << 17) | (1ull << 21) | (1ull << 25) | (1ull << 32);
	vmx_caps_decode(&msrs, &caps);
	assert_int_equal(caps.ept_2m, 0);
	assert_int_equal(caps.ept_1g, 1);
	assert_int_equal(caps.ept_ad, 1);
	assert_int_equal(caps.invept_single, 1);
	assert_int_equal(caps.invvpid, 1);
}

/* Settings only in the allowed-0 half are not offered: the high half decides. */
static void test_allowed0_half_ignored(void **state)
{
	(void)state;
	msrs.procbased2 = (1u << PROC2_EPT) | (1u << PROC2_VPID) | (1u << PROC2_UNRESTRICTED);
	vmx_caps_decode(&msrs, &caps);
	assert_int_equal(caps.ept, 0);
	assert_int_equal(caps.vpid, 0);
	assert_int_equal(caps.unrestricted_guest, 0);
	assert_int_equal(caps.ept_2m, 0); /* EPT capabilities mean nothing without EPT */
	assert_int_equal(caps.invvpid, 0);
}

/* Without secondary controls, nothing that lives in them is available. */
static void test_no_secondary_controls(void **state)
{
	(void)state;
	msrs.procbased &= ~ALLOW1(PROC_SECONDARY);
	msrs.procbased |= 1ull << PROC_SECONDARY;
	assert_contains(missing(), "secondary");
	assert_int_equal(caps.secondary_controls, 0);
	assert_int_equal(caps.ept, 0);
	assert_int_equal(caps.vpid, 0);
	assert_int_equal(caps.unrestricted_guest, 0);
	assert_int_equal(caps.invept, 0);
	assert_int_equal(caps.preemption_timer, 1); /* a pin-based control: still there */
}

static void test_missing_ept(void **state)
{
	(void)state;
	msrs.procbased2 &= ~ALLOW1(PROC2_EPT);
	assert_contains(missing(), "no EPT");
	assert_int_equal(caps.ept_4level, 0);
	assert_int_equal(caps.invept, 0);
	assert_int_equal(caps.vpid, 1);
}

static void test_missing_ept_4level(void **state)
{
	(void)state;
	msrs.ept_vpid_cap &= ~(1ull << 6);
	assert_contains(missing(), "4-level walk");
}

static void test_missing_ept_wb(void **state)
{
	(void)state;
	msrs.ept_vpid_cap &= ~(1ull << 14);
	assert_contains(missing(), "write-back");
}

static void test_missing_invept(void **state)
{
	(void)state;
	msrs.ept_vpid_cap &= ~(1ull << 20);
	assert_contains(missing(), "INVEPT");
}

static void test_missing_unrestricted_guest(void **state)
{
	(void)state;
	msrs.procbased2 &= ~ALLOW1(PROC2_UNRESTRICTED);
	assert_contains(missing(), "unrestricted guest");
}

static void test_missing_preemption_timer(void **state)
{
	(void)state;
	msrs.pinbased &= ~ALLOW1(PIN_PREEMPTION_TIMER);
	assert_contains(missing(), "preemption timer");
	assert_int_equal(caps.preemption_timer, 0);
}

/* Features Shunt does not require may be absent. */
static void test_optional_features_absent(void **state)
{
	(void)state;
	msrs.procbased2 &= ~ALLOW1(PROC2_VPID);
	msrs.ept_vpid_cap &=
		~((1ull << 16) | (1ull << 17) | (1ull << 21) | (1ull << 25) | (1ull << 32));
	assert_null(missing());
	assert_int_equal(caps.vpid, 0);
	assert_int_equal(caps.ept_2m, 0);
	assert_int_equal(caps.ept_1g, 0);
}

static void test_feature_control_locked_off(void **state)
{
	(void)state;
	msrs.feature_control = FEATURE_CONTROL_LOCKED; /* locked with VMX outside SMX clear */
	assert_contains(missing(), "locked off by firmware");
	assert_int_equal(caps.feature_control, VMX_FC_LOCKED_OFF);
	/* Only VMX inside SMX enabled is still off for Shunt. */
	msrs.feature_control = FEATURE_CONTROL_LOCKED | (1ull << 1);
	assert_contains(missing(), "locked off by firmware");
}

static void test_feature_control_unlocked(void **state)
{
	(void)state;
	msrs.feature_control = 0;
	assert_null(missing());
	assert_int_equal(caps.feature_control, VMX_FC_UNLOCKED);
	msrs.feature_control = FEATURE_CONTROL_VMX_OUTSIDE_SMX; /* enabled but not locked */
	assert_null(missing());
	assert_int_equal(caps.feature_control, VMX_FC_UNLOCKED);
}

/* The locked-off firmware setting is reported first: it is the one the user can fix. */
static void test_locked_off_reported_first(void **state)
{
	(void)state;
	msrs = (struct vmx_msrs){ .feature_control = FEATURE_CONTROL_LOCKED };
	assert_contains(missing(), "locked off by firmware");
	msrs.feature_control = 0;
	assert_contains(missing(), "secondary");
}

/* All MSRs zero (a CPU without VMX, or none read): something is missing, no crash. */
static void test_all_zero(void **state)
{
	(void)state;
	msrs = (struct vmx_msrs){ 0 };
	assert_non_null(missing());
	assert_int_equal(caps.vmcs_revision, 0);
	assert_int_equal(caps.ept, 0);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bochs_decoded),
		T(test_basic_fields),
		T(test_individual_ept_caps),
		T(test_allowed0_half_ignored),
		T(test_no_secondary_controls),
		T(test_missing_ept),
		T(test_missing_ept_4level),
		T(test_missing_ept_wb),
		T(test_missing_invept),
		T(test_missing_unrestricted_guest),
		T(test_missing_preemption_timer),
		T(test_optional_features_absent),
		T(test_feature_control_locked_off),
		T(test_feature_control_unlocked),
		T(test_locked_off_reported_first),
		T(test_all_zero),
	};

	return unit_run(tests);
}
