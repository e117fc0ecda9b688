#!/usr/bin/python3
"""An ESP Echo responder that speaks only the sub-typed form, as the Linux
kernel code (net/ipv4/esp_ping.c) and strongSwan's esp_ping plugin do
(docs/protocols.md §1.4): it answers Sub-Type 2 requests to its own
addresses, drops a request shorter than its header (+4 with R) plus Data
Length, and replies SPI 8, ESP sequence number 0, Sub-Type 3, Flags 0,
Data Length, Identifier, Sequence and Data, with no return SPI and no
trailer. Anything else (the seed and -00 forms, other Sub-Types, replies)
is dropped without a word. Written from that description, not from
esprit's C.

The namespace's own stack must not see the requests (it would answer with
ICMP Protocol Unreachable): the test drops ESP at the netdev ingress hook,
after this sniffer got its copy.

  esp_subtyped_peer.py --iface r0 --addr 10.0.0.1 --addr fc00::1 \
      --ready FILE [--log FILE]
"""
import argparse
import struct
import sys
import time

from scapy.all import IP, IPv6, AsyncSniffer, Ether, Raw, conf, sendp

SPI_REQUEST, SPI_REPLY = 7, 8


def reply_body(esp):
    """The reply to a sub-typed request, or None if it is not one."""
    if len(esp) < 16:
        return None
    spi, _seq, subtype, flags, dlen, ident, seq = struct.unpack(
        "!IIBBHHH", esp[:16])
    if spi != SPI_REQUEST or subtype != 2 or flags & 0x7F:
        return None
    rspi = 4 if flags & 0x80 else 0
    if len(esp) < 16 + rspi + dlen:
        return None
    data = esp[16 + rspi:16 + rspi + dlen]
    return struct.pack("!IIBBHHH", SPI_REPLY, 0, 3, 0, dlen, ident,
                       seq) + data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--addr", action="append", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--log")
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    conf.verb = 0
    ours = set(a.addr)
    log = open(a.log, "a", buffering=1) if a.log else None

    def answer(pkt):
        if not pkt.haslayer(Ether):
            return
        if pkt.haslayer(IPv6) and pkt[IPv6].nh == 50:
            ip = pkt[IPv6]
            out = IPv6(src=ip.dst, dst=ip.src, nh=50, hlim=64)
        elif pkt.haslayer(IP) and pkt[IP].proto == 50:
            ip = pkt[IP]
            out = IP(src=ip.dst, dst=ip.src, proto=50, ttl=64)
        else:
            return
        if ip.dst not in ours:
            return
        body = reply_body(bytes(ip.payload))
        if log:
            log.write(f"{ip.src} -> {ip.dst}: "
                      f"{'answered' if body else 'dropped'}\n")
        if body is None:
            return
        sendp(Ether(src=pkt[Ether].dst, dst=pkt[Ether].src) / out /
              Raw(body), iface=a.iface)

    sniffer = AsyncSniffer(iface=a.iface, filter="esp", prn=answer,
                           store=False)
    sniffer.start()
    time.sleep(0.5)  # the socket is open and filtered once start returns
    open(a.ready, "w").close()
    time.sleep(a.timeout)
    sniffer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
