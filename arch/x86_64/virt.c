/*
 * The vendor boundary's shared side: arch_virt_probe() picks the backend (VMX on a CPU that
 * has it, else SVM) and prints the vendor-neutral verdict line; the arch_* hooks of VMs and
 * vCPUs go to that backend's struct vendor_ops. What both backends share about a VM lives
 * here too: its I/O permission map (one bit per port, 1 = exit; VMX's bitmaps A and B are
 * its first two pages, SVM's IOPM all three, AMD APM Vol. 2 15.10.1) and its MSR map.
 */
#include <arch/cpu.h>
#include <arch/guest_boot.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <pvabi/pvabi.h>

#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID80000001_ECX_SVM (1u << 2)

static const struct vendor_ops *vendor;
static const char *virt_why = ""; /* why there is no backend, as the verdict line said */

/*
 * Remote invalidation of second-level translations (flush_others): one request at a time,
 * under flush_lock, which guards flush_vm; flush_asked[c] is bumped by the requester and
 * flush_done[c] set to it by CPU c once it flushed (both atomic). Whoever waits (for the
 * lock or for an answer) answers its own CPU's requests meanwhile, so two CPUs asking each
 * other at once do not wait for ever.
 */
static struct spinlock flush_lock = SPINLOCK_INIT;
static struct vm *flush_vm;
static uint32_t flush_asked[64], flush_done[64];

const char *arch_virt_backend(const char **why)
{
	if (why)
		*why = virt_why;
	return vendor ? vendor->name : NULL;
}

int arch_virt_probe(void)
{
	int vmx = !!(cpuid(1, 0).ecx & CPUID1_ECX_VMX);
	int svm = cpuid(0x80000000, 0).eax >= 0x80000001 &&
		  (cpuid(0x80000001, 0).ecx & CPUID80000001_ECX_SVM);
	const struct vendor_ops *ops = vmx ? &vmx_ops : svm ? &svm_ops : NULL;
	const char *missing;

	if (cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR)
		log_info("virt: running under another hypervisor (CPUID.1:ECX[31])\n");
	if (!ops) {
		log_info("virt: VMX: no\n");
		log_info("virt: AMD-V (SVM): no\n");
		virt_why = "CPU has neither VMX nor SVM";
		log_info("virtualization: not available: %s\n", virt_why);
		return 0;
	}
	missing = ops->probe();
	if (missing) {
		virt_why = missing;
		log_info("virtualization: not available: %s\n", missing);
		return 0;
	}
	vendor = ops;
	log_info("virtualization: ready (%s)\n", ops->name);
	return 1;
}

uint32_t arch_pv_features(void)
{
	return vendor ? vendor->pv_features : 0;
}

int arch_virt_enable(void)
{
	return vendor->enable();
}

int virt_cpu_enable(int simulate_fail, unsigned int index, hpa_t pages[2], char *why,
		    size_t why_size)
{
	if (simulate_fail) {
		fmt_snprintf(why, why_size, "%s check failed on purpose (test word smp.fail=%u)",
			     vendor->name, index);
		return -1;
	}
	return vendor->cpu_enable(pages, why, why_size);
}

int arch_vm_init(struct vm *vm)
{
	struct arch_vm *avm = &vm->arch;

	/* Default deny: every port and every MSR access exits until a later grant opens it. */
	if (mm_alloc_frames(ARCH_IO_MAP_PAGES, PAGE_SIZE, &avm->io_bitmaps))
		return -ENOMEM;
	if (mm_alloc_frames(ARCH_MSR_MAP_PAGES, PAGE_SIZE, &avm->msr_bitmap))
		goto err_msr_bitmap;
	memset(phys_to_virt(avm->io_bitmaps), 0xff, ARCH_IO_MAP_PAGES * PAGE_SIZE);
	memset(phys_to_virt(avm->msr_bitmap), 0xff, ARCH_MSR_MAP_PAGES * PAGE_SIZE);
	if (vendor->vm_init(vm))
		goto err_tables;
	return 0;
err_tables:
	mm_free_frames(avm->msr_bitmap, ARCH_MSR_MAP_PAGES);
	avm->msr_bitmap = 0;
err_msr_bitmap:
	mm_free_frames(avm->io_bitmaps, ARCH_IO_MAP_PAGES);
	avm->io_bitmaps = 0;
	return -ENOMEM;
}

int arch_vm_open_ports(struct vm *vm, uint16_t base, uint16_t count)
{
	uint8_t *bitmap = phys_to_virt(vm->arch.io_bitmaps); /* one bit per port, in order */

	if ((uint32_t)base + count > 0x10000)
		return -EINVAL;
	for (uint32_t port = base; port < (uint32_t)base + count; port++)
		bitmap[port / 8] &= (uint8_t) ~(1u << (port % 8));
	return 0;
}

int arch_vm_map_ram(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	return vendor->vm_map_ram(vm, gpa, hpa, size);
}

void virt_flush_poll(void)
{
	unsigned int me = cpu_this()->index;
	uint32_t asked = __atomic_load_n(&flush_asked[me], __ATOMIC_ACQUIRE);

	if (asked == __atomic_load_n(&flush_done[me], __ATOMIC_RELAXED))
		return;
	/* Out of the guest already (this runs in Shunt): what is left is the VT-x TLB's. */
	if (vendor && vendor->vm_flush_local)
		vendor->vm_flush_local(flush_vm);
	__atomic_store_n(&flush_done[me], asked, __ATOMIC_RELEASE);
}

void arch_lock_answering_flushes(struct spinlock *l)
{
	while (!spin_trylock(l))
		virt_flush_poll();
}

/*
 * After vm's second-level tables lost a mapping (this CPU flushed its own TLB): every other
 * CPU that runs one of vm's vCPUs leaves the guest and flushes too before this returns, so
 * the page may be reused at once. A kick, then the wait for each CPU's answer.
 */
static void flush_others(struct vm *vm)
{
	unsigned int me = cpu_this()->index;
	uint64_t cpus = 0;

	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i].cpu != me)
			cpus |= 1ull << vm->vcpus[i].cpu;
	if (!cpus)
		return;
	arch_lock_answering_flushes(&flush_lock);
	flush_vm = vm;
	for (unsigned int c = 0; c < 64; c++)
		if (cpus & (1ull << c)) {
			__atomic_add_fetch(&flush_asked[c], 1, __ATOMIC_RELEASE);
			arch_cpu_kick(c);
		}
	for (unsigned int c = 0; c < 64; c++)
		while ((cpus & (1ull << c)) &&
		       __atomic_load_n(&flush_done[c], __ATOMIC_ACQUIRE) !=
			       __atomic_load_n(&flush_asked[c], __ATOMIC_RELAXED)) {
			virt_flush_poll();
			pause();
		}
	spin_unlock(&flush_lock);
}

int arch_vm_map_mmio(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	int err = vendor->vm_map_mmio(vm, gpa, hpa, size);

	flush_others(vm); /* a replaced mapping may be cached elsewhere */
	return err;
}

int arch_vm_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	int err = vendor->vm_unmap(vm, gpa, size);

	flush_others(vm);
	return err;
}

void arch_vcpu_release(struct vcpu *vcpu)
{
	vendor->vcpu_release(vcpu);
}

/* After building a vCPU's arch state on whichever CPU: ready for its own CPU to run. */
static int built(struct vcpu *vcpu, int err)
{
	if (vendor->vcpu_built)
		vendor->vcpu_built(vcpu);
	return err;
}

void arch_vm_destroy(struct vm *vm)
{
	struct arch_vm *avm = &vm->arch;

	vendor->vm_destroy(vm);
	if (avm->msr_bitmap)
		mm_free_frames(avm->msr_bitmap, ARCH_MSR_MAP_PAGES);
	if (avm->io_bitmaps)
		mm_free_frames(avm->io_bitmaps, ARCH_IO_MAP_PAGES);
	avm->msr_bitmap = avm->io_bitmaps = 0;
}

int arch_vcpu_init(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg,
		   gpa_t boot_area, uint64_t boot_area_size)
{
	struct arch_vm *avm = &vcpu->vm->arch;
	int err = guest_boot_build(vcpu->vm, boot_area, boot_area_size, &avm->boot_cr3,
				   &avm->boot_gdt_base, &avm->boot_gdt_limit);

	return err ? err : vendor->vcpu_start(vcpu, entry, stack_top, arg);
}

int arch_vcpu_start(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg)
{
	if (!vcpu->vm->arch.boot_cr3)
		return -EINVAL; /* not a Shunt guest's VM: nothing of vCPU 0's to start on */
	return vendor->vcpu_start(vcpu, entry, stack_top, arg);
}

int arch_vcpu_init_flat32(struct vcpu *vcpu, uint32_t entry, uint32_t arg, uint32_t magic)
{
	return built(vcpu, vendor->vcpu_init_flat32(vcpu, entry, arg, magic));
}

int arch_vcpu_init_long64(struct vcpu *vcpu, uint64_t entry, uint64_t arg, gpa_t boot_area,
			  uint64_t boot_area_size)
{
	return built(vcpu, vendor->vcpu_init_long64(vcpu, entry, arg, boot_area, boot_area_size));
}

int arch_vcpu_init_real_mode(struct vcpu *vcpu)
{
	return built(vcpu, vendor->vcpu_init_real_mode(vcpu));
}

int arch_vcpu_start_real_mode(struct vcpu *vcpu, uint16_t cs)
{
	return vendor->vcpu_start_real_mode(vcpu, cs); /* on its own CPU: nothing to hand over */
}

struct vcpu *arch_vcpu_run(struct vcpu *vcpu)
{
	return vendor->vcpu_run(vcpu);
}

int arch_vcpu_inject_vector(struct vcpu *vcpu, uint8_t vector)
{
	return vendor->vcpu_inject_vector(vcpu, vector);
}

static void vcpu_for_each_exit(const struct vcpu *vcpu,
			       void (*fn)(void *ctx, const char *kind, uint64_t count), void *ctx)
{
	for (unsigned int r = 0; r < ARCH_EXIT_REASONS; r++)
		if (vcpu->arch.exit_counts[r])
			fn(ctx, vendor->exit_name(r), vcpu->arch.exit_counts[r]);
}

void arch_vm_for_each_exit(const struct vm *vm,
			   void (*fn)(void *ctx, const char *kind, uint64_t count), void *ctx)
{
	for (unsigned int r = 0; r < ARCH_EXIT_REASONS; r++) {
		uint64_t n = 0;

		for (unsigned int i = 0; i < vm->vcpu_count; i++)
			n += vm->vcpus[i].arch.exit_counts[r];
		if (n)
			fn(ctx, vendor->exit_name(r), n);
	}
}

static void print_exit(void *ctx, const char *kind, uint64_t count)
{
	(void)ctx;
	log_info("    %-24s %llu\n", kind, (unsigned long long)count);
}

void arch_vcpu_print_exits(const struct vcpu *vcpu)
{
	const struct arch_vcpu *a = &vcpu->arch;
	uint64_t total = 0;

	for (unsigned int r = 0; r < ARCH_EXIT_REASONS; r++)
		total += a->exit_counts[r];
	log_info("  exits: %llu total\n", (unsigned long long)total);
	vcpu_for_each_exit(vcpu, print_exit, NULL);
	if (a->cpl_violations)
		log_info("  hypercalls refused for CPL > 0: %u\n", a->cpl_violations);
#ifdef SHUNT_BENCH_COUNTERS
	log_info("  ticks: %llu in the guest, %llu in Shunt\n", (unsigned long long)a->guest_ticks,
		 (unsigned long long)a->hv_ticks);
#endif
}
