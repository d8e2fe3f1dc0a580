/*
 * Scalar types and small helpers shared by all of hv/: physical address kinds, page size,
 * alignment and array-size macros, and the internal error codes (negative errno values).
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t hpa_t; /* host-physical address */
typedef uint64_t gpa_t; /* guest-physical address */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define LARGE_PAGE_SIZE (1ull << 21)
#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)

#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
#define ALIGN_UP(x, a) ALIGN_DOWN((uint64_t)(x) + (a)-1, (a))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a)-1)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Internal error codes: functions that can fail return 0 or one of these, negated. */
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define EAGAIN 11
#define E2BIG 7
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENOTSUP 95

#endif
