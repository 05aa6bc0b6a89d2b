//! The output of `aws iam get-account-authorization-details` (the input of cloudsplaining and
//! parliament): an account's roles, users, groups and managed policies, loaded as an app
//! without functions.
//!
//! Roles, users and groups become principals ([`Role`] with kind `Declared`, `User`, `Group`);
//! each customer managed policy becomes a principal of kind `ManagedPolicy` holding only that
//! policy, so that its risks are reported once on the policy itself. Every policy document the
//! file carries is kept by ARN in [`App::managed_documents`] (its default version only), and
//! principals refer to managed policies by ARN, as in a template.
//!
//! Positions come from a JSON parser that keeps the byte range of every node, so each finding
//! points at the statement in the file.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use jsonc_parser::ast::{Object, ObjectPropName, Value as Json};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};
use palisade_model::policy::policy_document;
use palisade_model::{
    App, AppFormat, Diagnostic, FileId, ManagedPolicyRef, MapEntry, PolicyDocument, PolicySource,
    Prop, Role, RoleKind, SourceFile, SourceMap, Span, Text, Value, ValueKind, line_col,
};

use crate::{LoadError, LoadSettings, read_text};

/// The largest authorization-details file read. The command's output for a large account
/// runs to tens or hundreds of megabytes; memory use is about twelve times the file. A larger
/// `max-file-size` in `palisade.toml` raises the limit.
pub const MAX_AUTH_DETAILS_SIZE: u64 = 512 * 1024 * 1024;

/// The four lists of the command's output.
const LISTS: [&str; 4] = [
    "RoleDetailList",
    "UserDetailList",
    "GroupDetailList",
    "Policies",
];

/// Load an authorization-details file as one app.
pub fn load_auth_details(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<App, LoadError> {
    let mut limits = settings.clone();
    limits.max_file_size = settings.max_file_size.max(MAX_AUTH_DETAILS_SIZE);
    let too_large = || {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        LoadError::TooLarge {
            path: rel.to_string(),
            size,
            limit: limits.max_file_size,
        }
    };
    let text = read_text(path, rel, &limits)?.ok_or_else(too_large)?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let text: Arc<str> = Arc::from(text);
    let strict = strict_json_options();
    let parsed =
        jsonc_parser::parse_to_ast(&text, &CollectOptions::default(), &strict).map_err(|e| {
            LoadError::Json {
                path: rel.to_string(),
                position: Some(line_col(&text, e.range().start)),
                message: format!("invalid JSON: {}", e.kind()),
            }
        })?;
    let not_details = |why: &str| LoadError::Json {
        path: rel.to_string(),
        position: None,
        message: format!(
            "not the output of `aws iam get-account-authorization-details`: {why} (expected an \
             object with {})",
            LISTS.join(", ")
        ),
    };
    let root = match &parsed.value {
        Some(Json::Object(o)) => o,
        Some(_) => return Err(not_details("the file is not a JSON object")),
        None => return Err(not_details("the file is empty")),
    };
    if !LISTS.iter().any(|l| root.get(l).is_some()) {
        return Err(not_details("none of its lists is present"));
    }
    let file = sources.add(rel.to_string(), path, Arc::clone(&text));
    let source = sources.get(file).ok_or_else(|| LoadError::Io {
        path: rel.to_string(),
        source: std::io::Error::other("the file was read but could not be kept"),
    })?;
    let mut loader = Loader {
        file,
        rel,
        source: &source,
        app: App::new(rel, file, AppFormat::AuthorizationDetails),
        groups: BTreeSet::new(),
    };
    loader.load(root);
    let mut app = loader.app;
    app.index();
    Ok(app)
}

struct Loader<'s> {
    file: FileId,
    rel: &'s str,
    source: &'s SourceFile,
    app: App,
    /// Names of the groups read so far (groups are read before users).
    groups: BTreeSet<String>,
}

impl Loader<'_> {
    fn span(&self, range: jsonc_parser::common::Range) -> Span {
        Span::new(self.file, range.start, range.end)
    }

    fn warn(&mut self, offset: usize, message: String) {
        let at = self
            .source
            .line_col(u32::try_from(offset).unwrap_or(u32::MAX));
        self.app
            .diagnostics
            .push(Diagnostic::warning(self.rel, Some(at), message));
    }

    /// The objects of a top-level list; anything else there is reported and skipped.
    fn list<'o, 'a>(&mut self, root: &'o Object<'a>, key: &str) -> Vec<&'o Object<'a>> {
        let Some(prop) = root.get(key) else {
            return Vec::new();
        };
        let Some(items) = prop.value.as_array() else {
            self.warn(
                prop.value.range().start,
                format!("{key} is not a list; it was not read"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.elements.len());
        for item in &items.elements {
            match item.as_object() {
                Some(o) => out.push(o),
                None => self.warn(
                    item.range().start,
                    format!("an entry of {key} is not an object; it was skipped"),
                ),
            }
        }
        out
    }

    /// Report a managed policy a principal refers to that the file does not hold (an AWS
    /// managed one is read from Palisade's own copy): its permissions are not counted.
    fn check_reference(&mut self, arn: &str, at: usize, what: &str, whose: &str) {
        if !is_aws_managed(arn) && !self.app.managed_documents.contains_key(arn) {
            self.warn(
                at,
                format!(
                    "{what} {arn} of {whose} is not among the file's Policies: its permissions \
                     are not counted"
                ),
            );
        }
    }

    fn load(&mut self, root: &Object<'_>) {
        if let Some(Json::BooleanLit(b)) = root.get("IsTruncated").map(|p| &p.value)
            && b.value
        {
            self.warn(
                b.range.start,
                "this is one page of a truncated listing (IsTruncated is true): principals \
                 and policies of the later pages are missing; the AWS CLI merges all pages \
                 unless --max-items is given"
                    .into(),
            );
        }
        let policies = self.list(root, "Policies");
        let roles = self.list(root, "RoleDetailList");
        let users = self.list(root, "UserDetailList");
        let groups = self.list(root, "GroupDetailList");

        // Policies first: principals refer to them by ARN.
        let mut boundaries = BTreeSet::new();
        let mut attached = BTreeSet::new();
        for p in roles.iter().chain(&users).chain(&groups) {
            if let Some(arn) = p
                .get_object("PermissionsBoundary")
                .and_then(|b| str_of(b, "PermissionsBoundaryArn"))
            {
                boundaries.insert(arn.to_string());
            }
            for m in p
                .get_array("AttachedManagedPolicies")
                .into_iter()
                .flat_map(|a| &a.elements)
            {
                if let Some(arn) = m.as_object().and_then(|m| str_of(m, "PolicyArn")) {
                    attached.insert(arn.to_string());
                }
            }
        }
        for p in &policies {
            self.policy(p, &boundaries, &attached);
        }
        for r in &roles {
            self.principal(r, RoleKind::Declared);
        }
        for g in &groups {
            self.principal(g, RoleKind::Group);
        }
        for u in &users {
            self.principal(u, RoleKind::User);
        }
    }

    /// A managed policy: its default version is kept by ARN; a customer managed one is also
    /// judged alone, unless it serves only as a permissions boundary (which grants nothing).
    fn policy(
        &mut self,
        p: &Object<'_>,
        boundaries: &BTreeSet<String>,
        attached: &BTreeSet<String>,
    ) {
        let (Some(name), Some(arn)) = (str_of(p, "PolicyName"), str_of(p, "Arn")) else {
            self.warn(
                p.range.start,
                "a policy without PolicyName or Arn was skipped".into(),
            );
            return;
        };
        self.note_account(arn);
        let default_id = str_of(p, "DefaultVersionId");
        let versions = p.get_array("PolicyVersionList");
        let marked = |v: &Object<'_>| {
            matches!(
                v.get("IsDefaultVersion").map(|p| &p.value),
                Some(Json::BooleanLit(b)) if b.value
            )
        };
        let named = |v: &Object<'_>| default_id.is_some_and(|d| str_of(v, "VersionId") == Some(d));
        let default = versions
            .into_iter()
            .flat_map(|a| &a.elements)
            .filter_map(Json::as_object)
            .find(|v| marked(v) || named(v));
        let Some(default) = default else {
            self.warn(
                p.range.start,
                format!(
                    "policy {name} has no default version in PolicyVersionList; it was not read"
                ),
            );
            return;
        };
        if default_id.is_some() && marked(default) != named(default) {
            self.warn(
                default.range.start,
                format!(
                    "policy {name}: DefaultVersionId and IsDefaultVersion disagree; the version \
                     read is the first either names"
                ),
            );
        }
        let Some(document) = default.get("Document") else {
            self.warn(
                default.range.start,
                format!("the default version of policy {name} has no Document; it was not read"),
            );
            return;
        };
        let aws_managed = is_aws_managed(arn);
        let source = if aws_managed {
            PolicySource::AwsManaged {
                name: name.to_string(),
            }
        } else {
            PolicySource::CustomerManaged {
                id: name.to_string(),
            }
        };
        let doc = self.document(&document.value, source);
        let boundary_only = boundaries.contains(arn) && !attached.contains(arn);
        if !aws_managed && !boundary_only {
            let name_node = p.get("PolicyName").map_or(p.range, |n| n.value.range());
            let mut holder = Role::new(
                name,
                RoleKind::ManagedPolicy,
                "AWS::IAM::ManagedPolicy",
                self.span(name_node),
            );
            holder.policies.push(doc.clone());
            self.app.roles.push(holder);
        }
        self.app.managed_documents.insert(arn.to_string(), doc);
    }

    fn principal(&mut self, p: &Object<'_>, kind: RoleKind) {
        let (name_key, inline_key, resource_type) = match kind {
            RoleKind::User => ("UserName", "UserPolicyList", "AWS::IAM::User"),
            RoleKind::Group => ("GroupName", "GroupPolicyList", "AWS::IAM::Group"),
            _ => ("RoleName", "RolePolicyList", "AWS::IAM::Role"),
        };
        let Some(name_prop) = p.get(name_key) else {
            self.warn(
                p.range.start,
                format!("an entry without {name_key} was skipped"),
            );
            return;
        };
        let Some(name) = name_prop.value.as_string_lit().map(|s| s.value.to_string()) else {
            self.warn(
                name_prop.range.start,
                format!("{name_key} is not a string; the entry was skipped"),
            );
            return;
        };
        if let Some(arn) = str_of(p, "Arn") {
            self.note_account(arn);
        }
        let mut role = Role::new(
            name.clone(),
            kind.clone(),
            resource_type,
            self.span(name_prop.value.range()),
        );
        if let Some(trust) = p.get("AssumeRolePolicyDocument") {
            role.trust = Some(self.document(&trust.value, PolicySource::Trust));
        }
        for item in p
            .get_array(inline_key)
            .into_iter()
            .flat_map(|a| &a.elements)
        {
            let Some(item) = item.as_object() else {
                self.warn(
                    item.range().start,
                    format!("an entry of {inline_key} of {name} is not an object; it was skipped"),
                );
                continue;
            };
            let policy_name = str_of(item, "PolicyName")
                .unwrap_or("(unnamed)")
                .to_string();
            match item.get("PolicyDocument") {
                Some(d) => {
                    let doc = self.document(&d.value, PolicySource::Inline { name: policy_name });
                    role.policies.push(doc);
                }
                None => self.warn(
                    item.range.start,
                    format!("inline policy {policy_name} of {name} has no PolicyDocument"),
                ),
            }
        }
        for m in p
            .get_array("AttachedManagedPolicies")
            .into_iter()
            .flat_map(|a| &a.elements)
        {
            let Some(arn_prop) = m.as_object().and_then(|o| o.get("PolicyArn")) else {
                self.warn(
                    m.range().start,
                    format!("an attached policy of {name} has no PolicyArn; it was skipped"),
                );
                continue;
            };
            let Some(arn) = arn_prop.value.as_string_lit() else {
                self.warn(
                    arn_prop.range.start,
                    format!("a PolicyArn of {name} is not a string; it was skipped"),
                );
                continue;
            };
            let whose = format!("{} {name}", kind.noun());
            self.check_reference(&arn.value, arn.range.start, "managed policy", &whose);
            let span = self.span(arn_prop.value.range());
            role.managed.push(ManagedPolicyRef {
                arn: Prop::known(Text::lit(arn.value.to_string()), span),
                span,
                written_as: None,
            });
        }
        if let Some(b) = p.get_object("PermissionsBoundary")
            && let Some(arn_prop) = b.get("PermissionsBoundaryArn")
            && let Some(arn) = arn_prop.value.as_string_lit()
        {
            let whose = format!("{} {name}", kind.noun());
            self.check_reference(&arn.value, arn.range.start, "permissions boundary", &whose);
            let span = self.span(arn_prop.value.range());
            role.permissions_boundary = Some(Prop::known(Text::lit(arn.value.to_string()), span));
            role.boundary_document = self.app.managed_documents.get(arn.value.as_ref()).cloned();
        }
        if kind == RoleKind::User {
            for g in p
                .get_array("GroupList")
                .into_iter()
                .flat_map(|a| &a.elements)
            {
                match g.as_string_lit() {
                    Some(s) if self.groups.contains(s.value.as_ref()) => {
                        role.groups.push((s.value.to_string(), self.span(s.range)));
                    }
                    Some(s) => self.warn(
                        s.range.start,
                        format!(
                            "user {name} is in group {}, which is not in GroupDetailList: its \
                             policies are not counted",
                            s.value
                        ),
                    ),
                    None => self.warn(
                        g.range().start,
                        format!(
                            "an entry of the GroupList of {name} is not a string; it was skipped"
                        ),
                    ),
                }
            }
        }
        if kind == RoleKind::Group {
            self.groups.insert(name);
        }
        self.app.roles.push(role);
    }

    fn note_account(&mut self, arn: &str) {
        if self.app.account.is_none()
            && let Some(account) = arn.split(':').nth(4)
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
        {
            self.app.account = Some(account.to_string());
        }
    }

    /// A policy document: a JSON object, or (as the API returns it) URL-encoded JSON text.
    /// What cannot be read of it is reported.
    fn document(&mut self, json: &Json<'_>, source: PolicySource) -> PolicyDocument {
        let doc = self.read_document(json, source);
        if let Some(why) = &doc.incomplete {
            let message = format!("{} is not read completely: {why}", doc.source.describe());
            self.warn(json.range().start, message);
        }
        doc
    }

    fn read_document(&self, json: &Json<'_>, source: PolicySource) -> PolicyDocument {
        let value = match json {
            Json::StringLit(s)
                if s.value.trim_start().starts_with('%') || s.value.contains("%7B") =>
            {
                let decoded = percent_decode(&s.value);
                Value::new(ValueKind::Text(Text::lit(decoded)), self.span(s.range))
            }
            other => self.value(other),
        };
        policy_document(&value, source)
    }

    /// A JSON node as a model value with the span of each node. Depth is bounded by the parser.
    fn value(&self, json: &Json<'_>) -> Value {
        let span = self.span(json.range());
        let kind = match json {
            Json::StringLit(s) => ValueKind::Text(Text::lit(s.value.to_string())),
            Json::NumberLit(n) => ValueKind::Number(n.value.to_string()),
            Json::BooleanLit(b) => ValueKind::Bool(b.value),
            Json::NullKeyword(_) => ValueKind::Null,
            Json::Array(a) => ValueKind::List(a.elements.iter().map(|e| self.value(e)).collect()),
            Json::Object(o) => ValueKind::Map(
                o.properties
                    .iter()
                    .map(|p| MapEntry {
                        key: match &p.name {
                            ObjectPropName::String(s) => s.value.to_string(),
                            ObjectPropName::Word(w) => w.value.to_string(),
                        },
                        key_span: self.span(match &p.name {
                            ObjectPropName::String(s) => s.range,
                            ObjectPropName::Word(w) => w.range,
                        }),
                        value: self.value(&p.value),
                    })
                    .collect(),
            ),
        };
        Value::new(kind, span)
    }
}

/// `arn:aws:iam::aws:policy/…` in any partition.
fn is_aws_managed(arn: &str) -> bool {
    let mut parts = arn.split(':');
    parts.nth(2) == Some("iam") && parts.nth(1) == Some("aws")
}

fn str_of<'o>(o: &'o Object<'_>, key: &str) -> Option<&'o str> {
    o.get(key)?.value.as_string_lit().map(|s| s.value.as_ref())
}

/// Decode `%XX` escapes (the API returns policy documents URL-encoded).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// jsonc-parser's options for strict JSON (no comments, trailing commas, single quotes…):
/// what AWS and package managers write.
pub fn strict_json_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_documents() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
