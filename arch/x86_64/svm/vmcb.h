/*
 * The VMCB (AMD APM Vol. 2, appendix B, tables B-1 and B-2): its control area and its state
 * save area, the intercept bits and exit codes Shunt uses (15.9-15.13, appendix C), named
 * after the APM's own names. Offsets are checked at compile time.
 */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <hv/types.h>

struct vmcb_segment {
	uint16_t selector;
	uint16_t attrib; /* descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 (APM B-2 note) */
	uint32_t limit;
	uint64_t base;
};

struct vmcb_control {
	uint16_t cr_read, cr_write; /* 0x000: one bit per CR */
	uint16_t dr_read, dr_write; /* 0x004 */
	uint32_t exceptions;	    /* 0x008: one bit per vector */
	uint32_t misc1;		    /* 0x00c: INTERCEPT_* below */
	uint32_t misc2;		    /* 0x010: INTERCEPT2_* below */
	uint32_t misc3;		    /* 0x014 */
	uint8_t reserved1[0x3c - 0x18];
	uint16_t pause_filter_threshold; /* 0x03c */
	uint16_t pause_filter_count;	 /* 0x03e */
	uint64_t iopm_base_pa;		 /* 0x040 */
	uint64_t msrpm_base_pa;		 /* 0x048 */
	uint64_t tsc_offset;		 /* 0x050 */
	uint32_t guest_asid;		 /* 0x058 */
	uint8_t tlb_control;		 /* 0x05c */
	uint8_t reserved2[3];
	uint64_t int_ctl;	/* 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING */
	uint64_t int_state;	/* 0x068: bit 0 INTERRUPT_SHADOW */
	uint64_t exit_code;	/* 0x070 */
	uint64_t exit_info1;	/* 0x078 */
	uint64_t exit_info2;	/* 0x080 */
	uint64_t exit_int_info; /* 0x088 */
	uint64_t np_enable;	/* 0x090: bit 0 */
	uint64_t avic_apic_bar; /* 0x098 */
	uint64_t ghcb_pa;	/* 0x0a0 */
	uint64_t event_inj;	/* 0x0a8 */
	uint64_t n_cr3;		/* 0x0b0 */
	uint64_t virt_ext;	/* 0x0b8: LBR and VMLOAD/VMSAVE virtualization */
	uint32_t clean;		/* 0x0c0: VMCB clean bits */
	uint32_t reserved3;
	uint64_t next_rip;	/* 0x0c8: with NRIP save */
	uint8_t insn_len;	/* 0x0d0: with decode assists */
	uint8_t insn_bytes[15]; /* 0x0d1 */
	uint8_t reserved4[0x400 - 0xe0];
};

struct vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
	uint8_t reserved1[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t reserved2;
	uint64_t efer; /* 0x4d0 */
	uint8_t reserved3[0x548 - 0x4d8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip; /* 0x548 */
	uint8_t reserved4[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5d8 */
	uint8_t reserved5[0x5f8 - 0x5e0];
	uint64_t rax;					  /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask;		  /* 0x600 */
	uint64_t kernel_gs_base;			  /* 0x620 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip; /* 0x628 */
	uint64_t cr2;					  /* 0x640 */
	uint8_t reserved6[0x668 - 0x648];
	uint64_t g_pat;	 /* 0x668 */
	uint64_t dbgctl; /* 0x670 */
	uint8_t reserved7[0x1000 - 0x678];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(__builtin_offsetof(struct vmcb_control, iopm_base_pa) == 0x40, "vmcb iopm");
_Static_assert(__builtin_offsetof(struct vmcb_control, guest_asid) == 0x58, "vmcb asid");
_Static_assert(__builtin_offsetof(struct vmcb_control, exit_code) == 0x70, "vmcb exit_code");
_Static_assert(__builtin_offsetof(struct vmcb_control, event_inj) == 0xa8, "vmcb event_inj");
_Static_assert(__builtin_offsetof(struct vmcb_control, next_rip) == 0xc8, "vmcb next_rip");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "vmcb control area");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "vmcb cpl");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "vmcb efer");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "vmcb cr4");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "vmcb rip");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "vmcb rsp");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "vmcb rax");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "vmcb cr2");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "vmcb g_pat");
_Static_assert(sizeof(struct vmcb) == 0x1000, "vmcb is one page");

/* Intercept vector 3 (offset 0x00c), APM 15.9-15.13. */
#define INTERCEPT_INTR (1u << 0)
#define INTERCEPT_NMI (1u << 1)
#define INTERCEPT_SMI (1u << 2)
#define INTERCEPT_INIT (1u << 3)
#define INTERCEPT_VINTR (1u << 4)
#define INTERCEPT_RDPMC (1u << 15)
#define INTERCEPT_CPUID (1u << 18)
#define INTERCEPT_RSM (1u << 19)
#define INTERCEPT_INVD (1u << 22)
#define INTERCEPT_HLT (1u << 24)
#define INTERCEPT_INVLPGA (1u << 26)
#define INTERCEPT_IOIO_PROT (1u << 27)
#define INTERCEPT_MSR_PROT (1u << 28)
#define INTERCEPT_TASK_SWITCH (1u << 29)
#define INTERCEPT_SHUTDOWN (1u << 31)
/* Intercept vector 4 (offset 0x010). */
#define INTERCEPT2_VMRUN (1u << 0)
#define INTERCEPT2_VMMCALL (1u << 1)
#define INTERCEPT2_VMLOAD (1u << 2)
#define INTERCEPT2_VMSAVE (1u << 3)
#define INTERCEPT2_STGI (1u << 4)
#define INTERCEPT2_CLGI (1u << 5)
#define INTERCEPT2_SKINIT (1u << 6)
#define INTERCEPT2_RDTSCP (1u << 7)
#define INTERCEPT2_ICEBP (1u << 8)
#define INTERCEPT2_WBINVD (1u << 9)
#define INTERCEPT2_MONITOR (1u << 10)
#define INTERCEPT2_MWAIT (1u << 11)
#define INTERCEPT2_MWAIT_ARMED (1u << 12)
#define INTERCEPT2_XSETBV (1u << 13)

/* int_ctl (offset 0x060), APM 15.21.1-15.21.4. */
#define V_IRQ (1ull << 8)
#define V_INTR_PRIO_SHIFT 16
#define V_IGN_TPR (1ull << 20)
#define V_INTR_MASKING (1ull << 24)
#define INT_STATE_SHADOW (1ull << 0)

/* tlb_control (offset 0x05c), APM 15.16.1. */
#define TLB_CONTROL_NOTHING 0
#define TLB_CONTROL_ALL 1
#define TLB_CONTROL_GUEST 3

/* EVENTINJ and EXITINTINFO (APM 15.20): vector, type, error code valid, valid. */
#define EVENT_TYPE_INTR (0u << 8)
#define EVENT_TYPE_NMI (2u << 8)
#define EVENT_TYPE_EXCEPTION (3u << 8)
#define EVENT_TYPE_SOFT_INT (4u << 8)
#define EVENT_TYPE_MASK (7u << 8)
#define EVENT_ERROR_VALID (1u << 11)
#define EVENT_VALID (1u << 31)

/* Exit codes (APM appendix C). */
#define SVM_EXIT_CR0_READ 0x00
#define SVM_EXIT_CR4_WRITE 0x14
#define SVM_EXIT_DR0_READ 0x20
#define SVM_EXIT_DR7_WRITE 0x37
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_SMI 0x62
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_RDPMC 0x6f
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_RSM 0x73
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_INVLPGA 0x7a
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_TASK_SWITCH 0x7d
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_RDTSCP 0x87
#define SVM_EXIT_ICEBP 0x88
#define SVM_EXIT_WBINVD 0x89
#define SVM_EXIT_MONITOR 0x8a
#define SVM_EXIT_MWAIT 0x8b
#define SVM_EXIT_MWAIT_ARMED 0x8c
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID ((uint64_t)-1)

/* IOIO exit information 1 (APM 15.10.2, figure 15-2). */
#define IOIO_TYPE_IN (1u << 0)
#define IOIO_STRING (1u << 2)
#define IOIO_REP (1u << 3)
#define IOIO_SZ8 (1u << 4)
#define IOIO_SZ16 (1u << 5)
#define IOIO_SZ32 (1u << 6)

/* Nested page fault error code (EXITINFO1, APM 15.25.6). */
#define NPF_WRITE (1ull << 1)
#define NPF_FETCH (1ull << 4)

#endif
