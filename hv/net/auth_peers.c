/*
 * The slow-down of addresses whose authentications keep failing (API.md, the limits): a
 * fixed table, least recently heard from forgotten first, so that a flood of addresses costs
 * memory no more than one does.
 */
#include <hv/net/auth.h>

static int find(const struct auth_peers *p, uint32_t addr)
{
	for (int i = 0; i < AUTH_PEER_SLOTS; i++)
		if (p->slot[i].in_use && p->slot[i].addr == addr)
			return i;
	return -1;
}

/* A slot for addr: its own, a free one, or the least recently used. */
static int take(struct auth_peers *p, uint32_t addr)
{
	int i = find(p, addr), lru = 0;

	if (i >= 0)
		return i;
	for (i = 0; i < AUTH_PEER_SLOTS; i++) {
		if (!p->slot[i].in_use)
			break;
		if (p->slot[i].last < p->slot[lru].last)
			lru = i;
	}
	if (i == AUTH_PEER_SLOTS)
		i = lru;
	p->slot[i].addr = addr;
	p->slot[i].in_use = 1;
	p->slot[i].failures = 0;
	p->slot[i].level = 0;
	p->slot[i].until = 0;
	p->slot[i].first = p->slot[i].last = 0;
	return i;
}

void auth_peers_fail(struct auth_peers *p, uint32_t addr, uint64_t now)
{
	int i = take(p, addr);
	uint32_t max_level = 0;
	uint64_t quiet_since = MAX(p->slot[i].last, p->slot[i].until);

	while ((1u << (max_level + 1)) <= AUTH_PEER_WAIT_MAX_S)
		max_level++;
	/* Quiet for a window since its last failure or wait: forgiven. */
	if (!p->slot[i].failures || now - quiet_since > AUTH_PEER_WINDOW_S) {
		p->slot[i].level = 0;
		p->slot[i].failures = 0;
		p->slot[i].first = now;
	} else if (!p->slot[i].level && now - p->slot[i].first > AUTH_PEER_WINDOW_S) {
		p->slot[i].failures = 0; /* not yet slowed: its failures count per window */
		p->slot[i].first = now;
	}
	p->slot[i].last = now;
	/* Once slowed down, every failure waits, twice as long as the one before. */
	if (++p->slot[i].failures < AUTH_PEER_FAILURES && !p->slot[i].level)
		return;
	p->slot[i].until = now + (1u << p->slot[i].level);
	if (p->slot[i].level < max_level)
		p->slot[i].level++;
}

uint32_t auth_peers_wait(const struct auth_peers *p, uint32_t addr, uint64_t now)
{
	int i = find(p, addr);

	if (i < 0 || p->slot[i].until <= now)
		return 0;
	return (uint32_t)(p->slot[i].until - now);
}
