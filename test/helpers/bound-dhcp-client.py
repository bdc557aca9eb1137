#!/usr/bin/env python3
"""DHCP clients the way some boot firmwares and DHCP libraries are made: one UDP socket bound to
port 68 and, with SO_BINDTODEVICE, to an interface that has no address; the broadcast flag set.
Replies reach it through the kernel's IP stack only: a reply sent to 255.255.255.255 arrives, one
sent to a subnet's broadcast address or to the offered address does not (the interface has none).

Usage: bound-dhcp-client.py IFNAME JSON
  JSON: {"count": N, "macPrefix": "02:bb:00", "vendorClass": "...", "timeoutS": 20, "retryS": 1}
        or {"initReboot": "192.168.x.y", "mac": "...", "timeoutS": 3}: one REQUEST for that address
        (INIT-REBOOT, no server id), then report whatever answers;
        or {"renew": "192.168.x.y", "server": "192.168.x.1", "mac": "...", "timeoutS": 3}: RENEWING, a
        REQUEST with ciaddr, broadcast flag clear, unicast to the server (the interface holds the address).
Prints one JSON line per lease ({"mac", "ip", "server", "to": the destination address of the ACK}) and a last line {"done": true, ...}.
"""
import json
import os
import random
import select
import socket
import struct
import sys
import time

SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
MAGIC = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, ACK, NAK = 1, 2, 3, 5, 6


def mac_bytes(mac):
    return bytes(int(h, 16) for h in mac.split(":"))


def request_packet(mac, xid, msg_type, options, ciaddr="0.0.0.0"):
    header = struct.pack(
        "!BBBBIHH4s4s4s4s16s64s128s",
        1, 1, 6, 0, xid, 0, 0x8000 if ciaddr == "0.0.0.0" else 0,  # BOOTREQUEST, Ethernet, broadcast flag
        socket.inet_aton(ciaddr), b"\0" * 4, b"\0" * 4, b"\0" * 4,
        mac_bytes(mac).ljust(16, b"\0"), b"", b"",
    )
    opts = bytes([53, 1, msg_type]) + bytes([55, 4, 1, 3, 66, 67])
    for code, value in options:
        opts += bytes([code, len(value)]) + value
    return header + MAGIC + opts + b"\xff"


def parse_reply(data):
    if len(data) < 240 or data[0] != 2 or data[236:240] != MAGIC:
        return None
    xid = struct.unpack("!I", data[4:8])[0]
    yiaddr = socket.inet_ntoa(data[16:20])
    mac = ":".join("%02x" % b for b in data[28:34])
    options, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        code, length = data[i], data[i + 1]
        options[code] = data[i + 2:i + 2 + length]
        i += 2 + length
    return {"xid": xid, "yiaddr": yiaddr, "mac": mac, "type": options.get(53, b"\0")[0], "server": options.get(54)}


def open_socket(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind(("0.0.0.0", 68))
    return s


def receive(s):
    """One datagram, and the destination address of its IP header (IP_PKTINFO ipi_addr)."""
    data, ancillary, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    to = None
    for level, kind, value in ancillary:
        if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
            to = socket.inet_ntoa(value[8:12])
    return data, to


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run_leases(s, spec):
    count = int(spec.get("count", 1))
    prefix = spec.get("macPrefix", "02:bb:00")
    vendor = spec.get("vendorClass")
    retry = float(spec.get("retryS", 1))
    deadline = time.monotonic() + float(spec.get("timeoutS", 20))
    extra = [(60, vendor.encode())] if vendor else []
    clients = {}
    for n in range(count):
        mac = "%s:%02x:%02x:%02x" % (prefix, (n >> 16) & 255, (n >> 8) & 255, n & 255)
        xid = random.randint(1, 0xFFFFFFFF)
        clients[xid] = {"mac": mac, "phase": "discover", "sent": 0.0, "offer": None}
    leased = 0
    while leased < count and time.monotonic() < deadline:
        now = time.monotonic()
        for xid, c in clients.items():
            if c["phase"] == "done" or now - c["sent"] < retry:
                continue
            if c["phase"] == "discover":
                packet = request_packet(c["mac"], xid, DISCOVER, extra)
            else:
                yiaddr, server = c["offer"]
                packet = request_packet(c["mac"], xid, REQUEST, extra + [(50, socket.inet_aton(yiaddr)), (54, server)])
            s.sendto(packet, ("255.255.255.255", 67))
            c["sent"] = now
        ready, _, _ = select.select([s], [], [], 0.05)
        while ready:
            data, to = receive(s)
            r = parse_reply(data)
            c = clients.get(r["xid"]) if r else None
            if c and r["mac"] == c["mac"]:
                if r["type"] == OFFER and c["phase"] == "discover" and r["server"]:
                    c["phase"], c["offer"], c["sent"] = "request", (r["yiaddr"], r["server"]), 0.0
                elif r["type"] == ACK and c["phase"] == "request":
                    c["phase"] = "done"
                    leased += 1
                    emit({"mac": c["mac"], "ip": r["yiaddr"], "server": socket.inet_ntoa(r["server"] or b"\0\0\0\0"), "to": to})
                elif r["type"] == NAK and c["phase"] == "request":
                    c["phase"], c["sent"] = "discover", 0.0
            ready, _, _ = select.select([s], [], [], 0)
    emit({"done": True, "count": count, "leased": leased})


def run_renew(s, spec):
    mac, ciaddr = spec["mac"], spec["renew"]
    xid = random.randint(1, 0xFFFFFFFF)
    deadline = time.monotonic() + float(spec.get("timeoutS", 3))
    replies, sent = [], 0.0
    while time.monotonic() < deadline and not replies:
        if time.monotonic() - sent >= 1:
            s.sendto(request_packet(mac, xid, REQUEST, [], ciaddr), (spec["server"], 67))
            sent = time.monotonic()
        ready, _, _ = select.select([s], [], [], 0.05)
        if ready:
            data, to = receive(s)
            r = parse_reply(data)
            if r and r["xid"] == xid:
                replies.append({"type": r["type"], "ip": r["yiaddr"], "to": to})
    emit({"done": True, "replies": replies})


def run_init_reboot(s, spec):
    mac = spec["mac"]
    xid = random.randint(1, 0xFFFFFFFF)
    deadline = time.monotonic() + float(spec.get("timeoutS", 3))
    replies = []
    sent = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() - sent >= 1:
            s.sendto(request_packet(mac, xid, REQUEST, [(50, socket.inet_aton(spec["initReboot"]))]), ("255.255.255.255", 67))
            sent = time.monotonic()
        ready, _, _ = select.select([s], [], [], 0.05)
        if ready:
            data, to = receive(s)
            r = parse_reply(data)
            if r and r["xid"] == xid:
                replies.append({"type": r["type"], "ip": r["yiaddr"], "to": to})
    emit({"done": True, "replies": replies})


def main():
    ifname, spec = sys.argv[1], json.loads(sys.argv[2])
    s = open_socket(ifname)
    if "initReboot" in spec:
        run_init_reboot(s, spec)
    elif "renew" in spec:
        run_renew(s, spec)
    else:
        run_leases(s, spec)


if __name__ == "__main__":
    main()
