/*
 * EPT exits. Every guest RAM page is mapped, so a violation means the guest touched
 * guest-physical memory it does not have: the VM is stopped with the address and access.
 * A misconfiguration is Shunt's own bug in that VM's tables: dump and stop it too.
 */
#include "vmx.h"

#define EPT_ACCESS_READ (1u << 0)
#define EPT_ACCESS_WRITE (1u << 1)
#define EPT_ACCESS_FETCH (1u << 2)

void vmx_exit_ept_violation(struct vcpu *vcpu, uint64_t q)
{
	uint64_t gpa = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
	const char *access = (q & EPT_ACCESS_FETCH)   ? "instruction fetch"
			     : (q & EPT_ACCESS_WRITE) ? "write"
						      : "read";

	vm_stop(vcpu->vm, VM_STOP_BAD_ACCESS, -1,
		"EPT violation: %s at guest-physical 0x%llx (RIP 0x%llx), outside its %llu MiB "
		"of RAM",
		access, (unsigned long long)gpa, (unsigned long long)vmread(VMCS_GUEST_RIP),
		(unsigned long long)(vcpu->vm->ram_size >> 20));
}

void vmx_exit_ept_misconfig(struct vcpu *vcpu, uint64_t q)
{
	vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "EPT misconfiguration");
}
