//! What the engine knows about libraries: sinks, sanitizers and validators, by the qualified
//! name a call resolves to (`subprocess.run`, `child_process.exec`, `eval`). Call results
//! continue a name with `()`: `sqlite3.connect().cursor().execute`; [`plain`] drops them.

use palisade_model::SinkKind;

/// Which argument of a sink call carries the danger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgSel {
    /// The first positional argument, or the keyword argument of that name.
    First(&'static str),
    /// Any argument.
    Any,
}

/// A condition on the call for it to be a sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// A keyword argument (Python) or an option of the last object argument (JavaScript) is
    /// literally true: `shell=True`, `{ shell: true }`, `{ noent: true }`.
    FlagTrue(&'static str),
    /// `yaml.load` without a safe `Loader`.
    NoSafeLoader,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sink {
    pub kind: SinkKind,
    pub arg: ArgSel,
    pub when: When,
    /// The sink depends on something not visible (an unknown receiver): lower confidence.
    pub uncertain: bool,
}

const fn sink(kind: SinkKind, arg: ArgSel, when: When) -> Sink {
    Sink {
        kind,
        arg,
        when,
        uncertain: false,
    }
}

/// `a.b().c` → `a.b.c`; `node:fs` → `fs`; `fs/promises` → `fs`.
pub fn plain(q: &str) -> String {
    let q = q.replace("()", "");
    let q = q.strip_prefix("node:").unwrap_or(&q).to_string();
    q.replacen("fs/promises", "fs", 1)
        .replacen("fs.promises", "fs", 1)
}

/// The module a qualified name starts from.
pub fn root(q: &str) -> &str {
    let q = q.strip_prefix("node:").unwrap_or(q);
    let end = q.find(['.', '(', '/']).unwrap_or(q.len());
    q.get(..end).unwrap_or(q)
}

/// Sinks named by their full (plain) name.
pub fn named_sink(name: &str) -> Option<Sink> {
    use ArgSel::{Any, First};
    use SinkKind::*;
    use When::*;
    let s = match name {
        // OS commands.
        "os.system"
        | "os.popen"
        | "commands.getoutput"
        | "commands.getstatusoutput"
        | "subprocess.getoutput"
        | "subprocess.getstatusoutput" => sink(Command, First("command"), Always),
        "asyncio.create_subprocess_shell" => sink(Command, First("cmd"), Always),
        "subprocess.run"
        | "subprocess.call"
        | "subprocess.check_call"
        | "subprocess.check_output"
        | "subprocess.Popen" => sink(Command, First("args"), FlagTrue("shell")),
        "child_process.exec" | "child_process.execSync" => sink(Command, First(""), Always),
        "child_process.spawn"
        | "child_process.spawnSync"
        | "child_process.execFile"
        | "child_process.execFileSync" => sink(Command, Any, FlagTrue("shell")),
        "shelljs.exec" => sink(Command, First(""), Always),
        // Code evaluation.
        "eval" | "exec" | "builtins.eval" | "builtins.exec" => sink(CodeEval, First(""), Always),
        "Function" => sink(CodeEval, Any, Always),
        "vm.runInThisContext"
        | "vm.runInNewContext"
        | "vm.runInContext"
        | "vm.Script"
        | "vm.compileFunction"
        | "setTimeout"
        | "setInterval" => sink(CodeEval, First(""), Always),
        // SQL built from strings.
        "sqlalchemy.text"
        | "sqlalchemy.sql.text"
        | "sqlalchemy.sql.expression.text"
        | "pandas.read_sql"
        | "pandas.read_sql_query" => sink(Sql, First("sql"), Always),
        // Deserialization.
        "pickle.loads"
        | "pickle.load"
        | "cPickle.loads"
        | "cPickle.load"
        | "_pickle.loads"
        | "dill.loads"
        | "dill.load"
        | "marshal.loads"
        | "marshal.load"
        | "jsonpickle.decode"
        | "shelve.open"
        | "yaml.unsafe_load"
        | "yaml.full_load"
        | "node-serialize.unserialize"
        | "serialize-javascript" => sink(Deserialization, First(""), Always),
        // Unsafe before js-yaml 4, which made `load` safe: the version is not known here.
        "js-yaml.load" => Sink {
            uncertain: true,
            ..sink(Deserialization, First(""), Always)
        },
        "yaml.load" | "yaml.load_all" => sink(Deserialization, First("stream"), NoSafeLoader),
        // XML parsers that resolve entities or expand them without limits.
        "lxml.etree.fromstring"
        | "lxml.etree.XML"
        | "lxml.etree.parse"
        | "xml.dom.minidom.parseString"
        | "xml.dom.minidom.parse"
        | "xml.sax.parseString"
        | "xml.etree.ElementTree.fromstring"
        | "xml.etree.ElementTree.XML"
        | "xml.etree.cElementTree.fromstring" => sink(Xxe, First("text"), Always),
        "libxmljs.parseXml"
        | "libxmljs.parseXmlString"
        | "libxmljs2.parseXml"
        | "libxmljs2.parseXmlString" => sink(Xxe, First(""), FlagTrue("noent")),
        // Outgoing requests to a URL.
        "requests.get"
        | "requests.post"
        | "requests.put"
        | "requests.delete"
        | "requests.head"
        | "requests.patch"
        | "requests.options"
        | "httpx.get"
        | "httpx.post"
        | "httpx.put"
        | "httpx.delete"
        | "httpx.head"
        | "httpx.patch"
        | "urllib.request.urlopen"
        | "urllib.request.Request"
        | "urllib.request.urlretrieve"
        | "urllib3.request"
        | "urllib.urlopen"
        | "urllib2.urlopen" => sink(Ssrf, First("url"), Always),
        "requests.request" | "httpx.request" => sink(Ssrf, Any, Always),
        "fetch" | "node-fetch" | "axios" | "axios.get" | "axios.post" | "axios.put"
        | "axios.delete" | "axios.head" | "axios.patch" | "axios.request" | "got" | "got.get"
        | "got.post" | "http.get" | "http.request" | "https.get" | "https.request"
        | "needle.get" | "needle" | "superagent.get" | "undici.request" | "undici.fetch" => {
            sink(Ssrf, First(""), Always)
        }
        // Files.
        "open" | "io.open" | "codecs.open" | "os.remove" | "os.unlink" | "os.open" | "os.rmdir"
        | "os.makedirs" | "os.listdir" | "shutil.rmtree" | "pathlib.Path" | "tarfile.open"
        | "zipfile.ZipFile" => sink(PathTraversal, First("file"), Always),
        "fs.readFile"
        | "fs.readFileSync"
        | "fs.writeFile"
        | "fs.writeFileSync"
        | "fs.appendFile"
        | "fs.appendFileSync"
        | "fs.createReadStream"
        | "fs.createWriteStream"
        | "fs.unlink"
        | "fs.unlinkSync"
        | "fs.rm"
        | "fs.rmSync"
        | "fs.readdir"
        | "fs.readdirSync"
        | "fs.open"
        | "fs.openSync"
        | "fs.mkdir"
        | "fs.mkdirSync"
        | "fs.access"
        | "fs.stat"
        | "fs.statSync"
        | "fs.existsSync" => sink(PathTraversal, First(""), Always),
        // Both the source and the destination of a copy are paths.
        "shutil.copy" | "shutil.copy2" | "shutil.copyfile" | "shutil.move" | "os.rename"
        | "os.replace" | "fs.copyFile" | "fs.copyFileSync" | "fs.rename" | "fs.renameSync" => {
            sink(PathTraversal, Any, Always)
        }
        // Logs.
        "print" | "console.log" | "console.info" | "console.warn" | "console.error"
        | "console.debug" | "logging.info" | "logging.debug" | "logging.warning"
        | "logging.error" | "logging.critical" | "logging.exception" => sink(Log, Any, Always),
        _ => return None,
    };
    Some(s)
}

/// Sinks that are methods of objects a library returns (`sqlite3.connect().cursor().execute`).
pub fn method_sink(root: &str, method: &str) -> Option<Sink> {
    use ArgSel::First;
    use SinkKind::*;
    use When::*;
    const SQL_ROOTS: &[&str] = &[
        "sqlite3",
        "psycopg2",
        "psycopg",
        "pymysql",
        "MySQLdb",
        "mysql",
        "pg8000",
        "sqlalchemy",
        "aiomysql",
        "asyncpg",
        "aiosqlite",
        "pg",
        "mysql2",
        "knex",
        "sequelize",
        "sqlite",
        "better-sqlite3",
        "tedious",
        "mssql",
        "oracledb",
    ];
    const MONGO_ROOTS: &[&str] = &["pymongo", "mongodb", "mongoose", "motor"];
    let sql_method = matches!(
        method,
        "execute"
            | "executemany"
            | "executescript"
            | "query"
            | "raw"
            | "prepare"
            | "exec"
            | "run"
            | "all"
            | "get"
            | "fetch"
            | "fetchrow"
            | "fetchval"
            | "whereRaw"
            | "joinRaw"
            | "orderByRaw"
            | "havingRaw"
            | "selectRaw"
            | "unsafe"
    );
    if SQL_ROOTS.contains(&root) && sql_method {
        return Some(sink(Sql, First("sql"), Always));
    }
    if MONGO_ROOTS.contains(&root)
        && matches!(
            method,
            "find"
                | "find_one"
                | "findOne"
                | "delete_many"
                | "deleteMany"
                | "update_many"
                | "updateMany"
                | "count_documents"
                | "countDocuments"
                | "aggregate"
                | "where"
                | "$where"
                | "find_one_and_update"
                | "findOneAndUpdate"
        )
    {
        return Some(sink(NoSql, First("filter"), Always));
    }
    if matches!(
        root,
        "logging" | "logger" | "log" | "LOGGER" | "LOG" | "aws_lambda_powertools"
    ) && matches!(
        method,
        "info" | "debug" | "warning" | "warn" | "error" | "critical" | "exception" | "log"
    ) {
        return Some(sink(Log, ArgSel::Any, Always));
    }
    None
}

/// Methods whose receiver is unknown (a parameter, an object from elsewhere) but whose name
/// and use say enough: a SQL string built from data passed to `.execute`. Lower confidence.
pub fn guessed_method_sink(method: &str) -> Option<Sink> {
    use SinkKind::*;
    let kind = match method {
        "execute" | "executemany" | "executescript" | "query" | "raw" | "whereRaw" => Sql,
        "info" | "debug" | "warning" | "warn" | "error" | "critical" | "exception" => Log,
        _ => return None,
    };
    Some(Sink {
        kind,
        arg: if kind == Log {
            ArgSel::Any
        } else {
            ArgSel::First("")
        },
        when: When::Always,
        uncertain: true,
    })
}

/// What a call does to the taint of what it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clean {
    /// The result carries no attacker data (numeric casts, quoting, escaping, basename).
    Ends,
    /// The result was checked against a schema: still attacker data, but vetted.
    Weakens,
}

pub fn sanitizer(name: &str) -> Option<Clean> {
    Some(match name {
        "int"
        | "float"
        | "bool"
        | "len"
        | "decimal.Decimal"
        | "uuid.UUID"
        | "Number"
        | "parseInt"
        | "parseFloat"
        | "Boolean"
        | "Math.floor"
        | "Math.round"
        | "shlex.quote"
        | "pipes.quote"
        | "html.escape"
        | "markupsafe.escape"
        | "cgi.escape"
        | "bleach.clean"
        | "escape"
        | "os.path.basename"
        | "path.basename"
        | "encodeURIComponent"
        | "validator.escape"
        | "sqlstring.escape"
        | "mysql.escape"
        | "pg-format"
        | "shell-quote.quote"
        | "xss"
        | "dompurify.sanitize"
        | "DOMPurify.sanitize"
        | "sanitize-html"
        | "he.encode"
        | "hashlib.sha256"
        | "hashlib.md5"
        | "hashlib.sha1"
        | "isinstance"
        | "ipaddress.ip_address" => Clean::Ends,
        "jsonschema.validate"
        | "pydantic.parse_obj_as"
        | "pydantic.TypeAdapter"
        | "Joi.attempt"
        | "joi.attempt"
        | "validator.isURL" => Clean::Weakens,
        _ => return None,
    })
}

/// Methods that vet what they are given: `Model.model_validate(x)`, `schema.parse(x)`,
/// `schema.validate(x)`, `ajv.validate(schema, x)`.
pub fn validating_method(method: &str) -> bool {
    matches!(
        method,
        "model_validate"
            | "model_validate_json"
            | "parse_obj"
            | "parse_raw"
            | "validate_python"
            | "validate_json"
            | "validate"
            | "validateAsync"
            | "validateSync"
            | "parse"
            | "parseAsync"
            | "safeParse"
            | "safeParseAsync"
            | "attempt"
            | "assert"
            | "cast"
    )
}
