#!/usr/bin/python3
"""Records the ESP payloads that arrive on an interface, one hex line each.

Used on the far side of a router running the responder: requests in transit
must arrive there exactly as they were sent.

  esp_listen.py --iface f0 --out FILE --ready FILE
Runs until killed (SIGTERM); FILE is written as packets arrive.
"""
import argparse
import signal
import sys

from scapy.all import conf, sniff

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import esp_echo  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready", required=True)
    a = ap.parse_args()
    conf.verb = 0
    out = open(a.out, "w", buffering=1)

    def keep(p):
        found = esp_echo.esp_of(bytes(p))
        if found:
            out.write(found[1].hex() + "\n")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sniff(iface=a.iface, prn=keep, store=False,
          started_callback=lambda: open(a.ready, "w").close())


if __name__ == "__main__":
    main()
