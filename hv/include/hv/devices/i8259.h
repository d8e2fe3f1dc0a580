/*
 * A pair of emulated 8259A programmable interrupt controllers as a PC has them: the master
 * at ports 0x20-0x21, the slave at 0xa0-0xa1 cascaded on the master's IR2, and the edge/level
 * control registers (ELCR) at 0x4d0-0x4d1. Programmed per the Intel 8259A data sheet:
 * ICW1-ICW4, OCW1 (mask), OCW2 (specific and non-specific EOI, rotation, set priority), OCW3
 * (IRR/ISR read, poll, special mask mode), auto-EOI and special fully nested mode; an
 * acknowledge with nothing left to take gives the spurious IR7 of the chip. Pure register
 * logic, host-tested; the VM glue (ports, ExtINT delivery through LINT0) is in
 * hv/vm_platform.c.
 */
#ifndef HV_DEVICES_I8259_H
#define HV_DEVICES_I8259_H

#include <stdint.h>

#define I8259_MASTER_PORT 0x20
#define I8259_SLAVE_PORT 0xa0
#define I8259_ELCR_PORT 0x4d0
#define I8259_CASCADE_IRQ 2
#define I8259_IRQS 16

struct i8259_chip {
	uint8_t irr, isr, imr;
	uint8_t lines;	   /* the IR inputs' levels as last set */
	uint8_t elcr;	   /* 1: that input is level-triggered */
	uint8_t elcr_mask; /* the ELCR bits that exist on this chip */
	uint8_t base;	   /* ICW2: vector of IR0 (bits 7:3) */
	uint8_t icw1, icw3, icw4;
	uint8_t init_step;    /* 0: initialized; 2, 3, 4: ICW2, ICW3, ICW4 expected next */
	uint8_t lowest;	      /* the IR with the lowest priority (7 until rotated) */
	uint8_t read_isr;     /* OCW3 RR/RIS: a command port read shows ISR, not IRR */
	uint8_t poll;	      /* OCW3 P: the next command port read is a poll */
	uint8_t special_mask; /* OCW3 SMM: masked in-service IRs do not block lower ones */
	uint8_t rotate_aeoi;  /* OCW2: rotate on automatic EOI */
};

struct i8259 {
	struct i8259_chip chip[2]; /* master, slave */
	uint64_t acks, spurious;   /* acknowledged interrupts, of them spurious ones */
};

/* The state a PC's firmware leaves: both chips initialized (vectors 0x08 and 0x70), all
 * inputs masked but the cascade, edge-triggered. */
void i8259_reset(struct i8259 *pic);

/* Drives ISA interrupt line irq (0-15; others are ignored) to level (0 or 1). */
void i8259_set_irq(struct i8259 *pic, unsigned int irq, int level);

/* 1 while the master's INT output asks the CPU for an interrupt. */
int i8259_has_output(const struct i8259 *pic);

/* The vector i8259_ack() would give now, without taking it. */
uint8_t i8259_vector(const struct i8259 *pic);

/*
 * The interrupt acknowledge cycle (INTA): the vector of the highest-priority request (ISR
 * set, IRR cleared for an edge), or the chip's spurious IR7 vector when the request went
 * away. Call only when i8259_has_output().
 */
uint8_t i8259_ack(struct i8259 *pic);

/*
 * One access to the command (offset 0) or data (offset 1) port of chip (0 master, 1 slave),
 * or to ELCR (chip 0 or 1, offset 0). Reads fill *value.
 */
void i8259_access(struct i8259 *pic, unsigned int chip, uint16_t offset, int write, uint8_t *value);
void i8259_elcr_access(struct i8259 *pic, unsigned int chip, int write, uint8_t *value);

#endif
