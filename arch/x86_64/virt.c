/*
 * The x86 side of the virtualization report (arch_virt_probe): facts any backend would
 * print, then the vendor backend's own probe.
 */
#include <arch/vendor.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/log.h>

#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID80000001_ECX_SVM (1u << 2)

int arch_virt_probe(void)
{
	int svm = cpuid(0x80000000, 0).eax >= 0x80000001 &&
		  (cpuid(0x80000001, 0).ecx & CPUID80000001_ECX_SVM);

	if (cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR)
		log_info("virt: running under another hypervisor (CPUID.1:ECX[31])\n");
	if (svm)
		log_info("virt: AMD-V (SVM): yes (Shunt's AMD-V backend is not written yet)\n");
	return vendor_probe();
}
