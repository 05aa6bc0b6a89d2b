//! Command-line arguments, as the user writes them. They are resolved into validated settings
//! (with the config file) before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "palisade",
    version,
    about = "Secure your side of the serverless shared responsibility model",
    long_about = "Palisade checks what the application owner is responsible for in a serverless \
                  application: function configuration, IAM roles and policies, triggers and the \
                  resources around them. It reads SAM and CloudFormation templates, never runs \
                  what it scans, and works offline."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Find every serverless app under PATH and report its security findings.
    Scan(ScanArgs),
    /// List the rules, or explain one (`palisade rules PAL105`).
    Rules(RulesArgs),
    /// Analyse IAM outside templates: an account's authorization details, or one policy.
    Iam(IamArgs),
    /// What every function and layer ships: known-vulnerable and malicious packages and
    /// supply-chain risks (the PAL4xx rules of `scan`); `--format cyclonedx` writes an SBOM.
    Deps(ScanArgs),
    /// The offline advisory database: import OSV advisories, show what it holds.
    Db(DbArgs),
    /// Per function, from its Lambda logs: invocations, duration percentiles, timeouts and
    /// memory used, and the timeout and memory they call for.
    Timeouts(TimeoutsArgs),
    /// Attack indicators in CloudTrail, Lambda function logs and API Gateway access logs:
    /// Sigma rules (SigmaHQ's CloudTrail rules bundled), Palisade's serverless detections
    /// (PAL5xx) and baselines of what each role normally does (`--learn`).
    Detect(DetectArgs),
}

#[derive(Args, Debug)]
pub struct DetectArgs {
    /// Log files or folders (walked; gzipped files are read as they are).
    #[arg(required_unless_present = "baseline_info")]
    pub logs: Vec<PathBuf>,

    /// A folder of Sigma rules to load besides the bundled ones; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,

    /// Do not load the bundled Sigma rules (SigmaHQ's and Palisade's): only `--rules`.
    #[arg(long)]
    pub no_bundled_rules: bool,

    /// Values for a Sigma placeholder (`%NAME%`), comma-separated; repeatable. A rule with a
    /// placeholder without values is not loaded.
    #[arg(long = "placeholder", value_name = "NAME=VALUE,…", value_parser = name_value)]
    pub placeholders: Vec<(String, String)>,

    /// A template or folder: name each detection's function resource and its line.
    #[arg(long, value_name = "PATH")]
    pub app: Option<PathBuf>,

    /// Output format (`jsonl` streams one finding per line as it is found).
    #[arg(long, short, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding is at or above this severity [default: low].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Configuration file [default: palisade.toml in the current folder, if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Learn these logs into the baseline instead of reporting against it.
    #[arg(long)]
    pub learn: bool,

    /// The baseline file [default: $PALISADE_BASELINE, else
    /// $XDG_DATA_HOME/palisade/baseline.redb, else ~/.local/share/palisade/baseline.redb].
    #[arg(long, value_name = "FILE")]
    pub baseline_store: Option<PathBuf>,

    /// Do not compare with the baseline.
    #[arg(long)]
    pub no_baseline: bool,

    /// With `--learn`: learn only events at or after this time (ISO 8601, e.g. 2024-05-01 or
    /// 2024-05-01T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub learn_from: Option<String>,

    /// With `--learn`: learn only events before this time.
    #[arg(long, value_name = "TIME")]
    pub learn_until: Option<String>,

    /// Show what the baseline holds (principals, APIs, training window) and exit.
    #[arg(long)]
    pub baseline_info: bool,

    /// The AWS account ASFF findings are imported into [default: the first of `accounts` in
    /// palisade.toml].
    #[arg(long, value_name = "ID")]
    pub aws_account: Option<String>,

    /// The region of ASFF findings [default: $AWS_REGION, else us-east-1].
    #[arg(long, value_name = "REGION")]
    pub aws_region: Option<String>,

    /// Report only these rules (codes or Sigma ids, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Do not report these rules (codes or Sigma ids, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub disable: Vec<String>,

    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// When to colour the pretty output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Args, Debug)]
pub struct TimeoutsArgs {
    /// Log files or folders: CloudWatch Logs subscription payloads, `aws logs
    /// filter-log-events` output, or text exports (gzipped or not).
    #[arg(required = true)]
    pub logs: Vec<PathBuf>,

    /// The function that text exports without a log group belong to [default: the folder
    /// after `aws/lambda/` in the path, else the file's folder].
    #[arg(long, value_name = "NAME")]
    pub function: Option<String>,

    /// A template or folder: show each function's configured timeout and memory beside the
    /// recommendation, and cap the timeout at what its trigger allows.
    #[arg(long, value_name = "PATH")]
    pub app: Option<PathBuf>,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ExplainFormat::Pretty)]
    pub format: ExplainFormat,
}

#[derive(Args, Debug)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Import OSV advisories: an OSV zip export (`all.zip`), a folder of OSV JSON files (a
    /// clone of an advisory repository), a JSON Lines file, or one JSON file. Importing the
    /// same source again replaces its records.
    Import(DbImportArgs),
    /// Show the database's location, sources, counts and age.
    Info(DbInfoArgs),
}

#[derive(Args, Debug)]
pub struct DbImportArgs {
    /// Files or folders to import.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub db: DbLocation,
}

#[derive(Args, Debug)]
pub struct DbInfoArgs {
    #[command(flatten)]
    pub db: DbLocation,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ExplainFormat::Pretty)]
    pub format: ExplainFormat,
}

/// Where the advisory database is.
#[derive(Args, Debug, Default, Clone)]
pub struct DbLocation {
    /// The advisory database file [default: $PALISADE_DB, else
    /// $XDG_DATA_HOME/palisade/advisories.redb, else ~/.local/share/palisade/advisories.redb].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Pretty,
    Json,
    Sarif,
    Junit,
    /// A CycloneDX 1.5 JSON SBOM of what every function and layer ships.
    Cyclonedx,
    /// One JSON finding per line, written as findings are made.
    Jsonl,
    /// AWS Security Finding Format, for Security Hub's `BatchImportFindings`.
    Asff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings (exit 0 unless input could not be read).
    Never,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Folder or template to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub inputs: InputArgs,
}

/// Values for the variables of Serverless Framework and Terraform projects.
#[derive(Args, Debug, Default)]
pub struct InputArgs {
    /// Resolve Serverless Framework `${env:NAME}` variables from this process's environment.
    /// Off by default, so that scanning an untrusted change never copies CI secrets into a
    /// report.
    #[arg(long)]
    pub resolve_env: bool,

    /// A Serverless Framework CLI option for `${opt:NAME}`, as NAME=VALUE (e.g.
    /// `--opt stage=prod`); repeatable.
    #[arg(long = "opt", value_name = "NAME=VALUE", value_parser = name_value)]
    pub opts: Vec<(String, String)>,

    /// A Terraform input variable, as NAME=VALUE (like `terraform plan -var`); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = name_value)]
    pub vars: Vec<(String, String)>,

    /// A Terraform variables file read after `terraform.tfvars` and `*.auto.tfvars`;
    /// repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct IamArgs {
    #[command(subcommand)]
    pub command: IamCommand,
}

#[derive(Subcommand, Debug)]
pub enum IamCommand {
    /// Report the IAM risks of an account's roles, users, groups and customer managed policies,
    /// from the output of `aws iam get-account-authorization-details`.
    Scan(IamScanArgs),
    /// List every action a policy document grants, by service and access level, with its
    /// risks.
    Explain(ExplainArgs),
    /// Per function: what its role grants against what its code calls, and a policy that
    /// grants only that, as JSON and as a snippet for the template's format.
    LeastPrivilege(LeastPrivilegeArgs),
}

#[derive(Args, Debug)]
pub struct LeastPrivilegeArgs {
    /// Folder or template to read.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ExplainFormat::Pretty)]
    pub format: ExplainFormat,

    /// Only this function (logical id).
    #[arg(long, value_name = "ID")]
    pub function: Option<String>,

    /// Skip paths matching this glob (relative to PATH); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// When to colour the pretty output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Args, Debug)]
pub struct IamScanArgs {
    /// The JSON written by `aws iam get-account-authorization-details > FILE`.
    #[arg(long, value_name = "FILE")]
    pub auth_details: PathBuf,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Pretty,
    Json,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A policy document (JSON or YAML); `-` reads standard input.
    pub file: PathBuf,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ExplainFormat::Pretty)]
    pub format: ExplainFormat,

    /// List every action, not only a count per access level for services with many.
    #[arg(long)]
    pub all: bool,

    /// When to colour the pretty output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Options of every command that reports findings.
#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding is at or above this severity [default: low, or `fail-on` in
    /// palisade.toml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the current findings as a baseline file (and still report them).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Configuration file [default: palisade.toml in the scanned folder, if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Skip paths matching this glob (relative to PATH); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Run only these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Do not run these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub disable: Vec<String>,

    /// Judge dates (runtime deprecation) as of this day, YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,

    /// When to colour the pretty output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,

    /// Leave handler code alone: check templates and IAM only.
    #[arg(long)]
    pub no_code: bool,

    /// Do not read the functions' manifests and lock files.
    #[arg(long)]
    pub no_deps: bool,

    #[command(flatten)]
    pub db: DbLocation,

    /// Warn when the advisory database's newest record is older than this many days (0:
    /// never).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub db_max_age: u32,

    /// Print what each function and layer ships before the findings (set by `deps`).
    #[arg(skip)]
    pub inventory: bool,
}

fn name_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Pretty,
    Json,
    /// The rule reference as Markdown (what `docs/rules.md` is generated from).
    Markdown,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// A rule code or name; without it, every rule is listed.
    pub rule: Option<String>,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = RulesFormat::Pretty)]
    pub format: RulesFormat,
}
