/*
 * UEFI device paths as the loader reads them from firmware variables (UEFI spec, "Device
 * Path Protocol"): pure code over bytes, unit-tested on the host (tests/unit/test_devpath.c).
 */
#ifndef BOOT_EFI_DEVPATH_H
#define BOOT_EFI_DEVPATH_H

#include <stddef.h>
#include <stdint.h>

/*
 * 1 if the device path list p[0..len) (instances ended by end-instance nodes, the whole by
 * an end-entire node; the layout of the ConOut variable) holds a UART node (messaging, type
 * 3, subtype 14): the firmware then copies its console to a serial port. A malformed list (a
 * node shorter than its header or running past len) answers 0.
 */
int devpath_has_uart(const uint8_t *p, size_t len);

#endif
