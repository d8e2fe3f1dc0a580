/*
 * Generic hypercall dispatch: the architecture decodes a guest's hypercall into struct
 * hc_args and calls hc_dispatch(), whose table holds each call's handler, permission and
 * rate-limit class. Only pv-abi error codes ever reach the guest.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/vm.h>

struct hc_args {
	uint64_t nr;
	uint64_t arg[6];
};

/* Runs call args->nr for vcpu; returns the value for the guest's result register. */
int64_t hc_dispatch(struct vcpu *vcpu, const struct hc_args *args);

#endif
