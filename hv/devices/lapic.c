/*
 * The emulated x2APIC (see hv/devices/lapic.h). Register numbers and reset values from SDM
 * Vol. 3A 11.12.1.2 (x2APIC register address space) and 11.5 (LVT, timer); the ICR from
 * 11.6.1 and 11.12.9 (x2APIC ICR), logical destinations from 11.12.10 (cluster mode).
 */
#include <hv/devices/lapic.h>

#define REG_ID 0x02
#define REG_VERSION 0x03
#define REG_TPR 0x08
#define REG_PPR 0x0a
#define REG_EOI 0x0b
#define REG_LDR 0x0d
#define REG_SVR 0x0f
#define REG_ISR0 0x10
#define REG_TMR0 0x18
#define REG_IRR0 0x20
#define REG_ESR 0x28
#define REG_ICR 0x30
#define REG_LVT_TIMER 0x32 /* ... through LVT error at 0x37 */
#define REG_TIMER_INITIAL 0x38
#define REG_TIMER_CURRENT 0x39
#define REG_TIMER_DIVIDE 0x3e
#define REG_SELF_IPI 0x3f

#define VERSION 0x14u /* an integrated APIC */
#define MAX_LVT 5u    /* timer, thermal, PMC, LINT0, LINT1, error: no CMCI */
#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_MODE(v) (((v) >> 17) & 3u)
#define LVT_DELIVERY_MODE_MASK (7u << 8)
#define LVT_EXTINT (7u << 8)
#define LVT_NMI (4u << 8)
#define TIMER_ONE_SHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define ICR_SHORTHAND(v) (((v) >> 18) & 3u)
#define ICR_DELIVERY_MODE(v) (((v) >> 8) & 7u)
#define ICR_LOGICAL (1u << 11)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ICR_WRITABLE 0xffffffff000ccfffull /* destination, shorthand, trigger, level, ... */
#define SHORTHAND_NONE 0
#define SHORTHAND_SELF 1
#define SHORTHAND_ALL 2
#define SHORTHAND_ALL_BUT_SELF 3
#define MODE_FIXED 0
#define MODE_LOWEST_PRIORITY 1
#define MODE_NMI 4
#define MODE_INIT 5
#define MODE_STARTUP 6
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define BROADCAST 0xffffffffu

/* Writable bits of each LVT (11.5.1): vector, delivery mode, polarity, trigger, mask, mode. */
static const uint32_t lvt_writable[LAPIC_LVTS] = { 0x700ff, 0x107ff, 0x107ff, 0x1a7ff,
						   0x1a7ff, 0x100ff, 0x107ff };

void lapic_reset(struct lapic *l, uint32_t id)
{
	*l = (struct lapic){ .id = id, .svr = 0xff, .timer_deadline = LAPIC_NO_DEADLINE };
	for (unsigned int i = 0; i < LAPIC_LVTS; i++)
		l->lvt[i] = LVT_MASKED;
}

static int highest_bit(const uint32_t *bits)
{
	for (int w = 7; w >= 0; w--) {
		uint32_t word = __atomic_load_n(&bits[w], __ATOMIC_RELAXED);

		if (word)
			return w * 32 + 31 - __builtin_clz(word);
	}
	return -1;
}

static uint32_t ppr(const struct lapic *l)
{
	int isrv = highest_bit(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

/* Atomic: another CPU's IPI may set a bit while the owner takes one (lapic_accept). */
static int raise(struct lapic *l, uint32_t vector)
{
	if (vector < 16 || vector > 255 ||
	    !(__atomic_load_n(&l->svr, __ATOMIC_RELAXED) & SVR_ENABLE))
		return 0; /* illegal vectors and a software-disabled APIC deliver nothing */
	__atomic_fetch_or(&l->irr[vector / 32], 1u << (vector % 32), __ATOMIC_SEQ_CST);
	return 1;
}

int lapic_deliver(struct lapic *l, uint32_t vector)
{
	return raise(l, vector);
}

int lapic_post_startup(struct lapic *l, uint8_t vector)
{
	uint32_t none = 0;

	return __atomic_compare_exchange_n(&l->startup, &none, LAPIC_STARTUP_PENDING | vector, 0,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
		       ? 0
		       : -1;
}

static uint64_t divisor(const struct lapic *l)
{
	uint32_t v = ((l->divide >> 1) & 4) | (l->divide & 3);

	return v == 7 ? 1 : 2ull << v;
}

static uint64_t period(const struct lapic *l)
{
	return (uint64_t)l->initial_count * divisor(l);
}

/* Recomputes when the timer fires from its mode, count and deadline. */
static void rearm(struct lapic *l)
{
	uint32_t mode = LVT_TIMER_MODE(l->lvt[LAPIC_LVT_TIMER]);

	if (mode == TIMER_TSC_DEADLINE)
		l->timer_deadline = l->tsc_deadline ? l->tsc_deadline : LAPIC_NO_DEADLINE;
	else if (l->initial_count)
		l->timer_deadline = l->timer_start + period(l);
	else
		l->timer_deadline = LAPIC_NO_DEADLINE;
}

void lapic_tick(struct lapic *l, uint64_t now)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_TIMER];

	if (l->timer_deadline == LAPIC_NO_DEADLINE || now < l->timer_deadline)
		return;
	l->timer_fired++;
	if (!(lvt & LVT_MASKED))
		(void)raise(l, lvt & 0xff);
	switch (LVT_TIMER_MODE(lvt)) {
	case TIMER_PERIODIC:
		/* Periods missed while the VM was off the CPU coalesce into this one. */
		l->timer_start = now - l->timer_deadline >= period(l) ? now : l->timer_deadline;
		l->timer_deadline = l->timer_start + period(l);
		return;
	case TIMER_TSC_DEADLINE:
		l->tsc_deadline = 0;
		break;
	default:
		break;
	}
	l->timer_deadline = LAPIC_NO_DEADLINE;
}

int lapic_pending_vector(const struct lapic *l)
{
	int v = highest_bit(l->irr);

	if (v < 0 || !(l->svr & SVR_ENABLE) || ((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return v;
}

void lapic_accept(struct lapic *l, int vector)
{
	__atomic_fetch_and(&l->irr[vector / 32], ~(1u << (vector % 32)), __ATOMIC_SEQ_CST);
	l->isr[vector / 32] |= 1u << (vector % 32);
	l->delivered++;
}

int lapic_has_irr(const struct lapic *l)
{
	return highest_bit(l->irr) >= 0;
}

int lapic_accepts_extint(const struct lapic *l)
{
	return (l->lvt[LAPIC_LVT_LINT0] & (LVT_MASKED | LVT_DELIVERY_MODE_MASK)) == LVT_EXTINT;
}

void lapic_set_virtual_wire(struct lapic *l)
{
	l->lvt[LAPIC_LVT_LINT0] = LVT_EXTINT;
	l->lvt[LAPIC_LVT_LINT1] = LVT_NMI;
}

static uint32_t current_count(const struct lapic *l, uint64_t now)
{
	if (LVT_TIMER_MODE(l->lvt[LAPIC_LVT_TIMER]) == TIMER_TSC_DEADLINE ||
	    l->timer_deadline == LAPIC_NO_DEADLINE || now >= l->timer_deadline)
		return 0;
	return (uint32_t)((l->timer_deadline - now) / divisor(l));
}

int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t now, uint64_t *value)
{
	uint32_t reg = msr - LAPIC_MSR_FIRST;

	if (msr == LAPIC_MSR_TSC_DEADLINE) {
		*value = LVT_TIMER_MODE(l->lvt[LAPIC_LVT_TIMER]) == TIMER_TSC_DEADLINE
				 ? l->tsc_deadline
				 : 0;
		return 0;
	}
	if (msr < LAPIC_MSR_FIRST || msr > LAPIC_MSR_LAST)
		return -1;
	if (reg >= REG_ISR0 && reg < REG_ISR0 + 8) {
		*value = l->isr[reg - REG_ISR0];
		return 0;
	}
	if (reg >= REG_TMR0 && reg < REG_TMR0 + 8) {
		*value = 0; /* every interrupt is edge-triggered */
		return 0;
	}
	if (reg >= REG_IRR0 && reg < REG_IRR0 + 8) {
		*value = l->irr[reg - REG_IRR0];
		return 0;
	}
	if (reg >= REG_LVT_TIMER && reg <= REG_LVT_TIMER + 5) {
		*value = l->lvt[reg - REG_LVT_TIMER];
		return 0;
	}
	switch (reg) {
	case REG_ID:
		*value = l->id;
		return 0;
	case REG_VERSION:
		*value = VERSION | (MAX_LVT << 16);
		return 0;
	case REG_TPR:
		*value = l->tpr;
		return 0;
	case REG_PPR:
		*value = ppr(l);
		return 0;
	case REG_LDR: /* x2APIC logical ID: cluster in 31:16, one bit of 16 in 15:0 (11.12.10) */
		*value = ((l->id >> 4) << 16) | (1u << (l->id & 0xf));
		return 0;
	case REG_SVR:
		*value = l->svr;
		return 0;
	case REG_ESR:
		*value = l->esr;
		return 0;
	case REG_ICR:
		*value = l->icr;
		return 0;
	case REG_TIMER_INITIAL:
		*value = l->initial_count;
		return 0;
	case REG_TIMER_CURRENT:
		*value = current_count(l, now);
		return 0;
	case REG_TIMER_DIVIDE:
		*value = l->divide;
		return 0;
	default:
		return -1; /* EOI and SELF IPI are write-only; the rest is reserved */
	}
}

/* The APIC ids of [0, vcpus) a destination names (shorthand none). */
static uint64_t destination_targets(uint32_t low, uint32_t dest, unsigned int vcpus)
{
	uint64_t all = vcpus >= 64 ? ~0ull : (1ull << vcpus) - 1, t = 0;

	if (dest == BROADCAST)
		return all;
	if (!(low & ICR_LOGICAL))
		return dest < vcpus ? 1ull << dest : 0;
	/* Cluster dest >> 16 holds APIC ids cluster * 16 + n, n the bits of dest's low half. */
	for (unsigned int n = 0; n < 16; n++) {
		uint64_t id = (uint64_t)(dest >> 16) * 16 + n;

		if ((dest & (1u << n)) && id < vcpus)
			t |= 1ull << id;
	}
	return t;
}

void lapic_icr_decode(uint64_t icr, uint32_t self, unsigned int vcpus, struct lapic_ipi *ipi)
{
	uint32_t low = (uint32_t)icr, dest = (uint32_t)(icr >> 32);
	uint64_t all = vcpus >= 64 ? ~0ull : (1ull << vcpus) - 1;
	uint64_t me = self < vcpus ? 1ull << self : 0;

	*ipi = (struct lapic_ipi){ .kind = LAPIC_IPI_NONE, .vector = (uint8_t)low };
	switch (ICR_DELIVERY_MODE(low)) {
	case MODE_FIXED:
	case MODE_LOWEST_PRIORITY: /* one target: below, the lowest-numbered one named */
		ipi->kind = ipi->vector < 16 ? LAPIC_IPI_INVALID : LAPIC_IPI_FIXED;
		break;
	case MODE_NMI:
		ipi->kind = LAPIC_IPI_NMI;
		break;
	case MODE_INIT:
		/* The level de-assert (level 0, trigger level) only synchronizes arbitration ids. */
		if ((low & (ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL)) == ICR_TRIGGER_LEVEL)
			return;
		ipi->kind = LAPIC_IPI_INIT;
		break;
	case MODE_STARTUP:
		ipi->kind = LAPIC_IPI_STARTUP;
		break;
	default: /* SMI, reserved */
		ipi->kind = LAPIC_IPI_INVALID;
		return;
	}
	if (ipi->kind == LAPIC_IPI_INVALID)
		return;
	switch (ICR_SHORTHAND(low)) {
	case SHORTHAND_SELF: /* fixed only: other modes with it are invalid (11.6.1) */
		if (ipi->kind != LAPIC_IPI_FIXED)
			ipi->kind = LAPIC_IPI_INVALID;
		ipi->targets = me;
		break;
	case SHORTHAND_ALL:
		ipi->targets = all;
		break;
	case SHORTHAND_ALL_BUT_SELF:
		ipi->targets = all & ~me;
		break;
	default:
		ipi->targets = destination_targets(low, dest, vcpus);
		break;
	}
	if (ipi->kind != LAPIC_IPI_INVALID && !ipi->targets)
		ipi->kind = LAPIC_IPI_NONE;
	/* Every APIC has the same priority for it (no arbitration is emulated): the first. */
	if (ICR_DELIVERY_MODE(low) == MODE_LOWEST_PRIORITY)
		ipi->targets &= -ipi->targets;
}

int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t now, uint64_t value)
{
	uint32_t reg = msr - LAPIC_MSR_FIRST;

	if (msr == LAPIC_MSR_TSC_DEADLINE) {
		if (LVT_TIMER_MODE(l->lvt[LAPIC_LVT_TIMER]) == TIMER_TSC_DEADLINE) {
			l->tsc_deadline = value;
			rearm(l);
		}
		return 0; /* ignored in the other timer modes (11.5.4.1) */
	}
	if (msr < LAPIC_MSR_FIRST || msr > LAPIC_MSR_LAST)
		return -1;
	if (reg != REG_ICR && (value >> 32))
		return -1; /* x2APIC registers but the ICR are 32 bits; the rest is reserved */
	if (reg >= REG_LVT_TIMER && reg <= REG_LVT_TIMER + 5) {
		unsigned int i = reg - REG_LVT_TIMER;
		uint32_t old = l->lvt[i];

		l->lvt[i] = ((uint32_t)value & lvt_writable[i]) |
			    (l->svr & SVR_ENABLE ? 0 : LVT_MASKED);
		if (i == LAPIC_LVT_TIMER && LVT_TIMER_MODE(old) != LVT_TIMER_MODE(l->lvt[i])) {
			l->tsc_deadline = 0; /* a mode change disarms the timer (11.5.4.1) */
			l->initial_count = 0;
			rearm(l);
		}
		return 0;
	}
	switch (reg) {
	case REG_TPR:
		l->tpr = (uint32_t)value & 0xff;
		return 0;
	case REG_EOI: {
		int v = highest_bit(l->isr);

		if (v >= 0)
			l->isr[v / 32] &= ~(1u << (v % 32));
		return 0;
	}
	case REG_SVR:
		l->svr = (uint32_t)value & 0x11ff;
		if (!(l->svr & SVR_ENABLE))
			for (unsigned int i = 0; i < LAPIC_LVTS; i++)
				l->lvt[i] |= LVT_MASKED;
		return 0;
	case REG_ESR:
		l->esr = 0;
		return 0;
	case REG_ICR: {
		struct lapic_ipi ipi;

		/* Stored only: the VM's glue sends it (lapic_icr_decode), to whom it names. */
		l->icr = value & ICR_WRITABLE;
		lapic_icr_decode(value, l->id, 64, &ipi);
		if (ipi.kind == LAPIC_IPI_INVALID)
			l->esr |= ESR_SEND_ILLEGAL_VECTOR;
		return 0;
	}
	case REG_TIMER_INITIAL:
		if (LVT_TIMER_MODE(l->lvt[LAPIC_LVT_TIMER]) == TIMER_TSC_DEADLINE)
			return 0;
		l->initial_count = (uint32_t)value;
		l->timer_start = now;
		rearm(l);
		return 0;
	case REG_TIMER_DIVIDE:
		l->divide = (uint32_t)value & 0xb;
		rearm(l);
		return 0;
	case REG_SELF_IPI:
		(void)raise(l, (uint32_t)value & 0xff);
		return 0;
	default:
		return -1; /* read-only or reserved */
	}
}
