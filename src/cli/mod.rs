//! Subcommands of the CLI.
use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod common;
mod generate;
mod hw;
mod simulate;
mod verify;

/// spikeforge: spiking-neuron models to verified FPGA circuits.
#[derive(Debug, Parser)]
#[command(name = "spikeforge", version, about, long_about = None, after_help = "\
Examples:
  spikeforge simulate --model izhikevich --preset ch --duration 200 --plot ch.png
  spikeforge simulate --model lif --stimulus 'step(10,25)' --fixed Q8.8 --format json
  spikeforge generate --model izhikevich --neurons 64 --fixed Q8.12 --out rtl/
  spikeforge verify --model lif --neurons 16 --fixed Q8.8 --steps 2000

Exit codes: 0 success, 1 verification mismatch, 2 bad input or missing tool.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate one neuron (f64 model, or the fixed-point twin with --fixed).
    Simulate(simulate::Args),
    /// Generate Verilog for a time-multiplexed neuron core, with a manifest and a FuseSoC .core.
    Generate(generate::Args),
    /// Co-simulate a core in Verilator or Icarus against the fixed-point twin, bit for bit.
    Verify(verify::Args),
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Verify(a) => verify::run(a),
    }
}
