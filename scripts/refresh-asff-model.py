#!/usr/bin/env python3
"""Refresh the ASFF shape model the reporter test validates against.

Reads botocore's Security Hub service model (Apache-2.0; installed with boto3/botocore, e.g.
`pip install botocore`) and writes the shapes reachable from `AwsSecurityFinding` through the
members Palisade writes, with every structure's full member list (so unknown members are caught),
to crates/palisade-report/tests/data/asff/securityhub-finding-shapes.json.

    python3 scripts/refresh-asff-model.py
"""

import gzip
import json
import os

import botocore

USED = {
    "AwsSecurityFinding": ["SchemaVersion", "Id", "ProductArn", "ProductName", "CompanyName", "GeneratorId",
                           "AwsAccountId", "Region", "Types", "CreatedAt", "UpdatedAt", "FirstObservedAt", "Severity",
                           "Title", "Description", "Remediation", "ProductFields", "Resources", "RecordState",
                           "Workflow"],
    "Resource": ["Type", "Id", "Region", "Details"],
    "ResourceDetails": ["Other"],
}


def main():
    base = os.path.join(os.path.dirname(botocore.__file__), "data", "securityhub", "2018-10-26")
    path = os.path.join(base, "service-2.json")
    if os.path.exists(path):
        model = json.load(open(path))
    else:
        model = json.load(gzip.open(path + ".gz"))
    shapes = model["shapes"]
    out = {}

    def visit(name):
        if name in out:
            return
        shape = dict(shapes[name])
        shape.pop("documentation", None)
        if shape["type"] == "structure":
            members = {m: {"shape": v["shape"]} for m, v in shape["members"].items()}
            shape = {"type": "structure", "required": shape.get("required", []), "members": members}
            out[name] = shape
            for m, v in members.items():
                if name in USED and m not in USED[name]:
                    continue
                visit(v["shape"])
            return
        out[name] = shape
        if shape["type"] == "list":
            visit(shape["member"]["shape"])
        elif shape["type"] == "map":
            visit(shape["key"]["shape"])
            visit(shape["value"]["shape"])

    visit("AwsSecurityFinding")
    target = os.path.join(os.path.dirname(__file__), "..", "crates", "palisade-report", "tests", "data", "asff",
                          "securityhub-finding-shapes.json")
    doc = {"source": f"botocore {botocore.__version__} data/securityhub/2018-10-26/service-2.json", "shapes": out}
    with open(target, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out)} shapes from botocore {botocore.__version__}")


if __name__ == "__main__":
    main()
