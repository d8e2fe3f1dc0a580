/*
 * x86-64 state embedded in the generic struct vm and struct vcpu (hv/vm.h). Generic code
 * never looks inside; arch/x86_64 reaches it through the vm/vcpu it is handed.
 */
#ifndef ARCH_VM_ARCH_H
#define ARCH_VM_ARCH_H

#include <arch/cpuid_policy.h>
#include <arch/pt.h>
#include <arch/x86.h>
#include <hv/types.h>

#define ARCH_EXIT_REASONS 70

/*
 * Guest general registers not held in the VMCS, saved by vmx_entry.S. RAX and then the
 * hypercall argument registers come first, in pv-abi order (RDI, RSI, RDX, R10, R8, R9),
 * so that the VMCALL exit can hand them to hc_dispatch() as a struct hc_args without
 * copying. During the common exits (vmx_exit_fast) only RAX, RBX, RCX, RDX, RSI, RDI and
 * R8-R11 are here; RBP and R12-R15 are stored when any other code may look. CR2 is not
 * here: it only changes on guest page faults, which do not exit, so it is switched when
 * another vCPU is loaded (vmx_vcpu_load).
 */
struct guest_gprs {
	uint64_t rax, rdi, rsi, rdx, r10, r8, r9;
	uint64_t rcx, rbx, rbp, r11, r12, r13, r14, r15;
};

/* vmx_entry.S hard-codes these offsets. */
_Static_assert(__builtin_offsetof(struct guest_gprs, rdi) == 8, "guest_gprs.rdi");
_Static_assert(__builtin_offsetof(struct guest_gprs, r15) == 112, "guest_gprs.r15");
_Static_assert(sizeof(struct guest_gprs) == 120, "guest_gprs: 15 registers");

/* MSRs the VMCS does not switch: Shunt loads the guest's values when its vCPU is loaded. */
struct guest_msrs {
	uint64_t kernel_gs_base, star, lstar, cstar, sfmask, tsc_aux;
	uint64_t cr2;
	/*
	 * The guest wrote one of them with WRMSR: until then all but KERNEL_GS_BASE (which
	 * SWAPGS changes without an exit) are 0, as in every vCPU that never wrote them.
	 */
	uint8_t written;
};

/* Registers the VMCS does not switch and the guest may use: switched when vCPUs change. */
struct guest_fpu_debug {
	struct fxsave_area fxsave; /* x87, MXCSR, XMM0-15 */
	uint64_t dr[4], dr6;
};

struct arch_vcpu {
	struct guest_gprs regs; /* first, then the two fields vmx_entry.S reads beside it */
	uint64_t host_rsp;	/* HOST_RSP as written to this VMCS once launched; 0 before */
	uint8_t launched;	/* VMLAUNCH done: VMRESUME from now on */
	/*
	 * SVM: flush the ASID's TLB entries before the next VMRUN: its VM's nested tables lost
	 * a mapping (set by any CPU, atomic; virt.c's remote flush makes it exit first) or the
	 * guest's CR4 write asks for it.
	 */
	uint8_t tlb_stale;
	/*
	 * The counting build's clock (-DSHUNT_BENCH_COUNTERS, make bench): the ticks of this
	 * vCPU in the guest (entry to exit, vmx_entry.S) and in Shunt (each exit to its next
	 * entry, or to the switch to another vCPU or the scheduler loop: vcpu.c). Zero in the
	 * product.
	 */
	uint64_t entry_tsc;
	uint64_t guest_ticks;
	uint64_t exit_tsc;
	uint64_t hv_ticks;
	struct guest_fpu_debug fpu;
	hpa_t vmcs;
	uint16_t vpid;
	struct guest_msrs msrs;
	uint64_t slice_end;   /* TSC at which the current time slice ends */
	uint64_t armed_at;    /* TSC when it was armed */
	int timer_expired;    /* it fired (or is not saved): arm it again before the next entry */
	uint32_t proc_ctls;   /* VMCS_PROC_BASED_CTLS as last written (only Shunt writes it) */
	uint32_t exit_reason; /* of an exit vmx_exit_fast() left to vmx_exit_full() */
	uint8_t event_queued; /* VMCS_ENTRY_INTR_INFO written since the run loop last entered */
	uint8_t dr_live;      /* it used DR0-3/DR6: they are switched with it (vmcs.c) */
	uint8_t tpr;	      /* the guest's CR8: kept here, never in the real local APIC */
	/*
	 * Its CPUID answers (EAX, EBX, ECX, EDX, as the registers take them), fixed when it is
	 * created: leaves 0-0xD but 4 and 7, which have subleaves, and 0x80000000-8.
	 */
	uint64_t cpuid_basic[CPUID_POLICY_MAX_BASIC + 1][4];
	uint64_t cpuid_extended[CPUID_POLICY_MAX_EXTENDED - 0x80000000u + 1][4];
	uint32_t exit_counts[ARCH_EXIT_REASONS];
	uint32_t cpl_violations; /* hypercalls refused because CPL > 0 */
};

/* vmx_entry.S finds these beside the registers. */
_Static_assert(__builtin_offsetof(struct arch_vcpu, host_rsp) == 120, "arch_vcpu.host_rsp");
_Static_assert(__builtin_offsetof(struct arch_vcpu, launched) == 128, "arch_vcpu.launched");
_Static_assert(__builtin_offsetof(struct arch_vcpu, entry_tsc) == 136, "arch_vcpu.entry_tsc");
_Static_assert(__builtin_offsetof(struct arch_vcpu, guest_ticks) == 144, "arch_vcpu.guest_ticks");
_Static_assert(__builtin_offsetof(struct arch_vcpu, exit_tsc) == 152, "arch_vcpu.exit_tsc");
_Static_assert(__builtin_offsetof(struct arch_vcpu, hv_ticks) == 160, "arch_vcpu.hv_ticks");

/*
 * The I/O and MSR permission maps (virt.c): sized for SVM's IOPM and MSRPM (AMD APM Vol. 2
 * 15.10.1, 15.11), of which VMX uses the first two pages (bitmaps A and B) and the first.
 */
#define ARCH_IO_MAP_PAGES 3
#define ARCH_MSR_MAP_PAGES 2

struct arch_vm {
	struct pt ept;	  /* VMX: the EPT; SVM: the nested page tables (both x86 radix trees) */
	uint64_t eptp;	  /* VMX: the EPT pointer */
	hpa_t io_bitmaps; /* one bit per port, ports 0-0xffff in order; 1 = exit */
	hpa_t msr_bitmap; /* VMX: one bit per MSR; SVM: two (read, write); 1 = exit */
	/*
	 * The page tables and GDT guest_boot_build() made for a Shunt guest's first vCPU
	 * (vcpu_init), which its later vCPUs start on too (arch_vcpu_start); 0 = none.
	 */
	uint64_t boot_cr3, boot_gdt_base;
	uint16_t boot_gdt_limit;
};

#endif
