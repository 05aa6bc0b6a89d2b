#!/usr/bin/env python3
"""Generate a synthetic but realistic `aws iam get-account-authorization-details` output.

Usage: bench/gen_auth_details.py --roles N --policies M --out FILE [--seed S]

The file has the documented shape (UserDetailList, GroupDetailList, RoleDetailList, Policies,
with the API's field names; policy documents are JSON objects, as the CLI prints them) for
account 111122223333. It is deterministic for a given seed: the same arguments give a
byte-identical file.

What is in it
-------------
Roles (N). Each role gets one archetype, drawn with these weights:

    28%  least privilege: actions scoped to ARNs (tables, buckets, queues, topics, secrets,
         parameters, log groups, keys), plus the usual AWS managed execution policy
    10%  service wildcards (`s3:*`, `dynamodb:*`, `sqs:*`...), half on `*`, half on ARNs
     8%  write and permissions-management actions on `*` (s3:PutObject, s3:PutBucketPolicy,
         kms:CreateGrant, lambda:AddPermission...)
     8%  data exfiltration reads on `*` (s3:GetObject, secretsmanager:GetSecretValue,
         ssm:GetParameter*, sometimes kms:Decrypt or s3:GetObjectVersion)
     5%  credential-returning actions on `*` (sts:AssumeRole, ecr:GetAuthorizationToken,
         redshift:GetClusterCredentials, rds-db:connect, gamelift:GetComputeAccess...)
     8%  a privilege-escalation method of privesc_combos.json complete in one policy (a third
         of those needing iam:PassRole grant it on arn:aws:iam::111122223333:role/*, not `*`)
     5%  a privilege-escalation method split across two policies of the role: part of its
         actions in an inline policy, the rest in a customer managed policy
     6%  risky actions on `*` limited by a Condition (PassedToService, ResourceTag,
         RequestedRegion, SecureTransport...)
     4%  `NotAction` statements (Allow everything but iam/organizations, on `*` or an ARN)
     6%  Deny statements: a broad Allow with a Deny in the same policy, in another policy of
         the role, on a single ARN only, or under a condition
     6%  broad AWS managed policies (PowerUserAccess, AmazonS3FullAccess,
         AmazonDynamoDBFullAccess, ReadOnlyAccess, AdministratorAccess, IAMFullAccess...)
     6%  console-created Lambda roles: path /service-role/, a customer managed policy
         AWSLambdaBasicExecutionRole-<uuid> at path /service-role/, sometimes an extra
         risky inline policy

Every role also has least-privilege statements of its app, so risky archetypes look like
real roles with one bad statement. About 6% of roles carry a permissions boundary
(a customer managed policy that allows only data-plane services).

Trust policies: lambda.amazonaws.com 50%, ecs-tasks.amazonaws.com 15%, ec2.amazonaws.com 12%
(with an instance profile), another AWS account 10% (half with sts:ExternalId), this account
5%, `*` 3% (a third of them limited by aws:PrincipalOrgID), several services in a list 5%.
Most trust policies use the string forms (`"Action": "sts:AssumeRole"`); about 15% use lists.

Customer managed policies (about M): the roles' own (about 0.7 per role), the users' and
groups', then shared policies attached to 2-5 more roles and unattached policies (a third of
the remainder), until there are M. About 20% of them have an older, non-default version
that is broader than the default one (tools must read only the default). Policies at path
/service-role/ and the boundary policy count towards M.

AWS managed policies are attached by ARN from a fixed list of common ones; each attached one
is in Policies with its real document (from crates/palisade-iam/data/managed-policies.tsv)
and its path (`/`, `/service-role/`, `/job-function/`), as the real command includes them.

Users (max(3, N/10)) and groups (max(2, N/50)): developers, deployers (PassRole +
CloudFormation), service accounts, admins, auditors; groups with AWS managed and customer
managed policies and inline policies (one group holds a split privilege escalation); about
60% of users are in one or two groups.

Policy lint defects: about 6% of the generated documents get one defect: an unknown action
or service prefix, an action whose resource type does not match the ARN, a condition key the
action does not support, a condition operator of the wrong type, a redundant statement, an
Allow entirely denied by a Deny of the same policy, or a policy variable in a policy without
Version 2012-10-17 (no Version, or 2008-10-17).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import sys

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ORG_ID = "o-a1b2c3d4e5"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "crates", "palisade-iam", "data")

# The AWS managed policies roles, users and groups may attach, by purpose.
AWS_MANAGED = [
    "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaDynamoDBExecutionRole", "AmazonECSTaskExecutionRolePolicy", "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy", "AWSXRayDaemonWriteAccess", "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess",
    "AmazonDynamoDBFullAccess", "AmazonDynamoDBReadOnlyAccess", "AmazonSQSFullAccess", "PowerUserAccess",
    "ReadOnlyAccess", "AdministratorAccess", "IAMFullAccess", "SecretsManagerReadWrite", "SecurityAudit",
    "ViewOnlyAccess",
]
BROAD_MANAGED = ["PowerUserAccess", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "ReadOnlyAccess",
                 "AdministratorAccess", "IAMFullAccess", "SecretsManagerReadWrite", "AmazonSQSFullAccess"]

ROLE_MIX = [  # archetype, weight (percent)
    ("least_privilege", 28), ("service_wildcard", 10), ("write_on_star", 8), ("data_exfiltration", 8),
    ("credentials", 5), ("privesc_single", 8), ("privesc_split", 5), ("conditional", 6),
    ("not_action", 4), ("deny", 6), ("aws_managed_broad", 6), ("console_service_role", 6),
]
TRUST_MIX = [("lambda", 50), ("ecs-tasks", 15), ("ec2", 12), ("other-account", 10), ("same-account", 5),
             ("anyone", 3), ("multi-service", 5)]

APPS = ["orders", "billing", "inventory", "payments", "checkout", "search", "notifications", "reports",
        "auth", "catalog", "shipping", "analytics", "ingest", "etl", "media", "profile", "pricing", "ledger"]
ENVS = ["prod", "staging", "dev"]
COMPONENTS = ["Api", "Worker", "Processor", "Handler", "Consumer", "Scheduler", "Stream", "Webhook", "Export"]
REGIONS = ["us-east-1", "us-east-1", "eu-west-1", "us-west-2"]

WRITE_ON_STAR = ["sqs:SendMessage", "sns:Publish", "s3:PutObject", "s3:DeleteObject", "dynamodb:PutItem",
                 "dynamodb:DeleteTable", "lambda:UpdateFunctionConfiguration", "events:PutEvents",
                 "kinesis:PutRecord", "logs:CreateLogGroup", "ec2:CreateTags", "cloudwatch:PutMetricData"]
PERMISSIONS_ON_STAR = ["s3:PutBucketPolicy", "s3:PutBucketAcl", "kms:CreateGrant", "lambda:AddPermission",
                       "sqs:SetQueueAttributes", "sns:SetTopicAttributes", "ecr:SetRepositoryPolicy",
                       "secretsmanager:PutResourcePolicy", "kms:PutKeyPolicy", "s3:PutBucketPublicAccessBlock"]
EXFIL_ON_STAR = ["s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
                 "ssm:GetParametersByPath"]
EXFIL_EXTRA = ["kms:Decrypt", "s3:GetObjectVersion", "rds:CreateDBSnapshot"]
CREDENTIALS_ON_STAR = ["sts:AssumeRole", "ecr:GetAuthorizationToken", "redshift:GetClusterCredentials",
                       "rds-db:connect", "codeartifact:GetAuthorizationToken", "sts:GetFederationToken",
                       "ec2:GetPasswordData", "cognito-identity:GetCredentialsForIdentity",
                       "gamelift:GetComputeAccess", "iam:CreateServiceSpecificCredential"]

PALISADE_LINT_DEFECTS = ["unknown_action", "unknown_prefix", "resource_mismatch", "unknown_condition_key",
                         "condition_type_mismatch", "redundant_statement", "denied_entirely",
                         "variable_without_version"]


class Gen:
    def __init__(self, roles, policies, seed):
        self.rng = random.Random(seed)
        self.n_roles = roles
        self.m_policies = policies
        self.names = set()
        self.ids = set()
        self.managed_docs = load_managed_policies()
        self.methods = load_privesc_methods()
        self.customer = {}      # policy name -> entry of Policies (in creation order)
        self.aws_attached = {}  # AWS managed name -> attachment count
        self.attach_count = {}  # policy arn -> attachments
        self.boundary_count = {}
        self.lint_count = 0

    # --- names, ids, dates -------------------------------------------------------------------

    def unique(self, name):
        base, i = name, 2
        while name.lower() in self.names:
            name = f"{base}{i}"
            i += 1
        self.names.add(name.lower())
        return name

    def aws_id(self, prefix):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        while True:
            ident = prefix + "".join(self.rng.choice(alphabet) for _ in range(17))
            if ident not in self.ids:
                self.ids.add(ident)
                return ident

    def suffix(self, n=12, lower=False):
        chars = "abcdefghijklmnopqrstuvwxyz0123456789" if lower else "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def date(self, year_from=2019):
        return (f"{self.rng.randint(year_from, 2025)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
                f"T{self.rng.randint(0, 23):02d}:{self.rng.randint(0, 59):02d}:{self.rng.randint(0, 59):02d}+00:00")

    def pick(self, weighted):
        total = sum(w for _, w in weighted)
        r = self.rng.uniform(0, total)
        for item, w in weighted:
            r -= w
            if r <= 0:
                return item
        return weighted[-1][0]

    # --- resources of an app -----------------------------------------------------------------

    def app_context(self):
        app, env = self.rng.choice(APPS), self.rng.choice(ENVS)
        region = self.rng.choice(REGIONS)
        purpose = self.rng.choice(["events", "records", "state", "jobs", "sessions", "items"])
        return {
            "app": app, "env": env, "region": region, "purpose": purpose,
            "table": f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{app.capitalize()}{purpose.capitalize()}-{env}",
            "bucket": f"arn:aws:s3:::{app}-{env}-{purpose}-{ACCOUNT}",
            "queue": f"arn:aws:sqs:{region}:{ACCOUNT}:{app}-{env}-{purpose}",
            "topic": f"arn:aws:sns:{region}:{ACCOUNT}:{app}-{env}-alerts",
            "secret": f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{app}/{env}/db-{self.suffix(6)}",
            "params": f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/{app}/{env}/*",
            "logs": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/lambda/{app}-{env}-*",
            "key": f"arn:aws:kms:{region}:{ACCOUNT}:key/{self.uuid()}",
            "function": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{app}-{env}-*",
            "stream": f"arn:aws:kinesis:{region}:{ACCOUNT}:stream/{app}-{env}-{purpose}",
        }

    def uuid(self):
        h = "".join(self.rng.choice("0123456789abcdef") for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def stmt(self, actions, resources, effect="Allow", sid=None, condition=None, not_action=False):
        s = {}
        if sid is not None or self.rng.random() < 0.4:
            s["Sid"] = sid or f"Stmt{self.rng.randint(1000000000, 9999999999)}"
        s["Effect"] = effect
        key = "NotAction" if not_action else "Action"
        s[key] = actions[0] if isinstance(actions, list) and len(actions) == 1 and self.rng.random() < 0.5 else actions
        s["Resource"] = resources[0] if isinstance(resources, list) and len(resources) == 1 else resources
        if condition:
            s["Condition"] = condition
        return s

    def least_privilege_statements(self, ctx, k=None):
        """One to three statements scoped to the app's resources."""
        options = [
            lambda: self.stmt(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
                              [ctx["table"], ctx["table"] + "/index/*"]),
            lambda: self.stmt(["s3:GetObject", "s3:PutObject"], [ctx["bucket"] + "/*"]),
            lambda: self.stmt(["s3:ListBucket"], [ctx["bucket"]]),
            lambda: self.stmt(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [ctx["queue"]]),
            lambda: self.stmt(["sqs:SendMessage"], [ctx["queue"]]),
            lambda: self.stmt(["sns:Publish"], [ctx["topic"]]),
            lambda: self.stmt(["secretsmanager:GetSecretValue"], [ctx["secret"]]),
            lambda: self.stmt(["ssm:GetParameter", "ssm:GetParametersByPath"], [ctx["params"]]),
            lambda: self.stmt(["logs:CreateLogStream", "logs:PutLogEvents"], [ctx["logs"]]),
            lambda: self.stmt(["kms:Decrypt", "kms:GenerateDataKey"], [ctx["key"]]),
            lambda: self.stmt(["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream"],
                              [ctx["stream"]]),
            lambda: self.stmt(["lambda:InvokeFunction"], [ctx["function"]]),
        ]
        k = k or self.rng.randint(1, 3)
        return [f() for f in self.rng.sample(options, k)]

    def doc(self, statements, version="2012-10-17"):
        d = {}
        if version:
            d["Version"] = version
        d["Statement"] = statements
        return d

    # --- lint defects ------------------------------------------------------------------------

    def maybe_lint(self, doc, ctx, rate=0.06):
        if self.rng.random() >= rate:
            return doc
        self.lint_count += 1
        kind = self.rng.choice(PALISADE_LINT_DEFECTS)
        st = doc["Statement"]
        if kind == "unknown_action":
            st.append(self.stmt([self.rng.choice(["s3:GetObjects", "dynamodb:GetItems", "lambda:InvokeFunctions",
                                                  "ssm:GetParameterByPath", "sqs:SendMessages"])],
                                [ctx["bucket"] + "/*"]))
        elif kind == "unknown_prefix":
            st.append(self.stmt([self.rng.choice(["cloudwatchlogs:PutLogEvents", "dynamo:GetItem",
                                                  "secretmanager:GetSecretValue"])], [ctx["logs"]]))
        elif kind == "resource_mismatch":
            st.append(self.rng.choice([
                self.stmt(["s3:GetObject"], [ctx["bucket"]]),              # object action on a bucket ARN
                self.stmt(["dynamodb:Query"], [ctx["bucket"] + "/*"]),     # table action on an S3 ARN
                self.stmt(["sqs:SendMessage"], [ctx["topic"]]),            # queue action on a topic ARN
            ]))
        elif kind == "unknown_condition_key":
            st.append(self.rng.choice([
                self.stmt(["s3:GetObject"], [ctx["bucket"] + "/*"], condition={"StringLike": {"s3:prefix": ["home/*"]}}),
                self.stmt(["sqs:SendMessage"], [ctx["queue"]],
                          condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}),
            ]))
        elif kind == "condition_type_mismatch":
            st.append(self.rng.choice([
                self.stmt(["s3:GetObject"], [ctx["bucket"] + "/*"],
                          condition={"StringEquals": {"aws:SourceIp": "10.0.0.0/8"}}),
                self.stmt(["dynamodb:GetItem"], [ctx["table"]],
                          condition={"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}),
                self.stmt(["sqs:SendMessage"], [ctx["queue"]],
                          condition={"NumericLessThan": {"aws:SecureTransport": "true"}}),
                self.stmt(["s3:ListBucket"], [ctx["bucket"]], condition={"StringEquals": {"s3:max-keys": "10"}}),
            ]))
        elif kind == "redundant_statement":
            copy = json.loads(json.dumps(st[0]))                           # a copy-pasted statement
            copy.pop("Sid", None)
            st.append(copy)
        elif kind == "denied_entirely":
            st.append(self.stmt(["s3:DeleteObject"], [ctx["bucket"] + "/*"]))
            st.append(self.stmt(["s3:Delete*"], ["*"], effect="Deny"))
        elif kind == "variable_without_version":
            st.append(self.stmt(["s3:GetObject", "s3:PutObject"],
                                [f"{ctx['bucket']}/home/${{aws:username}}/*"]))
            if self.rng.random() < 0.5:
                doc.pop("Version", None)
            else:
                doc["Version"] = "2008-10-17"
        return doc

    # --- customer managed policies -----------------------------------------------------------

    def budget_left(self):
        return self.m_policies - len(self.customer)

    def new_customer_policy(self, name, document, path="/", older=None):
        name = self.unique(name)
        arn = f"arn:aws:iam::{ACCOUNT}:policy{path}{name}"
        versions = []
        n_versions = 1
        if older is not None or self.rng.random() < 0.2:
            n_versions = self.rng.randint(2, 3)
        default = f"v{n_versions}"
        created = self.date(2019)
        for v in range(1, n_versions + 1):
            vid = f"v{v}"
            is_default = vid == default
            d = document if is_default else (older or self.broader_old_version(document))
            versions.append({"Document": d, "VersionId": vid, "IsDefaultVersion": is_default,
                             "CreateDate": created})
        versions.reverse()  # the API lists the newest version first
        entry = {
            "PolicyName": name, "PolicyId": self.aws_id("ANPA"), "Arn": arn, "Path": path,
            "DefaultVersionId": default, "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True, "CreateDate": created, "UpdateDate": created, "PolicyVersionList": versions,
        }
        self.customer[name] = entry
        return entry

    def broader_old_version(self, document):
        """An older version, before someone scoped it down: a service wildcard on `*`."""
        services = sorted({a.split(":")[0] for s in document.get("Statement", []) if s.get("Effect") == "Allow"
                           for a in as_list(s.get("Action", [])) if ":" in a}) or ["s3"]
        return {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": [f"{s}:*" for s in services[:2]], "Resource": "*"}]}

    def attach(self, principal, arn, name):
        principal["AttachedManagedPolicies"].append({"PolicyName": name, "PolicyArn": arn})
        self.attach_count[arn] = self.attach_count.get(arn, 0) + 1

    def attach_aws(self, principal, name):
        if any(p["PolicyName"] == name for p in principal["AttachedManagedPolicies"]):
            return
        arn = self.managed_docs[name]["arn"]
        self.aws_attached[name] = True
        self.attach(principal, arn, name)

    def place(self, principal, list_key, name, document, managed, ctx):
        """Put a document inline, or in a new customer managed policy when asked and budget remains."""
        document = self.maybe_lint(document, ctx)
        if managed and self.budget_left() > 0:
            entry = self.new_customer_policy(f"{ctx['app']}-{ctx['env']}-{name}", document)
            self.attach(principal, entry["Arn"], entry["PolicyName"])
        else:
            principal[list_key].append({"PolicyName": self.inline_name(principal, list_key, name),
                                        "PolicyDocument": document})

    def inline_name(self, principal, list_key, name):
        taken = {p["PolicyName"] for p in principal[list_key]}
        candidate, i = name, 1
        while candidate in taken:
            candidate = f"{name}{i}"
            i += 1
        return candidate

    # --- trust policies ----------------------------------------------------------------------

    def trust_policy(self, kind):
        lists = self.rng.random() < 0.15
        action = ["sts:AssumeRole"] if lists else "sts:AssumeRole"
        if kind in ("lambda", "ecs-tasks", "ec2"):
            svc = f"{kind}.amazonaws.com"
            principal = {"Service": [svc] if lists else svc}
            st = {"Effect": "Allow", "Principal": principal, "Action": action}
        elif kind == "multi-service":
            st = {"Effect": "Allow",
                  "Principal": {"Service": self.rng.choice([["lambda.amazonaws.com", "edgelambda.amazonaws.com"],
                                                            ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"],
                                                            ["states.amazonaws.com", "events.amazonaws.com"]])},
                  "Action": ["sts:AssumeRole", "sts:TagSession"] if self.rng.random() < 0.5 else "sts:AssumeRole"}
        elif kind == "other-account":
            st = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": action}
            if self.rng.random() < 0.5:
                st["Condition"] = {"StringEquals": {"sts:ExternalId": self.suffix(16, lower=True)}}
        elif kind == "same-account":
            st = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": action}
        else:  # anyone
            st = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action}
            if self.rng.random() < 1 / 3:
                st["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
        return {"Version": "2012-10-17", "Statement": [st]}

    # --- roles -------------------------------------------------------------------------------

    def role_name(self, kind, ctx, archetype):
        app, env = ctx["app"], ctx["env"]
        comp = self.rng.choice(COMPONENTS)
        if archetype == "console_service_role":
            return f"{app}-{comp.lower()}-role-{self.suffix(8, lower=True)}"
        if kind in ("lambda", "multi-service"):
            return f"{app}-{env}-{comp}FunctionRole-{self.suffix(12)}"
        if kind == "ecs-tasks":
            return f"{app}-{env}-{comp}TaskRole-{self.suffix(12)}"
        if kind == "ec2":
            return f"{app}-{env}-{comp.lower()}-instance-role"
        if kind == "other-account":
            return f"{app}-{self.rng.choice(['audit', 'deploy', 'readonly', 'vendor', 'backup'])}-cross-account-role"
        if kind == "same-account":
            return f"{app}-{env}-{self.rng.choice(['operator', 'breakglass', 'support', 'deploy'])}-role"
        return f"{app}-{env}-{self.rng.choice(['shared', 'public', 'partner'])}-access-role"

    def make_role(self, archetype, boundary_arn):
        ctx = self.app_context()
        kind = "lambda" if archetype == "console_service_role" else self.pick(TRUST_MIX)
        path = "/service-role/" if archetype == "console_service_role" else self.rng.choice(["/", "/", "/", "/app/"])
        name = self.unique(self.role_name(kind, ctx, archetype))
        created = self.date()
        role = {
            "Path": path, "RoleName": name, "RoleId": self.aws_id("AROA"),
            "Arn": f"arn:aws:iam::{ACCOUNT}:role{path}{name}", "CreateDate": created,
            "AssumeRolePolicyDocument": self.trust_policy(kind), "InstanceProfileList": [],
            "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [],
            "RoleLastUsed": {"LastUsedDate": self.date(2024), "Region": ctx["region"]} if self.rng.random() < 0.7 else {},
        }
        if kind == "ec2":
            role["InstanceProfileList"].append({
                "Path": "/", "InstanceProfileName": name, "InstanceProfileId": self.aws_id("AIPA"),
                "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}", "CreateDate": created,
                "Roles": [{k: role[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate",
                                                "AssumeRolePolicyDocument")}],
            })
        if boundary_arn and archetype != "console_service_role" and self.rng.random() < 0.06:
            role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary_arn}
            self.boundary_count[boundary_arn] = self.boundary_count.get(boundary_arn, 0) + 1

        # The usual execution policy of the compute service.
        if kind in ("lambda", "multi-service") and archetype != "console_service_role":
            self.attach_aws(role, self.rng.choice(["AWSLambdaBasicExecutionRole"] * 4 + [
                "AWSLambdaVPCAccessExecutionRole", "AWSLambdaSQSQueueExecutionRole", "AWSLambdaDynamoDBExecutionRole"]))
            if self.rng.random() < 0.15:
                self.attach_aws(role, "AWSXRayDaemonWriteAccess")
        elif kind == "ecs-tasks" and self.rng.random() < 0.5:
            self.attach_aws(role, "AmazonECSTaskExecutionRolePolicy")
        elif kind == "ec2":
            self.attach_aws(role, "AmazonSSMManagedInstanceCore")
            if self.rng.random() < 0.4:
                self.attach_aws(role, "CloudWatchAgentServerPolicy")

        getattr(self, "role_" + archetype)(role, ctx)
        return role

    def base(self, role, ctx, managed_p=0.5):
        """The role's app permissions, scoped to ARNs."""
        managed = self.rng.random() < managed_p
        name = "app-access" if managed else self.rng.choice(["root", "AppPolicy", "inline-access", "FunctionRolePolicy0"])
        self.place(role, "RolePolicyList", name, self.doc(self.least_privilege_statements(ctx)), managed, ctx)

    def role_least_privilege(self, role, ctx):
        self.base(role, ctx, managed_p=0.6)
        if self.rng.random() < 0.3:
            self.place(role, "RolePolicyList", "extra", self.doc(self.least_privilege_statements(ctx, 1)),
                       self.rng.random() < 0.3, ctx)

    def role_service_wildcard(self, role, ctx):
        self.base(role, ctx, managed_p=0.3)
        services = self.rng.choice([["s3:*"], ["dynamodb:*"], ["sqs:*"], ["s3:*", "dynamodb:*"], ["sns:*"],
                                    ["lambda:*"], ["kinesis:*"]])
        if self.rng.random() < 0.5:
            resources = ["*"]
        else:
            by_service = {"s3": [ctx["bucket"], ctx["bucket"] + "/*"], "dynamodb": [ctx["table"]],
                          "sqs": [ctx["queue"]], "sns": [ctx["topic"]], "lambda": [ctx["function"]],
                          "kinesis": [ctx["stream"]]}
            resources = [r for s in services for r in by_service[s.split(":")[0]]]
        self.place(role, "RolePolicyList", "wildcard-access", self.doc([self.stmt(services, resources)]),
                   self.rng.random() < 0.5, ctx)

    def role_write_on_star(self, role, ctx):
        self.base(role, ctx)
        actions = self.rng.sample(WRITE_ON_STAR, self.rng.randint(1, 3))
        if self.rng.random() < 0.6:
            actions += self.rng.sample(PERMISSIONS_ON_STAR, self.rng.randint(1, 2))
        self.place(role, "RolePolicyList", "write-any", self.doc([self.stmt(sorted(actions), ["*"])]),
                   self.rng.random() < 0.5, ctx)

    def role_data_exfiltration(self, role, ctx):
        self.base(role, ctx)
        actions = self.rng.sample(EXFIL_ON_STAR, self.rng.randint(1, 3))
        if self.rng.random() < 0.25:
            actions.append(self.rng.choice(EXFIL_EXTRA))
        self.place(role, "RolePolicyList", "read-any", self.doc([self.stmt(sorted(actions), ["*"])]),
                   self.rng.random() < 0.5, ctx)

    def role_credentials(self, role, ctx):
        self.base(role, ctx)
        actions = self.rng.sample(CREDENTIALS_ON_STAR, self.rng.randint(1, 2))
        self.place(role, "RolePolicyList", "tokens", self.doc([self.stmt(sorted(actions), ["*"])]),
                   self.rng.random() < 0.5, ctx)

    def role_privesc_single(self, role, ctx):
        self.base(role, ctx)
        method = self.rng.choice(self.methods)
        actions = list(method["actions_all_required"])
        if "iam:PassRole" in actions and self.rng.random() < 1 / 3:  # any role of the account, not "*"
            rest = [a for a in actions if a != "iam:PassRole"]
            statements = [self.stmt(["iam:PassRole"], [f"arn:aws:iam::{ACCOUNT}:role/*"]), self.stmt(rest, ["*"])]
        elif len(actions) > 2 and self.rng.random() < 0.4:  # two statements of the same policy
            cut = self.rng.randint(1, len(actions) - 1)
            statements = [self.stmt(actions[:cut], ["*"]), self.stmt(actions[cut:], ["*"])]
        else:
            statements = [self.stmt(actions, ["*"])]
        self.place(role, "RolePolicyList", "deploy", self.doc(statements), self.rng.random() < 0.5, ctx)

    def role_privesc_split(self, role, ctx):
        self.base(role, ctx, managed_p=0.0)
        method = self.rng.choice([m for m in self.methods if len(m["actions_all_required"]) >= 2])
        actions = list(method["actions_all_required"])
        cut = self.rng.randint(1, len(actions) - 1)
        self.place(role, "RolePolicyList", "pipeline", self.doc([self.stmt(actions[:cut], ["*"])]), False, ctx)
        self.place(role, "RolePolicyList", "pipeline-extra", self.doc([self.stmt(actions[cut:], ["*"])]), True, ctx)

    def role_conditional(self, role, ctx):
        self.base(role, ctx)
        st = self.rng.choice([
            lambda: self.stmt(["iam:PassRole"], ["*"], condition={
                "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
            lambda: self.stmt(["ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances"], ["*"],
                              condition={"StringEquals": {"aws:ResourceTag/app": ctx["app"]}}),
            lambda: self.stmt(["s3:GetObject"], ["*"], condition={
                "StringEquals": {"s3:ExistingObjectTag/classification": "public"}}),
            lambda: self.stmt(["s3:*"], ["*"], condition={"Bool": {"aws:SecureTransport": "true"}}),
            lambda: self.stmt(["secretsmanager:GetSecretValue"], ["*"], condition={
                "StringEquals": {"secretsmanager:ResourceTag/app": ctx["app"]}}),
            lambda: self.stmt(["sts:AssumeRole"], ["*"], condition={
                "StringEquals": {"aws:ResourceTag/team": ctx["app"]}}),
            lambda: self.stmt(["dynamodb:PutItem", "dynamodb:DeleteItem", "sqs:SendMessage"], ["*"],
                              condition={"StringEquals": {"aws:RequestedRegion": ctx["region"]}}),
        ])()
        statements = [st]
        if st["Action"] in ("iam:PassRole", ["iam:PassRole"]):  # a conditioned pass-role escalation
            statements.append(self.stmt(["lambda:CreateFunction", "lambda:InvokeFunction"], ["*"]))
        self.place(role, "RolePolicyList", "conditional", self.doc(statements), self.rng.random() < 0.5, ctx)

    def role_not_action(self, role, ctx):
        self.base(role, ctx)
        st = self.rng.choice([
            lambda: self.stmt(["iam:*", "organizations:*", "account:*"], ["*"], not_action=True),
            lambda: self.stmt(["s3:DeleteBucket", "s3:DeleteObject"], ["*"], not_action=True),
            lambda: self.stmt(["s3:DeleteBucket"], [ctx["bucket"], ctx["bucket"] + "/*"], not_action=True),
        ])()
        self.place(role, "RolePolicyList", "broad-access", self.doc([st]), self.rng.random() < 0.4, ctx)

    def role_deny(self, role, ctx):
        self.base(role, ctx)
        variant = self.rng.choice(["same_policy", "other_policy", "arn_only", "conditional"])
        allow = self.rng.choice([
            [self.stmt(["s3:*"], ["*"])],
            [self.stmt(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], ["*"])],
            [self.stmt(["secretsmanager:GetSecretValue", "ssm:GetParameter"], ["*"])],
            [self.stmt(["iam:CreateAccessKey", "iam:UpdateLoginProfile"], ["*"])],
        ])
        allowed = as_list(allow[0]["Action"])
        denied = [allowed[0]] if allowed[0] != "s3:*" else ["s3:GetObject", "s3:PutBucketPolicy", "s3:DeleteBucket"]
        if variant == "same_policy":
            deny = self.stmt(denied, ["*"], effect="Deny")
            self.place(role, "RolePolicyList", "guarded", self.doc(allow + [deny]), self.rng.random() < 0.5, ctx)
        elif variant == "other_policy":
            self.place(role, "RolePolicyList", "broad", self.doc(allow), self.rng.random() < 0.5, ctx)
            self.place(role, "RolePolicyList", "guardrail", self.doc([self.stmt(denied, ["*"], effect="Deny")]),
                       False, ctx)
        elif variant == "arn_only":
            deny = self.stmt(denied, [f"arn:aws:s3:::{ctx['app']}-{ctx['env']}-audit-logs/*",
                                      f"arn:aws:iam::{ACCOUNT}:role/admin"], effect="Deny")
            self.place(role, "RolePolicyList", "guarded", self.doc(allow + [deny]), self.rng.random() < 0.5, ctx)
        else:
            deny = self.stmt(denied, ["*"], effect="Deny",
                             condition={"StringNotEquals": {"aws:RequestedRegion": [ctx["region"]]}})
            self.place(role, "RolePolicyList", "guarded", self.doc(allow + [deny]), self.rng.random() < 0.5, ctx)

    def role_aws_managed_broad(self, role, ctx):
        self.base(role, ctx, managed_p=0.3)
        for name in self.rng.sample(BROAD_MANAGED, self.rng.randint(1, 2)):
            self.attach_aws(role, name)

    def role_console_service_role(self, role, ctx):
        # What the Lambda console creates: a basic execution policy of the account at /service-role/.
        doc = self.doc([
            {"Effect": "Allow", "Action": "logs:CreateLogGroup",
             "Resource": f"arn:aws:logs:{ctx['region']}:{ACCOUNT}:*"},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": [f"arn:aws:logs:{ctx['region']}:{ACCOUNT}:log-group:/aws/lambda/{role['RoleName']}:*"]},
        ])
        if self.budget_left() > 0:
            entry = self.new_customer_policy(f"AWSLambdaBasicExecutionRole-{self.uuid()}", doc, path="/service-role/")
            self.attach(role, entry["Arn"], entry["PolicyName"])
        else:
            role["RolePolicyList"].append({"PolicyName": "basic-execution", "PolicyDocument": doc})
        if self.rng.random() < 0.5:
            risky = self.rng.choice([
                [self.stmt(["s3:*"], ["*"])],
                [self.stmt(["dynamodb:*"], ["*"])],
                [self.stmt(["secretsmanager:GetSecretValue"], ["*"])],
                [self.stmt(["iam:PassRole", "ec2:RunInstances"], ["*"])],
            ])
            self.place(role, "RolePolicyList", "console-added", self.doc(risky), False, ctx)
        else:
            self.base(role, ctx, managed_p=0.0)

    # --- groups and users --------------------------------------------------------------------

    def make_group(self, i):
        ctx = self.app_context()
        kinds = ["Admins", "Developers", "ReadOnly", "Deployers", "Auditors", "Support"]
        kind = kinds[i] if i < len(kinds) else self.rng.choice(["app-team", "data-team", "oncall", "contractors"])
        name = self.unique(kind if i < len(kinds) else f"{ctx['app']}-{kind}")
        group = {"Path": "/", "GroupName": name, "GroupId": self.aws_id("AGPA"),
                 "Arn": f"arn:aws:iam::{ACCOUNT}:group/{name}", "CreateDate": self.date(),
                 "GroupPolicyList": [], "AttachedManagedPolicies": []}
        if kind == "Admins":
            self.attach_aws(group, "AdministratorAccess")
        elif kind == "Developers":
            self.attach_aws(group, "PowerUserAccess")
            self.place(group, "GroupPolicyList", "deny-iam-writes",
                       self.doc([self.stmt(["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy"], ["*"],
                                           effect="Deny")]), False, ctx)
        elif kind == "ReadOnly":
            self.attach_aws(group, "ReadOnlyAccess")
        elif kind == "Deployers":
            # A split escalation: PassRole inline, CloudFormation in a customer managed policy.
            self.place(group, "GroupPolicyList", "pass-roles", self.doc([self.stmt(["iam:PassRole"], ["*"])]), False, ctx)
            self.place(group, "GroupPolicyList", "cloudformation-deploy",
                       self.doc([self.stmt(["cloudformation:CreateStack", "cloudformation:UpdateStack",
                                            "cloudformation:DescribeStacks"], ["*"])]), True, ctx)
        elif kind == "Auditors":
            self.attach_aws(group, "SecurityAudit")
            self.attach_aws(group, "ViewOnlyAccess")
        elif kind == "Support":
            self.place(group, "GroupPolicyList", "support-access",
                       self.doc([self.stmt(["ssm:StartSession", "ssm:SendCommand"], ["*"]),
                                 self.stmt(["ec2:Describe*"], ["*"])]), True, ctx)
        else:
            self.place(group, "GroupPolicyList", "team-access", self.doc(self.least_privilege_statements(ctx)),
                       self.rng.random() < 0.6, ctx)
            if self.rng.random() < 0.3:
                self.attach_aws(group, self.rng.choice(["AmazonS3ReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess"]))
        return group

    def make_user(self, groups):
        ctx = self.app_context()
        kind = self.pick([("developer", 45), ("service", 25), ("deployer", 10), ("admin", 5), ("readonly", 10),
                          ("self-service", 5)])
        first = self.rng.choice(["alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi", "ivan",
                                 "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor"])
        if kind == "service":
            name = f"svc-{ctx['app']}-{ctx['env']}"
        elif kind == "deployer":
            name = f"ci-{ctx['app']}-deployer"
        else:
            name = f"{first}.{self.rng.choice(['smith', 'jones', 'garcia', 'chen', 'khan', 'silva', 'muller'])}"
        name = self.unique(name)
        user = {"Path": "/", "UserName": name, "UserId": self.aws_id("AIDA"),
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "CreateDate": self.date(),
                "UserPolicyList": [], "GroupList": [], "AttachedManagedPolicies": [], "Tags": []}
        if kind in ("developer", "admin", "readonly") and groups and self.rng.random() < 0.85:
            for g in self.rng.sample(groups, min(len(groups), self.rng.randint(1, 2))):
                user["GroupList"].append(g["GroupName"])
        if kind == "service":
            self.place(user, "UserPolicyList", "service-access", self.doc(self.least_privilege_statements(ctx)),
                       self.rng.random() < 0.4, ctx)
        elif kind == "deployer":
            self.place(user, "UserPolicyList", "deploy",
                       self.doc([self.stmt(["iam:PassRole", "cloudformation:CreateStack", "cloudformation:UpdateStack"],
                                           ["*"]),
                                 self.stmt(["s3:PutObject", "s3:GetObject"], [ctx["bucket"] + "/*"])]),
                       self.rng.random() < 0.5, ctx)
        elif kind == "admin":
            self.attach_aws(user, "AdministratorAccess")
        elif kind == "readonly":
            self.attach_aws(user, "ReadOnlyAccess")
        elif kind == "self-service":
            # Manage only one's own credentials: a policy variable on a user ARN, not `*`.
            self.place(user, "UserPolicyList", "manage-own-credentials",
                       self.doc([self.stmt(["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateLoginProfile"],
                                           [f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"])]), False, ctx)
        elif self.rng.random() < 0.3:
            self.place(user, "UserPolicyList", "dev-extra", self.doc(self.least_privilege_statements(ctx, 1)),
                       False, ctx)
        return user

    # --- the whole account -------------------------------------------------------------------

    def generate(self):
        boundary_arn = None
        if self.m_policies > 0:
            boundary = self.new_customer_policy("DeveloperPermissionsBoundary", self.doc([
                self.stmt(["s3:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*", "lambda:InvokeFunction",
                           "xray:PutTraceSegments", "kms:Decrypt"], ["*"], sid="AllowDataPlane"),
                self.stmt(["iam:*", "organizations:*"], ["*"], effect="Deny", sid="DenyIam"),
            ]))
            boundary_arn = boundary["Arn"]

        n_groups, n_users = max(2, self.n_roles // 50), max(3, self.n_roles // 10)
        groups = [self.make_group(i) for i in range(n_groups)]
        users = [self.make_user(groups) for _ in range(n_users)]
        archetypes = [a for a, _ in ROLE_MIX]
        weights = [w for _, w in ROLE_MIX]
        roles = [self.make_role(self.rng.choices(archetypes, weights)[0], boundary_arn) for _ in range(self.n_roles)]

        # Fill the remaining policy budget: shared policies attached to more roles, then unattached.
        remaining = self.budget_left()
        unattached = remaining // 3
        for i in range(remaining - unattached):
            ctx = self.app_context()
            doc = self.maybe_lint(self.doc(self.least_privilege_statements(ctx)), ctx)
            if self.rng.random() < 0.15:  # some shared policies are broad
                doc["Statement"].append(self.stmt([self.rng.choice(["s3:GetObject", "sqs:*", "kms:Decrypt",
                                                                    "ssm:GetParametersByPath"])], ["*"]))
            entry = self.new_customer_policy(f"{ctx['app']}-{ctx['env']}-shared-{ctx['purpose']}", doc)
            for r in self.rng.sample(roles, min(len(roles), self.rng.randint(2, 5))) if roles else []:
                self.attach(r, entry["Arn"], entry["PolicyName"])
        for i in range(unattached):
            ctx = self.app_context()
            self.new_customer_policy(f"{ctx['app']}-{ctx['env']}-legacy-{ctx['purpose']}",
                                     self.maybe_lint(self.doc(self.least_privilege_statements(ctx)), ctx))

        policies = []
        for entry in self.customer.values():
            entry["AttachmentCount"] = self.attach_count.get(entry["Arn"], 0)
            entry["PermissionsBoundaryUsageCount"] = self.boundary_count.get(entry["Arn"], 0)
            policies.append(entry)
        for name in AWS_MANAGED:
            if name not in self.aws_attached:
                continue
            m = self.managed_docs[name]
            path = m["arn"].split(":policy", 1)[1].rsplit("/", 1)[0] + "/"
            created = "2015-02-06T18:40:00+00:00"
            policies.append({
                "PolicyName": name,
                "PolicyId": "ANPA" + base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()[:17],
                "Arn": m["arn"], "Path": path, "DefaultVersionId": m["version"],
                "AttachmentCount": self.attach_count.get(m["arn"], 0), "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True, "CreateDate": created, "UpdateDate": created,
                "PolicyVersionList": [{"Document": m["document"], "VersionId": m["version"],
                                       "IsDefaultVersion": True, "CreateDate": created}],
            })
        return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}


def as_list(v):
    return v if isinstance(v, list) else [v]


def load_managed_policies():
    """AWS managed policies of the fixed list: name -> {arn, version, document}."""
    out = {}
    wanted = set(AWS_MANAGED)
    with open(os.path.join(DATA, "managed-policies.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4 and parts[0] in wanted:
                out[parts[0]] = {"arn": parts[1], "version": parts[2], "document": json.loads(parts[3])}
    missing = wanted - set(out)
    if missing:
        sys.exit(f"managed-policies.tsv lacks {sorted(missing)}")
    return out


def load_privesc_methods():
    with open(os.path.join(DATA, "privesc_combos.json"), encoding="utf-8") as f:
        return json.load(f)["methods"]


def generate(roles, policies, seed=1):
    """The account authorization details, as a dict (for other scripts)."""
    return Gen(roles, policies, seed).generate()


def write(data, path):
    """Write the file as the CLI prints it (4-space indent), atomically."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=4)
        f.write("\n")
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--roles", type=int, required=True, help="number of roles (N)")
    p.add_argument("--policies", type=int, required=True, help="number of customer managed policies (about M)")
    p.add_argument("--out", required=True, help="file to write")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    gen = Gen(a.roles, a.policies, a.seed)
    data = gen.generate()
    write(data, a.out)
    n_customer = sum(1 for p in data["Policies"] if ":aws:policy/" not in p["Arn"])
    print(f"{a.out}: {len(data['RoleDetailList'])} roles, {len(data['UserDetailList'])} users, "
          f"{len(data['GroupDetailList'])} groups, {n_customer} customer managed and "
          f"{len(data['Policies']) - n_customer} AWS managed policies, {gen.lint_count} lint defects",
          file=sys.stderr)


if __name__ == "__main__":
    main()
