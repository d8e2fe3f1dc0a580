/*
 * A second translation unit of guest code for test_guestkit.c: guest-kit is headers only,
 * and its hypercall instruction flag (gk_hypercall_vmmcall, a weak definition in each file
 * that includes gk/hypercall.h) must still be one object in the program. This file detects
 * and calls on its own, so the test sees both directions cross the file boundary.
 */
#include "gk_other_tu.h"

#include <gk/gk.h>

uint8_t *gk_other_tu_flag(void)
{
	return &gk_hypercall_vmmcall;
}

int gk_other_tu_detect(void)
{
	return gk_detect(GK_NULL) == GK_DETECT_OK;
}

int64_t gk_other_tu_version(void)
{
	return gk_call_version();
}
