#!/usr/bin/python3
"""Checks the RISAV tags in a capture between two borders with scapy's own
IPsec code (an implementation no one here wrote).

  risav_tag_check.py --pcap FILE --src-net NET... --dst-net NET...
                     --sa SPI:KEYHEX:DSCPS... [--tamper N] [--expect-spi SPI]

Every IP packet from a --src-net address to a --dst-net address must carry
an AH right after the IPv4 header / IPv6 base header with Scope 1 (the low
reserved byte), the SPI of the SA its DSCP selects (the SA whose DSCP list
holds it, else the one with "any"), and an ICV scapy verifies
(SecurityAssociation(AH, auth_algo="SHA2-256-128").decrypt). No (SPI,
sequence number) may appear twice. With --tamper N, for N of the packets
every byte of the IP packet is changed in turn: a change to an immutable
byte must make scapy's check fail, a change to a mutable one (IPv4 TOS,
DF, TTL, checksum; IPv6 traffic class, flow label, hop limit) must not. The AH's padding (IPv6) is left out: scapy's AH code
counts it as part of the ICV and zeroes it.

Prints JSON: {"tagged": N, "by_spi": {SPI: N}, "tamper_checks": N}; exits 1
listing what was wrong.
"""
import argparse
import ipaddress
import json
import sys

from scapy.all import AH, IP, IPv6, SecurityAssociation, conf, rdpcap
from scapy.layers.ipsec import IPSecIntegrityError


def dscp_of(ip):
    return (ip.tos if ip.version == 4 else ip.tc) >> 2


def in_nets(addr, nets):
    a = ipaddress.ip_address(addr)
    return any(a in n for n in nets if n.version == a.version)


def mutable_bits(version, off):
    """Bits of byte off of the IP header that may change en route, and
    the change to try on them (0: none that leaves the packet whole: any
    change to the fragment offset makes it a fragment)."""
    if version == 4:
        if off == 6:
            return 0xff, 0x40  # DF
        if off == 7:
            return 0xff, 0
        return (0xff, 0xff) if off in (1, 8, 10, 11) else (0, 0)
    if off == 0:
        return 0x0f, 0x0f
    return (0xff, 0xff) if off in (1, 2, 3, 7) else (0, 0)


def verifies(sa, raw, version):
    try:
        p = IP(raw) if version == 4 else IPv6(raw)
        if not p.haslayer(AH) or p[AH].reserved != 1:
            return False
        sa.decrypt(p)
        return True
    except IPSecIntegrityError:
        return False
    except Exception:  # noqa: BLE001 - a packet scapy cannot even parse
        return False


def tamper(sa, raw, version, ah_off):
    """Changes each byte in turn; returns (checks, list of failures)."""
    bad, checks = [], 0
    ah_len = (raw[ah_off + 1] + 2) * 4
    pad = range(ah_off + 12 + 16, ah_off + ah_len)
    for off in range(len(raw)):
        if off in pad:
            continue
        mut, change = mutable_bits(version, off) if off < ah_off else (0, 0)
        for flip, must_verify in ((change, True), (0xff & ~mut, False)):
            if not flip:
                continue
            b = bytearray(raw)
            b[off] ^= flip
            checks += 1
            if verifies(sa, bytes(b), version) != must_verify:
                bad.append(f"byte {off} ^ 0x{flip:02x}: "
                           f"{'rejected' if must_verify else 'accepted'}")
    return checks, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--src-net", nargs="+", required=True)
    ap.add_argument("--dst-net", nargs="+", required=True)
    ap.add_argument("--sa", nargs="+", required=True)
    ap.add_argument("--tamper", type=int, default=0)
    a = ap.parse_args()
    conf.verb = 0
    src_nets = [ipaddress.ip_network(n) for n in a.src_net]
    dst_nets = [ipaddress.ip_network(n) for n in a.dst_net]
    sas = {}
    for spec in a.sa:
        spi, key, dscps = spec.split(":")
        spi = int(spi, 0)
        sas[spi] = (SecurityAssociation(AH, spi=spi, auth_algo="SHA2-256-128",
                                        auth_key=bytes.fromhex(key)),
                    None if dscps == "any" else
                    {int(d) for d in dscps.split(",")})

    def select(d):
        any_spi = None
        for spi, (_, dscps) in sas.items():
            if dscps is None:
                any_spi = spi
            elif d in dscps:
                return spi
        return any_spi

    bad, seen, by_spi = [], set(), {}
    tagged = tamper_checks = tampered = 0
    for i, fr in enumerate(rdpcap(a.pcap)):
        ip = fr.getlayer(IP) or fr.getlayer(IPv6)
        if ip is None or not in_nets(ip.src, src_nets) or \
                not in_nets(ip.dst, dst_nets):
            continue
        raw = bytes(ip)
        proto = ip.proto if ip.version == 4 else ip.nh
        ah_off = ip.ihl * 4 if ip.version == 4 else 40
        where = f"packet {i} {ip.src} -> {ip.dst}"
        if proto != 51:
            bad.append(f"{where}: no AH (protocol {proto})")
            continue
        ah = ip[AH]
        want = select(dscp_of(ip))
        if ah.reserved != 1:
            bad.append(f"{where}: Scope {ah.reserved}, not 1")
        if ah.spi != want:
            bad.append(f"{where}: DSCP {dscp_of(ip)} on SPI 0x{ah.spi:x}, "
                       f"want 0x{want or 0:x}")
            continue
        if not verifies(sas[ah.spi][0], raw, ip.version):
            bad.append(f"{where}: ICV does not verify (seq {ah.seq})")
            continue
        if (ah.spi, ah.seq) in seen:
            bad.append(f"{where}: SPI 0x{ah.spi:x} seq {ah.seq} repeated")
        seen.add((ah.spi, ah.seq))
        tagged += 1
        by_spi[hex(ah.spi)] = by_spi.get(hex(ah.spi), 0) + 1
        if tampered < a.tamper and len(raw) <= 256:
            n, errs = tamper(sas[ah.spi][0], raw, ip.version, ah_off)
            tamper_checks += n
            tampered += 1
            bad += [f"{where}: tampered {e}" for e in errs[:5]]
    if a.tamper and tampered < a.tamper:
        bad.append(f"only {tampered} packets to tamper with, {a.tamper} "
                   f"wanted")
    print(json.dumps({"tagged": tagged, "by_spi": by_spi,
                      "tamper_checks": tamper_checks}))
    if bad:
        print("\n".join(bad[:40]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
