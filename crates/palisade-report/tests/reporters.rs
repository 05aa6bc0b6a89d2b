//! Every reporter on one shared set of findings: snapshots of each format, SARIF validated
//! against the official 2.1.0 schema, JSON against Palisade's documented schema.

use std::path::Path;
use std::sync::Arc;

use palisade_model::{
    Area, Confidence, Diagnostic, Finding, FindingEvent, FindingPackage, FindingVulnerability,
    LineCol, Location, PermissionFootprint, Position, Related, RiskyActions, RuleMeta, Sas,
    Severity, SourceMap, Span, fingerprint,
};
use palisade_report::{Context, Report, ScanSummary, SuppressedFinding, SuppressionKind};

const TEMPLATE: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Webhook:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionUrlConfig:\n        AuthType: NONE\n      Environment:\n        Variables:\n          TOKEN: \"<b>&'quoted'\"\n";

static URL_RULE: RuleMeta = RuleMeta {
    code: "PAL105",
    name: "function-url-without-auth",
    title: "Function URL without authentication",
    severity: Severity::High,
    confidence: Confidence::High,
    sas: Sas::S2,
    area: Area::Configuration,
    fix: "Set AuthType to AWS_IAM.",
    docs: " ## What it does\n Finds function URLs with `AuthType: NONE`.\n\n ## Why is this bad?\n Anyone can call it.\n\n ## Example\n\n ## Fix\n Use AWS_IAM.\n\n ## References\n - OWASP Serverless Top 10: S2:2017 Broken Authentication\n",
};

static SECRET_RULE: RuleMeta = RuleMeta {
    code: "PAL110",
    name: "secret-in-environment-variable",
    title: "Secret written in a function's environment variables",
    severity: Severity::High,
    confidence: Confidence::High,
    sas: Sas::S3,
    area: Area::Configuration,
    fix: "Keep the secret in Secrets Manager.",
    docs: " ## What it does\n Finds secrets.\n\n ## Why is this bad?\n Leaks.\n\n ## Example\n\n ## Fix\n Move it.\n\n ## References\n - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure\n",
};

static VULN_RULE: RuleMeta = RuleMeta {
    code: "PAL401",
    name: "vulnerable-package",
    title: "Package with a known vulnerability",
    severity: Severity::High,
    confidence: Confidence::High,
    sas: Sas::S9,
    area: Area::Dependencies,
    fix: "Upgrade the package.",
    docs: " ## What it does\n Finds vulnerable packages.\n\n ## Why is this bad?\n Known exploits.\n\n ## Example\n\n ## Fix\n Upgrade.\n\n ## References\n - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities\n",
};

static DETECTION_RULE: RuleMeta = RuleMeta {
    code: "PAL504",
    name: "function-policy-backdoor",
    title: "Function policy opened to everyone or another account",
    severity: Severity::High,
    confidence: Confidence::High,
    sas: Sas::S5,
    area: Area::Monitoring,
    fix: "Remove the statement and find out who added it.",
    docs: " ## What it does\n Finds AddPermission to `*`.\n\n ## Why is this bad?\n Anyone can invoke.\n\n ## Example\n\n ## Fix\n Remove it.\n\n ## References\n - OWASP Serverless Top 10: S5:2017 Broken Access Control\n",
};

fn span_of(needle: &str) -> Span {
    let start = TEMPLATE.find(needle).unwrap_or(0);
    Span::new(palisade_model::FileId(0), start, start + needle.len())
}

fn loc(sources: &SourceMap, span: Span) -> Location {
    let (path, s, e) = sources.resolve(span).unwrap_or_default();
    Location {
        path,
        start: Position {
            line: s.line,
            column: s.col,
        },
        end: Position {
            line: e.line,
            column: e.col,
        },
    }
}

fn finding(
    meta: &'static RuleMeta,
    sources: &SourceMap,
    needle: &str,
    message: &str,
    path: &str,
) -> Finding {
    let span = span_of(needle);
    Finding {
        code: meta.code,
        name: meta.name,
        title: meta.title,
        severity: meta.severity,
        confidence: meta.confidence,
        sas: meta.sas,
        area: meta.area,
        app: "app/template.yaml".into(),
        resource: Some("Webhook".into()),
        resource_type: Some("AWS::Serverless::Function".into()),
        function: Some("Webhook".into()),
        construct_path: None,
        package: None,
        event: None,
        location: loc(sources, span),
        span: Some(span),
        message: message.into(),
        fix: std::borrow::Cow::Borrowed(meta.fix),
        fingerprint: fingerprint(meta.code, "app/template.yaml", path),
        logical_path: path.into(),
        related: Vec::new(),
    }
}

struct Fixture {
    sources: SourceMap,
    findings: Vec<Finding>,
    suppressed: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
}

fn fixture() -> Fixture {
    let sources = SourceMap::new();
    sources.add(
        "app/template.yaml".into(),
        Path::new("app/template.yaml"),
        Arc::from(TEMPLATE),
    );
    let mut url = finding(
        &URL_RULE,
        &sources,
        "NONE",
        "the function URL of Webhook has AuthType NONE",
        "Function:Webhook/FunctionUrl",
    );
    url.related.push(Related {
        message: "function Webhook".into(),
        location: loc(&sources, span_of("Webhook:")),
        span: Some(span_of("Webhook:")),
    });
    let secret = finding(
        &SECRET_RULE,
        &sources,
        "\"<b>&'quoted'\"",
        "environment variable TOKEN of Webhook holds a literal secret <with> \"markup\" & quotes",
        "Function:Webhook/Environment/TOKEN",
    );
    let mut vulnerable = finding(
        &VULN_RULE,
        &sources,
        "Webhook:",
        "lodash 4.17.20 is affected by GHSA-35jh-r3h4-6jhm (CVE-2021-23337): Command Injection in lodash",
        "Function:Webhook/Dependencies/npm:lodash/GHSA-35jh-r3h4-6jhm",
    );
    vulnerable.package = Some(Box::new(FindingPackage {
        ecosystem: "npm",
        name: "lodash".into(),
        version: Some("4.17.20".into()),
        purl: "pkg:npm/lodash@4.17.20".into(),
        manifest: "app/src/package-lock.json".into(),
        vulnerability: Some(FindingVulnerability {
            id: "GHSA-35jh-r3h4-6jhm".into(),
            aliases: vec!["CVE-2021-23337".into()],
            fixed: vec!["4.17.21".into()],
            cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H".into()),
            cvss_score_tenths: Some(72),
        }),
    }));
    let mut detection = finding(
        &DETECTION_RULE,
        &sources,
        "Webhook:",
        "AddPermission on webhook grants lambda:InvokeFunction to `*` (by arn:aws:iam::111122223333:user/mallory)",
        "Detection:webhook/AddPermission/*",
    );
    detection.related.push(Related {
        message: "the event (logs/trail.json record 2)".into(),
        location: Location {
            path: "logs/trail.json".into(),
            ..Location::default()
        },
        span: None,
    });
    detection.event = Some(Box::new(FindingEvent {
        time: Some("2024-05-01T12:00:03Z".into()),
        log_file: "logs/trail.json".into(),
        log_at: "record 2".into(),
        principal: Some("arn:aws:iam::111122223333:user/mallory".into()),
        function_name: Some("webhook".into()),
        sigma_id: None,
        rule_file: None,
        author: None,
        evidence: vec![
            ("eventName".into(), "lambda:AddPermission".into()),
            ("principal".into(), "*".into()),
        ],
        raw: Some(
            r#"{"eventName":"AddPermission20150331v2","requestParameters":{"principal":"*"}}"#
                .into(),
        ),
        region: Some("eu-central-1".into()),
    }));
    let mut baselined = secret.clone();
    baselined.logical_path = "Function:Webhook/Environment/OLD".into();
    baselined.fingerprint = fingerprint("PAL110", "app/template.yaml", &baselined.logical_path);
    Fixture {
        findings: vec![url, secret.clone(), vulnerable, detection],
        suppressed: vec![baselined],
        diagnostics: vec![
            Diagnostic::error(
                "broken/template.yaml",
                Some(LineCol { line: 3, col: 7 }),
                "mapping values are not allowed here",
            ),
            Diagnostic::warning(
                "app/template.yaml",
                Some(LineCol { line: 2, col: 1 }),
                "duplicate key `Resources`",
            ),
        ],
        sources,
    }
}

fn render(format: &str) -> String {
    let fx = fixture();
    let suppressed: Vec<SuppressedFinding<'_>> = fx
        .suppressed
        .iter()
        .map(|f| SuppressedFinding {
            finding: f,
            kind: SuppressionKind::Baseline,
            reason: None,
        })
        .collect();
    let summary = ScanSummary {
        root: "app".into(),
        files: 2,
        apps: 1,
        functions: 1,
        rules_run: 2,
        duration_ms: 0,
    };
    let rules: Vec<&'static RuleMeta> = vec![&URL_RULE, &SECRET_RULE, &VULN_RULE, &DETECTION_RULE];
    let footprints = vec![PermissionFootprint {
        app: "app/template.yaml".into(),
        function: "Orders".into(),
        role: Some("OrdersRole".into()),
        actions: 14,
        by_access_level: vec![("Permissions management", 1), ("Write", 5), ("Read", 8)],
        by_reach: vec![("any-resource", 3), ("named-resources", 11)],
        services: vec![("dynamodb".into(), 12), ("s3".into(), 2)],
        administrator: false,
        escalation_methods: Vec::new(),
        risky: vec![RiskyActions {
            category: "data-exfiltration",
            count: 1,
            actions: vec!["s3:GetObject"],
        }],
        incomplete: vec![
            "managed policy arn:aws:iam::111122223333:policy/shared is not readable here".into(),
        ],
    }];
    let report = Report {
        findings: &fx.findings,
        suppressed: &suppressed,
        diagnostics: &fx.diagnostics,
        summary: &summary,
        footprints: &footprints,
    };
    let cx = Context {
        tool_version: "0.0.0-test",
        sources: &fx.sources,
        rules: &rules,
        color: false,
    };
    match format {
        "pretty" => palisade_report::pretty(&report, &cx),
        "json" => palisade_report::json(&report, &cx),
        "sarif" => palisade_report::sarif(&report, &cx),
        "junit" => palisade_report::junit(&report, &cx),
        "jsonl" => {
            let mut out = Vec::new();
            for f in &fx.findings {
                palisade_report::write_jsonl_finding(&mut out, f).unwrap_or_default();
            }
            String::from_utf8(out).unwrap_or_default()
        }
        "asff" => {
            let mut out = Vec::new();
            let asff = palisade_report::AsffContext {
                account: "444455556666",
                region: "eu-west-1",
                now: "2024-05-02T00:00:00Z",
                tool_version: "0.0.0-test",
            };
            palisade_report::write_asff(&mut out, &fx.findings, &asff).unwrap_or_default();
            String::from_utf8(out).unwrap_or_default()
        }
        other => unreachable!("{other}"),
    }
}

fn validate(schema_path: &Path, text: &str) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap_or_default())
            .unwrap_or_else(|e| unreachable!("schema {}: {e}", schema_path.display()));
    let instance: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| unreachable!("output is not JSON: {e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| unreachable!("{e}"));
    validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn pretty_snapshot() {
    insta::assert_snapshot!(render("pretty"));
}

#[test]
fn json_snapshot_and_schema() {
    let out = render("json");
    insta::assert_snapshot!(out);
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/scan-result.v1.json");
    let errors = validate(&schema, &out);
    assert!(
        errors.is_empty(),
        "JSON output does not match its schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_snapshot_and_official_schema() {
    let out = render("sarif");
    insta::assert_snapshot!(out);
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let errors = validate(&schema, &out);
    assert!(
        errors.is_empty(),
        "SARIF output is not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

#[test]
fn junit_snapshot_escapes_markup() {
    let out = render("junit");
    insta::assert_snapshot!(out);
    assert!(out.contains("&lt;with&gt; &quot;markup&quot; &amp; quotes"));
    assert!(!out.contains("<with>"));
}

#[test]
fn jsonl_snapshot_one_finding_per_line() {
    let out = render("jsonl");
    insta::assert_snapshot!(out);
    let json = render("json");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Each line is the JSON report's finding object.
    assert_eq!(&lines, report["findings"].as_array().unwrap());
}

/// Check a value against a botocore shape: types, required and unknown members, enums, patterns.
fn check_shape(
    shapes: &serde_json::Value,
    name: &str,
    value: &serde_json::Value,
    at: &str,
    errors: &mut Vec<String>,
) {
    let shape = &shapes[name];
    match shape["type"].as_str().unwrap_or("") {
        "structure" => {
            let Some(obj) = value.as_object() else {
                errors.push(format!("{at}: expected an object for {name}"));
                return;
            };
            for r in shape["required"].as_array().into_iter().flatten() {
                if !obj.contains_key(r.as_str().unwrap_or("")) {
                    errors.push(format!("{at}: {name} lacks required {r}"));
                }
            }
            for (k, v) in obj {
                match shape["members"].get(k) {
                    Some(m) => check_shape(
                        shapes,
                        m["shape"].as_str().unwrap_or(""),
                        v,
                        &format!("{at}.{k}"),
                        errors,
                    ),
                    None => errors.push(format!("{at}: {name} has no member {k}")),
                }
            }
        }
        "list" => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_shape(
                        shapes,
                        shape["member"]["shape"].as_str().unwrap_or(""),
                        item,
                        &format!("{at}[{i}]"),
                        errors,
                    );
                }
            }
            None => errors.push(format!("{at}: expected a list")),
        },
        "map" => match value.as_object() {
            Some(obj) => {
                for (k, v) in obj {
                    check_shape(
                        shapes,
                        shape["value"]["shape"].as_str().unwrap_or(""),
                        v,
                        &format!("{at}.{k}"),
                        errors,
                    );
                }
            }
            None => errors.push(format!("{at}: expected a map")),
        },
        "string" => match value.as_str() {
            Some(text) => {
                if let Some(values) = shape["enum"].as_array()
                    && !values.iter().any(|v| v == text)
                {
                    errors.push(format!("{at}: `{text}` is not one of {values:?}"));
                }
                if shape["pattern"] == ".*\\S.*" && text.trim().is_empty() {
                    errors.push(format!("{at}: must not be blank"));
                }
            }
            None => errors.push(format!("{at}: expected a string")),
        },
        "integer" | "double" if !value.is_number() => {
            errors.push(format!("{at}: expected a number"));
        }
        "" => errors.push(format!("{at}: unknown shape {name}")),
        _ => {}
    }
}

#[test]
fn asff_snapshot_and_security_hub_model() {
    let out = render("asff");
    insta::assert_snapshot!(out);
    let model: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/asff/securityhub-finding-shapes.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = doc["Findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4);
    let mut errors = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        check_shape(
            &model["shapes"],
            "AwsSecurityFinding",
            f,
            &format!("Findings[{i}]"),
            &mut errors,
        );
    }
    assert!(
        errors.is_empty(),
        "ASFF output does not fit Security Hub's model:\n{}",
        errors.join("\n")
    );
    // The detection names its function as a Lambda resource in the event's account.
    let detection = &findings[3];
    assert_eq!(detection["AwsAccountId"], "111122223333");
    assert_eq!(
        detection["Resources"][0]["Id"],
        "arn:aws:lambda:eu-central-1:111122223333:function:webhook"
    );
    assert_eq!(detection["Types"][0], "Unusual Behaviors/Serverless");
    // The event's region, not the one findings are imported into.
    assert_eq!(detection["Region"], "eu-central-1");
    assert_eq!(detection["CreatedAt"], "2024-05-01T12:00:03Z");
}

#[test]
fn output_is_deterministic() {
    for format in ["pretty", "json", "sarif", "junit", "jsonl", "asff"] {
        assert_eq!(render(format), render(format), "{format}");
    }
}
