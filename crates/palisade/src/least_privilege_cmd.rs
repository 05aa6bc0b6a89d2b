//! `palisade iam least-privilege [PATH]`: per function, what its role grants against what its
//! code calls, and the policy that grants only that.

use std::io::Write;

use anyhow::{Result, bail};
use palisade_engine::{RuleSelection, ScanSettings, scan};
use palisade_model::{DiagnosticLevel, LeastPrivilege};

use crate::args::{ExplainFormat, LeastPrivilegeArgs};
use crate::progress::Bar;
use crate::scan_cmd::use_color;

pub fn run(a: &LeastPrivilegeArgs) -> Result<u8> {
    if !a.path.exists() {
        bail!("{}: no such file or folder", a.path.display());
    }
    let settings = ScanSettings {
        root: a.path.clone(),
        // Only the model and the code facts are needed: no rule runs.
        rules: RuleSelection {
            only: Some(Vec::new()),
            ..RuleSelection::default()
        },
        exclude: a.exclude.clone(),
        deps: palisade_engine::DepsSettings {
            skip: true,
            ..palisade_engine::DepsSettings::default()
        },
        ..ScanSettings::default()
    };
    let bar = Bar::new(!a.no_progress);
    let result = scan(&settings, &bar)?;
    let mut all: Vec<LeastPrivilege> = result
        .apps
        .iter()
        .flat_map(palisade_rules::least_privilege)
        .collect();
    if let Some(id) = &a.function {
        all.retain(|lp| lp.function == *id);
        if all.is_empty() {
            bail!("no function `{id}` under {}", a.path.display());
        }
    }
    for d in &result.diagnostics {
        if d.level != DiagnosticLevel::Note {
            anstream::eprintln!("palisade: {d}");
        }
    }
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match a.format {
        ExplainFormat::Json => {
            palisade_report::write_least_privilege_json(&all, &result.sources, &mut w)
        }
        ExplainFormat::Pretty => palisade_report::write_least_privilege_pretty(
            &all,
            &result.sources,
            use_color(a.color, false),
            &mut w,
        ),
    };
    // A closed pipe (`palisade iam least-privilege | head`) is not an error worth reporting.
    let _ = written.and_then(|()| w.flush());
    Ok(if result.had_errors() { 2 } else { 0 })
}
