/*
 * The local APIC as Shunt uses it (apic.c): a timer that wakes the CPU from HLT at a TSC
 * deadline, for arch_idle_until(), and makes a guest exit at one on AMD-V. No guest ever
 * sees it.
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <hv/types.h>

#define APIC_TIMER_VECTOR 0xf0

/* Ends the interrupt in service; nothing before the APIC is set up (first idle wait). */
void apic_eoi(void);

/*
 * Arms the timer to raise APIC_TIMER_VECTOR once the TSC reaches deadline (0 disarms it);
 * a deadline passed raises it at once. 0, or -1 when the CPU has no TSC-deadline timer.
 */
int apic_timer_arm(uint64_t deadline);

#endif
