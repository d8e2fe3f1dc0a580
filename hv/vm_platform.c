/*
 * The PC platform of Linux VMs (VM_PLATFORM_PC, README.md "Linux guests"): the MSRs of each
 * vCPU's x2APIC and KVM clock, the KVM hypervisor leaves, the APIC timer's place in the run
 * loop, IPIs between the VM's vCPUs (INIT and STARTUP bring up its application processors),
 * and the ACPI register block through which the VM powers off or asks for a reset. Shunt's
 * own guests see none of it.
 *
 * An IPI runs on the sender's CPU and may reach a vCPU of another: it changes the target
 * only through its APIC's atomic IRR and start-up word, vcpu_work_set() and sched_kick().
 * The 8259A pair is shared by the VM's vCPUs and the UART: vm->pic_lock guards it.
 */
#include <hv/arch.h>
#include <hv/div128.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/parse.h>
#include <hv/pv.h>
#include <hv/pvclock.h>
#include <hv/pvh.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vm_acpi.h>

#define MSR_IA32_APIC_BASE 0x1b
/* IA32_BIOS_SIGN_ID: the microcode revision, which Linux reads without a fault handler. */
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_VALUE (0xfee00000ull | APIC_BASE_ENABLE | APIC_BASE_X2APIC)

/* The KVM paravirtual interface (Linux's Documentation/virt/kvm/x86/{cpuid,msr}.rst). */
#define KVM_CPUID_BASE 0x40000100u
#define KVM_CPUID_FEATURES 0x40000101u
#define KVM_FEATURE_NOP_IO_DELAY (1u << 1)
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1u << 24)
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define KVM_CLOCK_ENABLE 1ull
#define PVCLOCK_TSC_STABLE_BIT 1u

/* struct pvclock_vcpu_time_info: Shunt's PV clock with the flags byte after the shift. */
struct kvm_clock {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
};
_Static_assert(sizeof(struct kvm_clock) == 32, "pvclock_vcpu_time_info is 32 bytes");

struct kvm_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
};

int vm_platform_cpuid(const struct vcpu *vcpu, uint32_t leaf, uint32_t out[4])
{
	if (vcpu->vm->platform != VM_PLATFORM_PC)
		return -ENOENT;
	switch (leaf) {
	case KVM_CPUID_BASE: /* "KVMKVMKVM\0\0\0" */
		out[0] = KVM_CPUID_FEATURES;
		out[1] = 0x4b4d564b;
		out[2] = 0x564b4d56;
		out[3] = 0x4d;
		return 0;
	case KVM_CPUID_FEATURES:
		out[0] = KVM_FEATURE_NOP_IO_DELAY | KVM_FEATURE_CLOCKSOURCE2 |
			 (arch_tsc_is_invariant() ? KVM_FEATURE_CLOCKSOURCE_STABLE_BIT : 0);
		out[1] = out[2] = out[3] = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

/* The clock as kvmclock reads it: the same scale and zero as Shunt's PV clock. */
static void publish_kvm_clock(struct vm *vm, gpa_t gpa)
{
	struct kvm_clock *c = vm_gpa_to_hva_aligned(vm, gpa, sizeof(*c), 4);
	struct pvclock_scale s;

	if (!c || (gpa & (PAGE_SIZE - 1)) + sizeof(*c) > PAGE_SIZE) {
		log_debug("vm %s: kvmclock at 0x%llx is not in RAM: not published\n", vm->name,
			  (unsigned long long)gpa);
		return;
	}
	if (pvclock_scale_for(arch_tsc_hz(), &s))
		return;
	/* Odd while the fields change (whatever the guest left there), even after. */
	__atomic_store_n(&c->version, c->version | 1, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	c->tsc_timestamp = vm->start_cycles;
	c->system_time = 0;
	c->tsc_to_system_mul = s.mul;
	c->tsc_shift = s.shift;
	c->flags = arch_tsc_is_invariant() ? PVCLOCK_TSC_STABLE_BIT : 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELEASE);
}

/* Wall-clock time at the clock's zero: Shunt has no real-time clock, so the epoch. */
static void publish_wall_clock(struct vm *vm, gpa_t gpa)
{
	struct kvm_wall_clock *w = vm_gpa_to_hva_aligned(vm, gpa, sizeof(*w), 4);

	if (!w)
		return;
	w->version += 2;
	w->sec = 0;
	w->nsec = 0;
}

int vm_platform_msr_read(struct vcpu *vcpu, uint32_t msr, uint64_t *value)
{
	struct vm *vm = vcpu->vm;

	if (vm->platform != VM_PLATFORM_PC)
		return -ENOENT;
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		*value = APIC_BASE_VALUE | (vcpu->id == 0 ? APIC_BASE_BSP : 0);
		return 0;
	case MSR_IA32_BIOS_SIGN_ID:
		*value =
			0; /* no microcode revision to report: the loader is off under a hypervisor */
		return 0;
	case MSR_KVM_SYSTEM_TIME_NEW:
		*value = vcpu->kvm_system_time;
		return 0;
	case MSR_KVM_WALL_CLOCK_NEW:
		*value = vm->kvm_wall_clock;
		return 0;
	default:
		break;
	}
	if (msr != LAPIC_MSR_TSC_DEADLINE && (msr < LAPIC_MSR_FIRST || msr > LAPIC_MSR_LAST))
		return -ENOENT;
	return lapic_msr_read(&vcpu->lapic, msr, arch_cycles(), value) ? -EINVAL : 0;
}

/* An interrupt of the 8259A the APIC's LINT0 would pass now. */
static int extint_pending(const struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	int pending;

	if (!lapic_accepts_extint(&vcpu->lapic))
		return 0;
	spin_lock(&vm->pic_lock);
	pending = i8259_has_output(&vm->pic);
	spin_unlock(&vm->pic_lock);
	return pending;
}

/* What another CPU's IPI may have left: an IRR bit, a start-up. */
static int remote_work(const struct vcpu *vcpu)
{
	return lapic_has_irr(&vcpu->lapic) ||
	       __atomic_load_n(&vcpu->lapic.startup, __ATOMIC_SEQ_CST);
}

/*
 * The APIC needs the run loop while a timer is armed or an interrupt waits, its own or the
 * PIC's, or a STARTUP IPI. Only on vcpu's own CPU. The bit is cleared atomically and the
 * IRR looked at again after: an IPI sets the IRR before the bit, so neither is lost.
 */
static void update_work(struct vcpu *vcpu)
{
	if (lapic_next_deadline(&vcpu->lapic) != LAPIC_NO_DEADLINE || remote_work(vcpu) ||
	    extint_pending(vcpu)) {
		if (!(vcpu->work & VCPU_WORK_LAPIC))
			vcpu_work_set(vcpu, VCPU_WORK_LAPIC);
	} else if (vcpu->work & VCPU_WORK_LAPIC) {
		vcpu_work_clear(vcpu, VCPU_WORK_LAPIC);
		if (remote_work(vcpu))
			vcpu_work_set(vcpu, VCPU_WORK_LAPIC);
	}
}

/*
 * The PIC may have something new to give (from any vCPU's port access, or host work): the
 * first vCPU, which its output is wired to, looks before its next entry.
 */
static void pic_changed(struct vm *vm)
{
	struct vcpu *bsp = &vm->vcpus[0];

	if (extint_pending(bsp)) {
		vcpu_work_set(bsp, VCPU_WORK_LAPIC);
		sched_kick(bsp);
	}
}

/* A fixed interrupt or a STARTUP for target, from any vCPU of its VM on any CPU. */
static void ipi_deliver(struct vcpu *target, const struct lapic_ipi *ipi)
{
	switch (ipi->kind) {
	case LAPIC_IPI_FIXED:
		if (!lapic_deliver(&target->lapic, ipi->vector))
			return;
		break;
	case LAPIC_IPI_STARTUP:
		/* Only a vCPU waiting for it (not started, or parked) takes it; others ignore it. */
		if (__atomic_load_n(&target->halted, __ATOMIC_SEQ_CST) != VCPU_DOWN ||
		    lapic_post_startup(&target->lapic, ipi->vector))
			return;
		vcpu_work_set(target, VCPU_WORK_LAPIC); /* before it runs: its entry work */
		if (sched_vcpu_start(target))		/* another's STARTUP came first */
			return;
		log_info("vm %s: vCPU %u started by a STARTUP IPI, in real mode at 0x%x\n",
			 target->vm->name, target->id, (unsigned int)ipi->vector << 12);
		return;
	case LAPIC_IPI_INIT:
		/* One that waits for STARTUP stays so; INIT of a running vCPU is not emulated. */
		if (__atomic_load_n(&target->halted, __ATOMIC_SEQ_CST) != VCPU_DOWN)
			log_debug("vm %s: INIT of running vCPU %u ignored\n", target->vm->name,
				  target->id);
		return;
	default: /* NMIs are not offered: nothing at boot needs them */
		log_debug("vm %s: IPI of kind %d to vCPU %u ignored\n", target->vm->name,
			  (int)ipi->kind, target->id);
		return;
	}
	vcpu_work_set(target, VCPU_WORK_LAPIC);
	sched_kick(target);
}

/* The ICR was written (SDM Vol. 3A 11.12.9): the IPI goes to every vCPU it names. */
static void ipi_send(struct vcpu *from, uint64_t icr)
{
	struct vm *vm = from->vm;
	struct lapic_ipi ipi;

	lapic_icr_decode(icr, from->lapic.id, vm->vcpu_count, &ipi);
	if (ipi.kind == LAPIC_IPI_NONE || ipi.kind == LAPIC_IPI_INVALID)
		return; /* the ESR says why (lapic_msr_write) */
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (ipi.targets & (1ull << i))
			ipi_deliver(&vm->vcpus[i], &ipi);
}

int vm_platform_park(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	if (vm->platform != VM_PLATFORM_PC || vm->vcpu_count < 2)
		return -1;
	/*
	 * Down first, then the others looked at: of two vCPUs parking at once on two CPUs, at
	 * least one sees the other down, and the VM stops instead of waiting for no one.
	 */
	__atomic_store_n(&vcpu->halted, VCPU_DOWN, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *other = &vm->vcpus[i];

		if (other == vcpu || __atomic_load_n(&other->halted, __ATOMIC_SEQ_CST) == VCPU_DOWN)
			continue;
		vcpu_attention(vcpu, VCPU_ATTN_HALT);
		log_debug("vm %s: vCPU %u parked (HLT with interrupts disabled)\n", vm->name,
			  vcpu->id);
		return 0;
	}
	__atomic_store_n(&vcpu->halted, VCPU_RUNNING, __ATOMIC_SEQ_CST);
	return -1;
}

void vm_platform_set_irq(struct vm *vm, unsigned int irq, int level)
{
	if (vm->platform != VM_PLATFORM_PC)
		return;
	spin_lock(&vm->pic_lock);
	i8259_set_irq(&vm->pic, irq, level);
	spin_unlock(&vm->pic_lock);
	pic_changed(vm);
}

int vm_platform_msr_write(struct vcpu *vcpu, uint32_t msr, uint64_t value)
{
	struct vm *vm = vcpu->vm;

	if (vm->platform != VM_PLATFORM_PC)
		return -ENOENT;
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		/* The x2APIC stays on: writes that keep it so are accepted, others #GP. */
		return (value & ~APIC_BASE_BSP) == APIC_BASE_VALUE ? 0 : -EINVAL;
	case MSR_IA32_BIOS_SIGN_ID:
		return 0; /* the write that asks the CPU to latch the revision: nothing to latch */
	case MSR_KVM_SYSTEM_TIME_NEW: /* each vCPU's own (Linux writes it on every CPU) */
		vcpu->kvm_system_time = value;
		if (value & KVM_CLOCK_ENABLE)
			publish_kvm_clock(vm, value & ~KVM_CLOCK_ENABLE);
		return 0;
	case MSR_KVM_WALL_CLOCK_NEW:
		vm->kvm_wall_clock = value;
		publish_wall_clock(vm, value);
		return 0;
	default:
		break;
	}
	if (msr != LAPIC_MSR_TSC_DEADLINE && (msr < LAPIC_MSR_FIRST || msr > LAPIC_MSR_LAST))
		return -ENOENT;
	if (lapic_msr_write(&vcpu->lapic, msr, arch_cycles(), value))
		return -EINVAL;
	if (msr == LAPIC_MSR_ICR)
		ipi_send(vcpu, value);
	update_work(vcpu);
	return 0;
}

/* A STARTUP IPI came for this vCPU: INIT's and STARTUP's effect, on its own CPU. */
static void start_application_processor(struct vcpu *vcpu, int vector)
{
	lapic_reset(&vcpu->lapic, vcpu->id);
	vcpu->kvm_system_time = 0;
	if (arch_vcpu_start_real_mode(vcpu, (uint16_t)(vector << 8)))
		vm_stop(vcpu->vm, VM_STOP_ENTRY_FAILED, -1,
			"vCPU %u: could not set it up for its STARTUP IPI", vcpu->id);
}

void vm_platform_entry_work(struct vcpu *vcpu)
{
	struct i8259 *pic = &vcpu->vm->pic;
	int vector = lapic_take_startup(&vcpu->lapic);

	if (vector >= 0)
		start_application_processor(vcpu, vector);
	lapic_tick(&vcpu->lapic, arch_cycles());
	vector = lapic_pending_vector(&vcpu->lapic);
	/*
	 * Not now (interrupts masked, an event queued): the arch asks for a window exit. The
	 * APIC's own interrupts go first; the PIC's (ExtINT through LINT0) when it has none.
	 */
	if (vector >= 0) {
		if (!arch_vcpu_inject_vector(vcpu, (uint8_t)vector))
			lapic_accept(&vcpu->lapic, vector);
	} else if (lapic_accepts_extint(&vcpu->lapic)) {
		spin_lock(&vcpu->vm->pic_lock);
		if (i8259_has_output(pic) && !arch_vcpu_inject_vector(vcpu, i8259_vector(pic)))
			i8259_ack(pic); /* the acknowledge happens as the CPU takes it */
		spin_unlock(&vcpu->vm->pic_lock);
	}
	update_work(vcpu);
}

int vm_platform_interrupt_pending(const struct vcpu *vcpu)
{
	return vcpu->vm->platform == VM_PLATFORM_PC &&
	       (lapic_pending_vector(&vcpu->lapic) >= 0 || extint_pending(vcpu));
}

uint64_t vm_platform_next_deadline(const struct vcpu *vcpu)
{
	return vcpu->vm->platform == VM_PLATFORM_PC ? lapic_next_deadline(&vcpu->lapic)
						    : UINT64_MAX;
}

/* The ACPI PM timer: 3.579545 MHz from the VM's start, its low 32 bits (TMR_VAL_EXT). */
static uint32_t pm_timer(const struct vm *vm)
{
	uint64_t ticks = arch_cycles() - vm->start_cycles, hz = arch_tsc_hz();
	uint64_t hi = (uint64_t)(((unsigned __int128)ticks * VM_ACPI_PM_TMR_HZ) >> 64);
	uint64_t lo = ticks * VM_ACPI_PM_TMR_HZ;

	return (uint32_t)div128(hi % hz, lo, hz, NULL);
}

/*
 * The ACPI register block (hv/vm_acpi.h): the hardware-reduced sleep control register and
 * the PM1a control register both power the VM off on S5; the reset register stops it for a
 * reboot. Reads see nothing pending (0), the PM timer its count, the PM1a enable register
 * what was written to it; other writes are ignored.
 */
static int acpi_access(struct vcpu *vcpu, void *device, uint16_t offset, unsigned int size,
		       int write, uint32_t *value)
{
	uint16_t port = (uint16_t)(VM_ACPI_PORT_BASE + offset);
	int sleep_type = -1;

	if (port == VM_ACPI_PM1A_EN_PORT) { /* keeps what is enabled; nothing ever fires */
		if (write)
			vcpu->vm->pm1_enable = (uint16_t)*value;
		else
			*value = vcpu->vm->pm1_enable;
		return 0;
	}
	if (!write) {
		*value = port == VM_ACPI_PM_TMR_PORT ? pm_timer(vcpu->vm) : 0;
		return 0;
	}
	if (port == VM_ACPI_SLEEP_CTL_PORT && (*value & (1u << 5)))
		sleep_type = (int)((*value >> 2) & 7);
	else if (port == VM_ACPI_PM1A_CNT_PORT && size >= 2 && (*value & (1u << 13)))
		sleep_type = (int)((*value >> 10) & 7);
	if (sleep_type == VM_ACPI_S5_SLP_TYP) {
		vm_stop(vcpu->vm, VM_STOP_POWEROFF, 0, "powered off (ACPI S5)");
		return -1;
	}
	if (sleep_type >= 0) {
		log_warn("vm %s: ACPI sleep type %d is not offered: ignored\n", vcpu->vm->name,
			 sleep_type);
		return 0;
	}
	if (port == VM_ACPI_RESET_PORT && (*value & 0xff) == VM_ACPI_RESET_VALUE) {
		vm_stop(vcpu->vm, VM_STOP_REBOOT, 0, "asked for a reset (ACPI reset register)");
		return -1;
	}
	return 0;
}

/*
 * The reset vector's firmware: what a PC's BIOS does on a warm reset, done at once. Linux
 * falls back to jumping there in real mode (reboot=bios, or when other ways fail), and
 * this writes the ACPI reset register:  mov al, 1; mov dx, 0x608; out dx, al; cli; hlt.
 */
static const uint8_t reset_vector_code[] = { 0xb0,
					     VM_ACPI_RESET_VALUE,
					     0xba,
					     VM_ACPI_RESET_PORT & 0xff,
					     VM_ACPI_RESET_PORT >> 8,
					     0xee,
					     0xfa,
					     0xf4 };

enum pic_port { PIC_MASTER, PIC_SLAVE, PIC_ELCR };
static const uint8_t pic_ports[] = { PIC_MASTER, PIC_SLAVE, PIC_ELCR };

/* The PICs' command and data ports and ELCR; device says which (enum pic_port). */
static int pic_access(struct vcpu *vcpu, void *device, uint16_t offset, unsigned int size,
		      int write, uint32_t *value)
{
	struct vm *vm = vcpu->vm;
	uint8_t which = *(const uint8_t *)device, v = (uint8_t)*value;

	if (size != 1) /* the chips decode bytes: wider accesses find nothing */
		return vm_io_unclaimed(vcpu, size, write, value);
	spin_lock(&vm->pic_lock);
	if (which == PIC_ELCR)
		i8259_elcr_access(&vm->pic, offset, write, &v);
	else
		i8259_access(&vm->pic, which, offset, write, &v);
	spin_unlock(&vm->pic_lock);
	if (!write)
		*value = v;
	pic_changed(vm);
	return 0;
}

int vm_platform_attach(struct vm *vm)
{
	uint8_t *reset_vector = vm_gpa_to_hva(vm, PC_RESET_VECTOR_GPA, 16);

	if (!reset_vector)
		return -ENOSPC;
	memcpy(reset_vector, reset_vector_code, sizeof(reset_vector_code));
	vm->platform = VM_PLATFORM_PC;
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		lapic_reset(&vm->vcpus[i].lapic, vm->vcpus[i].id);
	lapic_set_virtual_wire(&vm->vcpus[0].lapic); /* the PIC's LINT0 reaches the first */
	vm->pic_lock = (struct spinlock)SPINLOCK_INIT;
	i8259_reset(&vm->pic);
	if (vm_io_register(vm, I8259_MASTER_PORT, 2, pic_access, (void *)&pic_ports[PIC_MASTER]) ||
	    vm_io_register(vm, I8259_SLAVE_PORT, 2, pic_access, (void *)&pic_ports[PIC_SLAVE]) ||
	    vm_io_register(vm, I8259_ELCR_PORT, 2, pic_access, (void *)&pic_ports[PIC_ELCR]))
		return -ENOSPC;
	return vm_io_register(vm, VM_ACPI_PORT_BASE, VM_ACPI_PORT_COUNT, acpi_access, NULL);
}
