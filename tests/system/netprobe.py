# Another host on the management network of a QEMU run, without root: QEMU's hub carries
# every frame to and from a UDP socket of the harness (tools/emu.py, Machine.nic "wire"), and
# this module speaks ARP and ICMP echo through it to Shunt, as a machine on that LAN would.
"""probe(sock, ip, timeout) -> lines saying what Shunt answered (run-all's net_probe)."""

import socket
import struct
import time

MY_MAC = bytes.fromhex("525400000099")
MY_IP = socket.inet_aton("10.0.2.99")
BROADCAST = b"\xff" * 6
PROBE_ID = 0x4E50  # "NP"
PAYLOAD = b"shunt net-probe payload"


def inet_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac_text(mac):
    return ":".join(f"{b:02x}" for b in mac)


def arp(op, dst_mac, target_mac, target_ip):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, MY_MAC, MY_IP, target_mac,
                       target_ip)
    return dst_mac + MY_MAC + b"\x08\x06" + body


def echo_request(dst_mac, dst_ip, seq):
    icmp = struct.pack("!BBHHH", 8, 0, 0, PROBE_ID, seq) + PAYLOAD
    icmp = icmp[:2] + struct.pack("!H", inet_sum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0, MY_IP, dst_ip)
    ip = ip[:10] + struct.pack("!H", inet_sum(ip)) + ip[12:]
    return dst_mac + MY_MAC + b"\x08\x00" + ip + icmp


def parse(frame, ip):
    """("arp-reply", mac), ("arp-request", None), ("echo-reply", seq) or None."""
    if len(frame) < 14 or frame[0:6] not in (MY_MAC, BROADCAST):
        return None
    kind = frame[12:14]
    if kind == b"\x08\x06" and len(frame) >= 42:
        op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", frame[14:42])
        if spa == ip and tpa == MY_IP:
            return ("arp-reply", sha) if op == 2 else ("arp-request", sha)
    if kind == b"\x08\x00" and len(frame) >= 34:
        ihl = (frame[14] & 0xF) * 4
        src, dst = frame[26:30], frame[30:34]
        icmp = frame[14 + ihl:]
        if src == ip and dst == MY_IP and frame[23] == 1 and len(icmp) >= 8 + len(PAYLOAD):
            kind_, _, _, ident, seq = struct.unpack("!BBHHH", icmp[:8])
            if kind_ == 0 and ident == PROBE_ID and icmp[8:8 + len(PAYLOAD)] == PAYLOAD \
                    and inet_sum(icmp[:8 + len(PAYLOAD)]) == 0:
                return ("echo-reply", seq)
    return None


def probe(sock, peer, ip_text, timeout=10.0, echoes=5):
    """Resolves ip_text by ARP, then sends it `echoes` ICMP echo requests one after another,
    each after the last reply; returns the lines of what happened, with round-trip times."""
    ip = socket.inet_aton(ip_text)
    lines, mac, seq, sent_at = [], None, 0, 0.0
    deadline = time.monotonic() + timeout
    next_send = 0.0
    sock.settimeout(0.05)
    while time.monotonic() < deadline and seq <= echoes:
        now = time.monotonic()
        if now >= next_send:
            if mac is None:
                sock.sendto(arp(1, BROADCAST, b"\0" * 6, ip), peer)
            elif seq == 0 or now - sent_at > 1.0:
                seq += seq == 0
                if seq > echoes:
                    break
                sent_at = time.monotonic()
                sock.sendto(echo_request(mac, ip, seq), peer)
            next_send = now + 0.5
        try:
            frame = sock.recv(2048)
        except socket.timeout:
            continue
        got = parse(frame, ip)
        if got is None:
            continue
        if got[0] == "arp-request":  # Shunt asks who we are: answer
            sock.sendto(arp(2, got[1], got[1], ip), peer)
        elif got[0] == "arp-reply" and mac is None:
            mac = got[1]
            lines.append(f"net-probe: ARP: {ip_text} is at {mac_text(mac)}")
            next_send = 0.0
        elif got[0] == "echo-reply" and got[1] == seq:
            ms = (time.monotonic() - sent_at) * 1000
            lines.append(f"net-probe: echo reply from {ip_text} seq {seq} in {ms:.1f} ms")
            seq += 1
            next_send = 0.0
    if mac is None:
        lines.append(f"net-probe: no ARP answer from {ip_text}")
    elif seq <= echoes:
        lines.append(f"net-probe: no echo reply from {ip_text} for seq {seq}")
    return lines
