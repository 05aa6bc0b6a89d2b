#!/usr/bin/env python3
"""Benchmark `palisade detect` on generated CloudTrail against the practical limit.

Usage: bench/detect_bench.py [--sizes 1G,10G] [--runs 1] [--work DIR]

For each size, bench/gen_cloudtrail.py writes gzipped CloudTrail files as S3 delivery lays
them out (once; reused from --work). The release build then runs, on the same files and the
same number of threads (one per core):
  - `parse_limit inflate`: decompression only;
  - `parse_limit value`: decompress and parse every record into a JSON DOM (serde_json Value);
  - `parse_limit typed`: decompress and parse every record into Palisade's typed event;
  - `palisade detect --format jsonl` with every bundled rule (SigmaHQ and Palisade's Sigma
    rules) and the built-in detections, with its peak memory.
It prints events/s and MB/s (uncompressed JSON) per core for each, and detect's speed as a
fraction of each limit. The issue's target is at least half of decompress + parse. Run it by
hand on an idle machine; it is not a test.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from scan_bench import ROOT, measure


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1G,10G")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="palisade-detect-bench-")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "palisade"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "palisade-detect", "--example", "parse_limit"],
                   cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "palisade")
    limit = os.path.join(ROOT, "target", "release", "examples", "parse_limit")
    cores = os.cpu_count() or 1
    print(f"{cores} cores; figures per core are totals divided by {cores}")
    for size in a.sizes.split(","):
        data = os.path.join(work, f"cloudtrail-{size}")
        meta_path = os.path.join(data, "meta.json")
        if not os.path.exists(meta_path):
            print(f"generating {size} of CloudTrail in {data}", file=sys.stderr)
            out = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_cloudtrail.py"), "--size", size,
                                  "--out", data], check=True, stdout=subprocess.PIPE).stdout
            with open(meta_path, "wb") as f:
                f.write(out)
        with open(meta_path) as f:
            meta = json.load(f)
        logs = os.path.join(data, "AWSLogs")
        gz_mb = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(logs) for n in ns) / 1e6
        mb = meta["json_bytes"] / 1e6
        events = meta["records"]
        print(f"\n{size}: {meta['files']} files, {events:,} events, {mb:,.0f} MB JSON ({gz_mb:,.0f} MB gzipped)")
        rows = {}
        for mode in ("inflate", "value", "typed"):
            best = min((measure([limit, mode, logs]) for _ in range(a.runs)), key=lambda r: r[0])
            rows[mode] = best
        best = min((measure([binary, "detect", logs, "--format", "jsonl", "--no-baseline", "--fail-on", "never"])
                    for _ in range(a.runs)), key=lambda r: r[0])
        rows["detect"] = best
        findings = len([l for l in best[2].splitlines() if l.strip()])
        for name, (wall, peak, _) in rows.items():
            eps = events / wall / cores
            print(f"  {name:8} {wall:7.2f} s  {eps:10,.0f} events/s/core  {mb / wall / cores:7.1f} MB/s/core  peak {peak:6.0f} MB")
        d = rows["detect"][0]
        print(f"  detect: {findings} findings; speed = {rows['value'][0] / d:.2f} of decompress+parse (DOM), "
              f"{rows['typed'][0] / d:.2f} of decompress+parse (typed)")


if __name__ == "__main__":
    sys.exit(main())
