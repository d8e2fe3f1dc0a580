/*
 * The management API's HTTP server (see hv/net/http_server.h) on lwIP's raw TCP API: each
 * connection's bytes go through the parser (hv/net/http.c) into buffers taken from the pool
 * when it is accepted; a complete request is checked against the rate limits and answered by
 * hv/net/api.c, and the answer is written as the send buffer takes it, continued from the
 * sent and poll callbacks. Nothing here waits: it only reacts to lwIP's callbacks.
 */
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/log.h>
#include <hv/mgmt.h>
#include <hv/mgmt_auth.h>
#include <hv/net/api.h>
#include <hv/net/http.h>
#include <hv/net/http_server.h>
#include <hv/ratelimit.h>
#include <hv/string.h>

#include <lwip/mem.h>
#include <lwip/pbuf.h>
#include <lwip/stats.h>
#include <lwip/sys.h>
#include <lwip/tcp.h>

#define POLL_INTERVAL 2	 /* tcp_poll's unit is half a second: once a second */
#define HEAD_RESERVE 512 /* room kept for the answer's status line and headers */
#define CONN_MEM (HTTP_HEAD_MAX + HTTP_BODY_MAX)

struct http_conn {
	struct tcp_pcb *pcb; /* NULL: the slot is free */
	uint8_t gen;	     /* counts the slot's uses, so a late answer finds it gone */
	uint32_t peer;
	char *mem; /* head and body buffers, from the pool */
	struct http_request req;
	struct pbuf *in; /* received and not yet parsed (read after the current answer) */
	char *out;	 /* the answer's head and built body, from the pool */
	size_t out_len, out_off;
	const uint8_t *tail; /* a static body, sent after out without a copy */
	size_t tail_len, tail_off;
	void (*tail_done)(void); /* the tail is lent (api_answer.tail_done): copied, given back */
	int answering;		 /* an answer is being written: what comes is read after it */
	int waiting;		 /* an action runs before the answer (api_answer.deferred) */
	int close_after;
	int begun; /* a request's first byte came */
	uint32_t begun_ms, active_ms;
	int aborted; /* tcp_abort()ed in this callback: lwIP must be told ERR_ABRT */
};

static struct http_conn conns[HTTP_SERVER_CONNS];
static struct http_server_stats stats;
static struct token_bucket rate;
static struct tcp_pcb *listener;

static const char answer_busy[] =
	"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
	"Content-Length: 77\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
	"{\"error\":{\"code\":\"too_many_connections\",\"message\":\"8 connections are open\"}}\n";
static const char answer_no_memory[] =
	"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
	"Content-Length: 74\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
	"{\"error\":{\"code\":\"unavailable\",\"message\":\"no memory for the answer now\"}}\n";

const struct http_server_stats *http_server_stats(void)
{
	return &stats;
}

void http_server_pool(uint64_t *size, uint64_t *used, uint64_t *high_water)
{
	*size = hv_options.mgmt.pool_bytes;
	*used = lwip_stats.mem.used;
	*high_water = lwip_stats.mem.max;
}

static uint32_t token_of(const struct http_conn *c)
{
	return (uint32_t)(c - conns) | (uint32_t)c->gen << 8;
}

/* A lent tail is given back once queued (copied), or when its connection goes. */
static void tail_give_back(struct http_conn *c)
{
	if (c->tail_done)
		c->tail_done();
	c->tail_done = NULL;
}

static void conn_release(struct http_conn *c)
{
	tail_give_back(c);
	if (c->in)
		pbuf_free(c->in);
	if (c->mem)
		mem_free(c->mem);
	if (c->out)
		mem_free(c->out);
	c->in = NULL;
	c->mem = c->out = NULL;
	c->pcb = NULL;
	c->gen++;
	stats.connections_open--;
}

/* Closes c (aborts it if lwIP has no memory to close it gracefully now). */
static void conn_close(struct http_conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	/* Bytes left unread would make lwIP reset the connection, and the client lose the
	 * answer still on its way: they count as read. */
	if (c->in)
		tcp_recved(pcb, c->in->tot_len);
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	conn_release(c);
	if (tcp_close(pcb) != ERR_OK) {
		tcp_abort(pcb);
		c->aborted = 1;
	}
}

static void request_reset(struct http_conn *c)
{
	http_request_init(&c->req, c->mem, (uint8_t *)c->mem + HTTP_HEAD_MAX);
	c->begun = 0;
}

/* Writes what the send buffer takes of the answer; at its end, the next request or close. */
static void send_more(struct http_conn *c)
{
	while (c->out_off < c->out_len || c->tail_off < c->tail_len) {
		int from_out = c->out_off < c->out_len;
		const void *p = from_out ? (const void *)(c->out + c->out_off)
					 : (const void *)(c->tail + c->tail_off);
		size_t left = from_out ? c->out_len - c->out_off : c->tail_len - c->tail_off;
		size_t n = MIN(left, (size_t)tcp_sndbuf(c->pcb));
		err_t err;

		if (n > 0xffff)
			n = 0xffff;
		if (!n)
			break; /* the sent callback goes on */
		err = tcp_write(c->pcb, p, (u16_t)n,
				from_out || c->tail_done ? TCP_WRITE_FLAG_COPY : 0);
		if (err == ERR_MEM)
			break; /* the queue is full: the sent or poll callback goes on */
		if (err != ERR_OK) {
			struct tcp_pcb *pcb = c->pcb;

			tcp_arg(pcb, NULL); /* tcp_abort() calls on_error: it must not free c too */
			conn_release(c);
			tcp_abort(pcb);
			c->aborted = 1;
			return;
		}
		if (from_out)
			c->out_off += n;
		else
			c->tail_off += n;
	}
	tcp_output(c->pcb);
	if (c->out_off < c->out_len || c->tail_off < c->tail_len)
		return;
	tail_give_back(c);
	mem_free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->tail_len = c->tail_off = 0;
	c->tail = NULL;
	c->answering = 0;
	if (c->close_after) {
		conn_close(c);
		return;
	}
	c->active_ms = sys_now();
	request_reset(c); /* the caller reads what came during the answer (process()) */
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

/* The answer a built in c->out (its body at HEAD_RESERVE): headers put before it, sent. */
static void answer_send(struct http_conn *c, struct api_answer *a, int head_only)
{
	char head[HEAD_RESERVE], *trimmed;
	size_t body = a->static_body ? a->static_len : a->len;
	int n;

	if (a->close || !c->req.keep_alive || c->req.state == HTTP_ERROR)
		c->close_after = 1;
	n = fmt_snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n"
			 "Cache-Control: no-store\r\nX-Shunt-Time: %llu\r\n%s%s%s",
			 a->status, reason_phrase(a->status), a->content_type,
			 (unsigned long long)body, (unsigned long long)api_time_now(),
			 a->allow ? "Allow: " : "", a->allow ? a->allow : "",
			 a->allow ? "\r\n" : "");
	if (a->retry_after)
		n += fmt_snprintf(head + n, sizeof(head) - (size_t)n, "Retry-After: %u\r\n",
				  a->retry_after);
	n += fmt_snprintf(head + n, sizeof(head) - (size_t)n, "%s\r\n",
			  c->close_after ? "Connection: close\r\n" : "");
	stats.answers[a->status / 100 < 6 ? a->status / 100 : 0]++;
	memcpy(c->out, head, (size_t)n);
	if (head_only || a->static_body) {
		c->out_len = (size_t)n;
	} else {
		memmove(c->out + n, c->out + HEAD_RESERVE, a->len);
		c->out_len = (size_t)n + a->len;
	}
	trimmed = mem_trim(c->out, (mem_size_t)c->out_len);
	if (trimmed)
		c->out = trimmed;
	c->out_off = 0;
	c->answering = 1;
	if (a->static_body && !head_only) {
		c->tail = a->static_body;
		c->tail_len = a->static_len;
		c->tail_off = 0;
		c->tail_done = a->tail_done;
	} else if (a->tail_done) {
		a->tail_done(); /* HEAD: nothing of it is sent */
	}
	send_more(c);
}

/* A buffer for an answer: 0, or -1 when the pool is short (then a fixed 503 is sent). */
static int answer_begin(struct http_conn *c, struct api_answer *a)
{
	size_t size = HTTP_SERVER_ANSWER_MAX;

	/* A small pool (mgmt.pool=64K) still answers what fits in less: errors, one VM. */
	c->out = mem_malloc(size);
	while (!c->out && size > HTTP_SERVER_ANSWER_MIN) {
		size /= 4;
		c->out = mem_malloc(size);
	}
	if (!c->out) {
		stats.pool_short++;
		stats.answers[5]++;
		c->close_after = 1;
		c->tail = (const uint8_t *)answer_no_memory;
		c->tail_len = sizeof(answer_no_memory) - 1;
		c->tail_off = 0;
		c->out_len = c->out_off = 0;
		c->answering = 1;
		send_more(c);
		return -1;
	}
	*a = (struct api_answer){ .buf = c->out + HEAD_RESERVE,
				  .size = size - HEAD_RESERVE,
				  .content_type = "application/json" };
	return 0;
}

static void answer_error(struct http_conn *c, int status, const char *message, uint32_t retry_after)
{
	struct api_answer a;

	if (answer_begin(c, &a))
		return;
	api_error(&a, status, message);
	a.retry_after = retry_after;
	answer_send(c, &a, 0);
}

/* A whole request (or one the parser refused): the limits first, then the API. */
static void request_done(struct http_conn *c)
{
	uint64_t now_s = api_time_now(), wait_ns;
	uint32_t wait_s;
	struct api_answer a;
	uint8_t gen = c->gen;

	stats.requests++;
	if (c->req.state == HTTP_ERROR) {
		answer_error(c, c->req.status, c->req.message, 0);
		return;
	}
	wait_s = mgmt_auth_peer_wait(c->peer, now_s);
	if (wait_s) {
		stats.rate_limited++;
		answer_error(c, 429, "too many failed authentications from this address", wait_s);
		return;
	}
	if (bucket_take(&rate, arch_cycles(), &wait_ns)) {
		stats.rate_limited++;
		answer_error(c, 429, "more than 50 requests a second",
			     (uint32_t)(wait_ns / 1000000000u) + 1);
		return;
	}
	if (answer_begin(c, &a))
		return;
	api_handle(&c->req, c->peer, token_of(c), &a);
	if (c->gen != gen || !c->pcb)
		return;
	if (a.deferred) {
		mem_free(c->out); /* the answer is built when the action is done */
		c->out = NULL;
		c->waiting = 1;
		return;
	}
	answer_send(c, &a, http_method_is(&c->req, "HEAD"));
}

/* Parses what came while no answer is under way; a whole request is answered. */
static void process(struct http_conn *c)
{
	while (c->pcb && !c->answering && !c->waiting && c->in) {
		struct pbuf *q = c->in;
		size_t taken;

		if (!q->len) { /* an empty pbuf in the chain: nothing to feed, and it must go */
			c->in = q->next;
			if (q->next)
				pbuf_ref(q->next);
			pbuf_free(q);
			continue;
		}
		taken = http_feed(&c->req, q->payload, q->len);

		if (taken && !c->begun) {
			c->begun = 1;
			c->begun_ms = sys_now();
		}
		tcp_recved(c->pcb, (u16_t)taken);
		c->in = pbuf_free_header(q, (u16_t)taken);
		if (c->req.state != HTTP_MORE)
			request_done(c);
	}
}

void http_server_complete(uint32_t token, api_build_fn build, void *ctx)
{
	struct http_conn *c = &conns[token & 0xff];
	struct api_answer a;

	if ((token & 0xff) >= HTTP_SERVER_CONNS || !c->pcb || c->gen != (uint8_t)(token >> 8) ||
	    !c->waiting)
		return; /* the client went away: the action was done all the same */
	c->waiting = 0;
	c->aborted = 0;
	if (answer_begin(c, &a) == 0) {
		build(&a, ctx);
		answer_send(c, &a, 0);
	}
	if (c->pcb)
		process(c);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct http_conn *c = arg;

	(void)pcb;
	if (!c) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	c->aborted = 0;
	if (!p || err != ERR_OK) {
		if (p)
			pbuf_free(p);
		if ((c->answering || c->waiting) && err == ERR_OK) {
			c->close_after = 1; /* the client said all it will: answer it, then close */
			return ERR_OK;
		}
		conn_close(c); /* the client closed its side: nothing more to read or answer */
		return c->aborted ? ERR_ABRT : ERR_OK;
	}
	if (c->in)
		pbuf_cat(c->in, p);
	else
		c->in = p;
	c->active_ms = sys_now();
	process(c);
	return c->aborted ? ERR_ABRT : ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct http_conn *c = arg;

	(void)pcb;
	(void)len;
	if (!c || !c->answering)
		return ERR_OK;
	c->aborted = 0;
	send_more(c);
	if (c->pcb)
		process(c);
	return c->aborted ? ERR_ABRT : ERR_OK;
}

/* Once a second: a request too slow (408), a connection idle too long (closed). */
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct http_conn *c = arg;
	uint32_t now = sys_now();

	if (!c) {
		tcp_abort(pcb); /* a refused connection that lingers */
		return ERR_ABRT;
	}
	c->aborted = 0;
	if (c->answering) {
		send_more(c);
		if (c->pcb)
			process(c);
	} else if (c->waiting) {
		/* the action runs at the current slice's end: soon */
	} else if (c->begun && now - c->begun_ms > HTTP_SERVER_REQUEST_TIMEOUT_S * 1000u) {
		stats.timeouts++;
		c->req.keep_alive = 0;
		answer_error(c, 408, "the request was not complete within 10 s", 0);
	} else if (!c->begun && now - c->active_ms > HTTP_SERVER_IDLE_TIMEOUT_S * 1000u) {
		stats.timeouts++;
		conn_close(c);
	}
	return c->aborted ? ERR_ABRT : ERR_OK;
}

static void on_error(void *arg, err_t err)
{
	struct http_conn *c = arg;

	(void)err;
	if (c && c->pcb)
		conn_release(c); /* lwIP has freed the pcb already */
}

/*
 * A connection Shunt can not take gets a fixed answer, then is closed. With the pool
 * exhausted even that answer (or the FIN) may find no memory: the connection then waits
 * here and is tried again at every poll (half a second) for REFUSAL_POLLS_MAX polls, and is
 * reset only after that, so that a refused client gets its 503 rather than an empty close.
 */
#define REFUSAL_POLLS_MAX 20
static struct refusal {
	struct tcp_pcb *pcb; /* NULL: a free slot */
	const char *answer;
	u16_t len;
	u8_t written, polls;
} refusals[HTTP_SERVER_CONNS];

/* Data a refused client still sends: taken and dropped. */
static err_t refused_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (p) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
	}
	return ERR_OK;
}

/* The answer, then the close; ERR_ABRT once the connection was reset for good. */
static err_t refusal_try(struct refusal *r)
{
	struct tcp_pcb *pcb = r->pcb;

	if (!r->written && tcp_write(pcb, r->answer, r->len, 0) == ERR_OK) {
		r->written = 1;
		tcp_output(pcb);
	}
	if (r->written && tcp_close(pcb) == ERR_OK) {
		r->pcb = NULL;
		tcp_arg(pcb, NULL);
		tcp_err(pcb, NULL);
		tcp_poll(pcb, on_poll, 20); /* closed for good after 10 s at the most */
		return ERR_OK;
	}
	if (++r->polls <= REFUSAL_POLLS_MAX)
		return ERR_OK; /* no memory yet: the next poll tries again */
	r->pcb = NULL;
	tcp_abort(pcb);
	return ERR_ABRT;
}

static err_t refusal_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)pcb;
	return refusal_try(arg);
}

static void refusal_error(void *arg, err_t err)
{
	struct refusal *r = arg;

	(void)err;
	r->pcb = NULL; /* lwIP has freed the pcb already */
}

static err_t refuse(struct tcp_pcb *pcb, const char *answer, size_t len)
{
	struct refusal *r = NULL;

	stats.connections_refused++;
	stats.answers[answer == answer_busy ? 4 : 5]++;
	for (unsigned int i = 0; i < HTTP_SERVER_CONNS && !r; i++)
		if (!refusals[i].pcb)
			r = &refusals[i];
	if (!r) { /* as many refusals waiting as connections: this one is reset */
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	*r = (struct refusal){ .pcb = pcb, .answer = answer, .len = (u16_t)len };
	tcp_arg(pcb, r);
	tcp_recv(pcb, refused_recv);
	tcp_err(pcb, refusal_error);
	tcp_poll(pcb, refusal_poll, 1);
	return refusal_try(r);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct http_conn *c = NULL;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	for (unsigned int i = 0; i < HTTP_SERVER_CONNS && !c; i++)
		if (!conns[i].pcb)
			c = &conns[i];
	if (!c)
		return refuse(pcb, answer_busy, sizeof(answer_busy) - 1);
	c->mem = mem_malloc(CONN_MEM);
	if (!c->mem)
		return refuse(pcb, answer_no_memory, sizeof(answer_no_memory) - 1);
	c->pcb = pcb;
	c->peer = lwip_ntohl(ip4_addr_get_u32(&pcb->remote_ip));
	c->in = NULL;
	c->out = NULL;
	c->out_len = c->out_off = c->tail_len = c->tail_off = 0;
	c->answering = c->waiting = c->close_after = 0;
	c->active_ms = sys_now();
	request_reset(c);
	stats.connections++;
	stats.connections_open++;
	tcp_arg(pcb, c);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_error);
	tcp_poll(pcb, on_poll, POLL_INTERVAL);
	tcp_nagle_disable(pcb); /* answers go out whole at once; nothing is gained by waiting */
	return ERR_OK;
}

int http_server_start(void)
{
	struct tcp_pcb *pcb = tcp_new();

	if (!pcb)
		return -ENOMEM;
	if (tcp_bind(pcb, IP_ADDR_ANY, HTTP_SERVER_PORT) != ERR_OK) {
		tcp_close(pcb);
		return -ENOMEM;
	}
	listener = tcp_listen(pcb);
	if (!listener) {
		tcp_close(pcb);
		return -ENOMEM;
	}
	tcp_accept(listener, on_accept);
	bucket_init(&rate, HTTP_SERVER_RATE, HTTP_SERVER_BURST, arch_cycles(), arch_tsc_hz());
	return 0;
}
