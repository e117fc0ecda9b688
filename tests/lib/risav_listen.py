#!/usr/bin/python3
"""The host behind a RISAV border: records what reaches it, as JSON lines.

  risav_listen.py --iface r0 --addr4 A --addr6 A --port N --out FILE
                  --ready FILE

Two views, until SIGTERM: {"udp": PAYLOAD_HEX, "src": ADDR} for each
datagram a UDP socket on the port receives (the application's view), and
{"ip": PACKET_HEX} for each IPv4/IPv6 packet to addr4/addr6 carrying UDP
to the port or an AH (the stack's view: XDP has run by then).
"""
import argparse
import json
import select
import signal
import socket
import sys
import threading

from scapy.all import AH, IP, IPv6, conf, sniff


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--iface", "--addr4", "--addr6", "--out", "--ready"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--port", type=int, default=5000)
    a = ap.parse_args()
    conf.verb = 0
    out = open(a.out, "w", buffering=1)
    lock = threading.Lock()

    def emit(obj):
        with lock:
            out.write(json.dumps(obj) + "\n")

    socks = []
    for fam, addr in ((socket.AF_INET, a.addr4), (socket.AF_INET6, a.addr6)):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, a.port))
        socks.append(s)

    def udp_loop():
        while True:
            for s in select.select(socks, [], [])[0]:
                data, src = s.recvfrom(65535)
                emit({"udp": data.hex(), "src": src[0]})

    def keep(p):
        ip = p.getlayer(IP) or p.getlayer(IPv6)
        if ip is None or ip.dst not in (a.addr4, a.addr6):
            return
        if p.haslayer(AH) or ("UDP" in p and p["UDP"].dport == a.port):
            emit({"ip": bytes(ip).hex()})

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.Thread(target=udp_loop, daemon=True).start()
    sniff(iface=a.iface, prn=keep, store=False,
          started_callback=lambda: open(a.ready, "w").close())


if __name__ == "__main__":
    main()
