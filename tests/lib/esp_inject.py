#!/usr/bin/python3
"""Sends ESP Echo Replies esprit ping must not believe, or must call DUP.

--forge N: our Identifier, Sequence 1..N, Data shaped like esprit's stamp
(a plausible send time, then 8 random bytes where the tag goes), in the
sub-typed form a standard peer answers in.
--foreign N: another Identifier.
--replay HEX: a captured request's ESP bytes sent back as a reply (SPI 8;
a sub-typed request as its sub-typed reply), i.e. a second,
genuine-looking copy of a reply already received.
"""
import argparse
import os
import struct
import sys
import time

from scapy.all import Ether, conf, sendp

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import esp_echo  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--ident", type=lambda s: int(s, 0), required=True)
    ap.add_argument("--forge", type=int, default=0)
    ap.add_argument("--foreign", type=int, default=0)
    ap.add_argument("--replay")
    args = ap.parse_args()
    conf.verb = 0

    frames = []
    now = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    for i in range(args.forge):
        data = struct.pack("!Q", now) + os.urandom(8) + bytes(range(16, 56))
        frames.append(esp_echo.subtyped_body(8, 0, 3, args.ident, i + 1,
                                             data))
    for i in range(args.foreign):
        data = struct.pack("!Q", now) + os.urandom(8) + bytes(range(16, 56))
        frames.append(esp_echo.subtyped_body(8, 0, 3, args.ident ^ 0x8000,
                                             i + 1, data))
    if args.replay:
        req = bytes.fromhex(args.replay)
        key = esp_echo.match_key(req)
        if key[0] == "subtyped":
            frames.append(esp_echo.subtyped_body(
                8, 0, 3, key[1], key[2],
                req[16 + (4 if req[9] & 0x80 else 0):]))
        else:
            frames.append(struct.pack("!I", 8) + req[4:])
    for body in frames:
        pkt = esp_echo.request(args.src, args.dst, body, args.src_mac,
                               args.dst_mac)
        sendp(Ether(bytes(pkt)), iface=args.iface)
    print("sent", len(frames))
    return 0


if __name__ == "__main__":
    sys.exit(main())
