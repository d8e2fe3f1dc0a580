/*
 * The local APIC as Shunt uses it (apic.c): a timer that wakes the CPU from HLT at a TSC
 * deadline, for arch_idle_until(). No guest ever sees it.
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#define APIC_TIMER_VECTOR 0xf0

/* Ends the interrupt in service; nothing before the APIC is set up (first idle wait). */
void apic_eoi(void);

#endif
