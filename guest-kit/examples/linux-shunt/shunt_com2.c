// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * A tty driver (/dev/ttySH0) for the COM2 16550 (ports 0x2f8-0x2ff) by Shunt's direct
 * hardware calls. With an "io" grant every FIFO's worth of bytes goes out in one
 * HW_PORT_BATCH; with "passthrough" the ports are the VM's own and plain IN/OUT never exit.
 * Without a usable grant the driver says why (gk_hw_describe) and falls back, as guest-kit's
 * drivers do, to the emulated UART at 0x3f8 (trapped, one exit per byte: this VM's console).
 *
 * write() only queues bytes; a work item moves them to the UART. A batch Shunt throttles
 * (PV_ETHROTTLED) is not retried in a loop: the work item goes to sleep for the retry-after
 * Shunt named and runs again then, so a flooding writer costs neither CPU nor exits.
 */
#include "shunt.h"

#include <linux/delay.h>
#include <linux/kfifo.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <linux/workqueue.h>

#define COM2_BASE 0x2f8
#define THR 0
#define IER 1
#define DLL 0
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_THRE 0x20
#define FIFO_DEPTH 16
#define XMIT_SIZE 4096

static struct tty_driver *com2_driver;
static struct tty_port com2_port;
static DEFINE_SPINLOCK(com2_lock);
static DECLARE_KFIFO(com2_fifo, u8, XMIT_SIZE);
static struct pv_port_op *ops; /* PV_PORT_BATCH_MAX ops, in the direct map */
static struct pv_hw_resource *grants;
static void com2_tx_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(com2_work, com2_tx_work);

/*
 * One batch; 1 when it ran, 0 when Shunt throttled it (the work item was re-armed for the
 * retry-after), or a negative code (logged once; the bytes are dropped).
 */
static int com2_batch(uint32_t count)
{
	uint64_t retry_after = 0;
	int64_t r;

	atomic64_inc(&shunt.com2_calls);
	r = gk_hw_port_batch_try(ops, count, &retry_after);
	if (r == PV_ETHROTTLED) {
		atomic64_inc(&shunt.com2_throttled);
		atomic64_inc(&shunt.com2_waits);
		schedule_delayed_work(&com2_work, nsecs_to_jiffies(retry_after) + 1);
		return 0;
	}
	if (r < 0) {
		shunt_call_failed_once("HW_PORT_BATCH", r);
		return (int)r;
	}
	return 1;
}

/* LSR's transmitter-empty bit, by the mode's way to the port; -EAGAIN throttled, or <0. */
static int com2_thr_empty(void)
{
	int r;

	if (shunt.com2_mode != SHUNT_COM2_BATCH)
		return !!(inb(shunt.com2_base + LSR) & LSR_THRE);
	ops[0] = (struct pv_port_op){ .port = shunt.com2_base + LSR, .width = 1, .write = 0 };
	r = com2_batch(1);
	if (r == 1)
		return !!(ops[0].value & LSR_THRE);
	return r == 0 ? -EAGAIN : r;
}

/* Up to a FIFO's worth of queued bytes to the UART; how many went, or <0 (stop for now). */
static int com2_send_chunk(void)
{
	u8 buf[FIFO_DEPTH];
	unsigned int n = kfifo_out_peek(&com2_fifo, buf, FIFO_DEPTH), i;
	int r;

	if (!n)
		return 0;
	if (shunt.com2_mode != SHUNT_COM2_BATCH) {
		for (i = 0; i < n; i++)
			outb(buf[i], shunt.com2_base + THR);
	} else {
		for (i = 0; i < n; i++)
			ops[i] = (struct pv_port_op){ .port = shunt.com2_base + THR,
						      .width = 1,
						      .write = 1,
						      .value = buf[i] };
		r = com2_batch(n);
		if (r != 1)
			return r == 0 ? -EAGAIN : r;
	}
	n = kfifo_out(&com2_fifo, buf, n); /* only this work item takes bytes out */
	atomic64_add(n, &shunt.com2_bytes);
	return (int)n;
}

static void com2_tx_work(struct work_struct *work)
{
	int spins = 0, r;

	while (!kfifo_is_empty(&com2_fifo)) {
		r = com2_thr_empty();
		if (r == -EAGAIN)
			return; /* throttled: re-armed for the retry-after */
		if (r < 0) {
			kfifo_reset_out(&com2_fifo); /* refused for good: drop, logged once */
			return;
		}
		if (!r) {
			/* The FIFO is still going out at the line's pace: sleep, do not spin. */
			if (++spins > 1000) {
				pr_warn_once("com2: the UART does not drain; giving up for now\n");
				return;
			}
			usleep_range(100, 200);
			continue;
		}
		spins = 0;
		r = com2_send_chunk();
		if (r < 0) {
			if (r != -EAGAIN)
				kfifo_reset_out(&com2_fifo);
			return;
		}
		tty_port_tty_wakeup(&com2_port);
	}
}

static int com2_write(struct tty_struct *tty, const u8 *buf, int count)
{
	int n = (int)kfifo_in_spinlocked(&com2_fifo, buf, count, &com2_lock);

	if (n)
		schedule_delayed_work(&com2_work, 0); /* no-op while a throttled retry waits */
	return n;
}

static unsigned int com2_write_room(struct tty_struct *tty)
{
	return kfifo_avail(&com2_fifo);
}

static unsigned int com2_chars_in_buffer(struct tty_struct *tty)
{
	return kfifo_len(&com2_fifo);
}

static int com2_install(struct tty_driver *driver, struct tty_struct *tty)
{
	return tty_port_install(&com2_port, driver, tty);
}

static int com2_open(struct tty_struct *tty, struct file *filp)
{
	return tty_port_open(&com2_port, tty, filp);
}

static void com2_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(&com2_port, tty, filp);
}

static const struct tty_operations com2_tty_ops = {
	.install = com2_install,
	.open = com2_open,
	.close = com2_close,
	.write = com2_write,
	.write_room = com2_write_room,
	.chars_in_buffer = com2_chars_in_buffer,
};

static const struct tty_port_operations com2_port_ops = {};

/* 115200 8N1, FIFOs on, no interrupts: the registers every 16550 driver starts with. */
static int com2_setup_uart(void)
{
	static const u8 init[][2] = { { LCR, 0x80 }, { DLL, 1 },    { DLM, 0 }, { LCR, 0x03 },
				      { FCR, 0xc7 }, { MCR, 0x03 }, { IER, 0 } };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(init); i++) {
		if (shunt.com2_mode == SHUNT_COM2_PASSTHROUGH)
			outb(init[i][1], shunt.com2_base + init[i][0]);
		ops[i] = (struct pv_port_op){ .port = shunt.com2_base + init[i][0],
					      .width = 1,
					      .write = 1,
					      .value = init[i][1] };
	}
	if (shunt.com2_mode != SHUNT_COM2_BATCH)
		return 0;
	return gk_hw_port_batch(ops, ARRAY_SIZE(init), NULL) == ARRAY_SIZE(init) ? 0 : -EIO;
}

/* Which way to COM2: the grant Shunt reports for 0x2f8, or the emulated UART. */
static void com2_choose(void)
{
	struct pv_hw_resource uart;
	int64_t r = PV_EPERM;

	if (shunt.privileges & PV_PERM_HW)
		r = gk_hw_open_in(grants, 8, PV_HW_KIND_PORTS, COM2_BASE, &uart, NULL);
	shunt.com2_refusal = r;
	if (r == 0 && (uart.mode == PV_HW_MODE_IO || uart.mode == PV_HW_MODE_PASSTHROUGH)) {
		shunt.com2_mode =
			uart.mode == PV_HW_MODE_IO ? SHUNT_COM2_BATCH : SHUNT_COM2_PASSTHROUGH;
		shunt.com2_base = COM2_BASE;
		pr_info("com2: ttySH0 drives the granted UART at 0x%x by %s\n", COM2_BASE,
			uart.mode == PV_HW_MODE_IO ? "HW_PORT_BATCH"
						   : "passthrough (IN/OUT with no exits)");
		return;
	}
	if (r == 0)
		r = PV_EOPNOTSUPP; /* granted for MMIO only */
	shunt.com2_refusal = r;
	shunt.com2_mode = SHUNT_COM2_EMULATED;
	shunt.com2_base = GK_UART_COM1;
	pr_info("com2: no usable grant for 0x%x (%s): ttySH0 falls back to the emulated UART at "
		"0x%x\n",
		COM2_BASE, gk_hw_describe(r), GK_UART_COM1);
}

int shunt_com2_init(void)
{
	struct device *dev;
	int err = -ENOMEM;

	INIT_KFIFO(com2_fifo);
	ops = kcalloc(PV_PORT_BATCH_MAX, sizeof(*ops), GFP_KERNEL);
	grants = kcalloc(8, sizeof(*grants), GFP_KERNEL);
	if (!ops || !grants)
		goto err_alloc;
	com2_choose();
	err = com2_setup_uart();
	if (err) {
		pr_err("com2: setting up the UART failed\n");
		goto err_alloc;
	}
	com2_driver = tty_alloc_driver(1, TTY_DRIVER_REAL_RAW | TTY_DRIVER_DYNAMIC_DEV);
	if (IS_ERR(com2_driver)) {
		err = PTR_ERR(com2_driver);
		goto err_alloc;
	}
	com2_driver->driver_name = "shunt_com2";
	com2_driver->name = "ttySH";
	com2_driver->type = TTY_DRIVER_TYPE_SERIAL;
	com2_driver->subtype = SERIAL_TYPE_NORMAL;
	com2_driver->init_termios = tty_std_termios;
	tty_set_operations(com2_driver, &com2_tty_ops);
	tty_port_init(&com2_port);
	com2_port.ops = &com2_port_ops;
	err = tty_register_driver(com2_driver);
	if (err)
		goto err_driver;
	dev = tty_port_register_device(&com2_port, com2_driver, 0, NULL);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_device;
	}
	return 0;

err_device:
	tty_unregister_driver(com2_driver);
err_driver:
	tty_port_destroy(&com2_port);
	tty_driver_kref_put(com2_driver);
err_alloc:
	kfree(grants);
	kfree(ops);
	return err;
}

void shunt_com2_exit(void)
{
	tty_unregister_device(com2_driver, 0);
	tty_unregister_driver(com2_driver);
	/* No writer is left to queue work: stop the work item before the port it wakes goes. */
	cancel_delayed_work_sync(&com2_work);
	tty_port_destroy(&com2_port);
	tty_driver_kref_put(com2_driver);
	kfree(grants);
	kfree(ops);
}
