/*
 * The hypervisor command line: space-separated words, each either a flag ("test") or
 * "key=value". Every word is checked where it enters; an unknown word or a bad value is
 * reported with the word itself and ignored, so a typo never changes behaviour silently.
 */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include <hv/log.h>
#include <hv/madt.h>
#include <hv/mgmt.h>
#include <hv/serial.h>
#include <stdint.h>

/* What Shunt does when every VM has stopped ("on-all-stopped="). */
enum hv_on_all_stopped {
	HV_STOPPED_HALT = 0, /* "halt" (default): the machine waits, with the summary shown */
	HV_STOPPED_POWEROFF, /* "poweroff" (or the word "test"): e.g. the emulators end */
	HV_STOPPED_REBOOT,   /* "reboot": the firmware boots the stick again */
};

/* Whether Shunt writes its log to the screen too ("screen="). */
enum hv_screen {
	HV_SCREEN_AUTO = 0, /* no screen= word: on, unless console=none */
	HV_SCREEN_ON,	    /* "screen=on" */
	HV_SCREEN_OFF,	    /* "screen=off" */
};

struct hv_options {
	enum hv_on_all_stopped on_all_stopped; /* "on-all-stopped=halt|poweroff|reboot" */
	int crash_test;		  /* "crashtest": raise an exception after boot (tests the dump) */
	enum log_level log_level; /* "loglevel=error|warn|info|debug" */
	uint32_t hw_budget; /* "hwbudget=N": direct hardware calls/s for all VMs, 0 = no cap */
	struct serial_spec console; /* "console=DEVICE[,BAUD]|none"; default COM1 */
	enum hv_screen screen;	    /* "screen=on|off" */
	struct mgmt_options mgmt;   /* "mgmt=", "mgmt.ip=", "mgmt.gw=", "mgmt.pool=" */
	uint32_t cpus;		    /* "cpus=N" (1..CPU_MAX): bring up at most N CPUs; 0 = all */
	/*
	 * "smp.fail=N" (1..CPU_MAX-1), a test word: CPU N (in bring-up order, 0 the boot CPU)
	 * fails its virtualization check as if it had none; 0 = none.
	 */
	uint32_t smp_fail;
	/* "smp.fault=N" (1..CPU_MAX-1), a test word: CPU N raises an exception while starting. */
	uint32_t smp_fault;
	/*
	 * "crashtest=N" (1..CPU_MAX-1), a test word: CPU N raises an exception in Shunt a second
	 * after the VMs start (it runs none of its VMs before), to show that a fatal error on
	 * one CPU stops every CPU; 0 = none.
	 */
	uint32_t crash_cpu;
	/* "crashtest.stack=N", the same with a stack overflow into CPU N's guard page (#DF). */
	uint32_t crash_stack_cpu;
};

#define CMDLINE_MAX_PROBLEMS 8
#define CMDLINE_PROBLEM_MAX 160

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
