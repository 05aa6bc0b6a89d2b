//! The app a log belongs to (`--app PATH`): its functions by deployed name, and where each is
//! declared, so that runtime findings point at the template.

use std::path::Path;

use anyhow::Result;
use palisade_engine::{DepsSettings, RuleSelection, ScanSettings, scan};
use palisade_model::{App, Function, Location, Position, SourceMap, Span};

/// The apps of a template or folder, loaded without running any rule.
pub struct Apps {
    pub apps: Vec<App>,
    pub sources: SourceMap,
}

impl Apps {
    pub fn none() -> Apps {
        Apps {
            apps: Vec::new(),
            sources: SourceMap::default(),
        }
    }

    pub fn load(path: &Path) -> Result<Apps> {
        let settings = ScanSettings {
            root: path.to_path_buf(),
            rules: RuleSelection {
                only: Some(Vec::new()),
                ..RuleSelection::default()
            },
            skip_code: true,
            deps: DepsSettings {
                skip: true,
                ..DepsSettings::default()
            },
            ..ScanSettings::default()
        };
        let result = scan(&settings, &palisade_engine::NoProgress)?;
        Ok(Apps {
            apps: result.apps,
            sources: result.sources,
        })
    }

    /// The function whose logs or events these are: by its `FunctionName`, else by its logical
    /// id within the generated name (`stack-OrdersFunction-AbC123`).
    pub fn find(&self, name: &str) -> Option<(&App, &Function)> {
        find(&self.apps, name)
    }

    pub fn location(&self, span: Span) -> Option<Location> {
        let (path, start, end) = self.sources.resolve(span)?;
        Some(Location {
            path,
            start: Position {
                line: start.line,
                column: start.col,
            },
            end: Position {
                line: end.line,
                column: end.col,
            },
        })
    }
}

/// The deployed name a template gives a function, when it gives a literal one.
pub fn deployed_name(f: &Function) -> Option<&str> {
    f.name
        .as_ref()
        .and_then(|n| n.get())
        .and_then(|t| t.literal())
}

pub fn find<'a>(apps: &'a [App], name: &str) -> Option<(&'a App, &'a Function)> {
    let by_name = apps.iter().find_map(|a| {
        a.functions
            .iter()
            .find(|f| deployed_name(f) == Some(name))
            .map(|f| (a, f))
    });
    by_name.or_else(|| {
        apps.iter().find_map(|a| {
            a.functions
                .iter()
                .filter(|f| name.contains(f.id.as_str()))
                .max_by_key(|f| f.id.len())
                .map(|f| (a, f))
        })
    })
}
