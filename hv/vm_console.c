/*
 * A VM's console: what its PV console calls, its console ring and its emulated UART write.
 * Bytes go into the VM's own queue (hv/console.h), drained to the serial line by Shunt in
 * the background, never by the exit that wrote them. The VM's console= policy decides what
 * a full queue means (wait, or drop and count), and its console rate class is counted in
 * bytes per second. Its vCPUs may write from several CPUs: each write holds the queue's
 * lock from its check of the room to its last byte (hv/LOCKING.md).
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/vm.h>

_Static_assert(CONSOLE_SOURCES_MAX >= VM_MAX, "a console source for every VM");

void vm_console_init(struct vm *vm, enum vm_console_policy policy)
{
	vm->console_policy = policy;
	console_queue_init(&vm->console, vm->console_data, sizeof(vm->console_data), vm->name);
	/* A VM is set up once (a restart keeps its queue): one source each, never full. */
	if (policy != VM_CONSOLE_DISCARD && console_source_add(&vm->console))
		log_error("vm %s: no console source left: its output is not shown\n", vm->name);
}

/* A refusal: the writer is told to wait retry_after_ns, and the summary counts it. */
static int64_t refuse(struct vm *vm, uint64_t *counter, uint64_t wait_ns, uint64_t *retry_after_ns)
{
	vm_stat_add(counter, 1);
	vm_stat_add(&vm->stats.throttled, 1); /* every PV_ETHROTTLED answer, whatever its class */
	*retry_after_ns = wait_ns;
	return -EAGAIN;
}

int64_t vm_console_reserve(struct vm *vm, uint32_t len, int partial, uint64_t *retry_after_ns)
{
	struct token_bucket *bucket = &vm->buckets[PV_RATE_CONSOLE];
	uint32_t room = console_queue_space(&vm->console), n = len;
	uint64_t now = arch_cycles(), wait;

	if (len == 0)
		return 0;
	if (vm->console_policy == VM_CONSOLE_PRINT && room < len) {
		if (!partial || room == 0) /* the line needs this long for the missing bytes */
			return refuse(vm, &vm->stats.console_waits,
				      console_line_ns(partial ? 1 : len - room), retry_after_ns);
		n = room;
	}
	if (partial) {
		n = bucket_take_upto(bucket, now, n);
		if (n == 0 && bucket_take_n(bucket, now, 1, &wait))
			return refuse(vm, &vm->stats.console_throttled, wait, retry_after_ns);
	} else if (bucket_take_n(bucket, now, n, &wait)) {
		return refuse(vm, &vm->stats.console_throttled, wait, retry_after_ns);
	}
	return n;
}

void vm_console_commit(struct vm *vm, const void *buf, uint32_t n)
{
	uint32_t room = console_queue_space(&vm->console);

	vm_stat_add(&vm->stats.console_bytes, n);
	if (vm->console_policy == VM_CONSOLE_DISCARD)
		return;
	if (n > room) { /* lossy: what fits is printed, the rest counted */
		vm_stat_add(&vm->stats.console_dropped, n - room);
		n = room;
	}
	console_queue_write(&vm->console, buf, n);
}

int64_t vm_console_put(struct vm *vm, const void *buf, uint32_t len, int partial,
		       uint64_t *retry_after_ns)
{
	int64_t n;

	if (vm->console_policy == VM_CONSOLE_DISCARD) {
		/* No queue to keep whole: the bucket and the counters are safe without it. */
		n = vm_console_reserve(vm, len, partial, retry_after_ns);
		if (n > 0)
			vm_stat_add(&vm->stats.console_bytes, (uint64_t)n);
		return n;
	}
	console_queue_lock(&vm->console);
	n = vm_console_reserve(vm, len, partial, retry_after_ns);
	if (n > 0)
		vm_console_commit(vm, buf, (uint32_t)n);
	console_queue_unlock(&vm->console);
	return n;
}

const char *vm_console_policy_name(enum vm_console_policy policy)
{
	return policy == VM_CONSOLE_PRINT   ? "print"
	       : policy == VM_CONSOLE_LOSSY ? "lossy"
					    : "discard";
}

/* A hint, read without the lock: the room only grows while the VM does not write. */
int vm_console_is_full(const struct vm *vm)
{
	return vm->console_policy == VM_CONSOLE_PRINT && console_queue_space(&vm->console) == 0;
}

void vm_console_close(struct vm *vm)
{
	if (vm->console_policy == VM_CONSOLE_DISCARD)
		return;
	console_queue_lock(&vm->console);
	console_queue_close_line(&vm->console);
	console_queue_unlock(&vm->console);
}

int64_t hc_console_write(struct vcpu *vcpu, const struct hc_args *args)
{
	uint64_t gpa = args->arg[0], len = args->arg[1];
	const char *buf;
	int64_t ret;

	if (len == 0)
		return 0;
	if (len > PV_CONSOLE_WRITE_MAX)
		return PV_E2BIG;
	buf = vm_gpa_to_hva(vcpu->vm, gpa, len);
	if (!buf)
		return PV_EFAULT;
	/* All or nothing, as the call has always been: the guest retries the whole write. */
	ret = vm_console_put(vcpu->vm, buf, (uint32_t)len, 0, &vcpu->retry_after_ns);
	return ret == -EAGAIN ? PV_ETHROTTLED : ret;
}

/* With the UART's lock (if it is shared). */
static void input_refill_locked(struct vm *vm)
{
	while (vm->input.head != vm->input.tail && uart16550_rx_room(&vm->uart))
		uart16550_receive(&vm->uart, vm->input.data[vm->input.head++ % VM_INPUT_QUEUE]);
}

/* Typed input reaches a VM only while it runs: not while it is reaped or rebuilt. */
static int takes_input(const struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_RUNNING &&
	       !__atomic_load_n(&vm->reaping, __ATOMIC_ACQUIRE);
}

void vm_console_input_refill(struct vm *vm)
{
	int taken;

	if (__atomic_load_n(&vm->input.head, __ATOMIC_RELAXED) == vm->input.tail)
		return; /* nothing typed waits (only CPU 0 adds to it) */
	taken = vm_uart_lock(vm);
	if (takes_input(vm))
		input_refill_locked(vm);
	vm_uart_unlock(vm, taken);
}

void vm_console_input(struct vm *vm, const uint8_t *buf, unsigned int n)
{
	int taken = vm_uart_lock(vm);

	if (!takes_input(vm)) {
		vm_uart_unlock(vm, taken);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (vm->input.tail - vm->input.head == VM_INPUT_QUEUE) {
			/* typed faster than the VM reads: lost */
			vm_stat_add(&vm->stats.input_dropped, 1);
			continue;
		}
		vm->input.data[vm->input.tail++ % VM_INPUT_QUEUE] = buf[i];
	}
	input_refill_locked(vm);
	vm_uart_unlock(vm, taken);
}

/* From the UART's own code: in a COM1 access, a refill or the build, the lock held if shared. */
void vm_console_uart_irq(void *owner)
{
	struct vm *vm = owner;

	vm_platform_set_irq(vm, UART16550_COM1_IRQ, vm->uart.irq);
	if (!vm->uart.rx_count)
		input_refill_locked(vm); /* the VM read its FIFO empty: more if typed */
}

int vm_console_has_uart(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->io_count; i++)
		if ((uint16_t)(UART16550_COM1_BASE - vm->io[i].base) < vm->io[i].count)
			return vm->io[i].device == &vm->uart; /* the first that claims COM1 */
	return 0;
}
