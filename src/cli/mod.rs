//! Subcommands of the CLI.
use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod analyze;
mod bifurcation;
mod common;
mod design;
mod fi;
mod generate;
mod hw;
mod plasticity;
mod quantize;
mod run;
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
    /// Phase plane of a 2-D model at one current: nullclines, fixed points, portrait.
    Analyze(analyze::Args),
    /// Scan a parameter for saddle-node and Hopf points; excitability class; diagram.
    Bifurcation(bifurcation::Args),
    /// Firing rate against current, swept up, down or both (hysteresis).
    Fi(fi::Args),
    /// Design a nullcline or hasler neuron from its nullclines and wanted class.
    Design(design::Args),
    /// Fixed twin vs f64 model over formats: onset shift, class, recommended format.
    Quantize(quantize::Args),
    /// Learning rules on one synapse: pairing protocol, STDP window, rate dependence (f64 and twin).
    Plasticity(plasticity::Args),
    /// Simulate a network from a TOML config (populations, projections, learning, monitors).
    Run(run::Args),
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Bifurcation(a) => bifurcation::run(a),
        Command::Fi(a) => fi::run(a),
        Command::Design(a) => design::run(a),
        Command::Quantize(a) => quantize::run(a),
        Command::Plasticity(a) => plasticity::run(a),
        Command::Run(a) => run::run(a),
    }
}
