/* SPDX-License-Identifier: MIT */
/*
 * Shunt hypercalls: the raw convention (RAX = call number, arguments in RDI, RSI, RDX, R10,
 * R8, R9; pv-abi/SPEC.md §3) with the CPU vendor's instruction, VMCALL or VMMCALL, chosen at
 * run time, and one typed wrapper per call, gk_call_<name>(), generated from pv-abi's
 * PV_CALL_LIST. Must run at CPL 0. Every call returns >= 0 on success or a negative PV_E*
 * code.
 *
 * Build with -DGK_MOCK to run guest code on a host without a hypervisor: hypercalls, CPUID
 * and RDTSC then go to gk_mock_hypercall(), gk_mock_cpuid() and gk_mock_rdtsc(), which the
 * program provides (gk/mock.h has a ready-made fake Shunt).
 */
#ifndef GK_HYPERCALL_H
#define GK_HYPERCALL_H

#include <pvabi/pvabi.h>
#include <pvabi/types.h>

#ifdef __cplusplus
extern "C" {
#endif
/*
 * The instruction every hypercall executes: 0 = VMCALL (Intel VT-x, and any call made
 * before detection, as SPEC.md §3 asks), 1 = VMMCALL (AMD-V). gk_detect() sets it from
 * Shunt's PV_FEATURE_VMMCALL; a kernel that detects Shunt its own way calls
 * gk_hypercall_select() before its first hypercall.
 *
 * It must be one object in the whole kernel although guest-kit is only headers: each
 * translation unit that includes this one emits a weak definition, and the linker (ld, and
 * ld -r for a Linux module) keeps exactly one of them, where a static would give each file
 * its own copy and an extern would need a .c file. One byte, so the test in every hypercall
 * is one compare with memory. (A Linux module has its own; each module detects.)
 */
extern uint8_t gk_hypercall_vmmcall;
__attribute__((weak)) uint8_t gk_hypercall_vmmcall;
#ifdef __cplusplus
}
#endif

/* Chooses the hypercall instruction from PV_CPUID_FEATURES.EAX (SPEC.md §3). */
static inline void gk_hypercall_select(uint32_t features)
{
	gk_hypercall_vmmcall = (uint8_t)((features & PV_FEATURE_VMMCALL) != 0);
}

/*
 * The hypercall instruction as inline assembly, with the flag as the operand named
 * vmmcall. The VMCALL path, the hot one on Intel, costs a compare and a taken branch more
 * than a bare VMCALL; the VMMCALL path a compare, a branch not taken and a jump. Both
 * instructions are three bytes, so Shunt's "go on three bytes later" holds for either.
 */
#define GK_HYPERCALL_INSN                                                                          \
	"cmpb $0, %[vmmcall]\n\t" /* gk_hypercall_vmmcall */                                       \
	"je 1f\n\t"                                                                                \
	"vmmcall\n\t" /* AMD-V: PV_FEATURE_VMMCALL */                                              \
	"jmp 2f\n"                                                                                 \
	"1:\tvmcall\n" /* Intel VT-x, and every call before detection */                           \
	"2:"
#define GK_HYPERCALL_FLAG [vmmcall] "m"(gk_hypercall_vmmcall)

#ifdef GK_MOCK
#ifdef __cplusplus
extern "C" {
#endif
int64_t gk_mock_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			  uint64_t a4, uint64_t a5);
/*
 * RDX after a mocked hypercall: set to the third argument before gk_mock_hypercall() runs,
 * which may overwrite it (with the retry-after of PV_ETHROTTLED, as Shunt does). The
 * program defines it (gk/mock.h does).
 */
extern uint64_t gk_mock_rdx;
void gk_mock_exit(int64_t code) __attribute__((noreturn));
#ifdef __cplusplus
}
#endif
#endif

/*
 * A hypercall with six arguments, also returning RDX (the second result register: the
 * retry-after time of PV_ETHROTTLED) in *result2. The mock backend reports gk_mock_rdx. Every
 * wrapper below tells the compiler RDX may change: a throttled call overwrites it.
 */
static inline int64_t gk_hypercall6_2(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				      uint64_t a3, uint64_t a4, uint64_t a5, uint64_t *result2)
{
#ifdef GK_MOCK
	int64_t ret;

	gk_mock_rdx = a2;
	ret = gk_mock_hypercall(nr, a0, a1, a2, a3, a4, a5);
	*result2 = gk_mock_rdx;
	return ret;
#else
	int64_t ret;
	register uint64_t rdx __asm__("rdx") = a2;
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;

	__asm__ volatile(GK_HYPERCALL_INSN
			 : "=a"(ret), "+r"(rdx)
			 : "a"(nr), "D"(a0), "S"(a1), "r"(r10), "r"(r8), "r"(r9), GK_HYPERCALL_FLAG
			 : "cc", "memory");
	*result2 = rdx;
	return ret;
#endif
}

static inline int64_t gk_hypercall6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				    uint64_t a4, uint64_t a5)
{
	uint64_t rdx;

	return gk_hypercall6_2(nr, a0, a1, a2, a3, a4, a5, &rdx);
}

/* Fewer arguments load fewer registers: a hypercall's cost is counted in instructions. */
static inline int64_t gk_hypercall0(uint64_t nr)
{
#ifdef GK_MOCK
	return gk_mock_hypercall(nr, 0, 0, 0, 0, 0, 0);
#else
	int64_t ret;

	__asm__ volatile(GK_HYPERCALL_INSN
			 : "=a"(ret)
			 : "a"(nr), GK_HYPERCALL_FLAG
			 : "rdx", "cc", "memory");
	return ret;
#endif
}

static inline int64_t gk_hypercall1(uint64_t nr, uint64_t a0)
{
#ifdef GK_MOCK
	return gk_mock_hypercall(nr, a0, 0, 0, 0, 0, 0);
#else
	int64_t ret;

	__asm__ volatile(GK_HYPERCALL_INSN
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), GK_HYPERCALL_FLAG
			 : "rdx", "cc", "memory");
	return ret;
#endif
}

static inline int64_t gk_hypercall2(uint64_t nr, uint64_t a0, uint64_t a1)
{
#ifdef GK_MOCK
	return gk_mock_hypercall(nr, a0, a1, 0, 0, 0, 0);
#else
	int64_t ret;

	__asm__ volatile(GK_HYPERCALL_INSN
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), GK_HYPERCALL_FLAG
			 : "rdx", "cc", "memory");
	return ret;
#endif
}

static inline int64_t gk_hypercall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
#ifdef GK_MOCK
	return gk_mock_hypercall(nr, a0, a1, a2, 0, 0, 0);
#else
	int64_t ret;
	uint64_t rdx = a2;

	__asm__ volatile(GK_HYPERCALL_INSN
			 : "=a"(ret), "+d"(rdx)
			 : "a"(nr), "D"(a0), "S"(a1), GK_HYPERCALL_FLAG
			 : "cc", "memory");
	return ret;
#endif
}

static inline int64_t gk_hypercall4(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
#ifdef GK_MOCK
	return gk_mock_hypercall(nr, a0, a1, a2, a3, 0, 0);
#else
	int64_t ret;
	uint64_t rdx = a2;
	register uint64_t r10 __asm__("r10") = a3;

	__asm__ volatile(GK_HYPERCALL_INSN
			 : "=a"(ret), "+d"(rdx)
			 : "a"(nr), "D"(a0), "S"(a1), "r"(r10), GK_HYPERCALL_FLAG
			 : "cc", "memory");
	return ret;
#endif
}

/* gk_call_<name>(args...): one per call of PV_CALL_LIST, with the call's argument count. */
#define GK_CALL_DEF_0(name, NAME)                                                                  \
	static inline int64_t gk_call_##name(void)                                                 \
	{                                                                                          \
		return gk_hypercall0(PV_CALL_##NAME);                                              \
	}
#define GK_CALL_DEF_1(name, NAME)                                                                  \
	static inline int64_t gk_call_##name(uint64_t a0)                                          \
	{                                                                                          \
		return gk_hypercall1(PV_CALL_##NAME, a0);                                          \
	}
#define GK_CALL_DEF_2(name, NAME)                                                                  \
	static inline int64_t gk_call_##name(uint64_t a0, uint64_t a1)                             \
	{                                                                                          \
		return gk_hypercall2(PV_CALL_##NAME, a0, a1);                                      \
	}
#define GK_CALL_DEF_3(name, NAME)                                                                  \
	static inline int64_t gk_call_##name(uint64_t a0, uint64_t a1, uint64_t a2)                \
	{                                                                                          \
		return gk_hypercall3(PV_CALL_##NAME, a0, a1, a2);                                  \
	}
#define GK_CALL_DEF_4(name, NAME)                                                                  \
	static inline int64_t gk_call_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)   \
	{                                                                                          \
		return gk_hypercall4(PV_CALL_##NAME, a0, a1, a2, a3);                              \
	}
#define GK_CALL_DEF(nr, NAME, name, nargs, ...) GK_CALL_DEF_##nargs(name, NAME)
PV_CALL_LIST(GK_CALL_DEF)
#undef GK_CALL_DEF

/* The hypervisor's PV_ABI_VERSION (works before gk_open()). */
static inline uint32_t gk_version(void)
{
	return (uint32_t)gk_call_version();
}

/* Lets other vCPUs run before this one continues. Returns 0. */
static inline int64_t gk_yield(void)
{
	return gk_call_yield();
}

/* Stops this VM with code (reported in Shunt's summary). Works before gk_open(). */
static inline __attribute__((noreturn)) void gk_exit(int64_t code)
{
	gk_call_exit((uint64_t)code);
#ifdef GK_MOCK
	gk_mock_exit(code);
#else
	for (;;)
		__asm__ volatile("cli; hlt");
#endif
}

#endif
