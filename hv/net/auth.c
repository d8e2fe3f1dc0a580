/*
 * The management API's access check (hv/include/hv/mgmt_auth.h). Until the key file and
 * the signature check are in place, nothing is granted: every request to the API is refused
 * and counted, so that no build ever serves an unauthenticated API.
 */
#include <hv/mgmt_auth.h>

static uint64_t failures;

enum mgmt_access mgmt_auth_check(const struct mgmt_auth_request *r, uint64_t now)
{
	(void)now;
	if (r->authorization)
		failures++;
	return MGMT_ACCESS_NONE;
}

void mgmt_auth_note_failure(uint32_t peer, uint64_t now)
{
	(void)peer;
	(void)now;
	failures++;
}

uint32_t mgmt_auth_peer_wait(uint32_t peer, uint64_t now)
{
	(void)peer;
	(void)now;
	return 0;
}

uint64_t mgmt_auth_failures(void)
{
	return failures;
}
