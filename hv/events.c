/*
 * Events (pv-abi/vcpu_page.h): a guest binds one interrupt vector; Shunt sets bits in the
 * vCPU page's events_pending word and injects that vector once, setting upcall_pending,
 * when the guest can take an interrupt. The guest clears upcall_pending, then swaps
 * events_pending with zero and handles every bit it got: each event is delivered once.
 * An event may be raised from another CPU than the vCPU's own (EVENT_SEND between the vCPUs
 * of one VM, ABI 1.5): vcpu_event_raise() then touches the target only through its page
 * (atomics), its work word (vcpu_work_set()) and sched_kick(); everything else here runs on
 * the vCPU's own CPU, whose clears of work bits are atomic for that reason.
 */
#include <hv/arch.h>
#include <hv/hypercall.h>
#include <hv/pv.h>
#include <hv/sched.h>
#include <pvabi/vcpu_page.h>

#define VECTOR_FIRST_EXTERNAL 32

/*
 * Sets event's bit in vcpu's page; 1 when vcpu's CPU must now look at it to inject the
 * vector (VCPU_WORK_NOTIFY set), 0 when an upcall the guest has not acknowledged yet will
 * see the bit too (or no vector is bound: it waits in the page). The bit is set before the
 * work bit, so the CPU that looks finds it.
 */
static inline int event_post(struct vcpu *vcpu, struct pv_vcpu_page *page, unsigned int event)
{
	uint8_t vector;

	__atomic_fetch_or(&page->events_pending, 1ull << event, __ATOMIC_SEQ_CST);
	/* Counted by whichever CPU raised it: the sum stays exact. */
	__atomic_fetch_add(&vcpu->stats.events_raised, 1, __ATOMIC_RELAXED);
	/* Read once, whole: another CPU's raise may meet the owner binding it. */
	vector = __atomic_load_n(&vcpu->event_vector, __ATOMIC_RELAXED);
	if (!vector || __atomic_load_n(&page->upcall_pending, __ATOMIC_SEQ_CST))
		return 0;
	vcpu_work_set(vcpu, VCPU_WORK_NOTIFY);
	return 1;
}

/* An event of the vCPU itself, raised on its own CPU (its timer, EVENT_SEND to itself). */
static inline void event_raise_local(struct vcpu *vcpu, struct pv_vcpu_page *page,
				     unsigned int event)
{
	if (event_post(vcpu, page, event))
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
}

void vcpu_event_raise(struct vcpu *vcpu, unsigned int event)
{
	/* The owner may set or drop its page meanwhile: one look (a dropped page is still RAM). */
	struct pv_vcpu_page *page = __atomic_load_n(&vcpu->page, __ATOMIC_ACQUIRE);

	if (page && event < PV_EVENT_COUNT && event_post(vcpu, page, event))
		sched_kick(vcpu); /* on another CPU: it is interrupted, or wakes from its idle */
}

int64_t hc_event_bind(struct vcpu *vcpu, const struct hc_args *args)
{
	uint64_t vector = args->arg[0];

	if (vector != 0 && (vector < VECTOR_FIRST_EXTERNAL || vector > 255))
		return PV_EINVAL;
	if (!vcpu->page)
		return PV_EINVAL; /* events are reported in the vCPU page */
	__atomic_store_n(&vcpu->event_vector, (uint8_t)vector, __ATOMIC_SEQ_CST);
	vcpu_work_clear(vcpu, VCPU_WORK_NOTIFY);
	/* After the vector is visible: a sender that saw no vector left its bit for this look. */
	if (vector && __atomic_load_n(&vcpu->page->events_pending, __ATOMIC_SEQ_CST) &&
	    !__atomic_load_n(&vcpu->page->upcall_pending, __ATOMIC_SEQ_CST)) {
		vcpu_work_set(vcpu, VCPU_WORK_NOTIFY);
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
	}
	return 0;
}

/* EVENT_SEND to another vCPU of the caller's VM (1.5: the PV IPI), maybe on another CPU. */
static __attribute__((noinline)) int64_t event_send_other(struct vcpu *vcpu, uint64_t target,
							  uint64_t event)
{
	struct vm *vm = vcpu->vm;
	struct vcpu *to;

	if (target >= vm->vcpu_count || event < PV_EVENT_GUEST_FIRST || event > PV_EVENT_GUEST_LAST)
		return PV_EINVAL;
	to = &vm->vcpus[target]; /* one of its own VM's, never another VM's */
	if (__atomic_load_n(&to->halted, __ATOMIC_ACQUIRE) == VCPU_DOWN ||
	    !__atomic_load_n(&to->page, __ATOMIC_ACQUIRE))
		return PV_EINVAL; /* not started, or no page for the event to land in */
	vcpu_event_raise(to, (unsigned int)event);
	return 0;
}

/*
 * EVENT_SEND: to the caller itself (1.1), on its own CPU, kept as short as it was; or to any
 * other started vCPU of its VM with a vCPU page (1.5).
 */
int64_t hc_event_send(struct vcpu *vcpu, const struct hc_args *args)
{
	uint64_t event = args->arg[1];
	struct pv_vcpu_page *page;

	if (args->arg[0] != vcpu->id)
		return event_send_other(vcpu, args->arg[0], event);
	page = vcpu->page;
	if (event < PV_EVENT_GUEST_FIRST || event > PV_EVENT_GUEST_LAST || !page)
		return PV_EINVAL;
	event_raise_local(vcpu, page, (unsigned int)event);
	return 0;
}

void vcpu_entry_work(struct vcpu *vcpu)
{
	if (vcpu->work & VCPU_WORK_LAPIC)
		vm_platform_entry_work(vcpu); /* a Linux VM's APIC timer and interrupts */
	if ((vcpu->work & VCPU_WORK_TIMER) && arch_cycles() >= vcpu->timer_deadline) {
		vcpu_work_clear(vcpu, VCPU_WORK_TIMER);
		if (vcpu->page)
			event_raise_local(vcpu, vcpu->page, PV_EVENT_TIMER);
	}
	if (!(__atomic_load_n(&vcpu->work, __ATOMIC_SEQ_CST) & VCPU_WORK_NOTIFY))
		return;
	if (!vcpu->event_vector || !vcpu->page) {
		vcpu_work_clear(vcpu, VCPU_WORK_NOTIFY);
		return;
	}
	/* Not now (interrupts masked, another event in flight): the arch calls back later. */
	if (arch_vcpu_inject_vector(vcpu, vcpu->event_vector))
		return;
	/*
	 * upcall_pending first, then the bit cleared: a sender that raises meanwhile either
	 * sees the upcall pending (the guest's handler takes its bit) or sets NOTIFY after the
	 * clear, for one more (harmless, perhaps empty) upcall.
	 */
	__atomic_store_n(&vcpu->page->upcall_pending, 1, __ATOMIC_SEQ_CST);
	vcpu_work_clear(vcpu, VCPU_WORK_NOTIFY);
	vcpu->stats.upcalls_injected++;
}

void vcpu_upcall_again(struct vcpu *vcpu)
{
	vcpu_work_set(vcpu, VCPU_WORK_NOTIFY);
	vcpu_attention(vcpu, VCPU_ATTN_WORK);
}
