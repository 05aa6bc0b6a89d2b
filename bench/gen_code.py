#!/usr/bin/env python3
"""Generate SAM projects whose functions carry Python and Node.js handler code, for benchmarking
the code analysis of `palisade scan` against bandit and semgrep.

Usage: bench/gen_code.py --out DIR [--lines 1000000] [--seed 1] [--functions-per-app 8]

Every function gets a folder of several files: the handler module, a service module, a `lib/`
package (store, config, and topic modules) joined by local imports or requires, with helper
functions, boto3 / AWS SDK v3 calls, validation, money arithmetic and the like
(bench/code_filler.py). Into that ordinary code go seeded cases (bench/code_cases.py): real
flaws of every PAL3xx kind, reached from the trigger's attacker-shaped fields (API, HTTP API,
S3, SQS, SNS, DynamoDB streams, EventBridge), and safe look-alikes (sanitized, parameterized,
constant, allow-listed, or fed from fields no outsider shapes: request ids, event times,
message ids, the environment, a schedule's fixed input). A flow sits in the handler itself, in
a helper of the same file, or in a helper of another file, imported in one of several styles.

Generation stops once the code files hold --lines lines (about half Python, half JavaScript).
DIR/manifest.json lists every seeded case with its file and line (paths relative to DIR), and
the line counts. The output is deterministic for a given seed.
"""

import argparse
import json
import os
import random
import re

import code_cases as cc
import code_filler as cf

TRIGGERS = [("api", 0.22), ("httpapi", 0.13), ("sqs", 0.17), ("s3", 0.12), ("sns", 0.10), ("dynamodb", 0.08),
            ("eventbridge", 0.10), ("schedule", 0.08)]
HTTP = {"api", "httpapi"}
ALL_KINDS = [f"PAL3{n:02d}" for n in range(1, 15)]
KINDS = {
    "api": ALL_KINDS,
    "httpapi": ALL_KINDS,
    "s3": ["PAL301", "PAL303", "PAL308", "PAL311", "PAL313"],
    "sqs": ["PAL301", "PAL302", "PAL303", "PAL304", "PAL305", "PAL306", "PAL307", "PAL308", "PAL311", "PAL313"],
    "sns": ["PAL301", "PAL302", "PAL303", "PAL304", "PAL305", "PAL306", "PAL307", "PAL308", "PAL311", "PAL313"],
    "dynamodb": ["PAL301", "PAL303", "PAL307", "PAL308", "PAL311", "PAL313"],
    "eventbridge": ["PAL301", "PAL302", "PAL303", "PAL307", "PAL308", "PAL311", "PAL313"],
    "schedule": ["PAL301", "PAL302", "PAL303", "PAL307", "PAL308", "PAL311"],
}
FLOW_KINDS = {f"PAL3{n:02d}" for n in range(1, 11)}
NOUNS = {"PAL301": "command", "PAL302": "rule", "PAL303": "query", "PAL304": "lookup", "PAL305": "payload",
         "PAL306": "document", "PAL307": "remote", "PAL308": "file", "PAL309": "page", "PAL310": "redirect",
         "PAL312": "claims", "PAL313": "audit", "PAL314": "order"}
VERBS = ["process", "handle", "prepare", "render", "run", "load", "apply", "build", "check", "sync"]
DISPATCH_PY = {
    "s3": 'action = record["s3"]["object"]["key"].split("/")[0]',
    "sqs": 'action = record.get("messageAttributes", {}).get("action", {}).get("stringValue", "")',
    "sns": 'action = record["Sns"].get("Subject") or ""',
    "dynamodb": 'action = record["eventName"]',
}
DISPATCH_JS = {
    "s3": 'const action = record.s3.object.key.split("/")[0];',
    "sqs": 'const action = ((record.messageAttributes || {}).action || {}).stringValue || "";',
    "sns": 'const action = record.Sns.Subject || "";',
    "dynamodb": "const action = record.eventName;",
}
ATTRS_PY = {
    "s3": ('record["s3"]["object"]["sequencer"]', '{"size": record["s3"]["object"].get("size", 0), "bucket": record["s3"]["bucket"]["name"]}'),
    "sqs": ('record["messageId"]', 'json.loads(record["body"])'),
    "sns": ('record["Sns"]["MessageId"]', 'json.loads(record["Sns"]["Message"])'),
    "dynamodb": ('record["eventID"]', 'record["dynamodb"].get("NewImage", {})'),
}
ATTRS_JS = {
    "s3": ("record.s3.object.sequencer", "{ size: record.s3.object.size || 0, bucket: record.s3.bucket.name }"),
    "sqs": ("record.messageId", "JSON.parse(record.body)"),
    "sns": ("record.Sns.MessageId", "JSON.parse(record.Sns.Message)"),
    "dynamodb": ("record.eventID", "record.dynamodb.NewImage || {}"),
}
MARK = "#S#"


def weighted(rng, pairs):
    r = rng.random() * sum(w for _, w in pairs)
    for item, w in pairs:
        r -= w
        if r <= 0:
            return item
    return pairs[-1][0]


def camel(s):
    head, *rest = s.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def snake(s):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", s).lower()


class Src:
    """A file being written: imports, module setup, then blocks of (text, tag) lines."""

    def __init__(self, rel, lang):
        self.rel = rel
        self.lang = lang
        self.imports = []
        self.setup = []
        self.blocks = []
        self.names = set()
        self.exports = []

    def imp(self, lines):
        for line in lines:
            if line not in self.imports:
                self.imports.append(line)

    def set(self, lines):
        for line in lines:
            if line not in self.setup:
                self.setup.append(line)

    def render(self, head):
        """Text and {tag: [line numbers]} of the file."""
        rows = [(l, None) for l in head]
        if self.imports:
            rows += [(l, None) for l in self.imports] + [("", None)]
        if self.setup:
            rows += [(l, None) for l in self.setup] + [("", None)]
            if self.lang == "python":
                rows.append(("", None))
        for b in self.blocks:
            rows += b + [("", None)]
            if self.lang == "python":
                rows.append(("", None))
        while rows and rows[-1][0] == "":
            rows.pop()
        tags = {}
        out = []
        for i, (text, tag) in enumerate(rows, 1):
            if tag:
                tags.setdefault(tag, []).append(i)
            out.append(text)
        return "\n".join(out) + "\n", tags


def mark(lines, tag, indent=""):
    """Lines of a template with their indentation; the one ending in the marker gets the tag."""
    out = []
    for line in lines:
        if line.endswith(MARK):
            out.append((indent + line[: -len(MARK)], tag))
        else:
            out.append((indent + line, None))
    return out


class FunctionGen:
    def __init__(self, rng, lang, trigger, app, name, manifest):
        self.rng = rng
        self.lang = lang
        self.py = lang == "python"
        self.trigger = trigger
        self.app = app
        self.name = name
        self.manifest = manifest
        self.root = f"{app}/functions/{name}"
        self.vars = set()
        self.helper_names = set()
        ext = "py" if self.py else "js"
        main = "app.py" if self.py else "index.js"
        self.main = Src(main, lang)
        self.service = Src("service.py" if self.py else "lib/service.js", lang)
        self.store = Src(f"lib/store.{ext}", lang)
        self.config = Src(f"lib/config.{ext}" if not self.py else "config.py", lang)
        self.topics = {}
        self.handler_blocks = []  # (op, [(text, tag)])
        self.pending = []  # cases waiting for their line numbers: (case, src, tag, alt src, alt tag)
        self.service_exports = []
        self.store_exports = []

    # ---- names ----

    def fresh(self, base):
        base = base if self.py else camel(base)
        name, n = base, 2
        while name in self.vars:
            name, n = f"{base}{n}", n + 1
        self.vars.add(name)
        return name

    def helper_name(self, kind):
        while True:
            verb = self.rng.choice(VERBS)
            noun = NOUNS[kind]
            name = f"{verb}_{noun}" if self.py else f"{verb}{noun[:1].upper()}{noun[1:]}"
            if name not in self.helper_names:
                self.helper_names.add(name)
                return name
            name = f"{name}_{len(self.helper_names)}" if self.py else f"{name}{len(self.helper_names)}"
            if name not in self.helper_names:
                self.helper_names.add(name)
                return name

    # ---- sources ----

    def source(self, want, calm, field):
        """(prep lines, expression, description) of a value of the wanted kind."""
        table = cc.PY_SOURCES if self.py else cc.JS_SOURCES
        trig = "http" if self.trigger in HTTP else self.trigger
        if calm == "env":
            prep, expr, desc = cc.PY_ENV if self.py else cc.JS_ENV
        elif calm == "calm":
            prep, expr, desc = self.rng.choice(table[trig]["calm"])
        else:
            prep, expr, desc = self.rng.choice(table[trig][want])
        uses_p = any("@p@" in l for l in prep) or "@p@" in expr
        p = self.fresh(field if expr == "@p@" else "payload") if uses_p else None
        f = field if self.py else camel(field)

        def sub(s):
            s = s.replace("x-@F@", "x-" + snake(field).replace("_", "-"))
            s = s.replace("@F@", snake(field).upper()).replace("@f@", f)
            s = s.replace("@p@", p) if p else s
            return re.sub(r"\{ (\w+): \1 \}", r"{ \1 }", s)

        return [sub(l) for l in prep], sub(expr), desc

    # ---- cases ----

    def add_case(self, kind):
        rng = self.rng
        templates = cc.PY_TEMPLATES if self.py else cc.JS_TEMPLATES
        trig = "http" if self.trigger in HTTP else self.trigger
        table = cc.PY_SOURCES if self.py else cc.JS_SOURCES
        if kind == "PAL311":
            return self.add_secret()
        ok = [t for t in templates if t["kind"] == kind and (not t["http"] or self.trigger in HTTP)
              and (t["want"] == "event" or t["want"] in table[trig])]
        if not ok:
            return None
        vuln_t = [t for t in ok if not t["safe"]]
        safe_t = [t for t in ok if t["safe"]]
        schedule = self.trigger == "schedule"
        want_vuln = rng.random() < 0.55
        calm = None
        if schedule:
            t = rng.choice(vuln_t if (want_vuln and vuln_t) or not safe_t else safe_t)
            variant = "schedule-event" if not t["safe"] else t["name"]
            vulnerable = False
            reason = "a schedule's input is fixed by the template" if not t["safe"] else t["safe"]
        elif want_vuln and vuln_t:
            t = rng.choice(vuln_t)
            variant, vulnerable, reason = t["name"], True, None
        else:
            if kind in FLOW_KINDS and vuln_t and rng.random() < 0.3:
                t = rng.choice([v for v in vuln_t if v["want"] in ("text", "doc")] or vuln_t)
                calm = "calm" if ("calm" in table[trig] and rng.random() < 0.6) else "env"
                variant = "non-attacker-field" if calm == "calm" else "environment"
                reason = ("a field no outsider shapes" if calm == "calm" else "configuration from the environment")
                vulnerable = False
            elif safe_t:
                t = rng.choice(safe_t)
                variant, vulnerable, reason = t["name"], False, t["safe"]
            else:
                return None
        shapes = [("direct", 0.45), ("helper", 0.25), ("cross_file", 0.30)]
        shape = weighted(rng, shapes)
        case = {
            "id": f"{self.root}#{len(self.manifest['cases']) + len(self.pending)}",
            "kind": kind,
            "language": self.lang,
            "vulnerable": vulnerable,
            "template": t["name"],
            "variant": variant,
            "reason": reason,
            "shape": shape,
            "trigger": self.trigger,
            "function": f"{self.app}/{self.name}",
        }
        field = rng.choice(t["fields"])
        prep, v_lines, v = [], [], None
        if t["want"] != "event":
            prep, expr, desc = self.source(t["want"], calm, field)
            case["source"] = desc
            if re.fullmatch(r"[A-Za-z_]\w*", expr) and expr in self.vars:
                v = expr
            else:
                v = self.fresh(field)
                v_lines = [f"{v} = {expr}" if self.py else f"const {v} = {expr};"]
        else:
            case["source"] = "the whole event"
        tag = case["id"]
        indent = "    " if self.py else "  "
        if shape == "direct":
            code = [l.replace("$V", v or "").replace("$E", "event") for l in t["code"]]
            block = [(indent + l, None) for l in prep + v_lines] + mark(code, tag, indent)
            self.main.imp(t["imp"])
            self.main.set(t["setup"])
            self.handler_blocks.append(block)
            self.pending.append((case, self.main, tag, None, None))
            return case
        helper = self.helper_name(kind)
        param = "evt" if t["want"] == "event" else (self.rng.choice(["value", "raw", "item", "text", "data"]))
        code = [l.replace("$V", param).replace("$E", param) for l in t["code"]]
        if self.py:
            body = [(f"def {helper}({param}):", None), (f'    """{helper.replace("_", " ").capitalize()}."""', None)]
            body += mark(code, tag, "    ")
        else:
            body = [(f"async function {helper}({param}) {{", None)] + mark(code, tag, "  ") + [("}", None)]
        if shape == "helper":
            dest, call = self.main, helper
            case["import_style"] = "same file"
        else:
            style = self.rng.random()
            if self.py:
                if style < 0.4:
                    dest, call = self.service, f"service.{helper}"
                    self.main.imp(["import service"])
                    case["import_style"] = "import service"
                else:
                    topic = self.topic(NOUNS[kind])
                    dest = topic
                    mod = topic.rel[:-3].replace("/", ".")
                    if style < 0.75:
                        self.main.imp([f"from {mod} import {helper}"])
                        call = helper
                        case["import_style"] = "from lib.module import function"
                    else:
                        short = mod.split(".")[-1]
                        self.main.imp([f"from lib import {short}"])
                        call = f"{short}.{helper}"
                        case["import_style"] = "from lib import module"
            else:
                if style < 0.5:
                    dest, call = self.service, f"service.{helper}"
                    self.main.imp(['const service = require("./lib/service");'])
                    self.service_exports.append(helper)
                    case["import_style"] = "require module object"
                else:
                    topic = self.topic(NOUNS[kind])
                    dest, call = topic, helper
                    topic.exports.append(helper)
                    case["import_style"] = "destructured require"
        dest.imp(t["imp"])
        dest.set(t["setup"])
        dest.blocks.append(body)
        arg = "event" if t["want"] == "event" else v
        alt = f"{tag}/call"
        if self.py:
            line = f"return {call}({arg})" if t["ret"] else f"{call}({arg})"
        else:
            line = f"return await {call}({arg});" if t["ret"] else f"await {call}({arg});"
        block = [(indent + l, None) for l in prep + v_lines] + [(indent + line, alt)]
        self.handler_blocks.append(block)
        self.pending.append((case, dest, tag, self.main, alt))
        return case

    def topic(self, noun):
        ext = "py" if self.py else "js"
        rel = f"lib/{noun}.{ext}"
        if rel not in self.topics:
            self.topics[rel] = Src(rel, self.lang)
        return self.topics[rel]

    def add_secret(self):
        name, py_line, js_line, safe = self.rng.choice(cc.SECRETS)
        values = cc.secret_values(self.rng)
        line = py_line if self.py else js_line
        for k, v in values.items():
            line = line.replace("{" + k + "}", v)
        m = re.match(r"(?:const )?(\w+) = ", line)
        ident = m.group(1)
        new, n = ident, 2
        while new in self.config.names:
            new, n = f"{ident}_{n}" if self.py else f"{ident}{n}", n + 1
        self.config.names.add(new)
        line = line.replace(ident + " = ", new + " = ", 1)
        case = {
            "id": f"{self.root}#{len(self.manifest['cases']) + len(self.pending)}",
            "kind": "PAL311",
            "language": self.lang,
            "vulnerable": safe is None,
            "template": name,
            "variant": name,
            "reason": safe,
            "shape": "module constant",
            "trigger": self.trigger,
            "function": f"{self.app}/{self.name}",
            "source": None,
        }
        self.config.blocks.append([(line, case["id"])])
        if not self.py:
            self.config.exports.append(new)
        self.pending.append((case, self.config, case["id"], None, None))
        return case

    # ---- files ----

    def filler(self, src, budget, exports):
        for public, lines in cf.filler_functions(self.rng, self.lang, budget, src.names):
            src.blocks.append([(l, None) for l in lines])
            if public:
                exports.append(public)

    def handler(self, called):
        """The handler's lines: dispatch to the seeded cases, then ordinary work."""
        rng = self.rng
        py = self.py
        ops = rng.sample(["export", "import", "resize", "archive", "preview", "lookup", "report", "sync", "notify",
                          "render", "refund", "audit", "reindex", "verify", "login", "callback"],
                         len(self.handler_blocks))
        out = []
        if py:
            out.append(("def handler(event, context):", None))
            out.append((f'    """Entry point of {self.name} ({self.trigger} trigger)."""', None))
            out.append(('    logger.info("invocation %s", context.aws_request_id)', None))
        else:
            style = rng.random()
            if style < 0.5:
                out.append(("exports.handler = async (event, context) => {", None))
            elif style < 0.75:
                out.append(("module.exports.handler = async function (event, context) {", None))
            else:
                out.append(("async function handler(event, context) {", None))
                self.js_handler_decl = True
            out.append(('  console.log("invocation", context.awsRequestId);', None))
        record = self.trigger in DISPATCH_PY
        ind = "    " if py else "  "
        if self.trigger in HTTP:
            out.append((ind + ('route = event.get("routeKey") or event.get("resource", "")' if py else
                               'const route = event.routeKey || `${event.httpMethod} ${event.resource}`;'), None))
            var = "route"
        elif record:
            out.append((ind + ("processed = 0" if py else "let processed = 0;"), None))
            out.append((ind + ('for record in event["Records"]:' if py else "for (const record of event.Records) {"), None))
            ind = ind * 2
            out.append((ind + (DISPATCH_PY if py else DISPATCH_JS)[self.trigger], None))
            var = "action"
        else:
            key = "detail-type" if self.trigger == "eventbridge" else "task"
            out.append((ind + (f'action = event.get("{key}", "")' if py else f'const action = event["{key}"] || "";'), None))
            var = "action"
        for op, block in zip(ops, self.handler_blocks):
            if self.trigger in HTTP:
                op = f"{rng.choice(['GET', 'POST', 'PUT'])} /{op}"
            if py:
                out.append((f'{ind}if {var} == "{op}":', None))
                out += [("    " * (len(ind) // 4) + t, tag) for t, tag in block]
            else:
                out.append((f'{ind}if ({var} === "{op}") {{', None))
                out += [("  " * (len(ind) // 2) + t, tag) for t, tag in block]
                out.append((f"{ind}}}", None))
        # Ordinary work with the event's data.
        if self.trigger in HTTP:
            if py:
                out.append((ind + 'payload = json.loads(event.get("body") or "{}")', None))
                out.append((ind + 'item_id = (event.get("pathParameters") or {}).get("id", "")', None))
            else:
                out.append((ind + 'const payload = JSON.parse(event.body || "{}");', None))
                out.append((ind + 'const itemId = (event.pathParameters || {}).id || "";', None))
        elif record:
            id_expr, attrs_expr = (ATTRS_PY if py else ATTRS_JS)[self.trigger]
            out.append((ind + (f"item_id = {id_expr}" if py else f"const itemId = {id_expr};"), None))
            out.append((ind + (f"payload = {attrs_expr}" if py else f"const payload = {attrs_expr};"), None))
        else:
            out.append((ind + ('item_id = event.get("id", "")' if py else 'const itemId = event.id || "";'), None))
            out.append((ind + ('payload = event.get("detail", {})' if py else "const payload = event.detail || {};"), None))
        results = []
        for mod, fn in called:
            r = self.fresh("result")
            results.append(r)
            if py:
                out.append((f"{ind}{r} = {mod}{fn}(item_id, payload)", None))
            else:
                out.append((f"{ind}const {r} = await {mod}{fn}(itemId, payload);", None))
        if record:
            out.append((ind + ("processed += 1" if py else "processed += 1;"), None))
            ind = ind[: len(ind) // 2]
            if not py:
                out.append((ind + "}", None))
            out.append((ind + ('return {"processed": processed}' if py else "return { processed };"), None))
        elif self.trigger in HTTP:
            body = ", ".join(f'"{r}": {r}' for r in results) if py else ", ".join(results)
            if py:
                out.append((ind + 'return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, '
                            f'"body": json.dumps({{{body}}}, default=str)}}', None))
            else:
                out.append((ind + 'return { statusCode: 200, headers: { "Content-Type": "application/json" }, '
                            f"body: JSON.stringify({{ {body} }}) }};", None))
        else:
            out.append((ind + ('return {"ok": True}' if py else "return { ok: true };"), None))
        if not py:
            out.append(("}" if getattr(self, "js_handler_decl", False) else "};", None))
        return out

    def build(self, budget):
        """Write nothing; return {rel path: (text, tags)} for the function's files."""
        rng = self.rng
        py = self.py
        n_cases = weighted(rng, [(0, 0.1), (1, 0.35), (2, 0.35), (3, 0.2)])
        kinds = KINDS[self.trigger]
        for _ in range(n_cases):
            self.add_case(rng.choice(kinds))
        # Ordinary code: split the budget between the files.
        self.filler(self.store, budget * 0.5, self.store_exports)
        self.filler(self.service, budget * 0.4, self.service_exports)
        called = []
        for mod, pool in (("store", self.store_exports), ("service", self.service_exports)):
            public = [n for n in pool if n not in self.helper_names]
            for fn in rng.sample(public, min(len(public), rng.randint(1, 2))):
                if py and mod == "store":
                    called.append(("", fn))
                    self.main.imp([f"from lib.store import {fn}"])
                elif py and mod == "service":
                    called.append(("service.", fn))
                    self.main.imp(["import service"])
                elif not py and mod == "store":
                    called.append(("store.", fn))
                    self.main.imp(['const store = require("./lib/store");'])
                else:
                    called.append(("service.", fn))
                    self.main.imp(['const service = require("./lib/service");'])
        # Config: settings, plus any seeded secrets.
        if py:
            self.config.imp(["import os"])
            self.config.set(['TABLE_NAME = os.environ["TABLE_NAME"]', f"PAGE_SIZE = {rng.choice([25, 50, 100])}",
                             f'SERVICE_NAME = "{self.name}"'])
            self.main.imp(["import config"])
        else:
            self.config.set(["const TABLE_NAME = process.env.TABLE_NAME;", f"const PAGE_SIZE = {rng.choice([25, 50, 100])};",
                             f'const SERVICE_NAME = "{self.name}";'])
            self.config.exports += ["TABLE_NAME", "PAGE_SIZE", "SERVICE_NAME"]
            self.main.imp(['const config = require("./lib/config");'])
        files = {}
        if py:
            head = ["import json", "import logging", "import os"]
            if self.trigger == "s3":
                head.append("from urllib.parse import unquote_plus")
            main_imports = [l for l in self.main.imports if l not in head]
            std = sorted(l for l in main_imports if not self.is_local_py(l))
            local = sorted(l for l in main_imports if self.is_local_py(l))
            self.main.imports = []
            self.main.setup = ["logger = logging.getLogger()", 'logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))'] + self.main.setup
            handler = self.handler(called)
            self.main.blocks.append(handler)
            files[self.main.rel] = self.main.render(
                [f'"""Lambda handler of {self.name}."""', ""] + head + std + ([""] + local if local else []) + [""])
            for src, doc in ((self.service, "Business logic"), (self.store, "Persistence helpers")):
                head, body = cf.split_header(cf.PY_HEADER.replace("@doc@", f"{doc} of {self.name}."))
                src.setup = body + src.setup
                files[src.rel] = src.render(head)
            files["lib/__init__.py"] = (f'"""Shared code of {self.name}."""\n', {})
            files[self.config.rel] = self.config.render([f'"""Settings of {self.name}."""', ""])
            for rel, src in self.topics.items():
                src.setup = ["logger = logging.getLogger(__name__)"] + src.setup
                files[rel] = src.render([f'"""{rel.split("/")[-1][:-3].capitalize()} helpers of {self.name}."""', "",
                                         "import json", "import logging", "import os"])
        else:
            self.main.imp(js_topic_requires(self))
            handler = self.handler(called)
            self.main.blocks.append(handler)
            if getattr(self, "js_handler_decl", False):
                self.main.blocks.append([("module.exports = { handler };", None)])
            files[self.main.rel] = self.main.render(['"use strict";', f"// Lambda handler of {self.name}.", ""])
            for src, doc, exports in ((self.service, "Business logic", self.service_exports),
                                      (self.store, "Persistence helpers", self.store_exports)):
                src.blocks.append([(f"module.exports = {{ {', '.join(sorted(set(exports)))} }};", None)])
                head, body = cf.split_header(cf.JS_HEADER.replace("@doc@", f"{doc} of {self.name}."))
                src.setup = body + src.setup
                files[src.rel] = src.render(head)
            self.config.blocks.append([(f"module.exports = {{ {', '.join(self.config.exports)} }};", None)])
            files[self.config.rel] = self.config.render(['"use strict";', f"// Settings of {self.name}.", ""])
            for rel, src in self.topics.items():
                if rng.random() < 0.5:
                    src.blocks.append([(f"module.exports = {{ {', '.join(src.exports)} }};", None)])
                else:
                    src.blocks.append([(f"exports.{n} = {n};", None) for n in src.exports])
                files[rel] = src.render(['"use strict";', f"// {rel.split('/')[-1][:-3].capitalize()} helpers of {self.name}.", ""])
        return files

    @staticmethod
    def is_local_py(line):
        return bool(re.match(r"(import (service|config)$|from lib[ .])", line))


def js_topic_requires(gen):
    """Destructured requires of the topic modules, for the helpers they export."""
    lines = []
    for rel, src in gen.topics.items():
        if src.exports:
            lines.append(f"const {{ {', '.join(src.exports)} }} = require(\"./{rel[:-3]}\");")
    return lines


TRIGGER_YAML = {
    "api": "        Api:\n          Type: Api\n          Properties: {{Path: /{p}, Method: post}}",
    "httpapi": "        Http:\n          Type: HttpApi\n          Properties: {{Path: /{p}, Method: get}}",
    "s3": "        Upload:\n          Type: S3\n          Properties: {{Bucket: !Ref Uploads{i}, Events: 's3:ObjectCreated:*'}}",
    "sqs": "        Queue:\n          Type: SQS\n          Properties: {{Queue: !GetAtt Jobs.Arn, BatchSize: 10}}",
    "sns": "        Topic:\n          Type: SNS\n          Properties: {{Topic: !Ref Alerts}}",
    "dynamodb": "        Stream:\n          Type: DynamoDB\n          Properties: {{Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}}",
    "eventbridge": "        Rule:\n          Type: EventBridgeRule\n          Properties:\n            Pattern: {{source: [app.{p}]}}",
    "schedule": "        Nightly:\n          Type: Schedule\n          Properties:\n            Schedule: rate(1 hour)\n            Input: '{{\"task\": \"report\"}}'",
}


def template(app, functions):
    out = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        f"Description: {app}, synthetic application for the code analysis benchmark",
        "Globals:",
        "  Function:",
        "    Timeout: 30",
        "    MemorySize: 512",
        "    Environment:",
        "      Variables:",
        "        TABLE_NAME: !Ref Table",
        "        EXPORT_BUCKET: !Ref Exports",
        "        QUEUE_URL: !Ref Jobs",
        "        TOPIC_ARN: !Ref Alerts",
        "Resources:",
    ]
    buckets = []
    for i, (name, lang, trigger) in enumerate(functions):
        logical = "".join(p.capitalize() for p in name.split("-"))
        out += [
            f"  {logical}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      CodeUri: functions/{name}/",
            f"      Handler: {'app' if lang == 'python' else 'index'}.handler",
            f"      Runtime: {'python3.12' if lang == 'python' else 'nodejs20.x'}",
            "      Policies:",
            "        - DynamoDBCrudPolicy: {TableName: !Ref Table}",
            "        - S3CrudPolicy: {BucketName: !Ref Exports}",
            "      Events:",
            TRIGGER_YAML[trigger].format(p=name, i=i),
        ]
        if trigger == "s3":
            buckets.append(f"Uploads{i}")
    for b in buckets:
        out += [f"  {b}:", "    Type: AWS::S3::Bucket"]
    out += [
        "  Exports:",
        "    Type: AWS::S3::Bucket",
        "  Jobs:",
        "    Type: AWS::SQS::Queue",
        "  Alerts:",
        "    Type: AWS::SNS::Topic",
        "  Table:",
        "    Type: AWS::DynamoDB::Table",
        "    Properties:",
        "      BillingMode: PAY_PER_REQUEST",
        "      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: sk, AttributeType: S}]",
        "      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]",
        "      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}",
    ]
    return "\n".join(out) + "\n"


def generate(out, lines, seed, per_app):
    rng = random.Random(seed)
    manifest = {"seed": seed, "lines": {"python": 0, "javascript": 0}, "files": {"python": 0, "javascript": 0},
                "apps": 0, "functions": 0, "cases": [], "lines_only_via_package_import": 0}
    counts = manifest["lines"]
    app_i = 0
    while counts["python"] + counts["javascript"] < lines:
        app = f"app{app_i:04d}"
        app_i += 1
        functions = []
        for j in range(per_app):
            if counts["python"] + counts["javascript"] >= lines:
                break
            lang = "python" if counts["python"] <= counts["javascript"] else "javascript"
            trigger = weighted(rng, TRIGGERS)
            name = f"fn{j:02d}-{trigger}"
            gen = FunctionGen(rng, lang, trigger, app, name, manifest)
            files = gen.build(rng.randint(220, 520))
            tag_lines = {}
            for rel, (text, tags) in files.items():
                path = os.path.join(out, gen.root, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                n = text.count("\n")
                counts[lang] += n
                manifest["files"][lang] += 1
                for tag, nums in tags.items():
                    tag_lines[tag] = (f"{gen.root}/{rel}", nums)
            for case, _src, tag, _alt_src, alt in gen.pending:
                path, nums = tag_lines[tag]
                case["file"] = path
                case["line"] = nums[0]
                case["also"] = []
                if alt and alt in tag_lines:
                    apath, anums = tag_lines[alt]
                    case["also"] = [[apath, anums[0]]]
                manifest["cases"].append(case)
            for rel, src in gen.topics.items():
                styles = {c.get("import_style") for c, dest, *_ in gen.pending if dest is src}
                if styles == {"from lib import module"}:
                    # Imported only as `from lib import module`: a reader that does not follow
                    # that form never parses the file.
                    manifest["lines_only_via_package_import"] += files[rel][0].count("\n")
            functions.append((name, lang, trigger))
            manifest["functions"] += 1
        with open(os.path.join(out, app, "template.yaml"), "w", encoding="utf-8") as f:
            f.write(template(app, functions))
        manifest["apps"] += 1
    counts["total"] = counts["python"] + counts["javascript"]
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--lines", type=int, default=1_000_000, help="stop once the code files hold this many lines")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--functions-per-app", type=int, default=8)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    m = generate(a.out, a.lines, a.seed, a.functions_per_app)
    vuln = sum(c["vulnerable"] for c in m["cases"])
    print(f"{m['apps']} apps, {m['functions']} functions, {m['lines']['total']:,} lines "
          f"({m['lines']['python']:,} Python, {m['lines']['javascript']:,} JavaScript), "
          f"{len(m['cases'])} seeded cases ({vuln} flaws, {len(m['cases']) - vuln} look-alikes) in {a.out}")


if __name__ == "__main__":
    main()
