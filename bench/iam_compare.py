#!/usr/bin/env python3
"""Compare `palisade iam scan` with cloudsplaining and parliament on generated IAM accounts.

Usage: bench/iam_compare.py [--sizes 100,1000,5000] [--palisade PATH] [--cloudsplaining PATH]
                            [--parliament PATH] [--work DIR] [--seed 1] [--runs 3]
                            [--examples 10] [--reuse]

For each size N it generates an account of N roles and about N customer managed policies
(bench/gen_auth_details.py, cached in the work folder), runs the three tools on it and prints:
a timing table (wall seconds; best of 1 run for the peers, best of --runs for Palisade; the
ratio of each peer's time to Palisade's), the number of principals each tool flags per risk
category, and the differences in both directions with examples, so each can be explained;
then parliament's issue types against Palisade's lint codes, per policy.
--reuse takes the peers' outputs and times from an earlier run in the same work folder
(cloudsplaining is slow on large accounts). Nothing here is a test; run it by hand on an
otherwise idle machine.

What the tools write, and how it is read
----------------------------------------
cloudsplaining 0.7.0 `scan --input-file F --output DIR --skip-open-report` writes, for an
input named `NAME.json`, DIR/iam-results-NAME.json and DIR/iam-findings-NAME.json (the same
content) and DIR/iam-report-NAME.html. The JSON has `roles`, `users`, `groups` (keyed by id:
name, arn, path, is_excluded, and pointers {policy id: policy name} in `inline_policies`,
`customer_managed_policies`, `aws_managed_policies`; users list `groups`), and
`inline_policies`, `customer_managed_policies`, `aws_managed_policies` (keyed by policy id;
an inline policy's id is the SHA-256 of its document, so identical inline documents of
several principals are one entry). Each policy has, per category, `{"findings": [...]}`:
PrivilegeEscalation [{type, actions}], DataExfiltration, ResourceExposure,
CredentialsExposure, InfrastructureModification (action names), ServiceWildcard (service
prefixes). Findings are computed per policy only; a principal's findings are the union of its
own policies' (what the HTML report shows), so an escalation split across two policies is
never found and a user does not inherit its groups' findings. AssumableByComputeService is
not in the JSON at all: the HTML report computes it in JavaScript from the trust policy, and
`cloudsplaining_compute_services` below reproduces that code, quirks included (it only sees
`"Action": "sts:AssumeRole"` and `"Service"` written as strings).

parliament 1.6.4 `--auth-details-file F --json` prints one JSON object per line:
{issue, title, severity, description, detail, location: {filepath, line, column, string}}.
`filepath` is the policy ARN for customer managed policies and the principal's ARN for inline
policies (so the inline policies of a principal cannot be told apart). It skips AWS managed
policies and customer managed ones at /service-role/ or /aws-service-role/. It exits 1 when
it finds something. Policy-level findings (NO_VERSION, DUPLICATE_SID,
RESOURCE_POLICY_PRIVILEGE_ESCALATION) are added with a shared mutable default `location`, so
they all carry the filepath of the first one: they are counted, but attributed to no policy.

Palisade `iam scan --auth-details F --format json` (docs/json-output.md): findings[] with
code, resource (principal or policy name), resource_type (AWS::IAM::Role / User / Group /
ManagedPolicy), message and related[]; PAL208 has one related entry per escalation method,
whose message starts with the method id and a colon.
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_auth_details  # noqa: E402

CATEGORIES = ["PrivilegeEscalation", "ResourceExposure", "DataExfiltration", "CredentialsExposure",
              "InfrastructureModification", "ServiceWildcard", "AssumableByComputeService"]
# Palisade rule codes per category; the last three have no cloudsplaining counterpart.
PALISADE_CODES = {
    "PrivilegeEscalation": {"PAL208"},
    # iam:PassRole, a permissions-management action for cloudsplaining, is PAL204's.
    "ResourceExposure": {"PAL209", "PAL204"}, "DataExfiltration": {"PAL210"},
    "CredentialsExposure": {"PAL211"},
    # Palisade reports write actions on "*" as PAL203, except iam:PassRole (PAL204) and those
    # granted by `*`, NotAction (PAL201) or `service:*` (PAL202), which have rules of their own.
    "InfrastructureModification": {"PAL203", "PAL204", "PAL202", "PAL201"},
    # cloudsplaining lists every service for "*"; PAL205 names IAMFullAccess and PowerUserAccess.
    "ServiceWildcard": {"PAL202", "PAL201", "PAL205"},
    "AssumableByComputeService": {"PAL214"},
    "AllActions": {"PAL201"}, "AssumableByOtherAccount": {"PAL213"}, "AssumableByAnyone": {"PAL206"},
}
PALISADE_ONLY = ["AllActions", "AssumableByOtherAccount", "AssumableByAnyone"]

# parliament issue types and the Palisade lint code that checks the same thing.
LINT_PAIRS = [
    ("PAL220 unknown action", "PAL220", {"UNKNOWN_ACTION", "UNKNOWN_PREFIX"}),
    ("PAL221 resource mismatch", "PAL221", {"RESOURCE_MISMATCH"}),
    ("PAL222 unknown condition key", "PAL222", {"UNKNOWN_CONDITION_FOR_ACTION"}),
    ("PAL223 condition type mismatch", "PAL223",
     {"MISMATCHED_TYPE", "MISMATCHED_TYPE_BUT_USABLE", "MISMATCHED_TYPE_OPERATION_TO_NULL"}),
    ("PAL224 redundant statement", "PAL224", set()),
    ("PAL225 statement denied entirely", "PAL225", set()),
    ("PAL226 variables without version", "PAL226", {"NO_VERSION", "OLD_VERSION"}),
]
LINT_CODES = {code for _, code, _ in LINT_PAIRS}

# cloudsplaining 0.7.0 shared/constants.py PRIVILEGE_ESCALATION_METHODS (BSD-3-Clause): 22 methods.
# Three also need sts:AssumeRole; privesc_combos.json (from cloudsplaining 0.9.1 and others) has 63.
CLOUDSPLAINING_METHODS = {
    "CreateAccessKey": ["iam:createaccesskey"], "CreateLoginProfile": ["iam:createloginprofile"],
    "UpdateLoginProfile": ["iam:updateloginprofile"], "AddUserToGroup": ["iam:addusertogroup"],
    "CreateNewPolicyVersion": ["iam:createpolicyversion"],
    "SetExistingDefaultPolicyVersion": ["iam:setdefaultpolicyversion"],
    "AttachUserPolicy": ["iam:attachuserpolicy"], "AttachGroupPolicy": ["iam:attachgrouppolicy"],
    "AttachRolePolicy": ["iam:attachrolepolicy", "sts:assumerole"], "PutUserPolicy": ["iam:putuserpolicy"],
    "PutGroupPolicy": ["iam:putgrouppolicy"], "PutRolePolicy": ["iam:putrolepolicy", "sts:assumerole"],
    "UpdateRolePolicyToAssumeIt": ["iam:updateassumerolepolicy", "sts:assumerole"],
    "CreateEC2WithExistingIP": ["iam:passrole", "ec2:runinstances"],
    "PassExistingRoleToNewLambdaThenInvoke": ["iam:passrole", "lambda:createfunction", "lambda:invokefunction"],
    "PassExistingRoleToNewLambdaThenTriggerWithNewDynamo": [
        "iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping", "dynamodb:createtable",
        "dynamodb:putitem"],
    "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": [
        "iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping"],
    "PassExistingRoleToNewGlueDevEndpoint": ["iam:passrole", "glue:createdevendpoint"],
    "PassExistingRoleToCloudFormation": ["iam:passrole", "cloudformation:createstack"],
    "PassExistingRoleToNewDataPipeline": ["iam:passrole", "datapipeline:createpipeline"],
    "UpdateExistingGlueDevEndpoint": ["glue:updatedevendpoint"],
    "EditExistingLambdaFunctionWithRole": ["lambda:updatefunctioncode"],
}
# cloudsplaining's default-exclusions.yml (policy names or paths, and role names or paths).
CLOUDSPLAINING_EXCLUDED_POLICIES = ["AWSServiceRoleFor*", "*ServiceRolePolicy", "*ServiceLinkedRolePolicy",
                                    "AdministratorAccess", "service-role*", "aws-service-role*", "/service-role*",
                                    "/aws-service-role*", "MyRole"]
CLOUDSPLAINING_EXCLUDED_ROLES = ["service-role*", "aws-service-role*"]
COMPUTE_PREFIXES = ["ec2", "eks", "ecs-tasks", "lambda"]
PRINCIPAL_PREFIXES = ("role:", "user:", "group:")
RESOURCE_TYPES = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group",
                  "AWS::IAM::ManagedPolicy": "policy"}


# --- running the tools ------------------------------------------------------------------------

def timed(cmd, stdout_path=None):
    """Run cmd; return (wall seconds, exit code, stdout text or None, stderr tail)."""
    out = open(stdout_path, "w") if stdout_path else subprocess.PIPE
    try:
        started = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - started
    finally:
        if stdout_path:
            out.close()
    return wall, proc.returncode, (proc.stdout if not stdout_path else None), (proc.stderr or "")[-2000:]


def palisade_has_iam(palisade):
    if not palisade or not os.path.exists(palisade):
        return False, f"{palisade} not found (cd {ROOT} && cargo build --release)"
    proc = subprocess.run([palisade, "iam", "scan", "--help"], capture_output=True, text=True)
    if proc.returncode != 0:
        return False, f"`{palisade} iam scan` does not exist yet: {proc.stderr.strip().splitlines()[0:1]}"
    return True, ""


def run_cloudsplaining(exe, auth_file, out_dir):
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    log = os.path.join(out_dir, "stdout.log")
    wall, rc, _, err = timed([exe, "scan", "--input-file", auth_file, "--output", out_dir, "--skip-open-report"],
                             stdout_path=log)
    name = os.path.basename(auth_file).split(".")[0]
    results = os.path.join(out_dir, f"iam-results-{name}.json")
    if rc != 0 or not os.path.exists(results):
        raise RuntimeError(f"cloudsplaining failed (exit {rc}): {err}")
    return wall, results


def run_parliament(exe, auth_file, out_path):
    wall, rc, _, err = timed([exe, "--auth-details-file", auth_file, "--json"], stdout_path=out_path)
    if rc not in (0, 1):  # 1 = there are findings
        raise RuntimeError(f"parliament failed (exit {rc}): {err}")
    return wall, out_path


def run_palisade(exe, auth_file, out_path, runs):
    best = None
    for _ in range(runs):
        wall, rc, out, err = timed([exe, "iam", "scan", "--auth-details", auth_file, "--format", "json"])
        try:
            json.loads(out)
        except ValueError:
            raise RuntimeError(f"palisade exit {rc}, stdout is not JSON: {err}")
        best = wall if best is None else min(best, wall)
    with open(out_path, "w") as f:
        f.write(out)
    return best, out_path


# --- normalisation: {category: {key: set(details)}}; key = "role:Name", "user:…", "group:…",
#     "policy:Name" (a managed policy) -------------------------------------------------------

def normalize_cloudsplaining(results_path):
    """Per principal (the union of its own policies' findings) and per managed policy."""
    with open(results_path) as f:
        data = json.load(f)
    out = {c: {} for c in CATEGORIES}

    def policy_findings(policy):
        found = {}
        if policy.get("is_excluded"):
            return found
        for cat in CATEGORIES[:-1]:
            items = policy.get(cat, {}).get("findings", [])
            details = {i["type"] if isinstance(i, dict) else i for i in items}
            if details:
                found[cat] = details
        return found

    sections = {"inline_policies": "inline", "customer_managed_policies": "customer", "aws_managed_policies": "aws"}
    by_id = {s: {pid: policy_findings(p) for pid, p in data.get(s, {}).items()} for s in sections}
    for section in ("customer_managed_policies", "aws_managed_policies"):
        for pid, p in data.get(section, {}).items():
            for cat, details in by_id[section][pid].items():
                out[cat].setdefault("policy:" + p["PolicyName"], set()).update(details)
    for kind in ("roles", "users", "groups"):
        for principal in data.get(kind, {}).values():
            if principal.get("is_excluded"):
                continue
            key = f"{kind[:-1]}:{principal['name']}"
            for section in sections:
                for pid in principal.get(section, {}):
                    for cat, details in by_id[section].get(pid, {}).items():
                        out[cat].setdefault(key, set()).update(details)
            if kind == "roles":
                trust = principal.get("assume_role_policy", {}).get("PolicyDocument")
                services = cloudsplaining_compute_services(trust)
                if services:
                    out["AssumableByComputeService"][key] = set(services)
    return out


def cloudsplaining_compute_services(doc):
    """trustPolicyAssumableByComputeService of cloudsplaining's report (output/src/util/roles.js),
    line by line: `"sts:AssumeRole" in array` tests array indices, so any statement whose Action is
    a list ends the search with nothing; a list of services is never matched either."""
    found = []
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list):
        return found
    for st in doc["Statement"]:
        if "Action" in st:
            if isinstance(st["Action"], list) or st["Action"] != "sts:AssumeRole":
                return []
            principal = st.get("Principal")
            service = principal.get("Service") if isinstance(principal, dict) else None
            if isinstance(service, str) and service.endswith(".amazonaws.com"):
                if service.split(".")[0] in COMPUTE_PREFIXES:
                    found.append(service.split(".")[0])
    return found


def intended_compute_services(doc):
    """What cloudsplaining's Python (AssumeRolePolicyDocument, unused for output) would say."""
    found = []
    for st in as_list((doc or {}).get("Statement", [])):
        if "sts:assumerole" not in [a.lower() for a in as_list(st.get("Action", []))]:
            continue
        principal = st.get("Principal")
        for svc in as_list(principal.get("Service", [])) if isinstance(principal, dict) else []:
            if svc.endswith(".amazonaws.com") and svc.split(".")[0] in COMPUTE_PREFIXES:
                found.append(svc.split(".")[0])
    return found


def parse_iam_arn(arn):
    """arn:aws:iam::ACCOUNT:role/path/Name -> "role:Name"; a managed policy -> "policy:Name"."""
    m = re.match(r"arn:aws:iam::[^:]*:(role|user|group|policy)/(?:.*/)?([^/]+)$", arn or "")
    return f"{m.group(1)}:{m.group(2)}" if m else None


def normalize_parliament(path):
    """{issue type: {policy key: set(details)}}; the key of an inline policy is its principal.
    Findings with the shared default location go under "?unattributed", numbered so none merge."""
    out = {}
    unattributed = 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            finding = json.loads(line)
            loc = finding.get("location") or {}
            key = parse_iam_arn(loc.get("filepath"))
            if set(loc) <= {"filepath"}:  # the shared default location: the filepath may be another's
                key = "?unattributed"
                unattributed += 1
            detail = finding.get("detail")
            if isinstance(detail, list):
                detail = ", ".join(d if isinstance(d, str) else d.get("action", json.dumps(d)) for d in detail[:3]) + \
                    (", …" if len(detail) > 3 else "")
            if key == "?unattributed":
                detail = f"#{unattributed} {detail}"
            out.setdefault(finding["issue"], {}).setdefault(key or "?", set()).add(str(detail)[:120])
    return out


def palisade_key(finding):
    kind = RESOURCE_TYPES.get(finding.get("resource_type") or "")
    name = finding.get("resource") or "?"
    if kind in ("role", "user", "group"):
        name = re.split(r"[/:]", name, 1)[0]  # IAM principal names cannot hold "/" or ":"
    return f"{kind or finding.get('resource_type')}:{name}"


def normalize_palisade(path):
    """Risk categories per principal or managed policy; PAL208 details are the method ids."""
    with open(path) as f:
        findings = json.load(f).get("findings", [])
    out = {c: {} for c in PALISADE_CODES}
    for finding in findings:
        for cat, codes in PALISADE_CODES.items():
            if finding.get("code") not in codes:
                continue
            if finding["code"] == "PAL208":
                details = {m.group(1) for r in finding.get("related", [])
                           if (m := re.match(r"\s*([A-Za-z0-9]+)\s*:", r.get("message", "")))}
            else:
                details = {finding.get("message", "")[:120]}
            out[cat].setdefault(palisade_key(finding), set()).update(details)
    return out


def normalize_palisade_lint(path):
    """{lint code: {policy key: set(messages)}}."""
    with open(path) as f:
        findings = json.load(f).get("findings", [])
    out = {}
    for finding in findings:
        if finding.get("code") in LINT_CODES:
            out.setdefault(finding["code"], {}).setdefault(palisade_key(finding), set()).add(
                finding.get("message", "")[:120])
    return out


def inherit_policy_findings(pal, account):
    """Count a principal as flagged when a customer managed policy it attaches is, as
    cloudsplaining's report counts principals: Palisade reports a policy's own risks once, on
    the policy (resource_type AWS::IAM::ManagedPolicy), not on each principal holding it."""
    for cat, keyed in pal.items():
        flagged = {k[7:] for k in keyed if k.startswith("policy:")}
        if not flagged:
            continue
        for key, (principal, _) in account.principals.items():
            for a in principal.get("AttachedManagedPolicies", []):
                if a["PolicyName"] in flagged and ":aws:policy/" not in a["PolicyArn"]:
                    keyed.setdefault(key, set()).add(f"via policy {a['PolicyName']}")


# --- the account, to explain differences -----------------------------------------------------

def as_list(v):
    return v if isinstance(v, list) else ([] if v is None else [v])


def excluded_by(name, patterns):
    name = name.lower()
    for p in patterns:
        p = p.lower()
        if p == name or (p.endswith("*") and name.startswith(p[:-1])) or (p.startswith("*") and name.endswith(p[1:])):
            return True
    return False


class Account:
    """The generated authorization details, indexed to describe a principal or a policy."""

    def __init__(self, data):
        self.policies = {p["Arn"]: p for p in data["Policies"]}
        self.by_name = {p["PolicyName"]: p for p in data["Policies"]}
        self.principals = {}
        for kind, lst, name_key, inline_key in (("role", "RoleDetailList", "RoleName", "RolePolicyList"),
                                                ("user", "UserDetailList", "UserName", "UserPolicyList"),
                                                ("group", "GroupDetailList", "GroupName", "GroupPolicyList")):
            for p in data[lst]:
                self.principals[f"{kind}:{p[name_key]}"] = (p, inline_key)

    def default_doc(self, policy):
        return next(v["Document"] for v in policy["PolicyVersionList"] if v["IsDefaultVersion"])

    def documents(self, key, with_groups=False):
        """[(label, document)] of a principal's own policies (and its groups', if asked)."""
        if key.startswith("policy:"):
            p = self.by_name.get(key[7:])
            return [(key, self.default_doc(p))] if p else []
        principal, inline_key = self.principals.get(key, (None, None))
        if not principal:
            return []
        docs = [(f"inline:{p['PolicyName']}", p["PolicyDocument"]) for p in principal.get(inline_key, [])]
        for a in principal.get("AttachedManagedPolicies", []):
            p = self.policies.get(a["PolicyArn"])
            if p:
                label = ("aws:" if ":aws:policy/" in p["Arn"] else "managed:") + p["PolicyName"]
                docs.append((label, self.default_doc(p)))
        if with_groups:
            for g in principal.get("GroupList", []):
                docs += [(f"group {g} {label}", d) for label, d in self.documents(f"group:{g}")]
        return docs

    def granted_by(self, key, action):
        """Labels of the principal's policies with an Allow of `action` on "*" (conditions noted)."""
        action = action.lower()
        labels = []
        for label, doc in self.documents(key, with_groups=True):
            for st in as_list(doc.get("Statement")):
                if st.get("Effect") != "Allow" or "*" not in as_list(st.get("Resource")):
                    continue
                if "NotAction" in st:
                    hit = not any(fnmatch.fnmatchcase(action, a.lower()) for a in as_list(st["NotAction"]))
                else:
                    hit = any(fnmatch.fnmatchcase(action, a.lower()) for a in as_list(st.get("Action")))
                if hit:
                    labels.append(label + (" (Condition)" if "Condition" in st else ""))
                    break
        for label, doc in self.documents(key, with_groups=True):
            for st in as_list(doc.get("Statement")):
                if st.get("Effect") == "Deny" and any(fnmatch.fnmatchcase(action, a.lower())
                                                      for a in as_list(st.get("Action"))):
                    how = [] if "*" in as_list(st.get("Resource")) else ["on some ARNs"]
                    how += ["with Condition"] if "Condition" in st else []
                    labels.append(f"DENIED by {label}" + (f" ({', '.join(how)})" if how else ""))
        principal, _ = self.principals.get(key, (None, None))
        boundary = self.policies.get(((principal or {}).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"))
        if boundary:
            statements = as_list(self.default_doc(boundary).get("Statement"))
            allowed = any(st.get("Effect") == "Allow" and any(fnmatch.fnmatchcase(action, a.lower())
                                                               for a in as_list(st.get("Action"))) for st in statements)
            denied = any(st.get("Effect") == "Deny" and any(fnmatch.fnmatchcase(action, a.lower())
                                                             for a in as_list(st.get("Action"))) for st in statements)
            if denied or not allowed:
                labels.append(f"OUTSIDE the permissions boundary {boundary['PolicyName']}")
        return labels

    def features(self, key, tool="cloudsplaining"):
        """What about a principal or policy may make `tool` see it and Palisade not, or the reverse."""
        out = []
        principal, inline_key = self.principals.get(key, (None, None))
        if key.startswith("policy:"):
            p = self.by_name.get(key[7:])
            if p is None:
                return ["not in the input"]
            if ":aws:policy/" in p["Arn"]:
                out.append("AWS managed" + (" (parliament skips those)" if tool == "parliament" else ""))
            if tool == "cloudsplaining" and (excluded_by(p["PolicyName"], CLOUDSPLAINING_EXCLUDED_POLICIES)
                                             or excluded_by(p["Path"], CLOUDSPLAINING_EXCLUDED_POLICIES)):
                out.append("excluded by cloudsplaining's defaults")
            if tool == "parliament" and p["Path"] in ("/service-role/", "/aws-service-role/"):
                out.append(f"path {p['Path']} (parliament skips it)")
            if not p["AttachmentCount"]:
                out.append("not attached")
        elif principal is None:
            return ["not in the input"]
        elif tool == "parliament":
            n = len(principal.get(inline_key, []))
            if n > 1:
                out.append(f"{n} inline policies, reported by parliament under the principal's ARN")
        else:
            if key.startswith("role:") and (excluded_by(principal["RoleName"], CLOUDSPLAINING_EXCLUDED_ROLES)
                                            or principal["Path"].startswith("/aws-service-role")):
                out.append("role excluded by cloudsplaining")
            skipped = [a["PolicyName"] for a in principal.get("AttachedManagedPolicies", [])
                       if excluded_by(a["PolicyName"], CLOUDSPLAINING_EXCLUDED_POLICIES)
                       or excluded_by(a["PolicyArn"].split(":policy/", 1)[1], CLOUDSPLAINING_EXCLUDED_POLICIES)]
            if skipped:
                out.append("cloudsplaining skips " + ", ".join(skipped))
            others = [a["PolicyName"] for a in principal.get("AttachedManagedPolicies", [])
                      if ":aws:policy/" in a["PolicyArn"] and a["PolicyName"] not in skipped]
            if others:
                out.append("AWS managed " + ", ".join(others))
            if principal.get("PermissionsBoundary"):
                out.append("permissions boundary")
            if principal.get("GroupList"):
                out.append("in groups " + ", ".join(principal["GroupList"]) + " (cloudsplaining does not "
                           "count group policies for the user)")
            if key.startswith("role:"):
                trust = principal.get("AssumeRolePolicyDocument")
                intended, shown = intended_compute_services(trust), cloudsplaining_compute_services(trust)
                if intended != shown:
                    out.append(f"trust policy in list form (cloudsplaining's report sees {shown or 'nothing'}, "
                               f"the role trusts {intended})")
        docs = self.documents(key)
        if tool == "parliament" and principal is not None:
            docs = [(label, d) for label, d in docs if label.startswith("inline:")]
        statements = [(label, st) for label, d in docs if not label.startswith("aws:")
                      for st in as_list(d.get("Statement"))]
        denies = sorted({label for label, st in statements if st.get("Effect") == "Deny"})
        if denies:
            out.append("Deny in " + ", ".join(denies))
        conditional = sorted({label for label, st in statements if st.get("Effect") == "Allow" and "Condition" in st})
        if conditional:
            out.append("Allow with Condition in " + ", ".join(conditional))
        if any("NotAction" in st for _, st in statements):
            out.append("NotAction")
        if any(a == "*" or a.endswith(":*") for _, st in statements for a in as_list(st.get("Action"))):
            out.append("service wildcard")
        if any("${" in r for _, st in statements for r in as_list(st.get("Resource"))):
            out.append("policy variable")
        return out


# --- why Palisade does not flag what cloudsplaining flags ------------------------------------

# Reads cloudsplaining 0.7.0 always counts as infrastructure modification.
CS_READS_AS_WRITES = {"s3:getobject", "ssm:getparameter", "ssm:getparameters", "ssm:getparametersbypath",
                      "secretsmanager:getsecretvalue"}


def load_combos():
    path = os.path.join(ROOT, "crates", "palisade-iam", "data", "privesc_combos.json")
    with open(path) as f:
        return {m["id"]: m["actions_all_required"] for m in json.load(f)["methods"]}


def unscopable_actions(palisade, actions):
    """The actions Palisade's catalog says take no resource: `iam explain` of a policy granting
    them on one ARN shows those on any resource."""
    if not actions:
        return set()
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": sorted(actions), "Resource": "arn:aws:s3:::one-bucket"}]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        out = subprocess.run([palisade, "iam", "explain", f.name, "-f", "json"], capture_output=True, text=True)
        data = json.loads(out.stdout or "{}")
    finally:
        os.unlink(f.name)
    return {a["action"].lower() for s in data.get("services", []) for acts in s["by_access_level"].values()
            for a in acts if a["reach"] == "any-resource"}


def is_administrator(account, key):
    for label, doc in account.documents(key, with_groups=True):
        if label.endswith("AdministratorAccess"):
            return True
        for st in as_list(doc.get("Statement")):
            if (st.get("Effect") == "Allow" and "*" in as_list(st.get("Action"))
                    and "*" in as_list(st.get("Resource")) and "Condition" not in st):
                return True
    return False


def action_reason(cat, key, action, account, unscopable):
    a = action.lower()
    if a in unscopable:
        return "takes no resource, so there is nothing narrower to write (left out by design)"
    if cat == "InfrastructureModification" and a in CS_READS_AS_WRITES:
        return "a read, which cloudsplaining counts as infrastructure modification (Palisade: PAL210)"
    labels = account.granted_by(key, a)
    grants = [l for l in labels if not l.startswith(("DENIED", "OUTSIDE"))]
    if any(l.startswith("OUTSIDE") for l in labels):
        return "outside the principal's permissions boundary"
    if any(l.startswith("DENIED") and "(" not in l for l in labels):
        return "denied by an explicit Deny in another policy of the principal"
    if cat == "InfrastructureModification" and grants and all(" aws:" in f" {l}" or l.startswith("aws:") or " aws:" in l
                                                             for l in grants):
        return "granted only by AWS managed policies (Palisade judges those with PAL202/PAL205)"
    return None


def explain_missed(cat, key, details, account, unscopable, combos):
    """One reason Palisade does not flag a principal cloudsplaining flags, or None."""
    if is_administrator(account, key):
        return "an administrator: Palisade reports PAL201/PAL205, and no category on top"
    if cat == "AssumableByComputeService":
        return "compute-assumable but holding no escalation, exposure, exfiltration or credential risk"
    if cat == "PrivilegeEscalation":
        reasons = []
        for method in details:
            actions = combos.get(method)
            if actions is None:
                return None
            found = [action_reason(cat, key, x, account, unscopable) for x in actions]
            found = [r for r in found if r and "boundary" in r or r and "Deny" in r]
            if not found:
                return None
            reasons.append(found[0])
        return reasons[0] if reasons else None
    reasons = [action_reason(cat, key, x, account, unscopable) for x in details]
    if not reasons or any(r is None for r in reasons):
        return None
    return max(set(reasons), key=reasons.count)


def print_examples(keys, details, who, account, indent):
    """Each principal or policy with what the tool found, and what may explain it."""
    for key in keys:
        print(f"{indent}{key}  [{who}: {fmt_details(details[key])}]")
        feats = account.features(key)
        if feats:
            print(f"{indent}  {'; '.join(feats)}")


def print_missed(cs, pal, account, palisade, examples):
    """Every principal cloudsplaining flags and Palisade does not, counted by reason."""
    combos = load_combos()
    wanted = set()
    for cat in CATEGORIES:
        if cat in ("PrivilegeEscalation", "ServiceWildcard", "AssumableByComputeService"):
            continue
        for key in principals_of(cs.get(cat, {})) - principals_of(pal.get(cat, {})):
            wanted |= {d.lower() for d in cs[cat][key]}
    unscopable = unscopable_actions(palisade, wanted)
    print("\n  Why Palisade does not flag what cloudsplaining flags (every principal, by reason)")
    total = unexplained_total = 0
    for cat in CATEGORIES:
        missed = sorted(principals_of(cs.get(cat, {})) - principals_of(pal.get(cat, {})))
        if not missed:
            continue
        counts, unexplained = {}, []
        for key in missed:
            reason = explain_missed(cat, key, cs[cat][key], account, unscopable, combos)
            if reason is None:
                unexplained.append(key)
            else:
                counts[reason] = counts.get(reason, 0) + 1
        total += len(missed)
        unexplained_total += len(unexplained)
        print(f"  {cat}: {len(missed)}")
        for reason, n in sorted(counts.items(), key=lambda x: -x[1]):
            print(f"    {n:>5}  {reason}")
        if unexplained:
            print(f"    {len(unexplained):>5}  UNEXPLAINED")
            print_examples(unexplained[:examples], cs[cat], "cloudsplaining", account, "           ")
    print(f"  explained {total - unexplained_total} of {total}")


# --- reporting -------------------------------------------------------------------------------

def principals_of(keyed):
    return {k for k in keyed if k.startswith(PRINCIPAL_PREFIXES)}


def fmt_details(details, n=4):
    items = sorted(details)
    return ", ".join(items[:n]) + (f", … ({len(items)})" if len(items) > n else "")


def print_timing(times, has_palisade):
    print(f"  {'tool':<16}{'seconds':>10}{'× Palisade':>12}")
    base = times.get("palisade")
    for tool in ("palisade", "cloudsplaining", "parliament"):
        if tool not in times:
            continue
        ratio = f"{times[tool] / base:.1f}" if base and tool != "palisade" else ("1.0" if tool == "palisade" else "n/a")
        print(f"  {tool:<16}{times[tool]:>10.2f}{ratio:>12}")
    if not has_palisade:
        print("  palisade        (skipped)")


def print_risks(cs, pal, account, examples):
    print(f"\n  Principals flagged per risk category (managed policies flagged, in parentheses)")
    print(f"  {'category':<42}{'cloudsplaining':>16}{'Palisade':>12}{'both':>8}{'cs only':>9}{'pal only':>10}")
    for cat in CATEGORIES:
        c, p = principals_of(cs.get(cat, {})), principals_of(pal.get(cat, {})) if pal else set()
        cpol = len(cs.get(cat, {})) - len(c)
        ppol = (len(pal.get(cat, {})) - len(p)) if pal else 0
        pal_col = f"{len(p)} ({ppol})" if pal is not None else "-"
        print(f"  {cat:<42}{f'{len(c)} ({cpol})':>16}{pal_col:>12}"
              + (f"{len(c & p):>8}{len(c - p):>9}{len(p - c):>10}" if pal is not None else ""))
    if pal is not None:
        for cat in PALISADE_ONLY:
            p = principals_of(pal.get(cat, {}))
            print(f"  {cat + ' (Palisade only)':<42}{'-':>16}{f'{len(p)} ({len(pal.get(cat, {})) - len(p)})':>12}")
    if pal is None:
        return
    for cat in CATEGORIES:
        c, p = cs.get(cat, {}), pal.get(cat, {})
        for title, a, b, who in (("cloudsplaining flags, Palisade does not", c, p, "cloudsplaining"),
                                 ("Palisade flags, cloudsplaining does not", p, c, "Palisade")):
            diff = sorted(principals_of(a) - principals_of(b))
            if not diff:
                continue
            print(f"\n  {cat}: {len(diff)} principals {title}")
            print_examples(diff[:examples], a, who, account, "    ")
    print_methods(cs.get("PrivilegeEscalation", {}), pal.get("PrivilegeEscalation", {}), account, examples)


def print_methods(cs, pal, account, examples):
    """Escalation methods of principals, pair by pair."""
    pairs_cs = {(k, m) for k, ms in cs.items() if k.startswith(PRINCIPAL_PREFIXES) for m in ms}
    pairs_pal = {(k, m) for k, ms in pal.items() if k.startswith(PRINCIPAL_PREFIXES) for m in ms}
    print(f"\n  Privilege-escalation methods (principal, method): cloudsplaining {len(pairs_cs)}, "
          f"Palisade {len(pairs_pal)}, both {len(pairs_cs & pairs_pal)}")
    for title, diff in (("cloudsplaining reports, Palisade does not", sorted(pairs_cs - pairs_pal)),
                        ("Palisade reports, cloudsplaining does not", sorted(pairs_pal - pairs_cs))):
        if not diff:
            continue
        tally = {}
        for _, method in diff:
            tally[method] = tally.get(method, 0) + 1
        print(f"\n  {len(diff)} methods {title}; by method:")
        top = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        for i in range(0, len(top), 3):
            print("    " + "".join(f"{m} {c}".ljust(62) for m, c in top[i:i + 3]).rstrip())
        # Examples: one per method first, so a few principals with many methods do not fill the list.
        seen, picked = set(), []
        for key, method in diff:
            if method not in seen:
                seen.add(method)
                picked.append((key, method))
        picked += [pair for pair in diff if pair not in picked]
        print("  examples:")
        for key, method in picked[:examples]:
            print(f"    {key}  {method}")
            print(f"      {method_hint(account, key, method)}")


def method_hint(account, key, method):
    if method not in CLOUDSPLAINING_METHODS:
        hint = ["not a cloudsplaining 0.7.0 method"]
    else:
        hint = []
        if "sts:assumerole" in CLOUDSPLAINING_METHODS[method]:
            hint.append("cloudsplaining also requires sts:AssumeRole")
    combos = {m["id"]: m["actions_all_required"] for m in gen_auth_details.load_privesc_methods()}
    actions = combos.get(method) or CLOUDSPLAINING_METHODS.get(method, [])
    grants = []
    for a in actions:
        labels = account.granted_by(key, a)
        grants.append(f"{a} <- {' | '.join(labels) if labels else 'nothing on *'}")
    return "; ".join(hint + grants)


def print_lint(parl, pal_lint, account, examples):
    print("\n  Policy lint, per policy (inline policies are counted per principal, as parliament reports them)")
    print(f"  {'Palisade code':<34}{'parliament':>11}{'Palisade':>10}{'both':>6}  parliament issue types")
    for title, code, issues in LINT_PAIRS:
        p = {}
        for issue in issues:
            for k, v in parl.get(issue, {}).items():
                p.setdefault(k, set()).update({f"{issue}: {d}" for d in v})
        q = pal_lint.get(code, {}) if pal_lint is not None else None
        both = len(set(p) & set(q)) if q is not None else "-"
        print(f"  {title:<34}{len(set(p) - {'?unattributed'}):>11}{len(q) if q is not None else '-':>10}{both:>6}  "
              f"{', '.join(sorted(issues)) or '(none)'}")
    paired = set().union(*(i for _, _, i in LINT_PAIRS))
    others = {i: v for i, v in parl.items() if i not in paired}
    if others:
        print("  parliament issue types with no Palisade lint counterpart (policies):")
        for issue in sorted(others):
            n = len(others[issue].get("?unattributed", ()))
            print(f"    {issue:<40}{len(set(others[issue]) - {'?unattributed'}):>6}"
                  + (f"  (+{n} findings attributed to no policy)" if n else ""))
    unattributed = {i: len(v["?unattributed"]) for i, v in parl.items() if "?unattributed" in v}
    if unattributed:
        print("  Findings parliament adds with a shared default `location` carry the first such finding's filepath,\n"
              "  so they are attributed to no policy: "
              + ", ".join(f"{i} {n}" for i, n in sorted(unattributed.items())))
    if pal_lint is None:
        return
    for title, code, issues in LINT_PAIRS:
        if not issues:
            continue
        p = {}
        for issue in issues:
            for k, v in parl.get(issue, {}).items():
                p.setdefault(k, set()).update({f"{issue}: {d}" for d in v})
        q = pal_lint.get(code, {})
        for label, a, b in (("parliament reports, Palisade does not", p, q),
                            ("Palisade reports, parliament does not", q, p)):
            diff = sorted(set(a) - set(b) - {"?unattributed"})
            if not diff:
                continue
            print(f"\n  {title}: {len(diff)} policies {label}")
            for key in diff[:examples]:
                print(f"    {key}  [{fmt_details(a[key], 2)}]")
                feats = account.features(key, "parliament")
                if feats:
                    print(f"      {'; '.join(feats)}")


# --- main ------------------------------------------------------------------------------------

def find_tool(name, given):
    if given:
        return given
    return shutil.which(name) or (f"/tmp/peers/bin/{name}" if os.path.exists(f"/tmp/peers/bin/{name}") else None)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100,1000,5000", help="numbers of roles (and about as many policies)")
    p.add_argument("--palisade", default=os.path.join(ROOT, "target", "release", "palisade"))
    p.add_argument("--cloudsplaining", default=None)
    p.add_argument("--parliament", default=None)
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "palisade-iam-compare"),
                   help="folder for the generated accounts and the tools' outputs")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=3, help="Palisade runs per size (best time)")
    p.add_argument("--examples", type=int, default=10)
    p.add_argument("--reuse", action="store_true", help="reuse the peers' outputs of an earlier run")
    a = p.parse_args()
    cs_exe, parl_exe = find_tool("cloudsplaining", a.cloudsplaining), find_tool("parliament", a.parliament)
    has_pal, why = palisade_has_iam(a.palisade)
    os.makedirs(a.work, exist_ok=True)
    print(f"work folder {a.work}; {os.cpu_count()} CPUs")
    if not has_pal:
        print(f"Palisade skipped: {why}")
    for tool, exe in (("cloudsplaining", cs_exe), ("parliament", parl_exe)):
        if not exe:
            print(f"{tool} not found: give --{tool} PATH")

    for n in [int(s) for s in a.sizes.split(",") if s.strip()]:
        auth = os.path.join(a.work, f"auth-details-{n}-seed{a.seed}.json")
        if not os.path.exists(auth):
            gen_auth_details.write(gen_auth_details.generate(n, n, a.seed), auth)
        with open(auth) as f:
            data = json.load(f)
        account = Account(data)
        n_cust = sum(1 for x in data["Policies"] if ":aws:policy/" not in x["Arn"])
        print(f"\n=== {n} roles: {len(data['RoleDetailList'])} roles, {len(data['UserDetailList'])} users, "
              f"{len(data['GroupDetailList'])} groups, {n_cust} customer managed and "
              f"{len(data['Policies']) - n_cust} AWS managed policies ({os.path.getsize(auth) / 1e6:.1f} MB)")

        times_path = os.path.join(a.work, f"times-{n}-seed{a.seed}.json")
        times = {}
        if a.reuse and os.path.exists(times_path):
            with open(times_path) as f:
                times = json.load(f)
        cs_results = os.path.join(a.work, f"cloudsplaining-{n}", f"iam-results-{os.path.basename(auth).split('.')[0]}.json")
        parl_out = os.path.join(a.work, f"parliament-{n}.jsonl")
        cs = parl = None
        if cs_exe:
            try:
                if not (a.reuse and "cloudsplaining" in times and os.path.exists(cs_results)):
                    times["cloudsplaining"], cs_results = run_cloudsplaining(
                        cs_exe, auth, os.path.join(a.work, f"cloudsplaining-{n}"))
                cs = normalize_cloudsplaining(cs_results)
            except RuntimeError as e:
                print(f"  {e}")
        if parl_exe:
            try:
                if not (a.reuse and "parliament" in times and os.path.exists(parl_out)):
                    times["parliament"], _ = run_parliament(parl_exe, auth, parl_out)
                parl = normalize_parliament(parl_out)
            except RuntimeError as e:
                print(f"  {e}")
        pal = pal_lint = None
        if has_pal:
            pal_out = os.path.join(a.work, f"palisade-{n}.json")
            try:
                times["palisade"], _ = run_palisade(a.palisade, auth, pal_out, a.runs)
                pal, pal_lint = normalize_palisade(pal_out), normalize_palisade_lint(pal_out)
                inherit_policy_findings(pal, account)
            except RuntimeError as e:
                print(f"  {e}")
        with open(times_path, "w") as f:
            json.dump({k: v for k, v in times.items() if k != "palisade"}, f)

        print_timing(times, pal is not None)
        if cs is not None:
            print_risks(cs, pal, account, a.examples)
            if pal is not None:
                print_missed(cs, pal, account, a.palisade, a.examples)
        if parl is not None:
            print_lint(parl, pal_lint, account, a.examples)


if __name__ == "__main__":
    main()
