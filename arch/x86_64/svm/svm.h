/*
 * Internal interface of the AMD-V backend: per-CPU SVM state, VMCB construction, the entry
 * assembly, exit dispatch and the guest-register helpers the handlers share.
 */
#ifndef SVM_H
#define SVM_H

#include "svm_caps.h"
#include "vmcb.h"

#include <arch/cpuid_policy.h>
#include <arch/guest_boot.h>
#include <arch/percpu.h>
#include <arch/x86.h>
#include <hv/hypercall.h>
#include <hv/mm.h>
#include <hv/vm.h>

#define SVM_MAX_ASIDS 256 /* ASIDs Shunt tracks per CPU; the CPU's own count may be lower */

/* What the CPUs support and holds, decided once by svm_enable(). */
struct svm_cpu {
	struct svm_raw raw;
	struct svm_caps caps;
	uint32_t cpuid_max_basic, cpuid_max_extended; /* the host's leaf 0 and 0x80000000 EAX */
	uint64_t cr4_allowed;			      /* CR4 bits a guest may set (svm.c) */
	uint32_t nasid;				      /* guest ASIDs are 1..nasid-1 */
						      /*
	 * Each CPU's own (arch/percpu.h): virt_pages[0] VM_HSAVE_PA, where VMRUN keeps the
	 * host's state, [1] the host's FS, GS, TR, LDTR and syscall MSRs (VMSAVE at enable);
	 * asid_owner, who last ran with each ASID there; vcpu_loaded, whose FPU and debug state
	 * the CPU holds; vcpu_running, whose slice svm_vcpu_run() is in; timer_armed.
	 */
};
_Static_assert(SVM_MAX_ASIDS == CPU_VIRT_ASIDS, "struct cpu_tables tracks every ASID");

extern struct svm_cpu svm_cpu;

/* The vCPU's VMCB, through the hypervisor's identity map. */
static inline struct vmcb *svm_vmcb(const struct vcpu *vcpu)
{
	return (struct vmcb *)phys_to_virt(vcpu->arch.vmcs);
}

/* vcpu.c: what the shared CPUID policy needs to know of this backend and vCPU. */
struct cpuid_context svm_cpuid_context(const struct vcpu *vcpu);

/* svm.c */
const char *svm_probe(void);
int svm_enable(void);
int svm_cpu_enable(hpa_t pages[2], char *why, size_t why_size);

/* npt.c: nested page tables, ordinary x86-64 page tables walked from N_CR3 (APM 15.25). */
int npt_init(struct vm *vm);
int npt_map_ram(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size);
int npt_map_mmio(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size);
int npt_unmap(struct vm *vm, gpa_t gpa, uint64_t size);
void npt_destroy(struct vm *vm);

/* vmcb.c: a vCPU's VMCB for each way a guest starts; 0 or a negative error. */
int vmcb_setup_long64(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t cr3,
		      uint64_t gdt_base, uint16_t gdt_limit, uint16_t cs, uint16_t ds);
int vmcb_setup_flat32(struct vcpu *vcpu, uint32_t entry);
void vmcb_free(struct vcpu *vcpu);
/* vcpu uses its debug registers: load them, switch them with it from now on. */
void svm_debug_registers_live(struct vcpu *vcpu);

/*
 * svm_entry.S: enters the guest of regs and stays with it through the exits
 * svm_exit_fast() takes, until one that needs more: then every register is in regs and its
 * VMLOAD state in its VMCB, and svm_run() returns.
 */
void svm_run(struct guest_gprs *regs, hpa_t vmcb, hpa_t host_vmload);

/*
 * exit.c: svm_exit_fast() (svm_entry.S's) and svm_exit(), the exit that ended svm_run()
 * when vcpu->arch.exit_reason says it is still to be handled. svm_exit() returns
 * SVM_EXIT_RESUME to enter the same vCPU at once, SVM_EXIT_LOOK when the run loop must look
 * first (vcpu->attention, a deadline).
 */
#define SVM_EXIT_RESUME 0
#define SVM_EXIT_LOOK 1
int svm_exit_fast(struct guest_gprs *regs);
int svm_exit(struct vcpu *vcpu);
const char *svm_exit_kind_name(unsigned int kind);
void svm_dump_and_stop(struct vcpu *vcpu, int reason_code, const char *what);

/* Queues an exception for the next VMRUN (EVENTINJ). */
void svm_inject_exception(struct vcpu *vcpu, unsigned int vector, int has_error_code,
			  uint32_t error_code);
int svm_vcpu_inject_vector(struct vcpu *vcpu, uint8_t vector);

/*
 * Moves the guest past the instruction that exited, length bytes long (NRIP save's next RIP
 * where the CPU has it). An interrupt shadow (STI, MOV SS) lasts for the one instruction
 * after them: if that was this one, it is over (APM 15.21.5).
 */
static inline void svm_skip(struct vcpu *vcpu, uint64_t length)
{
	struct vmcb *v = svm_vmcb(vcpu);

	v->save.rip = svm_cpu.caps.nrip_save ? v->control.next_rip : v->save.rip + length;
	v->control.int_state &= ~INT_STATE_SHADOW;
}

/* exit_msr.c */
void svm_exit_msr(struct vcpu *vcpu);
/* exit_insn.c: MOV to CR4 (intercepted: the bits Shunt forbids), decoded. */
void svm_exit_cr4_write(struct vcpu *vcpu);
/*
 * exit_insn.c: a #UD, which is a hypercall when the guest executed Intel's VMCALL (returns
 * 1, counted as one), else reflected (returns 0).
 */
int svm_exit_ud(struct vcpu *vcpu);
/* The instruction at the guest's RIP is Intel's VMCALL, 0F 01 C1 (SPEC §3). */
int svm_insn_is_vmcall(struct vcpu *vcpu);
#define VMCALL_LENGTH 3
#define VMMCALL_LENGTH 3
/* A hypercall (VMMCALL, or VMCALL through #UD) of length bytes at TSC now. */
void svm_hypercall(struct vcpu *vcpu, uint64_t length, uint64_t now);

#define X86_VECTOR_DB 1
#define X86_VECTOR_UD 6
#define X86_VECTOR_GP 13
#define X86_VECTOR_AC 17
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define DR6_BS (1ull << 14)
#define EFER_SVME (1ull << 12)

/*
 * CR4 bits a guest may not set: VMX (not offered), and the features whose state Shunt does
 * not switch between vCPUs (XSAVE, PKRU, CET, SMX) or that would expose the host's
 * performance counters (PCE). CPUID hides them; a MOV to CR4 that sets one gets #GP.
 */
#define SVM_CR4_GUEST_FORBIDDEN (CR4_VMXE | CR4_SMXE | CR4_OSXSAVE | CR4_PKE | CR4_CET | CR4_PCE)

/* The guest's paging, for reading its instructions (arch/guest_walk.h). */
#define SVM_GUEST_PAGING(v)                                                                        \
	((struct guest_paging){ .cr0 = (v)->save.cr0,                                              \
				.cr3 = (v)->save.cr3,                                              \
				.cr4 = (v)->save.cr4,                                              \
				.efer = (v)->save.efer })

#endif
