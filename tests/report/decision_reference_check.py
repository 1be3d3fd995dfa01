#!/usr/bin/python3
"""Independent reference check of the report's decision summary.

Generates per-entry rows with numpy (fixed seed) for journeys built to pay,
to lose money and to be undecided (with and without rotation, with and
without fixed cost); feeds them to report_decision_reference_driver (the real
BuildLiftReport, printed as the proto's JSON); and recomputes from the raw
arrays, never from the report's moments:

  * the verdict: the report's primary iROAS interval (the pooled row's, as in
    the tables) against break-even 1, and that this interval is the row's;
  * iROAS R = D / k with k = mean(c_T) + F / n_T, its delta-method standard
    error from per-entry influence values (numpy, ddof=1);
  * entries needed to decide: the total N at which statsmodels'
    normal_power(|R - 1| / sqrt(V), N, alpha) = 0.8, V = N_now * se^2
    (solved with scipy's brentq, not the closed form the C++ uses);
  * the iROAS MDE m * se with m from statsmodels NormalIndPower;
  * the volume: (n - 1) entries per (last t0 - first t0), per rotation period
    (or week), and the periods to collect the missing entries.

Fails on a relative difference above 1e-6 (integers exactly).

Usage: /usr/bin/python3 decision_reference_check.py PATH/TO/driver
"""
import json
import math
import subprocess
import sys

import numpy as np
from scipy import optimize
from statsmodels.stats import power as smpower

REL_TOL = 1e-6
ALPHA = 0.05
POWER = 0.8
DAY = 86400

# journey, rotation days, fixed cost, n, revenue lift, cost per treated entry, days
JOURNEYS = [
    ("pays", 7, 200.0, 6000, 6.0, 1.0, 28),
    ("loses", 7, 0.0, 8000, 0.2, 2.0, 21),
    ("undecided", 14, 50.0, 3000, 0.8, 0.6, 30),
    ("undecided_weekly", 0, 0.0, 2500, 0.5, 0.4, 10),
    ("below_but_open", 7, 0.0, 1500, 0.1, 0.5, 12),
]


def generate(rng):
    lines, data = [], {}
    for name, rot, fixed, n, lift, cost, days in JOURNEYS:
        lines.append(f"config {name} {rot} {fixed}")
        holdout = rng.random(n) < 0.1
        t0 = np.sort(rng.integers(0, days * DAY, n)) + DAY
        buy = rng.random(n) < 0.12
        y = np.where(buy, rng.lognormal(3.0, 0.7, n), 0.0)
        y = y + np.where(holdout, 0.0, lift * rng.exponential(1.0, n))
        c = np.where(holdout, 0.0, cost * rng.uniform(0.5, 1.5, n))
        for i in range(n):
            lines.append(f"{name} {'C' if holdout[i] else 'T'} {t0[i]} {y[i]:.17g} {c[i]:.17g}")
        data[name] = dict(rot=rot, fixed=fixed, holdout=holdout, t0=t0,
                          y=np.array([float(f"{v:.17g}") for v in y]),
                          c=np.array([float(f"{v:.17g}") for v in c]))
    return "\n".join(lines) + "\n", data


def num(v):
    return float(v) if isinstance(v, str) else v


class Checker:
    def __init__(self):
        self.failures = 0
        self.checks = 0

    def close(self, what, got, want, rel=REL_TOL):
        self.checks += 1
        got, want = num(got), num(want)
        if math.isinf(want) or math.isnan(want):
            ok = (math.isnan(want) and math.isnan(got)) or got == want
        else:
            ok = abs(got - want) <= rel * max(1.0, abs(want))
        if not ok:
            self.failures += 1
            print(f"FAIL {what}: got {got!r}, want {want!r}")

    def equal(self, what, got, want):
        self.checks += 1
        if got != want:
            self.failures += 1
            print(f"FAIL {what}: got {got!r}, want {want!r}")


def main():
    driver = sys.argv[1]
    rng = np.random.default_rng(20261202)
    text, data = generate(rng)
    out = subprocess.run([driver], input=text, capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    summaries = {s["journey"]: s for s in report["journey_summaries"]}
    pooled = {r["journey"]: r for r in report["rows"] if r["arm"] == "*" and r["segment"] == ""}
    chk = Checker()
    m = optimize.brentq(lambda e: smpower.NormalIndPower().power(effect_size=e, nobs1=1,
                                                                 alpha=ALPHA, ratio=0) - POWER,
                        0.5, 5.0, xtol=1e-14)
    seen = set()
    for name, *_ in JOURNEYS:
        d = data[name]
        s = summaries[name]
        row = pooled[name]
        t, h = ~d["holdout"], d["holdout"]
        yt, ct, yc = d["y"][t], d["c"][t], d["y"][h]
        n_t, n_c = len(yt), len(yc)
        n = n_t + n_c
        k = ct.mean() + d["fixed"] / n_t
        D = yt.mean() - yc.mean()
        R = D / k
        se = math.sqrt((np.var(yt - R * ct, ddof=1) / n_t + np.var(yc, ddof=1) / n_c) / k**2)
        chk.equal(f"{name} entries", int(s["entries"]), n)
        chk.close(f"{name} iroas", s["iroas"]["value"], R)
        chk.close(f"{name} iroas_mde", s["iroas_mde"], m * se)
        # The verdict reads the primary interval shown in the tables.
        primary = row["iroas_skew_corrected"] if row["primary_interval"] == "SKEW_CORRECTED" else row["iroas"]
        chk.close(f"{name} lower is the row's primary", s["iroas"]["lower"], primary["lower"])
        chk.close(f"{name} upper is the row's primary", s["iroas"]["upper"], primary["upper"])
        lo, hi = num(primary["lower"]), num(primary["upper"])
        want = "DECISION_PAYS" if lo > 1 else "DECISION_LOSES_MONEY" if hi < 1 else "DECISION_INCONCLUSIVE"
        chk.equal(f"{name} verdict", s["verdict"], want)
        seen.add(want)
        # Volume.
        period_days = d["rot"] if d["rot"] > 0 else 7
        rate = (n - 1) * period_days * DAY / (d["t0"].max() - d["t0"].min())
        chk.close(f"{name} entries_per_period", s["entries_per_period"], rate)
        chk.equal(f"{name} period_unit", s["period_unit"], "rotation period" if d["rot"] else "week")
        if want != "DECISION_INCONCLUSIVE":
            chk.close(f"{name} additional", s["additional_entries_needed"], 0.0)
            chk.close(f"{name} periods", s["periods_needed"], 0.0)
            chk.close(f"{name} entries_needed", s["entries_needed"], float("nan"))
            continue
        V = n * se**2
        effect = abs(R - 1.0) / math.sqrt(V)
        N = optimize.brentq(lambda x: smpower.normal_power(effect, x, ALPHA) - POWER, 1.0, 1e12,
                            xtol=1e-9, rtol=1e-14)
        chk.close(f"{name} entries_needed", s["entries_needed"], N)
        additional = max(0, math.ceil(N) - n)
        chk.equal(f"{name} additional", int(num(s["additional_entries_needed"])), additional)
        chk.equal(f"{name} periods", int(num(s["periods_needed"])), math.ceil(additional / rate))
        chk.equal(f"{name} sentence says how many more", "more than the" in s["sentence"], True)
    for v in ("DECISION_PAYS", "DECISION_LOSES_MONEY", "DECISION_INCONCLUSIVE"):
        chk.equal(f"some journey is {v}", v in seen, True)
    print(f"{chk.checks} comparisons, {chk.failures} failures")
    return 1 if chk.failures else 0


if __name__ == "__main__":
    sys.exit(main())
