/*
 * Port I/O exits: decode the exit qualification (SDM Vol. 3C 28.2.1, table 28-5) and hand
 * the access to the VM's emulated devices (vm_io_access). String I/O is not emulated.
 */
#include "vmx.h"

#define IO_SIZE_MASK 0x7
#define IO_DIRECTION_IN (1u << 3)
#define IO_STRING (1u << 4)

/* An IN, or a string instruction: the value comes back into RAX, by the access's size. */
static __attribute__((noinline)) void exit_in_or_string(struct vcpu *vcpu, uint64_t q)
{
	unsigned int size = (unsigned int)(q & IO_SIZE_MASK) + 1;
	uint64_t *rax = &vcpu->arch.regs.rax;
	uint32_t value = (uint32_t)*rax;

	if (q & IO_STRING) {
		vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "string port I/O is not emulated");
		return;
	}
	switch (vm_io_access(vcpu, (uint16_t)(q >> 16), size, 0, &value)) {
	case 0:
		break;
	case VM_IO_RETRY:
		/* run the instruction again after the others had their turn */
		vcpu_attention(vcpu, VCPU_ATTN_YIELD);
		return;
	default:
		return; /* the device stopped the VM */
	}
	if (size == 4)
		*rax = value; /* a 32-bit destination zero-extends */
	else if (size == 2)
		*rax = (*rax & ~0xffffull) | (value & 0xffff);
	else
		*rax = (*rax & ~0xffull) | (value & 0xff);
	vmx_skip_instruction();
}

int vmx_exit_io(struct vcpu *vcpu, uint64_t q)
{
	uint32_t value;
	int r;

	if (q & (IO_DIRECTION_IN | IO_STRING)) {
		exit_in_or_string(vcpu, q);
		return vmx_exit_done(vcpu);
	}
	/* OUT: the guest's RAX goes out, nothing comes back. */
	value = (uint32_t)vcpu->arch.regs.rax;
	r = vm_io_access(vcpu, (uint16_t)(q >> 16), (unsigned int)(q & IO_SIZE_MASK) + 1, 1,
			 &value);
	if (r == 0)
		vmx_skip_instruction();
	else if (r == VM_IO_RETRY)
		vcpu_attention(vcpu, VCPU_ATTN_YIELD); /* run it again after the others' turn */
	return vmx_exit_done(vcpu);
}
