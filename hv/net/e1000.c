/*
 * The Intel 8254x (e1000) as Shunt's management NIC: bring-up, MAC address, link state,
 * and the register side of receive and transmit, polled from the scheduler's host work
 * (hv/net/mgmt.c). The rings themselves are hv/net/e1000_ring.c. Section numbers are of
 * the 8254x Software Developer's Manual (317453).
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hw.h>
#include <hv/mm.h>
#include <hv/net/e1000.h>
#include <hv/pci.h>
#include <hv/string.h>

/* Registers (SDM 13.4, 13.5), offsets into BAR0. */
#define REG_CTRL 0x0000
#define REG_STATUS 0x0008
#define REG_EERD 0x0014
#define REG_ICR 0x00c0
#define REG_IMC 0x00d8
#define REG_RCTL 0x0100
#define REG_TCTL 0x0400
#define REG_TIPG 0x0410
#define REG_RDBAL 0x2800
#define REG_RDBAH 0x2804
#define REG_RDLEN 0x2808
#define REG_RDH 0x2810
#define REG_RDT 0x2818
#define REG_TDBAL 0x3800
#define REG_TDBAH 0x3804
#define REG_TDLEN 0x3808
#define REG_TDH 0x3810
#define REG_TDT 0x3818
#define REG_MTA 0x5200 /* 128 dwords (SDM 13.5.1) */
#define REG_RAL0 0x5400
#define REG_RAH0 0x5404

#define CTRL_ASDE (1u << 5) /* auto-speed detection (SDM 13.4.1) */
#define CTRL_SLU (1u << 6)  /* set link up */
#define CTRL_RST (1u << 26) /* device reset, self-clearing */
#define STATUS_LU (1u << 1) /* link up (SDM 13.4.2) */
#define EERD_START 1u	    /* EEPROM read (SDM 13.4.4): address in 15:8, data in 31:16 */
#define EERD_DONE (1u << 4)
#define RAH_AV (1u << 31) /* address valid (SDM 13.5.3) */
/* RCTL (SDM 13.4.22): enable, accept broadcast, strip the CRC; 2048-byte buffers (BSIZE 0). */
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26)
/* TCTL (SDM 13.4.33): enable, pad short packets, collision threshold 15, distance 64. */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT (0x0fu << 4)
#define TCTL_COLD (0x40u << 12)
/* TIPG for the 82540's copper PHY (SDM 13.4.34): IPGT 10, IPGR1 8, IPGR2 6. */
#define TIPG_COPPER (10u | 8u << 10 | 6u << 20)

#define BAR0_MIN 0x20000 /* the register space the SDM describes (128 KiB) */
#define PCI_COMMAND_MEMORY (1u << 1)

/* The 8254x parts whose registers above, EERD included, are as this driver uses them. */
static const uint16_t supported_ids[] = {
	0x100c, /* 82544GC copper */
	0x100e, /* 82540EM desktop: QEMU's and Bochs' e1000 */
	0x100f, /* 82545EM copper */
	0x1015, /* 82540EM mobile */
	0x1016, /* 82540EP mobile */
	0x1017, /* 82540EP desktop */
	0x101e, /* 82540EP mobile */
	0x1026, /* 82545GM copper */
};

int e1000_is_supported(uint16_t vendor, uint16_t device)
{
	if (vendor != 0x8086)
		return 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(supported_ids); i++)
		if (supported_ids[i] == device)
			return 1;
	return 0;
}

static uint32_t rd(struct e1000 *nic, uint32_t reg)
{
	return *(volatile uint32_t *)(nic->regs + reg);
}

static void wr(struct e1000 *nic, uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(nic->regs + reg) = value;
}

/* Waits up to ms milliseconds for (reg & mask) == want; 0 or -EIO. */
static int wait_for(struct e1000 *nic, uint32_t reg, uint32_t mask, uint32_t want, uint32_t ms)
{
	uint64_t end = arch_cycles() + arch_tsc_hz() / 1000 * ms;

	do {
		if ((rd(nic, reg) & mask) == want)
			return 0;
	} while (arch_cycles() < end);
	return -EIO;
}

/* A unicast address a station may have: not all zeros, not multicast (bit 0 of byte 0). */
static int mac_is_valid(const uint8_t *mac)
{
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/* The address the device loaded from its EEPROM into RAL0/RAH0 at reset (SDM 5.6.1), or
 * EEPROM words 0-2 read through EERD (SDM 13.4.4). */
static int read_mac(struct e1000 *nic)
{
	uint32_t ral = rd(nic, REG_RAL0), rah = rd(nic, REG_RAH0);

	for (int i = 0; i < 4; i++)
		nic->mac[i] = (uint8_t)(ral >> (8 * i));
	nic->mac[4] = (uint8_t)rah;
	nic->mac[5] = (uint8_t)(rah >> 8);
	if ((rah & RAH_AV) && mac_is_valid(nic->mac))
		return 0;
	for (uint32_t word = 0; word < 3; word++) {
		wr(nic, REG_EERD, word << 8 | EERD_START);
		if (wait_for(nic, REG_EERD, EERD_DONE, EERD_DONE, 10))
			return -EIO;
		nic->mac[2 * word] = (uint8_t)(rd(nic, REG_EERD) >> 16);
		nic->mac[2 * word + 1] = (uint8_t)(rd(nic, REG_EERD) >> 24);
	}
	return mac_is_valid(nic->mac) ? 0 : -EINVAL;
}

/* The memory BAR0 of r (SDM 4.1: registers in memory space), or -ENODEV with why. */
static int map_bar0(struct e1000 *nic, const struct hw_resource *r, char *why, size_t why_size)
{
	const struct pv_hw_bar *bar = &r->bars[0];

	if (!(bar->flags & PV_HW_BAR_MEM) || !bar->base || bar->size < BAR0_MIN) {
		fmt_snprintf(why, why_size, "BAR0 is not a memory BAR of at least 128 KiB");
		return -ENODEV;
	}
	if (mm_range_has_ram(bar->base, bar->size) || arch_map_device(bar->base, BAR0_MIN)) {
		fmt_snprintf(why, why_size, "BAR0 at 0x%llx can not be mapped",
			     (unsigned long long)bar->base);
		return -ENODEV;
	}
	nic->regs = (volatile uint8_t *)(uintptr_t)bar->base;
	return 0;
}

/* Frames of Shunt's allocator, before any VM exists: never a guest's memory. */
static int alloc_ring(struct e1000_ring *r, int rx)
{
	hpa_t desc, bufs;

	if (mm_alloc_frames(1, PAGE_SIZE, &desc))
		return -ENOMEM;
	if (mm_alloc_frames(E1000_RING_SIZE * E1000_BUF_SIZE / PAGE_SIZE, PAGE_SIZE, &bufs)) {
		mm_free_frames(desc, 1);
		return -ENOMEM;
	}
	if (rx)
		e1000_rx_init(r, phys_to_virt(desc), phys_to_virt(bufs), bufs);
	else
		e1000_tx_init(r, phys_to_virt(desc), phys_to_virt(bufs), bufs);
	return 0;
}

static void free_ring(struct e1000_ring *r)
{
	mm_free_frames(virt_to_phys(r->desc), 1);
	mm_free_frames(virt_to_phys(r->bufs), E1000_RING_SIZE * E1000_BUF_SIZE / PAGE_SIZE);
}

static void start_rings(struct e1000 *nic)
{
	uint64_t rx = virt_to_phys(nic->rx.desc), tx = virt_to_phys(nic->tx.desc);

	/* Receive (SDM 14.4): base, length, head 0, tail at the last descriptor given. */
	wr(nic, REG_RDBAL, (uint32_t)rx);
	wr(nic, REG_RDBAH, (uint32_t)(rx >> 32));
	wr(nic, REG_RDLEN, E1000_RING_SIZE * sizeof(struct e1000_rx_desc));
	wr(nic, REG_RDH, 0);
	wr(nic, REG_RDT, E1000_RING_SIZE - 1);
	wr(nic, REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
	/* Transmit (SDM 14.5): an empty ring. */
	wr(nic, REG_TDBAL, (uint32_t)tx);
	wr(nic, REG_TDBAH, (uint32_t)(tx >> 32));
	wr(nic, REG_TDLEN, E1000_RING_SIZE * sizeof(struct e1000_tx_desc));
	wr(nic, REG_TDH, 0);
	wr(nic, REG_TDT, 0);
	wr(nic, REG_TIPG, TIPG_COPPER);
	wr(nic, REG_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
}

/* Reset (SDM 14.1, 13.4.1): no interrupts, the link set up, multicast table clear. */
static int reset(struct e1000 *nic)
{
	wr(nic, REG_IMC, 0xffffffff);
	wr(nic, REG_RCTL, 0);
	wr(nic, REG_TCTL, 0);
	wr(nic, REG_CTRL, rd(nic, REG_CTRL) | CTRL_RST);
	/* The SDM asks for a wait of at least 1 us before the register is read again. */
	for (uint64_t end = arch_cycles() + arch_tsc_hz() / 100000; arch_cycles() < end;)
		;
	if (wait_for(nic, REG_CTRL, CTRL_RST, 0, 10))
		return -EIO;
	wr(nic, REG_IMC, 0xffffffff);
	(void)rd(nic, REG_ICR); /* read to clear */
	wr(nic, REG_CTRL, rd(nic, REG_CTRL) | CTRL_SLU | CTRL_ASDE);
	for (unsigned int i = 0; i < 128; i++)
		wr(nic, REG_MTA + 4 * i, 0);
	return 0;
}

int e1000_init(struct e1000 *nic, const struct hw_resource *r, char *why, size_t why_size)
{
	uint16_t command = pci_command_read(r->bdf);
	int err;

	memset(nic, 0, sizeof(*nic));
	nic->bdf = r->bdf;
	nic->device = r->device;
	err = map_bar0(nic, r, why, why_size);
	if (err)
		return err;
	pci_command_write(r->bdf, command | PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER);
	if (!(pci_command_read(r->bdf) & PCI_COMMAND_BUS_MASTER)) {
		fmt_snprintf(why, why_size, "bus mastering does not turn on");
		err = -ENODEV;
		goto err_command;
	}
	err = reset(nic);
	if (err) {
		fmt_snprintf(why, why_size, "the device does not come out of reset");
		goto err_command;
	}
	err = read_mac(nic);
	if (err) {
		fmt_snprintf(why, why_size, "no valid MAC address (RAL0/RAH0 nor EEPROM)");
		goto err_command;
	}
	wr(nic, REG_RAL0,
	   nic->mac[0] | nic->mac[1] << 8 | nic->mac[2] << 16 | (uint32_t)nic->mac[3] << 24);
	wr(nic, REG_RAH0, nic->mac[4] | nic->mac[5] << 8 | RAH_AV);
	err = alloc_ring(&nic->rx, 1);
	if (err)
		goto err_rx;
	err = alloc_ring(&nic->tx, 0);
	if (err)
		goto err_tx;
	start_rings(nic);
	return 0;
err_tx:
	free_ring(&nic->rx);
err_rx:
	fmt_snprintf(why, why_size, "no memory for its rings");
err_command:
	pci_command_write(r->bdf, command & ~PCI_COMMAND_BUS_MASTER);
	return err;
}

int e1000_link_is_up(struct e1000 *nic)
{
	return !!(rd(nic, REG_STATUS) & STATUS_LU);
}

unsigned int e1000_receive(struct e1000 *nic, unsigned int budget,
			   void (*deliver)(void *ctx, const uint8_t *frame, uint16_t len),
			   void *ctx)
{
	unsigned int n = 0;
	int release = 0;
	uint32_t tail = 0;

	while (n < budget) {
		const uint8_t *frame;
		const char *why;
		uint16_t len;
		enum e1000_rx_verdict v = e1000_rx_peek(&nic->rx, &frame, &len, &why);

		if (v == E1000_RX_NONE)
			break;
		if (v == E1000_RX_FRAME)
			deliver(ctx, frame, len);
		tail = e1000_rx_release(&nic->rx);
		release = 1;
		n++;
	}
	if (release)
		wr(nic, REG_RDT, tail); /* once for the batch: one register write */
	return n;
}

uint8_t *e1000_tx_begin(struct e1000 *nic)
{
	uint8_t *buf = e1000_tx_buffer(&nic->tx);

	if (!buf && e1000_tx_reap(&nic->tx))
		buf = e1000_tx_buffer(&nic->tx);
	if (!buf)
		nic->tx_full++;
	return buf;
}

int e1000_send(struct e1000 *nic, uint32_t len)
{
	int tail = e1000_tx_commit(&nic->tx, len);

	if (tail < 0)
		return tail;
	wr(nic, REG_TDT, (uint32_t)tail);
	return 0;
}
