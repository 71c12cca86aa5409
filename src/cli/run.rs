//! `spikeforge run`: simulate a network described in a TOML file.
use super::common::emit;
use anyhow::{bail, Context};
use serde_json::{json, Value};
use spikeforge_model::network::config::NetworkConfig;
use spikeforge_model::network::{Arith, Monitor, MonitorId, Network, PopId, ProjId, Record};
use spikeforge_sim::netplot::{plot_histograms, Histogram};
use spikeforge_sim::plot::{plot_raster, plot_xy, PlotFormat, Series};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The config names populations (neurons of any model, or spike sources: poisson, regular, latency,
generator), projections (dense, one-to-one, sparse, file, list; weights, gain, delays in ticks,
plasticity = { rule = \"pair\" | \"triplet\" | \"rstdp\", ... }), monitors (spikes, state, weights,
rate, counts) and rewards. Tick order: deliver the previous tick's spikes, update every neuron, learn, emit.
The full format is documented in model/src/network/config.rs; unknown keys are errors.

  dt = 0.1
  duration = 1000
  [[population]]
  name = \"in\"
  size = 100
  encoder = \"poisson\"
  rate = 20.0
  [[population]]
  name = \"out\"
  size = 10
  model = \"lif\"
  tau_syn = 5.0
  [[projection]]
  from = \"in\"
  to = \"out\"
  connect = \"dense\"
  weight = { uniform = [0.0, 1.0] }
  gain = 10.0
  plasticity = { rule = \"pair\", preset = \"song2000\", params = { w_min = 0.0, w_max = 1.0 } }

Examples:
  spikeforge run --config net.toml
  spikeforge run --config net.toml --plot-raster raster.png --plot-weights weights.svg
  spikeforge run --config net.toml --fixed --duration 5000 --format json --out run.json")]
pub struct Args {
    /// The network (TOML).
    #[arg(long, short = 'c')]
    pub config: PathBuf,
    /// Duration in ms (default: the config's `duration`).
    #[arg(long, short = 'd', allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Run the fixed-point twins (also `fixed = true` in the config).
    #[arg(long)]
    pub fixed: bool,
    /// Worker threads (default: automatic; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output format: table (human) or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Spike raster of every population (PNG or SVG by extension).
    #[arg(long)]
    pub plot_raster: Option<PathBuf>,
    /// Histograms of the weights before and after the run (plastic projections, else all).
    #[arg(long)]
    pub plot_weights: Option<PathBuf>,
    /// Population rates over time.
    #[arg(long)]
    pub plot_rates: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    for p in [&a.plot_raster, &a.plot_weights, &a.plot_rates]
        .into_iter()
        .flatten()
    {
        PlotFormat::from_path(p)?;
    }
    if a.threads == Some(0) {
        bail!("--threads 0: at least one thread");
    }
    let cfg_name = a.config.display().to_string();
    let text = std::fs::read_to_string(&a.config).with_context(|| format!("reading {cfg_name}"))?;
    let cfg: NetworkConfig = toml::from_str(&text).with_context(|| format!("in {cfg_name}"))?;
    let base = a
        .config
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let mut load = |p: &str| -> Result<String, String> {
        let path = base.join(p);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let mut b = cfg
        .builder(&mut load)
        .with_context(|| format!("in {cfg_name}"))?;
    if let Some(t) = a.threads {
        b = b.threads(t);
    }
    let dt = cfg.dt_ms();
    let duration = a.duration.unwrap_or(cfg.duration_ms());
    if !(duration >= 0.0 && duration.is_finite()) || duration / dt > 1e10 {
        bail!("--duration {duration}: must be a non-negative number of ms (at most 1e10 ticks)");
    }
    let ticks = (duration / dt).round() as u64;
    let user_monitors = b.monitors.len();
    // counts of every population, and spikes for the raster
    let n_pops = b.pops.len();
    let count_mon: Vec<MonitorId> = (0..n_pops)
        .map(|p| b.monitor(Monitor::Counts { pop: PopId(p) }))
        .collect();
    let rate_mon: Vec<Option<MonitorId>> = (0..n_pops)
        .map(|p| {
            a.plot_rates
                .as_ref()
                .map(|_| b.monitor(Monitor::Rate { pop: PopId(p) }))
        })
        .collect();
    let mut raster_mon: Vec<Option<MonitorId>> = (0..n_pops)
        .map(|p| {
            b.monitors[..user_monitors]
                .iter()
                .position(|m| *m == Monitor::Spikes { pop: PopId(p) })
                .map(MonitorId)
        })
        .collect();
    if a.plot_raster.is_some() {
        for (p, m) in raster_mon.iter_mut().enumerate() {
            if m.is_none() {
                *m = Some(b.monitor(Monitor::Spikes { pop: PopId(p) }));
            }
        }
    }
    let arith = if a.fixed || cfg.fixed == Some(true) {
        Arith::Fixed
    } else {
        Arith::F64
    };
    let mut net = b.build(arith).with_context(|| format!("in {cfg_name}"))?;
    for (p, ev) in cfg.generator_spikes() {
        net.schedule_spikes(p, &ev)
            .with_context(|| format!("in {cfg_name}"))?;
    }
    let projs: Vec<ProjId> = (0..net.projections().len()).map(ProjId).collect();
    let w_before: Vec<Vec<f64>> = projs.iter().map(|j| net.weights(*j)).collect();

    let bar = indicatif::ProgressBar::with_draw_target(
        Some(ticks),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ticks ({eta})",
        )
        .expect("progress template"),
    );
    let t0 = Instant::now();
    net.run_with(ticks, &mut |done| bar.set_position(done));
    let wall = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();

    // summary
    let dur_s = ticks as f64 * dt / 1000.0;
    let mut pops = Vec::new();
    for (p, (name, n)) in net.populations().into_iter().enumerate() {
        let total: u64 = match net.record(count_mon[p]) {
            Record::Counts(c) => c.iter().sum(),
            _ => 0,
        };
        pops.push(json!({
            "name": name,
            "size": n,
            "kind": if net.is_input(PopId(p)) { "input" } else { "neurons" },
            "spikes": total,
            "rate_hz": if dur_s > 0.0 { total as f64 / n as f64 / dur_s } else { 0.0 },
        }));
    }
    let pop_names: Vec<String> = net.populations().into_iter().map(|p| p.0).collect();
    let mut proj_out = Vec::new();
    for (k, j) in projs.iter().enumerate() {
        let w = net.weights(*j);
        let (mean, lo, hi) = stats(&w);
        proj_out.push(json!({
            "name": net.projections()[k],
            "synapses": w.len(),
            "rule": net.rule_name(*j),
            "w_mean": mean,
            "w_min": lo,
            "w_max": hi,
            "w_mean_initial": stats(&w_before[k]).0,
        }));
    }
    let mut monitors = Vec::new();
    for (k, m) in net.monitors().iter().enumerate().take(user_monitors) {
        monitors.push(monitor_json(&net, MonitorId(k), m, &pop_names, dt));
    }
    let head = json!({
        "config": cfg_name,
        "arith": if arith == Arith::F64 { "f64" } else { "fixed" },
        "dt_ms": dt,
        "duration_ms": ticks as f64 * dt,
        "ticks": ticks,
        "threads": net.threads(),
        "wall_s": wall,
        "populations": pops,
        "projections": proj_out,
        "monitors": monitors,
    });

    // plots
    if let Some(p) = &a.plot_raster {
        let mut spikes = Vec::new();
        let mut offset = 0u32;
        let mut parts = Vec::new();
        for (k, (name, n)) in net.populations().into_iter().enumerate() {
            if let Some(m) = raster_mon[k] {
                let r = net.spikes(m);
                spikes.extend(
                    r.ticks
                        .iter()
                        .zip(&r.neurons)
                        .map(|(t, i)| (*t as f64 * dt, i + offset)),
                );
            }
            parts.push(format!("{name} {}-{}", offset, offset + n as u32 - 1));
            offset += n as u32;
        }
        plot_raster(
            p,
            &format!("spike raster ({})", parts.join(", ")),
            &spikes,
            offset,
            "time (ms)",
        )
        .with_context(|| format!("plotting {}", p.display()))?;
    }
    if let Some(p) = &a.plot_weights {
        let plastic: Vec<usize> = (0..projs.len())
            .filter(|k| net.rule_name(projs[*k]).is_some())
            .collect();
        let chosen: Vec<usize> = if plastic.is_empty() {
            (0..projs.len()).collect()
        } else {
            plastic
        };
        let mut hists = Vec::new();
        for k in chosen {
            let after = net.weights(projs[k]);
            let all = w_before[k].iter().chain(&after);
            let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), w| {
                (a.min(*w), b.max(*w))
            });
            let name = &net.projections()[k];
            hists.push(Histogram::of(
                format!("{name} initial"),
                &w_before[k],
                lo,
                hi,
                50,
            ));
            hists.push(Histogram::of(format!("{name} final"), &after, lo, hi, 50));
        }
        plot_histograms(p, "synaptic weights", &hists, "weight", "synapses")
            .with_context(|| format!("plotting {}", p.display()))?;
    }
    if let Some(p) = &a.plot_rates {
        let bin = ((ticks / 200).max(1)) as usize;
        let mut series = Vec::new();
        for (k, (name, n)) in net.populations().into_iter().enumerate() {
            if let Some(Record::Rate(r)) = rate_mon[k].map(|m| net.record(m)) {
                let (mut x, mut y) = (Vec::new(), Vec::new());
                for (c, chunk) in r.counts.chunks(bin).enumerate() {
                    let s: u64 = chunk.iter().map(|v| *v as u64).sum();
                    x.push((r.first_tick as f64 + (c * bin) as f64) * dt);
                    y.push(s as f64 / n as f64 / (chunk.len() as f64 * dt / 1000.0));
                }
                series.push(Series::new(name, x, y));
            }
        }
        plot_xy(
            p,
            "population rates",
            &series,
            "time (ms)",
            "rate (Hz)",
            false,
        )
        .with_context(|| format!("plotting {}", p.display()))?;
    }

    let text = if a.format == "json" {
        serde_json::to_string_pretty(&head)? + "\n"
    } else {
        table(&head)
    };
    emit(a.out.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn stats(w: &[f64]) -> (f64, f64, f64) {
    if w.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    let lo = w.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    (mean, lo, hi)
}

fn monitor_json(net: &Network, id: MonitorId, m: &Monitor, pops: &[String], dt: f64) -> Value {
    match (m, net.record(id)) {
        (Monitor::Spikes { pop }, Record::Spikes(r)) => json!({
            "kind": "spikes",
            "population": pops[pop.0],
            "t_ms": r.ticks.iter().map(|t| *t as f64 * dt).collect::<Vec<_>>(),
            "neurons": r.neurons,
        }),
        (Monitor::State { pop, .. }, Record::State(r)) => json!({
            "kind": "state",
            "population": pops[pop.0],
            "var": r.var,
            "neurons": r.neurons,
            "t_ms": r.ticks.iter().map(|t| *t as f64 * dt).collect::<Vec<_>>(),
            "values": r.values,
        }),
        (Monitor::Weights { proj, .. }, Record::Weights(r)) => {
            let syn = net.synapses(*proj);
            json!({
                "kind": "weights",
                "projection": net.projections()[proj.0],
                "sources": syn.iter().map(|s| s.0).collect::<Vec<_>>(),
                "targets": syn.iter().map(|s| s.1).collect::<Vec<_>>(),
                "t_ms": r.ticks.iter().map(|t| (*t + 1) as f64 * dt).collect::<Vec<_>>(),
                "weights": r.weights,
            })
        }
        (Monitor::Counts { pop }, Record::Counts(c)) => json!({
            "kind": "counts",
            "population": pops[pop.0],
            "counts": c,
        }),
        (Monitor::Rate { pop }, Record::Rate(r)) => json!({
            "kind": "rate",
            "population": pops[pop.0],
            "first_t_ms": r.first_tick as f64 * dt,
            "counts": r.counts,
        }),
        _ => Value::Null,
    }
}

fn table(j: &Value) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "network {} ({}): {} ms = {} ticks of {} ms, {} thread(s), {:.3} s",
        j["config"].as_str().unwrap_or(""),
        j["arith"].as_str().unwrap_or(""),
        j["duration_ms"],
        j["ticks"],
        j["dt_ms"],
        j["threads"],
        j["wall_s"].as_f64().unwrap_or(0.0)
    );
    let _ = writeln!(
        s,
        "\n{:<20} {:>8} {:>8} {:>10} {:>10}",
        "population", "kind", "size", "spikes", "rate (Hz)"
    );
    for p in j["populations"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<20} {:>8} {:>8} {:>10} {:>10.3}",
            p["name"].as_str().unwrap_or(""),
            p["kind"].as_str().unwrap_or(""),
            p["size"].as_u64().unwrap_or(0),
            p["spikes"].as_u64().unwrap_or(0),
            p["rate_hz"].as_f64().unwrap_or(0.0)
        );
    }
    let projs = j["projections"].as_array().cloned().unwrap_or_default();
    if !projs.is_empty() {
        let _ = writeln!(
            s,
            "\n{:<20} {:>10} {:>8} {:>12} {:>12} {:>12} {:>12}",
            "projection", "synapses", "rule", "w initial", "w mean", "w min", "w max"
        );
        for p in projs {
            let _ = writeln!(
                s,
                "{:<20} {:>10} {:>8} {:>12.5} {:>12.5} {:>12.5} {:>12.5}",
                p["name"].as_str().unwrap_or(""),
                p["synapses"].as_u64().unwrap_or(0),
                p["rule"].as_str().unwrap_or("-"),
                p["w_mean_initial"].as_f64().unwrap_or(0.0),
                p["w_mean"].as_f64().unwrap_or(0.0),
                p["w_min"].as_f64().unwrap_or(0.0),
                p["w_max"].as_f64().unwrap_or(0.0)
            );
        }
    }
    let mons = j["monitors"].as_array().map_or(0, |m| m.len());
    if mons > 0 {
        let _ = writeln!(
            s,
            "\n{mons} monitor(s) recorded (--format json prints them)"
        );
    }
    s
}
