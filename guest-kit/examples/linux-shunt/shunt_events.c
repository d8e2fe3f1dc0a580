// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Events and the PV timer through Shunt's upcall. The upcall needs an interrupt vector of
 * this kernel's own: one is allocated from the x86 vector domain like any device interrupt
 * (so Linux's IDT routes it to our handler), and Shunt is told to inject events on it
 * (EVENT_BIND). The handler acknowledges and dispatches with gk_events_dispatch(). At load a
 * self-test raises a guest event (EVENT_SEND) and arms the PV timer (TIMER_SET) 2 ms ahead,
 * and logs both arriving; /sys/hypervisor/shunt counts them from then on.
 */
#include "shunt.h"

#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/jiffies.h>

#define SELFTEST_TIMER_NS (2 * NSEC_PER_MSEC)

static DECLARE_COMPLETION(timer_done);
static DECLARE_COMPLETION(guest_done);
static uint64_t timer_deadline;

static void shunt_event(unsigned int event, void *context)
{
	if (event == PV_EVENT_TIMER) {
		shunt.timer_late_ns = gk_clock_ns(shunt.page) - timer_deadline;
		atomic64_inc(&shunt.timer_events);
		complete(&timer_done);
	} else if (event >= PV_EVENT_GUEST_FIRST) {
		atomic64_inc(&shunt.guest_events);
		complete(&guest_done);
	}
}

static irqreturn_t shunt_upcall(int irq, void *context)
{
	atomic64_inc(&shunt.upcalls);
	gk_events_dispatch(shunt.page, shunt_event, NULL);
	return IRQ_HANDLED; /* an upcall that finds no bits is harmless (SPEC.md §10) */
}

/* An interrupt of our own on CPU 0 (the VM's one vCPU); its vector, or a negative errno. */
static int shunt_alloc_vector(void)
{
	struct irq_alloc_info info;
	int irq, err;

	memset(&info, 0, sizeof(info));
	info.mask = cpumask_of(0);
	irq = irq_domain_alloc_irqs(x86_vector_domain, 1, NUMA_NO_NODE, &info);
	if (irq < 0)
		return irq;
	irq_set_handler(irq, handle_edge_irq);
	err = request_irq(irq, shunt_upcall, IRQF_NOBALANCING, "shunt-upcall", &shunt);
	if (err) {
		irq_dispose_mapping(irq);
		return err;
	}
	shunt.irq = irq;
	return (int)irqd_cfg(irq_get_irq_data(irq))->vector;
}

static void shunt_free_vector(void)
{
	free_irq(shunt.irq, &shunt);
	irq_dispose_mapping(shunt.irq);
	shunt.irq = 0;
}

/* A guest event and a PV timer 2 ms ahead: both must come back through the upcall. */
static void shunt_events_selftest(void)
{
	bool guest_ok, timer_ok;
	int64_t r;

	reinit_completion(&timer_done);
	reinit_completion(&guest_done);
	r = gk_event_send(0, PV_EVENT_GUEST_FIRST);
	if (r < 0)
		shunt_call_failed_once("EVENT_SEND", r);
	timer_deadline = gk_clock_ns(shunt.page) + SELFTEST_TIMER_NS;
	r = gk_timer_set(timer_deadline);
	if (r < 0)
		shunt_call_failed_once("TIMER_SET", r);
	guest_ok = wait_for_completion_timeout(&guest_done, msecs_to_jiffies(1000));
	timer_ok = wait_for_completion_timeout(&timer_done, msecs_to_jiffies(1000));
	if (guest_ok && timer_ok)
		pr_info("events: upcall on vector %u (irq %d): guest event %d delivered, PV timer "
			"fired %llu us after its deadline\n",
			shunt.vector, shunt.irq, PV_EVENT_GUEST_FIRST, shunt.timer_late_ns / 1000);
	else
		pr_err("events: self-test: guest event %s, PV timer %s within 1 s\n",
		       guest_ok ? "delivered" : "NOT delivered", timer_ok ? "fired" : "NOT fired");
}

int shunt_events_init(void)
{
	int vector;
	int64_t r;

	if (!(shunt.features & PV_FEATURE_EVENTS) || !(shunt.features & PV_FEATURE_TIMER)) {
		pr_err("Shunt offers no events or PV timer (features 0x%x)\n", shunt.features);
		return -ENODEV;
	}
	vector = shunt_alloc_vector();
	if (vector < 0) {
		pr_err("events: no interrupt vector for the upcall (%d)\n", vector);
		return vector;
	}
	shunt.vector = (unsigned int)vector;
	r = gk_events_bind((uint8_t)vector);
	if (r < 0) {
		shunt_call_failed_once("EVENT_BIND", r);
		shunt_free_vector();
		return -EIO;
	}
	shunt_events_selftest();
	return 0;
}

void shunt_events_exit(void)
{
	int64_t r = gk_timer_set(0);

	if (r < 0)
		shunt_call_failed_once("TIMER_SET(0)", r);
	r = gk_events_bind(0);
	if (r < 0)
		shunt_call_failed_once("EVENT_BIND(0)", r);
	shunt_free_vector();
}
