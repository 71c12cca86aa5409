//! `spikeforge design`: parameters of the `nullcline` or `hasler` model from stated nullclines and
//! the wanted excitability class, checked by the phase-plane analysis.
use super::analyze::{default_starts, plot_context, portrait, trajectories};
use super::common::emit;
use anyhow::{bail, Context};
use serde_json::json;
use spikeforge_model::analysis::design::{
    design, Design, DesignSpec, HaslerDesign, NullclineDesign, ResetSpec, VShape,
};
use spikeforge_model::analysis::{fixed_points, PhasePlane};
use spikeforge_sim::phase::plot_phase_portrait;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
nullcline model: dv/dt = (f(v) - w + I)/tau_v, dw/dt = (k (v - v0w) - w)/tau_w.
  --v-nullcline cubic|pwl  with --knees VL,WL,VR,WR (local minimum, local maximum) [--outer-slopes
                           SL,SR for pwl]: class 2 only (a Hopf onset; the designer explains why a
                           linear recovery nullcline cannot make an N-shaped neuron class 1)
  --v-nullcline quadratic  with --vertex V,W and --curvature A (with an integrate-and-fire reset,
                           --v-peak/--v-reset/--jump): class 1 (k tau_w < tau_v) or class 2
  --slope K (the recovery line's slope) and --rest V (where it crosses the V-nullcline at I = 0);
  tau_w is chosen for the class unless --tau-w is given.
hasler model: starts from the type1 (class 1) or type2 (class 2) bias set; --recovery-half VN and
  --recovery-slope KN place the potassium sigmoid (the recovery nullcline), --rest V solves EL; if
  the analysis disagrees with --class and VN is free, VN is moved until it agrees.

The output lists the parameters (use them with --set), which parameter moves which nullcline
(measured by a 1 % change), and the analysis of the result (class, onset current, rest point,
knees, recovery slope). Exit 2 when the request is infeasible, with the reason.

Examples:
  spikeforge design --model nullcline --class 2 --v-nullcline cubic --knees -1,-0.6667,1,0.6667 --slope 1.25 --rest -1.2
  spikeforge design --model nullcline --class 1 --v-nullcline quadratic --vertex 0,0 --curvature 1 --slope 0.5 --rest -0.5
  spikeforge design --model hasler --class 1 --rest -66 --format json
  spikeforge design --model hasler --class 2 --recovery-half -45 --plot type2.png")]
pub struct Args {
    /// Model to design: nullcline or hasler.
    #[arg(long, short = 'm', value_parser = ["nullcline", "hasler"])]
    pub model: String,
    /// Wanted excitability class: 1 (saddle-node onset) or 2 (Hopf onset).
    #[arg(long)]
    pub class: u8,
    /// nullcline: shape of the V-nullcline: cubic, pwl or quadratic.
    #[arg(long, value_parser = ["cubic", "pwl", "quadratic"])]
    pub v_nullcline: Option<String>,
    /// nullcline (cubic, pwl): knees VL,WL,VR,WR.
    #[arg(long, allow_hyphen_values = true, value_name = "VL,WL,VR,WR")]
    pub knees: Option<String>,
    /// nullcline (pwl): outer slopes SL,SR (default -1,-1).
    #[arg(long, allow_hyphen_values = true, value_name = "SL,SR")]
    pub outer_slopes: Option<String>,
    /// nullcline (quadratic): vertex V,W.
    #[arg(long, allow_hyphen_values = true, value_name = "V,W")]
    pub vertex: Option<String>,
    /// nullcline (quadratic): curvature a > 0.
    #[arg(long, allow_negative_numbers = true)]
    pub curvature: Option<f64>,
    /// nullcline: slope k of the recovery nullcline.
    #[arg(long, allow_negative_numbers = true)]
    pub slope: Option<f64>,
    /// Rest potential at I = 0 (nullcline: required; hasler: solves EL).
    #[arg(long, allow_negative_numbers = true)]
    pub rest: Option<f64>,
    /// nullcline: tau_v in ms (default 1).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub tau_v: f64,
    /// nullcline: tau_w in ms (default: chosen for the class).
    #[arg(long, allow_negative_numbers = true)]
    pub tau_w: Option<f64>,
    /// nullcline (quadratic): spike cut-off.
    #[arg(long, allow_negative_numbers = true)]
    pub v_peak: Option<f64>,
    /// nullcline (quadratic): reset potential.
    #[arg(long, allow_negative_numbers = true)]
    pub v_reset: Option<f64>,
    /// nullcline (quadratic): recovery jump at a spike (d).
    #[arg(long, allow_negative_numbers = true)]
    pub jump: Option<f64>,
    /// hasler: half-activation Vn of the recovery sigmoid (mV).
    #[arg(long, allow_negative_numbers = true)]
    pub recovery_half: Option<f64>,
    /// hasler: slope factor kn of the recovery sigmoid (mV).
    #[arg(long, allow_negative_numbers = true)]
    pub recovery_slope: Option<f64>,
    /// hasler: tau_n (ms).
    #[arg(long, allow_negative_numbers = true)]
    pub tau_n: Option<f64>,
    /// Output format: table (human) or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Write the phase portrait of the design at I = 0 (PNG or SVG).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

fn nums(flag: &str, s: &str, n: usize) -> anyhow::Result<Vec<f64>> {
    let v: Vec<f64> = s
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--{flag} {s}: expected {n} comma-separated numbers"))?;
    if v.len() != n || !v.iter().all(|x| x.is_finite()) {
        bail!("--{flag} {s}: expected {n} comma-separated finite numbers");
    }
    Ok(v)
}

fn request(a: &Args) -> anyhow::Result<DesignSpec> {
    if a.class != 1 && a.class != 2 {
        bail!(
            "--class {}: must be 1 (saddle-node onset) or 2 (Hopf onset)",
            a.class
        );
    }
    if a.model == "hasler" {
        for (flag, given) in [
            ("v-nullcline", a.v_nullcline.is_some()),
            ("knees", a.knees.is_some()),
            ("vertex", a.vertex.is_some()),
            ("slope", a.slope.is_some()),
        ] {
            if given {
                bail!("--{flag} is for --model nullcline; hasler takes --rest, --recovery-half, --recovery-slope, --tau-n");
            }
        }
        return Ok(DesignSpec::Hasler(HaslerDesign {
            class: a.class,
            rest: a.rest,
            recovery_half: a.recovery_half,
            recovery_slope: a.recovery_slope,
            tau_n: a.tau_n,
        }));
    }
    let shape = a
        .v_nullcline
        .as_deref()
        .context("--model nullcline needs --v-nullcline cubic|pwl|quadratic")?;
    let v_nullcline = match shape {
        "cubic" | "pwl" => {
            let k = nums(
                "knees",
                a.knees
                    .as_deref()
                    .context("--knees VL,WL,VR,WR is needed")?,
                4,
            )?;
            if shape == "cubic" {
                VShape::Cubic {
                    left_knee: (k[0], k[1]),
                    right_knee: (k[2], k[3]),
                }
            } else {
                let o = match &a.outer_slopes {
                    Some(s) => nums("outer-slopes", s, 2)?,
                    None => vec![-1.0, -1.0],
                };
                VShape::Pwl {
                    left_knee: (k[0], k[1]),
                    right_knee: (k[2], k[3]),
                    outer_slopes: (o[0], o[1]),
                }
            }
        }
        _ => {
            let v = nums(
                "vertex",
                a.vertex.as_deref().context("--vertex V,W is needed")?,
                2,
            )?;
            VShape::Quadratic {
                vertex: (v[0], v[1]),
                curvature: a.curvature.context("--curvature A is needed")?,
            }
        }
    };
    let reset = match (a.v_peak, a.v_reset, a.jump) {
        (None, None, None) => None,
        (p, r, d) => {
            let rest = a.rest.unwrap_or(0.0);
            Some(ResetSpec {
                v_peak: p.context("--v-peak is needed with --v-reset / --jump")?,
                v_reset: r.unwrap_or(rest),
                d: d.unwrap_or(0.0),
            })
        }
    };
    Ok(DesignSpec::Nullcline(NullclineDesign {
        v_nullcline,
        recovery_slope: a
            .slope
            .context("--slope K (of the recovery nullcline) is needed")?,
        rest: a
            .rest
            .context("--rest V (the rest potential at I = 0) is needed")?,
        class: a.class,
        tau_v: a.tau_v,
        tau_w: a.tau_w,
        reset,
    }))
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let req = request(&a)?;
    let d = design(&req)?;
    let text = if a.format == "json" {
        serde_json::to_string_pretty(&json!({
            "model": d.model,
            "preset": d.preset,
            "class": d.check.class,
            "params": d.params,
            "set": set_flags(&d),
            "window": d.window,
            "roles": d.roles.iter().filter(|r| r.moves != "neither").collect::<Vec<_>>(),
            "check": d.check,
            "notes": d.notes,
            "request": req,
        }))? + "\n"
    } else {
        table(&d)
    };
    emit(None, &text)?;
    if let Some(p) = &a.plot {
        let spec = d.spec()?;
        let win = d.window;
        let pp = PhasePlane::with_window(&spec, &win)?;
        let fps = fixed_points(&pp, 0.0, &win);
        let starts = default_starts(&pp, &fps, &win);
        let trajs = trajectories(&pp, 0.0, &starts, spec.info.default_dt_ms, 500.0, &win);
        let fig = portrait(&spec, &pp, 0.0, &win, &fps, &trajs, &starts, None);
        plot_phase_portrait(p, &fig).with_context(|| plot_context(p))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn set_flags(d: &Design) -> String {
    let mut s = format!("--model {}", d.model);
    if let Some(p) = &d.preset {
        let _ = write!(s, " --preset {p}");
    }
    for (k, v) in &d.params {
        let _ = write!(s, " --set {k}={v}");
    }
    s
}

fn table(d: &Design) -> String {
    let mut s = String::new();
    let c = &d.check;
    let _ = writeln!(
        s,
        "design of {}: class {} wanted, analysis gives {}",
        d.model,
        c.wanted_class,
        c.class.map_or("none".into(), |c| c.to_string())
    );
    let _ = writeln!(s, "parameters: {}", set_flags(d));
    if let (Some(k), Some(i)) = (c.onset, c.onset_current) {
        let _ = writeln!(s, "onset: {k:?} at I = {i:.6}");
    }
    if let Some((x, y)) = c.rest {
        let _ = writeln!(s, "rest point at I = 0: ({x:.6}, {y:.6})");
    }
    for (x, y) in &c.knees {
        let _ = writeln!(s, "V-nullcline knee: ({x:.6}, {y:.6})");
    }
    if let Some(k) = c.recovery_slope_at_rest {
        let _ = writeln!(s, "recovery-nullcline slope at rest: {k:.6}");
    }
    let _ = writeln!(
        s,
        "which parameter moves which nullcline (per unit change):"
    );
    for r in d.roles.iter().filter(|r| r.moves != "neither") {
        let _ = writeln!(
            s,
            "  {:<8} = {:<12.6} {:<20} ({}; V-nullcline {:.3e}, recovery {:.3e})",
            r.name, r.value, r.moves, r.doc, r.dx_nullcline, r.dy_nullcline
        );
    }
    for n in &d.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}
