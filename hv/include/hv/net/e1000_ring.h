/*
 * The descriptor rings of the Intel 8254x (e1000) in their legacy format, as the driver
 * (hv/net/e1000.c) keeps them in Shunt's memory: what the device wrote back is checked
 * before it is used, and every buffer address the device gets comes from Shunt's own
 * table, never from a descriptor. Pure code, host-tested (tests/unit/test_e1000_ring.c).
 * Section numbers are of Intel's "PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual" (8254x SDM, 317453).
 */
#ifndef HV_NET_E1000_RING_H
#define HV_NET_E1000_RING_H

#include <hv/types.h>

/* Legacy receive descriptor (SDM 3.2.3). */
struct e1000_rx_desc {
	uint64_t addr; /* the buffer's bus address */
	uint16_t length;
	uint16_t checksum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "SDM 3.2.3: 16 bytes");

/* Legacy transmit descriptor (SDM 3.3.3). */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "SDM 3.3.3: 16 bytes");

#define E1000_RXD_STAT_DD 0x01 /* descriptor done (SDM 3.2.3.1) */
#define E1000_RXD_STAT_EOP 0x02
/* Receive errors (SDM 3.2.3.2) that spoil the frame: CRC, symbol, sequence, carrier
 * extension, RX data. The checksum-offload bits (TCPE, IPE) are not: lwIP checks sums. */
#define E1000_RXD_ERR_FRAME 0x97
#define E1000_TXD_CMD_EOP 0x01	/* end of packet (SDM 3.3.3.1) */
#define E1000_TXD_CMD_IFCS 0x02 /* insert the FCS */
#define E1000_TXD_CMD_RS 0x08	/* report status: DD set when sent */
#define E1000_TXD_STAT_DD 0x01

/* Descriptors per ring: RDLEN and TDLEN are multiples of 128 bytes (SDM 13.4.27, 13.4.38). */
#define E1000_RING_SIZE 32
_Static_assert(E1000_RING_SIZE % 8 == 0, "ring length a multiple of 128 bytes");
/* One buffer per descriptor: RCTL.BSIZE 2048 (SDM 13.4.22) holds any frame without LPE. */
#define E1000_BUF_SIZE 2048
/* A frame as received with the CRC stripped (RCTL.SECRC): header to VLAN-tagged maximum. */
#define E1000_FRAME_MIN 14
#define E1000_FRAME_MAX 1518

struct e1000_ring {
	void *desc;	    /* E1000_RING_SIZE descriptors, 16-byte aligned */
	uint8_t *bufs;	    /* E1000_RING_SIZE buffers of E1000_BUF_SIZE bytes */
	uint64_t bufs_bus;  /* the bus address of bufs[0] (identity-mapped: the same) */
	uint32_t next;	    /* RX: the next descriptor to look at; TX: the next to fill */
	uint32_t clean;	    /* TX: the oldest descriptor handed to the device */
	uint32_t in_flight; /* TX: descriptors the device holds */
	int discarding;	    /* RX: inside a frame that spans buffers: dropped up to its EOP */
	uint64_t frames, bytes, dropped;
};

/* What e1000_rx_peek() found at the ring's next descriptor. */
enum e1000_rx_verdict {
	E1000_RX_NONE,	/* the device has not filled it: nothing more to receive now */
	E1000_RX_FRAME, /* a good frame: *frame and *len until e1000_rx_release() */
	E1000_RX_DROP,	/* something to skip (*why says what): release it all the same */
};

/* Sets up an RX ring: every descriptor pointing at its buffer, none done. */
void e1000_rx_init(struct e1000_ring *r, void *desc, uint8_t *bufs, uint64_t bufs_bus);
/* Looks at the next descriptor, checking status, errors and length before any is used. */
enum e1000_rx_verdict e1000_rx_peek(struct e1000_ring *r, const uint8_t **frame, uint16_t *len,
				    const char **why);
/*
 * Gives the descriptor e1000_rx_peek() looked at back to the device (its buffer address
 * rewritten from Shunt's table) and moves on; returns the value for RDT (SDM 3.2.6).
 */
uint32_t e1000_rx_release(struct e1000_ring *r);

/* Sets up a TX ring: empty, no descriptor held by the device. */
void e1000_tx_init(struct e1000_ring *r, void *desc, uint8_t *bufs, uint64_t bufs_bus);
/* Takes back the descriptors the device has sent (DD); returns how many. */
uint32_t e1000_tx_reap(struct e1000_ring *r);
/* The buffer of the next free descriptor, or NULL when the ring is full (one kept empty). */
uint8_t *e1000_tx_buffer(struct e1000_ring *r);
/*
 * Hands the next descriptor, whose buffer holds len bytes (1..E1000_BUF_SIZE), to the
 * device; returns the value for TDT, or -EINVAL (bad len) or -ENOSPC (ring full).
 */
int e1000_tx_commit(struct e1000_ring *r, uint32_t len);

#endif
