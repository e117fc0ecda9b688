#!/usr/bin/python3
"""Writes one JSON line per ESP packet seen on an interface, as it comes.

Decoded here from the bytes on the wire, independently of esprit's C: SPI,
ESP sequence number, the form ("subtyped": Sub-Type 2 or 3 and a Data
Length that fits; "seed": Next Header 59, padding 1, 2, 3, ... and room for
Identifier and Sequence; "empty": the trailer and nothing else) and, where
the form has them, Identifier, Sequence, the Data length, Sub-Type, Flags
and the return SPI. "hex" holds the ESP bytes so a test can replay a
request as a reply.
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
           "hex": esp.hex(), "form": None, "seed": False}
    if len(esp) >= 16 and esp[8] in (2, 3):
        subtype, flags, dlen, ident, seq = struct.unpack("!BBHHH",
                                                         esp[8:16])
        rspi = 4 if flags & 0x80 else 0
        if 16 + rspi + dlen == len(esp):
            rec.update(form="subtyped", subtype=subtype, flags=flags,
                       ident=ident, seq=seq, data_len=dlen)
            if rspi:
                rec["return_spi"] = struct.unpack("!I", esp[16:20])[0]
            return rec
    if len(esp) >= 10 and esp[-1] == 59:
        pad = esp[-2]
        if 10 + pad <= len(esp) and \
                esp[len(esp) - 2 - pad:len(esp) - 2] == bytes(range(1, pad + 1)):
            payload = len(esp) - 10 - pad
            if payload == 0:
                rec.update(form="empty")
            elif payload >= 4:
                ident, seq = struct.unpack("!HH", esp[8:12])
                rec.update(form="seed", seed=True, ident=ident, seq=seq,
                           data_len=payload - 4)
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
