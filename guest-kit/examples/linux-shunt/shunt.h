/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * The shunt module's shared state: what Shunt offered when the module opened the interface,
 * the vCPU page, and the counters /sys/hypervisor shows. Each part (clock, events, hvc
 * console, COM2 tty, sysfs) has an init and an exit, called in that order by shunt_main.c
 * and undone in reverse. Built from guest-kit alone: this header is where guest-kit meets
 * the kernel (guest-physical addresses from virt_to_phys: every buffer handed to Shunt is
 * in the kernel's direct map, never on the vmapped stack or in module memory).
 */
#ifndef SHUNT_H
#define SHUNT_H

/* Every file includes this header first, so that every log line starts "shunt: ". */
#define pr_fmt(fmt) "shunt: " fmt

#include <asm/io.h>
#include <linux/atomic.h>
#include <linux/printk.h>
#include <linux/types.h>

#define GK_VIRT_TO_PHYS(ptr) ((uint64_t)virt_to_phys((void *)(ptr)))
#include <gk/gk.h>

/* The COM2 tty's ways to the UART (shunt_com2.c). */
enum shunt_com2_mode {
	SHUNT_COM2_BATCH,	/* granted "io": HW_PORT_BATCH, one exit per FIFO's worth */
	SHUNT_COM2_PASSTHROUGH, /* granted "passthrough": plain IN/OUT, no exits */
	SHUNT_COM2_EMULATED,	/* not granted: the emulated UART at 0x3f8 (this VM's console) */
};

struct shunt_state {
	uint32_t hv_version;	 /* PV_ABI_VERSION Shunt speaks (CPUID 0x40000001) */
	uint32_t abi;		 /* negotiated by HELLO */
	uint32_t features;	 /* PV_FEATURE_* */
	uint32_t privileges;	 /* PV_PERM_* */
	struct pv_vm_info *info; /* VM_INFO's answer (ABI 1.3), in the direct map */
	bool have_info;
	struct pv_vcpu_page *page; /* this vCPU's page: PV clock and events */
	const char *clocksource;   /* what the kernel's time runs on, as far as we decided */

	/* events (shunt_events.c) */
	unsigned int vector;
	int irq;
	atomic64_t upcalls, timer_events, guest_events;
	uint64_t timer_late_ns; /* how late the last PV timer event came */

	/* COM2 (shunt_com2.c) */
	enum shunt_com2_mode com2_mode;
	uint16_t com2_base;
	int64_t com2_refusal; /* why not granted (PV_E*), when emulated */
	atomic64_t com2_bytes, com2_calls, com2_throttled, com2_waits;
};

extern struct shunt_state shunt;

int shunt_clock_init(void);
void shunt_clock_exit(void);
int shunt_events_init(void);
void shunt_events_exit(void);
int shunt_hvc_init(void);
void shunt_hvc_exit(void);
int shunt_com2_init(void);
void shunt_com2_exit(void);
int shunt_sysfs_init(void);
void shunt_sysfs_exit(void);

/* A call's failure, logged once per place in the code that makes the call. */
#define shunt_call_failed_once(what, code)                                                         \
	pr_err_once("%s failed: %s (%lld); not logged again\n", what, gk_strerror(code),           \
		    (long long)(code))

#endif
