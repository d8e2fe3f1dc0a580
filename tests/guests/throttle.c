/*
 * Rate limits as a guest meets them (SPEC.md §3, §7), run with tight limits
 * (rate=other:100:4 rate=hw:100:4 rate=console:4000:64 and an io grant): calls pass until
 * the bucket is empty, then PV_ETHROTTLED comes with RDX = a retry-after above 0 and at
 * most one token's time; retrying at once, or after half of it, is throttled again; after
 * waiting it out by the PV clock the call passes. guest-kit's wrappers (gk_call_backoff,
 * gk_hw_call, gk_console_write) never come back before the retry-after has elapsed.
 */
#include "guest.h"

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static struct pv_hw_resource res[8];
static const char filler[] = "throttle: 32 bytes of filler..\n";

/* One raw call of the class under test; *rdx gets RDX (as SPEC.md §3 names it). */
typedef int64_t (*raw_call)(uint64_t *rdx);

static int64_t raw_yield(uint64_t *rdx)
{
	return gk_hypercall6_2(PV_CALL_YIELD, 0, 0, 0, 0, 0, 0, rdx);
}

static int64_t raw_hw_query(uint64_t *rdx)
{
	return gk_hypercall6_2(PV_CALL_HW_QUERY, GK_VIRT_TO_PHYS(res), 8, 0, 0, 0, 0, rdx);
}

static int64_t raw_console(uint64_t *rdx)
{
	return gk_hypercall6_2(PV_CALL_CONSOLE_WRITE, GK_VIRT_TO_PHYS(filler), sizeof(filler) - 1,
			       0, 0, 0, 0, rdx);
}

/*
 * Calls until throttled (at most 200 times); returns the PV clock right after the
 * throttled answer and its retry-after in *rdx, or 0 if it never was throttled.
 */
static uint64_t until_throttled(raw_call call, uint64_t *rdx)
{
	for (int i = 0; i < 200; i++) {
		*rdx = 0;
		if (call(rdx) == PV_ETHROTTLED)
			return gk_clock_ns(&page);
	}
	return 0;
}

static void spin_until(uint64_t ns)
{
	while (gk_clock_ns(&page) < ns)
		__asm__ volatile("pause");
}

/* The raw protocol for one class; max_wait_ns is one token's time at its rate. */
static void check_class(int *failures, const char *name, raw_call call, uint64_t max_wait_ns)
{
	uint64_t rdx, rdx2, t, t2;
	int64_t r;

	say(name);
	say(": raw protocol\n");
	t = until_throttled(call, &rdx);
	if (!t) {
		check(failures, 0, "throttled after the burst");
		return;
	}
	check_val(failures, rdx > 0, "RDX > 0 on PV_ETHROTTLED", (int64_t)rdx);
	check_val(failures, rdx <= max_wait_ns, "RDX at most one token's time", (int64_t)rdx);
	r = call(&rdx2);
	check_val(failures, r == PV_ETHROTTLED, "an immediate retry is throttled again", r);
	check_val(failures, r != PV_ETHROTTLED || (rdx2 > 0 && rdx2 <= rdx),
		  "the immediate retry's RDX is above 0 and no more than the first", (int64_t)rdx2);
	spin_until(t + rdx / 2);
	r = call(&rdx2);
	check_val(failures, r == PV_ETHROTTLED, "a retry after half the retry-after is throttled",
		  r);
	t2 = gk_clock_ns(&page);
	spin_until(t + rdx > t2 + rdx2 ? t + rdx : t2 + rdx2);
	r = call(&rdx2);
	check_val(failures, r >= 0, "the call passes once the retry-after has elapsed", r);
}

/* A guest-kit wrapper after a throttled raw call: it waits at least the retry-after. */
static void check_wrapper(int *failures, const char *name, raw_call call, int64_t (*wrapped)(void))
{
	uint64_t rdx, t, back;
	int64_t r;

	say(name);
	say(": guest-kit back-off\n");
	t = until_throttled(call, &rdx);
	if (!t) {
		check(failures, 0, "throttled before the wrapper");
		return;
	}
	r = wrapped();
	back = gk_clock_ns(&page);
	check_val(failures, r >= 0, "the wrapper succeeds after backing off", r);
	check_val(failures, back >= t + rdx,
		  "the wrapper came back before the retry-after (ns early)",
		  (int64_t)(t + rdx - back));
}

static uint64_t backoff_throttled;

static int64_t wrapped_yield(void)
{
	backoff_throttled = 0;
	return gk_call_backoff(PV_CALL_YIELD, 0, 0, 0, 8, &backoff_throttled);
}

static int64_t wrapped_hw(void)
{
	struct gk_hw_stats st = { 0 };
	int64_t r = gk_hw_query(res, 8, &st);

	return st.throttled ? r : -1000; /* it must have met the limit itself */
}

static int64_t wrapped_console(void)
{
	return gk_console_write(filler, sizeof(filler) - 1);
}

int64_t guest_main(const struct pv_start_info *si)
{
	int failures = 0;

	if (guest_open())
		return 99;
	check(&failures, gk_vcpu_page_set(&page) == 0, "page registered");
	check_class(&failures, "other", raw_yield, 10000000ull);    /* 100/s */
	check_class(&failures, "hw", raw_hw_query, 10000000ull);    /* 100/s */
	check_class(&failures, "console", raw_console, 8000000ull); /* 32 bytes at 4000/s */
	check_wrapper(&failures, "other", raw_yield, wrapped_yield);
	check_val(&failures, backoff_throttled >= 1 && backoff_throttled <= 2,
		  "gk_call_backoff was throttled once or twice", (int64_t)backoff_throttled);
	check_wrapper(&failures, "hw", raw_hw_query, wrapped_hw);
	check_wrapper(&failures, "console", raw_console, wrapped_console);
	return report(si, failures, 0);
}
