/* SPDX-License-Identifier: MIT */
/*
 * The one function a guest kernel built with guest-kit's entry stub (crt0.S, named by
 * `pkg-config --libs shunt-guest-kit`) defines: the stub calls it with the start-info page
 * (pv-abi/SPEC.md §8) on a 16-byte aligned stack, interrupts off, and ends the VM with its
 * return value as the exit code.
 */
#ifndef GK_START_H
#define GK_START_H

/* crt0.S's EXIT picks its instruction by gk_hypercall_vmmcall, which this defines. */
#include <gk/hypercall.h>
#include <pvabi/start_info.h>
#include <pvabi/types.h>

#ifdef __cplusplus
extern "C" {
#endif

int64_t kernel_main(const struct pv_start_info *start);

#ifdef __cplusplus
}
#endif

#endif
