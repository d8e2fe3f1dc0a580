/*
 * The guest's CPUID, as a whitelist (pv-abi/SPEC.md §2: what a guest sees is what it may use).
 * A bit passes only if Shunt knows the guest can use what it announces: an instruction that
 * runs natively on state Shunt switches (x87/SSE by FXSAVE; no XSAVE, so nothing AVX), a
 * CR4 bit the guest may set, or an MSR that exit_msr.c emulates. Everything else is hidden,
 * and so is every feature that depends on a hidden one. Bit names follow the SDM, Vol. 2A,
 * CPUID, and AMD's APM Vol. 3, appendix E, for the extended leaves.
 */
#include <arch/cpuid_policy.h>

#define BIT(n) (1u << (n))

/* CR4 bits that announce a feature (SDM Vol. 3A 2.5). */
#define CR4_BIT_VME (1ull << 0)
#define CR4_BIT_PVI (1ull << 1)
#define CR4_BIT_DE (1ull << 3)
#define CR4_BIT_PSE (1ull << 4)
#define CR4_BIT_PGE (1ull << 7)
#define CR4_BIT_UMIP (1ull << 11)
#define CR4_BIT_LA57 (1ull << 12)
#define CR4_BIT_FSGSBASE (1ull << 16)
#define CR4_BIT_PCIDE (1ull << 17)
#define CR4_BIT_SMEP (1ull << 20)
#define CR4_BIT_SMAP (1ull << 21)

/*
 * Leaf 1 ECX. Hidden: DTES64 (2), DS-CPL (4), PDCM (15): no debug store or perfmon MSRs;
 * MONITOR (3): MONITOR/MWAIT raise #UD; VMX (5), SMX (6): not nested; EIST (7), TM2 (8):
 * no power or thermal MSRs; CNXT-ID (10), xTPR (14): IA32_MISC_ENABLE shows neither;
 * SDBG (11): no IA32_DEBUG_INTERFACE; DCA (18): no DCA MSRs; x2APIC (21), TSC-deadline
 * (24): only for VMs with the emulated x2APIC; XSAVE (26), OSXSAVE (27): CR4.OSXSAVE
 * is forbidden; AVX (28), FMA (12), F16C (29): AVX state needs XSAVE.
 */
#define LEAF1_ECX_ALWAYS                                                                           \
	(BIT(0) /* SSE3 */ | BIT(1) /* PCLMULQDQ */ | BIT(9) /* SSSE3 */ |                         \
	 BIT(13) /* CMPXCHG16B */ | BIT(19) /* SSE4.1 */ | BIT(20) /* SSE4.2 */ |                  \
	 BIT(22) /* MOVBE */ | BIT(23) /* POPCNT */ | BIT(25) /* AES-NI */ | BIT(30) /* RDRAND */)
#define LEAF1_ECX_PCID BIT(17)
#define LEAF1_ECX_HYPERVISOR BIT(31)
#define LEAF1_ECX_X2APIC BIT(21)
#define LEAF1_ECX_TSC_DEADLINE BIT(24)

/*
 * Leaf 1 EDX. Hidden: MCE (7), MCA (14): no machine-check MSRs; APIC (9): but for VMs with
 * the emulated x2APIC, IA32_APIC_BASE reads with its enable bit clear, as on a CPU whose APIC
 * is disabled (SDM Vol. 3A 11.4.3); MTRR (12): no MTRR MSRs (PAT is emulated); PSN (18);
 * DS (21), ACPI (22), TM (29), PBE (31): no debug store or thermal MSRs; HTT (28): each vCPU
 * is a package of its own.
 */
#define LEAF1_EDX_ALWAYS                                                                           \
	(BIT(0) /* FPU */ | BIT(4) /* TSC */ | BIT(5) /* MSR */ | BIT(6) /* PAE */ |               \
	 BIT(8) /* CX8 */ | BIT(11) /* SEP: SYSENTER MSRs are in the VMCS */ |                     \
	 BIT(15) /* CMOV */ | BIT(16) /* PAT */ | BIT(19) /* CLFSH */ | BIT(23) /* MMX */ |        \
	 BIT(24) /* FXSR */ | BIT(25) /* SSE */ | BIT(26) /* SSE2 */ | BIT(27) /* SS */)
#define LEAF1_EDX_VME BIT(1)
#define LEAF1_EDX_DE BIT(2)
#define LEAF1_EDX_PSE BIT(3)
#define LEAF1_EDX_PGE BIT(13)
#define LEAF1_EDX_PSE36 BIT(17)
#define LEAF1_EDX_APIC BIT(9)
#define LEAF6_EAX_ARAT BIT(2)

/*
 * Leaf 7 subleaf 0 EBX. Hidden: TSC_ADJUST (1): no such MSR; SGX (2); HLE (4), RTM (11): TSX
 * is not vouched for (no IA32_TSX_CTRL); AVX2 (5) and all of AVX-512 (16, 17, 21, 26-28,
 * 30, 31): need XSAVE; RDT-M (12), RDT-A (15), Intel PT (25): no MSRs; MPX (14): needs XSAVE.
 */
#define LEAF7_EBX_ALWAYS                                                                           \
	(BIT(3) /* BMI1 */ | BIT(6) /* FDP_EXCPTN_ONLY */ | BIT(8) /* BMI2 */ |                    \
	 BIT(9) /* ERMS */ | BIT(13) /* FCS/FDS deprecated */ | BIT(18) /* RDSEED */ |             \
	 BIT(19) /* ADX */ | BIT(23) /* CLFLUSHOPT */ | BIT(24) /* CLWB */ | BIT(29) /* SHA */)
#define LEAF7_EBX_FSGSBASE BIT(0)
#define LEAF7_EBX_SMEP BIT(7)
#define LEAF7_EBX_INVPCID BIT(10)
#define LEAF7_EBX_SMAP BIT(20)

/*
 * Leaf 7 subleaf 0 ECX. Hidden: AVX-512 VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ (1, 6, 11,
 * 12, 14), VAES (9), VPCLMULQDQ (10): need AVX/XSAVE; PKU (3), OSPKE (4), CET_SS (7),
 * PKS (31): CR4.PKE and CR4.CET are forbidden; WAITPKG (5): UMWAIT/TPAUSE raise #UD;
 * TME (13), KL (23), BUS_LOCK_DETECT (24), ENQCMD (29), SGX_LC (30): no MSRs or state;
 * MAWAU (21:17): MPX is hidden.
 */
#define LEAF7_ECX_ALWAYS                                                                           \
	(BIT(0) /* PREFETCHWT1 */ | BIT(8) /* GFNI (SSE encodings) */ | BIT(25) /* CLDEMOTE */ |   \
	 BIT(27) /* MOVDIRI */ | BIT(28) /* MOVDIR64B */)
#define LEAF7_ECX_UMIP BIT(2)
#define LEAF7_ECX_LA57 BIT(16)
#define LEAF7_ECX_RDPID BIT(22)

/*
 * Leaf 7 subleaf 0 EDX: only instruction behaviour. Hidden: AVX-512 and AMX (2, 3, 8, 22-25):
 * need XSAVE; UINTR (5), PCONFIG (18), arch LBR (19), CET_IBT (20), hybrid (15), TSXLDTRK
 * (16), RTM_ALWAYS_ABORT (11), TSX_FORCE_ABORT (13): hidden state or leaves; SRBDS_CTRL (9),
 * IBRS/IBPB (26), STIBP (27), L1D_FLUSH (28), ARCH_CAPABILITIES (29), CORE_CAPABILITIES (30),
 * SSBD (31): their MSRs raise #GP.
 */
#define LEAF7_EDX_ALWAYS                                                                           \
	(BIT(4) /* fast short REP MOV */ | BIT(10) /* MD_CLEAR */ | BIT(14) /* SERIALIZE */)

/* Leaf 7 subleaf 1 EAX: fast zero-length MOVSB, fast short STOSB, fast short CMPSB/SCASB. */
#define LEAF7_1_EAX_ALWAYS (BIT(10) | BIT(11) | BIT(12))

/*
 * Leaf 0x80000001 ECX. Hidden: CmpLegacy (1), TopologyExtensions (22): topology; SVM (2):
 * not nested; ExtApicSpace (3), AltMovCr8 (4): no local APIC; OSVW (9), IBS (10), WDT (13),
 * NodeId (19), PerfCtrExt* (23, 24, 28), DataBkptExt (26), PerfTsc (27): no MSRs;
 * XOP (11), FMA4 (16), LWP (15): need AVX/XSAVE; SKINIT (12); TCE (17): EFER.TCE is not
 * writable; MONITORX (29); AddrMaskExt (30).
 */
#define EXT1_ECX_ALWAYS                                                                            \
	(BIT(0) /* LAHF/SAHF */ | BIT(5) /* ABM/LZCNT */ | BIT(6) /* SSE4A */ |                    \
	 BIT(7) /* MisAlignSse */ | BIT(8) /* PREFETCHW */ | BIT(21) /* TBM */)

/*
 * Leaf 0x80000001 EDX: on AMD bits 0-9, 12-17, 23 and 24 repeat leaf 1 EDX and get its policy.
 * Hidden besides: FFXSR (25): EFER.FFXSR is not writable.
 */
#define EXT1_EDX_COPIES_LEAF1 (0x3ffu | 0x3f000u | BIT(23) | BIT(24))
#define EXT1_EDX_ALWAYS                                                                            \
	(BIT(11) /* SYSCALL */ | BIT(20) /* NX */ | BIT(22) /* MmxExt */ |                         \
	 BIT(26) /* 1 GiB pages */ | BIT(29) /* LM */ | BIT(30) /* 3DNowExt */ |                   \
	 BIT(31) /* 3DNow */)
#define EXT1_EDX_RDTSCP BIT(27)

/* Leaf 0x80000007 EDX: the invariant TSC (8); the guest reads the host's TSC, unscaled. */
#define EXT7_EDX_ALWAYS BIT(8)

/* Leaf 0x80000008 EBX: CLZERO (0), RstrFpErrPtrs (2); WBNOINVD (9) and the rest hidden. */
#define EXT8_EBX_ALWAYS (BIT(0) | BIT(2))

/* Signature (leaf 1 EAX, leaf 0x80000001 EAX): stepping, model, family, type, extended. */
#define SIGNATURE_MASK 0x0fff3fffu

static uint32_t if_cr4(const struct cpuid_context *ctx, uint64_t cr4_bits, uint32_t bits)
{
	return (ctx->cr4_settable & cr4_bits) == cr4_bits ? bits : 0;
}

static uint32_t leaf1_edx_mask(const struct cpuid_context *ctx)
{
	return LEAF1_EDX_ALWAYS | if_cr4(ctx, CR4_BIT_VME | CR4_BIT_PVI, LEAF1_EDX_VME) |
	       if_cr4(ctx, CR4_BIT_DE, LEAF1_EDX_DE) |
	       if_cr4(ctx, CR4_BIT_PSE, LEAF1_EDX_PSE | LEAF1_EDX_PSE36) |
	       if_cr4(ctx, CR4_BIT_PGE, LEAF1_EDX_PGE);
}

static struct cpuid_regs leaf1(struct cpuid_regs h, const struct cpuid_context *ctx)
{
	return (struct cpuid_regs){
		.eax = h.eax & SIGNATURE_MASK,
		/* Brand index and CLFLUSH size; one logical processor; the vCPU's APIC id. */
		.ebx = (h.ebx & 0xffffu) | (1u << 16) | (ctx->vcpu_id << 24),
		.ecx = (h.ecx & (LEAF1_ECX_ALWAYS | if_cr4(ctx, CR4_BIT_PCIDE, LEAF1_ECX_PCID))) |
		       LEAF1_ECX_HYPERVISOR |
		       (ctx->x2apic ? LEAF1_ECX_X2APIC | LEAF1_ECX_TSC_DEADLINE : 0),
		.edx = (h.edx & leaf1_edx_mask(ctx)) | (ctx->x2apic ? LEAF1_EDX_APIC : 0),
	};
}

static struct cpuid_regs leaf7(uint32_t subleaf, struct cpuid_regs h,
			       const struct cpuid_context *ctx)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (subleaf == 0) {
		r.eax = h.eax < 1 ? h.eax : 1; /* subleaf 1 is the last one shown */
		r.ebx = h.ebx &
			(LEAF7_EBX_ALWAYS | if_cr4(ctx, CR4_BIT_FSGSBASE, LEAF7_EBX_FSGSBASE) |
			 if_cr4(ctx, CR4_BIT_SMEP, LEAF7_EBX_SMEP) |
			 if_cr4(ctx, CR4_BIT_SMAP, LEAF7_EBX_SMAP) |
			 (ctx->invpcid ? LEAF7_EBX_INVPCID : 0));
		r.ecx = h.ecx & (LEAF7_ECX_ALWAYS | if_cr4(ctx, CR4_BIT_UMIP, LEAF7_ECX_UMIP) |
				 if_cr4(ctx, CR4_BIT_LA57, LEAF7_ECX_LA57) |
				 (ctx->rdtscp ? LEAF7_ECX_RDPID : 0));
		r.edx = h.edx & LEAF7_EDX_ALWAYS;
	} else if (subleaf == 1) {
		r.eax = h.eax & LEAF7_1_EAX_ALWAYS;
	}
	return r;
}

/* Leaves 0 to CPUID_POLICY_MAX_BASIC; leaf is at most the host's maximum. */
static struct cpuid_regs basic_leaf(uint32_t leaf, uint32_t subleaf, struct cpuid_regs h,
				    const struct cpuid_context *ctx)
{
	struct cpuid_regs zero = { 0, 0, 0, 0 };

	switch (leaf) {
	case 0: /* the highest leaf shown, and the vendor string */
		h.eax = h.eax < CPUID_POLICY_MAX_BASIC ? h.eax : CPUID_POLICY_MAX_BASIC;
		return h;
	case 1:
		return leaf1(h, ctx);
	case 2: /* cache and TLB descriptors: information only */
		return h;
	case 4: /* cache parameters, without the host's core and thread counts (one each) */
		h.eax &= 0x3fffu;
		h.edx &= 0x7u;
		return h;
	case 6: /* thermal and power: only ARAT, a property of the emulated APIC's timer */
		return (struct cpuid_regs){ ctx->x2apic ? LEAF6_EAX_ARAT : 0, 0, 0, 0 };
	case 7:
		return leaf7(subleaf, h, ctx);
	default:
		/*
		 * 3 (PSN), 5 (MONITOR), 8, 9 (DCA), 0xA
		 * (perfmon: no counters), 0xB (topology: each vCPU is a package of its own, its
		 * x2APIC id leaf 1's APIC id), 0xC, 0xD (XSAVE).
		 */
		return zero;
	}
}

/* Leaves 0x80000000 to CPUID_POLICY_MAX_EXTENDED; leaf is at most the host's maximum. */
static struct cpuid_regs extended_leaf(uint32_t leaf, struct cpuid_regs h,
				       const struct cpuid_context *ctx)
{
	struct cpuid_regs zero = { 0, 0, 0, 0 };

	switch (leaf) {
	case 0x80000000: /* the highest extended leaf shown; AMD's vendor string */
		h.eax = h.eax < CPUID_POLICY_MAX_EXTENDED ? h.eax : CPUID_POLICY_MAX_EXTENDED;
		return h;
	case 0x80000001:
		return (struct cpuid_regs){
			.eax = h.eax & SIGNATURE_MASK,
			.ebx = h.ebx & 0xf000ffffu, /* AMD: package type, brand id */
			.ecx = h.ecx & EXT1_ECX_ALWAYS,
			.edx = h.edx & ((leaf1_edx_mask(ctx) & EXT1_EDX_COPIES_LEAF1) |
					EXT1_EDX_ALWAYS | (ctx->rdtscp ? EXT1_EDX_RDTSCP : 0)),
		};
	case 0x80000002: /* brand string */
	case 0x80000003:
	case 0x80000004:
	case 0x80000005: /* AMD: L1 cache and TLB */
	case 0x80000006: /* L2 cache */
		return h;
	case 0x80000007:
		return (struct cpuid_regs){ 0, 0, 0, h.edx & EXT7_EDX_ALWAYS };
	case 0x80000008: /* physical and linear address widths; no AMD core count */
		return (struct cpuid_regs){ h.eax & 0xffffu, h.ebx & EXT8_EBX_ALWAYS, 0, 0 };
	default:
		return zero;
	}
}

struct cpuid_regs cpuid_policy_filter(uint32_t leaf, uint32_t subleaf, struct cpuid_regs host,
				      const struct cpuid_context *ctx)
{
	struct cpuid_regs zero = { 0, 0, 0, 0 };

	if (leaf <= CPUID_POLICY_MAX_BASIC && leaf <= ctx->host_max_basic)
		return basic_leaf(leaf, subleaf, host, ctx);
	if (leaf >= 0x80000000u && leaf <= CPUID_POLICY_MAX_EXTENDED &&
	    leaf <= ctx->host_max_extended)
		return extended_leaf(leaf, host, ctx);
	return zero;
}
