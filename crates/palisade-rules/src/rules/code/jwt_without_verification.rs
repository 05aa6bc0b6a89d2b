use palisade_model::{App, CodeIssueKind};

use crate::rules::code::mod_helpers::report_issues;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds JSON Web Tokens decoded without checking their signature: PyJWT `jwt.decode` with `verify_signature` off, `verify=False` or the `none` algorithm, and `jsonwebtoken.decode` in Node.js.
    ///
    /// ## Why is this bad?
    /// Anyone can write a token with any claims; without the signature check the function trusts whatever identity the caller invents.
    ///
    /// ## Example
    /// ```python
    /// claims = jwt.decode(token, options={"verify_signature": False})
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// claims = jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE)
    /// ```
    ///
    /// ## Fix
    /// Verify tokens (`jwt.decode` with the key and allowed algorithms, `jsonwebtoken.verify`), or leave authentication to an API Gateway authorizer.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2:2017 Broken Authentication
    /// - CWE-347: Improper Verification of Cryptographic Signature
    pub(crate) struct JwtWithoutVerification {
        code: "PAL312",
        name: "jwt-without-verification",
        title: "JWT read without verifying its signature",
        severity: High,
        confidence: High,
        sas: S2,
        area: Code,
        fix: "Verify tokens (`jwt.decode` with the key and allowed algorithms, `jsonwebtoken.verify`), or leave authentication to an API Gateway authorizer.",
    }
}

impl Rule for JwtWithoutVerification {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_issues(app, cx, CodeIssueKind::JwtUnverified);
    }
}
