/*
 * What the management API's answers say (hv/net/API.md, "Endpoints"), as JSON: a VM, the
 * host, log lines. The router (hv/net/api.c) chooses; these write. Host work only.
 */
#include <boot/handoff.h>
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/json.h>
#include <hv/log.h>
#include <hv/log_ring.h>
#include <hv/memmap.h>
#include <hv/mgmt_auth.h>
#include <hv/mm.h>
#include <hv/net/api.h>
#include <hv/net/http_server.h>
#include <hv/vm.h>
#include <pvabi/pvabi.h>

static uint64_t cycles_to_ns(uint64_t cycles)
{
	uint64_t hz = arch_tsc_hz();

	return cycles / hz * 1000000000ull + cycles % hz * 1000000000ull / hz;
}

static void exit_entry(void *ctx, const char *kind, uint64_t count)
{
	json_key_u64(ctx, kind, count);
}

static const char *state_name(const struct vm *vm)
{
	return vm->state == VM_RUNNING	 ? "running"
	       : vm->state == VM_REFUSED ? "refused"
					 : "stopped";
}

static void vm_hypercalls(struct json *j, const struct vm *vm)
{
	json_key(j, "hypercalls");
	json_object_begin(j);
	json_key_u64(j, "total", vm_hypercalls_total(vm));
	json_key_u64(j, "errors", VM_VCPU_STAT(vm, hypercall_errors));
	json_key(j, "by_call");
	json_object_begin(j);
#define CALL_ENTRY(nr, NAME, name, ...) json_key_u64(j, #name, vm_calls(vm, nr));
	PV_CALL_LIST(CALL_ENTRY)
#undef CALL_ENTRY
	json_key_u64(j, "unknown", vm_calls(vm, PV_CALL_COUNT));
	json_object_end(j);
	json_object_end(j);
}

static void vm_counters(struct json *j, const struct vm *vm)
{
	uint64_t end = vm->state == VM_RUNNING ? arch_cycles() : vm->stop_cycles;

	json_key(j, "exits");
	json_object_begin(j);
	if (vm->state != VM_REFUSED)
		arch_vm_for_each_exit(vm, exit_entry, j);
	json_object_end(j);
	vm_hypercalls(j, vm);
	json_key(j, "hw_calls");
	json_object_begin(j);
	json_key_u64(j, "total", VM_VCPU_STAT(vm, hw_calls));
	json_key_u64(j, "port_ops", VM_VCPU_STAT(vm, hw_port_ops));
	json_key_u64(j, "refused", VM_VCPU_STAT(vm, hw_refused));
	json_object_end(j);
	json_key(j, "throttles");
	json_object_begin(j);
	json_key_u64(j, "total", vm_stat_read(&vm->stats.throttled));
	json_key_u64(j, "console", vm_stat_read(&vm->stats.console_throttled));
	json_key_u64(j, "other", vm_stat_read(&vm->stats.throttles[PV_RATE_OTHER]));
	json_key_u64(j, "hw", vm_stat_read(&vm->stats.throttles[PV_RATE_HW]));
	json_object_end(j);
	json_key_u64(j, "steal_ns",
		     cycles_to_ns(vm_vcpu_sum(vm, offsetof(struct vcpu, steal_cycles))));
	/* From its (re)start to now, or to its stop. */
	json_key_u64(j, "run_ns",
		     vm->state == VM_REFUSED || end < vm->start_cycles || !vm->start_cycles
			     ? 0
			     : cycles_to_ns(end - vm->start_cycles));
}

static void vm_detail(struct json *j, const struct vm *vm)
{
	json_key(j, "origin");
	json_string(j, vm->origin);
	json_key(j, "options");
	json_object_begin(j);
	json_key_u64(j, "memory_bytes", vm->options.mem);
	json_key_string(j, "console", vm_console_policy_name(vm->options.console));
	json_key_u64(j, "reboots", vm->options.reboots);
	json_key_string(j, "cmdline", vm->options.guest_cmdline);
	json_key_string(j, "initrd", vm->options.initrd);
	json_object_end(j);
	json_key(j, "grants");
	json_array_begin(j);
	for (unsigned int i = 0; i < vm->grant_count; i++) {
		json_object_begin(j);
		json_key_u64(j, "kind", vm->grants[i].spec.kind);
		json_key_u64(j, "bdf", vm->grants[i].spec.bdf);
		json_key(j, "verdict");
		json_i64(j, vm->grants[i].verdict);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "vcpu");
	json_array_begin(j);
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		json_object_begin(j);
		json_key_u64(j, "id", v->id);
		json_key_u64(j, "cpu", v->cpu);
		json_key(j, "halted");
		json_bool(j, v->halted == VCPU_HALTED);
		json_key(j, "started");
		json_bool(j, v->ever_started);
		json_key_u64(j, "steal_ns",
			     cycles_to_ns(__atomic_load_n(&v->steal_cycles, __ATOMIC_RELAXED)));
		json_key_u64(j, "events_raised",
			     __atomic_load_n(&v->stats.events_raised, __ATOMIC_RELAXED));
		json_key_u64(j, "upcalls_injected",
			     __atomic_load_n(&v->stats.upcalls_injected, __ATOMIC_RELAXED));
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "console");
	json_object_begin(j);
	json_key_u64(j, "bytes", vm_stat_read(&vm->stats.console_bytes));
	json_key_u64(j, "dropped", vm_stat_read(&vm->stats.console_dropped));
	json_key_u64(j, "waits", vm_stat_read(&vm->stats.console_waits));
	json_object_end(j);
}

void api_json_vm(struct json *j, const struct vm *vm, int detail)
{
	json_object_begin(j);
	json_key_u64(j, "id", vm->id);
	json_key_string(j, "name", vm->name);
	json_key_string(j, "state", state_name(vm));
	json_key_string(j, "platform", vm->platform == VM_PLATFORM_PC ? "pc" : "shunt");
	json_key_u64(j, "memory_bytes", vm->state == VM_REFUSED ? 0 : vm->options.mem);
	json_key_u64(j, "vcpus", vm->state == VM_REFUSED ? vm->options.vcpus : vm->vcpu_count);
	json_key_u64(j, "boots", vm->boots);
	vm_counters(j, vm);
	if (detail)
		vm_detail(j, vm);
	json_key(j, "stop");
	if (vm->state == VM_RUNNING) {
		json_null(j);
	} else {
		json_object_begin(j);
		json_key_string(j, "reason", vm_stop_reason_name(vm->stop_reason));
		json_key_string(j, "detail", vm->stop_detail);
		json_key(j, "exit_code");
		json_i64(j, vm->exit_code);
		json_object_end(j);
	}
	json_object_end(j);
}

/* A log line for a JSON array of strings (the boot report) or of line objects. */
struct log_page {
	struct json *j;
	int objects;
	uint64_t upto; /* lines past it are not wanted (the boot report's mark) */
	uint64_t last; /* the last seq written */
	int full;      /* the buffer is nearly full: no more lines */
};

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void api_json_log_line(void *ctx, uint64_t seq, unsigned int level, const char *text, size_t len)
{
	struct api_log_page *p = ctx;

	/* Room for the line escaped (at most twice its length: its bytes are printable) and more. */
	if (p->full || seq > p->upto || p->j->size - p->j->len < 2 * len + 128) {
		p->full = 1;
		return;
	}
	if (p->objects) {
		json_object_begin(p->j);
		json_key_u64(p->j, "seq", seq);
		json_key_string(p->j, "level", level < 4 ? level_names[level] : "info");
		json_key(p->j, "text");
		json_string_n(p->j, text, len);
		json_object_end(p->j);
	} else {
		json_string_n(p->j, text, len);
	}
	p->last = seq;
}

void api_json_host(struct json *j)
{
	const struct memmap *map = mm_memmap();
	uint64_t ticks = arch_cycles() - hv_entry_cycles, size, used, high;
	uint64_t mark = log_ring_marked(log_recent());
	struct api_log_page page = { .upto = mark ? mark : UINT64_MAX };
	char vendor[16], model[64], abi[16];
	const char *why, *backend = arch_virt_backend(&why);

	arch_cpu_names(vendor, sizeof(vendor), model, sizeof(model));
	http_server_pool(&size, &used, &high);
	json_object_begin(j);
	json_key_string(j, "name", "shunt");
	json_key_string(j, "version", SHUNT_VERSION);
	fmt_snprintf(abi, sizeof(abi), "%u.%u", PV_ABI_MAJOR, PV_ABI_MINOR);
	json_key_string(j, "abi", abi);
	json_key(j, "cpu");
	json_object_begin(j);
	json_key_string(j, "vendor", vendor);
	json_key_string(j, "model", model);
	json_key_u64(j, "count", 1); /* one CPU runs Shunt until issue 16's SMP */
	json_key_u64(j, "tsc_hz", arch_tsc_hz());
	json_object_end(j);
	json_key(j, "virtualization");
	json_object_begin(j);
	json_key(j, "ready");
	json_bool(j, backend != NULL);
	json_key_string(j, "backend", backend);
	json_key_string(j, "why", backend ? NULL : why);
	json_object_end(j);
	json_key(j, "memory");
	json_object_begin(j);
	json_key_u64(j, "total_bytes",
		     map ? memmap_total(map, HANDOFF_MEM_USABLE) + memmap_total(map, MEMMAP_HV_DATA)
			 : 0);
	json_key_u64(j, "free_bytes", mm_free_bytes());
	json_object_end(j);
	json_key_u64(j, "uptime_s", ticks / arch_tsc_hz());
	json_key_u64(j, "time", api_time_now());
	json_key_u64(j, "ticks", ticks);
	json_key(j, "mgmt");
	json_object_begin(j);
	json_key_u64(j, "pool_bytes", size);
	json_key_u64(j, "pool_used_bytes", used);
	json_key_u64(j, "pool_high_water_bytes", high);
	json_key_u64(j, "auth_failures", mgmt_auth_failures());
	json_key_u64(j, "requests", http_server_stats()->requests);
	json_object_end(j);
	json_key(j, "boot_report");
	json_array_begin(j);
	page.j = j;
	log_ring_read(log_recent(), 0, UINT32_MAX, api_json_log_line, &page, NULL, NULL);
	json_array_end(j);
	json_object_end(j);
}
