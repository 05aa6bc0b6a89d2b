//! `pyproject.toml`: PEP 621 `[project]` dependencies and extras, PEP 735
//! `[dependency-groups]`, uv's `[tool.uv] dev-dependencies`, and Poetry's
//! `[tool.poetry.dependencies]` and groups. Every package is direct; extras count as runtime
//! (an extra is installed whenever asked for), groups as dev.

use palisade_model::ManifestKind;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{
    MAX_ENTRIES, assign_keys, entries_in_order, get, get_str, get_table, package, pep508, problem,
    string_content_start, table_source, toml_document,
};
use crate::parse::{ParseError, ParsedFile};

pub fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let doc = toml_document(text)?;
    let root = doc.get_ref();
    let mut file = ParsedFile::new(ManifestKind::Pyproject);
    if let Some(project) = get_table(root, "project") {
        pep508_list(&mut file, text, get(project, "dependencies"), false);
        if let Some(extras) = get_table(project, "optional-dependencies") {
            for (_, list) in entries_in_order(extras) {
                pep508_list(&mut file, text, Some(list), false);
            }
        }
    }
    if let Some(groups) = get_table(root, "dependency-groups") {
        for (_, list) in entries_in_order(groups) {
            pep508_list(&mut file, text, Some(list), true);
        }
    }
    let tool = get_table(root, "tool");
    if let Some(uv) = tool.and_then(|t| get_table(t, "uv")) {
        pep508_list(&mut file, text, get(uv, "dev-dependencies"), true);
    }
    if let Some(poetry) = tool.and_then(|t| get_table(t, "poetry")) {
        if let Some(deps) = get_table(poetry, "dependencies") {
            poetry_table(&mut file, deps, false);
        }
        if let Some(deps) = get_table(poetry, "dev-dependencies") {
            poetry_table(&mut file, deps, true);
        }
        if let Some(groups) = get_table(poetry, "group") {
            for (name, group) in entries_in_order(groups) {
                let deps = group
                    .get_ref()
                    .as_table()
                    .and_then(|g| get_table(g, "dependencies"));
                if let Some(deps) = deps {
                    poetry_table(&mut file, deps, name.get_ref() != "main");
                }
            }
        }
    }
    assign_keys(&mut file.packages);
    Ok(file)
}

/// A list of PEP 508 strings; PEP 735's `{include-group = "…"}` entries are skipped (the
/// included group is read on its own).
fn pep508_list(file: &mut ParsedFile, text: &str, list: Option<&Spanned<DeValue<'_>>>, dev: bool) {
    let Some(list) = list else {
        return;
    };
    let Some(items) = list.get_ref().as_array() else {
        problem(
            &mut file.problems,
            list.span().start,
            "a dependency list is not an array: it was skipped".into(),
        );
        return;
    };
    for item in items.iter() {
        if file.packages.len() >= MAX_ENTRIES {
            return;
        }
        let Some(s) = item.get_ref().as_str() else {
            if !item.get_ref().is_table() {
                problem(
                    &mut file.problems,
                    item.span().start,
                    "a dependency is not a string".into(),
                );
            }
            continue;
        };
        let req = match pep508::parse(s) {
            Ok(r) => r,
            Err(why) => {
                problem(
                    &mut file.problems,
                    item.span().start,
                    format!("`{s}` is not a requirement: {why}"),
                );
                continue;
            }
        };
        // Point at the name inside the string when the string is written without escapes.
        let range = match string_content_start(text, item) {
            Some(at) => at + req.name_range.start..at + req.name_range.end,
            None => item.span(),
        };
        let mut p = package(req.name, range);
        p.direct = true;
        p.dev = dev;
        if let Some(url) = req.url {
            p.source = pep508::source_of(url);
        }
        if let Some(spec) = req.specifier {
            p.requirement = Some(spec.to_string());
            p.version = pep508::pinned(spec);
        }
        file.packages.push(p);
    }
}

/// Poetry's dependency tables: `name = "^1.2"`, `name = {version = "…", extras = […]}`,
/// `{git = "…"}`, `{path = "…"}`, `{url = "…"}`, or a list of those for different
/// environments. `python` is the interpreter, not a package.
fn poetry_table(file: &mut ParsedFile, deps: &DeTable<'_>, dev: bool) {
    for (name, value) in entries_in_order(deps) {
        if file.packages.len() >= MAX_ENTRIES {
            return;
        }
        if name.get_ref().eq_ignore_ascii_case("python") {
            continue;
        }
        let mut p = package(name.get_ref(), name.span());
        p.direct = true;
        p.dev = dev;
        let constraints: Vec<&DeValue<'_>> = match value.get_ref() {
            DeValue::Array(a) => a.iter().map(Spanned::get_ref).collect(),
            v => vec![v],
        };
        let mut versions = Vec::new();
        for c in constraints {
            match c {
                DeValue::String(s) => versions.push(s.to_string()),
                DeValue::Table(t) => {
                    if let Some(v) = get_str(t, "version") {
                        versions.push(v.to_string());
                    }
                    if let Some(source) = table_source(t) {
                        p.source = source;
                    }
                }
                _ => problem(
                    &mut file.problems,
                    value.span().start,
                    format!(
                        "`{}` has a constraint that is neither a string nor a table",
                        name.get_ref()
                    ),
                ),
            }
        }
        if !versions.is_empty() {
            // Poetry's own syntax: `||` joins alternatives.
            let requirement = versions.join(" || ");
            p.version = poetry_pin(&requirement);
            p.requirement = Some(requirement);
        }
        file.packages.push(p);
    }
}

/// The version a Poetry constraint pins: `==1.2.3`, or a bare `1.2.3`, which Poetry reads
/// as exactly that version.
fn poetry_pin(constraint: &str) -> Option<String> {
    let c = constraint.trim();
    if c.starts_with(|ch: char| ch.is_ascii_digit())
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '+' | '-' | '!'))
    {
        return Some(c.to_string());
    }
    pep508::pinned(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry_pins() {
        assert_eq!(poetry_pin("2.31.0").as_deref(), Some("2.31.0"));
        assert_eq!(poetry_pin("==2.31.0").as_deref(), Some("2.31.0"));
        assert_eq!(poetry_pin("^2.31"), None);
        assert_eq!(poetry_pin("2.*"), None);
        assert_eq!(poetry_pin("~2.1"), None);
        assert_eq!(poetry_pin("1.0 || 2.0"), None);
    }
}
