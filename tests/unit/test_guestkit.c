/*
 * guest-kit's public helpers on the host, against gk/mock.h's fake Shunt: detection and
 * negotiation, the generated call wrappers, the console and its ring, the PV clock, events
 * and the timer, exit, and the number formatters. Outcomes only: what the guest gets back
 * and what Shunt received.
 */
#define _GNU_SOURCE /* fork */
#define GK_MOCK_IMPLEMENTATION
#include "gk_other_tu.h"
#include "unit.h"

#include <gk/gk.h>
#include <gk/mock.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000ull
#define VECTOR 0x40

__extension__ typedef unsigned __int128 u128;

static _Alignas(4096) struct pv_vcpu_page page;

/* A ring with the largest data size, so any test size fits behind the header. */
static _Alignas(64) struct {
	struct pv_console_ring header;
	uint8_t data[PV_CONSOLE_RING_MAX];
} ring;

static int setup(void **state)
{
	(void)state;
	gk_mock_reset();
	memset(&page, 0, sizeof(page));
	memset(&ring, 0, sizeof(ring));
	return 0;
}

/* Opens the interface and registers the vCPU page, as a guest's early boot does. */
static void open_with_page(void)
{
	assert_true(gk_open(PV_OS_TEST, 1, NULL) > 0);
	assert_int_equal(gk_vcpu_page_set(&page), 0);
}

/* xorshift64*: a fixed sequence, so a failure can be reproduced. */
static uint64_t rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return x * 0x2545f4914f6cdd1dull;
}

/* --- Detection --- */

static void test_detect_no_hypervisor(void **state)
{
	uint32_t version = 0xdead;

	(void)state;
	gk_mock.hypervisor_bit = false;
	assert_int_equal(gk_detect(&version), GK_DETECT_NO_HYPERVISOR);
	assert_int_equal(version, 0xdead);
}

static void test_detect_foreign(void **state)
{
	uint32_t version = 0xdead;

	(void)state;
	/* KVM's signature: "KVMKVMKVM\0\0\0". */
	gk_mock.signature[0] = 0x4b4d564b;
	gk_mock.signature[1] = 0x564b4d56;
	gk_mock.signature[2] = 0x0000004d;
	assert_int_equal(gk_detect(&version), GK_DETECT_FOREIGN);

	gk_mock_reset();
	gk_mock.interface_signature = 0x31237648; /* Hyper-V's "Hv#1" */
	assert_int_equal(gk_detect(&version), GK_DETECT_FOREIGN);
	assert_int_equal(version, 0xdead);
}

static void test_detect_wrong_major(void **state)
{
	uint32_t version = 0;

	(void)state;
	gk_mock.abi_version = PV_ABI_VERSION(PV_ABI_MAJOR + 1, 0);
	assert_int_equal(gk_detect(&version), GK_DETECT_WRONG_MAJOR);
	assert_int_equal(version, PV_ABI_VERSION(PV_ABI_MAJOR + 1, 0));

	gk_mock.abi_version = PV_ABI_VERSION(PV_ABI_MAJOR - 1, 7);
	assert_int_equal(gk_detect(&version), GK_DETECT_WRONG_MAJOR);
	assert_int_equal(version, PV_ABI_VERSION(PV_ABI_MAJOR - 1, 7));
}

static void test_detect_ok(void **state)
{
	uint32_t version = 0;

	(void)state;
	assert_int_equal(gk_detect(&version), GK_DETECT_OK);
	assert_int_equal(version, PV_ABI_CURRENT);
	assert_int_equal(gk_detect(NULL), GK_DETECT_OK);

	/* Another minor of the same major is still Shunt the guest can talk to. */
	gk_mock.abi_version = PV_ABI_VERSION(PV_ABI_MAJOR, PV_ABI_MINOR + 3);
	assert_int_equal(gk_detect(&version), GK_DETECT_OK);
	assert_int_equal(version, PV_ABI_VERSION(PV_ABI_MAJOR, PV_ABI_MINOR + 3));
	assert_string_equal(gk_detect_describe(GK_DETECT_OK), "Shunt found");
}

static void test_cpuid_leaves(void **state)
{
	(void)state;
	gk_mock.vcpu_id = 3;
	gk_mock.tsc_hz = 2500000000ull;
	assert_int_equal(gk_cpuid_reg(1, 1) >> 24, 3);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_BASE, 0), PV_CPUID_MAX_LEAF);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_FEATURES, 0) & PV_FEATURE_VCPU_PAGE,
			 PV_FEATURE_VCPU_PAGE);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_PRIVILEGES, 0),
			 PV_PERM_BASE | PV_PERM_CONSOLE | PV_PERM_TIME | PV_PERM_EVENTS);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_LIMITS, 0), PV_CONSOLE_RING_MAX);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_LIMITS, 1), PV_CONSOLE_WRITE_MAX);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_LIMITS, 2), 2500000);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_LIMITS, 3), PV_EVENT_COUNT);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_MAX_LEAF + 1, 0), 0);
}

/* --- The hypercall instruction (ABI 1.4): VMCALL until detection, then the leaf's --- */

/* Before detection every call is a VMCALL, on AMD too (Shunt's slow path takes it there). */
static void test_vmcall_before_detection(void **state)
{
	(void)state;
	gk_mock.vmmcall = true;
	assert_int_equal(gk_hypercall_vmmcall, 0);
	assert_int_equal(gk_version(), PV_ABI_CURRENT);
	assert_int_equal(gk_mock.calls_vmcall, 1);
	assert_int_equal(gk_mock.calls_vmmcall, 0);
}

static void test_detect_picks_vmmcall_on_amd(void **state)
{
	(void)state;
	gk_mock.vmmcall = true;
	assert_int_equal(gk_cpuid_reg(PV_CPUID_FEATURES, 0) & PV_FEATURE_VMMCALL,
			 PV_FEATURE_VMMCALL);
	assert_true(gk_open(PV_OS_TEST, 1, NULL) > 0);
	assert_int_equal(gk_hypercall_vmmcall, 1);
	assert_int_equal(gk_yield(), 0);
	assert_int_equal(gk_console_write("x", 1), 1);
	/* HELLO, YIELD, CONSOLE_WRITE: all VMMCALL, detection came first. */
	assert_int_equal(gk_mock.calls_vmmcall, 3);
	assert_int_equal(gk_mock.calls_vmcall, 0);
}

static void test_detect_picks_vmcall_on_intel(void **state)
{
	(void)state;
	assert_int_equal(gk_cpuid_reg(PV_CPUID_FEATURES, 0) & PV_FEATURE_VMMCALL, 0);
	gk_hypercall_vmmcall = 1; /* e.g. left by a kernel's own wrong guess: detection wins */
	assert_true(gk_open(PV_OS_TEST, 1, NULL) > 0);
	assert_int_equal(gk_hypercall_vmmcall, 0);
	assert_int_equal(gk_yield(), 0);
	assert_int_equal(gk_mock.calls_vmcall, 2);
	assert_int_equal(gk_mock.calls_vmmcall, 0);
}

/* Only a Shunt of this major, with a feature leaf, chooses: otherwise VMCALL stays. */
static void test_detect_keeps_vmcall_unless_shunt_of_this_major(void **state)
{
	(void)state;
	gk_mock.vmmcall = true;
	gk_mock.abi_version = PV_ABI_VERSION(PV_ABI_MAJOR + 1, 0);
	assert_int_equal(gk_detect(NULL), GK_DETECT_WRONG_MAJOR);
	assert_int_equal(gk_hypercall_vmmcall, 0);
	gk_mock.abi_version = PV_ABI_CURRENT;
	gk_mock.max_leaf = PV_CPUID_INTERFACE;
	assert_int_equal(gk_detect(NULL), GK_DETECT_OK);
	assert_int_equal(gk_hypercall_vmmcall, 0);
	gk_mock.max_leaf = PV_CPUID_MAX_LEAF;
	gk_mock.signature[0] ^= 1;
	assert_int_equal(gk_detect(NULL), GK_DETECT_FOREIGN);
	assert_int_equal(gk_hypercall_vmmcall, 0);
	gk_mock.signature[0] ^= 1;
	gk_mock.hypervisor_bit = false;
	assert_int_equal(gk_detect(NULL), GK_DETECT_NO_HYPERVISOR);
	assert_int_equal(gk_hypercall_vmmcall, 0);
	gk_mock.hypervisor_bit = true;
	assert_int_equal(gk_detect(NULL), GK_DETECT_OK);
	assert_int_equal(gk_hypercall_vmmcall, 1);
}

/* gk_hypercall_select(), for kernels that detect Shunt themselves: the bit alone decides. */
static void test_hypercall_select(void **state)
{
	(void)state;
	gk_hypercall_select(PV_FEATURE_VMMCALL);
	assert_int_equal(gk_hypercall_vmmcall, 1);
	gk_hypercall_select(~PV_FEATURE_VMMCALL);
	assert_int_equal(gk_hypercall_vmmcall, 0);
	gk_hypercall_select(0xffffffffu);
	assert_int_equal(gk_hypercall_vmmcall, 1);
}

/* One flag in the whole program: what one file's detection chose, another file's calls use. */
static void test_flag_is_one_object_across_files(void **state)
{
	(void)state;
	assert_ptr_equal(gk_other_tu_flag(), &gk_hypercall_vmmcall);
	gk_mock.vmmcall = true;
	assert_int_equal(gk_other_tu_detect(), 1);
	assert_int_equal(gk_hypercall_vmmcall, 1);
	assert_int_equal(gk_version(), PV_ABI_CURRENT); /* this file */
	assert_int_equal(gk_other_tu_version(), PV_ABI_CURRENT);
	assert_int_equal(gk_mock.calls_vmmcall, 2);
	assert_int_equal(gk_mock.calls_vmcall, 0);

	gk_mock.vmmcall = false;
	assert_int_equal(gk_detect(NULL), GK_DETECT_OK);	 /* this file's detection ... */
	assert_int_equal(gk_other_tu_version(), PV_ABI_CURRENT); /* ... the other's call */
	assert_int_equal(gk_mock.calls_vmcall, 1);
}

/* A VMMCALL on Intel is the guest's #UD: the mock stops the test rather than answer. */
static void test_vmmcall_on_intel_aborts(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		gk_mock_reset();
		gk_hypercall_vmmcall = 1;
		gk_version();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* --- Negotiation --- */

static void test_open_negotiates(void **state)
{
	enum gk_detect_result r = GK_DETECT_FOREIGN;

	(void)state;
	assert_int_equal(gk_open(PV_OS_TEST, 0x1234, &r), PV_ABI_CURRENT);
	assert_int_equal(r, GK_DETECT_OK);
	assert_int_equal(gk_mock.negotiated, PV_ABI_CURRENT);
	assert_int_equal(gk_mock.os_kind, PV_OS_TEST);
	assert_int_equal(gk_mock.os_version, 0x1234);

	/* An older Shunt of the same major: the smaller minor wins. */
	gk_mock_reset();
	gk_mock.abi_version = PV_ABI_VERSION(PV_ABI_MAJOR, 0);
	assert_int_equal(gk_open(PV_OS_LINUX, 0, NULL), PV_ABI_VERSION(PV_ABI_MAJOR, 0));

	/* A newer one answers with the guest's own version. */
	gk_mock_reset();
	gk_mock.abi_version = PV_ABI_VERSION(PV_ABI_MAJOR, PV_ABI_MINOR + 5);
	assert_int_equal(gk_open(PV_OS_OTHER, 0, NULL), PV_ABI_CURRENT);
}

static void test_open_other_major(void **state)
{
	enum gk_detect_result r = GK_DETECT_OK;

	(void)state;
	gk_mock.abi_version = PV_ABI_VERSION(PV_ABI_MAJOR + 1, 0);
	assert_int_equal(gk_open(PV_OS_TEST, 0, &r), PV_EPROTONOSUPPORT);
	assert_int_equal(r, GK_DETECT_WRONG_MAJOR);
	/* A guest that asks anyway is refused by Shunt itself, and stays closed. */
	assert_int_equal(gk_call_hello(PV_ABI_CURRENT, PV_OS_TEST, 0), PV_EPROTONOSUPPORT);
	assert_int_equal(gk_console_puts("x"), PV_ENOTCONN);
	assert_int_equal(gk_mock.console_len, 0);
}

static void test_open_without_shunt(void **state)
{
	enum gk_detect_result r = GK_DETECT_OK;

	(void)state;
	gk_mock.hypervisor_bit = false;
	assert_int_equal(gk_open(PV_OS_TEST, 0, &r), PV_ENOSYS);
	assert_int_equal(r, GK_DETECT_NO_HYPERVISOR);
	gk_mock.hypervisor_bit = true;
	gk_mock.signature[0] = 0;
	assert_int_equal(gk_open(PV_OS_TEST, 0, &r), PV_ENOSYS);
	assert_int_equal(r, GK_DETECT_FOREIGN);
	/* No hypercall may be made to a hypervisor that is not Shunt. */
	assert_int_equal(gk_mock.calls[PV_CALL_HELLO], 0);
}

/* Every call but VERSION, HELLO and EXIT answers PV_ENOTCONN until HELLO succeeds. */
static void test_calls_before_open(void **state)
{
	(void)state;
	for (uint64_t nr = 0; nr < PV_CALL_COUNT; nr++) {
		if (nr == PV_CALL_VERSION || nr == PV_CALL_HELLO || nr == PV_CALL_EXIT)
			continue;
		assert_int_equal(gk_hypercall6(nr, 0, 0, 0, 0, 0, 0), PV_ENOTCONN);
	}
	assert_int_equal(gk_console_puts("early"), PV_ENOTCONN);
	assert_int_equal(gk_vcpu_page_set(&page), PV_ENOTCONN);
	assert_int_equal(gk_timer_set(1), PV_ENOTCONN);
	assert_int_equal(gk_yield(), PV_ENOTCONN);
	assert_int_equal(gk_version(), PV_ABI_CURRENT);

	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_console_puts("late"), 4);
	assert_int_equal(gk_yield(), 0);
	assert_string_equal(gk_mock.console, "late");
}

/* A call newer than the negotiated version does not exist for this guest (SPEC.md §1). */
static void test_call_newer_than_negotiated(void **state)
{
	(void)state;
	gk_mock.abi_version = PV_ABI_VERSION(1, 0);
	open_with_page();
	assert_int_equal(gk_events_bind(VECTOR), 0);
	assert_int_equal(gk_event_send(0, PV_EVENT_GUEST_FIRST), PV_ENOSYS);
	assert_int_equal(page.events_pending, 0);

	gk_mock_reset();
	open_with_page();
	assert_int_equal(gk_events_bind(VECTOR), 0);
	assert_int_equal(gk_event_send(0, PV_EVENT_GUEST_FIRST), 0);
	assert_int_equal(page.events_pending, 1ull << PV_EVENT_GUEST_FIRST);
	assert_int_equal(gk_event_send(1, PV_EVENT_GUEST_FIRST), PV_EINVAL);
	assert_int_equal(gk_event_send(0, PV_EVENT_TIMER), PV_EINVAL);
}

/* VM_INFO (1.3): the VM's name and number; invisible to a guest that negotiated 1.2. */
static void test_vm_info(void **state)
{
	struct pv_vm_info info;

	(void)state;
	gk_mock.vm_id = 7;
	memcpy(gk_mock.vm_name, "linux", 6);
	assert_true(gk_open(PV_OS_LINUX, 1, NULL) > 0);
	memset(&info, 0xff, sizeof(info));
	assert_int_equal(gk_vm_info(&info), 0);
	assert_int_equal(info.vm_id, 7);
	assert_int_equal(info.vcpu_count, 1);
	assert_int_equal(info.reserved, 0);
	assert_string_equal(info.name, "linux");
	assert_int_equal(gk_call_vm_info(0), PV_EFAULT);

	gk_mock_reset();
	gk_mock.abi_version = PV_ABI_VERSION(1, 2);
	assert_int_equal(gk_open(PV_OS_LINUX, 1, NULL), PV_ABI_VERSION(1, 2));
	assert_int_equal(gk_vm_info(&info), PV_ENOSYS);
}

/* --- Back-off (gk/backoff.h, SPEC.md §7): PV_ETHROTTLED's RDX is honoured --- */

/* Time passes while a guest busy-waits: every RDTSC is 1 us later (the mock's 1 GHz TSC). */
static void tick_1us(void)
{
	gk_mock.tsc += 1000;
}

/* Throttles rate-limited calls for the next ns nanoseconds of the mock's TSC (1 GHz). */
static void throttle_for(uint64_t ns)
{
	gk_mock.rdtsc_hook = tick_1us;
	gk_mock.throttle_until = gk_mock.tsc + ns;
}

static void test_throttled_call_reports_retry_after(void **state)
{
	uint64_t rdx = 0;

	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	gk_mock.tsc = 1000;
	gk_mock.throttle_until = 1000 + 2500000;
	assert_int_equal(gk_hypercall6_2(PV_CALL_YIELD, 0, 0, 7, 0, 0, 0, &rdx), PV_ETHROTTLED);
	assert_u64_equal(rdx, 2500000);
	assert_int_equal(gk_mock.throttled, 1);
	/* VERSION is never limited; an unthrottled call leaves RDX as it was. */
	assert_int_equal(gk_hypercall6_2(PV_CALL_VERSION, 0, 0, 7, 0, 0, 0, &rdx), PV_ABI_CURRENT);
	assert_u64_equal(rdx, 7);
	gk_mock.tsc = gk_mock.throttle_until;
	assert_int_equal(gk_hypercall6_2(PV_CALL_YIELD, 0, 0, 7, 0, 0, 0, &rdx), 0);
	assert_u64_equal(rdx, 7);
}

/*
 * The wrapper waits the retry-after, once, then succeeds: it does not come back before the
 * time Shunt named, and it does not hammer Shunt with retries meanwhile (a guest-kit that
 * ignored RDX would be throttled again and again, then give up).
 */
static void test_backoff_waits_the_retry_after(void **state)
{
	uint64_t throttled = 0;

	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	throttle_for(3000000); /* 3 ms */
	assert_int_equal(gk_call_backoff(PV_CALL_YIELD, 0, 0, 0, 4, &throttled), 0);
	assert_int_equal(throttled, 1);
	assert_int_equal(gk_mock.throttled, 1);
	assert_int_equal(gk_mock.calls[PV_CALL_YIELD], 2);
	assert_true(gk_mock.tsc >= gk_mock.throttle_until);
	assert_true(gk_mock.tsc < gk_mock.throttle_until + 100000); /* and not much longer */

	/* No retries allowed: the first answer is the result. */
	throttle_for(1000000);
	throttled = 0;
	assert_int_equal(gk_call_backoff(PV_CALL_YIELD, 0, 0, 0, 0, &throttled), PV_ETHROTTLED);
	assert_int_equal(throttled, 1);
}

static void test_console_write_waits_the_retry_after(void **state)
{
	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	throttle_for(5000000); /* 5 ms: a full console buffer */
	assert_int_equal(gk_console_puts("after"), 5);
	assert_string_equal(gk_mock.console, "after");
	assert_int_equal(gk_mock.throttled, 1);
	assert_true(gk_mock.tsc >= gk_mock.throttle_until);
}

static void test_permissions(void **state)
{
	(void)state;
	gk_mock.permissions = PV_PERM_BASE;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_cpuid_reg(PV_CPUID_PRIVILEGES, 0), PV_PERM_BASE);
	assert_int_equal(gk_console_puts("no"), PV_EPERM);
	assert_int_equal(gk_vcpu_page_set(&page), PV_EPERM);
	assert_int_equal(gk_yield(), 0);
	assert_int_equal(gk_mock.console_len, 0);
}

static void test_strerror(void **state)
{
	static const int64_t codes[] = { PV_EPERM,  PV_E2BIG,		PV_EFAULT,   PV_EINVAL,
					 PV_ENOSYS, PV_EPROTONOSUPPORT, PV_ENOTCONN, PV_ETHROTTLED,
					 PV_ERETRY, PV_ENOMEM };
	const size_t n = sizeof(codes) / sizeof(codes[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const char *s = gk_strerror(codes[i]);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, "unknown error");
		assert_string_not_equal(s, "success");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, gk_strerror(codes[j]));
	}
	assert_string_equal(gk_strerror(PV_EPROTONOSUPPORT),
			    "Shunt speaks another major ABI version");
	assert_string_equal(gk_strerror(0), "success");
	assert_string_equal(gk_strerror(42), "success");
	assert_string_equal(gk_strerror(-2), "unknown error");
	assert_string_equal(gk_strerror(-5000), "unknown error");
	assert_string_equal(gk_strerror(INT64_MIN), "unknown error");
}

/* --- The generated wrappers --- */

/* Argument values no call accepts, so that no wrapper below has an effect beyond its record. */
#define A0 0xa0a0a0a0a0a0a0a1ull
#define A1 0xa1a1a1a1a1a1a1a1ull
#define A2 0xa2a2a2a2a2a2a2a2ull
#define A3 0xa3a3a3a3a3a3a3a3ull

static void check_last_call(uint64_t nr, int nargs)
{
	const uint64_t want[6] = { A0, A1, A2, A3, 0, 0 };

	assert_int_equal(gk_mock.last.nr, nr);
	assert_int_equal(gk_mock.calls[nr], 1);
	for (int i = 0; i < 6; i++)
		assert_u64_equal(gk_mock.last.arg[i], i < nargs ? want[i] : 0);
}

#define WRAPPER_0(name) gk_call_##name()
#define WRAPPER_1(name) gk_call_##name(A0)
#define WRAPPER_2(name) gk_call_##name(A0, A1)
#define WRAPPER_3(name) gk_call_##name(A0, A1, A2)
#define WRAPPER_4(name) gk_call_##name(A0, A1, A2, A3)
#define CHECK_WRAPPER(nr, NAME, name, nargs, ...)                                                  \
	if (nr != PV_CALL_EXIT) {                                                                  \
		WRAPPER_##nargs(name);                                                             \
		check_last_call(nr, nargs);                                                        \
	}

static void test_wrappers_pass_arguments_in_order(void **state)
{
	static jmp_buf jb;

	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	memset(gk_mock.calls, 0, sizeof(gk_mock.calls));
	PV_CALL_LIST(CHECK_WRAPPER)
	assert_true(gk_mock.negotiated > 0); /* the bogus HELLO did not close the interface */

	gk_mock.exit_jmp = &jb;
	if (setjmp(jb) == 0)
		gk_call_exit(A0);
	check_last_call(PV_CALL_EXIT, 1);

	/* The raw six-argument call, to a number no one has. */
	assert_int_equal(gk_hypercall6(1000, 1, 2, 3, 4, 5, 6), PV_ENOSYS);
	assert_int_equal(gk_mock.last.nr, 1000);
	for (int i = 0; i < 6; i++)
		assert_int_equal(gk_mock.last.arg[i], i + 1);
	assert_int_equal(gk_mock.calls_unknown, 1);
}

/* --- Console --- */

static void test_console_write_and_puts(void **state)
{
	static char big[PV_CONSOLE_WRITE_MAX + 1];

	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_console_puts("hello\n"), 6);
	assert_int_equal(gk_console_write("ab\0cd", 5), 5); /* bytes, not a C string */
	assert_int_equal(gk_console_puts(""), 0);
	assert_int_equal(gk_mock.console_len, 11);
	assert_memory_equal(gk_mock.console, "hello\nab\0cd", 11);

	memset(big, 'x', sizeof(big));
	assert_int_equal(gk_console_write(big, PV_CONSOLE_WRITE_MAX + 1), PV_E2BIG);
	assert_int_equal(gk_mock.console_len, 11);
	assert_int_equal(gk_console_write(big, PV_CONSOLE_WRITE_MAX), PV_CONSOLE_WRITE_MAX);
	assert_int_equal(gk_mock.console_len, 11 + PV_CONSOLE_WRITE_MAX);

	assert_int_equal(gk_console_write((const char *)(uintptr_t)gk_mock.ram_end - 2, 4),
			 PV_EFAULT);
	assert_int_equal(gk_console_write((const char *)(uintptr_t)(UINT64_MAX - 1), 4), PV_EFAULT);
	assert_int_equal(gk_mock.console_len, 11 + PV_CONSOLE_WRITE_MAX);

	/* The UART needs no hypercall (and the mock's is always ready). */
	memset(gk_mock.calls, 0, sizeof(gk_mock.calls));
	gk_uart_puts(GK_UART_COM1, "uart");
	for (int nr = 0; nr < PV_CALL_COUNT; nr++)
		assert_int_equal(gk_mock.calls[nr], 0);
}

/* --- The PV clock --- */

static void test_vcpu_page_set(void **state)
{
	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	memset(&page, 0xff, sizeof(page));
	assert_int_equal(gk_call_vcpu_page_set(GK_VIRT_TO_PHYS(&page) + 8), PV_EINVAL);
	assert_int_equal(gk_call_vcpu_page_set(gk_mock.ram_end), PV_EFAULT);
	assert_int_equal(page.events_pending, UINT64_MAX); /* refused: left alone */

	assert_int_equal(gk_vcpu_page_set(&page), 0);
	assert_int_equal(page.events_pending, 0);
	assert_int_equal(page.upcall_pending, 0);
	assert_int_equal(page.reserved[504], 0);
	assert_int_equal(page.clock.version & 1, 0);
	assert_true(page.clock.version != 0);
	assert_true(page.clock.tsc_to_system_mul != 0);
	assert_int_equal(gk_steal_ns(&page), 0);

	assert_int_equal(gk_vcpu_page_set(NULL), 0);
	assert_null(gk_mock.page);
	assert_int_equal(gk_timer_set(1), PV_EINVAL);
}

static void test_clock_monotonic(void **state)
{
	uint64_t prev, now;

	(void)state;
	gk_mock.tsc_hz = 2500000000ull;
	gk_mock.tsc = 123456789;
	open_with_page();
	prev = gk_clock_ns(&page);
	for (int i = 0; i < 10000; i++) {
		gk_mock_advance(rnd() % (i % 3 ? 5 : 100000000));
		now = gk_clock_ns(&page);
		assert_true(now >= prev);
		assert_u64_equal(now, gk_mock_clock_ns());
		prev = now;
	}
	assert_true(prev > 0);
}

/* The guest's clock against the exact time since VM start, for a few TSC frequencies. */
static void check_clock_at(uint64_t hz)
{
	static const uint64_t seconds[] = { 0, 1, 2, 60, 3600, 86400, 30 * 86400 };
	const uint64_t start = 1000000007, before = 3 * hz + 12345;

	gk_mock_reset();
	memset(&page, 0, sizeof(page));
	gk_mock.tsc_hz = hz;
	gk_mock.tsc_start = start;
	gk_mock.tsc = start + before; /* the page is registered a while after boot */
	open_with_page();
	for (size_t i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++) {
		uint64_t tsc = start + before + seconds[i] * hz + 777;
		uint64_t exact = (uint64_t)((u128)(tsc - start) * NS_PER_SEC / hz);
		uint64_t got, err;

		gk_mock.tsc = tsc;
		got = gk_clock_ns(&page);
		err = got > exact ? got - exact : exact - got;
		if (err > 1 + seconds[i])
			fail_msg("%llu Hz after %llu s: %llu ns, exactly %llu ns",
				 (unsigned long long)hz, (unsigned long long)seconds[i],
				 (unsigned long long)got, (unsigned long long)exact);
	}
}

static void test_clock_frequencies(void **state)
{
	(void)state;
	check_clock_at(50000000ull);
	check_clock_at(1000000000ull);
	check_clock_at(1193182ull);
	check_clock_at(2500000000ull);
	check_clock_at(3700000000ull);
	check_clock_at(5123456789ull);
}

/*
 * Shunt updating the clock while the guest reads it, driven by the guest's own RDTSCs:
 * from the first one on, the writer is busy (version odd, system_time_ns half written);
 * at the finish_at-th one it is done (new time, version even).
 */
static unsigned int rdtsc_seen, finish_at;
static uint64_t final_ns;

static void writer_step(void)
{
	rdtsc_seen++;
	if (rdtsc_seen == 1 && !(page.clock.version & 1)) {
		page.clock.version++;
		page.clock.system_time_ns += 12345; /* torn: neither old nor new */
	}
	if (rdtsc_seen == finish_at) {
		page.clock.system_time_ns = final_ns;
		page.clock.version++;
	}
}

static void test_clock_retries_while_updating(void **state)
{
	uint64_t before, base;

	(void)state;
	open_with_page();
	gk_mock_advance(5000);
	before = gk_clock_ns(&page);
	base = page.clock.system_time_ns;
	gk_mock.rdtsc_hook = writer_step;

	/* The version changes between the reader's first and second look. */
	final_ns = base + NS_PER_SEC;
	rdtsc_seen = 0;
	finish_at = 2;
	assert_u64_equal(gk_clock_ns(&page), before + NS_PER_SEC);

	/* The reader starts during an update that is still going on when it looks again. */
	final_ns = base + 2 * NS_PER_SEC;
	page.clock.version++;
	page.clock.system_time_ns += 777;
	rdtsc_seen = 1;
	finish_at = 3;
	assert_u64_equal(gk_clock_ns(&page), before + 2 * NS_PER_SEC);
	assert_int_equal(page.clock.version & 1, 0);
	gk_mock.rdtsc_hook = NULL;
}

static void test_clock_scale_reference(void **state)
{
	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint32_t mul = (uint32_t)rnd();
		int8_t shift = (int8_t)((int)(rnd() % 127) - 63);
		uint64_t delta = rnd() >> (rnd() % 64);
		uint64_t shifted, want;

		if (shift > 0)
			delta >>= shift; /* the protocol's 64-bit shift must not overflow */
		shifted = shift < 0 ? delta >> -shift : delta << shift;
		want = (uint64_t)(((u128)shifted * mul) >> 32);
		if (gk_clock_scale(delta, mul, shift) != want)
			fail_msg("scale(0x%llx, 0x%x, %d) = 0x%llx, expected 0x%llx",
				 (unsigned long long)delta, mul, shift,
				 (unsigned long long)gk_clock_scale(delta, mul, shift),
				 (unsigned long long)want);
	}
	assert_u64_equal(gk_clock_scale(UINT64_MAX, UINT32_MAX, 0),
			 (uint64_t)(((u128)UINT64_MAX * UINT32_MAX) >> 32));
	assert_u64_equal(gk_clock_scale(0, UINT32_MAX, 31), 0);
	assert_u64_equal(gk_clock_scale(1000, 1u << 31, 1), 1000);
}

/* --- Events and the timer --- */

static unsigned int seen[PV_EVENT_COUNT], nseen;

static void record(unsigned int event, void *context)
{
	assert_ptr_equal(context, &nseen);
	assert_true(nseen < PV_EVENT_COUNT);
	seen[nseen++] = event;
}

static void test_events_dispatch(void **state)
{
	(void)state;
	nseen = 0;
	page.events_pending = (1ull << 63) | (1ull << 32) | (1ull << 5) | 1ull;
	page.upcall_pending = 1;
	assert_int_equal(gk_events_dispatch(&page, record, &nseen), 4);
	assert_int_equal(nseen, 4);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 5);
	assert_int_equal(seen[2], 32);
	assert_int_equal(seen[3], 63);
	assert_int_equal(page.events_pending, 0);
	assert_int_equal(page.upcall_pending, 0);

	/* Each event once: nothing is left for a second run. */
	assert_int_equal(gk_events_dispatch(&page, record, &nseen), 0);
	assert_int_equal(nseen, 4);

	/* A spurious upcall is acknowledged and harmless. */
	page.upcall_pending = 1;
	assert_int_equal(gk_events_dispatch(&page, record, &nseen), 0);
	assert_int_equal(page.upcall_pending, 0);
	assert_int_equal(nseen, 4);
}

static void test_events_through_shunt(void **state)
{
	(void)state;
	open_with_page();
	assert_int_equal(gk_events_bind(31), PV_EINVAL);
	assert_int_equal(gk_events_bind(VECTOR), 0);
	gk_mock_raise(PV_EVENT_GUEST_FIRST + 1);
	gk_mock_raise(PV_EVENT_GUEST_FIRST);
	/* One injection: the second event rides on the upcall not yet acknowledged. */
	assert_int_equal(gk_mock.upcalls, 1);
	assert_int_equal(page.upcall_pending, 1);
	nseen = 0;
	assert_int_equal(gk_events_dispatch(&page, record, &nseen), 2);
	assert_int_equal(seen[0], PV_EVENT_GUEST_FIRST);
	assert_int_equal(seen[1], PV_EVENT_GUEST_FIRST + 1);

	/* Unbound, events wait in the page; binding again delivers them. */
	assert_int_equal(gk_events_bind(0), 0);
	gk_mock_raise(PV_EVENT_GUEST_LAST);
	assert_int_equal(gk_mock.upcalls, 1);
	assert_int_equal(gk_events_bind(255), 0);
	assert_int_equal(gk_mock.upcalls, 2);
	assert_int_equal(gk_events_dispatch(&page, record, &nseen), 1);
	assert_int_equal(seen[2], PV_EVENT_GUEST_LAST);
}

static void test_timer_fires_once(void **state)
{
	uint64_t deadline;

	(void)state;
	gk_mock.tsc_hz = 2500000000ull; /* 2.5 ticks per ns */
	gk_mock.tsc = 999;
	open_with_page();
	assert_int_equal(gk_events_bind(VECTOR), 0);
	deadline = gk_clock_ns(&page) + 1000000; /* 1 ms */
	assert_int_equal(gk_timer_set(deadline), 0);

	gk_mock_advance(2500000 - 10);
	assert_true(gk_clock_ns(&page) < deadline);
	assert_int_equal(page.events_pending, 0);
	assert_int_equal(gk_mock.upcalls, 0);

	gk_mock_advance(20);
	assert_true(gk_clock_ns(&page) >= deadline);
	assert_int_equal(page.events_pending, 1ull << PV_EVENT_TIMER);
	assert_int_equal(page.upcall_pending, 1);
	assert_int_equal(gk_mock.upcalls, 1);
	nseen = 0;
	assert_int_equal(gk_events_dispatch(&page, record, &nseen), 1);
	assert_int_equal(seen[0], PV_EVENT_TIMER);

	gk_mock_advance(100 * 2500000ull);
	assert_int_equal(page.events_pending, 0);
	assert_int_equal(gk_mock.upcalls, 1);
	assert_int_equal(gk_mock.timer_fired, 1);
}

static void test_timer_past_cancel_replace(void **state)
{
	uint64_t now;

	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_timer_set(1), PV_EINVAL); /* no page yet */
	assert_int_equal(gk_vcpu_page_set(&page), 0);
	gk_mock_advance(5000000);
	now = gk_clock_ns(&page);

	assert_int_equal(gk_timer_set(now - 1000), 0); /* in the past: at once */
	assert_int_equal(page.events_pending, 1ull << PV_EVENT_TIMER);
	page.events_pending = 0;

	assert_int_equal(gk_timer_set(now + 1000), 0);
	assert_int_equal(gk_timer_set(0), 0); /* cancelled */
	gk_mock_advance(1000000);
	assert_int_equal(page.events_pending, 0);

	now = gk_clock_ns(&page);
	assert_int_equal(gk_timer_set(now + 1000), 0);
	assert_int_equal(gk_timer_set(now + 5000), 0); /* replaces the first */
	gk_mock_advance(2000);
	assert_int_equal(page.events_pending, 0);
	gk_mock_advance(3000);
	assert_int_equal(page.events_pending, 1ull << PV_EVENT_TIMER);
	assert_int_equal(gk_mock.timer_fired, 2);

	/* Unregistering the page cancels the timer. */
	page.events_pending = 0;
	assert_int_equal(gk_timer_set(gk_clock_ns(&page) + 1000), 0);
	assert_int_equal(gk_vcpu_page_set(NULL), 0);
	gk_mock_advance(1000000);
	assert_int_equal(gk_mock.timer_fired, 2);
}

/* --- The console ring --- */

static void pattern(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(' ' + (i * 7 + i / 95) % 95);
}

static void test_ring_roundtrip(void **state)
{
	static const char msg[] = "through the ring\n";

	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_ring_flush(), PV_EINVAL); /* no ring yet */
	assert_int_equal(gk_ring_init(&ring.header, 64), 0);
	assert_int_equal(gk_ring_write(&ring.header, msg, sizeof(msg) - 1), sizeof(msg) - 1);
	assert_int_equal(gk_mock.console_len, 0); /* nothing until the kick */
	assert_int_equal(gk_ring_flush(), sizeof(msg) - 1);
	assert_string_equal(gk_mock.console, msg);
	assert_int_equal(gk_ring_flush(), 0);
}

static void test_ring_write_longer_than_ring(void **state)
{
	static char in[5000];

	(void)state;
	pattern(in, sizeof(in));
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_ring_init(&ring.header, 64), 0);
	/* A few bytes drained first, so that neither index sits at the start of the ring. */
	assert_int_equal(gk_ring_write(&ring.header, in, 10), 10);
	assert_int_equal(gk_ring_flush(), 10);
	assert_int_equal(gk_ring_write(&ring.header, in + 10, sizeof(in) - 10), sizeof(in) - 10);
	assert_true(gk_ring_flush() >= 0);
	assert_int_equal(gk_mock.console_len, sizeof(in));
	assert_memory_equal(gk_mock.console, in, sizeof(in));
	assert_true(gk_mock.calls[PV_CALL_CONSOLE_RING_KICK] >= sizeof(in) / 64);
}

static void test_ring_wraps_at_2_32(void **state)
{
	static char in[1000];

	(void)state;
	pattern(in, sizeof(in));
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_ring_init(&ring.header, 128), 0);
	/* As if 4 GiB had gone through already. */
	ring.header.producer = ring.header.consumer = UINT32_MAX - 100;
	assert_int_equal(gk_ring_write(&ring.header, in, sizeof(in)), sizeof(in));
	assert_true(gk_ring_flush() >= 0);
	assert_int_equal(ring.header.producer, (uint32_t)(UINT32_MAX - 100 + sizeof(in)));
	assert_int_equal(ring.header.consumer, ring.header.producer);
	assert_int_equal(gk_mock.console_len, sizeof(in));
	assert_memory_equal(gk_mock.console, in, sizeof(in));
}

static void test_ring_checks(void **state)
{
	(void)state;
	assert_true(gk_open(PV_OS_TEST, 0, NULL) > 0);
	assert_int_equal(gk_ring_init(&ring.header, 100), PV_EINVAL);
	assert_int_equal(gk_ring_init(&ring.header, PV_CONSOLE_RING_MIN / 2), PV_EINVAL);
	assert_int_equal(gk_ring_init(&ring.header, PV_CONSOLE_RING_MAX * 2), PV_EINVAL);
	assert_int_equal(gk_call_console_ring_set(GK_VIRT_TO_PHYS(&ring) + 4, 64), PV_EINVAL);
	assert_int_equal(gk_call_console_ring_set(gk_mock.ram_end - 64, 64), PV_EFAULT);
	assert_int_equal(gk_ring_flush(), PV_EINVAL);

	/* Set-up makes the ring empty whatever the header held. */
	ring.header.producer = 77;
	assert_int_equal(gk_call_console_ring_set(GK_VIRT_TO_PHYS(&ring), 256), 0);
	assert_int_equal(ring.header.consumer, 77);
	assert_int_equal(ring.header.size, 256);

	/* Inconsistent indexes: refused, and the ring is reset. */
	ring.header.producer = ring.header.consumer + 257;
	assert_int_equal(gk_ring_flush(), PV_EINVAL);
	assert_int_equal(ring.header.consumer, ring.header.producer);
	assert_int_equal(gk_mock.ring_resets, 1);
	assert_int_equal(gk_ring_flush(), 0);
	assert_int_equal(gk_mock.console_len, 0);

	assert_int_equal(gk_call_console_ring_set(0, 0), 0);
	assert_int_equal(gk_ring_flush(), PV_EINVAL);
}

/* --- Exit --- */

static void test_exit_returns_to_the_test(void **state)
{
	static jmp_buf jb;

	(void)state;
	gk_mock.exit_jmp = &jb;
	if (setjmp(jb) == 0) {
		gk_exit(-5); /* before gk_open: EXIT always works */
		fail_msg("gk_exit returned");
	}
	assert_true(gk_mock.exited);
	assert_int_equal(gk_mock.exit_code, -5);
	assert_int_equal(gk_mock.calls[PV_CALL_EXIT], 1);
	assert_u64_equal(gk_mock.last.arg[0], (uint64_t)-5);
}

static void test_exit_without_jmp_buf_aborts(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		gk_mock_reset();
		gk_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* --- Number formatting (buffers of exactly the documented size) --- */

static void test_fmt_u64(void **state)
{
	char buf[21];

	(void)state;
	assert_string_equal(gk_fmt_u64(buf, 0), "0");
	assert_string_equal(gk_fmt_u64(buf, 9), "9");
	assert_string_equal(gk_fmt_u64(buf, 10), "10");
	assert_string_equal(gk_fmt_u64(buf, 10000000000000000000ull), "10000000000000000000");
	assert_string_equal(gk_fmt_u64(buf, UINT64_MAX), "18446744073709551615");
	assert_ptr_equal(gk_fmt_u64(buf, 1), buf);
}

static void test_fmt_i64(void **state)
{
	char buf[22];

	(void)state;
	assert_string_equal(gk_fmt_i64(buf, 0), "0");
	assert_string_equal(gk_fmt_i64(buf, -1), "-1");
	assert_string_equal(gk_fmt_i64(buf, 42), "42");
	assert_string_equal(gk_fmt_i64(buf, INT64_MAX), "9223372036854775807");
	assert_string_equal(gk_fmt_i64(buf, INT64_MIN), "-9223372036854775808");
	assert_ptr_equal(gk_fmt_i64(buf, -1), buf);
}

static void test_fmt_hex(void **state)
{
	char buf[19];

	(void)state;
	assert_string_equal(gk_fmt_hex(buf, 0), "0x0");
	assert_string_equal(gk_fmt_hex(buf, 0xf), "0xf");
	assert_string_equal(gk_fmt_hex(buf, 0x10), "0x10");
	assert_string_equal(gk_fmt_hex(buf, 0x0123456789abcdefull), "0x123456789abcdef");
	assert_string_equal(gk_fmt_hex(buf, 1ull << 63), "0x8000000000000000");
	assert_string_equal(gk_fmt_hex(buf, UINT64_MAX), "0xffffffffffffffff");
	assert_ptr_equal(gk_fmt_hex(buf, 1), buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_detect_no_hypervisor, setup),
		cmocka_unit_test_setup(test_detect_foreign, setup),
		cmocka_unit_test_setup(test_detect_wrong_major, setup),
		cmocka_unit_test_setup(test_detect_ok, setup),
		cmocka_unit_test_setup(test_cpuid_leaves, setup),
		cmocka_unit_test_setup(test_vmcall_before_detection, setup),
		cmocka_unit_test_setup(test_detect_picks_vmmcall_on_amd, setup),
		cmocka_unit_test_setup(test_detect_picks_vmcall_on_intel, setup),
		cmocka_unit_test_setup(test_detect_keeps_vmcall_unless_shunt_of_this_major, setup),
		cmocka_unit_test_setup(test_hypercall_select, setup),
		cmocka_unit_test_setup(test_flag_is_one_object_across_files, setup),
		cmocka_unit_test_setup(test_vmmcall_on_intel_aborts, setup),
		cmocka_unit_test_setup(test_open_negotiates, setup),
		cmocka_unit_test_setup(test_open_other_major, setup),
		cmocka_unit_test_setup(test_open_without_shunt, setup),
		cmocka_unit_test_setup(test_calls_before_open, setup),
		cmocka_unit_test_setup(test_call_newer_than_negotiated, setup),
		cmocka_unit_test_setup(test_permissions, setup),
		cmocka_unit_test_setup(test_strerror, setup),
		cmocka_unit_test_setup(test_wrappers_pass_arguments_in_order, setup),
		cmocka_unit_test_setup(test_console_write_and_puts, setup),
		cmocka_unit_test_setup(test_vcpu_page_set, setup),
		cmocka_unit_test_setup(test_clock_monotonic, setup),
		cmocka_unit_test_setup(test_clock_frequencies, setup),
		cmocka_unit_test_setup(test_clock_retries_while_updating, setup),
		cmocka_unit_test_setup(test_clock_scale_reference, setup),
		cmocka_unit_test_setup(test_events_dispatch, setup),
		cmocka_unit_test_setup(test_events_through_shunt, setup),
		cmocka_unit_test_setup(test_timer_fires_once, setup),
		cmocka_unit_test_setup(test_timer_past_cancel_replace, setup),
		cmocka_unit_test_setup(test_ring_roundtrip, setup),
		cmocka_unit_test_setup(test_ring_write_longer_than_ring, setup),
		cmocka_unit_test_setup(test_ring_wraps_at_2_32, setup),
		cmocka_unit_test_setup(test_ring_checks, setup),
		cmocka_unit_test_setup(test_exit_returns_to_the_test, setup),
		cmocka_unit_test_setup(test_exit_without_jmp_buf_aborts, setup),
		cmocka_unit_test_setup(test_throttled_call_reports_retry_after, setup),
		cmocka_unit_test_setup(test_backoff_waits_the_retry_after, setup),
		cmocka_unit_test_setup(test_console_write_waits_the_retry_after, setup),
		cmocka_unit_test_setup(test_vm_info, setup),
		cmocka_unit_test_setup(test_fmt_u64, setup),
		cmocka_unit_test_setup(test_fmt_i64, setup),
		cmocka_unit_test_setup(test_fmt_hex, setup),
	};

	return unit_run(tests);
}
