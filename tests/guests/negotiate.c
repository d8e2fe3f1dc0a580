/*
 * Negotiation and discovery: HELLO for an unknown major is refused with
 * PV_EPROTONOSUPPORT and leaves the interface closed; HELLO for an older minor gets that
 * minor; Shunt's CPUID leaves agree with what its calls do (the privileges leaf lists
 * exactly the classes that work, the limits leaf the maximum write length, the feature leaf
 * names VMMCALL exactly on an AMD CPU, 1.4); VM_INFO (1.3) names the VM as its start-info
 * page does; a guest that negotiated 1.4 does not see 1.5's VCPU_START.
 */
#include "guest.h"

static int same_string(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Whether CPUID's vendor string (leaf 0, EBX:EDX:ECX) is AMD's (or Hygon's, its licensee). */
static int cpu_is_amd(void)
{
	uint32_t a, b, c, d;

	gk_cpuid(0, &a, &b, &c, &d);
	return (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) || /* "AuthenticAMD" */
	       (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975);	  /* "HygonGenuine" */
}

int64_t guest_main(const struct pv_start_info *si)
{
	int failures = 0;
	uint32_t features, privileges, max_write, tsc_khz;
	static struct pv_vm_info info;
	int64_t r;

	/* Detection before the first hypercall: it picks the instruction (SPEC.md §3). */
	check(&failures, gk_detect(GK_NULL) == GK_DETECT_OK, "Shunt detected");
	r = gk_call_hello(PV_ABI_VERSION(PV_ABI_MAJOR + 1, 0), PV_OS_TEST, 1);
	check(&failures, r == PV_EPROTONOSUPPORT, "HELLO for the next major is refused");
	check(&failures, gk_call_yield() == PV_ENOTCONN, "still closed after a refused HELLO");
	r = gk_call_hello(PV_ABI_VERSION(PV_ABI_MAJOR, 0), PV_OS_TEST, 1);
	check(&failures, r == PV_ABI_VERSION(PV_ABI_MAJOR, 0), "HELLO for x.0 gets x.0");
	check(&failures, gk_event_send(0, PV_EVENT_GUEST_FIRST) == PV_ENOSYS,
	      "a 1.1 call is invisible to a guest that negotiated 1.0");
	check(&failures, gk_vm_info(&info) == PV_ENOSYS,
	      "a 1.3 call is invisible to a guest that negotiated 1.0");
	r = gk_call_hello(PV_ABI_VERSION(PV_ABI_MAJOR, 4), PV_OS_TEST, 1);
	check(&failures, r == PV_ABI_VERSION(PV_ABI_MAJOR, 4), "HELLO for x.4 gets x.4");
	check(&failures, gk_vcpu_start(1, 0x100000, 0x100000, 0) == PV_ENOSYS,
	      "a 1.5 call (VCPU_START) is invisible to a guest that negotiated 1.4");
	check(&failures, gk_vm_info(&info) == 0, "a 1.3 call works at 1.4");
	r = gk_call_hello(PV_ABI_VERSION(PV_ABI_MAJOR, 0xffff), PV_OS_TEST, 1);
	check(&failures, r == PV_ABI_CURRENT, "HELLO for a newer minor gets Shunt's minor");

	features = gk_cpuid_reg(PV_CPUID_FEATURES, 0);
	privileges = gk_cpuid_reg(PV_CPUID_PRIVILEGES, 0);
	max_write = gk_cpuid_reg(PV_CPUID_LIMITS, 1);
	tsc_khz = gk_cpuid_reg(PV_CPUID_LIMITS, 2);
	check(&failures, gk_cpuid_reg(PV_CPUID_BASE, 0) == PV_CPUID_MAX_LEAF, "highest leaf");
	check(&failures,
	      (features & PV_FEATURE_VCPU_PAGE) && (features & PV_FEATURE_EVENTS) &&
		      (features & PV_FEATURE_TIMER) && (features & PV_FEATURE_CONSOLE_RING) &&
		      (features & PV_FEATURE_EVENT_SEND) && (features & PV_FEATURE_HW),
	      "features leaf lists the v1.3 services");
	check(&failures, !(features & PV_FEATURE_VMMCALL) == !cpu_is_amd(),
	      "features leaf names VMMCALL exactly on an AMD CPU");
	check(&failures, gk_hypercall_vmmcall == !!(features & PV_FEATURE_VMMCALL),
	      "gk_detect() chose the hypercall instruction the feature leaf names");
	check(&failures,
	      privileges == (PV_PERM_BASE | PV_PERM_CONSOLE | PV_PERM_TIME | PV_PERM_EVENTS),
	      "privileges leaf");
	check(&failures, max_write == PV_CONSOLE_WRITE_MAX, "limits leaf: console write max");
	check(&failures, tsc_khz > 0, "limits leaf: TSC frequency");
	check(&failures, gk_console_write("", 0) == 0, "a permitted class answers");
	check(&failures, gk_call_hw_query(0, 0) == PV_EPERM, "a class not listed is refused");
	check(&failures, gk_hypercall0(PV_CALL_COUNT) == PV_ENOSYS, "unknown call");
	info.reserved = 0xdead;
	check(&failures, gk_vm_info(&info) == 0, "VM_INFO answers");
	check(&failures,
	      info.vm_id == si->vm_id && info.vcpu_count == 1 && info.boots == 1 &&
		      info.reserved == 0,
	      "VM_INFO: id as in the start-info page, one vCPU, first boot, reserved zero");
	check(&failures, si->vm_name[0] && same_string(info.name, si->vm_name),
	      "VM_INFO: the name of the start-info page");
	check(&failures, gk_call_vm_info(0xfffffffffff000ull) == PV_EFAULT,
	      "VM_INFO outside RAM is refused");
	say_num("negotiate: TSC kHz ", tsc_khz);
	return report(si, failures, 0);
}
