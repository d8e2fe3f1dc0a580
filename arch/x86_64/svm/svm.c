/*
 * AMD-V per CPU: capability discovery and the report (svm_probe), and turning SVM on
 * (svm_enable): VM_CR.SVMDIS cleared where firmware left it unlocked, EFER.SVME, the host
 * save area VMRUN uses (VM_HSAVE_PA) and the host's VMLOAD state (AMD APM Vol. 2 15.4, 15.5,
 * 15.30).
 */
#include "svm.h"

#include <arch/x86.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/string.h>

struct svm_cpu svm_cpu;

static const char *yes(int v)
{
	return v ? "yes" : "no";
}

static void read_raw(struct svm_raw *r)
{
	*r = (struct svm_raw){ .max_extended = cpuid(0x80000000, 0).eax };
	r->ext_ecx = cpuid(0x80000001, 0).ecx;
	if (r->max_extended >= 0x8000000au) {
		struct cpuid_regs a = cpuid(0x8000000a, 0);

		r->leaf_a_eax = a.eax;
		r->leaf_a_ebx = a.ebx;
		r->leaf_a_edx = a.edx;
	}
	/* VM_CR exists on every CPU with SVM (APM 15.30.1); virt.c calls this only on those. */
	r->vm_cr = rdmsr(MSR_VM_CR);
}

static void print_caps(const struct svm_raw *r, const struct svm_caps *c)
{
	log_info("virt: AMD-V (SVM): yes (revision %u, %u ASIDs)\n", c->revision, c->nasid);
	log_info("virt: VM_CR: 0x%llx (%s, %s)\n", (unsigned long long)r->vm_cr,
		 c->disabled ? "SVM disabled" : "SVM enabled", c->locked ? "locked" : "not locked");
	log_info("virt: NPT: %s\n", yes(c->npt));
	log_info("virt: NRIP save %s, decode assists %s, flush by ASID %s, VMCB clean bits %s, "
		 "pause filter %s\n",
		 yes(c->nrip_save), yes(c->decode_assists), yes(c->flush_by_asid),
		 yes(c->vmcb_clean), yes(c->pause_filter));
	log_info("virt: Shunt requires SVM enabled or unlocked (VM_CR), nested paging and a "
		 "guest ASID; NRIP save, decode assists and flush by ASID are used when present\n");
}

/* Called only on a CPU whose CPUID Fn8000_0001 ECX says SVM (virt.c). */
const char *svm_probe(void)
{
	read_raw(&svm_cpu.raw);
	svm_caps_decode(&svm_cpu.raw, &svm_cpu.caps);
	print_caps(&svm_cpu.raw, &svm_cpu.caps);
	return svm_caps_missing(&svm_cpu.caps);
}

#define CR4_UMIP (1ull << 11)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_PCIDE (1ull << 17)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

/*
 * The CR4 bits a guest may set: those every x86-64 CPU has (VME ... OSXMMEXCPT, bits 0-10)
 * and those CPUID says this one has, less what Shunt forbids. A bit outside them is #GP,
 * as on the CPU, never a VMCB that VMRUN refuses.
 */
static uint64_t cr4_allowed(void)
{
	uint64_t allowed = 0x7ff;
	struct cpuid_regs l1 = cpuid(1, 0), l7 = { 0 };

	if (svm_cpu.cpuid_max_basic >= 7)
		l7 = cpuid(7, 0);
	if (l7.ecx & (1u << 2))
		allowed |= CR4_UMIP;
	if (l7.ebx & (1u << 0))
		allowed |= CR4_FSGSBASE;
	if (l1.ecx & (1u << 17))
		allowed |= CR4_PCIDE;
	if (l7.ebx & (1u << 7))
		allowed |= CR4_SMEP;
	if (l7.ebx & (1u << 20))
		allowed |= CR4_SMAP;
	return allowed & ~SVM_CR4_GUEST_FORBIDDEN;
}

/*
 * Another CPU than the boot CPU: the same requirements (svm_caps_missing on what it reads of
 * itself), then SVM on with its own host save area and VMLOAD state in pages[]. What it reads
 * stays local: svm_cpu is the boot CPU's and every CPU's alike.
 */
int svm_cpu_enable(hpa_t pages[2], char *why, size_t why_size)
{
	struct svm_raw raw;
	struct svm_caps caps;
	const char *missing;

	if (cpuid(0x80000000, 0).eax < 0x80000001 || !(cpuid(0x80000001, 0).ecx & (1u << 2))) {
		fmt_snprintf(why, why_size,
			     "AMD-V: this CPU has no SVM (CPUID Fn8000_0001 ECX[2])");
		return -1;
	}
	read_raw(&raw);
	svm_caps_decode(&raw, &caps);
	missing = svm_caps_missing(&caps);
	if (missing) {
		fmt_snprintf(why, why_size, "AMD-V: %s", missing);
		return -1;
	}
	if (mm_alloc_frames(1, PAGE_SIZE, &pages[0]) || mm_alloc_frames(1, PAGE_SIZE, &pages[1])) {
		fmt_snprintf(why, why_size, "AMD-V: no memory for the host save area");
		return -1;
	}
	if (caps.disabled)
		wrmsr(MSR_VM_CR, rdmsr(MSR_VM_CR) & ~VM_CR_SVMDIS); /* not locked: checked */
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_TS | CR0_EM | CR0_CD | CR0_NW));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, pages[0]);
	/* This CPU's own FS, GS (its per-CPU data), TR and syscall MSRs, as svm_enable's. */
	__asm__ volatile("vmsave %%rax" ::"a"(pages[1]) : "memory");
	return 0;
}

int svm_enable(void)
{
	struct svm_caps *c = &svm_cpu.caps;

	/* svm_probe() already decided that nothing required is missing. */
	struct cpu_tables *t = cpu_this();

	if (mm_alloc_frames(1, PAGE_SIZE, &t->virt_pages[0]))
		return -ENOMEM;
	if (mm_alloc_frames(1, PAGE_SIZE, &t->virt_pages[1]))
		return -ENOMEM;
	svm_cpu.cpuid_max_basic = cpuid(0, 0).eax;
	svm_cpu.cpuid_max_extended = cpuid(0x80000000, 0).eax;
	svm_cpu.cr4_allowed = cr4_allowed();
	svm_cpu.nasid = c->nasid < SVM_MAX_ASIDS ? c->nasid : SVM_MAX_ASIDS;
	if (c->disabled)
		wrmsr(MSR_VM_CR, rdmsr(MSR_VM_CR) & ~VM_CR_SVMDIS); /* not locked: probe said */
	/* FXSAVE/FXRSTOR of guest state need OSFXSR, and no #NM from TS/EM. */
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_TS | CR0_EM | CR0_CD | CR0_NW));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, t->virt_pages[0]);
	/*
	 * #VMEXIT restores only part of the host's state (APM 15.6): FS, GS, TR and LDTR with
	 * their hidden parts, KernelGSBase and the syscall MSRs stay the guest's until a VMLOAD
	 * of this area, which holds the host's as they are now and stay.
	 */
	__asm__ volatile("vmsave %%rax" ::"a"(t->virt_pages[1]) : "memory");
	log_debug("AMD-V: EFER.SVME set; %u guest ASIDs\n", svm_cpu.nasid - 1);
	return 0;
}
