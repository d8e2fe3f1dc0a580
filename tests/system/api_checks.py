# Checks of Shunt's management API (hv/net/API.md) from its outside, as a client on the host
# of a QEMU run whose user network forwards a local TCP port to Shunt's port 80
# (tests/system/run-all, scenario field api_test). Each check prints one "api: NAME: ok" or
# "api: NAME: FAIL why" line; scenarios.py's api_expect asks for the ok lines it needs.
"""run(name, addr, serial_log) -> lines: runs the check group `name` against addr."""

import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time

SHUNTCTL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                        "shuntctl")

TIMEOUT = 10.0


class Answer:
    def __init__(self, raw):
        self.raw = raw
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.1 (\d{3}) ", lines[0] + " ") if lines else None
        self.status = int(m.group(1)) if m else None
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def json(self):
        return json.loads(self.body.decode())

    def error_code(self):
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None


def read_answer(sock, deadline, data=b""):
    """One answer (by its Content-Length) from sock (after data, already read), or what came
    before it closed; and the bytes after it."""
    while True:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            m = re.search(rb"(?im)^content-length: *(\d+)\r$", data[:head_end + 2])
            if m and len(data) >= head_end + 4 + int(m.group(1)):
                return Answer(data[:head_end + 4 + int(m.group(1))]), data[head_end + 4
                                                                           + int(m.group(1)):]
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            chunk = b""
        if not chunk:
            return (Answer(data) if data else None), b""
        data += chunk


def closed(sock, wait=2.0):
    """True when the server closes sock (EOF or reset) within wait seconds."""
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class Client:
    def __init__(self, addr, key=None):
        self.addr = addr
        self.key = key
        self.offset = None  # Shunt's clock minus ours (X-Shunt-Time): Bochs's is in 2000

    def connect(self):
        return socket.create_connection(self.addr, timeout=TIMEOUT)

    def raw(self, data, pieces=None, gap=0.0):
        """Sends data (in pieces of that size, gap seconds apart) on a new connection;
        returns (answer, the socket)."""
        s = self.connect()
        step = pieces or len(data) or 1
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            if gap:
                time.sleep(gap)
        answer, _ = read_answer(s, time.monotonic() + TIMEOUT)
        return answer, s

    def shunt_time(self):
        """Our clock set to Shunt's, as a client whose clock is off would do (API.md)."""
        if self.offset is None:
            a = self.request("GET", "/")  # public: asking costs no failed authentication
            self.offset = int(a.headers["x-shunt-time"]) - int(time.time())
        return int(time.time()) + self.offset

    def request(self, method, target, body=b"", sign=False, extra=b""):
        head = f"{method} {target} HTTP/1.1\r\nHost: shunt\r\nConnection: close\r\n"
        if body:
            head += f"Content-Length: {len(body)}\r\n"
        if sign:
            head += f"Authorization: {self.authorization(method, target, body)}\r\n"
        answer, s = self.raw(head.encode() + extra + b"\r\n" + body)
        s.close()
        return answer

    def authorization(self, method, target, body, ts=None, nonce=None):
        """API.md's signature: HMAC-SHA256 with the key over the request's canonical string."""
        ts = self.shunt_time() if ts is None else ts
        nonce = secrets.token_hex(16) if nonce is None else nonce
        text = (f"shunt-v1\n{method}\n{target}\n{ts}\n{nonce}\n"
                f"{hashlib.sha256(body).hexdigest()}\n")
        sig = hmac.new(self.key or b"\0" * 32, text.encode(), hashlib.sha256).hexdigest()
        return f"Shunt-HMAC-SHA256 ts={ts}, nonce={nonce}, sig={sig}"


def check(lines, name, ok, why=""):
    lines.append(f"api: {name}: ok" if ok else f"api: {name}: FAIL {why}")


def describe(a):
    if a is None:
        return "no answer"
    return f"status {a.status}, code {a.error_code()}, body {a.body[:120]!r}"


def expect_error(lines, name, a, status, code):
    check(lines, name, a is not None and a.status == status and a.error_code() == code
          and a.headers.get("content-type") == "application/json"
          and a.headers.get("cache-control") == "no-store", describe(a))


def public(addr, serial_log):
    """Without the key: what anyone may see, what is refused, and bad input answered."""
    c, lines = Client(addr), []
    a = c.request("GET", "/")
    check(lines, "dashboard", a is not None and a.status == 200
          and a.headers.get("content-type", "").startswith("text/html")
          and b"<html" in a.body.lower(), describe(a))
    a = c.request("HEAD", "/dashboard.js")
    check(lines, "dashboard-head", a is not None and a.status == 200 and not a.body
          and int(a.headers.get("content-length", "0")) > 0, describe(a))
    a = c.request("DELETE", "/")
    expect_error(lines, "method-405", a, 405, "method_not_allowed")
    check(lines, "method-405-allow", a is not None and a.headers.get("allow") == "GET, HEAD",
          describe(a))
    bad = [
        ("malformed-line", b"GARBAGE\r\n\r\n", 400, "bad_request"),
        ("http2", b"GET / HTTP/2.0\r\n\r\n", 400, "bad_request"),
        ("traversal", b"GET /api/v1/../v1/vms HTTP/1.1\r\n\r\n", 400, "bad_request"),
        ("double-slash", b"GET //api/v1/vms HTTP/1.1\r\n\r\n", 400, "bad_request"),
        ("escape", b"GET /api%2Fv1 HTTP/1.1\r\n\r\n", 400, "bad_request"),
        ("non-utf8", b"GET / HTTP/1.1\r\nX: \xff\xfe\r\n\r\n", 400, "bad_request"),
        ("both-lengths", b"POST / HTTP/1.1\r\nContent-Length: 3\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n", 400, "bad_request"),
        ("bad-chunk", b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
         "bad_request"),
        ("long-line", b"GET /" + b"a" * 1100 + b" HTTP/1.1\r\n\r\n", 414, "uri_too_long"),
        ("many-headers", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 2000 + b"\r\n", 431,
         "headers_too_large"),
        ("big-head", b"GET / HTTP/1.1\r\nX: " + b"y" * 9000 + b"\r\n\r\n", 431,
         "headers_too_large"),
        ("big-body", b"POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", 413,
         "payload_too_large"),
    ]
    for name, data, status, code in bad:
        a, s = c.raw(data)
        expect_error(lines, name, a, status, code)
        check(lines, name + "-closed", closed(s), "the connection stayed open")
        s.close()
    # A slow client: one byte every 20 ms is still one request.
    a, s = c.raw(b"GET /dashboard.css HTTP/1.1\r\nConnection: close\r\n\r\n", pieces=1,
                 gap=0.02)
    check(lines, "slow-client", a is not None and a.status == 200, describe(a))
    s.close()
    # A client that closes its side after its request still gets the answer.
    s = c.connect()
    s.sendall(b"GET /dashboard.css HTTP/1.1\r\n\r\n")
    s.shutdown(socket.SHUT_WR)
    a, _ = read_answer(s, time.monotonic() + TIMEOUT)
    check(lines, "half-close", a is not None and a.status == 200, describe(a))
    s.close()
    # Two requests in one segment: two answers, in order, on one connection.
    s = c.connect()
    s.sendall(b"GET /nothing HTTP/1.1\r\n\r\nGET /dashboard.js HTTP/1.1\r\n\r\n")
    first, rest = read_answer(s, time.monotonic() + TIMEOUT)
    second, _ = read_answer(s, time.monotonic() + TIMEOUT, rest)
    check(lines, "pipelined", first is not None and first.status == 404 and second is not None
          and second.status == 200, f"{describe(first)}; {describe(second)}")
    s.close()
    lines += connections(c)
    lines += timeout(c)
    lines += unauthorized(c)
    return lines


def unauthorized(c):
    """Five refusals, each 401 and counted (a missing signature too); then this address waits,
    whatever it asks, until Retry-After has passed."""
    lines = []
    a = c.request("GET", "/api/v1/vms")
    check(lines, "unsigned-401", a is not None and a.status == 401 and a.json() == {
        "error": {"code": "unauthorized", "message": "authentication required"}}
        and a.headers.get("x-shunt-time", "").isdigit(), describe(a))
    a = c.request("GET", "/api/v1/vms", sign=True)  # signed with a key Shunt does not hold
    expect_error(lines, "wrong-key-401", a, 401, "unauthorized")
    a = c.request("POST", "/api/v1/vms/hello/stop", body=b"{}", sign=True)
    expect_error(lines, "wrong-key-action-401", a, 401, "unauthorized")
    a = c.request("GET", "/metrics")
    expect_error(lines, "metrics-unsigned-401", a, 401, "unauthorized")
    a, s = c.raw(b"GET /api/v1/host HTTP/1.1\r\nConnection: close\r\n\r\n", pieces=1, gap=0.02)
    expect_error(lines, "slow-client-401", a, 401, "unauthorized")
    s.close()
    a = c.request("GET", "/")
    expect_error(lines, "unauthorized-slowed-429", a, 429, "rate_limited")
    wait = int(a.headers.get("retry-after", "0")) if a else 0
    check(lines, "unauthorized-retry-after", 1 <= wait <= 64, describe(a))
    time.sleep(wait + 0.5)
    a = c.request("GET", "/")
    check(lines, "still-serving", a is not None and a.status == 200, describe(a))
    return lines


def connections(c):
    """8 connections open and idle: the 9th is refused with 429 and closed; once they close,
    a new one is served."""
    lines, held = [], []
    try:
        for _ in range(8):
            held.append(c.connect())
        time.sleep(0.5)
        a, s = c.raw(b"GET / HTTP/1.1\r\n\r\n")
        expect_error(lines, "ninth-connection-429", a, 429, "too_many_connections")
        s.close()
    finally:
        for s in held:
            s.close()
    time.sleep(1.0)
    a = c.request("GET", "/")
    check(lines, "after-connections", a is not None and a.status == 200, describe(a))
    return lines


def timeout(c):
    """A request begun and never finished: 408 after 10 s, and closed."""
    lines = []
    s = c.connect()
    s.sendall(b"GET /api/v1/vms HTTP/1.1\r\n")
    start = time.monotonic()
    a, _ = read_answer(s, start + 15)
    took = time.monotonic() - start
    expect_error(lines, "request-timeout-408", a, 408, "request_timeout")
    check(lines, "request-timeout-time", 9.5 <= took <= 13, f"after {took:.1f} s")
    s.close()
    return lines


def run(name, addr, serial_log):
    try:
        return globals()[name](addr, serial_log)
    except (OSError, ValueError) as e:
        return [f"api: {name}: FAIL {type(e).__name__}: {e}"]


# The key of the test images (tests/system/mgmt-test.key, put on the medium as /shunt.key):
# a key for tests only, never for a machine anyone can reach.
TEST_KEY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mgmt-test.key")


def test_key(word="shunt-key-v1"):
    with open(TEST_KEY_FILE) as f:
        for line in f:
            words = line.split()
            if len(words) == 2 and words[0] == word:
                return bytes.fromhex(words[1])
    raise ValueError(f"{TEST_KEY_FILE}: no {word} line")


def wait_serial(serial_log, regex, timeout=30.0, after=0):
    """The end offset of regex's first match in the serial log past after, once it appears;
    None after timeout seconds."""
    rx = re.compile(regex, re.MULTILINE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(serial_log, "rb") as f:
            text = f.read().decode("utf-8", "replace").replace("\r", "")
        m = rx.search(text, after)
        if m:
            return m.end()
        time.sleep(0.2)
    return None


def vm_of(a):
    try:
        return a.json()
    except ValueError:
        return {}


def actions(addr, serial_log):
    """With the key: list the VMs, read one, stop the one still running (the last: all are
    stopped, the summary says so, the machine stays up), start it again and see it run,
    restart it, read the log by pages and the host, and stop it for good."""
    c, lines = Client(addr, test_key()), []
    pos = wait_serial(serial_log, r"^vm hello: stopped: exit \(exit code 0\)")
    check(lines, "hello-exited", pos is not None, "hello did not exit")
    a = c.request("GET", "/api/v1/vms", sign=True)
    vms = vm_of(a).get("vms", []) if a and a.status == 200 else []
    check(lines, "list", [(v["name"], v["state"]) for v in vms] == [("hello", "stopped"),
                                                                   ("spin", "running")],
          describe(a))
    check(lines, "list-counters", len(vms) == 2 and vms[0]["stop"]["reason"] == "exit"
          and vms[0]["stop"]["exit_code"] == 0 and vms[0]["hypercalls"]["total"] > 0
          and vms[0]["hypercalls"]["by_call"]["console_write"] > 0 and vms[1]["stop"] is None
          and vms[1]["boots"] == 1, describe(a))
    a = c.request("GET", "/api/v1/vms/spin", sign=True)
    v = vm_of(a)
    check(lines, "read", a is not None and a.status == 200 and v.get("name") == "spin"
          and v.get("state") == "running" and v.get("options", {}).get("cmdline") == "ms=600000",
          describe(a))
    expect_error(lines, "read-404", c.request("GET", "/api/v1/vms/nope", sign=True), 404,
                 "not_found")
    expect_error(lines, "stop-409", c.request("POST", "/api/v1/vms/hello/stop", sign=True),
                 409, "conflict")
    expect_error(lines, "start-409", c.request("POST", "/api/v1/vms/spin/start", sign=True),
                 409, "conflict")
    expect_error(lines, "action-405", c.request("GET", "/api/v1/vms/spin/stop", sign=True),
                 405, "method_not_allowed")
    expect_error(lines, "action-body-400", c.request("POST", "/api/v1/vms/spin/stop",
                                                     body=b"{\"x\":1}", sign=True),
                 400, "bad_request")
    lines += refusals(c)
    a = c.request("POST", "/api/v1/vms/spin/stop", body=b"{}", sign=True)
    v = vm_of(a)
    check(lines, "stop", a is not None and a.status == 200 and v.get("state") == "stopped"
          and v.get("stop", {}).get("reason") == "stopped by admin"
          and v["stop"].get("exit_code") == -1, describe(a))
    pos = wait_serial(serial_log, r"^summary: vm=spin state=stopped reason=stopped by admin "
                      r"exit_code=-1$")
    check(lines, "stop-summary", pos is not None, "no summary line for spin")
    pos = wait_serial(serial_log, r"^mgmt: the management network stays up$", after=pos or 0)
    check(lines, "stays-up", pos is not None, "management did not stay up")
    a = c.request("POST", "/api/v1/vms/spin/start", sign=True)
    v = vm_of(a)
    check(lines, "start", a is not None and a.status == 200 and v.get("state") == "running"
          and v.get("boots") == 2 and v.get("stop") is None, describe(a))
    pos = wait_serial(serial_log, r"^shunt: running 1 VMs again", after=pos or 0)
    check(lines, "start-runs", pos is not None, "the scheduler did not run again")
    time.sleep(1.0)
    a = c.request("GET", "/api/v1/vms/spin", sign=True)
    v = vm_of(a)
    check(lines, "running-again", v.get("state") == "running" and v.get("run_ns", 0) > 0,
          describe(a))
    a = c.request("POST", "/api/v1/vms/spin/restart", sign=True)
    v = vm_of(a)
    check(lines, "restart", a is not None and a.status == 200 and v.get("state") == "running"
          and v.get("boots") == 3, describe(a))
    time.sleep(1.0)
    a = c.request("GET", "/api/v1/vms/spin", sign=True)
    v = vm_of(a)  # its wait for the CPU counts from its start: never more than it lived
    check(lines, "restart-steal", v.get("state") == "running"
          and 0 <= v.get("steal_ns", -1) < 10 * 10**9, describe(a))
    c.shunt_time()
    lines += log_pages(c)
    lines += shuntctl(c)
    a = c.request("GET", "/api/v1/host", sign=True)
    h = vm_of(a)
    check(lines, "host", a is not None and a.status == 200 and h.get("name") == "shunt"
          and h.get("virtualization", {}).get("backend") in ("VT-x", "AMD-V")
          and any(line.startswith("mgmt: e1000") for line in h.get("boot_report", []))
          and h.get("memory", {}).get("free_bytes", 0) > 0
          and h.get("mgmt", {}).get("pool_high_water_bytes", 0) > 0, describe(a))
    a = c.request("POST", "/api/v1/vms/spin/stop", sign=True)
    check(lines, "stop-again", a is not None and a.status == 200, describe(a))
    pos = wait_serial(serial_log, r"^mgmt: vm spin stopped by admin[^\n]*\n(?:.*\n)*?"
                      r"shunt: halted \(exit code 1\)\nmgmt: the management network stays up$",
                      after=pos or 0)
    check(lines, "stopped-again", pos is not None, "no summary after the last stop")
    return lines


HAMMER_RX = (r"^\[smp\] smp: hammering: vCPU 0 (\d+) calls, vCPU 1 (\d+) calls, "
             r"wrong answers (\d+)$")
LINUX_UP_RX = r"^\[linux\] .*Linux version "


def hammer_progress(serial_log, after, lines, name):
    """The next progress line of the hammering guest past after: (end, calls 0, calls 1)."""
    pos = wait_serial(serial_log, HAMMER_RX, after=after)
    if pos is None:
        check(lines, name, False, "no progress line from smp")
        return after, 0, 0
    with open(serial_log, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    m = re.compile(HAMMER_RX, re.MULTILINE).search(text, after)
    check(lines, name, m.group(3) == "0", f"wrong answers: {m.group(0)}")
    return pos, int(m.group(1)), int(m.group(2))


def hammer_restart(addr, serial_log):
    """The smp guest hammers VERSION from both vCPUs (on CPUs 1 and 0) while the admin
    restarts, stops and starts the Linux VM beside it on CPU 0, then stops the hammering VM
    itself with both vCPUs in mid-flight. Both go on calling, every answer right, and Shunt
    answers and tears both VMs down cleanly."""
    c, lines = Client(addr, test_key()), []
    pos, first0, first1 = hammer_progress(serial_log, 0, lines, "hammering")
    for action, boots in (("restart", 2), ("stop", None), ("start", 3), ("restart", 4)):
        a = c.request("POST", f"/api/v1/vms/linux/{action}", sign=True)
        v = vm_of(a)
        want = "stopped" if boots is None else "running"
        check(lines, f"linux-{action}-{boots or 'stopped'}", a is not None and a.status == 200
              and v.get("state") == want and (boots is None or v.get("boots") == boots),
              describe(a))
        if boots is not None:  # built again, it runs: its first line comes
            built = wait_serial(serial_log, r"^vm linux: created", after=pos)
            up = built and wait_serial(serial_log, LINUX_UP_RX, after=built)
            check(lines, f"linux-up-{boots}", up is not None, "Linux printed nothing")
            pos = up or pos
    pos, mid0, mid1 = hammer_progress(serial_log, pos, lines, "hammering-after-restarts")
    pos, last0, last1 = hammer_progress(serial_log, pos, lines, "hammering-goes-on")
    check(lines, "both-vcpus-called", first0 < mid0 < last0 and first1 < mid1 < last1,
          f"vCPU 0 {first0} {mid0} {last0}, vCPU 1 {first1} {mid1} {last1}")
    a = c.request("GET", "/api/v1/vms/smp", sign=True)
    v = vm_of(a)
    check(lines, "smp-running", v.get("state") == "running" and v.get("boots") == 1
          and [(x.get("cpu"), x.get("started")) for x in v.get("vcpu", [])]
          == [(1, True), (0, True)] and v.get("hypercalls", {}).get("total", 0) > last0 + last1,
          describe(a))
    for vm in ("smp", "linux"):
        a = c.request("POST", f"/api/v1/vms/{vm}/stop", sign=True)
        check(lines, f"{vm}-stop", a is not None and a.status == 200
              and vm_of(a).get("state") == "stopped", describe(a))
    pos = wait_serial(serial_log, r"^shunt: halted \(exit code 1\)$", after=pos)
    check(lines, "halted", pos is not None, "Shunt did not halt after the last stop")
    a = c.request("GET", "/api/v1/host", sign=True)
    check(lines, "host-answers", a is not None and a.status == 200, describe(a))
    return lines


def refusals(c):
    """Signatures that must not pass (each 401, and the VM still running after them), and the
    metrics token used for an action (403)."""
    lines = []
    target, body = "/api/v1/vms/spin/stop", b"{}"
    auth = c.authorization("POST", target, body)
    tampered = f"POST {target} HTTP/1.1\r\nAuthorization: {auth}\r\nContent-Length: 3\r\n\r\n{{ }}"
    a, s = c.raw(tampered.encode())
    s.close()
    expect_error(lines, "tampered-body-401", a, 401, "unauthorized")
    other = c.authorization("POST", "/api/v1/vms/hello/stop", body)
    a, s = c.raw(f"POST {target} HTTP/1.1\r\nAuthorization: {other}\r\nContent-Length: 2\r\n"
                 f"\r\n{{}}".encode())
    s.close()
    expect_error(lines, "other-target-401", a, 401, "unauthorized")
    stale = c.authorization("GET", "/api/v1/vms", b"", ts=c.shunt_time() - 1000)
    a, s = c.raw(f"GET /api/v1/vms HTTP/1.1\r\nAuthorization: {stale}\r\n\r\n".encode())
    s.close()
    expect_error(lines, "stale-401", a, 401, "unauthorized")
    once = c.authorization("GET", "/api/v1/vms", b"")
    first, s = c.raw(f"GET /api/v1/vms HTTP/1.1\r\nAuthorization: {once}\r\n\r\n".encode())
    s.close()
    again, s = c.raw(f"GET /api/v1/vms HTTP/1.1\r\nAuthorization: {once}\r\n\r\n".encode())
    s.close()
    check(lines, "replay-401", first is not None and first.status == 200 and again is not None
          and again.status == 401 and again.error_code() == "unauthorized",
          f"{describe(first)}; {describe(again)}")
    token = test_key("metrics-token").hex()
    a, s = c.raw(f"POST {target} HTTP/1.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    s.close()
    expect_error(lines, "metrics-token-action-403", a, 403, "forbidden")
    # Five failures from this address within 60 s: every request from it waits now.
    a = c.request("GET", "/api/v1/vms/spin", sign=True)
    expect_error(lines, "peer-slowed-429", a, 429, "rate_limited")
    wait = int(a.headers.get("retry-after", "0")) if a else 0
    check(lines, "peer-slowed-retry-after", 1 <= wait <= 64, describe(a))
    time.sleep(wait + 0.5)
    a = c.request("GET", "/api/v1/vms/spin", sign=True)
    check(lines, "refusals-changed-nothing", a is not None and a.status == 200
          and vm_of(a).get("state") == "running", describe(a))
    return lines


def shuntctl(c):
    """The admin's client end to end (tools/shuntctl signs with this machine's clock: only
    where Shunt's is the same, QEMU's; Bochs's is in 2000)."""
    lines = []
    if abs(c.offset or 0) > 60:
        return [f"api: shuntctl: skipped (Shunt's clock is {c.offset} s from ours)"]

    def ctl(*args):
        p = subprocess.run([sys.executable, SHUNTCTL, "--host", f"{c.addr[0]}:{c.addr[1]}",
                            "--key", TEST_KEY_FILE, *args], capture_output=True, text=True,
                           timeout=60)
        return p.returncode, p.stdout

    rc, out = ctl("vms")
    check(lines, "shuntctl-vms", rc == 0 and re.search(r"(?m)^spin +1 +running", out) is not None,
          f"exit {rc}: {out[-300:]!r}")
    rc, out = ctl("--json", "vm", "spin")
    try:
        state = json.loads(out).get("state") if rc == 0 else None
    except ValueError:
        state = None
    check(lines, "shuntctl-vm-json", state == "running", f"exit {rc}: {out[-300:]!r}")
    rc, _ = ctl("vm", "nope")
    check(lines, "shuntctl-not-found", rc == 4, f"exit {rc}")
    rc, _ = ctl("start", "spin")
    check(lines, "shuntctl-conflict", rc == 6, f"exit {rc}")
    rc, out = ctl("restart", "spin")
    check(lines, "shuntctl-restart", rc == 0, f"exit {rc}: {out[-300:]!r}")
    rc, _ = ctl("--key", os.devnull, "vms")
    check(lines, "shuntctl-bad-key", rc in (2, 3), f"exit {rc}")
    return lines


def log_pages(c):
    """GET /api/v1/log: pages of 7 lines, each after the last, up to the admin's actions."""
    lines, after, seen, texts = [], 0, [], []
    for _ in range(200):
        a = c.request("GET", f"/api/v1/log?after={after}&limit=7", sign=True)
        page = vm_of(a)
        if not a or a.status != 200 or not page.get("lines"):
            break
        seen += [line["seq"] for line in page["lines"]]
        texts += [line["text"] for line in page["lines"]]
        if page["next"] != page["lines"][-1]["seq"] or len(page["lines"]) > 7:
            break
        after = page["next"]
    check(lines, "log-paged", seen and seen == list(range(seen[0], seen[0] + len(seen))),
          f"seqs {seen[:5]}..{seen[-5:]}")
    check(lines, "log-actions", any(t == "mgmt: vm spin stopped by admin (from 10.0.2.2)"
                                    for t in texts)
          and any(t == "mgmt: vm spin started by admin (from 10.0.2.2)" for t in texts),
          "the actions are not in the log")
    expect_error(lines, "log-limit-400", c.request("GET", "/api/v1/log?limit=501", sign=True),
                 400, "bad_request")
    return lines


def metrics_many(addr, serial_log):
    """/metrics of 64 VMs: larger than an answer buffer of the pool, sent whole all the same."""
    c, lines = Client(addr, test_key()), []
    a = c.request("GET", "/metrics", sign=True)
    text = a.body.decode("utf-8", "replace") if a is not None else ""
    check(lines, "metrics-many", a is not None and a.status == 200 and len(a.body) > 65536
          and int(a.headers.get("content-length", "0")) == len(a.body), describe(a))
    res = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                         capture_output=True, timeout=60)
    check(lines, "metrics-many-promtool", res.returncode == 0,
          (res.stdout + res.stderr).strip()[:200])
    names = set(re.findall(r'^shunt_vm_memory_bytes\{vm="([^"]+)"\}', text, re.MULTILINE))
    check(lines, "metrics-many-vms", len(names) == 64, f"{len(names)} VMs in it")
    socks = []
    for _ in range(2):  # two at once: each whole, or told to retry
        s = c.connect()
        s.sendall(f"GET /metrics HTTP/1.1\r\nAuthorization: "
                  f"{c.authorization('GET', '/metrics', b'')}\r\n\r\n".encode())
        socks.append(s)
    answers = [read_answer(s, time.monotonic() + TIMEOUT)[0] for s in socks]
    for s in socks:
        s.close()
    whole = [x for x in answers if x is not None and x.status == 200 and len(x.body) > 65536]
    retry = [x for x in answers if x is not None and x.status == 503
             and x.headers.get("retry-after") == "1"]
    check(lines, "metrics-many-twice", len(whole) >= 1 and len(whole) + len(retry) == 2,
          "; ".join(describe(x) for x in answers))
    a = c.request("GET", "/metrics", sign=True)
    check(lines, "metrics-many-after", a is not None and a.status == 200
          and len(a.body) > 65536, describe(a))
    return lines


SMALL_POOL_WAIT = 25.0


def small_pool(addr, serial_log):
    """mgmt.pool=64K: too small for 8 connections' buffers and a 64 KiB answer. Every
    request gets a whole answer (a smaller buffer, or 503 unavailable), none a cut one, and
    once the connections close the server answers as before. A connection that comes while
    the pool has no room even for its control block is not taken (lwIP drops its SYN) and
    the client's TCP tries again (QEMU's user network: after 3 s, then 6 s more), so each
    answer, read and closed in turn as a client would, may take up to SMALL_POOL_WAIT."""
    c, lines = Client(addr, test_key()), []
    a = c.request("GET", "/api/v1/vms/hello", sign=True)
    check(lines, "small-pool-vm", a is not None and a.status == 200
          and vm_of(a).get("name") == "hello", describe(a))
    held, answers, waits = [], [], []
    try:
        for _ in range(8):
            held.append(c.connect())
        for s in held:
            s.sendall(b"GET /api/v1/vms HTTP/1.1\r\n\r\n")
        for s in held:
            t0 = time.monotonic()
            answers.append(read_answer(s, t0 + SMALL_POOL_WAIT)[0])
            waits.append(time.monotonic() - t0)
            s.close()  # its memory back to the pool, for a connection still waiting
    finally:
        for s in held:
            s.close()
    statuses = sorted(a.status for a in answers if a is not None)
    whole = all(a is not None and (a.status == 401 or (a.status == 503 and a.error_code()
                                                       == "unavailable")) for a in answers)
    check(lines, "small-pool-whole-answers", whole and 503 in statuses,
          "answers in order " + ", ".join(
              f"{a.status if a else 'none'} after {w:.1f} s" for a, w in zip(answers, waits)))
    time.sleep(1.0)
    a = c.request("GET", "/api/v1/vms/hello", sign=True)
    check(lines, "small-pool-after", a is not None and a.status == 200, describe(a))
    return lines
