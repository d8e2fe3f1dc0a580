/*
 * What the parts of the hypercall fuzzer share: fuzz.c (setup, checks, report), fuzz_gen.c
 * (random calls), fuzz_cpu.S (the VMCALL with known registers, CPL 3) and the oracle.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "fuzz_oracle.h"

#define FUZZ_HIGH (256 * 1024) /* the scratch arena at the top of RAM */

/* The registers around one VMCALL (fuzz_vmcall): loaded before, stored after. */
struct fuzz_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rflags;
};

void fuzz_vmcall(struct fuzz_regs *r);
void fuzz_ring3(void);
void fuzz_fatal(uint64_t vector) __attribute__((noreturn));
extern char fuzz_user_vmcall[], fuzz_ud_handler[], fuzz_stray_irq[], _start[];
extern void *const fuzz_exception_stubs[32];

/* fuzz_gen.c: the PRNG and the random calls. */
void fuzz_gen_init(const struct fuzz_model *m, uint64_t low_end, uint64_t high_start,
		   uint64_t seed);
uint64_t fuzz_rnd(void);
uint64_t fuzz_below(uint64_t n);
uint64_t fuzz_pick(const uint64_t *values, unsigned int n);
uint64_t fuzz_gen_call(uint64_t *a, int any_number);

/* One of the values listed, at random. */
#define FUZZ_PICK(...)                                                                             \
	fuzz_pick((const uint64_t[]){ __VA_ARGS__ }, sizeof((uint64_t[]){ __VA_ARGS__ }) / 8)

#endif
