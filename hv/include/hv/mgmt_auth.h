/*
 * Who may use the management API (hv/net/API.md, "Authentication"): the check of a
 * request's HMAC-SHA256 signature or metrics token against the key read from the boot
 * medium, the replay table, and the slow-down of addresses that keep failing. The HTTP
 * server (hv/net/http_server.c) asks; hv/net/auth.c answers. Host work only, one caller at
 * a time (the management plane runs on one CPU's host work).
 */
#ifndef HV_MGMT_AUTH_H
#define HV_MGMT_AUTH_H

#include <hv/types.h>

/* What a request's credentials allow, from least to most. */
enum mgmt_access {
	MGMT_ACCESS_NONE = 0, /* no credentials, or none that passed */
	MGMT_ACCESS_METRICS,  /* GET /metrics only (the metrics token, or mgmt.metrics=public) */
	MGMT_ACCESS_ADMIN,    /* everything: a valid signature with the key */
};

/* One request as the HTTP parser saw it; every pointer may be NULL with its length 0. */
struct mgmt_auth_request {
	const char *method;
	size_t method_len;
	const char *target; /* the request line's target as sent: path and query */
	size_t target_len;
	const char *authorization; /* the Authorization header's value; NULL: none */
	size_t authorization_len;
	const uint8_t *body;
	size_t body_len;
	uint32_t peer; /* the client's IPv4 address, host byte order */
};

/*
 * The access r's credentials carry (MGMT_ACCESS_NONE for none, or for credentials that did
 * not pass: then the failure is counted, against r->peer too). A signature's nonce is
 * remembered only when it passes. now: Unix seconds (wall_clock_now()).
 */
enum mgmt_access mgmt_auth_check(const struct mgmt_auth_request *r, uint64_t now);

/*
 * Counts a refusal the caller made itself (a metrics token used for an action: 403) as a
 * failure of peer.
 */
void mgmt_auth_note_failure(uint32_t peer, uint64_t now);

/*
 * 0 if peer may be served now; otherwise the seconds it must wait (its recent failures
 * passed the limit): the server answers 429 with Retry-After and does not look further.
 */
uint32_t mgmt_auth_peer_wait(uint32_t peer, uint64_t now);

/* Failures counted since boot. */
uint64_t mgmt_auth_failures(void);

#endif
