/*
 * Everything generic code needs from an architecture, and nothing more. hv/ calls only
 * these hooks; arch/<name>/ implements them. Each says what it promises.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <hv/memmap.h>
#include <hv/types.h>

struct serial_spec;
/*
 * Brings up the console's serial port, a 16550 in I/O space (SERIAL_PORT) or memory-mapped
 * (SERIAL_MMIO, reachable through the current page tables), at dev->baud (0: the divisor is
 * left as it is). Returns 0, or -ENODEV when nothing answers there; then, as after a
 * SERIAL_NONE spec, the console writes go nowhere.
 */
int arch_console_init(const struct serial_spec *dev);
/* Writes len bytes to the console, translating "\n" to "\r\n"; never fails, may be slow. */
void arch_console_write(const char *s, size_t len);
/*
 * Writes as many of len bytes as the console takes without waiting (on x86 the UART's FIFO,
 * when it is empty), as they are (no "\n" translation). Returns how many: 0 while it is
 * still busy. Without a console every byte is taken. Bounded work.
 */
size_t arch_console_write_nowait(const char *s, size_t len);
/* 1 if the console's serial port can be read (arch_console_read_nowait() may find bytes). */
int arch_console_can_read(void);
/* Reads up to len bytes the console's serial port has received, without waiting: how many
 * (0 when nothing was typed or there is no serial console). Bounded work. */
size_t arch_console_read_nowait(char *buf, size_t len);

/*
 * Installs this CPU's descriptor tables and exception handlers. From here on any CPU
 * exception in the hypervisor prints a register dump and stops the machine (arch_stop)
 * instead of resetting it.
 */
void arch_cpu_init(void);

/*
 * This CPU's index: 0 for the boot CPU, then the order arch_smp_start() started them in.
 * Cheap (x86: one load through GS), valid on every CPU from arch_cpu_init() on.
 */
unsigned int arch_cpu_index(void);

/* This CPU's id as the firmware's MADT names it (x86: its initial local APIC id). */
uint32_t arch_cpu_hw_id(void);

struct smp_cpu;
/*
 * Starts cpus[1..count) (cpus[0] is the boot CPU, which calls this) by their hw_id, each on
 * its own stack and descriptor tables, and, with virt, has each check and turn on hardware
 * virtualization as the boot CPU's arch_virt_probe() did. Tests (0: none): fail_index makes
 * that CPU fail its check, fault_index that one raise an exception while starting (an
 * exception then leaves only that CPU out, with its name as the reason). Returns once every CPU has reported (state READY, UP or FAILED
 * with why, ready_cycles when) or has been given up on (NO_ANSWER, after a bounded wait),
 * with *first_init the arch_cycles() at which the first of them was sent its start signal
 * (x86: INIT), after the boot CPU's preparations. The CPUs that are ready then wait in
 * sched_cpu_main() for their first kick; the others halt for good; nothing of theirs is
 * ever freed.
 */
void arch_smp_start(struct smp_cpu *cpus, unsigned int count, int virt, unsigned int fail_index,
		    unsigned int fault_index, uint64_t *first_init);

/*
 * Interrupts CPU cpu (x86: a fixed IPI): a guest it runs exits to its run loop, an idle wait
 * (arch_idle_until) ends, and a remote flush asked of it is done. Never waits.
 */
void arch_cpu_kick(unsigned int cpu);

/* The unmapped page under this CPU's stack, where an overflow faults; 0 if it has none. */
uint64_t arch_stack_guard(void);

/* One line describing the CPU: vendor, family/model/stepping and brand string. */
void arch_cpu_describe(char *buf, size_t size);
/* The CPU's vendor ("GenuineIntel") and brand strings, each cut to its buffer. */
void arch_cpu_names(char *vendor, size_t vendor_size, char *model, size_t model_size);

/*
 * Replaces the boot page tables with the hypervisor's own: all RAM of map identity-mapped,
 * the hypervisor image with W^X permissions, device ranges unmapped until asked for.
 * Frames come from mm_alloc_frames(). Returns 0 or a negative error.
 */
int arch_paging_init(const struct memmap *map);

/*
 * Maps [base, base + len) read-only for the hypervisor, for firmware tables that lie outside
 * RAM (e.g. ACPI tables in a reserved range). Pages already mapped stay as they are.
 * Returns 0 or -ENOMEM. Callers must have checked that the range is not device memory.
 */
int arch_map_firmware(hpa_t base, uint64_t len);

/*
 * Maps device memory [base, base + len) for the hypervisor itself, uncached and never
 * executable (e.g. PCI ECAM). Pages already mapped stay as they are. 0 or -ENOMEM.
 */
int arch_map_device(hpa_t base, uint64_t len);

/*
 * Runs count port operations (already checked) on the real machine, in order; the value of
 * read i lands in results[i].value (results may be ops itself).
 */
struct pv_port_op;
void arch_ports_run(const struct pv_port_op *ops, uint32_t count, struct pv_port_op *results);

/* Port I/O on the real machine, width 1, 2 or 4 bytes. */
uint32_t arch_port_read(uint16_t port, unsigned int width);
void arch_port_write(uint16_t port, unsigned int width, uint32_t value);

/* PCI configuration space through the legacy mechanism (ports 0xCF8/0xCFC). */
uint32_t arch_pci_cfg_read32(uint32_t bdf, uint16_t offset);
void arch_pci_cfg_write32(uint32_t bdf, uint16_t offset, uint32_t value);

/*
 * Prints the hardware virtualization report (what the CPU offers, what Shunt needs, and
 * one line "virtualization: ready (<vendor>)" or "virtualization: not available: <why>").
 * Returns 1 if guests can run.
 */
int arch_virt_probe(void);
/*
 * The backend arch_virt_probe() chose for guests ("VT-x", "AMD-V"), or NULL with *why (unless
 * why is NULL) saying why there is none, as its verdict line did ("" before the probe).
 */
const char *arch_virt_backend(const char **why);

/* Turns hardware virtualization on for this CPU; after arch_virt_probe() said yes. */
int arch_virt_enable(void);

/*
 * The PV_FEATURE_* bits of Shunt's feature leaf that depend on the virtualization backend,
 * for pv_cpuid() to add to its own: on x86, PV_FEATURE_VMMCALL when guests are to make
 * hypercalls with the AMD instruction (VMMCALL) rather than Intel's (VMCALL), i.e. exactly
 * when the backend that runs guests takes VMMCALL as its hypercall exit. No other bits.
 * The same answer for every VM and vCPU, from arch_virt_probe() on.
 */
uint32_t arch_pv_features(void);

struct vm;
struct vcpu;

/* Sets up vm's second-level address space (empty) and its default-deny I/O and MSR traps. */
int arch_vm_init(struct vm *vm);
/* Maps [gpa, gpa + size) of vm to host RAM at hpa, cacheable, read/write/execute. */
int arch_vm_map_ram(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size);
/* Lets vm reach ports [base, base + count) directly, with no exits (passthrough). */
int arch_vm_open_ports(struct vm *vm, uint16_t base, uint16_t count);
/* Maps device memory [hpa, hpa + size) at gpa in vm, uncached; 0, -EEXIST or -ENOMEM. */
int arch_vm_map_mmio(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size);
/* Removes what arch_vm_map_mmio mapped at [gpa, gpa + size). 0 or -ENOENT. */
int arch_vm_unmap(struct vm *vm, gpa_t gpa, uint64_t size);
/*
 * Takes l, a lock whose holder may call arch_vm_map_mmio or arch_vm_unmap: those wait for
 * the other CPUs running the VM to flush, so a CPU waiting for l answers such requests
 * meanwhile (spin_lock() there could deadlock).
 */
struct spinlock;
void arch_lock_answering_flushes(struct spinlock *l);
/* Frees everything arch_vm_init, arch_vm_map_ram and arch_vcpu_init allocated for vm. */
void arch_vm_destroy(struct vm *vm);

/*
 * Prepares vcpu to start at entry in the architecture's 64-bit mode with stack_top as its
 * stack and arg as its first argument register, building whatever boot structures the
 * mode needs (page tables, descriptor tables) in guest memory [boot_area, +size).
 */
int arch_vcpu_init(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg,
		   gpa_t boot_area, uint64_t boot_area_size);
/*
 * Prepares vcpu, one of its VM's vCPUs that never ran, to start at entry in the same mode
 * and address space as the VM's first vCPU, which arch_vcpu_init() prepared (the same page
 * tables and descriptor tables in guest memory, not built again), with stack_top as its
 * stack, arg in its first argument register and every other register as arch_vcpu_init()
 * leaves them. Runs from a hypercall of another vCPU of the VM, on that vCPU's CPU, which
 * need not be vcpu's: what it builds can be entered from vcpu's own CPU, and the caller's
 * state on this CPU is as it was. 0, -ENOMEM, or -EINVAL when the VM was not prepared by
 * arch_vcpu_init() (a Linux VM).
 */
int arch_vcpu_start(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg);
/*
 * Prepares vcpu to start at entry in 32-bit protected mode with paging off, flat 4 GiB code
 * and data segments, interrupts disabled, arg in the register the PVH boot ABI and multiboot
 * name for it (x86: EBX) and magic in the one multiboot names for its magic (x86: EAX; PVH
 * passes 0), as PVH and multiboot kernels expect. No boot structures are built.
 */
int arch_vcpu_init_flat32(struct vcpu *vcpu, uint32_t entry, uint32_t arg, uint32_t magic);
/*
 * Prepares vcpu to start at entry the way Linux's 64-bit boot protocol (Documentation/arch/
 * x86/boot.rst) enters a kernel: 64-bit mode, paging on with all of its RAM identity-mapped,
 * a GDT with flat code at selector 0x10 and data at 0x18 (__BOOT_CS, __BOOT_DS) loaded into
 * CS and DS, ES, SS, interrupts disabled, and arg (the zero page) in the register the
 * protocol names (x86: RSI). The GDT and page tables are built in guest memory
 * [boot_area, +size).
 */
int arch_vcpu_init_long64(struct vcpu *vcpu, uint64_t entry, uint64_t arg, gpa_t boot_area,
			  uint64_t boot_area_size);
/*
 * Prepares vcpu, a PC VM's vCPU after the first, as a CPU waiting for a STARTUP IPI: its
 * state that of real mode (SDM Vol. 3A 9.1, after INIT), not entered until the scheduler
 * starts it (sched_vcpu_start) after arch_vcpu_start_real_mode(). No boot structures.
 */
int arch_vcpu_init_real_mode(struct vcpu *vcpu);
/*
 * A STARTUP IPI's effect (SDM Vol. 3A 11.6.1, 9.4.4): vcpu's state set as INIT leaves it,
 * real mode with CS selector cs, its base cs << 4, IP 0, interrupts disabled, general
 * registers clear. Only on vcpu's own CPU, before it is entered (its entry work), after
 * arch_vcpu_init_real_mode(). 0, or negative when its state could not be written.
 */
int arch_vcpu_start_real_mode(struct vcpu *vcpu, uint16_t cs);
/*
 * Runs vcpu until it yields or halts (vcpu->attention), uses up its slice (SCHED_SLICE_CYCLES
 * of arch_cycles(), the same on every CPU), or its VM stops. Exits are handled inside; guest faults stop only its VM.
 * The slice is checked after every exit, so it overruns by at most one exit's bounded work;
 * and whenever arch_cycles() passes sched_host_work_due() the vCPU exits (if need be) and
 * sched_host_work() runs. At the slice's end it asks sched_switch() for the next vCPU and
 * runs that one the same way, each for a slice of its own, without returning; it
 * returns when sched_switch() says NULL, with the vCPU that ran last (its VM may have
 * stopped).
 */
struct vcpu *arch_vcpu_run(struct vcpu *vcpu);
/*
 * Queues an external interrupt with vector for vcpu's next entry. Returns 0, or -EBUSY when
 * the guest can not take one now (interrupts masked, an event already queued): the arch
 * then makes the vCPU exit as soon as it can, and the caller tries again on the next entry.
 */
int arch_vcpu_inject_vector(struct vcpu *vcpu, uint8_t vector);
/*
 * On vcpu's own CPU, with its VM stopped and no CPU running it: whatever the CPU still
 * holds of it (x86 VT-x: its VMCS, cached; its TLB entries) is let go, so that its VM's
 * memory may be freed and reused. Before the VM's arch_vm_destroy().
 */
void arch_vcpu_release(struct vcpu *vcpu);
/* Prints vcpu's exit counts by reason, for the end-of-run summary. */
void arch_vcpu_print_exits(const struct vcpu *vcpu);
/*
 * Calls fn once for each kind of exit vm's vCPUs took in its current boot, with the kind's
 * name (the summary's word, e.g. "CPUID") and the count over all its vCPUs, in the
 * backend's order. For the management API and metrics: host work only.
 */
void arch_vm_for_each_exit(const struct vm *vm,
			   void (*fn)(void *ctx, const char *kind, uint64_t count), void *ctx);

/* How arch_stop() leaves the machine. */
enum arch_stop_mode {
	ARCH_STOP_HALT,	     /* halts with interrupts off */
	ARCH_STOP_POWER_OFF, /* the emulators' and ACPI's power-off; halts if none works */
	ARCH_STOP_REBOOT,    /* a platform reset; halts if none works */
};

/*
 * Stops the machine for good as mode says. exit_code reaches the emulator where it can carry
 * one (QEMU's isa-debug-exit).
 */
void arch_stop(enum arch_stop_mode mode, int exit_code) __attribute__((noreturn));

/*
 * A fatal error on this CPU (a panic, an exception in Shunt): every other CPU running
 * Shunt's code stops where it is, for good, with the vCPU it ran (x86: an NMI, whose handler
 * halts), and this waits at most 100 ms for the others (how many there are) to do so.
 * Returns how many did. The first CPU to call it stops the others; one that calls it after
 * is stopped too, and a second call on the first returns the same count.
 */
unsigned int arch_stop_other_cpus(unsigned int others);

/*
 * Zeroes count pages at p (page aligned) as fast as the CPU allows (x86: REP STOSQ): every
 * frame handed out is, a VM's RAM included.
 */
void arch_zero_pages(void *p, uint64_t count);

/* A raw 64-bit counter that increases monotonically (x86: the TSC), for coarse timing. */
uint64_t arch_cycles(void);
/*
 * Waits until arch_cycles() >= deadline, or a kick from another CPU (arch_cpu_kick), with
 * the CPU halted where the machine has a timer to wake it (x86: the local APIC's
 * TSC-deadline timer), so that an idle machine, or the emulator it runs in, does no work
 * meanwhile. Returns at once for a deadline passed; UINT64_MAX waits for a kick alone.
 */
void arch_idle_until(uint64_t deadline);

struct wall_date;
/*
 * Reads the machine's real-time clock into out as it stands (not validated: the caller
 * checks the date), its century from register century_index when non-zero (the firmware
 * names it), else guessed from the two-digit year (70-99: 19xx, else 20xx). Returns 0,
 * -EIO when the clock never holds still long enough to be read, or -EINVAL when its
 * registers hold no date at all (digits that are not decimal). Boot only.
 */
int arch_rtc_read(struct wall_date *out, unsigned int century_index);

/*
 * The CPU's own random number generator, when it has one: its name (x86: "RDSEED", a true
 * random source, preferred over "RDRAND", a DRBG the CPU reseeds itself), or NULL when there
 * is none. arch_random_read() fills *out from it, retrying as the vendor advises when the
 * generator is momentarily drained: 0, or -EIO when it kept failing (or there is none).
 */
const char *arch_random_source(void);
int arch_random_read(uint64_t *out);

/* How many arch_cycles() per second; measured once, then remembered. Never 0. */
uint64_t arch_tsc_hz(void);
/* 1 if arch_cycles() runs at a constant rate in every power state (invariant TSC). */
int arch_tsc_is_invariant(void);

#endif
