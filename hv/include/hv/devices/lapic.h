/*
 * An emulated local APIC in x2APIC mode (SDM Vol. 3A chapter 11, 11.12 for x2APIC): the
 * registers as MSRs 0x800-0x8ff, the timer in one-shot, periodic and TSC-deadline modes,
 * fixed interrupts (timer, IPIs) with IRR, ISR, TPR and EOI, and the ICR's decoding into
 * the vCPUs an IPI reaches (11.6, 11.12.9-10). No xAPIC MMIO, no LINT pins. Time is given in
 * TSC ticks; the APIC timer counts at the TSC rate divided by its divide configuration. Pure
 * register logic, host-tested; the VM glue, which sends IPIs to other vCPUs, is in
 * hv/vm_platform.c.
 *
 * One APIC belongs to one vCPU, whose CPU alone runs these functions on it, except
 * lapic_deliver() and lapic_take_startup(), which another vCPU's IPI may run from another
 * CPU: IRR bits and the pending start-up are set and taken atomically.
 */
#ifndef HV_DEVICES_LAPIC_H
#define HV_DEVICES_LAPIC_H

#include <stdint.h>

#define LAPIC_MSR_FIRST 0x800
#define LAPIC_MSR_LAST 0x8ff
#define LAPIC_MSR_TSC_DEADLINE 0x6e0
#define LAPIC_MSR_ICR 0x830
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
	/* A STARTUP IPI not yet acted on: LAPIC_STARTUP_PENDING | its vector (atomic). */
	uint32_t startup;
};

#define LAPIC_STARTUP_PENDING 0x100u

/* What an ICR write asks for (SDM Vol. 3A 11.6.1, delivery mode). */
enum lapic_ipi_kind {
	LAPIC_IPI_NONE,	   /* nothing to send: an INIT level de-assert, or no one addressed */
	LAPIC_IPI_FIXED,   /* the vector to each target's IRR (lowest priority: to one) */
	LAPIC_IPI_NMI,	   /* an NMI to each target */
	LAPIC_IPI_INIT,	   /* INIT: the targets wait for a STARTUP */
	LAPIC_IPI_STARTUP, /* STARTUP: a waiting target starts in real mode at vector << 8 : 0 */
	LAPIC_IPI_INVALID, /* SMI, a reserved mode, an illegal vector: the ESR says so */
};

/* Targets of one IPI among a VM's vCPUs, whose APIC ids are 0 to vcpus - 1 (vcpus <= 64). */
struct lapic_ipi {
	enum lapic_ipi_kind kind;
	uint8_t vector;
	uint64_t targets; /* bit n: the vCPU with APIC id n */
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
/*
 * Decodes an x2APIC ICR value written by the APIC with id self into ipi: the delivery
 * mode, vector, and targets from the shorthand (self, all, all but self) or the destination
 * (physical: an APIC id, 0xffffffff all; logical: x2APIC cluster in 31:16, a bitmap of 16
 * in 15:0, 11.12.10), among APIC ids 0 to vcpus - 1; ids no vCPU has reach no one.
 */
void lapic_icr_decode(uint64_t icr, uint32_t self, unsigned int vcpus, struct lapic_ipi *ipi);
/*
 * A fixed interrupt with vector arrives (an IPI, maybe from another CPU): into IRR,
 * atomically. Illegal vectors (below 16) and a software-disabled APIC take nothing.
 * Returns 1 if an IRR bit was set.
 */
int lapic_deliver(struct lapic *l, uint32_t vector);
/*
 * A STARTUP IPI with vector arrives (maybe from another CPU): kept until its vCPU takes it.
 * 0, or -1 when one waits already (a second STARTUP: ignored, as by a started CPU).
 */
int lapic_post_startup(struct lapic *l, uint8_t vector);
/* The STARTUP vector waiting (taken, atomically), or -1. Inline: every entry asks. */
static inline int lapic_take_startup(struct lapic *l)
{
	uint32_t v;

	if (!__atomic_load_n(&l->startup, __ATOMIC_RELAXED))
		return -1;
	v = __atomic_exchange_n(&l->startup, 0, __ATOMIC_SEQ_CST);
	return v & LAPIC_STARTUP_PENDING ? (int)(v & 0xff) : -1;
}

/* The LVTs as a PC's firmware leaves them (virtual wire mode): LINT0 ExtINT, LINT1 NMI. */
void lapic_set_virtual_wire(struct lapic *l);

#endif
