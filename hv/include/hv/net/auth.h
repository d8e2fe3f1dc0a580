/*
 * The pieces of the management API's access check (hv/net/API.md, "Authentication") behind
 * hv/include/hv/mgmt_auth.h: the key file (auth_key.c), the Authorization header and the
 * signature (auth_sig.c), the replay table (auth_replay.c) and the slow-down of failing
 * addresses (auth_peers.c), all pure code with time as an argument, tested on the host
 * (tests/unit/test_auth.c); and the boot's side of hv/net/auth.c, which holds them.
 */
#ifndef HV_NET_AUTH_H
#define HV_NET_AUTH_H

#include <hv/types.h>

#define AUTH_KEY_NAME "/shunt.key" /* the file on the boot medium, and its module's name */
#define AUTH_KEY_FILE_MAX 4096	   /* bytes: a key file is a few lines */
#define AUTH_KEY_BYTES 32
#define AUTH_TOKEN_MIN 32 /* hex digits of a metrics token */
#define AUTH_TOKEN_MAX 64
#define AUTH_NONCE_BYTES 16
#define AUTH_SIG_BYTES 32
#define AUTH_TS_DIGITS 19 /* a Unix time that fits 64 bits */
#define AUTH_WINDOW_S 300 /* a timestamp this far from Shunt's clock, either way, passes */
#define AUTH_SCHEME "Shunt-HMAC-SHA256 "
#define AUTH_BEARER "Bearer "

/* The key file's contents, once parsed. */
struct auth_key {
	uint8_t key[AUTH_KEY_BYTES];
	char token[AUTH_TOKEN_MAX + 1]; /* the metrics token as written (hex); "" when none */
	size_t token_len;
};

/*
 * Parses a key file (text, LF or CRLF lines, blank lines and # comments, one
 * `shunt-key-v1 HEX64` line, at most one `metrics-token HEX32..64` line). 0, or -EINVAL
 * with the line at fault in *line (0: the file as a whole) and the reason in why, which
 * never quotes the file's bytes (they may be the key).
 */
int auth_key_parse(const char *text, size_t len, struct auth_key *out, unsigned int *line,
		   char *why, size_t why_size);
/* The key's fingerprint: the first 4 bytes of its SHA-256, 8 hex digits (out: 9 bytes). */
void auth_key_fingerprint(const struct auth_key *k, char *out);

/* The parts of an `Authorization: Shunt-HMAC-SHA256 ...` header. */
struct auth_sig {
	uint64_t ts;
	const char *ts_text; /* the digits as sent: they are what was signed */
	size_t ts_len;
	const char *nonce_hex; /* 32 lowercase hex digits, as sent */
	uint8_t nonce[AUTH_NONCE_BYTES];
	uint8_t sig[AUTH_SIG_BYTES];
};

/*
 * Parses a header value `Shunt-HMAC-SHA256 ts=T, nonce=N, sig=S` strictly: that order, one
 * space after the scheme and after each comma, T decimal without leading zeros (at most
 * AUTH_TS_DIGITS), N 32 and S 64 lowercase hex digits, nothing after. 0 or -EINVAL. out
 * points into value.
 */
int auth_sig_parse(const char *value, size_t len, struct auth_sig *out);

/* What a signature covers: the request as the HTTP parser saw it. */
struct auth_sig_input {
	const char *method;
	size_t method_len;
	const char *target;
	size_t target_len;
	const uint8_t *body;
	size_t body_len;
};

/*
 * The signature of in with key, ts and nonce as sent: HMAC-SHA256 over "shunt-v1\n" METHOD
 * "\n" TARGET "\n" TS "\n" NONCE "\n" hex(SHA-256(body)) "\n". 0, or -ENOMEM.
 */
int auth_sig_compute(const uint8_t key[AUTH_KEY_BYTES], const struct auth_sig_input *in,
		     const char *ts, size_t ts_len, const char *nonce_hex,
		     uint8_t out[AUTH_SIG_BYTES]);

/*
 * The nonces of the signatures that passed in the last AUTH_WINDOW_S (API.md): at least
 * 1,024. When it is full, the entry with the oldest timestamp is forgotten and `floor` rises
 * to that timestamp: a request at or below the floor is refused as stale, since its nonce
 * may be one forgotten.
 */
#define AUTH_REPLAY_SLOTS 1024
struct auth_replay {
	struct {
		uint8_t nonce[AUTH_NONCE_BYTES];
		uint64_t ts;
	} slot[AUTH_REPLAY_SLOTS];
	uint32_t used;
	uint64_t floor; /* 0: nothing forgotten yet */
};

enum auth_replay_verdict {
	AUTH_REPLAY_FRESH = 0,
	AUTH_REPLAY_SEEN,  /* the nonce is remembered: a replay */
	AUTH_REPLAY_FLOOR, /* ts at or below the floor */
};

enum auth_replay_verdict auth_replay_check(const struct auth_replay *t,
					   const uint8_t nonce[AUTH_NONCE_BYTES], uint64_t ts);
/* Remembers nonce (checked fresh) at ts; now: Shunt's clock, for what has expired. */
void auth_replay_remember(struct auth_replay *t, const uint8_t nonce[AUTH_NONCE_BYTES], uint64_t ts,
			  uint64_t now);

/*
 * Failed authentications per IPv4 address (API.md): AUTH_PEER_FAILURES within
 * AUTH_PEER_WINDOW_S, and the address waits 1 s, then 2, 4, ... up to AUTH_PEER_WAIT_MAX_S
 * at each further failure, until it has been quiet for AUTH_PEER_WINDOW_S. A fixed table:
 * when full, the address heard from least recently is forgotten.
 */
#define AUTH_PEER_SLOTS 64
#define AUTH_PEER_FAILURES 5
#define AUTH_PEER_WINDOW_S 60
#define AUTH_PEER_WAIT_MAX_S 64
struct auth_peers {
	struct {
		uint32_t addr;
		uint8_t in_use;
		uint8_t level;	   /* the next wait is 1 << level seconds */
		uint32_t failures; /* since first */
		uint64_t first, last, until;
	} slot[AUTH_PEER_SLOTS];
};

/* Counts a failure of addr at now (seconds of any monotonic clock). */
void auth_peers_fail(struct auth_peers *p, uint32_t addr, uint64_t now);
/* Seconds addr must still wait at now (0: it may be served). */
uint32_t auth_peers_wait(const struct auth_peers *p, uint32_t addr, uint64_t now);

/*
 * The boot's side of hv/net/auth.c. mgmt_auth_load_key() parses the key file's text (the
 * boot module AUTH_KEY_NAME) and wipes it; mgmt_auth_key_missing() says there is none
 * usable (why: NULL for no file). mgmt_auth_report() prints the boot's mgmt: lines about
 * the key and /metrics' access once management is up.
 */
void mgmt_auth_load_key(void *text, size_t len);
void mgmt_auth_key_missing(const char *why);
void mgmt_auth_report(void);

#endif
