/* SPDX-License-Identifier: MIT */
/*
 * The start-info page: what Shunt tells a guest kernel at its first instruction. The guest
 * is entered in 64-bit long mode at its ELF entry point with RDI = the guest-physical
 * address of this page, RSP = the top of its RAM, interrupts disabled, and page tables
 * that identity-map all of its RAM (see pv-abi/SPEC.md, "Boot").
 */
#ifndef PVABI_START_INFO_H
#define PVABI_START_INFO_H

#include <pvabi/pvabi.h>
#include <pvabi/types.h>

#define PV_START_INFO_MAGIC 0x4f464e4974727453ull /* "StrtINFO", little-endian */
#define PV_START_INFO_MAX_MEM 8
#define PV_START_INFO_CMDLINE_MAX 256
#define PV_START_INFO_NAME_MAX 32

enum pv_mem_type {
	PV_MEM_RAM = 1,	     /* free for the guest */
	PV_MEM_RESERVED = 2, /* holds Shunt's boot structures (this page, page tables, GDT) */
};

struct pv_mem_region {
	uint64_t base; /* guest-physical */
	uint64_t size;
	uint32_t type; /* enum pv_mem_type */
	uint32_t reserved;
};

struct pv_start_info {
	uint64_t magic;	      /* PV_START_INFO_MAGIC */
	uint32_t abi_version; /* PV_ABI_VERSION() of the hypervisor */
	uint32_t vm_id;
	uint32_t mem_count;
	uint32_t vcpu_count; /* the VM's vCPUs (ABI 1.5; 0 from older Shunts: one) */
	struct pv_mem_region mem[PV_START_INFO_MAX_MEM];
	char cmdline[PV_START_INFO_CMDLINE_MAX]; /* NUL-terminated */
	char vm_name[PV_START_INFO_NAME_MAX];	 /* NUL-terminated */
};

PV_STATIC_ASSERT(sizeof(struct pv_mem_region) == 24, "pv_mem_region layout");
PV_STATIC_ASSERT(sizeof(struct pv_start_info) == 24 + 8 * 24 + 256 + 32, "pv_start_info layout");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_start_info, vcpu_count) == 20, "pv_start_info.vcpu_count");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_start_info, mem) == 24, "pv_start_info.mem");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_start_info, cmdline) == 216, "pv_start_info.cmdline");

#endif
