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

#[cfg(test)]
mod tests {
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
}
