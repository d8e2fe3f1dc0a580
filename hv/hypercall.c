/*
 * Hypercall dispatch (ACRN's hc_dispatch_table): the table is generated from pv-abi's
 * PV_CALL_LIST, so each entry's handler, permission class, rate-limit class and version
 * come from the one list. Before a VM opens the interface with HELLO only VERSION, HELLO
 * and EXIT work; afterwards only calls of the negotiated version or older. Also the calls
 * of the base class (the console's are in vm_console.c and console_ring.c).
 */
#include <hv/arch.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/string.h>
#include <pvabi/vm_info.h>

struct hc_entry {
	int64_t (*handler)(struct vcpu *vcpu, const struct hc_args *args);
	uint32_t permission;
	uint32_t rate_class;
	uint32_t since; /* PV_ABI_VERSION that introduced it */
};

#define HC_ENTRY(nr, NAME, name, nargs, args, result, perm, rate, major, minor)                    \
	[nr] = { hc_##name, perm, rate, PV_ABI_VERSION(major, minor) },
static const struct hc_entry hc_table[PV_CALL_COUNT] = { PV_CALL_LIST(HC_ENTRY) };
#undef HC_ENTRY

/* The handlers alone, for hc_dispatch()'s direct calls (hypercall.h). */
#define HC_HANDLER(nr, NAME, name, ...) [nr] = hc_##name,
hc_handler_fn *const hc_handlers[PV_CALL_COUNT] = { PV_CALL_LIST(HC_HANDLER) };
#undef HC_HANDLER

int64_t hc_version(struct vcpu *vcpu, const struct hc_args *args)
{
	return PV_ABI_CURRENT;
}

int64_t hc_hello(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	uint32_t wanted = (uint32_t)args->arg[0];
	uint32_t minor = PV_ABI_VERSION_MINOR(wanted);

	if (args->arg[0] > 0xffffffffull || PV_ABI_VERSION_MAJOR(wanted) != PV_ABI_MAJOR) {
		/* The whole 64-bit value: the guest asked for major version arg >> 16. */
		log_warn("vm %s: HELLO for ABI %llu.%u refused: Shunt speaks %u.%u\n", vm->name,
			 (unsigned long long)(args->arg[0] >> 16), minor, PV_ABI_MAJOR,
			 PV_ABI_MINOR);
		return PV_EPROTONOSUPPORT;
	}
	if (minor > PV_ABI_MINOR)
		minor = PV_ABI_MINOR; /* a newer guest gets what Shunt has */
	vm->abi_version = PV_ABI_VERSION(PV_ABI_MAJOR, minor);
	hc_update_open_calls(vm);
	vm->os_kind = (uint32_t)args->arg[1];
	vm->os_version = args->arg[2];
	log_info("vm %s: opened ABI %u.%u (guest built for %u.%u, OS kind %u version 0x%llx)\n",
		 vm->name, PV_ABI_MAJOR, minor, PV_ABI_MAJOR, PV_ABI_VERSION_MINOR(wanted),
		 vm->os_kind, (unsigned long long)vm->os_version);
	return vm->abi_version;
}

int64_t hc_vm_info(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	struct pv_vm_info *info = vm_gpa_to_hva(vm, args->arg[0], sizeof(*info));

	_Static_assert(sizeof(vm->name) <= sizeof(info->name), "a VM's name fits pv_vm_info");
	if (!info)
		return PV_EFAULT;
	memset(info, 0, sizeof(*info));
	info->vm_id = vm->id;
	info->vcpu_count = vm->vcpu_count;
	info->boots = vm->boots;
	strlcpy(info->name, vm->name, sizeof(info->name));
	return 0;
}

int64_t hc_yield(struct vcpu *vcpu, const struct hc_args *args)
{
	vcpu_attention(vcpu, VCPU_ATTN_YIELD);
	return 0;
}

int64_t hc_exit(struct vcpu *vcpu, const struct hc_args *args)
{
	vm_stop(vcpu->vm, VM_STOP_EXIT, (int64_t)args->arg[0], "the guest called exit");
	return 0;
}

/* Calls that work before HELLO: enough to find out, to negotiate, and to give up cleanly. */
static int is_open_before_hello(uint64_t nr)
{
	return nr == PV_CALL_VERSION || nr == PV_CALL_HELLO || nr == PV_CALL_EXIT;
}

_Static_assert(PV_CALL_COUNT <= 64, "calls_open has one bit per call");

/* Whether vm may make call nr now: negotiated (or allowed before HELLO) and permitted. */
static int is_open(const struct vm *vm, uint64_t nr)
{
	const struct hc_entry *e = &hc_table[nr];

	if (!(vm->permissions & e->permission))
		return 0;
	return vm->abi_version ? e->since <= vm->abi_version : is_open_before_hello(nr);
}

/* The error for a call that is not open, most specific reason first. */
static int64_t refusal(const struct vm *vm, uint64_t nr)
{
	if (!vm->abi_version && !is_open_before_hello(nr))
		return PV_ENOTCONN;
	if (vm->abi_version && hc_table[nr].since > vm->abi_version)
		return PV_ENOSYS; /* newer than what this guest negotiated */
	return PV_EPERM;
}

/*
 * Whether an open call needs nothing but its handler (and perhaps a token): no retry-after
 * to pass on (the console's handlers answer PV_ETHROTTLED themselves) and no hardware
 * counters to keep. Then it is direct if its class is unlimited for this VM.
 */
static int is_plain(const struct hc_entry *e)
{
	return e->rate_class != PV_RATE_CONSOLE && e->permission != PV_PERM_HW &&
	       e->permission != PV_PERM_CONSOLE;
}

/*
 * Built aside and stored a word at a time: HELLO may come from one vCPU while the VM's others
 * dispatch on other CPUs, and a call open before must never look closed meanwhile (a call
 * that reads one word before and one after is refused by neither; it goes the checked way).
 */
void hc_update_open_calls(struct vm *vm)
{
	uint64_t open = 0, direct = 0, limited = 0;

	for (uint64_t nr = 0; nr < PV_CALL_COUNT; nr++) {
		const struct hc_entry *e = &hc_table[nr];

		if (!is_open(vm, nr))
			continue;
		open |= 1ull << nr;
		if (!is_plain(e))
			continue;
		if (e->rate_class == PV_RATE_NONE || vm->buckets[e->rate_class].rate == 0)
			direct |= 1ull << nr;
		else if (e->rate_class == PV_RATE_OTHER && vm->vcpu_count == 1)
			limited |= 1ull << nr; /* one CPU takes: a plain store will do */
		/* Several vCPUs: their CPUs take by compare-and-swap (call_rated, vm_rate_take). */
	}
	__atomic_store_n(&vm->calls_open, open, __ATOMIC_RELAXED);
	__atomic_store_n(&vm->calls_direct, direct, __ATOMIC_RELAXED);
	__atomic_store_n(&vm->calls_limited, limited, __ATOMIC_RELAXED);
}

/*
 * A rate-limited call: takes a token of its class first (console calls count bytes, in
 * their handlers); on refusal the guest's RDX gets the retry-after. Reached out of line
 * (hc_dispatch_checked), so that direct calls (VERSION) pay nothing for it.
 */
static int64_t call_rated(struct vcpu *vcpu, const struct hc_entry *e, struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	uint64_t retry_after;
	int64_t ret;

	if (e->rate_class != PV_RATE_CONSOLE && vm_rate_take(vm, e->rate_class, &retry_after)) {
		args->arg[2] = retry_after;
		return PV_ETHROTTLED;
	}
	ret = e->handler(vcpu, args);
	if (ret == PV_ETHROTTLED)
		args->arg[2] = vcpu->retry_after_ns;
	if (e->permission == PV_PERM_HW) { /* the hardware-call counters of the summary */
		vcpu->stats.hw_calls++;
		vcpu->stats.hw_refused += ret < 0;
	}
	return ret;
}

int64_t hc_dispatch_checked(struct vcpu *vcpu, struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	uint64_t nr = args->nr;

	vcpu->stats.calls[nr < PV_CALL_COUNT ? nr : PV_CALL_COUNT]++;
	if (nr < PV_CALL_COUNT && (vm->calls_open & (1ull << nr)))
		return call_rated(vcpu, &hc_table[nr], args);
	return nr < PV_CALL_COUNT ? refusal(vm, nr) : PV_ENOSYS;
}
