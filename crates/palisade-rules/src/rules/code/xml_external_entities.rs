use palisade_model::{App, CodeIssueKind, SinkKind};

use crate::rules::code::mod_helpers::{report_flows, report_issues};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows event data into XML parsers that resolve or expand entities: lxml with its default
    /// parser, `xml.dom.minidom`, `xml.sax`, `xml.etree` (entity expansion), `libxmljs` with
    /// `noent: true`. Also finds lxml parsers created with `resolve_entities=True` or network
    /// access, whatever they parse; a parser created with `resolve_entities=False` is safe.
    ///
    /// ## Why is this bad?
    /// External entities read local files (the function's code, `/proc/self/environ` with its credentials) or reach internal URLs; nested entities exhaust memory.
    ///
    /// ## Example
    /// ```python
    /// doc = lxml.etree.fromstring(event["body"])
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// import defusedxml.ElementTree as ET
    /// doc = ET.fromstring(event["body"])
    /// ```
    ///
    /// ## Fix
    /// Parse untrusted XML with `defusedxml`, or a parser with entity resolution and network access off.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S4:2017 XML External Entities
    /// - CWE-611: Improper Restriction of XML External Entity Reference
    pub(crate) struct XmlExternalEntities {
        code: "PAL306",
        name: "xml-external-entities",
        title: "Event data is parsed by an XML parser that expands entities",
        severity: High,
        confidence: High,
        sas: S4,
        area: Code,
        fix: "Parse untrusted XML with `defusedxml`, or a parser with entity resolution and network access off.",
    }
}

impl Rule for XmlExternalEntities {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(
            app,
            cx,
            SinkKind::Xxe,
            "an XML parser that expands entities,",
        );
        // A parser configured to resolve entities is a finding whatever it parses.
        report_issues(app, cx, CodeIssueKind::XmlEntities);
    }
}
