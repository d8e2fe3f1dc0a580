/*
 * Per-CPU descriptor tables (GDT with a TSS, the IST stacks) and the trap frame that the
 * exception entry code builds. Selectors match the boot GDT in boot64.S.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>

#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

#define IST_NMI 1
#define IST_DOUBLE_FAULT 2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE 4096

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3A 8.7)");

/* Saved by traps.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* What LGDT/LIDT load and SGDT/SIDT store. */
struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/*
 * What each CPU has of its own: its descriptor tables, IST stacks and identity. GS base
 * points at .self on every CPU (arch_cpu_init, smp_ap_main), so that this CPU's data is one
 * load away wherever Shunt runs (arch_cpu_index), without asking the APIC who it is; a VM
 * exit restores it (VT-x: the VMCS host GS base; AMD-V: VMLOAD of the CPU's host state).
 * The boot CPU's is static; each other CPU's comes from the frame allocator, for good.
 */
struct vcpu;

#define CPU_VIRT_ASIDS 256 /* AMD-V: ASIDs tracked per CPU (svm/'s SVM_MAX_ASIDS) */

struct cpu_tables {
	struct cpu_tables *self; /* at GS:0 */
	unsigned int index;	 /* arch_cpu_index(): 0 the boot CPU, then start order */
	uint32_t apic_id;
	/*
	 * The virtualization backend's state of this CPU, read and written only by this CPU
	 * (percpu.h's this_cpu_read/write: one instruction, as a global's access was).
	 */
	struct vcpu *vcpu_loaded;      /* VT-x: whose VMCS is current; AMD-V: whose FPU state */
	struct vcpu *vcpu_load_failed; /* VT-x: the pick whose VMPTRLD failed, if any */
	struct vcpu *vcpu_running;     /* AMD-V: the vCPU whose slice svm_vcpu_run() is in */
	uint64_t timer_armed;	       /* AMD-V: IA32_TSC_DEADLINE as last written (0: off) */
	uint64_t virt_pages[2];	       /* cpu_enable's: VMXON region; host save area, VMLOAD */
	uint64_t vmcs_before_build;    /* VT-x: the VMCS current when another's build began */
	uint64_t stack_guard;	       /* the unmapped page under its stack (0: none) */
	uint32_t kicked;	       /* apic.c: a kick IPI came since the last idle wait began */
	struct vcpu *asid_owner[CPU_VIRT_ASIDS]; /* AMD-V: who last ran with each ASID here */
	uint64_t gdt[5];			 /* null, code64, data, TSS (two slots) */
	struct tss64 tss;
	uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
};

/* Fills t's GDT and TSS, loads them and points GS base at t: this CPU is t from now on. */
void cpu_tables_load(struct cpu_tables *t, unsigned int index, uint32_t apic_id);

/*
 * This CPU's tables, wherever Shunt runs (through the GDTR, which every VM exit restores;
 * percpu.h's one-instruction GS accessors are for the vendor run loops, where GS base is
 * known to be the host's: always on VT-x, after the VMLOAD of a full exit on AMD-V).
 */
struct cpu_tables *cpu_this(void);
/* CPU index's tables (NULL before that CPU loaded them): for a VMCS built for that CPU. */
struct cpu_tables *cpu_tables_of(unsigned int index);

/* The address of this CPU's TSS (its descriptor is SEL_TSS in the GDT). */
uint64_t cpu_tss_base(void);

/*
 * For the exception handler: if this CPU is one arch_smp_start() is still starting, records
 * the exception as why it is left out and parks it for good (no return); else returns.
 */
void smp_park_if_starting(const char *name, uint64_t vector, uint64_t rip);

/* This CPU's initial APIC id: CPUID leaf 0BH's x2APIC id where it exists, else leaf 01H's. */
uint32_t cpu_initial_apic_id(void);

void trap_handle(struct trap_frame *frame);
void traps_init(void);
/* Loads the IDT traps_init() built (one for all CPUs) on this CPU. */
void traps_load_idt(void);
/* Points vector (32-255) at handler, an interrupt gate on the current stack. */
void traps_set_interrupt(unsigned int vector, uint64_t handler);
extern const uint64_t trap_stubs[32];

#endif
