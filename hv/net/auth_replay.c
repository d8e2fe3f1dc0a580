/*
 * The replay table (API.md, "Authentication"): the nonces of the signatures that passed,
 * with their timestamps. Bounded: when it is full the entry with the oldest timestamp goes,
 * and the floor rises to that timestamp, so that whatever it could have caught is refused
 * as stale instead. A linear scan of 1,024 entries per request: the API takes 50 a second.
 */
#include <hv/net/auth.h>
#include <hv/string.h>

enum auth_replay_verdict auth_replay_check(const struct auth_replay *t,
					   const uint8_t nonce[AUTH_NONCE_BYTES], uint64_t ts)
{
	if (t->floor && ts <= t->floor)
		return AUTH_REPLAY_FLOOR;
	for (uint32_t i = 0; i < t->used; i++)
		if (!memcmp(t->slot[i].nonce, nonce, AUTH_NONCE_BYTES))
			return AUTH_REPLAY_SEEN;
	return AUTH_REPLAY_FRESH;
}

void auth_replay_remember(struct auth_replay *t, const uint8_t nonce[AUTH_NONCE_BYTES], uint64_t ts,
			  uint64_t now)
{
	uint32_t victim = 0;

	if (t->used < AUTH_REPLAY_SLOTS) {
		victim = t->used++;
	} else {
		for (uint32_t i = 1; i < AUTH_REPLAY_SLOTS; i++)
			if (t->slot[i].ts < t->slot[victim].ts)
				victim = i;
		/*
		 * An entry past the window holds nothing the window does not refuse already;
		 * forgetting a younger one raises the floor.
		 */
		if (t->slot[victim].ts + AUTH_WINDOW_S >= now && t->slot[victim].ts > t->floor)
			t->floor = t->slot[victim].ts;
	}
	memcpy(t->slot[victim].nonce, nonce, AUTH_NONCE_BYTES);
	t->slot[victim].ts = ts;
}
