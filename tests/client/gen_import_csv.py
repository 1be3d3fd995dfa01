#!/usr/bin/env python3
"""Writes a deterministic CSV for `holdfast import` measurements and e2e tests.

    gen_import_csv.py sends 1000000 /tmp/sends.csv

Kinds: sends, outcomes, entries. Journeys cart_abandon and winback (both in
examples/holdfast.textproto); ids are distinct, times spread over November 2026.
"""
import sys

START = 1793491200  # 2026-11-01T00:00:00Z


def main():
    kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    journeys = ("cart_abandon", "winback")
    with open(path, "w", newline="") as f:
        if kind == "sends":
            f.write("send_id,unit,journey,channel,at,cost\n")
            for i in range(n):
                f.write(f"snd-{i},cust-{i * 7919 % 1000003},{journeys[i % 2]},email,"
                        f"{START + i % 2592000},0.002\n")
        elif kind == "outcomes":
            f.write("outcome_id,unit,at,type,revenue,margin,order_id\n")
            for i in range(n):
                f.write(f"ord-{i},cust-{i * 7919 % 1000003},{START + i % 2592000},order,"
                        f"{10 + i % 90}.50,{3 + i % 20}.25,\n")
        elif kind == "entries":
            f.write("journey,unit,at,attr.country\n")
            for i in range(n):
                f.write(f"{journeys[i % 2]},cust-{i},{START + i % 2592000},{('FR', 'DE', 'US')[i % 3]}\n")
        else:
            sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
