/*
 * The hypervisor command line (hv/cmdline.c) and the log it configures (hv/log.c): flags,
 * loglevel and hwbudget values, every kind of bad word reported without changing behaviour,
 * and the log's level filtering, prefixes, truncation, printable output, storm guard and
 * panic().
 */
#include "unit.h"

#include "hv_string.h"

#include <hv/arch.h>
#include <hv/cmdline.h>
#include <hv/hv.h>
#include <hv/log.h>

#include <stdlib.h>

/* --- Fakes of what log.c needs from the rest of the hypervisor --- */

static char console[4096];
static size_t console_len;
static unsigned int console_writes;

void arch_console_write(const char *s, size_t len)
{
	assert_true(console_len + len < sizeof(console));
	memcpy(console + console_len, s, len);
	console_len += len;
	console[console_len] = '\0';
	console_writes++;
}

/* The console takes log lines straight (hv/console.c is not under test here). */
int console_log_write(const char *s, size_t len)
{
	arch_console_write(s, len);
	return 0;
}

void console_begin_dump(void)
{
}

void console_stop_async(void)
{
}

static uint64_t fake_cycles;

uint64_t arch_cycles(void)
{
	return fake_cycles;
}

uint64_t arch_tsc_hz(void)
{
	return 1000; /* one second is 1000 cycles */
}

static jmp_buf stop_jump;
static int stop_expected;
static int stop_code;

/* Only panic() may stop (hv_stop_fatal()), and only where a test expects it. */
void hv_stop(int exit_code)
{
	fail_msg("hv_stop(%d) called: panic() ends through hv_stop_fatal()", exit_code);
	abort();
}

static int others_stopped;	   /* hv_stop_other_cpus() calls */
static size_t console_at_stopping; /* what was printed at the first */

void hv_stop_other_cpus(void)
{
	if (!others_stopped++)
		console_at_stopping = strlen(console);
}

void hv_stop_fatal(int exit_code)
{
	if (!stop_expected) {
		fail_msg("hv_stop_fatal(%d) called unexpectedly", exit_code);
		abort();
	}
	stop_code = exit_code;
	longjmp(stop_jump, 1);
}

/* glibc before 2.38 has no strlcpy, which log.c uses: give it hv's own. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	return hv_strlcpy(dst, src, size);
}

static struct hv_options opts;
static struct cmdline_problems problems;

static int setup(void **state)
{
	(void)state;
	memset(&opts, 0x5a, sizeof(opts));
	memset(&problems, 0x5a, sizeof(problems));
	console_len = 0;
	console[0] = '\0';
	console_writes = 0;
	stop_expected = 0;
	log_set_level(LOG_INFO);
	return 0;
}

static unsigned int parse(const char *line)
{
	return cmdline_parse(line, &opts, &problems);
}

static void expect_defaults(void)
{
	assert_int_equal(opts.on_all_stopped, HV_STOPPED_HALT);
	assert_int_equal(opts.crash_test, 0);
	assert_int_equal(opts.log_level, LOG_INFO);
	assert_int_equal(opts.hw_budget, CMDLINE_HW_BUDGET_DEFAULT);
	assert_int_equal(opts.console.kind, SERIAL_PORT);
	assert_u64_equal(opts.console.addr, 0x3f8);
	assert_int_equal(opts.screen, HV_SCREEN_AUTO);
}

/* --- cmdline_parse --- */

static void test_empty_line(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(problems.count, 0);
	expect_defaults();
}

static void test_only_blanks(void **state)
{
	(void)state;
	assert_int_equal(parse(" \t  \t"), 0);
	expect_defaults();
}

static void test_flags(void **state)
{
	(void)state;
	assert_int_equal(parse("test"), 0);
	assert_int_equal(opts.on_all_stopped, HV_STOPPED_POWEROFF);
	assert_int_equal(opts.crash_test, 0);
	assert_int_equal(opts.log_level, LOG_INFO);
	assert_int_equal(parse("crashtest test"), 0);
	assert_int_equal(opts.on_all_stopped, HV_STOPPED_POWEROFF);
	assert_int_equal(opts.crash_test, 1);
}

/* Each parse starts from the defaults: nothing carries over from a previous line. */
static void test_defaults_each_time(void **state)
{
	(void)state;
	assert_int_equal(parse("test crashtest loglevel=debug"), 0);
	assert_int_equal(parse("bogus"), 1);
	expect_defaults();
	assert_int_equal(problems.count, 1);
}

static void test_loglevels(void **state)
{
	static const struct {
		const char *line;
		enum log_level level;
	} cases[] = {
		{ "loglevel=error", LOG_ERROR },
		{ "loglevel=warn", LOG_WARN },
		{ "loglevel=info", LOG_INFO },
		{ "loglevel=debug", LOG_DEBUG },
		{ "loglevel=debug loglevel=warn", LOG_WARN }, /* the last one wins */
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(cases[i].line), 0);
		assert_int_equal(opts.log_level, cases[i].level);
	}
}

static void test_blanks_between_words(void **state)
{
	(void)state;
	assert_int_equal(parse("  test\t\tloglevel=debug  \t crashtest\t"), 0);
	assert_int_equal(opts.on_all_stopped, HV_STOPPED_POWEROFF);
	assert_int_equal(opts.crash_test, 1);
	assert_int_equal(opts.log_level, LOG_DEBUG);
}

static void test_unknown_word_reported(void **state)
{
	(void)state;
	assert_int_equal(parse("test verbose"), 1);
	assert_int_equal(problems.count, 1);
	assert_contains(problems.text[0], "unknown option");
	assert_contains(problems.text[0], "\"verbose\"");
	assert_int_equal(opts.on_all_stopped, HV_STOPPED_POWEROFF); /* the good word still counts */
}

/* Near misses of real options are unknown words, not the options. */
static void test_near_misses_unknown(void **state)
{
	static const char *const words[] = {
		"Test",		"tests",	   "tes",	    "test=1",
		"crashtests=1", "loglevel",	   "logleve=debug", "loglevelx=debug",
		"=debug",	"xloglevel=debug", "log=debug",	    "=",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(words); i++) {
		assert_int_equal(parse(words[i]), 1);
		assert_contains(problems.text[0], "unknown option");
		assert_contains(problems.text[0], words[i]);
		expect_defaults();
	}
}

static void test_bad_loglevel_keeps_default(void **state)
{
	static const char *const words[] = {
		"loglevel=verbose", "loglevel=",       "loglevel=DEBUG",      "loglevel=debug2",
		"loglevel=3",	    "loglevel==debug", "loglevel=info=debug",
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(words); i++) {
		assert_int_equal(parse(words[i]), 1);
		assert_contains(problems.text[0], words[i]);
		assert_contains(problems.text[0], "error, warn, info, debug");
		assert_int_equal(opts.log_level, LOG_INFO);
	}
	/* A bad value after a good one leaves the good one. */
	assert_int_equal(parse("loglevel=debug loglevel=loud"), 1);
	assert_int_equal(opts.log_level, LOG_DEBUG);
}

static void test_overlong_word(void **state)
{
	char line[200];

	(void)state;
	memset(line, 'a', 100);
	strcpy(line + 100, " test");
	assert_int_equal(parse(line), 1);
	assert_contains(problems.text[0], "longer than 63");
	assert_contains(problems.text[0], "aaaaaaaaaaaaaaaaaaaa...");
	assert_int_equal(opts.on_all_stopped,
			 HV_STOPPED_POWEROFF); /* the word after it is still read */
}

/* 63 characters is the longest word; a 64-character word is refused, not cut. */
static void test_word_length_limit(void **state)
{
	char line[80];

	(void)state;
	strcpy(line, "loglevel=");
	memset(line + 9, 'x', 63 - 9);
	line[63] = '\0';
	assert_int_equal(parse(line), 1);
	assert_contains(problems.text[0], "loglevel is one of");

	memset(line, 'x', 64);
	line[64] = '\0';
	assert_int_equal(parse(line), 1);
	assert_contains(problems.text[0], "longer than 63");

	/* "crashtest" followed by junk up to 64 characters must not match "crashtest". */
	strcpy(line, "crashtest");
	memset(line + 9, 'y', 64 - 9);
	line[64] = '\0';
	assert_int_equal(parse(line), 1);
	assert_int_equal(opts.crash_test, 0);
}

/* More problems than are kept: all counted, the first ones kept in order. */
static void test_many_problems(void **state)
{
	char line[256] = "";

	(void)state;
	for (unsigned int i = 0; i < CMDLINE_MAX_PROBLEMS + 3; i++) {
		char word[16];

		snprintf(word, sizeof(word), "bad%u ", i);
		strcat(line, word);
	}
	strcat(line, "test");
	assert_int_equal(parse(line), CMDLINE_MAX_PROBLEMS + 3);
	assert_int_equal(problems.count, CMDLINE_MAX_PROBLEMS + 3);
	assert_contains(problems.text[0], "\"bad0\"");
	assert_contains(problems.text[CMDLINE_MAX_PROBLEMS - 1], "\"bad7\"");
	assert_int_equal(opts.on_all_stopped, HV_STOPPED_POWEROFF);
}

/* on-all-stopped= names what happens at the end; a bad value is reported and changes nothing. */
static void test_on_all_stopped(void **state)
{
	static const struct {
		const char *line;
		enum hv_on_all_stopped mode;
		unsigned int problems;
	} cases[] = {
		{ "on-all-stopped=halt", HV_STOPPED_HALT, 0 },
		{ "on-all-stopped=poweroff", HV_STOPPED_POWEROFF, 0 },
		{ "on-all-stopped=reboot", HV_STOPPED_REBOOT, 0 },
		{ "test on-all-stopped=reboot", HV_STOPPED_REBOOT, 0 }, /* the last word wins */
		{ "on-all-stopped=reboot test", HV_STOPPED_POWEROFF, 0 },
		{ "on-all-stopped=Reboot", HV_STOPPED_HALT, 1 },
		{ "on-all-stopped=", HV_STOPPED_HALT, 1 },
		{ "test on-all-stopped=off", HV_STOPPED_POWEROFF, 1 },
		{ "on-all-stop=halt", HV_STOPPED_HALT, 1 },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cmdline_parse(cases[i].line, &opts, &problems), cases[i].problems);
		assert_int_equal(opts.on_all_stopped, cases[i].mode);
	}
	assert_non_null(strstr(problems.text[0], "on-all-stop=halt"));
}

static void test_hwbudget(void **state)
{
	static const struct {
		const char *line;
		uint32_t budget;
	} cases[] = {
		{ "hwbudget=1234", 1234 },
		{ "hwbudget=0", 0 }, /* no cap */
		{ "hwbudget=1", 1 },
		{ "hwbudget=100000000", 100000000 },
		{ "hwbudget=99999999", 99999999 },
		{ "hwbudget=50 hwbudget=70", 70 }, /* the last one wins */
		{ "test hwbudget=20000 loglevel=debug", 20000 },
	};

	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(opts.hw_budget, CMDLINE_HW_BUDGET_DEFAULT);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		if (parse(cases[i].line))
			fail_msg("\"%s\": %s", cases[i].line, problems.text[0]);
		assert_int_equal(opts.hw_budget, cases[i].budget);
	}
	assert_int_equal(opts.on_all_stopped, HV_STOPPED_POWEROFF);
	assert_int_equal(opts.log_level, LOG_DEBUG);
}

static void test_bad_hwbudget_keeps_default(void **state)
{
	static const char *const words[] = {
		"hwbudget=",
		"hwbudget=abc",
		"hwbudget=12k",
		"hwbudget=-5",
		"hwbudget=+5",
		"hwbudget=0x10",
		"hwbudget=1.5",
		"hwbudget=1e3",
		"hwbudget==5",
		"hwbudget=5=5",
		"hwbudget=5x",
		"hwbudget=100000001",
		"hwbudget=200000000",
		"hwbudget=4294967296",
		"hwbudget=4294967295",
		"hwbudget=18446744073709551617",
		"hwbudget=99999999999999999999999999999999999999999999999999",
	};
	static const char *const near[] = { "hwbudget",	 "hwbudgets=5", "HWBUDGET=5",
					    "hwbudge=5", "xhwbudget=5", "hw_budget=5" };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(words); i++) {
		if (parse(words[i]) != 1)
			fail_msg("\"%s\": %u problems, expected 1", words[i], problems.count);
		assert_contains(problems.text[0], words[i]);
		assert_contains(problems.text[0], "hwbudget is a number");
		assert_int_equal(opts.hw_budget, CMDLINE_HW_BUDGET_DEFAULT);
	}
	/* A bad value after a good one leaves the good one. */
	assert_int_equal(parse("hwbudget=10 hwbudget=lots"), 1);
	assert_int_equal(opts.hw_budget, 10);
	/* Near misses are unknown words, not hwbudget. */
	for (unsigned int i = 0; i < ARRAY_SIZE(near); i++) {
		assert_int_equal(parse(near[i]), 1);
		assert_contains(problems.text[0], "unknown option");
		assert_contains(problems.text[0], near[i]);
		assert_int_equal(opts.hw_budget, CMDLINE_HW_BUDGET_DEFAULT);
	}
}

/* --- log.c --- */

static void test_level_from_name(void **state)
{
	enum log_level level = LOG_WARN;

	(void)state;
	assert_int_equal(log_level_from_name("debug", &level), 0);
	assert_int_equal(level, LOG_DEBUG);
	assert_int_equal(log_level_from_name("error", &level), 0);
	assert_int_equal(level, LOG_ERROR);
	assert_int_equal(log_level_from_name("fatal", &level), -EINVAL);
	assert_int_equal(log_level_from_name("", &level), -EINVAL);
	assert_int_equal(level, LOG_ERROR);
}

static void log_all_levels(void)
{
	log_error("e%d\n", 1);
	log_warn("w%d\n", 2);
	log_info("i%d\n", 3);
	log_debug("d%d\n", 4);
}

static void test_log_filtering(void **state)
{
	(void)state;
	assert_int_equal(log_get_level(), LOG_INFO);
	log_all_levels();
	assert_string_equal(console, "error: e1\nwarning: w2\ni3\n");
	assert_int_equal(console_writes, 3); /* one write per line */

	console_len = 0;
	console[0] = '\0';
	log_set_level(LOG_ERROR);
	assert_int_equal(log_get_level(), LOG_ERROR);
	log_all_levels();
	assert_string_equal(console, "error: e1\n");

	console_len = 0;
	console[0] = '\0';
	log_set_level(LOG_DEBUG);
	log_all_levels();
	assert_string_equal(console, "error: e1\nwarning: w2\ni3\nd4\n");

	console_len = 0;
	console[0] = '\0';
	log_set_level(LOG_WARN);
	log_all_levels();
	assert_string_equal(console, "error: e1\nwarning: w2\n");
}

/* A line longer than the log's buffer is cut, not overflowed, and still written. */
static void test_log_long_line_truncated(void **state)
{
	char long_text[600];

	(void)state;
	memset(long_text, 'z', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	log_error("%s", long_text);
	assert_int_equal(console_writes, 1);
	assert_int_equal(console_len, 255);
	assert_int_equal(strlen(console), 255);
	assert_memory_equal(console, "error: zzz", 10);
	assert_int_equal(console[254], '\n'); /* cut short, but still a whole line */
}

/* Bytes from outside (an option line with escapes or UTF-8) reach the console as '?'. */
static void test_log_printable_only(void **state)
{
	(void)state;
	log_info("vm x: \"%s\"\n", "a\x1b[2Jb\xc3\xa9\x7f\tc\r");
	assert_string_equal(console, "vm x: \"a?[2Jb???\tc?\"\n");
}

static void storm_line(int i)
{
	log_warn("vm flood: bad ring %d\n", i);
}

/* A call site a guest can trigger prints 10 lines a second; the rest are counted. */
static void test_log_storm_guard(void **state)
{
	(void)state;
	fake_cycles = 5000;
	log_set_storm_guard(1);
	for (int i = 0; i < 25; i++)
		storm_line(i);
	log_info("another site %d\n", 1); /* not held back by the first one's storm */
	assert_int_equal(console_writes, 11);
	assert_non_null(strstr(console, "bad ring 9\n"));
	assert_null(strstr(console, "bad ring 10\n"));
	assert_non_null(strstr(console, "another site 1\n"));

	console_len = 0;
	console_writes = 0;
	fake_cycles += 1000; /* a new second: the count is reported before the next line */
	storm_line(99);
	assert_string_equal(console,
			    "warning: log: 15 similar lines suppressed (\"vm flood: bad ring "
			    "%d\")\nwarning: vm flood: bad ring 99\n");

	/* Turning the guard off reports what it still holds back; then nothing is held. */
	for (int i = 0; i < 12; i++)
		storm_line(i);
	console_len = 0;
	console_writes = 0;
	log_set_storm_guard(0);
	assert_non_null(strstr(console, "log: 3 similar lines suppressed"));
	for (int i = 0; i < 30; i++)
		storm_line(i);
	assert_int_equal(console_writes, 31);
}

static void test_panic_stops(void **state)
{
	(void)state;
	stop_expected = 1;
	others_stopped = 0;
	if (!setjmp(stop_jump)) {
		panic("broken invariant %d\n", 42);
		fail_msg("panic() returned");
	}
	assert_int_equal(stop_code, 3);
	assert_string_equal(console, "PANIC: broken invariant 42\n");
	assert_int_equal(others_stopped, 1); /* the other CPUs first, then the line */
	assert_int_equal(console_at_stopping, 0);
}

/* A panic is printed whatever the level. */
static void test_panic_ignores_level(void **state)
{
	(void)state;
	log_set_level(LOG_ERROR);
	stop_expected = 1;
	if (!setjmp(stop_jump))
		panic("x");
	assert_string_equal(console, "PANIC: x");
}

static void test_console_and_screen(void **state)
{
	(void)state;
	assert_int_equal(parse("console=com2,9600 screen=off"), 0);
	assert_int_equal(opts.console.kind, SERIAL_PORT);
	assert_u64_equal(opts.console.addr, 0x2f8);
	assert_int_equal(opts.console.baud, 9600);
	assert_int_equal(opts.screen, HV_SCREEN_OFF);
	assert_int_equal(parse("console=none screen=on"), 0);
	assert_int_equal(opts.console.kind, SERIAL_NONE);
	assert_int_equal(opts.screen, HV_SCREEN_ON);
	assert_int_equal(parse("console=pci:00:05.0 console=mmio32:0xfedc9000"), 0);
	assert_int_equal(opts.console.kind, SERIAL_MMIO); /* the last one counts */
}

/* A bad console word is reported and leaves COM1, where the report is seen. */
static void test_bad_console_keeps_com1(void **state)
{
	(void)state;
	assert_int_equal(parse("console=com2 console=com5 screen=blank"), 2);
	assert_int_equal(opts.console.kind, SERIAL_PORT);
	assert_u64_equal(opts.console.addr, 0x3f8);
	assert_string_equal(opts.console.name, "COM1");
	assert_int_equal(opts.screen, HV_SCREEN_AUTO);
	assert_contains(problems.text[0], "\"console=com5\": console is none, com1-com4");
	assert_contains(problems.text[1], "\"screen=blank\": screen is on or off");
	assert_int_equal(parse("console= consoles=com2 console"), 3);
	assert_u64_equal(opts.console.addr, 0x3f8);
}

#define T(name) cmocka_unit_test_setup(name, setup)

static void test_mgmt_words(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(opts.mgmt.mode, MGMT_DHCP);
	assert_int_equal(opts.mgmt.pool_bytes, MGMT_POOL_DEFAULT);
	assert_int_equal(parse("mgmt=static mgmt.ip=10.1.2.3/16 mgmt.gw=10.1.0.1 mgmt.pool=1M"), 0);
	assert_int_equal(opts.mgmt.mode, MGMT_STATIC);
	assert_int_equal(opts.mgmt.ip, 0x0a010203);
	assert_int_equal(opts.mgmt.prefix, 16);
	assert_int_equal(opts.mgmt.gw, 0x0a010001);
	assert_int_equal(opts.mgmt.pool_bytes, 1024 * 1024);
	/* Bad values are reported with the word and leave the default. */
	assert_int_equal(parse("mgmt=maybe mgmt.ip=1.2.3/8 mgmt.pool=1K mgmt.foo=1 loglevel=debug"),
			 4);
	assert_contains(problems.text[0], "\"mgmt=maybe\": mgmt is one of off, dhcp, static");
	assert_contains(problems.text[1], "\"mgmt.ip=1.2.3/8\"");
	assert_contains(problems.text[2], "\"mgmt.pool=1K\"");
	assert_contains(problems.text[3], "unknown option \"mgmt.foo=1\"");
	assert_int_equal(opts.mgmt.mode, MGMT_DHCP);
	assert_int_equal(opts.mgmt.ip, 0);
	assert_int_equal(opts.mgmt.pool_bytes, MGMT_POOL_DEFAULT);
	assert_int_equal(opts.log_level, LOG_DEBUG);
}

static void test_cpu_words(void **state)
{
	static const char *const bad_cpus[] = { "cpus=0",   "cpus=65",
						"cpus=",    "cpus=-1",
						"cpus=2x",  "cpus=0x2",
						"cpus=1.5", "cpus=99999999999999999999" };
	static const char *const bad_fail[] = { "smp.fail=0", "smp.fail=64",
						"smp.fail=", "smp.fail=a", "smp.fail=-1" };

	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(opts.cpus, 0); /* all */
	assert_int_equal(opts.smp_fail, 0);
	assert_int_equal(opts.smp_fault, 0);
	assert_int_equal(parse("test cpus=1 smp.fail=3 smp.fault=2"), 0);
	assert_int_equal(opts.cpus, 1);
	assert_int_equal(opts.smp_fail, 3);
	assert_int_equal(opts.smp_fault, 2);
	assert_int_equal(parse("cpus=64 smp.fail=63"), 0);
	assert_int_equal(opts.cpus, 64);
	assert_int_equal(opts.smp_fail, 63);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_cpus); i++) {
		if (parse(bad_cpus[i]) != 1)
			fail_msg("\"%s\": %u problems, expected 1", bad_cpus[i], problems.count);
		assert_contains(problems.text[0], bad_cpus[i]);
		assert_contains(problems.text[0], "cpus is a number of CPUs from 1 to 64");
		assert_int_equal(opts.cpus, 0);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_fail); i++) {
		if (parse(bad_fail[i]) != 1)
			fail_msg("\"%s\": %u problems, expected 1", bad_fail[i], problems.count);
		assert_contains(problems.text[0], "smp.fail is the number of a CPU other than");
		assert_int_equal(opts.smp_fail, 0);
	}
	assert_int_equal(parse("smp.fault=0 smp.fault=64 smp.fault=x"), 3);
	assert_contains(problems.text[0], "\"smp.fault=0\": smp.fault is the number of a CPU");
	assert_contains(problems.text[1], "from 1 to 63");
	assert_int_equal(opts.smp_fault, 0);
	assert_int_equal(opts.smp_fail, 0);
	/* A bad value after a good one leaves the good one; near misses are unknown words. */
	assert_int_equal(parse("cpus=2 cpus=many smp.fails=1 CPUS=2 smp.faul=1"), 4);
	assert_int_equal(opts.cpus, 2);
	assert_contains(problems.text[1], "unknown option \"smp.fails=1\"");
	assert_contains(problems.text[2], "unknown option \"CPUS=2\"");
	assert_contains(problems.text[3], "unknown option \"smp.faul=1\"");
	/* crashtest=N: the CPU that faults once the VMs run; crashtest alone: the boot CPU. */
	assert_int_equal(parse("crashtest=2 crashtest.stack=3"), 0);
	assert_int_equal(opts.crash_cpu, 2);
	assert_int_equal(opts.crash_stack_cpu, 3);
	assert_int_equal(opts.crash_test, 0);
	assert_int_equal(parse("crashtest.stack=0 crashtest.stak=1"), 2);
	assert_contains(problems.text[0], "crashtest.stack is the number of a CPU");
	assert_contains(problems.text[1], "unknown option \"crashtest.stak=1\"");
	assert_int_equal(parse("crashtest=0 crashtest=64 crashtest=cpu1"), 3);
	assert_contains(problems.text[0], "\"crashtest=0\": crashtest is the number of a CPU");
	assert_contains(problems.text[1], "from 1 to 63");
	assert_int_equal(opts.crash_cpu, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mgmt_words),
		cmocka_unit_test(test_cpu_words),
		T(test_empty_line),
		T(test_only_blanks),
		T(test_flags),
		T(test_defaults_each_time),
		T(test_loglevels),
		T(test_blanks_between_words),
		T(test_unknown_word_reported),
		T(test_near_misses_unknown),
		T(test_bad_loglevel_keeps_default),
		T(test_overlong_word),
		T(test_word_length_limit),
		T(test_many_problems),
		T(test_on_all_stopped),
		T(test_hwbudget),
		T(test_bad_hwbudget_keeps_default),
		T(test_console_and_screen),
		T(test_bad_console_keeps_com1),
		T(test_level_from_name),
		T(test_log_filtering),
		T(test_log_long_line_truncated),
		T(test_log_printable_only),
		T(test_log_storm_guard),
		T(test_panic_stops),
		T(test_panic_ignores_level),
	};

	return unit_run(tests);
}
