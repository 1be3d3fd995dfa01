#!/usr/bin/python3
"""Independent recomputation of the program report from raw events.

Generates raw events with numpy (fixed seeds): a customer roster, entries,
sends, outcomes (orders, conversions, refunds, unsubscribes) and fixed costs
of several journeys, spread before, inside and after the global periods.
Runs program_reference_driver (the real SQLite store, StoreAnalysisSource,
BuildProgramReport, the proto's JSON), recomputes every row here from the
CSV files alone — first_seen, populations, the global hash (tests/assign/
gen_vectors.py, written from docs/hashing.md), spans, sums, Welch and delta
intervals with scipy — and fails if any number differs by more than 1e-9
relative. The counting rule followed is docs/report.md, "Program report".

Usage: /usr/bin/python3 program_reference_check.py PATH/TO/program_reference_driver
"""
import json
import math
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assign"))
import gen_vectors as hashing  # noqa: E402

REL_TOL = 1e-9
CONFIDENCE = 0.95
DAY = 86400 * 10**6
BASE = 1767571200 * 10**6  # 2026-01-05T00:00:00Z, period 0 starts here
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Checker:
    def __init__(self):
        self.checks = 0
        self.failures = []

    def close(self, name, actual, expected, abs_floor=1e-12):
        self.checks += 1
        if isinstance(expected, float) and math.isnan(expected):
            if not (isinstance(actual, str) and actual == "NaN") and not (
                    isinstance(actual, float) and math.isnan(actual)):
                self.failures.append(f"{name}: got {actual}, expected NaN")
            return
        actual = float(actual)
        if abs(actual - expected) > REL_TOL * max(abs(actual), abs(expected)) + abs_floor:
            self.failures.append(f"{name}: got {actual!r}, expected {expected!r}")


def micros(ts):
    dt = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    delta = dt - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def generate(rng, d):
    """Writes the CSV files; returns the raw events as Python lists."""
    n_units = 2500
    units = [f"cust-{i}" for i in range(n_units)]
    t = lambda lo, hi: int(BASE + rng.integers(lo * DAY, hi * DAY))
    ev = {"customers": [], "entries": [], "sends": [], "outcomes": [], "costs": []}
    for u in units:
        if rng.random() < 0.6:
            ev["customers"].append((u, t(-40, 50)))
    for i in range(1500):
        ev["entries"].append((units[rng.integers(n_units)], t(-20, 60)))
    for i in range(4000):
        cost = float(np.round(rng.exponential(0.5), 4))
        ev["sends"].append((f"s{i}", units[rng.integers(n_units)], f"j{rng.integers(3)}", t(-20, 60), cost))
    orders = []
    for i in range(5000):
        u = units[rng.integers(n_units)]
        kind = rng.choice([1, 2, 3, 4], p=[0.15, 0.6, 0.15, 0.1])
        at = t(-30, 70)
        if kind == 3 and orders:
            o = orders[rng.integers(len(orders))]
            rev = float(np.round(o[1] * rng.uniform(0.2, 1.0), 2))
            ev["outcomes"].append((f"o{i}", o[0], max(at, o[2]), 3, rev, float(np.round(rev * 0.3, 4)), o[3]))
            continue
        if kind == 3:
            kind = 2
        rev = float(np.round(rng.lognormal(3.5, 1.0), 2)) if kind in (1, 2) else 0.0
        ev["outcomes"].append((f"o{i}", u, at, int(kind), rev, float(np.round(rev * 0.3, 4)), ""))
        if kind == 2:
            orders.append((u, rev, at, f"o{i}"))
    for i in range(12):
        start = t(-10, 50)
        ev["costs"].append((f"f{i}", f"j{i % 4}", start, start + int(rng.integers(1, 30)) * DAY,
                            float(np.round(rng.uniform(10, 500), 2))))
    headers = {"customers": "unit,first_seen", "entries": "unit,t0", "sends": "send_id,unit,journey,at,cost",
               "outcomes": "outcome_id,unit,at,type,revenue,margin,order_id",
               "costs": "cost_id,journey,start,end,amount"}
    for name, rows in ev.items():
        with open(os.path.join(d, f"{name}.csv"), "w") as f:
            f.write(headers[name] + "\n")
            for r in rows:
                f.write(",".join(repr(x) if isinstance(x, float) else str(x) for x in r) + "\n")
    return ev


def plan(case):
    """[(k, start_k, span_from, span_to)], unfinished periods."""
    frm, to, as_of = case["from"], case["to"], case["as_of"]
    if case["scheme"] == "none":
        return [(0, frm, frm, min(to, as_of))], []
    P, E, W = case["period_us"], case["epoch_us"], case["washout_us"]
    end = min(to, as_of)
    first, last = (frm - E) // P, (end - 1 - E) // P
    out, unfinished = [], []
    for k in range(first, last + 1):
        s, e = E + k * P, E + (k + 1) * P
        lo, hi = max(frm, s + W), min(to, e)
        if hi > as_of:
            unfinished.append(k)
        elif lo < hi:
            out.append((k, s, lo, hi))
    return out, unfinished


def welch(a, b):
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    q = stats.t.ppf(0.5 + CONFIDENCE / 2, df)
    d = a.mean() - b.mean()
    p = stats.ttest_ind(a, b, equal_var=False).pvalue
    return {"value": d, "lower": d - q * se, "upper": d + q * se, "std_error": se, "df": df, "p_value": p}


def iroas(T, C, F, metric="y"):
    nT, nC = len(T["y"]), len(C["y"])
    d = T[metric].mean() - C[metric].mean()
    k = T["c"].mean() + F / nT
    R = d / k
    cov = np.cov(T[metric], T["c"], ddof=1)
    vT = (cov[0, 0] - 2 * R * cov[0, 1] + R * R * cov[1, 1]) / nT
    vC = C[metric].var(ddof=1) / nC
    se = math.sqrt(vT + vC) / k
    df = (vT + vC) ** 2 / (vT ** 2 / (nT - 1) + vC ** 2 / (nC - 1))
    q = stats.t.ppf(0.5 + CONFIDENCE / 2, df)
    return {"value": R, "lower": R - q * se, "upper": R + q * se, "std_error": se, "df": df}


def expected_rows(case, ev):
    hs = hashing.Holdout(scheme=case["scheme"], share_ppm=case["share_ppm"], seed=case["seed"].encode(),
                         period_us=case.get("period_us", 0), epoch_us=case.get("epoch_us", 0),
                         washout_us=case.get("washout_us", 0), stride_ppm=case.get("stride_ppm", 0))
    times = {}
    for u, t in ev["customers"]:
        times.setdefault(u, []).append(("roster", t))
    seen_roster = set()
    first = {}
    for u, t in ev["customers"]:  # the store keeps a unit's first roster row
        if u not in seen_roster:
            seen_roster.add(u)
            first[u] = min(first.get(u, t), t)
    for u, t in ev["entries"]:
        first[u] = min(first.get(u, t), t)
    for _, u, _, t, _ in ev["sends"]:
        first[u] = min(first.get(u, t), t)
    for _, u, t, *_ in ev["outcomes"]:
        first[u] = min(first.get(u, t), t)
    periods, unfinished = plan(case)
    rows = []
    for k, start, lo, hi in periods:
        pop = sorted(u for u, t in first.items() if t < start)
        joined = {u for u, t in first.items() if start <= t < hi}
        vals = {u: [0.0, 0.0, 0.0, 0.0, 0] for u in pop}  # y, m, x, c, sends
        joined_sends, joined_cost, holdout_sends = 0, 0.0, 0
        for _, u, t, typ, rev, mar, _ in ev["outcomes"]:
            if lo <= t < hi and u in vals:
                sign = -1 if typ == 3 else 1
                vals[u][0] += sign * abs(rev) if typ == 3 else rev
                vals[u][1] += sign * abs(mar) if typ == 3 else mar
                if typ in (1, 2):
                    vals[u][2] = 1.0
        for _, u, _, t, cost in ev["sends"]:
            if lo <= t < hi:
                if u in vals:
                    vals[u][3] += cost
                    vals[u][4] += 1
                elif u in joined:
                    joined_sends += 1
                    joined_cost += cost
        kk = hashing.period_index(hs, start)
        held = {u for u in pop if hashing.in_holdout(hs, u.encode(), kk)}
        grp = lambda us: {n: np.array([vals[u][i] for u in us]) for i, n in enumerate("ymxcs")}
        T = grp([u for u in pop if u not in held])
        C = grp([u for u in pop if u in held])
        F = 0.0
        for _, _, s, e, amount in ev["costs"]:
            ov = min(e, hi) - max(s, lo)
            if ov > 0:
                F += amount * (ov / (e - s))
        rows.append({"k": k, "lo": lo, "hi": hi, "T": T, "C": C, "F": F, "joined": len(joined),
                     "joined_sends": joined_sends, "joined_cost": joined_cost})
    return rows, unfinished


def check_row(ck, name, row, exp, share):
    T, C, F = exp["T"], exp["C"], exp["F"]
    nT, nC = len(T["y"]), len(C["y"])
    ck.close(f"{name}.exposed.entries", row["exposed"]["entries"], float(nT))
    ck.close(f"{name}.holdout.entries", row["global_holdout"]["entries"], float(nC))
    for g, G in (("exposed", T), ("global_holdout", C)):
        ck.close(f"{name}.{g}.revenue", row[g]["revenue"], G["y"].sum(), 1e-9)
        ck.close(f"{name}.{g}.margin", row[g]["margin"], G["m"].sum(), 1e-9)
        ck.close(f"{name}.{g}.conversions", row[g]["conversions"], G["x"].sum())
        ck.close(f"{name}.{g}.send_cost", row[g]["send_cost"], G["c"].sum(), 1e-9)
        ck.close(f"{name}.{g}.sends", row[g]["sends"], G["s"].sum())
    d = welch(T["y"], C["y"])
    for f in ("value", "lower", "upper", "std_error", "df", "p_value"):
        ck.close(f"{name}.revenue_lift.{f}", row["revenue_lift"][f], d[f])
    for f in ("value", "lower", "upper", "std_error"):
        ck.close(f"{name}.incremental_revenue.{f}", row["incremental_revenue"][f], nT * d[f])
    ml = welch(T["m"], C["m"])
    ck.close(f"{name}.margin_lift.value", row["margin_lift"]["value"], ml["value"])
    ck.close(f"{name}.margin_lift.std_error", row["margin_lift"]["std_error"], ml["std_error"])
    pT, pC = T["x"].mean(), C["x"].mean()
    ck.close(f"{name}.conversion_lift.value", row["conversion_lift"]["value"], pT - pC)
    ck.close(f"{name}.conversion_lift.std_error", row["conversion_lift"]["std_error"],
             math.sqrt(pT * (1 - pT) / nT + pC * (1 - pC) / nC))
    K = T["c"].sum() + F
    ck.close(f"{name}.fixed_cost", row["fixed_cost"], F, 1e-9)
    ck.close(f"{name}.program_cost", row["program_cost"], K, 1e-9)
    ck.close(f"{name}.attributed_roas", row["attributed_roas"], T["y"].sum() / K)
    r = iroas(T, C, F)
    for f in ("value", "lower", "upper", "std_error", "df"):
        ck.close(f"{name}.iroas.{f}", row["iroas"][f], r[f])
    ck.close(f"{name}.iroas.p_value", row["iroas"]["p_value"], d["p_value"])
    mr = iroas(T, C, F, "m")
    ck.close(f"{name}.margin_iroas.value", row["margin_iroas"]["value"], mr["value"])
    extra = C["c"].sum() + exp["joined_cost"]
    rt = iroas(T, C, F + extra)
    for f in ("value", "lower", "upper", "std_error"):
        ck.close(f"{name}.iroas_total_cost.{f}", row["iroas_total_cost"][f], rt[f])
    ck.close(f"{name}.total_cost", row["total_cost"], K + extra, 1e-9)
    ck.close(f"{name}.all_sends", row["all_sends"], float(T["s"].sum() + C["s"].sum() + exp["joined_sends"]))
    ck.close(f"{name}.joined_units", row["joined_units"], float(exp["joined"]))
    ck.close(f"{name}.joined_sends", row["joined_sends"], float(exp["joined_sends"]))
    ck.close(f"{name}.joined_send_cost", row["joined_send_cost"], exp["joined_cost"], 1e-9)
    n = nT + nC
    chi = stats.chisquare([nT, nC], [n * (1 - share), n * share])
    ck.close(f"{name}.srm_p_value", row["srm_p_value"], chi.pvalue)
    ck.close(f"{name}.global_holdout_share", row["global_holdout_share"], share)
    ck.close(f"{name}.start", micros(row["start"]), float(exp["lo"]))
    ck.close(f"{name}.end", micros(row["end"]), float(exp["hi"]))


def pool(rows):
    cat = lambda g: {n: np.concatenate([r[g][n] for r in rows]) for n in "ymxcs"}
    return {"k": -1, "lo": rows[0]["lo"], "hi": rows[-1]["hi"], "T": cat("T"), "C": cat("C"),
            "F": sum(r["F"] for r in rows), "joined": sum(r["joined"] for r in rows),
            "joined_sends": sum(r["joined_sends"] for r in rows),
            "joined_cost": sum(r["joined_cost"] for r in rows)}


CASES = [
    {"name": "resalt", "scheme": "resalt", "share_ppm": 300000, "seed": "global-ref",
     "period_us": 14 * DAY, "epoch_us": BASE, "washout_us": DAY,
     "from": BASE + 3 * DAY, "to": BASE + 50 * DAY, "as_of": BASE + 45 * DAY},
    {"name": "sliding", "scheme": "sliding", "share_ppm": 250000, "seed": "global-slide",
     "period_us": 10 * DAY, "epoch_us": BASE - 5 * DAY, "washout_us": 0, "stride_ppm": 250000,
     "from": BASE, "to": BASE + 40 * DAY, "as_of": BASE + 60 * DAY},
    {"name": "none", "scheme": "none", "share_ppm": 200000, "seed": "global-fixed",
     "from": BASE + 7 * DAY, "to": BASE + 80 * DAY, "as_of": BASE + 35 * DAY},
]


def main():
    driver = sys.argv[1]
    ck = Checker()
    rng = np.random.default_rng(20261201)
    with tempfile.TemporaryDirectory() as d:
        ev = generate(rng, d)
        for i, case in enumerate(CASES):
            args = [driver, f"--dir={d}", f"--db={d}/case{i}.db"]
            for key in ("scheme", "share_ppm", "seed", "period_us", "epoch_us", "washout_us", "stride_ppm",
                        "from", "to", "as_of"):
                if key in case:
                    args.append(f"--{key}={case[key]}")
            out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
            report = json.loads(out)
            exp, unfinished = expected_rows(case, ev)
            share = case["share_ppm"] / 1e6
            want = ([pool(exp)] if exp else []) + exp
            got = report["rows"]
            if len(got) != len(want):
                ck.failures.append(f"{case['name']}: {len(got)} rows, expected {len(want)}")
                continue
            if [int(k) for k in report.get("unfinished_periods", [])] != unfinished:
                ck.failures.append(f"{case['name']}: unfinished {report.get('unfinished_periods')} != {unfinished}")
            for row, e in zip(got, want):
                if int(row["period"]) != e["k"]:
                    ck.failures.append(f"{case['name']}: period {row['period']} != {e['k']}")
                    continue
                check_row(ck, f"{case['name']}[{e['k']}]", row, e, share)
            print(f"{case['name']}: {len(got)} rows, population per period "
                  f"{[len(e['T']['y']) + len(e['C']['y']) for e in exp]}, unfinished {unfinished}")
    print(f"{ck.checks} checks, {len(ck.failures)} failures (tolerance {REL_TOL} relative)")
    for f in ck.failures[:40]:
        print("  " + f)
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
