/*
 * Internal interface of the VT-x backend: per-CPU VMX state, VMCS construction, the
 * entry/exit assembly, exit dispatch and the guest-register helpers the handlers share.
 */
#ifndef VMX_H
#define VMX_H

#include "vmcs_fields.h"
#include "vmx_caps.h"
#include "vmx_insn.h"

#include <arch/guest_boot.h>
#include <arch/guest_cpuid.h>
#include <arch/msr_check.h>
#include <arch/percpu.h>
#include <arch/x86.h>
#include <hv/hypercall.h>
#include <hv/vm.h>

/*
 * What the CPUs support, decided once by vmx_enable() on the boot CPU (every other CPU is
 * checked against the same requirements by vmx_cpu_enable()): read-only while VMs run.
 * What each CPU changes as it runs (its current VMCS) is its own: arch/percpu.h.
 */
struct vmx_cpu {
	struct vmx_msrs msrs;
	struct vmx_caps caps;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t cpuid_max_basic, cpuid_max_extended; /* the host's leaf 0 and 0x80000000 EAX */
	uint32_t pin, proc, proc2, exit, entry;	      /* adjusted control words for every VMCS */
	int save_preemption_timer;
	int timer_not_saved; /* !save_preemption_timer: the timer is armed again at every entry */
	uint32_t next_vpid;  /* the next VPID to give (atomic: any CPU builds vCPUs) */
};

extern struct vmx_cpu vmx_cpu;

/* The backend's entries in vmx_ops (vcpu.c), besides those static to vcpu.c. */
const char *vmx_probe(void);
int vmx_enable(void);
int vmx_cpu_enable(hpa_t pages[2], char *why, size_t why_size);
/* Reads the VMX capability MSRs that this CPU has into m (vmx_probe.c). */
void vmx_msrs_read(struct vmx_msrs *m);
int vmx_vcpu_init_flat32(struct vcpu *vcpu, uint32_t entry, uint32_t arg, uint32_t magic);
/*
 * The current VMCS's guest control state for a mode without paging (vcpu_flat32.c, and
 * vcpu_real.c's real mode): CR0 as cr0 plus its fixed bits (PE and PG exempt, with
 * unrestricted guest), CR3, CR4 (fixed bits only) and EFER clear, IA-32e mode off. 0 or -EIO.
 */
int vmx_write_unpaged(uint64_t cr0);
int vmx_vcpu_init_long64(struct vcpu *vcpu, uint64_t entry, uint64_t arg, gpa_t boot_area,
			 uint64_t boot_area_size);
int vmx_vcpu_init_real_mode(struct vcpu *vcpu);
int vmx_vcpu_start_real_mode(struct vcpu *vcpu, uint16_t cs);
int vmx_vcpu_inject_vector(struct vcpu *vcpu, uint8_t vector);

/*
 * After a vCPU's VMCS was built (successfully or not) on whichever CPU: cleared, so that its
 * own CPU can make it current, and the VMCS current before made current again.
 */
void vmx_vcpu_built(struct vcpu *vcpu);

/* Builds vcpu's VMCS (host state, controls, guest state, entry/exit) in a fixed order. */
int vmcs_setup(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg, uint64_t cr3,
	       uint64_t gdt_base, uint16_t gdt_limit);

/*
 * vmx_entry.S: enters the guest of regs (vcpu->arch.regs) and handles its exits, resuming
 * it after each one the handlers say needs nothing more, and calling vmx_run_loop() after
 * the others: it enters whichever vCPU that returns, and returns 0 when it returns NULL;
 * VMX_RUN_RESUME_FAILED or VMX_RUN_LAUNCH_FAILED when a VM entry failed (VMfail), for the
 * vCPU this CPU has loaded (arch/percpu.h, vcpu_loaded).
 */
int vmx_run(struct guest_gprs *regs);
#define VMX_RUN_RESUME_FAILED 1
#define VMX_RUN_LAUNCH_FAILED 2

/*
 * vcpu.c: the run loop's work between two entries (vcpu->attention, deadlines, the slice's
 * end, where the scheduler may pick another vCPU, whose VMCS it makes current). Returns
 * the registers of the vCPU to enter next, or NULL when the scheduler loop takes over.
 */
struct guest_gprs *vmx_run_loop(struct guest_gprs *regs);
/* The same at TSC now, read by the exit handler that calls it. */
struct guest_gprs *vmx_run_loop_at(struct guest_gprs *regs, uint64_t now);

/* The vCPU whose registers regs are (vcpu->arch.regs, what vmx_entry.S passes around). */
static inline struct vcpu *vmx_vcpu_of(struct guest_gprs *regs)
{
	return (struct vcpu *)((char *)regs - __builtin_offsetof(struct vcpu, arch.regs));
}

/*
 * exit.c, called by vmx_entry.S with the registers of the vCPU that exited: each returns
 * VMX_EXIT_RESUME to resume it at once or VMX_EXIT_LOOK when the run loop must look first
 * (vcpu->attention, or a deadline passed); vmx_exit_fast() VMX_EXIT_FULL for an exit it
 * leaves to vmx_exit_full(), which has all the guest's registers in regs. A VMCALL's exit
 * goes to vmx_exit_fast() with its basic reason. A VMCALL's goes to vmx_exit_vmcall_fast(),
 * which returns what vmx_run_loop() does when the run loop must look, regs otherwise (the
 * same vCPU at once).
 */
#define VMX_EXIT_RESUME 0
#define VMX_EXIT_LOOK 1
#define VMX_EXIT_FULL 2
struct guest_gprs *vmx_exit_vmcall_fast(struct guest_gprs *regs);

/*
 * What an exit handler returns when it is done: VMX_EXIT_LOOK once look_at has passed (the
 * first of the slice's end, the PV timer, host work as it was due when the run loop armed
 * the preemption timer, and that timer's re-arm), or at once when something asked for
 * attention (vcpu_attention() sets it to 0); VMX_EXIT_RESUME otherwise.
 */
static inline int vmx_exit_done(const struct vcpu *vcpu)
{
	return rdtsc() >= vcpu->look_at ? VMX_EXIT_LOOK : VMX_EXIT_RESUME;
}
int vmx_exit_fast(struct guest_gprs *regs, uint32_t reason);
int vmx_exit_full(struct guest_gprs *regs);
void vmx_dump_and_stop(struct vcpu *vcpu, int reason_code, const char *what);

void vmx_inject_exception(unsigned int vector, int has_error_code, uint32_t error_code);
uint64_t vmx_gpr_read(struct vcpu *vcpu, unsigned int index);
void vmx_gpr_write(struct vcpu *vcpu, unsigned int index, uint64_t value);

/*
 * Moves the guest past the instruction that exited, length bytes long. Blocking by STI or
 * by MOV SS (interruptibility bits 1:0, SDM Vol. 3C 25.4.2) lasts for the one instruction
 * after them: if that was this one, it is over, as it would be had the CPU executed it.
 * Left set, the guest's next instruction would run with interrupts blocked, and an event
 * queued for this entry would fail it (SDM Vol. 3C 27.3.1.5).
 */
static inline void vmx_skip_instruction_of(uint64_t length)
{
	uint64_t blocking = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + length);
	if (blocking & 3)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, blocking & ~3ull);
}

/* The same for an instruction whose length the CPU reports (VM-exit instruction length). */
static inline void vmx_skip_instruction(void)
{
	vmx_skip_instruction_of(vmread(VMCS_EXIT_INSTRUCTION_LEN));
}

/* The guest's CPL: SS.DPL (SDM Vol. 3C 28.3.1.5), bits 6:5 of its access rights. */
static inline unsigned int vmx_guest_cpl(void)
{
	return (vmread(VMCS_GUEST_SS_AR) >> 5) & 3;
}

#define VMCALL_LENGTH 3 /* 0F 01 C1 */

/* A VMCALL from CPL > 0: #UD, as on a CPU without the hypercall (exit_vmcall.c). */
void vmx_vmcall_refused(struct vcpu *vcpu);

/*
 * The exit every hypercall takes, made at TSC now, inline in vmx_exit_fast(): every VMCS
 * access here is paid by every call: four (CPL, RIP read and write, interruptibility), five
 * when an STI or MOV SS shadow ends.
 */
static inline void vmx_exit_vmcall(struct vcpu *vcpu, uint64_t now)
{
	struct guest_gprs *g = &vcpu->arch.regs;

	if (vmx_guest_cpl() != 0) {
		vmx_vmcall_refused(vcpu);
		return;
	}
	/* VMCALL is 0F 01 C1 (SPEC §3: no prefixes): its length need not be read. */
	vmx_skip_instruction_of(VMCALL_LENGTH);
	g->rax = (uint64_t)hc_dispatch(vcpu, (struct hc_args *)g, now);
}

/*
 * exit_cpuid.c: works out, once, vcpu's CPUID answers that do not depend on the subleaf;
 * and answers any other leaf at its CPUID exit.
 */
void vmx_cpuid_table_build(struct vcpu *vcpu);
void vmx_exit_cpuid_other(struct vcpu *vcpu);

static inline void vmx_cpuid_done(struct guest_gprs *g, const uint64_t r[4])
{
	g->rax = r[0];
	g->rbx = r[1];
	g->rcx = r[2];
	g->rdx = r[3];
	vmx_skip_instruction();
}

/* A CPUID exit, inline in vmx_exit_fast(): the answer is in the vCPU's table, mostly. */
static inline void vmx_exit_cpuid(struct vcpu *vcpu)
{
	struct arch_vcpu *a = &vcpu->arch;
	uint32_t leaf = (uint32_t)a->regs.rax;

	const uint64_t *r = guest_cpuid_lookup(a, leaf);

	if (r)
		vmx_cpuid_done(&a->regs, r);
	else
		vmx_exit_cpuid_other(vcpu);
}

/* Handlers in the exit_*.c families; each returns nothing and acts on the vCPU. */
int vmx_exit_io(struct vcpu *vcpu, uint64_t qualification); /* returns vmx_exit_done() */
void vmx_exit_rdmsr(struct vcpu *vcpu, uint64_t qualification);
void vmx_exit_wrmsr(struct vcpu *vcpu, uint64_t qualification);
void vmx_exit_cr_access(struct vcpu *vcpu, uint64_t qualification);
void vmx_exit_ept_violation(struct vcpu *vcpu, uint64_t qualification);
void vmx_exit_ept_misconfig(struct vcpu *vcpu, uint64_t qualification);

/* vcpu uses its debug registers: load them, switch them with it from now on (vmcs.c). */
void vmx_debug_registers_live(struct vcpu *vcpu);

/* Sets the processor-based controls of the current VMCS, kept in vcpu->arch.proc_ctls. */
void vmx_set_proc_ctls(struct vcpu *vcpu, uint32_t ctls);

/* Forgets the TLB entries tagged with vpid (all of them if single-context is missing). */
void vmx_flush_vpid(uint16_t vpid);
/* A VPID for a new vCPU (0: none, where INVVPID is missing or all were given). */
uint16_t vmx_vpid_take(void);

/* ept.c */
int ept_init(struct arch_vm *avm);
int ept_map_ram(struct arch_vm *avm, gpa_t gpa, hpa_t hpa, uint64_t size);
void ept_destroy(struct arch_vm *avm);
/* INVEPT of avm's translations on this CPU (single-context, or all where that is missing). */
void ept_flush(const struct arch_vm *avm);
int ept_map_mmio(struct arch_vm *avm, gpa_t gpa, hpa_t hpa, uint64_t size);
int ept_unmap(struct arch_vm *avm, gpa_t gpa, uint64_t size);

const char *vmx_exit_reason_name(unsigned int reason);

/*
 * MSRs the VMCS does not switch (struct guest_msrs): msrs into the CPU, which holds from's
 * (NULL: unknown values). Compares all of them and writes those that differ.
 */
void vmx_guest_msrs_load_all(const struct guest_msrs *from, const struct guest_msrs *msrs);

/*
 * The same, inline in every VM switch: when neither vCPU ever wrote its MSRs (Shunt's own
 * guests make no system calls) only KERNEL_GS_BASE, which SWAPGS may have changed, can
 * differ; the others are 0 in both.
 */
static inline void vmx_guest_msrs_load(const struct guest_msrs *from, const struct guest_msrs *m)
{
	if (!from || (from->written | m->written)) {
		vmx_guest_msrs_load_all(from, m);
		return;
	}
	if (from->kernel_gs_base != m->kernel_gs_base)
		wrmsr(MSR_KERNEL_GS_BASE, m->kernel_gs_base);
}

/*
 * Into msrs, what the guest may have changed in the CPU without an exit: SWAPGS exchanges
 * GS.base (in the VMCS) with IA32_KERNEL_GS_BASE, which only the CPU then holds.
 */
static inline void vmx_guest_msrs_save(struct guest_msrs *msrs)
{
	rdmsr_to(MSR_KERNEL_GS_BASE, &msrs->kernel_gs_base); /* every VM switch: 2 stores */
}

#define X86_VECTOR_DB 1
#define X86_VECTOR_UD 6
#define X86_VECTOR_GP 13
#define X86_VECTOR_AC 17

/*
 * CR4 bits a guest may not set: VMX (not nested), and the features whose state Shunt does
 * not switch between vCPUs (XSAVE, PKRU, CET, SMX) or that would expose the host's
 * performance counters (PCE). CPUID hides them; a MOV to CR4 that sets one gets #GP.
 */
#define CR4_GUEST_FORBIDDEN (CR4_VMXE | CR4_SMXE | CR4_OSXSAVE | CR4_PKE | CR4_CET | CR4_PCE)
#define RFLAGS_IF (1ull << 9)

/*
 * CR0 bits Shunt keeps to itself (the CR0 guest/host mask): NE, which VMX fixes, and CD and
 * NW, which neither VM entry nor VM exit loads (SDM Vol. 3C 27.3.2.1, 28.5.1): a guest that
 * set CD itself would leave the host's and every other VM's caches off. A write to them
 * exits; the guest reads back what it wrote, the CPU keeps caching on.
 */
#define CR0_HOST_OWNED (CR0_NE | CR0_CD | CR0_NW)

#endif
