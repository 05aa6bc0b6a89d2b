//! Pipenv's `Pipfile` (TOML: `[packages]`, `[dev-packages]`) and `Pipfile.lock` (JSON:
//! `default`, `develop`).
//!
//! Pipenv also allows other categories (`[docs]`); deployment tools export only the default
//! one (`pipenv requirements`), so packages of any other category count as dev.

use jsonc_parser::CollectOptions;
use jsonc_parser::ast::{Object, Value as Json};
use jsonc_parser::common::Ranged;
use palisade_model::{ManifestKind, PackageSource};
use toml::de::DeValue;

use super::{
    MAX_ENTRIES, assign_keys, entries_in_order, get_str, hash, package, pep508, problem, push_hash,
    table_source, toml_document,
};
use crate::parse::{ParseError, ParsedFile};

/// Top-level tables of a Pipfile that are not package categories.
const NOT_CATEGORIES: [&str; 5] = ["source", "requires", "scripts", "pipenv", "pipfile"];

pub fn parse_pipfile(text: &str) -> Result<ParsedFile, ParseError> {
    let doc = toml_document(text)?;
    let mut file = ParsedFile::new(ManifestKind::Pipfile);
    for (category, value) in entries_in_order(doc.get_ref()) {
        if NOT_CATEGORIES.contains(&category.get_ref().as_ref()) {
            continue;
        }
        let Some(table) = value.get_ref().as_table() else {
            problem(
                &mut file.problems,
                category.span().start,
                format!("`{}` is not a table: it was skipped", category.get_ref()),
            );
            continue;
        };
        let dev = category.get_ref() != "packages";
        for (name, value) in entries_in_order(table) {
            if file.packages.len() >= MAX_ENTRIES {
                break;
            }
            let mut p = package(name.get_ref(), name.span());
            p.direct = true;
            p.dev = dev;
            let spec = match value.get_ref() {
                DeValue::String(s) => Some(s.as_ref()),
                DeValue::Table(t) => {
                    if let Some(source) = table_source(t) {
                        p.source = source;
                    }
                    get_str(t, "version")
                }
                _ => {
                    problem(
                        &mut file.problems,
                        value.span().start,
                        format!(
                            "`{}` is neither a version nor a table: it was skipped",
                            name.get_ref()
                        ),
                    );
                    continue;
                }
            };
            if let Some(spec) = spec {
                p.requirement = Some(spec.to_string());
                p.version = pep508::pinned(spec);
            }
            file.packages.push(p);
        }
    }
    assign_keys(&mut file.packages);
    Ok(file)
}

pub fn parse_lock(text: &str) -> Result<ParsedFile, ParseError> {
    let options = palisade_loaders::strict_json_options();
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
            ParseError::Syntax {
                message: format!("invalid JSON: {}", e.kind()),
                offset: e.range().start,
            }
        })?;
    let Some(Json::Object(root)) = &parsed.value else {
        return Err(ParseError::Syntax {
            message: "a Pipfile.lock is a JSON object".into(),
            offset: 0,
        });
    };
    let mut file = ParsedFile::new(ManifestKind::PipfileLock);
    for prop in &root.properties {
        let category = prop.name.as_str();
        if category == "_meta" {
            continue;
        }
        let Json::Object(packages) = &prop.value else {
            problem(
                &mut file.problems,
                prop.range.start,
                format!("`{category}` is not an object: it was skipped"),
            );
            continue;
        };
        lock_category(&mut file, packages, category != "default");
    }
    assign_keys(&mut file.packages);
    Ok(file)
}

fn lock_category(file: &mut ParsedFile, packages: &Object<'_>, dev: bool) {
    for prop in &packages.properties {
        if file.packages.len() >= MAX_ENTRIES {
            return;
        }
        let name = prop.name.as_str();
        let Json::Object(entry) = &prop.value else {
            problem(
                &mut file.problems,
                prop.value.range().start,
                format!("the entry of `{name}` is not an object: it was skipped"),
            );
            continue;
        };
        let name_range = match &prop.name {
            jsonc_parser::ast::ObjectPropName::String(s) => s.range,
            jsonc_parser::ast::ObjectPropName::Word(w) => w.range,
        };
        // The key's range holds its quotes; the name is inside them.
        let range =
            name_range.start + 1..name_range.end.saturating_sub(1).max(name_range.start + 1);
        let mut p = package(name, range);
        p.dev = dev;
        if let Some(v) = entry.get_string("version") {
            // A lock entry pins: `==1.2.3`.
            p.version = pep508::pinned(&v.value).or_else(|| {
                problem(
                    &mut file.problems,
                    v.range.start,
                    format!("`{}` is not a pinned version: it was ignored", v.value),
                );
                None
            });
        }
        if let Some(git) = entry.get_string("git") {
            let url = match entry.get_string("ref") {
                Some(r) => format!("{}@{}", git.value, r.value),
                None => git.value.to_string(),
            };
            p.source = PackageSource::Git { url };
        } else if let Some(path) = entry.get_string("path") {
            p.source = PackageSource::Path {
                path: path.value.to_string(),
            };
        } else if let Some(f) = entry.get_string("file") {
            p.source = match pep508::source_of(&f.value) {
                PackageSource::Git { .. } => PackageSource::Url {
                    url: f.value.to_string(),
                },
                other => other,
            };
        }
        if let Some(hashes) = entry.get_array("hashes") {
            for h in &hashes.elements {
                match h.as_string_lit().and_then(|s| hash(&s.value)) {
                    Some(h) => push_hash(&mut p, h),
                    None => problem(
                        &mut file.problems,
                        h.range().start,
                        format!(
                            "a hash of `{name}` is not a known algorithm in hex: it was ignored"
                        ),
                    ),
                }
            }
        }
        file.packages.push(p);
    }
}
