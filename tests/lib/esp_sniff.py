#!/usr/bin/python3
"""Writes one JSON line per ESP packet seen on an interface, as it comes.

Decoded here from the bytes on the wire, independently of esprit's C: SPI,
ESP sequence number, and for the seed form (Next Header 59, padding 1, 2,
3, ...) Identifier, Sequence and the Data length. "hex" holds the ESP bytes
so a test can replay a request as a reply.
"""
import argparse
import json
import struct
import sys
import time

from scapy.all import IP, IPv6, AsyncSniffer, conf


def decode(pkt):
    if pkt.haslayer(IPv6):
        ip = pkt[IPv6]
        dscp = ip.tc >> 2
        ttl = ip.hlim
    elif pkt.haslayer(IP):
        ip = pkt[IP]
        dscp = ip.tos >> 2
        ttl = ip.ttl
    else:
        return None
    esp = bytes(ip.payload)
    if len(esp) < 8:
        return None
    spi, esp_seq = struct.unpack("!II", esp[:8])
    rec = {"src": ip.src, "dst": ip.dst, "dscp": dscp, "ttl": ttl,
           "spi": spi, "esp_seq": esp_seq, "esp_len": len(esp),
           "hex": esp.hex(), "seed": False}
    if len(esp) >= 14 and esp[-1] == 59:
        pad = esp[-2]
        if 14 + pad <= len(esp) and \
                esp[len(esp) - 2 - pad:len(esp) - 2] == bytes(range(1, pad + 1)):
            ident, seq = struct.unpack("!HH", esp[8:12])
            rec.update(seed=True, ident=ident, seq=seq,
                       data_len=len(esp) - 14 - pad)
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready", required=True, help="touched once sniffing")
    ap.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args()
    conf.verb = 0

    out = open(args.out, "w", buffering=1)

    def emit(pkt):
        rec = decode(pkt)
        if rec:
            out.write(json.dumps(rec) + "\n")

    sniffer = AsyncSniffer(iface=args.iface, filter="esp", prn=emit,
                           store=False)
    sniffer.start()
    time.sleep(0.5)  # the socket is open and filtered once start returns
    open(args.ready, "w").close()
    time.sleep(args.timeout)
    sniffer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
