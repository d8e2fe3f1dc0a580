/*
 * Port I/O exits: decode the exit qualification (SDM Vol. 3C 28.2.1, table 28-5) and hand
 * the access to the VM's emulated devices (vm_io_access). String I/O is not emulated.
 */
#include "vmx.h"

#define IO_SIZE_MASK 0x7
#define IO_DIRECTION_IN (1u << 3)
#define IO_STRING (1u << 4)

void vmx_exit_io(struct vcpu *vcpu, uint64_t q)
{
	unsigned int size = (unsigned int)(q & IO_SIZE_MASK) + 1;
	uint16_t port = (uint16_t)(q >> 16);
	int in = !!(q & IO_DIRECTION_IN);
	uint64_t *rax = &vcpu->arch.regs.rax;
	uint32_t value = (uint32_t)*rax;

	if (q & IO_STRING) {
		vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "string port I/O is not emulated");
		return;
	}
	switch (vm_io_access(vcpu, port, size, !in, &value)) {
	case 0:
		break;
	case VM_IO_RETRY:
		/* run the instruction again after the others had their turn */
		vcpu_attention(vcpu, VCPU_ATTN_YIELD);
		return;
	default:
		return; /* the device stopped the VM */
	}
	if (in) {
		if (size == 4)
			*rax = value; /* a 32-bit destination zero-extends */
		else if (size == 2)
			*rax = (*rax & ~0xffffull) | (value & 0xffff);
		else
			*rax = (*rax & ~0xffull) | (value & 0xff);
	}
	vmx_skip_instruction();
}
