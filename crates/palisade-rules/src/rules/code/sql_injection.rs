use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows event data into SQL text: `cursor.execute` of sqlite3, psycopg, pymysql and friends, SQLAlchemy `text`, `query` of mysql/mysql2/pg, knex `raw`, sequelize `query`, when the statement itself is built from the data.
    ///
    /// ## Why is this bad?
    /// String-built SQL lets the caller change the statement: read other rows, write, or drop tables.
    ///
    /// ## Example
    /// ```python
    /// cur.execute("SELECT * FROM orders WHERE id = '%s'" % event["pathParameters"]["id"])
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// cur.execute("SELECT * FROM orders WHERE id = %s", (order_id,))
    /// ```
    ///
    /// ## Fix
    /// Use parameterized queries: placeholders in the statement and the values passed separately.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1:2017 Injection
    /// - CWE-89: SQL Injection
    pub(crate) struct SqlInjection {
        code: "PAL303",
        name: "sql-injection",
        title: "Event data builds an SQL statement",
        severity: Critical,
        confidence: High,
        sas: S1,
        area: Code,
        fix: "Use parameterized queries: placeholders in the statement and the values passed separately.",
    }
}

impl Rule for SqlInjection {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::Sql, "an SQL statement through");
    }
}
