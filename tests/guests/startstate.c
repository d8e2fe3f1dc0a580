/*
 * The machine state at the first instruction, as pv-abi/SPEC.md §8 promises it, read from
 * what start.S recorded before any guest code ran: control registers, EFER, selectors,
 * RDI, RSP, RFLAGS, every other general register 0, no IDT; and every start-info field.
 * The scenario boots it as boot module 1 with the options in EXPECTED_* below.
 */
#include "guest.h"

#define EXPECTED_RAM (6ull << 20) /* mem=6M */
#define EXPECTED_VM_ID 1
#define EXPECTED_NAME "start-state_1.x"
#define EXPECTED_CMDLINE "alpha beta=2 gamma"

#define CR0_EXPECTED 0x80010031ull /* PE|ET|NE|WP|PG */
#define CR4_EXPECTED 0x20ull	   /* PAE */
#define EFER_EXPECTED 0xd00ull	   /* LME|LMA|NXE */
#define GUEST_LOAD_MIN 0x10000ull

static int str_is(const char *got, const char *want, unsigned int size)
{
	unsigned int i = 0;

	for (; i < size && want[i]; i++)
		if (got[i] != want[i])
			return 0;
	return i < size && got[i] == '\0';
}

static void check_registers(int *failures)
{
	const struct guest_entry_state *e = &guest_entry_state;
	uint32_t lo, hi;

	for (int r = 0; r < GPR_COUNT; r++) {
		uint64_t want = r == GPR_RDI ? 0x1000 : r == GPR_RSP ? EXPECTED_RAM : 0;
		char what[32] = "entry ";

		for (int i = 0; guest_gpr_names[r][i]; i++)
			what[6 + i] = guest_gpr_names[r][i];
		check_eq(failures, e->gpr[r], want, what);
	}
	check_eq(failures, e->rflags, 0x2, "entry RFLAGS");
	check_eq(failures, e->cr0, CR0_EXPECTED, "entry CR0");
	check_eq(failures, e->cr3, 0x3000, "entry CR3");
	check_eq(failures, e->cr4, CR4_EXPECTED, "entry CR4");
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
	check_eq(failures, ((uint64_t)hi << 32) | lo, EFER_EXPECTED, "EFER");
	check_eq(failures, e->cs, 0x08, "entry CS");
	check_eq(failures, e->ds, 0x10, "entry DS");
	check_eq(failures, e->es, 0x10, "entry ES");
	check_eq(failures, e->ss, 0x10, "entry SS");
	check_eq(failures, e->fs, 0x10, "entry FS");
	check_eq(failures, e->gs, 0x10, "entry GS");
	check_eq(failures, e->idt_limit, 0, "entry IDTR limit");
}

static void check_start_info(int *failures, const struct pv_start_info *si)
{
	check_eq(failures, (uint64_t)(uintptr_t)si, 0x1000, "start-info address");
	check_eq(failures, si->magic, PV_START_INFO_MAGIC, "start-info magic");
	check_eq(failures, si->abi_version, PV_ABI_CURRENT, "start-info abi_version");
	check_eq(failures, si->vm_id, EXPECTED_VM_ID, "start-info vm_id");
	check_eq(failures, si->mem_count, 2, "start-info mem_count");
	check_eq(failures, si->vcpu_count, 1, "start-info vcpu_count");
	/* The boot structures: reserved, covering [0x1000, 0x10000) and ending where RAM starts. */
	check_eq(failures, si->mem[0].type, PV_MEM_RESERVED, "mem[0].type");
	check(failures, si->mem[0].base <= 0x1000, "mem[0] covers the start-info page");
	check_eq(failures, si->mem[0].base + si->mem[0].size, GUEST_LOAD_MIN, "mem[0] end");
	check_eq(failures, si->mem[0].reserved, 0, "mem[0].reserved");
	/* The guest's RAM: [0x10000, RAM size). */
	check_eq(failures, si->mem[1].type, PV_MEM_RAM, "mem[1].type");
	check_eq(failures, si->mem[1].base, GUEST_LOAD_MIN, "mem[1].base");
	check_eq(failures, si->mem[1].size, EXPECTED_RAM - GUEST_LOAD_MIN, "mem[1].size");
	check_eq(failures, si->mem[1].reserved, 0, "mem[1].reserved");
	check(failures, str_is(si->cmdline, EXPECTED_CMDLINE, sizeof(si->cmdline)),
	      "start-info cmdline is \"" EXPECTED_CMDLINE "\"");
	check(failures, str_is(si->vm_name, EXPECTED_NAME, sizeof(si->vm_name)),
	      "start-info vm_name is \"" EXPECTED_NAME "\"");
}

int64_t guest_main(const struct pv_start_info *si)
{
	int failures = 0;

	if (guest_open())
		return 99;
	check_registers(&failures);
	check_start_info(&failures, si);
	say("startstate: cmdline \"");
	say(si->cmdline);
	say("\"\n");
	return report(si, failures, 0);
}
