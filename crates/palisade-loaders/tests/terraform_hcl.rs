//! The Terraform HCL reader through the public API: a root module with a local module, a
//! variable file and a malformed file.

use std::path::PathBuf;

use palisade_loaders::{Candidate, CandidateKind, LoadError, LoadSettings, load_candidate};
use palisade_model::SourceMap;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform/hcl/app")
}

#[test]
fn a_root_module_with_a_local_module_loads_beside_a_malformed_file() {
    let sources = SourceMap::new();
    let c = Candidate {
        path: fixture(),
        rel: "app".into(),
        kind: CandidateKind::TerraformDir,
    };
    let out = load_candidate(&c, &sources, &LoadSettings::default());

    // The malformed file is an error with its position; the others still load.
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let e = &out.errors[0];
    assert!(matches!(e, LoadError::Hcl { .. }), "{e:?}");
    assert_eq!(e.path(), "app/broken.tf");
    assert_eq!(e.position().map(|p| p.line), Some(2));

    assert_eq!(out.apps.len(), 1);
    let app = &out.apps[0];
    assert_eq!(app.path, "app/main.tf");
    let f = app
        .functions
        .iter()
        .find(|f| f.id.contains("aws_lambda_function.fn"))
        .unwrap_or_else(|| {
            panic!(
                "no function: {:?}",
                app.functions.iter().map(|f| &f.id).collect::<Vec<_>>()
            )
        });
    // Spans land in the module's own file.
    let (path, start, _) = sources.resolve(f.span).unwrap_or_default();
    assert_eq!(path, "app/modules/fn/main.tf");
    assert_eq!(start.line, 15);
    // The tfvars value reached the module's input.
    let name = f
        .name
        .as_ref()
        .map(|n| format!("{:?}", n))
        .unwrap_or_default();
    assert!(name.contains("orders-prod"), "{name}");
    // The comment above the function URL is a suppression of the app.
    let all = app.all_suppressions();
    let s = all
        .iter()
        .find(|s| s.rule == "PAL104")
        .unwrap_or_else(|| panic!("no suppression: {all:?}"));
    assert_eq!(s.reason.as_deref(), Some("internal tool"));
    let (path, at, _) = sources.resolve(s.span).unwrap_or_default();
    assert_eq!((path.as_str(), at.line), ("app/main.tf", 12));
}
