//! Whether a policy's resource pattern can name a resource of a given type.
//!
//! The catalog gives each resource type an ARN template
//! (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`); a policy gives a pattern with IAM
//! wildcards (`arn:aws:s3:::my-bucket/*`) and, in templates, symbolic parts (`${Bucket.Arn}`).
//! Both become patterns over characters, and they fit when some string matches both: a
//! reachability search over pairs of positions, linear in the product of their lengths.
//!
//! A placeholder of a template (`${BucketName}`) matches any run of characters except `:`, and
//! except `/` when the template goes on with `/` (a bucket name ends at the `/` of
//! `${BucketName}/${ObjectName}`, while a log group name, followed by `:log-stream:`, may hold
//! slashes). The last placeholder matches anything: resources take qualifiers there
//! (`function:my-fn:prod`, `log-group:/aws/lambda/my-fn:*`), and `s3:ListBucket` on
//! `arn:aws:s3:::my-bucket/*` is let through rather than guessed at.

use palisade_model::{Segment, Symbol, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    /// Exactly this character.
    Char(char),
    /// Exactly one character, any.
    One,
    /// Any run of characters, possibly empty, none of them an excluded one.
    Run { no_colon: bool, no_slash: bool },
}

const ANY: Tok = Tok::Run {
    no_colon: false,
    no_slash: false,
};

impl Tok {
    /// Whether the token can consume the character `c`.
    fn takes(self, c: char) -> bool {
        match self {
            Tok::Char(x) => x == c,
            Tok::One => true,
            Tok::Run { no_colon, no_slash } => !(no_colon && c == ':' || no_slash && c == '/'),
        }
    }

    fn is_run(self) -> bool {
        matches!(self, Tok::Run { .. })
    }
}

/// Whether two tokens can consume the same character: a fixed character must be taken by the
/// other; two classes always share one (each excludes at most two characters).
fn compatible(a: Tok, b: Tok) -> bool {
    match (a, b) {
        (Tok::Char(c), other) | (other, Tok::Char(c)) => other.takes(c),
        _ => true,
    }
}

/// A pattern over the characters of an ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnPattern {
    toks: Vec<Tok>,
}

impl ArnPattern {
    /// The pattern of a catalog ARN template (`arn:${Partition}:s3:::${BucketName}`). A `*` in
    /// a template (some services write `…/backend/*`) matches anything.
    pub fn from_template(template: &str) -> ArnPattern {
        let placeholders = template.matches("${").count();
        let mut toks = Vec::with_capacity(template.len());
        let mut seen = 0;
        let mut rest = template;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("${")
                && let Some(close) = after.find('}')
            {
                seen += 1;
                rest = &after[close + 1..];
                toks.push(if seen == placeholders {
                    ANY
                } else {
                    Tok::Run {
                        no_colon: true,
                        no_slash: rest.starts_with('/'),
                    }
                });
                continue;
            }
            toks.push(if c == '*' { ANY } else { Tok::Char(c) });
            rest = &rest[c.len_utf8()..];
        }
        ArnPattern { toks }
    }

    /// The pattern of a resource as a policy writes it: `*` any run, `?` one character, a
    /// policy variable (`${aws:username}`) any run, `${*}`, `${?}` and `${$}` the character
    /// itself; a symbolic part (a reference resolved at deploy) any run, except the account,
    /// region and partition pseudo parameters, which hold neither `:` nor `/`.
    pub fn from_policy(text: &Text) -> ArnPattern {
        let mut toks = Vec::new();
        for seg in &text.segments {
            match seg {
                Segment::Lit(s) => push_policy_literal(&mut toks, s),
                Segment::Sym(Symbol::Pseudo(name))
                    if matches!(
                        name.as_str(),
                        "AWS::AccountId" | "AWS::Region" | "AWS::Partition" | "AWS::URLSuffix"
                    ) =>
                {
                    toks.push(Tok::Run {
                        no_colon: true,
                        no_slash: true,
                    });
                }
                Segment::Sym(_) => toks.push(ANY),
            }
        }
        ArnPattern { toks }
    }

    /// [`ArnPattern::from_policy`] of a literal string.
    pub fn from_policy_str(s: &str) -> ArnPattern {
        let mut toks = Vec::with_capacity(s.len());
        push_policy_literal(&mut toks, s);
        ArnPattern { toks }
    }

    /// Whether some string matches both patterns.
    pub fn overlaps(&self, other: &ArnPattern) -> bool {
        let (a, b) = (&self.toks, &other.toks);
        let width = b.len() + 1;
        let mut seen = vec![false; (a.len() + 1) * width];
        let mut todo = vec![(0usize, 0usize)];
        while let Some((i, j)) = todo.pop() {
            let Some(slot) = seen.get_mut(i * width + j) else {
                continue;
            };
            if *slot {
                continue;
            }
            *slot = true;
            if i == a.len() && j == b.len() {
                return true;
            }
            let (ta, tb) = (a.get(i).copied(), b.get(j).copied());
            // A run may end here.
            if ta.is_some_and(Tok::is_run) {
                todo.push((i + 1, j));
            }
            if tb.is_some_and(Tok::is_run) {
                todo.push((i, j + 1));
            }
            // Or both consume one character; a run stays where it is.
            if let (Some(x), Some(y)) = (ta, tb)
                && compatible(x, y)
                && !(x.is_run() && y.is_run())
            {
                let ni = if x.is_run() { i } else { i + 1 };
                let nj = if y.is_run() { j } else { j + 1 };
                todo.push((ni, nj));
            }
        }
        false
    }
}

fn push_policy_literal(toks: &mut Vec<Tok>, s: &str) {
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${")
            && let Some(close) = after.find('}')
        {
            toks.push(match &after[..close] {
                "*" => Tok::Char('*'),
                "?" => Tok::Char('?'),
                "$" => Tok::Char('$'),
                _ => ANY,
            });
            rest = &after[close + 1..];
            continue;
        }
        toks.push(match c {
            '*' => ANY,
            '?' => Tok::One,
            c => Tok::Char(c),
        });
        rest = &rest[c.len_utf8()..];
    }
}

/// Whether a policy resource can name a resource of the type with this ARN template.
pub fn resource_fits_template(resource: &Text, template: &str) -> bool {
    ArnPattern::from_policy(resource).overlaps(&ArnPattern::from_template(template))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const LOG_GROUP: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
    const LOG_STREAM: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
    const FUNCTION: &str = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}";
    const TABLE: &str = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
    const INDEX: &str =
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}";

    fn fits(resource: &str, template: &str) -> bool {
        resource_fits_template(&Text::lit(resource), template)
    }

    #[test]
    fn objects_need_a_key_and_buckets_may_be_lenient() {
        assert!(fits("arn:aws:s3:::my-bucket/*", OBJECT));
        assert!(fits("arn:aws:s3:::my-bucket/docs/a.txt", OBJECT));
        assert!(!fits("arn:aws:s3:::my-bucket", OBJECT));
        assert!(fits("arn:aws:s3:::my-bucket", BUCKET));
        // The bucket name is the last placeholder: lenient.
        assert!(fits("arn:aws:s3:::my-bucket/*", BUCKET));
        assert!(fits("arn:aws:s3:::*", OBJECT));
        assert!(fits("arn:*:s3:::my-bucket/?", OBJECT));
    }

    #[test]
    fn other_services_and_shapes_do_not_fit() {
        assert!(!fits(
            "arn:aws:dynamodb:us-east-1:111122223333:table/T",
            OBJECT
        ));
        assert!(!fits("arn:aws:s3:us-east-1::my-bucket", BUCKET));
        assert!(!fits("my-bucket", BUCKET));
        assert!(!fits(
            "arn:aws:dynamodb:us-east-1:111122223333:Orders",
            TABLE
        ));
        assert!(fits(
            "arn:aws:dynamodb:us-east-1:111122223333:table/Orders",
            TABLE
        ));
        assert!(fits(
            "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/*",
            INDEX
        ));
        // A table name holds no `/`: `…/stream/*` is no index.
        assert!(!fits(
            "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/x",
            INDEX
        ));
    }

    #[test]
    fn qualifiers_after_the_last_placeholder_fit() {
        assert!(fits(
            "arn:aws:lambda:us-east-1:111122223333:function:my-fn:*",
            FUNCTION
        ));
        assert!(fits(
            "arn:aws:lambda:us-east-1:111122223333:function:my-fn:prod",
            FUNCTION
        ));
        assert!(fits(
            "arn:aws:logs:*:*:log-group:/aws/lambda/my-fn:*",
            LOG_GROUP
        ));
        // A log group name holds slashes even before `:log-stream:`.
        assert!(fits(
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/my-fn:*",
            LOG_STREAM
        ));
        assert!(!fits(
            "arn:aws:logs:us-east-1:111122223333:destination:d",
            LOG_STREAM
        ));
    }

    #[test]
    fn symbols_and_variables() {
        let mut t = Text::lit("arn:");
        t.push(Segment::Sym(Symbol::Pseudo("AWS::Partition".into())));
        t.push(Segment::Lit(":s3:::".into()));
        t.push(Segment::Sym(Symbol::Ref("Bucket".into())));
        // A bucket reference could be anything, an object key included.
        assert!(resource_fits_template(&t, OBJECT));
        assert!(resource_fits_template(&t, BUCKET));
        let whole = Text::sym(Symbol::GetAtt("Bucket".into(), "Arn".into()));
        assert!(resource_fits_template(&whole, OBJECT));
        // A partition never holds `:`: it cannot swallow the service.
        let mut wrong = Text::lit("arn:");
        wrong.push(Segment::Sym(Symbol::Pseudo("AWS::Partition".into())));
        wrong.push(Segment::Lit(":s3:::my-bucket".into()));
        assert!(!resource_fits_template(&wrong, OBJECT));
        assert!(fits("arn:aws:s3:::home/${aws:username}/*", OBJECT));
        assert!(fits("arn:aws:s3:::home/${aws:username}", OBJECT));
        assert!(!fits("arn:aws:s3:::bucket${*}", OBJECT));
    }

    #[test]
    fn overlap_is_symmetric_and_handles_wildcards_on_both_sides() {
        let a = ArnPattern::from_policy_str("a*c");
        let b = ArnPattern::from_policy_str("ab?");
        assert!(a.overlaps(&b) && b.overlaps(&a));
        let c = ArnPattern::from_policy_str("x*");
        assert!(!a.overlaps(&c));
        assert!(ArnPattern::from_policy_str("").overlaps(&ArnPattern::from_policy_str("*")));
        assert!(!ArnPattern::from_policy_str("?").overlaps(&ArnPattern::from_policy_str("")));
        let t = ArnPattern::from_template("arn:${P}:svc:::${A}/x/${B}");
        assert!(t.overlaps(&ArnPattern::from_policy_str("arn:aws:svc:::*")));
        assert!(t.overlaps(&ArnPattern::from_policy_str("arn:aws:svc:::a/x/b/c:d")));
        assert!(!t.overlaps(&ArnPattern::from_policy_str("arn:aws:svc:::a/b/x/c")));
        assert!(!t.overlaps(&ArnPattern::from_policy_str("arn:aws:svc:::a:b/x/c")));
    }
}
