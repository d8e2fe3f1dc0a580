/* SPDX-License-Identifier: MIT */
/*
 * Direct hardware calls (ABI 1.2, permission class PV_PERM_HW): what a VM was granted
 * (PV_CALL_HW_QUERY), batches of port I/O run on the real ports in one exit
 * (PV_CALL_HW_PORT_BATCH), and device memory mapped into the guest with no exits
 * (PV_CALL_HW_MMIO_MAP / UNMAP). See pv-abi/SPEC.md, "Direct hardware access".
 */
#ifndef PVABI_HW_H
#define PVABI_HW_H

#include <pvabi/pvabi.h>
#include <pvabi/types.h>

/* Resource kinds */
#define PV_HW_KIND_PORTS 1 /* a legacy I/O port range (e.g. a 16550 UART) */
#define PV_HW_KIND_PCI 2   /* a PCI function */

/* Access modes a grant gives */
#define PV_HW_MODE_IO 1		 /* port I/O through PV_CALL_HW_PORT_BATCH (or trapped) */
#define PV_HW_MODE_MMIO 2	 /* memory BARs through PV_CALL_HW_MMIO_MAP */
#define PV_HW_MODE_PASSTHROUGH 3 /* the ports open in the VM's I/O bitmap: no exits at all */

/* BAR flags */
#define PV_HW_BAR_IO (1u << 0)
#define PV_HW_BAR_MEM (1u << 1)
#define PV_HW_BAR_64BIT (1u << 2)
#define PV_HW_BAR_PREFETCH (1u << 3)

struct pv_hw_bar {
	uint64_t base; /* host-physical (memory) or port number (I/O); 0 = none */
	uint64_t size;
	uint32_t flags; /* PV_HW_BAR_* */
	uint32_t reserved;
};

/* One granted resource, as PV_CALL_HW_QUERY reports it. */
struct pv_hw_resource {
	uint32_t id;	  /* handle for PV_CALL_HW_MMIO_MAP */
	uint16_t kind;	  /* PV_HW_KIND_* */
	uint16_t mode;	  /* PV_HW_MODE_* granted */
	int32_t verdict;  /* 0: usable; else why not: PV_ENODEV, PV_EOPNOTSUPP, PV_EDMA, ... */
	uint32_t pci_bdf; /* bus << 8 | device << 3 | function (PCI) */
	uint16_t vendor;  /* PCI IDs, or 0 for port ranges */
	uint16_t device;
	uint32_t class_code; /* PCI class << 16 | subclass << 8 | prog-if */
	uint16_t port_base;  /* first port (PV_HW_KIND_PORTS) */
	uint16_t port_count;
	uint32_t reserved;
	char name[24]; /* Shunt's name for the device class, NUL-terminated */
	struct pv_hw_bar bars[6];
};

/* One port operation of a batch. */
struct pv_port_op {
	uint16_t port;
	uint8_t width; /* 1, 2 or 4 bytes */
	uint8_t write; /* 1: OUT value; 0: IN into value */
	uint32_t value;
};

#define PV_PORT_BATCH_MAX 256u

PV_STATIC_ASSERT(sizeof(struct pv_hw_bar) == 24, "pv_hw_bar is 24 bytes");
PV_STATIC_ASSERT(sizeof(struct pv_hw_resource) == 200, "pv_hw_resource is 200 bytes");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_hw_resource, verdict) == 8, "pv_hw_resource.verdict");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_hw_resource, name) == 32, "pv_hw_resource.name");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_hw_resource, bars) == 56, "pv_hw_resource.bars");
PV_STATIC_ASSERT(sizeof(struct pv_port_op) == 8, "pv_port_op is 8 bytes");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_port_op, value) == 4, "pv_port_op.value");

#endif
