//! Song, Miller & Abbott (2000): competitive Hebbian learning through STDP.
//!
//! One LIF neuron receives 1000 Poisson inputs (15 Hz) through excitatory synapses with pair STDP
//! (all-to-all traces, tau = 20 ms, depression 5 % stronger than potentiation, weights in
//! `[0, g_max]`). The synapses compete: the weight distribution, uniform at the start, becomes
//! bimodal, with most weights near 0 or near `g_max`. The setup is Brian2's version of the
//! paper's figure (`examples/frompapers/Song_Miller_Abbott_2000.py`): `tau_m = 10 ms`, `E_L = -74
//! mV`, threshold -54 mV, reset -60 mV, a current-based synapse `g_e (E_e - v_r)` with `tau_e = 5
//! ms` (here: gain 60 mV per unit weight), `g_max = 0.01`, `A+ = 0.01 g_max`, `A- = 1.05 A+`.
//!
//! ```text
//! cargo run --release --example song2000                 # 100 s of model time (a few seconds)
//! cargo run --release --example song2000 -- --seconds 300 --fixed --out out/
//! SONG_SECONDS=20 SONG_SPEEDUP=5 cargo run --example song2000   # the CI size
//! ```
//! `--speedup K` multiplies both amplitudes by K (faster learning, same balance). Prints one
//! summary line: the fractions of weights within 10 % of 0 and of `g_max`.
use spikeforge::model::learning::RuleSpec;
use spikeforge::model::network::{
    Arith, Connect, InputGroup, Monitor, NetworkBuilder, NeuronGroup, Plasticity, Projection,
    Values, WeightInit,
};
use spikeforge::model::ModelSpec;
use spikeforge::sim::netplot::{plot_histograms, Histogram};
use spikeforge::sim::plot::{plot_xy, Series};
use std::path::PathBuf;

/// The size and options of a run.
#[derive(Debug, Clone)]
pub struct SongConfig {
    pub seconds: f64,
    pub inputs: usize,
    pub rate_hz: f64,
    pub speedup: f64,
    /// `A- / A+` (the paper and Brian2: 1.05).
    pub ratio: f64,
    /// `g_max` (Brian2: 0.01).
    pub g_max: f64,
    pub arith: Arith,
    pub seed: u64,
    /// Folder for the plots (`None`: no plots).
    pub out: Option<PathBuf>,
}

impl Default for SongConfig {
    fn default() -> Self {
        SongConfig {
            seconds: 100.0,
            inputs: 1000,
            rate_hz: 15.0,
            speedup: 1.0,
            ratio: 1.05,
            g_max: 0.01,
            arith: Arith::F64,
            seed: 1,
            out: Some(PathBuf::from("out")),
        }
    }
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct SongOutcome {
    pub g_max: f64,
    pub initial: Vec<f64>,
    pub weights: Vec<f64>,
    /// Fractions of the weights below 0.1 g_max and above 0.9 g_max.
    pub near_zero: f64,
    pub near_max: f64,
    /// Output rate in the first and the last tenth of the run (Hz).
    pub rate_start_hz: f64,
    pub rate_end_hz: f64,
}

pub fn run(c: &SongConfig) -> Result<SongOutcome, Box<dyn std::error::Error>> {
    let dt = 0.1;
    let mut b = NetworkBuilder::new(dt).seed(c.seed);
    let inp = b.inputs(
        "inputs",
        c.inputs,
        InputGroup::poisson(Values::Const(c.rate_hz)),
    )?;
    let mut lif = ModelSpec::new("lif", None)?;
    for (k, v) in [
        ("tau_m", 10.0),
        ("v_rest", -74.0),
        ("v_reset", -60.0),
        ("v_th", -54.0),
        ("t_ref", 0.0),
        ("R", 1.0),
    ] {
        lif.set(k, v)?;
    }
    let post = b.neurons(
        "neuron",
        1,
        NeuronGroup::new(lif)
            .tau_syn(5.0)
            .fixed(spikeforge::model::FixedConfig::new("Q8.10".parse()?)),
    )?;
    let mut rule = RuleSpec::new("pair", Some("song2000"))?;
    let g_max = c.g_max;
    let a_plus = 0.01 * g_max * c.speedup;
    rule.set("a_plus", a_plus)?;
    rule.set("a_minus", c.ratio * a_plus)?;
    rule.set("w_min", 0.0)?;
    rule.set("w_max", g_max)?;
    let mut plastic = Plasticity::new(rule);
    // the twin: weights in units of g_max need fraction bits below 1e-6 (A+ = 1e-4 g_max)
    let mut lcfg = spikeforge::model::learning::LearningFixedConfig::new("Q1.24".parse()?);
    lcfg.rounding = spikeforge::model::learning::UpdateRounding::Stochastic;
    plastic.fixed = Some(lcfg);
    let syn = b.project(
        Projection::new("stdp", inp, post, Connect::Dense { autapses: false })
            .weight(WeightInit::Uniform { lo: 0.0, hi: g_max })
            .gain(60.0)
            .plastic(plastic),
    )?;
    let rate = b.monitor(Monitor::Rate { pop: post });
    let mut net = b.build(c.arith)?;
    let initial = net.weights(syn);
    let ticks = (c.seconds * 1000.0 / dt).round() as u64;
    // run in slices, recording the mean weight for the plot
    let slices = 50u64;
    let mut t_s = Vec::new();
    let mut mean_w = Vec::new();
    let mut frac_lo = Vec::new();
    let mut frac_hi = Vec::new();
    for k in 0..slices {
        net.run(ticks * (k + 1) / slices - ticks * k / slices);
        let w = net.weights(syn);
        t_s.push(net.t_ms() / 1000.0);
        mean_w.push(w.iter().sum::<f64>() / w.len() as f64 / g_max);
        let (lo, hi) = fractions(&w, g_max);
        frac_lo.push(lo);
        frac_hi.push(hi);
    }
    let weights = net.weights(syn);
    let (near_zero, near_max) = fractions(&weights, g_max);
    let counts = match net.record(rate) {
        spikeforge::model::network::Record::Rate(r) => r.counts.clone(),
        _ => Vec::new(),
    };
    let tenth = (counts.len() / 10).max(1);
    let hz = |c: &[u32]| c.iter().map(|x| *x as f64).sum::<f64>() / (c.len() as f64 * dt / 1000.0);
    let out = SongOutcome {
        g_max,
        rate_start_hz: hz(&counts[..tenth.min(counts.len())]),
        rate_end_hz: hz(&counts[counts.len().saturating_sub(tenth)..]),
        initial,
        weights,
        near_zero,
        near_max,
    };
    if let Some(dir) = &c.out {
        std::fs::create_dir_all(dir)?;
        let scaled = |w: &[f64]| w.iter().map(|x| x / g_max).collect::<Vec<_>>();
        let tag = if c.arith == Arith::F64 { "" } else { "_fixed" };
        plot_histograms(
            dir.join(format!("song2000_weights{tag}.png")),
            &format!(
                "Song, Miller & Abbott (2000): {} inputs, {} s{}",
                c.inputs,
                c.seconds,
                if c.arith == Arith::F64 {
                    ""
                } else {
                    ", fixed-point twin"
                }
            ),
            &[
                Histogram::of("initial", &scaled(&out.initial), 0.0, 1.0, 40),
                Histogram::of("after STDP", &scaled(&out.weights), 0.0, 1.0, 40),
            ],
            "w / g_max",
            "synapses",
        )?;
        plot_xy(
            dir.join(format!("song2000_evolution{tag}.png")),
            "weight distribution over time",
            &[
                Series::new("mean w / g_max", t_s.clone(), mean_w),
                Series::new("fraction < 0.1 g_max", t_s.clone(), frac_lo),
                Series::new("fraction > 0.9 g_max", t_s, frac_hi),
            ],
            "time (s)",
            "",
            false,
        )?;
    }
    Ok(out)
}

fn fractions(w: &[f64], g_max: f64) -> (f64, f64) {
    let n = w.len().max(1) as f64;
    (
        w.iter().filter(|x| **x < 0.1 * g_max).count() as f64 / n,
        w.iter().filter(|x| **x > 0.9 * g_max).count() as f64 / n,
    )
}

/// `--name VALUE` or the environment variable, parsed.
fn arg<T: std::str::FromStr>(args: &[String], name: &str, env: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var(env).ok())
        .and_then(|v| v.parse().ok())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mut c = SongConfig::default();
    if let Some(s) = arg(&args, "--seconds", "SONG_SECONDS") {
        c.seconds = s;
    }
    if let Some(s) = arg(&args, "--speedup", "SONG_SPEEDUP") {
        c.speedup = s;
    }
    if let Some(s) = arg(&args, "--ratio", "SONG_RATIO") {
        c.ratio = s;
    }
    if let Some(s) = arg(&args, "--gmax", "SONG_GMAX") {
        c.g_max = s;
    }
    if let Some(s) = arg(&args, "--seed", "SONG_SEED") {
        c.seed = s;
    }
    if let Some(o) = arg::<String>(&args, "--out", "SONG_OUT") {
        c.out = Some(PathBuf::from(o));
    }
    if args.iter().any(|a| a == "--fixed") {
        c.arith = Arith::Fixed;
    }
    let t = std::time::Instant::now();
    let o = run(&c)?;
    println!(
        "{} s, {} inputs at {} Hz ({:?}): output rate {:.1} Hz -> {:.1} Hz; mean weight {:.3} -> {:.3} g_max ({:.1} s wall)",
        c.seconds,
        c.inputs,
        c.rate_hz,
        c.arith,
        o.rate_start_hz,
        o.rate_end_hz,
        o.initial.iter().sum::<f64>() / o.initial.len() as f64 / c.g_max,
        o.weights.iter().sum::<f64>() / o.weights.len() as f64 / c.g_max,
        t.elapsed().as_secs_f64()
    );
    if let Some(d) = &c.out {
        println!(
            "plots: {}/song2000_weights*.png, song2000_evolution*.png",
            d.display()
        );
    }
    println!(
        "weights near 0 (< 0.1 g_max): {:.3}; near g_max (> 0.9 g_max): {:.3}; in between: {:.3}",
        o.near_zero,
        o.near_max,
        1.0 - o.near_zero - o.near_max
    );
    Ok(())
}
