#!/usr/bin/env python3
"""Compares a `holdfast report --format json` lift report with the true
effects written by holdfast_simulate, row by row: does each interval cover the
truth? Prints a table; exits 1 if any check fails (with 95 % intervals about
1 in 20 would miss by chance; the demo's seed is fixed).

Each quantity is checked on the interval the report's tables show as primary
(the skew-corrected variant when `primary_interval` says so). A check fails
when the interval misses the truth, and also when it cannot be
judged: the row is missing from the report, the estimate is absent or
`defined: false`, or a bound is not a finite number. (An undefined estimate
prints as zeros in JSON; reading those zeros as an interval [0, 0] would
"cover" a true effect of 0 without looking at any data.)

Horizon and cumulative-curve checks (quantities "horizon:..." and
"cumulative:...") are one family judged together: dozens of intervals over
overlapping data (a cumulative value at 60 days contains the one at 30), so
requiring every one of them to cover would fail by chance most of the time.
The family fails when any of its checks cannot be judged, or when it has more
misses than chance allows: the 99 % quantile of Binomial(n, 0.05) for its n
checks. Every miss is still printed. The window checks keep the strict rule.

    python3 tools/check_truth.py report.json truth.json
"""
import json
import math
import sys


def field(obj, name):
    """Looks a field up by its proto name or its lowerCamelCase JSON name."""
    if name in obj:
        return obj[name]
    parts = name.split("_")
    camel = parts[0] + "".join(p.title() for p in parts[1:])
    return obj.get(camel)


def number(value):
    """A JSON number, or the proto JSON strings "NaN" / "Infinity"; None if absent."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# Quantities whose primary interval may be the skew-corrected variant
# (LiftRow.primary_interval; docs/statistics.md section 11).
CORRECTABLE = ("revenue_lift", "iroas", "margin_iroas")


def primary_name(row, quantity):
    """The field the report's tables show for `quantity` in this row."""
    if quantity in CORRECTABLE and field(row, "primary_interval") in ("SKEW_CORRECTED", 2):
        return quantity + "_skew_corrected"
    return quantity


def judge(row, quantity, true):
    """(value, lower, upper, problem): problem is None when the interval can be read."""
    if row is None:
        return None, None, None, "no row in the report"
    quantity = primary_name(row, quantity)
    est = field(row, quantity)
    if not isinstance(est, dict):
        return None, None, None, f"no '{quantity}' in the row"
    if field(est, "defined") is not True:
        return None, None, None, "estimate undefined"
    value, lo, hi = (number(field(est, k)) for k in ("value", "lower", "upper"))
    if value is None or lo is None or hi is None:
        return value, lo, hi, "value or bound missing"
    if not all(math.isfinite(v) for v in (value, lo, hi)):
        return value, lo, hi, "value or bound not finite"
    if not lo <= value <= hi:
        return value, lo, hi, "estimate outside its own interval"
    if not math.isfinite(true):
        return value, lo, hi, "true value not finite"
    return value, lo, hi, None


def metric_view(definitions, results):
    """A generic metrics list (LiftRow.metrics, ArmComparison.metrics) as a
    row-like dict {metric id: its effect}, so judge() reads it like a field."""
    ids = [field(d, "id") for d in definitions or []]
    return {i: field(m, "effect") for i, m in zip(ids, results or [])}


def duration_days(value):
    """A proto JSON Duration ("2592000s") or {seconds: N} in days."""
    if isinstance(value, dict):
        return (float(value.get("seconds", 0)) + float(value.get("nanos", 0)) * 1e-9) / 86400.0
    if isinstance(value, str) and value.endswith("s"):
        return float(value[:-1]) / 86400.0
    return None


def horizon_view(definitions, row):
    """The row's horizons and curve as {"horizon:DAYS:ID": effect,
    "cumulative:DAYS:revenue|margin": estimate}."""
    ids = [field(d, "id") for d in definitions or []]
    out = {}
    for h in field(row, "horizons") or []:
        days = duration_days(field(h, "horizon"))
        if days is None:
            continue
        for i, m in zip(ids, field(h, "metrics") or []):
            out[f"horizon:{days:g}:{i}"] = field(m, "effect")
    for p in field(row, "cumulative") or []:
        days = duration_days(field(p, "since_entry"))
        if days is None:
            continue
        for q in ("revenue", "margin"):
            out[f"cumulative:{days:g}:{q}"] = field(p, q)
    return out


def checks_from(truth):
    """(journey, arm, quantity, true value) for every check the truth file implies.

    `arm` is an arm name, "*" (pooled), or "b vs a" for an arm comparison;
    quantities named "metric:ID" are read from the row's generic metrics."""
    checks = []
    for j in truth["journeys"]:
        pooled = j["pooled"]
        for q in ("conversion_lift", "revenue_lift", "iroas", "margin_iroas"):
            checks.append((j["journey"], "*", q, float(pooled[q])))
        # "ROAS with discount" where the journey grants incentives (the
        # holdout none): the cost adds the incremental incentives.
        if float(pooled.get("incentive_per_entry", 0)) > 0:
            for q in ("iroas_with_incentives", "margin_iroas_with_incentives"):
                checks.append((j["journey"], "*", "metric:" + q, float(pooled[q])))
        if "unsubscribe_rate" in pooled:
            checks.append((j["journey"], "*", "metric:unsubscribe_rate", float(pooled["unsubscribe_rate"])))
        if len(j["arms"]) > 1:
            for a in j["arms"]:
                for q in ("conversion_lift", "revenue_lift"):
                    checks.append((j["journey"], a["arm"], q, float(a[q])))
        # Horizons and the cumulative curve (docs/report.md, "Horizons"):
        # every horizon metric at each declared horizon, and the curve at a
        # few days, on the pooled row.
        for h in j.get("horizons", []):
            for q, true in h.items():
                if q != "days":
                    checks.append((j["journey"], "*", f'horizon:{h["days"]}:{q}', float(true)))
        for c in j.get("cumulative", []):
            for q in ("revenue", "margin"):
                if q in c:
                    checks.append((j["journey"], "*", f'cumulative:{c["days"]}:{q}', float(c[q])))
        for pair in j.get("arm_pairs", []):
            for q in ("incremental_revenue_return", "incremental_margin_return"):
                checks.append((j["journey"], f'{pair["arm_b"]} vs {pair["arm_a"]}', "metric:" + q,
                               float(pair[q])))
    return checks


def is_horizon(quantity):
    return quantity.startswith("horizon:") or quantity.startswith("cumulative:")


def chance_allowance(n, miss=0.05, level=0.99):
    """The smallest k with P(Binomial(n, miss) <= k) >= level."""
    total = 0.0
    for k in range(n + 1):
        total += math.comb(n, k) * miss ** k * (1 - miss) ** (n - k)
        if total >= level:
            return k
    return n


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.load(open(sys.argv[1]))
    truth = json.load(open(sys.argv[2]))
    rows = {}
    definitions = field(report, "metric_definitions")
    for row in field(report, "rows") or []:
        if field(row, "segment"):
            continue
        view = dict(row)
        for k, v in metric_view(definitions, field(row, "metrics")).items():
            view["metric:" + k] = v
        view.update(horizon_view(field(report, "horizon_metric_definitions"), row))
        rows[(field(row, "journey"), field(row, "arm"))] = view
    pair_definitions = field(report, "arm_pair_metric_definitions")
    for pair in field(report, "arm_comparisons") or []:
        if field(pair, "segment"):
            continue
        view = {"metric:" + k: v for k, v in metric_view(pair_definitions, field(pair, "metrics")).items()}
        rows[(field(pair, "journey"), f'{field(pair, "arm_b")} vs {field(pair, "arm_a")}')] = view

    checks = checks_from(truth)
    if not checks:
        print("the truth file names no journeys: nothing was checked")
        return 1
    failures = 0
    family_misses = 0
    print(f"{'journey':<13} {'arm':<24} {'quantity':<34} {'true':>9} {'estimate':>9}   {'95% interval':<22} covered")
    for journey, arm, q, true in checks:
        value, lo, hi, problem = judge(rows.get((journey, arm)), q, true)
        if problem is not None:
            failures += 1
            print(f"{journey:<13} {arm:<24} {q:<34} {true:>9.4f}  FAIL: {problem}")
            continue
        ok = lo <= true <= hi
        if is_horizon(q):
            family_misses += 0 if ok else 1
        else:
            failures += 0 if ok else 1
        print(f"{journey:<13} {arm:<24} {q:<34} {true:>9.4f} {value:>9.4f}   [{lo:>8.4f}, {hi:>8.4f}]   {'yes' if ok else 'NO'}")
    family = sum(1 for c in checks if is_horizon(c[2]))
    covered = len(checks) - failures - family_misses
    print(f"\n{covered} of {len(checks)} true effects inside their intervals.")
    if family:
        allowed = chance_allowance(family)
        print(f"horizon family: {family_misses} of {family} checks missed; up to {allowed} misses are "
              f"within chance (99 % quantile of Binomial({family}, 0.05))")
        if family_misses > allowed:
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
