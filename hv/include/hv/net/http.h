/*
 * The HTTP/1.1 request parser of the management API (hv/net/API.md, "Transport"): fed the
 * bytes of a connection as they arrive, in pieces of any size (a slow client's one at a
 * time), into a fixed head and body buffer of the connection's, strict about syntax and
 * limits, with the answer to give when a request is refused. Pure code (hv/net/http.c),
 * host-tested and fuzzed.
 */
#ifndef HV_NET_HTTP_H
#define HV_NET_HTTP_H

#include <hv/types.h>

#define HTTP_HEAD_MAX 8192     /* request line and headers together: more is 431 */
#define HTTP_LINE_MAX 1024     /* the request line: more is 414 */
#define HTTP_HEADERS_MAX 64    /* header lines: more is 431 */
#define HTTP_BODY_MAX 4096     /* Content-Length or the chunks' total: more is 413 */
#define HTTP_METHOD_MAX 16     /* a longer method is 400 */
#define HTTP_CHUNK_LINE_MAX 16 /* a chunk-size line (hex digits): longer is 400 */

enum http_state {
	HTTP_MORE = 0, /* the request is not complete yet: feed more */
	HTTP_DONE,     /* a whole request: the fields below are set */
	HTTP_ERROR,    /* refused: answer status (with its code, message) and close */
};

struct http_request {
	enum http_state state;
	char *head;    /* HTTP_HEAD_MAX bytes, the connection's */
	uint8_t *body; /* HTTP_BODY_MAX bytes */
	size_t head_len, body_len;

	/* When done: pointers into head (not NUL-terminated) and the decoded path. */
	const char *method, *target, *query, *authorization;
	size_t method_len, target_len, query_len, authorization_len;
	char path[HTTP_LINE_MAX]; /* the target's path, %-escapes decoded, NUL-terminated */
	int minor;		  /* HTTP/1.minor: 0 or 1 */
	int keep_alive;		  /* 0: close after the answer (HTTP/1.0, Connection: close) */

	/* When refused: the status (400, 413, 414, 431) and why, for the answer. */
	int status;
	const char *message;

	/* The parser's own. */
	int sub;	    /* where in the head or the body it is */
	size_t line_start;  /* the current head line's first byte */
	unsigned int lines; /* head lines complete, the request line included */
	uint64_t content_length;
	int has_length, chunked;
	size_t chunk_left; /* bytes of the current chunk still to come */
	unsigned int chunk_digits;
};

/* A parser over the connection's buffers (head: HTTP_HEAD_MAX, body: HTTP_BODY_MAX bytes). */
void http_request_init(struct http_request *r, char *head, uint8_t *body);

/*
 * Feeds n bytes of the connection; returns how many it took (it stops after a request's
 * last byte: the rest belongs to the next request). Then r->state says what is there.
 */
size_t http_feed(struct http_request *r, const uint8_t *data, size_t n);

/* 1 if the method is m (exactly, case-sensitive as HTTP methods are). */
int http_method_is(const struct http_request *r, const char *m);

#endif
