// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The vCPU page and Shunt's PV clock. The page (PV clock, pending events) is registered with
 * VCPU_PAGE_SET. On Shunt's PC platform Linux may already run on kvm-clock: Shunt's KVM leaves
 * publish the same clock (same zero, same scale), so then the module only says so. Otherwise
 * it registers "shunt-pvclock", read with no exit: rated below tsc and kvm-clock (a fallback
 * the kernel may switch to, which does not displace the vDSO-readable TSC), or above both
 * with clocksource=on. The log line says which clocksource the kernel is on.
 */
#include "shunt.h"

#include <asm/kvm_para.h>
#include <asm/pvclock.h>

/* after asm/pvclock.h, which it needs and does not include */
#include <asm/kvmclock.h>
#include <linux/clocksource.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/string.h>

#define CURRENT_CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"
#define RATING_FALLBACK 250  /* below tsc (300) and kvm-clock (299 on an invariant TSC, or 400) */
#define RATING_PREFERRED 450 /* above both */

static char *clocksource_mode = "auto";
module_param_named(clocksource, clocksource_mode, charp, 0444);
MODULE_PARM_DESC(clocksource, "auto (register shunt-pvclock unless the kernel is on kvm-clock), "
			      "on (register it above kvm-clock and tsc), off (never)");

static bool registered;
static char decision[64];

static u64 shunt_pvclock_read(struct clocksource *cs)
{
	return gk_clock_ns(shunt.page);
}

static struct clocksource shunt_pvclock = {
	.name = "shunt-pvclock",
	.rating = RATING_FALLBACK,
	.read = shunt_pvclock_read,
	.mask = CLOCKSOURCE_MASK(64),
	.flags = CLOCK_SOURCE_IS_CONTINUOUS,
};

/* The kernel's clocksource now, as sysfs shows it: no exported function tells a module. */
static void current_clocksource(char *name, size_t size)
{
	struct file *f = filp_open(CURRENT_CLOCKSOURCE, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	strscpy(name, "unknown", size);
	if (IS_ERR(f))
		return;
	n = kernel_read(f, name, size - 1, &pos);
	filp_close(f, NULL);
	name[n > 0 ? n : 0] = '\0';
	strim(name);
}

/* Whether kvm-clock, which Shunt's KVM leaves feed with the same clock, is registered. */
static bool kernel_has_kvmclock(void)
{
	return kvm_para_available() && kvm_clock.list.next && !list_empty(&kvm_clock.list);
}

static int shunt_page_init(void)
{
	int64_t r;

	if (!(shunt.features & PV_FEATURE_VCPU_PAGE)) {
		pr_err("Shunt offers no vCPU page (features 0x%x)\n", shunt.features);
		return -ENODEV;
	}
	shunt.page = (struct pv_vcpu_page *)get_zeroed_page(GFP_KERNEL);
	if (!shunt.page)
		return -ENOMEM;
	r = gk_vcpu_page_set(shunt.page);
	if (r < 0) {
		shunt_call_failed_once("VCPU_PAGE_SET", r);
		free_page((unsigned long)shunt.page);
		shunt.page = NULL;
		return -EIO;
	}
	return 0;
}

int shunt_clock_init(void)
{
	bool on = !strcmp(clocksource_mode, "on");
	char now[32];
	int err = shunt_page_init();

	if (err)
		return err;
	current_clocksource(now, sizeof(now));
	if (kernel_has_kvmclock())
		pr_info("clock: PV clock %llu ns, kvm-clock %llu ns (Shunt's KVM leaves: the same "
			"clock)\n",
			gk_clock_ns(shunt.page), kvm_clock.read(&kvm_clock));
	if (!strcmp(clocksource_mode, "off") || (!on && !strcmp(now, "kvm-clock"))) {
		snprintf(decision, sizeof(decision), "%s (shunt-pvclock not registered)", now);
		shunt.clocksource = decision;
		pr_info("clock: the kernel is on %s%s; shunt-pvclock not registered\n", now,
			strcmp(now, "kvm-clock") ? " (clocksource=off)"
						 : " (Shunt's PV clock through its KVM leaves)");
		return 0;
	}
	shunt_pvclock.rating = on ? RATING_PREFERRED : RATING_FALLBACK;
	err = clocksource_register_hz(&shunt_pvclock, NSEC_PER_SEC);
	if (err) {
		pr_err("clock: registering shunt-pvclock failed (%d)\n", err);
		gk_vcpu_page_set(GK_NULL);
		free_page((unsigned long)shunt.page);
		shunt.page = NULL;
		return err;
	}
	registered = true;
	current_clocksource(now, sizeof(now));
	snprintf(decision, sizeof(decision), "%s (shunt-pvclock registered, rating %d)", now,
		 shunt_pvclock.rating);
	shunt.clocksource = decision;
	pr_info("clock: registered clocksource shunt-pvclock (rating %d); the kernel is on %s\n",
		shunt_pvclock.rating, now);
	return 0;
}

void shunt_clock_exit(void)
{
	int64_t r;

	if (registered)
		clocksource_unregister(&shunt_pvclock);
	registered = false;
	r = gk_vcpu_page_set(GK_NULL);
	if (r < 0) {
		/* Shunt may still write the page: leak it rather than let it be reused. */
		shunt_call_failed_once("VCPU_PAGE_SET(0)", r);
		shunt.page = NULL;
		return;
	}
	free_page((unsigned long)shunt.page);
	shunt.page = NULL;
}
