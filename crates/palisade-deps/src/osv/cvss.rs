//! CVSS base scores from vector strings.
//!
//! v3.0 and v3.1 use the specification's base equations (FIRST, CVSS v3.1 specification
//! section 7.1, and v3.0's), which differ only in Roundup: v3.1 rounds on an integer of
//! 1/100000ths so that floating-point noise (`4.000000001`) does not add a tenth; v3.0 is
//! the plain "smallest tenth at or above", computed the way its reference calculator does.
//! v2 uses the v2 guide's base equation. v4 is not scored: its base score is a lookup in the
//! specification's table of some 270 macro-vectors plus interpolation, which is not done here;
//! v4 vectors give `None` and callers fall back to the record's stated severity.

/// The base score of a CVSS vector (`CVSS:3.1/AV:N/AC:L/…`), when its version is supported.
pub fn base_score(vector: &str) -> Option<f32> {
    let vector = vector.trim();
    if let Some(rest) = vector.strip_prefix("CVSS:3.1/") {
        return v3(rest, Roundup::V31);
    }
    if let Some(rest) = vector.strip_prefix("CVSS:3.0/") {
        return v3(rest, Roundup::V30);
    }
    if vector.starts_with("CVSS:") && !vector.starts_with("CVSS:2.0/") {
        // CVSS:4.0 and unknown versions.
        return None;
    }
    // v2 vectors carry no version prefix; some sources wrap them in parentheses.
    let rest = vector.strip_prefix("CVSS:2.0/").unwrap_or(vector);
    let rest = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest);
    v2(rest)
}

/// The metric values of a vector, by position in `names`; `None` when a named metric is
/// missing or given twice. Metrics not in `names` (temporal, environmental) are ignored.
fn metrics<'a, const N: usize>(vector: &'a str, names: [&str; N]) -> Option<[&'a str; N]> {
    let mut values: [Option<&str>; N] = [None; N];
    for part in vector.split('/') {
        let (name, value) = part.split_once(':')?;
        if let Some(i) = names.iter().position(|n| *n == name) {
            let slot = values.get_mut(i)?;
            if slot.is_some() {
                return None;
            }
            *slot = Some(value);
        }
    }
    let mut out = [""; N];
    for (o, v) in out.iter_mut().zip(values) {
        *o = v?;
    }
    Some(out)
}

#[derive(Clone, Copy)]
enum Roundup {
    V30,
    V31,
}

impl Roundup {
    fn apply(self, x: f64) -> f64 {
        match self {
            Roundup::V30 => (x * 10.0).ceil() / 10.0,
            Roundup::V31 => {
                // The value is within 0..=10 here, so the cast cannot overflow.
                #[allow(clippy::cast_possible_truncation, reason = "0..=10 scaled")]
                let int = (x * 100_000.0).round() as i64;
                if int % 10_000 == 0 {
                    int as f64 / 100_000.0
                } else {
                    ((int / 10_000) + 1) as f64 / 10.0
                }
            }
        }
    }
}

fn v3(vector: &str, roundup: Roundup) -> Option<f32> {
    let [av, ac, pr, ui, s, c, i, a] =
        metrics(vector, ["AV", "AC", "PR", "UI", "S", "C", "I", "A"])?;
    let changed = match s {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match av {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match ac {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (pr, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match ui {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |v: &str| match v {
        "H" => Some(0.56),
        "L" => Some(0.22),
        "N" => Some(0.0),
        _ => None,
    };
    let (c, i, a): (f64, f64, f64) = (cia(c)?, cia(i)?, cia(a)?);
    let iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    let score = if impact <= 0.0 {
        0.0
    } else if changed {
        roundup.apply((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup.apply((impact + exploitability).min(10.0))
    };
    #[allow(clippy::cast_possible_truncation, reason = "a score of one decimal")]
    Some(score as f32)
}

fn v2(vector: &str) -> Option<f32> {
    let [av, ac, au, c, i, a] = metrics(vector, ["AV", "AC", "Au", "C", "I", "A"])?;
    let av = match av {
        "L" => 0.395,
        "A" => 0.646,
        "N" => 1.0,
        _ => return None,
    };
    let ac = match ac {
        "H" => 0.35,
        "M" => 0.61,
        "L" => 0.71,
        _ => return None,
    };
    let au = match au {
        "M" => 0.45,
        "S" => 0.56,
        "N" => 0.704,
        _ => return None,
    };
    let cia = |v: &str| match v {
        "N" => Some(0.0),
        "P" => Some(0.275),
        "C" => Some(0.660),
        _ => None,
    };
    let (c, i, a): (f64, f64, f64) = (cia(c)?, cia(i)?, cia(a)?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f_impact = if impact == 0.0 { 0.0 } else { 1.176 };
    let score = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact;
    // "Round to one decimal"; the guide's examples round half up.
    let score = (score * 10.0).round() / 10.0;
    #[allow(clippy::cast_possible_truncation, reason = "a score of one decimal")]
    Some(score.max(0.0) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(v: &str) -> Option<f32> {
        base_score(v)
    }

    #[test]
    fn v31_known() {
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N"),
            Some(6.4)
        );
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            Some(10.0)
        );
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"),
            Some(0.0)
        );
        // Temporal metrics do not change the base score.
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O"),
            Some(9.8)
        );
    }

    #[test]
    fn v30_and_v2() {
        assert_eq!(
            score("CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"),
            Some(5.3)
        );
        assert_eq!(score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some(7.5));
        assert_eq!(score("(AV:N/AC:L/Au:N/C:P/I:P/A:P)"), Some(7.5));
        assert_eq!(score("AV:N/AC:L/Au:N/C:C/I:C/A:C"), Some(10.0));
        assert_eq!(score("AV:N/AC:M/Au:N/C:N/I:P/A:N"), Some(4.3));
        assert_eq!(score("AV:L/AC:L/Au:N/C:N/I:N/A:N"), Some(0.0));
    }

    #[test]
    fn unsupported_and_invalid() {
        assert_eq!(
            score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            None
        );
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"), None);
        assert_eq!(score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), None);
        assert_eq!(
            score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            None
        );
        assert_eq!(score(""), None);
        assert_eq!(score("garbage"), None);
    }
}
