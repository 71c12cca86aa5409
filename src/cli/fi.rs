//! `spikeforge fi`: firing rate against input current, swept up, down or both ways.
use super::analyze::{check_dt, current_label, plot_context};
use super::common::{emit, ModelArgs};
use anyhow::{bail, Context};
use serde_json::json;
use spikeforge_model::analysis::fi::Direction;
use spikeforge_model::analysis::limit_cycle::CycleConfig;
use spikeforge_model::analysis::{fi_curve, grid, Sweep};
use spikeforge_model::Method;
use spikeforge_sim::phase::plot_fi;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Each current continues from the end state of the previous one (no reset in between): the state
settles for --settle ms, then the spikes in the next --measure ms give the rate (n - 1)/(t_last -
t_first) (0 below two spikes). --sweep both runs up, then down from the up sweep's end state, so
that bistability shows as hysteresis (e.g. FitzHugh-Nagumo near its subcritical Hopf point).
Works for every model. The f64 model is integrated with --method (default rk4; euler and exact as
for simulate).

JSON: [{\"I\":..,\"rate_hz\":..,\"direction\":\"up\"|\"down\"},..]; CSV: I,rate_hz,direction.

Examples:
  spikeforge fi --model fhn --from 0.3 --to 0.4 --steps 50 --sweep both --format json
  spikeforge fi --model morris-lecar --preset snlc --from 35 --to 60 --steps 50 --plot fi.png
  spikeforge fi --model izhikevich --preset rs --from 0 --to 20 --steps 40 --format csv")]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Lowest current.
    #[arg(long, allow_negative_numbers = true)]
    pub from: f64,
    /// Highest current (greater than --from).
    #[arg(long, allow_negative_numbers = true)]
    pub to: f64,
    /// Steps between them (steps + 1 currents).
    #[arg(long, default_value_t = 50)]
    pub steps: usize,
    /// Sweep direction: up, down or both.
    #[arg(long, default_value = "up", value_parser = ["up", "down", "both"])]
    pub sweep: String,
    /// Transient discarded at each current (ms).
    #[arg(long, default_value_t = 1000.0, allow_negative_numbers = true)]
    pub settle: f64,
    /// Measured time at each current (ms).
    #[arg(long, default_value_t = 2000.0, allow_negative_numbers = true)]
    pub measure: f64,
    /// Time step in ms (default: the model's).
    #[arg(long, allow_negative_numbers = true)]
    pub dt: Option<f64>,
    /// Integration method: euler, rk4 or exact (default: rk4; euler for discrete models, exact
    /// for lif).
    #[arg(long)]
    pub method: Option<String>,
    /// Output format: table (human), csv or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "csv", "json"])]
    pub format: String,
    /// Write the f-I curve (PNG or SVG by extension).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let spec = a.model.spec()?;
    if a.steps == 0 {
        bail!("--steps 0: the sweep needs at least one step");
    }
    if a.steps > 1_000_000 {
        bail!("--steps {}: at most 1000000", a.steps);
    }
    if !(a.from.is_finite() && a.to.is_finite()) || a.to <= a.from {
        bail!(
            "--from {} --to {}: empty current range (the range has no points; --to must be \
             greater than --from)",
            a.from,
            a.to
        );
    }
    if !(a.settle >= 0.0 && a.measure > 0.0 && a.settle.is_finite() && a.measure.is_finite()) {
        bail!(
            "--settle {} --measure {}: need settle >= 0 and measure > 0 ms",
            a.settle,
            a.measure
        );
    }
    let mut cfg = CycleConfig::for_model(spec.info);
    cfg.dt = check_dt(a.dt.unwrap_or(cfg.dt))?;
    if let Some(m) = &a.method {
        cfg.method = m.parse::<Method>().map_err(anyhow::Error::msg)?;
    }
    spec.check_method(cfg.method)?;
    if (a.settle + a.measure) / cfg.dt * (a.steps as f64 + 1.0) > 2e10 {
        bail!("the sweep is too long: reduce --steps, --settle or --measure, or raise --dt");
    }
    cfg.settle_ms = a.settle;
    cfg.measure_ms = a.measure;
    let sweep: Sweep = a.sweep.parse().map_err(anyhow::Error::msg)?;
    let n = spec.neuron()?;
    let currents = grid(a.from, a.to, a.steps);
    let pts = fi_curve(n.as_ref(), &currents, sweep, &cfg);
    let dir = |d: Direction| match d {
        Direction::Up => "up",
        Direction::Down => "down",
    };
    let text = match a.format.as_str() {
        "json" => {
            let v: Vec<_> = pts
                .iter()
                .map(|p| json!({"I": p.current, "rate_hz": p.rate_hz, "direction": dir(p.direction)}))
                .collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
        "csv" => {
            let mut s = String::from("I,rate_hz,direction\n");
            for p in &pts {
                let _ = writeln!(s, "{},{},{}", p.current, p.rate_hz, dir(p.direction));
            }
            s
        }
        _ => {
            let mut s = format!(
                "model {}{}: f-I, {} sweep\n{:>14} {:>12} {:>9}\n",
                spec.info.name,
                spec.preset
                    .as_deref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default(),
                a.sweep,
                current_label(&spec),
                "rate (Hz)",
                "direction"
            );
            for p in &pts {
                let _ = writeln!(
                    s,
                    "{:>14.6} {:>12.4} {:>9}",
                    p.current,
                    p.rate_hz,
                    dir(p.direction)
                );
            }
            s
        }
    };
    emit(None, &text)?;
    if let Some(path) = &a.plot {
        let sel = |d: Direction| -> Vec<(f64, f64)> {
            pts.iter()
                .filter(|p| p.direction == d)
                .map(|p| (p.current, p.rate_hz))
                .collect()
        };
        let preset = spec
            .preset
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        plot_fi(
            path,
            &format!("{}{preset}: f-I curve", spec.info.name),
            &sel(Direction::Up),
            &sel(Direction::Down),
            &current_label(&spec),
        )
        .with_context(|| plot_context(path))?;
    }
    Ok(ExitCode::SUCCESS)
}
