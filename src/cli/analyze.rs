//! `spikeforge analyze`: the phase plane of a 2-D model at one input current (and of its fixed
//! twin with `--fixed`). Also the helpers the other analysis subcommands share.
use super::common::{emit, FixedArgs, ModelArgs};
use anyhow::{bail, Context};
use serde_json::{json, Map, Value};
use spikeforge_model::analysis::limit_cycle::{CycleConfig, Stepper};
use spikeforge_model::analysis::quantised::{compare_at, TwinComparison};
use spikeforge_model::analysis::{
    default_window, detect_cycle, fixed_points, nullclines, FixedPoint, PhasePlane, Window,
};
use spikeforge_model::{Method, ModelSpec};
use spikeforge_sim::phase::{plot_phase_portrait, PhasePortrait};
use spikeforge_sim::plot::Series;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Models with a 2-D phase plane: izhikevich, adex, fhn, morris-lecar, hasler, nullcline (lif and
leaky have none: exit 2). Fixed points are all those in the window, with the Jacobian's eigenvalues
and class: stable-node, stable-focus, unstable-node, unstable-focus, saddle, center.

JSON: {\"fixed_points\":[{\"v\":..,\"w\":..,\"class\":..,\"eigenvalues\":[[re,im],[re,im]],..}],
\"nullclines\":{..},\"limit_cycle\":..} with the model's state names in place of v and w
(e.g. V and n for hasler). With --fixed FORMAT a \"fixed\" object compares the twin's nullclines
(zero bands of the per-step change of each raw word), fixed points and their shift.

Examples:
  spikeforge analyze --model fhn --current 0 --format json
  spikeforge analyze --model morris-lecar --preset snlc --current 30 --plot ml_snlc.png
  spikeforge analyze --model fhn --current 0.5 --trajectory -2,0 --trajectory 0,1 --plot fhn.svg
  spikeforge analyze --model hasler --preset type1 --current 0 --fixed Q7.8 --plot twin.png")]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Constant input current, in the model's input unit.
    #[arg(
        long,
        short = 'i',
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub current: f64,
    /// Phase-plane window XMIN,XMAX,YMIN,YMAX (membrane, recovery); default: the model's.
    #[arg(long, allow_hyphen_values = true, value_name = "XMIN,XMAX,YMIN,YMAX")]
    pub window: Option<String>,
    /// Start a trajectory at X,Y (repeatable); default: the initial state and points next to the
    /// unstable fixed points.
    #[arg(long = "trajectory", allow_hyphen_values = true, value_name = "X,Y")]
    pub trajectories: Vec<String>,
    /// Trajectory duration in ms (default: the model's simulate duration, at most 1000).
    #[arg(long, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Compare with the fixed twin at this membrane format (e.g. Q3.12).
    #[arg(long)]
    pub fixed: Option<String>,
    #[command(flatten)]
    pub fixed_args: FixedArgs,
    /// Time step in ms of the twin (and of the trajectories); default: the model's.
    #[arg(long, allow_negative_numbers = true)]
    pub dt: Option<f64>,
    /// Output format: table (human) or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Write the phase portrait (PNG or SVG by extension).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

/// Units of the two phase-plane variables of a model.
pub fn state_units(model: &str) -> [&'static str; 2] {
    match model {
        "morris-lecar" | "hasler" => ["mV", "1"],
        "izhikevich" => ["mV", "1"],
        "adex" => ["mV", "pA"],
        _ => ["1", "1"],
    }
}

/// An axis label `name (unit)` (`dimensionless` for unit 1).
pub fn axis_label(name: &str, unit: &str) -> String {
    let u = if unit == "1" || unit.starts_with("1 ") {
        "dimensionless"
    } else {
        unit
    };
    format!("{name} ({u})")
}

/// The input current's axis label.
pub fn current_label(spec: &ModelSpec) -> String {
    let u = spec.info.input_unit;
    axis_label("I", u.split(' ').next().unwrap_or(u))
}

/// Parse `--window XMIN,XMAX,YMIN,YMAX` or use the model's default.
pub fn window(spec: &ModelSpec, arg: Option<&str>) -> anyhow::Result<Window> {
    match arg {
        None => Ok(default_window(spec)?),
        Some(s) => {
            let v: Vec<f64> = s
                .split(',')
                .map(|t| t.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .with_context(|| {
                    format!("--window {s}: expected four numbers XMIN,XMAX,YMIN,YMAX")
                })?;
            if v.len() != 4 {
                bail!("--window {s}: expected four numbers XMIN,XMAX,YMIN,YMAX");
            }
            Window::new((v[0], v[1]), (v[2], v[3])).with_context(|| format!("--window {s}"))
        }
    }
}

/// Check a time step flag.
pub fn check_dt(dt: f64) -> anyhow::Result<f64> {
    if !(dt > 0.0 && dt.is_finite()) {
        bail!("--dt {dt}: the time step must be a positive number of ms");
    }
    Ok(dt)
}

/// A fixed point as JSON with the model's state names.
pub fn fp_json(names: [&str; 2], f: &FixedPoint) -> Value {
    let mut m = Map::new();
    m.insert(names[0].into(), json!(f.x));
    m.insert(names[1].into(), json!(f.y));
    m.insert("class".into(), json!(f.class.as_str()));
    m.insert("eigenvalues".into(), json!(f.eigenvalues));
    m.insert("trace".into(), json!(f.trace));
    m.insert("det".into(), json!(f.det));
    m.insert("jacobian".into(), json!(f.jacobian));
    Value::Object(m)
}

/// Trajectories of the f64 model from `starts` (RK4 at `dt`), with a break (NaN) at each reset.
pub fn trajectories(
    pp: &PhasePlane,
    input: f64,
    starts: &[(f64, f64)],
    dt: f64,
    duration: f64,
    win: &Window,
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let n = pp.neuron();
    let steps = (duration / dt).round().max(1.0) as usize;
    let stride = (steps / 4000).max(1);
    starts
        .iter()
        .map(|&(x0, y0)| {
            let mut s = pp.state(x0, y0);
            let mut st = Stepper::new(n, dt, Method::Rk4);
            let (mut xs, mut ys) = (vec![x0], vec![y0]);
            for k in 0..steps {
                let prev = s[0];
                let fired = st.step(&mut s, input);
                if !(s[0].is_finite() && s[1].is_finite()) {
                    break;
                }
                if fired && (s[0] - prev).abs() > 0.2 * win.x_span() {
                    xs.push(f64::NAN);
                    ys.push(f64::NAN);
                }
                if k % stride == 0 || fired {
                    xs.push(s[0]);
                    ys.push(s[1]);
                }
            }
            (xs, ys)
        })
        .collect()
}

/// Vector field samples on a `nx` x `ny` grid inside the window.
pub fn arrows(pp: &PhasePlane, input: f64, win: &Window, nx: usize, ny: usize) -> Vec<[f64; 4]> {
    let mut out = Vec::new();
    for i in 0..nx {
        for j in 0..ny {
            let x = win.x.0 + win.x_span() * (i as f64 + 0.5) / nx as f64;
            let y = win.y.0 + win.y_span() * (j as f64 + 0.5) / ny as f64;
            let d = pp.field(x, y, input);
            out.push([x, y, d[0], d[1]]);
        }
    }
    out
}

fn parse_point(s: &str) -> anyhow::Result<(f64, f64)> {
    let v: Vec<f64> = s
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--trajectory {s}: expected X,Y"))?;
    if v.len() != 2 || !v.iter().all(|x| x.is_finite()) {
        bail!("--trajectory {s}: expected two finite numbers X,Y");
    }
    Ok((v[0], v[1]))
}

/// The default starts: the model's initial state and a point next to each unstable fixed point.
pub fn default_starts(pp: &PhasePlane, fps: &[FixedPoint], win: &Window) -> Vec<(f64, f64)> {
    let init = pp.neuron().initial_state();
    let mut v = vec![(init[0], init[1])];
    for f in fps.iter().filter(|f| !f.class.is_stable()).take(3) {
        v.push((f.x + 0.02 * win.x_span(), f.y));
    }
    v
}

/// The phase portrait figure of an analysis.
#[allow(clippy::too_many_arguments)]
pub fn portrait(
    spec: &ModelSpec,
    pp: &PhasePlane,
    input: f64,
    win: &Window,
    fps: &[FixedPoint],
    trajs: &[(Vec<f64>, Vec<f64>)],
    starts: &[(f64, f64)],
    twin: Option<&TwinComparison>,
) -> PhasePortrait {
    let names = pp.names();
    let units = state_units(spec.info.name);
    let nc = nullclines(pp, input, win, 300);
    let preset = spec
        .preset
        .as_deref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let cur_unit = spec.info.input_unit.split(' ').next().unwrap_or("");
    let cur_unit = if cur_unit == "1" { "" } else { cur_unit };
    PhasePortrait {
        title: format!(
            "{}{preset}: phase plane at I = {input} {cur_unit}",
            spec.info.name
        ),
        x_label: axis_label(names[0], units[0]),
        y_label: axis_label(names[1], units[1]),
        x_range: win.x,
        y_range: win.y,
        x_nullcline: Series::new(
            format!("{}-nullcline (d{}/dt = 0)", names[0], names[0]),
            nc.x.clone(),
            nc.x_nullcline.clone(),
        ),
        y_nullcline: Series::new(
            format!("{}-nullcline (d{}/dt = 0)", names[1], names[1]),
            nc.x.clone(),
            nc.y_nullcline.clone(),
        ),
        twin_nullclines: twin.map(|t| {
            (
                Series::new(
                    format!("twin {} {}-nullcline", t.format, names[0]),
                    t.nullclines.x.clone(),
                    t.nullclines.x_nullcline.clone(),
                ),
                Series::new(
                    format!("twin {} {}-nullcline", t.format, names[1]),
                    t.nullclines.x.clone(),
                    t.nullclines.y_nullcline.clone(),
                ),
            )
        }),
        arrows: arrows(pp, input, win, 24, 17),
        fixed_points: fps
            .iter()
            .map(|f| (f.x, f.y, f.class.as_str().to_string()))
            .collect(),
        twin_fixed_points: twin
            .map(|t| {
                t.fixed_points
                    .iter()
                    .map(|f| (f.twin.x, f.twin.y, f.twin.stable))
                    .collect()
            })
            .unwrap_or_default(),
        trajectories: trajs
            .iter()
            .zip(starts)
            .map(|((x, y), s)| {
                Series::new(
                    format!("trajectory from ({:.3}, {:.3})", s.0, s.1),
                    x.clone(),
                    y.clone(),
                )
            })
            .collect(),
    }
}

/// Write a figure error as a clear message naming the file.
pub fn plot_context(p: &Path) -> String {
    format!("plotting {}", p.display())
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let spec = a.model.spec()?;
    if !a.current.is_finite() {
        bail!("--current {}: not a finite number", a.current);
    }
    let win = window(&spec, a.window.as_deref())?;
    let pp = PhasePlane::with_window(&spec, &win)?;
    let dt = check_dt(a.dt.unwrap_or(spec.info.default_dt_ms))?;
    let duration = a
        .duration
        .unwrap_or(spec.info.default_duration_ms.min(1000.0));
    if !(duration > 0.0 && duration.is_finite()) || duration / dt > 1e8 {
        bail!("--duration {duration}: must be a positive number of ms (at most 1e8 steps)");
    }
    let starts: Vec<(f64, f64)> = a
        .trajectories
        .iter()
        .map(|s| parse_point(s))
        .collect::<anyhow::Result<_>>()?;
    let input = a.current;
    let names = pp.names();
    let fps = fixed_points(&pp, input, &win);
    let nc = nullclines(&pp, input, &win, 200);
    let mut cfg = CycleConfig::for_model(spec.info);
    cfg.dt = dt;
    let mut x0 = pp.neuron().initial_state();
    let cycle = detect_cycle(pp.neuron(), &mut x0, input, &cfg, win.x_span());
    let twin = match &a.fixed {
        Some(fmt) => {
            let fcfg = a.fixed_args.config(fmt)?;
            let t = spec.fixed(dt, Method::Euler, &fcfg)?;
            Some(compare_at(
                &pp,
                &t,
                fmt,
                &win,
                input,
                400,
                (500.0 / dt).round() as usize,
            ))
        }
        None => None,
    };
    let text = if a.format == "json" {
        let mut ncj = Map::new();
        ncj.insert(names[0].into(), json!(nc.x));
        ncj.insert(format!("{}_nullcline", names[0]), json!(nc.x_nullcline));
        ncj.insert(format!("{}_nullcline", names[1]), json!(nc.y_nullcline));
        let mut winj = Map::new();
        winj.insert(names[0].into(), json!([win.x.0, win.x.1]));
        winj.insert(names[1].into(), json!([win.y.0, win.y.1]));
        let mut j = json!({
            "model": spec.info.name,
            "preset": spec.preset,
            "current": input,
            "state_names": names,
            "window": winj,
            "fixed_points": fps.iter().map(|f| fp_json(names, f)).collect::<Vec<_>>(),
            "nullclines": ncj,
            "limit_cycle": cycle.as_ref().map(|c| cycle_json(names, c)),
        });
        if let Some(t) = &twin {
            j["fixed"] = twin_json(names, t);
        }
        serde_json::to_string_pretty(&j)? + "\n"
    } else {
        table(&spec, names, input, &fps, cycle.as_ref(), twin.as_ref())
    };
    emit(None, &text)?;
    if let Some(p) = &a.plot {
        let starts = if starts.is_empty() {
            default_starts(&pp, &fps, &win)
        } else {
            starts
        };
        let trajs = trajectories(&pp, input, &starts, dt, duration, &win);
        let fig = portrait(
            &spec,
            &pp,
            input,
            &win,
            &fps,
            &trajs,
            &starts,
            twin.as_ref(),
        );
        plot_phase_portrait(p, &fig).with_context(|| plot_context(p))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A limit cycle as JSON with the state names.
pub fn cycle_json(names: [&str; 2], c: &spikeforge_model::analysis::LimitCycle) -> Value {
    let mut m = Map::new();
    m.insert("period_ms".into(), json!(c.period_ms));
    m.insert(format!("{}_min", names[0]), json!(c.x_min));
    m.insert(format!("{}_max", names[0]), json!(c.x_max));
    m.insert(format!("{}_min", names[1]), json!(c.y_min));
    m.insert(format!("{}_max", names[1]), json!(c.y_max));
    m.insert("amplitude".into(), json!(c.amplitude));
    m.insert("rate_hz".into(), json!(c.rate_hz));
    Value::Object(m)
}

fn twin_json(names: [&str; 2], t: &TwinComparison) -> Value {
    let mut nc = Map::new();
    nc.insert(names[0].into(), json!(t.nullclines.x));
    nc.insert(
        format!("{}_nullcline", names[0]),
        json!(t.nullclines.x_nullcline),
    );
    nc.insert(
        format!("{}_nullcline", names[1]),
        json!(t.nullclines.y_nullcline),
    );
    nc.insert(format!("{}_band", names[0]), json!(t.nullclines.x_band));
    nc.insert(format!("{}_band", names[1]), json!(t.nullclines.y_band));
    let fps: Vec<Value> = t
        .fixed_points
        .iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert(names[0].into(), json!(f.twin.x));
            m.insert(names[1].into(), json!(f.twin.y));
            m.insert("stable".into(), json!(f.twin.stable));
            m.insert("f64_class".into(), json!(f.f64_class.map(|c| c.as_str())));
            m.insert(format!("shift_{}", names[0]), json!(f.shift_x));
            m.insert(format!("shift_{}", names[1]), json!(f.shift_y));
            Value::Object(m)
        })
        .collect();
    json!({
        "format": t.format,
        "input_quantised": t.input_quantised,
        "nullclines": nc,
        "fixed_points": fps,
        format!("max_shift_{}_nullcline", names[0]): t.max_shift_x_nullcline,
        format!("max_shift_{}_nullcline", names[1]): t.max_shift_y_nullcline,
        format!("max_band_{}_nullcline", names[0]): t.max_band_x,
        format!("max_band_{}_nullcline", names[1]): t.max_band_y,
    })
}

fn table(
    spec: &ModelSpec,
    names: [&str; 2],
    input: f64,
    fps: &[FixedPoint],
    cycle: Option<&spikeforge_model::analysis::LimitCycle>,
    twin: Option<&TwinComparison>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "model {}{}, I = {input} {}",
        spec.info.name,
        spec.preset
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default(),
        spec.info.input_unit
    );
    let _ = writeln!(s, "fixed points: {}", fps.len());
    for f in fps {
        let ev: Vec<String> = f
            .eigenvalues
            .iter()
            .map(|e| {
                if e[1] == 0.0 {
                    format!("{:.6}", e[0])
                } else {
                    format!("{:.6}{:+.6}i", e[0], e[1])
                }
            })
            .collect();
        let _ = writeln!(
            s,
            "  {} = {:<12.6} {} = {:<12.6} {:<15} eigenvalues {}",
            names[0],
            f.x,
            names[1],
            f.y,
            f.class.as_str(),
            ev.join(", ")
        );
    }
    match cycle {
        Some(c) => {
            let _ = writeln!(
                s,
                "limit cycle from the initial state: period {:.3} ms, {} {:.4} .. {:.4}",
                c.period_ms, names[0], c.x_min, c.x_max
            );
        }
        None => {
            let _ = writeln!(s, "limit cycle from the initial state: none");
        }
    }
    if let Some(t) = twin {
        let _ = writeln!(
            s,
            "fixed twin {}: nullcline shift max {:.3e} ({}-nullcline), {:.3e} ({}-nullcline); \
             dead-zone height max {:.3e}, {:.3e}",
            t.format,
            t.max_shift_x_nullcline,
            names[0],
            t.max_shift_y_nullcline,
            names[1],
            t.max_band_x,
            t.max_band_y
        );
        for f in &t.fixed_points {
            let _ = writeln!(
                s,
                "  twin fixed point {} = {:.6} {} = {:.6} {} (shift {:+.3e}, {:+.3e})",
                names[0],
                f.twin.x,
                names[1],
                f.twin.y,
                if f.twin.stable { "stable" } else { "unstable" },
                f.shift_x.unwrap_or(f64::NAN),
                f.shift_y.unwrap_or(f64::NAN)
            );
        }
    }
    s
}

/// Limit cycles of a scan as JSON with the state names.
pub fn cycle_json_points(
    names: [&str; 2],
    cycles: &[spikeforge_model::analysis::bifurcation::CyclePoint],
) -> Value {
    Value::Array(
        cycles
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("value".into(), json!(c.p));
                m.insert(format!("{}_min", names[0]), json!(c.x_min));
                m.insert(format!("{}_max", names[0]), json!(c.x_max));
                m.insert("period_ms".into(), json!(c.period_ms));
                m.insert("rate_hz".into(), json!(c.rate_hz));
                m.insert("sweep".into(), json!(c.sweep));
                Value::Object(m)
            })
            .collect(),
    )
}
