//! The inventory `palisade deps` prints before its findings: per function and layer, where its
//! packages were read from, how many it ships, and how many are known to be vulnerable.

use std::collections::BTreeSet;
use std::io::Write;

use anstyle::{Effects, Style};
use palisade_model::{App, DepOwner};

use crate::pretty::paint;

pub fn write_inventory(apps: &[App], color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let bold = Style::new().effects(Effects::BOLD);
    let sets: Vec<_> = apps
        .iter()
        .flat_map(|a| a.deps.iter().map(move |d| (a, d)))
        .collect();
    if sets.is_empty() {
        return writeln!(
            out,
            "{}\n  no function or layer ships packages that Palisade can read\n",
            paint(color, bold, "Dependencies")
        );
    }
    writeln!(out, "{}", paint(color, bold, "Dependencies"))?;
    for (app, set) in sets {
        let owner = match &set.owner {
            DepOwner::Function(id) => format!("Function {id}"),
            DepOwner::Layer(id) => format!("Layer {id}"),
        };
        let deployed = set.packages.iter().filter(|p| !p.dev).count();
        let dev = set.packages.len() - deployed;
        let vulnerable: BTreeSet<usize> = set
            .vulnerabilities
            .iter()
            .filter(|v| set.packages.get(v.package).is_some_and(|p| !p.dev))
            .map(|v| v.package)
            .collect();
        let files: Vec<&str> = set
            .manifests
            .iter()
            .map(|m| m.path.rsplit('/').next().unwrap_or(&m.path))
            .collect();
        let folder = if set.folder.is_empty() {
            "."
        } else {
            &set.folder
        };
        let plural = if deployed == 1 { "" } else { "s" };
        let mut line = format!(
            "  {owner} ({}): {folder}/ [{}] {deployed} package{plural}",
            app.path,
            files.join(", ")
        );
        if dev > 0 {
            line.push_str(&format!(" + {dev} for development"));
        }
        if !vulnerable.is_empty() {
            line.push_str(&format!(", {} vulnerable", vulnerable.len()));
        }
        for sdk in &set.runtime_sdks {
            line.push_str(&format!(
                ", {} from the {} runtime",
                sdk.package, sdk.runtime
            ));
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out)
}
