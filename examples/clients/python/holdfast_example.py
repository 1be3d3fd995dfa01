#!/usr/bin/python3
"""What a journey engine does at trigger time, over Holdfast's gRPC API.

For each customer: ask Holdfast to treat or hold out (Assign, which also
records the entry, so held-out customers are counted as the control group),
send the message only when treated and record the send with its cost, then
record the order the customer placed. Every write carries its own id, so a
retried call is stored once.

Uses Debian's python3-grpcio and python3-protobuf and the stubs the build
generates (build/examples/clients/python/gen). Run from the repository:

    PYTHONPATH=build/examples/clients/python/gen \\
      /usr/bin/python3 examples/clients/python/holdfast_example.py \\
      --server 127.0.0.1:50051 --journey cart_abandon --unit cust-1001

Prints one key=value line per step. With tokens (holdfastd --auth_tokens) set
$HOLDFAST_TOKEN to a token with the `assign` and `ingest` roles; with TLS pass
--tls-ca. docs/integration.md covers timeouts, retries and what to do when
Holdfast cannot be reached.
"""

import argparse
import datetime
import os
import sys
import time

import grpc
from google.protobuf import timestamp_pb2

from holdfast.v1 import assignment_pb2
from holdfast.v1 import assignment_service_pb2_grpc
from holdfast.v1 import event_service_pb2_grpc
from holdfast.v1 import events_pb2

# Codes worth retrying: the call may not have reached the store. Every call
# here is idempotent (Assign is a pure function and records an entry once per
# period; sends and orders carry ids), so a retry never double-counts.
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
             grpc.StatusCode.RESOURCE_EXHAUSTED)


def call(method, request, metadata, timeout_s, attempts=3):
    """Calls `method` with a deadline, retrying retryable codes with backoff."""
    for attempt in range(attempts):
        try:
            return method(request, timeout=timeout_s, metadata=metadata)
        except grpc.RpcError as e:
            if e.code() not in RETRYABLE or attempt == attempts - 1:
                raise
            time.sleep(0.05 * 2 ** attempt)
    raise AssertionError("unreachable")


def timestamp(t):
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(t)
    return ts


def parse_time(text):
    """RFC 3339 ('2026-11-02T10:00:00Z') to an aware UTC datetime."""
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--at needs a time zone: {text!r}")
    return t.astimezone(datetime.timezone.utc)


def channel_for(server, tls_ca):
    if not tls_ca:
        return grpc.insecure_channel(server)
    with open(tls_ca, "rb") as f:
        return grpc.secure_channel(server, grpc.ssl_channel_credentials(root_certificates=f.read()))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--server", default=os.environ.get("HOLDFAST_SERVER", "127.0.0.1:50051"),
                   help="HOST:PORT of holdfastd (default $HOLDFAST_SERVER, else 127.0.0.1:50051)")
    p.add_argument("--tls-ca", help="PEM CA of the server certificate: speak TLS")
    p.add_argument("--journey", default="cart_abandon")
    p.add_argument("--unit", action="append", help="customer id; repeat for more (default cust-1001)")
    p.add_argument("--at", type=parse_time, help="trigger time, RFC 3339 (default: now)")
    p.add_argument("--channel", default="email")
    p.add_argument("--order-revenue", type=float, default=59.90)
    p.add_argument("--timeout", type=float, default=0.5,
                   help="seconds per attempt; a decision at trigger time must be fast")
    args = p.parse_args(argv)
    units = args.unit or ["cust-1001"]
    at = args.at or datetime.datetime.now(datetime.timezone.utc)
    token = os.environ.get("HOLDFAST_TOKEN", "").strip()
    metadata = [("authorization", "Bearer " + token)] if token else []

    with channel_for(args.server, args.tls_ca) as channel:
        assigner = assignment_service_pb2_grpc.AssignmentServiceStub(channel)
        events = event_service_pb2_grpc.EventServiceStub(channel)
        for unit in units:
            # 1. The decision. Not dry_run: the entry is recorded before the
            #    answer comes back, for treated and held-out customers alike.
            a = call(assigner.Assign,
                     assignment_pb2.AssignRequest(journey=args.journey, unit=unit, at=timestamp(at)),
                     metadata, args.timeout).assignment
            group = assignment_pb2.Group.Name(a.group)
            print(f"assign unit={a.unit} journey={a.journey} group={group} arm={a.arm or '-'} "
                  f"period={a.period} config={a.config_version} new_entry={str(a.new_entry).lower()}")

            # 2. Only a treated customer gets the message. The send id is the
            #    engine's own (one per journey, customer and period here).
            if a.group == assignment_pb2.TREATMENT:
                send = events_pb2.SendRecord(
                    send_id=f"{a.journey}:{a.unit}:{a.period}:{args.channel}", unit=a.unit,
                    journey=a.journey, channel=args.channel, at=timestamp(at + datetime.timedelta(minutes=5)))
                s = call(events.RecordSends, events_pb2.RecordSendsRequest(sends=[send]), metadata, 5.0)
                print(f"send unit={a.unit} channel={args.channel} inserted={s.inserted} duplicates={s.duplicates}")
            else:
                print(f"send unit={a.unit} skipped=held_out")

            # 3. The order, treated or not: the holdout's orders are the
            #    counterfactual the lift is measured against.
            order = events_pb2.OutcomeRecord(
                outcome_id=f"order-{a.unit}-1", unit=a.unit, type=events_pb2.ORDER,
                at=timestamp(at + datetime.timedelta(hours=2)), revenue=args.order_revenue,
                margin=round(args.order_revenue * 0.3, 2))
            o = call(events.RecordOutcomes, events_pb2.RecordOutcomesRequest(outcomes=[order]), metadata, 5.0)
            print(f"order unit={a.unit} revenue={args.order_revenue:.2f} inserted={o.inserted} "
                  f"duplicates={o.duplicates}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except grpc.RpcError as e:
        print(f"holdfast_example: {e.code().name}: {e.details()}", file=sys.stderr)
        sys.exit(1)
