/*
 * The emulated 8259A pair (see hv/devices/i8259.h). Behaviour from the Intel 8259A data
 * sheet: priorities rotate around the lowest-priority IR, an edge-triggered request is
 * latched on the rising edge and withdrawn when its line falls before the acknowledge, a
 * level-triggered one follows its line, and the master's IR2 follows the slave's INT output.
 */
#include <hv/devices/i8259.h>

#define ICW1_IC4 0x01  /* ICW4 follows */
#define ICW1_SNGL 0x02 /* single chip: no ICW3 */
#define ICW1_LTIM 0x08 /* every input level-triggered */
#define ICW1_INIT 0x10
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW3_SELECT 0x08
#define OCW3_POLL 0x04
#define OCW3_RR 0x02
#define OCW3_ESMM 0x40

enum { MASTER, SLAVE };

static uint8_t level_mask(const struct i8259_chip *c)
{
	return (c->icw1 & ICW1_LTIM) ? 0xff : c->elcr;
}

/* 0 for the highest priority, 7 for the lowest. */
static unsigned int rank(const struct i8259_chip *c, unsigned int irq)
{
	return (irq - c->lowest - 1) & 7;
}

static int highest(const struct i8259_chip *c, uint8_t bits)
{
	for (unsigned int r = 0; r < 8; r++) {
		unsigned int irq = (c->lowest + 1 + r) & 7;

		if (bits & (1u << irq))
			return (int)irq;
	}
	return -1;
}

static int is_cascade(const struct i8259_chip *c, unsigned int irq)
{
	return !(c->icw1 & ICW1_SNGL) && (c->icw3 & (1u << irq));
}

/* The IR this chip's INT output asks to be taken now, or -1. */
static int output(const struct i8259_chip *c, int master)
{
	uint8_t in_service = c->isr;
	int p, s;

	if (c->init_step)
		return -1;
	p = highest(c, c->irr & ~c->imr);
	if (p < 0)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr;
	s = highest(c, in_service);
	if (s < 0 || rank(c, (unsigned int)p) < rank(c, (unsigned int)s))
		return p;
	/* Special fully nested: a slave in service may still pass a higher request of its own. */
	if (master && s == p && (c->icw4 & ICW4_SFNM) && is_cascade(c, (unsigned int)p))
		return p;
	return -1;
}

static void set_line(struct i8259_chip *c, unsigned int irq, int level)
{
	uint8_t bit = (uint8_t)(1u << irq);

	if (level) {
		if ((level_mask(c) & bit) || !(c->lines & bit))
			c->irr |= bit; /* a rising edge, or a level held */
		c->lines |= bit;
	} else {
		c->irr &= (uint8_t)~bit; /* a request withdrawn before its acknowledge */
		c->lines &= (uint8_t)~bit;
	}
}

/* The master's IR2 is the slave's INT output. */
static void update_cascade(struct i8259 *pic)
{
	set_line(&pic->chip[MASTER], I8259_CASCADE_IRQ, output(&pic->chip[SLAVE], 0) >= 0);
}

void i8259_reset(struct i8259 *pic)
{
	*pic = (struct i8259){ 0 };
	for (unsigned int i = 0; i < 2; i++) {
		struct i8259_chip *c = &pic->chip[i];

		c->icw1 = ICW1_INIT | ICW1_IC4;
		c->icw4 = 0x01; /* 8086 mode */
		c->lowest = 7;
	}
	pic->chip[MASTER].base = 0x08;
	pic->chip[MASTER].icw3 = 1u << I8259_CASCADE_IRQ;
	pic->chip[MASTER].imr = (uint8_t) ~(1u << I8259_CASCADE_IRQ);
	pic->chip[MASTER].elcr_mask = 0xf8; /* IRQ 0, 1 and 2 are edge-triggered for good */
	pic->chip[SLAVE].base = 0x70;
	pic->chip[SLAVE].icw3 = I8259_CASCADE_IRQ;
	pic->chip[SLAVE].imr = 0xff;
	pic->chip[SLAVE].elcr_mask = 0xde; /* and IRQ 8 and 13 */
}

void i8259_set_irq(struct i8259 *pic, unsigned int irq, int level)
{
	if (irq >= I8259_IRQS || irq == I8259_CASCADE_IRQ)
		return;
	set_line(&pic->chip[irq / 8], irq % 8, level != 0);
	update_cascade(pic);
}

int i8259_has_output(const struct i8259 *pic)
{
	return output(&pic->chip[MASTER], 1) >= 0;
}

/* The acknowledge of IR irq on one chip: ISR set (but in auto-EOI), an edge's IRR cleared. */
static void take(struct i8259_chip *c, unsigned int irq)
{
	uint8_t bit = (uint8_t)(1u << irq);

	if (!(level_mask(c) & bit))
		c->irr &= (uint8_t)~bit;
	if (!(c->icw4 & ICW4_AEOI))
		c->isr |= bit;
	else if (c->rotate_aeoi)
		c->lowest = (uint8_t)irq;
}

uint8_t i8259_vector(const struct i8259 *pic)
{
	const struct i8259_chip *m = &pic->chip[MASTER], *s = &pic->chip[SLAVE];
	int irq = output(m, 1), sirq;

	if (irq < 0)
		return (uint8_t)(m->base | 7);
	if (!is_cascade(m, (unsigned int)irq))
		return (uint8_t)(m->base + irq);
	sirq = output(s, 0);
	return (uint8_t)(sirq < 0 ? s->base | 7 : s->base + sirq);
}

uint8_t i8259_ack(struct i8259 *pic)
{
	struct i8259_chip *m = &pic->chip[MASTER], *s = &pic->chip[SLAVE];
	int irq = output(m, 1), sirq;
	uint8_t vector;

	pic->acks++;
	if (irq < 0) {
		pic->spurious++;
		return (uint8_t)(m->base | 7);
	}
	take(m, (unsigned int)irq);
	if (!is_cascade(m, (unsigned int)irq)) {
		vector = (uint8_t)(m->base + irq);
	} else if ((sirq = output(s, 0)) < 0) {
		pic->spurious++; /* the master's IR2 stays in service, as on the chip */
		vector = (uint8_t)(s->base | 7);
	} else {
		take(s, (unsigned int)sirq);
		vector = (uint8_t)(s->base + sirq);
	}
	update_cascade(pic);
	return vector;
}

/* A command port read after OCW3's poll bit: 0x80 | IR of the request it takes, or 0. */
static uint8_t poll(struct i8259 *pic, unsigned int chip)
{
	struct i8259_chip *c = &pic->chip[chip];
	int irq = output(c, chip == MASTER);

	c->poll = 0;
	if (irq < 0)
		return 0;
	take(c, (unsigned int)irq);
	update_cascade(pic);
	return (uint8_t)(0x80 | irq);
}

static void write_ocw2(struct i8259_chip *c, uint8_t v)
{
	unsigned int level = v & 7;
	int s;

	switch (v >> 5) {
	case 0: /* clear rotate in auto-EOI */
	case 4: /* set rotate in auto-EOI */
		c->rotate_aeoi = (v >> 7) & 1;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		s = highest(c, c->isr);
		if (s < 0)
			break;
		c->isr &= (uint8_t) ~(1u << s);
		if (v >> 7)
			c->lowest = (uint8_t)s;
		break;
	case 3: /* specific EOI */
	case 7: /* rotate on specific EOI */
		c->isr &= (uint8_t) ~(1u << level);
		if (v >> 7)
			c->lowest = (uint8_t)level;
		break;
	case 6: /* set priority */
		c->lowest = (uint8_t)level;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void write_command(struct i8259_chip *c, uint8_t v)
{
	if (v & ICW1_INIT) {
		/* The chip starts over: nothing masked or in service, and only a new edge on an
		 * edge-triggered input raises a request. */
		c->icw1 = v;
		c->init_step = 2;
		c->imr = c->isr = 0;
		c->irr = c->lines & level_mask(c);
		c->lowest = 7;
		c->read_isr = c->poll = c->special_mask = c->rotate_aeoi = 0;
		if (!(v & ICW1_IC4))
			c->icw4 = 0;
		return;
	}
	if (!(v & OCW3_SELECT)) {
		write_ocw2(c, v);
		return;
	}
	if (v & OCW3_POLL)
		c->poll = 1;
	if (v & OCW3_RR)
		c->read_isr = v & 1;
	if (v & OCW3_ESMM)
		c->special_mask = (v >> 5) & 1;
}

static void write_data(struct i8259_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:
		c->base = v & 0xf8;
		c->init_step = !(c->icw1 & ICW1_SNGL) ? 3 : (c->icw1 & ICW1_IC4) ? 4 : 0;
		return;
	case 3:
		c->icw3 = v;
		c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
		return;
	case 4:
		c->icw4 = v;
		c->init_step = 0;
		return;
	default:
		c->imr = v; /* OCW1 */
		return;
	}
}

void i8259_access(struct i8259 *pic, unsigned int chip, uint16_t offset, int write, uint8_t *value)
{
	struct i8259_chip *c;

	if (chip > SLAVE || offset > 1)
		return;
	c = &pic->chip[chip];
	if (!write) {
		if (offset)
			*value = c->imr;
		else if (c->poll)
			*value = poll(pic, chip);
		else
			*value = c->read_isr ? c->isr : c->irr;
		return;
	}
	if (offset)
		write_data(c, *value);
	else
		write_command(c, *value);
	update_cascade(pic);
}

void i8259_elcr_access(struct i8259 *pic, unsigned int chip, int write, uint8_t *value)
{
	struct i8259_chip *c;

	if (chip > SLAVE)
		return;
	c = &pic->chip[chip];
	if (!write) {
		*value = c->elcr;
		return;
	}
	c->elcr = *value & c->elcr_mask;
	/* Inputs now level-triggered request while their line is high. */
	c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->lines & c->elcr));
	update_cascade(pic);
}
