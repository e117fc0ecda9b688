#!/usr/bin/python3
"""Checks the Grafana dashboard's queries against a running Prometheus.

Every query (panel targets and template variables) must be one
Prometheus accepts; every metric it names must be a series Prometheus
holds (scraped from esprit, or recorded by esprit's rules); every label
it names (in a selector, in by/without, or in a legend) must be a label
of one of those series. Prints what is wrong; exits 1 if anything is.
"""
import json
import re
import sys
import urllib.parse
import urllib.request

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "offset", "bool", "inf", "nan"}
VARS = {"$__rate_interval": "1m", "$__interval": "1m", "$instance": ".*",
        "$peer": ".*", "${datasource}": ""}


def api(base, path, **params):
    url = base + path + "?" + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def substitute(expr):
    for k, v in VARS.items():
        expr = expr.replace(k, v)
    return expr


def names_and_labels(expr):
    """The metric names and the label names an expression refers to."""
    metrics, labels = set(), set()
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings say nothing
    for m in re.finditer(r"\{([^}]*)\}", expr):
        labels.update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)",
                                 m.group(1)))
    for m in re.finditer(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        labels.update(x.strip() for x in m.group(1).split(",") if x.strip())
    bare = re.sub(r"\{[^}]*\}", " ", expr)
    bare = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", " ", bare)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)
    for m in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", bare):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in KEYWORDS:
            continue
        if re.fullmatch(r"[0-9.e]+", word):
            continue
        metrics.add(word)
    return metrics, labels


def queries(dash):
    for p in dash["panels"]:
        for t in p.get("targets", []):
            yield p["title"], t["expr"], t.get("legendFormat", "")
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_]+)\)",
                             v["query"]["query"])
            yield f"variable {v['name']}", m.group(1), "{{%s}}" % m.group(2)


def main():
    dash_file, base = sys.argv[1], sys.argv[2]
    dash = json.load(open(dash_file))
    have = set(api(base, "/api/v1/label/__name__/values")["data"])
    labels_of = {}
    problems = []
    count = 0
    for where, expr, legend in queries(dash):
        count += 1
        q = substitute(expr)
        r = api(base, "/api/v1/query", query=q)
        if r["status"] != "success":
            problems.append(f"{where}: Prometheus refuses {q!r}: {r}")
            continue
        metrics, labels = names_and_labels(q)
        known = set()
        for name in sorted(metrics):
            base_name = re.sub(r"_(bucket|sum|count)$", "", name)
            if name not in have and base_name not in have:
                problems.append(f"{where}: no series {name!r} ({expr})")
                continue
            if name not in labels_of:
                series = api(base, "/api/v1/series", **{"match[]": name})
                labels_of[name] = {k for s in series["data"] for k in s}
            known |= labels_of[name]
        legend_labels = set(re.findall(r"\{\{\s*([a-zA-Z_]+)\s*\}\}", legend))
        for label in sorted((labels | legend_labels) - known - {"__name__"}):
            problems.append(f"{where}: no label {label!r} on "
                            f"{sorted(metrics)} ({expr})")
    for p in problems:
        print(p)
    print(f"{count} queries, {len(problems)} problems")
    return 1 if problems or not count else 0


if __name__ == "__main__":
    sys.exit(main())
