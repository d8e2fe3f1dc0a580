/*
 * The boundary between shared x86 code and a virtualization vendor backend: vmx/ (Intel
 * VT-x) and svm/ (AMD-V) each fill in a struct vendor_ops, and vendor.c, which implements
 * the arch_* hooks of VMs and vCPUs, calls the one arch_virt_probe() chose at boot. Only
 * the run loop's entry goes through the table: once a vCPU runs, its exits stay inside
 * one backend.
 */
#ifndef ARCH_VENDOR_H
#define ARCH_VENDOR_H

#include <hv/types.h>

struct vm;
struct vcpu;

struct vendor_ops {
	const char *name; /* what the verdict line calls it: "VT-x", "AMD-V" */
	/*
	 * arch_pv_features(): PV_FEATURE_VMMCALL on AMD-V, whose hypercall exit is VMMCALL's
	 * (VMCALL is #UD there, AMD APM Vol. 3 "VMMCALL"); 0 on VT-x, whose is VMCALL's.
	 */
	uint32_t pv_features;
	/*
	 * Discovers what the CPU offers and prints the "virt:" report lines (not the verdict).
	 * Returns NULL if this backend can run guests, else why not, as a phrase. Must not
	 * change CPU state.
	 */
	const char *(*probe)(void);
	int (*enable)(void);
	/*
	 * On a CPU other than the boot CPU: checks it against the same requirements probe()
	 * checked the boot CPU against, and turns virtualization on there with per-CPU pages it
	 * allocates into pages[] (VT-x: the VMXON region; AMD-V: the host save area and the
	 * host's VMLOAD state). 0, or -1 with why. Prints nothing: the boot CPU reports.
	 */
	int (*cpu_enable)(hpa_t pages[2], char *why, size_t why_size);
	/* The VM's second-level tables; the I/O and MSR maps are vendor.c's (struct arch_vm). */
	int (*vm_init)(struct vm *vm);
	int (*vm_map_ram)(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size);
	int (*vm_map_mmio)(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size);
	int (*vm_unmap)(struct vm *vm, gpa_t gpa, uint64_t size);
	void (*vm_destroy)(struct vm *vm);
	/*
	 * A Shunt guest's vCPU in 64-bit mode on the page tables and GDT of its VM (arch_vm's
	 * boot_*: virt.c builds them for the first, arch_vcpu_init; later ones, arch_vcpu_start,
	 * reuse them), made ready to run on its own CPU before it returns.
	 */
	int (*vcpu_start)(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg);
	int (*vcpu_init_flat32)(struct vcpu *vcpu, uint32_t entry, uint32_t arg, uint32_t magic);
	int (*vcpu_init_long64)(struct vcpu *vcpu, uint64_t entry, uint64_t arg, gpa_t boot_area,
				uint64_t boot_area_size);
	/*
	 * arch_vcpu_init_real_mode() and arch_vcpu_start_real_mode(): an application processor
	 * waiting for, then taking, a STARTUP IPI. VT-x runs real mode with "unrestricted
	 * guest" (which vmx_probe requires); AMD-V runs it natively. start_real_mode runs on
	 * the vCPU's own CPU with its VMCS current (VT-x).
	 */
	int (*vcpu_init_real_mode)(struct vcpu *vcpu);
	int (*vcpu_start_real_mode)(struct vcpu *vcpu, uint16_t cs);
	struct vcpu *(*vcpu_run)(struct vcpu *vcpu);
	int (*vcpu_inject_vector)(struct vcpu *vcpu, uint8_t vector);
	/*
	 * After a vCPU's state was built, on any CPU (NULL: nothing to do): made ready to run
	 * on its own CPU (VT-x: its VMCS cleared, the one current before made current again).
	 */
	void (*vcpu_built)(struct vcpu *vcpu);
	/*
	 * On the vCPU's own CPU, its VM stopped and no CPU runs it: nothing of it stays in the
	 * CPU (VT-x: VMCS cleared, VPID and EPT flushed; AMD-V: no longer the CPU's loaded or
	 * running vCPU, its ASID flushed by the next owner), so its VM may be freed.
	 */
	void (*vcpu_release)(struct vcpu *vcpu);
	/* On this CPU, out of the guest: drop what its TLB holds of vm's second-level tables
	 * (NULL: leaving the guest is enough, the vCPUs flush at their next entry). */
	void (*vm_flush_local)(struct vm *vm);
	/* The name of exit kind r (the index of arch_vcpu.exit_counts), for the summary. */
	const char *(*exit_name)(unsigned int r);
};

/*
 * vendor->cpu_enable() on this CPU (not the boot CPU), or, with simulate_fail, the failure
 * of its check as the test word smp.fail asks. 0, or -1 with why.
 */
int virt_cpu_enable(int simulate_fail, unsigned int index, hpa_t pages[2], char *why,
		    size_t why_size);

/*
 * This CPU's part of a remote invalidation another CPU asked for (arch_vm_unmap and
 * arch_vm_map_mmio ask every other CPU that runs the VM): from the kick's handler, and by
 * any CPU waiting on another.
 */
void virt_flush_poll(void);

extern const struct vendor_ops vmx_ops;
extern const struct vendor_ops svm_ops;

#endif
