/*
 * /metrics from the live machine: gathers the host's figures and, one VM at a time, a VM's
 * counters into the snapshot that hv/net/metrics_text.c writes. Host work only (CPU 0): the
 * VMs' vCPUs may be running on other CPUs, so counters are read as hv/LOCKING.md says.
 */
#include <hv/arch.h>
#include <hv/log.h>
#include <hv/log_ring.h>
#include <hv/mgmt.h>
#include <hv/mgmt_auth.h>
#include <hv/net/metrics.h>
#include <hv/smp.h>
#include <hv/string.h>
#include <hv/vm.h>

#include <lwip/stats.h>

extern size_t shunt_lwip_pool_size; /* hv/net/lwip_port.c: 0 until mgmt_start() took it */

static const char *state_name(const struct vm *vm)
{
	switch (vm->state) {
	case VM_RUNNING:
		return "running";
	case VM_STOPPED:
		return "stopped";
	case VM_REFUSED:
		return "refused";
	case VM_EMPTY:
	default:
		return NULL;
	}
}

static void vm_exits(const void *src, void (*fn)(void *ctx, const char *kind, uint64_t n),
		     void *ctx)
{
	arch_vm_for_each_exit(src, fn, ctx);
}

static void vm_get(const void *ctx, unsigned int i, struct metrics_vm *out)
{
	const struct vm *vm = vm_at(i);
	const struct vm_stats *s = &vm->stats;

	(void)ctx;
	out->name = vm->name;
	out->state = state_name(vm);
	out->memory_bytes = vm->ram_size;
	out->boots = vm->boots;
	/* The per-call counters are each vCPU's own (their CPUs add): summed here. */
	for (unsigned int nr = 0; nr < ARRAY_SIZE(out->calls); nr++)
		out->calls[nr] = vm_calls(vm, nr);
	out->hypercall_errors = VM_VCPU_STAT(vm, hypercall_errors);
	out->hw_calls = VM_VCPU_STAT(vm, hw_calls);
	out->hw_port_ops = VM_VCPU_STAT(vm, hw_port_ops);
	out->hw_refused = VM_VCPU_STAT(vm, hw_refused);
	/* As /api/v1/vms counts them: console, the byte rate's refusals (not waits for room). */
	out->throttles[METRICS_THROTTLE_CONSOLE] = vm_stat_read(&s->console_throttled);
	out->throttles[METRICS_THROTTLE_OTHER] = vm_stat_read(&s->throttles[PV_RATE_OTHER]);
	out->throttles[METRICS_THROTTLE_HW] = vm_stat_read(&s->throttles[PV_RATE_HW]);
	out->console_bytes = vm_stat_read(&s->console_bytes);
	out->console_dropped = vm_stat_read(&s->console_dropped);
	out->steal_cycles = vm_vcpu_sum(vm, offsetof(struct vcpu, steal_cycles));
	/* A refused VM never had a vCPU built: it took no exit. */
	if (vm->state != VM_REFUSED) {
		out->for_each_exit = vm_exits;
		out->exit_src = vm;
	}
}

size_t metrics_render(char *buf, size_t size)
{
	return metrics_render_part(buf, size, 0);
}

size_t metrics_render_part(char *buf, size_t size, size_t offset)
{
	struct metrics_host host = {
		.version = SHUNT_VERSION,
		.backend = arch_virt_backend(NULL),
		.tsc_hz = arch_tsc_hz(),
		.cycles = arch_cycles(),
		.cpus = smp_ready_count(),
		.auth_failures = mgmt_auth_failures(),
	};
	struct metrics_source src = { &host, vm_count(), vm_get, NULL };

	struct log_ring *ring = log_recent();

	if (ring) {
		host.has_log_dropped = 1;
		host.log_dropped = log_ring_dropped(ring);
	}
	if (shunt_lwip_pool_size) {
		host.has_pool = 1;
		host.pool_bytes = shunt_lwip_pool_size;
		host.pool_used_bytes = lwip_stats.mem.used;
		host.pool_high_water_bytes = lwip_stats.mem.max;
		host.mgmt_work_cycles = mgmt_work_cycles();
		host.has_http = 1;
		host.http = *http_server_stats();
	}
	return metrics_text_write_part(buf, size, offset, &src);
}
