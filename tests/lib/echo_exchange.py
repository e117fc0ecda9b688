#!/usr/bin/python3
"""Sends one ESP Echo Request with scapy and checks the reply byte by byte.

The expected reply is derived here from the request by the draft's rules
(SPI 8, addresses and MACs swapped, TTL/hop limit 64, everything after the
ESP header copied), never by esprit's code.
"""
import argparse
import sys
import time

from scapy.all import AsyncSniffer, IP, IPv6, Ether, Raw, conf, sendp

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import esp_echo  # noqa: E402


def expected_reply(req):
    ip = req.payload
    body = bytes(ip.payload)
    reply_body = (8).to_bytes(4, "big") + body[4:]
    if req.haslayer(IPv6):
        rip = IPv6(src=ip.dst, dst=ip.src, nh=50, tc=ip.tc, fl=0, hlim=64)
    else:
        rip = IP(src=ip.dst, dst=ip.src, proto=50, tos=ip.tos, ttl=64,
                 id=ip.id, flags=ip.flags)
    return bytes(Ether(src=req.dst, dst=req.src) / rip / Raw(reply_body))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--form", choices=["seed", "empty"], default="seed")
    ap.add_argument("--data-len", type=int, default=64)
    ap.add_argument("--expect", choices=["reply", "none"], default="reply")
    ap.add_argument("--timeout", type=float, default=2.0)
    args = ap.parse_args()
    conf.verb = 0

    data = bytes((i * 7) & 0xFF for i in range(args.data_len))
    if args.form == "seed":
        body = esp_echo.seed_body(7, 1234, 0x4242, 1, data)
    else:
        body = esp_echo.empty_body(7, 1234)
    req = esp_echo.request(args.src, args.dst, body, args.src_mac,
                           args.dst_mac)
    req = Ether(bytes(req))  # fill in lengths and checksums

    sniffer = AsyncSniffer(iface=args.iface, filter="esp",
                           lfilter=lambda p: bytes(p.payload.payload)[:4]
                           == b"\x00\x00\x00\x08")
    sniffer.start()
    time.sleep(0.3)
    sendp(req, iface=args.iface)
    time.sleep(args.timeout)
    got = sniffer.stop()

    if args.expect == "none":
        if got:
            print("unexpected reply:", bytes(got[0]).hex())
            return 1
        return 0
    if not got:
        print("no reply")
        return 1
    want = expected_reply(req)
    have = bytes(got[0])
    if have != want:
        print("reply differs\n want", want.hex(), "\n have", have.hex())
        return 1
    print("reply ok:", have.hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
