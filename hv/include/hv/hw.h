/*
 * Direct hardware access for guests: the machine's inventory of devices Shunt could hand
 * out (PCI functions and legacy port ranges), the compatibility table of device classes it
 * vouches for, grants of resources to VMs (default deny, one VM at a time, never what
 * Shunt uses itself), and the port windows a VM may reach.
 */
#ifndef HV_HW_H
#define HV_HW_H

#include <hv/types.h>
#include <pvabi/hw.h>

#define HW_MAX_RESOURCES 48
#define HW_BARS_MAX 6 /* BARs of a PCI function (type 0 header) */
/* Port windows per VM: room for every I/O BAR of as many grants as a VM may have (8). */
#define HW_MAX_WINDOWS (8 * HW_BARS_MAX)

struct vm;

/* Class codes Shunt gives legacy port devices (PCI's numbering: serial 16550, other display). */
#define HW_CLASS_UART_16550 0x070002u
#define HW_CLASS_VBE_DISPI 0x038000u

/* One entry of the compatibility table: a device class and what Shunt allows on it. */
struct hw_compat {
	const char *name;
	uint16_t kind;	     /* PV_HW_KIND_* */
	uint32_t class_mask; /* PCI: which bits of class_code must match class_value */
	uint32_t class_value;
	uint8_t modes;	     /* bit (1 << PV_HW_MODE_*) for each mode allowed */
	uint8_t dma_capable; /* bus master: needs DMA confinement (an IOMMU) to be granted */
};

struct hw_resource {
	uint16_t kind; /* PV_HW_KIND_* */
	uint8_t header_type;
	uint32_t bdf; /* PCI */
	uint16_t vendor, device;
	uint32_t class_code;
	uint16_t port_base, port_count; /* legacy port ranges */
	struct pv_hw_bar bars[HW_BARS_MAX];
	const struct hw_compat *compat; /* NULL: hardware Shunt can not vouch for */
	const char *reserved_by;	/* non-NULL: Shunt uses it itself, and says what for */
	struct vm *owner;		/* the VM holding a usable grant of it */
	char label[24];			/* "pci:00:01.1" or "ports:0x2f8-0x2ff" */
};

/* A grant as written in a VM's options: grant=pci:BB:DD.F:MODE or grant=ports:A-B:MODE. */
struct hw_grant_spec {
	uint16_t kind;
	uint16_t mode; /* PV_HW_MODE_* */
	uint32_t bdf;
	uint16_t port_first, port_last;
};

/* A grant after Shunt checked it: verdict 0 means the VM may use resource. */
struct hw_grant {
	struct hw_grant_spec spec;
	struct hw_resource *resource; /* NULL if nothing matched the spec */
	int32_t verdict;	      /* 0 or a PV_E* code */
	uint8_t window_first;	      /* the VM's port windows this grant opened */
	uint8_t window_count;
};

/* A port range a VM may reach (usable io or passthrough grants): [first, last]. */
struct hw_port_window {
	uint16_t first, last;
};

/* What Shunt's console occupies (hv/console_setup.c): no grant may reach any of it. */
struct hw_console_use {
	const char *name; /* "COM2", "pci:00:05.0", ...: named in the refusal */
	int has_ports;	  /* a 16550 in I/O space: ports [port_first, port_last] */
	uint16_t port_first, port_last;
	int has_mmio; /* memory-mapped: [mmio_first, mmio_last] */
	uint64_t mmio_first, mmio_last;
	int has_bdf; /* a PCI serial controller: the function itself */
	uint32_t bdf;
};

/*
 * Why a grant as spec s (of a device with BARs bars[HW_BARS_MAX], or NULL when it has none
 * or is unknown) would reach Shunt's console: the console's ports, its PCI function, or a
 * BAR that decodes its ports or its memory. The reason goes into why (and is returned);
 * NULL when the grant stays clear of the console. Pure.
 */
const char *hw_console_conflict(const struct hw_console_use *con, const struct hw_grant_spec *s,
				const struct pv_hw_bar *bars, char *why, size_t why_size);

/*
 * 1 if a grant as spec s of a device of class class_code reaches the display: a PCI display
 * controller (class 03), the VGA registers (ports 0x3b0-0x3df) or the Bochs/QEMU VBE display
 * interface (0x1ce-0x1d0). Shunt then stops drawing on the screen. Pure.
 */
int hw_grant_is_display(const struct hw_grant_spec *s, uint32_t class_code);

/* Parses "pci:BB:DD.F:MODE" / "ports:FIRST-LAST:MODE" (hex). 0, or -EINVAL with err set. */
int hw_grant_parse(const char *text, struct hw_grant_spec *out, char *err, size_t err_size);

/* Finds the machine's devices (PCI, legacy UARTs); hw_inventory_print() lists them. */
void hw_inventory_init(void);
void hw_inventory_print(void);
/* The inventory's entries, in the order found: i < hw_resource_count(), else NULL. */
unsigned int hw_resource_count(void);
struct hw_resource *hw_resource_at(unsigned int i);
/*
 * Shunt takes r for itself (why says what for, e.g. its management NIC): the inventory
 * lists it as Shunt's own and every grant of it is refused with why. Before any VM exists.
 */
void hw_reserve(struct hw_resource *r, const char *why);

/* The compatibility table's entry for a device class, or NULL for foreign hardware. Pure. */
const struct hw_compat *hw_compat_find(uint16_t kind, uint32_t class_code);
/* The same for a PCI function: its vendor:device first, if Shunt knows it, else its class. */
const struct hw_compat *hw_compat_find_device(uint16_t vendor, uint16_t device,
					      uint32_t class_code);

/*
 * Copies every op of a port batch to copy, which is what runs (so that the guest can not
 * change an op after it was checked), and checks it before any runs: width 1, 2 or 4,
 * write 0 or 1, and all bytes inside one of the windows. Returns 0, or the PV_E* code of
 * the first bad op (PV_EINVAL, PV_EACCES) with its index in *bad_index. Pure.
 */
int hw_batch_check(const struct pv_port_op *ops, uint32_t count,
		   const struct hw_port_window *windows, unsigned int window_count,
		   struct pv_port_op *copy, uint32_t *bad_index);

/*
 * The PCI command register to write when a function is granted, given what it holds now:
 * bus mastering off (no DMA behind Shunt's back, SPEC.md §12), everything else kept. Pure.
 */
uint16_t hw_pci_command_granted(uint16_t command);

/* Resolves vm's grant specs against the inventory, opens passthrough ports. */
void hw_grants_resolve(struct vm *vm);
/* Routes a VM's trapped accesses to its io-mode ports to the hardware (hw_calls.c). */
void hw_trap_register(struct vm *vm);

/* 1 if [base, base + size) overlaps a memory BAR of any inventory device other than self. */
int hw_other_bar_overlaps(const struct hw_resource *self, uint64_t base, uint64_t size);

/* Gives back vm's grants (when it stops). */
void hw_grants_release(struct vm *vm);

#endif
