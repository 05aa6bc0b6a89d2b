//! Panther's labelled CloudTrail events (`tests/data/panther`, see its PROVENANCE.md) against
//! Palisade's PAL5xx rules and the bundled SigmaHQ rules that correspond to Panther rules.
//!
//! For every mapped pair (Panther rule → one of our rules), each event Panther labels `true`
//! must fire our rule and each event labelled `false` must not, except the events listed in
//! `KNOWN_DIFFERENCES` with the reason; a listed event that agrees fails the test, so the table
//! stays exact.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use palisade_detect::cloudtrail::{CloudTrailDetections, CloudTrailState, rules};
use palisade_detect::{CloudTrailEvent, DetectConfig, Origin, RuleSet};
use serde_json::Value;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The CI/CD identities of Panther's tests, which its Lambda rules treat as expected.
const PANTHER_DEPLOYERS: &[&str] = &[
    "arn:aws:iam::123456789012:role/tester",
    "arn:aws:iam::123456789012:user/DeployRole",
];

/// Panther rule → our rule (a PAL code, or a SigmaHQ rule's id), with the deployers PAL501 is
/// configured with for that Panther rule's tests (what the Panther rule treats as expected).
const MAPPING: &[(&str, &str, &[&str])] = &[
    // Lambda.
    (
        "AWS.Lambda.UpdateFunctionCode",
        "PAL501",
        &["arn:aws:iam::123456789012:role/tester"],
    ),
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        "PAL501",
        &["arn:aws:iam::123456789012:role/tester"],
    ),
    ("AWS.Lambda.UpdateFunctionConfiguration", "PAL502", &[]),
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        SIGMA_LAYER_ATTACHED,
        &[],
    ),
    (
        "AWS.LAMBDA.CRUD",
        "PAL501",
        &["arn:aws:iam::123456789012:user/DeployRole"],
    ),
    // CloudTrail tampering.
    ("AWS.CloudTrail.Stopped", "PAL511", &[]),
    ("AWS.CloudTrail.Stopped", SIGMA_TRAIL_CHANGE, &[]),
    ("AWS.CloudTrail.SecurityConfigurationChange", "PAL511", &[]),
    (
        "AWS.CloudTrail.SecurityConfigurationChange",
        SIGMA_TRAIL_CHANGE,
        &[],
    ),
    ("AWS.CloudTrail.EventSelectorsDisabled", "PAL513", &[]),
    // SigmaHQ counterparts.
    (
        "AWS.Root.Activity",
        "8ad1600d-e9dc-4251-b0ee-a65268f29add",
        &[],
    ),
    (
        "AWS.Console.RootLoginFailed",
        "6393e346-1977-46ef-8987-ad414a145fad",
        &[],
    ),
    (
        "AWS.STS.GetCallerIdentity.TruffleHog",
        "9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d",
        &[],
    ),
    (
        "AWS.STS.GetSessionToken.Misuse",
        "b45ab1d2-712f-4f01-a751-df3826969807",
        &[],
    ),
    (
        "AWS.Console.GetSigninToken.Abuse",
        "f8103686-e3e8-46f3-be72-65f7fcb4aa53",
        &[],
    ),
    (
        "AWS.Suspicious.SAML.Activity",
        "f43f5d2f-3f2a-4cc8-b1af-81fde7dbaf0e",
        &[],
    ),
    (
        "AWS.SecurityHub.Finding.Evasion",
        "a607e1fe-74bf-4440-a3ec-b059b9103157",
        &[],
    ),
    (
        "AWS.EC2.Startup.Script.Change",
        "1ab3c5ed-5baf-417b-bb6b-78ca33f6c3df",
        &[],
    ),
    (
        "AWS.VPCFlow.LogsDeleted",
        "e386b9b5-af12-450e-afff-761730fb8a98",
        &[],
    ),
    (
        "AWS.ConfigService.DisabledDeleted",
        "07330162-dba1-4746-8121-a9647d49d297",
        &[],
    ),
    (
        "AWS.S3.SuspendVersioning",
        "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
        &[],
    ),
    (
        "AWS.S3.BucketDeleted",
        "39c9f26d-6e3b-4dbb-9c7a-4154b0281112",
        &[],
    ),
    (
        "AWS.EC2.EBS.Encryption.Disabled",
        "16124c2d-e40b-4fcc-8f2c-5ab7870a2223",
        &[],
    ),
    (
        "AWS.RDS.MasterPasswordUpdated",
        "8a63cdd4-6207-414a-85bc-7e032bd3c1a2",
        &[],
    ),
    (
        "AWS.RDS.PublicRestore",
        "c3f265c7-ff03-4056-8ab2-d486227b4599",
        &[],
    ),
    (
        "AWS.CloudTrail.EnableRegion",
        "a5ffb6ea-c784-4e01-b30a-deb6e58ca2ab",
        &[],
    ),
    (
        "AWS.Bedrock.GuardrailUpdateDelete",
        "59b70e4d-dd17-44a9-b740-acf07ae3eb6a",
        &[],
    ),
    (
        "AWS.Bedrock.GuardrailUpdateDelete",
        "1c722651-254a-4b04-a9f4-99b62a2d0a1f",
        &[],
    ),
    (
        "AWS.IAM.Backdoor.User.Keys",
        "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",
        &[],
    ),
    (
        "AWS.User.Login.Profile.Modified",
        "055fb148-60f8-462d-ad16-26926ce050f1",
        &[],
    ),
    (
        "AWS.EC2.SecurityGroupModified",
        "6fb77778-040f-4015-9440-572aa9b6b580",
        &[],
    ),
    (
        "AWS.EC2.RouteTableModified",
        "c803b2ce-c4a2-4836-beae-b112010390b1",
        &[],
    ),
];

// Not mapped, though close:
// - AWS.Potential.Backdoor.Lambda fires on every AddPermission; PAL505/PAL506 judge the
//   grantee, which its test events do not record.
// - AWS.IAMUser.ReconAccessDenied and AWS.CloudTrail.UnauthorizedAPICall judge one denied call
//   by an IAM user; PAL510 counts bursts from a function's role session.
// - AWS.CloudTrail.Created: no rule of ours reports a new trail (it is not a risk).
// - AWS.Console.LoginWithoutMFA → SigmaHQ 77caf516: Panther leaves out SAML, SSO, role and
//   first logins (5 of its 8 benign events), the Sigma rule reports every login without MFA.
// - AWS.CloudTrail.IMDSCredentialExfiltration → SigmaHQ 352a918a: the Sigma rule keys on the
//   `aws:ec2-instance` role session, Panther on instance-id sessions from public addresses.
// - AWS.CloudTrail.NetworkACLPermissiveEntry / SnapshotMadePublic → SigmaHQ e1f7febb /
//   abae8fec: the Sigma rules report every entry / attribute change, Panther only permissive
//   or public ones.
// - AWS.IPSet.Modified → SigmaHQ 6e61ee20: the test events have no `eventSource`.

const SIGMA_LAYER_ATTACHED: &str = "97fbabf8-8e1b-47a2-b7d5-a418d2b95e3d";
const SIGMA_TRAIL_CHANGE: &str = "4db60cc0-36fb-42b7-9b58-a5b53019fb74";

/// (Panther rule, test name, our rule, why they disagree on that event).
const KNOWN_DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        "IAM User Updates Lambda Configuration with Layers",
        "PAL502",
        "the test event records the layers only in `responseElements` (the function's configuration after the call); CloudTrail records the layers a caller sets in `requestParameters.layers`, which this rule reads so that a change to a function that already has layers does not fire",
    ),
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        "SSO AssumedRole Updates Lambda Configuration with Layers",
        "PAL502",
        "the test event records the layers only in `responseElements` (the function's configuration after the call); CloudTrail records the layers a caller sets in `requestParameters.layers`, which this rule reads so that a change to a function that already has layers does not fire",
    ),
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        "FederatedUser Updates Lambda Configuration with Layers",
        "PAL502",
        "the test event records the layers only in `responseElements` (the function's configuration after the call); CloudTrail records the layers a caller sets in `requestParameters.layers`, which this rule reads so that a change to a function that already has layers does not fire",
    ),
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        "IAM User Updates Lambda Configuration with Layers",
        SIGMA_LAYER_ATTACHED,
        "the test event records the layers only in `responseElements` (the function's configuration after the call); CloudTrail records the layers a caller sets in `requestParameters.layers`, which this rule reads so that a change to a function that already has layers does not fire",
    ),
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        "SSO AssumedRole Updates Lambda Configuration with Layers",
        SIGMA_LAYER_ATTACHED,
        "the test event records the layers only in `responseElements` (the function's configuration after the call); CloudTrail records the layers a caller sets in `requestParameters.layers`, which this rule reads so that a change to a function that already has layers does not fire",
    ),
    (
        "AWS.Lambda.UpdateFunctionConfiguration",
        "FederatedUser Updates Lambda Configuration with Layers",
        SIGMA_LAYER_ATTACHED,
        "the test event records the layers only in `responseElements` (the function's configuration after the call); CloudTrail records the layers a caller sets in `requestParameters.layers`, which this rule reads so that a change to a function that already has layers does not fire",
    ),
    (
        "AWS.CloudTrail.Stopped",
        "Error Stopping CloudTrail",
        SIGMA_TRAIL_CHANGE,
        "the Sigma rule has no `errorCode` filter: it reports the failed call too (PAL511 does not)",
    ),
    (
        "AWS.CloudTrail.SecurityConfigurationChange",
        "Security Configuration Not Changed - Error",
        SIGMA_TRAIL_CHANGE,
        "the Sigma rule has no `errorCode` filter: it reports the failed call too (PAL511 does not)",
    ),
    (
        "AWS.Root.Activity",
        "Root Activity - CreateServiceLinkedRole",
        "8ad1600d-e9dc-4251-b0ee-a65268f29add",
        "Panther allows root to create service-linked roles; the Sigma rule reports every root call but AWS service events",
    ),
    (
        "AWS.Root.Activity",
        "Root User Failed Activity",
        "8ad1600d-e9dc-4251-b0ee-a65268f29add",
        "Panther leaves out failed root sign-ins; the Sigma rule has no outcome filter",
    ),
    (
        "AWS.Root.Activity",
        "Root Read-Only Enumeration",
        "8ad1600d-e9dc-4251-b0ee-a65268f29add",
        "Panther leaves out read-only root calls; the Sigma rule reports them",
    ),
    (
        "AWS.Console.RootLoginFailed",
        "Failed Root Login",
        "6393e346-1977-46ef-8987-ad414a145fad",
        "the Sigma rule matches `errorMessage: Failed authentication`; the test event records the failure only as `responseElements.ConsoleLogin: Failure`, with no `errorMessage`",
    ),
    (
        "AWS.STS.GetSessionToken.Misuse",
        "GetSessionToken Failed",
        "b45ab1d2-712f-4f01-a751-df3826969807",
        "the Sigma rule has no `errorCode` filter: it reports the failed call too",
    ),
    (
        "AWS.Suspicious.SAML.Activity",
        "CreateSAMLProvider",
        "f43f5d2f-3f2a-4cc8-b1af-81fde7dbaf0e",
        "the Sigma rule covers UpdateSAMLProvider and AssumeRoleWithSAML only, not CreateSAMLProvider",
    ),
    (
        "AWS.Suspicious.SAML.Activity",
        "DeleteSAMLProvider",
        "f43f5d2f-3f2a-4cc8-b1af-81fde7dbaf0e",
        "the Sigma rule covers UpdateSAMLProvider and AssumeRoleWithSAML only, not DeleteSAMLProvider",
    ),
    (
        "AWS.EC2.Startup.Script.Change",
        "ModifyInstanceAttributeUserdata",
        "1ab3c5ed-5baf-417b-bb6b-78ca33f6c3df",
        "the Sigma rule matches `requestParameters.attribute: userData`; the test event uses the other request shape, `requestParameters.userData`, with no `attribute`",
    ),
    (
        "AWS.ConfigService.DisabledDeleted",
        "Error Deleting Config Recorder",
        "07330162-dba1-4746-8121-a9647d49d297",
        "the Sigma rule has no `errorCode` filter: it reports the failed call too",
    ),
    (
        "AWS.S3.SuspendVersioning",
        "Versioning Disabled Successfully",
        "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
        "the test event sets versioning `Status: Disabled`, a value S3 does not have (only Enabled and Suspended); the Sigma rule looks for `Suspended`",
    ),
    (
        "AWS.S3.SuspendVersioning",
        "Versioning Change Failed",
        "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
        "the Sigma rule has no `errorCode` filter: it reports the failed call too",
    ),
    (
        "AWS.S3.BucketDeleted",
        "An S3 Bucket was deleted",
        "39c9f26d-6e3b-4dbb-9c7a-4154b0281112",
        "the test event's `errorCode` is the empty string; the Sigma rule accepts only a null (absent) or `Success` error code",
    ),
    (
        "AWS.CloudTrail.EnableRegion",
        "EnableRegion",
        "a5ffb6ea-c784-4e01-b30a-deb6e58ca2ab",
        "the test event's `eventSource` is cloudtrail.amazonaws.com; EnableRegion is recorded with account.amazonaws.com, which the Sigma rule requires",
    ),
    (
        "AWS.Bedrock.GuardrailUpdateDelete",
        "Guardrail Updated",
        "59b70e4d-dd17-44a9-b740-acf07ae3eb6a",
        "SigmaHQ splits Panther's rule in two: this one is DeleteGuardrail only; the update is detected by 1c722651",
    ),
    (
        "AWS.Bedrock.GuardrailUpdateDelete",
        "Guardrail Deleted",
        "1c722651-254a-4b04-a9f4-99b62a2d0a1f",
        "SigmaHQ splits Panther's rule in two: this one is UpdateGuardrail only; the deletion is detected by 59b70e4d",
    ),
    (
        "AWS.IAM.Backdoor.User.Keys",
        "user1 create keys for user1",
        "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",
        "the Sigma rule's filter compares `userIdentity.arn` with the literal text `responseElements.accessKey.userName` (a field name written as a value), so it never excludes keys created for oneself",
    ),
    (
        "AWS.IAM.Backdoor.User.Keys",
        "CreateKey returns error code",
        "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",
        "the Sigma rule has no `errorCode` filter: it reports the failed call too",
    ),
    (
        "AWS.User.Login.Profile.Modified",
        "ChangeOwnPassword",
        "055fb148-60f8-462d-ad16-26926ce050f1",
        "the Sigma rule's filter compares the caller's full ARN with `requestParameters.userName` (a bare name): they are never equal, so changing one's own password fires",
    ),
    (
        "AWS.User.Login.Profile.Modified",
        "User changed password for other reset required",
        "055fb148-60f8-462d-ad16-26926ce050f1",
        "Panther leaves out resets that force a new password at next sign-in (`passwordResetRequired: true`); the Sigma rule does not look at it",
    ),
    (
        "AWS.EC2.SecurityGroupModified",
        "Error Mofidying Security Group",
        "6fb77778-040f-4015-9440-572aa9b6b580",
        "the Sigma rule has no `errorCode` filter: it reports the failed call too",
    ),
    (
        "AWS.EC2.RouteTableModified",
        "Error Modifying Route Table",
        "c803b2ce-c4a2-4836-beae-b112010390b1",
        "the Sigma rule has no `errorCode` filter: it reports the failed call too",
    ),
];

struct Test {
    rule_id: String,
    name: String,
    expected: bool,
    log: Value,
}

fn tests() -> Vec<Test> {
    let text = std::fs::read_to_string(
        crate_dir().join("tests/data/panther/panther_cloudtrail_rule_tests.jsonl"),
    )
    .unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|v| {
            Some(Test {
                rule_id: v["rule_id"].as_str()?.to_string(),
                name: v["test_name"].as_str()?.to_string(),
                expected: v["expected_result"].as_bool()?,
                log: v.get("log").filter(|l| l.is_object())?.clone(),
            })
        })
        .collect()
}

struct Engines {
    sigmahq: RuleSet,
    palisade: RuleSet,
    /// Sigma id → PAL code, for Palisade's Sigma-shipped rules.
    pal_of: BTreeMap<String, String>,
}

fn engines() -> Engines {
    let palisade_dir = crate_dir().join("rules/palisade");
    let mut pal_of = BTreeMap::new();
    for entry in std::fs::read_dir(&palisade_dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let id = text.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
        let code = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("- palisade.pal"))
            .unwrap();
        pal_of.insert(id.trim().to_string(), format!("PAL{}", code.trim()));
    }
    Engines {
        sigmahq: RuleSet::load_dir(&crate_dir().join("rules/sigmahq/rules")),
        palisade: RuleSet::load_dir(&palisade_dir),
        pal_of,
    }
}

impl Engines {
    /// Every rule of ours that fires on one event: SigmaHQ ids, PAL codes (Sigma-shipped and
    /// built in, the latter with `deployers`).
    fn fired(&self, log: &Value, deployers: &[&str]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for m in self.sigmahq.matches(log) {
            out.insert(m.rule.id.clone().unwrap());
        }
        for m in self.palisade.matches(log) {
            out.insert(self.pal_of[m.rule.id.as_deref().unwrap()].clone());
        }
        let config = DetectConfig {
            deployers: deployers.iter().map(|d| d.to_string()).collect(),
            ..DetectConfig::default()
        };
        let detections = CloudTrailDetections::new(Arc::new(config));
        let raw = log.to_string();
        let Ok(event) = CloudTrailEvent::parse(&raw) else {
            // Every test event parses (`every_event_is_a_valid_cloudtrail_record`).
            return out;
        };
        let origin = Origin {
            file: "panther".into(),
            at: "log".into(),
        };
        let mut state = CloudTrailState::default();
        let mut found = Vec::new();
        detections.event(&event, &raw, &origin, &mut state, &mut found);
        detections.finish(state, &mut found);
        out.extend(found.into_iter().map(|d| d.rule.code.clone()));
        out
    }
}

#[test]
fn mapped_rules_agree_with_panthers_labels() {
    let tests = tests();
    let engines = engines();
    assert_eq!(engines.sigmahq.len(), 57);
    let mut unexplained = Vec::new();
    let mut stale = Vec::new();
    let mut checked = 0;
    for (panther, ours, deployers) in MAPPING {
        let cases: Vec<&Test> = tests.iter().filter(|t| t.rule_id == *panther).collect();
        assert!(!cases.is_empty(), "no Panther test of {panther}");
        assert!(
            cases.iter().any(|t| t.expected),
            "{panther} has no true event"
        );
        for t in cases {
            checked += 1;
            let fires = engines.fired(&t.log, deployers).contains(*ours);
            let listed = KNOWN_DIFFERENCES
                .iter()
                .any(|(p, n, r, _)| p == panther && *n == t.name && r == ours);
            match (fires == t.expected, listed) {
                (true, true) => stale.push(format!("{panther} / {} / {ours}", t.name)),
                (false, false) => unexplained.push(format!(
                    "(\"{panther}\", \"{}\", \"{ours}\", \"\"), // expected {}, fired {fires}",
                    t.name, t.expected
                )),
                _ => {}
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "disagreements not in KNOWN_DIFFERENCES:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed in KNOWN_DIFFERENCES but agree:\n{}",
        stale.join("\n")
    );
    // Every listed difference names a mapped pair.
    for (p, n, r, reason) in KNOWN_DIFFERENCES {
        assert!(
            MAPPING.iter().any(|(mp, mr, _)| mp == p && mr == r),
            "{p} → {r} is not mapped"
        );
        assert!(
            tests.iter().any(|t| t.rule_id == *p && t.name == *n),
            "{p}: no test {n}"
        );
        assert!(!reason.is_empty());
    }
    assert!(checked > 100, "{checked}");
}

/// Panther's benign look-alikes: all 252 `false` events, whatever rule they test, through
/// every PAL rule (with Panther's CI identities as deployers). None fires unless listed here,
/// with the reason the event is genuinely what the rule detects.
const FALSE_BUT_GENUINE: &[(&str, &str, &str, &str)] = &[];

#[test]
fn panthers_benign_events_do_not_fire_pal_rules() {
    let tests = tests();
    let engines = engines();
    let codes: BTreeSet<&str> = rules().iter().map(|r| r.code).collect();
    let mut unexplained = Vec::new();
    let mut seen = BTreeSet::new();
    let mut count = 0;
    for t in tests.iter().filter(|t| !t.expected) {
        count += 1;
        for fired in engines.fired(&t.log, PANTHER_DEPLOYERS) {
            if !codes.contains(fired.as_str()) {
                continue;
            }
            let listed = FALSE_BUT_GENUINE
                .iter()
                .any(|(p, n, r, _)| *p == t.rule_id && *n == t.name && *r == fired);
            if listed {
                seen.insert((t.rule_id.clone(), t.name.clone(), fired));
            } else {
                unexplained.push(format!(
                    "(\"{}\", \"{}\", \"{fired}\", \"\"),",
                    t.rule_id, t.name
                ));
            }
        }
    }
    assert!(count >= 240, "{count}");
    assert!(unexplained.is_empty(), "{}", unexplained.join("\n"));
    for (p, n, r, _) in FALSE_BUT_GENUINE {
        assert!(
            seen.contains(&(p.to_string(), n.to_string(), r.to_string())),
            "{p} / {n} / {r} is listed but does not fire"
        );
    }
}

/// Every labelled event reads as a typed CloudTrail event, including the one that writes
/// `readOnly` as the string `"True"`.
#[test]
fn every_event_is_a_valid_cloudtrail_record() {
    let bad: Vec<(String, String)> = tests()
        .into_iter()
        .filter(|t| CloudTrailEvent::parse(&t.log.to_string()).is_err())
        .map(|t| (t.rule_id, t.name))
        .collect();
    assert_eq!(bad, Vec::<(String, String)>::new());
}
