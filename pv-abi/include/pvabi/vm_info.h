/* SPDX-License-Identifier: MIT */
/*
 * Who this VM is (PV_CALL_VM_INFO, ABI 1.3): its name and number as Shunt's configuration and
 * logs give them, for guests that were not started through the start-info page (a Linux VM
 * on the PC platform) or that want the name again later. See pv-abi/SPEC.md, "VM_INFO".
 */
#ifndef PVABI_VM_INFO_H
#define PVABI_VM_INFO_H

#include <pvabi/pvabi.h>
#include <pvabi/types.h>

#define PV_VM_NAME_MAX 48 /* bytes of pv_vm_info.name, its NUL included */

struct pv_vm_info {
	uint32_t vm_id;		   /* the VM's number: its place among Shunt's VM lines, from 0 */
	uint32_t vcpu_count;	   /* vCPUs of this VM */
	uint32_t boots;		   /* 1 + the resets after which Shunt started it again */
	uint32_t reserved;	   /* 0 */
	char name[PV_VM_NAME_MAX]; /* as in Shunt's log lines "vm NAME: ...", NUL-terminated */
};

PV_STATIC_ASSERT(sizeof(struct pv_vm_info) == 64, "pv_vm_info is 64 bytes");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_vm_info, boots) == 8, "pv_vm_info.boots");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_vm_info, name) == 16, "pv_vm_info.name");

#endif
