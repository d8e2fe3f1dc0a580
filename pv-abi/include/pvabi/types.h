/* SPDX-License-Identifier: MIT */
/*
 * The one place that picks the integer types every pv-abi and guest-kit header uses
 * (uint8_t..uint64_t, int8_t..int64_t, uintptr_t, size_t), so that they compile wherever a
 * kernel is built: inside the Linux kernel (kbuild defines __KERNEL__ and has no libc
 * headers: <linux/types.h> gives these names), with the C library's or the compiler's
 * <stdint.h>/<stddef.h> when there are any, and with -nostdinc from the compiler's own
 * predefined macros (gcc and clang both define __UINT64_TYPE__ and friends).
 * PV_TYPES_FROM_COMPILER forces the last choice; a kernel with its own types defines
 * PV_TYPES_PROVIDED after declaring them itself.
 */
#ifndef PVABI_TYPES_H
#define PVABI_TYPES_H

#if defined(PV_TYPES_PROVIDED)
/* The including kernel declared the types before including pv-abi. */
#elif defined(__KERNEL__) && defined(__linux__)
#include <linux/types.h>
#elif !defined(PV_TYPES_FROM_COMPILER) && defined(__has_include)
#if __has_include(<stdint.h>) && __has_include(<stddef.h>)
#include <stddef.h>
#include <stdint.h>
#else
#define PV_TYPES_FROM_COMPILER 1
#endif
#else
#define PV_TYPES_FROM_COMPILER 1
#endif

#if defined(PV_TYPES_FROM_COMPILER) && !defined(PV_TYPES_PROVIDED)
typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __SIZE_TYPE__ size_t;
#endif

#endif
