#!/usr/bin/env python3
"""DHCP clients on an AF_PACKET socket, as udhcpc reads and writes (the interface needs no address;
promiscuous, so replies unicast to a client's MAC count too), with control over retransmissions:
copies of a message sent back to back, or a fast retransmission timer.

Usage: raw-dhcp-client.py IFNAME JSON
  {"copies": K, "mac": "...", "waitS": 1.0, "vendorClass": "..."}: one client; K copies of its DISCOVER
    back to back (same xid), replies counted for waitS; then K copies of its REQUEST, replies counted;
    then, once its ACK is in, one more copy of the REQUEST (as a client whose ACK was lost), replies
    counted. Prints {"offers", "acks", "acksAfterAck", "naks", "ip"}.
  {"storm": N, "macPrefix": "02:cc:00", "retryMs": 20, "concurrency": 32, "timeoutS": 30, "vendorClass": "..."}:
    N clients, DISCOVER -> OFFER -> REQUEST -> ACK each, every message retransmitted after retryMs.
    Prints {"ack": mac, "ip": ip} per ACK as it comes (flushed), then {"done": true, "leased": n, "retransmissions": r}.
"""
import json
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
DISCOVER, OFFER, REQUEST, ACK, NAK = 1, 2, 3, 5, 6


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(mac, xid, kind, vendor_class=None, requested=None, server=None):
    """A broadcast Ethernet frame holding a DHCP request from 0.0.0.0:68 to 255.255.255.255:67."""
    opts = bytes([53, 1, kind, 61, 7, 1]) + mac
    if requested:
        opts += bytes([50, 4]) + requested
    if server:
        opts += bytes([54, 4]) + server
    if vendor_class:
        v = vendor_class.encode()
        opts += bytes([60, len(v)]) + v
    opts += bytes([55, 4, 1, 3, 6, 12, 255])
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0, b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac.ljust(16, b"\0"), b"", b"")
    payload = bootp + b"\x63\x82\x53\x63" + opts
    payload = payload.ljust(300, b"\0")
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + struct.pack("!H", ETH_P_IP) + ip + udp


def parse_reply(data):
    """(xid, chaddr, type, yiaddr, server id) of a DHCP reply to port 68 in an Ethernet frame, or None."""
    if len(data) < 14 + 20 + 8 + 240 or data[12:14] != b"\x08\x00" or data[23] != 17:
        return None
    ihl = (data[14] & 15) * 4
    udp = 14 + ihl
    if struct.unpack("!H", data[udp + 2:udp + 4])[0] != 68:
        return None
    d = data[udp + 8:]
    if len(d) < 240 or d[0] != 2 or d[236:240] != b"\x63\x82\x53\x63":
        return None
    kind, server, i = 0, None, 240
    while i < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        if i + 1 >= len(d):
            break
        code, n = d[i], d[i + 1]
        if code == 53 and n == 1:
            kind = d[i + 2]
        if code == 54 and n == 4:
            server = d[i + 2:i + 6]
        i += 2 + n
    return struct.unpack("!I", d[4:8])[0], d[28:34], kind, d[16:20], server


def open_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    s.bind((ifname, ETH_P_IP))
    ifindex = socket.if_nametoindex(ifname)
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b""))
    s.setblocking(False)
    return s


def replies(s, wait_s):
    """Every DHCP reply read within wait_s."""
    end = time.monotonic() + wait_s
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        if not select.select([s], [], [], left)[0]:
            continue
        while True:
            try:
                data = s.recv(2048)
            except BlockingIOError:
                break
            r = parse_reply(data)
            if r:
                yield r


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def copies(s, o):
    mac = bytes.fromhex(o["mac"].replace(":", ""))
    k, wait, vc = o["copies"], o.get("waitS", 1.0), o.get("vendorClass")
    xid = random.getrandbits(32)
    mine = lambda r: r[0] == xid and r[1] == mac
    discover = frame(mac, xid, DISCOVER, vc)  # built once: the copies leave microseconds apart
    for _ in range(k):
        s.send(discover)
    offers = [r for r in replies(s, wait) if mine(r) and r[2] == OFFER]
    if not offers:
        emit({"offers": 0, "acks": 0, "acksAfterAck": 0, "naks": 0, "ip": None})
        return
    ip, server = offers[0][3], offers[0][4]
    request = frame(mac, xid, REQUEST, vc, ip, server)
    for _ in range(k):
        s.send(request)
    answers = [r for r in replies(s, wait) if mine(r)]
    acks = sum(1 for r in answers if r[2] == ACK)
    naks = sum(1 for r in answers if r[2] == NAK)
    after = 0
    if acks:
        s.send(request)
        after = sum(1 for r in replies(s, wait) if mine(r) and r[2] == ACK)
    emit({"offers": len(offers), "acks": acks, "acksAfterAck": after, "naks": naks, "ip": socket.inet_ntoa(ip)})


def storm(s, o):
    n, retry = o["storm"], o.get("retryMs", 20) / 1000.0
    concurrency, vc = o.get("concurrency", 32), o.get("vendorClass")
    prefix = bytes.fromhex(o.get("macPrefix", "02:cc:00").replace(":", ""))
    salt = random.getrandbits(20) << 12
    clients = [{"i": i, "mac": prefix + struct.pack("!I", i)[1:], "xid": (salt + i) & 0xFFFFFFFF, "state": None, "sent": 0.0, "msg": None} for i in range(n)]
    by_xid = {c["xid"]: c for c in clients}
    end = time.monotonic() + o.get("timeoutS", 30)
    nxt = in_flight = leased = retrans = 0

    def send(c, msg):
        c["msg"], c["sent"] = msg, time.monotonic()
        s.send(msg)

    while leased < n and time.monotonic() < end:
        while in_flight < concurrency and nxt < n:
            c = clients[nxt]
            c["state"] = OFFER
            send(c, frame(c["mac"], c["xid"], DISCOVER, vc if nxt % 2 == 0 else None))
            nxt += 1
            in_flight += 1
        for xid, chaddr, kind, yiaddr, server in replies(s, 0.005):
            c = by_xid.get(xid)
            if not c or c["mac"] != chaddr:
                continue
            if kind == OFFER and c["state"] == OFFER:
                c["state"] = ACK
                send(c, frame(c["mac"], xid, REQUEST, vc if c["i"] % 2 == 0 else None, yiaddr, server))
            elif kind == ACK and c["state"] == ACK:
                c["state"] = "leased"
                leased += 1
                in_flight -= 1
                emit({"ack": ":".join("%02x" % b for b in c["mac"]), "ip": socket.inet_ntoa(yiaddr)})
            elif kind == NAK and c["state"] == ACK:
                c["state"] = OFFER
                send(c, frame(c["mac"], xid, DISCOVER, vc if c["i"] % 2 == 0 else None))
        now = time.monotonic()
        for c in clients[:nxt]:
            if c["state"] in (OFFER, ACK) and now - c["sent"] >= retry:
                retrans += 1
                send(c, c["msg"])
    emit({"done": True, "leased": leased, "retransmissions": retrans})


def main():
    ifname, o = sys.argv[1], json.loads(sys.argv[2])
    s = open_socket(ifname)
    if "copies" in o:
        copies(s, o)
    else:
        storm(s, o)


if __name__ == "__main__":
    main()
