/*
 * VMX instruction wrappers. Each returns 0 on success or -EIO when the instruction reports
 * VMfailInvalid (CF) or VMfailValid (ZF); SDM Vol. 3C 31.2 "conventions".
 */
#ifndef VMX_INSN_H
#define VMX_INSN_H

#include <hv/types.h>

/*
 * The counting build (`make bench`'s build/bench/shunt.elf, -DSHUNT_BENCH_COUNTERS) counts
 * every VMREAD and VMWRITE, for the vmcs_accesses_per_null_hypercall figure; a guest reads
 * the count through an MSR only that build has (exit_msr.c). The build users run has none.
 */
#ifdef SHUNT_BENCH_COUNTERS
extern uint64_t vmx_vmcs_accesses;
#define VMCS_ACCESS_COUNTED() (vmx_vmcs_accesses++)
#else
#define VMCS_ACCESS_COUNTED() ((void)0)
#endif

static inline int vmx_insn_result(uint8_t cf, uint8_t zf)
{
	return (cf | zf) ? -EIO : 0;
}

static inline int vmxon(hpa_t region)
{
	uint8_t cf, zf;

	__asm__ volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(region) : "memory");
	return vmx_insn_result(cf, zf);
}

static inline int vmclear(hpa_t vmcs)
{
	uint8_t cf, zf;

	__asm__ volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(vmcs) : "memory");
	return vmx_insn_result(cf, zf);
}

/* Takes the VMCS's address where it is kept: a VM switch makes no copy of it first. */
static inline int vmptrld(const hpa_t *vmcs)
{
	uint8_t failed;

	/* CF or ZF (below or equal): one flag test, not two. */
	__asm__ volatile("vmptrld %1" : "=@ccbe"(failed) : "m"(*vmcs) : "memory");
	return failed ? -EIO : 0;
}

/* The current VMCS's address (VMPTRST), or ~0 when none is current. */
static inline hpa_t vmptrst(void)
{
	hpa_t vmcs;

	__asm__ volatile("vmptrst %0" : "=m"(vmcs)::"memory");
	return vmcs;
}

/* VMREAD of a field that exists in the current VMCS; Shunt only reads fields it knows. */

static inline uint64_t vmread(uint64_t field)
{
	uint64_t value;

	VMCS_ACCESS_COUNTED();
	__asm__ volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

static inline int vmwrite(uint64_t field, uint64_t value)
{
	uint8_t cf, zf;

	VMCS_ACCESS_COUNTED();
	__asm__ volatile("vmwrite %3, %2"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "r"(field), "rm"(value)
			 : "memory");
	return vmx_insn_result(cf, zf);
}

struct invept_descriptor {
	uint64_t eptp;
	uint64_t reserved;
};

static inline int invept(uint64_t type, uint64_t eptp)
{
	struct invept_descriptor d = { eptp, 0 };
	uint8_t cf, zf;

	__asm__ volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(d), "r"(type) : "memory");
	return vmx_insn_result(cf, zf);
}

struct invvpid_descriptor {
	uint64_t vpid;
	uint64_t linear_address;
};

static inline int invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_descriptor d = { vpid, 0 };
	uint8_t cf, zf;

	__asm__ volatile("invvpid %2, %3"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(d), "r"(type)
			 : "memory");
	return vmx_insn_result(cf, zf);
}

#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXTS 2
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXTS 2

#endif
