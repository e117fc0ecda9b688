#!/usr/bin/python3
"""Sends a set of ESP Echo Requests with scapy and checks every reply.

Each request carries its own ESP Sequence Number, which seed and -00
replies copy, and its own echo Sequence, which sub-typed replies carry, so
replies are matched to requests whatever order they come back in. A
request expecting a reply must get exactly the frame esp_echo derives from
it (byte for byte); one expecting none must get nothing back.

  echo_exchange.py --iface c0 --src A --dst B --src-mac M --dst-mac N \
      --set forms [--mtu 1400]
  echo_exchange.py ... --form seed --data-len 32 --expect reply|none
      (one request)
"""
import argparse
import sys
import threading
import time

from scapy.all import AsyncSniffer, conf, sendp

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import esp_echo  # noqa: E402
from esp_echo import EMPTY, FORMS, SEED, SUBTYPED, SUBTYPED_R  # noqa: E402

DATA = bytes((i * 7 + 3) & 0xFF for i in range(2000))


class Case:
    def __init__(self, name, req, reply=True, mtu=None, frame=None):
        self.name, self.req = name, req
        self.frame = frame if frame is not None else req.frame()
        self.want = req.reply_frame(mtu) if reply else None


def forms(a, mk):
    """Every form with a spread of Data lengths and paddings."""
    cases = []
    for n in (0, 1, 2, 3, 4, 5, 31, 63, 64, 65, 500, 1000):
        cases.append(Case(f"seed n={n}", mk(SEED, data=DATA[:n])))
        cases.append(Case(f"subtyped n={n}", mk(SUBTYPED, data=DATA[:n])))
        cases.append(Case(f"subtyped R n={n}",
                          mk(SUBTYPED_R, data=DATA[:n])))
    for n, extra in ((0, 4), (1, 8), (7, 252)):
        pad = esp_echo.min_pad(4 + n) + extra
        pad -= 4 * max(0, (pad - 255 + 3) // 4)
        cases.append(Case(f"seed n={n} pad={pad}",
                          mk(SEED, data=DATA[:n], pad=pad)))
    for pad in (2, 6, 254):
        cases.append(Case(f"empty pad={pad}", mk(EMPTY, pad=pad)))
    return cases


def vlan(a, mk):
    cases = []
    for tags in (((0x8100, 100),), ((0x88a8, 10), (0x8100, 20)),
                 ((0x8100, 30), (0x8100, 40))):
        for form in FORMS:
            cases.append(Case(f"{form} tags {tags}",
                              mk(form, data=DATA[:40], vlans=tags)))
    return cases


def header_fields(a, mk):
    """TOS / traffic class kept, flow label cleared, TTL reset, options."""
    cases = []
    for form in FORMS:
        cases.append(Case(f"{form} tos/ttl/flow",
                          mk(form, data=DATA[:20], tos=0xb8, ttl=3,
                             flow_label=0x12345, ip_id=0x7777)))
        if not a.src.count(":"):
            from scapy.all import IPOption_RR, IPOption_Router_Alert
            for opts in ([IPOption_Router_Alert()],
                         [IPOption_RR(routers=["192.0.2.9"] * 3)]):
                cases.append(Case(f"{form} options {opts}",
                                  mk(form, data=DATA[:20],
                                     ip_options=opts)))
    return cases


def mtu(a, mk):
    """Requests up to 4 bytes over the responder's MTU (a veth accepts
    MTU + 4), and smaller ones that must come back whole."""
    cases = []
    hdr = mk(SEED).ip_header_len()
    for over in range(-4, 5):
        l3 = a.mtu + over
        esp = l3 - hdr
        cases.append(Case(f"subtyped L3={l3}",
                          mk(SUBTYPED, data=DATA[:esp - 16]), mtu=a.mtu))
        cases.append(Case(f"subtyped R L3={l3}",
                          mk(SUBTYPED_R, data=DATA[:esp - 20]), mtu=a.mtu))
        if esp % 4 == 0:
            for pad in range(4):
                cases.append(Case(f"seed L3={l3} pad={pad}",
                                  mk(SEED, data=DATA[:esp - 14 - pad],
                                     pad=pad), mtu=a.mtu))
            # little Data, long padding: only the padding may be cut
            for n in (0, 4):
                if esp - 14 - n <= 255:
                    cases.append(Case(f"seed L3={l3} n={n} long padding",
                                      mk(SEED, data=DATA[:n],
                                         pad=esp - 14 - n), mtu=a.mtu))
            if esp - 10 <= 255:
                cases.append(Case(f"empty L3={l3}",
                                  mk(EMPTY, pad=esp - 10), mtu=a.mtu))
    return cases


def refuse(a, mk):
    """Requests that must never be answered."""
    v6 = ":" in a.src
    cases = []
    for form in FORMS:
        cases.append(Case(f"{form} with SPI 8",
                          mk(form, data=DATA[:8], spi=8), reply=False))
        group = "ff02::1" if v6 else "224.0.0.1"
        gmac = "33:33:00:00:00:01" if v6 else "01:00:5e:00:00:01"
        cases.append(Case(f"{form} to {group}",
                          mk(form, data=DATA[:8], dst=group, dst_mac=gmac),
                          reply=False))
        cases.append(Case(f"{form} to L2 broadcast",
                          mk(form, data=DATA[:8],
                             dst_mac="ff:ff:ff:ff:ff:ff"), reply=False))
        for bad in (("::1", "ff0e::1", "::", "fe80::99",
                     "::ffff:192.0.2.1") if v6 else
                    ("127.0.0.1", "224.1.2.3", "0.0.0.0",
                     "255.255.255.255", "169.254.9.9")):
            cases.append(Case(f"{form} from {bad}",
                              mk(form, data=DATA[:8], src=bad),
                              reply=False))
    # Not ours: an address of the on-link prefix nobody holds, sent to our
    # MAC; and our own address in a frame for another host's MAC (as a
    # bridge or mirror port, or promiscuous capture, hands it over).
    unassigned = a.dst.rsplit(":" if v6 else ".", 1)[0] + (
        ":77" if v6 else ".77")
    for form in FORMS:
        cases.append(Case(f"{form} to unassigned {unassigned}",
                          mk(form, data=DATA[:8], dst=unassigned),
                          reply=False))
        cases.append(Case(f"{form} for another MAC",
                          mk(form, data=DATA[:8],
                             dst_mac="02:00:00:99:99:99"), reply=False))
    # malformed requests, by hand
    good = mk(SEED, data=DATA[:8])
    body = good.body()
    for name, esp in (
            ("bad padding", body[:-4] + bytes([1, 3, 2, 59])),
            ("next header 4", body[:-1] + bytes([4])),
            ("pad length too long", body[:-2] + bytes([200, 59])),
            ("misaligned", body[:-4] + bytes([1, 1, 59])),
            ("payload of 3", esp_echo.empty_body(7, 0)[:8] + bytes(
                [9, 9, 9, 1, 2, 3, 3, 59])),
            ("truncated", body[:9]),
            ("sub-typed, data length 9 of 8", esp_echo.subtyped_body(
                7, 0, 2, 1, 1, DATA[:8])[:10] + b"\x00\x09" +
             esp_echo.subtyped_body(7, 0, 2, 1, 1, DATA[:8])[12:]),
            ("sub-typed, R but no return SPI", esp_echo.subtyped_body(
                7, 0, 2, 1, 1, DATA[:8], flags=0x80)),
            ("sub-type 3", esp_echo.subtyped_body(7, 0, 3, 1, 1,
                                                  DATA[:8]))):
        req = mk(SEED)
        frame = _with_esp(req, esp)
        cases.append(Case(name, req, reply=False, frame=frame))
    return cases


def transit(a, mk):
    """Requests for a host behind the responder: not ours, never answered,
    forwarded exactly as they came (malformed ones too)."""
    cases = []
    for form in FORMS:
        cases.append(Case(f"{form} in transit", mk(form, data=DATA[:33]),
                          reply=False))
    body = mk(SEED, data=DATA[:8]).body()
    req = mk(SEED)
    cases.append(Case("bad padding in transit", req, reply=False,
                      frame=_with_esp(req, body[:-4] + bytes([1, 3, 2, 59]))))
    return cases


def _with_esp(req, esp):
    """req's Ethernet and IP headers around hand-made ESP bytes."""
    from scapy.all import Raw
    return bytes(req._l2(req.src_mac, req.dst_mac) /
                 req._ip(req.src, req.dst, req.ttl, req.flow_label) /
                 Raw(esp))


def single(a, mk):
    """The one request that --form, --data-len and --expect describe."""
    return [Case(f"{a.form} n={a.data_len}",
                 mk(a.form, data=DATA[:a.data_len]),
                 reply=a.expect == "reply")]


SETS = {"single": single, "forms": forms, "vlan": vlan, "fields": header_fields, "mtu": mtu,
        "refuse": refuse, "transit": transit}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--set", choices=sorted(SETS), default="single")
    ap.add_argument("--form", choices=FORMS, default=SEED)
    ap.add_argument("--data-len", type=int, default=64)
    ap.add_argument("--expect", choices=["reply", "none"], default="reply")
    ap.add_argument("--mtu", type=int)
    ap.add_argument("--wait", "--timeout", type=float, default=2.0)
    ap.add_argument("--control-dst", help="also send two requests that "
                    "this address must answer")
    ap.add_argument("--sent-log", help="write each request's ESP bytes "
                    "(hex, one per line) here")
    a = ap.parse_args()
    conf.verb = 0

    counter = iter(range(0x1000, 0x100000))

    def mk(form, **kw):
        n = next(counter)
        args = dict(src=a.src, dst=a.dst, src_mac=a.src_mac,
                    dst_mac=a.dst_mac, seq=n, echo_seq=n & 0xFFFF)
        args.update(kw)
        return esp_echo.Request(form, **args)

    cases = SETS[a.set](a, mk)
    if a.control_dst:
        # answered requests around the others prove the capture works
        cases.insert(0, Case("control (first)",
                             mk(SEED, data=DATA[:16], dst=a.control_dst)))
        cases.append(Case("control (last)",
                          mk(SUBTYPED, data=DATA[:16], dst=a.control_dst)))
    seqs = {}
    for c in cases:
        seqs[c.req.seq] = c

    if a.sent_log:
        with open(a.sent_log, "w") as log:
            for c in cases:
                if c.want is None:
                    log.write(esp_echo.esp_of(c.frame)[1].hex() + "\n")

    got = {}

    def keep(p):
        raw = bytes(p)
        found = esp_echo.esp_of(raw)
        if not found:
            return
        mac, esp = found
        # our own requests are not replies (whatever MAC they were for)
        if mac == bytes.fromhex(a.src_mac.replace(":", "")) or len(esp) < 8:
            return
        got.setdefault(esp_echo.match_key(esp), []).append(raw)

    listening = threading.Event()
    sniffer = AsyncSniffer(iface=a.iface, prn=keep, store=False,
                           started_callback=listening.set)
    sniffer.start()
    if not listening.wait(30):
        print("sniffer did not start")
        return 1
    time.sleep(0.1)
    for c in cases:
        sendp(c.frame, iface=a.iface)
        time.sleep(0.005)
    time.sleep(a.wait)
    sniffer.stop()

    failed = 0
    for c in cases:
        replies = got.get(esp_echo.match_key(esp_echo.esp_of(c.frame)[1]),
                          [])
        if c.want is None:
            if replies:
                failed += 1
                print(f"FAIL {c.name}: unexpected reply {replies[0].hex()}")
            continue
        if len(replies) != 1 or replies[0] != c.want:
            failed += 1
            print(f"FAIL {c.name}: {len(replies)} replies")
            print("  sent", c.frame.hex())
            print("  want", c.want.hex())
            for r in replies:
                print("  have", r.hex())
            continue
        print(f"ok   {c.name} ({len(c.want)} bytes)")
    print(f"{len(cases) - failed} of {len(cases)} {a.set} cases as the "
          "drafts say")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
