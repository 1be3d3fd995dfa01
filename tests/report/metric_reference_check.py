#!/usr/bin/python3
"""Independent reference check of the lift report's generic metrics.

Generates per-entry rows with numpy (fixed seed): three journeys, two arms
each, with orders, unsubscribes, complaints, deliveries and costs; feeds the
raw rows to report_metric_reference_driver (which builds the real report and
prints its JSON); recomputes every metric of every everyone row here from the
raw arrays with statsmodels / scipy, and fails on a relative difference above
1e-6.

The Python side works on the raw rows, never on moments: Welch intervals come
from statsmodels' CompareMeans, proportions from statsmodels'
confint_proportions_2indep (Wald), ratios from per-entry influence values
(linearization) fed to CompareMeans, so an algebra slip shared with the C++
cannot hide. Guardrail verdicts are re-derived from their rule.

Usage: /usr/bin/python3 metric_reference_check.py PATH/TO/driver
"""
import json
import math
import subprocess
import sys

import numpy as np
from scipy import optimize, stats
from statsmodels.stats import proportion
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

REL_TOL = 1e-6
CONF = 0.95


def gen(rng, journey, group, arm, n, p_conv, p_unsub, p_complaint, p_deliver, coupon, organic=0.0):
    """coupon: the arm's discount on its orders (treatment only); organic: a
    sitewide discount some orders get in either group (so the holdout has
    incentives too and the incremental incentive is T's minus C's)."""
    rows = []
    delivered = rng.random(n) < p_deliver
    sends = np.where(delivered, rng.integers(1, 4, n), 0)
    orders = np.where(rng.random(n) < p_conv, rng.integers(1, 3, n), 0)
    y = np.where(orders > 0, rng.lognormal(3.5, 0.8, n) * orders, 0.0)
    m = 0.35 * y
    c = sends * 0.02
    sitewide = rng.random(n) < 0.3
    incentive = coupon * y * (group == "T") + organic * y * sitewide
    unsub = (rng.random(n) < p_unsub).astype(int)
    compl = (rng.random(n) < p_complaint).astype(int)
    x = (orders > 0).astype(int)
    for i in range(n):
        rows.append((journey, group, arm if group == "T" else "-", y[i], m[i], x[i], c[i],
                     orders[i], unsub[i], compl[i], sends[i], incentive[i]))
    return rows


JOURNEYS = [
    # journey, max_unsub_increase, unsub value, fixed cost
    ("harm", 0.002, "nan", 150.0),
    ("safe", 0.002, "25", 0.0),
    ("tiny", 0.01, "nan", 10.0),
]


def data():
    rng = np.random.default_rng(2026)
    rows = []
    rows += gen(rng, "harm", "C", "-", 3000, 0.05, 0.003, 0.0005, 0.01, 0, 0.05)
    rows += gen(rng, "harm", "T", "a", 6000, 0.07, 0.015, 0.002, 0.9, 0.1, 0.05)
    rows += gen(rng, "harm", "T", "b", 6000, 0.06, 0.010, 0.001, 0.8, 0.0, 0.05)
    rows += gen(rng, "safe", "C", "-", 4000, 0.08, 0.004, 0.0005, 0.02, 0)
    rows += gen(rng, "safe", "T", "a", 8000, 0.09, 0.004, 0.0005, 0.95, 0.05)
    rows += gen(rng, "safe", "T", "b", 8000, 0.085, 0.0041, 0.0004, 0.9, 0.0)
    rows += gen(rng, "tiny", "C", "-", 60, 0.1, 0.0, 0.0, 0.0, 0, 0.05)
    rows += gen(rng, "tiny", "T", "a", 80, 0.12, 0.0, 0.0, 0.9, 0, 0.05)
    rows += gen(rng, "tiny", "T", "b", 90, 0.12, 0.0, 0.0, 0.9, 0, 0.05)
    return rows


class Checker:
    def __init__(self):
        self.checks, self.failures, self.max_rel = 0, [], 0.0

    def close(self, name, got, want, floor=1e-12):
        self.checks += 1
        if want is None or (isinstance(want, float) and math.isnan(want)):
            if not (got is None or (isinstance(got, float) and math.isnan(got)) or got == "NaN"):
                self.failures.append(f"{name}: got {got}, expected NaN")
            return
        if isinstance(got, str):
            got = float(got)
        d = abs(got - want)
        scale = max(abs(got), abs(want), floor)
        rel = d / scale if scale > 0 else 0.0
        self.max_rel = max(self.max_rel, rel if d > floor else 0.0)
        if d > floor and rel > REL_TOL:
            self.failures.append(f"{name}: got {got!r}, expected {want!r} (rel {rel:.2e})")

    def equal(self, name, got, want):
        self.checks += 1
        if got != want:
            self.failures.append(f"{name}: got {got!r}, expected {want!r}")


def welch(a_t, a_c, center=None):
    """(estimate, lower, upper, se, p) of mean(a_t) - mean(a_c), Welch."""
    cm = CompareMeans(DescrStatsW(a_t), DescrStatsW(a_c))
    lo, hi = cm.tconfint_diff(alpha=1 - CONF, usevar="unequal")
    _, p, _ = cm.ttest_ind(usevar="unequal")
    se = math.sqrt(np.var(a_t, ddof=1) / len(a_t) + np.var(a_c, ddof=1) / len(a_c))
    est = np.mean(a_t) - np.mean(a_c)
    return est, lo, hi, se, p


def ratio_of_differences(a_t, b_t, a_c, b_c, k, extra):
    """(mean a_t - mean a_c) / (mean b_t - k mean b_c + extra / n_T); b_c may
    be another variable than b_t (incentives only in the holdout)."""
    num = np.mean(a_t) - np.mean(a_c)
    den = np.mean(b_t) - k * np.mean(b_c) + extra / len(a_t)
    r = num / den
    infl_t = (a_t - r * b_t) / den
    infl_c = (a_c - k * r * b_c) / den
    # Center the influence values on R and 0 so the Welch difference is R.
    _, lo, hi, se, _ = welch(infl_t - infl_t.mean() + r, infl_c - infl_c.mean())
    _, _, _, _, p = welch(a_t, a_c)
    v_den = np.var(b_t, ddof=1) / len(b_t) + k * k * np.var(b_c, ddof=1) / len(b_c)
    weak = v_den > 0 and den / math.sqrt(v_den) < stats.norm.ppf(0.5 + CONF / 2)
    return r, lo, hi, se, p, weak


def hall(value, se, df, a, p_value):
    """Hall (1992) skewness-corrected interval of an estimate with standard
    error se, Welch df and estimator skewness a; the inverse of
    g(t) = t + a t^2/3 + a^2 t^3/27 + a/6 found numerically (the C++ uses the
    closed form)."""
    g = lambda t: t + a * t * t / 3 + a * a * t ** 3 / 27 + a / 6
    q = stats.t.ppf(0.5 + CONF / 2, df)
    inv = lambda u: optimize.brentq(lambda t: g(t) - u, -1e3, 1e3, xtol=1e-14, rtol=1e-15)
    return value, value - se * inv(q), value - se * inv(-q), se, p_value


def skewness_of_difference(psi_t, psi_c, se):
    """kappa3 / se^3 of mean(psi_t) - mean(psi_c): the third cumulant of a
    mean of n iid values is mu3 / n^2 (scipy's central moment, n
    denominator)."""
    k3 = stats.moment(psi_t, 3) / len(psi_t) ** 2 - stats.moment(psi_c, 3) / len(psi_c) ** 2
    return k3 / se ** 3


def welch_df(a_t, a_c):
    v_t, v_c = np.var(a_t, ddof=1) / len(a_t), np.var(a_c, ddof=1) / len(a_c)
    return (v_t + v_c) ** 2 / (v_t ** 2 / (len(a_t) - 1) + v_c ** 2 / (len(a_c) - 1))


def hall_ratio_of_differences(a_t, b_t, a_c, b_c, extra):
    """Hall's interval for (mean a_t - mean a_c) / (mean b_t - mean b_c +
    extra / n_T) from the skewness of its influence values; p-value: Hall's
    test of the numerator (the difference of a)."""
    num = np.mean(a_t) - np.mean(a_c)
    den = np.mean(b_t) - np.mean(b_c) + extra / len(a_t)
    r = num / den
    infl_t, infl_c = (a_t - r * b_t) / den, (a_c - r * b_c) / den
    se = math.sqrt(np.var(infl_t, ddof=1) / len(infl_t) + np.var(infl_c, ddof=1) / len(infl_c))
    se_num = math.sqrt(np.var(a_t, ddof=1) / len(a_t) + np.var(a_c, ddof=1) / len(a_c))
    a_num = skewness_of_difference(a_t, a_c, se_num)
    g = lambda t: t + a_num * t * t / 3 + a_num ** 2 * t ** 3 / 27 + a_num / 6
    p = min(1.0, 2 * stats.t.sf(abs(g(num / se_num)), welch_df(a_t, a_c)))
    return hall(r, se, welch_df(infl_t, infl_c), skewness_of_difference(infl_t, infl_c, se), p)


def ratio_of_means(a_t, b_t, a_c, b_c):
    r_t, r_c = a_t.sum() / b_t.sum(), a_c.sum() / b_c.sum()
    infl_t = (a_t - r_t * b_t) / b_t.mean() + r_t
    infl_c = (a_c - r_c * b_c) / b_c.mean() + r_c
    est, lo, hi, se, _ = welch(infl_t, infl_c)
    t = est / se
    df = (np.var(infl_t, ddof=1) / len(infl_t) + np.var(infl_c, ddof=1) / len(infl_c)) ** 2 / (
        (np.var(infl_t, ddof=1) / len(infl_t)) ** 2 / (len(infl_t) - 1)
        + (np.var(infl_c, ddof=1) / len(infl_c)) ** 2 / (len(infl_c) - 1))
    p = 2 * stats.t.sf(abs(t), df)
    return r_t, r_c, r_t - r_c, lo, hi, se, p


def rate(x_t, x_c):
    ct, nt, cc, nc = int(x_t.sum()), len(x_t), int(x_c.sum()), len(x_c)
    p_t, p_c = ct / nt, cc / nc
    se = math.sqrt(p_t * (1 - p_t) / nt + p_c * (1 - p_c) / nc)
    if se == 0:
        return p_t, p_c, None
    lo, hi = proportion.confint_proportions_2indep(ct, nt, cc, nc, method="wald", compare="diff",
                                                   alpha=1 - CONF)
    p = 2 * stats.norm.sf(abs(p_t - p_c) / se)
    return p_t, p_c, (p_t - p_c, lo, hi, se, p)


def main():
    driver = sys.argv[1]
    rows = data()
    text = "".join(f"config {j} {u} {v} {f}\n" for j, u, v, f in JOURNEYS)
    text += "".join(" ".join(str(v) for v in r) + "\n" for r in rows)
    out = subprocess.run([driver], input=text, capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    ids = [d["id"] for d in report["metric_definitions"]]
    ck = Checker()
    cols = {"y": 3, "m": 4, "x": 5, "c": 6, "orders": 7, "unsub": 8, "compl": 9, "sends": 10,
            "inc": 11}
    max_unsub = {j: u for j, u, _, _ in JOURNEYS}
    unsub_value = {j: v for j, _, v, _ in JOURNEYS}
    fixed_total = {j: f for j, _, _, f in JOURNEYS}
    n_treat = {j: sum(1 for r in rows if r[0] == j and r[1] == "T") for j, _, _, _ in JOURNEYS}
    hall_shifts = []  # |Hall lower - delta lower| / se of the with-incentive rows
    for row in report["rows"]:
        if row["segment"]:
            continue
        j, arm = row["journey"], row["arm"]
        tr = [r for r in rows if r[0] == j and r[1] == "T" and (arm == "*" or r[2] == arm)]
        ho = [r for r in rows if r[0] == j and r[1] == "C"]
        T = {k: np.array([r[i] for r in tr], dtype=float) for k, i in cols.items()}
        C = {k: np.array([r[i] for r in ho], dtype=float) for k, i in cols.items()}
        T["d"], C["d"] = (T["sends"] > 0).astype(float), (C["sends"] > 0).astype(float)
        fixed = fixed_total[j] * (len(tr) / n_treat[j])
        m = dict(zip(ids, row["metrics"]))
        where = f"{j}/{arm}"

        def check_est(name, want):
            e = m[name]["effect"]
            if want is None:
                ck.equal(f"{where} {name} defined", e["defined"], False)
                return
            ck.equal(f"{where} {name} defined", e["defined"], True)
            for key, w in zip(("value", "lower", "upper", "std_error", "p_value"), want):
                ck.close(f"{where} {name} {key}", e[key], float(w))

        # Rates, with the guardrail rule re-derived.
        for name, var, limit in (("unsubscribe_rate", "unsub", None), ("complaint_rate", "compl", None),
                                 ("delivery_rate", "d", None)):
            p_t, p_c, est = rate(T[var], C[var])
            ck.close(f"{where} {name} treatment", m[name]["treatment"], p_t)
            ck.close(f"{where} {name} holdout", m[name]["holdout"], p_c)
            check_est(name, est)
            if name == "delivery_rate" or est is None:
                continue
            g = m[name]["guardrail"]
            mx = max_unsub[j] if name == "unsubscribe_rate" else 0.0005
            diff, _, _, se, _ = est
            p_harm = stats.norm.sf(diff / se)  # the survival function keeps tiny p-values
            upper = diff + stats.norm.ppf(CONF) * se
            ck.close(f"{where} {name} p_harm", g["p_value_harm"], p_harm)
            ck.close(f"{where} {name} upper", g["upper_bound"], upper)
            ck.close(f"{where} {name} p_within", g["p_value_within_threshold"],
                     stats.norm.cdf((diff - mx) / se))
            status = ("HARM" if p_harm < 1 - CONF and diff > mx else
                      "CANNOT_EXCLUDE" if upper > mx else "PASS")
            ck.equal(f"{where} {name} status", g["status"], status)

        check_est("orders_per_entry", welch(T["orders"], C["orders"]))
        ck.close(f"{where} orders_per_entry treatment", m["orders_per_entry"]["treatment"],
                 T["orders"].mean())
        r_t, r_c, est, lo, hi, se, p = ratio_of_means(T["y"], T["orders"], C["y"], C["orders"])
        ck.close(f"{where} aov treatment", m["average_order_value"]["treatment"], r_t)
        ck.close(f"{where} aov holdout", m["average_order_value"]["holdout"], r_c)
        check_est("average_order_value", (est, lo, hi, se, p))

        def rod(name, a, b, k, extra):
            r, lo, hi, se, p, weak = ratio_of_differences(T[a] if isinstance(a, str) else a[0], T[b],
                                                          C[a] if isinstance(a, str) else a[1], C[b],
                                                          k, extra)
            check_est(name, (r, lo, hi, se, p))
            ck.equal(f"{where} {name} weak flag", "weak_denominator" in m[name]["flags"], weak)

        # No incentive at all in either group (safe/b: no coupon, no sitewide
        # discount): no variation, undefined.
        varies = T["inc"].var() > 0 or C["inc"].var() > 0
        check_est("incentive_per_entry", welch(T["inc"], C["inc"]) if varies else None)
        ck.close(f"{where} incentive_per_entry treatment", m["incentive_per_entry"]["treatment"],
                 T["inc"].mean())
        ck.close(f"{where} incentive_per_entry holdout", m["incentive_per_entry"]["holdout"],
                 C["inc"].mean())
        # ROAS with discount: cost = sends + F + the incremental incentives.
        for name, var in (("iroas_with_incentives", "y"), ("margin_iroas_with_incentives", "m")):
            den = T["c"].mean() + T["inc"].mean() - C["inc"].mean() + fixed / len(tr)
            if den <= 0:
                check_est(name, None)
                continue
            r, lo, hi, se, p, weak = ratio_of_differences(T[var], T["c"] + T["inc"], C[var], C["inc"],
                                                          1.0, fixed)
            # Where the row's primary interval is Hall's (as for iROAS), so
            # is this one's, with the numerator's Hall p-value.
            corrected = row["primary_interval"] == "SKEW_CORRECTED"
            if corrected:
                h = hall_ratio_of_differences(T[var], T["c"] + T["inc"], C[var], C["inc"], fixed)
                check_est(name, h)
                # Hall's bounds must differ from the delta ones here, or the
                # check above could not tell the two apart.
                hall_shifts.append(abs(h[1] - lo) / se)
            else:
                check_est(name, (r, lo, hi, se, p))
            ck.equal(f"{where} {name} skew flag", "skew_corrected" in m[name]["flags"], corrected)
            ck.equal(f"{where} {name} weak flag", "weak_denominator" in m[name]["flags"], weak)
        rod("iroas_messaging_cost", "y", "c", 0.0, 0.0)
        rod("margin_iroas_messaging_cost", "m", "c", 0.0, 0.0)
        rod("revenue_per_delivered_entry", "y", "d", 1.0, 0.0)
        rod("conversion_per_delivered_entry", "x", "d", 1.0, 0.0)
        value = unsub_value[j]
        if value == "nan":
            ck.equal(f"{where} net defined", m["iroas_net_of_unsubscribes"]["effect"]["defined"], False)
            ck.equal(f"{where} net reason", bool(m["iroas_net_of_unsubscribes"]["undefined_reason"]), True)
            ck.equal(f"{where} net p is NaN", m["iroas_net_of_unsubscribes"]["effect"]["p_value"], "NaN")
        else:
            v = float(value)
            rod("iroas_net_of_unsubscribes", (T["y"] - v * T["unsub"], C["y"] - v * C["unsub"]),
                "c", 0.0, fixed)
        # The headline iROAS in the generic list is the fixed field's primary variant.
        primary = row["iroas_skew_corrected"] if row["primary_interval"] == "SKEW_CORRECTED" else row["iroas"]
        ck.close(f"{where} iroas = fixed field", m["iroas"]["effect"]["value"], primary["value"])
        ck.close(f"{where} iroas lower = fixed field", m["iroas"]["effect"]["lower"], primary["lower"])
        # Conversions per send: descriptive, no contrast.
        ck.close(f"{where} conv/send treatment", m["conversions_per_send"]["treatment"],
                 T["x"].sum() / T["sends"].sum())
        ck.equal(f"{where} conv/send no contrast", m["conversions_per_send"]["effect"]["defined"], False)

    # Arm vs arm: b is the costlier arm; every metric b - a from the raw rows,
    # and the margin-return p-values Holm-adjusted across the pairs.
    pair_ids = [d["id"] for d in report["arm_pair_metric_definitions"]]
    pair_p, pair_holm = [], []
    for pair in report["arm_comparisons"]:
        j = pair["journey"]
        arm = {a: {k: np.array([r[i] for r in rows if r[0] == j and r[1] == "T" and r[2] == a],
                               dtype=float) for k, i in cols.items()} for a in ("a", "b")}
        cheap, dear = sorted(("a", "b"), key=lambda a: (arm[a]["c"].mean() + arm[a]["inc"].mean(), a))
        where = f"{j} {dear} vs {cheap}"
        ck.equal(f"{where} orientation", (pair["arm_b"], pair["arm_a"]), (dear, cheap))
        B, A = arm[dear], arm[cheap]
        m = dict(zip(pair_ids, pair["metrics"]))

        def est(name, want):
            e = m[name]["effect"]
            ck.equal(f"{where} {name} defined", e["defined"], want is not None)
            if want is None:
                return
            for key, w in zip(("value", "lower", "upper", "std_error", "p_value"), want):
                ck.close(f"{where} {name} {key}", e[key], float(w))

        for name, var in (("revenue_per_entry", "y"), ("margin_per_entry", "m"), ("cost_per_entry", "c"),
                          ("incentive_per_entry", "inc")):
            est(name, welch(B[var], A[var]))
            ck.close(f"{where} {name} b", m[name]["treatment"], B[var].mean())
        for name, var in (("conversion_rate", "x"), ("unsubscribe_rate", "unsub")):
            est(name, rate(B[var], A[var])[2])
        for name, var in (("incremental_revenue_return", "y"), ("incremental_margin_return", "m")):
            r, lo, hi, se, p, weak = ratio_of_differences(B[var], B["c"] + B["inc"], A[var],
                                                          A["c"] + A["inc"], 1.0, 0.0)
            est(name, (r, lo, hi, se, p))
        pair_p.append(m["incremental_margin_return"]["effect"]["p_value"])
        pair_holm.append(pair["p_value_holm"])
    from statsmodels.stats.multitest import multipletests
    holm = multipletests(pair_p, method="holm")[1]
    for k, (got, want) in enumerate(zip(pair_holm, holm)):
        ck.close(f"arm pair {k} Holm", got, want)
    ck.equal("arm pairs: one per multi-arm journey", len(report["arm_comparisons"]), 3)
    families = {f["name"]: int(f["size"]) for f in report["families"]}
    ck.equal("arm_pairs family size", families.get("arm_pairs"), 3)

    # The report's CRITICAL guardrail warning names the harmful journey.
    harm = [w for w in report["warnings"] if w["kind"] == "GUARDRAIL_HARM"]
    ck.equal("harm journey warned", sorted({w["journey"] for w in harm}), ["harm"])
    ck.equal("harm severity", {w["severity"] for w in harm}, {"CRITICAL"})
    if not hall_shifts or max(hall_shifts) < 1e-3:
        ck.failures.append(f"no with-incentive row tells Hall's interval from the delta one: {hall_shifts}")
    print(f"{ck.checks} checks, max relative difference {ck.max_rel:.2e}; Hall vs delta lower bound of "
          f"the with-incentive iROAS: up to {max(hall_shifts, default=0):.3f} se ({len(hall_shifts)} rows)")
    if ck.failures:
        print("\n".join(ck.failures[:40]))
        sys.exit(1)


if __name__ == "__main__":
    main()
