/*
 * The local APIC, for three things: waking a halted CPU at a TSC deadline (arch_idle_until),
 * on AMD-V making a running guest exit at one (apic_timer_arm: svm/ has no preemption
 * timer), and starting the other CPUs with INIT and SIPI (smp.c).
 * Its timer in TSC-deadline mode (SDM Vol. 3A 11.5.4.1) raises APIC_TIMER_VECTOR once the
 * TSC reaches IA32_TSC_DEADLINE; the CPU waits for it in HLT, so that a machine with
 * nothing to run, or the emulator it is, does no work meanwhile. Set up on first use, in
 * x2APIC mode where the CPU has it (MSRs), else through the xAPIC page; a CPU without a
 * TSC-deadline timer uses the timer's one-shot mode, its rate measured against the TSC, and
 * one without a local APIC polls the TSC instead. Vendor-neutral: AMD's APIC is the same.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <hv/mm.h>

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ADDRESS 0xffffff000ull

/* Registers by their xAPIC offset; the x2APIC MSR is 0x800 + offset / 16 (SDM 11.12.1.2). */
#define APIC_EOI 0xb0
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_ASSERT (1u << 14)
#define ICR_PENDING (1u << 12) /* xAPIC's delivery status: 1 until the IPI is sent */
#define ICR_NMI (4u << 8)
#define ICR_ALL_BUT_SELF (3u << 18) /* the destination shorthand */
#define APIC_SVR 0xf0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0
#define DIVIDE_BY_1 0xb
#define SVR_ENABLE (1u << 8)
#define SVR_SPURIOUS_VECTOR 0xff
#define LVT_TSC_DEADLINE (2u << 17)

#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

static void send_ipi(uint32_t dest, uint32_t icr_low);

static struct {
	/* 0: not looked at yet; 1: TSC-deadline timer; 2: one-shot timer; -1: none usable */
	int state;
	int x2apic;
	volatile uint32_t *mmio;    /* the xAPIC page, when not x2APIC */
	uint64_t ticks_per_tsc_q32; /* one-shot: the timer's ticks per TSC tick, 32.32 */
} apic;

static uint32_t apic_read(uint32_t reg)
{
	return apic.x2apic ? (uint32_t)rdmsr(0x800 + reg / 16) : apic.mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t value)
{
	if (apic.x2apic)
		wrmsr(0x800 + reg / 16, value);
	else
		apic.mmio[reg / 4] = value;
}

void apic_eoi(void)
{
	if (apic.state > 0)
		apic_write(APIC_EOI, 0);
}

/*
 * A kick from another CPU (arch_cpu_kick): a remote flush it asked for is done now; for the
 * rest (a vCPU of this CPU woken, a VM stopped), ending the HLT in arch_idle_until, or the
 * guest's run through the exit it caused, is the point (hv/sched.c looks next).
 */
void apic_kick_interrupt(void);
void apic_kick_interrupt(void)
{
	apic_eoi();
	virt_flush_poll();
	this_cpu_write(kicked, 1);
}

__asm__(".text\n"
	".global apic_kick_entry\n"
	"apic_kick_entry:\n"
	"  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
	"  push %r8; push %r9; push %r10; push %r11\n"
	"  cld\n"
	"  call apic_kick_interrupt\n"
	"  pop %r11; pop %r10; pop %r9; pop %r8\n"
	"  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
	"  iretq\n");
extern char apic_kick_entry[];

/* The interrupt only ends the HLT in arch_idle_until: acknowledge it, nothing more. */
void apic_timer_interrupt(void);
void apic_timer_interrupt(void)
{
	apic_eoi();
}

/* Its entry: the registers C may change are kept; RSP is 16-byte aligned for the call. */
__asm__(".text\n"
	".global apic_timer_entry\n"
	"apic_timer_entry:\n"
	"  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
	"  push %r8; push %r9; push %r10; push %r11\n"
	"  cld\n"
	"  call apic_timer_interrupt\n"
	"  pop %r11; pop %r10; pop %r9; pop %r8\n"
	"  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
	"  iretq\n");
extern char apic_timer_entry[];

/*
 * Without a TSC-deadline timer (QEMU's TCG), the timer counts down from a count in one-shot
 * mode (SDM Vol. 3A 11.5.4) at a rate of its own: measured once against the TSC, over 1 ms.
 */
static int calibrate_one_shot(void)
{
	uint64_t t0, t1, wait = arch_tsc_hz() / 1000;
	uint32_t left;

	apic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_1);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR | (1u << 16)); /* masked while measured */
	apic_write(APIC_TIMER_INITIAL, 0xffffffffu);
	t0 = rdtsc();
	while ((t1 = rdtsc()) - t0 < wait)
		pause();
	left = apic_read(APIC_TIMER_CURRENT);
	apic_write(APIC_TIMER_INITIAL, 0);
	if (left == 0 || left == 0xffffffffu)
		return -1;
	apic.ticks_per_tsc_q32 = ((uint64_t)(0xffffffffu - left) << 32) / (t1 - t0);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR); /* one-shot */
	return apic.ticks_per_tsc_q32 ? 2 : -1;
}

static int apic_setup(void)
{
	uint32_t ecx = cpuid(1, 0).ecx;
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	int deadline = !!(ecx & CPUID_1_ECX_TSC_DEADLINE);

	if (!(cpuid(1, 0).edx & (1u << 9)))
		return -1; /* no local APIC at all */
	if ((ecx & CPUID_1_ECX_X2APIC) || (base & APIC_BASE_X2APIC)) {
		/* xAPIC to x2APIC is allowed with the APIC enabled (SDM 11.12.5). */
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
		apic.x2apic = 1;
	} else {
		if (!(base & APIC_BASE_ENABLE))
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
		if (arch_map_device(base & APIC_BASE_ADDRESS, PAGE_SIZE))
			return -1;
		apic.mmio = phys_to_virt(base & APIC_BASE_ADDRESS);
	}
	traps_set_interrupt(APIC_TIMER_VECTOR, (uint64_t)(uintptr_t)apic_timer_entry);
	traps_set_interrupt(APIC_KICK_VECTOR, (uint64_t)(uintptr_t)apic_kick_entry);
	apic_write(APIC_SVR, SVR_ENABLE | SVR_SPURIOUS_VECTOR);
	if (!deadline)
		return calibrate_one_shot();
	apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | APIC_TIMER_VECTOR);
	/* The mode must be in place before IA32_TSC_DEADLINE is written (SDM 11.5.4.1). */
	__asm__ volatile("mfence" ::: "memory");
	return 1;
}

void apic_cpu_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (apic.state <= 0)
		return; /* the boot CPU found no usable APIC: this one polls as it does */
	/* As the boot CPU's (apic_setup): the same mode, timer kind and rate on every CPU. */
	if (apic.x2apic)
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	else if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	apic_write(APIC_SVR, SVR_ENABLE | SVR_SPURIOUS_VECTOR);
	if (apic.state == 1) {
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | APIC_TIMER_VECTOR);
		__asm__ volatile("mfence" ::: "memory");
	} else {
		apic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_1);
		apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR); /* one-shot */
	}
}

void arch_cpu_kick(unsigned int cpu)
{
	const struct cpu_tables *t = cpu_tables_of(cpu);

	if (t && apic.state > 0)
		send_ipi(t->apic_id, ICR_ASSERT | APIC_KICK_VECTOR); /* fixed, physical */
}

static void timer_arm(uint64_t deadline)
{
	uint64_t now, ticks;

	if (apic.state == 1) {
		wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
		return;
	}
	if (!deadline) {
		apic_write(APIC_TIMER_INITIAL, 0); /* stops it */
		return;
	}
	now = rdtsc();
	ticks = deadline > now ? (uint64_t)(((unsigned __int128)(deadline - now) *
					     apic.ticks_per_tsc_q32) >>
					    32)
			       : 0;
	apic_write(APIC_TIMER_INITIAL,
		   ticks ? (ticks < 0xffffffffu ? (uint32_t)ticks : 0xffffffffu) : 1);
}

static int timer_ready(void)
{
	if (!apic.state) {
		apic.state = apic_setup();
		log_debug("idle: %s\n", apic.state == 1 ? "HLT until the APIC's TSC-deadline timer"
					: apic.state == 2
						? "HLT until the APIC's one-shot timer"
						: "no usable APIC timer: polling the TSC");
	}
	return apic.state > 0;
}

int apic_init(void)
{
	return timer_ready() ? 0 : -1;
}

int apic_is_x2apic(void)
{
	return apic.state > 0 && apic.x2apic;
}

/*
 * Sends the IPI icr_low to the APIC id dest and waits (bounded) until the xAPIC has sent
 * it; x2APIC's ICR is one MSR write with no delivery status (SDM Vol. 3A 11.12.9).
 */
static void send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (apic.x2apic) {
		wrmsr(0x800 + APIC_ICR_LOW / 16, ((uint64_t)dest << 32) | icr_low);
		return;
	}
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, icr_low);
	for (unsigned int i = 0; i < 100000 && (apic_read(APIC_ICR_LOW) & ICR_PENDING); i++)
		pause();
}

void apic_send_init(uint32_t dest)
{
	send_ipi(dest, ICR_INIT | ICR_ASSERT);
}

void apic_send_startup(uint32_t dest, uint8_t page)
{
	send_ipi(dest, ICR_STARTUP | ICR_ASSERT | page);
}

void apic_send_nmi_to_others(void)
{
	if (apic.state > 0)
		send_ipi(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_ASSERT);
}

int apic_timer_arm(uint64_t deadline)
{
	if (!timer_ready())
		return -1;
	timer_arm(deadline);
	return 0;
}

void arch_idle_until(uint64_t deadline)
{
	this_cpu_write(kicked, 0);
	if (!timer_ready()) {
		while (rdtsc() < deadline)
			pause();
		return;
	}
	/*
	 * STI's shadow covers the HLT: an interrupt that comes between them still ends it, a
	 * kick that came while interrupts were off included (it waits in the APIC till then).
	 */
	while (rdtsc() < deadline && !this_cpu_read(kicked)) {
		timer_arm(deadline == UINT64_MAX ? 0 : deadline);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	timer_arm(0); /* disarmed, if something else ended the HLT */
	__asm__ volatile("sti; nop; cli" ::: "memory"); /* and taken, if it fired meanwhile */
}
