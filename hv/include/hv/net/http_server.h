/*
 * The management API's HTTP server (hv/net/http_server.c) on lwIP's raw TCP API: port 80,
 * at most HTTP_SERVER_CONNS connections, API.md's limits and timeouts, answers written as the
 * send buffer allows. What it serves is hv/net/api.c's. Its counters, for /metrics and
 * /api/v1/host. Host work only (lwIP's callbacks run from mgmt_poll()).
 */
#ifndef HV_NET_HTTP_SERVER_H
#define HV_NET_HTTP_SERVER_H

#include <hv/types.h>

#define HTTP_SERVER_PORT 80
#define HTTP_SERVER_CONNS 8 /* open connections; the next gets 429 and is closed */
#define HTTP_SERVER_RATE 50 /* requests a second, all clients together */
#define HTTP_SERVER_BURST 100
#define HTTP_SERVER_REQUEST_TIMEOUT_S 10   /* from a request's first byte to its last */
#define HTTP_SERVER_IDLE_TIMEOUT_S 30	   /* a connection with no request under way */
#define HTTP_SERVER_ANSWER_MAX (64 * 1024) /* the largest answer built (from the pool) */
#define HTTP_SERVER_ANSWER_MIN (4 * 1024)  /* a pool short of more: answers that fit in this */

struct http_server_stats {
	uint64_t requests;	      /* complete requests read (answered or refused) */
	uint64_t answers[6];	      /* answers by status class: [2] 2xx ... [5] 5xx */
	uint64_t connections;	      /* accepted since the start */
	uint64_t connections_open;    /* open now */
	uint64_t connections_refused; /* past HTTP_SERVER_CONNS, or no memory for one */
	uint64_t rate_limited;	      /* 429 rate_limited answers (the rate, or auth failures) */
	uint64_t timeouts;	      /* 408 answers, and idle connections closed */
	uint64_t pool_short;	      /* 503 answers: the pool had no room for an answer */
};

/* Listens on HTTP_SERVER_PORT: after lwIP is up (mgmt_start()). 0, or -ENOMEM. */
int http_server_start(void);

/* The counters since the start. */
const struct http_server_stats *http_server_stats(void);

/* lwIP's pool: its size, bytes in use now, and the most ever in use. */
void http_server_pool(uint64_t *size, uint64_t *used, uint64_t *high_water);

/* A reader of the answer a deferred action gives (hv/net/api.c): see api_answer_ready(). */
struct http_conn;

#endif
