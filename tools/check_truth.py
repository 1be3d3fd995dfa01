#!/usr/bin/env python3
"""Compares a `holdfast report --format json` lift report with the true
effects written by holdfast_simulate, row by row: does each interval cover the
truth? Prints a table; exits 1 if any covered quantity misses (with 95 %
intervals about 1 in 20 would miss by chance; the demo's seed is fixed).

    python3 tools/check_truth.py report.json truth.json
"""
import json
import sys


def field(obj, name):
    """Looks a field up by its proto name or its lowerCamelCase JSON name."""
    if name in obj:
        return obj[name]
    parts = name.split("_")
    camel = parts[0] + "".join(p.title() for p in parts[1:])
    return obj.get(camel)


def main():
    report = json.load(open(sys.argv[1]))
    truth = json.load(open(sys.argv[2]))
    rows = {}
    for row in field(report, "rows") or []:
        if field(row, "segment"):
            continue
        rows[(field(row, "journey"), field(row, "arm"))] = row

    checks = []  # (journey, arm, quantity, truth)
    for j in truth["journeys"]:
        pooled = j["pooled"]
        for q in ("conversion_lift", "revenue_lift", "iroas", "margin_iroas"):
            checks.append((j["journey"], "*", q, pooled[q]))
        if len(j["arms"]) > 1:
            for a in j["arms"]:
                for q in ("conversion_lift", "revenue_lift"):
                    checks.append((j["journey"], a["arm"], q, a[q]))

    misses = 0
    print(f"{'journey':<13} {'arm':<12} {'quantity':<16} {'true':>9} {'estimate':>9}   {'95% interval':<22} covered")
    for journey, arm, q, true in checks:
        row = rows.get((journey, arm))
        if row is None and arm != "*":
            continue
        if row is None:
            print(f"{journey:<13} {arm:<12} {q:<16} {true:>9.4f}  (no row in the report)")
            misses += 1
            continue
        est = field(row, q) or {}
        value, lo, hi = (float(field(est, k) or 0.0) for k in ("value", "lower", "upper"))
        ok = lo <= true <= hi
        misses += 0 if ok else 1
        print(f"{journey:<13} {arm:<12} {q:<16} {true:>9.4f} {value:>9.4f}   [{lo:>8.4f}, {hi:>8.4f}]   {'yes' if ok else 'NO'}")
    print(f"\n{len(checks) - misses} of {len(checks)} true effects inside their intervals.")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
