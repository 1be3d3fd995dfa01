#!/usr/bin/env python3
"""tools/check_truth.py must fail whenever a check cannot be judged: a missing
row (pooled or arm), an absent or undefined estimate, a NaN bound. Before this
test an undefined estimate (JSON zeros) "covered" a true effect of 0."""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "check_truth.py")

TRUTH = {"journeys": [
    {"journey": "cart", "arms": [
        {"arm": "a", "conversion_lift": 0.01, "revenue_lift": 0.5},
        {"arm": "b", "conversion_lift": 0.0, "revenue_lift": 0.0}],
     "pooled": {"conversion_lift": 0.005, "revenue_lift": 0.25, "iroas": 2.0, "margin_iroas": 0.6}},
    {"journey": "null", "arms": [{"arm": "treatment", "conversion_lift": 0.0, "revenue_lift": 0.0}],
     "pooled": {"conversion_lift": 0.0, "revenue_lift": 0.0, "iroas": 0.0, "margin_iroas": 0.0}},
]}


def est(value, lower, upper):
    return {"value": value, "lower": lower, "upper": upper, "defined": True, "p_value": 0.5}


def covering_report():
    rows = []
    for j in TRUTH["journeys"]:
        p = j["pooled"]
        rows.append({"journey": j["journey"], "arm": "*", "segment": "",
                     **{q: est(p[q], p[q] - 1, p[q] + 1) for q in
                        ("conversion_lift", "revenue_lift", "iroas", "margin_iroas")}})
        if len(j["arms"]) > 1:
            for a in j["arms"]:
                rows.append({"journey": j["journey"], "arm": a["arm"], "segment": "",
                             **{q: est(a[q], a[q] - 1, a[q] + 1) for q in ("conversion_lift", "revenue_lift")}})
    return {"rows": rows}


def run(report, truth=None):
    with tempfile.TemporaryDirectory() as d:
        rp, tp = os.path.join(d, "r.json"), os.path.join(d, "t.json")
        json.dump(report, open(rp, "w"))
        json.dump(truth or TRUTH, open(tp, "w"))
        out = subprocess.run([sys.executable, SCRIPT, rp, tp], capture_output=True, text=True)
        return out.returncode, out.stdout


def find(report, journey, arm):
    return next(r for r in report["rows"] if r["journey"] == journey and r["arm"] == arm)


class CheckTruthTest(unittest.TestCase):
    def test_all_covered_passes(self):
        code, out = run(covering_report())
        self.assertEqual(code, 0, out)
        self.assertIn("12 of 12 true effects inside their intervals", out)

    def test_interval_missing_the_truth_fails(self):
        r = covering_report()
        find(r, "cart", "*")["iroas"] = est(5.0, 4.0, 6.0)
        code, out = run(r)
        self.assertEqual(code, 1, out)
        self.assertIn("11 of 12", out)

    def test_missing_arm_row_fails(self):
        r = covering_report()
        r["rows"] = [x for x in r["rows"] if x["arm"] != "b"]
        code, out = run(r)
        self.assertEqual(code, 1, out)
        self.assertIn("no row in the report", out)

    def test_missing_pooled_row_fails(self):
        r = covering_report()
        r["rows"] = [x for x in r["rows"] if x["journey"] != "null"]
        code, out = run(r)
        self.assertEqual(code, 1, out)
        self.assertIn("8 of 12", out)

    def test_undefined_estimate_at_a_true_zero_fails(self):
        r = covering_report()
        find(r, "null", "*")["revenue_lift"] = {"value": 0, "lower": 0, "upper": 0, "defined": False}
        code, out = run(r)
        self.assertEqual(code, 1, out)
        self.assertIn("estimate undefined", out)

    def test_absent_estimate_and_absent_defined_fail(self):
        r = covering_report()
        del find(r, "null", "*")["iroas"]
        e = find(r, "null", "*")["margin_iroas"]
        del e["defined"]
        code, out = run(r)
        self.assertEqual(code, 1, out)
        self.assertIn("10 of 12", out)

    def test_nan_bound_fails(self):
        r = covering_report()
        find(r, "cart", "a")["revenue_lift"]["upper"] = "NaN"
        code, out = run(r)
        self.assertEqual(code, 1, out)
        self.assertIn("not finite", out)

    def test_primary_skew_corrected_interval_is_the_one_checked(self):
        r = covering_report()
        row = find(r, "cart", "*")
        row["primary_interval"] = "SKEW_CORRECTED"
        row["iroas_skew_corrected"] = est(2.5, 2.2, 2.8)  # misses the true 2.0
        row["revenue_lift_skew_corrected"] = est(0.25, 0.0, 0.5)
        row["margin_iroas_skew_corrected"] = est(0.6, 0.1, 1.1)
        code, out = run(r)
        self.assertEqual(code, 1, out)
        self.assertIn("11 of 12", out)
        del row["margin_iroas_skew_corrected"]
        code, out = run(r)
        self.assertIn("no 'margin_iroas_skew_corrected'", out)

    def test_camel_case_json_names_are_read(self):
        r = covering_report()
        for row in r["rows"]:
            for q in ("conversion_lift", "revenue_lift", "margin_iroas"):
                if q in row:
                    parts = q.split("_")
                    row[parts[0] + "".join(p.title() for p in parts[1:])] = row.pop(q)
        code, out = run(r)
        self.assertEqual(code, 0, out)


HORIZON_DAYS = list(range(1, 41))


def horizon_case(missed, undefined=False):
    """The covering report plus 40 cumulative points on the pooled 'null' row,
    `missed` of them with intervals that miss the truth 0."""
    truth = copy.deepcopy(TRUTH)
    truth["journeys"][1]["cumulative"] = [{"days": d, "revenue": 0.0} for d in HORIZON_DAYS]
    report = covering_report()
    row = find(report, "null", "*")
    row["cumulative"] = []
    for i, d in enumerate(HORIZON_DAYS):
        e = est(5.0, 4.0, 6.0) if i < missed else est(0.0, -1.0, 1.0)
        if undefined and i == 0:
            e["defined"] = False
        row["cumulative"].append({"since_entry": f"{d * 86400}s", "revenue": e, "margin": e})
    return report, truth


class HorizonFamilyTest(unittest.TestCase):
    def test_misses_within_chance_pass_and_are_printed(self):
        code, out = run(*horizon_case(missed=2))
        self.assertEqual(code, 0, out)
        self.assertIn("NO", out)
        self.assertIn("horizon family: 2 of 40 checks missed", out)

    def test_misses_beyond_chance_fail(self):
        code, out = run(*horizon_case(missed=10))
        self.assertEqual(code, 1, out)

    def test_undefined_horizon_estimate_fails(self):
        code, out = run(*horizon_case(missed=0, undefined=True))
        self.assertEqual(code, 1, out)


if __name__ == "__main__":
    unittest.main()
