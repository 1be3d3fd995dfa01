#!/usr/bin/env python3
"""Checks the lift report's declared multiple-testing families against
statsmodels: every adjusted p-value printed by multiplicity_driver must equal
multipletests(method="holm" / "fdr_bh") over exactly its family
(docs/report.md, "Multiple testing"):
  revenue_lift            revenue-lift p of every everyone row (journey x arm, "*" included)
  segment_revenue_lift    revenue-lift p of every segment row
  iroas_breakeven         break-even p of every everyone row
  segment_iroas_breakeven break-even p of every segment row
and asking for segments must not change any everyone row's adjusted p-values.

    /usr/bin/python3 tests/report/multiplicity_reference_check.py build/tests/report/report_multiplicity_driver
"""
import math
import subprocess
import sys

from statsmodels.stats.multitest import multipletests

TOL = 1e-12


def close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= TOL * max(1.0, abs(b))


def adjust(ps):
    """Holm and BH with NaNs left out of the family (they stay NaN)."""
    idx = [i for i, p in enumerate(ps) if not math.isnan(p)]
    holm = [math.nan] * len(ps)
    bh = [math.nan] * len(ps)
    if idx:
        sub = [ps[i] for i in idx]
        h = multipletests(sub, method="holm")[1]
        b = multipletests(sub, method="fdr_bh")[1]
        for k, i in enumerate(idx):
            holm[i], bh[i] = float(h[k]), float(b[k])
    return holm, bh, len(idx)


def main():
    out = subprocess.run([sys.argv[1]], capture_output=True, text=True, check=True).stdout
    rows, families = [], {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "family":
            families[(f[1], f[2])] = int(f[3])
            continue
        run, journey, arm, segment = f[:4]
        p, holm, bh, be, be_holm, be_bh = (float(x) for x in f[4:])
        rows.append(dict(run=run, journey=journey, arm=arm, segment=segment, p=p, holm=holm, bh=bh,
                         be=be, be_holm=be_holm, be_bh=be_bh))
    checked = failures = 0
    for run in ("without", "with"):
        mine = [r for r in rows if r["run"] == run]
        for fam, seg, pk, hk, bk in (("revenue_lift", False, "p", "holm", "bh"),
                                     ("segment_revenue_lift", True, "p", "holm", "bh"),
                                     ("iroas_breakeven", False, "be", "be_holm", "be_bh"),
                                     ("segment_iroas_breakeven", True, "be", "be_holm", "be_bh")):
            members = [r for r in mine if (r["segment"] != "-") == seg]
            holm, bh, m = adjust([r[pk] for r in members])
            if families.get((run, fam)) != m:
                print(f"FAIL {run} {fam}: family size {families.get((run, fam))}, expected {m}")
                failures += 1
            for r, h, b in zip(members, holm, bh):
                for got, want, what in ((r[hk], h, "holm"), (r[bk], b, "bh")):
                    checked += 1
                    if not close(got, want):
                        failures += 1
                        print(f"FAIL {run} {fam} {r['journey']}/{r['arm']}/{r['segment']} {what}: "
                              f"{got!r} vs statsmodels {want!r}")
    # Segments do not move the headline family.
    key = lambda r: (r["journey"], r["arm"])
    without = {key(r): r for r in rows if r["run"] == "without"}
    for r in rows:
        if r["run"] == "with" and r["segment"] == "-":
            w = without[key(r)]
            for k in ("holm", "bh", "be_holm", "be_bh"):
                checked += 1
                if not close(r[k], w[k]):
                    failures += 1
                    print(f"FAIL segments changed {key(r)} {k}: {r[k]!r} vs {w[k]!r}")
    n_everyone = sum(1 for r in rows if r["run"] == "with" and r["segment"] == "-")
    n_segment = sum(1 for r in rows if r["run"] == "with" and r["segment"] != "-")
    if n_everyone < 6 or n_segment < 18:
        print(f"FAIL: expected >= 6 everyone and >= 18 segment rows, got {n_everyone}, {n_segment}")
        failures += 1
    print(f"{checked} adjusted p-values compared with statsmodels, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
