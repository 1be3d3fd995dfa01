#!/usr/bin/python3
"""Turns assign_bench JSON into the ratio table of docs/performance.md.

  assign_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
      --benchmark_out=assign_bench.json --benchmark_out_format=json
  /usr/bin/python3 bench/assign_ratios.py assign_bench.json

Uses CPU time. The reference is BM_Sha256ReusedCtx (SHA-256 of the same
length-prefixed bytes through a reused EVP_MD_CTX). "per hash" divides a
decision's time by the mean number of SHA-256 calls it makes (`hashes`).
"""
import json
import sys


def main(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    order = []
    for b in data["benchmarks"]:
        if b.get("run_type") != "aggregate":
            continue
        name, agg = b["run_name"], b["aggregate_name"]
        if agg not in ("median", "min"):
            continue
        if name not in rows:
            rows[name] = {}
            order.append(name)
        rows[name][agg] = b["cpu_time"]
        rows[name]["hashes"] = b.get("hashes")
    ref = rows["BM_Sha256ReusedCtx"]
    print("| benchmark | CPU ns (median) | CPU ns (min) | hashes | × raw (median / min) "
          "| per hash × raw (median / min) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in order:
        r = rows[name]
        h = r["hashes"] or 1.0
        print("| `%s` | %.1f | %.1f | %s | %.2f / %.2f | %.2f / %.2f |" % (
            name, r["median"], r["min"], "%.2f" % r["hashes"] if r["hashes"] else "—",
            r["median"] / ref["median"], r["min"] / ref["min"],
            r["median"] / h / ref["median"], r["min"] / h / ref["min"]))
    ctx = data.get("context", {})
    print()
    print("Context: %s, %s CPUs at %s MHz, load average %s; library build type %s." % (
        ctx.get("date"), ctx.get("num_cpus"), ctx.get("mhz_per_cpu"),
        ", ".join("%.2f" % x for x in ctx.get("load_avg", [])), ctx.get("library_build_type")))


if __name__ == "__main__":
    main(sys.argv[1])
