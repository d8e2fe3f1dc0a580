/* SPDX-License-Identifier: MIT */
/*
 * Shunt guest-kit: everything a guest kernel needs to use Shunt, as static inline code
 * over pv-abi. Include this one header; see guest-kit/README.md.
 */
#ifndef GK_GK_H
#define GK_GK_H

#include <gk/console.h>
#include <gk/detect.h>
#include <gk/hypercall.h>
#include <pvabi/pvabi.h>
#include <pvabi/start_info.h>

#endif
