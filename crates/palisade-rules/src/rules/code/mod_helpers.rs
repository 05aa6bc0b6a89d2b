//! What the code rules share: reporting a flow from the event to a sink, and a code issue.

use palisade_model::{App, CodeIssueKind, Confidence, FunctionCode, SinkKind, TaintFlow};

use crate::Checker;

/// Report every flow of one kind, in every function of the app.
pub(crate) fn report_flows(app: &App, cx: &mut Checker<'_>, kind: SinkKind, what: &str) {
    for code in &app.code {
        let Some(f) = app.function(&code.function) else {
            continue;
        };
        // Two sinks written alike in one file are told apart by their order.
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for flow in code.flows.iter().filter(|fl| fl.sink == kind) {
            let call = cx.text_of(flow.span).unwrap_or_default();
            let call: String = call.chars().take(120).collect();
            let nth = seen
                .entry(format!("{}{call}", flow.span.file.0))
                .or_default();
            *nth += 1;
            let occurrence = if *nth == 1 {
                call
            } else {
                format!("{call} #{nth}")
            };
            let confidence = flow_confidence(flow);
            let vetted = if flow.weakened {
                " (after a validation or allow-list check, which may not be enough)"
            } else {
                ""
            };
            let message = if kind == SinkKind::Log {
                format!("{} logs {} through `{}`", f.id, flow.field, flow.sink_name)
            } else if matches!(kind, SinkKind::Xss | SinkKind::OpenRedirect) {
                format!(
                    "{} puts {} from the {} into {what}{vetted}",
                    f.id,
                    describe_field(&flow.field),
                    flow.trigger,
                )
            } else {
                format!(
                    "{} passes {} from the {} to {} `{}`{vetted}",
                    f.id,
                    describe_field(&flow.field),
                    flow.trigger,
                    what,
                    flow.sink_name,
                )
            };
            let file = file_of(code, cx, flow);
            let mut r = cx
                .report(flow.span, message)
                .function(f)
                .at(format!("Code/{file}/{}", flow.sink_name))
                .at(flow.field.clone())
                .at(occurrence)
                .confidence(confidence);
            for step in &flow.steps {
                r = r.related(step.note.clone(), step.span);
            }
            r.related(format!("entry point `{}`", code.entry_name), code.entry)
                .emit();
        }
    }
}

fn describe_field(field: &str) -> String {
    if field == "event" {
        "the event".to_string()
    } else {
        format!("`{field}`")
    }
}

fn flow_confidence(flow: &TaintFlow) -> Confidence {
    match (flow.weakened, flow.uncertain) {
        (false, false) => Confidence::High,
        (true, true) => Confidence::Low,
        _ => Confidence::Medium,
    }
}

/// The code file a span is in, for the logical path (never a line number).
fn file_of(code: &FunctionCode, cx: &Checker<'_>, flow: &TaintFlow) -> String {
    cx.path_of(flow.span.file)
        .unwrap_or_else(|| code.files.first().cloned().unwrap_or_default())
}

/// Report every code issue of one kind.
pub(crate) fn report_issues(app: &App, cx: &mut Checker<'_>, kind: CodeIssueKind) {
    for code in &app.code {
        let Some(f) = app.function(&code.function) else {
            continue;
        };
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for issue in code.issues.iter().filter(|x| x.kind == kind) {
            let file = cx.path_of(issue.span.file).unwrap_or_default();
            // The same message twice in a file (two keys of one kind) stays two findings.
            let nth = seen.entry(format!("{file}{}", issue.message)).or_default();
            *nth += 1;
            let occurrence = if *nth == 1 {
                issue.message.clone()
            } else {
                format!("{} #{nth}", issue.message)
            };
            cx.report(issue.span, format!("{}: {}", f.id, issue.message))
                .function(f)
                .at(format!("Code/{file}"))
                .at(occurrence)
                .related(format!("entry point `{}`", code.entry_name), code.entry)
                .emit();
        }
    }
}
