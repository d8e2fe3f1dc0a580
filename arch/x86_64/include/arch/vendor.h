/*
 * The boundary between shared x86 code and a virtualization vendor backend: vmx/ (Intel
 * VT-x) implements these today; an svm/ (AMD-V) backend would implement the same set.
 */
#ifndef ARCH_VENDOR_H
#define ARCH_VENDOR_H

/*
 * Discovers what the CPU offers, prints the "virt:" report lines and the verdict line
 * ("VT-x: ready" / "VT-x: not available: <why>"). Returns 1 if this backend can run guests.
 * Must not change CPU state.
 */
int vendor_probe(void);

#endif
