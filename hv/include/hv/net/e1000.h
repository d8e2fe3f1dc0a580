/*
 * Shunt's driver for the Intel 8254x (e1000) NICs that it manages itself (hv/net/e1000.c):
 * polled, no interrupts, one receive and one transmit ring in Shunt's own memory.
 */
#ifndef HV_NET_E1000_H
#define HV_NET_E1000_H

#include <hv/net/e1000_ring.h>
#include <hv/types.h>

struct hw_resource;

struct e1000 {
	volatile uint8_t *regs; /* BAR0, mapped uncached */
	uint32_t bdf;
	uint16_t device;
	uint8_t mac[6];
	struct e1000_ring rx, tx;
	uint64_t tx_full; /* frames dropped: no free transmit descriptor */
};

/* 1 if vendor:device is an 8254x this driver knows (SDM 5.1's device IDs). Pure. */
int e1000_is_supported(uint16_t vendor, uint16_t device);

/*
 * Takes the device r over: BAR0 mapped, memory decoding and bus mastering on, a reset, all
 * interrupts masked, the MAC address read (RAL0/RAH0, else the EEPROM) and checked, the
 * rings set up in frames of Shunt's allocator, receive and transmit on. 0, or a negative
 * code with the reason in why (the device then has bus mastering off again).
 */
int e1000_init(struct e1000 *nic, const struct hw_resource *r, char *why, size_t why_size);
/* 1 if the link is up (STATUS.LU). */
int e1000_link_is_up(struct e1000 *nic);
/*
 * Hands at most budget received frames, each checked, to deliver (which copies what it
 * keeps: the buffer goes back to the device at once); returns how many.
 */
unsigned int e1000_receive(struct e1000 *nic, unsigned int budget,
			   void (*deliver)(void *ctx, const uint8_t *frame, uint16_t len),
			   void *ctx);
/*
 * A buffer of E1000_BUF_SIZE bytes for the next frame to send, or NULL when every
 * descriptor is still the device's; e1000_send() sends len bytes of it.
 */
uint8_t *e1000_tx_begin(struct e1000 *nic);
int e1000_send(struct e1000 *nic, uint32_t len);

#endif
