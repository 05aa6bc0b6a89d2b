//! A function's permissions in numbers: what its role grants, for the JSON report and for
//! comparing with what the function's code calls.

/// Actions of one risk category a function may use on any resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskyActions {
    /// `privilege-escalation`, `resource-exposure`, `data-exfiltration`,
    /// `credentials-exposure`, `infrastructure-modification`.
    pub category: &'static str,
    /// How many actions; `actions` lists at most [`RiskyActions::LISTED`] of them, and none
    /// for an administrator (every action is then risky).
    pub count: usize,
    pub actions: Vec<&'static str>,
}

impl RiskyActions {
    pub const LISTED: usize = 50;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionFootprint {
    /// The app's path, as findings name it.
    pub app: String,
    pub function: String,
    /// The role's logical id, when the role is in the app.
    pub role: Option<String>,
    /// Actions granted on at least one resource.
    pub actions: usize,
    /// Counts by access level, most powerful first (`Permissions management`, `Write`,
    /// `Tagging`, `Read`, `List`), levels with no action left out.
    pub by_access_level: Vec<(&'static str, usize)>,
    /// Counts by reach: `any-resource`, `conditional`, `named-resources`.
    pub by_reach: Vec<(&'static str, usize)>,
    /// Granted actions per service prefix, sorted by prefix.
    pub services: Vec<(String, usize)>,
    /// Every action of the catalog on any resource without condition.
    pub administrator: bool,
    /// Privilege-escalation methods the role completes.
    pub escalation_methods: Vec<String>,
    pub risky: Vec<RiskyActions>,
    /// Why the numbers may be too low (a managed policy or role Palisade cannot read, an
    /// action written as an expression).
    pub incomplete: Vec<String>,
}

/// Everything one policy document grants, for `palisade iam explain`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyExplanation {
    /// The file, as the report names it.
    pub path: String,
    pub statements: usize,
    pub deny_statements: usize,
    /// Actions granted on at least one resource.
    pub actions: usize,
    /// Counts by reach: `any-resource`, `conditional`, `named-resources`.
    pub by_reach: Vec<(&'static str, usize)>,
    /// Services with a granted action, by prefix.
    pub services: Vec<ServiceActions>,
    /// Actions denied on every resource without condition.
    pub denied: usize,
    /// Action patterns written as expressions, whose actions are unknown.
    pub unresolved: usize,
    /// What of the document could not be read.
    pub incomplete: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceActions {
    pub prefix: String,
    pub name: String,
    /// Actions the service has.
    pub total: usize,
    /// Granted actions by access level, most powerful first.
    pub levels: Vec<LevelActions>,
}

impl ServiceActions {
    pub fn granted(&self) -> usize {
        self.levels.iter().map(|l| l.actions.len()).sum()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelActions {
    /// `Permissions management`, `Write`, `Tagging`, `Read` or `List`.
    pub level: &'static str,
    /// Action names without the service prefix, sorted, each with its reach.
    pub actions: Vec<(String, &'static str)>,
}
