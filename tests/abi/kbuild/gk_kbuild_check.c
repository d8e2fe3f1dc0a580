// SPDX-License-Identifier: MIT
/*
 * Proof that guest-kit builds inside a Linux kernel module (tests/abi/check-headers builds it
 * with kbuild, W=1 and -Werror, against Debian's headers for the test kernel): every pv-abi
 * and guest-kit header, with the kernel's types and flags, and the kit's functions compiled
 * to code (the table below keeps each one). Never loaded.
 */
#include <asm/io.h>
#include <linux/module.h>

#define GK_VIRT_TO_PHYS(ptr) ((uint64_t)virt_to_phys((void *)(ptr)))
#include <gk/gk.h>
#include <pvabi/calls.h>
#include <pvabi/console_ring.h>
#include <pvabi/hw.h>
#include <pvabi/pvabi.h>
#include <pvabi/start_info.h>
#include <pvabi/types.h>
#include <pvabi/vcpu_page.h>

static void gk_kbuild_event(unsigned int event, void *context)
{
	(void)event;
	(void)context;
}

/* Taking each function's address makes the compiler emit it with the kernel's flags. */
static const void *const gk_kbuild_used[] = {
	(const void *)gk_detect,	  (const void *)gk_open,
	(const void *)gk_strerror,	  (const void *)gk_console_write,
	(const void *)gk_ring_init,	  (const void *)gk_ring_write,
	(const void *)gk_vcpu_page_set,	  (const void *)gk_clock_ns,
	(const void *)gk_steal_ns,	  (const void *)gk_events_bind,
	(const void *)gk_events_dispatch, (const void *)gk_event_send,
	(const void *)gk_timer_set,	  (const void *)gk_hw_open_in,
	(const void *)gk_hw_port_batch,	  (const void *)gk_hw_port_batch_try,
	(const void *)gk_hw_mmio_map,	  (const void *)gk_hw_mmio_unmap,
	(const void *)gk_hw_describe,	  (const void *)gk_uart_puts,
	(const void *)gk_fmt_i64,	  (const void *)gk_fmt_hex,
	(const void *)gk_kbuild_event,	  (const void *)gk_version,
};

static int __init gk_kbuild_init(void)
{
	return gk_kbuild_used[0] ? -ENODEV : 0;
}
module_init(gk_kbuild_init);

MODULE_DESCRIPTION("guest-kit kbuild check (never loaded)");
MODULE_LICENSE("Dual MIT/GPL");
