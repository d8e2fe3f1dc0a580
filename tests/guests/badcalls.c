/*
 * A guest that misuses the hypercall ABI on purpose and checks every answer: bad buffer
 * addresses and lengths, unknown call numbers, a call from ring 3 (#UD expected), and an
 * MSR Shunt does not emulate (#GP expected). None of it may hurt the hypervisor.
 */
#include "guest.h"

extern void ring3_call(void (*fn)(void), void *user_stack_top);
extern void user_vmcall(void);
extern char user_vmcall_insn[];
extern volatile uint64_t ud_last_rip, ud_last_cs, ud_count, gp_count;
extern char ud_handler[], gp_handler[], db_handler[], ac_handler[];
extern void ring3_call_ac(void (*fn)(void), void *user_stack_top);
extern void user_misaligned(void);
extern volatile uint64_t db_count, db_last_dr6, ac_count, gp_skip;

static uint64_t gdt[7] __attribute__((aligned(16)));
static uint8_t tss[104] __attribute__((aligned(16)));
static uint8_t kernel_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));

/* Own GDT (with user segments and a TSS for the ring-3 -> ring-0 stack), IDT, user pages. */
static void setup_protection(void)
{
	uint64_t t = (uint64_t)(uintptr_t)tss, *pd = guest_page_directory(0);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	*(uint64_t *)(tss + 4) = (uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack));
	gdt[1] = 0x00af9b000000ffffull; /* kernel code */
	gdt[2] = 0x00cf93000000ffffull; /* kernel data */
	gdt[3] = 0x00cff3000000ffffull; /* user data (0x1b) */
	gdt[4] = 0x00affb000000ffffull; /* user code (0x23) */
	gdt[5] = 103 | ((t & 0xffffff) << 16) | (0x89ull << 40) | (((t >> 24) & 0xff) << 56);
	gdt[6] = t >> 32;
	guest_idt_set(1, db_handler);
	guest_idt_set(6, ud_handler);
	guest_idt_set(13, gp_handler);
	guest_idt_set(17, ac_handler);
	__asm__ volatile("lgdt %0; ltr %w1" ::"m"(gdtr), "r"(0x28));

	/* Let ring 3 use the first GiB: set U/S along the walk Shunt built. */
	guest_pml4()[0] |= 4;
	guest_pdpt()[0] |= 4;
	for (int i = 0; i < 512; i++)
		if (pd[i] & 1)
			pd[i] |= 4;
	guest_flush_tlb();
}

static void wrmsr_checked(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t ram_end = si->mem[1].base + si->mem[1].size;
	static const char msg[] = "x";
	int failures = 0;
	uint32_t lo, hi;

	/* Before HELLO only VERSION, HELLO and EXIT answer. */
	check(&failures, gk_console_write(msg, 1) == PV_ENOTCONN, "console before HELLO");
	check(&failures, gk_call_yield() == PV_ENOTCONN, "yield before HELLO");
	check(&failures, gk_version() == PV_ABI_CURRENT, "version before HELLO");
	if (guest_open())
		return 99;

	check(&failures, gk_hypercall2(PV_CALL_CONSOLE_WRITE, ram_end + 4096, 1) == PV_EFAULT,
	      "buffer beyond RAM -> PV_EFAULT");
	check(&failures, gk_hypercall2(PV_CALL_CONSOLE_WRITE, ram_end - 8, 16) == PV_EFAULT,
	      "buffer crossing the end of RAM -> PV_EFAULT");
	check(&failures, gk_hypercall2(PV_CALL_CONSOLE_WRITE, ~0ull - 7, 16) == PV_EFAULT,
	      "buffer wrapping around -> PV_EFAULT");
	check(&failures,
	      gk_hypercall2(PV_CALL_CONSOLE_WRITE, (uint64_t)(uintptr_t)msg,
			    PV_CONSOLE_WRITE_MAX + 1) == PV_E2BIG,
	      "oversized write -> PV_E2BIG");
	check(&failures, gk_console_write(msg, 0) == 0, "empty write -> 0");
	check(&failures, gk_hypercall0(PV_CALL_COUNT) == PV_ENOSYS, "first unassigned call");
	check(&failures, gk_hypercall0(999) == PV_ENOSYS, "call 999 -> PV_ENOSYS");
	check(&failures, gk_hypercall0(~0ull) == PV_ENOSYS, "call 2^64-1 -> PV_ENOSYS");

	setup_protection();
	ring3_call(user_vmcall, user_stack + sizeof(user_stack));
	check(&failures, ud_count == 1, "VMCALL from ring 3 raises exactly one #UD");
	check(&failures, ud_last_rip == (uint64_t)(uintptr_t)user_vmcall_insn,
	      "#UD points at the VMCALL");
	check(&failures, (ud_last_cs & 3) == 3, "#UD came from CPL 3");

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x12345678u));
	check(&failures, gp_count == 1, "RDMSR of an unknown MSR raises #GP");

	/* Values the CPU would refuse are refused as the CPU would: #GP, and Shunt unharmed. */
	wrmsr_checked(0xc0000084, 1ull << 40);		  /* SFMASK: bits 63:32 reserved */
	wrmsr_checked(0xc0000082, 0x0000800000000000ull); /* LSTAR: not canonical */
	wrmsr_checked(0x277, 0x0000000000000002ull);	  /* PAT: type 2 is reserved */
	check(&failures, gp_count == 4, "bad WRMSR values raise #GP");
	wrmsr_checked(0xc0000084, 0x47700); /* SFMASK: a value Linux uses */
	check(&failures, gp_count == 4, "a good WRMSR does not");

	/* #DB is intercepted by Shunt and reflected: a single step arrives once, with DR6.BS. */
	__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; nop; nop" ::: "memory", "cc");
	check(&failures, db_count == 1, "single-step #DB reflected once");
	check(&failures, db_last_dr6 & (1u << 14), "DR6.BS set for the single step");
	/* ICEBP (INT1) is a #DB delivered past the instruction: once, and the guest goes on. */
	__asm__ volatile(".byte 0xf1" ::: "memory");
	check(&failures, db_count == 2, "ICEBP #DB reflected once, past the instruction");

	/* #AC, intercepted and reflected too: CR0.AM on, RFLAGS.AC on, misaligned load at CPL 3. */
	{
		uint64_t cr0;

		__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
		__asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | (1u << 18)));
		ring3_call_ac(user_misaligned, user_stack + sizeof(user_stack) - 64);
		check(&failures, ac_count == 1, "#AC reflected to the guest");
		__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	}

	/* CR8 is the vCPU's own: it reads back, reserved bits are refused. */
	{
		uint64_t cr8, before = gp_count;

		__asm__ volatile("mov %0, %%cr8" ::"r"(7ull));
		__asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
		check(&failures, cr8 == 7, "CR8 reads back what was written");
		gp_skip = 4; /* mov %rax, %cr8 is 44 0f 22 c0 */
		__asm__ volatile("mov %%rax, %%cr8" ::"a"(0x10ull));
		gp_skip = 2;
		check(&failures, gp_count == before + 1, "CR8 reserved bits refused with #GP");
		__asm__ volatile("mov %0, %%cr8" ::"r"(0ull));
	}

	/* CR4 bits for state Shunt does not switch (XSAVE, PKE) are refused with #GP. */
	{
		uint64_t cr4, before = gp_count;

		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		gp_skip = 3; /* mov %rax, %cr4 is 0f 22 e0 */
		__asm__ volatile("mov %%rax, %%cr4" ::"a"(cr4 | (1u << 18)));
		__asm__ volatile("mov %%rax, %%cr4" ::"a"(cr4 | (1u << 22)));
		gp_skip = 2;
		check(&failures, gp_count == before + 2,
		      "CR4.OSXSAVE and CR4.PKE refused with #GP");
	}
	say("badcalls: all calls answered\n");
	return report(si, failures, 0);
}
