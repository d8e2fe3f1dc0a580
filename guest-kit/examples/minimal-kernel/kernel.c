/*
 * A minimal guest kernel for Shunt, to copy and grow: it opens the interface, takes a
 * console ring, reads the PV clock, arms a timer and handles its event through the IDT,
 * then exits. Everything Shunt-specific comes from guest-kit (<gk/gk.h>).
 */
#include <gk/gk.h>

#define EVENT_VECTOR 0x30

struct idt_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
} __attribute__((packed));

static struct pv_vcpu_page vcpu_page __attribute__((aligned(4096)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct {
	struct pv_console_ring header;
	uint8_t data[1024];
} console __attribute__((aligned(64)));
static volatile int ticks;
static volatile uint64_t fired_ns; /* the PV clock when the timer event came */

/* A timer event may come late (other VMs run first) but never before its deadline. */
#define TIMER_DELAY_NS 1000000ull   /* 1 ms */
#define TIMER_LATE_NS 1000000000ull /* later than 1 s after the deadline: something is wrong */

static void print(const char *s)
{
	gk_ring_write(&console.header, s, gk_strlen(s));
	gk_ring_flush();
}

static void on_event(unsigned int event, void *context)
{
	(void)context;
	if (event == PV_EVENT_TIMER && !ticks++)
		fired_ns = gk_clock_ns(&vcpu_page);
}

/* The C half of the event interrupt; events.S saves the registers and calls it. */
void kernel_event_interrupt(void);
void kernel_event_interrupt(void)
{
	gk_events_dispatch(&vcpu_page, on_event, 0);
}

extern char kernel_event_entry[];

static void install_event_vector(void)
{
	uint64_t handler = (uint64_t)(uintptr_t)kernel_event_entry;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	idt[EVENT_VECTOR] = (struct idt_gate){
		(uint16_t)handler,	   0x08, 0, 0x8e, (uint16_t)(handler >> 16),
		(uint32_t)(handler >> 32), 0
	};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

/* Called by guest-kit's entry stub (declared in <gk/start.h>); returns the VM's exit code. */
int64_t kernel_main(const struct pv_start_info *start)
{
	enum gk_detect_result found;
	/* First, before any other call: detection picks VMCALL (Intel) or VMMCALL (AMD). */
	int64_t abi = gk_open(PV_OS_OTHER, 1, &found);
	char number[24];
	uint64_t deadline;

	if (abi < 0) {
		/* Not on Shunt (or not a version we speak): the emulated UART still works. */
		gk_uart_puts(GK_UART_COM1, "minimal-kernel: ");
		gk_uart_puts(GK_UART_COM1, gk_strerror(abi));
		gk_uart_puts(GK_UART_COM1, "\n");
		return 1;
	}
	if (gk_ring_init(&console.header, sizeof(console.data)) < 0)
		return 2;
	print("minimal-kernel: hello from VM ");
	print(start->vm_name);
	print("\n");

	if (gk_vcpu_page_set(&vcpu_page) < 0 || gk_events_bind(EVENT_VECTOR) < 0)
		return 3;
	install_event_vector();
	deadline = gk_clock_ns(&vcpu_page) + TIMER_DELAY_NS;
	gk_timer_set(deadline);
	/*
	 * Test and sleep with interrupts off, and let STI open them only for the HLT: STI's
	 * one-instruction shadow means an event can not slip in between and be missed.
	 */
	while (!ticks) {
		__asm__ volatile("sti; hlt; cli" ::: "memory"); /* Shunt runs others meanwhile */
	}
	if (fired_ns < deadline) {
		print("minimal-kernel: timer event ");
		print(gk_fmt_u64(number, deadline - fired_ns));
		print(" ns before its deadline\n");
		return 4;
	}
	print("minimal-kernel: timer event ");
	print(gk_fmt_u64(number, (fired_ns - deadline) / 1000));
	print(" us after its deadline");
	if (fired_ns - deadline > TIMER_LATE_NS) {
		print(": too late\n");
		return 5;
	}
	print("; bye\n");
	return 0;
}
