//! Which parts of a handler's event an outsider can shape, by the trigger that delivers it.
//!
//! Event shapes are AWS's documented payloads for each event source; `[]` stands for any
//! element of a list.

use palisade_model::{Trigger, TriggerKind};

/// One step into the event: a field, or any element of a list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Field(String),
    Any,
}

pub fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Field(f) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(f);
            }
            Seg::Any => out.push_str("[]"),
        }
    }
    if out.is_empty() {
        out.push_str("event");
    }
    out
}

/// An attacker-shaped part of the event, and the trigger it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub path: Vec<Seg>,
    pub trigger: String,
}

const HTTP_FIELDS: &[&str] = &[
    "body",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "headers",
    "multiValueHeaders",
    "cookies",
    "rawPath",
    "rawQueryString",
    "path",
];

fn parse(spec: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in spec.split('.') {
        if let Some(name) = part.strip_suffix("[]") {
            out.push(Seg::Field(name.to_string()));
            out.push(Seg::Any);
        } else if !part.is_empty() {
            out.push(Seg::Field(part.to_string()));
        }
    }
    out
}

/// The fields an outsider can shape, for the kind of a trigger. `None`: the whole event.
/// An empty list: nothing (a schedule's event is fixed by the template).
fn fields(kind: &TriggerKind) -> Option<Vec<&'static str>> {
    Some(match kind {
        TriggerKind::RestApi
        | TriggerKind::HttpApi
        | TriggerKind::FunctionUrl
        | TriggerKind::Alb
        | TriggerKind::WebSocketApi => HTTP_FIELDS.to_vec(),
        TriggerKind::S3 => vec!["Records[].s3.object.key", "Records[].s3.bucket.name"],
        TriggerKind::Sqs => vec!["Records[].body", "Records[].messageAttributes"],
        TriggerKind::Sns => vec![
            "Records[].Sns.Message",
            "Records[].Sns.Subject",
            "Records[].Sns.MessageAttributes",
        ],
        TriggerKind::DynamoDbStream => vec![
            "Records[].dynamodb.NewImage",
            "Records[].dynamodb.OldImage",
            "Records[].dynamodb.Keys",
        ],
        TriggerKind::Kinesis => vec!["Records[].kinesis.data"],
        TriggerKind::Msk => vec!["records"],
        TriggerKind::Mq => vec!["messages[].data"],
        TriggerKind::EventBridgeRule => vec!["detail"],
        TriggerKind::CloudWatchLogs => vec!["awslogs.data"],
        TriggerKind::Cognito => vec!["request"],
        TriggerKind::Ses => vec!["Records[].ses.mail", "Records[].ses.receipt"],
        TriggerKind::Schedule => Vec::new(),
        TriggerKind::Iot | TriggerKind::Other(_) => return None,
    })
}

fn trigger_label(t: &Trigger) -> String {
    match t.route() {
        Some(route) if t.kind.is_http() => format!("{} event ({route})", t.kind.label()),
        _ => format!("{} event ({})", t.kind.label(), t.id),
    }
}

/// The sources of a function's event, from its triggers. A function without triggers gets
/// the whole event as one source.
pub fn sources(triggers: &[Trigger]) -> Vec<Source> {
    if triggers.is_empty() {
        return vec![Source {
            path: Vec::new(),
            trigger: "event (no known trigger)".to_string(),
        }];
    }
    let mut out = Vec::new();
    for t in triggers {
        let label = trigger_label(t);
        match fields(&t.kind) {
            None => out.push(Source {
                path: Vec::new(),
                trigger: label,
            }),
            Some(list) => out.extend(list.into_iter().map(|f| Source {
                path: parse(f),
                trigger: label.clone(),
            })),
        }
    }
    out
}

fn seg_matches(a: &Seg, b: &Seg) -> bool {
    match (a, b) {
        (Seg::Any, _) | (_, Seg::Any) => true,
        (Seg::Field(x), Seg::Field(y)) => x == y,
    }
}

/// The source a part of the event carries: the part lies inside an attacker-shaped field, or
/// holds one.
pub fn source_of<'s>(sources: &'s [Source], path: &[Seg]) -> Option<&'s Source> {
    sources.iter().find(|s| {
        s.path
            .iter()
            .zip(path.iter())
            .all(|(a, b)| seg_matches(a, b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::Span;

    fn f(s: &str) -> Seg {
        Seg::Field(s.to_string())
    }

    #[test]
    fn s3_keys_are_tainted_but_not_event_times() {
        let src = sources(&[Trigger::new("Upload", TriggerKind::S3, Span::default())]);
        let key = [f("Records"), Seg::Any, f("s3"), f("object"), f("key")];
        assert!(source_of(&src, &key).is_some());
        assert!(source_of(&src, &[f("Records"), Seg::Any]).is_some());
        assert!(source_of(&src, &[f("Records"), Seg::Any, f("eventTime")]).is_none());
    }

    #[test]
    fn schedules_carry_nothing_and_unknown_triggers_everything() {
        let sched = sources(&[Trigger::new(
            "Nightly",
            TriggerKind::Schedule,
            Span::default(),
        )]);
        assert!(source_of(&sched, &[f("detail")]).is_none());
        let none = sources(&[]);
        assert!(source_of(&none, &[f("anything")]).is_some());
    }
}
