/*
 * The PV console ring (pv-abi/console_ring.h): the guest produces bytes into a ring in its
 * own memory and kicks; Shunt moves what the VM's console buffer has room for (a bounded
 * copy) and the guest kicks again for the rest. The indexes live in guest memory, so each
 * is read once and checked before use: a corrupt ring is reset, never trusted. Two vCPUs of
 * a VM may kick at once from two CPUs: the VM's console queue lock makes one wait, so that
 * no byte is taken twice (hv/LOCKING.md).
 */
#include <hv/hypercall.h>
#include <hv/log.h>
#include <pvabi/console_ring.h>

static struct pv_console_ring *ring_of(struct vm *vm)
{
	return vm_gpa_to_hva(vm, vm->ring_gpa, sizeof(struct pv_console_ring) + vm->ring_size);
}

int64_t hc_console_ring_set(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	gpa_t gpa = args->arg[0];
	uint64_t size = args->arg[1];
	struct pv_console_ring *ring;

	if (gpa == 0) {
		console_queue_lock(&vm->console);
		vm->ring_gpa = 0;
		vm->ring_size = 0;
		console_queue_unlock(&vm->console);
		return 0;
	}
	if (size < PV_CONSOLE_RING_MIN || size > PV_CONSOLE_RING_MAX || (size & (size - 1)) ||
	    (gpa & 7))
		return PV_EINVAL;
	ring = vm_gpa_to_hva(vm, gpa, sizeof(*ring) + size);
	if (!ring)
		return PV_EFAULT;
	console_queue_lock(&vm->console);
	vm->ring_gpa = gpa;
	vm->ring_size = (uint32_t)size;
	ring->size = (uint32_t)size;
	__atomic_store_n(&ring->consumer, __atomic_load_n(&ring->producer, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	console_queue_unlock(&vm->console);
	return 0;
}

static int64_t kick_locked(struct vcpu *vcpu, uint32_t bad[2]);

int64_t hc_console_ring_kick(struct vcpu *vcpu, const struct hc_args *args)
{
	uint32_t bad[2] = { 0, 0 }; /* producer, consumer, when they do not fit */
	int64_t ret;

	console_queue_lock(&vcpu->vm->console);
	ret = kick_locked(vcpu, bad);
	console_queue_unlock(&vcpu->vm->console);
	if (bad[0] != bad[1]) /* logged with no queue's lock held: the log takes the line's */
		log_warn("vm %s: console ring indexes are inconsistent (producer %u, consumer %u): "
			 "ring reset\n",
			 vcpu->vm->name, bad[0], bad[1]);
	return ret;
}

/* The ring's state (ring_gpa, ring_size, its consumer index) with the queue's lock held. */
static int64_t kick_locked(struct vcpu *vcpu, uint32_t bad[2])
{
	struct vm *vm = vcpu->vm;
	struct pv_console_ring *ring;
	const uint8_t *data;
	uint32_t producer, consumer, pending, mask;
	int64_t took;

	if (!vm->ring_gpa)
		return PV_EINVAL;
	ring = ring_of(vm);
	data = PV_CONSOLE_RING_DATA(ring);
	mask = vm->ring_size - 1;
	producer = __atomic_load_n(&ring->producer, __ATOMIC_ACQUIRE);
	consumer = ring->consumer; /* ours, but in guest memory: check it too */
	pending = producer - consumer;
	if (pending > vm->ring_size) {
		bad[0] = producer;
		bad[1] = consumer;
		__atomic_store_n(&ring->consumer, producer, __ATOMIC_RELEASE);
		return PV_EINVAL;
	}
	/* Only what the VM's console buffer takes now (a bounded copy): the rest waits. */
	took = vm_console_reserve(vm, pending, 1, &vcpu->retry_after_ns);
	if (took < 0)
		return PV_ETHROTTLED;
	for (uint32_t left = (uint32_t)took; left;) {
		uint32_t at = consumer & mask;
		uint32_t chunk = left < vm->ring_size - at ? left : vm->ring_size - at;

		vm_console_commit(vm, data + at, chunk); /* up to the wrap, then the rest */
		consumer += chunk;
		left -= chunk;
	}
	__atomic_store_n(&ring->consumer, consumer, __ATOMIC_RELEASE);
	return took;
}
