/* SPDX-License-Identifier: MIT */
/*
 * The list of hypercalls: the single source of truth from which Shunt's dispatch table,
 * guest-kit's wrappers and the call table in pv-abi/SPEC.md are derived (a test fails when
 * SPEC.md disagrees). Include <pvabi/pvabi.h> rather than this file.
 *
 * PV_CALL_LIST(X) expands X(nr, NAME, name, nargs, args, result, perm, rate, major, minor):
 *   nr       call number; never reused once published
 *   NAME     enum pv_call suffix (PV_CALL_NAME); name: lower-case, for functions
 *   nargs    argument registers used (RDI, RSI, RDX, R10, R8, R9 in that order)
 *   args     the arguments, as documented in SPEC.md
 *   result   the value returned on success
 *   perm     PV_PERM_* class a VM must hold
 *   rate     PV_RATE_* class it is counted against
 *   major, minor  the ABI version that introduced it
 */
#ifndef PVABI_CALLS_H
#define PVABI_CALLS_H

#define PV_CALL_LIST(X)                                                                            \
	X(0, VERSION, version, 0, "-", "PV_ABI_VERSION of the hypervisor", PV_PERM_BASE,           \
	  PV_RATE_NONE, 0, 1)                                                                      \
	X(1, CONSOLE_WRITE, console_write, 2, "buf (gpa), len", "bytes written", PV_PERM_CONSOLE,  \
	  PV_RATE_CONSOLE, 0, 1)                                                                   \
	X(2, YIELD, yield, 0, "-", "0", PV_PERM_BASE, PV_RATE_OTHER, 0, 1)                         \
	X(3, EXIT, exit, 1, "code (signed)", "does not return", PV_PERM_BASE, PV_RATE_NONE, 0, 1)  \
	X(4, HELLO, hello, 3, "abi version, os kind, os version", "negotiated ABI version",        \
	  PV_PERM_BASE, PV_RATE_OTHER, 1, 0)                                                       \
	X(5, VCPU_PAGE_SET, vcpu_page_set, 1, "page (gpa, 4 KiB aligned; 0 = none)", "0",          \
	  PV_PERM_TIME, PV_RATE_OTHER, 1, 0)                                                       \
	X(6, EVENT_BIND, event_bind, 1, "vector (32-255; 0 = unbind)", "0", PV_PERM_EVENTS,        \
	  PV_RATE_OTHER, 1, 0)                                                                     \
	X(7, TIMER_SET, timer_set, 1, "deadline (PV clock ns; 0 = cancel)", "0", PV_PERM_TIME,     \
	  PV_RATE_OTHER, 1, 0)                                                                     \
	X(8, CONSOLE_RING_SET, console_ring_set, 2, "ring (gpa; 0 = none), data size", "0",        \
	  PV_PERM_CONSOLE, PV_RATE_OTHER, 1, 0)                                                    \
	X(9, CONSOLE_RING_KICK, console_ring_kick, 0, "-", "bytes drained", PV_PERM_CONSOLE,       \
	  PV_RATE_CONSOLE, 1, 0)                                                                   \
	X(10, EVENT_SEND, event_send, 2, "vcpu (of this VM), event (32-63)", "0", PV_PERM_EVENTS,  \
	  PV_RATE_OTHER, 1, 1)                                                                     \
	X(11, HW_QUERY, hw_query, 2, "buf (gpa of pv_hw_resource[]), max entries",                 \
	  "resources granted", PV_PERM_HW, PV_RATE_HW, 1, 2)                                       \
	X(12, HW_PORT_BATCH, hw_port_batch, 2, "ops (gpa of pv_port_op[]), count",                 \
	  "operations done", PV_PERM_HW, PV_RATE_HW, 1, 2)                                         \
	X(13, HW_MMIO_MAP, hw_mmio_map, 3, "resource id, BAR index, gpa", "0", PV_PERM_HW,         \
	  PV_RATE_HW, 1, 2)                                                                        \
	X(14, HW_MMIO_UNMAP, hw_mmio_unmap, 1, "gpa (as mapped)", "0", PV_PERM_HW, PV_RATE_HW, 1,  \
	  2)                                                                                       \
	X(15, VM_INFO, vm_info, 1, "buf (gpa of pv_vm_info)", "0", PV_PERM_BASE, PV_RATE_OTHER, 1, \
	  3)                                                                                       \
	X(16, VCPU_START, vcpu_start, 4, "vcpu, entry (gpa), stack top (gpa), argument (RDI)",     \
	  "0", PV_PERM_BASE, PV_RATE_OTHER, 1, 5)

#define PV_CALL_ENUM_ENTRY(nr, NAME, ...) PV_CALL_##NAME = nr,
enum pv_call { PV_CALL_LIST(PV_CALL_ENUM_ENTRY) PV_CALL_COUNT };
#undef PV_CALL_ENUM_ENTRY

#endif
