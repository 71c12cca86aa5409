//! `spikeforge quantize`: the fixed twin's firing onset, class and phase plane against the f64
//! model's over candidate membrane formats, and the narrowest format that keeps them.
use super::analyze::{check_dt, current_label, plot_context, window};
use super::common::{emit, FixedArgs, ModelArgs};
use anyhow::{bail, Context};
use spikeforge_model::analysis::quantised::{
    default_formats, sweep_formats, Protocol, QuantConfig, QuantSweep,
};
use spikeforge_model::QFormat;
use spikeforge_sim::plot::{plot_xy, Series};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
For each candidate membrane format the fixed twin (forward Euler at --dt, the hardware spec) is
compared with the f64 model:
  * onset of repetitive firing: settle at --from, ramp slowly to I, hold; the lowest I with at
    least two spikes in the hold (bisection over the twin's raw input words; the f64 model runs the
    same protocol with forward Euler at the same dt, so the protocol's own bias cancels);
  * class: 1 when the rate starts near zero at onset (saddle-node), 2 when it starts at a finite
    rate (Hopf); the f64 model's analytic bifurcation (class and current) is shown too;
  * the twin's nullclines (zero bands of the per-step change of its raw words) and fixed points
    against the f64 model's at --from.
A format passes when it keeps the class and |onset_twin - onset_f64| <= --tolerance x |I_bif|.
The recommendation is the narrowest format from which every wider candidate passes.

Examples:
  spikeforge quantize --model fhn --from 0 --to 1 --tolerance 0.01
  spikeforge quantize --model morris-lecar --preset snlc --from 0 --to 80 --formats Q7.6,Q7.8,Q7.10,Q7.12 --format json
  spikeforge quantize --model morris-lecar --preset hopf --from 0 --to 150 --plot onset.png")]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Lowest current of the onset search (the neuron must be at rest there).
    #[arg(long, allow_negative_numbers = true)]
    pub from: f64,
    /// Highest current of the onset search (the neuron must fire there).
    #[arg(long, allow_negative_numbers = true)]
    pub to: f64,
    /// Candidate membrane formats, comma-separated (default: the model's default integer bits,
    /// fraction bits from 8 below to 4 above its default).
    #[arg(long)]
    pub formats: Option<String>,
    /// Allowed relative shift of the onset current (0.01 = 1 %).
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub tolerance: f64,
    #[command(flatten)]
    pub fixed_args: FixedArgs,
    /// Time step in ms (default: the model's).
    #[arg(long, allow_negative_numbers = true)]
    pub dt: Option<f64>,
    /// Hold time of the onset protocol (ms).
    #[arg(long, default_value_t = 2000.0, allow_negative_numbers = true)]
    pub hold: f64,
    /// Phase-plane window XMIN,XMAX,YMIN,YMAX.
    #[arg(long, allow_hyphen_values = true, value_name = "XMIN,XMAX,YMIN,YMAX")]
    pub window: Option<String>,
    /// Output format: table (human) or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Plot the onset current against the fraction bits (PNG or SVG).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let spec = a.model.spec()?;
    if !(a.from.is_finite() && a.to.is_finite()) || a.to <= a.from {
        bail!(
            "--from {} --to {}: empty current range (--to must be greater than --from)",
            a.from,
            a.to
        );
    }
    if !(a.tolerance >= 0.0 && a.tolerance.is_finite()) {
        bail!(
            "--tolerance {}: must be a non-negative fraction, e.g. 0.01",
            a.tolerance
        );
    }
    if !(a.hold > 0.0 && a.hold.is_finite()) {
        bail!("--hold {}: must be a positive number of ms", a.hold);
    }
    let formats: Vec<QFormat> = match &a.formats {
        Some(s) => s
            .split(',')
            .map(|t| {
                t.trim()
                    .parse::<QFormat>()
                    .with_context(|| format!("--formats: '{t}'"))
            })
            .collect::<anyhow::Result<_>>()?,
        None => default_formats(&spec)?,
    };
    if formats.is_empty() {
        bail!("--formats: no format given");
    }
    let base = a.fixed_args.config(spec.info.default_fixed)?;
    let mut protocol = Protocol::for_model(&spec);
    protocol.dt = check_dt(a.dt.unwrap_or(protocol.dt))?;
    protocol.hold_ms = a.hold;
    let win = match &a.window {
        Some(w) => Some(window(&spec, Some(w))?),
        None => None,
    };
    let r = sweep_formats(
        &spec,
        &QuantConfig {
            from: a.from,
            to: a.to,
            formats: formats.clone(),
            base,
            tolerance: a.tolerance,
            protocol,
            window: win,
        },
    )?;
    let text = if a.format == "json" {
        serde_json::to_string_pretty(&r)? + "\n"
    } else {
        table(&r, &current_label(&spec))
    };
    emit(None, &text)?;
    if let Some(p) = &a.plot {
        let ok: Vec<(f64, f64)> = r
            .formats
            .iter()
            .zip(&formats)
            .filter_map(|(f, q)| f.onset.map(|o| (q.frac_bits as f64, o)))
            .collect();
        let mut series = vec![Series::new(
            "fixed twin: onset current",
            ok.iter().map(|p| p.0).collect(),
            ok.iter().map(|p| p.1).collect(),
        )];
        let fb: Vec<f64> = formats.iter().map(|q| q.frac_bits as f64).collect();
        let (lo, hi) = (
            fb.iter().cloned().fold(f64::INFINITY, f64::min),
            fb.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        );
        if let Some(o) = r.f64.protocol.map(|o| o.current) {
            series.push(Series::new(
                "f64 model: onset current (same protocol)",
                vec![lo, hi],
                vec![o, o],
            ));
        }
        if let Some(b) = r.f64.bifurcation_current {
            series.push(Series::new(
                "f64 model: bifurcation current",
                vec![lo, hi],
                vec![b, b],
            ));
        }
        plot_xy(
            p,
            &format!("{}: onset of firing of the fixed twin", spec.info.name),
            &series,
            "membrane fraction bits",
            &format!("onset {}", current_label(&spec)),
            true,
        )
        .with_context(|| plot_context(p))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn table(r: &QuantSweep, cur: &str) -> String {
    let mut s = String::new();
    let f = &r.f64;
    let _ = writeln!(
        s,
        "model {}: onset of firing in {} .. {} ({cur}), tolerance {} %",
        r.model,
        r.from,
        r.to,
        r.tolerance * 100.0
    );
    let _ = writeln!(
        s,
        "f64 model: bifurcation {} at {} (class {}); protocol onset {} (class {})",
        f.bifurcation.map_or("none".into(), |k| format!("{k:?}")),
        f.bifurcation_current
            .map_or("-".into(), |x| format!("{x:.6}")),
        f.class.map_or("-".into(), |c| c.to_string()),
        f.protocol
            .map_or("-".into(), |o| format!("{:.6}", o.current)),
        f.protocol.map_or("-".into(), |o| o.class.to_string()),
    );
    let _ = writeln!(
        s,
        "(x-ncl. max / y-ncl. max: largest shift of the twin's membrane / recovery nullcline at \
         the lowest current, in recovery-variable units)"
    );
    let _ = writeln!(
        s,
        "{:>8} {:>14} {:>6} {:>11} {:>12} {:>12}  result",
        "format", "onset", "class", "rel. shift", "x-ncl. max", "y-ncl. max"
    );
    for x in &r.formats {
        if let Some(e) = &x.error {
            let _ = writeln!(s, "{:>8}  unusable: {e}", x.format);
            continue;
        }
        let _ = writeln!(
            s,
            "{:>8} {:>14} {:>6} {:>11} {:>12} {:>12}  {}",
            x.format,
            x.onset.map_or("none".into(), |o| format!("{o:.6}")),
            x.class.map_or("-".into(), |c| c.to_string()),
            x.rel_shift
                .map_or("-".into(), |r| format!("{:.3} %", r * 100.0)),
            x.max_shift_x_nullcline
                .map_or("-".into(), |v| format!("{v:.2e}")),
            x.max_shift_y_nullcline
                .map_or("-".into(), |v| format!("{v:.2e}")),
            if x.passes { "ok" } else { "FAIL" }
        );
    }
    let _ = writeln!(
        s,
        "recommended: {}",
        r.recommended.as_deref().unwrap_or("none of the candidates")
    );
    s
}
