/*
 * The guest-physical layout every Shunt guest starts with (pv-abi/SPEC.md, "Boot"): plain
 * constants, shared by the loader and the host validator (tools/shunt-config.c).
 */
#ifndef HV_GUEST_LAYOUT_H
#define HV_GUEST_LAYOUT_H

#define GUEST_START_INFO_GPA 0x1000ull
#define GUEST_BOOT_AREA_GPA 0x2000ull /* page tables and GDT built by the arch */
#define GUEST_LOAD_MIN_GPA 0x10000ull /* images load at or above this */

#endif
