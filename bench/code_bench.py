#!/usr/bin/env python3
"""Benchmark Palisade's handler code analysis against bandit and semgrep on generated code.

Usage: bench/code_bench.py [--lines 1000000] [--seed 1] [--runs 3] [--work DIR]
                           [--palisade PATH] [--bandit PATH] [--semgrep PATH]

Generates (bench/gen_code.py), or reuses from --work, a corpus of SAM projects whose Python and
Node.js handlers hold seeded flaws of every PAL3xx kind and safe look-alikes of them, with a
manifest of where each one is. Then it runs:

- `palisade scan DIR --format json` (the release build, best of RUNS wall time),
- `bandit -r DIR -f json -q` (Python files only; bandit reads no JavaScript),
- `semgrep scan --config bench/semgrep --metrics=off -j 2` with the local taint rules in
  bench/semgrep/ (never a registry ruleset: nothing leaves the machine),

and prints lines analysed, wall time, lines per second, peak memory and the speed ratios. It
then matches every finding to the manifest by kind, file and line: per tool, the seeded flaws
found (true positives), the look-alikes reported (false positives) and the flaws missed; per
PAL3xx kind, which flaws each tool found that another did not; and, for every difference, the
reason, from a table of causes kept at the end of this script. A difference no cause explains
is printed as such.

Bandit test ids and semgrep rule ids are mapped to PAL3xx kinds in BANDIT_KINDS and by each
semgrep rule's `metadata.pal`. Tools that are not installed are skipped with a note; install
them in a virtualenv outside the repository (`python3 -m venv /tmp/peers &&
/tmp/peers/bin/pip install bandit semgrep`). Nothing here is a test; run it by hand on an
otherwise idle machine.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
KINDS = [f"PAL3{n:02d}" for n in range(1, 15)]
KIND_NAMES = {
    "PAL301": "command injection", "PAL302": "code eval", "PAL303": "SQL injection", "PAL304": "NoSQL injection",
    "PAL305": "deserialization", "PAL306": "XXE", "PAL307": "SSRF", "PAL308": "path traversal", "PAL309": "XSS",
    "PAL310": "open redirect", "PAL311": "secrets", "PAL312": "JWT unverified", "PAL313": "sensitive logs",
    "PAL314": "stack traces",
}

# Bandit tests that look for the same risk as a PAL3xx rule. Tests not listed here (assert,
# random, try/except/pass, request timeouts, imports of risky modules, /tmp paths...) have no
# PAL3xx equivalent and are counted apart.
BANDIT_KINDS = {
    "B602": "PAL301", "B603": "PAL301", "B604": "PAL301", "B605": "PAL301", "B606": "PAL301", "B607": "PAL301",
    "B609": "PAL301",
    "B307": "PAL302", "B102": "PAL302",
    "B608": "PAL303",
    "B301": "PAL305", "B302": "PAL305", "B506": "PAL305",
    "B313": "PAL306", "B314": "PAL306", "B315": "PAL306", "B316": "PAL306", "B317": "PAL306", "B318": "PAL306",
    "B319": "PAL306", "B320": "PAL306",
    "B310": "PAL307",
    "B105": "PAL311", "B106": "PAL311", "B107": "PAL311",
}


def measure(cmd, env=None):
    """Run cmd; return (wall seconds, peak RSS in MB of its largest process, stdout bytes, exit code)."""
    fd, stats = tempfile.mkstemp()
    os.close(fd)
    time_bin = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    full = [time_bin, "-f", "%M", "-o", stats] + cmd if time_bin else cmd
    started = time.perf_counter()
    proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    peak = float("nan")
    if time_bin:
        with open(stats) as f:
            nums = [l for l in f.read().split() if l.strip().isdigit()]
        if nums:
            peak = int(nums[-1]) / 1024
    else:
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    os.unlink(stats)
    return wall, peak, proc.stdout, proc.returncode


def tool_path(given, name):
    if given:
        return given if os.path.exists(given) or shutil.which(given) else None
    return shutil.which(name)


# ---- findings: (kind, path relative to the corpus, first line, last line, raw id) ----


def palisade_findings(out):
    data = json.loads(out)
    found = []
    for f in data["findings"]:
        if f["code"] in KIND_NAMES:
            loc = f["location"]
            found.append((f["code"], loc["path"], loc["start"]["line"], loc["end"]["line"], f["code"],
                          f.get("confidence", ""), f["message"]))
    return found, data


def bandit_findings(out, corpus):
    data = json.loads(out or b"{}")
    found, unmapped = [], Counter()
    for r in data.get("results", []):
        kind = BANDIT_KINDS.get(r["test_id"])
        if kind is None:
            unmapped[r["test_id"]] += 1
            continue
        path = os.path.relpath(r["filename"], corpus)
        lines = r.get("line_range") or [r["line_number"]]
        found.append((kind, path, min(lines), max(lines), r["test_id"], r.get("issue_confidence", "")))
    return found, unmapped, data


def semgrep_rule_kinds():
    kinds = {}
    for name in sorted(os.listdir(os.path.join(BENCH, "semgrep"))):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(BENCH, "semgrep", name)) as f:
            rule_id = None
            for line in f:
                s = line.strip()
                if s.startswith("- id:"):
                    rule_id = s.split(":", 1)[1].strip()
                elif s.startswith("metadata:") and "pal:" in s and rule_id:
                    kinds[rule_id] = s.split("pal:", 1)[1].strip(" }")
    return kinds


def semgrep_findings(out, corpus, rule_kinds):
    data = json.loads(out or b"{}")
    found = []
    for r in data.get("results", []):
        rule = r["check_id"].rsplit(".", 1)[-1]
        kind = rule_kinds.get(rule)
        if kind is None:
            continue
        path = os.path.relpath(os.path.join(corpus, r["path"]) if not os.path.isabs(r["path"]) else r["path"], corpus)
        found.append((kind, path, r["start"]["line"], r["end"]["line"], rule, ""))
    return found, data


def match(cases, findings):
    """{case id: [findings]} and the findings that match no case."""
    where = defaultdict(list)
    for c in cases:
        for path, line in [(c["file"], c["line"])] + [tuple(a) for a in c["also"]]:
            where[(c["kind"], path, line)].append(c["id"])
    hits = defaultdict(list)
    stray = []
    for f in findings:
        kind, path, start, end = f[:4]
        ids = set()
        for line in range(start, end + 1):
            ids.update(where.get((kind, path, line), []))
        if ids:
            for i in ids:
                hits[i].append(f)
        else:
            stray.append(f)
    return hits, stray


# ---- reasons ----


def reason(tool, outcome, c, ctx):
    """Why `tool` missed a seeded flaw (`miss`) or reported a look-alike (`fp`); None when no
    cause in the table applies."""
    k, t, shape = c["kind"], c["template"], c["shape"]
    style = c.get("import_style", "")
    v = c["variant"]
    if tool == "bandit":
        if outcome == "miss":
            if k in ("PAL304", "PAL308", "PAL309", "PAL310", "PAL312", "PAL313", "PAL314"):
                return "bandit has no test for this kind of flaw"
            if k == "PAL307":
                return "bandit's only request test (B310) is urllib's urlopen; requests and httpx are not checked"
            if k == "PAL305" and t in ("jsonpickle", "yaml-unsafe-load"):
                return "bandit knows pickle, marshal and yaml.load, not jsonpickle or yaml.unsafe_load"
            if k == "PAL311":
                return "B105 looks only at names like password/secret/token, not at key formats (AKIA…, sk_live_…, Slack URLs)"
            if k == "PAL303" and t == "sqlalchemy-text":
                return "B608 looks for SQL in string formatting; an f-string inside text() call is not recognised"
            if k == "PAL306" and t == "lxml-fromstring":
                return "bandit 1.9 has no lxml test any more (B320/B410 were removed)"
            if k == "PAL301" and t == "os-popen-format":
                return "B605 is not raised for os.popen used as a context manager"
        if outcome == "fp":
            if v in ("non-attacker-field", "environment", "schedule-event"):
                return "bandit does not know where data comes from: the same call with harmless data is flagged"
            return "bandit flags the API whatever its argument: " + {
                "PAL301": "every subprocess call (B603/B607 without a shell, B602/B605 with one), even constant or quoted",
                "PAL302": "every eval/exec (B307/B102), even on a constant or a cast number",
                "PAL303": "every string that looks like SQL and is formatted (B608), even with int()",
                "PAL305": "every pickle/marshal load (B301/B302), even of a file shipped with the code",
                "PAL306": "every stdlib/lxml XML parse (B313-B320), even a constant document or a hardened parser",
                "PAL307": "every urlopen (B310)",
                "PAL311": "any string assigned to a name like password/token (B105): field names and placeholders too",
            }.get(k, "its test is syntactic")
    if tool == "semgrep":
        if outcome == "miss":
            if shape in ("helper", "cross_file") and k == "PAL313":
                return "the search rule sees the event only as `event` inside the handler, not once passed to a helper"
            if shape in ("helper", "cross_file") and k not in ("PAL311", "PAL312", "PAL314"):
                return ("semgrep OSS taint is intra-procedural: the sink is in a helper "
                        + ("of another file" if shape == "cross_file" else "of the same file"))
        if outcome == "fp":
            if v in ("non-attacker-field", "schedule-event"):
                return "semgrep taints the whole event: it does not know which fields the trigger lets an outsider shape"
            if t == "allow-list":
                return "an allow-list check is not a sanitizer semgrep can express"
            if t in ("str-coerced", "string-coerced"):
                return "str()/String() is not a sanitizer in the rule (Palisade's rule has none either)"
            if t == "lxml-hardened-parser":
                return "the rule cannot see that the parser passed in disables entities"
            if t == "fixed-host-path":
                return "a host fixed inside an f-string/template is not recognised by the prefix sanitizer"
            if t == "settimeout-function":
                return "taint flows into the closure passed to setTimeout"
            if t == "lookup-table":
                return "a table lookup with tainted key is taken as tainted"
    if tool == "palisade":
        if outcome == "miss":
            if style == "from lib import module":
                return "Palisade does not follow `from package import module` to the module's file"
            if t == "copyfile-destination":
                return "Palisade checks only the first argument of shutil.copy*/move (the source), not the destination"
            if t == "spawn-sh-c":
                return "Palisade treats spawn() as a sink only with `shell: true`, not `sh -c` in the argument list"
            if t in ("trace-in-json", "stack-in-json"):
                return "a trace wrapped in json.dumps/JSON.stringify of an object loses its trace marker"
            if c["id"] in ctx.get("palisade_same_file", set()):
                return ("another flow of this kind in the same file has the same sink text and source field: same "
                        "fingerprint and message, and the report's dedup keeps only one (engine bug)")
        if outcome == "fp":
            if t == "log-keys":
                return "Object.keys(event) inside a log call is taken for the whole event"
            if k == "PAL313" and c.get("source", "").startswith("headers"):
                return "logging one custom header's value (x-…) counts as logging the request's headers"
            if t == "allow-list":
                return ("an allow-list test inside a conditional expression (`x if x in A else …`, `A.has(x) ? x : …`) "
                        "does not clean the value; only an if statement does")
            if t in ("str-coerced", "string-coerced"):
                return "str()/String() is not a sanitizer for NoSQL filters"
            if t == "lxml-hardened-parser":
                return "lxml.etree.fromstring is a sink whatever parser it is given"
            if t == "lookup-table":
                return "a table lookup with a tainted key is taken as tainted"
    return None


def stray_reason(tool, f):
    """Why a tool reported something in the generated ordinary code, where nothing is seeded."""
    message = f[6] if len(f) > 6 else ""
    if tool == "palisade" and f[0] == "PAL304" and "Expression" in message:
        return ("PAL304 on a boto3 DynamoDB query whose KeyConditionExpression is `Key(...).eq(value)`: the condition "
                "builder binds the value as a placeholder, so this is not injection (engine false positive)")
    if tool == "palisade" and f[0] == "PAL313" and "headers.x-" in message:
        return "PAL313 for logging one custom header's value (x-…), counted as logging the request's headers"
    return f"{f[0]} ({f[4]}), not classified"


def pct(a, b):
    return f"{100 * a / b:.0f}%" if b else "-"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lines", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=3, help="palisade runs (best wall time is kept)")
    p.add_argument("--work", default=None, help="folder for the corpus (reused when it is already there)")
    p.add_argument("--palisade", default=None, help="palisade binary (default: cargo build --release)")
    p.add_argument("--bandit", default=None)
    p.add_argument("--semgrep", default=None)
    p.add_argument("--json", default=None, help="also write the figures and the matched findings to this file")
    a = p.parse_args()

    work = a.work or tempfile.mkdtemp(prefix="palisade-code-bench-")
    corpus = os.path.join(work, f"code-{a.lines}-s{a.seed}")
    manifest_path = os.path.join(corpus, "manifest.json")
    if not os.path.exists(manifest_path):
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_code.py"), "--out", corpus, "--lines", str(a.lines),
                        "--seed", str(a.seed)], check=True)
    with open(manifest_path) as f:
        manifest = json.load(f)
    cases = manifest["cases"]
    lines = manifest["lines"]

    if a.palisade:
        palisade = a.palisade
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        palisade = os.path.join(ROOT, "target", "release", "palisade")
    bandit = tool_path(a.bandit, "bandit")
    semgrep = tool_path(a.semgrep, "semgrep")
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")

    print(f"corpus {corpus}: {manifest['apps']} apps, {manifest['functions']} functions, "
          f"{lines['total']:,} lines ({lines['python']:,} Python, {lines['javascript']:,} JavaScript), "
          f"{len(cases)} seeded cases; {os.cpu_count()} CPUs")
    if manifest.get("lines_only_via_package_import"):
        print(f"({manifest['lines_only_via_package_import']:,} of those lines are in modules imported only as "
              f"`from lib import module`)")

    timings = {}
    results = {}
    best = None
    for _ in range(a.runs):
        r = measure([palisade, "scan", corpus, "--format", "json", "--fail-on", "never", "--no-progress"])
        if best is None or r[0] < best[0]:
            best = r
    wall, peak, out, _ = best
    found, data = palisade_findings(out)
    timings["palisade"] = (wall, peak, lines["total"], f"best of {a.runs}")
    results["palisade"] = found
    print(f"palisade: {len(data['findings'])} findings, {len(found)} of them PAL3xx")

    notes = []
    unmapped = Counter()
    if bandit:
        wall, peak, out, _ = measure([bandit, "-r", corpus, "-f", "json", "-q"])
        found, unmapped, data = bandit_findings(out, corpus)
        timings["bandit"] = (wall, peak, lines["python"], "once, Python only")
        results["bandit"] = found
        print(f"bandit: {len(data.get('results', []))} findings, {len(found)} mapped to PAL3xx kinds "
              f"(others: {', '.join(f'{k} {n}' for k, n in unmapped.most_common())})")
    else:
        notes.append("bandit not found (--bandit PATH): skipped")
    semgrep_errors = 0
    if semgrep:
        cmd = [semgrep, "scan", "--config", os.path.join(BENCH, "semgrep"), "--metrics=off", "--disable-version-check",
               "--json", "-q", "-j", "2", corpus]
        wall, peak, out, _ = measure(cmd, env=env)
        found, data = semgrep_findings(out, corpus, semgrep_rule_kinds())
        semgrep_errors = len(data.get("errors", []))
        scanned = len(data.get("paths", {}).get("scanned", []))
        timings["semgrep"] = (wall, peak, lines["total"], "once, -j 2")
        results["semgrep"] = found
        print(f"semgrep: {len(found)} findings on {scanned} files, {semgrep_errors} errors (timeouts, parse errors)")
    else:
        notes.append("semgrep not found (--semgrep PATH): skipped")
    for n in notes:
        print(n)

    # ---- speed ----
    print("\n## Speed\n")
    print("| tool | lines | wall | lines/s | peak memory | slower than Palisade |")
    print("|---|---:|---:|---:|---:|---:|")
    pw = timings["palisade"][0]
    for tool, (wall, peak, n, how) in timings.items():
        ratio = "-" if tool == "palisade" else f"{wall / pw:.0f}×"
        print(f"| {tool} ({how}) | {n:,} | {wall:.2f} s | {n / wall:,.0f} | {peak:.0f} MB | {ratio} |")
    if "bandit" in timings:
        bw, _, bn, _ = timings["bandit"]
        print(f"\nPer line, bandit is {(bw / bn) / (pw / lines['total']):.0f}× slower than Palisade "
              f"(bandit reads only the Python half).")

    # ---- accuracy ----
    tools = list(results)
    covers = {"palisade": {"python", "javascript"}, "bandit": {"python"}, "semgrep": {"python", "javascript"}}
    hits = {}
    strays = {}
    for tool in tools:
        hits[tool], strays[tool] = match(cases, results[tool])
    found_by = {tool: {cid for cid in hits[tool]} for tool in tools}
    # Flaws Palisade missed while it reported another finding of the same kind in the same file:
    # candidates for findings merged by the report's deduplication.
    pal_files = {(f[0], f[1]) for f in results["palisade"]}
    ctx = {"palisade_same_file": {c["id"] for c in cases if c["id"] not in found_by["palisade"]
                                  and (c["kind"], c["file"]) in pal_files}}

    print("\n## Seeded cases per tool\n")
    print("| tool | flaws in its languages | found (TP) | missed | look-alikes | reported (FP) | precision | recall | "
          "findings elsewhere |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tool in tools:
        mine = [c for c in cases if c["language"] in covers[tool]]
        vuln = [c for c in mine if c["vulnerable"]]
        safe = [c for c in mine if not c["vulnerable"]]
        tp = sum(c["id"] in found_by[tool] for c in vuln)
        fp = sum(c["id"] in found_by[tool] for c in safe)
        print(f"| {tool} | {len(vuln)} | {tp} | {len(vuln) - tp} | {len(safe)} | {fp} | {pct(tp, tp + fp)} | "
              f"{pct(tp, len(vuln))} | {len(strays[tool])} |")
    if unmapped:
        print(f"\nbandit also reported {sum(unmapped.values())} issues with no PAL3xx equivalent "
              f"({', '.join(f'{k} ×{n}' for k, n in unmapped.most_common(6))}).")

    print("\n## Per kind: seeded flaws found (Python + JavaScript; bandit only sees Python)\n")
    print("| kind | flaws (py/js) | " + " | ".join(tools) + " | look-alikes | " +
          " | ".join(f"{t} FP" for t in tools) + " |")
    print("|---|---:|" + "---:|" * len(tools) + "---:|" + "---:|" * len(tools))
    for k in KINDS:
        kc = [c for c in cases if c["kind"] == k]
        vuln = [c for c in kc if c["vulnerable"]]
        safe = [c for c in kc if not c["vulnerable"]]
        py = sum(c["language"] == "python" for c in vuln)
        row = [f"{k} {KIND_NAMES[k]}", f"{len(vuln)} ({py}/{len(vuln) - py})"]
        for tool in tools:
            mine = [c for c in vuln if c["language"] in covers[tool]]
            row.append(f"{sum(c['id'] in found_by[tool] for c in mine)}/{len(mine)}")
        row.append(str(len(safe)))
        for tool in tools:
            row.append(str(sum(c["id"] in found_by[tool] for c in safe if c["language"] in covers[tool])))
        print("| " + " | ".join(row) + " |")

    # ---- differences, explained ----
    print("\n## Differences, explained\n")
    explained = Counter()
    unexplained = []
    groups = defaultdict(list)
    for c in cases:
        for tool in tools:
            if c["language"] not in covers[tool]:
                continue
            got = c["id"] in found_by[tool]
            if c["vulnerable"] and not got:
                outcome = "miss"
            elif not c["vulnerable"] and got:
                outcome = "fp"
            else:
                continue
            why = reason(tool, outcome, c, ctx)
            if why is None:
                unexplained.append((tool, outcome, c))
            else:
                groups[(tool, outcome, c["kind"], why)].append(c)
                explained[tool] += 1
    print("| tool | outcome | kind | cases | reason |")
    print("|---|---|---|---:|---|")
    for (tool, outcome, kind, why), cs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], -len(kv[1]))):
        label = {"miss": "missed flaw", "fp": "reported look-alike"}[outcome]
        print(f"| {tool} | {label} | {kind} | {len(cs)} | {why} |")
    total = sum(explained.values()) + len(unexplained)
    print(f"\n{sum(explained.values())} of {total} misses and false positives explained.")
    if unexplained:
        print("\nNot explained (tool, outcome, case):")
        shown = Counter()
        for tool, outcome, c in unexplained:
            key = (tool, outcome, c["kind"], c["template"], c["shape"], c.get("import_style", ""), c["variant"])
            shown[key] += 1
        for key, n in shown.most_common():
            example = next(c for t, o, c in unexplained if (t, o, c["kind"], c["template"], c["shape"],
                                                            c.get("import_style", ""), c["variant"]) == key)
            print(f"  {n:4d} × {key} e.g. {example['file']}:{example['line']}")

    print("\n## Seeded flaws one tool found and another missed\n")
    print("| kind | found by | missed by | cases | why the other missed it |")
    print("|---|---|---|---:|---|")
    for k in KINDS:
        for a_tool in tools:
            for b_tool in tools:
                if a_tool == b_tool:
                    continue
                both = [c for c in cases if c["kind"] == k and c["vulnerable"]
                        and c["language"] in covers[a_tool] & covers[b_tool]
                        and c["id"] in found_by[a_tool] and c["id"] not in found_by[b_tool]]
                if not both:
                    continue
                whys = Counter(reason(b_tool, "miss", c, ctx) or "not explained" for c in both)
                for why, n in whys.most_common():
                    print(f"| {k} | {a_tool} | {b_tool} | {n} | {why} |")

    print("\n## Findings outside the seeded cases (in the ordinary code)\n")
    for tool in tools:
        if not strays[tool]:
            print(f"- {tool}: none")
            continue
        whys = Counter(stray_reason(tool, f) for f in strays[tool])
        for why, n in whys.most_common():
            print(f"- {tool}: {n} × {why}")

    if a.json:
        with open(a.json, "w") as f:
            json.dump({"timings": timings, "found_by": {t: sorted(v) for t, v in found_by.items()},
                       "strays": {t: strays[t] for t in tools}}, f, indent=1)


if __name__ == "__main__":
    main()
