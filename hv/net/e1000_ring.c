/*
 * The e1000's legacy descriptor rings (see hv/net/e1000_ring.h): receive, checked before
 * use, and transmit, with the device's progress read from the descriptors' DD bits only.
 * Descriptors are shared with the device: each is read once into a local copy, and written
 * whole. Pure code, host-tested.
 */
#include <hv/net/e1000_ring.h>
#include <hv/string.h>

static volatile struct e1000_rx_desc *rx_desc(const struct e1000_ring *r, uint32_t i)
{
	return (volatile struct e1000_rx_desc *)r->desc + i;
}

static volatile struct e1000_tx_desc *tx_desc(const struct e1000_ring *r, uint32_t i)
{
	return (volatile struct e1000_tx_desc *)r->desc + i;
}

static void rx_give(struct e1000_ring *r, uint32_t i)
{
	volatile struct e1000_rx_desc *d = rx_desc(r, i);

	d->addr = r->bufs_bus + (uint64_t)i * E1000_BUF_SIZE;
	d->length = 0;
	d->errors = 0;
	d->special = 0;
	d->checksum = 0;
	/* The status last: the device may write the descriptor again from here on. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	d->status = 0;
}

void e1000_rx_init(struct e1000_ring *r, void *desc, uint8_t *bufs, uint64_t bufs_bus)
{
	*r = (struct e1000_ring){ .desc = desc, .bufs = bufs, .bufs_bus = bufs_bus };
	for (uint32_t i = 0; i < E1000_RING_SIZE; i++)
		rx_give(r, i);
}

enum e1000_rx_verdict e1000_rx_peek(struct e1000_ring *r, const uint8_t **frame, uint16_t *len,
				    const char **why)
{
	volatile struct e1000_rx_desc *d = rx_desc(r, r->next);
	uint8_t status = d->status, errors;
	uint16_t length;
	int first_of_many;

	if (!(status & E1000_RXD_STAT_DD))
		return E1000_RX_NONE;
	/* The rest of the descriptor only after DD: the device writes it back before. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	errors = d->errors;
	length = d->length;
	first_of_many = !r->discarding && !(status & E1000_RXD_STAT_EOP);
	if (r->discarding || first_of_many) {
		/* A frame over several buffers is longer than any Shunt takes. */
		r->discarding = !(status & E1000_RXD_STAT_EOP);
		*why = "a frame longer than one buffer";
		r->dropped += first_of_many;
		return E1000_RX_DROP;
	}
	if (errors & E1000_RXD_ERR_FRAME) {
		*why = "a receive error";
		r->dropped++;
		return E1000_RX_DROP;
	}
	if (length < E1000_FRAME_MIN || length > E1000_FRAME_MAX) {
		*why = "a length out of range";
		r->dropped++;
		return E1000_RX_DROP;
	}
	*frame = r->bufs + (size_t)r->next * E1000_BUF_SIZE;
	*len = length;
	r->frames++;
	r->bytes += length;
	return E1000_RX_FRAME;
}

uint32_t e1000_rx_release(struct e1000_ring *r)
{
	uint32_t done = r->next;

	rx_give(r, done);
	r->next = (done + 1) % E1000_RING_SIZE;
	return done; /* RDT: the last descriptor the device may fill */
}

void e1000_tx_init(struct e1000_ring *r, void *desc, uint8_t *bufs, uint64_t bufs_bus)
{
	*r = (struct e1000_ring){ .desc = desc, .bufs = bufs, .bufs_bus = bufs_bus };
	memset(desc, 0, E1000_RING_SIZE * sizeof(struct e1000_tx_desc));
}

uint32_t e1000_tx_reap(struct e1000_ring *r)
{
	uint32_t n = 0;

	while (r->in_flight && (tx_desc(r, r->clean)->status & E1000_TXD_STAT_DD)) {
		r->clean = (r->clean + 1) % E1000_RING_SIZE;
		r->in_flight--;
		n++;
	}
	return n;
}

uint8_t *e1000_tx_buffer(struct e1000_ring *r)
{
	if (r->in_flight >= E1000_RING_SIZE - 1)
		return NULL;
	return r->bufs + (size_t)r->next * E1000_BUF_SIZE;
}

int e1000_tx_commit(struct e1000_ring *r, uint32_t len)
{
	volatile struct e1000_tx_desc *d;

	if (!len || len > E1000_BUF_SIZE)
		return -EINVAL;
	if (r->in_flight >= E1000_RING_SIZE - 1)
		return -ENOSPC;
	d = tx_desc(r, r->next);
	d->addr = r->bufs_bus + (uint64_t)r->next * E1000_BUF_SIZE;
	d->length = (uint16_t)len;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	r->next = (r->next + 1) % E1000_RING_SIZE;
	r->in_flight++;
	r->frames++;
	r->bytes += len;
	/* The descriptor is whole in memory before the tail write that hands it over. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return (int)r->next;
}
