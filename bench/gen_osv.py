#!/usr/bin/env python3
"""Generate a synthetic OSV export and a project that ships thousands of locked packages.

Usage: bench/gen_osv.py [--advisories 200000] [--packages 5000] --out DIR

Writes:
  DIR/osv.zip                      ADVISORIES OSV records as an osv.dev-style zip export (one
                                   JSON file per record), npm and PyPI, shaped like real ones:
                                   CVE/GHSA aliases, CVSS v3 vectors, SEMVER/ECOSYSTEM ranges
                                   with introduced/fixed/last_affected events, explicit
                                   version lists, details of a few hundred bytes, a share of
                                   withdrawn and MAL- records.
  DIR/project/template.yaml        one SAM function per ecosystem…
  DIR/project/node/package*.json   …the npm one with a v3 package-lock of PACKAGES/2 packages,
  DIR/project/python/poetry.lock   …the Python one with a poetry.lock of PACKAGES/2 packages.

Locked packages are drawn from the advisories' packages, so each lookup finds records to
match (the slow case). Deterministic: the same arguments give the same files.
"""

import argparse
import json
import os
import random
import zipfile

CVSS = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
]
WORDS = "parse render stream buffer client token cookie header proxy cache query schema path url json yaml xml template merge deep".split()


def name_pool(rng, eco, n):
    names = set()
    while len(names) < n:
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        base = f"{a}-{b}-{rng.randrange(100000)}"
        if eco == "npm" and rng.random() < 0.2:
            base = f"@{a}/{b}-{rng.randrange(100000)}"
        names.add(base)
    return sorted(names)


def version(rng):
    return f"{rng.randrange(0, 8)}.{rng.randrange(0, 30)}.{rng.randrange(0, 40)}"


def key(v):
    return tuple(int(x) for x in v.split("."))


def record(rng, i, eco, name):
    ghsa = "GHSA-" + "-".join("".join(rng.choice("23456789cfghjmpqrvwx") for _ in range(4)) for _ in range(3))
    cve = f"CVE-{rng.randrange(2015, 2026)}-{rng.randrange(1000, 99999)}"
    malicious = rng.random() < 0.02
    rid = f"MAL-2025-{i}" if malicious else (ghsa if rng.random() < 0.7 else f"{'PYSEC' if eco == 'PyPI' else 'OSV'}-2024-{i}")
    lo, hi = sorted([version(rng), version(rng)], key=key)
    events = [{"introduced": "0" if rng.random() < 0.4 else lo}]
    if rng.random() < 0.15:
        events.append({"last_affected": hi})
    else:
        events.append({"fixed": hi})
    affected = {
        "package": {"ecosystem": eco, "name": name, "purl": f"pkg:{'npm' if eco == 'npm' else 'pypi'}/{name}"},
        "ranges": [{"type": "SEMVER" if eco == "npm" else "ECOSYSTEM", "events": events}],
        "database_specific": {"source": "generated"},
    }
    if eco == "PyPI" and rng.random() < 0.5:
        affected["versions"] = sorted({version(rng) for _ in range(rng.randrange(1, 12))}, key=key)
    rec = {
        "schema_version": "1.6.0",
        "id": rid,
        "modified": f"2026-{rng.randrange(1, 11):02d}-{rng.randrange(1, 28):02d}T12:00:00Z",
        "published": f"2024-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}T12:00:00Z",
        "aliases": [] if malicious else [cve] + ([ghsa] if rid != ghsa else []),
        "summary": f"{rng.choice(WORDS).title()} {rng.choice(['injection', 'prototype pollution', 'ReDoS', 'path traversal', 'SSRF'])} in {name}",
        "details": " ".join(rng.choice(WORDS) for _ in range(60)),
        "severity": [{"type": "CVSS_V3", "score": rng.choice(CVSS)}],
        "affected": [affected],
        "references": [
            {"type": "ADVISORY", "url": f"https://github.com/advisories/{ghsa}"},
            {"type": "WEB", "url": f"https://example.org/{name}/issues/{i}"},
        ],
        "database_specific": {"severity": rng.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"]), "cwe_ids": ["CWE-79"]},
    }
    if rng.random() < 0.01:
        rec["withdrawn"] = rec["modified"]
    return rec


def package_lock(packages):
    root_deps = {name: f"^{v}" for name, v in packages[:200]}
    pkgs = {"": {"name": "bench", "version": "1.0.0", "dependencies": root_deps}}
    for name, v in packages:
        pkgs[f"node_modules/{name}"] = {
            "version": v,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name.split('/')[-1]}-{v}.tgz",
            "integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==",
        }
    return {"name": "bench", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": pkgs}


def poetry_lock(packages):
    out = []
    for name, v in packages:
        out.append(f'[[package]]\nname = "{name}"\nversion = "{v}"\ndescription = ""\noptional = false\npython-versions = ">=3.8"\nfiles = [\n    {{file = "{name}-{v}.tar.gz", hash = "sha256:{"ab" * 32}"}},\n]\n')
    out.append('[metadata]\nlock-version = "2.0"\npython-versions = "^3.12"\ncontent-hash = "0"\n')
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--advisories", type=int, default=200000)
    ap.add_argument("--packages", type=int, default=5000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(7)
    os.makedirs(a.out, exist_ok=True)
    pools = {eco: name_pool(rng, eco, max(a.advisories // 8, a.packages)) for eco in ("npm", "PyPI")}
    with zipfile.ZipFile(os.path.join(a.out, "osv.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(a.advisories):
            eco = "npm" if i % 2 == 0 else "PyPI"
            rec = record(rng, i, eco, rng.choice(pools[eco]))
            z.writestr(f"{rec['id']}.json", json.dumps(rec, indent=2))
    half = a.packages // 2
    project = os.path.join(a.out, "project")
    for sub in ("node", "python"):
        os.makedirs(os.path.join(project, sub), exist_ok=True)
    npm = [(n, version(rng)) for n in rng.sample(pools["npm"], half)]
    py = [(n, version(rng)) for n in rng.sample(pools["PyPI"], a.packages - half)]
    with open(os.path.join(project, "node", "package-lock.json"), "w") as f:
        json.dump(package_lock(npm), f, indent=2)
    with open(os.path.join(project, "node", "package.json"), "w") as f:
        json.dump({"name": "bench", "version": "1.0.0", "dependencies": {n: f"^{v}" for n, v in npm[:200]}}, f, indent=2)
    with open(os.path.join(project, "node", "index.js"), "w") as f:
        f.write("exports.handler = async () => ({ statusCode: 200 });\n")
    with open(os.path.join(project, "python", "poetry.lock"), "w") as f:
        f.write(poetry_lock(py))
    with open(os.path.join(project, "python", "app.py"), "w") as f:
        f.write("def handler(event, context):\n    return {'statusCode': 200}\n")
    with open(os.path.join(project, "template.yaml"), "w") as f:
        f.write("""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  NodeFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: node/, Handler: index.handler, Runtime: nodejs20.x}
  PythonFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: python/, Handler: app.handler, Runtime: python3.12}
""")


if __name__ == "__main__":
    main()
