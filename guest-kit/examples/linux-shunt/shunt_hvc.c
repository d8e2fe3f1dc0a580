// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * An hvc console on Shunt's PV console ring: /dev/hvc0 for user space and, with console=hvc0
 * on the command line, the kernel's console. Output is copied into the ring (in the direct
 * map, physically contiguous) and one CONSOLE_RING_KICK hands all of it to Shunt: one exit
 * for up to a ring's worth of bytes, where the emulated 16550 takes one per byte. A kick that
 * Shunt can not take (its buffer for the VM full) leaves the bytes in the ring; hvc's own
 * poller (get_chars) kicks again later, so the tty path never waits.
 */
#include "shunt.h"

#include <linux/gfp.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/version.h>

/*
 * The hvc framework's interface (drivers/tty/hvc/hvc_console.h, which no headers package
 * ships): the backend operations and the functions the kernel exports, as Linux 6.1 defines
 * them (6.6 changed the buffer types).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#error "hv_ops as declared here is Linux 6.1's; later kernels changed it"
#endif
struct hvc_struct;
struct hv_ops {
	int (*get_chars)(uint32_t vtermno, char *buf, int count);
	int (*put_chars)(uint32_t vtermno, const char *buf, int count);
	int (*flush)(uint32_t vtermno, bool wait);
	int (*notifier_add)(struct hvc_struct *hp, int irq);
	void (*notifier_del)(struct hvc_struct *hp, int irq);
	void (*notifier_hangup)(struct hvc_struct *hp, int irq);
	int (*tiocmget)(struct hvc_struct *hp);
	int (*tiocmset)(struct hvc_struct *hp, unsigned int set, unsigned int clear);
	void (*dtr_rts)(struct hvc_struct *hp, int raise);
};
int hvc_instantiate(uint32_t vtermno, int index, const struct hv_ops *ops);
struct hvc_struct *hvc_alloc(uint32_t vtermno, int data, const struct hv_ops *ops, int outbuf_size);
int hvc_remove(struct hvc_struct *hp);

#define SHUNT_VTERMNO 0x5348 /* "SH": any number unique among this kernel's hvc backends */
#define RING_SIZE 4096u	     /* data bytes; the ring is 16 + 4096 bytes, two pages */
#define RING_ORDER 1

static struct pv_console_ring *ring;
static struct hvc_struct *hvc;
static DEFINE_SPINLOCK(ring_lock);

/* Bytes in the ring Shunt has not taken yet. */
static uint32_t ring_pending(void)
{
	return ring->producer - READ_ONCE(ring->consumer);
}

/* One kick, no waiting: what Shunt could not take stays in the ring. Under ring_lock. */
static void ring_kick(void)
{
	int64_t r = gk_call_console_ring_kick();

	if (r < 0 && r != PV_ETHROTTLED)
		shunt_call_failed_once("CONSOLE_RING_KICK", r);
}

static int shunt_hvc_put_chars(uint32_t vtermno, const char *buf, int count)
{
	unsigned long flags;
	uint32_t room;
	int n;

	spin_lock_irqsave(&ring_lock, flags);
	room = ring->size - ring_pending();
	n = count < (int)room ? count : (int)room;
	if (n > 0)
		gk_ring_write(ring, buf, (size_t)n); /* fits: gk_ring_write will not kick */
	ring_kick();
	spin_unlock_irqrestore(&ring_lock, flags);
	/* Nothing fitted: hvc retries later (the tty) or flushes and retries (printk). */
	return n > 0 ? n : -EAGAIN;
}

/* hvc's poller calls this every few milliseconds: the moment to kick bytes left over. */
static int shunt_hvc_get_chars(uint32_t vtermno, char *buf, int count)
{
	unsigned long flags;

	if (ring_pending()) {
		spin_lock_irqsave(&ring_lock, flags);
		ring_kick();
		spin_unlock_irqrestore(&ring_lock, flags);
	}
	return 0; /* the PV console is output only */
}

/* The kernel's console waits here when the ring is full: it must not lose a line. */
static int shunt_hvc_flush(uint32_t vtermno, bool wait)
{
	unsigned long flags;
	int64_t r;

	spin_lock_irqsave(&ring_lock, flags);
	r = gk_ring_flush(); /* waits out PV_ETHROTTLED a bounded number of times */
	spin_unlock_irqrestore(&ring_lock, flags);
	if (r < 0 && r != PV_ETHROTTLED)
		shunt_call_failed_once("CONSOLE_RING_KICK (flush)", r);
	return 0;
}

static const struct hv_ops shunt_hvc_ops = {
	.get_chars = shunt_hvc_get_chars,
	.put_chars = shunt_hvc_put_chars,
	.flush = shunt_hvc_flush,
};

int shunt_hvc_init(void)
{
	int64_t r;
	int err;

	if (!(shunt.features & PV_FEATURE_CONSOLE_RING)) {
		pr_err("Shunt offers no console ring (features 0x%x)\n", shunt.features);
		return -ENODEV;
	}
	ring = (struct pv_console_ring *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, RING_ORDER);
	if (!ring)
		return -ENOMEM;
	r = gk_ring_init(ring, RING_SIZE);
	if (r < 0) {
		shunt_call_failed_once("CONSOLE_RING_SET", r);
		err = -EIO;
		goto err_ring;
	}
	/* Index 0: console=hvc0 names it; registers the kernel console if that was asked for. */
	err = hvc_instantiate(SHUNT_VTERMNO, 0, &shunt_hvc_ops);
	if (err) {
		pr_err("hvc: console slot 0 is taken (%d)\n", err);
		goto err_set;
	}
	hvc = hvc_alloc(SHUNT_VTERMNO, 0, &shunt_hvc_ops, PAGE_SIZE);
	if (IS_ERR(hvc)) {
		err = PTR_ERR(hvc);
		pr_err("hvc: hvc_alloc failed (%d)\n", err);
		goto err_set;
	}
	pr_info("hvc0: console on the PV console ring (%u bytes, one exit per kick)\n", RING_SIZE);
	return 0;

err_set:
	gk_call_console_ring_set(0, 0);
err_ring:
	free_pages((unsigned long)ring, RING_ORDER);
	ring = NULL;
	return err;
}

void shunt_hvc_exit(void)
{
	unsigned long flags;
	int64_t r;

	hvc_remove(hvc); /* also takes the kernel console's slot 0 back */
	hvc = NULL;
	spin_lock_irqsave(&ring_lock, flags);
	if (ring_pending())
		gk_ring_flush();
	r = gk_call_console_ring_set(0, 0);
	spin_unlock_irqrestore(&ring_lock, flags);
	if (r < 0) {
		shunt_call_failed_once("CONSOLE_RING_SET(0)", r);
		return; /* Shunt may still read it: leak it */
	}
	free_pages((unsigned long)ring, RING_ORDER);
	ring = NULL;
}
