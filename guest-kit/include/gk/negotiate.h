/* SPDX-License-Identifier: MIT */
/*
 * Opening the interface: detection and PV_CALL_HELLO in one step. Until it succeeds only
 * gk_version() and gk_exit() work; everything else returns PV_ENOTCONN.
 */
#ifndef GK_NEGOTIATE_H
#define GK_NEGOTIATE_H

#include <gk/base.h>
#include <gk/detect.h>
#include <gk/hypercall.h>
#include <pvabi/vm_info.h>

/*
 * Detects Shunt and opens the interface as ABI PV_ABI_MAJOR.PV_ABI_MINOR (the version of the
 * pv-abi headers this guest was built with), naming the guest OS (PV_OS_*) and its
 * version for Shunt's logs. Returns the negotiated PV_ABI_VERSION (> 0), or a negative
 * code: PV_ENOSYS when Shunt is not there (see *detect for why), PV_EPROTONOSUPPORT when it
 * speaks another major version. detect may be NULL.
 */
static inline int64_t gk_open(uint32_t os_kind, uint64_t os_version, enum gk_detect_result *detect)
{
	enum gk_detect_result r = gk_detect(GK_NULL);

	if (detect)
		*detect = r;
	if (r == GK_DETECT_NO_HYPERVISOR || r == GK_DETECT_FOREIGN)
		return PV_ENOSYS;
	if (r == GK_DETECT_WRONG_MAJOR)
		return PV_EPROTONOSUPPORT;
	return gk_call_hello(PV_ABI_CURRENT, os_kind, os_version);
}

/*
 * This VM's name and number as Shunt knows them, its vCPUs and boots (ABI 1.3): 0, or
 * PV_ENOSYS when an older minor was negotiated, PV_EFAULT for a buffer outside RAM.
 */
static inline int64_t gk_vm_info(struct pv_vm_info *info)
{
	return gk_call_vm_info(GK_VIRT_TO_PHYS(info));
}

/* A phrase for a PV_E* code, for the guest's own messages. */
static inline const char *gk_strerror(int64_t code)
{
	switch (code) {
	case PV_EPERM:
		return "not permitted for this VM";
	case PV_E2BIG:
		return "too long";
	case PV_EFAULT:
		return "buffer outside the VM's memory";
	case PV_EINVAL:
		return "invalid argument";
	case PV_ENOSYS:
		return "no such call (or Shunt not found)";
	case PV_EPROTONOSUPPORT:
		return "Shunt speaks another major ABI version";
	case PV_ENOTCONN:
		return "interface not opened (gk_open first)";
	case PV_ETHROTTLED:
		return "rate limited: retry later";
	case PV_ERETRY:
		return "partly done: call again";
	case PV_EACCES:
		return "not granted to this VM (or Shunt's own)";
	case PV_EBUSY:
		return "granted to another VM (or a vCPU already started)";
	case PV_ENOMEM:
		return "Shunt is short of memory: try again later";
	case PV_ENODEV:
		return "no such device, or hardware Shunt can not vouch for";
	case PV_EOPNOTSUPP:
		return "operation not allowed for this device";
	case PV_EDMA:
		return "device can do DMA and Shunt can not confine it";
	default:
		return code >= 0 ? "success" : "unknown error";
	}
}

#endif
