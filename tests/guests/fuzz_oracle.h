/*
 * The hypercall fuzzer's oracle: a model of what this VM has set up through the interface
 * (negotiated version, vCPU page, event vector, console ring, grants) and, for any call
 * number and arguments, the results pv-abi/SPEC.md allows in that state. Pure code: the
 * fuzzer (fuzz.c) reads guest memory for it where a result depends on memory (console ring
 * indexes, port operations), and applies a call's effect to the model once it answered.
 *
 * Where SPEC.md does not say which of two errors wins, the order is Shunt's (hv/hypercall.c,
 * console_ring.c, pv_time.c, events.c, hw_calls.c); each such place is marked "order:".
 */
#ifndef FUZZ_ORACLE_H
#define FUZZ_ORACLE_H

#include <gk/gk.h>

#define FUZZ_NONE INT64_MIN /* no alternative result */
#define FUZZ_MAX_GRANTS 8
#define FUZZ_MAX_WINDOWS 16
#define FUZZ_PAGE 4096u
#define FUZZ_RETRY_MAX_NS 1000000000ull /* a token comes within 1/rate s, and rate >= 1/s */

/* Each call's permission class, rate-limit class and version, from the one list. */
struct fuzz_call_info {
	uint32_t since, perm, rate;
	const char *name;
};

#define FUZZ_CALL_INFO(nr, NAME, name, nargs, args, result, perm, rate, major, minor)              \
	[nr] = { PV_ABI_VERSION(major, minor), perm, rate, #NAME },
static const struct fuzz_call_info fuzz_calls[PV_CALL_COUNT] = { PV_CALL_LIST(FUZZ_CALL_INFO) };
#undef FUZZ_CALL_INFO

struct fuzz_window {
	uint32_t first, last;
};

struct fuzz_model {
	/* Fixed for the VM's life: from CPUID, the start-info page and the first HW_QUERY. */
	uint64_t ram_end;
	uint32_t perms, vcpu_id;
	uint32_t grant_count;
	struct pv_hw_resource grants[FUZZ_MAX_GRANTS];
	struct fuzz_window windows[FUZZ_MAX_WINDOWS]; /* ports of usable io/passthrough grants */
	unsigned int window_count;
	int has_mmio_grant; /* a usable mmio grant: MMIO_MAP/UNMAP are not modelled */
	/* What the guest did: changes only by calls that succeeded. */
	uint32_t abi;	 /* negotiated version; 0 = the interface is not open */
	uint64_t page;	 /* registered vCPU page, 0 = none */
	uint64_t vector; /* bound event vector, 0 = none */
	uint64_t ring, ring_size;
};

/* The answers allowed for one call: [lo, hi], or alt, or PV_ETHROTTLED if throttle. */
struct fuzz_expect {
	int64_t lo, hi, alt;
	int throttle;
	int handled; /* the call reaches its handler (Shunt's per-class counters count it) */
};

/* Memory the oracle needs for some calls, read by the caller just before the call. */
struct fuzz_memory {
	uint32_t producer, consumer;  /* the console ring's header (KICK) */
	const struct pv_port_op *ops; /* the operations (PORT_BATCH), or NULL */
	int ring_races;		      /* the ring header shares bytes Shunt writes at any time */
};

static inline int fuzz_in_ram(const struct fuzz_model *m, uint64_t gpa, uint64_t len)
{
	return gpa < m->ram_end && len <= m->ram_end - gpa;
}

static inline struct fuzz_expect fuzz_exactly(int64_t v)
{
	return (struct fuzz_expect){ v, v, FUZZ_NONE, 0, 1 };
}

static inline int fuzz_in_window(const struct fuzz_model *m, uint32_t first, uint32_t last)
{
	for (unsigned int i = 0; i < m->window_count; i++)
		if (first >= m->windows[i].first && last <= m->windows[i].last)
			return 1;
	return 0;
}

/* SPEC §12 HW_PORT_BATCH: every op checked, in order, before any runs; the first bad one
 * decides. */
static inline int64_t fuzz_batch_verdict(const struct fuzz_model *m, const struct pv_port_op *ops,
					 uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		const struct pv_port_op *op = &ops[i];

		if ((op->width != 1 && op->width != 2 && op->width != 4) || op->write > 1)
			return PV_EINVAL; /* order: width and direction before the port */
		if (!fuzz_in_window(m, op->port, (uint32_t)op->port + op->width - 1))
			return PV_EACCES;
	}
	return (int64_t)count;
}

static inline struct fuzz_expect fuzz_expect_hw(const struct fuzz_model *m, uint64_t nr,
						const uint64_t *a, const struct fuzz_memory *mem)
{
	uint64_t n;

	switch (nr) {
	case PV_CALL_HW_QUERY:
		n = a[1] < m->grant_count ? a[1] : m->grant_count; /* order: clip, then check */
		if (n && !fuzz_in_ram(m, a[0], n * sizeof(struct pv_hw_resource)))
			return fuzz_exactly(PV_EFAULT);
		return fuzz_exactly(m->grant_count);
	case PV_CALL_HW_PORT_BATCH:
		if (a[1] > PV_PORT_BATCH_MAX)
			return fuzz_exactly(PV_E2BIG); /* order: E2BIG before EFAULT */
		if (a[1] && !fuzz_in_ram(m, a[0], a[1] * sizeof(struct pv_port_op)))
			return fuzz_exactly(PV_EFAULT);
		return fuzz_exactly(a[1] ? fuzz_batch_verdict(m, mem->ops, a[1]) : 0);
	case PV_CALL_HW_MMIO_MAP:
		if (a[0] >= m->grant_count)
			return fuzz_exactly(PV_ENODEV);
		if (m->grants[a[0]].verdict)
			return fuzz_exactly(m->grants[a[0]].verdict);
		if (m->grants[a[0]].mode != PV_HW_MODE_MMIO)
			return fuzz_exactly(PV_EOPNOTSUPP);
		break; /* a usable mmio grant: not modelled */
	default:       /* PV_CALL_HW_MMIO_UNMAP */
		if (!m->has_mmio_grant)
			return fuzz_exactly(PV_EINVAL); /* nothing was ever mapped */
		break;
	}
	return (struct fuzz_expect){ INT64_MIN, INT64_MAX, FUZZ_NONE, 0, 1 };
}

/* The results SPEC.md allows for call nr with arguments a[0..5] in the model's state. */
static inline struct fuzz_expect fuzz_expect(const struct fuzz_model *m, uint64_t nr,
					     const uint64_t *a, const struct fuzz_memory *mem)
{
	const struct fuzz_call_info *c;
	struct fuzz_expect e;
	uint32_t pending;

	if (nr >= PV_CALL_COUNT)
		return fuzz_exactly(PV_ENOSYS);
	c = &fuzz_calls[nr];
	/* SPEC §3, §7: any rate-limited call may be over its limit (the brief: even refused). */
	e.throttle = c->rate != PV_RATE_NONE;
	e.alt = FUZZ_NONE;
	e.handled = 0;
	/* order: not open, then newer than negotiated, then permission (SPEC §4, §1, §7). */
	if (!m->abi && nr != PV_CALL_VERSION && nr != PV_CALL_HELLO && nr != PV_CALL_EXIT)
		e.lo = PV_ENOTCONN;
	else if (m->abi && c->since > m->abi)
		e.lo = PV_ENOSYS;
	else if (!(m->perms & c->perm))
		e.lo = PV_EPERM;
	else
		e.handled = 1;
	if (!e.handled) {
		e.hi = e.lo;
		return e;
	}
	switch (nr) {
	case PV_CALL_VERSION:
		e.lo = PV_ABI_CURRENT;
		break;
	case PV_CALL_CONSOLE_WRITE:
		if (a[1] == 0)
			e.lo = 0;
		else if (a[1] > PV_CONSOLE_WRITE_MAX)
			e.lo = PV_E2BIG; /* order: E2BIG before EFAULT */
		else
			e.lo = fuzz_in_ram(m, a[0], a[1]) ? (int64_t)a[1] : PV_EFAULT;
		break;
	case PV_CALL_YIELD:
	case PV_CALL_EXIT:
		e.lo = 0;
		break;
	case PV_CALL_HELLO: /* the version is a 64-bit argument: its major is a[0] >> 16 */
		if ((a[0] >> 16) != PV_ABI_MAJOR)
			e.lo = PV_EPROTONOSUPPORT;
		else
			e.lo = PV_ABI_VERSION(PV_ABI_MAJOR, (a[0] & 0xffff) < PV_ABI_MINOR
								    ? (a[0] & 0xffff)
								    : PV_ABI_MINOR);
		break;
	case PV_CALL_VCPU_PAGE_SET:
		if (a[0] == 0)
			e.lo = 0;
		else if (a[0] & (FUZZ_PAGE - 1))
			e.lo = PV_EINVAL; /* order: EINVAL before EFAULT */
		else
			e.lo = fuzz_in_ram(m, a[0], FUZZ_PAGE) ? 0 : PV_EFAULT;
		break;
	case PV_CALL_EVENT_BIND:
		e.lo = (a[0] && (a[0] < 32 || a[0] > 255)) || !m->page ? PV_EINVAL : 0;
		break;
	case PV_CALL_TIMER_SET:
		e.lo = m->page ? 0 : PV_EINVAL;
		break;
	case PV_CALL_CONSOLE_RING_SET:
		if (a[0] == 0)
			e.lo = 0;
		else if (a[1] < PV_CONSOLE_RING_MIN || a[1] > PV_CONSOLE_RING_MAX ||
			 (a[1] & (a[1] - 1)) || (a[0] & 7))
			e.lo = PV_EINVAL; /* order: EINVAL before EFAULT */
		else
			e.lo = fuzz_in_ram(m, a[0], sizeof(struct pv_console_ring) + a[1])
				       ? 0
				       : PV_EFAULT;
		break;
	case PV_CALL_CONSOLE_RING_KICK:
		if (!m->ring) {
			e.lo = PV_EINVAL;
			break;
		}
		pending = mem->producer - mem->consumer;
		if (mem->ring_races) { /* Shunt may rewrite the header under us: any sane answer */
			e.lo = 0;
			e.hi = (int64_t)m->ring_size;
			e.alt = PV_EINVAL;
			return e;
		}
		if (pending > m->ring_size) {
			e.lo = PV_EINVAL;
			break;
		}
		/* Drained bytes: all of them today; any part once the console is asynchronous. */
		e.lo = 0;
		e.hi = pending;
		return e;
	case PV_CALL_VM_INFO:
		e.lo = fuzz_in_ram(m, a[0], sizeof(struct pv_vm_info)) ? 0 : PV_EFAULT;
		break;
	case PV_CALL_EVENT_SEND:
		e.lo = a[0] != m->vcpu_id || a[1] < PV_EVENT_GUEST_FIRST ||
				       a[1] > PV_EVENT_GUEST_LAST || !m->page
			       ? PV_EINVAL
			       : 0;
		break;
	case PV_CALL_VCPU_START: /* the fuzzer's VM has one vCPU: each id is itself or past it */
		e.lo = PV_EINVAL;
		break;
	default:
		e = fuzz_expect_hw(m, nr, a, mem);
		e.throttle = 1;
		return e;
	}
	e.hi = e.lo;
	return e;
}

static inline int fuzz_allowed(const struct fuzz_expect *e, int64_t got)
{
	return (got >= e->lo && got <= e->hi) || (e->alt != FUZZ_NONE && got == e->alt) ||
	       (e->throttle && got == PV_ETHROTTLED);
}

/* What a call that answered got did to the model (nothing if it failed or was throttled). */
static inline void fuzz_apply(struct fuzz_model *m, uint64_t nr, const uint64_t *a, int64_t got)
{
	if (got < 0)
		return;
	switch (nr) {
	case PV_CALL_HELLO:
		m->abi = (uint32_t)got; /* the last successful answer holds (SPEC §4) */
		break;
	case PV_CALL_VCPU_PAGE_SET:
		m->page = a[0];
		if (!a[0])
			m->vector = 0; /* unregistering unbinds events (SPEC §6) */
		break;
	case PV_CALL_EVENT_BIND:
		m->vector = a[0];
		break;
	case PV_CALL_CONSOLE_RING_SET:
		m->ring = a[0];
		m->ring_size = a[0] ? a[1] : 0;
		break;
	default:
		break;
	}
}

#endif
