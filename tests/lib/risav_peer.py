#!/usr/bin/python3
"""A RISAV peer's border router, played by scapy: sends UDP packets with
AS-scoped AH tags that scapy's own IPsec code computes.

  risav_peer.py --iface c0 --src-mac M --dst-mac M --src A --dst A
                --spi N --key HEX [--tag valid|badkey|none|scope0]
                [--count N] [--seq N] [--options ra|hbh] [--payload TEXT]

Scope = 1 is the low byte of AH's 16-bit reserved field (RISAV): scapy
builds the AH with it 0, so the field is set afterwards and the ICV
computed again with scapy's sign(), which zeroes the mutable fields its
own way (scapy.layers.ipsec.zero_mutable_fields). The packet object is
signed as encrypt() made it: parsed back from bytes, the ICV padding of
IPv6 would be taken for ICV.

Prints JSON: {"sent": N, "plain": [hex of each IP packet before tagging]}.
"""
import argparse
import json
import sys

from scapy.all import (AH, IP, IPv6, IPv6ExtHdrHopByHop, Ether, HBHOptUnknown,
                       IPOption_NOP, IPOption_Router_Alert, PadN, Raw,
                       SecurityAssociation, UDP, conf, sendp)


def plain_packet(a, i):
    payload = Raw(("%s-%d-" % (a.payload, i)).encode() + bytes(range(40)))
    udp = UDP(sport=40000 + i, dport=a.port)
    if ":" in a.src:
        ip = IPv6(src=a.src, dst=a.dst, tc=0x20, fl=0x1234 + i, hlim=61)
        if a.options == "hbh":
            ip = ip / IPv6ExtHdrHopByHop(options=[
                HBHOptUnknown(otype=0x3e, optdata=b"\x01\x02\x03\x04"),
                HBHOptUnknown(otype=0x1e, optdata=b"\xaa\xbb"),
                PadN(optdata=b"\x00" * 2)])
    else:
        opts = []
        if a.options == "ra":
            opts = [IPOption_Router_Alert(), IPOption_NOP(), IPOption_NOP(),
                    IPOption_NOP(), IPOption_NOP()]
        ip = IP(src=a.src, dst=a.dst, tos=0x28, ttl=61, id=1000 + i,
                options=opts)
    # resolve lengths and checksums now: the stack must get these bytes
    return ip.__class__(bytes(ip / udp / payload))


def tagged(a, sa, plain, seq):
    if a.tag == "none":
        return plain
    p = sa.encrypt(plain, seq_num=seq)
    p[AH].reserved = 0 if a.tag == "scope0" else 1
    return sa.auth_algo.sign(p, sa.auth_key)


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--iface", "--src-mac", "--dst-mac", "--src", "--dst"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--spi", type=lambda s: int(s, 0), default=0x1000)
    ap.add_argument("--key", default="00" * 32)
    ap.add_argument("--tag", default="valid",
                    choices=("valid", "badkey", "none", "scope0"))
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("--options", choices=("ra", "hbh"))
    ap.add_argument("--payload", default="risav")
    ap.add_argument("--port", type=int, default=5000)
    a = ap.parse_args()
    conf.verb = 0

    key = bytes.fromhex(a.key)
    if a.tag == "badkey":
        key = bytes([key[0] ^ 1]) + key[1:]
    sa = SecurityAssociation(AH, spi=a.spi, auth_algo="SHA2-256-128",
                             auth_key=key)
    plains = []
    for i in range(a.count):
        plain = plain_packet(a, i)
        pkt = tagged(a, sa, plain, a.seq + i)
        sendp(Ether(src=a.src_mac, dst=a.dst_mac) / pkt, iface=a.iface)
        plains.append(bytes(plain).hex())
    print(json.dumps({"sent": a.count, "plain": plains}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
