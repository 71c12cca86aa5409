//! `spikeforge bifurcation`: a one-parameter scan with saddle-node and Hopf points, the
//! excitability class and a bifurcation diagram.
use super::analyze::{
    axis_label, current_label, cycle_json_points, plot_context, state_units, window,
};
use super::common::{emit, ModelArgs};
use anyhow::{bail, Context};
use serde_json::{json, Map, Value};
use spikeforge_model::analysis::bifurcation::{Bifurcations, CycleSweep};
use spikeforge_model::analysis::limit_cycle::CycleConfig;
use spikeforge_model::analysis::{scan, Family, ScanConfig};
use spikeforge_model::ModelSpec;
use spikeforge_sim::phase::{plot_bifurcation, BifurcationDiagram};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The parameter is the input current I (default) or any model parameter by name (then --current
sets the input). Saddle-node (fold) and Hopf points are refined by bisection to 1e-12 relative,
not just to the grid step. The class is that of the rest state's end: 1 = saddle-node (firing
starts at zero rate), 2 = Hopf (firing starts at a finite rate); null when the rest state survives
the whole range. Limit cycles (for the diagram and \"limit_cycles\") come from an up and a down
sweep that continue from the previous end state (RK4), so a bistable range shows both branches.

JSON: {\"hopf\":[I,..],\"saddle_node\":[I,..],\"class\":1|2,\"onset\":{..},\"hopf_points\":[..],
\"saddle_node_points\":[..],\"limit_cycles\":[..],\"branches\":[..]}.

Examples:
  spikeforge bifurcation --model fhn --from 0 --to 2 --steps 200 --format json
  spikeforge bifurcation --model morris-lecar --preset snlc --from 0 --to 120 --steps 240 --plot ml.png
  spikeforge bifurcation --model hasler --preset type2 --param gK --from 5 --to 15 --steps 50 --current 20
  spikeforge bifurcation --model izhikevich --from -5 --to 10 --steps 150 --no-cycles --format json")]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// The parameter to scan: I (the input current) or a model parameter.
    #[arg(long, default_value = "I")]
    pub param: String,
    /// First value of the parameter.
    #[arg(long, allow_negative_numbers = true)]
    pub from: f64,
    /// Last value of the parameter (greater than --from).
    #[arg(long, allow_negative_numbers = true)]
    pub to: f64,
    /// Grid steps (the grid has steps + 1 values; bifurcations are refined between them).
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Input current when --param is not I.
    #[arg(
        long,
        short = 'i',
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub current: f64,
    /// Phase-plane window XMIN,XMAX,YMIN,YMAX in which fixed points are sought.
    #[arg(long, allow_hyphen_values = true, value_name = "XMIN,XMAX,YMIN,YMAX")]
    pub window: Option<String>,
    /// Skip the limit-cycle sweeps (faster; no cycles in the output or diagram).
    #[arg(long)]
    pub no_cycles: bool,
    /// Transient discarded at each value in the cycle sweeps (ms).
    #[arg(long, default_value_t = 500.0, allow_negative_numbers = true)]
    pub settle: f64,
    /// Measured time at each value in the cycle sweeps (ms).
    #[arg(long, default_value_t = 1000.0, allow_negative_numbers = true)]
    pub measure: f64,
    /// Output format: table (human) or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Write the bifurcation diagram (PNG or SVG by extension).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let spec = a.model.spec()?;
    if a.steps == 0 {
        bail!("--steps 0: the scan needs at least one step");
    }
    if a.steps > 100_000 {
        bail!("--steps {}: at most 100000", a.steps);
    }
    if !(a.from.is_finite() && a.to.is_finite()) || a.to <= a.from {
        bail!(
            "--from {} --to {}: empty parameter range (the range has no points; --to must be \
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
    let win = window(&spec, a.window.as_deref())?;
    let fam = Family::new(&spec, &a.param, a.current, win)?;
    let cycles = (!a.no_cycles).then(|| CycleConfig {
        settle_ms: a.settle,
        measure_ms: a.measure,
        ..CycleConfig::for_model(spec.info)
    });
    let b = scan(
        &fam,
        &ScanConfig {
            from: a.from,
            to: a.to,
            steps: a.steps,
            cycles,
        },
    )?;
    let names = {
        let n = spec.neuron()?;
        let s = n.state_names();
        [s[0], s[1]]
    };
    let text = if a.format == "json" {
        serde_json::to_string_pretty(&to_json(&spec, names, &b))? + "\n"
    } else {
        table(&spec, names, &b)
    };
    emit(None, &text)?;
    if let Some(p) = &a.plot {
        let fig = diagram(&spec, names, &b);
        plot_bifurcation(p, &fig).with_context(|| plot_context(p))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn param_label(spec: &ModelSpec, param: &str) -> String {
    if param == "I" {
        return current_label(spec);
    }
    let unit = spec
        .params
        .infos()
        .iter()
        .find(|p| p.name == param)
        .map(|p| p.unit)
        .unwrap_or("1");
    axis_label(param, unit)
}

/// The diagram of a scan.
pub fn diagram(spec: &ModelSpec, names: [&str; 2], b: &Bifurcations) -> BifurcationDiagram {
    let units = state_units(spec.info.name);
    let preset = spec
        .preset
        .as_deref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let cyc = |dir: CycleSweep| {
        b.cycles
            .iter()
            .filter(|c| c.sweep == dir)
            .map(|c| (c.p, c.x_min, c.x_max))
            .collect()
    };
    BifurcationDiagram {
        title: format!(
            "{}{preset}: bifurcation diagram{}",
            spec.info.name,
            b.class.map(|c| format!(", class {c}")).unwrap_or_default()
        ),
        x_label: param_label(spec, &b.param),
        y_label: axis_label(names[0], units[0]),
        branches: b
            .branches
            .iter()
            .map(|br| {
                br.iter()
                    .map(|p| {
                        let st = match p.class {
                            spikeforge_model::analysis::FpClass::Center => None,
                            c => Some(c.is_stable()),
                        };
                        (p.p, p.x, st)
                    })
                    .collect()
            })
            .collect(),
        cycles_up: cyc(CycleSweep::Up),
        cycles_down: cyc(CycleSweep::Down),
        hopf: b.hopf.iter().map(|h| (h.p, h.x)).collect(),
        saddle_node: b.saddle_node.iter().map(|f| (f.p, f.x)).collect(),
        x_range: (b.from, b.to),
    }
}

fn point(names: [&str; 2], p: f64, x: f64, y: f64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("value".into(), json!(p));
    m.insert(names[0].into(), json!(x));
    m.insert(names[1].into(), json!(y));
    m
}

fn to_json(spec: &ModelSpec, names: [&str; 2], b: &Bifurcations) -> Value {
    let hopf_points: Vec<Value> = b
        .hopf
        .iter()
        .map(|h| {
            let mut m = point(names, h.p, h.x, h.y);
            m.insert("frequency_hz".into(), json!(h.frequency_hz));
            Value::Object(m)
        })
        .collect();
    let sn_points: Vec<Value> = b
        .saddle_node
        .iter()
        .map(|f| Value::Object(point(names, f.p, f.x, f.y)))
        .collect();
    let branches: Vec<Value> = b
        .branches
        .iter()
        .map(|br| {
            Value::Array(
                br.iter()
                    .map(|p| {
                        let mut m = point(names, p.p, p.x, p.y);
                        m.insert("class".into(), json!(p.class.as_str()));
                        Value::Object(m)
                    })
                    .collect(),
            )
        })
        .collect();
    json!({
        "model": spec.info.name,
        "preset": spec.preset,
        "param": b.param,
        "from": b.from,
        "to": b.to,
        "steps": b.steps,
        "hopf": b.hopf.iter().map(|h| h.p).collect::<Vec<_>>(),
        "saddle_node": b.saddle_node.iter().map(|f| f.p).collect::<Vec<_>>(),
        "class": b.class,
        "onset": b.onset.as_ref().map(|o| {
            let mut m = point(names, o.p, o.x, o.y);
            m.insert("kind".into(), json!(o.kind));
            Value::Object(m)
        }),
        "hopf_points": hopf_points,
        "saddle_node_points": sn_points,
        "limit_cycles": cycle_json_points(names, &b.cycles),
        "branches": branches,
        "notes": b.notes,
    })
}

fn table(spec: &ModelSpec, names: [&str; 2], b: &Bifurcations) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "model {}{}: {} from {} to {} ({} steps)",
        spec.info.name,
        spec.preset
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default(),
        b.param,
        b.from,
        b.to,
        b.steps
    );
    for h in &b.hopf {
        let _ = writeln!(
            s,
            "Hopf         {} = {:.9}  at {} = {:.6}, {} = {:.6}, frequency {:.3} Hz",
            b.param, h.p, names[0], h.x, names[1], h.y, h.frequency_hz
        );
    }
    for f in &b.saddle_node {
        let _ = writeln!(
            s,
            "saddle-node  {} = {:.9}  at {} = {:.6}, {} = {:.6}",
            b.param, f.p, names[0], f.x, names[1], f.y
        );
    }
    if b.hopf.is_empty() && b.saddle_node.is_empty() {
        let _ = writeln!(s, "no bifurcation of fixed points in the range");
    }
    match (&b.onset, b.class) {
        (Some(o), Some(c)) => {
            let _ = writeln!(
                s,
                "class {c}: the rest state ends in a {} at {} = {:.9}",
                match o.kind {
                    spikeforge_model::analysis::bifurcation::OnsetKind::Hopf => "Hopf bifurcation",
                    spikeforge_model::analysis::bifurcation::OnsetKind::SaddleNode => "saddle-node",
                },
                b.param,
                o.p
            );
        }
        _ => {
            let _ = writeln!(s, "class: none (the rest state survives the range)");
        }
    }
    if !b.cycles.is_empty() {
        let lo = b.cycles.iter().map(|c| c.p).fold(f64::INFINITY, f64::min);
        let hi = b
            .cycles
            .iter()
            .map(|c| c.p)
            .fold(f64::NEG_INFINITY, f64::max);
        let _ = writeln!(
            s,
            "stable limit cycles found for {} in {lo} .. {hi}",
            b.param
        );
    }
    for n in &b.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}
