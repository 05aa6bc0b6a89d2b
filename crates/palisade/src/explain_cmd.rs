//! `palisade iam explain FILE`: every action a policy document grants, by service and access
//! level, and the IAM rules' findings on it.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context as _, Result, anyhow};
use palisade_engine::LoadSettings;
use palisade_loaders::{LoadError, load_policy_text, read_text};
use palisade_model::{Area, SourceMap};
use palisade_rules::{Rule, Settings, check_app, explain, rules};

use crate::args::{ExplainArgs, ExplainFormat};
use crate::scan_cmd::use_color;

fn load_error(e: &LoadError) -> anyhow::Error {
    match e.position() {
        Some(p) => anyhow!("{}:{}:{}: {e}", e.path(), p.line, p.col),
        None => anyhow!("{}: {e}", e.path()),
    }
}

pub fn run(a: &ExplainArgs) -> Result<u8> {
    let settings = LoadSettings::default();
    let stdin = a.file == Path::new("-");
    let rel = if stdin {
        "<stdin>".to_string()
    } else {
        a.file.display().to_string()
    };
    let text = if stdin {
        let mut text = String::new();
        std::io::stdin()
            .take(settings.max_file_size + 1)
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        if text.len() as u64 > settings.max_file_size {
            anyhow::bail!(
                "<stdin>: more than {} bytes; a policy document is far smaller",
                settings.max_file_size
            );
        }
        text
    } else {
        if !a.file.is_file() {
            anyhow::bail!("{}: no such file", a.file.display());
        }
        read_text(&a.file, &rel, &settings)
            .map_err(|e| load_error(&e))?
            .ok_or_else(|| anyhow!("{rel}: the file is too large to be a policy document"))?
    };
    let sources = SourceMap::new();
    let app =
        load_policy_text(text, &a.file, &rel, &sources, &settings).map_err(|e| load_error(&e))?;
    let explanation = explain(&app).ok_or_else(|| anyhow!("{rel}: no policy document"))?;
    let iam_rules: Vec<&dyn Rule> = rules()
        .iter()
        .copied()
        .filter(|r| r.meta().area == Area::Iam)
        .collect();
    let mut findings = check_app(&app, &sources, &Settings::default(), &iam_rules);
    findings.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
    for d in &app.diagnostics {
        anstream::eprintln!("palisade: warning: {d}");
    }
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match a.format {
        ExplainFormat::Json => palisade_report::write_explain_json(&explanation, &findings, &mut w),
        ExplainFormat::Pretty => palisade_report::write_explain_pretty(
            &explanation,
            &findings,
            use_color(a.color, false),
            a.all,
            &mut w,
        ),
    };
    // A closed pipe (`palisade iam explain p.json | head`) is not an error worth reporting.
    let _ = written.and_then(|()| w.flush());
    Ok(0)
}
