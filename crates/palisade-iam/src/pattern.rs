//! IAM wildcard matching: `*` matches any run of characters, `?` exactly one.

/// Match `text` against an IAM pattern, ASCII case-insensitively when `ignore_case` (action
/// names are case-insensitive; resource ARNs are not).
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let eq = |a: u8, b: u8| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Iterative matcher with single backtracking point: linear in practice, no recursion.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || t.get(ti).is_some_and(|&x| eq(c, x)) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Whether every string the IAM pattern `specific` matches is also matched by `general`
/// (case-sensitive, as resource ARNs compare). Sound but not complete: a wildcard of
/// `specific` must be absorbed by a `*` of `general` (or a `?` by a `?`), so `a*` covers
/// `ab*` and `a?c`, and nothing but `*`-runs covers a `*`.
pub fn pattern_covers(general: &str, specific: &str) -> bool {
    let g: Vec<char> = general.chars().collect();
    let s: Vec<char> = specific.chars().collect();
    // next[j]: whether the rest of `general` after the current character covers s[j..].
    let mut next: Vec<bool> = (0..=s.len()).map(|j| j == s.len()).collect();
    for &gc in g.iter().rev() {
        let mut row = vec![false; s.len() + 1];
        for j in (0..=s.len()).rev() {
            let sc = s.get(j).copied();
            let after = next.get(j + 1).copied().unwrap_or(false);
            let covered = match gc {
                '*' => {
                    next.get(j).copied().unwrap_or(false)
                        || (sc.is_some() && row.get(j + 1).copied().unwrap_or(false))
                }
                '?' => sc.is_some_and(|c| c != '*') && after,
                c => sc == Some(c) && after,
            };
            if let Some(slot) = row.get_mut(j) {
                *slot = covered;
            }
        }
        next = row;
    }
    next.first().copied().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::pattern_covers as covers;
    use super::wildcard_match as m;

    #[test]
    fn wildcards() {
        assert!(m("s3:Get*", "s3:GetObject", true));
        assert!(m("S3:get*", "s3:GetObject", true));
        assert!(!m("S3:get*", "s3:GetObject", false));
        assert!(m("*", "anything", false));
        assert!(m("s3:*Object*", "s3:PutObjectAcl", true));
        assert!(m("iam:?assRole", "iam:PassRole", true));
        assert!(!m("s3:Get*", "s3:PutObject", true));
        assert!(m("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x", false));
        assert!(!m("a*b*c", "aXbY", false));
        assert!(m("", "", false));
    }

    #[test]
    fn coverage() {
        assert!(covers("*", "anything*"));
        assert!(covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/docs/*"));
        assert!(covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/x"));
        assert!(covers("a?c", "abc"));
        assert!(covers("a?c", "a?c"));
        assert!(!covers("a?c", "a*c"));
        assert!(!covers("arn:aws:s3:::b/x", "arn:aws:s3:::b/*"));
        assert!(!covers("arn:aws:s3:::b/*", "arn:aws:s3:::c/*"));
        assert!(!covers("arn:aws:s3:::b", "arn:aws:s3:::B"));
        assert!(covers("a*b*", "a*b*"));
        assert!(covers("", ""));
        assert!(!covers("", "*"));
    }
}
