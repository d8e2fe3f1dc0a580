# A stand-in for Shunt's management API (hv/net/API.md) on 127.0.0.1, for the tests of
# tools/shuntctl and of the dashboard: the endpoints, errors and limits the clients see, and
# a signature check written here from API.md alone (not shuntctl's code), so that a client
# that signs wrongly fails against it. Every request is recorded for the tests to inspect.

import hashlib
import hmac
import http.server
import json
import os
import re
import threading
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DASHBOARD_DIR = os.path.join(ROOT, "hv", "net", "dashboard")
AUTH_RE = re.compile(r"^Shunt-HMAC-SHA256 ts=([0-9]{1,20}), nonce=([0-9a-f]{32}), "
                     r"sig=([0-9a-f]{64})$")
METRICS = (b"# HELP shunt_uptime_seconds Seconds since Shunt started.\n"
           b"# TYPE shunt_uptime_seconds gauge\nshunt_uptime_seconds 3725\n")
PAGE_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
              ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def expected_sig(key, method, target, ts, nonce, body):
    """API.md's string to sign, put together byte by byte, and its HMAC-SHA256."""
    msg = b"".join([b"shunt-v1\n", method.encode(), b"\n", target.encode(), b"\n",
                    str(ts).encode(), b"\n", nonce.encode(), b"\n",
                    hashlib.sha256(body).hexdigest().encode(), b"\n"])
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def make_vm(vm_id, name, state="running", memory=4 << 20):
    return {"id": vm_id, "name": name, "state": state, "platform": "shunt",
            "memory_bytes": memory, "vcpus": 1, "boots": 1 if state != "refused" else 0,
            "exits": {"hypercall": 10, "io": 3, "preemption_timer": 0},
            "hypercalls": {"total": 10, "errors": 0, "by_call": {"console_write": 8,
                                                                 "yield": 2}},
            "hw_calls": {"total": 0, "port_ops": 0, "refused": 0},
            "throttles": {"total": 1, "console": 1, "other": 0, "hw": 0},
            "steal_ns": 1000, "run_ns": 5000000,
            "stop": None if state == "running" else
            {"reason": "refused" if state == "refused" else "exit",
             "detail": "bad guest image" if state == "refused" else "PV_CALL_EXIT",
             "exit_code": 1 if state == "refused" else 0}}


class MockShunt(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, key, metrics_token=None, metrics_mode="signed"):
        super().__init__(("127.0.0.1", 0), MockHandler)
        self.port = self.server_address[1]
        self.key = key
        self.metrics_token = metrics_token
        self.metrics_mode = metrics_mode
        self.lock = threading.Lock()
        self.skew = 0  # Shunt's clock minus the real time
        self.nonces = set()
        self.auth_failures = 0
        self.requests = []  # (method, target, headers dict, body, status)
        self.forced = {}  # path -> (status, code, message, extra headers) answered instead
        self.raw = {}  # path -> bytes answered as they are (a broken server)
        self.vms = [make_vm(0, "hello"), make_vm(1, "counter"),
                    make_vm(2, "broken", "refused"), make_vm(3, "done", "stopped")]
        self.log = []  # (seq, level, text)
        self.log_first = 1
        self.log_dropped = 0
        for text in ("shunt: Shunt 0.9.0 starting", "mgmt: e1000 00:03.0 link up",
                     "vm hello: started", "vm counter: started"):
            self.add_log("info", text)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()

    def now(self):
        return int(time.time()) + self.skew

    def add_log(self, level, text):
        with self.lock:
            seq = (self.log[-1][0] if self.log else self.log_first - 1) + 1
            self.log.append((seq, level, text))

    def drop_log(self, n):
        """Forgets the n oldest lines, as Shunt's ring does when it wraps."""
        with self.lock:
            del self.log[:n]
            self.log_dropped += n
            self.log_first = self.log[0][0] if self.log else self.log_first + n

    def vm(self, name):
        for vm in self.vms:
            if vm["name"] == name:
                return vm
        return None

    def host(self):
        return {"name": "shunt", "version": "0.9.0", "abi": "1.4",
                "cpu": {"vendor": "GenuineIntel", "model": "Skylake-X", "count": 1,
                        "tsc_hz": 1000000000},
                "virtualization": {"ready": True, "backend": "VT-x", "why": None},
                "memory": {"total_bytes": 512 << 20, "free_bytes": 400 << 20},
                "uptime_s": 3725, "time": self.now(), "ticks": 3725000000000,
                "mgmt": {"pool_bytes": 262144, "pool_used_bytes": 41000,
                         "pool_high_water_bytes": 52000, "auth_failures": self.auth_failures,
                         "requests": len(self.requests)},
                "boot_report": ["shunt: Shunt 0.9.0", "mgmt: e1000 00:03.0 link up"]}

    def signed_ok(self, method, target, auth, body):
        m = AUTH_RE.match(auth or "")
        if not m:
            return False
        ts, nonce, sig = int(m.group(1)), m.group(2), m.group(3)
        if abs(ts - self.now()) > 300:
            return False
        if not hmac.compare_digest(sig, expected_sig(self.key, method, target, ts, nonce,
                                                     body)):
            return False
        with self.lock:
            if nonce in self.nonces:
                return False
            self.nonces.add(nonce)
        return True


class MockHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, obj=None, body=None, ctype="application/json", headers=None):
        if body is None:
            body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Shunt-Time", str(self.server.now()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record[4] = status

    def error(self, status, code, message, headers=None):
        self.answer(status, {"error": {"code": code, "message": message}}, headers=headers)

    def do_GET(self):
        self.handle_request()

    def do_HEAD(self):
        self.handle_request()

    def do_POST(self):
        self.handle_request()

    def do_PUT(self):
        self.handle_request()

    def handle_request(self):
        srv = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.record = [self.command, self.path, dict(self.headers.items()), body, None]
        with srv.lock:
            srv.requests.append(self.record)
        path, _, query = self.path.partition("?")
        if path in srv.raw:
            self.wfile.write(srv.raw[path])
            self.close_connection = True
            return
        if self.command not in ("GET", "HEAD", "POST"):
            return self.error(405, "method_not_allowed", "GET, HEAD or POST",
                              {"Allow": "GET, HEAD, POST"})
        if not path.startswith("/api/") and path != "/metrics":
            return self.page(path)
        auth = self.headers.get("Authorization")
        if path == "/metrics":
            bearer = (srv.metrics_mode == "token" and srv.metrics_token and auth and
                      hmac.compare_digest(auth, "Bearer " + srv.metrics_token))
            if srv.metrics_mode == "public" or bearer or \
                    srv.signed_ok(self.command, self.path, auth, body):
                return self.answer(200, body=METRICS, ctype="text/plain; version=0.0.4")
            with srv.lock:
                srv.auth_failures += 1
            return self.error(401, "unauthorized", "authentication required")
        if auth and auth.startswith("Bearer ") and srv.metrics_token and \
                hmac.compare_digest(auth[7:], srv.metrics_token):
            with srv.lock:
                srv.auth_failures += 1
            return self.error(403, "forbidden", "the metrics token is for /metrics only")
        if not srv.signed_ok(self.command, self.path, auth, body):
            with srv.lock:
                srv.auth_failures += 1
            return self.error(401, "unauthorized", "authentication required")
        if path in srv.forced:
            status, code, message, headers = srv.forced[path]
            return self.error(status, code, message, headers)
        self.api(path, urllib.parse.parse_qs(query))

    def page(self, path):
        name = "index.html" if path == "/" else path[1:]
        full = os.path.join(DASHBOARD_DIR, name)
        if "/" in name or not os.path.isfile(full) or self.command == "POST":
            return self.error(404, "not_found", f"no such page {path}")
        with open(full, "rb") as f:
            data = f.read()
        self.answer(200, body=data, ctype=PAGE_TYPES.get(os.path.splitext(name)[1],
                                                         "application/octet-stream"))

    def api(self, path, query):
        srv = self.server
        parts = path.split("/")[3:]  # after /api/v1
        if path == "/api/v1/host" and self.command != "POST":
            return self.answer(200, srv.host())
        if path == "/api/v1/vms" and self.command != "POST":
            with srv.lock:
                for vm in srv.vms:  # a running VM's counters move between polls
                    if vm["state"] == "running":
                        vm["exits"]["hypercall"] += 100
                        vm["exits"]["io"] += 20
                        vm["hypercalls"]["total"] += 100
                return self.answer(200, {"vms": srv.vms})
        if path == "/api/v1/log" and self.command != "POST":
            return self.log_page(query)
        if len(parts) >= 2 and parts[0] == "vms":
            vm = srv.vm(parts[1])
            if not vm:
                return self.error(404, "not_found", f'no VM named "{parts[1]}"')
            if len(parts) == 2 and self.command != "POST":
                return self.answer(200, dict(vm, options="mem=4M", grants=[],
                                             console={"bytes": 3, "dropped": 0}))
            if len(parts) == 3 and self.command == "POST":
                return self.action(vm, parts[2])
        if self.command == "POST":
            return self.error(405, "method_not_allowed", "not an action", {"Allow": "GET"})
        return self.error(404, "not_found", f"no such path {path}")

    def action(self, vm, what):
        srv = self.server
        with srv.lock:
            if what == "stop" or (what == "restart" and vm["state"] == "running"):
                if vm["state"] != "running":
                    return self.error(409, "conflict", f'vm "{vm["name"]}" is not running')
                vm["state"] = "stopped"
                vm["stop"] = {"reason": "stopped by admin", "detail": "POST /stop",
                              "exit_code": -1}
                if what == "stop":
                    return self.answer(200, vm)
            if what in ("start", "restart"):
                if vm["state"] != "stopped":
                    return self.error(409, "conflict", f'vm "{vm["name"]}" is {vm["state"]}')
                vm["state"] = "running"
                vm["stop"] = None
                vm["boots"] += 1
                vm["exits"] = {k: 0 for k in vm["exits"]}
                vm["hypercalls"]["total"] = 0
                return self.answer(200, vm)
        return self.error(404, "not_found", f"no action {what}")

    def log_page(self, query):
        srv = self.server
        try:
            after = int(query.get("after", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
        except ValueError:
            return self.error(400, "bad_request", "after and limit are numbers")
        if not 1 <= limit <= 500 or after < 0:
            return self.error(400, "bad_request", "limit is 1-500")
        with srv.lock:
            lines = [{"seq": s, "level": lv, "text": t} for s, lv, t in srv.log if s > after]
            lines = lines[:limit]
            page = {"lines": lines, "next": lines[-1]["seq"] if lines else after,
                    "first": srv.log_first, "dropped": srv.log_dropped}
        self.answer(200, page)
