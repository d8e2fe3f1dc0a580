/*
 * VM lifecycle: creation from a boot module (options, RAM, second-level mapping, image,
 * start-info, vCPU), stopping with a reason, release of a stopped VM's resources, and the
 * end-of-run summary. A VM whose image or options are refused is kept for the summary.
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hypercall.h>
#include <hv/linux_boot.h>
#include <hv/loader.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vm_options.h>
#include <pvabi/pvabi.h>

#include <stdarg.h>
#include <stddef.h>

/* Each VM's record lives in frames of its own, taken when it is asked for: memory bounds the
 * number of VMs, and VM_MAX caps it. */
static struct vm *vms[VM_MAX];
static unsigned int vms_used;
/* vCPUs placed on each CPU so far (sched_place()); only the boot CPU builds VMs at boot. */
static unsigned int cpu_load[CPU_MAX];

/* Where a vCPU on cpu reads when host work is due: only CPU 0 does host work. */
static const uint64_t *vcpu_host_due(unsigned int cpu)
{
	return cpu == 0 ? &console_due : &sched_no_host_work;
}

__attribute__((format(printf, 2, 3))) static struct vm *vm_refuse(struct vm *vm, const char *fmt,
								  ...);

#define VM_RECORD_PAGES ((sizeof(struct vm) + PAGE_SIZE - 1) / PAGE_SIZE)

struct vm *vm_at(unsigned int index)
{
	return index < vms_used ? vms[index] : NULL;
}

unsigned int vm_count(void)
{
	return vms_used;
}

const char *vm_stop_reason_name(enum vm_stop_reason reason)
{
	switch (reason) {
	case VM_STOP_NONE:
		return "none";
	case VM_STOP_EXIT:
		return "exit";
	case VM_STOP_TRIPLE_FAULT:
		return "triple-fault";
	case VM_STOP_BAD_ACCESS:
		return "bad-memory-access";
	case VM_STOP_UNHANDLED:
		return "unhandled";
	case VM_STOP_ENTRY_FAILED:
		return "entry-failed";
	case VM_STOP_HALTED:
		return "halted";
	case VM_STOP_LOAD_FAILED:
		return "refused";
	case VM_STOP_POWEROFF:
		return "poweroff";
	case VM_STOP_REBOOT:
		return "reboot";
	case VM_STOP_REBOOT_LOOP:
		return "reboot-loop";
	case VM_STOP_ADMIN:
		return "stopped by admin";
	default:
		return "?";
	}
}

void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len)
{
	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return (uint8_t *)phys_to_virt(vm->ram_hpa) + gpa;
}

void *vm_gpa_to_hva_aligned(struct vm *vm, gpa_t gpa, uint64_t len, uint64_t align)
{
	return (gpa & (align - 1)) ? NULL : vm_gpa_to_hva(vm, gpa, len);
}

/* The sum of a uint64_t field (at offset) over vm's vCPUs, for the summary and the API. */
uint64_t vm_vcpu_sum(const struct vm *vm, size_t offset)
{
	uint64_t sum = 0;

	/* Each vCPU's CPU may be adding to its own: one whole load each (hv/LOCKING.md). */
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		sum += __atomic_load_n((const uint64_t *)((const char *)&vm->vcpus[i] + offset),
				       __ATOMIC_RELAXED);
	return sum;
}

uint64_t vm_calls(const struct vm *vm, unsigned int nr)
{
	if (nr > PV_CALL_COUNT)
		return 0;
	return vm_vcpu_sum(vm, offsetof(struct vcpu, stats.calls) + nr * sizeof(uint64_t));
}

/* "0,2-3" for a set of CPUs, into buf. */
static void cpu_list_text(char *buf, size_t size, uint64_t set)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int c = 0; c < 64 && n < size; c++) {
		unsigned int last = c;

		if (!(set & (1ull << c)))
			continue;
		while (last + 1 < 64 && (set & (1ull << (last + 1))))
			last++;
		n += (size_t)fmt_snprintf(buf + n, size - n, last == c ? "%s%u" : "%s%u-%u",
					  n ? "," : "", c, last);
		c = last;
	}
}

/*
 * Places vm's vCPUs on CPUs for good (sched_place(): its cpus=, else spread over every CPU
 * ready for VMs). 0, or -1 with vm refused when none of its CPUs can run it.
 */
static int place_vcpus(struct vm *vm, const struct vm_options *o)
{
	uint64_t ready = smp_ready_mask() ? smp_ready_mask() : 1; /* at least the boot CPU */
	char want[64 * 3], have[64 * 3], usable[64 * 3];

	cpu_list_text(want, sizeof(want), o->cpus);
	cpu_list_text(have, sizeof(have), ready);
	if (sched_place(o->cpus, ready, o->vcpus, cpu_load, vm->vcpu_cpus)) {
		vm_refuse(vm, "cpus=%s: none of those CPUs can run VMs (ready: %s)", want, have);
		return -1;
	}
	if (o->cpus & ~ready) {
		cpu_list_text(usable, sizeof(usable), o->cpus & ready);
		log_warn("vm %s: cpus=%s: only %s of them can run VMs\n", vm->name, want, usable);
	}
	if (o->vcpus > 1 || o->cpus || (ready & (ready - 1))) {
		char line[VM_VCPUS_MAX * 12] = "";
		size_t n = 0;

		for (unsigned int i = 0; i < o->vcpus; i++)
			n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, "%s%u", i ? " " : "",
						  vm->vcpu_cpus[i]);
		log_info("vm %s: %u vCPU%s on CPU%s %s\n", vm->name, o->vcpus,
			 o->vcpus == 1 ? "" : "s", o->vcpus == 1 ? "" : "s", line);
	}
	return 0;
}

/* Gives back what a VM holds; it keeps its name, state and counters for the summary. */
static void vm_release(struct vm *vm)
{
	hw_grants_release(vm);
	/* MMIO mappings go first, by name, so the log says they are gone (SPEC.md §12). */
	for (unsigned int s = 0; s < VM_MMIO_MAPS_MAX; s++) {
		if (!vm->mmio_maps[s].size)
			continue;
		arch_vm_unmap(vm, vm->mmio_maps[s].gpa, vm->mmio_maps[s].size);
		log_info("vm %s: MMIO mapping at guest-physical 0x%llx (%llu KiB) removed\n",
			 vm->name, (unsigned long long)vm->mmio_maps[s].gpa,
			 (unsigned long long)(vm->mmio_maps[s].size >> 10));
		vm->mmio_maps[s].size = 0;
	}
	arch_vm_destroy(vm); /* and the second-level tables with them */
	if (vm->ram_size)
		mm_free_frames(vm->ram_hpa, vm->ram_size / PAGE_SIZE);
	vm->ram_hpa = 0;
	vm->ram_size = 0;
}

static struct vm *vm_build(struct vm *vm, const struct vm_options *o, const void *image,
			   uint64_t image_size, int restart);
static void vm_rebuild(struct vm *vm);

#define VM_MACHINE_START offsetof(struct vm, ram_hpa)

/*
 * A reset: the VM starts again from its image and options, with a machine built anew (RAM
 * zeroed, devices and vCPU reset) and its console still open, as a PC's serial line is
 * across a reboot. A VM that resets soon after every start is in a loop: after reboots= of
 * those in a row it stops.
 */
static void vm_restart(struct vm *vm)
{
	uint64_t ran_ms = (arch_cycles() - vm->start_cycles) / (arch_tsc_hz() / 1000);

	vm->quick_resets = ran_ms < VM_QUICK_RESET_SECONDS * 1000ull ? vm->quick_resets + 1 : 1;
	if (vm->quick_resets > vm->options.reboots) {
		vm->stop_reason = vm->options.reboots ? VM_STOP_REBOOT_LOOP : VM_STOP_REBOOT;
		vm->exit_code = -1;
		if (vm->options.reboots)
			fmt_snprintf(vm->stop_detail, sizeof(vm->stop_detail),
				     "reset %u times in a row, each within %u s of starting "
				     "(reboots=%u): not restarted",
				     vm->quick_resets, VM_QUICK_RESET_SECONDS, vm->options.reboots);
		else
			fmt_snprintf(vm->stop_detail, sizeof(vm->stop_detail),
				     "asked for a reset; reboots=0: not restarted");
		log_info("vm %s: stopped: %s (exit code -1): %s\n", vm->name,
			 vm_stop_reason_name(vm->stop_reason), vm->stop_detail);
		vm_release(vm);
		return;
	}
	log_info("vm %s: restarting after a reset, %llu ms after it started (quick reset %u of "
		 "at most %u in a row)\n",
		 vm->name, (unsigned long long)ran_ms, vm->quick_resets, vm->options.reboots);
	vm_release(vm);
	vm_rebuild(vm);
}

/*
 * Builds a stopped, released VM again from its image and options: a machine zeroed first,
 * its vCPUs on the CPUs they had and in their places in the scheduler's rings (passed by,
 * as stopped VMs are, if it was refused now), its clocks from zero.
 */
static void vm_rebuild(struct vm *vm)
{
	struct vcpu *next[VM_VCPUS_MAX];
	unsigned int count = vm->vcpu_count;

	for (unsigned int i = 0; i < count; i++)
		next[i] = vm->vcpus[i].sched_next;
	/* Typed input that saw the VM running before its stop is out of its UART by now. */
	spin_lock(&vm->uart_lock);
	spin_unlock(&vm->uart_lock);
	memset((char *)vm + VM_MACHINE_START, 0, sizeof(*vm) - VM_MACHINE_START);
	vm->state = VM_EMPTY;
	vm->stop_reason = VM_STOP_NONE;
	vm->exit_code = 0;
	vm->stop_detail[0] = '\0';
	vm_build(vm, &vm->options, vm->image, vm->image_size, 1);
	vm->start_cycles = arch_cycles();
	for (unsigned int i = 0; i < count; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (vm->vcpu_count != count) /* refused before its vCPUs were set */
			*v = (struct vcpu){ .vm = vm,
					    .id = i,
					    .cpu = vm->vcpu_cpus[i],
					    .host_due = vcpu_host_due(vm->vcpu_cpus[i]),
					    .halted = VCPU_DOWN };
		v->sched_next = next[i];
		v->runnable_since = vm->start_cycles;
	}
	vm->vcpu_count = count;
}

void vm_reap(struct vm *vm)
{
	if (vm->state == VM_STOPPED && vm->stop_reason == VM_STOP_REBOOT)
		vm_restart(vm);
	if (vm->state == VM_STOPPED && vm->ram_size)
		vm_release(vm);
}

/* Refuses vm for good; the detail says where it came from ("shunt.cfg:5: ") and why. */
__attribute__((format(printf, 2, 3))) static struct vm *vm_refuse(struct vm *vm, const char *fmt,
								  ...)
{
	int n = fmt_snprintf(vm->stop_detail, sizeof(vm->stop_detail), "%s: ", vm->origin);
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(vm->stop_detail + n, sizeof(vm->stop_detail) - (size_t)n, fmt, ap);
	va_end(ap);
	vm->state = VM_REFUSED;
	vm->stop_reason = VM_STOP_LOAD_FAILED;
	vm->exit_code = -1;
	log_error("vm %s: refused: %s\n", vm->name, vm->stop_detail);
	vm_release(vm);
	return vm;
}

/*
 * The emulated UART: its transmitter shows busy while the VM's console buffer is full, and
 * a byte written then (or over the byte rate) is not taken yet: the vCPU yields and the OUT
 * runs again later, as flow control would hold it.
 */
static __attribute__((noinline)) int uart_transmit(struct vm *vm, struct uart16550 *uart,
						   uint32_t *value)
{
	uint64_t retry_after;
	uint8_t tx = (uint8_t)*value;

	if (vm_console_put(vm, &tx, 1, 1, &retry_after) < 0)
		return VM_IO_RETRY;
	uart16550_access(uart, UART_DATA, 1, value);
	return 0;
}

static __attribute__((noinline)) int uart_read(struct vm *vm, struct uart16550 *uart,
					       uint16_t offset, uint32_t *value)
{
	uart->tx_busy = vm_console_is_full(vm); /* what a read of LSR shows */
	return uart16550_access(uart, offset, 0, value);
}

/* Each case a call of its own, so that the common ones (not THR) cost little. */
static int uart_access(struct vcpu *vcpu, void *device, uint16_t offset, unsigned int size,
		       int write, uint32_t *value)
{
	struct uart16550 *uart = device;

	if (!write)
		return uart_read(vcpu->vm, uart, offset, value);
	if (uart16550_is_tx_write(uart, offset, write))
		return uart_transmit(vcpu->vm, uart, value);
	return uart16550_access(uart, offset, 1, value); /* 0: no byte sent here */
}

/*
 * The same under the UART's lock, the handler of a VM whose COM1 two CPUs may reach at once
 * (uart_shared): the others' accesses pay nothing for it.
 */
static int uart_access_locked(struct vcpu *vcpu, void *device, uint16_t offset, unsigned int size,
			      int write, uint32_t *value)
{
	int taken = vm_uart_lock(vcpu->vm),
	    ret = uart_access(vcpu, device, offset, size, write, value);

	vm_uart_unlock(vcpu->vm, taken);
	return ret;
}

/* Builds vm's machine from its options and image; restart: after a reset (vm_restart()). */
static struct vm *vm_build(struct vm *vm, const struct vm_options *o, const void *image,
			   uint64_t image_size, int restart)
{
	static struct kernel_image kernel;
	char err[VM_STOP_DETAIL_MAX];

	if (mm_alloc_frames(o->mem / PAGE_SIZE, 2 * MIB, &vm->ram_hpa))
		return vm_refuse(vm, "not enough free memory for %llu MiB of RAM",
				 (unsigned long long)(o->mem / MIB));
	vm->ram_size = o->mem;
	if (arch_vm_init(vm) || arch_vm_map_ram(vm, 0, vm->ram_hpa, vm->ram_size))
		return vm_refuse(vm, "could not set up its address space (out of memory)");
	for (unsigned int i = 0; i < o->grant_count; i++)
		vm->grants[i].spec = o->grants[i];
	vm->grant_count = o->grant_count;
	for (unsigned int c = 0; c < VM_OPTIONS_RATE_CLASSES; c++)
		bucket_init(&vm->buckets[c], o->rate[c], o->burst[c], arch_cycles(), arch_tsc_hz());
	if (!restart && place_vcpus(vm, o))
		return vm;
	/* A Shunt guest or a kernel (PVH, bzImage, multiboot), told apart by the file itself. */
	if (kernel_image_check(image, image_size, vm->ram_size, &kernel, err, sizeof(err)))
		return vm_refuse(vm, "bad guest image: %s", err);
	if (kernel.kind == KERNEL_SHUNT && o->initrd[0])
		return vm_refuse(vm, "initrd=%s: only a Linux kernel takes an initrd", o->initrd);
	if (kernel.kind == KERNEL_SHUNT) {
		loader_copy_segments(vm, &kernel.elf, image);
		if (loader_write_start_info(vm, o->guest_cmdline))
			return vm_refuse(vm, "no room for the start-info page");
	}
	hw_grants_resolve(vm); /* default deny: only what its options name, and only if sound */
	hw_trap_register(vm);
	/* After the grants: a VM granted the real COM1 (Shunt's console elsewhere) reaches it. */
	vm->uart.irq_changed = vm_console_uart_irq; /* its IRQ 4, on a PC */
	vm->uart.owner = vm;
	vm->uart_shared = o->vcpus > 1 || vm->vcpu_cpus[0] != 0;
	uart16550_reset(&vm->uart);
	vm_io_register(vm, UART16550_COM1_BASE, UART16550_PORTS,
		       vm->uart_shared ? uart_access_locked : uart_access, &vm->uart);
	for (unsigned int i = 0; i < o->vcpus; i++)
		vm->vcpus[i] = (struct vcpu){ .vm = vm,
					      .id = i,
					      .cpu = vm->vcpu_cpus[i],
					      .host_due = vcpu_host_due(vm->vcpu_cpus[i]),
					      .halted = i ? VCPU_DOWN : VCPU_RUNNING,
					      .ever_started = !i };
	vm->vcpu_count = o->vcpus;
	vm->permissions = PV_PERM_BASE | PV_PERM_CONSOLE | PV_PERM_TIME | PV_PERM_EVENTS |
			  (vm->grant_count ? PV_PERM_HW : 0);
	hc_update_open_calls(vm);
	if (restart)
		vm->console_policy = o->console; /* the queue itself stays as it was */
	else
		vm_console_init(vm, o->console);
	if (kernel.kind != KERNEL_SHUNT) {
		if (linux_boot_setup(vm, &kernel, image, o, err, sizeof(err)))
			return vm_refuse(vm, "%s", err);
	} else if (arch_vcpu_init(&vm->vcpus[0], kernel.entry, vm->ram_size, GUEST_START_INFO_GPA,
				  GUEST_BOOT_AREA_GPA, GUEST_LOAD_MIN_GPA - GUEST_BOOT_AREA_GPA)) {
		return vm_refuse(vm, "could not set up its vCPU");
	}
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		vm->vcpus[i].held = 1; /* until its CPU releases it, after a stop */
	vm->vcpus_held = vm->vcpu_count;
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE); /* built: CPUs may run it */
	vm->boots++;
	log_info("vm %s: created: id %u, %llu MiB RAM at host 0x%llx, entry 0x%llx\n", vm->name,
		 vm->id, (unsigned long long)(vm->ram_size / MIB), (unsigned long long)vm->ram_hpa,
		 (unsigned long long)kernel.entry);
	return vm;
}

/*
 * A fresh slot (the VM's id too: every VM line or boot module takes one, in order) for a VM
 * from `origin`, named after the image file that cmdline starts with, or by its fallback name
 * (vm_options_fallback_name()) until its options give it a name it may keep.
 */
static struct vm *vm_new(const struct vm_origin *origin, const char *cmdline)
{
	char label[64], name[VM_OPTIONS_NAME_MAX];
	int named = vm_options_file_name(cmdline, name) == 0;
	struct vm *vm;
	hpa_t record;

	fmt_escape(label, sizeof(label), cmdline);
	if (vms_used == VM_MAX) {
		log_error("vm: more than %u VMs: %s (\"%s\") ignored\n", VM_MAX, origin->where,
			  label);
		return NULL;
	}
	if (mm_alloc_frames(VM_RECORD_PAGES, PAGE_SIZE, &record)) {
		log_error("vm: no memory left for another VM: %s (\"%s\") ignored\n", origin->where,
			  label);
		return NULL;
	}
	vm = phys_to_virt(record);
	memset(vm, 0, sizeof(*vm));
	vms[vms_used] = vm;
	vm->id = vms_used++;
	strlcpy(vm->origin, origin->where, sizeof(vm->origin));
	for (unsigned int i = 0; named && i < vm->id; i++)
		if (!strcmp(vms[i]->name, name))
			named = -1;
	if (named == 1)
		strlcpy(vm->name, name, sizeof(vm->name));
	else
		vm_options_fallback_name(vm->name, sizeof(vm->name), named ? name : NULL,
					 origin->unnamed, origin->number);
	return vm;
}

void vm_record_refused(const struct vm_origin *origin, const char *cmdline, const char *why)
{
	struct vm *vm = vm_new(origin, cmdline);

	if (!vm)
		return;
	fmt_snprintf(vm->stop_detail, sizeof(vm->stop_detail), "%s: %s", vm->origin, why);
	vm->state = VM_REFUSED;
	vm->stop_reason = VM_STOP_LOAD_FAILED;
	vm->exit_code = -1;
	log_error("vm %s: refused: %s\n", vm->name, vm->stop_detail);
}

struct vm *vm_create(const struct vm_origin *origin, const char *cmdline, const void *image,
		     uint64_t image_size)
{
	static struct vm_options opts;
	/* Options are outside text: escaped before they reach the console or the summary. */
	static char err_shown[2 * VM_STOP_DETAIL_MAX];
	char err[VM_STOP_DETAIL_MAX];
	struct vm *vm = vm_new(origin, cmdline);

	if (!vm)
		return NULL;
	if (vm_options_parse(cmdline, &opts, err, sizeof(err))) {
		fmt_escape(err_shown, sizeof(err_shown), err);
		return vm_refuse(vm, "%s", err_shown);
	}
	/* First come keeps the name; a later one is refused under a name of its own. */
	for (unsigned int i = 0; i < vm->id; i++) {
		if (!strcmp(vms[i]->name, opts.name)) {
			vm_options_fallback_name(vm->name, sizeof(vm->name), opts.name,
						 origin->unnamed, origin->number);
			return vm_refuse(vm, "the name \"%s\" is taken by vm %s (%s)", opts.name,
					 vms[i]->name, vms[i]->origin);
		}
	}
	strlcpy(vm->name, opts.name, sizeof(vm->name));
	vm->options = opts;
	vm->image = image;
	vm->image_size = image_size;
	return vm_build(vm, &vm->options, image, image_size, 0);
}

void vm_stop(struct vm *vm, enum vm_stop_reason reason, int64_t exit_code, const char *fmt, ...)
{
	va_list ap;

	if (vm->state != VM_RUNNING)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->stop_detail, sizeof(vm->stop_detail), fmt, ap);
	va_end(ap);
	__atomic_store_n(&vm->reaping, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&vm->state, VM_STOPPED, __ATOMIC_RELEASE);
	vm->stop_cycles = arch_cycles();
	sched_vm_stopped(vm); /* its vCPUs leave the guest on every CPU, then are released */
	vm->stop_reason = reason;
	vm->exit_code = exit_code;
	vm_console_close(vm);
	log_info("vm %s: stopped: %s (exit code %lld): %s\n", vm->name, vm_stop_reason_name(reason),
		 (long long)exit_code, vm->stop_detail);
}

int vm_io_register(struct vm *vm, uint16_t base, uint16_t count,
		   int (*access)(struct vcpu *, void *, uint16_t, unsigned int, int, uint32_t *),
		   void *device)
{
	if (vm->io_count == VM_IO_HANDLERS_MAX)
		return -ENOSPC;
	vm->io[vm->io_count++] = (struct io_handler){ base, count, access, device };
	return 0;
}

int vm_io_unclaimed(struct vcpu *vcpu, unsigned int size, int write, uint32_t *value)
{
	vcpu->stats.io_unclaimed++;
	if (!write)
		*value = size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
	return 0;
}

unsigned int vm_count_running(void)
{
	unsigned int running = 0;

	for (unsigned int i = 0; i < vms_used; i++)
		running += vms[i]->state == VM_RUNNING;
	return running;
}

unsigned int vm_count_failed(void)
{
	unsigned int failed = 0;

	for (unsigned int i = 0; i < vms_used; i++)
		failed += vms[i]->state != VM_STOPPED ||
			  (vms[i]->stop_reason != VM_STOP_EXIT &&
			   vms[i]->stop_reason != VM_STOP_POWEROFF) ||
			  vms[i]->exit_code != 0;
	return failed;
}

uint64_t vm_hypercalls_total(const struct vm *vm)
{
	uint64_t total = 0;

	for (unsigned int nr = 0; nr <= PV_CALL_COUNT; nr++)
		total += vm_calls(vm, nr);
	return total;
}

void vm_print_summary(void)
{
	log_info("summary: %u VMs\n", vms_used);
	for (unsigned int i = 0; i < vms_used; i++) {
		struct vm *vm = vms[i];

		log_info("summary: vm=%s state=%s reason=%s exit_code=%lld\n", vm->name,
			 vm->state == VM_REFUSED   ? "refused"
			 : vm->state == VM_STOPPED ? "stopped"
						   : "running",
			 vm_stop_reason_name(vm->stop_reason), (long long)vm->exit_code);
		log_info("  detail: %s\n", vm->stop_detail);
		if (vm->state == VM_REFUSED)
			continue;
		if (vm->boots > 1)
			log_info("  boots %u: restarted %u times after a reset; the counters below "
				 "are of its last boot\n",
				 vm->boots, vm->boots - 1);
		log_info("  ABI %u.%u, hypercalls %llu (errors %llu), console bytes %llu, UART "
			 "bytes %llu, unclaimed port accesses %llu\n",
			 vm->abi_version >> 16, vm->abi_version & 0xffff,
			 (unsigned long long)vm_hypercalls_total(vm),
			 (unsigned long long)VM_VCPU_STAT(vm, hypercall_errors),
			 (unsigned long long)vm_stat_read(&vm->stats.console_bytes),
			 (unsigned long long)vm->uart.bytes_out,
			 (unsigned long long)VM_VCPU_STAT(vm, io_unclaimed));
		log_info("  console: %s, bytes dropped %llu, waits for room %llu, throttled %llu\n",
			 vm_console_policy_name(vm->console_policy),
			 (unsigned long long)vm_stat_read(&vm->stats.console_dropped),
			 (unsigned long long)vm_stat_read(&vm->stats.console_waits),
			 (unsigned long long)vm_stat_read(&vm->stats.console_throttled));
		if (vm->uart.bytes_in || vm->uart.rx_overruns ||
		    vm_stat_read(&vm->stats.input_dropped))
			log_info("  console input: bytes %llu, UART overruns %llu, dropped %llu\n",
				 (unsigned long long)vm->uart.bytes_in,
				 (unsigned long long)vm->uart.rx_overruns,
				 (unsigned long long)vm_stat_read(&vm->stats.input_dropped));
		if (vm->grant_count)
			log_info("  hw: calls %llu, port operations %llu, refused %llu, throttled "
				 "%llu\n",
				 (unsigned long long)VM_VCPU_STAT(vm, hw_calls),
				 (unsigned long long)VM_VCPU_STAT(vm, hw_port_ops),
				 (unsigned long long)VM_VCPU_STAT(vm, hw_refused),
				 (unsigned long long)vm_stat_read(&vm->stats.throttled));
		log_info("  events raised %llu, upcalls injected %llu, steal time %llu ms\n",
			 (unsigned long long)VM_VCPU_STAT(vm, events_raised),
			 (unsigned long long)VM_VCPU_STAT(vm, upcalls_injected),
			 (unsigned long long)(vm_vcpu_sum(vm, offsetof(struct vcpu, steal_cycles)) *
					      1000 / arch_tsc_hz()));
		if (vm->platform == VM_PLATFORM_PC)
			log_info("  PIC: interrupts %llu (spurious %llu)\n",
				 (unsigned long long)vm->pic.acks,
				 (unsigned long long)vm->pic.spurious);
#ifdef SHUNT_BENCH_COUNTERS
		if (vm->stop_cycles)
			log_info("  ran %llu us from its start to its stop\n",
				 (unsigned long long)((vm->stop_cycles - vm->start_cycles) /
						      (arch_tsc_hz() / 1000000)));
#endif
		for (unsigned int v = 0; v < vm->vcpu_count; v++) {
			if (vm->vcpu_count > 1)
				log_info("  vCPU %u on CPU %u:%s\n", v, vm->vcpus[v].cpu,
					 !vm->vcpus[v].ever_started ? " never started"
					 : vm->vcpus[v].halted == VCPU_DOWN
						 ? " down at the end (parked)"
						 : "");
			arch_vcpu_print_exits(&vm->vcpus[v]);
		}
	}
}

/* A running VM with at least one grant that was not refused: it shares the hw budget. */
static int uses_hardware(const struct vm *vm)
{
	if (vm->state != VM_RUNNING)
		return 0;
	for (unsigned int i = 0; i < vm->grant_count; i++)
		if (vm->grants[i].verdict == 0)
			return 1;
	return 0;
}

void vm_share_hw_budget(uint32_t budget)
{
	unsigned int users = 0;

	for (unsigned int i = 0; i < vms_used; i++)
		users += uses_hardware(vms[i]);
	if (!users || !budget)
		return;
	/* Each VM's own limit, but never more than its fair part of the machine's budget. */
	for (unsigned int i = 0; i < vms_used; i++) {
		struct token_bucket *b = &vms[i]->buckets[PV_RATE_HW];

		if (!uses_hardware(vms[i]))
			continue;
		if (b->rate == 0 || b->rate > budget / users)
			bucket_init(b, budget / users ? budget / users : 1, b->burst, arch_cycles(),
				    arch_tsc_hz());
	}
	log_info("hw: budget of %u direct hardware calls/s shared by %u VMs: at most %u/s each\n",
		 budget, users, budget / users);
}

/*
 * The bucket may be taken from by the VM's vCPUs on other CPUs at once: the fast take
 * (compare-and-swap) first, bucket_take() for what it leaves (a refusal, a lost race, a
 * clock gone back). A VM of several vCPUs takes its rated calls' tokens here.
 */
int vm_rate_take(struct vm *vm, unsigned int rate_class, uint64_t *retry_after_ns)
{
	struct token_bucket *b = &vm->buckets[rate_class];
	uint64_t now = arch_cycles();

	if (b->rate == 0 || bucket_take_fast(b, now) == 0 || !bucket_take(b, now, retry_after_ns))
		return 0;
	vm_stat_add(&vm->stats.throttled, 1);
	vm_stat_add(&vm->stats.throttles[rate_class], 1);
	return 1;
}

struct vm *vm_find(const char *name)
{
	for (unsigned int i = 0; i < vms_used; i++)
		if (!strcmp(vms[i]->name, name))
			return vms[i];
	return NULL;
}

int vm_admin_stop(struct vm *vm, const char *from)
{
	if (vm->state != VM_RUNNING)
		return -EBUSY;
	vm_stop(vm, VM_STOP_ADMIN, -1, "stopped by admin over the management API (from %s)", from);
	log_info("mgmt: vm %s stopped by admin (from %s)\n", vm->name, from);
	return 0; /* its memory is given back once every CPU released its vCPUs (sched.c) */
}

int vm_admin_start(struct vm *vm, const char *from)
{
	hpa_t probe;

	if (vm->state != VM_STOPPED)
		return -EBUSY;
	if (__atomic_load_n(&vm->reaping, __ATOMIC_ACQUIRE))
		return -EAGAIN; /* its CPUs have yet to release its vCPUs and reap it: soon */
	if (vm->ram_size)
		vm_release(vm);
	/* Its RAM must be there now: a start that can not be had leaves it stopped, not refused. */
	if (mm_alloc_frames(vm->options.mem / PAGE_SIZE, 2 * MIB, &probe))
		return -ENOMEM;
	mm_free_frames(probe, vm->options.mem / PAGE_SIZE);
	log_info("mgmt: vm %s started by admin (from %s)\n", vm->name, from);
	vm->quick_resets = 0; /* a start by the admin is no reset: reboots= counts anew */
	vm_rebuild(vm);
	if (vm->state == VM_RUNNING)
		sched_vm_started(vm);
	return vm->state == VM_RUNNING ? 0 : -ENOMEM;
}
