/*
 * The hypercall fuzzer's choices (tests/guests/fuzz.c): a small deterministic PRNG
 * (xorshift64*), adversarial values, addresses that stay out of the fuzzer's own memory
 * whenever a call may write them, and a random call with arguments that fit it.
 */
#include "fuzz.h"

static struct {
	const struct fuzz_model *m;
	uint64_t low_end, high_start, rng;
} ctx;

void fuzz_gen_init(const struct fuzz_model *m, uint64_t low_end, uint64_t high_start, uint64_t seed)
{
	ctx.m = m;
	ctx.low_end = low_end;
	ctx.high_start = high_start;
	ctx.rng = seed ? seed : 0x9e3779b97f4a7c15ull; /* xorshift must not start at 0 */
}

/* --- xorshift64*: small, deterministic, good enough to pick arguments. */
uint64_t fuzz_rnd(void)
{
	ctx.rng ^= ctx.rng >> 12;
	ctx.rng ^= ctx.rng << 25;
	ctx.rng ^= ctx.rng >> 27;
	return ctx.rng * 0x2545f4914f6cdd1dull;
}

uint64_t fuzz_below(uint64_t n)
{
	return fuzz_rnd() % n;
}

/* An adversarial 64-bit value: zero, small, powers of two, all-ones, negative, random. */
static uint64_t gen_value(void)
{
	switch (fuzz_below(11)) {
	case 0:
		return 0;
	case 1:
		return fuzz_below(16);
	case 2:
		return fuzz_below(4096) + 1;
	case 3:
		return 1ull << fuzz_below(64);
	case 4:
		return (1ull << fuzz_below(64)) - 1 + fuzz_below(3);
	case 5:
		return ~0ull - fuzz_below(16); /* all-ones and small negatives */
	case 6:
		return 0x0000800000000000ull + (fuzz_below(1u << 20) << 12); /* not canonical */
	case 7:
		return 0x8000000000000000ull + fuzz_below(16);
	case 8:
		return (uint32_t)fuzz_rnd();
	default:
		return fuzz_rnd();
	}
}

/* An address for a range of len bytes; writes (the call may write it) stay in the arena. */
static uint64_t gen_addr_any(uint64_t len, int for_read)
{
	uint64_t end = ctx.m->ram_end;

	switch (fuzz_below(for_read ? 15 : 14)) {
	case 0:
		return 0;
	case 1: /* Shunt's boot structures: start-info, GDT, page tables */
		return 0x1000 * (1 + fuzz_below(15)) + (fuzz_below(4) ? 0 : fuzz_below(4096));
	case 2:
		return fuzz_below(0x1000);
	case 3:
		return fuzz_below(ctx.low_end);
	case 4:
		return fuzz_below(ctx.low_end / FUZZ_PAGE) * FUZZ_PAGE;
	case 5:
		return ctx.high_start + fuzz_below(FUZZ_HIGH / FUZZ_PAGE) * FUZZ_PAGE;
	case 6:
		return (ctx.high_start + fuzz_below(FUZZ_HIGH)) & ~(fuzz_below(2) ? 7ull : 0);
	case 7: /* straddling the end of RAM */
		return end - 1 - fuzz_below(len + 64);
	case 8:
		return end + (fuzz_below(2) ? 0 : fuzz_below(0x10000));
	case 9: /* unmapped guest-physical space above RAM */
		return fuzz_below(2) ? end + (1 + fuzz_below(1u << 20)) * FUZZ_PAGE
				     : 1ull << (32 + fuzz_below(21));
	case 10:
		return 0x0000800000000000ull + (fuzz_below(1u << 24) << 12); /* not canonical */
	case 11:
		return ~0ull - fuzz_below(len + 64); /* wraps around */
	case 12:
		return fuzz_rnd();
	case 13:
		return (uint64_t) - (int64_t)(fuzz_below(4096) + 1);
	default: /* reads only: anything in RAM, the fuzzer's own image included */
		return fuzz_below(end);
	}
}

/* Whether [gpa, gpa + len) may be written: outside RAM, or inside the scratch arena. */
static int is_safe_to_write(uint64_t gpa, uint64_t len)
{
	if (gpa >= ctx.m->ram_end)
		return 1;
	return (gpa < ctx.low_end && len <= ctx.low_end - gpa) || gpa >= ctx.high_start;
}

static uint64_t gen_addr(uint64_t len, int for_read)
{
	for (int tries = 0; tries < 32; tries++) {
		uint64_t gpa = gen_addr_any(len, for_read);

		if (for_read || is_safe_to_write(gpa, len))
			return gpa;
	}
	return ctx.m->ram_end + FUZZ_PAGE;
}

uint64_t fuzz_pick(const uint64_t *values, unsigned int n)
{
	return values[fuzz_below(n)];
}

/* Port operations at ops (in the arena): mostly near the granted windows, some malformed. */
static void gen_port_ops(struct pv_port_op *ops, uint64_t count)
{
	uint32_t base = ctx.m->window_count ? ctx.m->windows[0].first : 0x2f8;

	for (uint64_t i = 0; i < count; i++) {
		ops[i].port = (uint16_t)(fuzz_below(4) ? base + fuzz_below(12) - 2 : fuzz_rnd());
		ops[i].width = (uint8_t)(fuzz_below(4) ? FUZZ_PICK(1, 2, 4)
						       : FUZZ_PICK(0, 3, 8, fuzz_rnd() & 0xff));
		ops[i].write = (uint8_t)(fuzz_below(4) ? 0 : FUZZ_PICK(1, 2, fuzz_rnd() & 0xff));
		ops[i].value = (uint32_t)fuzz_rnd();
	}
	/* A batch that would run writes nothing to the real device: its writes become reads. */
	if (fuzz_batch_verdict(ctx.m, ops, count) >= 0)
		for (uint64_t i = 0; i < count; i++)
			ops[i].write = 0;
}

/* A random call: its number and arguments (unused argument registers get values too). */
uint64_t fuzz_gen_call(uint64_t *a, int any_number)
{
	static const uint8_t valid[] = { 0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint64_t r = fuzz_below(1000), nr, n;

	for (int i = 0; i < 6; i++)
		a[i] = gen_value();
	if (r < 4)
		nr = PV_CALL_HELLO;
	else if (any_number && r < 40)
		nr = PV_CALL_EXIT; /* only from CPL 3, where it must not run */
	else if (r < 130)
		nr = FUZZ_PICK(PV_CALL_COUNT, PV_CALL_COUNT + 1, 63, 64, 255, 999, 0x7fffffff,
			       0xffffffff, 1ull << 32, ~0ull, ~0ull - 1, 1ull << 63,
			       PV_CALL_COUNT + fuzz_below(1000), fuzz_rnd());
	else
		nr = valid[fuzz_below(sizeof(valid))];

	switch (nr) {
	case PV_CALL_CONSOLE_WRITE:
		a[1] = fuzz_below(3) ? FUZZ_PICK(1, fuzz_below(64) + 1,
						 fuzz_below(PV_CONSOLE_WRITE_MAX) + 1, 4095,
						 PV_CONSOLE_WRITE_MAX, PV_CONSOLE_WRITE_MAX + 1, 0)
				     : gen_value();
		a[0] = gen_addr(a[1], 1);
		break;
	case PV_CALL_HELLO:
		a[0] = fuzz_below(2) ? FUZZ_PICK(PV_ABI_CURRENT, PV_ABI_VERSION(1, 0),
						 PV_ABI_VERSION(1, 1), PV_ABI_VERSION(1, 3),
						 PV_ABI_VERSION(1, 0xffff))
				     : FUZZ_PICK(0, 1, PV_ABI_VERSION(0, 1), PV_ABI_VERSION(2, 0),
						 PV_ABI_VERSION(0xffff, 2),
						 (1ull << 32) | PV_ABI_CURRENT, gen_value());
		break;
	case PV_CALL_VCPU_PAGE_SET:
		a[0] = fuzz_below(8) ? gen_addr(FUZZ_PAGE, 0) : 0;
		break;
	case PV_CALL_EVENT_BIND:
		a[0] = fuzz_below(2) ? FUZZ_PICK(0, 1, 31, 32, 33, 128, 254, 255, 256, 0x120,
						 fuzz_below(300), (1ull << 32) | 32)
				     : gen_value();
		break;
	case PV_CALL_TIMER_SET:
		a[0] = fuzz_below(2) ? FUZZ_PICK(0, 1, fuzz_below(1000000), ~0ull) : gen_value();
		break;
	case PV_CALL_CONSOLE_RING_SET:
		a[1] = fuzz_below(3)
			       ? FUZZ_PICK(64, 128, 4096, PV_CONSOLE_RING_MAX, 32, 63, 65, 100,
					   PV_CONSOLE_RING_MAX + 1, 2 * PV_CONSOLE_RING_MAX, 0)
			       : gen_value();
		n = sizeof(struct pv_console_ring) +
		    (a[1] < PV_CONSOLE_RING_MAX ? a[1] : PV_CONSOLE_RING_MAX);
		a[0] = fuzz_below(10) ? gen_addr(n, 0) : 0;
		if (fuzz_below(2) && a[0] < ctx.m->ram_end)
			a[0] &= ~7ull; /* aligned more often than chance: past the EINVAL */
		break;
	case PV_CALL_EVENT_SEND:
		a[0] = fuzz_below(4) ? ctx.m->vcpu_id : FUZZ_PICK(1, 2, 255, gen_value());
		a[1] = fuzz_below(2) ? PV_EVENT_GUEST_FIRST + fuzz_below(32)
				     : FUZZ_PICK(0, 1, 31, 64, 65, 255, gen_value());
		break;
	case PV_CALL_HW_QUERY:
		a[1] = fuzz_below(2) ? FUZZ_PICK(0, 1, 2, 8, 9) : gen_value();
		a[0] = gen_addr((a[1] < FUZZ_MAX_GRANTS ? a[1] : FUZZ_MAX_GRANTS) *
					sizeof(struct pv_hw_resource),
				0);
		break;
	case PV_CALL_HW_PORT_BATCH:
		a[1] = fuzz_below(2) ? FUZZ_PICK(0, 1, 2, fuzz_below(16), 255, PV_PORT_BATCH_MAX,
						 PV_PORT_BATCH_MAX + 1)
				     : gen_value();
		n = a[1] < PV_PORT_BATCH_MAX ? a[1] : PV_PORT_BATCH_MAX;
		a[0] = gen_addr(n * sizeof(struct pv_port_op), 0);
		if (n && fuzz_in_ram(ctx.m, a[0], n * sizeof(struct pv_port_op)))
			gen_port_ops((struct pv_port_op *)(uintptr_t)a[0], n);
		break;
	case PV_CALL_HW_MMIO_MAP:
		a[0] = fuzz_below(2) ? FUZZ_PICK(0, 1, 7, 8) : gen_value();
		a[1] = fuzz_below(2) ? fuzz_below(8) : gen_value();
		a[2] = gen_addr(FUZZ_PAGE, 1);
		break;
	case PV_CALL_HW_MMIO_UNMAP:
		a[0] = gen_addr(FUZZ_PAGE, 1);
		break;
	case PV_CALL_VM_INFO:
		a[0] = gen_addr(sizeof(struct pv_vm_info), 0);
		break;
	default:
		break;
	}
	return nr;
}
