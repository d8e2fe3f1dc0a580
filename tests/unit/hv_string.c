/*
 * hv/lib/string.c compiled under hv_ names, so that a test can link it beside the host's
 * libc (whose memcpy, strcmp, ... the other hv files use) and call it by those names.
 */
#define memcpy hv_memcpy
#define memmove hv_memmove
#define memset hv_memset
#define memcmp hv_memcmp
#define strlen hv_strlen
#define strnlen hv_strnlen
#define strcmp hv_strcmp
#define strncmp hv_strncmp
#define strlcpy hv_strlcpy

#include "../../hv/lib/string.c"

/* The prototypes the tests use must match what was compiled. */
#include "hv_string.h"
