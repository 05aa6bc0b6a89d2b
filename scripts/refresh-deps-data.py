#!/usr/bin/env python3
"""Refresh the popular-package lists of the dependency audit from their sources.

Usage: scripts/refresh-deps-data.py [--npm-high-impact PATH] [--top-pypi PATH]

--npm-high-impact  the `npm-high-impact` package: a folder unpacked from its tarball, or the
                   .tgz itself. Without it the script runs `npm pack npm-high-impact` (needs
                   the npm registry).
--top-pypi         a JSON list of the most-downloaded PyPI projects: hugovk's
                   `top-pypi-packages*.min.json` (`{"rows": [{"project": ...}, ...]}`) or
                   guarddog's `top_pypi_packages.json` (`{"packages": [...]}`). Without it the
                   script downloads guarddog from PyPI (`pip download`) and reads its copy.

The files written are committed: building and testing never need this script or a network.
Update the versions, dates and checksums in crates/palisade-deps/data/PROVENANCE.md to match
what it prints. The Lambda runtime table (runtime-sdks.tsv) is kept by hand.

Written:
  crates/palisade-deps/data/npm-popular.txt    npm names, most popular first
  crates/palisade-deps/data/pypi-popular.txt   PyPI names (PEP 503), most downloaded first
"""

import argparse
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DST = os.path.join(ROOT, "crates", "palisade-deps", "data")
# The lists ship whole; the Rust side takes the first 5,000 as targets and all as known names.
NPM_MAX = 20000
PYPI_MAX = 15000


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def npm_names(src, work):
    """The names of `npmHighImpact`, in its order, from lib/top.js of the package."""
    if src is None:
        out = subprocess.run(
            ["npm", "pack", "npm-high-impact", "--pack-destination", work],
            check=True,
            capture_output=True,
            text=True,
        )
        src = os.path.join(work, out.stdout.strip().splitlines()[-1])
    if os.path.isfile(src):
        print(f"npm-high-impact tarball {os.path.basename(src)} sha256 {sha256(src)}")
        with tarfile.open(src) as t:
            t.extractall(work, filter="data")
        src = os.path.join(work, "package")
    with open(os.path.join(src, "package.json"), encoding="utf-8") as f:
        print(f"npm-high-impact version {json.load(f)['version']}")
    with open(os.path.join(src, "lib", "top.js"), encoding="utf-8") as f:
        text = f.read()
    # The module is one array literal of single-quoted names, one a line.
    names = re.findall(r"^\s*'([^']+)',?\s*$", text, re.M)
    if not names:
        sys.exit("no names found in lib/top.js: has the package's layout changed?")
    return names


def pypi_names(src, work):
    if src is None:
        subprocess.run(
            ["pip", "download", "--no-deps", "-d", work, "guarddog"],
            check=True,
        )
        wheel = glob.glob(os.path.join(work, "guarddog-*.whl"))[0]
        print(f"guarddog wheel {os.path.basename(wheel)} sha256 {sha256(wheel)}")
        member = "guarddog/analyzer/metadata/resources/top_pypi_packages.json"
        with zipfile.ZipFile(wheel) as z:
            data = json.loads(z.read(member))
    else:
        with open(src, encoding="utf-8") as f:
            data = json.load(f)
    if "rows" in data:
        print(f"top-pypi-packages last_update {data.get('last_update')}")
        names = [r["project"] for r in data["rows"]]
    else:
        print(f"guarddog downloaded_timestamp {data.get('downloaded_timestamp')}")
        names = list(data["packages"])
    # PEP 503, as Ecosystem::normalize_name does; the source is normalised already.
    return [re.sub(r"[-_.]+", "-", n).lower() for n in names]


def write(name, names, limit):
    seen, out = set(), []
    for n in names:
        n = n.strip()
        if n and n not in seen:
            seen.add(n)
            out.append(n)
    out = out[:limit]
    with open(os.path.join(DST, name), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"{name}: {len(out)} names")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--npm-high-impact")
    p.add_argument("--top-pypi")
    args = p.parse_args()
    os.makedirs(DST, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        write("npm-popular.txt", npm_names(args.npm_high_impact, work), NPM_MAX)
    with tempfile.TemporaryDirectory() as work:
        write("pypi-popular.txt", pypi_names(args.top_pypi, work), PYPI_MAX)
    print("done: update data/PROVENANCE.md")


if __name__ == "__main__":
    main()
