/*
 * A hypercall fuzzer: issues random and adversarial hypercalls (call numbers, addresses,
 * lengths) and checks every answer against fuzz_oracle.h, every preserved register, and the
 * guest memory a call may or may not change; then the same calls from CPL 3, which must
 * each raise #UD at the VMCALL and do nothing. Command line (words after `--`):
 *   seed=N calls=N ring3=N uart=PORT
 * (defaults 1, 100000, 1000, 0x3f8). The report goes to the 16550 at `uart`: Shunt's
 * emulated one by default, or a real one granted for passthrough (run the fuzzer with
 * console=discard then: its random CONSOLE_WRITEs are garbage). Neither costs a hypercall,
 * so the figures it prints for Shunt's summary are exact. Interrupts stay disabled (IF=0)
 * throughout, so bound events never arrive; one that does anyway is counted as a failure.
 *
 * Guest memory: Shunt's boot area is reclaimed (own page tables, GDT and stack), so that
 * [0, image) and the top FUZZ_HIGH bytes of RAM are a scratch arena the fuzzer uses for
 * nothing else; every address of a call that writes guest memory lies outside RAM or in it.
 */
#include "fuzz.h"
#include "guest.h"

#define FUZZ_CANARY 0x5ca1ab1e0ddba11ull /* where a refused call must not write */
#define FUZZ_MAX_FAILURES 8
#define FUZZ_RESULTS 16

/* Shared with fuzz_cpu.S (CPL 3 reads fuzz_user_in: every page is a user page). */
struct fuzz_regs fuzz_user_in, fuzz_user_out;
uint64_t fuzz_kernel_rsp, fuzz_user_rip, fuzz_user_cs, fuzz_ud_count, fuzz_stray_irqs;
uint8_t fuzz_user_stack[4096] __attribute__((aligned(16)));

static struct pv_start_info start_info;
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t gdt[7] __attribute__((aligned(16)));
static uint8_t tss[104] __attribute__((aligned(16)));
static uint8_t kernel_stack[16384] __attribute__((aligned(16)));
static uint8_t main_stack[65536] __attribute__((aligned(16)));

static struct fuzz_model model;
static uint64_t seed, calls_wanted = 100000, ring3_wanted = 1000, tsc_khz;
static uint16_t uart = GK_UART_COM1;
static uint64_t high_start; /* the scratch arena: [0, low_end) and [high_start, ram_end) */
static uint64_t low_end;

/* What happened, for the report. */
static uint64_t calls, ring3_calls, ticks, ring3_ticks, failures;
static uint64_t per_call[PV_CALL_COUNT + 1], per_result[FUZZ_RESULTS];
static uint64_t shunt_hypercalls, shunt_errors, shunt_console, shunt_throttled;
static uint64_t shunt_hw_calls, shunt_hw_ops, shunt_hw_refused;

static const struct {
	int64_t code;
	const char *name;
} results[FUZZ_RESULTS - 2] = {
	{ PV_EPERM, "EPERM" },
	{ PV_E2BIG, "E2BIG" },
	{ PV_EACCES, "EACCES" },
	{ PV_EFAULT, "EFAULT" },
	{ PV_EBUSY, "EBUSY" },
	{ PV_ENODEV, "ENODEV" },
	{ PV_EINVAL, "EINVAL" },
	{ PV_ENOSYS, "ENOSYS" },
	{ PV_EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ PV_EOPNOTSUPP, "EOPNOTSUPP" },
	{ PV_ENOTCONN, "ENOTCONN" },
	{ PV_ETHROTTLED, "ETHROTTLED" },
	{ PV_ERETRY, "ERETRY" },
	{ PV_EDMA, "EDMA" },
}; /* then "ok" (>= 0) and "other" */

static struct fuzz_failure {
	uint64_t nr, args[6], index;
	int64_t got;
	uint64_t rdx;
	struct fuzz_expect e;
	const char *what;
} failure_log[FUZZ_MAX_FAILURES];

/* --- Output: a 16550, polled; no hypercall, so Shunt's counters stay ours alone. */
static void out(const char *s)
{
	gk_uart_puts(uart, s);
}

static void out_u(uint64_t v)
{
	char b[24];

	out(gk_fmt_u64(b, v));
}

static void out_i(int64_t v)
{
	char b[24];

	out(gk_fmt_i64(b, v));
}

static void out_x(uint64_t v)
{
	char b[24];

	out(gk_fmt_hex(b, v));
}

static void uart_init(void)
{
	static const uint8_t init[][2] = { { 3, 0x80 }, { 0, 1 },    { 1, 0 },
					   { 3, 0x03 }, { 2, 0xc7 }, { 4, 0x03 } };

	if (uart == GK_UART_COM1)
		return; /* Shunt's emulated UART needs nothing */
	for (unsigned int i = 0; i < sizeof(init) / sizeof(init[0]); i++)
		gk_outb((uint16_t)(uart + init[i][0]), init[i][1]);
}

static void report_failure(const struct fuzz_failure *f);

void fuzz_fatal(uint64_t vector)
{
	uart_init();
	for (uint64_t i = 0; i < failures && i < FUZZ_MAX_FAILURES; i++)
		report_failure(&failure_log[i]);
	out("GUEST-FAIL ");
	out(start_info.vm_name);
	out(": unexpected exception ");
	out_u(vector);
	out(" after ");
	out_u(calls);
	out(" calls (seed ");
	out_u(seed);
	out(")\n");
	gk_exit(2);
}

static void fail(uint64_t nr, const uint64_t *a, const struct fuzz_regs *r,
		 const struct fuzz_expect *e, const char *what)
{
	if (failures < FUZZ_MAX_FAILURES) {
		struct fuzz_failure *f = &failure_log[failures];

		f->nr = nr;
		for (int i = 0; i < 6; i++)
			f->args[i] = a[i];
		f->index = calls;
		f->got = (int64_t)r->rax;
		f->rdx = r->rdx;
		f->e = *e;
		f->what = what;
	}
	failures++;
}

static void count_result(int64_t got)
{
	unsigned int i = 0;

	if (got >= 0) {
		per_result[FUZZ_RESULTS - 2]++;
		return;
	}
	while (i < FUZZ_RESULTS - 2 && results[i].code != got)
		i++;
	per_result[i < FUZZ_RESULTS - 2 ? i : FUZZ_RESULTS - 1]++;
}

static volatile struct pv_vcpu_page *page_at(uint64_t gpa)
{
	return (volatile struct pv_vcpu_page *)(uintptr_t)gpa;
}

static volatile struct pv_console_ring *ring_at(uint64_t gpa)
{
	return (volatile struct pv_console_ring *)(uintptr_t)gpa;
}

/* Whether [gpa, gpa + len) shares bytes with what Shunt writes in the vCPU page any time. */
static int hits_async_page(uint64_t gpa, uint64_t len)
{
	uint64_t first = model.page + 32, last = model.page + 56; /* events .. steal time */

	return model.page && gpa < last && first < gpa + len;
}

/* A freshly registered page: zeroed but for the clock Shunt published (SPEC §6, §9). */
static int page_is_fresh(uint64_t gpa)
{
	volatile struct pv_vcpu_page *p = page_at(gpa);

	if (!p->clock.version || (p->clock.version & 1) || !p->clock.tsc_to_system_mul)
		return 0;
	if ((p->events_pending & ~1ull) || p->upcall_pending || p->reserved0)
		return 0; /* bit 0: a timer armed before may fire at once */
	for (unsigned int i = 0; i < sizeof(p->reserved) / 8; i++)
		if (p->reserved[i])
			return 0;
	return 1;
}

/* State of guest memory before a call, to judge its effect after. */
struct fuzz_before {
	uint32_t producer, consumer;
	int canary_page, canary_ring, event_bit;
	struct pv_port_op ops[PV_PORT_BATCH_MAX];
};

static void prepare(uint64_t nr, const uint64_t *a, struct fuzz_before *b, struct fuzz_memory *mem)
{
	b->canary_page = b->canary_ring = b->event_bit = 0;
	mem->ops = NULL;
	mem->ring_races = 0;
	if (nr == PV_CALL_VCPU_PAGE_SET && a[0] && !(a[0] & (FUZZ_PAGE - 1)) &&
	    fuzz_in_ram(&model, a[0], FUZZ_PAGE)) {
		page_at(a[0])->reserved[504] = FUZZ_CANARY; /* the page's last 8 bytes */
		b->canary_page = 1;
	} else if (nr == PV_CALL_CONSOLE_RING_SET && a[0] && fuzz_in_ram(&model, a[0], 16) &&
		   !hits_async_page(a[0], 16)) {
		ring_at(a[0])->size = (uint32_t)FUZZ_CANARY;
		b->canary_ring = 1;
	} else if (nr == PV_CALL_CONSOLE_RING_KICK && model.ring) {
		volatile struct pv_console_ring *ring = ring_at(model.ring);
		uint64_t r = fuzz_below(20);

		mem->ring_races = hits_async_page(model.ring, 8);
		if (r < 10) /* something to drain */
			ring->producer = ring->consumer + (uint32_t)fuzz_below(model.ring_size + 1);
		else if (r < 11) /* indexes Shunt must refuse (and reset) */
			ring->producer = ring->consumer + (uint32_t)model.ring_size + 1 +
					 (uint32_t)fuzz_below(1u << 31);
		b->producer = mem->producer = ring->producer;
		b->consumer = mem->consumer = ring->consumer;
	} else if (nr == PV_CALL_EVENT_SEND && model.page && a[1] >= PV_EVENT_GUEST_FIRST &&
		   a[1] <= PV_EVENT_GUEST_LAST) {
		__atomic_fetch_and(&page_at(model.page)->events_pending, ~(1ull << a[1]),
				   __ATOMIC_SEQ_CST);
		b->event_bit = 1;
	} else if (nr == PV_CALL_HW_PORT_BATCH && a[1] && a[1] <= PV_PORT_BATCH_MAX &&
		   fuzz_in_ram(&model, a[0], a[1] * sizeof(struct pv_port_op))) {
		mem->ops = (const struct pv_port_op *)(uintptr_t)a[0];
		for (uint64_t i = 0; i < a[1]; i++)
			b->ops[i] = mem->ops[i];
		mem->ops = b->ops; /* judge what Shunt copied, not what it wrote back */
	}
}

/* Whether guest memory shows exactly the effect of the answer got; else why not. */
static const char *memory_effect(uint64_t nr, const uint64_t *a, int64_t got,
				 const struct fuzz_before *b)
{
	if (b->canary_page) {
		if (got == 0 && !page_is_fresh(a[0]))
			return "vCPU page not zeroed and published";
		if (got != 0 && page_at(a[0])->reserved[504] != FUZZ_CANARY)
			return "refused VCPU_PAGE_SET wrote the page";
	} else if (b->canary_ring) {
		volatile struct pv_console_ring *ring = ring_at(a[0]);

		if (got == 0 && (ring->size != a[1] || ring->consumer != ring->producer))
			return "ring header not set up (size, consumer = producer)";
		if (got != 0 && ring->size != (uint32_t)FUZZ_CANARY)
			return "refused CONSOLE_RING_SET wrote the header";
	} else if (nr == PV_CALL_CONSOLE_RING_KICK && model.ring &&
		   !hits_async_page(model.ring, 8)) {
		uint32_t consumer = ring_at(model.ring)->consumer;

		if (got >= 0 && consumer != b->consumer + (uint32_t)got)
			return "consumer did not advance by the bytes drained";
		if (got == PV_EINVAL && consumer != b->producer)
			return "inconsistent ring not reset (consumer = producer)";
		if (got == PV_ETHROTTLED && consumer != b->consumer)
			return "throttled KICK moved the consumer";
	} else if (b->event_bit) {
		int set = !!(page_at(model.page)->events_pending & (1ull << a[1]));

		if (set != (got == 0))
			return got == 0 ? "EVENT_SEND set no bit" : "refused EVENT_SEND set a bit";
	} else if (nr == PV_CALL_HW_QUERY && got >= 0 &&
		   fuzz_in_ram(&model, a[0], FUZZ_MAX_GRANTS * sizeof(struct pv_hw_resource))) {
		uint64_t n = a[1] < model.grant_count ? a[1] : model.grant_count;
		const uint8_t *p = (const uint8_t *)(uintptr_t)a[0], *q;

		q = (const uint8_t *)model.grants;
		for (uint64_t i = 0; i < n * sizeof(struct pv_hw_resource); i++)
			if (p[i] != q[i])
				return "HW_QUERY wrote other resources than at the start";
	} else if (nr == PV_CALL_HW_PORT_BATCH && got > 0 && got <= PV_PORT_BATCH_MAX &&
		   fuzz_in_ram(&model, a[0], (uint64_t)got * sizeof(struct pv_port_op))) {
		const volatile struct pv_port_op *ops = (const struct pv_port_op *)(uintptr_t)a[0];

		for (int64_t i = 0; i < got; i++)
			if (ops[i].port != b->ops[i].port || ops[i].width != b->ops[i].width ||
			    ops[i].write != b->ops[i].write)
				return "HW_PORT_BATCH changed an operation";
	}
	return NULL;
}

/* Loads every register with a known value; all but RAX (and RDX if throttled) must stay. */
static void load_regs(struct fuzz_regs *r, uint64_t nr, const uint64_t *a)
{
	static const uint64_t flags[] = { 0x2, 0x3, 0x46, 0x87, 0x8d7, 0x816 }; /* DF, IF clear */

	r->rax = nr;
	r->rdi = a[0];
	r->rsi = a[1];
	r->rdx = a[2];
	r->r10 = a[3];
	r->r8 = a[4];
	r->r9 = a[5];
	r->rbx = fuzz_rnd();
	r->rcx = fuzz_rnd();
	r->rbp = fuzz_rnd();
	r->r11 = fuzz_rnd();
	r->r12 = fuzz_rnd();
	r->r13 = fuzz_rnd();
	r->r14 = fuzz_rnd();
	r->r15 = fuzz_rnd();
	r->rflags = flags[fuzz_below(sizeof(flags) / 8)];
}

static int regs_preserved(const struct fuzz_regs *in, const struct fuzz_regs *out, int but_rdx)
{
	const uint64_t *p = &in->rbx, *q = &out->rbx;

	for (unsigned int i = 0; i < sizeof(*in) / 8 - 1; i++)
		if (p[i] != q[i] && !(but_rdx && &p[i] == &in->rdx))
			return 0;
	return 1;
}

/* Issues one call at CPL 0 and checks the answer, the registers and guest memory. */
static int64_t fuzz_call(uint64_t nr, const uint64_t *a)
{
	static struct fuzz_before before;
	struct fuzz_memory mem;
	struct fuzz_expect e;
	struct fuzz_regs in, r;
	const char *why;
	int64_t got;

	prepare(nr, a, &before, &mem);
	e = fuzz_expect(&model, nr, a, &mem);
	load_regs(&in, nr, a);
	r = in;
	fuzz_vmcall(&r);
	got = (int64_t)r.rax;
	shunt_hypercalls++;
	shunt_errors += got < 0;
	if (!fuzz_allowed(&e, got))
		fail(nr, a, &r, &e, "result not allowed");
	if (!regs_preserved(&in, &r, got == PV_ETHROTTLED))
		fail(nr, a, &r, &e, "a preserved register changed");
	if (got == PV_ETHROTTLED && (r.rdx == 0 || r.rdx > FUZZ_RETRY_MAX_NS))
		fail(nr, a, &r, &e, "PV_ETHROTTLED without a retry-after in 1 ns .. 1 s");
	why = memory_effect(nr, a, got, &before);
	if (why)
		fail(nr, a, &r, &e, why);
	if (got == PV_ETHROTTLED) {
		shunt_throttled++;
	} else if (fuzz_allowed(&e, got)) { /* a wrong answer must not lead the model astray */
		fuzz_apply(&model, nr, a, got);
		if (nr == PV_CALL_CONSOLE_WRITE || nr == PV_CALL_CONSOLE_RING_KICK)
			shunt_console += got > 0 ? (uint64_t)got : 0;
		if (nr < PV_CALL_COUNT && fuzz_calls[nr].perm == PV_PERM_HW && e.handled) {
			shunt_hw_calls++;
			shunt_hw_refused += got < 0;
			shunt_hw_ops += nr == PV_CALL_HW_PORT_BATCH && got > 0 ? (uint64_t)got : 0;
		}
	}
	per_call[nr < PV_CALL_COUNT ? nr : PV_CALL_COUNT]++;
	count_result(got);
	calls++;
	return got;
}

/* Issues one random call at CPL 3: #UD at the VMCALL, registers untouched, no effect. */
static void fuzz_call_ring3(void)
{
	static const struct fuzz_expect none = { PV_ENOSYS, PV_ENOSYS, FUZZ_NONE, 0, 0 };
	uint64_t a[6], nr = fuzz_gen_call(a, 1), events = 0, ud = fuzz_ud_count, t0;

	load_regs(&fuzz_user_in, nr, a);
	fuzz_user_in.rflags = 0x2;
	if (model.page)
		events = page_at(model.page)->events_pending & ~1ull;
	t0 = gk_rdtsc();
	fuzz_ring3();
	ring3_ticks += gk_rdtsc() - t0;
	ring3_calls++;
	if (fuzz_ud_count != ud + 1 || fuzz_user_rip != (uint64_t)(uintptr_t)fuzz_user_vmcall ||
	    (fuzz_user_cs & 3) != 3)
		fail(nr, a, &fuzz_user_out, &none, "CPL 3: no #UD at the VMCALL");
	fuzz_user_out.rflags = fuzz_user_in.rflags; /* the #UD frame's RFLAGS may add RF */
	if (!regs_preserved(&fuzz_user_in, &fuzz_user_out, 0) ||
	    fuzz_user_out.rax != fuzz_user_in.rax)
		fail(nr, a, &fuzz_user_out, &none, "CPL 3: registers changed (call executed?)");
	if (model.page && (page_at(model.page)->events_pending & ~1ull) != events)
		fail(nr, a, &fuzz_user_out, &none, "CPL 3: an event was raised");
}

/* --- Setup: own page tables, GDT, TSS and IDT; Shunt's boot area becomes scratch. */
static void setup_machine(void)
{
	uint64_t t = (uint64_t)(uintptr_t)tss;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	for (uint64_t i = 0; i < 512 && i * (2u << 20) < model.ram_end; i++)
		pd[i] = i * (2u << 20) | 0x87; /* present, writable, user, 2 MiB */
	pdpt[0] = (uint64_t)(uintptr_t)pd | 7;
	pml4[0] = (uint64_t)(uintptr_t)pdpt | 7;
	__asm__ volatile("mov %0, %%cr3" ::"r"((uint64_t)(uintptr_t)pml4) : "memory");

	*(uint64_t *)(tss + 4) = (uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack));
	gdt[1] = 0x00af9b000000ffffull; /* kernel code 0x08 */
	gdt[2] = 0x00cf93000000ffffull; /* kernel data 0x10 */
	gdt[3] = 0x00cff3000000ffffull; /* user data 0x1b */
	gdt[4] = 0x00affb000000ffffull; /* user code 0x23 */
	gdt[5] = 103 | ((t & 0xffffff) << 16) | (0x89ull << 40) | (((t >> 24) & 0xff) << 56);
	gdt[6] = t >> 32;
	__asm__ volatile("lgdt %0; ltr %w1" ::"m"(gdtr), "r"(0x28) : "memory");

	for (unsigned int v = 0; v < 32; v++)
		guest_idt_set(v, fuzz_exception_stubs[v]);
	guest_idt_set(6, fuzz_ud_handler);
	for (unsigned int v = 32; v < 256; v++)
		guest_idt_set(v, fuzz_stray_irq);
}

static uint64_t parse_number(const char *s)
{
	uint64_t v = 0, base = 10;

	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned int d = *s >= '0' && *s <= '9'	  ? (unsigned int)(*s - '0')
				 : *s >= 'a' && *s <= 'f' ? (unsigned int)(*s - 'a' + 10)
							  : 99;
		if (d >= base)
			return v;
		v = v * base + d;
	}
}

static int word_is(const char *w, const char *key)
{
	while (*key)
		if (*w++ != *key++)
			return 0;
	return 1;
}

static void parse_cmdline(const char *s)
{
	while (*s) {
		if (word_is(s, "seed="))
			seed = parse_number(s + 5);
		else if (word_is(s, "calls="))
			calls_wanted = parse_number(s + 6);
		else if (word_is(s, "ring3="))
			ring3_wanted = parse_number(s + 6);
		else if (word_is(s, "uart="))
			uart = (uint16_t)parse_number(s + 5);
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
}

/* A call made outside fuzz_call(): Shunt counts it all the same. */
static int64_t count_setup_call(int64_t got)
{
	shunt_hypercalls++;
	shunt_errors += got < 0;
	shunt_throttled += got == PV_ETHROTTLED;
	return got;
}

/* Opens the interface and learns the grants: the model's fixed part (SPEC §7, §12). */
static void open_and_query(void)
{
	uint64_t a[6] = { PV_ABI_CURRENT, PV_OS_TEST, 0, 0, 0, 0 }, q[6] = { 0 };
	struct pv_hw_resource *buf = (struct pv_hw_resource *)(uintptr_t)high_start;
	int64_t n;

	while (fuzz_call(PV_CALL_HELLO, a) == PV_ETHROTTLED)
		;
	q[0] = high_start;
	q[1] = FUZZ_MAX_GRANTS;
	model.grant_count = FUZZ_MAX_GRANTS; /* whatever it says, and checked below */
	do
		n = gk_hypercall6(PV_CALL_HW_QUERY, q[0], q[1], 0, 0, 0, 0);
	while (count_setup_call(n) == PV_ETHROTTLED);
	model.grant_count = n > 0 ? (uint32_t)n : 0;
	if (n >= 0) {
		shunt_hw_calls++;
	} else if (n != PV_EPERM || (model.perms & PV_PERM_HW)) {
		struct fuzz_regs r = { .rax = (uint64_t)n };
		struct fuzz_expect e = fuzz_expect(&model, PV_CALL_HW_QUERY, q, NULL);

		fail(PV_CALL_HW_QUERY, q, &r, &e, "first HW_QUERY");
	}
	if (!!(model.perms & PV_PERM_HW) != (model.grant_count > 0) ||
	    model.grant_count > FUZZ_MAX_GRANTS) {
		struct fuzz_regs r = { .rax = (uint64_t)n };
		struct fuzz_expect e = fuzz_exactly(model.grant_count);

		fail(PV_CALL_HW_QUERY, q, &r, &e, "PV_PERM_HW and the grant count disagree");
		model.grant_count = 0;
	}
	for (uint32_t i = 0; i < model.grant_count; i++) {
		const struct pv_hw_resource *g = &buf[i];

		model.grants[i] = *g;
		if (g->verdict)
			continue;
		if (g->mode == PV_HW_MODE_MMIO)
			model.has_mmio_grant = 1;
		else if (g->kind == PV_HW_KIND_PORTS && model.window_count < FUZZ_MAX_WINDOWS)
			model.windows[model.window_count++] =
				(struct fuzz_window){ g->port_base,
						      (uint32_t)g->port_base + g->port_count - 1 };
		else
			for (int b = 0; b < 6 && model.window_count < FUZZ_MAX_WINDOWS; b++)
				if ((g->bars[b].flags & PV_HW_BAR_IO) && g->bars[b].size)
					model.windows[model.window_count++] = (struct fuzz_window){
						(uint32_t)g->bars[b].base,
						(uint32_t)(g->bars[b].base + g->bars[b].size - 1)
					};
	}
}

static void report_failure(const struct fuzz_failure *f)
{
	out("fuzz: FAILED call #");
	out_u(f->index);
	out(" nr ");
	out_x(f->nr);
	out(f->nr < PV_CALL_COUNT ? " (" : " (invalid");
	out(f->nr < PV_CALL_COUNT ? fuzz_calls[f->nr].name : "");
	out(") args");
	for (int i = 0; i < 6; i++) {
		out(" ");
		out_x(f->args[i]);
	}
	out(": got ");
	out_i(f->got);
	out(" rdx ");
	out_x(f->rdx);
	out(", expected ");
	out_i(f->e.lo);
	out("..");
	out_i(f->e.hi);
	if (f->e.alt != FUZZ_NONE) {
		out(" or ");
		out_i(f->e.alt);
	}
	out(f->e.throttle ? " or -4096" : "");
	out(": ");
	out(f->what);
	out("\n");
}

static void print_report(void)
{
	uint64_t loop = ticks - ring3_ticks;

	out("fuzz: seed ");
	out_u(seed);
	out(", calls ");
	out_u(calls);
	out(" at CPL 0, ");
	out_u(ring3_calls);
	out(" at CPL 3\nfuzz: per call:");
	for (unsigned int i = 0; i <= PV_CALL_COUNT; i++) {
		out(" ");
		out(i < PV_CALL_COUNT ? fuzz_calls[i].name : "invalid");
		out(" ");
		out_u(per_call[i]);
	}
	out("\nfuzz: per result: ok ");
	out_u(per_result[FUZZ_RESULTS - 2]);
	for (unsigned int i = 0; i < FUZZ_RESULTS - 2; i++) {
		out(", ");
		out(results[i].name);
		out(" ");
		out_u(per_result[i]);
	}
	out(", other ");
	out_u(per_result[FUZZ_RESULTS - 1]);
	out("\nfuzz: oracle failures ");
	out_u(failures);
	out("\nfuzz: ");
	out_u(calls);
	out(" calls in ");
	out_u(loop);
	out(" ticks (tsc_khz ");
	out_u(tsc_khz);
	out(")\nfuzz: calls per second of guest time: ");
	out_u(loop ? calls * tsc_khz * 1000 / loop : 0);
	/* What Shunt's summary must say, the final EXIT included. */
	out("\nfuzz: shunt counts: hypercalls ");
	out_u(shunt_hypercalls + 1);
	out(" (errors ");
	out_u(shunt_errors);
	out("), console bytes ");
	out_u(shunt_console);
	out("\nfuzz: shunt counts: hw: calls ");
	out_u(shunt_hw_calls);
	out(", port operations ");
	out_u(shunt_hw_ops);
	out(", refused ");
	out_u(shunt_hw_refused);
	out(", throttled ");
	out_u(shunt_throttled);
	out("\nfuzz: shunt counts: hypercalls refused for CPL > 0: ");
	out_u(ring3_calls);
	out("\n");
	for (uint64_t i = 0; i < failures && i < FUZZ_MAX_FAILURES; i++)
		report_failure(&failure_log[i]);
}

static __attribute__((noreturn, used)) void fuzz_main(void)
{
	uint64_t a[6], end = 0, stride, t0;
	uint32_t r[4];

	for (uint32_t i = 0; i < start_info.mem_count && i < PV_START_INFO_MAX_MEM; i++)
		if (start_info.mem[i].base + start_info.mem[i].size > end)
			end = start_info.mem[i].base + start_info.mem[i].size;
	model.ram_end = end;
	low_end = (uint64_t)(uintptr_t)_start;
	high_start = end - FUZZ_HIGH;
	setup_machine();
	parse_cmdline(start_info.cmdline);
	fuzz_gen_init(&model, low_end, high_start, seed);
	uart_init();
	out("fuzz: seed ");
	out_u(seed);
	out(" calls ");
	out_u(calls_wanted);
	out(" ring3 ");
	out_u(ring3_wanted);
	out("\n");
	if ((uint64_t)(uintptr_t)(main_stack + sizeof(main_stack)) > high_start ||
	    (uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack)) > high_start) {
		out("GUEST-FAIL fuzz: RAM too small for the scratch arena (use mem=8M)\n");
		gk_exit(3);
	}
	gk_cpuid(PV_CPUID_PRIVILEGES, &model.perms, &r[1], &r[2], &r[3]);
	gk_cpuid(PV_CPUID_LIMITS, &r[0], &r[1], &r[2], &r[3]);
	tsc_khz = r[2];
	model.vcpu_id = gk_cpuid_reg(1, 1) >> 24;

	/* The interface closed: a hundredth of the calls (HELLO among them opens it). */
	stride = ring3_wanted ? (calls_wanted / ring3_wanted ? calls_wanted / ring3_wanted : 1) : 0;
	t0 = gk_rdtsc();
	while (calls < calls_wanted / 100 && !model.abi)
		fuzz_call(fuzz_gen_call(a, 0), a);
	ticks += gk_rdtsc() - t0;
	open_and_query();
	t0 = gk_rdtsc();
	while (calls < calls_wanted) {
		fuzz_call(fuzz_gen_call(a, 0), a);
		if (stride && calls % stride == 0 && ring3_calls < ring3_wanted)
			fuzz_call_ring3();
	}
	while (ring3_calls < ring3_wanted)
		fuzz_call_ring3();
	ticks += gk_rdtsc() - t0;
	if (fuzz_stray_irqs) {
		struct fuzz_regs none = { 0 };
		struct fuzz_expect e = fuzz_exactly(0);

		fail(0, a, &none, &e, "an event vector was delivered although IF=0");
	}
	print_report();
	out(failures ? "GUEST-FAIL " : "GUEST-PASS ");
	out(start_info.vm_name);
	if (failures) {
		out(": ");
		out_u(failures);
		out(" oracle failures (seed ");
		out_u(seed);
		out(")");
	}
	out("\n");
	gk_exit(failures ? 1 : 0);
}

int64_t guest_main(const struct pv_start_info *si)
{
	start_info = *si; /* before anything reuses Shunt's boot area */
	__asm__ volatile("mov %0, %%rsp; call fuzz_main" ::"r"(main_stack + sizeof(main_stack))
			 : "memory");
	return 0;
}
