/*
 * Events (pv-abi/vcpu_page.h): a guest binds one interrupt vector; Shunt sets bits in the
 * vCPU page's events_pending word and injects that vector once, setting upcall_pending,
 * when the guest can take an interrupt. The guest clears upcall_pending, then swaps
 * events_pending with zero and handles every bit it got: each event is delivered once.
 */
#include <hv/arch.h>
#include <hv/hypercall.h>
#include <hv/pv.h>
#include <pvabi/vcpu_page.h>

#define VECTOR_FIRST_EXTERNAL 32

void vcpu_event_raise(struct vcpu *vcpu, unsigned int event)
{
	struct pv_vcpu_page *page = vcpu->page;

	if (!page || event >= PV_EVENT_COUNT)
		return;
	__atomic_fetch_or(&page->events_pending, 1ull << event, __ATOMIC_SEQ_CST);
	vcpu->stats.events_raised++;
	/* An upcall the guest has not acknowledged yet will see this bit too. */
	if (vcpu->event_vector && !__atomic_load_n(&page->upcall_pending, __ATOMIC_SEQ_CST)) {
		vcpu->work |= VCPU_WORK_NOTIFY;
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
	}
}

int64_t hc_event_bind(struct vcpu *vcpu, const struct hc_args *args)
{
	uint64_t vector = args->arg[0];

	if (vector != 0 && (vector < VECTOR_FIRST_EXTERNAL || vector > 255))
		return PV_EINVAL;
	if (!vcpu->page)
		return PV_EINVAL; /* events are reported in the vCPU page */
	vcpu->event_vector = (uint8_t)vector;
	vcpu->work &= ~VCPU_WORK_NOTIFY;
	if (vector && __atomic_load_n(&vcpu->page->events_pending, __ATOMIC_SEQ_CST) &&
	    !__atomic_load_n(&vcpu->page->upcall_pending, __ATOMIC_SEQ_CST)) {
		vcpu->work |= VCPU_WORK_NOTIFY;
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
	}
	return 0;
}

int64_t hc_event_send(struct vcpu *vcpu, const struct hc_args *args)
{
	uint64_t target = args->arg[0], event = args->arg[1];

	/* One vCPU per VM today; the argument is there for the SMP guests to come. */
	if (target != vcpu->id || event < PV_EVENT_GUEST_FIRST || event > PV_EVENT_GUEST_LAST)
		return PV_EINVAL;
	if (!vcpu->page)
		return PV_EINVAL;
	vcpu_event_raise(vcpu, (unsigned int)event);
	return 0;
}

void vcpu_entry_work(struct vcpu *vcpu)
{
	if (vcpu->work & VCPU_WORK_LAPIC)
		vm_platform_entry_work(vcpu); /* a Linux VM's APIC timer and interrupts */
	if ((vcpu->work & VCPU_WORK_TIMER) && arch_cycles() >= vcpu->timer_deadline) {
		vcpu->work &= ~VCPU_WORK_TIMER;
		vcpu_event_raise(vcpu, PV_EVENT_TIMER);
	}
	if (!(vcpu->work & VCPU_WORK_NOTIFY))
		return;
	if (!vcpu->event_vector || !vcpu->page) {
		vcpu->work &= ~VCPU_WORK_NOTIFY;
		return;
	}
	/* Not now (interrupts masked, another event in flight): the arch calls back later. */
	if (arch_vcpu_inject_vector(vcpu, vcpu->event_vector))
		return;
	__atomic_store_n(&vcpu->page->upcall_pending, 1, __ATOMIC_SEQ_CST);
	vcpu->work &= ~VCPU_WORK_NOTIFY;
	vcpu->stats.upcalls_injected++;
}

void vcpu_upcall_again(struct vcpu *vcpu)
{
	vcpu->work |= VCPU_WORK_NOTIFY;
	vcpu_attention(vcpu, VCPU_ATTN_WORK);
}
