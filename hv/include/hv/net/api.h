/*
 * The management API's router and endpoints (hv/net/api.c, hv/net/API.md): what the HTTP
 * server (hv/net/http_server.c) answers to a parsed request. Host work only.
 */
#ifndef HV_NET_API_H
#define HV_NET_API_H

#include <hv/json.h>
#include <hv/net/http.h>
#include <hv/types.h>

/* An answer being built: the server gives buf; api.c fills the rest. */
struct api_answer {
	int status;
	const char *content_type;
	char *buf; /* the body, built here (JSON) */
	size_t size, len;
	const void *static_body; /* or a body that lives as long as Shunt (the dashboard's) */
	size_t static_len;
	/*
	 * Set: static_body is lent for this answer only; the server copies it as it sends and
	 * calls tail_done() once all of it is queued, or the connection is gone.
	 */
	void (*tail_done)(void);
	const char *allow;    /* 405: the methods the path takes */
	uint32_t retry_after; /* 429: seconds */
	int close;	      /* close the connection after it */
	int deferred; /* an action runs first (sched_defer()): http_server_complete() answers */
};

/* The error answer of API.md: status, its stable code, and message. */
void api_error(struct api_answer *a, int status, const char *message);

/* The stable code of an error status ("bad_request", ...). */
const char *api_error_code(int status);

/*
 * Answers req from peer (IPv4, host byte order). conn: the server's token for the
 * connection, handed back to http_server_complete() by a deferred action.
 */
void api_handle(const struct http_request *req, uint32_t peer, uint32_t conn, struct api_answer *a);

/* Builds a deferred action's answer into a (see struct api_answer.deferred). */
typedef void (*api_build_fn)(struct api_answer *a, void *ctx);

/* hv/net/http_server.c: conn's answer is ready to build (if conn is still there). */
void http_server_complete(uint32_t conn, api_build_fn build, void *ctx);

/* hv/net/api_json.c: a VM as API.md's "A VM" (detail: GET /api/v1/vms/NAME's more). */
struct vm;
void api_json_vm(struct json *j, const struct vm *vm, int detail);
/* GET /api/v1/host's object. */
void api_json_host(struct json *j);

/* Log lines as a JSON array of strings (the boot report) or of line objects (GET /log). */
struct api_log_page {
	struct json *j;
	int objects;
	uint64_t upto; /* lines past it are not wanted (the boot report's mark) */
	uint64_t last; /* the last seq written */
	int full;      /* the buffer is nearly full: no more lines */
};
/* A log_ring_fn writing one line into the api_log_page at ctx. */
void api_json_log_line(void *ctx, uint64_t seq, unsigned int level, const char *text, size_t len);

/* Shunt's time for X-Shunt-Time and the signature check: Unix seconds. */
uint64_t api_time_now(void);

#endif
