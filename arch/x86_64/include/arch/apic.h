/*
 * The local APIC as Shunt uses it (apic.c): a timer that wakes the CPU from HLT at a TSC
 * deadline, for arch_idle_until(), and makes a guest exit at one on AMD-V. No guest ever
 * sees it.
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <hv/types.h>

#define APIC_TIMER_VECTOR 0xf0
#define APIC_KICK_VECTOR 0xf1 /* another CPU's kick (arch_cpu_kick): look, flush */

/* On a CPU other than the boot CPU: its local APIC set up as apic_init() set the boot CPU's. */
void apic_cpu_init(void);
/* The kick's handler, for VT-x's exit that took the interrupt itself (ack on exit). */
void apic_kick_interrupt(void);

/*
 * Sets this CPU's local APIC up (x2APIC mode where there is one) if not done yet: the boot
 * CPU's, before apic_send_*. 0, or -1 when there is no usable local APIC.
 */
int apic_init(void);
/* 1 if the APIC is in x2APIC mode: destinations are then 32-bit ids, else 8-bit. */
int apic_is_x2apic(void);
/* INIT (assert) to the CPU with APIC id dest: it waits for a SIPI (SDM Vol. 3A 9.4.4). */
void apic_send_init(uint32_t dest);
/* Start-up IPI: the CPU dest begins in real mode at CS:IP = (page << 8):0000. */
void apic_send_startup(uint32_t dest, uint8_t page);
/* An NMI to every CPU but this one (the "all excluding self" shorthand); none without an
 * APIC. */
void apic_send_nmi_to_others(void);

/* Ends the interrupt in service; nothing before the APIC is set up (first idle wait). */
void apic_eoi(void);

/*
 * Arms the timer to raise APIC_TIMER_VECTOR once the TSC reaches deadline (0 disarms it);
 * a deadline passed raises it at once. 0, or -1 when the CPU has no TSC-deadline timer.
 */
int apic_timer_arm(uint64_t deadline);

#endif
