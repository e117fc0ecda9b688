#!/usr/bin/python3
"""Plain socket traffic for the RISAV end-to-end tests (no scapy).

  tag_traffic.py serve --addr4 A --addr6 A --port N --ready FILE
      TCP and UDP echo on both addresses until SIGTERM; each UDP datagram
      is also logged as a JSON line {"udp": HEX, "src": ADDR} on stdout.
  tag_traffic.py tcp --dst A --port N --bytes N [--dscp D] [--src A]
      sends N bytes over TCP and reads them back; exit 1 if they differ.
  tag_traffic.py udp --dst A --port N --count N [--dscp D] [--size N]
                     [--tag TEXT] [--echo] [--interval SECONDS]
      sends N datagrams ("TEXT-i-" and padding); with --echo waits for
      each to come back. Prints {"sent": N, "echoed": M}.
"""
import argparse
import json
import select
import signal
import socket
import sys
import threading
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def set_dscp(s, fam, dscp):
    if dscp is None:
        return
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, dscp << 2)
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, dscp << 2)


def serve(a):
    out_lock = threading.Lock()
    udps, tcps = [], []
    for addr in (a.addr4, a.addr6):
        fam = family(addr)
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.bind((addr, a.port))
        udps.append(u)
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((addr, a.port))
        t.listen(16)
        tcps.append(t)

    def echo_conn(c):
        with c:
            while True:
                d = c.recv(65536)
                if not d:
                    return
                c.sendall(d)

    def accept_loop(t):
        while True:
            c, _ = t.accept()
            threading.Thread(target=echo_conn, args=(c,), daemon=True).start()

    for t in tcps:
        threading.Thread(target=accept_loop, args=(t,), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    open(a.ready, "w").close()
    while True:
        for u in select.select(udps, [], [])[0]:
            data, src = u.recvfrom(65535)
            with out_lock:
                print(json.dumps({"udp": data.hex(), "src": src[0]}),
                      flush=True)
            u.sendto(data, src)


def tcp(a):
    fam = family(a.dst)
    s = socket.socket(fam, socket.SOCK_STREAM)
    set_dscp(s, fam, a.dscp)
    if a.src:
        s.bind((a.src, 0))
    s.settimeout(10)
    s.connect((a.dst, a.port))
    data = bytes((i * 7 + (i >> 8)) & 0xff for i in range(a.bytes))
    got = bytearray()

    def reader():
        while len(got) < len(data):
            d = s.recv(65536)
            if not d:
                return
            got.extend(d)

    r = threading.Thread(target=reader)
    r.start()
    s.sendall(data)
    r.join(15)
    s.close()
    ok = bytes(got) == data
    print(json.dumps({"sent": len(data), "received": len(got), "ok": ok}))
    return 0 if ok else 1


def udp(a):
    fam = family(a.dst)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    set_dscp(s, fam, a.dscp)
    s.settimeout(2)
    echoed = 0
    for i in range(a.count):
        head = ("%s-%d-" % (a.tag, i)).encode()
        payload = head + bytes(max(0, a.size - len(head)))
        s.sendto(payload, (a.dst, a.port))
        if a.interval:
            time.sleep(a.interval)
        if a.echo:
            try:
                d, _ = s.recvfrom(65535)
                echoed += d == payload
            except socket.timeout:
                pass
    print(json.dumps({"sent": a.count, "echoed": echoed}))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("serve")
    for opt in ("--addr4", "--addr6", "--ready"):
        p.add_argument(opt, required=True)
    p.add_argument("--port", type=int, default=5000)
    p = sub.add_parser("tcp")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--bytes", type=int, default=100000)
    p.add_argument("--dscp", type=int)
    p.add_argument("--src")
    p = sub.add_parser("udp")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--dscp", type=int)
    p.add_argument("--tag", default="risav")
    p.add_argument("--echo", action="store_true")
    p.add_argument("--interval", type=float, default=0)
    a = ap.parse_args()
    return {"serve": serve, "tcp": tcp, "udp": udp}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
