/*
 * The management API's router and endpoints (hv/net/API.md): access by mgmt_auth_check(),
 * then /api/v1/host, /vms, /vms/NAME, /log and the admin's actions on a VM, /metrics and the
 * dashboard's files, each answer written as JSON (hv/net/api_json.c) into the server's buffer. Actions run where
 * no vCPU is on the CPU (sched_defer()) and answer when they are done.
 */
#include <hv/fmt.h>
#include <hv/json.h>
#include <hv/log.h>
#include <hv/log_ring.h>
#include <hv/mgmt.h>
#include <hv/mgmt_auth.h>
#include <hv/mm.h>
#include <hv/net/api.h>
#include <hv/net/dashboard.h>
#include <hv/net/http_server.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/wallclock.h>

#define LOG_LIMIT_DEFAULT 100
#define LOG_LIMIT_MAX 500

/*
 * /metrics (hv/net/metrics.c, the metrics helper's): until it is linked, this weak stand-in
 * serves none (404). TODO: remove it with hv/include/hv/net/metrics.h's arrival.
 */
size_t metrics_render(char *buf, size_t size);

__attribute__((weak)) size_t metrics_render(char *buf, size_t size)
{
	(void)buf;
	(void)size;
	return 0;
}

enum action { ACTION_STOP, ACTION_START, ACTION_RESTART };

/* An action waiting for its turn (at most one per connection: it waits for the answer). */
static struct api_action {
	uint32_t conn;
	unsigned int vm;
	enum action kind;
	uint32_t peer;
	int result;
	int pending; /* queued: its slot is not reused until it ran (a client may go away) */
} actions[HTTP_SERVER_CONNS];

uint64_t api_time_now(void)
{
	return wall_clock_now();
}

const char *api_error_code(int status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 408:
		return "request_timeout";
	case 409:
		return "conflict";
	case 413:
		return "payload_too_large";
	case 414:
		return "uri_too_long";
	case 429:
		return "rate_limited";
	case 431:
		return "headers_too_large";
	default:
		return "unavailable";
	}
}

void api_error(struct api_answer *a, int status, const char *message)
{
	struct json j;
	long n;

	a->status = status;
	a->content_type = "application/json";
	a->static_body = NULL;
	json_init(&j, a->buf, a->size);
	json_object_begin(&j);
	json_key(&j, "error");
	json_object_begin(&j);
	json_key(&j, "code");
	json_string(&j, api_error_code(status));
	json_key(&j, "message");
	json_string(&j, message);
	json_object_end(&j);
	json_object_end(&j);
	n = json_finish(&j);
	a->len = n < 0 ? 0 : (size_t)n;
}

/* The end of a JSON answer: 200, or 503 when it did not fit (never a truncated one). */
static void answer_json(struct api_answer *a, struct json *j)
{
	long n = json_finish(j);

	if (n < 0) {
		api_error(a, 503, "the answer is larger than the server's buffer");
		return;
	}
	a->status = 200;
	a->len = (size_t)n;
}

static void get_vms(struct api_answer *a)
{
	struct json j;

	json_init(&j, a->buf, a->size);
	json_object_begin(&j);
	json_key(&j, "vms");
	json_array_begin(&j);
	for (unsigned int i = 0; i < vm_count(); i++)
		api_json_vm(&j, vm_at(i), 0);
	json_array_end(&j);
	json_object_end(&j);
	answer_json(a, &j);
}

static void get_vm(struct api_answer *a, const struct vm *vm)
{
	struct json j;

	json_init(&j, a->buf, a->size);
	api_json_vm(&j, vm, 1);
	answer_json(a, &j);
}

/* A query value of decimal digits (at most 19): 0, or -1. */
static int query_number(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (!n || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

static void get_host(struct api_answer *a)
{
	struct json j;

	json_init(&j, a->buf, a->size);
	api_json_host(&j);
	answer_json(a, &j);
}

/* after= and limit= of GET /api/v1/log: 0, or -1 for anything else in the query. */
static int log_query(const struct http_request *req, uint64_t *after, uint64_t *limit)
{
	const char *q = req->query, *end = req->query + req->query_len;

	while (q && q < end) {
		const char *amp = q, *eq;

		while (amp < end && *amp != '&')
			amp++;
		for (eq = q; eq < amp && *eq != '='; eq++)
			;
		if (eq == amp)
			return -1;
		if (eq - q == 5 && !memcmp(q, "after", 5)) {
			if (query_number(eq + 1, (size_t)(amp - eq - 1), after))
				return -1;
		} else if (eq - q == 5 && !memcmp(q, "limit", 5)) {
			if (query_number(eq + 1, (size_t)(amp - eq - 1), limit))
				return -1;
		} else {
			return -1;
		}
		q = amp + 1;
	}
	return 0;
}

static void get_log(struct api_answer *a, const struct http_request *req)
{
	uint64_t after = 0, limit = LOG_LIMIT_DEFAULT, first, dropped;
	struct api_log_page page = { .objects = 1, .upto = UINT64_MAX };
	struct json j;

	if (log_query(req, &after, &limit) || limit < 1 || limit > LOG_LIMIT_MAX) {
		api_error(a, 400, "the log takes after=SEQ and limit=1..500");
		return;
	}
	page.last = after;
	json_init(&j, a->buf, a->size);
	page.j = &j;
	json_object_begin(&j);
	json_key(&j, "lines");
	json_array_begin(&j);
	log_ring_read(log_recent(), after, (unsigned int)limit, api_json_log_line, &page, &first,
		      &dropped);
	json_array_end(&j);
	json_key_u64(&j, "next", page.last);
	json_key_u64(&j, "first", first);
	json_key_u64(&j, "dropped", dropped);
	json_object_end(&j);
	answer_json(a, &j);
}

/* The answer to a deferred action, once it ran. */
static void action_answer(struct api_answer *a, void *ctx)
{
	struct api_action *act = ctx;
	struct vm *vm = vm_at(act->vm);

	if (act->result == -EBUSY)
		api_error(a, 409,
			  vm->state == VM_REFUSED    ? "the VM was refused: it can not be started"
			  : act->kind == ACTION_STOP ? "the VM is not running"
						     : "the VM is running");
	else if (act->result)
		api_error(a, 503, "not enough memory to start the VM now");
	else
		get_vm(a, vm);
}

/* Runs with no vCPU on the CPU (sched_defer()). */
static void action_run(void *ctx, uint64_t arg)
{
	struct api_action *act = ctx;
	struct vm *vm = vm_at(act->vm);
	char from[16];

	(void)arg;
	act->pending = 0;
	mgmt_format_ip(from, sizeof(from), act->peer);
	act->result = 0;
	if (act->kind == ACTION_STOP || (act->kind == ACTION_RESTART && vm->state == VM_RUNNING))
		act->result = vm_admin_stop(vm, from);
	if (!act->result && act->kind != ACTION_STOP) {
		act->result = vm_admin_start(vm, from);
		if (act->result == -EAGAIN) {
			/* Stopped, not yet released by its CPUs: started on a later round. */
			act->kind = ACTION_START;
			act->pending = 1;
			if (!sched_defer(action_run, act, 0))
				return;
			act->pending = 0;
			act->result = -EBUSY;
		}
	}
	http_server_complete(act->conn, action_answer, act);
}

static void post_action(struct api_answer *a, const struct http_request *req, uint32_t peer,
			uint32_t conn, struct vm *vm, enum action kind)
{
	struct api_action *act = &actions[(conn & 0xff) % HTTP_SERVER_CONNS];

	if (req->body_len && !(req->body_len == 2 && !memcmp(req->body, "{}", 2))) {
		api_error(a, 400, "an action takes an empty body or {}");
		return;
	}
	if (vm->state == VM_REFUSED) {
		api_error(a, 409, "the VM was refused: it can not be started");
		return;
	}
	if (kind == ACTION_STOP && vm->state != VM_RUNNING) {
		api_error(a, 409, "the VM is not running");
		return;
	}
	if (kind == ACTION_START && vm->state == VM_RUNNING) {
		api_error(a, 409, "the VM is running");
		return;
	}
	if (act->pending) {
		api_error(a, 503, "the last action of this connection's slot is still waiting");
		return;
	}
	*act = (struct api_action){
		.conn = conn, .vm = vm->id, .kind = kind, .peer = peer, .pending = 1
	};
	if (sched_defer(action_run, act, 0)) {
		act->pending = 0;
		api_error(a, 503, "too many actions waiting");
		return;
	}
	a->deferred = 1;
}

static int method_allowed(const struct http_request *req, struct api_answer *a, int post)
{
	if (post ? http_method_is(req, "POST")
		 : http_method_is(req, "GET") || http_method_is(req, "HEAD"))
		return 1;
	a->allow = post ? "POST" : "GET, HEAD";
	api_error(a, 405, post ? "this path takes POST" : "this path takes GET or HEAD");
	return 0;
}

/* /api/v1/vms/NAME[/ACTION]: rest is what follows "/api/v1/vms/". */
static void route_vm(struct api_answer *a, const struct http_request *req, uint32_t peer,
		     uint32_t conn, const char *rest)
{
	static const char *const names[] = { "stop", "start", "restart" };
	char name[VM_OPTIONS_FALLBACK_NAME_MAX + 1];
	const char *slash = rest;
	struct vm *vm;
	char msg[96];

	while (*slash && *slash != '/')
		slash++;
	if ((size_t)(slash - rest) >= sizeof(name) || slash == rest) {
		api_error(a, 404, "no such VM");
		return;
	}
	memcpy(name, rest, (size_t)(slash - rest));
	name[slash - rest] = '\0';
	vm = vm_find(name);
	if (!vm) {
		fmt_snprintf(msg, sizeof(msg), "no VM named \"%s\"", name);
		api_error(a, 404, msg);
		return;
	}
	if (!*slash) {
		if (method_allowed(req, a, 0))
			get_vm(a, vm);
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(slash + 1, names[i])) {
			if (method_allowed(req, a, 1))
				post_action(a, req, peer, conn, vm, (enum action)i);
			return;
		}
	}
	api_error(a, 404, "no such path");
}

static void route_api(struct api_answer *a, const struct http_request *req, uint32_t peer,
		      uint32_t conn)
{
	const char *p = req->path;

	if (!strcmp(p, "/api/v1/host")) {
		if (method_allowed(req, a, 0))
			get_host(a);
	} else if (!strcmp(p, "/api/v1/vms")) {
		if (method_allowed(req, a, 0))
			get_vms(a);
	} else if (!strncmp(p, "/api/v1/vms/", 12)) {
		route_vm(a, req, peer, conn, p + 12);
	} else if (!strcmp(p, "/api/v1/log")) {
		if (method_allowed(req, a, 0))
			get_log(a, req);
	} else {
		api_error(a, 404, "no such path");
	}
}

static uint64_t failures_before; /* mgmt_auth_failures() before the last access_of() */

static enum mgmt_access access_of(const struct http_request *req, uint32_t peer, uint64_t now)
{
	struct mgmt_auth_request r = {
		.method = req->method,
		.method_len = req->method_len,
		.target = req->target,
		.target_len = req->target_len,
		.authorization = req->authorization,
		.authorization_len = req->authorization_len,
		.body = req->body,
		.body_len = req->body_len,
		.peer = peer,
	};

	failures_before = mgmt_auth_failures();
	return mgmt_auth_check(&r, now);
}

/*
 * Whether the last access_of() counted a failure: credentials were sent and did not pass.
 * (With mgmt.metrics=public such a request still gets MGMT_ACCESS_METRICS, as anyone does.)
 */
static int failed_now(void)
{
	return mgmt_auth_failures() != failures_before;
}

/* 401: no credentials (counted here, a missing signature being a failure too) or bad ones
 * (counted by the check). */
static void refuse(struct api_answer *a, const struct http_request *req, uint32_t peer,
		   uint64_t now)
{
	if (!req->authorization)
		mgmt_auth_note_failure(peer, now);
	api_error(a, 401, "authentication required");
}

/* 403: a metrics token that passed, used for more than /metrics (counted: a failure). */
static void refuse_token(struct api_answer *a, uint32_t peer, uint64_t now)
{
	mgmt_auth_note_failure(peer, now);
	api_error(a, 403, "the metrics token gives /metrics only");
}

/*
 * /metrics of many VMs is larger than an answer buffer of lwIP's pool (64 KiB: about 25 VMs):
 * it is written into a buffer of Shunt's own frames, taken at the first such request, twice
 * the text's size (its counters grow), and kept; one answer uses it at a time.
 */
static struct {
	char *buf;
	size_t size;
	hpa_t hpa;
	int lent; /* an answer is sending it */
} big_metrics;

static void big_metrics_given_back(void)
{
	big_metrics.lent = 0;
}

static int big_metrics_reserve(size_t need)
{
	uint64_t pages = (2 * need + PAGE_SIZE - 1) / PAGE_SIZE;
	hpa_t hpa;

	if (big_metrics.size > need)
		return 0;
	if (mm_alloc_frames(pages, PAGE_SIZE, &hpa))
		return -ENOMEM;
	if (big_metrics.size)
		mm_free_frames(big_metrics.hpa, big_metrics.size / PAGE_SIZE);
	big_metrics.hpa = hpa;
	big_metrics.buf = phys_to_virt(hpa);
	big_metrics.size = pages * PAGE_SIZE;
	return 0;
}

static void get_metrics(struct api_answer *a)
{
	size_t n = metrics_render(a->buf, a->size);

	if (!n) {
		api_error(a, 404, "metrics are not part of this build");
		return;
	}
	a->status = 200;
	a->content_type = "text/plain; version=0.0.4; charset=utf-8";
	if (n < a->size) {
		a->len = n;
		return;
	}
	if (big_metrics.lent) {
		a->retry_after = 1;
		api_error(a, 503, "another answer of /metrics is on its way: retry");
		return;
	}
	if (big_metrics_reserve(n) ||
	    (n = metrics_render(big_metrics.buf, big_metrics.size)) >= big_metrics.size) {
		api_error(a, 503, "no memory for the metrics of this many VMs");
		return;
	}
	big_metrics.lent = 1;
	a->static_body = big_metrics.buf;
	a->static_len = n;
	a->tail_done = big_metrics_given_back;
}

static void get_file(struct api_answer *a, const struct http_request *req)
{
	const void *data;
	size_t len;
	const char *type;

	if (dashboard_find(req->path, strlen(req->path), &data, &len, &type)) {
		api_error(a, 404, "no such path");
		return;
	}
	a->status = 200;
	a->static_body = data;
	a->static_len = len;
	a->content_type = type;
}

void api_handle(const struct http_request *req, uint32_t peer, uint32_t conn, struct api_answer *a)
{
	uint64_t now = api_time_now();
	enum mgmt_access access;

	if (!strncmp(req->path, "/api/", 5) || !strcmp(req->path, "/api")) {
		access = access_of(req, peer, now);
		if (access == MGMT_ACCESS_ADMIN)
			route_api(a, req, peer, conn);
		else if (access == MGMT_ACCESS_METRICS && req->authorization && !failed_now())
			refuse_token(a, peer, now);
		else
			refuse(a, req, peer, now);
		return;
	}
	if (!method_allowed(req, a, 0))
		return;
	if (!strcmp(req->path, "/metrics")) {
		if (access_of(req, peer, now) == MGMT_ACCESS_NONE)
			refuse(a, req, peer, now);
		else
			get_metrics(a);
		return;
	}
	get_file(a, req);
}
