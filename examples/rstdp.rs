//! Reward-modulated STDP learns a stimulus-action association (in the style of Izhikevich 2007,
//! "Solving the distal reward problem": eligibility traces bridge the delay to the reward).
//!
//! Two groups of 20 Poisson inputs (stimulus A, stimulus B) project with R-STDP synapses onto two
//! LIF output neurons ("action 0", "action 1") that inhibit each other. Each trial shows A or B
//! (40 Hz in the shown group, the other silent) for 100 ms; the action is the output neuron that
//! fired more. If the action is the right one (A -> 0, B -> 1), dopamine arrives 100-400 ms after
//! the stimulus ended, when the spikes that caused the action are long gone: only their
//! eligibility traces (tau_c = 1 s) remain. Weights start equal, so the first choices are random;
//! the rewarded pairings strengthen, and the network learns the mapping.
//!
//! ```text
//! cargo run --release --example rstdp                       # 300 trials, plots in out/
//! cargo run --release --example rstdp -- --fixed --trials 400
//! RSTDP_TRIALS=150 cargo run --example rstdp                # the CI size
//! ```
//! Prints the fraction of correct actions in the first and the last 50 trials and the mean
//! weights of the four stimulus-action pairs; plots `rstdp.png` (weights and accuracy over trials).
use spikeforge::model::learning::{LearningFixedConfig, RuleSpec};
use spikeforge::model::network::rng::SplitMix64;
use spikeforge::model::network::{
    Arith, Connect, InputGroup, Monitor, NetworkBuilder, NeuronGroup, Plasticity, Projection,
    Values, WeightInit,
};
use spikeforge::model::{FixedConfig, ModelSpec};
use spikeforge::sim::plot::{plot_xy, Series};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct RstdpConfig {
    pub trials: usize,
    pub arith: Arith,
    pub seed: u64,
    pub out: Option<PathBuf>,
}

impl Default for RstdpConfig {
    fn default() -> Self {
        RstdpConfig {
            trials: 300,
            arith: Arith::F64,
            seed: 1,
            out: Some(PathBuf::from("out")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RstdpOutcome {
    /// Per trial: whether the action was right (`None`: no output spike).
    pub correct: Vec<Option<bool>>,
    /// Mean weight of stimulus group `s` onto action `a`: `w[s][a]`, at the end.
    pub w: [[f64; 2]; 2],
    pub w_start: [[f64; 2]; 2],
}

impl RstdpOutcome {
    /// Fraction of right actions among trials `r`.
    pub fn accuracy(&self, r: std::ops::Range<usize>) -> f64 {
        let s = &self.correct[r];
        s.iter().filter(|c| **c == Some(true)).count() as f64 / s.len().max(1) as f64
    }
}

const GROUP: usize = 20;
/// Time from one stimulus onset to the next (ms): long enough for the eligibility of one trial
/// to fade (tau_c = 1 s) before the next trial is rewarded.
const TRIAL_MS: f64 = 3000.0;

pub fn run(c: &RstdpConfig) -> Result<RstdpOutcome, Box<dyn std::error::Error>> {
    let dt = 1.0;
    let mut b = NetworkBuilder::new(dt).seed(c.seed);
    let stim = b.inputs(
        "stimulus",
        2 * GROUP,
        InputGroup::poisson(Values::Const(2.0)),
    )?;
    let mut lif = ModelSpec::new("lif", None)?;
    for (k, v) in [("tau_m", 20.0), ("t_ref", 2.0)] {
        lif.set(k, v)?;
    }
    let act = b.neurons(
        "action",
        2,
        NeuronGroup::new(lif)
            .tau_syn(5.0)
            .fixed(FixedConfig::new("Q8.10".parse()?)),
    )?;
    let mut rule = RuleSpec::new("rstdp", None)?;
    for (k, v) in [
        ("a_plus", 1.0),
        ("a_minus", 0.5),
        ("eta", 0.00002),
        ("w_min", 0.0),
        ("w_max", 1.0),
        ("tau_c", 1000.0),
        ("tau_d", 200.0),
    ] {
        rule.set(k, v)?;
    }
    let mut plastic = Plasticity::new(rule);
    plastic.fixed = Some(LearningFixedConfig::new("Q1.16".parse()?));
    let syn = b.project(
        Projection::new(
            "stimulus->action",
            stim,
            act,
            Connect::Dense { autapses: false },
        )
        .weight(WeightInit::Uniform { lo: 0.4, hi: 0.6 })
        .gain(30.0)
        .plastic(plastic),
    )?;
    b.project(
        Projection::new("inhibition", act, act, Connect::Dense { autapses: false })
            .weight(WeightInit::Const(-200.0)),
    )?;
    // independent background noise of each action neuron (breaks the symmetry of the choice)
    let noise = b.inputs("noise", 2, InputGroup::poisson(Values::Const(100.0)))?;
    b.project(
        Projection::new("noise->action", noise, act, Connect::OneToOne)
            .weight(WeightInit::Const(10.0)),
    )?;
    let mon = b.monitor(Monitor::Spikes { pop: act });
    let mut net = b.build(c.arith)?;
    let pairs = net.synapses(syn);
    let mean_w = |net: &spikeforge::model::network::Network| -> [[f64; 2]; 2] {
        let w = net.weights(syn);
        let mut m = [[0.0; 2]; 2];
        for ((s, a), w) in pairs.iter().zip(&w) {
            m[*s as usize / GROUP][*a as usize] += w / GROUP as f64;
        }
        m
    };
    let w_start = mean_w(&net);
    let mut rng = SplitMix64::new(c.seed ^ 0xABCD);
    let ms = |x: f64| (x / dt).round() as u64;
    let mut correct = Vec::new();
    let (mut trial_x, mut hist) = (
        Vec::new(),
        [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]],
    );
    for t in 0..c.trials {
        let shown = (rng.next_u64() & 1) as usize;
        let rates: Vec<f64> = (0..2 * GROUP)
            .map(|i| if i / GROUP == shown { 40.0 } else { 0.0 })
            .collect();
        net.set_input(stim, &rates)?;
        net.clear_records();
        net.run(ms(100.0));
        let counts = net.spikes(mon).counts(2);
        if std::env::var("RSTDP_DEBUG").is_ok() && t < 5 {
            eprintln!(
                "trial {t}: shown {shown} counts {counts:?} w {:?}",
                mean_w(&net)
            );
        }
        let action = match counts[0].cmp(&counts[1]) {
            std::cmp::Ordering::Greater => Some(0),
            std::cmp::Ordering::Less => Some(1),
            std::cmp::Ordering::Equal => None,
        };
        net.set_input(stim, &[0.0; 2 * GROUP])?;
        let delay = ms(100.0 + 300.0 * rng.uniform());
        net.run(delay);
        let ok = action.map(|a| a == shown);
        if ok == Some(true) {
            net.reward(0.5);
        }
        net.run(ms(TRIAL_MS) - delay);
        correct.push(ok);
        let m = mean_w(&net);
        trial_x.push(t as f64 + 1.0);
        for s in 0..2 {
            for a in 0..2 {
                hist[s][a].push(m[s][a]);
            }
        }
    }
    let out = RstdpOutcome {
        w: mean_w(&net),
        w_start,
        correct,
    };
    if let Some(dir) = &c.out {
        std::fs::create_dir_all(dir)?;
        let win = 20usize;
        let acc: Vec<f64> = (0..out.correct.len())
            .map(|i| out.accuracy(i.saturating_sub(win - 1)..i + 1))
            .collect();
        let tag = if c.arith == Arith::F64 { "" } else { "_fixed" };
        plot_xy(
            dir.join(format!("rstdp{tag}.png")),
            "R-STDP: stimulus-action association (reward 100-400 ms after the choice)",
            &[
                Series::new(
                    "w A -> action 0 (rewarded)",
                    trial_x.clone(),
                    hist[0][0].clone(),
                ),
                Series::new(
                    "w B -> action 1 (rewarded)",
                    trial_x.clone(),
                    hist[1][1].clone(),
                ),
                Series::new("w A -> action 1", trial_x.clone(), hist[0][1].clone()),
                Series::new("w B -> action 0", trial_x.clone(), hist[1][0].clone()),
                Series::new("right actions (last 20 trials)", trial_x, acc),
            ],
            "trial",
            "mean weight / fraction",
            false,
        )?;
    }
    Ok(out)
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str, env: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var(env).ok())
        .and_then(|v| v.parse().ok())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mut c = RstdpConfig::default();
    if let Some(v) = arg(&args, "--trials", "RSTDP_TRIALS") {
        c.trials = v;
    }
    if let Some(v) = arg(&args, "--seed", "RSTDP_SEED") {
        c.seed = v;
    }
    if let Some(v) = arg::<String>(&args, "--out", "RSTDP_OUT") {
        c.out = Some(PathBuf::from(v));
    }
    if args.iter().any(|a| a == "--fixed") {
        c.arith = Arith::Fixed;
    }
    let o = run(&c)?;
    let n = o.correct.len();
    let k = 50.min(n);
    println!(
        "{} trials ({:?}): right actions {:.2} in the first {k}, {:.2} in the last {k}",
        n,
        c.arith,
        o.accuracy(0..k),
        o.accuracy(n - k..n)
    );
    println!(
        "mean weights (start -> end): A->0 {:.3} -> {:.3}, B->1 {:.3} -> {:.3}, A->1 {:.3} -> {:.3}, B->0 {:.3} -> {:.3}",
        o.w_start[0][0], o.w[0][0], o.w_start[1][1], o.w[1][1], o.w_start[0][1], o.w[0][1], o.w_start[1][0], o.w[1][0]
    );
    Ok(())
}
