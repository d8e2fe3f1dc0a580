/* SPDX-License-Identifier: MIT */
/*
 * Shunt guest-kit: everything a guest kernel needs to use Shunt, as static inline code
 * over pv-abi. Include this one header; see guest-kit/README.md.
 */
#ifndef GK_GK_H
#define GK_GK_H

#include <gk/base.h>
#include <gk/clock.h>
#include <gk/console.h>
#include <gk/console_ring.h>
#include <gk/detect.h>
#include <gk/events.h>
#include <gk/hw.h>
#include <gk/hypercall.h>
#include <gk/negotiate.h>
#include <gk/smp.h>
#include <gk/start.h>
#include <pvabi/hw.h>
#include <pvabi/pvabi.h>
#include <pvabi/start_info.h>
#include <pvabi/vm_info.h>

#endif
