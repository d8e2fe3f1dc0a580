/*
 * Hypervisor-wide state and the way out: the options from the command line, and hv_stop(),
 * which ends the run (powering the machine off in test mode).
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <hv/cmdline.h>

extern struct hv_options hv_options;

/* arch_cycles() at hv_main()'s first instruction: where the boot is measured from. */
extern uint64_t hv_entry_cycles;

/* Ends the run with exit_code: power off in test mode, halt otherwise. */
void hv_stop(int exit_code) __attribute__((noreturn));

#endif
