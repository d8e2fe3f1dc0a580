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

static void print(const char *s)
{
	gk_ring_write(&console.header, s, gk_strlen(s));
	gk_ring_flush();
}

static void on_event(unsigned int event, void *context)
{
	(void)context;
	if (event == PV_EVENT_TIMER)
		ticks++;
}

/* The C half of the event interrupt; entry.S saves the registers and calls it. */
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

int64_t kernel_main(const struct pv_start_info *start);
int64_t kernel_main(const struct pv_start_info *start)
{
	enum gk_detect_result found;
	int64_t abi = gk_open(PV_OS_OTHER, 1, &found);
	char number[24];

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
	gk_timer_set(gk_clock_ns(&vcpu_page) + 1000000); /* 1 ms from now */
	/*
	 * Test and sleep with interrupts off, and let STI open them only for the HLT: STI's
	 * one-instruction shadow means an event can not slip in between and be missed.
	 */
	while (!ticks) {
		__asm__ volatile("sti; hlt; cli" ::: "memory"); /* Shunt runs others meanwhile */
	}
	print("minimal-kernel: timer event after ");
	print(gk_fmt_u64(number, gk_clock_ns(&vcpu_page) / 1000));
	print(" us of PV clock; bye\n");
	return 0;
}
