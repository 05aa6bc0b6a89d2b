//! Counts by severity and OWASP category, shared by the reporters.

use std::collections::BTreeMap;

use palisade_model::{Finding, Sas, Severity};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_sas: BTreeMap<Sas, usize>,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            *c.by_severity.entry(f.severity).or_default() += 1;
            *c.by_sas.entry(f.sas).or_default() += 1;
        }
        c
    }

    pub fn severity(&self, s: Severity) -> usize {
        self.by_severity.get(&s).copied().unwrap_or(0)
    }
}
