//! What the binary's test files share: running `palisade` and reading its output.

#![allow(
    dead_code,
    clippy::panic,
    clippy::expect_used,
    reason = "each test file uses part of this; a test harness reports failures by panicking"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn palisade(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        // Hermetic: never the advisory database of the machine running the tests.
        .env(
            "PALISADE_DB",
            repo().join("target/palisade-tests-no-advisories.redb"),
        )
        // Nor its baseline of normal behaviour.
        .env(
            "PALISADE_BASELINE",
            repo().join("target/palisade-tests-no-baseline.redb"),
        )
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run palisade")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(o)))
}

pub fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Assert the exit code, showing standard error when it differs.
pub fn expect_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
