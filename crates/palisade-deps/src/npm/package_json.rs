//! `package.json`: the ranges the project declares.
//!
//! `dependencies` and `optionalDependencies` ship with the code; `devDependencies` do not
//! (`dev`). `peerDependencies` are skipped: they are what a package expects its host to
//! provide, so for a deployed function they are either declared again in one of the other
//! fields (and read there) or not installed at all. `bundleDependencies` only marks names
//! already declared as packed into the tarball; a bundled name declared nowhere else is
//! reported, as npm ignores it. The project's own install scripts are not a package's and
//! are not read here.

use std::collections::HashSet;

use jsonc_parser::ast::{Object, Value as Json};
use jsonc_parser::common::Ranged;
use palisade_model::ManifestKind;

use super::common::{
    check_size, exact_version, json_root, parse_json, problem, prop_name, prop_name_range,
    read_spec, without_bom,
};
use crate::parse::{ParseError, ParsedFile, ParsedPackage};

pub(crate) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    check_size(text)?;
    let text = without_bom(text);
    let value = parse_json(&text)?;
    let root = json_root(&value, "package.json")?;
    let mut out = ParsedFile::new(ManifestKind::PackageJson);
    let mut seen: HashSet<String> = HashSet::new();
    // npm installs a name declared in both `dependencies` and `devDependencies` as a
    // production dependency, so the runtime fields are read first.
    for (field, dev) in [
        ("dependencies", false),
        ("optionalDependencies", false),
        ("devDependencies", true),
    ] {
        read_field(root, field, dev, &mut seen, &mut out);
    }
    for field in ["bundleDependencies", "bundledDependencies"] {
        let Some(prop) = root.get(field) else {
            continue;
        };
        if let Json::Array(names) = &prop.value {
            for n in &names.elements {
                match n.as_string_lit() {
                    Some(s) if seen.contains(s.value.as_ref()) => {}
                    Some(s) => out.problems.push(problem(
                        s.range.start,
                        format!(
                            "{:?} is listed in {field} but declared in no dependency field; \
                             npm ignores it",
                            s.value
                        ),
                    )),
                    None => out.problems.push(problem(
                        n.range().start,
                        format!("an entry of {field} is not a name"),
                    )),
                }
            }
        }
    }
    Ok(out)
}

fn read_field(
    root: &Object<'_>,
    field: &str,
    dev: bool,
    seen: &mut HashSet<String>,
    out: &mut ParsedFile,
) {
    let Some(prop) = root.get(field) else { return };
    let Some(deps) = prop.value.as_object() else {
        out.problems.push(problem(
            prop.value.range().start,
            format!("{field} is not an object; it was not read"),
        ));
        return;
    };
    for dep in &deps.properties {
        let name = prop_name(dep);
        let Some(written) = dep.value.as_string_lit() else {
            out.problems.push(problem(
                dep.range.start,
                format!("{field}[{name:?}] is not a string; it was skipped"),
            ));
            continue;
        };
        if !seen.insert(name.to_string()) {
            out.problems.push(problem(
                dep.range.start,
                format!("{name} is declared again in {field}; the first declaration is used"),
            ));
            continue;
        }
        let spec = read_spec(name, &written.value);
        let version = spec.range.as_deref().and_then(exact_version);
        out.packages.push(ParsedPackage {
            name: spec.name,
            version,
            requirement: Some(spec.range.unwrap_or_else(|| written.value.to_string())),
            source: spec.source,
            dev,
            direct: true,
            hashes: Vec::new(),
            install_script: false,
            range: prop_name_range(dep),
            // The declared name (an alias's own name) is what the project `require()`s.
            key: name.to_string(),
            dependencies: Vec::new(),
        });
    }
}
