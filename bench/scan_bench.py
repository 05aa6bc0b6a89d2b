#!/usr/bin/env python3
"""Benchmark `palisade scan` on generated SAM corpora, and checkov beside it when installed.

Usage: bench/scan_bench.py [--sizes 250,500,1000,2000] [--functions 10] [--runs 3]
                           [--checkov PATH] [--checkov-sizes 1000] [--work DIR]

For every size N it generates N SAM projects of FUNCTIONS functions each (bench/gen_sam.py),
runs the release build of Palisade RUNS times, and reports the best wall time, the peak
resident memory and the number of findings. Time per function shows whether the scan grows
linearly. When checkov is found (on PATH, or --checkov), it scans the same corpora with its
CloudFormation checks, and the script prints both tools' times, the speed ratio and both
finding counts. Nothing here is a test; run it by hand on an otherwise idle machine.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(cmd, cwd=None):
    """Run cmd; return (wall seconds, peak RSS in MB, stdout bytes)."""
    time_bin = shutil.which("time") or "/usr/bin/time"
    if os.path.exists(time_bin):
        fd, stats = tempfile.mkstemp()
        os.close(fd)
        started = time.perf_counter()
        proc = subprocess.run([time_bin, "-f", "%M", "-o", stats] + cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        with open(stats) as f:
            lines = [l for l in f.read().split() if l.strip().isdigit()]
        os.unlink(stats)
        peak = int(lines[-1]) / 1024 if lines else float("nan")
        return wall, peak, proc.stdout
    import resource

    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, proc.stdout


def checkov_findings(out):
    try:
        data = json.loads(out or b"{}")
    except json.JSONDecodeError:
        return None
    reports = data if isinstance(data, list) else [data]
    return sum(r.get("summary", {}).get("failed", 0) for r in reports if isinstance(r, dict))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="250,500,1000,2000")
    p.add_argument("--functions", type=int, default=10)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--checkov", default=shutil.which("checkov"))
    p.add_argument("--checkov-sizes", default="1000", help="sizes to run checkov on (it is slow)")
    p.add_argument("--work", default=None, help="folder for the corpora (default: a temporary folder)")
    a = p.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "palisade")
    work = a.work or tempfile.mkdtemp(prefix="palisade-bench-")
    sizes = [int(s) for s in a.sizes.split(",")]
    checkov_sizes = {int(s) for s in a.checkov_sizes.split(",") if s}

    print(f"palisade {subprocess.run([binary, '--version'], capture_output=True, text=True).stdout.strip()}, "
          f"{os.cpu_count()} CPUs, corpora in {work}")
    print(f"{'templates':>9} {'functions':>9} {'MB':>6} {'wall s':>7} {'us/fn':>7} {'peak MB':>8} {'findings':>9}")
    results = {}
    for n in sizes:
        corpus = os.path.join(work, f"sam-{n}")
        if not os.path.isdir(corpus):
            subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_sam.py"), "--templates", str(n),
                            "--functions", str(a.functions), "--out", corpus], check=True, stdout=subprocess.DEVNULL)
        size_mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(corpus) for f in fs) / 1e6
        best = None
        for _ in range(a.runs):
            wall, peak, out = measure([binary, "scan", corpus, "--format", "json", "--fail-on", "never", "--no-progress"])
            if best is None or wall < best[0]:
                best = (wall, peak, out)
        wall, peak, out = best
        findings = len(json.loads(out)["findings"])
        functions = n * a.functions
        results[n] = (wall, findings)
        print(f"{n:>9} {functions:>9} {size_mb:>6.1f} {wall:>7.2f} {wall / functions * 1e6:>7.1f} {peak:>8.0f} {findings:>9}")

    if not a.checkov or not shutil.which(a.checkov):
        print("\ncheckov not found (pip install checkov in a virtualenv, then --checkov PATH): no comparison.")
        return
    version = subprocess.run([a.checkov, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"\ncheckov {version} on the same corpora (--framework cloudformation):")
    print(f"{'templates':>9} {'checkov s':>9} {'palisade s':>10} {'ratio':>7} {'checkov failed':>15} {'palisade findings':>18}")
    for n in sizes:
        if n not in checkov_sizes:
            continue
        corpus = os.path.join(work, f"sam-{n}")
        wall, _, out = measure([a.checkov, "-d", corpus, "--framework", "cloudformation", "-o", "json", "--quiet", "--compact"])
        ours, findings = results[n]
        print(f"{n:>9} {wall:>9.1f} {ours:>10.2f} {wall / ours:>6.0f}x {checkov_findings(out)!s:>15} {findings:>18}")


if __name__ == "__main__":
    main()
