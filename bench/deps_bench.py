#!/usr/bin/env python3
"""Benchmark the dependency audit: importing an OSV export, then matching locked packages.

Usage: bench/deps_bench.py [--advisories 200000] [--packages 5000] [--runs 3] [--work DIR]

bench/gen_osv.py writes a synthetic OSV zip export and a project with PACKAGES locked packages
(half npm package-lock, half poetry.lock) drawn from the advisories' packages. The release
build then:
  1. imports the export into a fresh database (`palisade db import`; target under 30 s for
     200,000 advisories), best of RUNS;
  2. audits the project (`palisade deps --format json`; target under 1 s for 5,000 packages),
     best of RUNS, with its peak memory and the number of findings.
Run it by hand on an idle machine; it is not a test.
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
    ap.add_argument("--advisories", type=int, default=200000)
    ap.add_argument("--packages", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="palisade-deps-bench-")
    data = os.path.join(work, f"osv-{a.advisories}-{a.packages}")
    if not os.path.exists(os.path.join(data, "osv.zip")):
        print(f"generating {a.advisories} advisories and {a.packages} packages in {data}", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_osv.py"), "--advisories", str(a.advisories),
                        "--packages", str(a.packages), "--out", data], check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "palisade"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "palisade")
    zip_mb = os.path.getsize(os.path.join(data, "osv.zip")) / 1e6

    db = os.path.join(work, "bench.redb")
    imports = []
    for _ in range(a.runs):
        if os.path.exists(db):
            os.unlink(db)
        wall, peak, _ = measure([binary, "db", "import", os.path.join(data, "osv.zip"), "--db", db])
        imports.append((wall, peak))
    wall, peak = min(imports)
    print(f"import: {a.advisories} advisories ({zip_mb:.0f} MB zip) in {wall:.2f} s, peak {peak:.0f} MB, "
          f"database {os.path.getsize(db) / 1e6:.0f} MB")

    audits = []
    for _ in range(a.runs):
        wall, peak, out = measure([binary, "deps", os.path.join(data, "project"), "--db", db, "--format", "json",
                                   "--fail-on", "never", "--no-progress", "--db-max-age", "0"])
        audits.append((wall, peak, out))
    wall, peak, out = min(audits, key=lambda x: x[0])
    findings = json.loads(out or b"{}").get("findings", [])
    by_code = {}
    for f in findings:
        by_code[f["code"]] = by_code.get(f["code"], 0) + 1
    print(f"audit: {a.packages} locked packages in {wall:.3f} s, peak {peak:.0f} MB, "
          f"{len(findings)} findings {dict(sorted(by_code.items()))}")


if __name__ == "__main__":
    main()
