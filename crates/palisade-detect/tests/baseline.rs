//! Baselines (PAL530–PAL535): a week of normal activity generated here, learnt into a store on
//! disk, reopened, and compared with days that hold one new thing each (the fixtures under
//! `tests/fixtures/PAL53*/`, `fires.json` and `ok.json`) or an hour of many calls.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_detect::baseline::{
    self, BaselineError, BaselineStore, Caps, CompareSummary, Observations, ObserveSettings,
};
use palisade_detect::event::{format_time_ms, parse_time_ms};
use palisade_detect::{CloudTrailEvent, Detection, Level, Origin};
use rayon::prelude::*;
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const ORDERS: &str = "arn:aws:iam::111122223333:role/orders-role";
const PAYMENTS: &str = "arn:aws:iam::111122223333:role/payments-role";
const DEPLOY: &str = "arn:aws:iam::111122223333:role/deploy-role";
const LAMBDA_UA: &str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10 md/arch#x86_64 \
    lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 Botocore/1.34.84";
const CLI_UA: &str = "aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22";
const HOUR: i64 = 3_600_000;

fn start() -> i64 {
    parse_time_ms("2024-04-24T00:00:00Z").unwrap()
}

/// A deterministic generator (Knuth's MMIX LCG): the same week on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// `base ± spread`.
    fn around(&mut self, base: u64, spread: u64) -> u64 {
        base - spread + self.next() % (2 * spread + 1)
    }
}

#[expect(clippy::too_many_arguments, reason = "one call's fields")]
fn call(
    t: i64,
    role_arn: &str,
    session: &str,
    api: &str,
    region: &str,
    ip: &str,
    ua: &str,
    request: Value,
) -> String {
    let role = role_arn.rsplit('/').next().unwrap();
    let (service, name) = api.split_once(':').unwrap();
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
            "accountId": ACCOUNT,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role_arn, "accountId": ACCOUNT, "userName": role}}
        },
        "eventTime": format_time_ms(t),
        "eventSource": format!("{service}.amazonaws.com"),
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": ua,
        "requestParameters": request,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT
    })
    .to_string()
}

/// One hour of `orders-fn`: `n` calls spread over the hour, round-robin over its three
/// APIs, from the NAT gateway's /24, reading its database secret every sixth hour.
fn orders_hour(hour: i64, n: u64, rng: &mut Lcg, out: &mut Vec<String>) {
    let t0 = start() + hour * HOUR;
    let step = HOUR / n.max(1) as i64;
    for i in 0..n {
        let t = t0 + i as i64 * step;
        let ip = format!("198.51.100.{}", 10 + rng.next() % 8);
        let (api, request) = if i == 0 && hour % 6 == 0 {
            (
                "secretsmanager:GetSecretValue",
                json!({"secretId": "prod/orders-db"}),
            )
        } else {
            match i % 3 {
                0 => ("dynamodb:GetItem", json!({"tableName": "orders"})),
                1 => ("dynamodb:PutItem", json!({"tableName": "orders"})),
                _ => (
                    "s3:GetObject",
                    json!({"bucketName": "orders-archive", "key": "x"}),
                ),
            }
        };
        out.push(call(
            t,
            ORDERS,
            "orders-fn",
            api,
            "us-east-1",
            &ip,
            LAMBDA_UA,
            request,
        ));
    }
}

/// Normal activity over `hours`: `orders-fn` about 40 calls an hour, `payments-fn` about 20
/// (reading its Stripe key at the top of each hour), and a deployment role a few calls a day
/// at 10:00.
fn normal(hours: std::ops::Range<i64>, seed: u64) -> Vec<String> {
    let mut rng = Lcg(seed);
    let mut out = Vec::new();
    for hour in hours {
        let n = rng.around(40, 6);
        orders_hour(hour, n, &mut rng, &mut out);
        let t0 = start() + hour * HOUR;
        let m = rng.around(20, 3);
        for i in 0..m {
            let (api, request) = if i == 0 {
                (
                    "secretsmanager:GetSecretValue",
                    json!({"secretId": "prod/stripe-key"}),
                )
            } else {
                ("dynamodb:PutItem", json!({"tableName": "payments"}))
            };
            out.push(call(
                t0 + i as i64 * (HOUR / m as i64) + 7_000,
                PAYMENTS,
                "payments-fn",
                api,
                "us-east-1",
                &format!("198.51.100.{}", 30 + rng.next() % 4),
                LAMBDA_UA,
                request,
            ));
        }
        if hour.rem_euclid(24) == 10 {
            for i in 0..5 {
                out.push(call(
                    t0 + i * 60_000,
                    DEPLOY,
                    "ci-run",
                    "cloudformation:DescribeStacks",
                    "us-east-1",
                    "192.0.2.10",
                    CLI_UA,
                    json!({"stackName": "orders"}),
                ));
            }
        }
    }
    out
}

/// The training week, 2024-04-24 to 2024-05-01.
fn week() -> Vec<String> {
    normal(0..168, 7)
}

/// The day after, 2024-05-01, as normal as the week.
fn next_day() -> Vec<String> {
    normal(168..192, 11)
}

fn fixture(rel: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    file["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect()
}

fn observe_with(events: &[String], file: &str, settings: Arc<ObserveSettings>) -> Observations {
    let mut obs = Observations::new(settings);
    for (i, raw) in events.iter().enumerate() {
        let event = CloudTrailEvent::parse(raw).unwrap();
        let origin = Origin {
            file: file.to_string(),
            at: format!("records[{i}]"),
        };
        obs.observe(&event, raw, &origin);
    }
    obs
}

fn observe(events: &[String]) -> Observations {
    observe_with(events, "day.json", Arc::default())
}

/// A store file of one test, removed when the test ends.
struct TempStore(PathBuf);

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl std::ops::Deref for TempStore {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempStore {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

fn store_path(name: &str) -> TempStore {
    // The process id keeps two runs of these tests (two checkouts sharing a target folder)
    // off each other's files.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("baseline-{name}-{}.redb", std::process::id()));
    let _ = std::fs::remove_file(&path);
    TempStore(path)
}

/// A store that learnt the week, closed: every comparison reopens it from disk.
fn learnt(name: &str) -> TempStore {
    let path = store_path(name);
    let mut store = BaselineStore::open(&path).unwrap();
    let learn_only = Arc::new(ObserveSettings {
        keep_events: false,
        ..ObserveSettings::default()
    });
    let summary = store
        .learn(&observe_with(&week(), "week.json", learn_only))
        .unwrap();
    assert_eq!(summary.principals, 3);
    assert_eq!(summary.new_principals, 3);
    path
}

fn compare(path: &Path, events: &[String]) -> (Vec<Detection>, CompareSummary) {
    let store = BaselineStore::open_existing(path).unwrap();
    let mut out = Vec::new();
    let summary = store.compare(&observe(events), &mut out).unwrap();
    (out, summary)
}

fn codes(found: &[Detection]) -> Vec<(String, String)> {
    found
        .iter()
        .map(|d| (d.rule.code.clone(), d.key.clone()))
        .collect()
}

fn evidence<'a>(d: &'a Detection, name: &str) -> &'a str {
    d.evidence
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {:?}", d.evidence))
}

#[test]
fn a_normal_day_reports_nothing() {
    let path = learnt("normal");
    let (found, summary) = compare(&path, &next_day());
    assert!(found.is_empty(), "{:#?}", codes(&found));
    assert_eq!((summary.principals, summary.unknown), (3, 0));
    assert!(summary.notes.is_empty(), "{:?}", summary.notes);
}

#[test]
fn pal530_a_new_api_fires_and_a_known_one_does_not() {
    let path = learnt("pal530");
    let mut day = next_day();
    day.extend(fixture("PAL530/fires.json"));
    let (found, _) = compare(&path, &day);
    assert_eq!(
        codes(&found),
        vec![("PAL530".into(), format!("{ORDERS}|iam:ListUsers"))]
    );
    let d = &found[0];
    assert_eq!(d.rule.level, Level::High, "function roles are raised");
    assert_eq!(d.function.as_deref(), Some("orders-fn"));
    assert_eq!(d.principal.as_deref(), Some(ORDERS));
    assert_eq!(
        d.message,
        "function orders-fn (role orders-role) called iam:ListUsers, an API it never called in the baseline (4 APIs learnt)"
    );
    assert_eq!(
        d.origin,
        Some(Origin {
            file: "day.json".into(),
            at: format!("records[{}]", day.len() - 1)
        })
    );
    assert!(d.event.as_deref().unwrap().contains("\"ListUsers\""));
    assert_eq!(d.time_ms, parse_time_ms("2024-05-01T09:14:07Z"));
    let window = evidence(d, "baseline");
    assert!(
        window.starts_with("2024-04-24T00:00:00Z to 2024-04-30T23:")
            && window.ends_with("(7.0 days)"),
        "{window}"
    );

    let (found, _) = compare(&path, &fixture("PAL530/ok.json"));
    assert!(found.is_empty(), "{:#?}", codes(&found));
}

#[test]
fn pal531_a_new_address_range_fires_and_another_address_of_a_known_range_does_not() {
    let path = learnt("pal531");
    let (found, _) = compare(&path, &fixture("PAL531/fires.json"));
    assert_eq!(
        codes(&found),
        vec![("PAL531".into(), format!("{ORDERS}|203.0.113.0/24"))]
    );
    assert_eq!(found[0].rule.level, Level::Medium);
    assert_eq!(evidence(&found[0], "address"), "203.0.113.45");
    assert_eq!(evidence(&found[0], "ranges learnt"), "198.51.100.0/24");
    let (found, _) = compare(&path, &fixture("PAL531/ok.json"));
    assert!(found.is_empty(), "{:#?}", codes(&found));
}

#[test]
fn pal532_a_new_region_fires_and_the_known_one_does_not() {
    let path = learnt("pal532");
    let (found, _) = compare(&path, &fixture("PAL532/fires.json"));
    assert_eq!(
        codes(&found),
        vec![("PAL532".into(), format!("{ORDERS}|ap-southeast-3"))]
    );
    assert_eq!(
        found[0].message,
        "function orders-fn (role orders-role) made 1 call in ap-southeast-3, a region it never used in the baseline (learnt: us-east-1)"
    );
    let (found, _) = compare(&path, &fixture("PAL532/ok.json"));
    assert!(found.is_empty(), "{:#?}", codes(&found));
}

/// The next day with the hour from 13:00 replaced by `n` calls of `orders-fn`.
fn day_with_hour(n: u64) -> Vec<String> {
    let mut day: Vec<String> = next_day()
        .into_iter()
        .filter(|e| {
            let e = CloudTrailEvent::parse(e).unwrap();
            let hour = (e.time_ms().unwrap() - start()).div_euclid(HOUR);
            !(hour == 168 + 13 && e.principal().as_deref() == Some(ORDERS))
        })
        .collect();
    orders_hour(168 + 13, n, &mut Lcg(5), &mut day);
    day
}

#[test]
fn pal533_a_20x_hour_fires_and_a_1_5x_hour_does_not() {
    let path = learnt("pal533");
    let (found, _) = compare(&path, &day_with_hour(800));
    assert_eq!(
        codes(&found),
        vec![("PAL533".into(), format!("{ORDERS}|2024-05-01T13:00Z"))]
    );
    let d = &found[0];
    assert_eq!(d.rule.level, Level::High);
    let hour = evidence(d, "hour");
    assert!(
        hour.starts_with("hour 2024-05-01T13:00Z: 800 calls; baseline median 40, MAD "),
        "{hour}"
    );
    assert!(hour.ends_with(" over 168 h"), "{hour}");
    assert!(
        d.message.starts_with(
            "function orders-fn (role orders-role) made 800 calls in the hour from 2024-05-01T13:00Z, 20× its median hour of 40 calls"
        ),
        "{}",
        d.message
    );
    assert_eq!(d.time_ms, parse_time_ms("2024-05-01T13:00:00Z"));
    assert!(
        evidence(d, "threshold").starts_with("80 = "),
        "{:?}",
        d.evidence
    );

    let (found, _) = compare(&path, &day_with_hour(60));
    assert!(found.is_empty(), "{:#?}", codes(&found));
}

#[test]
fn pal534_another_functions_secret_fires_and_the_own_secret_by_arn_does_not() {
    let path = learnt("pal534");
    let (found, _) = compare(&path, &fixture("PAL534/fires.json"));
    assert_eq!(
        codes(&found),
        vec![(
            "PAL534".into(),
            format!("{ORDERS}|secretsmanager:prod/stripe-key")
        )]
    );
    let d = &found[0];
    assert_eq!(d.rule.level, Level::Critical);
    assert_eq!(
        d.message,
        format!(
            "function orders-fn (role orders-role) read the secret \
             arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/stripe-key-Xy12Ab for the \
             first time; in the baseline only {PAYMENTS} read it"
        )
    );
    assert_eq!(
        evidence(d, "secrets this principal read in the baseline"),
        "secretsmanager:prod/orders-db"
    );
    // The ARN with its random suffix is the secret it reads every six hours.
    let (found, _) = compare(&path, &fixture("PAL534/ok.json"));
    assert!(found.is_empty(), "{:#?}", codes(&found));
}

#[test]
fn pal534_a_secret_nobody_read_is_less_severe_for_a_person() {
    let path = learnt("pal534-person");
    let t = parse_time_ms("2024-05-01T10:00:00Z").unwrap();
    let day = vec![call(
        t,
        DEPLOY,
        "ci-run",
        "ssm:GetParameter",
        "us-east-1",
        "192.0.2.10",
        CLI_UA,
        json!({"name": "/prod/admin-token", "withDecryption": true}),
    )];
    let (found, _) = compare(&path, &day);
    let pal534: Vec<_> = found.iter().filter(|d| d.rule.code == "PAL534").collect();
    assert_eq!(pal534.len(), 1, "{:#?}", codes(&found));
    assert_eq!(pal534[0].rule.level, Level::Medium);
    assert_eq!(pal534[0].function, None);
    assert_eq!(evidence(pal534[0], "session"), "ci-run");
}

#[test]
fn pal535_an_unknown_principal_is_one_detection_not_one_per_api() {
    let path = learnt("pal535");
    let (found, summary) = compare(&path, &fixture("PAL535/fires.json"));
    assert_eq!(
        codes(&found),
        vec![(
            "PAL535".into(),
            "arn:aws:iam::111122223333:user/backup-svc".into()
        )]
    );
    assert_eq!(summary.unknown, 1);
    let d = &found[0];
    assert_eq!(d.rule.level, Level::Medium);
    assert_eq!(
        d.message,
        "arn:aws:iam::111122223333:user/backup-svc is not in the baseline: 4 calls to 3 APIs \
         (iam:ListUsers, s3:ListBuckets, sts:GetCallerIdentity)"
    );
    assert_eq!(d.origin.as_ref().unwrap().at, "records[0]");
    assert_eq!(evidence(d, "address ranges"), "203.0.113.0/24");
    let (found, _) = compare(&path, &fixture("PAL535/ok.json"));
    assert!(found.is_empty(), "{:#?}", codes(&found));
}

#[test]
fn the_reopened_store_describes_what_it_learnt() {
    let path = learnt("info");
    let store = BaselineStore::open_existing(&path).unwrap();
    let info = store.info().unwrap();
    assert_eq!(info.schema, baseline::SCHEMA);
    assert_eq!((info.principals, info.function_roles), (3, 2));
    assert_eq!(info.apis, 5);
    assert_eq!(info.principal_apis, 4 + 2 + 1);
    assert_eq!((info.regions, info.secrets, info.runs), (1, 2, 1));
    assert_eq!(info.events, week().len() as u64);
    let (first, last) = info.window.unwrap();
    assert_eq!(first, start());
    assert!(last < start() + 168 * HOUR && last > start() + 167 * HOUR);
    let text = info.to_string();
    assert!(
        text.contains("training window: 2024-04-24T00:00:00Z to 2024-04-30T23:"),
        "{text}"
    );
    assert!(text.contains("principals: 3 (2 function roles)"), "{text}");
}

#[test]
fn learning_twice_keeps_the_sets_adds_the_counts_and_keeps_the_rates() {
    let once = learnt("once");
    let twice = learnt("twice");
    {
        let mut store = BaselineStore::open(&twice).unwrap();
        let again = store.learn(&observe(&week())).unwrap();
        assert_eq!(again.new_principals + again.new_apis + again.new_regions, 0);
    }
    let once = BaselineStore::open_existing(&once).unwrap();
    let twice = BaselineStore::open_existing(&twice).unwrap();
    let (a, b) = (once.info().unwrap(), twice.info().unwrap());
    assert_eq!(
        (a.principals, a.principal_apis, a.secrets, a.window),
        (b.principals, b.principal_apis, b.secrets, b.window)
    );
    assert_eq!((b.runs, b.events), (2, 2 * a.events));
    let (pa, pb) = (
        once.profile(ORDERS).unwrap().unwrap(),
        twice.profile(ORDERS).unwrap().unwrap(),
    );
    assert_eq!(
        pb.apis["dynamodb:GetItem"].count,
        2 * pa.apis["dynamodb:GetItem"].count
    );
    assert_eq!(pa.hours, pb.hours, "an hour learnt twice is not doubled");
    let mut found = Vec::new();
    twice
        .compare(&observe(&day_with_hour(800)), &mut found)
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(evidence(&found[0], "hour").contains("median 40,"));
}

#[test]
fn learning_can_be_restricted_to_a_window() {
    let path = store_path("window");
    let from = start() + 2 * 24 * HOUR;
    let to = start() + 5 * 24 * HOUR;
    let settings = Arc::new(ObserveSettings::default().window(Some(from), Some(to)));
    let obs = observe_with(&week(), "week.json", settings);
    let inside = week()
        .iter()
        .filter(|e| {
            let t = CloudTrailEvent::parse(e).unwrap().time_ms().unwrap();
            (from..to).contains(&t)
        })
        .count() as u64;
    assert_eq!(obs.events, inside);
    assert_eq!(obs.outside_window, week().len() as u64 - inside);
    let mut store = BaselineStore::open(&path).unwrap();
    let summary = store.learn(&obs).unwrap();
    assert_eq!(summary.outside_window, obs.outside_window);
    assert!(summary.notes[0].ends_with("events outside the training window not learnt"));
    let (first, last) = store.window().unwrap();
    assert!(first >= from && last < to, "{first} {last}");
}

#[test]
fn files_observed_in_parallel_and_merged_in_order_give_the_same_detections() {
    let path = learnt("parallel");
    let mut day = next_day();
    for f in [
        "PAL530/fires.json",
        "PAL531/fires.json",
        "PAL532/fires.json",
        "PAL534/fires.json",
        "PAL535/fires.json",
    ] {
        day.extend(fixture(f));
    }
    let store = BaselineStore::open_existing(&path).unwrap();
    let mut whole = Vec::new();
    store
        .compare(&observe_with(&day, "day.json", Arc::default()), &mut whole)
        .unwrap();
    let parts: Vec<Observations> = day
        .par_chunks(200)
        .map(|chunk| observe_with(chunk, "day.json", Arc::default()))
        .collect();
    let mut merged = Observations::default();
    for part in parts {
        merged.merge(part);
    }
    let mut split = Vec::new();
    store.compare(&merged, &mut split).unwrap();
    let strip = |d: &Detection| (d.rule.code.clone(), d.key.clone(), d.message.clone());
    assert_eq!(
        whole.iter().map(strip).collect::<Vec<_>>(),
        split.iter().map(strip).collect::<Vec<_>>()
    );
    let mut got: Vec<&str> = whole.iter().map(|d| d.rule.code.as_str()).collect();
    got.dedup();
    assert_eq!(got.len(), 5, "{:#?}", codes(&whole));
}

#[test]
fn caps_say_what_they_did_not_keep() {
    let settings = Arc::new(ObserveSettings {
        caps: Caps {
            apis: 2,
            ..baseline::CAPS
        },
        ..ObserveSettings::default()
    });
    let obs = observe_with(&week()[..200], "week.json", settings);
    let notes = obs.notes();
    assert!(
        notes.iter().any(|n| n.starts_with(&format!("{ORDERS}: "))
            && n.ends_with("more calls to other APIs not kept (at most 2 APIs per principal)")),
        "{notes:?}"
    );
    assert_eq!(obs.principals()[ORDERS].apis.len(), 2);
}

#[test]
fn a_missing_store_cannot_be_compared() {
    let path = store_path("missing");
    let err = BaselineStore::open_existing(&path).unwrap_err();
    assert!(matches!(err, BaselineError::Missing { .. }));
    assert!(err.to_string().contains("palisade detect --learn"), "{err}");
}

#[test]
fn a_corrupt_store_is_a_clear_error() {
    let path = store_path("garbage");
    std::fs::write(&path, "this is not a baseline\n".repeat(400)).unwrap();
    let err = BaselineStore::open(&path).unwrap_err();
    assert!(matches!(err, BaselineError::Store { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("baseline-garbage-") && text.contains("cannot be used"),
        "{text}"
    );

    // A real store with its pages overwritten half way.
    let path = learnt("damaged");
    let mut bytes = std::fs::read(&path).unwrap();
    let half = bytes.len() / 2;
    for b in &mut bytes[half..] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let outcome = BaselineStore::open_existing(&path).and_then(|store| {
        let mut out = Vec::new();
        store.info()?;
        store.compare(&observe(&next_day()), &mut out)
    });
    // Whether redb notices at open or when reading, it is an error, not a panic.
    assert!(outcome.is_err(), "{outcome:?}");
}

#[test]
fn a_redb_file_of_another_kind_or_layout_is_named() {
    let path = store_path("other");
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("advisories");
            let mut t = txn.open_table(def).unwrap();
            t.insert("x", b"y".as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let err = BaselineStore::open(&path).unwrap_err();
    assert!(matches!(err, BaselineError::NotBaseline { .. }), "{err:?}");

    let path = store_path("layout");
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
            let mut t = txn.open_table(def).unwrap();
            t.insert("info", br#"{"schema":99}"#.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let err = BaselineStore::open(&path).unwrap_err();
    assert!(
        matches!(err, BaselineError::Schema { found: 99, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("learn again"), "{err}");
}

#[test]
fn an_empty_baseline_says_so() {
    let path = store_path("empty");
    let store = BaselineStore::open(&path).unwrap();
    let mut out = Vec::new();
    let summary = store.compare(&observe(&next_day()), &mut out).unwrap();
    assert!(out.is_empty());
    assert!(summary.notes[0].contains("the baseline is empty"));
}

#[test]
fn every_rule_is_documented() {
    let rules = baseline::rules();
    let codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        ["PAL530", "PAL531", "PAL532", "PAL533", "PAL534", "PAL535"]
    );
    for r in rules {
        assert_eq!(r.area, palisade_model::Area::Monitoring);
        let docs = r.docs_text();
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
            "## References",
        ] {
            assert!(docs.contains(heading), "{} lacks {heading}", r.code);
        }
        assert!(docs.contains("OWASP Serverless Top 10: S"), "{}", r.code);
        assert!(!r.fix.is_empty() && !r.title.is_empty());
    }
}
