//! The `spikeforge` command line. Exit codes: 0 success, 1 a verification found a mismatch, 2 bad
//! input (or a missing tool), with a message naming the problem.
use clap::Parser;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
