/*
 * The guest's CPUID whitelist (arch/x86_64/cpuid_policy.c): fed a host that sets every bit,
 * exactly the bits Shunt vouches for come out, leaf by leaf; features Shunt refuses (x2APIC,
 * TSC-deadline, XSAVE and everything AVX, VMX, the local APIC) never do; conditional bits
 * follow the context; unknown leaves and leaves past the host's maximum read as zeros.
 */
#include "unit.h"

#include <arch/cpuid_policy.h>

#define ONES 0xffffffffu

static const struct cpuid_regs all_ones = { ONES, ONES, ONES, ONES };
static const struct cpuid_regs none = { 0, 0, 0, 0 };

/* A vCPU with everything the context can grant: every CR4 bit, RDTSCP, INVPCID. */
static const struct cpuid_context full = {
	.vcpu_id = 3,
	.host_max_basic = ONES,
	.host_max_extended = ONES,
	.cr4_settable = ~0ull,
	.rdtscp = 1,
	.invpcid = 1,
};

/* The word with exactly the listed bit numbers set (the list ends with -1). */
static uint32_t bits(int first, ...)
{
	uint32_t w = 0;
	va_list ap;

	va_start(ap, first);
	for (int b = first; b >= 0; b = va_arg(ap, int))
		w |= 1u << b;
	va_end(ap);
	return w;
}

#define assert_regs(r, a, b, c, d)                                                                 \
	do {                                                                                       \
		struct cpuid_regs r_ = (r);                                                        \
		assert_u64_equal(r_.eax, (a));                                                     \
		assert_u64_equal(r_.ebx, (b));                                                     \
		assert_u64_equal(r_.ecx, (c));                                                     \
		assert_u64_equal(r_.edx, (d));                                                     \
	} while (0)

static struct cpuid_regs filter(uint32_t leaf, uint32_t subleaf, const struct cpuid_context *c)
{
	return cpuid_policy_filter(leaf, subleaf, all_ones, c);
}

static void test_leaf0_caps_the_highest_leaf(void **state)
{
	(void)state;
	struct cpuid_context c = full;
	struct cpuid_regs small = { 4, 0x756e6547, 0x6c65746e, 0x49656e69 };

	assert_regs(filter(0, 0, &full), 0xd, ONES, ONES, ONES);
	c.host_max_basic = 4;
	assert_regs(cpuid_policy_filter(0, 0, small, &c), 4, 0x756e6547, 0x6c65746e, 0x49656e69);
}

static void test_leaf1_shows_exactly_the_whitelist(void **state)
{
	(void)state;
	struct cpuid_regs r = filter(1, 0, &full);

	assert_u64_equal(r.eax, 0x0fff3fff);
	assert_u64_equal(r.ebx, 0x0301ffff); /* APIC id 3, one logical processor, CLFLUSH, brand */
	assert_u64_equal(r.ecx, bits(0, 1, 9, 13, 17, 19, 20, 22, 23, 25, 30, 31, -1));
	assert_u64_equal(r.edx, bits(0, 1, 2, 3, 4, 5, 6, 8, 11, 13, 15, 16, 17, 19, 23, 24, 25, 26,
				     27, -1));
}

static void test_leaf1_hides_what_shunt_refuses(void **state)
{
	(void)state;
	struct cpuid_regs r = filter(1, 0, &full);
	static const struct {
		int bit;
		const char *name;
	} ecx[] = { { 3, "MONITOR" },  { 5, "VMX" },	 { 6, "SMX" },		 { 12, "FMA" },
		    { 15, "PDCM" },    { 21, "x2APIC" }, { 24, "TSC-deadline" }, { 26, "XSAVE" },
		    { 27, "OSXSAVE" }, { 28, "AVX" },	 { 29, "F16C" } },
	  edx[] = { { 7, "MCE" },  { 9, "APIC" }, { 12, "MTRR" },
		    { 14, "MCA" }, { 21, "DS" },  { 28, "HTT" } };

	for (unsigned int i = 0; i < sizeof(ecx) / sizeof(ecx[0]); i++)
		if (r.ecx & (1u << ecx[i].bit))
			fail_msg("leaf 1 ECX shows %s", ecx[i].name);
	for (unsigned int i = 0; i < sizeof(edx) / sizeof(edx[0]); i++)
		if (r.edx & (1u << edx[i].bit))
			fail_msg("leaf 1 EDX shows %s", edx[i].name);
}

static void test_leaf1_apic_id_and_hypervisor_bit(void **state)
{
	(void)state;
	struct cpuid_context c = full;
	struct cpuid_regs host = { 0x000906ea, 0xff100800, 0, 0 }, r;

	c.vcpu_id = 0;
	r = cpuid_policy_filter(1, 0, host, &c);
	assert_regs(r, 0x000906ea, 0x00010800, 1u << 31, 0);
	c.vcpu_id = 255;
	r = cpuid_policy_filter(1, 0, host, &c);
	assert_u64_equal(r.ebx >> 24, 255);
	/* The hypervisor bit is set even when the host does not set it, and only it. */
	assert_regs(cpuid_policy_filter(1, 0, none, &full), 0, 0x03010000, 1u << 31, 0);
}

static void test_leaf7_subleaf0(void **state)
{
	(void)state;
	assert_regs(filter(7, 0, &full), 1,
		    bits(0, 3, 6, 7, 8, 9, 10, 13, 18, 19, 20, 23, 24, 29, -1),
		    bits(0, 2, 8, 16, 22, 25, 27, 28, -1), bits(4, 10, 14, -1));
	/* AVX2 (EBX 5), AVX-512F (EBX 16), PKU (ECX 3) and IBRS (EDX 26) are never shown. */
	assert_false(filter(7, 0, &full).ebx & ((1u << 5) | (1u << 16)));
	/* A host with no subleaf 1 keeps its maximum subleaf 0. */
	assert_u64_equal(cpuid_policy_filter(7, 0, none, &full).eax, 0);
}

static void test_leaf7_other_subleaves(void **state)
{
	(void)state;
	assert_regs(filter(7, 1, &full), bits(10, 11, 12, -1), 0, 0, 0);
	assert_regs(filter(7, 2, &full), 0, 0, 0, 0);
	assert_regs(filter(7, ONES, &full), 0, 0, 0, 0);
}

static void test_rdtscp_and_invpcid_follow_the_context(void **state)
{
	(void)state;
	struct cpuid_context c = full;

	c.rdtscp = 0;
	assert_false(filter(7, 0, &c).ecx & (1u << 22));	  /* RDPID */
	assert_false(filter(0x80000001, 0, &c).edx & (1u << 27)); /* RDTSCP */
	assert_true(filter(7, 0, &c).ebx & (1u << 10));		  /* INVPCID unaffected */
	c = full;
	c.invpcid = 0;
	assert_false(filter(7, 0, &c).ebx & (1u << 10));
	assert_true(filter(7, 0, &c).ecx & (1u << 22));
	assert_true(filter(0x80000001, 0, &c).edx & (1u << 27));
}

static void test_cr4_bits_the_guest_can_not_set_hide_their_feature(void **state)
{
	(void)state;
	struct cpuid_context c = full;

	c.cr4_settable = 0;
	assert_u64_equal(filter(1, 0, &c).ecx, bits(0, 1, 9, 13, 19, 20, 22, 23, 25, 30, 31, -1));
	assert_u64_equal(filter(1, 0, &c).edx,
			 bits(0, 4, 5, 6, 8, 11, 15, 16, 19, 23, 24, 25, 26, 27, -1));
	assert_u64_equal(filter(7, 0, &c).ebx, bits(3, 6, 8, 9, 10, 13, 18, 19, 23, 24, 29, -1));
	assert_u64_equal(filter(7, 0, &c).ecx, bits(0, 8, 22, 25, 27, 28, -1));
	/* VME needs both CR4.VME and CR4.PVI; SMEP only CR4.SMEP. */
	c.cr4_settable = 1;
	assert_false(filter(1, 0, &c).edx & (1u << 1));
	c.cr4_settable = 3 | (1ull << 20);
	assert_true(filter(1, 0, &c).edx & (1u << 1));
	assert_u64_equal(filter(7, 0, &c).ebx & ((1u << 7) | (1u << 20)), 1u << 7);
}

static void test_leaves_that_read_as_zero(void **state)
{
	(void)state;
	static const uint32_t leaves[] = {
		3,	    5,		6,	    8,		9,	    0xa,	0xb,
		0xc,	    0xd,	0xe,	    0xf,	0x10,	    0x12,	0x14,
		0x15,	    0x16,	0x1f,	    0x20,	0x40000000, 0x4fffffff, 0x7fffffff,
		0x80000009, 0x8000000a, 0x8000001f, 0xc0000000, ONES
	};

	for (unsigned int i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		for (uint32_t sub = 0; sub < 3; sub++) {
			struct cpuid_regs r = filter(leaves[i], sub, &full);

			if (r.eax || r.ebx || r.ecx || r.edx)
				fail_msg("leaf 0x%x subleaf %u is not all zeros", leaves[i], sub);
		}
}

static void test_leaves_past_the_hosts_maximum_read_as_zero(void **state)
{
	(void)state;
	struct cpuid_context c = full;

	c.host_max_basic = 4;
	c.host_max_extended = 0x80000004;
	assert_regs(filter(7, 0, &c), 0, 0, 0, 0);
	assert_regs(filter(0x80000008, 0, &c), 0, 0, 0, 0);
	assert_regs(filter(0x80000004, 0, &c), ONES, ONES, ONES, ONES);
	c.host_max_extended = 0; /* no extended leaves at all */
	assert_regs(filter(0x80000000, 0, &c), 0, 0, 0, 0);
}

static void test_cache_leaves(void **state)
{
	(void)state;
	assert_regs(filter(2, 0, &full), ONES, ONES, ONES, ONES);
	/* Leaf 4: no host core count (31:26) or sharing thread count (25:14). */
	assert_regs(filter(4, 1, &full), 0x3fff, ONES, ONES, 7);
}

static void test_extended_leaves(void **state)
{
	(void)state;
	assert_regs(filter(0x80000000, 0, &full), 0x80000008, ONES, ONES, ONES);
	assert_regs(filter(0x80000001, 0, &full), 0x0fff3fff, 0xf000ffff,
		    bits(0, 5, 6, 7, 8, 21, -1),
		    bits(0, 1, 2, 3, 4, 5, 6, 8, 11, 13, 15, 16, 17, 20, 22, 23, 24, 26, 27, 29, 30,
			 31, -1));
	for (uint32_t leaf = 0x80000002; leaf <= 0x80000006; leaf++)
		assert_regs(filter(leaf, 0, &full), ONES, ONES, ONES, ONES);
	assert_regs(filter(0x80000007, 0, &full), 0, 0, 0, 1u << 8);
	assert_regs(filter(0x80000008, 0, &full), 0xffff, bits(0, 2, -1), 0, 0);
	/* SVM (ECX 2), XOP (11), FMA4 (16): never. */
	assert_false(filter(0x80000001, 0, &full).ecx & ((1u << 2) | (1u << 11) | (1u << 16)));
}

/* A Linux VM's emulated x2APIC: APIC, x2APIC, TSC-deadline and ARAT, whatever the host has. */
static void test_x2apic_follows_the_context(void **state)
{
	struct cpuid_context c = full;
	struct cpuid_regs r;

	(void)state;
	c.x2apic = 1;
	r = cpuid_policy_filter(1, 0, none, &c);
	assert_u64_equal(r.ecx, bits(21, 24, 31, -1));
	assert_u64_equal(r.edx, bits(9, -1));
	assert_regs(cpuid_policy_filter(6, 0, all_ones, &c), bits(2, -1), 0, 0, 0);
	assert_regs(cpuid_policy_filter(6, 0, all_ones, &full), 0, 0, 0, 0);
	assert_u64_equal(filter(1, 0, &full).ecx & bits(21, 24, -1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x2apic_follows_the_context),
		cmocka_unit_test(test_leaf0_caps_the_highest_leaf),
		cmocka_unit_test(test_leaf1_shows_exactly_the_whitelist),
		cmocka_unit_test(test_leaf1_hides_what_shunt_refuses),
		cmocka_unit_test(test_leaf1_apic_id_and_hypervisor_bit),
		cmocka_unit_test(test_leaf7_subleaf0),
		cmocka_unit_test(test_leaf7_other_subleaves),
		cmocka_unit_test(test_rdtscp_and_invpcid_follow_the_context),
		cmocka_unit_test(test_cr4_bits_the_guest_can_not_set_hide_their_feature),
		cmocka_unit_test(test_leaves_that_read_as_zero),
		cmocka_unit_test(test_leaves_past_the_hosts_maximum_read_as_zero),
		cmocka_unit_test(test_cache_leaves),
		cmocka_unit_test(test_extended_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
