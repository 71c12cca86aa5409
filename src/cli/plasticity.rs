//! `spikeforge plasticity`: learning rules on one synapse (pairing protocol, STDP window, rate
//! dependence), f64 and fixed twin.
use super::common::emit;
use anyhow::{bail, Context};
use serde_json::{json, Value};
use spikeforge_model::learning::protocol::{sweep, RatePoint, WindowPoint};
use spikeforge_model::learning::{LearningFixedConfig, PairingProtocol, Reward, Rule, RuleSpec};
use spikeforge_model::{MulVariant, QFormat};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Pairing protocol: pre at t, post at t + delta_t (delta_t = t_post - t_pre, ms), repeated --pairs
times at --rate pairings per second; the weight starts at --w0 (0) and the rule is additive and
unbounded unless its parameters say otherwise (--set w_min=.. --set w_max=..). Spikes in the same
tick: pre is handled before post, so dw(0) = +A+ for pair STDP.

Rules: pair (preset song2000), triplet (visual-cortex-minimal visual-cortex-full hippocampal-minimal
hippocampal-full), rstdp (izhikevich2007; rewards with --reward-delay), supervised (teacher spikes
as post), resume (desired spikes as post), bcm and abs (not spike-timing: no pairing protocol).

Examples:
  spikeforge plasticity --rule pair --preset song2000 --delta-t 10 --rate 1 --pairs 1 --format json
  spikeforge plasticity --rule pair --preset song2000 --pairs 1 --window --plot window.png
  spikeforge plasticity --rule triplet --preset visual-cortex-minimal --pairs 60 \\
      --rates 0.1,10,20,40,50 --delta-t 10 --delta-t -10 --plot rates.svg
  spikeforge plasticity --rule pair --delta-t 10 --pairs 60 --rate 20 --fixed Q1.14 --rounding stochastic
  spikeforge plasticity --rule rstdp --delta-t 10 --pairs 1 --reward-delay 1000 --format json")]
pub struct Args {
    /// Learning rule: pair, triplet, rstdp, bcm, abs, supervised, resume.
    #[arg(long, short = 'r')]
    pub rule: String,
    /// A named parameter set of the rule (pair: song2000; triplet: visual-cortex-minimal, ...).
    #[arg(long, short = 'p')]
    pub preset: Option<String>,
    /// Set a parameter, NAME=VALUE (repeatable), e.g. a_plus=0.01, tau_plus=16.8 (ms).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Spike interaction of the traces: all-to-all or nearest.
    #[arg(long, default_value = "all-to-all")]
    pub interaction: String,
    /// Weight dependence: additive (hard bounds) or multiplicative (soft bounds; needs w_min, w_max).
    #[arg(long, default_value = "additive")]
    pub dependence: String,
    /// Protocol.
    #[arg(long, default_value = "pairing", value_parser = ["pairing"])]
    pub protocol: String,
    /// delta_t = t_post - t_pre in ms (one value; repeatable with --rates).
    #[arg(long = "delta-t", value_name = "MS", allow_negative_numbers = true)]
    pub delta_t: Vec<f64>,
    /// Pairings per second (Hz).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub rate: f64,
    /// Number of pairings (required by the pairing protocol).
    #[arg(long)]
    pub pairs: Option<u32>,
    /// Time step in ms.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub dt: f64,
    /// Initial weight.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub w0: f64,
    /// Sweep delta_t from --from to --to by --step (the STDP window).
    #[arg(long)]
    pub window: bool,
    /// First delta_t of --window, ms.
    #[arg(long, default_value_t = -100.0, allow_negative_numbers = true)]
    pub from: f64,
    /// Last delta_t of --window, ms.
    #[arg(long, default_value_t = 100.0, allow_negative_numbers = true)]
    pub to: f64,
    /// Step of --window, ms.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub step: f64,
    /// Rate dependence: pairing rates in Hz, comma separated (at each --delta-t; default +10, -10).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "HZ,HZ,..",
        allow_negative_numbers = true
    )]
    pub rates: Vec<f64>,
    /// R-STDP: give a reward this long (ms) after the later spike of every pairing.
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub reward_delay: Option<f64>,
    /// Reward amount (default: the rule's `reward` parameter).
    #[arg(long, allow_negative_numbers = true)]
    pub reward: Option<f64>,
    /// Run the fixed-point twin with this weight format (e.g. Q1.14) and report its error against
    /// the f64 rule (pair, triplet, rstdp).
    #[arg(long, value_name = "FORMAT")]
    pub fixed: Option<String>,
    /// Trace format of the twin (unsigned, e.g. UQ2.16; default: derived from the time constants).
    #[arg(long, value_name = "FORMAT")]
    pub trace_format: Option<String>,
    /// Trace decay of the twin: mul (constant multiply) or shift (x - x/2^s).
    #[arg(long, default_value = "mul")]
    pub decay: String,
    /// Rounding of the twin's weight updates: floor, half-up or stochastic.
    #[arg(long, default_value = "half-up")]
    pub rounding: String,
    /// Seed of the stochastic rounding.
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
    /// Constant multiplies of the twin: exact or shift-add:N.
    #[arg(long, default_value = "exact", value_name = "exact|shift-add:N")]
    pub mul: String,
    /// Output format: table (human), csv or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "csv", "json"])]
    pub format: String,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Plot the STDP window (--window) or the rate dependence (--rates), PNG or SVG by extension.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

enum Mode {
    Single(f64),
    Window(Vec<f64>),
    Rates(Vec<f64>, Vec<f64>),
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut spec = RuleSpec::new(&a.rule, a.preset.as_deref())?;
    for kv in &a.set {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--set {kv}: expected NAME=VALUE"))?;
        let x: f64 = v
            .trim()
            .parse()
            .with_context(|| format!("--set {kv}: '{v}' is not a number"))?;
        spec.set(k.trim(), x)?;
    }
    spec.options.interaction = a.interaction.parse()?;
    spec.options.dependence = a.dependence.parse()?;
    if !(a.dt > 0.0 && a.dt.is_finite()) {
        bail!(
            "--dt {}: the time step must be a positive number of ms",
            a.dt
        );
    }
    let rule = spec.build(a.dt)?;
    let mode = mode(&a)?;
    if let Some(p) = &a.plot {
        spikeforge_sim::plot::PlotFormat::from_path(p)?;
        if matches!(mode, Mode::Single(_)) {
            bail!("--plot draws the STDP window (--window) or the rate dependence (--rates); give one of them");
        }
    }
    let pairs = a.pairs.with_context(|| {
        if a.delta_t.is_empty() {
            "the pairing protocol needs --pairs N (the number of pairings)".to_string()
        } else {
            "--delta-t needs --pairs N (the number of pairings)".to_string()
        }
    })?;
    let reward = match (a.reward_delay, a.reward) {
        (None, None) => None,
        (None, Some(_)) => bail!("--reward needs --reward-delay MS"),
        (Some(d), amount) => {
            let Rule::RStdp(r) = &rule else {
                bail!(
                    "--reward-delay applies to the reward-modulated rule rstdp only, not {}",
                    a.rule
                );
            };
            Some(Reward {
                delay_ms: d,
                amount: amount.unwrap_or(r.reward),
            })
        }
    };
    let proto = PairingProtocol {
        delta_t_ms: 0.0,
        rate_hz: a.rate,
        pairs,
        w0: a.w0,
        reward,
    };
    // the twin's options are checked even without --fixed, so a typo never passes silently
    let twin_cfg = twin_config(&a)?;
    let fixed = match &a.fixed {
        Some(f) => {
            let weight: QFormat = f.parse().with_context(|| format!("--fixed {f}"))?;
            Some(spec.fixed(a.dt, &LearningFixedConfig { weight, ..twin_cfg })?)
        }
        None => None,
    };

    let mut head = json!({
        "rule": spec.info.name,
        "preset": spec.preset,
        "protocol": a.protocol,
        "interaction": spec.options.interaction,
        "dependence": spec.options.dependence,
        "dt_ms": a.dt,
        "pairs": pairs,
        "w0": a.w0,
    });
    if let Some(r) = reward {
        head["reward"] = json!(r);
    }
    if let Some(fr) = &fixed {
        head["fixed"] = json!({
            "weight_format": fr.weight_format().to_string(),
            "trace_format": fr.trace_format().to_string(),
            "decay": a.decay,
            "rounding": a.rounding,
            "seed": a.seed,
            "twin": fr,
        });
    }
    let text = match mode {
        Mode::Single(d) => {
            let p = proto.with_delta_t(d);
            let f64_dw = rule.pairing(&p)?;
            let fixed_dw = fixed.as_ref().map(|f| f.pairing(&p)).transpose()?;
            head["rate_hz"] = json!(a.rate);
            head["delta_t_ms"] = json!(d);
            single_out(&a.format, head, f64_dw, fixed_dw)
        }
        Mode::Window(ds) => {
            let w = rule.window(&proto, &ds)?;
            let fw = fixed.as_ref().map(|f| f.window(&proto, &ds)).transpose()?;
            head["rate_hz"] = json!(a.rate);
            if let Some(p) = &a.plot {
                plot_window(
                    p,
                    &spec,
                    pairs,
                    a.rate,
                    &w,
                    fw.as_deref(),
                    a.fixed.as_deref(),
                )?;
            }
            window_out(&a.format, head, &w, fw.as_deref())
        }
        Mode::Rates(ds, rates) => {
            let r = rule.rate_dependence(&proto, &ds, &rates)?;
            let fr = fixed
                .as_ref()
                .map(|f| f.rate_dependence(&proto, &ds, &rates))
                .transpose()?;
            if let Some(p) = &a.plot {
                plot_rates(p, &spec, pairs, &ds, &r, fr.as_deref(), a.fixed.as_deref())?;
            }
            rates_out(&a.format, head, &r, fr.as_deref())
        }
    };
    emit(a.out.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn mode(a: &Args) -> anyhow::Result<Mode> {
    if a.window && !a.rates.is_empty() {
        bail!("--window and --rates are exclusive: sweep delta_t or the rate, not both");
    }
    if a.window {
        if !a.delta_t.is_empty() {
            bail!("--window sweeps delta_t itself: drop --delta-t (set the range with --from, --to, --step)");
        }
        return Ok(Mode::Window(sweep(a.from, a.to, a.step)?));
    }
    if !a.rates.is_empty() {
        let ds = if a.delta_t.is_empty() {
            vec![10.0, -10.0]
        } else {
            a.delta_t.clone()
        };
        return Ok(Mode::Rates(ds, a.rates.clone()));
    }
    match a.delta_t.as_slice() {
        [] => bail!("give --delta-t MS (with --pairs N), --window (an STDP window) or --rates (a rate dependence)"),
        [d] => Ok(Mode::Single(*d)),
        _ => bail!("give one --delta-t (several only with --rates)"),
    }
}

fn twin_config(a: &Args) -> anyhow::Result<LearningFixedConfig> {
    let mut cfg = LearningFixedConfig::new(QFormat::q(1, 14));
    if let Some(t) = &a.trace_format {
        cfg.trace = Some(t.parse().with_context(|| format!("--trace-format {t}"))?);
    }
    cfg.decay = a.decay.parse().context("--decay")?;
    cfg.rounding = a.rounding.parse().context("--rounding")?;
    cfg.seed = a.seed;
    cfg.mul = parse_mul(&a.mul)?;
    Ok(cfg)
}

fn parse_mul(s: &str) -> anyhow::Result<MulVariant> {
    if s == "exact" {
        return Ok(MulVariant::Exact);
    }
    let terms = s
        .strip_prefix("shift-add:")
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|t| (1..=16).contains(t))
        .with_context(|| format!("--mul {s}: expected exact or shift-add:N with N in 1..16"))?;
    Ok(MulVariant::ShiftAdd { terms })
}

fn single_out(format: &str, mut head: Value, f64_dw: f64, fixed: Option<f64>) -> String {
    let dw = fixed.unwrap_or(f64_dw);
    match format {
        "json" => {
            head["dw"] = json!(dw);
            if fixed.is_some() {
                head["dw_f64"] = json!(f64_dw);
                head["fixed_vs_f64"] = json!(dw - f64_dw);
            }
            serde_json::to_string_pretty(&head).unwrap_or_default() + "\n"
        }
        "csv" => {
            let mut s = String::from("delta_t_ms,rate_hz,dw");
            if fixed.is_some() {
                s.push_str(",dw_f64");
            }
            let _ = write!(s, "\n{},{},{dw}", head["delta_t_ms"], head["rate_hz"]);
            if fixed.is_some() {
                let _ = write!(s, ",{f64_dw}");
            }
            s + "\n"
        }
        _ => {
            let mut s = format!(
                "rule      {}\npairing   {} pairs at {} Hz, delta_t {} ms\ndw        {dw:.6e}\n",
                head["rule"].as_str().unwrap_or(""),
                head["pairs"],
                head["rate_hz"],
                head["delta_t_ms"]
            );
            if fixed.is_some() {
                let _ = writeln!(
                    s,
                    "dw (f64)  {f64_dw:.6e}   fixed - f64 = {:.3e}",
                    dw - f64_dw
                );
            }
            s
        }
    }
}

fn window_out(
    format: &str,
    mut head: Value,
    w: &[WindowPoint],
    fixed: Option<&[WindowPoint]>,
) -> String {
    let main = fixed.unwrap_or(w);
    match format {
        "json" => {
            let pts: Vec<Value> = main
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let mut v = json!({"delta_t_ms": p.delta_t_ms, "dw": p.dw});
                    if fixed.is_some() {
                        v["dw_f64"] = json!(w[i].dw);
                    }
                    v
                })
                .collect();
            head["window"] = json!(pts);
            if fixed.is_some() {
                head["max_abs_error"] =
                    json!(max_err(main.iter().map(|p| p.dw), w.iter().map(|p| p.dw)));
            }
            serde_json::to_string_pretty(&head).unwrap_or_default() + "\n"
        }
        _ => {
            let mut s = String::from(if format == "csv" {
                "delta_t_ms,dw"
            } else {
                "delta_t (ms)     dw"
            });
            if fixed.is_some() {
                s.push_str(if format == "csv" {
                    ",dw_f64"
                } else {
                    "   dw (f64)"
                });
            }
            s.push('\n');
            for (i, p) in main.iter().enumerate() {
                if format == "csv" {
                    let _ = write!(s, "{},{}", p.delta_t_ms, p.dw);
                    if fixed.is_some() {
                        let _ = write!(s, ",{}", w[i].dw);
                    }
                } else {
                    let _ = write!(s, "{:>12} {:>14.6e}", p.delta_t_ms, p.dw);
                    if fixed.is_some() {
                        let _ = write!(s, " {:>14.6e}", w[i].dw);
                    }
                }
                s.push('\n');
            }
            s
        }
    }
}

fn rates_out(
    format: &str,
    mut head: Value,
    r: &[RatePoint],
    fixed: Option<&[RatePoint]>,
) -> String {
    let main = fixed.unwrap_or(r);
    match format {
        "json" => {
            let pts: Vec<Value> = main
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let mut v =
                        json!({"delta_t_ms": p.delta_t_ms, "rate_hz": p.rate_hz, "dw": p.dw});
                    if fixed.is_some() {
                        v["dw_f64"] = json!(r[i].dw);
                    }
                    v
                })
                .collect();
            head["rate_dependence"] = json!(pts);
            if fixed.is_some() {
                head["max_abs_error"] =
                    json!(max_err(main.iter().map(|p| p.dw), r.iter().map(|p| p.dw)));
            }
            serde_json::to_string_pretty(&head).unwrap_or_default() + "\n"
        }
        _ => {
            let csv = format == "csv";
            let mut s = String::from(if csv {
                "delta_t_ms,rate_hz,dw"
            } else {
                "delta_t (ms)  rate (Hz)             dw"
            });
            if fixed.is_some() {
                s.push_str(if csv { ",dw_f64" } else { "       dw (f64)" });
            }
            s.push('\n');
            for (i, p) in main.iter().enumerate() {
                if csv {
                    let _ = write!(s, "{},{},{}", p.delta_t_ms, p.rate_hz, p.dw);
                    if fixed.is_some() {
                        let _ = write!(s, ",{}", r[i].dw);
                    }
                } else {
                    let _ = write!(s, "{:>12} {:>10} {:>14.6e}", p.delta_t_ms, p.rate_hz, p.dw);
                    if fixed.is_some() {
                        let _ = write!(s, " {:>14.6e}", r[i].dw);
                    }
                }
                s.push('\n');
            }
            s
        }
    }
}

fn max_err(a: impl Iterator<Item = f64>, b: impl Iterator<Item = f64>) -> f64 {
    a.zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

fn title(spec: &RuleSpec) -> String {
    match &spec.preset {
        Some(p) => format!("{} ({p})", spec.info.name),
        None => spec.info.name.to_string(),
    }
}

fn plot_window(
    path: &std::path::Path,
    spec: &RuleSpec,
    pairs: u32,
    rate: f64,
    w: &[WindowPoint],
    fixed: Option<&[WindowPoint]>,
    fmt: Option<&str>,
) -> anyhow::Result<()> {
    use spikeforge_sim::plot::{plot_xy, Series};
    let xy = |pts: &[WindowPoint]| -> (Vec<f64>, Vec<f64>) {
        pts.iter().map(|p| (p.delta_t_ms, p.dw)).unzip()
    };
    let (x, y) = xy(w);
    let mut series = vec![Series::new("f64", x, y)];
    if let Some(f) = fixed {
        let (x, y) = xy(f);
        series.push(Series::new(
            format!("fixed twin {}", fmt.unwrap_or("")),
            x,
            y,
        ));
    }
    plot_xy(
        path,
        &format!(
            "{}: STDP window, {pairs} pairing(s) at {rate} Hz",
            title(spec)
        ),
        &series,
        "delta_t = t_post - t_pre (ms)",
        "dw",
        false,
    )
    .with_context(|| format!("plotting {}", path.display()))
}

fn plot_rates(
    path: &std::path::Path,
    spec: &RuleSpec,
    pairs: u32,
    ds: &[f64],
    r: &[RatePoint],
    fixed: Option<&[RatePoint]>,
    fmt: Option<&str>,
) -> anyhow::Result<()> {
    use spikeforge_sim::plot::{plot_xy, Series};
    let mut series = Vec::new();
    for (label, pts) in std::iter::once(("", r)).chain(fixed.map(|f| (" fixed", f))) {
        for d in ds {
            let (x, y): (Vec<f64>, Vec<f64>) = pts
                .iter()
                .filter(|p| p.delta_t_ms == *d)
                .map(|p| (p.rate_hz, p.dw))
                .unzip();
            let name = if label.is_empty() {
                format!("delta_t = {d:+} ms")
            } else {
                format!("delta_t = {d:+} ms, fixed {}", fmt.unwrap_or(""))
            };
            series.push(Series::new(name, x, y));
        }
    }
    plot_xy(
        path,
        &format!("{}: rate dependence, {pairs} pairings", title(spec)),
        &series,
        "pairing rate (Hz)",
        "dw",
        true,
    )
    .with_context(|| format!("plotting {}", path.display()))
}
