/*
 * An emulated local APIC in x2APIC mode (SDM Vol. 3A chapter 11, 11.12 for x2APIC): the
 * registers as MSRs 0x800-0x8ff, the timer in one-shot, periodic and TSC-deadline modes,
 * fixed interrupts to itself (timer, self-IPI) with IRR, ISR, TPR and EOI. No xAPIC MMIO,
 * no LINT pins, no other CPUs. Time is given in TSC ticks; the APIC timer counts at the TSC
 * rate divided by its divide configuration. Pure register logic, host-tested; the VM glue is
 * in hv/vm_platform.c.
 */
#ifndef HV_DEVICES_LAPIC_H
#define HV_DEVICES_LAPIC_H

#include <stdint.h>

#define LAPIC_MSR_FIRST 0x800
#define LAPIC_MSR_LAST 0x8ff
#define LAPIC_MSR_TSC_DEADLINE 0x6e0
#define LAPIC_NO_DEADLINE UINT64_MAX

enum lapic_lvt {
	LAPIC_LVT_TIMER,
	LAPIC_LVT_THERMAL,
	LAPIC_LVT_PMC,
	LAPIC_LVT_LINT0,
	LAPIC_LVT_LINT1,
	LAPIC_LVT_ERROR,
	LAPIC_LVT_CMCI,
	LAPIC_LVTS
};

struct lapic {
	uint32_t id;
	uint32_t tpr, svr, esr, divide;
	uint64_t icr;
	uint32_t lvt[LAPIC_LVTS];
	uint32_t irr[8], isr[8]; /* 256 bits each, vector v in word v / 32 */
	uint32_t initial_count;
	uint64_t timer_start;	 /* TSC when the count was loaded (one-shot, periodic) */
	uint64_t timer_deadline; /* TSC when the timer fires next, LAPIC_NO_DEADLINE: never */
	uint64_t tsc_deadline;	 /* IA32_TSC_DEADLINE as written (0: disarmed) */
	uint64_t timer_fired, delivered;
};

void lapic_reset(struct lapic *l, uint32_t id);

/* x2APIC MSR access (and IA32_TSC_DEADLINE) at TSC now: 0, or -1 for #GP. */
int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t now, uint64_t *value);
int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t now, uint64_t value);

/* Fires the timer if now has reached its deadline (IRR set, periodic reloaded). */
void lapic_tick(struct lapic *l, uint64_t now);

/* The TSC at which lapic_tick() has something to do, or LAPIC_NO_DEADLINE. */
static inline uint64_t lapic_next_deadline(const struct lapic *l)
{
	return l->timer_deadline;
}

/* The vector to deliver now (above the processor priority), or -1. */
int lapic_pending_vector(const struct lapic *l);
/* The vector was delivered to the CPU: it moves from IRR to ISR. */
void lapic_accept(struct lapic *l, int vector);
/* 1 while an interrupt waits in IRR (delivered or not yet deliverable). */
int lapic_has_irr(const struct lapic *l);
/*
 * 1 if LINT0 passes an external (8259A) interrupt: unmasked in ExtINT mode (11.5.1). Such
 * an interrupt bypasses IRR, ISR and the priorities; the vector comes from the 8259A.
 */
int lapic_accepts_extint(const struct lapic *l);
/* The LVTs as a PC's firmware leaves them (virtual wire mode): LINT0 ExtINT, LINT1 NMI. */
void lapic_set_virtual_wire(struct lapic *l);

#endif
