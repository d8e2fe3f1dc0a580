// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * /sys/hypervisor for scripts that want to know where they run: type ("shunt"),
 * version/{major,minor} (the ABI Shunt speaks), and shunt/ with the negotiated ABI, the
 * features and privileges (hex, then names), this VM's name and id, the clocksource
 * decision, the event counters and the COM2 driver's path and counters.
 */
#include "shunt.h"

#include <linux/kobject.h>
#include <linux/sysfs.h>

static ssize_t type_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "shunt\n");
}

static ssize_t major_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", PV_ABI_VERSION_MAJOR(shunt.hv_version));
}

static ssize_t minor_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", PV_ABI_VERSION_MINOR(shunt.hv_version));
}

static ssize_t abi_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u.%u\n", PV_ABI_VERSION_MAJOR(shunt.abi),
			  PV_ABI_VERSION_MINOR(shunt.abi));
}

/* "0xBITS name name ...": the value, then each set bit's name. */
static ssize_t emit_bits(char *buf, uint32_t bits, const char *const *names, unsigned int n)
{
	ssize_t len = sysfs_emit(buf, "0x%x", bits);
	unsigned int i;

	for (i = 0; i < n; i++)
		if (bits & (1u << i))
			len += sysfs_emit_at(buf, len, " %s", names[i]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t features_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	static const char *const names[] = { "vcpu_page",  "events", "timer",  "console_ring",
					     "event_send", "hw",     "vmmcall" };

	return emit_bits(buf, shunt.features, names, ARRAY_SIZE(names));
}

static ssize_t privileges_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	static const char *const names[] = { "base", "console", "time", "events", "hw" };

	return emit_bits(buf, shunt.privileges, names, ARRAY_SIZE(names));
}

static ssize_t vm_name_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", shunt.have_info ? shunt.info->name : "");
}

static ssize_t vm_id_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return shunt.have_info ? sysfs_emit(buf, "%u\n", shunt.info->vm_id) : sysfs_emit(buf, "\n");
}

static ssize_t clocksource_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", shunt.clocksource);
}

static ssize_t events_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "vector %u upcalls %lld timer %lld guest %lld timer_late_us %llu\n",
			  shunt.vector, atomic64_read(&shunt.upcalls),
			  atomic64_read(&shunt.timer_events), atomic64_read(&shunt.guest_events),
			  shunt.timer_late_ns / 1000);
}

static ssize_t com2_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	static const char *const modes[] = { "batch", "passthrough", "emulated" };

	return sysfs_emit(buf, "%s 0x%x bytes %lld calls %lld throttled %lld waits %lld\n",
			  modes[shunt.com2_mode], shunt.com2_base, atomic64_read(&shunt.com2_bytes),
			  atomic64_read(&shunt.com2_calls), atomic64_read(&shunt.com2_throttled),
			  atomic64_read(&shunt.com2_waits));
}

static struct kobj_attribute type_attr = __ATTR_RO(type);
static struct kobj_attribute major_attr = __ATTR_RO(major);
static struct kobj_attribute minor_attr = __ATTR_RO(minor);
static struct kobj_attribute abi_attr = __ATTR_RO(abi);
static struct kobj_attribute features_attr = __ATTR_RO(features);
static struct kobj_attribute privileges_attr = __ATTR_RO(privileges);
static struct kobj_attribute vm_name_attr = __ATTR_RO(vm_name);
static struct kobj_attribute vm_id_attr = __ATTR_RO(vm_id);
static struct kobj_attribute clocksource_attr = __ATTR_RO(clocksource);
static struct kobj_attribute events_attr = __ATTR_RO(events);
static struct kobj_attribute com2_attr = __ATTR_RO(com2);

static struct attribute *version_attrs[] = { &major_attr.attr, &minor_attr.attr, NULL };
static const struct attribute_group version_group = { .name = "version", .attrs = version_attrs };

static struct attribute *shunt_attrs[] = {
	&abi_attr.attr,	    &features_attr.attr, &privileges_attr.attr,
	&vm_name_attr.attr, &vm_id_attr.attr,	 &clocksource_attr.attr,
	&events_attr.attr,  &com2_attr.attr,	 NULL,
};
static const struct attribute_group shunt_group = { .name = "shunt", .attrs = shunt_attrs };

int shunt_sysfs_init(void)
{
	int err;

	if (!hypervisor_kobj)
		return -ENODEV;
	err = sysfs_create_file(hypervisor_kobj, &type_attr.attr);
	if (err)
		goto err_type;
	err = sysfs_create_group(hypervisor_kobj, &version_group);
	if (err)
		goto err_version;
	err = sysfs_create_group(hypervisor_kobj, &shunt_group);
	if (err)
		goto err_shunt;
	return 0;

err_shunt:
	sysfs_remove_group(hypervisor_kobj, &version_group);
err_version:
	sysfs_remove_file(hypervisor_kobj, &type_attr.attr);
err_type:
	pr_err("/sys/hypervisor: %d (is another hypervisor's driver there?)\n", err);
	return err;
}

void shunt_sysfs_exit(void)
{
	sysfs_remove_group(hypervisor_kobj, &shunt_group);
	sysfs_remove_group(hypervisor_kobj, &version_group);
	sysfs_remove_file(hypervisor_kobj, &type_attr.attr);
}
