/*
 * Hypervisor-wide state and the way out: the options from the command line, and hv_stop(),
 * which ends the run (powering the machine off in test mode).
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <hv/cmdline.h>
#include <hv/types.h>

extern struct hv_options hv_options;

/* arch_cycles() at hv_main()'s first instruction: where the boot is measured from. */
extern uint64_t hv_entry_cycles;

/* Ends the run with exit_code: power off in test mode, halt otherwise. */
void hv_stop(int exit_code) __attribute__((noreturn));

/*
 * A fatal error on this CPU (panic(), an exception in Shunt): every other CPU is stopped
 * where it is, with the vCPU it ran, so that nothing runs on while this one reports; called
 * before the report's first line. Then hv_stop_fatal() ends the run as on-all-stopped says,
 * never serving the management network: nothing in Shunt can be trusted any more.
 */
void hv_stop_other_cpus(void);
void hv_stop_fatal(int exit_code) __attribute__((noreturn));

/*
 * A file of the boot medium's /guests/ by name (an initrd a VM's options name): 0 with its
 * bytes, or a negative code with why it can not be had (no such file, not read, empty).
 */
int hv_boot_file(const char *name, const void **data, uint64_t *size, char *why, size_t why_size);

#endif
