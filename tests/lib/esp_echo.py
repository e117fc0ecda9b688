"""ESP Echo requests, and the replies the drafts call for, built with scapy.

This is the independent peer of the namespace tests: nothing here comes
from esprit's C. Requests are built in the three forms of docs/protocols.md §1;
the expected reply is derived from the request by the drafts' rules:

  * SPI 8; ESP Sequence Number copied in the seed and -00 forms (E2:
    esprit's default), 0 in the sub-typed form (what the reference
    implementation sends);
  * seed (§1.3a) and -00 (§1.3) forms: everything after the ESP header
    copied ("reflected verbatim except SPI 8");
  * sub-typed form (§1.4): Sub-Type 3, Flags 0, Data Length, Identifier,
    Sequence and Data copied; no return SPI;
  * MACs and addresses swapped, VLAN tags kept, TTL / hop limit 64, IPv6
    flow label 0, traffic class / TOS, IPv4 ID, DF and options kept;
  * "copy the Data, up to the MTU": a reply that would exceed the MTU
    keeps as much Data as fits (seed: a 4-byte aligned ESP length with the
    least RFC 4303 padding after the Data; -00: its 12-byte canonical
    shape; sub-typed: Data Length says how much) and is never longer than
    the request.
"""
import struct

from scapy.all import (IP, IPv6, Dot1AD, Dot1Q, Ether, Raw)  # noqa: F401

ESP = 50
NH_NONE = 59
SPI_REQUEST = 7
SPI_REPLY = 8

SEED, EMPTY, SUBTYPED, SUBTYPED_R = "seed", "empty", "subtyped", "subtyped-r"
FORMS = (SEED, EMPTY, SUBTYPED, SUBTYPED_R)


def min_pad(payload_len):
    """Padding 1,2,3.. so Pad Length and Next Header end 4-byte aligned."""
    return (4 - (payload_len + 2) % 4) % 4


def seed_body(spi, seq, ident, echo_seq, data, pad=None):
    """ESP header, Identifier, Sequence, Data, padding, Pad Length, NH 59."""
    if pad is None:
        pad = min_pad(4 + len(data))
    return (struct.pack("!IIHH", spi, seq, ident, echo_seq) + bytes(data) +
            bytes(range(1, pad + 1)) + bytes([pad, NH_NONE]))


def empty_body(spi, seq, pad=2):
    """The draft -00 form: no payload, padding 1..pad."""
    return (struct.pack("!II", spi, seq) + bytes(range(1, pad + 1)) +
            bytes([pad, NH_NONE]))


def subtyped_body(spi, seq, subtype, ident, echo_seq, data, return_spi=None,
                  flags=None):
    if flags is None:
        flags = 0x80 if return_spi is not None else 0
    body = struct.pack("!IIBBHHH", spi, seq, subtype, flags, len(data),
                       ident, echo_seq)
    if return_spi is not None:
        body += struct.pack("!I", return_spi)
    return body + bytes(data)


def request(src, dst, body, src_mac, dst_mac, tos=0):
    """Ethernet and IP (64 hops, protocol 50) around ready-made ESP bytes."""
    if ":" in src:
        ip = IPv6(src=src, dst=dst, nh=ESP, tc=tos, hlim=64)
    else:
        ip = IP(src=src, dst=dst, proto=ESP, tos=tos, ttl=64)
    return Ether(src=src_mac, dst=dst_mac) / ip / Raw(body)


class Request:
    """One request: its fields, its frame, and the reply it must get."""

    def __init__(self, form, src, dst, src_mac, dst_mac, seq, data=b"",
                 pad=None, ident=0x4242, echo_seq=1, vlans=(), tos=0,
                 flow_label=0, ttl=64, ip_options=None, ip_id=1,
                 return_spi=0x0a0b0c0d, spi=SPI_REQUEST):
        self.form, self.src, self.dst = form, src, dst
        self.src_mac, self.dst_mac = src_mac, dst_mac
        self.seq, self.data, self.pad = seq, bytes(data), pad
        self.ident, self.echo_seq = ident, echo_seq
        self.vlans, self.tos, self.flow_label = tuple(vlans), tos, flow_label
        self.ttl, self.ip_options, self.ip_id = ttl, ip_options, ip_id
        self.return_spi, self.spi = return_spi, spi
        self.v6 = ":" in src

    def body(self, spi=None):
        spi = self.spi if spi is None else spi
        if self.form == SEED:
            return seed_body(spi, self.seq, self.ident, self.echo_seq,
                             self.data, self.pad)
        if self.form == EMPTY:
            return empty_body(spi, self.seq,
                              2 if self.pad is None else self.pad)
        return subtyped_body(spi, self.seq, 2, self.ident, self.echo_seq,
                             self.data, self.return_spi
                             if self.form == SUBTYPED_R else None)

    def _l2(self, src_mac, dst_mac):
        """Ethernet and VLAN tags; vlans is ((tpid, vid), ...) outer first."""
        if not self.vlans:
            return Ether(src=src_mac, dst=dst_mac)
        layers = Ether(src=src_mac, dst=dst_mac, type=self.vlans[0][0])
        for i, (_tpid, vid) in enumerate(self.vlans):
            nxt = self.vlans[i + 1][0] if i + 1 < len(self.vlans) else None
            tag = (Dot1AD if _tpid == 0x88a8 else Dot1Q)(vlan=vid)
            if nxt is not None:
                tag.type = nxt
            layers = layers / tag
        return layers

    def _ip(self, src, dst, ttl, flow_label):
        if self.v6:
            return IPv6(src=src, dst=dst, nh=ESP, tc=self.tos, fl=flow_label,
                        hlim=ttl)
        ip = IP(src=src, dst=dst, proto=ESP, tos=self.tos, ttl=ttl,
                id=self.ip_id, flags="DF")
        if self.ip_options:
            ip.options = self.ip_options
        return ip

    def frame(self):
        pkt = (self._l2(self.src_mac, self.dst_mac) /
               self._ip(self.src, self.dst, self.ttl, self.flow_label) /
               Raw(self.body()))
        return bytes(pkt)

    def ip_header_len(self):
        if self.v6:
            return 40
        return len(IP(bytes(self._ip(self.src, self.dst, 64, 0))))

    def reply_body(self, mtu=None):
        """The ESP part of the reply, cut to the MTU as the drafts allow."""
        room = None if mtu is None else mtu - self.ip_header_len()
        if self.form in (SUBTYPED, SUBTYPED_R):
            data = self.data
            if room is not None and 16 + len(data) > room:
                data = data[:room - 16]
            return struct.pack("!IIBBHHH", SPI_REPLY, 0, 3, 0, len(data),
                               self.ident, self.echo_seq) + data
        full = self.body(SPI_REPLY)
        if room is None or len(full) <= room:
            return full
        room &= ~3
        if self.form == EMPTY:
            return empty_body(SPI_REPLY, self.seq, 2)
        data = self.data[:room - 14]
        return seed_body(SPI_REPLY, self.seq, self.ident, self.echo_seq, data)

    def reply_frame(self, mtu=None):
        pkt = (self._l2(self.dst_mac, self.src_mac) /
               self._ip(self.dst, self.src, 64, 0) /
               Raw(self.reply_body(mtu)))
        return bytes(pkt)


def match_key(esp):
    """What a reply is matched to its request by: Identifier and Sequence
    for the sub-typed form (its ESP sequence number is 0), else the ESP
    sequence number the reply copies."""
    if (len(esp) >= 16 and esp[8] in (2, 3) and
            16 + struct.unpack("!H", esp[10:12])[0] +
            (4 if esp[8] == 2 and esp[9] & 0x80 else 0) == len(esp)):
        return ("subtyped",) + struct.unpack("!HH", esp[12:16])
    return ("esp", struct.unpack("!I", esp[4:8])[0])


def esp_of(frame):
    """(source MAC, ESP bytes) of an Ethernet frame, or None if no ESP."""
    if len(frame) < 14:
        return None
    off, etype = 14, struct.unpack("!H", frame[12:14])[0]
    while etype in (0x8100, 0x88a8) and len(frame) >= off + 4:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800 and len(frame) >= off + 20:
        if frame[off + 9] != ESP:
            return None
        end = off + struct.unpack("!H", frame[off + 2:off + 4])[0]
        return frame[6:12], frame[off + (frame[off] & 0xF) * 4:end]
    if etype == 0x86DD and len(frame) >= off + 40:
        if frame[off + 6] != ESP:
            return None
        end = off + 40 + struct.unpack("!H", frame[off + 4:off + 6])[0]
        return frame[6:12], frame[off + 40:end]
    return None
