//! `spikeforge simulate`.
use super::common::{emit, FixedArgs, ModelArgs};
use anyhow::{bail, Context};
use serde_json::json;
use spikeforge_model::run::{spike_error, SpikeError};
use spikeforge_model::{run_f64, run_fixed, FixedNeuron, Method, RunConfig, Stimulus, Trace};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Spike times: a spike is stamped t_n, the start of the step whose update crossed threshold (the update
t_n -> t_n+1), as Brian2 does. Forward Euler updates all state variables from the old values.

Stimulus grammar: a sum of terms joined by '+': const(A), step(T0,A), pulse(T0,T1,A) (A for
T0 <= t < T1), ramp(T0,SLOPE) (per ms), sine(AMP,HZ); times in ms. The unit of A is the model's input
unit (lif: nA with R in MOhm; izhikevich: dimensionless; adex: pA).

Examples:
  spikeforge simulate --model izhikevich --preset rs --duration 1000 --format json
  spikeforge simulate --model lif --set tau_m=10 --stimulus 'step(20,30)' --record trace --format csv
  spikeforge simulate --model izhikevich --preset ch --fixed Q8.12 --plot ch.png
  spikeforge simulate --model adex --preset bg2005-rs --stimulus 'pulse(20,120,1000)' --duration 150")]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Input current as a sum of terms (see below); default: the model's standard input.
    #[arg(long, short = 's')]
    pub stimulus: Option<String>,
    /// Duration in ms.
    #[arg(long, short = 'd', allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Time step in ms.
    #[arg(long, allow_negative_numbers = true)]
    pub dt: Option<f64>,
    /// Integration method of the f64 model: euler, rk4 or exact (LIF only).
    #[arg(long)]
    pub method: Option<String>,
    /// Run the fixed-point twin with this membrane format (e.g. Q8.12) and report its error against
    /// the f64 model.
    #[arg(long)]
    pub fixed: Option<String>,
    #[command(flatten)]
    pub fixed_args: FixedArgs,
    /// What to record: spikes, or the full state trace.
    #[arg(long, default_value = "spikes", value_parser = ["spikes", "trace"])]
    pub record: String,
    /// Output format: table (human), csv or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "csv", "json"])]
    pub format: String,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Plot the membrane trace with spike marks (PNG or SVG by extension); with --fixed, the f64
    /// and fixed traces overlaid.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let spec = a.model.spec()?;
    let info = spec.info;
    if let Some(p) = &a.plot {
        // a bad plot file name is bad input: refuse it before printing anything
        spikeforge_sim::plot::PlotFormat::from_path(p)?;
    }
    let dt = a.dt.unwrap_or(info.default_dt_ms);
    if !(dt > 0.0 && dt.is_finite()) {
        bail!("--dt {dt}: the time step must be a positive number of ms");
    }
    let duration = a.duration.unwrap_or(info.default_duration_ms);
    if !(duration >= 0.0 && duration.is_finite()) {
        bail!("--duration {duration}: must be a non-negative number of ms");
    }
    if duration / dt > 1e9 {
        bail!("--duration {duration} / --dt {dt} gives more than 1e9 steps");
    }
    let method = match &a.method {
        Some(m) => m.parse::<Method>().map_err(anyhow::Error::msg)?,
        None => info.default_method,
    };
    spec.check_method(method)?;
    let stim_text = a
        .stimulus
        .clone()
        .unwrap_or_else(|| spec.default_stimulus().to_string());
    let stim: Stimulus = stim_text.parse()?;
    let record_trace = a.record == "trace" || a.plot.is_some();
    let cfg = RunConfig {
        dt,
        duration_ms: duration,
        method,
        record_trace,
    };
    let neuron = spec.neuron()?;
    let f64_trace = run_f64(neuron.as_ref(), &stim, &cfg);
    let fixed = match &a.fixed {
        Some(fmt) => {
            let fcfg = a.fixed_args.config(fmt)?;
            let twin = spec.fixed(dt, method, &fcfg)?;
            let tr = run_fixed(&twin, &stim, &cfg);
            let err = spike_error(&f64_trace.spikes_ms, &tr.spikes_ms);
            Some((twin, tr, err))
        }
        None => None,
    };
    // what was asked for: the fixed twin when --fixed is given, else the f64 model
    let main = fixed.as_ref().map(|(_, t, _)| t).unwrap_or(&f64_trace);
    let text = match a.format.as_str() {
        "json" => {
            let mut j = json!({
                "model": info.name,
                "preset": spec.preset,
                "dt_ms": dt,
                "duration_ms": duration,
                "method": method,
                "stimulus": stim.to_string(),
                "n_spikes": main.spikes_ms.len(),
                "spikes_ms": main.spikes_ms,
            });
            if let Some((twin, _, err)) = &fixed {
                j["fixed"] = json!({
                    "format": a.fixed,
                    "words": twin.state_words(),
                    "input_format": twin.input_format().to_string(),
                });
                j["f64"] = json!({"n_spikes": f64_trace.spikes_ms.len(), "spikes_ms": f64_trace.spikes_ms});
                j["fixed_vs_f64"] = json!(err);
            }
            if a.record == "trace" {
                let states: serde_json::Map<String, serde_json::Value> = main
                    .state_names
                    .iter()
                    .zip(&main.states)
                    .map(|(n, v)| (n.clone(), json!(v)))
                    .collect();
                j["trace"] = json!({"t_ms": main.t_ms, "input": main.input, "states": states});
            }
            serde_json::to_string_pretty(&j)? + "\n"
        }
        "csv" => csv(main, a.record == "trace"),
        _ => table(
            info.name,
            main,
            fixed.as_ref().map(|(_, _, e)| e),
            &f64_trace,
            a.fixed.as_deref(),
        ),
    };
    emit(a.out.as_deref(), &text)?;
    if let Some(p) = &a.plot {
        plot(
            p,
            info.name,
            &f64_trace,
            fixed.as_ref().map(|(_, t, _)| t),
            a.fixed.as_deref(),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn csv(t: &Trace, trace: bool) -> String {
    let mut s = String::new();
    if trace {
        let _ = write!(s, "t_ms,input");
        for n in &t.state_names {
            let _ = write!(s, ",{n}");
        }
        s.push_str(",spike\n");
        let mut spikes = t.spikes_ms.iter().peekable();
        for (k, time) in t.t_ms.iter().enumerate() {
            let mut fired = 0;
            while spikes.peek().is_some_and(|&&x| (x - time).abs() < 1e-9) {
                spikes.next();
                fired = 1;
            }
            let _ = write!(s, "{time},{}", t.input[k]);
            for v in &t.states {
                let _ = write!(s, ",{}", v[k]);
            }
            let _ = writeln!(s, ",{fired}");
        }
    } else {
        s.push_str("spike_ms\n");
        for x in &t.spikes_ms {
            let _ = writeln!(s, "{x}");
        }
    }
    s
}

fn table(
    model: &str,
    main: &Trace,
    err: Option<&SpikeError>,
    f64t: &Trace,
    fmt: Option<&str>,
) -> String {
    let mut s = String::new();
    let show = |t: &Trace| -> String {
        let shown: Vec<String> = t
            .spikes_ms
            .iter()
            .take(10)
            .map(|x| format!("{x:.2}"))
            .collect();
        format!(
            "{}{}",
            shown.join(" "),
            if t.spikes_ms.len() > 10 { " ..." } else { "" }
        )
    };
    let _ = writeln!(s, "model      {model}");
    match (err, fmt) {
        (Some(e), Some(f)) => {
            let _ = writeln!(
                s,
                "f64        {} spikes: {}",
                f64t.spikes_ms.len(),
                show(f64t)
            );
            let _ = writeln!(
                s,
                "fixed {f:<5}{} spikes: {}",
                main.spikes_ms.len(),
                show(main)
            );
            let _ = writeln!(
                s,
                "fixed vs f64: spike count {} vs {}, spike-time error mean {:.4} ms, max {:.4} ms over {} spikes",
                e.n_test, e.n_reference, e.mean_abs_ms, e.max_abs_ms, e.n_compared
            );
        }
        _ => {
            let _ = writeln!(s, "spikes     {}: {}", main.spikes_ms.len(), show(main));
        }
    }
    s
}

fn plot(
    path: &std::path::Path,
    model: &str,
    f64t: &Trace,
    fixed: Option<&Trace>,
    fmt: Option<&str>,
) -> anyhow::Result<()> {
    use spikeforge_sim::plot::{plot_traces, Series, SpikeMarks};
    let unit = if model == "leaky" || model == "fhn" || model == "nullcline" {
        ""
    } else {
        " (mV)"
    };
    let mut series = vec![Series {
        label: "f64 model".into(),
        x: f64t.t_ms.clone(),
        y: f64t.states[0].clone(),
    }];
    let mut marks = vec![SpikeMarks {
        label: "f64 spikes".into(),
        times: f64t.spikes_ms.clone(),
    }];
    if let Some(t) = fixed {
        let label = format!("fixed twin {}", fmt.unwrap_or(""));
        series.push(Series {
            label: label.clone(),
            x: t.t_ms.clone(),
            y: t.states[0].clone(),
        });
        marks.push(SpikeMarks {
            label: format!("{label} spikes"),
            times: t.spikes_ms.clone(),
        });
    }
    let y = format!("{}{unit}", f64t.state_names[0]);
    plot_traces(
        path,
        &format!("{model}: membrane"),
        &series,
        &marks,
        "time (ms)",
        &y,
    )
    .with_context(|| format!("plotting {}", path.display()))?;
    Ok(())
}
