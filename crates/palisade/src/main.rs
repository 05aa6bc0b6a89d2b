//! The `palisade` command: argument parsing, configuration, progress and exit codes. The work
//! itself happens in the engine; the output in the reporters.
//!
//! Exit codes: 0 no finding at or above `--fail-on`; 1 findings at or above it; 2 a usage
//! error, or input that could not be read.

mod apps;
mod args;
mod config;
mod db_cmd;
mod detect_cmd;
mod explain_cmd;
mod least_privilege_cmd;
mod progress;
mod rules_cmd;
mod scan_cmd;
mod timeouts_cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let outcome = match cli.command {
        args::Command::Scan(a) => scan_cmd::run(&a),
        args::Command::Rules(a) => rules_cmd::run(&a),
        args::Command::Deps(a) => scan_cmd::run_deps(&a),
        args::Command::Timeouts(a) => timeouts_cmd::run(&a),
        args::Command::Detect(a) => detect_cmd::run(&a),
        args::Command::Db(a) => match a.command {
            args::DbCommand::Import(a) => db_cmd::import(&a),
            args::DbCommand::Info(a) => db_cmd::info(&a),
        },
        args::Command::Iam(a) => match a.command {
            args::IamCommand::Scan(a) => scan_cmd::run_auth_details(&a),
            args::IamCommand::Explain(a) => explain_cmd::run(&a),
            args::IamCommand::LeastPrivilege(a) => least_privilege_cmd::run(&a),
        },
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            anstream::eprintln!("palisade: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
