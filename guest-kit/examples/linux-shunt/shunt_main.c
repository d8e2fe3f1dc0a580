// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The shunt module: Linux on the Shunt hypervisor through its paravirtual ABI, built from
 * guest-kit alone. Loading it detects Shunt (refusing bare metal, other hypervisors and
 * another ABI major with one clear line), opens the interface with HELLO as PV_OS_LINUX,
 * learns the VM's name, and brings up the parts in order: the vCPU page and PV clock,
 * events and the PV timer, the hvc console on the PV console ring, the COM2 tty, and
 * /sys/hypervisor. Unloading takes them down in reverse.
 */
#include "shunt.h"

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>

struct shunt_state shunt;

static int __init shunt_open(void)
{
	/* Before any call: it also picks the module's hypercall instruction (VMCALL, VMMCALL). */
	enum gk_detect_result found = gk_detect(&shunt.hv_version);
	int64_t r;

	if (found != GK_DETECT_OK) {
		if (found == GK_DETECT_WRONG_MAJOR)
			pr_err("not loaded: Shunt speaks ABI %u.%u, this module was built for "
			       "%u.x\n",
			       PV_ABI_VERSION_MAJOR(shunt.hv_version),
			       PV_ABI_VERSION_MINOR(shunt.hv_version), PV_ABI_MAJOR);
		else
			pr_err("not loaded: found %s; this module runs on the Shunt hypervisor "
			       "only\n",
			       gk_detect_describe(found));
		return -ENODEV;
	}
	r = gk_open(PV_OS_LINUX, LINUX_VERSION_CODE, NULL);
	if (r < 0) {
		pr_err("not loaded: HELLO refused: %s (%lld)\n", gk_strerror(r), (long long)r);
		return -ENODEV;
	}
	shunt.abi = (uint32_t)r;
	shunt.features = gk_cpuid_reg(PV_CPUID_FEATURES, 0);
	shunt.privileges = gk_cpuid_reg(PV_CPUID_PRIVILEGES, 0);
	return 0;
}

/* The VM's name and number (VM_INFO, ABI 1.3); a Shunt that predates it leaves them unknown. */
static int __init shunt_identify(void)
{
	int64_t r;

	shunt.info = kzalloc(sizeof(*shunt.info), GFP_KERNEL);
	if (!shunt.info)
		return -ENOMEM;
	r = gk_vm_info(shunt.info);
	shunt.have_info = r == 0;
	if (r < 0 && r != PV_ENOSYS)
		shunt_call_failed_once("VM_INFO", r);
	return 0;
}

static int __init shunt_init(void)
{
	int err = shunt_open();

	if (err)
		return err;
	err = shunt_identify();
	if (err)
		return err;
	pr_info("Shunt ABI %u.%u (hypervisor %u.%u), VM %s id %d, features 0x%x, privileges 0x%x\n",
		PV_ABI_VERSION_MAJOR(shunt.abi), PV_ABI_VERSION_MINOR(shunt.abi),
		PV_ABI_VERSION_MAJOR(shunt.hv_version), PV_ABI_VERSION_MINOR(shunt.hv_version),
		shunt.have_info ? shunt.info->name : "(unknown: ABI before 1.3)",
		shunt.have_info ? (int)shunt.info->vm_id : -1, shunt.features, shunt.privileges);

	err = shunt_clock_init();
	if (err)
		goto err_clock;
	err = shunt_events_init();
	if (err)
		goto err_events;
	err = shunt_hvc_init();
	if (err)
		goto err_hvc;
	err = shunt_com2_init();
	if (err)
		goto err_com2;
	err = shunt_sysfs_init();
	if (err)
		goto err_sysfs;
	pr_info("ready\n");
	return 0;

err_sysfs:
	shunt_com2_exit();
err_com2:
	shunt_hvc_exit();
err_hvc:
	shunt_events_exit();
err_events:
	shunt_clock_exit();
err_clock:
	kfree(shunt.info);
	return err;
}

static void __exit shunt_exit(void)
{
	shunt_sysfs_exit();
	shunt_com2_exit();
	shunt_hvc_exit();
	shunt_events_exit();
	shunt_clock_exit();
	kfree(shunt.info);
	pr_info("unloaded: console ring, events, timer, vCPU page and COM2 given back\n");
}

module_init(shunt_init);
module_exit(shunt_exit);

MODULE_DESCRIPTION("Linux on the Shunt hypervisor: PV console, PV clock, events, direct COM2");
MODULE_LICENSE("Dual MIT/GPL");
