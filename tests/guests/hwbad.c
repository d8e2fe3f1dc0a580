/*
 * A guest whose grants were all refused at boot, each for its own reason (its options ask
 * for Shunt's console, a DMA-capable disk controller, a host bridge, a port range with no
 * device behind it, a UART another VM holds, and the display in a mode it does not allow). It checks the verdicts the query reports, and that calls on them,
 * or on resources it does not have, get the documented errors.
 */
#include "guest.h"

static struct gk_hw_stats stats;

int64_t guest_main(const struct pv_start_info *si)
{
	struct pv_hw_resource all[6], one;
	static struct pv_port_op op;
	int failures = 0;
	int64_t n;

	if (guest_open())
		return 99;
	n = gk_hw_query(all, 6, &stats);
	check(&failures, n == 6, "six grants reported");
	check(&failures, all[0].verdict == PV_EACCES, "COM1 is Shunt's own: PV_EACCES");
	check(&failures, all[1].verdict == PV_EDMA, "IDE can do DMA: PV_EDMA");
	check(&failures, all[2].verdict == PV_ENODEV, "host bridge is foreign: PV_ENODEV");
	check(&failures, all[3].verdict == PV_ENODEV, "no device at those ports: PV_ENODEV");
	check(&failures, all[4].verdict == PV_EBUSY, "COM2 is another VM's: PV_EBUSY");
	check(&failures, all[5].verdict == PV_EOPNOTSUPP, "the display allows no port I/O");
	check(&failures, all[1].vendor == 0x8086 && all[1].class_code >> 16 == 0x01,
	      "the IDE controller's IDs are reported");
	check(&failures, gk_hw_open(PV_HW_KIND_PCI, all[1].pci_bdf, &one, &stats) == PV_EDMA,
	      "opening it says why");
	check(&failures, gk_hw_open(PV_HW_KIND_PORTS, 0x2f8, &one, &stats) == PV_EBUSY,
	      "opening COM2 says it is another VM's");
	check(&failures, gk_hw_open(PV_HW_KIND_PORTS, 0x3e8, &one, &stats) == PV_EACCES,
	      "COM3 is not granted here at all");
	check(&failures, gk_hw_mmio_map(99, 0, 0x40000000, &stats) == PV_ENODEV, "no resource 99");
	check(&failures, gk_hw_mmio_map(1, 0, 0x40000000, &stats) == PV_EDMA,
	      "mapping the DMA device refused");
	op = (struct pv_port_op){ 0x3f8, 1, 1, 'X' };
	check(&failures, gk_hw_port_batch(&op, 1, &stats) == PV_EACCES, "console port refused");
	check(&failures, gk_hw_port_batch(&op, PV_PORT_BATCH_MAX + 1, &stats) == PV_E2BIG,
	      "oversized batch");
	check(&failures, gk_hw_port_batch((struct pv_port_op *)0x7ffffff0, 4, &stats) == PV_EFAULT,
	      "batch outside RAM");
	for (unsigned int i = 0; i < 6; i++) {
		say(all[i].name[0] ? all[i].name : "(no such device)");
		say(": ");
		say(gk_hw_describe(all[i].verdict));
		say("\n");
	}
	return report(si, failures, 0);
}
