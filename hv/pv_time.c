/*
 * Time for guests: the PV clock published in each vCPU page (kvmclock protocol: a scale
 * from TSC ticks to nanoseconds since the VM started, written once under a version
 * counter), steal time, and the one-shot PV timer that raises PV_EVENT_TIMER.
 */
#include <hv/arch.h>
#include <hv/hypercall.h>
#include <hv/pv.h>
#include <hv/pvclock.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <pvabi/vcpu_page.h>

static struct pvclock_scale clock_scale;

static const struct pvclock_scale *scale(void)
{
	if (!clock_scale.mul && pvclock_scale_for(arch_tsc_hz(), &clock_scale))
		pvclock_scale_for(1000000000ull, &clock_scale); /* arch_tsc_hz is never absurd */
	return &clock_scale;
}

uint64_t vm_clock_ns(const struct vm *vm)
{
	return pvclock_ticks_to_ns(arch_cycles() - vm->start_cycles, scale());
}

static void publish_clock(struct vcpu *vcpu)
{
	struct pv_clock *c = &vcpu->page->clock;
	const struct pvclock_scale *s = scale();

	/* Odd version while the fields change; the compiler barriers keep the order. */
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	c->tsc_timestamp = vcpu->vm->start_cycles;
	c->system_time_ns = 0;
	c->tsc_to_system_mul = s->mul;
	c->tsc_shift = s->shift;
	c->flags = arch_tsc_is_invariant() ? PV_CLOCK_TSC_STABLE : 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELEASE);
}

void vcpu_publish_steal(struct vcpu *vcpu)
{
	if (vcpu->page)
		__atomic_store_n(&vcpu->page->steal_time_ns,
				 pvclock_ticks_to_ns(vcpu->steal_cycles, scale()),
				 __ATOMIC_RELAXED);
}

int64_t hc_vcpu_page_set(struct vcpu *vcpu, const struct hc_args *args)
{
	gpa_t gpa = args->arg[0];
	struct pv_vcpu_page *page;

	if (gpa == 0) {
		__atomic_store_n(&vcpu->page, NULL, __ATOMIC_RELEASE); /* EVENT_SEND reads it */
		vcpu->page_gpa = 0;
		vcpu->event_vector = 0;
		/* The PV timer and upcall go with the page; a Linux VM's APIC work stays. */
		vcpu_work_clear(vcpu, VCPU_WORK_TIMER | VCPU_WORK_NOTIFY); /* NOTIFY: any CPU */
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
		return 0;
	}
	page = vm_gpa_to_hva_aligned(vcpu->vm, gpa, sizeof(*page), PAGE_SIZE);
	if (!page)
		return (gpa & (PAGE_SIZE - 1)) ? PV_EINVAL : PV_EFAULT;
	memset(page, 0, sizeof(*page));
	__atomic_store_n(&vcpu->page, page, __ATOMIC_RELEASE); /* zeroed first */
	vcpu->page_gpa = gpa;
	publish_clock(vcpu);
	vcpu_publish_steal(vcpu);
	return 0;
}

int64_t hc_timer_set(struct vcpu *vcpu, const struct hc_args *args)
{
	uint64_t ns = args->arg[0], ticks;

	if (!vcpu->page)
		return PV_EINVAL; /* the event has nowhere to land */
	if (ns == 0) {
		vcpu_work_clear(vcpu, VCPU_WORK_TIMER);
		return 0;
	}
	ticks = pvclock_deadline_ticks(ns, arch_tsc_hz(), scale());
	vcpu->timer_deadline = ticks > UINT64_MAX - vcpu->vm->start_cycles
				       ? UINT64_MAX
				       : vcpu->vm->start_cycles + ticks;
	__atomic_fetch_or(&vcpu->work, VCPU_WORK_TIMER, __ATOMIC_SEQ_CST);
	/* Later than the vCPU comes back anyway: the run loop sees it then, nothing to re-arm. */
	if (vcpu->timer_deadline < vcpu->run_deadline)
		vcpu_attention(vcpu, VCPU_ATTN_WORK);
	return 0;
}
