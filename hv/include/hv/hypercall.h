/*
 * Generic hypercall dispatch: the architecture decodes a guest's hypercall into struct
 * hc_args and calls hc_dispatch(), whose table holds each call's handler, permission and
 * rate-limit class. Only pv-abi error codes ever reach the guest.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/vm.h>
#include <pvabi/pvabi.h>

struct hc_args {
	uint64_t nr;
	uint64_t arg[6];
};

/*
 * Recomputes vm->calls_open and vm->calls_direct from its negotiated version, permissions
 * and rate limits; call after any of them changes. The dispatcher's fast path is then a
 * single bit test.
 */
void hc_update_open_calls(struct vm *vm);

/* One handler per call of pv-abi's PV_CALL_LIST, hc_<name>; a missing one fails the build. */
typedef int64_t hc_handler_fn(struct vcpu *vcpu, const struct hc_args *args);
#define HC_PROTOTYPE(nr, NAME, name, ...) hc_handler_fn hc_##name;
PV_CALL_LIST(HC_PROTOTYPE)
#undef HC_PROTOTYPE

/* hc_<name> by call number. */
extern hc_handler_fn *const hc_handlers[PV_CALL_COUNT];

/* Every call that is not direct: the open check, the rate limit and counters, refusals. */
int64_t hc_dispatch_checked(struct vcpu *vcpu, struct hc_args *args);

/*
 * Runs call args->nr for vcpu, made at arch_cycles() now; returns the value for the guest's
 * result register. args is the guest's register block: for PV_ETHROTTLED, args->arg[2]
 * (RDX) receives the retry-after time in nanoseconds. Inline in the architecture's
 * hypercall exit, which every call takes: an open call with nothing else to check
 * (vm->calls_direct) costs one bit test and the handler; one limited in the "other" class
 * (vm->calls_limited: a VM of one vCPU), another bit test and a token from its bucket while
 * there is one. A VM of several vCPUs takes its tokens in hc_dispatch_checked() (by
 * compare-and-swap: its other vCPUs take from the same bucket on other CPUs), so that the
 * calls that go that way anyway (console, hardware, refusals) pay no third test.
 */
static inline int64_t hc_dispatch(struct vcpu *vcpu, struct hc_args *args, uint64_t now)
{
	struct vm *vm = vcpu->vm;
	uint64_t nr = args->nr;
	int64_t ret;

	/*
	 * Counted by call, per vCPU (vcpu_stats.calls): the one increment the total used to
	 * be, on this CPU's own line, with no lock or atomic whatever CPU the vCPU runs on.
	 */
	if (nr < PV_CALL_COUNT && (vm->calls_direct & (1ull << nr))) {
		vcpu->stats.calls[nr]++;
		ret = hc_handlers[nr](vcpu, args);
	} else if (nr < PV_CALL_COUNT && (vm->calls_limited & (1ull << nr)) &&
		   bucket_take_fast_alone(&vm->buckets[PV_RATE_OTHER], now) == 0) {
		vcpu->stats.calls[nr]++; /* a VM of one vCPU: its bucket is this CPU's alone */
		ret = hc_handlers[nr](vcpu, args);
	} else {
		ret = hc_dispatch_checked(vcpu, args);
	}
	if (ret < 0)
		vcpu->stats.hypercall_errors++;
	return ret;
}

#endif
