#!/usr/bin/python3
"""Sends UDP datagrams that fill the path's MTU with DF set, and counts the
ICMP errors that come back (the kernel's own sockets, no scapy).

  too_big_probe.py --dst ADDR --size BYTES --count N [--wait SECONDS]

BYTES is the IP packet's size. Each datagram goes out as it is, whatever
the path MTU the kernel has learnt (IP_PMTUDISC_PROBE). ICMP Fragmentation
Needed (IPv4) and Packet Too Big (IPv6) are read from a raw socket while
sending and for --wait seconds after. Prints JSON: {"sent": N, "errors":
M, "mtus": [distinct MTUs reported], "seconds": time from the first send
to the last error}.
"""
import argparse
import json
import select
import socket
import struct
import time

IP_MTU_DISCOVER = 10  # linux/in.h, which the socket module lacks
IP_PMTUDISC_PROBE = 3
IPV6_MTU_DISCOVER = 23
IPV6_PMTUDISC_PROBE = 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dst", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--port", type=int, default=5001)
    ap.add_argument("--wait", type=float, default=1.0)
    a = ap.parse_args()
    v6 = ":" in a.dst
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER,
                     IPV6_PMTUDISC_PROBE)
        raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                            socket.IPPROTO_ICMPV6)
        payload = a.size - 40 - 8
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER,
                     IP_PMTUDISC_PROBE)
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                            socket.IPPROTO_ICMP)
        payload = a.size - 20 - 8
    raw.setblocking(False)
    s.setblocking(False)
    data = b"x" * payload
    errors, mtus = 0, set()
    start = last = time.monotonic()

    def drain():
        nonlocal errors, last
        while True:
            try:
                pkt = raw.recv(65536)
            except BlockingIOError:
                return
            if v6:
                if pkt[0] == 2:  # Packet Too Big
                    errors += 1
                    mtus.add(struct.unpack("!I", pkt[4:8])[0])
                    last = time.monotonic()
            else:
                ihl = (pkt[0] & 0xf) * 4
                if pkt[ihl] == 3 and pkt[ihl + 1] == 4:
                    errors += 1
                    mtus.add(struct.unpack("!H", pkt[ihl + 6:ihl + 8])[0])
                    last = time.monotonic()

    sent = 0
    for _ in range(a.count):
        try:
            s.sendto(data, (a.dst, a.port))
            sent += 1
        except (BlockingIOError, OSError):
            # a full queue, or an error the last ICMP left on the socket
            select.select([], [s], [], 0.01)
        drain()
    deadline = time.monotonic() + a.wait
    while time.monotonic() < deadline:
        select.select([raw], [], [], 0.05)
        drain()
    print(json.dumps({"sent": sent, "errors": errors,
                      "mtus": sorted(mtus),
                      "seconds": round(last - start, 3)}))


if __name__ == "__main__":
    main()
