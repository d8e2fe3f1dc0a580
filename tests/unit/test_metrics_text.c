/*
 * /metrics' text (hv/net/metrics_text.c) from fake VMs: the lines and values, label
 * escaping, seconds, families kept together, snprintf-like truncation, the size with 64 VMs,
 * and Prometheus' own checker (promtool check metrics) on the result, which must also
 * refuse a broken text so that it is known to be looking.
 */
#define _POSIX_C_SOURCE 200809L /* popen */
#include "unit.h"

#include <hv/net/metrics.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG (1u << 20)

struct fake_exit {
	const char *kind;
	uint64_t n;
};

struct fake_vm {
	struct metrics_vm vm;
	struct fake_exit exits[80];
	unsigned int exit_count;
};

static struct fake_vm fakes[64];
static char text[BIG];

static void fake_exits(const void *src, void (*fn)(void *ctx, const char *kind, uint64_t n),
		       void *ctx)
{
	const struct fake_vm *f = src;

	for (unsigned int i = 0; i < f->exit_count; i++)
		fn(ctx, f->exits[i].kind, f->exits[i].n);
}

static void fake_get(const void *ctx, unsigned int i, struct metrics_vm *out)
{
	const struct fake_vm *f = ctx;

	*out = f[i].vm;
	out->for_each_exit = fake_exits;
	out->exit_src = &f[i];
}

static struct metrics_host host;

static struct metrics_source source(unsigned int count)
{
	return (struct metrics_source){ &host, count, fake_get, fakes };
}

static void setup_two(void)
{
	memset(fakes, 0, sizeof(fakes));
	host = (struct metrics_host){ .version = "0.1.0",
				      .backend = "VT-x",
				      .tsc_hz = 1000000000,
				      .cycles = 12500000000ull,
				      .cpus = 1,
				      .has_pool = 1,
				      .pool_bytes = 262144,
				      .pool_used_bytes = 41000,
				      .pool_high_water_bytes = 52000,
				      .auth_failures = 7,
				      .mgmt_work_cycles = 2000000001,
				      .has_http = 1,
				      .http = { .requests = 31,
						.answers = { 0, 0, 20, 0, 10, 1 },
						.connections = 9,
						.connections_open = 2,
						.connections_refused = 3,
						.rate_limited = 4,
						.timeouts = 5,
						.pool_short = 6 } };
	fakes[0].vm = (struct metrics_vm){ .name = "hello",
					   .state = "running",
					   .memory_bytes = 4194304,
					   .boots = 2,
					   .hypercall_errors = 3,
					   .hw_calls = 4,
					   .hw_port_ops = 5,
					   .hw_refused = 6,
					   .throttles = { 10, 11, 12 },
					   .console_bytes = 100,
					   .console_dropped = 9,
					   .steal_cycles = 1500000000ull };
	fakes[0].vm.calls[PV_CALL_CONSOLE_WRITE] = 8;
	fakes[0].vm.calls[PV_CALL_VM_INFO] = 1;
	fakes[0].vm.calls[PV_CALL_COUNT] = 2;
	fakes[0].exits[0] = (struct fake_exit){ "VMCALL", 10 };
	fakes[0].exits[1] = (struct fake_exit){ "VM entry: invalid guest state", 1 };
	fakes[0].exits[2] = (struct fake_exit){ "exception or NMI", 3 };
	fakes[0].exits[3] = (struct fake_exit){ "I/O instruction", 4 };
	fakes[0].exit_count = 4;
	fakes[1].vm = (struct metrics_vm){ .name = "we\"ird\\na\nme", .state = "refused" };
}

static void has_line(const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("missing line: %s\n--- text:\n%s", line, text);
}

static void lacks(const char *s)
{
	if (strstr(text, s))
		fail_msg("unexpected: %s", s);
}

static void test_values(void **state)
{
	struct metrics_source src;
	size_t n;

	(void)state;
	setup_two();
	src = source(2);
	n = metrics_text_write(text, sizeof(text), &src);
	assert_int_equal(n, strlen(text));
	has_line("# TYPE shunt_info gauge");
	has_line("shunt_info{version=\"0.1.0\",backend=\"VT-x\"} 1");
	has_line("shunt_uptime_seconds 12.500000000");
	has_line("shunt_hypervisor_ticks_total 12500000000");
	has_line("shunt_tsc_hz 1000000000");
	has_line("shunt_cpus 1");
	has_line("shunt_vms 2");
	has_line("shunt_mgmt_pool_bytes 262144");
	has_line("shunt_mgmt_pool_used_bytes 41000");
	has_line("shunt_mgmt_pool_high_water_bytes 52000");
	has_line("shunt_mgmt_auth_failures_total 7");
	has_line("shunt_mgmt_work_seconds_total 2.000000001");
	has_line("shunt_mgmt_http_requests_total 31");
	has_line("shunt_mgmt_http_answers_total{class=\"2xx\"} 20");
	has_line("shunt_mgmt_http_answers_total{class=\"3xx\"} 0");
	has_line("shunt_mgmt_http_answers_total{class=\"4xx\"} 10");
	has_line("shunt_mgmt_http_answers_total{class=\"5xx\"} 1");
	lacks("class=\"1xx\"");
	has_line("shunt_mgmt_http_connections_total 9");
	has_line("shunt_mgmt_http_connections_open 2");
	has_line("shunt_mgmt_http_connections_refused_total 3");
	has_line("shunt_mgmt_http_rate_limited_total 4");
	has_line("shunt_mgmt_http_timeouts_total 5");
	has_line("shunt_mgmt_http_pool_short_total 6");
	lacks("shunt_log_lines_dropped_total"); /* no log ring: the family is left out */
	has_line("shunt_vm_state{vm=\"hello\",state=\"running\"} 1");
	has_line("shunt_vm_state{vm=\"hello\",state=\"stopped\"} 0");
	has_line("shunt_vm_state{vm=\"hello\",state=\"refused\"} 0");
	has_line("shunt_vm_state{vm=\"we\\\"ird\\\\na\\nme\",state=\"refused\"} 1");
	has_line("shunt_vm_memory_bytes{vm=\"hello\"} 4194304");
	has_line("shunt_vm_boots_total{vm=\"hello\"} 2");
	has_line("shunt_vm_hypercall_errors_total{vm=\"hello\"} 3");
	has_line("shunt_vm_hw_calls_total{vm=\"hello\"} 4");
	has_line("shunt_vm_hw_port_operations_total{vm=\"hello\"} 5");
	has_line("shunt_vm_hw_refused_total{vm=\"hello\"} 6");
	has_line("shunt_vm_console_bytes_total{vm=\"hello\"} 100");
	has_line("shunt_vm_console_dropped_bytes_total{vm=\"hello\"} 9");
	has_line("shunt_vm_exits_total{vm=\"hello\",reason=\"vmcall\"} 10");
	has_line("shunt_vm_exits_total{vm=\"hello\",reason=\"vm_entry_invalid_guest_state\"} 1");
	has_line("shunt_vm_exits_total{vm=\"hello\",reason=\"exception_or_nmi\"} 3");
	has_line("shunt_vm_exits_total{vm=\"hello\",reason=\"io_instruction\"} 4");
	has_line("shunt_vm_hypercalls_total{vm=\"hello\",call=\"console_write\"} 8");
	has_line("shunt_vm_hypercalls_total{vm=\"hello\",call=\"vm_info\"} 1");
	has_line("shunt_vm_hypercalls_total{vm=\"hello\",call=\"unknown\"} 2");
	lacks("call=\"version\""); /* never made: left out */
	has_line("shunt_vm_throttles_total{vm=\"hello\",class=\"console\"} 10");
	has_line("shunt_vm_throttles_total{vm=\"hello\",class=\"other\"} 11");
	has_line("shunt_vm_throttles_total{vm=\"hello\",class=\"hw\"} 12");
	has_line("shunt_vm_steal_seconds_total{vm=\"hello\"} 1.500000000");
	has_line("shunt_vm_steal_seconds_total{vm=\"we\\\"ird\\\\na\\nme\"} 0.000000000");
}

static void test_optional_and_odd_host(void **state)
{
	struct metrics_source src;

	(void)state;
	setup_two();
	host.has_pool = 0;
	host.has_http = 0;
	host.has_log_dropped = 1;
	host.log_dropped = 5;
	host.backend = NULL;
	host.tsc_hz = 3;
	host.cycles = UINT64_MAX; /* the largest time: 2^64-1 at 3 Hz */
	fakes[0].vm.steal_cycles = UINT64_MAX;
	src = source(1);
	metrics_text_write(text, sizeof(text), &src);
	lacks("shunt_mgmt_pool");
	lacks("shunt_mgmt_http");
	has_line("shunt_log_lines_dropped_total 5");
	has_line("shunt_info{version=\"0.1.0\",backend=\"none\"} 1");
	has_line("shunt_uptime_seconds 6148914691236517205.000000000");
	has_line("shunt_vm_steal_seconds_total{vm=\"hello\"} 6148914691236517205.000000000");
	host.cycles = 2;
	metrics_text_write(text, sizeof(text), &src);
	has_line("shunt_uptime_seconds 0.666666666");
}

/* Every sample's family has a TYPE line before it, and no family comes back later. */
static void test_families_together(void **state)
{
	struct metrics_source src;
	char seen[64][64], current[64] = "";
	unsigned int nseen = 0, samples = 0;

	(void)state;
	setup_two();
	src = source(2);
	metrics_text_write(text, sizeof(text), &src);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char name[64];

		if (sscanf(line, "# TYPE %63s", name) == 1) {
			for (unsigned int i = 0; i < nseen; i++)
				assert_string_not_equal(seen[i], name);
			assert_true(nseen < 64);
			strcpy(seen[nseen++], name);
			strcpy(current, name);
			continue;
		}
		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%63[a-z_]", name), 1);
		assert_string_equal(name, current);
		samples++;
	}
	assert_true(samples > 30);
}

/* Like snprintf: the same length for any size, the prefix that fits, always terminated. */
static void test_truncation(void **state)
{
	static char small[BIG];
	struct metrics_source src;
	size_t full;

	(void)state;
	setup_two();
	src = source(2);
	full = metrics_text_write(text, sizeof(text), &src);
	assert_int_equal(metrics_text_write(NULL, 0, &src), full);
	for (size_t size = 1; size < full + 3; size += 97) {
		memset(small, 'X', size + 1);
		assert_int_equal(metrics_text_write(small, size, &src), full);
		assert_int_equal(strlen(small), size - 1 < full ? size - 1 : full);
		assert_memory_equal(small, text, strlen(small));
		assert_int_equal(small[size], 'X'); /* nothing past size */
	}
}

/* count VMs with 31-character names; every counter is value, calls made ncalls of them. */
/* Pieces from any offset, of any size, put together, are the whole text. */
static void test_parts(void **state)
{
	static char whole[BIG], joined[BIG], piece[4096];
	struct metrics_source src;
	size_t full;

	(void)state;
	setup_two();
	src = source(2);
	full = metrics_text_write(whole, sizeof(whole), &src);
	for (size_t size = 2; size < 3000; size = size * 3 + 1) {
		size_t at = 0;

		while (at < full) {
			memset(piece, 'X', sizeof(piece));
			assert_int_equal(metrics_text_write_part(piece, size, at, &src), full);
			assert_int_equal(strlen(piece),
					 full - at < size - 1 ? full - at : size - 1);
			assert_int_equal(piece[size], 'X');
			memcpy(joined + at, piece, strlen(piece));
			at += strlen(piece);
		}
		assert_int_equal(at, full);
		assert_memory_equal(joined, whole, full);
	}
	/* From the end or past it: nothing but the NUL. */
	piece[0] = 'X';
	assert_int_equal(metrics_text_write_part(piece, 10, full, &src), full);
	assert_int_equal(piece[0], '\0');
	piece[0] = 'X';
	assert_int_equal(metrics_text_write_part(piece, 10, full + 100, &src), full);
	assert_int_equal(piece[0], '\0');
}

static void fill_many(unsigned int count, uint64_t value, unsigned int ncalls)
{
	static char names[64][32];
	static const char *const kinds[] = {
		"exception or NMI", "external interrupt",     "CPUID", "HLT",
		"VMCALL",	    "I/O instruction",	      "RDMSR", "WRMSR",
		"EPT violation",    "control register access"
	};

	setup_two();
	for (unsigned int i = 0; i < count; i++) {
		struct fake_vm *f = &fakes[i];

		snprintf(names[i], sizeof(names[i]), "vm-%027u", i); /* 31 characters: the most */
		f->vm = (struct metrics_vm){ .name = names[i], .state = "stopped" };
		f->vm.memory_bytes = f->vm.boots = f->vm.hypercall_errors = value;
		f->vm.hw_calls = f->vm.hw_port_ops = f->vm.hw_refused = value;
		f->vm.console_bytes = f->vm.console_dropped = f->vm.steal_cycles = value;
		for (unsigned int c = 0; c < ncalls && c <= PV_CALL_COUNT; c++)
			f->vm.calls[c] = value;
		for (unsigned int t = 0; t < METRICS_THROTTLE_CLASSES; t++)
			f->vm.throttles[t] = value;
		for (unsigned int k = 0; k < 10; k++)
			f->exits[k] = (struct fake_exit){ kinds[k], value };
		f->exit_count = 10;
	}
	host.tsc_hz = 1;
}

/*
 * The sizes README.md states (the server takes the buffer from lwIP's pool by this length):
 * 64 VMs with 31-character names and ten kinds of exit each; every counter at 2^64-1 and
 * every call made (the most there can be), or counters of 7 digits and 6 calls made.
 */
static void test_size_64_vms(void **state)
{
	struct metrics_source src = source(64);
	size_t worst, typical;

	(void)state;
	fill_many(64, UINT64_MAX, PV_CALL_COUNT + 1);
	worst = metrics_text_write(text, sizeof(text), &src);
	fill_many(64, 1234567, 6);
	typical = metrics_text_write(text, sizeof(text), &src);
	print_message("metrics: 64 VMs: %zu bytes at most, %zu typical\n", worst, typical);
	assert_true(worst > 200 * 1024 && worst < 272 * 1024);
	assert_true(typical > 128 * 1024 && typical < 192 * 1024);
}

/* promtool check metrics: 0 for our text; it must say no to a broken one. */
static int promtool(const char *t)
{
	FILE *p = popen("promtool check metrics >/dev/null 2>&1", "w");

	if (!p)
		fail_msg("can not run promtool (Debian package prometheus: tools/install-deps)");
	fputs(t, p);
	return pclose(p);
}

static void test_promtool(void **state)
{
	struct metrics_source src;

	(void)state;
	if (system("command -v promtool >/dev/null") != 0)
		fail_msg("promtool is missing (Debian package prometheus: tools/install-deps)");
	setup_two();
	src = source(2);
	metrics_text_write(text, sizeof(text), &src);
	assert_int_equal(promtool(text), 0);
	fill_many(64, UINT64_MAX, PV_CALL_COUNT + 1);
	src = source(64);
	metrics_text_write(text, sizeof(text), &src);
	assert_int_equal(promtool(text), 0);
	/* A counter that does not end in _total, and a sample with no family: refused. */
	assert_int_not_equal(promtool("# HELP shunt_x X.\n# TYPE shunt_x counter\nshunt_x 1\n"), 0);
	assert_int_not_equal(promtool("shunt_y{vm=\"a} 1\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_optional_and_odd_host),
		cmocka_unit_test(test_families_together),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_size_64_vms),
		cmocka_unit_test(test_promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
