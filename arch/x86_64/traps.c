/*
 * The IDT and what happens on a CPU exception in the hypervisor: a register dump on the
 * console, then hv_stop_fatal() (the other CPUs stopped first). Never a silent triple fault; a
 * fault while dumping just halts.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/hv.h>
#include <hv/log.h>

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes in long mode");

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

static struct idt_gate idt[256] __attribute__((aligned(16)));
static int dumping;

static const char *const exception_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
	"#NP", "#SS", "#GP", "#PF", "???", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static void idt_set(unsigned int vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = SEL_CODE64,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_high = handler >> 32,
	};
}

void traps_load_idt(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void traps_init(void)
{
	for (unsigned int v = 0; v < 32; v++)
		idt_set(v, trap_stubs[v], 0);
	idt_set(2, trap_stubs[2], IST_NMI);
	idt_set(8, trap_stubs[8], IST_DOUBLE_FAULT);
	idt_set(18, trap_stubs[18], IST_MACHINE_CHECK);
	traps_load_idt();
}

void traps_set_interrupt(unsigned int vector, uint64_t handler)
{
	idt_set(vector, handler, 0);
}

static uint64_t nmi_count;
static int nmi_told;
/* After a fatal error: the CPU that stops the others (arch_stop_other_cpus), or -1. */
static int stopper = -1;
static unsigned int stopped; /* CPUs that halted at its NMI */

static void __attribute__((noreturn)) halt_for_good(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

unsigned int arch_stop_other_cpus(unsigned int others)
{
	int me = (int)cpu_this()->index, none = -1;
	uint64_t give_up;

	if (!__atomic_compare_exchange_n(&stopper, &none, me, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		if (none != me)
			halt_for_good(); /* another CPU failed first: it reports, this one stops */
		return __atomic_load_n(&stopped, __ATOMIC_ACQUIRE);
	}
	if (!others)
		return 0;
	apic_send_nmi_to_others();
	give_up = rdtsc() + arch_tsc_hz() / 10;
	while (__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) < others && rdtsc() < give_up)
		pause();
	return __atomic_load_n(&stopped, __ATOMIC_ACQUIRE);
}

void trap_handle(struct trap_frame *f)
{
	/*
	 * An NMI is not a fault of the hypervisor's (a guest's NMI exit is passed on here too):
	 * count it and go back to what was interrupted.
	 */
	if (f->vector == 2) {
		int s = __atomic_load_n(&stopper, __ATOMIC_ACQUIRE);

		if (s >= 0 && s != (int)cpu_this()->index) { /* another CPU failed: stop here */
			__atomic_add_fetch(&stopped, 1, __ATOMIC_RELEASE);
			halt_for_good();
		}
		__atomic_fetch_add(&nmi_count, 1, __ATOMIC_RELAXED); /* any CPU may take one */
		if (!__atomic_load_n(&nmi_told, __ATOMIC_RELAXED) &&
		    log_printf_nmi(LOG_WARN, "NMI received (counted, not an error)\n"))
			__atomic_store_n(&nmi_told, 1, __ATOMIC_RELAXED);
		return;
	}
	const char *name =
		f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector] : "???";

	smp_park_if_starting(name, f->vector, f->rip); /* a CPU's start failing costs it alone */
	if (__atomic_fetch_add(&dumping, 1, __ATOMIC_RELAXED)) /* one CPU dumps, others halt */
		halt_for_good();
	hv_stop_other_cpus(); /* nothing runs on while this one reports */
	log_begin_dump();
	console_stop_async(); /* the dump goes straight out, after what was queued */
	log_error("FATAL: exception %s (vector %llu) in the hypervisor, error code 0x%llx\n", name,
		  (unsigned long long)f->vector, (unsigned long long)f->error_code);
	log_error("  RIP=%016llx CS=%04llx RFLAGS=%08llx RSP=%016llx SS=%04llx\n",
		  (unsigned long long)f->rip, (unsigned long long)f->cs,
		  (unsigned long long)f->rflags, (unsigned long long)f->rsp,
		  (unsigned long long)f->ss);
	log_error("  CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx\n",
		  (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		  (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	log_error("  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n", (unsigned long long)f->rax,
		  (unsigned long long)f->rbx, (unsigned long long)f->rcx,
		  (unsigned long long)f->rdx);
	log_error("  RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx\n", (unsigned long long)f->rsi,
		  (unsigned long long)f->rdi, (unsigned long long)f->rbp,
		  (unsigned long long)f->r8);
	log_error("  R9 =%016llx R10=%016llx R11=%016llx R12=%016llx\n", (unsigned long long)f->r9,
		  (unsigned long long)f->r10, (unsigned long long)f->r11,
		  (unsigned long long)f->r12);
	log_error("  R13=%016llx R14=%016llx R15=%016llx\n", (unsigned long long)f->r13,
		  (unsigned long long)f->r14, (unsigned long long)f->r15);
	hv_stop_fatal(4);
}
