#!/usr/bin/env python3
"""Benchmark `palisade scan` on a mixed corpus (SAM, Serverless Framework, Terraform) against a
SAM-only corpus of the same size, and checkov on the mixed corpus when installed.

Usage: bench/formats_bench.py [--projects 1000] [--functions 10] [--runs 3]
                              [--checkov PATH] [--work DIR]

The SAM corpus comes from bench/gen_sam.py, the mixed one from bench/gen_mixed.py (a third of
each format, same spread of settings). The release build scans each RUNS times; the script
prints the best wall time, peak memory and findings of each, the mixed/SAM time ratio (the
target is at most 2), the findings per format, and checkov's time on the mixed corpus with its
CloudFormation, Serverless and Terraform frameworks. Run it by hand on an idle machine; it is
not a test.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

from scan_bench import ROOT, checkov_findings, measure


def corpus(work, name, generator, args):
    path = os.path.join(work, name)
    if not os.path.isdir(path):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", generator)] + args + ["--out", path],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def best_scan(binary, path, runs):
    best = None
    for _ in range(runs):
        wall, peak, out = measure([binary, "scan", path, "--format", "json", "--fail-on", "never", "--no-progress"])
        if best is None or wall < best[0]:
            best = (wall, peak, out)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--projects", type=int, default=1000)
    p.add_argument("--functions", type=int, default=10)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--checkov", default=shutil.which("checkov"))
    p.add_argument("--work", default=None, help="folder for the corpora (default: a temporary folder)")
    a = p.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "palisade")
    work = a.work or tempfile.mkdtemp(prefix="palisade-formats-")
    n, f = str(a.projects), str(a.functions)
    sam = corpus(work, f"sam-{n}", "gen_sam.py", ["--templates", n, "--functions", f])
    mixed = corpus(work, f"mixed-{n}", "gen_mixed.py", ["--projects", n, "--functions", f])

    print(f"{os.cpu_count()} CPUs, {a.projects} projects of {a.functions} functions, corpora in {work}")
    print(f"{'corpus':>8} {'wall s':>7} {'peak MB':>8} {'apps':>6} {'functions':>9} {'findings':>9}")
    rows = {}
    for name, path in (("SAM", sam), ("mixed", mixed)):
        wall, peak, out = best_scan(binary, path, a.runs)
        data = json.loads(out)
        rows[name] = (wall, data)
        s = data["summary"]
        print(f"{name:>8} {wall:>7.2f} {peak:>8.0f} {s['apps']:>6} {s['functions']:>9} {len(data['findings']):>9}")
    ratio = rows["mixed"][0] / rows["SAM"][0]
    print(f"mixed / SAM time: {ratio:.2f} (target: at most 2)")
    per_format = collections.Counter()
    for finding in rows["mixed"][1]["findings"]:
        app = finding["app"]
        per_format["Terraform" if app.endswith(".tf") or "/tf" in app or app.startswith("tf")
                   else "Serverless" if "serverless" in app else "SAM"] += 1
    print("mixed findings by format: " + ", ".join(f"{k} {v}" for k, v in sorted(per_format.items())))

    if not a.checkov or not shutil.which(a.checkov):
        print("\ncheckov not found (pip install checkov in a virtualenv, then --checkov PATH): no comparison.")
        return
    version = subprocess.run([a.checkov, "--version"], capture_output=True, text=True).stdout.strip()
    wall, _, out = measure([a.checkov, "-d", mixed, "--framework", "cloudformation", "serverless", "terraform",
                            "-o", "json", "--quiet", "--compact"])
    ours = rows["mixed"][0]
    print(f"\ncheckov {version} on the mixed corpus: {wall:.1f} s ({wall / ours:.0f}x Palisade's "
          f"{ours:.2f} s), {checkov_findings(out)} failed checks")


if __name__ == "__main__":
    main()
