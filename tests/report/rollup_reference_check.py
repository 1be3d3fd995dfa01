#!/usr/bin/python3
"""Independent reference check of the lift report's stage / programme
roll-ups and trend buckets.

Generates raw per-entry rows with numpy (fixed seed): four journeys in three
stages (two of them sharing customers), entry times over ten weeks with a
rotation period of 14 days, fixed costs, per-entry costs correlated with the
basket, and an as_of that leaves the last entries immature. Feeds the rows to
report_rollup_reference_driver (the real BuildLiftReport -> proto -> JSON),
once per bucket kind (period, week, month), and recomputes here, from the raw
rows only:

  * each roll-up: summed incremental revenue and margin with the Welch-
    Satterthwaite t interval over every journey's two groups (scipy t),
    summed cost and fixed cost (pro-rated by overlap), the delta-method
    iROAS from per-entry influence values (statsmodels DescrStatsW for each
    group's variance), the break-even test of sum(n_T D - K), the interval
    under any overlap (sum of the journeys' standard errors), the customer
    counts (Python sets);
  * each trend bucket (UTC calendar week from Monday / month via datetime,
    rotation period index): entry counts, immature count, completeness, the
    bucket's fixed cost, its cost, its plain delta iROAS (statsmodels
    CompareMeans on influence values), conversion lift (statsmodels
    confint_proportions_2indep, Wald) and incremental revenue;
  * the drift test: statsmodels WLS with known variances (cov_type "fixed
    scale") for the slope, Cochran's Q with scipy's chi-squared.

Fails on a relative difference above 1e-6.
Usage: /usr/bin/python3 rollup_reference_check.py PATH/TO/driver
"""
import datetime as dt
import json
import math
import subprocess
import sys

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

REL_TOL = 1e-6
CONF = 0.95
DAY = 86400
EPOCH0 = 1759708800  # 2025-10-06 00:00 UTC, a Monday
WEEKS = 10
AS_OF = EPOCH0 + WEEKS * 7 * DAY - 2 * DAY
PERIOD = 14 * DAY

# journey, stage, fixed cost, window days, entries, customer prefix, effect, cost per send
JOURNEYS = [
    ("onboard_email", "onboarding", 400.0, 3, 6000, "a", 1.2, 0.05),
    ("winback", "retention", 0.0, 7, 5000, "s", 2.0, 0.30),
    ("winback_sms", "retention", 900.0, 5, 4000, "s", 0.6, 0.25),  # shares customers with winback
    ("misc", "-", 150.0, 2, 3000, "m", 0.4, 0.02),
]

failures = []
checks = 0


def close(name, got, want, tol=REL_TOL):
    global checks
    checks += 1
    if isinstance(want, float) and math.isnan(want):
        if not (isinstance(got, str) and got == "NaN") and not (isinstance(got, float) and math.isnan(got)):
            failures.append(f"{name}: got {got}, want NaN")
        return
    got = float(got)
    if not math.isclose(got, want, rel_tol=tol, abs_tol=1e-9):
        failures.append(f"{name}: got {got!r}, want {want!r}")


def generate(rng):
    rows = []
    for (jid, stage, fixed, window, n, prefix, effect, cps) in JOURNEYS:
        units = rng.choice(8000, size=n, replace=True)
        for i in range(n):
            hold = rng.random() < 0.2
            t0 = int(EPOCH0 + rng.random() * (AS_OF - EPOCH0 - 1))
            mature = t0 + window * DAY <= AS_OF
            p = 0.08 + (0 if hold else effect / 60.0)
            orders = rng.random() < p
            y = rng.lognormal(3.5, 0.9) if orders else 0.0
            m = 0.4 * y
            c = 0.0 if hold else cps * rng.integers(1, 4) + 0.05 * y  # coupons scale with basket
            x = 1 if y > 0 else 0
            if not mature:
                y = m = c = 0.0
                x = 0
            rows.append(dict(journey=jid, g="C" if hold else "T", unit=f"{prefix}{units[i]}", t0=t0,
                             period=(t0 // PERIOD), mature=mature, y=y, m=m, x=x, c=c))
    return rows


def run_driver(driver, by, rows):
    lines = [f"options {by} {AS_OF}"]
    for (jid, stage, fixed, window, n, prefix, effect, cps) in JOURNEYS:
        lines.append(f"config {jid} {stage} {fixed} {EPOCH0} {EPOCH0 + 8 * 7 * DAY} {window * DAY} {PERIOD}")
    for r in rows:
        lines.append(f"{r['journey']} {r['g']} {r['unit']} {r['t0']} {r['period']} {int(r['mature'])} "
                     f"{r['y']!r} {r['m']!r} {r['x']} {r['c']!r}")
    out = subprocess.run([driver], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def fixed_cost(jid, lo, hi):
    """The journey's fixed cost pro-rated to [lo, hi) (seconds)."""
    for (j, stage, fixed, window, n, prefix, effect, cps) in JOURNEYS:
        if j == jid:
            start, end = EPOCH0, EPOCH0 + 8 * 7 * DAY
            return fixed * max(0, min(hi, end) - max(lo, start)) / (end - start)


def window_of(jid):
    return next(w for (j, s, f, w, *_rest) in JOURNEYS if j == jid) * DAY


def ws_t(value, parts, null=0.0):
    """Welch-Satterthwaite t interval over (variance, n) parts, with scipy."""
    v = sum(p[0] for p in parts)
    df = v * v / sum(p[0] ** 2 / (p[1] - 1) for p in parts if p[0] > 0)
    q = stats.t.ppf(0.5 + CONF / 2, df)
    se = math.sqrt(v)
    return dict(value=value, lower=value - q * se, upper=value + q * se, std_error=se, df=df,
                p_value=2 * stats.t.sf(abs((value - null) / se), df))


def groups(rows, jid):
    T = [r for r in rows if r["journey"] == jid and r["g"] == "T" and r["mature"]]
    C = [r for r in rows if r["journey"] == jid and r["g"] == "C" and r["mature"]]
    arr = lambda g, k: np.array([r[k] for r in g], dtype=float)
    return {k: arr(T, k) for k in "ymxc"}, {k: arr(C, k) for k in "ymxc"}


def expected_rollup(rows, journeys):
    inc = {"y": 0.0, "m": 0.0}
    K = 0.0
    F = 0.0
    data = []
    for jid in journeys:
        T, C = groups(rows, jid)
        nT = len(T["y"])
        f = fixed_cost(jid, -10**12, AS_OF - window_of(jid))
        F += f
        K += T["c"].sum() + f
        for k in "ym":
            inc[k] += nT * (T[k].mean() - C[k].mean())
        data.append((T, C, f))
    out = {"fixed_cost": F, "treatment_cost": K,
           "treatment_entries": float(sum(len(T["y"]) for T, C, f in data)),
           "holdout_entries": float(sum(len(C["y"]) for T, C, f in data))}

    def parts(k, r):
        ps = []
        for T, C, f in data:
            nT, nC = len(T["y"]), len(C["y"])
            psi_t = T[k] - r * T["c"]
            ps.append((nT * DescrStatsW(psi_t).var_ddof(1), nT))
            ps.append((nT * nT * np.var(C[k], ddof=1) / nC, nC))
        return ps

    for k, name in (("y", "incremental_revenue"), ("m", "incremental_margin")):
        out[name] = ws_t(inc[k], parts(k, 0.0))
    rev = out["incremental_revenue"]
    sds = [math.sqrt(a[0] + b[0]) for a, b in zip(parts("y", 0.0)[0::2], parts("y", 0.0)[1::2])]
    q = stats.t.ppf(0.5 + CONF / 2, rev["df"])
    out["incremental_revenue_any_overlap"] = dict(value=inc["y"], lower=inc["y"] - q * sum(sds),
                                                  upper=inc["y"] + q * sum(sds))
    for k, name in (("y", "iroas"), ("m", "margin_iroas")):
        R = inc[k] / K
        ps = parts(k, R)
        e = ws_t(R, [(v / K / K, n) for v, n in ps])
        e["p_value"] = out["incremental_revenue" if k == "y" else "incremental_margin"]["p_value"]
        out[name] = e
        even = ws_t(inc[k] - K, parts(k, 1.0))
        out[name + "_breakeven_p_value"] = even["p_value"]
        if k == "y":
            sd_sum = sum(math.sqrt(a[0] + b[0]) for a, b in zip(ps[0::2], ps[1::2])) / K
            qq = stats.t.ppf(0.5 + CONF / 2, e["df"])
            out["iroas_any_overlap"] = dict(value=R, lower=R - qq * sd_sum, upper=R + qq * sd_sum)
    per_journey = [set(r["unit"] for r in rows if r["journey"] == j and r["mature"]) for j in journeys]
    allu = set().union(*per_journey)
    out["customers"] = float(len(allu))
    out["shared_customers"] = float(sum(1 for u in allu if sum(u in s for s in per_journey) >= 2))
    return out


def check_rollup(prefix, got, want):
    for k in ("treatment_entries", "holdout_entries", "treatment_cost", "fixed_cost", "customers",
              "shared_customers", "iroas_breakeven_p_value", "margin_iroas_breakeven_p_value"):
        close(f"{prefix}.{k}", got[k], want[k])
    for k in ("incremental_revenue", "incremental_margin", "iroas", "margin_iroas",
              "incremental_revenue_any_overlap", "iroas_any_overlap"):
        assert got[k]["defined"], (prefix, k)
        for f in want[k]:
            if f in ("df", "std_error") and k.endswith("overlap"):
                continue
            close(f"{prefix}.{k}.{f}", got[k][f], want[k][f])


def bucket_of(by, r):
    if by == "period":
        return r["period"]
    d = dt.datetime.fromtimestamp(r["t0"], dt.timezone.utc).date()
    if by == "week":
        return d - dt.timedelta(days=d.weekday())
    return (d.year, d.month)


def bucket_span(by, key):
    if by == "period":
        return key * PERIOD, (key + 1) * PERIOD
    to_s = lambda d: int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp())
    if by == "week":
        return to_s(key), to_s(key + dt.timedelta(days=7))
    y, m = key
    return to_s(dt.date(y, m, 1)), to_s(dt.date(y + (m == 12), m % 12 + 1, 1))


def label_of(by, key):
    if by == "period":
        return f"period {key}"
    if by == "week":
        return key.isoformat()
    return f"{key[0]:04d}-{key[1]:02d}"


def position(by, key):
    if by == "period":
        return float(key)
    if by == "week":
        return float((key - dt.date(1969, 12, 29)).days // 7)
    return float(key[0] * 12 + key[1] - 1)


def check_trends(by, report, rows):
    assert report["trend_by"] == {"period": "TREND_BY_PERIOD", "week": "TREND_BY_WEEK",
                                  "month": "TREND_BY_MONTH"}[by]
    series = {s["journey"]: s for s in report["trends"]}
    assert set(series) == {j[0] for j in JOURNEYS}
    for (jid, *_rest) in JOURNEYS:
        win = window_of(jid)
        keys = sorted(set(bucket_of(by, r) for r in rows if r["journey"] == jid))
        pts = series[jid]["points"]
        assert [p["bucket"] for p in pts] == [label_of(by, k) for k in keys], (jid, by)
        xs, ys, vs = [], [], []
        for k, p in zip(keys, pts):
            name = f"{by}.{jid}.{p['bucket']}"
            b = [r for r in rows if r["journey"] == jid and bucket_of(by, r) == k]
            T = [r for r in b if r["g"] == "T" and r["mature"]]
            C = [r for r in b if r["g"] == "C" and r["mature"]]
            immature = sum(1 for r in b if not r["mature"])
            lo, hi = bucket_span(by, k)
            hi = min(hi, AS_OF)
            complete = hi <= AS_OF - win and immature == 0
            close(name + ".treatment_entries", p["treatment_entries"], float(len(T)))
            close(name + ".holdout_entries", p["holdout_entries"], float(len(C)))
            close(name + ".immature_excluded", p["immature_excluded"], float(immature))
            assert p["complete"] == complete, (name, p["complete"], complete)
            f = fixed_cost(jid, lo, min(hi, AS_OF - win))
            close(name + ".fixed_cost", p["fixed_cost"], f)
            if len(T) < 2 or len(C) < 2:  # every entry immature: no estimate
                for est in ("iroas_plain", "revenue_lift", "incremental_revenue", "conversion_lift"):
                    assert not p[est]["defined"], (name, est)
                continue
            ty = np.array([r["y"] for r in T]); tc = np.array([r["c"] for r in T])
            cy = np.array([r["y"] for r in C])
            K = tc.sum() + f
            close(name + ".treatment_cost", p["treatment_cost"], K)
            D = ty.mean() - cy.mean()
            close(name + ".incremental_revenue", p["incremental_revenue"]["value"], len(T) * D)
            close(name + ".revenue_lift", p["revenue_lift"]["value"], D)
            # Plain delta iROAS: Welch on influence values y - R c (T) and y (C).
            R = len(T) * D / K
            kk = K / len(T)
            cm = CompareMeans(DescrStatsW((ty - R * tc) / kk), DescrStatsW(cy / kk))
            lo_i, hi_i = cm.tconfint_diff(alpha=1 - CONF, usevar="unequal")
            shift = R - (np.mean((ty - R * tc) / kk) - np.mean(cy / kk))
            ip = p["iroas_plain"]
            close(name + ".iroas_plain.value", ip["value"], R)
            close(name + ".iroas_plain.lower", ip["lower"], lo_i + shift)
            close(name + ".iroas_plain.upper", ip["upper"], hi_i + shift)
            close(name + ".iroas_plain.p_value", ip["p_value"],
                  CompareMeans(DescrStatsW(ty), DescrStatsW(cy)).ttest_ind(usevar="unequal")[1])
            tx = np.array([r["x"] for r in T]); cx = np.array([r["x"] for r in C])
            clo, chi = proportion.confint_proportions_2indep(tx.sum(), len(tx), cx.sum(), len(cx),
                                                             method="wald", compare="diff",
                                                             alpha=1 - CONF)
            close(name + ".conversion_lift.lower", p["conversion_lift"]["lower"], clo)
            close(name + ".conversion_lift.upper", p["conversion_lift"]["upper"], chi)
            if complete:
                xs.append(position(by, k)); ys.append(R); vs.append(float(ip["std_error"]) ** 2)
                close(name + ".iroas_plain.std_error", ip["std_error"],
                      math.sqrt(np.var(ty - R * tc, ddof=1) / len(T) + np.var(cy, ddof=1) / len(C)) / kk)
        d = series[jid]["drift"]
        close(f"{by}.{jid}.drift.buckets", d["buckets"], float(len(ys)))
        if len(ys) >= 2:
            w = 1 / np.array(vs)
            ybar = np.sum(w * ys) / np.sum(w)
            Q = float(np.sum(w * (np.array(ys) - ybar) ** 2))
            close(f"{by}.{jid}.drift.weighted_iroas", d["weighted_iroas"], ybar)
            close(f"{by}.{jid}.drift.q", d["q"], Q)
            close(f"{by}.{jid}.drift.q_p_value", d["q_p_value"], stats.chi2.sf(Q, len(ys) - 1))
        if len(ys) >= 3:
            fit = sm.WLS(np.array(ys), sm.add_constant(np.array(xs)), weights=w).fit(cov_type="fixed scale")
            close(f"{by}.{jid}.drift.slope", d["slope"], fit.params[1])
            close(f"{by}.{jid}.drift.slope_std_error", d["slope_std_error"], fit.bse[1])
            close(f"{by}.{jid}.drift.slope_p_value", d["slope_p_value"], fit.pvalues[1])


def main():
    driver = sys.argv[1]
    rng = np.random.default_rng(20261202)
    rows = generate(rng)
    for by in ("period", "week", "month"):
        report = run_driver(driver, by, rows)
        stages = {s["stage"]: s for s in report["stages"]}
        assert [s["stage"] for s in report["stages"]] == ["onboarding", "retention", ""], list(stages)
        for stage, members in (("onboarding", ["onboard_email"]), ("retention", ["winback", "winback_sms"]),
                               ("", ["misc"])):
            assert stages[stage]["journeys"] == sorted(members), stages[stage]["journeys"]
            check_rollup(f"{by}.stage[{stage}]", stages[stage], expected_rollup(rows, sorted(members)))
        prog = report["programme"]
        assert prog["stage"] == "(programme)"
        check_rollup(f"{by}.programme", prog, expected_rollup(rows, sorted(j[0] for j in JOURNEYS)))
        kinds = [w["kind"] for w in report["warnings"]]
        assert kinds.count("STAGE_SHARED_CUSTOMERS") == 2, kinds  # retention and the programme
        for row in report["rows"]:
            want = next(s for (j, s, *_r) in JOURNEYS if j == row["journey"])
            assert row["stage"] == ("" if want == "-" else want), row["stage"]
        check_trends(by, report, rows)
    if failures:
        print(f"{len(failures)} of {checks} checks failed:")
        for f in failures[:40]:
            print("  " + f)
        sys.exit(1)
    print(f"rollup reference check: {checks} comparisons, all within {REL_TOL:g} relative")


if __name__ == "__main__":
    main()
