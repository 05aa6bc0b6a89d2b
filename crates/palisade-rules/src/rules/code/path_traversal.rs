use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows event data into file paths: Python `open`, `os`/`shutil`/`pathlib` operations, Node.js `fs.*`.
    ///
    /// ## Why is this bad?
    /// `../` in the name reaches files outside the intended folder: the function's code, `/proc/self/environ` (credentials), or other invocations' files in `/tmp`.
    ///
    /// ## Example
    /// ```javascript
    /// const data = fs.readFileSync(`/tmp/${event.pathParameters.name}`);
    /// ```
    ///
    /// Use instead:
    /// ```javascript
    /// const data = fs.readFileSync(path.join("/tmp", path.basename(name)));
    /// ```
    ///
    /// ## Fix
    /// Reduce names to their base name (`os.path.basename`, `path.basename`) or map them to known files.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - CWE-22: Path Traversal
    pub(crate) struct PathTraversal {
        code: "PAL308",
        name: "path-traversal",
        title: "Event data names a file the function opens",
        severity: High,
        confidence: High,
        sas: S5,
        area: Code,
        fix: "Reduce names to their base name (`os.path.basename`, `path.basename`) or map them to known files.",
    }
}

impl Rule for PathTraversal {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::PathTraversal, "a file path of");
    }
}
