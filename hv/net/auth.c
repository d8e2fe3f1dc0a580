/*
 * The management API's access check (hv/include/hv/mgmt_auth.h, API.md "Authentication"):
 * the key read from the boot medium, the signature and metrics-token checks, the replay
 * table and the slow-down of failing addresses. Until a good key is loaded, no signature
 * passes, so no build ever serves an unauthenticated API.
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/log.h>
#include <hv/mgmt.h>
#include <hv/mgmt_auth.h>
#include <hv/net/auth.h>
#include <hv/net/crypto.h>
#include <hv/string.h>

enum key_state {
	KEY_NONE = 0, /* no file */
	KEY_BAD,      /* a file, refused: why says why */
	KEY_OK,
};

static struct {
	enum key_state state;
	struct auth_key key;
	char fingerprint[9];
	unsigned int line; /* of the key file's problem; 0: the file as a whole */
	char why[128];
	uint64_t failures;
	struct auth_replay replay;
	struct auth_peers peers;
} auth;

void mgmt_auth_load_key(void *text, size_t len)
{
	if (auth_key_parse(text, len, &auth.key, &auth.line, auth.why, sizeof(auth.why))) {
		auth.state = KEY_BAD;
	} else {
		auth.state = KEY_OK;
		auth_key_fingerprint(&auth.key, auth.fingerprint);
	}
	crypto_wipe(text, len); /* the module stays in RAM: the key must not */
}

void mgmt_auth_key_missing(const char *why)
{
	auth.state = why ? KEY_BAD : KEY_NONE;
	auth.line = 0;
	if (why)
		fmt_snprintf(auth.why, sizeof(auth.why), "%s", why);
}

/* mgmt.metrics=token works only with a token in the key file. */
static enum mgmt_metrics_access metrics_access(void)
{
	enum mgmt_metrics_access m = hv_options.mgmt.metrics;

	if (m == MGMT_METRICS_TOKEN && (auth.state != KEY_OK || !auth.key.token_len))
		return MGMT_METRICS_SIGNED;
	return m;
}

void mgmt_auth_report(void)
{
	switch (auth.state) {
	case KEY_OK:
		log_info("mgmt: API on port 80, key loaded (fingerprint %s)\n", auth.fingerprint);
		break;
	case KEY_BAD:
		if (auth.line)
			log_error("mgmt: key: " AUTH_KEY_NAME ":%u: %s; the API refuses every "
				  "request\n",
				  auth.line, auth.why);
		else
			log_error("mgmt: key: " AUTH_KEY_NAME
				  ": %s; the API refuses every request\n",
				  auth.why);
		break;
	case KEY_NONE:
	default:
		log_info("mgmt: no key on the boot medium (" AUTH_KEY_NAME "): the API refuses "
			 "every request; shuntctl keygen writes one\n");
		break;
	}
	if (hv_options.mgmt.metrics == MGMT_METRICS_TOKEN && metrics_access() != MGMT_METRICS_TOKEN)
		log_error("mgmt: mgmt.metrics=token, but " AUTH_KEY_NAME " has no metrics-token "
			  "line: /metrics needs a signed request\n");
	else if (hv_options.mgmt.metrics == MGMT_METRICS_PUBLIC)
		log_info("mgmt: /metrics is public (mgmt.metrics=public)\n");
}

/* Seconds since boot: the slow-down's clock, which runs even when the wall clock is unknown. */
static uint64_t uptime_s(void)
{
	return arch_cycles() / arch_tsc_hz();
}

static void fail(uint32_t peer)
{
	auth.failures++;
	auth_peers_fail(&auth.peers, peer, uptime_s());
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static int signature_passes(const struct mgmt_auth_request *r, uint64_t now)
{
	const struct auth_sig_input in = { r->method,	  r->method_len, r->target,
					   r->target_len, r->body,	 r->body_len };
	struct auth_sig sig;
	uint8_t want[AUTH_SIG_BYTES];
	int ok;

	if (auth.state != KEY_OK || !now ||
	    auth_sig_parse(r->authorization, r->authorization_len, &sig) ||
	    distance(sig.ts, now) > AUTH_WINDOW_S)
		return 0;
	if (auth_sig_compute(auth.key.key, &in, sig.ts_text, sig.ts_len, sig.nonce_hex, want))
		return 0;
	ok = crypto_equal(want, sig.sig, AUTH_SIG_BYTES);
	crypto_wipe(want, sizeof(want));
	if (!ok || auth_replay_check(&auth.replay, sig.nonce, sig.ts) != AUTH_REPLAY_FRESH)
		return 0;
	auth_replay_remember(&auth.replay, sig.nonce, sig.ts, now);
	return 1;
}

/* The token compared over its whole stored length whatever was sent, in constant time. */
static int token_passes(const char *sent, size_t len)
{
	char padded[AUTH_TOKEN_MAX];

	if (auth.state != KEY_OK || !auth.key.token_len)
		return 0;
	memset(padded, 0, sizeof(padded));
	memcpy(padded, sent, MIN(len, sizeof(padded)));
	return (len == auth.key.token_len) &
	       crypto_equal(padded, auth.key.token, auth.key.token_len);
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

enum mgmt_access mgmt_auth_check(const struct mgmt_auth_request *r, uint64_t now)
{
	enum mgmt_access floor =
		metrics_access() == MGMT_METRICS_PUBLIC ? MGMT_ACCESS_METRICS : MGMT_ACCESS_NONE;
	const char *a = r->authorization;
	size_t len = r->authorization_len;

	if (!a)
		return floor;
	if (starts_with(a, len, AUTH_SCHEME) && signature_passes(r, now))
		return MGMT_ACCESS_ADMIN;
	if (starts_with(a, len, AUTH_BEARER) && metrics_access() == MGMT_METRICS_TOKEN &&
	    token_passes(a + strlen(AUTH_BEARER), len - strlen(AUTH_BEARER)))
		return MGMT_ACCESS_METRICS;
	fail(r->peer);
	return floor;
}

void mgmt_auth_note_failure(uint32_t peer, uint64_t now)
{
	(void)now;
	fail(peer);
}

uint32_t mgmt_auth_peer_wait(uint32_t peer, uint64_t now)
{
	(void)now;
	return auth_peers_wait(&auth.peers, peer, uptime_s());
}

uint64_t mgmt_auth_failures(void)
{
	return auth.failures;
}
