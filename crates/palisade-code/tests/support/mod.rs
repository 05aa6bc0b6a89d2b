//! What the code crate's integration tests share: an app with one function over a folder.

#![allow(
    dead_code,
    clippy::expect_used,
    reason = "each test file uses part of this; a test harness reports failures by panicking"
)]

use std::path::Path;
use std::sync::Arc;

use palisade_model::{
    App, AppFormat, Code, Function, FunctionCode, Prop, SourceMap, Span, Trigger, TriggerKind,
};

/// An app whose one function `Fn` has its code in `dir/src`, with one trigger.
pub fn app_with(
    dir: &Path,
    sources: &SourceMap,
    kind: &TriggerKind,
    runtime: &str,
    handler: &str,
) -> App {
    let template = dir.join("template.yaml");
    std::fs::write(&template, "Resources: {}\n").expect("write template");
    let file = sources.add(
        "template.yaml".into(),
        &template,
        Arc::from("Resources: {}\n"),
    );
    let mut app = App::new("template.yaml", file, AppFormat::Sam);
    let mut f = Function::new("Fn", "AWS::Serverless::Function", Span::default());
    f.runtime = Some(Prop::known(runtime.to_string(), Span::default()));
    f.handler = Some(Prop::known(handler.to_string(), Span::default()));
    f.code = Code::Local {
        path: "src".into(),
        span: Span::default(),
    };
    f.triggers
        .push(Trigger::new("Source", kind.clone(), Span::default()));
    app.functions.push(f);
    app
}

/// Write `files` under `dir/src` and analyse the function.
pub fn analyse(
    dir: &Path,
    files: &[(&str, &str)],
    runtime: &str,
    handler: &str,
) -> (FunctionCode, SourceMap) {
    for (name, text) in files {
        let path = dir.join("src").join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    let sources = SourceMap::new();
    let app = app_with(dir, &sources, &TriggerKind::RestApi, runtime, handler);
    let (mut code, diagnostics) = palisade_code::analyze_app(&app, &sources);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    (code.remove(0), sources)
}
