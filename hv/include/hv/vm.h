/*
 * Virtual machines and their vCPUs: identity, memory, lifecycle (created, running, stopped
 * with a reason and an exit code) and what they did. Architecture state is embedded by
 * value (struct arch_vm / arch_vcpu) and touched only through arch hooks.
 */
#ifndef HV_VM_H
#define HV_VM_H

#include <arch/vm_arch.h>
#include <hv/console.h>
#include <hv/devices/i8259.h>
#include <hv/devices/lapic.h>
#include <hv/devices/uart16550.h>
#include <hv/hw.h>
#include <hv/ratelimit.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <hv/vm_options.h>

#define VM_MAX 64 /* a stated cap; below it, free memory bounds the number of VMs */
#define VM_ORIGIN_MAX 24
#define VM_STOP_DETAIL_MAX 256
/* Every granted window, the UART, ACPI, and a PC's two PICs and their ELCR. */
#define VM_IO_HANDLERS_MAX (HW_MAX_WINDOWS + 5)
#define VM_INPUT_QUEUE 256 /* console input not yet taken by the VM's UART */
#define VM_MMIO_MAPS_MAX 4
#define VM_VCPUS_MAX 8 /* vcpus=N: a stated cap, each vCPU pinned to one CPU (sched.c) */

enum vm_state {
	VM_EMPTY = 0, /* slot unused */
	VM_REFUSED,   /* never ran: its image or options were refused */
	VM_RUNNING,   /* runnable or running */
	VM_STOPPED,   /* stopped for good */
};

enum vm_stop_reason {
	VM_STOP_NONE = 0,
	VM_STOP_EXIT,	      /* the guest asked to exit (PV_CALL_EXIT) */
	VM_STOP_TRIPLE_FAULT, /* the guest triple-faulted */
	VM_STOP_BAD_ACCESS,   /* touched guest-physical memory it does not have */
	VM_STOP_UNHANDLED,    /* did something Shunt does not emulate */
	VM_STOP_ENTRY_FAILED, /* the CPU refused to enter it (invalid state) */
	VM_STOP_HALTED,	      /* halted with interrupts off: it can never wake up */
	VM_STOP_LOAD_FAILED,  /* its image or options were refused */
	VM_STOP_POWEROFF,     /* powered itself off (ACPI S5 on the PC platform) */
	VM_STOP_REBOOT,	      /* asked for a reset, and was not restarted (reboots=0) */
	VM_STOP_REBOOT_LOOP,  /* reset more than reboots= times in a row, each soon after start */
	VM_STOP_ADMIN,	      /* stopped by the admin over the management API */
};

/* A reset this soon after a VM (re)started counts towards its reboots= limit (vm_reap()). */
#define VM_QUICK_RESET_SECONDS 60

/* What a VM's machine looks like besides RAM, the emulated UART and Shunt's calls. */
enum vm_platform {
	VM_PLATFORM_SHUNT = 0, /* Shunt's own guests: pv-abi/SPEC.md §8, no APIC, no ACPI */
	VM_PLATFORM_PC, /* Linux VMs: an x2APIC, ACPI tables, the KVM clock (hv/linux_boot.c) */
};

struct vm;
struct vcpu;

/* What an io_handler's access() returns besides 0 (done): not now, retry the access later. */
#define VM_IO_RETRY 1

/* An emulated port range: access() returns 0, VM_IO_RETRY, or -1 if it stopped the VM. */
struct io_handler {
	uint16_t base;
	uint16_t count;
	int (*access)(struct vcpu *vcpu, void *device, uint16_t offset, unsigned int size,
		      int write, uint32_t *value);
	void *device;
};

/* Work to do before the next entry into a vCPU (struct vcpu.work). */
#define VCPU_WORK_TIMER (1u << 0)  /* a PV timer is armed */
#define VCPU_WORK_NOTIFY (1u << 1) /* events are pending: inject the event vector */
/* The emulated local APIC has a timer armed or an IRR bit, or its PIC an interrupt to give. */
#define VCPU_WORK_LAPIC (1u << 2)

/*
 * Why the run loop must look before the vCPU's next entry (struct vcpu.attention): whoever
 * changes what the run loop acts on sets a bit with vcpu_attention(), which also makes
 * the one word every exit checks, vcpu.look_at, say "now".
 */
#define VCPU_ATTN_YIELD (1u << 0) /* give the CPU back now (YIELD, a held OUT, the slice) */
#define VCPU_ATTN_HALT (1u << 1)  /* halted (HLT): asleep until an event or its timer */
#define VCPU_ATTN_STOP (1u << 2)  /* its VM stopped (kept until a restart rebuilds it) */
#define VCPU_ATTN_WORK (1u << 3)  /* vcpu.work or a deadline changed: an event to inject, ... */
#define VCPU_ATTN_HOST (1u << 4)  /* sched_defer()red work waits: back to sched_run() (kept) */

struct pv_vcpu_page;

/*
 * A vCPU's own counters: written only by the CPU the vCPU runs on (plain increments, the
 * hot paths' cost), read by host work on CPU 0 with vm_vcpu_sum() (hv/LOCKING.md). An
 * aligned 64-bit load is never torn: a reader sees each one exact, at most a few calls
 * behind. A VM's figure is the sum over its vCPUs.
 */
struct vcpu_stats {
	uint64_t events_raised; /* the one exception: raised from any CPU (a PV IPI), atomic add */
	uint64_t upcalls_injected;
	/* Hypercalls made, by call number; [PV_CALL_COUNT]: numbers no call has. */
	uint64_t calls[PV_CALL_COUNT + 1];
	uint64_t hypercall_errors;
	uint64_t hw_calls;    /* direct hardware calls run (HW_* hypercalls, not throttled ones) */
	uint64_t hw_port_ops; /* port operations run on real hardware (batched or trapped) */
	uint64_t hw_refused;  /* of those calls, the ones that returned an error (bad batch, ...) */
	uint64_t io_unclaimed; /* port accesses nothing emulates */
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	/*
	 * arch_cycles() from which an exit goes back to the run loop instead of straight into
	 * the guest: the run loop sets it to its first deadline, vcpu_attention() to 0.
	 */
	uint64_t look_at;
	uint32_t attention;	 /* VCPU_ATTN_*: what the run loop is to look at */
	uint32_t work;		 /* VCPU_WORK_*: done by the run loop before the next entry */
	uint64_t retry_after_ns; /* set by a call that answers PV_ETHROTTLED: the guest's RDX */
	/*
	 * The arch brings the vCPU back to the run loop by this arch_cycles() at the latest (its
	 * slice's end, its PV timer, host work): a new deadline before it needs VCPU_ATTN_WORK.
	 */
	uint64_t run_deadline;
	/*
	 * VCPU_HALTED: asleep in HLT, passed by until it is woken (sched.c); VCPU_DOWN: not
	 * started yet (a VM's vCPUs after the first, until the guest starts them), passed by.
	 */
	int halted;
	int start_claimed;	 /* VCPU_START (hv/vcpu_start.c) took it: set once, atomically */
	struct vcpu *sched_next; /* the next in its CPU's round-robin ring (sched.c) */
	unsigned int cpu;	 /* the CPU it runs on, for good (placed by vm_build(), sched.c) */
	int ever_started;	 /* it ran in this boot of its VM (it may be down again: parked) */
	/* sched_host_work_due() as its CPU sees it: console_due on CPU 0, else a UINT64_MAX. */
	const uint64_t *host_due;
	int held; /* its CPU may hold state of it (sched.c releases it once its VM stopped) */

	gpa_t page_gpa;		   /* the vCPU page (pv-abi/vcpu_page.h), 0 = none */
	struct pv_vcpu_page *page; /* the same, as a host pointer into guest RAM */
	uint8_t event_vector;	   /* 0 = events not bound */
	uint64_t timer_deadline;   /* in arch_cycles(); valid with VCPU_WORK_TIMER */
	uint64_t runnable_since;   /* arch_cycles() since when it waits for the CPU, runnable */
	uint64_t steal_cycles;

	struct vcpu_stats stats;
	struct lapic lapic;	  /* VM_PLATFORM_PC only */
	uint64_t kvm_system_time; /* MSR_KVM_SYSTEM_TIME_NEW as this vCPU wrote it (PC only) */
	struct arch_vcpu arch;
};

/* struct vcpu.halted */
#define VCPU_RUNNING 0
#define VCPU_HALTED 1
#define VCPU_DOWN 2

/* Asks the run loop to look at vcpu before its next entry, for why (VCPU_ATTN_*). */
static inline void vcpu_attention(struct vcpu *vcpu, uint32_t why)
{
	vcpu->attention |= why;
	vcpu->look_at = 0;
}

/*
 * A VM's counters that are not per vCPU (the per-call ones are: struct vcpu_stats). Any of
 * its vCPUs may add to them from its own CPU, so they change only by vm_stat_add() (an
 * atomic add) and are read with vm_stat_read(); none is on a hot path (refusals, console
 * writes, typed input).
 */
struct vm_stats {
	uint64_t throttled; /* PV_ETHROTTLED answers (any class), hw accesses delayed */
	uint64_t throttles[VM_OPTIONS_RATE_CLASSES]; /* of those, vm_rate_take()'s, by class */
	uint64_t console_bytes;	    /* console output taken (printed, dropped or discarded) */
	uint64_t console_dropped;   /* of those, dropped for lack of room (console=lossy) */
	uint64_t console_waits;	    /* writes told to wait for room in the buffer */
	uint64_t console_throttled; /* writes told to wait for the byte rate (rate=console:) */
	uint64_t input_dropped;	    /* console input lost: its queue was full */
};

struct vm {
	unsigned int id; /* its place among the VM lines (or boot modules), from 0 */
	/* Unique among VMs: its name option or file's, or a fallback (vm_options_fallback_name()). */
	char name[VM_OPTIONS_FALLBACK_NAME_MAX];
	char origin[VM_ORIGIN_MAX]; /* struct vm_origin's where */
	enum vm_state state;
	enum vm_stop_reason stop_reason;
	int64_t exit_code;
	char stop_detail[VM_STOP_DETAIL_MAX];

	/* What a reset starts it again from (vm_reap()): its image and options, as first read. */
	const void *image;
	uint64_t image_size;
	struct vm_options options;
	unsigned int boots;	   /* times started: 1 + resets that restarted it */
	unsigned int quick_resets; /* resets in a row, each within VM_QUICK_RESET_SECONDS */
	unsigned int vcpu_cpus[VM_VCPUS_MAX]; /* where each vCPU runs, placed once (sched_place) */
	unsigned int vcpus_held; /* vCPUs whose CPU has not released them (atomic, sched.c) */
	/*
	 * 1 from its stop until it is reaped (released, or restarted after a reset) by the CPU
	 * that released its last vCPU: nothing else touches its machine meanwhile (atomic).
	 * Kept across rebuilds, which the reaping CPU does.
	 */
	unsigned int reaping;

	struct console_queue console; /* output waiting for the serial line: open across resets */
	uint8_t console_data[CONSOLE_QUEUE_SIZE];
	/*
	 * Guards uart and input when uart_shared: the VM's vCPUs' COM1 accesses and typed input
	 * (CPU 0's host work) may then come from different CPUs (vm_uart_lock()). Kept across
	 * rebuilds, which take it once before they zero the machine.
	 */
	struct spinlock uart_lock;

	/*
	 * The machine: everything from here on is built by vm_build() and given anew, zeroed
	 * first, when the VM is restarted after a reset (VM_MACHINE_START).
	 */
	hpa_t ram_hpa; /* guest RAM is [0, ram_size) guest-physical, contiguous here */
	uint64_t ram_size;

	/* pv-abi state */
	uint32_t abi_version; /* negotiated by PV_CALL_HELLO; 0 until then */
	uint32_t os_kind;     /* as the guest named itself in HELLO */
	uint64_t os_version;
	uint32_t permissions;  /* PV_PERM_* classes this VM may call */
	uint64_t calls_open;   /* bit n: call n may be made now (hc_update_open_calls) */
	uint64_t calls_direct; /* of those, the ones with no rate limit or counters to keep */
	/* and those with nothing but the "other" class's bucket; a VM of one vCPU only */
	uint64_t calls_limited;
	uint64_t start_cycles; /* arch_cycles() when the scheduler started: the PV clock's zero */
	uint64_t stop_cycles;  /* arch_cycles() when it stopped */
	gpa_t ring_gpa;	       /* console ring (pv-abi/console_ring.h), 0 = none */
	uint32_t ring_size;
	enum vm_console_policy console_policy;
	enum vm_platform platform;
	uint64_t kvm_wall_clock; /* MSR_KVM_WALL_CLOCK_NEW as written (PC platform) */
	uint16_t pm1_enable;	 /* the ACPI PM1a enable register as written */

	/* direct hardware access */
	struct hw_grant grants[VM_OPTIONS_GRANTS_MAX];
	unsigned int grant_count;
	struct hw_port_window windows[HW_MAX_WINDOWS]; /* ports of usable io/passthrough grants */
	unsigned int window_count;
	struct {
		gpa_t gpa;
		uint64_t size;
	} mmio_maps[VM_MMIO_MAPS_MAX];
	/*
	 * Guards mmio_maps and the second-level mappings they make: HW_MMIO_MAP and UNMAP may
	 * come from two of the VM's vCPUs on two CPUs at once (hv/hw_calls.c).
	 */
	struct spinlock mmio_lock;
	struct token_bucket buckets[VM_OPTIONS_RATE_CLASSES]; /* indexed by PV_RATE_* */

	unsigned int vcpu_count; /* vcpus=N */
	struct vcpu vcpus[VM_VCPUS_MAX];
	struct io_handler io[VM_IO_HANDLERS_MAX];
	unsigned int io_count;
	struct uart16550 uart;
	uint8_t uart_shared; /* several vCPUs, or one off CPU 0: uart_lock is taken */
	struct i8259 pic;    /* VM_PLATFORM_PC only */
	/*
	 * Guards pic: any vCPU's port access, the UART's interrupt line (from a vCPU or host
	 * work) and vCPU 0's acknowledge may come from different CPUs (hv/vm_platform.c).
	 */
	struct spinlock pic_lock;
	struct {
		uint8_t data[VM_INPUT_QUEUE];
		uint32_t head, tail; /* bytes, wrapping at 2^32 */
	} input;
	struct vm_stats stats; /* of its current boot */
	struct arch_vm arch;
};

/* The sum over vm's vCPUs of the uint64_t at offset in struct vcpu (offsetof). */
uint64_t vm_vcpu_sum(const struct vm *vm, size_t offset);
/* The sum over vm's vCPUs of their struct vcpu_stats counter (a field name). */
#define VM_VCPU_STAT(vm, field) vm_vcpu_sum(vm, offsetof(struct vcpu, stats.field))
/* Calls of number nr (PV_CALL_COUNT: unknown numbers) vm made, all its vCPUs together. */
uint64_t vm_calls(const struct vm *vm, unsigned int nr);

/* struct vm_stats: adds n from any CPU; reads one counter whole. */
static inline void vm_stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static inline uint64_t vm_stat_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* Hypercalls vm made in its current boot, every call number together. */
uint64_t vm_hypercalls_total(const struct vm *vm);

/* A pointer to vm's [gpa, gpa + len) if it is RAM and aligned to align (a power of two). */
void *vm_gpa_to_hva_aligned(struct vm *vm, gpa_t gpa, uint64_t len, uint64_t align);

/* Where a VM was asked for, for messages and fallback names. */
struct vm_origin {
	char where[VM_ORIGIN_MAX]; /* "shunt.cfg:5" or "boot module 3" */
	const char *unnamed;	   /* "line" or "module": a nameless VM is "UNNAMED#number" */
	unsigned int number;	   /* the line or module number */
};

/*
 * Creates and loads a VM from cmdline ("<image file> <options...>") and the image; on
 * refusal the VM is kept as VM_REFUSED, with the reason logged.
 */
struct vm *vm_create(const struct vm_origin *origin, const char *cmdline, const void *image,
		     uint64_t image_size);

/*
 * Keeps a VM that could not even be tried (its line is malformed, its file missing or not
 * loaded, ...) in the summary as refused, named after its file, with why logged as
 * "vm NAME: refused: ORIGIN: why".
 */
void vm_record_refused(const struct vm_origin *origin, const char *cmdline, const char *why);

/* Stops vm for good with reason and code; detail says what happened, for the summary. */
void vm_stop(struct vm *vm, enum vm_stop_reason reason, int64_t exit_code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Host pointer to [gpa, gpa + len) of vm's RAM, or NULL unless all of it is guest RAM. */
void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len);

int vm_io_register(struct vm *vm, uint16_t base, uint16_t count,
		   int (*access)(struct vcpu *, void *, uint16_t, unsigned int, int, uint32_t *),
		   void *device);
/* A port no handler claims: counted; it reads as all ones, a write is dropped. Returns 0. */
int vm_io_unclaimed(struct vcpu *vcpu, unsigned int size, int write, uint32_t *value);

/*
 * Emulated port access from a vCPU, by the handler that claims the port; unclaimed ports
 * read as all ones, writes are dropped. Inline in the architecture's port I/O exit.
 */
static inline int vm_io_access(struct vcpu *vcpu, uint16_t port, unsigned int size, int write,
			       uint32_t *value)
{
	struct vm *vm = vcpu->vm;
	const struct io_handler *h = vm->io, *end = vm->io + vm->io_count;

	for (; h < end; h++)
		if ((uint16_t)(port - h->base) < h->count)
			return h->access(vcpu, h->device, (uint16_t)(port - h->base), size, write,
					 value);
	return vm_io_unclaimed(vcpu, size, write, value);
}

/* hv/vm_console.c: the VM's console output, queued for the serial line. */
void vm_console_init(struct vm *vm, enum vm_console_policy policy);
/*
 * Offers len bytes of vm's console output. Takes all of them, or (partial) as many as its
 * buffer and byte rate allow now. Returns the bytes taken (lossy and discard VMs: all, the
 * ones not printed counted), or -EAGAIN with the wait in *retry_after_ns when none can be.
 */
int64_t vm_console_put(struct vm *vm, const void *buf, uint32_t len, int partial,
		       uint64_t *retry_after_ns);
/* vm_console_put() in two steps, for output in pieces (a ring's wrap): how many bytes may
 * be written now (their tokens taken; a refusal counted), then writing that many. Both with
 * the VM's console queue lock held (console_queue_lock), from the one to the other. */
int64_t vm_console_reserve(struct vm *vm, uint32_t len, int partial, uint64_t *retry_after_ns);
void vm_console_commit(struct vm *vm, const void *buf, uint32_t n);
/* 1 while a console=print VM's buffer has no room: its UART shows the transmitter busy. */
int vm_console_is_full(const struct vm *vm);
const char *vm_console_policy_name(enum vm_console_policy policy);
/* The VM is done writing: its last partial line is closed and printed. */
void vm_console_close(struct vm *vm);
/* Console input for vm (it has the focus): queued, and into its UART as far as it takes. */
void vm_console_input(struct vm *vm, const uint8_t *buf, unsigned int n);
/* Moves queued input into vm's UART while its receive FIFO has room (if it runs). */
void vm_console_input_refill(struct vm *vm);
/*
 * The UART's lock, taken only for a VM whose COM1 may be reached from two CPUs at once
 * (uart_shared): 1 if taken, for vm_uart_unlock(). Taken before the PIC's and the console
 * queue's locks (hv/LOCKING.md).
 */
static inline int vm_uart_lock(struct vm *vm)
{
	if (!vm->uart_shared)
		return 0;
	spin_lock(&vm->uart_lock);
	return 1;
}

static inline void vm_uart_unlock(struct vm *vm, int taken)
{
	if (taken)
		spin_unlock(&vm->uart_lock);
}
/* 1 if vm's COM1 is the emulated 16550 (not a granted real port). */
int vm_console_has_uart(const struct vm *vm);
/* The emulated UART's interrupt line changed (owner: its VM): to the VM's PIC, and its
 * FIFO refilled when the VM read it empty. */
void vm_console_uart_irq(void *owner);

/*
 * After the run loop ran vm: a VM that asked for a reset starts again from its image and
 * options (up to its reboots= limit of quick resets in a row, then it stops with reason
 * reboot-loop); a stopped VM's RAM and second-level tables are freed (its record stays for
 * the summary).
 */
void vm_reap(struct vm *vm);
/*
 * The admin's actions (hv/net/api.c), only with no vCPU on the CPU (sched_defer()). Stop: a
 * running VM stops with reason VM_STOP_ADMIN, exit code -1, and gives its memory back at
 * once; from is the client's address, for the log and the detail. Start: a stopped VM (not
 * a refused one) is built again from its image and options as a reset does (RAM cleared,
 * devices reset, console kept, boots counted), its quick resets counted anew. 0, -EBUSY
 * (stop: not running; start: running or refused), or -ENOMEM (start: not enough memory now).
 */
int vm_admin_stop(struct vm *vm, const char *from);
int vm_admin_start(struct vm *vm, const char *from);
/* The VM named name, or NULL. */
struct vm *vm_find(const char *name);

/* VMs that did not end by their own PV_CALL_EXIT with code 0 (refused ones included). */
unsigned int vm_count_failed(void);

/* VMs built and running (not refused, not yet stopped). */
unsigned int vm_count_running(void);
/* One line per VM (state, stop reason, exit code) plus counters and exits by reason. */
void vm_print_summary(void);

/*
 * Caps the hw rate of each VM that holds a usable grant at an equal share of budget calls/s
 * (0: no cap). Split once, at boot, among those VMs only.
 */
void vm_share_hw_budget(uint32_t budget);

/*
 * Takes a token from vm's bucket of rate_class (PV_RATE_*): 0, or 1 with the throttle
 * counted and *retry_after_ns the wait until the next token.
 */
int vm_rate_take(struct vm *vm, unsigned int rate_class, uint64_t *retry_after_ns);

/*
 * hv/vm_platform.c, the PC platform of Linux VMs: MSRs it emulates (x2APIC, TSC deadline,
 * APIC base, the KVM clock): 0, -EINVAL for #GP, or -ENOENT when the VM has no such MSR
 * there (the architecture's own table decides).
 */
int vm_platform_msr_read(struct vcpu *vcpu, uint32_t msr, uint64_t *value);
int vm_platform_msr_write(struct vcpu *vcpu, uint32_t msr, uint64_t value);
/* Before entering vcpu (VCPU_WORK_LAPIC): fires the APIC timer, injects what is due. */
void vm_platform_entry_work(struct vcpu *vcpu);
/* When the vCPU must come out for its APIC timer (arch_cycles()), or UINT64_MAX. */
uint64_t vm_platform_next_deadline(const struct vcpu *vcpu);
/* 1 if a Linux VM's APIC has an interrupt it would deliver now (wakes it from HLT). */
int vm_platform_interrupt_pending(const struct vcpu *vcpu);
/*
 * HLT with interrupts disabled on a PC VM's vCPU: 0 if it parks instead of stopping its VM
 * (another of the VM's vCPUs runs on: it waits for a STARTUP IPI, as a CPU that Linux stops
 * does), -1 if nothing could ever wake it.
 */
int vm_platform_park(struct vcpu *vcpu);
/* Drives a PC VM's ISA interrupt line irq (its PIC's input) to level; others: nothing. */
void vm_platform_set_irq(struct vm *vm, unsigned int irq, int level);
/* Makes vm a PC-platform VM: its x2APIC and PICs reset, their ports and ACPI's registered
 * (0 or -ENOSPC). */
int vm_platform_attach(struct vm *vm);
/* The KVM hypervisor leaves at 0x40000100 for PC VMs: 0 with out filled, or -ENOENT. */
int vm_platform_cpuid(const struct vcpu *vcpu, uint32_t leaf, uint32_t out[4]);

/* Iteration over all VM slots in use. */
struct vm *vm_at(unsigned int index);
unsigned int vm_count(void);
const char *vm_stop_reason_name(enum vm_stop_reason reason);

#endif
