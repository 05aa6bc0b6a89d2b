//! An app: one template or project, with everything loaded from it.

use crate::diagnostic::Diagnostic;
use crate::function::Function;
use crate::iam::Role;
use crate::resource::{Api, Resource, ResourceKind};
use crate::source::{FileId, Span};
use crate::suppression::Suppression;
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AppFormat {
    CloudFormation,
    Sam,
    Serverless,
    Terraform,
    Cdk,
}

impl AppFormat {
    pub fn label(self) -> &'static str {
        match self {
            AppFormat::CloudFormation => "CloudFormation",
            AppFormat::Sam => "SAM",
            AppFormat::Serverless => "Serverless Framework",
            AppFormat::Terraform => "Terraform",
            AppFormat::Cdk => "CDK",
        }
    }
}

/// A template parameter, for rules about parameters themselves.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub span: Span,
    pub param_type: Option<String>,
    pub default: Option<Value>,
    pub no_echo: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct App {
    /// Path of the app's main file relative to the scan root.
    pub path: String,
    pub file: FileId,
    pub format: AppFormat,
    pub functions: Vec<Function>,
    pub roles: Vec<Role>,
    pub apis: Vec<Api>,
    pub resources: Vec<Resource>,
    pub parameters: Vec<Parameter>,
    /// Suppressions that apply to the whole app.
    pub suppressions: Vec<Suppression>,
    /// Problems met while loading, for the report.
    pub diagnostics: Vec<Diagnostic>,
}

impl App {
    pub fn new(path: impl Into<String>, file: FileId, format: AppFormat) -> Self {
        App {
            path: path.into(),
            file,
            format,
            functions: Vec::new(),
            roles: Vec::new(),
            apis: Vec::new(),
            resources: Vec::new(),
            parameters: Vec::new(),
            suppressions: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn function(&self, id: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.id == id)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn api(&self, id: &str) -> Option<&Api> {
        self.apis.iter().find(|a| a.id == id)
    }

    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// The execution role of a function, when it is a role of this app.
    pub fn role_of(&self, function: &Function) -> Option<&Role> {
        match &function.role {
            crate::function::RoleRef::Local(id) => self.role(id),
            _ => None,
        }
    }

    /// Functions whose execution role is the given role.
    pub fn functions_with_role<'a>(
        &'a self,
        role_id: &'a str,
    ) -> impl Iterator<Item = &'a Function> {
        self.functions
            .iter()
            .filter(move |f| matches!(&f.role, crate::function::RoleRef::Local(r) if r == role_id))
    }

    pub fn buckets(&self) -> impl Iterator<Item = (&Resource, &crate::resource::Bucket)> {
        self.resources.iter().filter_map(|r| match &r.kind {
            ResourceKind::Bucket(b) => Some((r, b)),
            _ => None,
        })
    }

    pub fn queues(&self) -> impl Iterator<Item = (&Resource, &crate::resource::Queue)> {
        self.resources.iter().filter_map(|r| match &r.kind {
            ResourceKind::Queue(q) => Some((r, q)),
            _ => None,
        })
    }

    pub fn topics(&self) -> impl Iterator<Item = (&Resource, &crate::resource::Topic)> {
        self.resources.iter().filter_map(|r| match &r.kind {
            ResourceKind::Topic(t) => Some((r, t)),
            _ => None,
        })
    }

    pub fn permissions(&self) -> impl Iterator<Item = (&Resource, &crate::resource::Permission)> {
        self.resources.iter().filter_map(|r| match &r.kind {
            ResourceKind::Permission(p) => Some((r, p)),
            _ => None,
        })
    }

    /// Suppressions attached to an element (function, role, API or resource) by logical id.
    pub fn suppressions_of(&self, id: &str) -> &[Suppression] {
        if let Some(f) = self.function(id) {
            return &f.suppressions;
        }
        if let Some(r) = self.role(id) {
            return &r.suppressions;
        }
        if let Some(a) = self.api(id) {
            return &a.suppressions;
        }
        if let Some(r) = self.resource(id) {
            return &r.suppressions;
        }
        &[]
    }

    /// Every suppression declared in the app, wherever it is attached.
    pub fn all_suppressions(&self) -> Vec<&Suppression> {
        let mut all: Vec<&Suppression> = self.suppressions.iter().collect();
        all.extend(self.functions.iter().flat_map(|f| &f.suppressions));
        all.extend(self.roles.iter().flat_map(|r| &r.suppressions));
        all.extend(self.apis.iter().flat_map(|a| &a.suppressions));
        all.extend(self.resources.iter().flat_map(|r| &r.suppressions));
        all
    }
}
