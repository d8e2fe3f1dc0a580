/* What tests/unit/gk_other_tu.c, a second file of guest code, offers test_guestkit.c. */
#ifndef GK_OTHER_TU_H
#define GK_OTHER_TU_H

#include <stdint.h>

/* The address of gk_hypercall_vmmcall as this file sees it. */
uint8_t *gk_other_tu_flag(void);
/* gk_detect() from this file: 1 when Shunt was found. */
int gk_other_tu_detect(void);
/* PV_CALL_VERSION from this file. */
int64_t gk_other_tu_version(void);

#endif
