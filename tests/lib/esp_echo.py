"""ESP Echo packets built and parsed with scapy, independently of esprit's C.

Used by the namespace tests as the peer no one here wrote: it builds the
three request forms of PROTOCOLS.md §1 and checks replies byte by byte.
"""
import struct

from scapy.all import IP, IPv6, Ether, Raw  # noqa: F401  (re-exported)

ESP = 50
NH_NONE = 59


def seed_body(spi, seq, ident, echo_seq, data):
    """ESP header, Identifier, Sequence, Data, 1,2,3.. padding, PadLen, NH 59."""
    pad = (4 - (8 + 4 + len(data) + 2) % 4) % 4
    return (struct.pack("!IIHH", spi, seq, ident, echo_seq) + bytes(data) +
            bytes(range(1, pad + 1)) + bytes([pad, NH_NONE]))


def empty_body(spi, seq):
    """The draft -00 form: no payload, two padding bytes."""
    return struct.pack("!II", spi, seq) + bytes([1, 2, 2, NH_NONE])


def subtyped_body(spi, seq, subtype, ident, echo_seq, data, return_spi=None):
    flags = 0x80 if return_spi is not None else 0
    body = struct.pack("!IIBBHHH", spi, seq, subtype, flags, len(data),
                       ident, echo_seq)
    if return_spi is not None:
        body += struct.pack("!I", return_spi)
    return body + bytes(data)


def request(src, dst, body, src_mac, dst_mac, tos=0):
    if ":" in src:
        ip = IPv6(src=src, dst=dst, nh=ESP, tc=tos, hlim=64)
    else:
        ip = IP(src=src, dst=dst, proto=ESP, tos=tos, ttl=64)
    return Ether(src=src_mac, dst=dst_mac) / ip / Raw(body)
