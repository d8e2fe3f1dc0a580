/*
 * The multiboot2 path's C entry: turns GRUB's boot information into the handoff and enters
 * the hypervisor. A parse error travels in handoff.boot_error, so hv_main() reports it on
 * the console it brings up; this file has no console of its own.
 */
#include "mb2.h"

#include <stdint.h>

void mb2_boot(uint32_t magic, uint64_t info);

static struct handoff mb2_handoff;

void mb2_boot(uint32_t magic, uint64_t info)
{
	mb2_parse(magic, (const void *)(uintptr_t)info, &mb2_handoff);
	hv_main(&mb2_handoff);
}
