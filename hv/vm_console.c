/*
 * A VM's console: what its PV console calls, its console ring and its emulated UART write.
 * Bytes go into the VM's own queue (hv/console.h), drained to the serial line by Shunt in
 * the background, never by the exit that wrote them. The VM's console= policy decides what
 * a full queue means (wait, or drop and count), and its console rate class is counted in
 * bytes per second.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/hypercall.h>
#include <hv/vm.h>

void vm_console_init(struct vm *vm, enum vm_console_policy policy)
{
	vm->console_policy = policy;
	console_queue_init(&vm->console, vm->console_data, sizeof(vm->console_data), vm->name);
	if (policy != VM_CONSOLE_DISCARD)
		console_source_add(&vm->console); /* one slot per VM slot: never full */
}

/* Refuses, with the wait in *retry_after_ns: the line needs that long for missing bytes. */
static int64_t wait_for_room(struct vm *vm, uint32_t missing, uint64_t *retry_after_ns)
{
	vm->stats.console_waits++;
	*retry_after_ns = console_line_ns(missing);
	return -EAGAIN;
}

int64_t vm_console_put(struct vm *vm, const void *buf, uint32_t len, int partial,
		       uint64_t *retry_after_ns)
{
	struct token_bucket *bucket = &vm->buckets[PV_RATE_CONSOLE];
	uint32_t room = console_queue_space(&vm->console), n = len;
	uint64_t now = arch_cycles(), hz = arch_tsc_hz();

	if (len == 0)
		return 0;
	if (vm->console_policy == VM_CONSOLE_PRINT && room < len) {
		if (!partial || room == 0)
			return wait_for_room(vm, partial ? 1 : len - room, retry_after_ns);
		n = room;
	}
	if (partial) {
		n = bucket_take_upto(bucket, now, hz, n);
		if (n == 0 && bucket_take_n(bucket, now, hz, 1, retry_after_ns)) {
			vm->stats.console_throttled++;
			return -EAGAIN;
		}
	} else if (bucket_take_n(bucket, now, hz, n, retry_after_ns)) {
		vm->stats.console_throttled++;
		return -EAGAIN;
	}
	vm->stats.console_bytes += n;
	if (vm->console_policy == VM_CONSOLE_DISCARD)
		return n;
	if (n > room) { /* lossy: what fits is printed, the rest counted */
		vm->stats.console_dropped += n - room;
		console_queue_write(&vm->console, buf, room);
		return n;
	}
	console_queue_write(&vm->console, buf, n);
	return n;
}

const char *vm_console_policy_name(enum vm_console_policy policy)
{
	return policy == VM_CONSOLE_PRINT   ? "print"
	       : policy == VM_CONSOLE_LOSSY ? "lossy"
					    : "discard";
}

int vm_console_is_full(const struct vm *vm)
{
	return vm->console_policy == VM_CONSOLE_PRINT && console_queue_space(&vm->console) == 0;
}

void vm_console_close(struct vm *vm)
{
	if (vm->console_policy != VM_CONSOLE_DISCARD)
		console_queue_close_line(&vm->console);
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
