#!/usr/bin/python3
"""Independent reference check of the report's outcome horizons and its
cumulative incremental value curve (docs/report.md, "Horizons",
"Cumulative incremental value").

Generates raw events with numpy (fixed seed) for one journey with known
long-run effects — window conversions, later orders over 100 days, partial
refunds up to 40 days after their order, refunds of pre-entry orders,
unsubscribes, re-entries in a later period whose horizons overlap the first
entry's, sends inside and after the window, a fixed cost — loads them into a
real SQLite store through horizon_reference_driver (the analysis SQL, the
store and BuildLiftReport), and recomputes here, from the raw events and the
rules of docs/storage.md written out independently (no effective offsets, no
moments):

  * per horizon h, over entries with t0 + h <= as_of: revenue, margin and
    orders over [t0, t0 + h), refunds counted when their order is in that
    span and they happen before t0 + h + refund_horizon (and as_of);
    retention (>= 1 order) and repeat purchase (>= 2); Welch intervals from
    statsmodels' CompareMeans, rates from confint_proportions_2indep (Wald),
    iROAS at h by linearization with the window cost and the fixed cost
    pro-rated over [from, min(to, as_of - h));
  * the curve at every day d = 1..90: the same sums at h = d over the entries
    mature at d, Welch per point.

Fails on a relative difference above 1e-6.

Usage: /usr/bin/python3 horizon_reference_check.py PATH/TO/horizon_reference_driver
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

REL_TOL = 1e-6
CONF = 0.95
DAY = 86400 * 1000000
W = 14 * DAY
RH = 10 * DAY
HORIZONS = [30 * DAY, 60 * DAY, 90 * DAY]
FROM, TO, AS_OF = 0, 120 * DAY, 150 * DAY
FIXED = (0, 150 * DAY, 900.0)  # start, end, amount


def generate(rng, n=6000):
    entries, sends, outcomes = [], [], []
    oid = 0

    def outcome(unit, at, typ, rev, mar, order=""):
        nonlocal oid
        oid += 1
        outcomes.append((f"o{oid}", unit, int(at), typ, float(rev), float(mar), order))
        return f"o{oid}"

    for i in range(n):
        unit = f"u{i}"
        visits = [(0, int(rng.integers(25 * DAY, 120 * DAY)))]  # pre-entry orders stay at t >= 0
        if rng.random() < 0.12:  # a re-entry in the next period, overlapping the horizons
            visits.append((1, visits[0][1] + int(rng.uniform(20, 60) * DAY)))
        w = rng.choice([0.5, 1.0, 2.0], p=[0.4, 0.4, 0.2])
        if rng.random() < 0.3:  # a pre-entry order, refunded after the entry
            at = visits[0][1] - int(rng.uniform(1, 20) * DAY)
            o = outcome(unit, at, 2, rng.lognormal(3.5, 0.9), 0, "")
            outcome(unit, at + int(rng.uniform(5, 25) * DAY), 3, 10.0, 3.0, o)
        for period, t0 in visits:
            group = "T" if rng.random() < 0.75 else "C"
            entries.append((unit, period, group, t0))
            if group == "T":
                for k in range(2):
                    at = t0 + (3600 * 1000000 if k == 0 else int(rng.uniform(0, 20) * DAY))
                    sends.append((f"s{unit}-{period}-{k}", unit, at, 0.2 + 0.1 * k))
            p = 0.04 * w * (1.25 if group == "T" else 1.0)
            lam = 0.25 * w * (1.6 if group == "T" else 1.0)
            times = []
            if rng.random() < p:
                times.append(t0 + int(rng.uniform(0, 1) * W))
            times += [t0 + int(rng.uniform(0, 100) * DAY) for _ in range(rng.poisson(lam))]
            for at in times:
                v = rng.lognormal(3.5, 0.9)
                typ = 1 if rng.random() < 0.3 else 2
                o = outcome(unit, at, typ, v, 0.3 * v)
                if rng.random() < 0.15:
                    share = rng.uniform(0.5, 1.0)
                    outcome(unit, at + int(rng.uniform(0, 40) * DAY), 3, share * v, share * 0.3 * v, o)
            if rng.random() < 0.05:
                outcome(unit, t0 + int(rng.uniform(0, 60) * DAY), 4, 0.0, 0.0)
    return entries, sends, outcomes


def welch(a_t, a_c):
    cm = CompareMeans(DescrStatsW(a_t), DescrStatsW(a_c))
    lo, hi = cm.tconfint_diff(alpha=1 - CONF, usevar="unequal")
    _, p, _ = cm.ttest_ind(usevar="unequal")
    se = math.sqrt(np.var(a_t, ddof=1) / len(a_t) + np.var(a_c, ddof=1) / len(a_c))
    return np.mean(a_t) - np.mean(a_c), lo, hi, se, p


def rate(x_t, x_c):
    ct, nt, cc, nc = int(x_t.sum()), len(x_t), int(x_c.sum()), len(x_c)
    p_t, p_c = ct / nt, cc / nc
    se = math.sqrt(p_t * (1 - p_t) / nt + p_c * (1 - p_c) / nc)
    lo, hi = proportion.confint_proportions_2indep(ct, nt, cc, nc, method="wald", compare="diff",
                                                   alpha=1 - CONF)
    return p_t - p_c, lo, hi, se, 2 * stats.norm.sf(abs(p_t - p_c) / se)


def iroas(a_t, c_t, a_c, extra):
    num = a_t.mean() - a_c.mean()
    den = c_t.mean() + extra / len(a_t)
    r = num / den
    infl_t = (a_t - r * c_t) / den
    infl_c = a_c / den
    _, lo, hi, se, _ = welch(infl_t - infl_t.mean() + r, infl_c - infl_c.mean())
    _, _, _, _, p = welch(a_t, a_c)
    return r, lo, hi, se, p


class Checker:
    def __init__(self):
        self.checks, self.failures, self.max_rel = 0, [], 0.0

    def close(self, name, got, want, floor=1e-12):
        self.checks += 1
        got = float(got)
        d = abs(got - want)
        scale = max(abs(got), abs(want), floor)
        rel = d / scale
        self.max_rel = max(self.max_rel, rel if d > floor else 0.0)
        if d > floor and rel > REL_TOL:
            self.failures.append(f"{name}: got {got!r}, expected {want!r} (rel {rel:.2e})")

    def equal(self, name, got, want):
        self.checks += 1
        if got != want:
            self.failures.append(f"{name}: got {got!r}, expected {want!r}")

    def estimate(self, name, e, want):
        self.equal(f"{name} defined", e["defined"], True)
        for key, w in zip(("value", "lower", "upper", "std_error", "p_value"), want):
            self.close(f"{name} {key}", e[key], float(w))


def main():
    driver = sys.argv[1]
    rng = np.random.default_rng(20261202)
    entries, sends, outcomes = generate(rng)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "entries.csv"), "w") as f:
            f.write("unit,period,group,t0\n" + "".join(f"{u},{p},{g},{t}\n" for u, p, g, t in entries))
        with open(os.path.join(d, "sends.csv"), "w") as f:
            f.write("send_id,unit,at,cost\n" + "".join(f"{s},{u},{a},{c!r}\n" for s, u, a, c in sends))
        with open(os.path.join(d, "outcomes.csv"), "w") as f:
            f.write("outcome_id,unit,at,type,revenue,margin,order_id\n" +
                    "".join(f"{i},{u},{a},{t},{r!r},{m!r},{o}\n" for i, u, a, t, r, m, o in outcomes))
        with open(os.path.join(d, "costs.csv"), "w") as f:
            f.write(f"cost_id,start,end,amount\nc1,{FIXED[0]},{FIXED[1]},{FIXED[2]!r}\n")
        out = subprocess.run([driver, f"--dir={d}", f"--db={d}/h.db", f"--window_us={W}",
                              f"--refund_horizon_us={RH}", "--horizons_us=" + ",".join(map(str, HORIZONS)),
                              f"--from={FROM}", f"--to={TO}", f"--as_of={AS_OF}"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr)
            sys.exit(1)
        report = json.loads(out.stdout)

    # Raw events by unit.
    by_unit = {}
    for o in outcomes:
        by_unit.setdefault(o[1], []).append(o)
    order_at = {o[0]: o for o in outcomes if o[3] in (1, 2)}
    sends_by_unit = {}
    for s in sends:
        sends_by_unit.setdefault(s[1], []).append(s)
    entries_by_unit = {}
    for e in entries:
        entries_by_unit.setdefault(e[0], []).append(e)

    points = np.arange(1, 91) * DAY
    analysed = []  # (group, t0, next_t0, cost, y(d) per point, m(d), orders(d))
    for unit, period, group, t0 in entries:
        if not (FROM <= t0 < min(TO, AS_OF)) or t0 + W > AS_OF:
            continue
        later = [e[3] for e in entries_by_unit[unit] if e[1] > period and e[3] < AS_OF]
        nxt = min(later) if later else None
        end = min(t0 + W, nxt) if nxt is not None else t0 + W
        cost = sum(s[3] for s in sends_by_unit.get(unit, []) if t0 <= s[2] < end)
        ev = by_unit.get(unit, [])
        nonref = [o for o in ev if o[3] != 3 and o[2] >= t0 and o[2] < AS_OF]
        refunds = [o for o in ev if o[3] == 3 and o[2] < AS_OF and o[6] in order_at
                   and order_at[o[6]][1] == unit and order_at[o[6]][2] >= t0]
        off = np.array([o[2] - t0 for o in nonref], dtype=np.int64)
        rev = np.array([o[4] for o in nonref])
        mar = np.array([o[5] for o in nonref])
        isord = np.array([o[3] in (1, 2) for o in nonref], dtype=bool)
        od = np.array([order_at[r[6]][2] - t0 for r in refunds], dtype=np.int64)
        ro = np.array([r[2] - t0 for r in refunds], dtype=np.int64)
        # The store keeps refunds negative.
        rrev = np.array([-abs(r[4]) for r in refunds])
        rmar = np.array([-abs(r[5]) for r in refunds])

        def at(h, off=off, rev=rev, mar=mar, isord=isord, od=od, ro=ro, rrev=rrev, rmar=rmar):
            inside = off < h
            counted = (od < h) & (ro < h + RH)
            return (rev[inside].sum() + rrev[counted].sum(), mar[inside].sum() + rmar[counted].sum(),
                    int(isord[inside].sum()))

        analysed.append({"group": group, "t0": t0, "next": nxt, "cost": cost, "at": at})

    ck = Checker()
    ids = [x["id"] for x in report["horizon_metric_definitions"]]
    ck.equal("horizon metric ids", ids, ["revenue_per_entry", "margin_per_entry", "orders_per_entry",
                                         "retention_rate", "repeat_purchase_rate", "iroas",
                                         "margin_iroas"])
    rows = [r for r in report["rows"] if r["segment"] == ""]
    ck.equal("one row", len(rows), 1)
    row = rows[0]
    ck.equal("horizons listed", [x["horizon"] for x in row["horizons"]],
             [f"{h // 1000000}s" for h in HORIZONS])
    for k, h in enumerate(HORIZONS):
        hr = row["horizons"][k]
        where = f"h={h // DAY}d"
        meas = [a for a in analysed if a["t0"] + h <= AS_OF]
        T = [a for a in meas if a["group"] == "T"]
        C = [a for a in meas if a["group"] == "C"]
        vals = {g: np.array([a["at"](h) for a in grp]) for g, grp in (("T", T), ("C", C))}
        cost_t = np.array([a["cost"] for a in T])
        ck.equal(f"{where} n_T", int(hr["treatment_entries"]), len(T))
        ck.equal(f"{where} n_C", int(hr["holdout_entries"]), len(C))
        ck.equal(f"{where} immature", int(hr["immature_excluded"]),
                 sum(1 for a in analysed if a["t0"] + h > AS_OF))
        ck.equal(f"{where} overlapping", int(hr["overlapping_next_entry"]),
                 sum(1 for a in meas if a["next"] is not None and a["next"] - a["t0"] < h))
        lo_c, hi_c = FROM, min(TO, AS_OF - h)
        fixed = FIXED[2] * max(0, min(FIXED[1], hi_c) - max(FIXED[0], lo_c)) / (FIXED[1] - FIXED[0])
        ck.close(f"{where} fixed cost", hr["fixed_cost"], fixed)
        m = dict(zip(ids, hr["metrics"]))
        y_t, y_c = vals["T"][:, 0], vals["C"][:, 0]
        m_t, m_c = vals["T"][:, 1], vals["C"][:, 1]
        o_t, o_c = vals["T"][:, 2], vals["C"][:, 2]
        ck.estimate(f"{where} revenue", m["revenue_per_entry"]["effect"], welch(y_t, y_c))
        ck.close(f"{where} revenue T", m["revenue_per_entry"]["treatment"], y_t.mean())
        ck.close(f"{where} revenue C", m["revenue_per_entry"]["holdout"], y_c.mean())
        ck.estimate(f"{where} margin", m["margin_per_entry"]["effect"], welch(m_t, m_c))
        ck.estimate(f"{where} orders", m["orders_per_entry"]["effect"], welch(o_t, o_c))
        ck.estimate(f"{where} retention", m["retention_rate"]["effect"],
                    rate((o_t >= 1).astype(float), (o_c >= 1).astype(float)))
        ck.close(f"{where} retention T", m["retention_rate"]["treatment"], (o_t >= 1).mean())
        ck.estimate(f"{where} repeat", m["repeat_purchase_rate"]["effect"],
                    rate((o_t >= 2).astype(float), (o_c >= 2).astype(float)))
        ck.estimate(f"{where} iroas", m["iroas"]["effect"], iroas(y_t, cost_t, y_c, fixed))
        ck.estimate(f"{where} margin iroas", m["margin_iroas"]["effect"], iroas(m_t, cost_t, m_c, fixed))

    curve = row["cumulative"]
    ck.equal("curve points", len(curve), 90)
    for i, p in enumerate(curve):
        d = int(points[i])
        where = f"curve day {i + 1}"
        ck.equal(f"{where} since_entry", p["since_entry"], f"{d // 1000000}s")
        meas = [a for a in analysed if a["t0"] + d <= AS_OF]
        vt = np.array([a["at"](d)[:2] for a in meas if a["group"] == "T"])
        vc = np.array([a["at"](d)[:2] for a in meas if a["group"] == "C"])
        ck.equal(f"{where} n_T", int(p["treatment_entries"]), len(vt))
        ck.equal(f"{where} n_C", int(p["holdout_entries"]), len(vc))
        ck.close(f"{where} treatment revenue", p["treatment_revenue"], vt[:, 0].mean())
        ck.close(f"{where} holdout margin", p["holdout_margin"], vc[:, 1].mean())
        ck.estimate(f"{where} revenue", p["revenue"], welch(vt[:, 0], vc[:, 0]))
        ck.estimate(f"{where} margin", p["margin"], welch(vt[:, 1], vc[:, 1]))
    # The curve at a horizon is that horizon's revenue lift.
    for k, h in enumerate(HORIZONS):
        ck.close(f"curve = horizon {h // DAY}d", curve[h // DAY - 1]["revenue"]["value"],
                 float(row["horizons"][k]["metrics"][0]["effect"]["value"]))
    kinds = {w["kind"] for w in report["warnings"]}
    ck.equal("immature warning", "HORIZON_IMMATURE" in kinds, True)
    ck.equal("overlap warning", "HORIZON_OVERLAP" in kinds, True)
    print(f"{ck.checks} checks, max relative difference {ck.max_rel:.2e}")
    if ck.failures:
        print("\n".join(ck.failures[:40]))
        sys.exit(1)


if __name__ == "__main__":
    main()
