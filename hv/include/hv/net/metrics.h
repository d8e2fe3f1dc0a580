/*
 * /metrics (hv/net/API.md, "Metrics"): Shunt's counters in Prometheus' text exposition
 * format 0.0.4. metrics_text_write() is the pure writer of a snapshot (hv/net/metrics_text.c,
 * host-tested); metrics_render() gathers the snapshot from the live VMs and the host
 * (hv/net/metrics.c, host work only).
 */
#ifndef HV_NET_METRICS_H
#define HV_NET_METRICS_H

#include <hv/net/http_server.h>
#include <hv/types.h>
#include <pvabi/pvabi.h>

/* The throttle classes, in the order of shunt_vm_throttles_total's class label. */
enum metrics_throttle_class {
	METRICS_THROTTLE_CONSOLE = 0,
	METRICS_THROTTLE_OTHER,
	METRICS_THROTTLE_HW,
	METRICS_THROTTLE_CLASSES,
};

/* One VM's figures, as metrics_text_write() asks for them. */
struct metrics_vm {
	const char *name;
	const char *state; /* "running", "stopped" or "refused" */
	uint64_t memory_bytes;
	uint64_t boots;
	uint64_t calls[PV_CALL_COUNT + 1]; /* [PV_CALL_COUNT]: numbers no call has */
	uint64_t hypercall_errors;
	uint64_t hw_calls, hw_port_ops, hw_refused;
	uint64_t throttles[METRICS_THROTTLE_CLASSES];
	uint64_t console_bytes, console_dropped;
	uint64_t steal_cycles;
	/* Calls fn for each kind of exit with its count (none: NULL). */
	void (*for_each_exit)(const void *src, void (*fn)(void *ctx, const char *kind, uint64_t n),
			      void *ctx);
	const void *exit_src;
};

/* The host's figures. A field whose source is absent is left out with its has_ flag 0. */
struct metrics_host {
	const char *version;
	const char *backend; /* "VT-x", "AMD-V", or NULL: no backend runs guests */
	uint64_t tsc_hz;     /* never 0 */
	uint64_t cycles;     /* arch_cycles() now: hypervisor ticks since the reset */
	unsigned int cpus;
	int has_pool;
	uint64_t pool_bytes, pool_used_bytes, pool_high_water_bytes;
	uint64_t auth_failures;
	uint64_t mgmt_work_cycles; /* mgmt_work_cycles(): seconds at tsc_hz */
	int has_log_dropped;
	uint64_t log_dropped;
	int has_http; /* the API's server runs: its counters */
	struct http_server_stats http;
};

/*
 * Where metrics_text_write() finds the VMs: count of them, and vm_get(ctx, i, out) fills
 * out for the i-th (0 <= i < count), in id order. It is called once per VM and family, so
 * that each family's lines stay together as the format asks, with one snapshot on the stack.
 */
struct metrics_source {
	const struct metrics_host *host;
	unsigned int vm_count;
	void (*vm_get)(const void *ctx, unsigned int i, struct metrics_vm *out);
	const void *ctx;
};

/*
 * Writes the whole exposition text of src into buf (at most size bytes, NUL-terminated when
 * size > 0) and returns its full length without the NUL, like snprintf: a return >= size
 * means buf was too small. Pure.
 */
size_t metrics_text_write(char *buf, size_t size, const struct metrics_source *src);

/*
 * The same text from byte offset on: at most size - 1 of its bytes from there, then a NUL
 * (when size > 0); returns the whole text's length. For a server that sends a long answer
 * in pieces rather than holding all of it (the text is written again for each piece, so a
 * piece is the same bytes as long as the counters have not moved meanwhile).
 */
size_t metrics_text_write_part(char *buf, size_t size, size_t offset,
			       const struct metrics_source *src);

/*
 * /metrics now: metrics_text_write() of the live VMs and host. Host work only. About 2 KiB
 * for the host and 1-2 KiB per VM in a typical run (README.md, "Metrics").
 */
size_t metrics_render(char *buf, size_t size);
/* metrics_render() from byte offset on (metrics_text_write_part()). */
size_t metrics_render_part(char *buf, size_t size, size_t offset);

#endif
