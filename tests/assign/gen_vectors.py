#!/usr/bin/python3
"""Independent reference implementation of Holdfast hash_version 1.

Written from docs/hashing.md only (hashlib, Python integers; no code shared
with lib/assign). It produces the test vectors the C++ tests compare against:

  hash_vectors.tsv    raw hash level: fields -> SHA-256 digest, h, bucket
  assign_vectors.tsv  end-to-end decisions: config, unit, time -> group/arm

Usage:
  gen_vectors.py --write DIR [--doc FILE]   (re)write both files into DIR and
                                            the generated section of FILE
  gen_vectors.py --check DIR [--doc FILE]   exit 1 with a diff if DIR's files
                                            (or FILE's generated section) differ
  gen_vectors.py --markdown                 print the generated doc section

ctest runs --check against tests/assign and docs/hashing.md, so the committed
files, the spec's tables, this script and the C++ implementation are always
checked against each other.
"""

import argparse
import difflib
import hashlib
import os
import sys

SHARE_SCALE = 10**6  # shares are integers in parts per million
TWO64 = 2**64


# --------------------------------------------------------------------------
# The scheme (docs/hashing.md, "Hash version 1").


def encode(fields):
    """Each field as a 4-byte big-endian byte length, then its bytes."""
    out = bytearray()
    for f in fields:
        assert isinstance(f, bytes)
        out += len(f).to_bytes(4, "big") + f
    return bytes(out)


def digest(fields):
    return hashlib.sha256(encode(fields)).digest()


def h64(fields):
    """First 8 digest bytes as an unsigned big-endian integer."""
    return int.from_bytes(digest(fields)[:8], "big")


def scale(h, n):
    """floor(h * n / 2^64): exact integer arithmetic."""
    return (h * n) // TWO64


def bucket(h):
    return scale(h, SHARE_SCALE)


class Holdout:
    def __init__(self, scheme="none", share_ppm=0, seed=b"", period_us=0, epoch_us=0,
                 washout_us=0, stride_ppm=0):
        self.scheme = scheme
        self.share_ppm = share_ppm
        self.seed = seed
        self.period_us = period_us
        self.epoch_us = epoch_us
        self.washout_us = washout_us
        self.stride_ppm = stride_ppm

    def encode(self):
        return ";".join([self.scheme, str(self.share_ppm), str(self.period_us),
                         str(self.epoch_us), str(self.washout_us), str(self.stride_ppm),
                         self.seed.hex()])


def period_index(hs, t):
    if hs.scheme == "none":
        return 0
    return (t - hs.epoch_us) // hs.period_us  # Python // is floor division


def in_holdout(hs, unit, k):
    if hs.share_ppm == 0:
        return False
    if hs.scheme == "none":
        return bucket(h64([hs.seed, unit])) < hs.share_ppm
    if hs.scheme == "sliding":
        pos = bucket(h64([hs.seed, unit]))
        start = (k * hs.stride_ppm) % SHARE_SCALE  # Python % is non-negative here
        return (pos - start) % SHARE_SCALE < hs.share_ppm
    if hs.scheme == "resalt":
        return bucket(h64([hs.seed, str(k).encode("ascii"), unit])) < hs.share_ppm
    raise ValueError(hs.scheme)


def decide(glob, journey, arm_seed, weights, unit, t):
    """Returns (group, arm_index, period, in_washout)."""
    k = period_index(journey, t)
    washout = (journey.scheme != "none" and journey.washout_us > 0 and
               t - (journey.epoch_us + k * journey.period_us) < journey.washout_us)
    if glob.share_ppm > 0 and in_holdout(glob, unit, period_index(glob, t)):
        return ("GLOBAL_HOLDOUT", -1, k, washout)
    if in_holdout(journey, unit, k):
        return ("HOLDOUT", -1, k, washout)
    if len(weights) <= 1:
        return ("TREATMENT", 0, k, washout)
    r = scale(h64([arm_seed, unit]), sum(weights))
    for i, w in enumerate(weights):
        if r < w:
            return ("TREATMENT", i, k, washout)
        r -= w
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------
# The vectors.

LONG_ID = (b"0123456789abcdef" * 16)  # 256 bytes, the longest id the API accepts
assert len(LONG_ID) == 256

# (name, fields). Fields are the exact bytes hashed.
HASH_VECTORS = [
    ("ascii", [b"holdout:cart_abandon", b"cust-42"]),
    ("empty_unit", [b"holdout:cart_abandon", b""]),
    ("empty_seed", [b"", b"cust-42"]),
    ("one_byte_unit", [b"holdout:cart_abandon", b"x"]),
    ("long_unit_256", [b"holdout:cart_abandon", LONG_ID]),
    ("latin_nfc", [b"holdout:cart_abandon", "Jos\u00e9".encode("utf-8")]),
    ("latin_nfd", [b"holdout:cart_abandon", "Jose\u0301".encode("utf-8")]),
    ("cjk", [b"holdout:cart_abandon", "\u9867\u5ba2".encode("utf-8")]),
    ("emoji", [b"holdout:cart_abandon", "\U0001F642".encode("utf-8")]),
    ("emoji_zwj", [b"holdout:cart_abandon", "\U0001F469\u200D\U0001F4BB".encode("utf-8")]),
    ("nul_inside", [b"holdout:cart_abandon", b"a\x00b"]),
    # Encodings of exactly 384 and 385 bytes (the C++ code switches from one
    # stack buffer to piecewise updates above 384; the digest must not change).
    ("message_384_bytes", [b"s" * 120, LONG_ID]),
    ("message_385_bytes", [b"s" * 121, LONG_ID]),
    ("split_ab_c", [b"ab", b"c"]),
    ("split_a_bc", [b"a", b"bc"]),
    ("single_field", [b"abc"]),
    ("resalt_k0", [b"holdout:winback", b"0", b"cust-42"]),
    ("resalt_k1", [b"holdout:winback", b"1", b"cust-42"]),
    ("resalt_k_neg1", [b"holdout:winback", b"-1", b"cust-42"]),
    ("resalt_k_2917", [b"holdout:winback", b"2917", b"cust-42"]),
    ("arm_split", [b"arms:cart_abandon", b"cust-42"]),
    ("global", [b"global:2026", b"cust-42"]),
]

DAY_US = 86400 * 10**6
WEEK_US = 7 * DAY_US
EPOCH_2026_01_05 = 1767571200 * 10**6  # Monday 2026-01-05T00:00:00Z
T0 = EPOCH_2026_01_05 + 3 * WEEK_US + 2 * DAY_US + 3600 * 10**6  # inside period 3

NO_GLOBAL = Holdout()

# (name, global, journey, arm_seed, weights, times)
CONFIGS = [
    ("static_10pct", NO_GLOBAL,
     Holdout("none", 100000, b"holdout:cart_abandon"), b"", [1], [T0]),
    ("static_30pct_arms_50_50", NO_GLOBAL,
     Holdout("none", 300000, b"holdout:cart_abandon"), b"arms:cart_abandon", [1, 1], [T0]),
    ("sliding_10pct_weekly", NO_GLOBAL,
     Holdout("sliding", 100000, b"holdout:renewal", WEEK_US, EPOCH_2026_01_05, DAY_US, 100000),
     b"", [1],
     [EPOCH_2026_01_05 - WEEK_US - 1, EPOCH_2026_01_05 - 1, EPOCH_2026_01_05,
      EPOCH_2026_01_05 + DAY_US - 1, EPOCH_2026_01_05 + DAY_US, T0]),
    ("resalt_20pct_daily", NO_GLOBAL,
     Holdout("resalt", 200000, b"holdout:winback", DAY_US, EPOCH_2026_01_05, 0, 0),
     b"arms:winback", [1, 1, 2], [EPOCH_2026_01_05 - 1, EPOCH_2026_01_05, T0]),
    ("global_10pct_static_20pct_arms_1_1_2",
     Holdout("none", 100000, b"global:v1"),
     Holdout("none", 200000, b"holdout:cart_abandon"), b"arms:cart_abandon", [1, 1, 2], [T0]),
    ("global_sliding_25pct_quarterly",
     Holdout("sliding", 250000, b"global:rotating", 13 * WEEK_US, EPOCH_2026_01_05, 0, 250000),
     Holdout("sliding", 100000, b"holdout:renewal", WEEK_US, EPOCH_2026_01_05, DAY_US, 100000),
     b"arms:renewal", [3, 7], [EPOCH_2026_01_05 - 1, T0]),
]

UNITS = [
    b"cust-1", b"cust-2", b"cust-3", b"cust-4", b"cust-5", b"cust-6", b"cust-7", b"cust-8",
    b"cust-9", b"cust-10", b"cust-11", b"cust-12",
    "Jos\u00e9".encode("utf-8"), "\u9867\u5ba2".encode("utf-8"), "\U0001F642".encode("utf-8"),
    LONG_ID,
]


def hash_rows():
    rows = []
    for name, fields in HASH_VECTORS:
        h = h64(fields)
        rows.append([name, ",".join(f.hex() for f in fields), digest(fields).hex(), str(h),
                     str(bucket(h))])
    return rows


def assign_rows():
    rows = []
    for name, glob, journey, arm_seed, weights, times in CONFIGS:
        for t in times:
            for unit in UNITS:
                group, arm, k, washout = decide(glob, journey, arm_seed, weights, unit, t)
                rows.append([name, glob.encode(), journey.encode(), arm_seed.hex(),
                             ",".join(str(w) for w in weights), unit.hex(), str(t), group,
                             str(arm), str(k), "1" if washout else "0"])
    return rows


HASH_HEADER = ["name", "fields_hex", "sha256_hex", "h_u64", "bucket_ppm"]
ASSIGN_HEADER = ["name", "global", "journey", "arm_seed_hex", "arm_weights", "unit_hex",
                 "t_us", "group", "arm_index", "period", "in_washout"]


def tsv(comment, header, rows):
    lines = ["# " + line for line in comment] + ["\t".join(header)]
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def files():
    note = ["Generated by tests/assign/gen_vectors.py (independent Python reference).",
            "Do not edit by hand; regenerate with: /usr/bin/python3 tests/assign/gen_vectors.py "
            "--write tests/assign"]
    hash_note = note + ["fields_hex: the hashed fields, each hex-encoded, comma-separated."]
    assign_note = note + [
        "global/journey: scheme;share_ppm;period_us;epoch_us;washout_us;stride_ppm;seed_hex",
        "arm_seed_hex and unit_hex are hex-encoded bytes; arm_weights comma-separated."]
    return {
        "hash_vectors.tsv": tsv(hash_note, HASH_HEADER, hash_rows()),
        "assign_vectors.tsv": tsv(assign_note, ASSIGN_HEADER, assign_rows()),
    }


# --------------------------------------------------------------------------
# Markdown for docs/hashing.md.


def show(b):
    """Readable rendering of a field for the docs."""
    if b == LONG_ID:
        return '"0123456789abcdef" × 16 (256 bytes)'
    if len(b) > 64 and b == b[:1] * len(b):
        return '"%s" × %d' % (b[:1].decode("ascii"), len(b))
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return "0x" + b.hex()
    if any(ord(c) < 0x20 for c in s):
        return "0x" + b.hex()
    if all(ord(c) < 0x80 for c in s):
        return '"%s"' % s
    return '"%s" (UTF-8 %s)' % (s, b.hex(" "))


def iso(t):
    import datetime
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=t)
    frac = ".%06d" % dt.microsecond if dt.microsecond else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def describe(hs):
    if hs.share_ppm == 0:
        return "none"
    text = "%s, share_ppm %d, seed %s" % (hs.scheme.upper() if hs.scheme != "none" else "static",
                                          hs.share_ppm, show(hs.seed))
    if hs.scheme != "none":
        text += ", period %d µs, epoch %d" % (hs.period_us, hs.epoch_us)
        if hs.washout_us:
            text += ", washout %d µs" % hs.washout_us
        if hs.scheme == "sliding":
            text += ", stride_ppm %d" % hs.stride_ppm
    return text


def markdown_hash():
    out = ["| name | fields | SHA-256 of the encoding (hex) | h (u64) | bucket |",
           "|---|---|---|---|---|"]
    for name, fields in HASH_VECTORS:
        h = h64(fields)
        out.append("| %s | %s | `%s` | %d | %d |" % (
            name, ", ".join(show(f) for f in fields), digest(fields).hex(), h, bucket(h)))
    out.append("")
    return "\n".join(out)


def markdown_assign():
    out = []
    for name, glob, journey, arm_seed, weights, times in CONFIGS:
        out.append("#### `%s`" % name)
        out.append("")
        out.append("- global holdout: %s" % describe(glob))
        out.append("- journey holdout: %s" % describe(journey))
        out.append("- arms: weights %s%s" % (
            ":".join(str(w) for w in weights),
            (", arm seed " + show(arm_seed)) if len(weights) > 1 else " (no arm hash)"))
        out.append("")
        out.append("| unit | " + " | ".join("%s<br>`%d`" % (iso(t), t) for t in times) + " |")
        out.append("|---|" + "---|" * len(times))
        cells = []
        for t in times:
            _, _, k, w = decide(glob, journey, arm_seed, weights, UNITS[0], t)
            cells.append("k=%d%s" % (k, ", washout" if w else ""))
        out.append("| *(period, washout)* | " + " | ".join(cells) + " |")
        for unit in UNITS:
            cells = []
            for t in times:
                group, arm, _, _ = decide(glob, journey, arm_seed, weights, unit, t)
                cells.append({"TREATMENT": "T/%d" % arm, "HOLDOUT": "H",
                              "GLOBAL_HOLDOUT": "G"}[group])
            out.append("| %s | %s |" % ("256-byte id" if unit == LONG_ID else show(unit),
                                         " | ".join(cells)))
        out.append("")
    return "\n".join(out)


# Sections of docs/hashing.md written by this script, between marker lines.
DOC_SECTIONS = [("hash vectors", markdown_hash), ("assignment vectors", markdown_assign)]


def markdown():
    return "".join(f() for _, f in DOC_SECTIONS)


def with_doc_sections(doc_text):
    """doc_text with the text between each pair of markers regenerated."""
    for label, f in DOC_SECTIONS:
        begin = "<!-- BEGIN %s: generated by tests/assign/gen_vectors.py -->\n" % label
        end = "<!-- END %s -->\n" % label
        b = doc_text.find(begin)
        e = doc_text.find(end)
        if b < 0 or e < b:
            raise SystemExit("doc lacks the markers of section '%s'" % label)
        doc_text = doc_text[:b + len(begin)] + f() + doc_text[e:]
    return doc_text


def main():
    p = argparse.ArgumentParser()
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="DIR")
    g.add_argument("--check", metavar="DIR")
    g.add_argument("--markdown", action="store_true")
    p.add_argument("--doc", metavar="FILE")
    a = p.parse_args()
    if a.markdown:
        sys.stdout.write(markdown())
        return 0
    expected = {os.path.join(a.write or a.check, name): text for name, text in files().items()}
    if a.doc:
        with open(a.doc, encoding="utf-8", newline="") as f:
            expected[a.doc] = with_doc_sections(f.read())
    if a.write:
        for path, text in expected.items():
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        return 0
    ok = True
    for path, text in expected.items():
        with open(path, encoding="utf-8", newline="") as f:
            have = f.read()
        if have != text:
            ok = False
            sys.stdout.writelines(difflib.unified_diff(
                have.splitlines(True), text.splitlines(True), path, "regenerated"))
    print("vectors match" if ok else "vectors DIFFER from the reference implementation")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
