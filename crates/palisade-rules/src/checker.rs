//! The context a rule reports through, and running rules over an app.

use std::sync::OnceLock;

use palisade_model::{
    Api, App, Confidence, Finding, Function, Location, PermissionFootprint, Position, Related,
    Resource, Role, RoleKind, RuleMeta, Severity, SourceMap, Span, Truth, fingerprint,
};
use rayon::prelude::*;

use crate::Rule;
use crate::iam_view::IamView;
use palisade_model::Date;

/// What rules may depend on besides the app itself.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The date deprecation is judged against (injectable for reproducible runs).
    pub today: Date,
    /// The user's own AWS account ids: resources shared with them are not "another account".
    pub accounts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            today: Date::today(),
            accounts: Vec::new(),
        }
    }
}

pub struct Checker<'a> {
    pub app: &'a App,
    pub settings: &'a Settings,
    sources: &'a SourceMap,
    meta: &'static RuleMeta,
    findings: Vec<Finding>,
    iam: &'a OnceLock<IamView<'a>>,
}

/// Run rules over one app, in parallel (an account's authorization details are one app with
/// thousands of principals). Findings come out in rule order; callers sort.
pub fn check_app(
    app: &App,
    sources: &SourceMap,
    settings: &Settings,
    rules: &[&dyn Rule],
) -> Vec<Finding> {
    run_rules(app, sources, settings, rules, &OnceLock::new())
}

/// [`check_app`], and each function's permission footprint from the same effective
/// permissions.
pub fn check_app_with_footprints(
    app: &App,
    sources: &SourceMap,
    settings: &Settings,
    rules: &[&dyn Rule],
) -> (Vec<Finding>, Vec<PermissionFootprint>) {
    let iam = OnceLock::new();
    let findings = run_rules(app, sources, settings, rules, &iam);
    let footprints = if app.functions.is_empty() {
        Vec::new()
    } else {
        crate::footprints::footprints_in(app, iam.get_or_init(|| IamView::build(app)))
    };
    (findings, footprints)
}

fn run_rules<'a>(
    app: &'a App,
    sources: &'a SourceMap,
    settings: &'a Settings,
    rules: &[&dyn Rule],
    iam: &'a OnceLock<IamView<'a>>,
) -> Vec<Finding> {
    let per_rule: Vec<Vec<Finding>> = rules
        .par_iter()
        .map(|rule| {
            let mut cx = Checker {
                app,
                settings,
                sources,
                meta: rule.meta(),
                findings: Vec::new(),
                iam,
            };
            rule.check(app, &mut cx);
            cx.findings
        })
        .collect();
    per_rule.into_iter().flatten().collect()
}

impl<'a> Checker<'a> {
    /// The app's roles with their effective permissions (computed on first use).
    pub fn iam(&self) -> &'a IamView<'a> {
        self.iam.get_or_init(|| IamView::build(self.app))
    }

    /// The path (relative to the scan root) of a file of the scan.
    pub fn path_of(&self, file: palisade_model::FileId) -> Option<String> {
        self.sources.get(file).map(|f| f.path.clone())
    }

    /// The source text of a span, whitespace collapsed (for logical paths that must tell
    /// apart two occurrences without naming a line).
    pub fn text_of(&self, span: Span) -> Option<String> {
        let file = self.sources.get(span.file)?;
        let text = file.text.get(span.start as usize..span.end as usize)?;
        Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Start a finding at `span` with an occurrence-specific message.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> Report<'_, 'a> {
        Report {
            cx: self,
            span,
            message: message.into(),
            element: None,
            function: None,
            path: Vec::new(),
            condition: None,
            confidence: None,
            severity: None,
            related: Vec::new(),
            fix: None,
            package: None,
        }
    }

    fn location(&self, span: Span) -> Location {
        match self.sources.resolve(span) {
            Some((path, start, end)) => Location {
                path,
                start: Position {
                    line: start.line,
                    column: start.col,
                },
                end: Position {
                    line: end.line,
                    column: end.col,
                },
            },
            None => Location {
                path: self.app.path.clone(),
                ..Location::default()
            },
        }
    }
}

/// A finding being built; nothing is reported until [`Report::emit`].
#[must_use = "a report is only recorded by .emit()"]
pub struct Report<'c, 'a> {
    cx: &'c mut Checker<'a>,
    span: Span,
    message: String,
    /// (kind, logical id, resource type)
    element: Option<(&'static str, String, String)>,
    function: Option<String>,
    path: Vec<String>,
    condition: Option<String>,
    confidence: Option<Confidence>,
    severity: Option<Severity>,
    related: Vec<(String, Span)>,
    fix: Option<String>,
    package: Option<Box<palisade_model::FindingPackage>>,
}

impl Report<'_, '_> {
    pub fn function(mut self, f: &Function) -> Self {
        self.element = Some(("Function", f.id.clone(), f.resource_type.clone()));
        self.function = Some(f.id.clone());
        self.condition = f.condition.clone();
        self
    }

    pub fn role(mut self, r: &Role) -> Self {
        // Names repeat across kinds in an account (a user and a role both called `deploy`):
        // the kind keeps their fingerprints apart.
        let kind = match r.kind {
            RoleKind::User => "User",
            RoleKind::Group => "Group",
            RoleKind::ManagedPolicy => "ManagedPolicy",
            RoleKind::Declared | RoleKind::Generated { .. } => "Role",
        };
        self.element = Some((kind, r.id.clone(), r.resource_type.clone()));
        self.condition = r.condition.clone();
        self
    }

    pub fn api(mut self, a: &Api) -> Self {
        self.element = Some(("Api", a.id.clone(), a.resource_type.clone()));
        self.condition = a.condition.clone();
        self
    }

    pub fn resource(mut self, r: &Resource) -> Self {
        self.element = Some(("Resource", r.id.clone(), r.resource_type.clone()));
        self.condition = r.condition.clone();
        self
    }

    pub fn parameter(mut self, name: &str) -> Self {
        self.element = Some(("Parameter", name.to_string(), "Parameter".to_string()));
        self
    }

    /// The function concerned, when the element is not the function itself (its role, say).
    pub fn for_function(mut self, id: &str) -> Self {
        self.function = Some(id.to_string());
        self
    }

    /// A segment of the logical path under the element (`Role/Statement[1]`); part of the
    /// fingerprint, so it must not contain line numbers.
    pub fn at(mut self, segment: impl Into<String>) -> Self {
        self.path.push(segment.into());
        self
    }

    pub fn confidence(mut self, c: Confidence) -> Self {
        self.confidence = Some(c);
        self
    }

    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = Some(s);
        self
    }

    /// Adjust confidence and message to how a property's value is known.
    pub fn truth(mut self, t: &Truth) -> Self {
        match t {
            Truth::Depends(cond) => {
                self.confidence = Some(Confidence::Medium);
                self.message
                    .push_str(&format!(" (depending on condition `{cond}`)"));
            }
            Truth::Unknown(expr) => {
                self.confidence = Some(Confidence::Low);
                self.message.push_str(&format!(
                    " (the value `{expr}` is only known at deploy time)"
                ));
            }
            Truth::Always | Truth::Never => {}
        }
        self
    }

    pub fn related(mut self, message: impl Into<String>, span: Span) -> Self {
        self.related.push((message.into(), span));
        self
    }

    /// The package a dependency finding is about.
    pub fn package(mut self, package: palisade_model::FindingPackage) -> Self {
        self.package = Some(Box::new(package));
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn emit(self) {
        let cx = self.cx;
        let meta = cx.meta;
        let mut message = self.message;
        let mut confidence = self.confidence.unwrap_or(meta.confidence);
        if let Some(cond) = &self.condition {
            message.push_str(&format!("; created only when condition `{cond}` holds"));
            confidence = confidence.min(Confidence::Medium);
        }
        let (logical_path, resource, resource_type) = match &self.element {
            Some((kind, id, ty)) => {
                let mut p = format!("{kind}:{id}");
                for seg in &self.path {
                    p.push('/');
                    p.push_str(seg);
                }
                (p, Some(id.clone()), Some(ty.clone()))
            }
            None => (
                if self.path.is_empty() {
                    "App".to_string()
                } else {
                    self.path.join("/")
                },
                None,
                None,
            ),
        };
        let related = self
            .related
            .into_iter()
            .map(|(message, span)| Related {
                message,
                location: cx.location(span),
                span: Some(span),
            })
            .collect();
        let construct_path = resource
            .as_deref()
            .or(self.function.as_deref())
            .and_then(|id| cx.app.construct_paths.get(id))
            .cloned();
        let finding = Finding {
            code: meta.code,
            name: meta.name,
            title: meta.title,
            severity: self.severity.unwrap_or(meta.severity),
            confidence,
            sas: meta.sas,
            area: meta.area,
            app: cx.app.path.clone(),
            resource,
            resource_type,
            function: self.function,
            construct_path,
            location: cx.location(self.span),
            span: Some(self.span),
            message,
            fix: self.fix.map_or(
                std::borrow::Cow::Borrowed(meta.fix),
                std::borrow::Cow::Owned,
            ),
            fingerprint: fingerprint(meta.code, &cx.app.path, &logical_path),
            logical_path,
            related,
            package: self.package,
            event: None,
        };
        cx.findings.push(finding);
    }
}
