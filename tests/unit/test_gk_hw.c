/*
 * guest-kit's direct hardware wrappers (gk/hw.h) on the host, with a scripted backend: a
 * throttled call is retried after the retry-after Shunt names, a bounded number of times,
 * then reported as given up; gk_hw_open reports each refusal distinctly.
 */
#include "unit.h"

#include <stdlib.h>

#include <gk/gk.h>

/*
 * The scripted backend: answers PV_ETHROTTLED `throttle_left` times (RDX = 0), and while
 * the TSC is below `busy_until` (RDX = the nanoseconds left; the TSC runs at 1 GHz); else
 * the call succeeds.
 */
static int throttle_left;
static uint64_t calls, tsc, busy_until;
uint64_t gk_mock_rdx;
static struct pv_hw_resource granted[2];
static int granted_count;

int64_t gk_mock_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			  uint64_t a4, uint64_t a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	calls++;
	tsc += 1000; /* a hypercall takes time */
	if (throttle_left > 0) {
		throttle_left--;
		gk_mock_rdx = 0;
		return PV_ETHROTTLED;
	}
	if (tsc < busy_until) {
		gk_mock_rdx = busy_until - tsc;
		return PV_ETHROTTLED;
	}
	if (nr == PV_CALL_HW_QUERY) {
		if (!granted_count)
			return PV_EPERM;
		memcpy((void *)(uintptr_t)a0, granted,
		       sizeof(granted[0]) *
			       (a1 < (uint64_t)granted_count ? a1 : (uint64_t)granted_count));
		return granted_count;
	}
	return nr == PV_CALL_HW_PORT_BATCH ? (int64_t)a1 : 0;
}

void gk_mock_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	*a = *b = *d = 0;
	*c = leaf == PV_CPUID_LIMITS ? 1000000 : 0; /* a 1 GHz TSC */
}

uint64_t gk_mock_rdtsc(void)
{
	return tsc += 10;
}

void gk_mock_exit(int64_t code)
{
	(void)code;
	abort();
}

static int setup(void **state)
{
	(void)state;
	throttle_left = 0;
	calls = tsc = busy_until = 0;
	granted_count = 0;
	memset(granted, 0, sizeof(granted));
	return 0;
}

static void test_unthrottled_call_passes_through(void **state)
{
	struct pv_port_op ops[3] = { { 0x2f8, 1, 1, 'a' } };
	struct gk_hw_stats st = { 0 };

	(void)state;
	assert_int_equal(gk_hw_port_batch(ops, 3, &st), 3);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.throttled, 0);
	assert_int_equal(st.gave_up, 0);
}

static void test_backs_off_then_succeeds(void **state)
{
	struct pv_port_op op = { 0x2f8, 1, 1, 'a' };
	struct gk_hw_stats st = { 0 };

	(void)state;
	throttle_left = 5;
	assert_int_equal(gk_hw_port_batch(&op, 1, &st), 1);
	assert_int_equal(st.calls, 6);
	assert_int_equal(st.throttled, 5);
	assert_int_equal(st.gave_up, 0);
	assert_int_equal(calls, 6);
}

/* The retry-after in RDX is waited out: one throttled answer, and no return before it. */
static void test_waits_the_retry_after(void **state)
{
	struct pv_port_op op = { 0x2f8, 1, 1, 'a' };
	struct gk_hw_stats st = { 0 };

	(void)state;
	busy_until = 4000000; /* 4 ms */
	assert_int_equal(gk_hw_port_batch(&op, 1, &st), 1);
	assert_int_equal(st.throttled, 1);
	assert_int_equal(st.calls, 2);
	assert_int_equal(calls, 2);
	assert_true(tsc >= busy_until);
	assert_true(tsc < busy_until + 100000);
	assert_int_equal(st.gave_up, 0);
}

/* The one-attempt form hands the retry-after back at once, for a kernel that sleeps instead. */
static void test_try_returns_the_retry_after(void **state)
{
	struct pv_port_op op = { 0x2f8, 1, 1, 'a' };
	uint64_t retry_after = 0;

	(void)state;
	busy_until = 4000000; /* 4 ms */
	assert_int_equal(gk_hw_port_batch_try(&op, 1, &retry_after), PV_ETHROTTLED);
	assert_int_equal(calls, 1);
	assert_int_equal(retry_after, busy_until - 1000);
	assert_true(tsc < 100000); /* it did not wait */
	tsc = busy_until;
	assert_int_equal(gk_hw_port_batch_try(&op, 1, &retry_after), 1);
}

static void test_gives_up_after_bounded_retries(void **state)
{
	struct pv_port_op op = { 0x2f8, 1, 1, 'a' };
	struct gk_hw_stats st = { 0 };

	(void)state;
	throttle_left = 1000;
	assert_int_equal(gk_hw_port_batch(&op, 1, &st), PV_ETHROTTLED);
	assert_int_equal(st.calls, GK_HW_MAX_RETRIES + 1);
	assert_int_equal(st.throttled, GK_HW_MAX_RETRIES + 1);
	assert_int_equal(st.gave_up, 1);
	assert_string_equal(gk_hw_describe(PV_ETHROTTLED), "rate limited: gave up after retrying");
}

static void test_wait_is_capped(void **state)
{
	uint64_t before;

	(void)state;
	/* 10 s asked, at most GK_HW_MAX_WAIT_NS (10 ms = 10^7 cycles at 1 GHz) waited. */
	before = tsc;
	gk_hw_wait_ns(10000000000ull);
	assert_true(tsc - before >= 10000000ull);
	assert_true(tsc - before < 10000000ull + 1000);
}

static void test_open_reports_each_refusal(void **state)
{
	struct pv_hw_resource r;

	(void)state;
	assert_int_equal(gk_hw_open(PV_HW_KIND_PORTS, 0x2f8, &r, 0), PV_EPERM);
	granted_count = 2;
	granted[0] = (struct pv_hw_resource){
		.id = 0, .kind = PV_HW_KIND_PORTS, .port_base = 0x2f8, .mode = PV_HW_MODE_IO
	};
	granted[1] = (struct pv_hw_resource){
		.id = 1, .kind = PV_HW_KIND_PCI, .pci_bdf = 0x09, .verdict = PV_EDMA
	};
	assert_int_equal(gk_hw_open(PV_HW_KIND_PORTS, 0x2f8, &r, 0), 0);
	assert_int_equal(r.mode, PV_HW_MODE_IO);
	assert_int_equal(gk_hw_open(PV_HW_KIND_PCI, 0x09, &r, 0), PV_EDMA);
	assert_int_equal(gk_hw_open(PV_HW_KIND_PORTS, 0x3e8, &r, 0), PV_EACCES);
	assert_int_equal(gk_hw_open(PV_HW_KIND_PCI, 0x2f8, &r, 0), PV_EACCES); /* kind matters */
	assert_string_not_equal(gk_hw_describe(PV_EDMA), gk_hw_describe(PV_ENODEV));
	assert_string_not_equal(gk_hw_describe(PV_EACCES), gk_hw_describe(PV_EPERM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unthrottled_call_passes_through, setup),
		cmocka_unit_test_setup(test_backs_off_then_succeeds, setup),
		cmocka_unit_test_setup(test_waits_the_retry_after, setup),
		cmocka_unit_test_setup(test_try_returns_the_retry_after, setup),
		cmocka_unit_test_setup(test_gives_up_after_bounded_retries, setup),
		cmocka_unit_test_setup(test_wait_is_capped, setup),
		cmocka_unit_test_setup(test_open_reports_each_refusal, setup),
	};

	return unit_run(tests);
}
