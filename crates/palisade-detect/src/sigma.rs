//! Loading and matching Sigma rules.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rsigma_eval::Engine;
use rsigma_eval::event::{Event, EventValue, JsonEvent};
use rsigma_parser::{SigmaRule, parse_sigma_yaml};

/// What a match shows of its rule. The rules' licence (DRL 1.1) requires the author in any
/// view of a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub title: String,
    pub id: Option<String>,
    pub level: Option<String>,
    pub author: Option<String>,
    /// The rule's file, relative to the folder it was loaded from.
    pub file: String,
}

/// A rule file, or a rule in it, that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleProblem {
    pub file: String,
    pub message: String,
}

/// One rule matching one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub rule: RuleInfo,
}

/// Sigma rules compiled once, matched against many events.
pub struct RuleSet {
    engine: Engine,
    /// By rule id (else title): rsigma's results carry those, not the author or the file.
    info: HashMap<String, RuleInfo>,
    pub problems: Vec<RuleProblem>,
    pub files: usize,
}

fn key(id: Option<&str>, title: &str) -> String {
    id.map_or_else(|| format!("title:{title}"), |i| format!("id:{i}"))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")))
        .collect();
    files.sort();
    files
}

impl RuleSet {
    /// Every `.yml`/`.yaml` file under `dir`, one at a time, so that each problem names its
    /// file; the rules that load are used whatever the others do.
    pub fn load_dir(dir: &Path) -> RuleSet {
        let mut set = RuleSet {
            engine: Engine::new(),
            info: HashMap::new(),
            problems: Vec::new(),
            files: 0,
        };
        for path in yaml_files(dir) {
            set.files += 1;
            let file = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    set.problem(&file, format!("unreadable: {e}"));
                    continue;
                }
            };
            set.add_text(&file, &text);
        }
        set
    }

    fn problem(&mut self, file: &str, message: String) {
        self.problems.push(RuleProblem {
            file: file.to_string(),
            message,
        });
    }

    /// Add the rules of one file's text.
    pub fn add_text(&mut self, file: &str, text: &str) {
        let collection = match parse_sigma_yaml(text) {
            Ok(c) => c,
            Err(e) => {
                self.problem(file, e.to_string());
                return;
            }
        };
        for e in &collection.errors {
            self.problem(file, e.clone());
        }
        if !collection.correlations.is_empty() {
            self.problem(
                file,
                format!(
                    "{} correlation rule(s) not used yet: correlations are not wired in",
                    collection.correlations.len()
                ),
            );
        }
        let rules: Vec<&SigmaRule> = collection.rules.iter().collect();
        for (index, error) in self.engine.add_rules(rules.iter().copied()) {
            let title = rules.get(index).map_or("", |r| r.title.as_str());
            self.problem(file, format!("rule `{title}` does not compile: {error}"));
        }
        for r in &rules {
            self.info.insert(
                key(r.id.as_deref(), &r.title),
                RuleInfo {
                    title: r.title.clone(),
                    id: r.id.clone(),
                    level: r.level.map(|l| l.as_str().to_string()),
                    author: r.author.clone(),
                    file: file.to_string(),
                },
            );
        }
    }

    /// Rules compiled and ready.
    pub fn len(&self) -> usize {
        self.engine.rule_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rules that match one event.
    pub fn matches(&self, event: &serde_json::Value) -> Vec<Match> {
        let adapter = WholeObjects::new(event);
        self.engine
            .evaluate(&adapter)
            .into_iter()
            .map(|r| {
                let k = key(r.header.rule_id.as_deref(), &r.header.rule_title);
                let rule = self.info.get(&k).cloned().unwrap_or(RuleInfo {
                    title: r.header.rule_title.clone(),
                    id: r.header.rule_id.clone(),
                    level: r.header.level.map(|l| l.as_str().to_string()),
                    author: None,
                    file: String::new(),
                });
                Match { rule }
            })
            .collect()
    }
}

/// rsigma's JSON event, except that a field naming a whole object is its JSON text, so that
/// `requestParameters|contains: 'x'` matches as SigmaHQ's CloudTrail rules intend.
struct WholeObjects<'a> {
    raw: &'a serde_json::Value,
    inner: JsonEvent<'a>,
}

impl<'a> WholeObjects<'a> {
    fn new(raw: &'a serde_json::Value) -> Self {
        WholeObjects {
            raw,
            inner: JsonEvent::borrow(raw),
        }
    }

    fn lookup(&self, path: &str) -> Option<&'a serde_json::Value> {
        if let Some(v) = self.raw.get(path) {
            return Some(v);
        }
        let mut current = self.raw;
        for segment in path.split('.') {
            current = current.get(segment)?;
        }
        Some(current)
    }
}

impl Event for WholeObjects<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        match self.inner.get_field(path)? {
            EventValue::Map(_) => {
                let text = serde_json::to_string(self.lookup(path)?).ok()?;
                Some(EventValue::Str(Cow::Owned(text)))
            }
            other => Some(other),
        }
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        self.inner.any_string_value(pred)
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        self.inner.all_string_values()
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        self.inner.visit_string_values(visit);
    }

    fn to_json(&self) -> serde_json::Value {
        self.raw.clone()
    }

    fn top_level_keys(&self) -> Option<Vec<Cow<'_, str>>> {
        self.inner.top_level_keys()
    }

    fn visit_top_level_keys(&self, visit: &mut dyn FnMut(&str)) -> bool {
        self.inner.visit_top_level_keys(visit)
    }
}
