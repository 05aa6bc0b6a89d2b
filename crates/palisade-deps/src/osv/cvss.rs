//! CVSS base scores from vector strings.

/// The base score of a CVSS vector (`CVSS:3.1/AV:N/AC:L/…`), when its version is supported.
pub fn base_score(vector: &str) -> Option<f32> {
    let _ = vector;
    None
}
