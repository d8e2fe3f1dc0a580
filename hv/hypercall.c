/*
 * Hypercall dispatch (ACRN's hc_dispatch_table): one table entry per pv-abi call with its
 * handler, the permission class a VM must hold, and its rate-limit class. Handlers see
 * only decoded arguments and return a value or a pv-abi error code.
 */
#include <hv/hypercall.h>
#include <pvabi/pvabi.h>

enum hc_permission {
	HC_PERM_BASE = 1u << 0, /* every VM: version, console, yield, exit */
};

enum hc_rate_class {
	HC_RATE_NONE = 0,  /* not rate-limited */
	HC_RATE_CONSOLE,   /* console output */
};

struct hc_entry {
	int64_t (*handler)(struct vcpu *vcpu, const struct hc_args *args);
	uint32_t permission;
	uint32_t rate_class;
};

static int64_t hc_version(struct vcpu *vcpu, const struct hc_args *args)
{
	return PV_ABI_VERSION(PV_ABI_MAJOR, PV_ABI_MINOR);
}

static int64_t hc_console_write(struct vcpu *vcpu, const struct hc_args *args)
{
	uint64_t gpa = args->arg[0], len = args->arg[1];
	const char *buf;

	if (len > PV_CONSOLE_WRITE_MAX)
		return PV_E2BIG;
	buf = vm_gpa_to_hva(vcpu->vm, gpa, len);
	if (!buf)
		return PV_EFAULT;
	vm_console_write(vcpu->vm, buf, len);
	return (int64_t)len;
}

static int64_t hc_yield(struct vcpu *vcpu, const struct hc_args *args)
{
	vcpu->yield = 1;
	return 0;
}

static int64_t hc_exit(struct vcpu *vcpu, const struct hc_args *args)
{
	vm_stop(vcpu->vm, VM_STOP_EXIT, (int64_t)args->arg[0], "the guest called exit");
	return 0;
}

static const struct hc_entry hc_table[PV_CALL_COUNT] = {
	[PV_CALL_VERSION] = { hc_version, HC_PERM_BASE, HC_RATE_NONE },
	[PV_CALL_CONSOLE_WRITE] = { hc_console_write, HC_PERM_BASE, HC_RATE_CONSOLE },
	[PV_CALL_YIELD] = { hc_yield, HC_PERM_BASE, HC_RATE_NONE },
	[PV_CALL_EXIT] = { hc_exit, HC_PERM_BASE, HC_RATE_NONE },
};

/* Every VM holds the base class today; grants of other classes arrive with later calls. */
static uint32_t vm_permissions(const struct vm *vm)
{
	return HC_PERM_BASE;
}

int64_t hc_dispatch(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	const struct hc_entry *e;
	int64_t ret;

	vm->stats.hypercalls++;
	if (args->nr >= PV_CALL_COUNT || !hc_table[args->nr].handler) {
		vm->stats.hypercall_errors++;
		return PV_ENOSYS;
	}
	e = &hc_table[args->nr];
	if (!(vm_permissions(vm) & e->permission)) {
		vm->stats.hypercall_errors++;
		return PV_EPERM;
	}
	ret = e->handler(vcpu, args);
	if (ret < 0)
		vm->stats.hypercall_errors++;
	return ret;
}
