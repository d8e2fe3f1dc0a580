/*
 * The emulated x2APIC (hv/devices/lapic.c): reset state, the TSC-deadline, one-shot and
 * periodic timers firing at the right TSC (and not before), masking, delivery against the
 * processor priority, EOI, self-IPIs, #GP for what an x2APIC refuses, LINT0's ExtINT
 * (virtual wire) passing the 8259A's interrupts only while unmasked, and the ICR's decoding
 * (shorthands, physical and cluster destinations, INIT, STARTUP) with the start-up's hand-over.
 */
#include "unit.h"

#include <hv/devices/lapic.h>

#define LVT_TIMER 0x832
#define TPR 0x808
#define EOI 0x80b
#define SVR 0x80f
#define INITIAL 0x838
#define CURRENT 0x839
#define DIVIDE 0x83e
#define SELF_IPI 0x83f
#define DEADLINE_MODE (2u << 17)
#define PERIODIC_MODE (1u << 17)
#define MASKED (1u << 16)

static struct lapic l;

static int setup(void **state)
{
	(void)state;
	lapic_reset(&l, 0);
	assert_int_equal(lapic_msr_write(&l, SVR, 0, 0x1ff), 0); /* enabled, spurious 0xff */
	return 0;
}

static uint64_t rd(uint32_t msr, uint64_t now)
{
	uint64_t v = 0;

	assert_int_equal(lapic_msr_read(&l, msr, now, &v), 0);
	return v;
}

static void test_reset(void **state)
{
	(void)state;
	lapic_reset(&l, 3);
	assert_int_equal(rd(0x802, 0), 3);
	assert_int_equal(rd(0x803, 0) & 0xff, 0x14);
	assert_int_equal(rd(LVT_TIMER, 0), MASKED);
	assert_int_equal(rd(SVR, 0), 0xff);
	assert_int_equal(rd(0x80d, 0), 1u << 3);
	assert_u64_equal(lapic_next_deadline(&l), LAPIC_NO_DEADLINE);
	assert_int_equal(lapic_pending_vector(&l), -1);
}

static void test_tsc_deadline(void **state)
{
	(void)state;
	assert_int_equal(lapic_msr_write(&l, LVT_TIMER, 0, DEADLINE_MODE | 0xec), 0);
	assert_int_equal(lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, 0, 1000), 0);
	assert_u64_equal(lapic_next_deadline(&l), 1000);
	assert_u64_equal(rd(LAPIC_MSR_TSC_DEADLINE, 0), 1000);
	lapic_tick(&l, 999);
	assert_int_equal(lapic_pending_vector(&l), -1);
	lapic_tick(&l, 1000);
	assert_int_equal(lapic_pending_vector(&l), 0xec);
	assert_u64_equal(lapic_next_deadline(&l), LAPIC_NO_DEADLINE);
	assert_u64_equal(rd(LAPIC_MSR_TSC_DEADLINE, 0), 0); /* disarmed once it fired */
	lapic_accept(&l, 0xec);
	assert_int_equal(lapic_pending_vector(&l), -1);
	assert_int_equal(rd(0x810 + 0xec / 32, 0), 1u << (0xec % 32));
	assert_int_equal(lapic_msr_write(&l, EOI, 0, 0), 0);
	assert_int_equal(rd(0x810 + 0xec / 32, 0), 0);
	/* A deadline of 0 disarms; writes in another mode are ignored. */
	lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, 0, 5000);
	lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, 0, 0);
	assert_u64_equal(lapic_next_deadline(&l), LAPIC_NO_DEADLINE);
	lapic_msr_write(&l, LVT_TIMER, 0, 0xec);
	lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, 0, 5000);
	assert_u64_equal(lapic_next_deadline(&l), LAPIC_NO_DEADLINE);
}

static void test_masked_timer_raises_nothing(void **state)
{
	(void)state;
	lapic_msr_write(&l, LVT_TIMER, 0, DEADLINE_MODE | MASKED | 0xec);
	lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, 0, 10);
	lapic_tick(&l, 20);
	assert_false(lapic_has_irr(&l));
	assert_u64_equal(l.timer_fired, 1);
}

static void test_one_shot_and_periodic(void **state)
{
	(void)state;
	lapic_msr_write(&l, DIVIDE, 0, 0x3); /* divide by 16 */
	lapic_msr_write(&l, LVT_TIMER, 0, 0x40);
	lapic_msr_write(&l, INITIAL, 100, 10);
	assert_u64_equal(lapic_next_deadline(&l), 100 + 160);
	assert_int_equal(rd(CURRENT, 180), 5);
	lapic_tick(&l, 260);
	assert_int_equal(lapic_pending_vector(&l), 0x40);
	assert_u64_equal(lapic_next_deadline(&l), LAPIC_NO_DEADLINE);
	assert_int_equal(rd(CURRENT, 300), 0);

	lapic_msr_write(&l, LVT_TIMER, 0, PERIODIC_MODE | 0x41);
	lapic_msr_write(&l, INITIAL, 1000, 10);
	lapic_tick(&l, 1160);
	assert_u64_equal(lapic_next_deadline(&l), 1320);
	lapic_tick(&l, 5000); /* late by many periods: they coalesce */
	assert_u64_equal(lapic_next_deadline(&l), 5160);
	lapic_msr_write(&l, INITIAL, 5000, 0); /* count 0 stops it */
	assert_u64_equal(lapic_next_deadline(&l), LAPIC_NO_DEADLINE);
}

static void test_priority_and_eoi(void **state)
{
	(void)state;
	lapic_msr_write(&l, SELF_IPI, 0, 0x51);
	lapic_msr_write(&l, SELF_IPI, 0, 0x62);
	assert_int_equal(lapic_pending_vector(&l), 0x62);
	lapic_accept(&l, 0x62);
	assert_int_equal(lapic_pending_vector(&l), -1); /* 0x51 is below the one in service */
	assert_int_equal(rd(0x80a, 0), 0x60);
	lapic_msr_write(&l, EOI, 0, 0);
	assert_int_equal(lapic_pending_vector(&l), 0x51);
	lapic_msr_write(&l, TPR, 0, 0x50); /* the task priority masks class 5 */
	assert_int_equal(lapic_pending_vector(&l), -1);
	lapic_msr_write(&l, TPR, 0, 0);
	assert_int_equal(lapic_pending_vector(&l), 0x51);
	/* A fixed IPI delivered (lapic_deliver, what an ICR write to it does); vectors below
	 * 16 are illegal. */
	lapic_accept(&l, 0x51);
	assert_int_equal(lapic_deliver(&l, 0x70), 1);
	assert_int_equal(lapic_deliver(&l, 0x05), 0);
	lapic_msr_write(&l, SELF_IPI, 0, 0x05);
	assert_int_equal(lapic_pending_vector(&l), 0x70);
}

/* The ICR as Linux writes it in x2APIC mode (SDM Vol. 3A 11.12.9): what reaches whom. */
static struct lapic_ipi icr(uint64_t value, uint32_t self, unsigned int vcpus)
{
	struct lapic_ipi ipi;

	lapic_icr_decode(value, self, vcpus, &ipi);
	return ipi;
}

static void test_icr_physical_and_shorthands(void **state)
{
	struct lapic_ipi ipi;

	(void)state;
	ipi = icr(1ull << 32 | 0xfd, 0, 2); /* fixed, physical, to APIC id 1 */
	assert_int_equal(ipi.kind, LAPIC_IPI_FIXED);
	assert_int_equal(ipi.vector, 0xfd);
	assert_u64_equal(ipi.targets, 2);
	ipi = icr(5ull << 32 | 0xfd, 0, 2); /* an APIC id no vCPU has: no one */
	assert_int_equal(ipi.kind, LAPIC_IPI_NONE);
	ipi = icr(0xffffffffull << 32 | 0x40, 1, 3); /* broadcast */
	assert_u64_equal(ipi.targets, 7);
	ipi = icr(1u << 18 | 0x41, 2, 3); /* self */
	assert_int_equal(ipi.kind, LAPIC_IPI_FIXED);
	assert_u64_equal(ipi.targets, 4);
	ipi = icr(2u << 18 | 0x42, 2, 3); /* all including self */
	assert_u64_equal(ipi.targets, 7);
	ipi = icr(3u << 18 | 0x43, 2, 3); /* all excluding self */
	assert_u64_equal(ipi.targets, 3);
	ipi = icr(3u << 18 | 0x43, 0, 1); /* all but self, alone: no one */
	assert_int_equal(ipi.kind, LAPIC_IPI_NONE);
	ipi = icr(1ull << 32 | 1u << 8 | 0x44, 0, 2); /* lowest priority: fixed, to one */
	assert_int_equal(ipi.kind, LAPIC_IPI_FIXED);
	assert_u64_equal(ipi.targets, 2);
	ipi = icr(0x6ull << 32 | 1u << 11 | 1u << 8 | 0x44, 0, 4); /* ids 1 and 2: the first */
	assert_u64_equal(ipi.targets, 2);
	ipi = icr(1ull << 32 | 0x0e, 0, 2); /* illegal vector */
	assert_int_equal(ipi.kind, LAPIC_IPI_INVALID);
	ipi = icr(1ull << 32 | 2u << 8, 0, 2); /* SMI */
	assert_int_equal(ipi.kind, LAPIC_IPI_INVALID);
	ipi = icr(1ull << 32 | 4u << 8, 0, 2); /* NMI */
	assert_int_equal(ipi.kind, LAPIC_IPI_NMI);
	assert_u64_equal(ipi.targets, 2);
}

static void test_icr_logical_cluster(void **state)
{
	struct lapic_ipi ipi;

	(void)state;
	/* Cluster 0, bits 0 and 1: APIC ids 0 and 1 (LDR of id n: 1 << n in cluster n / 16). */
	ipi = icr(3ull << 32 | 1u << 11 | 0xec, 0, 2);
	assert_int_equal(ipi.kind, LAPIC_IPI_FIXED);
	assert_u64_equal(ipi.targets, 3);
	ipi = icr(0x4ull << 32 | 1u << 11 | 0xec, 0, 8); /* id 2 */
	assert_u64_equal(ipi.targets, 4);
	ipi = icr(0x10001ull << 32 | 1u << 11 | 0xec, 0, 8); /* cluster 1: ids 16 on, none here */
	assert_int_equal(ipi.kind, LAPIC_IPI_NONE);
	ipi = icr(0xffffffffull << 32 | 1u << 11 | 0xec, 0, 4); /* logical broadcast */
	assert_u64_equal(ipi.targets, 15);
}

static void test_icr_init_startup(void **state)
{
	struct lapic_ipi ipi;

	(void)state;
	/* Linux's wakeup_secondary_cpu_via_init: INIT assert, INIT de-assert, STARTUP twice. */
	ipi = icr(1ull << 32 | 1u << 15 | 1u << 14 | 5u << 8, 0, 2);
	assert_int_equal(ipi.kind, LAPIC_IPI_INIT);
	assert_u64_equal(ipi.targets, 2);
	ipi = icr(1ull << 32 | 1u << 15 | 5u << 8, 0, 2); /* de-assert: nothing to do */
	assert_int_equal(ipi.kind, LAPIC_IPI_NONE);
	ipi = icr(1ull << 32 | 6u << 8 | 0x9a, 0, 2);
	assert_int_equal(ipi.kind, LAPIC_IPI_STARTUP);
	assert_int_equal(ipi.vector, 0x9a);
	assert_u64_equal(ipi.targets, 2);
	ipi = icr(1u << 18 | 6u << 8 | 0x9a, 0, 2); /* STARTUP to self: not allowed */
	assert_int_equal(ipi.kind, LAPIC_IPI_INVALID);
	ipi = icr(3u << 18 | 6u << 8 | 0x9a, 0, 4); /* to all others */
	assert_u64_equal(ipi.targets, 14);

	/* The start-up waits once; a second before it is taken is refused. */
	assert_int_equal(lapic_take_startup(&l), -1);
	assert_int_equal(lapic_post_startup(&l, 0x9a), 0);
	assert_int_equal(lapic_post_startup(&l, 0x9b), -1);
	assert_int_equal(lapic_take_startup(&l), 0x9a);
	assert_int_equal(lapic_take_startup(&l), -1);
	assert_int_equal(lapic_post_startup(&l, 0), 0); /* vector 0: real mode at 0 */
	assert_int_equal(lapic_take_startup(&l), 0);
}

static void test_icr_register(void **state)
{
	(void)state;
	/* Read back as written, but reserved bits and delivery status (always idle). */
	assert_int_equal(lapic_msr_write(&l, 0x830, 0, 1ull << 32 | 0xfffff0fd), 0);
	assert_u64_equal(rd(0x830, 0), 1ull << 32 | 0x000cc0fd);
	assert_false(lapic_has_irr(&l)); /* the VM's glue sends it, not the register */
	assert_int_equal(lapic_msr_write(&l, 0x830, 0, 1ull << 32 | 0x05), 0);
	assert_int_equal(rd(0x828, 0) & (1u << 5), 1u << 5); /* ESR: send illegal vector */
}

static void test_disabled_apic_delivers_nothing(void **state)
{
	(void)state;
	lapic_msr_write(&l, SVR, 0, 0xff);
	lapic_msr_write(&l, SELF_IPI, 0, 0x80);
	assert_int_equal(lapic_pending_vector(&l), -1);
	assert_int_equal(rd(LVT_TIMER, 0) & MASKED, MASKED);
}

static void test_lint0_extint(void **state)
{
	(void)state;
	assert_false(lapic_accepts_extint(&l)); /* reset: every LVT masked */
	lapic_set_virtual_wire(&l);
	assert_true(lapic_accepts_extint(&l));
	assert_int_equal(rd(0x835, 0), 0x700);
	assert_int_equal(rd(0x836, 0), 0x400);			     /* LINT1: NMI */
	assert_int_equal(lapic_msr_write(&l, 0x835, 0, 0x10700), 0); /* masked ExtINT */
	assert_false(lapic_accepts_extint(&l));
	assert_int_equal(lapic_msr_write(&l, 0x835, 0, 0x000), 0); /* fixed, unmasked */
	assert_false(lapic_accepts_extint(&l));
	assert_int_equal(lapic_msr_write(&l, 0x835, 0, 0x700), 0);
	assert_true(lapic_accepts_extint(&l));
	/* Software-disabled: every LVT masked, as the SDM says (11.4.7.2). */
	assert_int_equal(lapic_msr_write(&l, SVR, 0, 0xff), 0);
	assert_false(lapic_accepts_extint(&l));
}

static void test_refused_accesses(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(lapic_msr_read(&l, EOI, 0, &v), -1);	   /* write-only */
	assert_int_equal(lapic_msr_read(&l, SELF_IPI, 0, &v), -1); /* write-only */
	assert_int_equal(lapic_msr_read(&l, 0x801, 0, &v), -1);	   /* reserved */
	assert_int_equal(lapic_msr_write(&l, 0x802, 0, 1), -1);	   /* ID is read-only */
	assert_int_equal(lapic_msr_write(&l, CURRENT, 0, 1), -1);
	assert_int_equal(lapic_msr_write(&l, TPR, 0, 1ull << 32), -1); /* 32-bit register */
	assert_int_equal(lapic_msr_read(&l, 0x900, 0, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_tsc_deadline, setup),
		cmocka_unit_test_setup(test_masked_timer_raises_nothing, setup),
		cmocka_unit_test_setup(test_one_shot_and_periodic, setup),
		cmocka_unit_test_setup(test_priority_and_eoi, setup),
		cmocka_unit_test_setup(test_disabled_apic_delivers_nothing, setup),
		cmocka_unit_test_setup(test_lint0_extint, setup),
		cmocka_unit_test_setup(test_refused_accesses, setup),
		cmocka_unit_test(test_icr_physical_and_shorthands),
		cmocka_unit_test(test_icr_logical_cluster),
		cmocka_unit_test_setup(test_icr_init_startup, setup),
		cmocka_unit_test_setup(test_icr_register, setup),
	};
	return unit_run(tests);
}
