/*
 * The text of /metrics (Prometheus' exposition format 0.0.4) from a snapshot of the host
 * and the VMs: every family with # HELP and # TYPE, its lines together, label values
 * escaped. Pure: it reads only what struct metrics_source hands it.
 */
#include <hv/div128.h>
#include <hv/fmt.h>
#include <hv/net/metrics.h>
#include <hv/string.h>
#include <stdarg.h>

#define NS_PER_SEC 1000000000ull

struct out {
	char *buf;
	size_t size;
	size_t skip; /* the text's bytes before this one are counted, not written */
	size_t len;  /* what the whole text needs, including what did not fit */
};

static void put_char(struct out *o, char c)
{
	if (o->len >= o->skip && o->len - o->skip + 1 < o->size)
		o->buf[o->len - o->skip] = c;
	o->len++;
}

static void put_str(struct out *o, const char *s)
{
	while (*s)
		put_char(o, *s++);
}

static __attribute__((format(printf, 2, 3))) void put(struct out *o, const char *f, ...)
{
	char tmp[64]; /* numbers and names: the formats here never need more */
	va_list ap;

	va_start(ap, f);
	fmt_vsnprintf(tmp, sizeof(tmp), f, ap);
	va_end(ap);
	put_str(o, tmp);
}

/*
 * A label value as the format asks: backslash, double quote and newline escaped. Names come
 * from Shunt's own checks, but a byte outside printable ASCII would not be valid UTF-8 for
 * every reader, so it is written as '?'.
 */
static void put_label_value(struct out *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '"') {
			put_char(o, '\\');
			put_char(o, (char)c);
		} else if (c == '\n') {
			put_str(o, "\\n");
		} else {
			put_char(o, c >= 0x20 && c < 0x7f ? (char)c : '?');
		}
	}
}

/*
 * An exit kind as a label value that reads well in a query: the summary's words in lower
 * case, every run of other characters one '_' ("VM entry: invalid guest state" is
 * "vm_entry_invalid_guest_state"), but a '/' joins ("I/O instruction" is "io_instruction").
 */
static void put_reason(struct out *o, const char *kind)
{
	int gap = 0, any = 0;

	for (; *kind; kind++) {
		char c = *kind;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (gap && any)
				put_char(o, '_');
			put_char(o, c);
			gap = 0;
			any = 1;
		} else if (c != '/') { /* "I/O instruction" is io_instruction */
			gap = 1;
		}
	}
	if (!any)
		put_str(o, "unknown");
}

/* cycles at hz as seconds with nanoseconds: no floating point in the hypervisor. */
static void put_seconds(struct out *o, uint64_t cycles, uint64_t hz)
{
	unsigned __int128 frac = (unsigned __int128)(cycles % hz) * NS_PER_SEC;
	uint64_t ns = div128((uint64_t)(frac >> 64), (uint64_t)frac, hz, NULL);

	put(o, "%llu.%09llu", (unsigned long long)(cycles / hz), (unsigned long long)ns);
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s ", name);
	put_str(o, help);
	put(o, "\n# TYPE %s %s\n", name, type);
}

/* name{vm="NAME"  (the caller adds more labels, then "} VALUE\n") */
static void vm_series(struct out *o, const char *name, const struct metrics_vm *vm)
{
	put_str(o, name);
	put_str(o, "{vm=\"");
	put_label_value(o, vm->name);
	put_char(o, '"');
}

static void end_value(struct out *o, uint64_t v)
{
	put(o, "} %llu\n", (unsigned long long)v);
}

static const char *const call_names[PV_CALL_COUNT] = {
#define METRICS_CALL_NAME(nr, NAME, name, ...) [nr] = #name,
	PV_CALL_LIST(METRICS_CALL_NAME)
#undef METRICS_CALL_NAME
};

static const char *const throttle_classes[METRICS_THROTTLE_CLASSES] = {
	[METRICS_THROTTLE_CONSOLE] = "console",
	[METRICS_THROTTLE_OTHER] = "other",
	[METRICS_THROTTLE_HW] = "hw",
};

static const char *const states[] = { "running", "stopped", "refused" };

/* A per-VM counter or gauge with no label but vm: one field of struct metrics_vm. */
struct plain {
	const char *name, *type, *help;
	size_t offset;
};

#define PLAIN(n, t, field, h)                                                                      \
	{                                                                                          \
		"shunt_vm_" n, t, h, offsetof(struct metrics_vm, field)                            \
	}

static const struct plain plains[] = {
	PLAIN("memory_bytes", "gauge", memory_bytes,
	      "Guest RAM the VM holds now (0 once stopped: its RAM is freed)."),
	PLAIN("boots_total", "counter", boots,
	      "Times the VM was started: its first boot, resets and admin starts."),
	PLAIN("hypercall_errors_total", "counter", hypercall_errors,
	      "Hypercalls refused: not open to the VM, or no such call."),
	PLAIN("hw_calls_total", "counter", hw_calls,
	      "Direct hardware calls run (HW_* hypercalls)."),
	PLAIN("hw_port_operations_total", "counter", hw_port_ops,
	      "Port operations run on real hardware, batched or trapped."),
	PLAIN("hw_refused_total", "counter", hw_refused,
	      "Direct hardware calls that returned an error."),
	PLAIN("console_bytes_total", "counter", console_bytes,
	      "Console output taken from the VM: printed, dropped or discarded."),
	PLAIN("console_dropped_bytes_total", "counter", console_dropped,
	      "Console output dropped for lack of room (console=lossy)."),
};

struct exit_ctx {
	struct out *o;
	const struct metrics_vm *vm;
};

static void put_exit(void *ctx, const char *kind, uint64_t n)
{
	struct exit_ctx *e = ctx;

	vm_series(e->o, "shunt_vm_exits_total", e->vm);
	put_str(e->o, ",reason=\"");
	put_reason(e->o, kind);
	put_char(e->o, '"');
	end_value(e->o, n);
}

static void write_vm_state(struct out *o, const struct metrics_vm *vm)
{
	for (unsigned int s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
		vm_series(o, "shunt_vm_state", vm);
		put(o, ",state=\"%s\"", states[s]);
		end_value(o, vm->state && !strcmp(vm->state, states[s]));
	}
}

static void write_vm_calls(struct out *o, const struct metrics_vm *vm)
{
	/* Calls a VM never made are left out: most VMs use few of them. */
	for (unsigned int c = 0; c <= PV_CALL_COUNT; c++) {
		if (!vm->calls[c])
			continue;
		vm_series(o, "shunt_vm_hypercalls_total", vm);
		put(o, ",call=\"%s\"", c < PV_CALL_COUNT ? call_names[c] : "unknown");
		end_value(o, vm->calls[c]);
	}
}

static void write_vm_throttles(struct out *o, const struct metrics_vm *vm)
{
	for (unsigned int c = 0; c < METRICS_THROTTLE_CLASSES; c++) {
		vm_series(o, "shunt_vm_throttles_total", vm);
		put(o, ",class=\"%s\"", throttle_classes[c]);
		end_value(o, vm->throttles[c]);
	}
}

static void write_vm_exits(struct out *o, const struct metrics_vm *vm)
{
	struct exit_ctx e = { o, vm };

	if (vm->for_each_exit)
		vm->for_each_exit(vm->exit_src, put_exit, &e);
}

/* One family of labelled lines: the header, then write() for every VM. */
static void vm_family(struct out *o, const struct metrics_source *src, const char *name,
		      const char *type, const char *help,
		      void (*write)(struct out *o, const struct metrics_vm *vm))
{
	struct metrics_vm vm;

	family(o, name, type, help);
	for (unsigned int i = 0; i < src->vm_count; i++) {
		memset(&vm, 0, sizeof(vm));
		src->vm_get(src->ctx, i, &vm);
		write(o, &vm);
	}
}

static void write_vms(struct out *o, const struct metrics_source *src)
{
	const uint64_t hz = src->host->tsc_hz ? src->host->tsc_hz : 1;
	struct metrics_vm vm;

	vm_family(o, src, "shunt_vm_state", "gauge",
		  "1 for the VM's state (running, stopped, refused), 0 for the others.",
		  write_vm_state);
	for (unsigned int p = 0; p < sizeof(plains) / sizeof(plains[0]); p++) {
		family(o, plains[p].name, plains[p].type, plains[p].help);
		for (unsigned int i = 0; i < src->vm_count; i++) {
			memset(&vm, 0, sizeof(vm));
			src->vm_get(src->ctx, i, &vm);
			vm_series(o, plains[p].name, &vm);
			end_value(o, *(const uint64_t *)((const char *)&vm + plains[p].offset));
		}
	}
	vm_family(o, src, "shunt_vm_exits_total", "counter",
		  "VM exits in the VM's current boot, by reason (the summary's words).",
		  write_vm_exits);
	vm_family(o, src, "shunt_vm_hypercalls_total", "counter",
		  "Hypercalls in the VM's current boot, by call (pv-abi names; unknown: no such "
		  "call).",
		  write_vm_calls);
	vm_family(o, src, "shunt_vm_throttles_total", "counter",
		  "Calls and accesses told to wait by the VM's rate limits, by class.",
		  write_vm_throttles);
	family(o, "shunt_vm_steal_seconds_total", "counter",
	       "Time the VM was runnable but another VM had the CPU.");
	for (unsigned int i = 0; i < src->vm_count; i++) {
		memset(&vm, 0, sizeof(vm));
		src->vm_get(src->ctx, i, &vm);
		vm_series(o, "shunt_vm_steal_seconds_total", &vm);
		put_str(o, "} ");
		put_seconds(o, vm.steal_cycles, hz);
		put_char(o, '\n');
	}
}

static void gauge(struct out *o, const char *name, const char *type, const char *help, uint64_t v)
{
	family(o, name, type, help);
	put(o, "%s %llu\n", name, (unsigned long long)v);
}

/* The API's HTTP server (hv/net/http_server.c): what it was asked and what it answered. */
static void write_http(struct out *o, const struct http_server_stats *st)
{
	gauge(o, "shunt_mgmt_http_requests_total", "counter",
	      "Complete requests the management API read, answered or refused.", st->requests);
	family(o, "shunt_mgmt_http_answers_total", "counter",
	       "Answers of the management API by status class (2xx, 3xx, 4xx, 5xx).");
	for (unsigned int c = 2; c < sizeof(st->answers) / sizeof(st->answers[0]); c++)
		put(o, "shunt_mgmt_http_answers_total{class=\"%uxx\"} %llu\n", c,
		    (unsigned long long)st->answers[c]);
	gauge(o, "shunt_mgmt_http_connections_total", "counter",
	      "Connections the management API accepted.", st->connections);
	gauge(o, "shunt_mgmt_http_connections_open", "gauge",
	      "Connections of the management API open now.", st->connections_open);
	gauge(o, "shunt_mgmt_http_connections_refused_total", "counter",
	      "Connections refused: past the limit of open ones, or no memory for one.",
	      st->connections_refused);
	gauge(o, "shunt_mgmt_http_rate_limited_total", "counter",
	      "429 rate_limited answers: the request rate, or an address's failed authentications.",
	      st->rate_limited);
	gauge(o, "shunt_mgmt_http_timeouts_total", "counter",
	      "Requests not complete in time (408) and idle connections closed.", st->timeouts);
	gauge(o, "shunt_mgmt_http_pool_short_total", "counter",
	      "503 answers: the pool had no room for the answer.", st->pool_short);
}

static void write_host(struct out *o, const struct metrics_source *src)
{
	const struct metrics_host *h = src->host;
	const uint64_t hz = h->tsc_hz ? h->tsc_hz : 1;

	family(o, "shunt_info", "gauge", "Shunt's version and the backend that runs guests.");
	put_str(o, "shunt_info{version=\"");
	put_label_value(o, h->version ? h->version : "");
	put_str(o, "\",backend=\"");
	put_label_value(o, h->backend ? h->backend : "none");
	put_str(o, "\"} 1\n");
	family(o, "shunt_uptime_seconds", "gauge", "Time since the machine's reset.");
	put_str(o, "shunt_uptime_seconds ");
	put_seconds(o, h->cycles, hz);
	put_char(o, '\n');
	gauge(o, "shunt_hypervisor_ticks_total", "counter",
	      "Ticks of Shunt's clock (the TSC) since the machine's reset.", h->cycles);
	gauge(o, "shunt_tsc_hz", "gauge", "Ticks of Shunt's clock per second.", h->tsc_hz);
	gauge(o, "shunt_cpus", "gauge", "CPUs up with hardware virtualization on, ready for VMs.",
	      h->cpus);
	gauge(o, "shunt_vms", "gauge", "VMs of the configuration, refused ones included.",
	      src->vm_count);
	if (h->has_log_dropped)
		gauge(o, "shunt_log_lines_dropped_total", "counter",
		      "Log lines overwritten in the log ring before anyone read them.",
		      h->log_dropped);
	if (h->has_pool) {
		gauge(o, "shunt_mgmt_pool_bytes", "gauge",
		      "Size of the management network's memory pool (mgmt.pool=).", h->pool_bytes);
		gauge(o, "shunt_mgmt_pool_used_bytes", "gauge", "Bytes of the pool in use now.",
		      h->pool_used_bytes);
		gauge(o, "shunt_mgmt_pool_high_water_bytes", "gauge",
		      "The most bytes of the pool ever in use at once.", h->pool_high_water_bytes);
		family(o, "shunt_mgmt_work_seconds_total",
		       "counter", "Time the management network spent on frames it received, answers included.");
		put_str(o, "shunt_mgmt_work_seconds_total ");
		put_seconds(o, h->mgmt_work_cycles, hz);
		put_char(o, '\n');
	}
	if (h->has_http)
		write_http(o, &h->http);
	gauge(o, "shunt_mgmt_auth_failures_total", "counter",
	      "Management requests refused for their credentials (401, and 403 for the metrics "
	      "token).",
	      h->auth_failures);
}

size_t metrics_text_write_part(char *buf, size_t size, size_t offset,
			       const struct metrics_source *src)
{
	struct out o = { buf, size, offset, 0 };
	size_t end;

	write_host(&o, src);
	write_vms(&o, src);
	if (size) {
		end = o.len > offset ? o.len - offset : 0;
		buf[end < size ? end : size - 1] = '\0';
	}
	return o.len;
}

size_t metrics_text_write(char *buf, size_t size, const struct metrics_source *src)
{
	return metrics_text_write_part(buf, size, 0, src);
}
