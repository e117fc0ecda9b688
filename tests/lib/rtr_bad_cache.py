#!/usr/bin/python3
"""An RPKI-to-Router cache (RFC 8210, version 1) that goes bad on purpose.

To a Reset Query it answers with good data (VALID) and, half a second
later, a Serial Notify. To each Serial Query that follows it sends the
next of BAD: a batch with one broken or unknown PDU after a VRP that is
fine, which the router must refuse whole. It records on --log, one line
each, the queries it gets ("query reset", "query serial") and the Error
Reports it receives ("error CODE TEXT").
"""
import argparse
import socket
import struct
import threading
import time

SESSION = 4242
VALID = [(64500, "10.11.1.0", 24, 24), (64501, "198.51.100.0", 24, 24)]
# what the refused batches would have added
LURE = (64501, "203.0.113.0", 24, 24)


def header(ptype, field, length):
    return struct.pack("!BBHI", 1, ptype, field, length)


def v4(flags, asn, addr, plen, maxlen):
    return header(4, 0, 20) + struct.pack(
        "!BBBB4sI", flags, plen, maxlen, 0, socket.inet_aton(addr), asn)


def v6(flags, asn, addr, plen, maxlen):
    return header(6, 0, 32) + struct.pack(
        "!BBBB16sI", flags, plen, maxlen, 0,
        socket.inet_pton(socket.AF_INET6, addr), asn)


def cache_response():
    return header(3, SESSION, 8)


def end_of_data(serial):
    return header(7, SESSION, 24) + struct.pack("!IIII", serial, 1, 1, 600)


def serial_notify(serial):
    return header(0, SESSION, 12) + struct.pack("!I", serial)


BAD = [
    v4(1, 64501, "10.99.0.0", 40, 40),  # longer than IPv4 allows
    v4(1, 64501, "10.98.0.0", 24, 20),  # max length below the length
    header(99, 0, 8),  # no such PDU type
    v6(1, 64501, "2001:db8:99::", 130, 130),  # longer than IPv6 allows
]


def recv_pdu(conn):
    hdr = b""
    while len(hdr) < 8:
        chunk = conn.recv(8 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    length = struct.unpack("!I", hdr[4:8])[0]
    body = b""
    while len(body) < length - 8:
        chunk = conn.recv(length - 8 - len(body))
        if not chunk:
            return None
        body += chunk
    return hdr + body


class Cache:
    def __init__(self, log):
        self.log = open(log, "a", buffering=1)
        self.serial = 1
        self.bad = list(BAD)
        self.lock = threading.Lock()

    def note(self, line):
        with self.lock:
            self.log.write(line + "\n")

    def serve(self, conn):
        while True:
            try:
                pdu = recv_pdu(conn)
            except ConnectionError:
                return  # the router dropped the session, as it should
            if pdu is None:
                return
            ptype = pdu[1]
            if ptype == 2:
                self.note("query reset")
                out = cache_response()
                for vrp in VALID:
                    out += v4(1, *vrp)
                conn.sendall(out + end_of_data(self.serial))
                time.sleep(0.5)
                conn.sendall(serial_notify(self.serial + 1))
            elif ptype == 1:
                self.note("query serial")
                if not self.bad:
                    conn.sendall(cache_response() +
                                 end_of_data(self.serial))
                    continue
                bad = self.bad.pop(0)
                conn.sendall(cache_response() + v4(1, *LURE) + bad +
                             end_of_data(self.serial + 1))
            elif ptype == 10:
                code = struct.unpack("!H", pdu[2:4])[0]
                enc = struct.unpack("!I", pdu[8:12])[0]
                tlen = struct.unpack("!I", pdu[12 + enc:16 + enc])[0]
                text = pdu[16 + enc:16 + enc + tlen].decode(errors="replace")
                self.note(f"error {code} {text}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    a = ap.parse_args()
    cache = Cache(a.log)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.port))
    srv.listen(4)
    open(a.ready, "w").close()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=cache.serve, args=(conn,),
                         daemon=True).start()


if __name__ == "__main__":
    main()
