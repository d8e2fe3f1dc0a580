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
 * Recomputes vm->calls_open from its negotiated version and permissions; call after either
 * changes. The dispatcher's fast path is then a single bit test.
 */
void hc_update_open_calls(struct vm *vm);

/*
 * Runs call args->nr for vcpu; returns the value for the guest's result register. args is
 * the guest's register block: for PV_ETHROTTLED, args->arg[2] (RDX) receives the
 * retry-after time in nanoseconds.
 */
int64_t hc_dispatch(struct vcpu *vcpu, struct hc_args *args);

/* One handler per call of pv-abi's PV_CALL_LIST, hc_<name>; a missing one fails the build. */
#define HC_PROTOTYPE(nr, NAME, name, ...)                                                          \
	int64_t hc_##name(struct vcpu *vcpu, const struct hc_args *args);
PV_CALL_LIST(HC_PROTOTYPE)
#undef HC_PROTOTYPE

#endif
