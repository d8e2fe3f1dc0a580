# A client of Shunt's management API for the system tests, written from hv/net/API.md: the
# key file, the request signature, and raw HTTP/1.1 over a socket (the suites send requests
# that no library would, byte for byte). tools/shuntctl is the admin's client; this one only
# exists because the tests must also send what a good client never does.
"""Conn(port).request(method, target, key=KEY) -> Response; authorization(); read_key()."""

import hashlib
import hmac
import os
import socket
import time

TEST_KEY = bytes(range(32))  # the tests' key (tests/net/auth-vector.txt, scenarios.MGMT_KEY)
TEST_TOKEN = "9a1b2c3d4e5f60718293a4b5c6d7e8f9"  # and its metrics token (scenarios.MGMT_KEY)


def write_key(path, key=TEST_KEY, token=TEST_TOKEN):
    """A key file as `shuntctl keygen` writes it (API.md, "Authentication")."""
    with open(path, "w") as f:
        f.write("# Shunt management key, written by the system tests\n"
                f"shunt-key-v1 {key.hex()}\n" + (f"metrics-token {token}\n" if token else ""))


def read_key(path):
    """(key bytes, metrics token or None) from a key file."""
    key, token = None, None
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) == 2 and words[0] == "shunt-key-v1":
                key = bytes.fromhex(words[1])
            elif len(words) == 2 and words[0] == "metrics-token":
                token = words[1]
    if key is None or len(key) != 32:
        raise ValueError(f"{path}: no shunt-key-v1 line of 64 hex digits")
    return key, token


def authorization(key, method, target, body=b"", ts=None, nonce=None):
    """The Authorization header's value for a request (API.md's string to sign)."""
    ts = int(time.time()) if ts is None else ts
    nonce = os.urandom(16).hex() if nonce is None else nonce
    text = (f"shunt-v1\n{method}\n{target}\n{ts}\n{nonce}\n"
            f"{hashlib.sha256(body).hexdigest()}\n")
    sig = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    return f"Shunt-HMAC-SHA256 ts={ts}, nonce={nonce}, sig={sig}"


class Response:
    def __init__(self, status, reason, headers, body):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        import json
        return json.loads(self.body.decode("utf-8"))

    def error_code(self):
        """The JSON error's code, or None."""
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None

    def __repr__(self):
        return f"<{self.status} {self.body[:80]!r}>"


class Closed(Exception):
    """The server closed the connection (or reset it) without a whole answer."""


class Conn:
    """One TCP connection to the API through the emulator's forwarded port."""

    def __init__(self, port, host="127.0.0.1", timeout=15.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.clock_offset = 0  # Shunt's clock minus ours, learnt from X-Shunt-Time

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        """Sends bytes; False if the server had closed or reset the connection."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise
        except OSError as e:
            raise Closed(str(e))
        if not chunk:
            raise Closed("closed")
        self.buf += chunk

    def read_response(self, head=False):
        """The next answer; raises Closed if the connection ends first."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise Closed("an answer's head longer than 64 KiB")
            self._fill()
        head_bytes, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head_bytes.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise Closed(f"not an HTTP answer: {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head else int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return Response(int(parts[1]), parts[2] if len(parts) > 2 else "", headers, body)

    def request(self, method, target, body=b"", key=None, headers=(), auth=None):
        """Sends one request, signed with key (or with the Authorization value auth), and
        reads its answer."""
        lines = [f"{method} {target} HTTP/1.1", "Host: shunt"]
        if auth is None and key is not None:
            auth = authorization(key, method, target, body,
                                 ts=int(time.time()) + self.clock_offset)
        if auth is not None:
            lines.append(f"Authorization: {auth}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        lines += list(headers)
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        if not self.send(data):
            raise Closed("closed before the request was sent")
        resp = self.read_response(head=method == "HEAD")
        self.learn_clock(resp)
        return resp

    def learn_clock(self, resp):
        t = resp.header("x-shunt-time")
        if t and t.isdigit():
            self.clock_offset = int(t) - int(time.time())


def wait_for_server(port, deadline, host="127.0.0.1"):
    """A Conn once the API answers (any answer), or None at the deadline."""
    while time.monotonic() < deadline:
        try:
            c = Conn(port, host, timeout=5)
            c.request("GET", "/")  # a public page: every answer tells Shunt's time
            return c
        except (OSError, Closed):
            time.sleep(0.5)
    return None
