/*
 * The hypervisor command line: space-separated words, each either a flag ("test") or
 * "key=value". Every word is checked where it enters; an unknown word or a bad value is
 * reported with the word itself and ignored, so a typo never changes behaviour silently.
 */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include <hv/log.h>
#include <stdint.h>

struct hv_options {
	int test_mode;		  /* "test": power the machine off when done */
	int crash_test;		  /* "crashtest": raise an exception after boot (tests the dump) */
	enum log_level log_level; /* "loglevel=error|warn|info|debug" */
	uint32_t hw_budget; /* "hwbudget=N": direct hardware calls/s for all VMs, 0 = no cap */
};

#define CMDLINE_MAX_PROBLEMS 8
#define CMDLINE_PROBLEM_MAX 96

#define CMDLINE_HW_BUDGET_DEFAULT 50000u
#define CMDLINE_HW_BUDGET_MAX 100000000u /* calls per second */

struct cmdline_problems {
	unsigned int count; /* may exceed CMDLINE_MAX_PROBLEMS; only the first ones are kept */
	char text[CMDLINE_MAX_PROBLEMS][CMDLINE_PROBLEM_MAX];
};

/* Fills opts (defaults first) from cmdline; returns the number of problems found. */
unsigned int cmdline_parse(const char *cmdline, struct hv_options *opts,
			   struct cmdline_problems *problems);

#endif
