//! `spikeforge verify`.
use super::generate::files as core_files;
use super::hw::CoreArgs;
use anyhow::{bail, Context};
use serde_json::json;
use spikeforge_model::{FixedNeuron, Stimulus};
use spikeforge_sim::cosim::{self, CoreSpec, CosimOptions, Simulator};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Generates the core (or takes the Verilog in --rtl DIR), drives it with seeded random input (typical
values, full-range values and the format's extremes, with random stalls on both handshakes), and
compares every state word and every spike with the fixed-point twin, every step.
Exit 0 when bit-exact; 1 with the first mismatch (step, neuron, signal, expected, got); 2 on bad
input or a missing simulator.

Examples:
  spikeforge verify --model lif --neurons 16 --fixed Q8.8 --steps 2000
  spikeforge verify --model izhikevich --preset ch --neurons 8 --simulator icarus --plot v.png
  spikeforge generate --model lif --neurons 4 --out rtl/ && spikeforge verify --model lif --neurons 4 --rtl rtl/")]
pub struct Args {
    #[command(flatten)]
    pub core: CoreArgs,
    /// Time steps (ticks) to simulate; every neuron is updated once per step.
    #[arg(long, default_value_t = 1000)]
    pub steps: usize,
    /// Seed of the random stimulus.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulator: verilator or icarus.
    #[arg(long, default_value = "verilator")]
    pub simulator: String,
    /// Verify the Verilog in this folder instead of generating it.
    #[arg(long)]
    pub rtl: Option<PathBuf>,
    /// Write the simulation's VCD here (and print the window around a mismatch); the twin's trace of
    /// neuron 0 goes beside it as <stem>_model.vcd (one step per dt) to open side by side.
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// Plot RTL and model membrane of neuron 0 overlaid (PNG or SVG); a raster of the RTL's address
    /// events goes beside it as <stem>_raster.<ext>.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Throughput mode: a Verilator C++ harness folds every update into a digest compared with the
    /// twin's (no stalls, no 4M-update limit); on a difference the text mode locates it.
    #[arg(long, conflicts_with_all = ["vcd", "plot", "rtl"])]
    pub fast: bool,
    /// Drive without stalls (in_valid and spk_ready always high).
    #[arg(long)]
    pub no_stalls: bool,
    /// Keep the testbench, build and logs in this folder.
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// Also write the JSON report to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Output: table or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
}

fn verilog_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        bail!("--rtl {}: not a folder", dir.display());
    }
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "v" || x == "sv"))
        .collect();
    v.sort();
    Ok(v)
}

fn declared_modules(files: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        if let Ok(t) = std::fs::read_to_string(f) {
            for line in t.lines() {
                let l = line.trim_start();
                if let Some(rest) = l.strip_prefix("module ") {
                    let name: String = rest
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                        .collect();
                    out.push(name);
                }
            }
        }
    }
    out
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let c = a.core.resolve()?;
    let simulator: Simulator = a.simulator.parse().map_err(anyhow::Error::msg)?;
    if let Some(p) = &a.plot {
        spikeforge_sim::plot::PlotFormat::from_path(p)?;
    }
    if a.steps == 0 {
        bail!("--steps 0: nothing to verify");
    }
    let total = a.steps.saturating_mul(c.neurons);
    if a.fast {
        return run_fast(&a, &c, total);
    }
    if total > 4_194_304 {
        bail!(
            "--steps {} x --neurons {} = {total} updates: at most 4194304 per run",
            a.steps,
            c.neurons
        );
    }
    cosim::check_simulator(simulator)?;
    let tmp = tempfile::tempdir().context("creating a temporary folder")?;
    let (top, rtl) = match &a.rtl {
        Some(dir) => {
            let top = if c.runtime_params {
                format!(
                    "{}_rt_n{}",
                    spikeforge_hdl::cores::datapath_name(&c.twin),
                    c.neurons
                )
            } else {
                spikeforge_hdl::cores::core_name(&c.twin, c.neurons)
            };
            let files = verilog_files(dir)?;
            let mods = declared_modules(&files);
            if !mods.contains(&top) {
                bail!(
                    "--rtl {}: no module {top} in its Verilog files (found: {})",
                    dir.display(),
                    if mods.is_empty() {
                        "none".to_string()
                    } else {
                        mods.join(", ")
                    }
                );
            }
            (top, files)
        }
        None => write_generated(&c, &tmp.path().join("rtl"))?,
    };
    let mut spec = CoreSpec::of(&c.twin, &top, c.neurons);
    if c.runtime_params {
        spec.cfg = Some(cfg_port(&c.twin, &rtl, &top)?);
    }
    let inputs = random_inputs(&a, &c)?;
    let workdir = a.workdir.clone().unwrap_or_else(|| tmp.path().join("work"));
    let opts = CosimOptions {
        simulator,
        workdir,
        stalls: !a.no_stalls,
        vcd: a.vcd.clone(),
    };
    let init = vec![c.twin.initial_state(); c.neurons];
    let report = cosim::cosimulate(&spec, &rtl, &c.twin, &init, &inputs, &opts)?;
    let mut j = json!(report);
    if let Some(o) = j.as_object_mut() {
        o.remove("rtl_membrane0");
        o.remove("model_membrane0");
        o.remove("rtl_spikes");
        o.insert("top".into(), json!(top));
        o.insert("bit_exact".into(), json!(report.mismatch.is_none()));
        o.insert("seed".into(), json!(a.seed));
    }
    if emit_report(&a, &j)? {
        println!(
            "{top}: {} neurons x {} steps = {} updates in {} ({} address events)",
            c.neurons, a.steps, report.updates, simulator, report.spikes
        );
        println!(
            "build {:.2} s, run {:.2} s ({:.3e} updates/s)",
            report.build_seconds,
            report.run_seconds,
            report.updates as f64 / report.run_seconds.max(1e-9)
        );
        let corners: Vec<String> = report
            .corners
            .iter()
            .map(|k| format!("{} min {} max {}", k.word, k.at_min, k.at_max))
            .collect();
        println!(
            "saturation corners reached (updates): {}",
            corners.join("; ")
        );
    }
    if let Some(p) = &a.plot {
        plot(p, &c, &report)?;
    }
    if let Some(v) = &a.vcd {
        write_model_vcd(v, &c, &init, &inputs)?;
    }
    match &report.mismatch {
        None => {
            if a.format != "json" {
                println!("BIT-EXACT: every state word and spike equals the fixed-point twin");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(m) => {
            eprintln!("MISMATCH: {m}");
            if let Some(v) = &a.vcd {
                match cosim::vcd_window(v, &spec, m.time_ns, 5) {
                    Ok(w) => {
                        eprintln!("VCD window around {} ns ({}):\n{w}", m.time_ns, v.display())
                    }
                    Err(e) => eprintln!("(could not read the VCD window: {e})"),
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn plot(path: &Path, c: &super::hw::Core, r: &cosim::CosimReport) -> anyhow::Result<()> {
    use spikeforge_sim::plot::{plot_raster, plot_traces, Series, SpikeMarks};
    let fmt = c.twin.state_words()[0].fmt;
    let t: Vec<f64> = (0..r.rtl_membrane0.len())
        .map(|k| k as f64 * c.dt)
        .collect();
    let real = |v: &[i64]| {
        v.iter()
            .map(|x| fmt.to_f64(*x as i128))
            .collect::<Vec<f64>>()
    };
    let series = vec![
        Series {
            label: "RTL (neuron 0)".into(),
            x: t.clone(),
            y: real(&r.rtl_membrane0),
        },
        Series {
            label: "fixed-point twin".into(),
            x: t,
            y: real(&r.model_membrane0),
        },
    ];
    let s0: Vec<f64> = r
        .rtl_spikes
        .iter()
        .filter(|(_, n)| *n == 0)
        .map(|(s, _)| *s as f64 * c.dt)
        .collect();
    let marks = vec![SpikeMarks {
        label: "RTL spikes".into(),
        times: s0,
    }];
    let name = c.twin.state_words()[0].name;
    plot_traces(
        path,
        &format!("{}: RTL vs model", c.twin.ident()),
        &series,
        &marks,
        "time (ms)",
        &format!("{name} ({fmt})"),
    )?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let raster = path.with_file_name(format!("{stem}_raster.{ext}"));
    let ev: Vec<(f64, u32)> = r
        .rtl_spikes
        .iter()
        .map(|(s, n)| (*s as f64 * c.dt, *n as u32))
        .collect();
    plot_raster(
        &raster,
        &format!("{}: address events", c.twin.ident()),
        &ev,
        c.neurons as u32,
        "time (ms)",
    )?;
    Ok(())
}

fn run_fast(a: &Args, c: &super::hw::Core, total: usize) -> anyhow::Result<ExitCode> {
    use spikeforge_sim::fast;
    if a.simulator != "verilator" {
        bail!(
            "--fast runs in Verilator only (got --simulator {})",
            a.simulator
        );
    }
    if total > 200_000_000 {
        bail!(
            "--steps {} x --neurons {} = {total} updates: at most 2e8 in --fast mode",
            a.steps,
            c.neurons
        );
    }
    cosim::check_simulator(Simulator::Verilator)?;
    let tmp = tempfile::tempdir().context("creating a temporary folder")?;
    let (top, rtl) = write_generated(c, &tmp.path().join("rtl"))?;
    let spec = CoreSpec::of(&c.twin, &top, c.neurons);
    let inputs = random_inputs(a, c)?;
    let workdir = a.workdir.clone().unwrap_or_else(|| tmp.path().join("work"));
    let built = fast::build(&spec, &rtl, &workdir)?;
    let init = vec![c.twin.initial_state(); c.neurons];
    let v = fast::verify_or_locate(&built, &spec, &c.twin, &init, &inputs)?;
    let f = &v.fast;
    let j = json!({
        "top": top, "simulator": "verilator", "mode": "fast", "neurons": c.neurons, "steps": a.steps,
        "updates": f.updates, "spikes": f.spikes, "bit_exact": v.mismatch.is_none() && f.bit_exact,
        "mismatch": v.mismatch, "build_seconds": f.build_seconds, "sim_seconds": f.sim_seconds,
        "wall_seconds": f.wall_seconds, "seed": a.seed,
    });
    if emit_report(a, &j)? {
        println!(
            "{top}: {} neurons x {} steps = {} updates in verilator, fast mode ({} address events)",
            c.neurons, a.steps, f.updates, f.spikes
        );
        println!(
            "build {:.2} s, simulation {:.2} s ({:.3e} updates/s), end to end {:.2} s",
            f.build_seconds,
            f.sim_seconds,
            f.updates as f64 / f.sim_seconds.max(1e-9),
            f.wall_seconds
        );
    }
    match (&v.mismatch, f.bit_exact) {
        (None, true) => {
            if a.format != "json" {
                println!("BIT-EXACT: the digest of every state word and spike equals the fixed-point twin's");
            }
            Ok(ExitCode::SUCCESS)
        }
        (Some(m), _) => {
            eprintln!("MISMATCH: {m}");
            Ok(ExitCode::from(1))
        }
        (None, false) => {
            eprintln!(
                "MISMATCH: the digests differ but the text mode found no difference in its window"
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// The cfg port of a run-time-parameter core, read from the manifest beside the Verilog when there
/// is one, else from a fresh generation (no writes: the reset values are the generated parameters).
fn cfg_port(
    twin: &spikeforge_model::FixedModel,
    rtl: &[PathBuf],
    top: &str,
) -> anyhow::Result<cosim::CfgPort> {
    let opts = spikeforge_hdl::cores::CoreOptions {
        runtime_params: true,
        ..spikeforge_hdl::cores::CoreOptions::new(1)
    };
    let g = spikeforge_hdl::cores::core(twin, &opts)?;
    let width = |name: &str| g.ports.iter().find(|p| p.name == name).map(|p| p.width);
    match (width("cfg_addr"), width("cfg_data")) {
        (Some(addr_width), Some(data_width)) => Ok(cosim::CfgPort {
            addr_width,
            data_width,
            writes: Vec::new(),
        }),
        _ => bail!(
            "{top}: the model has no run-time parameters (files: {})",
            rtl.len()
        ),
    }
}

/// Write `--report` and print the JSON when asked; returns whether the table is still to be printed.
fn emit_report(a: &Args, j: &serde_json::Value) -> anyhow::Result<bool> {
    let json_text = serde_json::to_string_pretty(j)? + "\n";
    if let Some(p) = &a.report {
        super::common::write_atomic(p, json_text.as_bytes())?;
    }
    if a.format == "json" {
        print!("{json_text}");
        return Ok(false);
    }
    Ok(true)
}

/// Generate the core's Verilog into `dir`; the top module and the file paths.
fn write_generated(c: &super::hw::Core, dir: &Path) -> anyhow::Result<(String, Vec<PathBuf>)> {
    let (top, files) = core_files(c)?;
    std::fs::create_dir_all(dir)?;
    let mut paths = Vec::new();
    for (n, t) in files.iter().filter(|(n, _)| n.ends_with(".v")) {
        let p = dir.join(n);
        std::fs::write(&p, t)?;
        paths.push(p);
    }
    Ok((top, paths))
}

/// The seeded random input of `--steps` ticks around the model's standard input.
fn random_inputs(a: &Args, c: &super::hw::Core) -> anyhow::Result<Vec<i64>> {
    let standard: Stimulus = c.spec.default_stimulus().parse()?;
    let typical = cosim::typical_range(standard.at(1e4));
    Ok(cosim::random_inputs(
        c.twin.input_format(),
        typical,
        c.neurons,
        a.steps,
        a.seed,
    ))
}

/// The fixed twin's trace of neuron 0 as a VCD (state words and spike, one step per `dt`).
fn write_model_vcd(
    rtl_vcd: &Path,
    c: &super::hw::Core,
    init: &[[i64; spikeforge_model::neuron::MAX_STATE]],
    inputs: &[i64],
) -> anyhow::Result<()> {
    use spikeforge_sim::vcdio::{write_trace_vcd, VcdSignal};
    let words = c.twin.state_words();
    let mut x = init[0];
    let mut cols: Vec<Vec<i64>> = vec![Vec::new(); words.len() + 2];
    for k in (0..inputs.len()).step_by(c.neurons) {
        let fired = c.twin.step(&mut x, inputs[k]);
        cols[0].push(inputs[k]);
        for (i, col) in cols.iter_mut().skip(1).take(words.len()).enumerate() {
            col.push(x[i]);
        }
        cols[words.len() + 1].push(i64::from(fired));
    }
    let mut signals = vec![VcdSignal::new(
        "in_data",
        c.twin.input_format().width(),
        std::mem::take(&mut cols[0]),
    )];
    for (i, w) in words.iter().enumerate() {
        signals.push(VcdSignal::new(
            w.name,
            w.fmt.width(),
            std::mem::take(&mut cols[i + 1]),
        ));
    }
    signals.push(VcdSignal::new(
        "spike",
        1,
        std::mem::take(&mut cols[words.len() + 1]),
    ));
    let stem = rtl_vcd
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let path = rtl_vcd.with_file_name(format!("{stem}_model.vcd"));
    let step_ns = ((c.dt * 1e6).round() as u64).max(1);
    let n = inputs.len() / c.neurons;
    write_trace_vcd(&path, "twin_neuron0", step_ns, &signals, n)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
