/*
 * MOV to CR0 as the CPU does it, also when Shunt emulates the write (it exits when NE
 * changes): clearing PG in 64-bit mode, clearing PE while PG stays set, a reserved bit, NW
 * without CD must each raise #GP(0) and change nothing; the guest stays in 64-bit mode. And
 * caching off (CD and NW) reads back as written but never reaches the host: the scenario
 * forbids Shunt's "host's caches were off" error, which a guest write that went through would
 * cause once the VM yields.
 */
#include "guest.h"

#define CR0_PE (1ull << 0)
#define CR0_NE (1ull << 5)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define EFER_LMA (1ull << 10)

extern char gp_handler[];
extern volatile uint64_t gp_count, gp_skip;

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

/* MOV to CR0; returns 1 if it raised #GP (the handler skips mov %rax, %cr0: 0f 22 c0). */
static int write_cr0_faults(uint64_t value)
{
	uint64_t before = gp_count;

	gp_skip = 3;
	__asm__ volatile("mov %%rax, %%cr0" ::"a"(value) : "memory");
	gp_skip = 2;
	return gp_count != before;
}

/* EFER.LMA and CS.L (from the descriptor, LAR bit 21), and 64-bit arithmetic that works. */
static int in_64bit_mode(void)
{
	uint32_t lo, hi;
	uint64_t cs, ar, wide = 0;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
	__asm__ volatile("mov %%cs, %0; lar %0, %1" : "=r"(cs), "=r"(ar));
	__asm__ volatile("movabs $0x1234567800000000, %0; shr $32, %0" : "+r"(wide));
	return (lo & EFER_LMA) && (ar & (1u << 21)) && wide == 0x12345678;
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t cr0;
	int failures = 0;

	if (guest_open())
		return 99;
	guest_idt_set(13, gp_handler);
	cr0 = read_cr0();
	check(&failures, (cr0 & (CR0_PG | CR0_PE | CR0_NE)) == (CR0_PG | CR0_PE | CR0_NE),
	      "starts with PG, PE and NE set");
	check(&failures, in_64bit_mode(), "starts in 64-bit mode");

	check(&failures, write_cr0_faults((cr0 & ~CR0_PG) ^ CR0_NE),
	      "clearing PG in 64-bit mode (NE toggled) raises #GP");
	check(&failures, read_cr0() == cr0, "... and leaves CR0 as it was");
	check(&failures, in_64bit_mode(), "... and the guest in 64-bit mode");

	check(&failures, write_cr0_faults((cr0 & ~CR0_PE) ^ CR0_NE),
	      "clearing PE while PG stays set (NE toggled) raises #GP");
	check(&failures, write_cr0_faults((cr0 | (1ull << 32)) ^ CR0_NE),
	      "setting CR0 bit 32 (NE toggled) raises #GP");
	check(&failures, write_cr0_faults((cr0 | CR0_NW) & ~CR0_CD & ~CR0_NE),
	      "NW without CD (NE toggled) raises #GP");
	check(&failures, read_cr0() == cr0 && in_64bit_mode(), "... none of them changed a thing");

	/* A good write that exits: NE alone, and back. */
	check(&failures, !write_cr0_faults(cr0 ^ CR0_NE), "toggling NE alone is accepted");
	check(&failures, read_cr0() == (cr0 ^ CR0_NE), "... and reads back");
	check(&failures, !write_cr0_faults(cr0), "restoring NE is accepted");
	check(&failures, read_cr0() == cr0 && in_64bit_mode(), "... back where it started");
	check(&failures, !write_cr0_faults(cr0 | CR0_CD | CR0_NW), "caching off is accepted");
	check(&failures, read_cr0() == (cr0 | CR0_CD | CR0_NW), "... and reads back");
	gk_yield(); /* Shunt looks at its own CR0 when the VM leaves the CPU */
	check(&failures, !write_cr0_faults(cr0), "caching back on is accepted");
	check(&failures, read_cr0() == cr0, "... and reads back");
	check(&failures, gp_count == 4, "exactly four #GP in all");
	return report(si, failures, 0);
}
