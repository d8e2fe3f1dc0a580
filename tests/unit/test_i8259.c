/*
 * The emulated 8259A pair (hv/devices/i8259.c): Linux's probe and initialization, edge and
 * level requests, priorities and in-service blocking, specific and non-specific EOI, the
 * cascade through IR2, OCW3's IRR/ISR reads and poll, auto-EOI, rotation, special mask
 * mode, spurious IR7/IR15, ELCR's reserved bits, and accesses outside the chips.
 */
#include "unit.h"

#include <hv/devices/i8259.h>

static struct i8259 pic;

static int setup(void **state)
{
	(void)state;
	i8259_reset(&pic);
	return 0;
}

static void out(unsigned int chip, uint16_t offset, uint8_t v)
{
	i8259_access(&pic, chip, offset, 1, &v);
}

static uint8_t in(unsigned int chip, uint16_t offset)
{
	uint8_t v = 0x5a;

	i8259_access(&pic, chip, offset, 0, &v);
	return v;
}

/* What Linux's init_8259A() writes, and its masks after. */
static void linux_init(uint8_t master_mask, uint8_t slave_mask, int aeoi)
{
	out(0, 1, 0xff);
	out(0, 0, 0x11);
	out(0, 1, 0x30);
	out(0, 1, 0x04);
	out(0, 1, aeoi ? 0x03 : 0x01);
	out(1, 0, 0x11);
	out(1, 1, 0x38);
	out(1, 1, 0x02);
	out(1, 1, 0x01);
	out(0, 1, master_mask);
	out(1, 1, slave_mask);
}

static void test_probe(void **state)
{
	(void)state;
	out(1, 1, 0xff);
	out(0, 1, 0xfb);
	assert_int_equal(in(0, 1), 0xfb); /* a PIC is there */
	assert_int_equal(in(1, 1), 0xff);
	assert_false(i8259_has_output(&pic));
}

static void test_edge_irq_and_specific_eoi(void **state)
{
	(void)state;
	linux_init(0xfb, 0xff, 0);
	i8259_set_irq(&pic, 4, 1);
	assert_false(i8259_has_output(&pic)); /* masked: requested, not given */
	assert_int_equal(in(0, 0), 0x10);     /* IRR shows it */
	out(0, 1, 0xeb);		      /* unmask IRQ 4 */
	assert_true(i8259_has_output(&pic));
	assert_int_equal(i8259_vector(&pic), 0x34);
	assert_int_equal(i8259_ack(&pic), 0x34);
	assert_false(i8259_has_output(&pic)); /* an edge is taken once */
	out(0, 0, 0x0b);		      /* OCW3: read ISR */
	assert_int_equal(in(0, 0), 0x10);
	out(0, 0, 0x0a); /* back to IRR */
	assert_int_equal(in(0, 0), 0x00);
	/* Still high after its EOI: no new edge, no new request. */
	out(0, 0, 0x64); /* specific EOI, IR4 */
	out(0, 0, 0x0b);
	assert_int_equal(in(0, 0), 0x00);
	assert_false(i8259_has_output(&pic));
	i8259_set_irq(&pic, 4, 1); /* driven high again while high: no edge */
	assert_false(i8259_has_output(&pic));
	i8259_set_irq(&pic, 4, 0);
	i8259_set_irq(&pic, 4, 1);
	assert_true(i8259_has_output(&pic));
	assert_int_equal(pic.acks, 1);
}

static void test_withdrawn_request_is_spurious(void **state)
{
	(void)state;
	linux_init(0x00, 0x00, 0);
	i8259_set_irq(&pic, 3, 1);
	i8259_set_irq(&pic, 3, 0); /* gone before the acknowledge */
	assert_false(i8259_has_output(&pic));
	assert_int_equal(i8259_ack(&pic), 0x37); /* IR7: spurious, not in service */
	assert_int_equal(pic.spurious, 1);
	out(0, 0, 0x0b);
	assert_int_equal(in(0, 0), 0x00);
}

static void test_priority_and_nonspecific_eoi(void **state)
{
	(void)state;
	linux_init(0x00, 0xff, 0);
	i8259_set_irq(&pic, 5, 1);
	assert_int_equal(i8259_ack(&pic), 0x35);
	i8259_set_irq(&pic, 6, 1); /* lower priority than the one in service */
	assert_false(i8259_has_output(&pic));
	i8259_set_irq(&pic, 1, 1); /* higher: nests */
	assert_int_equal(i8259_ack(&pic), 0x31);
	out(0, 0, 0x20); /* non-specific EOI ends IR1, the highest in service */
	out(0, 0, 0x0b);
	assert_int_equal(in(0, 0), 0x20);
	assert_false(i8259_has_output(&pic)); /* IR6 still waits for IR5 */
	out(0, 0, 0x20);
	assert_int_equal(i8259_ack(&pic), 0x36);
}

static void test_cascade(void **state)
{
	(void)state;
	linux_init(0xfb, 0xfe, 0); /* IRQ 8 unmasked on the slave */
	i8259_set_irq(&pic, 8, 1);
	assert_true(i8259_has_output(&pic));
	assert_int_equal(i8259_ack(&pic), 0x38);
	out(1, 0, 0x0b);
	assert_int_equal(in(1, 0), 0x01); /* in service on the slave */
	out(0, 0, 0x0b);
	assert_int_equal(in(0, 0), 0x04); /* and IR2 on the master */
	out(1, 0, 0x60);		  /* Linux's EOIs: slave IR0, master IR2 */
	out(0, 0, 0x62);
	assert_int_equal(in(0, 0), 0x00);
	assert_false(i8259_has_output(&pic));
	/* The slave's request goes away before the acknowledge: its spurious IR7 (IRQ 15). */
	i8259_set_irq(&pic, 8, 0);
	out(1, 1, 0x7f);
	i8259_set_irq(&pic, 15, 1);
	assert_true(i8259_has_output(&pic));
	i8259_set_irq(&pic, 15, 0);
	assert_false(i8259_has_output(&pic));
}

static void test_slave_spurious(void **state)
{
	(void)state;
	linux_init(0xfb, 0x7f, 0);
	i8259_set_irq(&pic, 15, 1);
	assert_true(i8259_has_output(&pic));
	out(1, 1, 0xff); /* masked on the slave after the master saw it */
	assert_false(i8259_has_output(&pic));
	assert_int_equal(i8259_ack(&pic), 0x37); /* nothing from the master: its IR7 */
}

static void test_level_and_elcr(void **state)
{
	uint8_t v = 0xff;

	(void)state;
	i8259_elcr_access(&pic, 0, 1, &v);
	i8259_elcr_access(&pic, 0, 0, &v);
	assert_int_equal(v, 0xf8); /* IRQ 0, 1, 2 stay edge */
	v = 0xff;
	i8259_elcr_access(&pic, 1, 1, &v);
	i8259_elcr_access(&pic, 1, 0, &v);
	assert_int_equal(v, 0xde); /* and IRQ 8 and 13 */
	linux_init(0x00, 0xff, 0);
	i8259_set_irq(&pic, 5, 1);
	assert_int_equal(i8259_ack(&pic), 0x35);
	assert_false(i8259_has_output(&pic)); /* in service: not again before its EOI */
	out(0, 0, 0x65);
	assert_true(i8259_has_output(&pic)); /* a level still high asks again */
	i8259_set_irq(&pic, 5, 0);
	assert_false(i8259_has_output(&pic));
	i8259_elcr_access(&pic, 2, 0, &v); /* no third chip: nothing happens */
}

static void test_auto_eoi_and_rotation(void **state)
{
	(void)state;
	linux_init(0x00, 0xff, 1);
	i8259_set_irq(&pic, 3, 1);
	assert_int_equal(i8259_ack(&pic), 0x33);
	out(0, 0, 0x0b);
	assert_int_equal(in(0, 0), 0x00); /* auto-EOI: never in service */
	out(0, 0, 0xc3);		  /* set priority: IR3 lowest, IR4 highest */
	i8259_set_irq(&pic, 4, 1);
	i8259_set_irq(&pic, 0, 1);
	assert_int_equal(i8259_vector(&pic), 0x34);
	out(0, 0, 0xc7); /* back to IR7 lowest */
	assert_int_equal(i8259_vector(&pic), 0x30);
}

static void test_poll_and_special_mask(void **state)
{
	(void)state;
	linux_init(0x00, 0xff, 0);
	i8259_set_irq(&pic, 6, 1);
	out(0, 0, 0x0c);		  /* OCW3 poll */
	assert_int_equal(in(0, 0), 0x86); /* taken: IR6 */
	out(0, 0, 0x0c);
	assert_int_equal(in(0, 0), 0x00); /* nothing more */
	/* IR6 in service blocks IR7, unless special mask mode and IR6 masked. */
	i8259_set_irq(&pic, 7, 1);
	assert_false(i8259_has_output(&pic));
	out(0, 0, 0x68); /* OCW3: set special mask */
	out(0, 1, 0x40);
	assert_int_equal(i8259_vector(&pic), 0x37);
}

static void test_reinit_and_bad_access(void **state)
{
	(void)state;
	linux_init(0x00, 0xff, 0);
	i8259_set_irq(&pic, 4, 1);
	out(0, 0, 0x11); /* starting over drops the latched edge, masks nothing */
	assert_false(i8259_has_output(&pic)); /* and gives nothing mid-initialization */
	out(0, 1, 0x20);
	out(0, 1, 0x04);
	out(0, 1, 0x01);
	assert_int_equal(in(0, 1), 0x00);
	assert_false(i8259_has_output(&pic));
	i8259_set_irq(&pic, 2, 1); /* the cascade input is not a line of its own */
	i8259_set_irq(&pic, 16, 1);
	i8259_set_irq(&pic, 1000, 1);
	assert_false(i8259_has_output(&pic));
	out(2, 0, 0x11); /* no such chip or port: ignored */
	out(0, 2, 0x11);
	assert_int_equal(in(0, 1), 0x00);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_probe, setup),
		cmocka_unit_test_setup(test_edge_irq_and_specific_eoi, setup),
		cmocka_unit_test_setup(test_withdrawn_request_is_spurious, setup),
		cmocka_unit_test_setup(test_priority_and_nonspecific_eoi, setup),
		cmocka_unit_test_setup(test_cascade, setup),
		cmocka_unit_test_setup(test_slave_spurious, setup),
		cmocka_unit_test_setup(test_level_and_elcr, setup),
		cmocka_unit_test_setup(test_auto_eoi_and_rotation, setup),
		cmocka_unit_test_setup(test_poll_and_special_mask, setup),
		cmocka_unit_test_setup(test_reinit_and_bad_access, setup),
	};
	return unit_run(tests);
}
