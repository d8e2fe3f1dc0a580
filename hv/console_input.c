/*
 * Console input (see hv/console_input.h): Shunt's serial line is read without waiting, as
 * host work between exits, CONSOLE_INPUT_POLL_HZ times a second while any VM could take
 * input; the bytes go to the VM with the focus (its input queue, then its UART's receive
 * FIFO as room appears). No host interrupts. The state here is the machine's one console;
 * with more CPUs it is to be guarded by the console's lock.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/console_input.h>
#include <hv/log.h>
#include <hv/vm.h>

#define READ_MAX 64 /* bytes taken from the line per poll: a 16550's FIFO, four times */

static struct {
	int on;
	int focus; /* a VM index, or CONSOLE_FOCUS_SHUNT */
	struct console_keys keys;
	uint64_t due;
} in = { .focus = CONSOLE_FOCUS_SHUNT };

static int is_eligible(const struct vm *vm)
{
	return vm->state == VM_RUNNING && vm_console_has_uart(vm);
}

static struct vm *focus_vm(void)
{
	return in.focus == CONSOLE_FOCUS_SHUNT ? NULL : vm_at((unsigned int)in.focus);
}

static void set_focus(int focus, const char *why)
{
	struct vm *old = focus_vm(), *vm;

	if (old)
		old->console.eager = 0;
	in.focus = focus;
	vm = focus_vm();
	if (vm) {
		vm->console.eager = 1; /* its echo and prompts are shown as they come */
		log_info("console: input to VM %s%s (Ctrl-A three times to switch)\n", vm->name,
			 why);
	} else {
		log_info("console: input to Shunt%s (Ctrl-A three times to switch)\n", why);
	}
}

static int next_focus(void)
{
	uint8_t eligible[VM_MAX];
	unsigned int n = vm_count();

	for (unsigned int i = 0; i < n; i++)
		eligible[i] = (uint8_t)is_eligible(vm_at(i));
	return console_focus_next(in.focus, eligible, n);
}

void console_input_start(void)
{
	int first = CONSOLE_FOCUS_SHUNT;

	if (!arch_console_can_read())
		return;
	for (unsigned int i = 0; i < vm_count() && first == CONSOLE_FOCUS_SHUNT; i++)
		if (is_eligible(vm_at(i)) && vm_at(i)->platform == VM_PLATFORM_PC)
			first = (int)i;
	/*
	 * Only a Linux VM has a driver that reads its UART (Shunt's guest-kit reads none):
	 * without one there is nobody to type to, and no polling to pay for.
	 */
	if (first == CONSOLE_FOCUS_SHUNT)
		return;
	in.on = 1;
	set_focus(first, "");
	in.due = arch_cycles();
	console_set_input_due(in.due);
}

int console_input_can_reach(const struct vm *vm)
{
	return in.on && vm_console_has_uart(vm);
}

/* Each byte typed: to the focus, or the sequence that moves it. */
static void take(uint8_t c)
{
	uint8_t out[CONSOLE_KEYS_OUT_MAX];
	int n = console_keys_feed(&in.keys, c, out);
	struct vm *vm = focus_vm();

	if (n == CONSOLE_KEYS_SWITCH) {
		set_focus(next_focus(), "");
		return;
	}
	if (vm) {
		vm_console_input(vm, out, (unsigned int)n);
	} else if (c == '\r' || c == '\n') {
		log_info("console: Shunt takes no commands yet: Ctrl-A three times gives the "
			 "input to a VM\n");
	}
}

void console_input_poll(void)
{
	uint8_t buf[READ_MAX];
	uint64_t now;
	struct vm *vm;
	size_t n;

	if (!in.on || (now = arch_cycles()) < in.due)
		return;
	in.due = now + arch_tsc_hz() / CONSOLE_INPUT_POLL_HZ;
	vm = focus_vm();
	if (vm && vm->state != VM_RUNNING) {
		vm->console.eager = 0;
		set_focus(next_focus(), " (the VM that had it stopped)");
	}
	n = arch_console_read_nowait((char *)buf, sizeof(buf));
	for (size_t i = 0; i < n; i++)
		take(buf[i]);
	/* What a VM's FIFO could not take yet goes in as the VM reads. */
	for (unsigned int i = 0; i < vm_count(); i++)
		vm_console_input_refill(vm_at(i));
	console_set_input_due(in.due);
}
