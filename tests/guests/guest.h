/*
 * What the test guests share: guest_main(), and reporting helpers that print one
 * machine-readable line ("GUEST-PASS name" or "GUEST-FAIL name: why") through the PV
 * console, which the system tests look for in the serial log.
 */
#ifndef TEST_GUEST_H
#define TEST_GUEST_H

#include <gk/gk.h>

int64_t guest_main(const struct pv_start_info *si);

/* What start.S recorded at the entry point, before any guest code ran. */
enum guest_gpr {
	GPR_RAX,
	GPR_RBX,
	GPR_RCX,
	GPR_RDX,
	GPR_RSI,
	GPR_RDI,
	GPR_RBP,
	GPR_RSP,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_COUNT
};

struct guest_entry_state {
	uint64_t gpr[GPR_COUNT];
	uint64_t rflags, cr0, cr3, cr4;
	uint16_t cs, ds, es, ss, fs, gs;
	uint16_t idt_limit;
	uint64_t idt_base;
	uint16_t pad;
} __attribute__((packed));
_Static_assert(sizeof(struct guest_entry_state) == 184, "start.S writes 184 bytes");

extern struct guest_entry_state guest_entry_state;

static const char *const guest_gpr_names[GPR_COUNT] = {
	"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
	"R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15",
};

/* An interrupt gate of the guest's own IDT (64-bit, DPL 0, kernel code segment 0x08). */
struct guest_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
} __attribute__((packed));

static inline struct guest_gate *guest_idt(void)
{
	static struct guest_gate idt[256] __attribute__((aligned(16)));

	return idt;
}

/* Points vector at handler in the guest's IDT and loads the IDT. */
static inline void guest_idt_set(unsigned int vector, void *handler)
{
	uint64_t a = (uint64_t)(uintptr_t)handler;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed))
	idtr = { 256 * sizeof(struct guest_gate) - 1, (uint64_t)(uintptr_t)guest_idt() };

	guest_idt()[vector] =
		(struct guest_gate){ (uint16_t)a,	  0x08, 0, 0x8e, (uint16_t)(a >> 16),
				     (uint32_t)(a >> 32), 0 };
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

/*
 * The page directory Shunt's boot page tables use for guest-physical GiB gib (each 2 MiB
 * entry maps itself), or NULL if that GiB has none. Guests edit it to map extra pages.
 */
static inline uint64_t *guest_pml4(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	return (uint64_t *)(uintptr_t)(cr3 & ~0xfffull);
}

/* The page-directory-pointer table of the first 512 GiB (all Shunt guests live there). */
static inline uint64_t *guest_pdpt(void)
{
	return (uint64_t *)(uintptr_t)(guest_pml4()[0] & ~0xfffull);
}

static inline uint64_t *guest_page_directory(unsigned int gib)
{
	uint64_t *pdpt = guest_pdpt();

	return (pdpt[gib] & 1) ? (uint64_t *)(uintptr_t)(pdpt[gib] & ~0xfffull) : 0;
}

/* Reloads CR3: the TLB forgets what the guest changed in its page tables. */
static inline void guest_flush_tlb(void)
{
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}

/* Opens Shunt's interface (HELLO); on failure says why on the UART, which always works. */
static inline int guest_open(void)
{
	enum gk_detect_result d;
	int64_t r = gk_open(PV_OS_TEST, 1, &d);

	if (r > 0)
		return 0;
	gk_uart_puts(GK_UART_COM1, "GUEST-FAIL can not open Shunt's interface: ");
	gk_uart_puts(GK_UART_COM1, gk_strerror(r));
	gk_uart_puts(GK_UART_COM1, " (");
	gk_uart_puts(GK_UART_COM1, gk_detect_describe(d));
	gk_uart_puts(GK_UART_COM1, ")\n");
	return -1;
}

static inline void say(const char *s)
{
	gk_console_puts(s);
}

/*
 * The pieces (a list ended by GK_NULL) as one line in one console write: whole on the serial
 * line even when this VM has the input focus (its bytes are then shown as they come, and
 * Shunt's own lines may cut a line written in pieces). Longer lines are cut short.
 * say_line((const char *[]){ "count ", num, GK_NULL });
 */
#define SAY_LINE_MAX 160
static inline void say_line(const char *const *parts)
{
	char line[SAY_LINE_MAX];
	unsigned int n = 0;

	for (; *parts; parts++)
		for (const char *p = *parts; *p && n < SAY_LINE_MAX - 2; p++)
			line[n++] = *p;
	line[n++] = '\n';
	line[n] = 0;
	say(line);
}

static inline void say_num(const char *label, int64_t v)
{
	char buf[24];

	say_line((const char *[]){ label, gk_fmt_i64(buf, v), GK_NULL });
}

/* Counts a failed check and prints what was expected. */
static inline void check(int *failures, int ok, const char *what)
{
	if (ok)
		return;
	(*failures)++;
	say("check failed: ");
	say(what);
	say("\n");
}

/* Counts a failed equality and prints what it was and what it had to be. */
static inline void check_eq(int *failures, uint64_t got, uint64_t want, const char *what)
{
	char buf[24];

	if (got == want)
		return;
	(*failures)++;
	say("check failed: ");
	say(what);
	say(" is ");
	say(gk_fmt_hex(buf, got));
	say(", not ");
	say(gk_fmt_hex(buf, want));
	say("\n");
}

static inline int64_t report(const struct pv_start_info *si, int failures, int64_t code)
{
	say_line(
		(const char *[]){ failures ? "GUEST-FAIL " : "GUEST-PASS ", si->vm_name, GK_NULL });
	return failures ? 100 + failures : code;
}

/* check() that also prints the value it judged: "check failed: what (got N)". */
static inline void check_val(int *failures, int ok, const char *what, int64_t got)
{
	char buf[24];

	if (ok)
		return;
	(*failures)++;
	say("check failed: ");
	say(what);
	say(" (got ");
	say(gk_fmt_i64(buf, got));
	say(")\n");
}

/* Guest-physical 2 MiB page gpa mapped into the guest's own page tables, uncached. */
static inline void guest_map_2m(uint64_t gpa)
{
	uint64_t *pd = guest_page_directory((unsigned int)(gpa >> 30));

	if (!pd) {
		/* That GiB has no page directory yet: use the spare last page of the boot area. */
		pd = (uint64_t *)(uintptr_t)0xf000;
		for (int i = 0; i < 512; i++)
			pd[i] = 0;
		guest_pdpt()[gpa >> 30] = 0xf000 | 3;
	}
	pd[(gpa >> 21) & 511] = gpa | 0x93; /* present, writable, PCD, 2 MiB; executable */
	guest_flush_tlb();
}

/* A number from the guest command line, "key=N" (decimal), or fallback. */
static inline uint64_t guest_arg(const char *cmdline, const char *key, uint64_t fallback)
{
	for (const char *p = cmdline; *p; p++) {
		const char *k = key, *q = p;
		uint64_t v = 0;

		if (p != cmdline && p[-1] != ' ')
			continue;
		while (*k && *q == *k)
			k++, q++;
		if (*k || *q != '=')
			continue;
		for (q++; *q >= '0' && *q <= '9'; q++)
			v = v * 10 + (uint64_t)(*q - '0');
		return v;
	}
	return fallback;
}

/*
 * The entry of an upcall vector: saves the caller-saved registers, calls fn() on an
 * aligned stack, returns with IRETQ. Defines the symbol name.
 */
#define GUEST_UPCALL_ENTRY(name, fn)                                                               \
	__asm__(".text\n" #name ":\n"                                                              \
		"  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"                        \
		"  push %r8; push %r9; push %r10; push %r11\n"                                     \
		"  mov %rsp, %rax; and $-16, %rsp; push %rax; sub $8, %rsp\n"                      \
		"  call " #fn "\n"                                                                 \
		"  add $8, %rsp; pop %rsp\n"                                                       \
		"  pop %r11; pop %r10; pop %r9; pop %r8\n"                                         \
		"  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"                             \
		"  iretq\n")

#endif
