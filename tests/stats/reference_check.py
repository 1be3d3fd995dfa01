#!/usr/bin/python3
"""Independent reference check for lib/stats.

Generates per-entry data with numpy (fixed seeds), runs the C++ estimators
through stats_reference_driver, recomputes every number here from the raw
per-entry arrays with scipy / statsmodels / numpy, and fails if any pair
differs by more than a relative 1e-6.

The Python side deliberately works on the raw arrays, not on moments: ratios
use per-entry influence (linearized) values fed to statsmodels' Welch
machinery, Fieller sets are found with numpy.roots, Hall's inverse with
scipy.optimize.brentq, so a shared algebra slip cannot hide.

Usage: /usr/bin/python3 reference_check.py PATH/TO/stats_reference_driver
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy import optimize, stats
from statsmodels.stats import multitest, power as smpower, proportion
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

REL_TOL = 1e-6
ABS_FLOOR = 1e-12
CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE
TUNING_ENTRIES = 5000.0


class Checker:
    def __init__(self):
        self.checks = 0
        self.failures = []
        self.max_rel = 0.0

    def close(self, name, actual, expected, abs_floor=ABS_FLOOR):
        self.checks += 1
        if expected is None or (isinstance(expected, float) and math.isnan(expected)):
            ok = actual is None or (isinstance(actual, float) and math.isnan(actual))
            if not ok:
                self.failures.append(f"{name}: got {actual}, expected NaN")
            return
        if isinstance(expected, bool):
            if actual != expected:
                self.failures.append(f"{name}: got {actual}, expected {expected}")
            return
        if math.isinf(expected):
            if actual != expected:
                self.failures.append(f"{name}: got {actual}, expected {expected}")
            return
        if actual is None or math.isnan(actual):
            self.failures.append(f"{name}: got NaN, expected {expected}")
            return
        diff = abs(actual - expected)
        scale = max(abs(actual), abs(expected))
        rel = diff / scale if scale > 0 else 0.0
        if diff > REL_TOL * scale + abs_floor:
            self.failures.append(f"{name}: got {actual!r}, expected {expected!r} (rel {rel:.3g})")
        elif diff > abs_floor:
            self.max_rel = max(self.max_rel, rel)


def welch(a, b, offset=0.0):
    """Welch t interval/test of mean(a) - mean(b) - offset via statsmodels."""
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    t, p, df = cm.ttest_ind(usevar="unequal", value=offset)
    lo, hi = cm.tconfint_diff(alpha=ALPHA, usevar="unequal")
    se = cm.std_meandiff_separatevar
    # scipy as a second opinion on the p-value (no offset).
    if offset == 0.0:
        sp = stats.ttest_ind(a, b, equal_var=False)
        assert abs(sp.pvalue - p) <= 1e-7 * max(p, 1e-300) + 1e-300, (sp.pvalue, p)
    return {"value": a.mean() - b.mean() - offset, "lower": lo - offset, "upper": hi - offset,
            "std_error": se, "p_value": p, "df": df}


def linearized(value, psi_t, psi_c):
    """Delta-method interval from per-entry influence values: the estimate's
    error is ~ mean(psi_t) - mean(psi_c); Welch se and df from statsmodels."""
    cm = CompareMeans(DescrStatsW(psi_t), DescrStatsW(psi_c))
    _, _, df = cm.ttest_ind(usevar="unequal")
    se = cm.std_meandiff_separatevar
    q = stats.t.ppf(0.5 + CONFIDENCE / 2, df)
    return {"value": value, "lower": value - q * se, "upper": value + q * se,
            "std_error": se, "df": df}


def fieller_roots(num, den, v_num, v_den, cov, q):
    """Fieller set via numpy.roots of (num - r den)^2 - q^2 (v_num - 2 r cov + r^2 v_den)."""
    a = den * den - q * q * v_den
    b = -2 * (num * den - q * q * cov)
    c = num * num - q * q * v_num
    raw = np.roots([a, b, c])
    roots = np.sort(raw.real)
    if a > 0:
        return {"shape": 1.0, "lower": roots[0], "upper": roots[1]}
    if np.any(np.abs(raw.imag) > 0):
        return {"shape": 3.0, "lower": -math.inf, "upper": math.inf}
    return {"shape": 2.0, "lower": roots[0], "upper": roots[1]}


def hall(value, se, df, a):
    """Hall (1992) skewness-corrected interval, inverse found numerically."""
    g = lambda t: t + a * t * t / 3 + a * a * t ** 3 / 27 + a / 6
    q = stats.t.ppf(0.5 + CONFIDENCE / 2, df)
    inv = lambda u: optimize.brentq(lambda t: g(t) - u, -1e3, 1e3, xtol=1e-14, rtol=1e-15)
    p = 2 * stats.t.sf(abs(g(value / se)), df)
    return {"value": value, "lower": value - se * inv(q), "upper": value - se * inv(-q),
            "std_error": se, "df": df, "p_value": min(1.0, p)}


def third_cumulant_of_mean_difference(psi_t, psi_c):
    return (stats.moment(psi_t, 3) / len(psi_t) ** 2 - stats.moment(psi_c, 3) / len(psi_c) ** 2)


def m_multiplier(alpha, pw):
    """Effect in standard errors detected with power pw: statsmodels' power
    function (one-sample form, ratio=0), solved tightly (solve_power's own
    tolerance is ~1e-8 in power)."""
    sm = smpower.NormalIndPower()
    m0 = sm.solve_power(effect_size=None, nobs1=1, alpha=alpha, power=pw, ratio=0)
    return optimize.brentq(lambda m: sm.power(effect_size=m, nobs1=1, alpha=alpha, ratio=0) - pw,
                           0.5 * m0, 2 * m0, xtol=1e-15, rtol=1e-15)


def expected_lift(T, C, F):
    """All reference numbers for one dataset. T and C are dicts of arrays."""
    nT, nC = len(T["y"]), len(C["y"])
    out = {}
    for name, g in (("treatment", T), ("holdout", C)):
        out[name] = {
            "entries": float(len(g["y"])), "conversions": float(g["x"].sum()),
            "conversion_rate": g["x"].mean(), "revenue_per_entry": g["y"].mean(),
            "revenue_sd": g["y"].std(ddof=1), "revenue_skewness": stats.skew(g["y"], bias=True),
            "margin_per_entry": g["m"].mean(), "cost_per_entry": g["c"].mean(),
            "total_revenue": g["y"].sum(), "total_cost": g["c"].sum()}

    # Conversion: unpooled Wald (statsmodels method="wald").
    cT, cC = int(T["x"].sum()), int(C["x"].sum())
    pT, pC = cT / nT, cC / nC
    st = proportion.test_proportions_2indep(cT, nT, cC, nC, method="wald", compare="diff")
    lo, hi = proportion.confint_proportions_2indep(cT, nT, cC, nC, method="wald",
                                                    compare="diff", alpha=ALPHA)
    se_p = math.sqrt(pT * (1 - pT) / nT + pC * (1 - pC) / nC)
    conv = {"value": pT - pC, "lower": lo, "upper": hi, "std_error": se_p,
            "p_value": st.pvalue, "df": math.inf}
    out["conversion_rate_lift"] = conv
    out["incremental_conversions"] = {k: (v * nT if k in ("value", "lower", "upper", "std_error")
                                          else v) for k, v in conv.items()}
    z = stats.norm.ppf(0.5 + CONFIDENCE / 2)
    rho = pT / pC
    grad = np.array([1 / pC, -pT / pC ** 2])
    se_rel = math.sqrt(grad @ np.diag([pT * (1 - pT) / nT, pC * (1 - pC) / nC]) @ grad)
    f = fieller_roots(pT, pC, pT * (1 - pT) / nT, pC * (1 - pC) / nC, 0.0, z)
    out["conversion_rate_relative_lift"] = {
        "value": rho - 1, "lower": rho - 1 - z * se_rel, "upper": rho - 1 + z * se_rel,
        "std_error": se_rel, "p_value": st.pvalue,
        "fieller": {"shape": f["shape"], "lower": f["lower"] - 1, "upper": f["upper"] - 1}}

    for metric, prefix in (("y", "revenue"), ("m", "margin")):
        d = welch(T[metric], C[metric])
        out[f"{prefix}_per_entry_lift"] = d
        out[f"incremental_{prefix}"] = {k: (v * nT if k in ("value", "lower", "upper",
                                                            "std_error") else v)
                                        for k, v in d.items()}
        mT, mC = T[metric].mean(), C[metric].mean()
        r = mT / mC
        rel = linearized(r - 1, T[metric] / mC, r * C[metric] / mC)
        rel["p_value"] = d["p_value"]
        q_d = stats.t.ppf(0.5 + CONFIDENCE / 2, d["df"])
        f = fieller_roots(mT, mC, T[metric].var(ddof=1) / nT, C[metric].var(ddof=1) / nC, 0.0,
                          q_d)
        rel["fieller"] = ({"shape": f["shape"], "lower": f["lower"] - 1, "upper": f["upper"] - 1}
                          if f["shape"] in (1.0, 2.0) else f)
        out[f"{prefix}_per_entry_relative_lift"] = rel
        a = third_cumulant_of_mean_difference(T[metric], C[metric]) / d["std_error"] ** 3
        if metric == "y":
            out["revenue_lift_skewness"] = a
        skew_d = hall(d["value"], d["std_error"], d["df"], a)
        out[f"{prefix}_per_entry_lift_skew_corrected"] = skew_d

        # iROAS-type ratio: influence values include the revenue-cost covariance.
        k = T["c"].mean() + F / nT
        R = d["value"] / k
        psi_t = (T[metric] - R * T["c"]) / k
        psi_c = C[metric] / k
        ro = linearized(R, psi_t, psi_c)
        # Explicit covariance formula as a cross-check of the influence values.
        cov = np.cov(T[metric], T["c"], ddof=1)
        var_explicit = ((cov[0, 0] - 2 * R * cov[0, 1] + R * R * cov[1, 1]) / nT +
                        C[metric].var(ddof=1) / nC) / k ** 2
        assert abs(var_explicit - ro["std_error"] ** 2) <= 1e-9 * var_explicit
        ro["p_value"] = d["p_value"]
        ro["break_even_p_value"] = welch(T[metric] - T["c"], C[metric], offset=F / nT)["p_value"]
        ro["fieller"] = fieller_roots(d["value"], k, d["std_error"] ** 2, cov[1, 1] / nT,
                                      cov[0, 1] / nT, q_d)
        key = "iroas" if metric == "y" else "margin_iroas"
        out[key] = ro
        a_r = third_cumulant_of_mean_difference(psi_t, psi_c) / ro["std_error"] ** 3
        sc = hall(R, ro["std_error"], ro["df"], a_r)
        sc["p_value"] = skew_d["p_value"]
        out[key + "_skew_corrected"] = sc

    K = T["c"].sum() + F
    out["treatment_cost"] = K
    out["attributed_roas"] = T["y"].sum() / K
    if conv["value"] > 0:
        out["cost_per_incremental_conversion"] = {
            "value": K / (nT * conv["value"]), "lower": K / (nT * conv["upper"]),
            "upper": K / (nT * conv["lower"]) if conv["lower"] > 0 else math.inf,
            "p_value": conv["p_value"]}

    # CUPED, theta from the merged sample.
    y_all = np.concatenate([T["y"], C["y"]])
    z_all = np.concatenate([T["z"], C["z"]])
    theta = np.cov(y_all, z_all, ddof=1)[0, 1] / z_all.var(ddof=1)
    adj = welch(T["y"] - theta * (T["z"] - z_all.mean()), C["y"] - theta * (C["z"] - z_all.mean()))
    out["cuped_revenue_lift"] = {
        "lift": adj, "theta": theta,
        "variance_reduction": 1 - adj["std_error"] ** 2 / out["revenue_per_entry_lift"]["std_error"] ** 2}

    # Sequential (asymptotic confidence sequence, GrowthBook parametrization).
    d = out["revenue_per_entry_lift"]
    N = nT + nC
    rho2 = (-2 * math.log(ALPHA) + math.log(-2 * math.log(ALPHA) + 1)) / TUNING_ENTRIES
    s2 = d["std_error"] ** 2 * N
    half = math.sqrt(s2) * math.sqrt(2 * (N * rho2 + 1) / (N * N * rho2) *
                                     math.log(math.sqrt(N * rho2 + 1) / ALPHA))
    # Always-valid p-value: the alpha at which half-width equals |D| (solved numerically).
    def half_at(alpha):
        return math.sqrt(s2) * math.sqrt(2 * (N * rho2 + 1) / (N * N * rho2) *
                                         math.log(math.sqrt(N * rho2 + 1) / alpha))
    if half_at(1.0) >= abs(d["value"]):
        p_seq = 1.0
    else:
        p_seq = math.exp(optimize.brentq(lambda la: half_at(math.exp(la)) - abs(d["value"]),
                                         -700, 0, xtol=1e-15, rtol=1e-15))
    out["sequential_revenue_lift"] = {"value": d["value"], "lower": d["value"] - half,
                                      "upper": d["value"] + half, "p_value": p_seq}

    # MDE at 80 % power, statsmodels NormalIndPower.
    m = m_multiplier(ALPHA, 0.8)
    mde_rev = m * math.sqrt(T["y"].var(ddof=1) / nT + C["y"].var(ddof=1) / nC)
    sd_alt = lambda dl: math.sqrt(pC * (1 - pC) / nC + (pC + dl) * (1 - pC - dl) / nT)
    mde_conv = optimize.brentq(lambda dl: dl / sd_alt(dl) - m, 1e-12, 1 - pC, xtol=1e-15,
                               rtol=1e-15)
    pw = smpower.NormalIndPower().power(effect_size=mde_conv / sd_alt(mde_conv), nobs1=1,
                                        alpha=ALPHA, ratio=0)
    assert abs(pw - 0.8) < 1e-12, pw
    out["mde"] = {"revenue_per_entry": mde_rev, "revenue_per_entry_relative": mde_rev / abs(C["y"].mean()),
                  "conversion_rate": mde_conv, "conversion_rate_relative": mde_conv / pC}

    chi = stats.chisquare([nT, nC], [(nT + nC) / 2, (nT + nC) / 2])
    out["srm"] = {"chi_square": chi.statistic, "p_value": chi.pvalue}
    return out


def compare(checker, prefix, actual, expected):
    for key, exp in expected.items():
        name = f"{prefix}.{key}"
        if key not in actual:
            checker.failures.append(f"{name}: missing from driver output")
            continue
        if isinstance(exp, dict):
            compare(checker, name, actual[key], exp)
        else:
            checker.close(name, actual[key], float(exp) if not isinstance(exp, bool) else exp)


def write_rows(path, T, C):
    with open(path, "w") as f:
        f.write("group,y,m,x,c,z\n")
        for g, data in (("T", T), ("C", C)):
            for row in zip(data["y"], data["m"], data["x"], data["c"], data["z"]):
                f.write(g + "," + ",".join(repr(float(v)) for v in row) + "\n")


def make_group(rng, n, conv, mu, sigma, treated, offset=0.0, cost_per_send=0.01, coupon=0.1):
    value = rng.lognormal(0.0, 0.7, n)  # customer value drives pre-period and current revenue
    x = (rng.random(n) < np.minimum(0.9, conv * value)).astype(float)
    orders = rng.lognormal(mu, sigma, n) * np.sqrt(value)
    y = x * orders + offset
    y[rng.random(n) < 0.01] -= 5.0  # a few refunds
    m = 0.3 * y + x * rng.normal(0, 2, n)
    sends = 1 + rng.poisson(2, n)
    c = (sends * cost_per_send + coupon * x * orders) if treated else np.zeros(n)
    if not treated:
        c[rng.random(n) < 0.002] = cost_per_send  # contamination: a few sends to holdout
    z = (rng.random(n) < 0.4) * rng.lognormal(mu, sigma, n) * value + offset
    return {"y": y, "m": m, "x": x, "c": c, "z": z}


# Keys that change when revenue, margin and the covariate are shifted by a
# constant in both groups; the large-mean dataset is checked on the rest.
NON_INVARIANT = {"revenue_per_entry", "margin_per_entry", "total_revenue",
                 "revenue_per_entry_relative_lift", "margin_per_entry_relative_lift",
                 "attributed_roas", "revenue_per_entry_relative"}


def drop_keys(d, keys):
    return {k: (drop_keys(v, keys) if isinstance(v, dict) else v)
            for k, v in d.items() if k not in keys}


def datasets():
    """(name, treatment, holdout, fixed cost, shift). With a shift, revenue,
    margin and covariate sit near 1e7: numpy's and statsmodels' own sums lose
    digits there, so the reference is computed on the exactly shifted-back
    data and compared on shift-invariant outputs, while the C++ sees the raw
    large values."""
    rng = np.random.default_rng(20240611)
    yield "typical", make_group(rng, 6000, 0.06, 3.5, 1.1, True), make_group(rng, 1500, 0.05, 3.5, 1.1, False), 300.0, None
    yield "small", make_group(rng, 60, 0.3, 3.0, 0.8, True), make_group(rng, 25, 0.25, 3.0, 0.8, False), 20.0, None
    yield ("large_mean", make_group(rng, 3000, 0.2, 2.0, 0.5, True, offset=1e7),
           make_group(rng, 2000, 0.2, 2.0, 0.5, False, offset=1e7), 1000.0,
           {"y": 1e7, "m": 3e6, "z": 1e7})
    # Holdout revenue almost all zero: relative intervals unreliable, Fieller unbounded.
    t = make_group(rng, 3000, 0.03, 3.0, 1.0, True)
    c = make_group(rng, 150, 0.0, 3.0, 1.0, False)
    c["x"][:2] = 1.0
    c["y"][:2] = [35.0, 12.0]
    yield "zero_holdout", t, c, 50.0, None
    # Coupons that scale with basket: strong revenue-cost covariance.
    yield "coupon_heavy", make_group(rng, 5000, 0.12, 3.8, 1.0, True, coupon=0.3), make_group(rng, 5000, 0.06, 3.8, 1.0, False), 0.0, None


def check_lift(checker, driver, tmp):
    for name, T, C, F, shift in datasets():
        path = os.path.join(tmp, f"{name}.csv")
        write_rows(path, T, C)
        res = subprocess.run([driver, "lift", path, repr(F), repr(CONFIDENCE), repr(TUNING_ENTRIES)],
                             capture_output=True, text=True, check=True)
        actual = json.loads(res.stdout)
        before = len(checker.failures)
        if shift:
            back = lambda g: {k: (v - shift[k] if k in shift else v) for k, v in g.items()}
            expected = drop_keys(expected_lift(back(T), back(C), F), NON_INVARIANT)
            # The large means themselves, to the last digits of the small part.
            for gname, g in (("treatment", back(T)), ("holdout", back(C))):
                checker.close(f"{name}.{gname}.revenue_per_entry - shift",
                              actual[gname]["revenue_per_entry"] - shift["y"], math.fsum(g["y"]) / len(g["y"]))
        else:
            expected = expected_lift(T, C, F)
        compare(checker, name, actual, expected)
        print(f"  lift/{name}: nT={len(T['y'])} nC={len(C['y'])} "
              f"warnings={ {k: v for k, v in actual['warnings'].items() if v} } "
              f"{'OK' if len(checker.failures) == before else 'MISMATCH'}")
        if name == "zero_holdout":
            checker.close("zero_holdout.revenue_relative_unreliable",
                          actual["warnings"]["revenue_relative_unreliable"], True)
        if name == "coupon_heavy":
            # The covariance term must matter here (DESIGN.md: ~25 %).
            T_, C_ = T, C
            k = T_["c"].mean() + F / len(T_["y"])
            R = actual["iroas"]["value"]
            se_no_cov = math.sqrt((T_["y"].var(ddof=1) + R * R * T_["c"].var(ddof=1)) / len(T_["y"]) +
                                  C_["y"].var(ddof=1) / len(C_["y"])) / k
            change = abs(se_no_cov / actual["iroas"]["std_error"] - 1)
            print(f"  coupon_heavy: iROAS se without the revenue-cost covariance differs by {change:.1%}")
            if change < 0.05:
                checker.failures.append("coupon_heavy: covariance term unexpectedly negligible")


def check_srm(checker, driver):
    cases = [([5021, 4979], [0.5, 0.5]), ([9012, 1088], [0.9, 0.1]), ([3300, 3350, 3480], [1, 1, 1]),
             ([700, 150, 150], [0.7, 0.15, 0.15]), ([1000, 0], [0.5, 0.5]), ([48000, 2000], [0.95, 0.05])]
    for counts, weights in cases:
        res = subprocess.run([driver, "srm", ",".join(map(str, counts)), ",".join(map(repr, map(float, weights)))],
                             capture_output=True, text=True, check=True)
        actual = json.loads(res.stdout)
        w = np.array(weights, float)
        exp = stats.chisquare(counts, np.sum(counts) * w / w.sum())
        compare(checker, f"srm{counts}", actual, {"chi_square": exp.statistic, "p_value": exp.pvalue,
                                                  "flagged": bool(exp.pvalue < 0.001),
                                                  "df": float(len(counts) - 1)})


def check_adjust(checker, driver):
    rng = np.random.default_rng(5)
    cases = [[0.01, 0.04, 0.03, 0.2], [0.001, 0.001, 0.5, 0.049, 0.051, 0.9, 1.0],
             list(rng.uniform(0, 0.2, 25)), [0.03, float("nan"), 0.01, 0.7], [0.5]]
    for p in cases:
        res = subprocess.run([driver, "adjust", ",".join(repr(float(v)) for v in p)],
                             capture_output=True, text=True, check=True)
        actual = json.loads(res.stdout)
        p = np.array(p, float)
        ok = ~np.isnan(p)
        for method, key in (("holm", "holm"), ("fdr_bh", "bh")):
            exp = np.full(len(p), np.nan)
            exp[ok] = multitest.multipletests(p[ok], method=method)[1]
            for i, (a, e) in enumerate(zip(actual[key], exp)):
                checker.close(f"adjust.{key}[{i}] of {len(p)}", a, float(e))


def check_power(checker, driver):
    queries = ["mde_mean 40 5000 35 1000", "mde_mean 1.5 200 1.5 200", "mde_prop 0.03 90000 10000",
               "mde_prop 0.4 500 500", "plan_prop 0.03 0.05 0.1", "plan_prop 0.2 -0.1 0.5",
               "plan_mean 4.2 38 0.03 0.1", "plan_mean 100 20 0.01 0.2",
               "rel_mde_prop 0.05 200000 0.1", "rel_mde_mean 4.2 38 500000 0.05"]
    for alpha, pw in ((0.05, 0.8), (0.01, 0.9)):
        res = subprocess.run([driver, "power", repr(alpha), repr(pw)], input="\n".join(queries) + "\n",
                             capture_output=True, text=True, check=True)
        m = m_multiplier(alpha, pw)
        sm = smpower.NormalIndPower()
        for line in res.stdout.splitlines():
            actual = json.loads(line)
            kind, *a = actual["query"].split()
            a = [float(v) for v in a]
            exp = {"multiplier": m}
            if kind == "mde_mean":
                exp["mde"] = m * math.sqrt(a[0] ** 2 / a[1] + a[2] ** 2 / a[3])
            elif kind in ("mde_prop", "rel_mde_prop"):
                if kind == "mde_prop":
                    p, nT, nC = a
                else:
                    p, nT, nC = a[0], a[1] * (1 - a[2]), a[1] * a[2]
                sd = lambda dl: math.sqrt(p * (1 - p) / nC + (p + dl) * (1 - p - dl) / nT)
                dl = optimize.brentq(lambda d: sm.power(effect_size=d / sd(d), nobs1=1, alpha=alpha,
                                                        ratio=0) - pw, 1e-12, 1 - p, xtol=1e-15, rtol=1e-15)
                exp["mde"] = dl if kind == "mde_prop" else dl / p
            elif kind == "rel_mde_mean":
                mean, sdv, total, h = a
                exp["mde"] = m * sdv * math.sqrt(1 / (total * (1 - h)) + 1 / (total * h)) / mean
            elif kind == "plan_prop":
                p, rel, h = a
                pT = p * (1 + rel)
                V = pT * (1 - pT) / (1 - h) + p * (1 - p) / h
                n = sm.solve_power(effect_size=abs(pT - p) / math.sqrt(V), nobs1=None, alpha=alpha,
                                   power=pw, ratio=0)
                exp.update(exact_total_entries=n, treatment_entries=float(math.ceil(n * (1 - h))),
                           holdout_entries=float(math.ceil(n * h)))
            elif kind == "plan_mean":
                mean, sdv, rel, h = a
                V = sdv * sdv / (h * (1 - h))
                n = sm.solve_power(effect_size=abs(mean * rel) / math.sqrt(V), nobs1=None,
                                   alpha=alpha, power=pw, ratio=0)
                exp.update(exact_total_entries=n, treatment_entries=float(math.ceil(n * (1 - h))),
                           holdout_entries=float(math.ceil(n * h)))
            compare(checker, f"power[{alpha},{pw}] {actual['query']}", actual, exp)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    driver = sys.argv[1]
    checker = Checker()
    with tempfile.TemporaryDirectory() as tmp:
        check_lift(checker, driver, tmp)
    check_srm(checker, driver)
    check_adjust(checker, driver)
    check_power(checker, driver)
    print(f"{checker.checks} comparisons, max relative difference {checker.max_rel:.3g} "
          f"(tolerance {REL_TOL:g})")
    for f in checker.failures:
        print("MISMATCH " + f)
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
