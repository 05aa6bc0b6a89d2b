//! An app: one template or project, with everything loaded from it.

use std::collections::HashMap;

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
    /// The output of `aws iam get-account-authorization-details`: an account's principals and
    /// policies, without functions.
    AuthorizationDetails,
    /// One IAM policy document on its own (`palisade iam explain`).
    PolicyDocument,
}

impl AppFormat {
    pub fn label(self) -> &'static str {
        match self {
            AppFormat::CloudFormation => "CloudFormation",
            AppFormat::Sam => "SAM",
            AppFormat::Serverless => "Serverless Framework",
            AppFormat::Terraform => "Terraform",
            AppFormat::Cdk => "CDK",
            AppFormat::AuthorizationDetails => "IAM authorization details",
            AppFormat::PolicyDocument => "IAM policy document",
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
    /// Documents of managed policies that are not resources of the app but that the input
    /// carries, by ARN (authorization details list every policy in use with its versions).
    pub managed_documents: std::collections::BTreeMap<String, crate::iam::PolicyDocument>,
    /// The AWS account the input describes, when it says so.
    pub account: Option<String>,
    /// What the analysis of each function's handler code found (filled by the engine after
    /// loading, for functions whose code is local and in a supported language).
    pub code: Vec<crate::code::FunctionCode>,
    /// What each function's and layer's code folder ships (filled by the engine after
    /// loading, for code that is local).
    pub deps: Vec<crate::deps::DependencySet>,
    /// CDK construct path (`aws:cdk:path`) of each element by logical id, for reports.
    pub construct_paths: std::collections::BTreeMap<String, String>,
    /// Logical id → position, built by [`App::index`] once the elements exist, so that
    /// lookups stay constant-time in templates with thousands of resources.
    index: Index,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Index {
    functions: HashMap<String, usize>,
    roles: HashMap<String, usize>,
    apis: HashMap<String, usize>,
    resources: HashMap<String, usize>,
    /// Role id → positions of the functions that run with it.
    role_users: HashMap<String, Vec<usize>>,
    /// Lengths of the vectors when the index was built; a longer vector means the index is
    /// stale for the new tail, which lookups then search.
    lens: [usize; 4],
}

/// Find by id through the index, falling back to a scan of what was added after it.
fn lookup<'a, T>(
    items: &'a [T],
    map: &HashMap<String, usize>,
    indexed: usize,
    id: &str,
    key: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    if let Some(&i) = map.get(id) {
        return items.get(i);
    }
    items.get(indexed..)?.iter().find(|x| key(x) == id)
}

fn lookup_mut<'a, T>(
    items: &'a mut [T],
    map: &HashMap<String, usize>,
    indexed: usize,
    id: &str,
    key: impl Fn(&T) -> &str,
) -> Option<&'a mut T> {
    if let Some(&i) = map.get(id) {
        return items.get_mut(i);
    }
    items.get_mut(indexed..)?.iter_mut().find(|x| key(x) == id)
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
            managed_documents: std::collections::BTreeMap::new(),
            code: Vec::new(),
            deps: Vec::new(),
            construct_paths: std::collections::BTreeMap::new(),
            account: None,
            index: Index::default(),
        }
    }

    /// (Re)build the id index. Loaders call it once every element exists; elements added
    /// later are still found, by a scan.
    pub fn index(&mut self) {
        fn positions<T>(items: &[T], key: impl Fn(&T) -> &str) -> HashMap<String, usize> {
            items
                .iter()
                .enumerate()
                .map(|(i, x)| (key(x).to_string(), i))
                .collect()
        }
        let mut role_users: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in self.functions.iter().enumerate() {
            if let crate::function::RoleRef::Local(r) = &f.role {
                role_users.entry(r.clone()).or_default().push(i);
            }
        }
        self.index = Index {
            functions: positions(&self.functions, |f| &f.id),
            roles: positions(&self.roles, |r| &r.id),
            apis: positions(&self.apis, |a| &a.id),
            resources: positions(&self.resources, |r| &r.id),
            role_users,
            lens: [
                self.functions.len(),
                self.roles.len(),
                self.apis.len(),
                self.resources.len(),
            ],
        };
    }

    pub fn function(&self, id: &str) -> Option<&Function> {
        lookup(
            &self.functions,
            &self.index.functions,
            self.index.lens[0],
            id,
            |f| &f.id,
        )
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        lookup(
            &self.roles,
            &self.index.roles,
            self.index.lens[1],
            id,
            |r| &r.id,
        )
    }

    pub fn api(&self, id: &str) -> Option<&Api> {
        lookup(&self.apis, &self.index.apis, self.index.lens[2], id, |a| {
            &a.id
        })
    }

    pub fn resource(&self, id: &str) -> Option<&Resource> {
        lookup(
            &self.resources,
            &self.index.resources,
            self.index.lens[3],
            id,
            |r| &r.id,
        )
    }

    pub fn function_mut(&mut self, id: &str) -> Option<&mut Function> {
        lookup_mut(
            &mut self.functions,
            &self.index.functions,
            self.index.lens[0],
            id,
            |f| &f.id,
        )
    }

    pub fn role_mut(&mut self, id: &str) -> Option<&mut Role> {
        lookup_mut(
            &mut self.roles,
            &self.index.roles,
            self.index.lens[1],
            id,
            |r| &r.id,
        )
    }

    pub fn api_mut(&mut self, id: &str) -> Option<&mut Api> {
        lookup_mut(
            &mut self.apis,
            &self.index.apis,
            self.index.lens[2],
            id,
            |a| &a.id,
        )
    }

    pub fn resource_mut(&mut self, id: &str) -> Option<&mut Resource> {
        lookup_mut(
            &mut self.resources,
            &self.index.resources,
            self.index.lens[3],
            id,
            |r| &r.id,
        )
    }

    /// The execution role of a function, when it is a role of this app.
    pub fn role_of(&self, function: &Function) -> Option<&Role> {
        match &function.role {
            crate::function::RoleRef::Local(id) => self.role(id),
            _ => None,
        }
    }

    /// Functions whose execution role is the given role, in declaration order.
    pub fn functions_with_role(&self, role_id: &str) -> Vec<&Function> {
        let indexed = self.index.lens[0];
        let mut out: Vec<&Function> = self
            .index
            .role_users
            .get(role_id)
            .map(|ix| ix.iter().filter_map(|&i| self.functions.get(i)).collect())
            .unwrap_or_default();
        out.extend(
            self.functions
                .get(indexed..)
                .unwrap_or(&[])
                .iter()
                .filter(|f| matches!(&f.role, crate::function::RoleRef::Local(r) if r == role_id)),
        );
        out
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
