#!/usr/bin/python3
"""Parses Prometheus text exposition format 0.0.4 from stdin strictly and
checks what the format requires: HELP and TYPE once per family, before its
samples; sample names that belong to their family (_total for counters,
_bucket/_sum/_count for histograms); label syntax and escapes; float
values; histogram buckets cumulative, ordered by le, ending at +Inf equal
to _count. Prints {"families": {name: type}, "samples": [[name, {labels},
value], ...]} as JSON, or exits 1 with the line that broke a rule."""
import json
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"\s*(,|$)')


def die(lineno, line, why):
    print(f"line {lineno}: {why}: {line!r}", file=sys.stderr)
    sys.exit(1)


def parse_labels(text, lineno, line):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            die(lineno, line, "bad label syntax")
        value = m.group(2).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        if m.group(1) in labels:
            die(lineno, line, "label repeated")
        labels[m.group(1)] = value
        pos = m.end()
    return labels


def family_of(name, families):
    for suffix in ("_bucket", "_sum", "_count", ""):
        if suffix and not name.endswith(suffix):
            continue
        base = name[: len(name) - len(suffix)] if suffix else name
        if base in families:
            return base, suffix
    return None, None


def main():
    families, helps, samples = {}, set(), []
    for lineno, line in enumerate(sys.stdin.read().split("\n"), 1):
        if not line:
            continue
        if line.startswith("# HELP "):
            m = re.match(rf"# HELP ({NAME}) (.+)$", line)
            if not m or m.group(1) in helps:
                die(lineno, line, "bad or repeated HELP")
            helps.add(m.group(1))
            continue
        if line.startswith("# TYPE "):
            m = re.match(rf"# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$", line)
            if not m or m.group(1) in families:
                die(lineno, line, "bad or repeated TYPE")
            if m.group(1) not in helps:
                die(lineno, line, "TYPE without HELP first")
            if any(s[0] == m.group(1) or s[0].startswith(m.group(1) + "_") for s in samples):
                die(lineno, line, "TYPE after samples of its family")
            families[m.group(1)] = m.group(2)
            continue
        if line.startswith("#"):
            continue
        m = re.match(rf"({NAME})(?:\{{(.*)\}})? (\S+)$", line)
        if not m:
            die(lineno, line, "bad sample line")
        name, labels = m.group(1), parse_labels(m.group(2) or "", lineno, line)
        try:
            value = float(m.group(3))
        except ValueError:
            die(lineno, line, "value is not a float")
        base, suffix = family_of(name, families)
        if base is None:
            die(lineno, line, "sample of no declared family")
        kind = families[base]
        if kind == "counter" and not (base.endswith("_total") and suffix == ""):
            die(lineno, line, "counter not named _total")
        if kind == "histogram" and suffix not in ("_bucket", "_sum", "_count"):
            die(lineno, line, "histogram sample without _bucket/_sum/_count")
        if kind in ("counter", "gauge") and suffix:
            die(lineno, line, "suffix on a plain metric")
        if kind == "counter" and (value < 0 or math.isnan(value)):
            die(lineno, line, "negative counter")
        samples.append([name, labels, value])
    # Histograms: per series, buckets cumulative up to +Inf == _count.
    series = {}
    for name, labels, value in samples:
        base, suffix = family_of(name, families)
        if families[base] != "histogram":
            continue
        key = (base, tuple(sorted((k, v) for k, v in labels.items() if k != "le")))
        h = series.setdefault(key, {"buckets": [], "count": None, "sum": None})
        if suffix == "_bucket":
            if "le" not in labels:
                die(0, name, "bucket without le")
            h["buckets"].append((float(labels["le"]), value))
        else:
            h[suffix[1:]] = value
    for key, h in series.items():
        les = [b[0] for b in h["buckets"]]
        if not les or les != sorted(les) or les[-1] != math.inf:
            die(0, str(key), "buckets not ordered or no +Inf")
        counts = [b[1] for b in h["buckets"]]
        if counts != sorted(counts):
            die(0, str(key), "buckets not cumulative")
        if h["count"] is None or h["sum"] is None or counts[-1] != h["count"]:
            die(0, str(key), "+Inf bucket differs from _count, or no _sum")
    json.dump({"families": families, "samples": samples}, sys.stdout)


main()
