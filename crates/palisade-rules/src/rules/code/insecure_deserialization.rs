use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows event data into deserializers that can build arbitrary objects: `pickle`, `marshal`, `dill`, `jsonpickle`, `yaml.load` without a safe loader, `yaml.unsafe_load`, `node-serialize`, `js-yaml` `load` (before version 4), `serialize-javascript`.
    ///
    /// ## Why is this bad?
    /// These formats can describe objects whose construction runs code: deserializing the caller's bytes runs the caller's code.
    ///
    /// ## Example
    /// ```python
    /// order = pickle.loads(base64.b64decode(record["body"]))
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// order = json.loads(record["body"])
    /// ```
    ///
    /// ## Fix
    /// Use data-only formats (JSON) or safe loaders (`yaml.safe_load`), and validate the result.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8:2017 Insecure Deserialization
    /// - CWE-502: Deserialization of Untrusted Data
    pub(crate) struct InsecureDeserialization {
        code: "PAL305",
        name: "insecure-deserialization",
        title: "Event data is deserialized unsafely",
        severity: Critical,
        confidence: High,
        sas: S8,
        area: Code,
        fix: "Use data-only formats (JSON) or safe loaders (`yaml.safe_load`), and validate the result.",
    }
}

impl Rule for InsecureDeserialization {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(
            app,
            cx,
            SinkKind::Deserialization,
            "a deserializer that can run code,",
        );
    }
}
