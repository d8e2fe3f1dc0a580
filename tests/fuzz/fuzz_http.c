/*
 * Fuzz target: the management API's HTTP parser (hv/net/http.c) on whatever a client may
 * send. The first byte sets the piece size the bytes arrive in (1 to 256), so that a slow
 * client's and a fast one's framing are both tried; requests are parsed one after another
 * as a kept-alive connection would, and a parsed request must be consistent with its buffers.
 */
#include <hv/net/http.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct http_request *r)
{
	if (r->head_len > HTTP_HEAD_MAX || r->body_len > HTTP_BODY_MAX)
		abort();
	if (r->state == HTTP_ERROR && r->status != 400 && r->status != 413 && r->status != 414 &&
	    r->status != 431)
		abort();
	if (r->state != HTTP_DONE)
		return;
	if (r->method < r->head || r->method + r->method_len > r->head + r->head_len ||
	    r->target < r->head || r->target + r->target_len > r->head + r->head_len ||
	    r->path[0] != '/' || strlen(r->path) > r->target_len || strstr(r->path, "..") ||
	    strstr(r->path, "//"))
		abort();
	if (r->authorization && r->authorization + r->authorization_len > r->head + r->head_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly the sizes the server gives: ASan sees a write past either. */
	char *head = malloc(HTTP_HEAD_MAX);
	uint8_t *body = malloc(HTTP_BODY_MAX);
	struct http_request r;
	size_t step, at = 1;

	if (size < 1)
		goto out;
	step = (size_t)data[0] + 1;
	http_request_init(&r, head, body);
	while (at < size) {
		size_t piece = size - at < step ? size - at : step;
		size_t taken = http_feed(&r, data + at, piece);

		if (taken > piece)
			abort();
		at += taken;
		check(&r);
		if (r.state == HTTP_ERROR)
			break;
		if (r.state == HTTP_DONE)
			http_request_init(&r, head, body); /* the next request on the connection */
	}
out:
	free(head);
	free(body);
	return 0;
}
