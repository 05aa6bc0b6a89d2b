//! What a principal may really do: the union of its policies' Allow statements, minus what its
//! explicit Denies remove, bounded by its permissions boundary. Statements with conditions are
//! kept and marked, never dropped.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use palisade_model::{PatternItem, PolicyDocument, Span, Statement};

use crate::action_set::{ActionSet, unrestrictable};
use crate::catalog::{Catalog, catalog};

/// A policy document of the principal, and where findings in it are reported when its
/// statements have no place of their own (an AWS managed policy: the line that attaches it).
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    pub doc: &'a PolicyDocument,
    pub at: Option<Span>,
}

/// An Allow statement and the actions it grants.
#[derive(Clone, Debug)]
pub struct Grant<'a> {
    pub doc: &'a PolicyDocument,
    pub stmt: &'a Statement,
    pub at: Option<Span>,
    /// Shared between equal statements: an account attaches the same policies to many
    /// principals.
    pub actions: Arc<ActionSet>,
    /// The actions the statement grants on every resource they can act on: all of them with
    /// `Resource: "*"`, a `NotResource` or no resource; those of a service whose every resource
    /// of a type a wildcard ARN covers (`arn:aws:iam::*:role/*`); none otherwise.
    pub open: Option<Arc<ActionSet>>,
    /// A `Condition` block or a template condition limits the statement.
    pub conditional: bool,
}

impl Grant<'_> {
    /// Where to report this grant.
    pub fn span(&self) -> Span {
        self.at.unwrap_or(self.stmt.span)
    }
}

/// An action pattern that matches no action of the catalog.
#[derive(Clone, Debug)]
pub struct UnknownAction<'a> {
    pub doc: &'a PolicyDocument,
    pub stmt: &'a Statement,
    pub item: &'a PatternItem,
    pub at: Option<Span>,
    pub pattern: String,
}

#[derive(Clone, Debug)]
pub enum Boundary {
    None,
    /// What the boundary allows: actions on some resource, and actions on any resource.
    Known {
        allowed: ActionSet,
        open: ActionSet,
    },
    /// A boundary Palisade cannot read (an ARN outside the app): permissions may be smaller.
    Unknown(String),
}

#[derive(Clone, Debug)]
pub struct Effective<'a> {
    pub grants: Vec<Grant<'a>>,
    /// Actions denied on every resource without condition: never allowed.
    pub denied: ActionSet,
    /// Actions denied only on some resources or under a condition.
    pub partially_denied: ActionSet,
    pub boundary: Boundary,
    pub unknown: Vec<UnknownAction<'a>>,
    /// Action patterns that are expressions (`!Ref`), so their actions are not known.
    pub unresolved: usize,
    /// [`Effective::unconstrained`] without and with conditional statements, computed on first
    /// use: every risk rule asks.
    open: [OnceLock<ActionSet>; 2],
}

/// A statement's `NotAction` or not, and its action patterns in lower case (`None` for an
/// expression).
type StatementKey = (bool, Vec<Option<String>>);

/// Expands action patterns, remembering each pattern's set: the same few patterns recur in
/// every policy of an account.
#[derive(Default)]
pub struct Expander {
    cache: HashMap<String, ActionSet>,
    /// Action sets of whole statements, with the positions of the patterns that match nothing.
    statements: HashMap<StatementKey, (Arc<ActionSet>, Vec<usize>)>,
}

impl Expander {
    pub fn new() -> Expander {
        Expander::default()
    }

    pub fn expand(&mut self, pattern: &str) -> &ActionSet {
        let key = pattern.trim().to_ascii_lowercase();
        self.cache
            .entry(key)
            .or_insert_with(|| catalog().expand_set(pattern))
    }
}

/// The actions of a statement (`Action`, or everything but `NotAction`), with the patterns
/// that match nothing and the count of unresolved ones.
pub fn statement_actions<'a>(
    ex: &mut Expander,
    stmt: &'a Statement,
) -> (ActionSet, Vec<&'a PatternItem>, usize) {
    let c: &Catalog = catalog();
    let mut set = ActionSet::empty(c);
    let mut unknown = Vec::new();
    let mut unresolved = 0;
    let patterns = stmt.action.as_ref().or(stmt.not_action.as_ref());
    for item in patterns.map(|p| p.items.as_slice()).unwrap_or(&[]) {
        match item.text.literal() {
            Some(p) => {
                let expanded = ex.expand(p);
                if expanded.is_empty() {
                    unknown.push(item);
                }
                set.union_with(expanded);
            }
            None => unresolved += 1,
        }
    }
    if stmt.not_action.is_some() && stmt.action.is_none() {
        set = set.complement(c);
    }
    (set, unknown, unresolved)
}

/// The statement does not narrow resources: `Resource: "*"`, a `NotResource` (for an Allow,
/// "everything except"), or no resource at all.
fn any_resource(stmt: &Statement) -> bool {
    match (&stmt.resource, &stmt.not_resource) {
        (_, Some(_)) => true,
        (Some(r), None) => r.star().is_some(),
        (None, None) => true,
    }
}

/// A Deny that surely applies to every resource: `Resource: "*"` (a `NotResource` spares
/// what it lists).
fn denies_everywhere(stmt: &Statement) -> bool {
    stmt.not_resource.is_none() && stmt.resource.as_ref().is_some_and(|r| r.star().is_some())
}

/// A `Condition` block, a template condition on the document or the statement, or an
/// `!If` on one of its action or resource items.
fn conditional(doc: &PolicyDocument, stmt: &Statement) -> bool {
    let item_when = [
        &stmt.action,
        &stmt.not_action,
        &stmt.resource,
        &stmt.not_resource,
    ]
    .into_iter()
    .flatten()
    .any(|p| p.items.iter().any(|i| i.when.is_some()));
    stmt.has_condition() || stmt.when.is_some() || doc.when.is_some() || item_when
}

/// Whether a resource pattern covers every resource of one of the service's resource types
/// (in the accounts and regions it names): its resource part is `*`, or the type's ARN
/// template with each `${…}` as `*` (`role/*`, `function:*`, `*/*` for S3 objects).
pub fn covers_whole_type(pattern: &str) -> Option<&str> {
    let mut parts = pattern.splitn(6, ':');
    let (Some("arn"), Some(_), Some(service), Some(_), Some(_), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    // Without a wildcard it names one resource (every template ends with a placeholder).
    if service.is_empty() || service.contains(['*', '?']) || !resource.ends_with('*') {
        return None;
    }
    if resource == "*" {
        return Some(service);
    }
    let svc = catalog().service(service)?;
    svc.resource_types
        .iter()
        .any(|t| {
            let template = t.arn.splitn(6, ':').nth(5).unwrap_or("");
            let starred = star_placeholders(template);
            crate::pattern::wildcard_match(resource, &starred, false)
        })
        .then_some(service)
}

/// `role/${RoleNameWithPath}` → `role/*`.
fn star_placeholders(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("${") {
        out.push_str(&rest[..open]);
        out.push('*');
        rest = rest[open..]
            .find('}')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    out.push_str(rest);
    out
}

/// The actions of a statement granted on every resource they can act on (see [`Grant::open`]).
fn open_actions(
    ex: &mut Expander,
    stmt: &Statement,
    actions: &Arc<ActionSet>,
) -> Option<Arc<ActionSet>> {
    if any_resource(stmt) {
        return Some(Arc::clone(actions));
    }
    let mut open: Option<ActionSet> = None;
    for item in stmt.resource.iter().flat_map(|r| &r.items) {
        let Some(service) = item.text.literal().and_then(covers_whole_type) else {
            continue;
        };
        let mut of_service = ex.expand(&format!("{service}:*")).clone();
        of_service.intersect_with(actions);
        match &mut open {
            Some(set) => set.union_with(&of_service),
            None => open = Some(of_service),
        }
    }
    open.filter(|s| !s.is_empty()).map(Arc::new)
}

/// [`statement_actions`], with equal statements sharing one set.
fn shared_statement_actions<'a>(
    ex: &mut Expander,
    stmt: &'a Statement,
) -> (Arc<ActionSet>, Vec<&'a PatternItem>, usize) {
    let (negated, patterns) = match (&stmt.action, &stmt.not_action) {
        (Some(p), _) => (false, Some(p)),
        (None, p) => (p.is_some(), p.as_ref()),
    };
    let items = patterns.map(|p| p.items.as_slice()).unwrap_or(&[]);
    let key = (
        negated,
        items
            .iter()
            .map(|i| i.text.literal().map(|p| p.trim().to_ascii_lowercase()))
            .collect::<Vec<_>>(),
    );
    let unresolved = key.1.iter().filter(|p| p.is_none()).count();
    if let Some((set, unknown_at)) = ex.statements.get(&key) {
        let unknown = unknown_at.iter().filter_map(|&i| items.get(i)).collect();
        return (Arc::clone(set), unknown, unresolved);
    }
    let (set, unknown, unresolved) = statement_actions(ex, stmt);
    let set = Arc::new(set);
    let unknown_at = items
        .iter()
        .enumerate()
        .filter(|(_, item)| unknown.iter().any(|u| std::ptr::eq(*u, *item)))
        .map(|(i, _)| i)
        .collect();
    ex.statements.insert(key, (Arc::clone(&set), unknown_at));
    (set, unknown, unresolved)
}

/// The effective permissions of a principal holding `sources`, bounded by `boundary`.
pub fn effective<'a>(
    ex: &mut Expander,
    sources: &[Source<'a>],
    boundary: Boundary,
) -> Effective<'a> {
    let c = catalog();
    let mut grants = Vec::new();
    let mut denied = ActionSet::empty(c);
    let mut partially_denied = ActionSet::empty(c);
    let mut unknown = Vec::new();
    let mut unresolved = 0;
    for src in sources {
        for stmt in &src.doc.statements {
            let (actions, missing, unres) = shared_statement_actions(ex, stmt);
            unresolved += unres;
            unknown.extend(missing.into_iter().map(|item| UnknownAction {
                doc: src.doc,
                stmt,
                item,
                at: src.at,
                pattern: item.text.render(),
            }));
            match stmt.effect.get() {
                Some(palisade_model::Effect::Allow) => grants.push(Grant {
                    doc: src.doc,
                    stmt,
                    at: src.at,
                    open: open_actions(ex, stmt, &actions),
                    actions,
                    conditional: conditional(src.doc, stmt),
                }),
                Some(palisade_model::Effect::Deny) => {
                    // Only a Deny known to apply always and everywhere removes actions: one
                    // whose actions include an expression (`NotAction: !Ref X` would otherwise
                    // deny everything) or that has a condition may not.
                    if denies_everywhere(stmt) && !conditional(src.doc, stmt) && unres == 0 {
                        denied.union_with(&actions);
                    } else {
                        partially_denied.union_with(&actions);
                    }
                }
                None => {}
            }
        }
    }
    Effective {
        grants,
        denied,
        partially_denied,
        boundary,
        unknown,
        unresolved,
        open: Default::default(),
    }
}

/// What a permissions boundary document allows (its Allows minus its unconditional Denies),
/// on some resource and on any resource. Conditions in a boundary are given the benefit of the
/// doubt.
pub fn boundary_of_document(ex: &mut Expander, doc: &PolicyDocument) -> Boundary {
    let eff = effective(ex, &[Source { doc, at: None }], Boundary::None);
    Boundary::Known {
        allowed: eff.allowed(),
        open: eff.unconstrained(true).clone(),
    }
}

impl<'a> Effective<'a> {
    /// Remove what explicit denies remove, and keep what the boundary allows (on any resource,
    /// when `open`).
    fn cap(&self, set: &mut ActionSet, open: bool) {
        set.subtract(&self.denied);
        if let Boundary::Known { allowed, open: any } = &self.boundary {
            set.intersect_with(if open { any } else { allowed });
        }
    }

    /// Every action the principal may call on some resource.
    pub fn allowed(&self) -> ActionSet {
        let mut set = ActionSet::empty(catalog());
        for g in &self.grants {
            set.union_with(&g.actions);
        }
        self.cap(&mut set, false);
        set
    }

    /// Actions allowed without any resource constraint: granted on `*`, or unable to take a
    /// narrower resource at all. With `conditional`, statements under conditions count too.
    pub fn unconstrained(&self, conditional: bool) -> &ActionSet {
        self.open[usize::from(conditional)].get_or_init(|| self.compute_unconstrained(conditional))
    }

    fn compute_unconstrained(&self, conditional: bool) -> ActionSet {
        let mut set = ActionSet::empty(catalog());
        for g in self.grants.iter().filter(|g| conditional || !g.conditional) {
            if let Some(open) = &g.open {
                set.union_with(open);
            }
            let mut only_star = ActionSet::clone(&g.actions);
            only_star.intersect_with(unrestrictable());
            set.union_with(&only_star);
        }
        self.cap(&mut set, true);
        set
    }

    /// Every action of the catalog is allowed on any resource without condition: the principal
    /// is an administrator, so escalation and the risk categories say nothing more.
    pub fn is_administrator(&self) -> bool {
        self.unconstrained(false).len() == catalog().action_count()
    }

    /// The grants through which an action is allowed without resource constraint (or at all,
    /// when it is allowed only on specific resources).
    pub fn grants_of(&self, id: u32) -> Vec<&Grant<'a>> {
        let unrestrictable = unrestrictable().contains(id);
        let open: Vec<&Grant<'a>> = self
            .grants
            .iter()
            .filter(|g| {
                g.actions.contains(id)
                    && (unrestrictable || g.open.as_ref().is_some_and(|o| o.contains(id)))
            })
            .collect();
        if open.is_empty() {
            self.grants
                .iter()
                .filter(|g| g.actions.contains(id))
                .collect()
        } else {
            open
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::policy::{from_json, policy_document};
    use palisade_model::{PolicySource, Span};

    use super::*;

    fn doc(json: serde_json::Value) -> PolicyDocument {
        policy_document(
            &from_json(&json, Span::default()),
            PolicySource::Inline { name: "p".into() },
        )
    }

    fn id(name: &str) -> u32 {
        catalog().action(name).map_or(u32::MAX, |a| a.id)
    }

    #[test]
    fn not_action_allows_everything_else() {
        let d = doc(
            serde_json::json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}),
        );
        let mut ex = Expander::new();
        let eff = effective(&mut ex, &[Source { doc: &d, at: None }], Boundary::None);
        let allowed = eff.allowed();
        assert!(allowed.contains(id("s3:GetObject")));
        assert!(!allowed.contains(id("iam:CreateUser")));
        assert_eq!(
            allowed.len(),
            catalog().action_count() - catalog().expand_set("iam:*").len()
        );
    }

    #[test]
    fn wildcards_in_the_middle_and_case() {
        let mut ex = Expander::new();
        let set = ex.expand("S3:*Object*").clone();
        assert!(set.contains(id("s3:PutObjectAcl")));
        assert!(set.contains(id("s3:GetObject")));
        assert!(!set.contains(id("s3:ListBucket")));
        assert_eq!(ex.expand("iam:passrole").len(), 1);
        assert!(ex.expand("*:Describe*").len() > 1000);
    }

    #[test]
    fn denies_and_boundaries_limit_what_is_allowed() {
        let allow = doc(
            serde_json::json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "iam:PassRole"], "Resource": "*"}]}),
        );
        let deny = doc(serde_json::json!({"Statement": [
            {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        ]}));
        let boundary = doc(
            serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
        );
        let mut ex = Expander::new();
        let bound = boundary_of_document(&mut ex, &boundary);
        let eff = effective(
            &mut ex,
            &[
                Source {
                    doc: &allow,
                    at: None,
                },
                Source {
                    doc: &deny,
                    at: None,
                },
            ],
            bound,
        );
        let allowed = eff.allowed();
        assert!(!allowed.contains(id("s3:DeleteObject")), "denied");
        assert!(
            allowed.contains(id("s3:PutObject")),
            "conditional deny keeps it"
        );
        assert!(eff.partially_denied.contains(id("s3:PutObject")));
        assert!(
            !allowed.contains(id("iam:PassRole")),
            "outside the boundary"
        );
    }

    fn one(d: &PolicyDocument) -> Effective<'_> {
        let mut ex = Expander::new();
        effective(&mut ex, &[Source { doc: d, at: None }], Boundary::None)
    }

    /// Only a Deny known to apply always and everywhere removes actions.
    #[test]
    fn denies_that_may_not_apply_remove_nothing() {
        let allow = serde_json::json!({"Effect": "Allow", "Action": ["iam:PassRole", "s3:GetObject"], "Resource": "*"});
        let spared = doc(serde_json::json!({"Statement": [allow,
            {"Effect": "Deny", "NotAction": "s3:ListBucket", "NotResource": "arn:aws:s3:::b/*"}]}));
        let eff = one(&spared);
        assert!(
            eff.allowed().contains(id("s3:GetObject")),
            "NotResource spares b/*"
        );
        assert!(eff.denied.is_empty());
        // `NotAction` written as an expression: which actions it spares is unknown.
        let mut unknown = doc(serde_json::json!({"Statement": [allow,
            {"Effect": "Deny", "NotAction": "x", "Resource": "*"}]}));
        if let Some(p) = unknown
            .statements
            .get_mut(1)
            .and_then(|s| s.not_action.as_mut())
            && let Some(item) = p.items.first_mut()
        {
            item.text = palisade_model::Text::sym(palisade_model::Symbol::Ref("Keep".into()));
        }
        let eff = one(&unknown);
        assert!(eff.allowed().contains(id("iam:PassRole")));
        // One literal holding several names is one (unknown) action, not a list.
        let joined = doc(serde_json::json!({"Statement": [allow,
            {"Effect": "Deny", "Action": "iam:passrole\ns3:getobject", "Resource": "*"}]}));
        let eff = one(&joined);
        assert!(eff.allowed().contains(id("iam:PassRole")));
    }

    #[test]
    fn wildcard_arns_over_a_whole_type_are_any_resource() {
        let d = doc(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "arn:aws:iam::*:role/*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::uploads/*"},
            {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:aws:iam::111122223333:role/service-role/*"}
        ]}));
        let eff = one(&d);
        let open = eff.unconstrained(false);
        assert!(open.contains(id("iam:PassRole")), "every role");
        assert!(
            !open.contains(id("lambda:CreateFunction")),
            "a role ARN is no function"
        );
        assert!(
            open.contains(id("s3:GetObject")),
            "every object of every bucket"
        );
        assert!(!open.contains(id("s3:PutObject")), "one bucket");
        assert!(!open.contains(id("iam:GetRole")), "one path");
        assert_eq!(
            covers_whole_type("arn:aws:lambda:*:*:function:*"),
            Some("lambda")
        );
        assert_eq!(covers_whole_type("arn:aws:s3:::my-bucket/*"), None);
        assert_eq!(covers_whole_type("arn:aws:s3:::*"), Some("s3"));
    }

    /// A boundary that allows an action only on named resources does not let it reach any
    /// resource.
    #[test]
    fn boundaries_narrow_resources_too() {
        let allow = doc(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "secretsmanager:GetSecretValue"], "Resource": "*"}]}));
        let boundary = doc(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}));
        let mut ex = Expander::new();
        let bound = boundary_of_document(&mut ex, &boundary);
        let eff = effective(
            &mut ex,
            &[Source {
                doc: &allow,
                at: None,
            }],
            bound,
        );
        assert!(eff.allowed().contains(id("s3:GetObject")));
        assert!(!eff.allowed().contains(id("secretsmanager:GetSecretValue")));
        assert!(!eff.unconstrained(true).contains(id("s3:GetObject")));
    }

    #[test]
    fn conditions_are_kept_and_marked() {
        let d = doc(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}
        ]}));
        let mut ex = Expander::new();
        let eff = effective(&mut ex, &[Source { doc: &d, at: None }], Boundary::None);
        assert!(eff.allowed().contains(id("iam:PassRole")));
        assert!(!eff.unconstrained(false).contains(id("iam:PassRole")));
        assert!(eff.unconstrained(true).contains(id("iam:PassRole")));
        assert!(
            !eff.unconstrained(true).contains(id("s3:GetObject")),
            "scoped to a bucket"
        );
        assert!(
            eff.unconstrained(false)
                .contains(id("cloudwatch:PutMetricData")),
            "takes only *"
        );
        assert_eq!(eff.unknown.len(), 1);
    }
}
