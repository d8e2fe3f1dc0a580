/*
 * The VMCALL exit (vmx_exit_vmcall in vmx.h, inline in the exit path) only decodes: it
 * refuses calls from CPL > 0 (#UD, counted, here) and calls the generic hc_dispatch() with
 * the guest's RAX and argument registers, which struct guest_gprs keeps in exactly the
 * layout of struct hc_args (checked below). It also answers arch_pv_features(): VMCALL is
 * this backend's hypercall instruction.
 */
#include "vmx.h"

#include <hv/arch.h>

#define SAME_OFFSET(reg, field)                                                                    \
	_Static_assert(__builtin_offsetof(struct guest_gprs, reg) ==                               \
			       __builtin_offsetof(struct hc_args, field),                          \
		       "guest_gprs." #reg " must overlay hc_args." #field)
SAME_OFFSET(rax, nr);
SAME_OFFSET(rdi, arg[0]);
SAME_OFFSET(rsi, arg[1]);
SAME_OFFSET(rdx, arg[2]);
SAME_OFFSET(r10, arg[3]);
SAME_OFFSET(r8, arg[4]);
SAME_OFFSET(r9, arg[5]);

/*
 * VT-x's hypercall instruction is VMCALL, what guests use until they read the feature leaf:
 * no PV_FEATURE_VMMCALL. (VMMCALL is #UD on Intel CPUs, AMD APM Vol. 3 "VMMCALL".)
 */
uint32_t arch_pv_features(void)
{
	return 0;
}

void vmx_vmcall_refused(struct vcpu *vcpu)
{
	vcpu->arch.cpl_violations++;
	vmx_inject_exception(X86_VECTOR_UD, 0, 0);
}
