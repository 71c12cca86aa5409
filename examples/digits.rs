//! Unsupervised digit classification with STDP, in the manner of Diehl & Cook (2015), on the 8x8
//! handwritten digits (data/digits8x8.csv.gz, UCI / scikit-learn; see data/README.md).
//!
//! * Input: 64 Poisson neurons, rate = pixel / 16 * `max_rate` (rate coding), 350 ms per image.
//! * Excitatory layer: LIF neurons with an exponential synaptic current and an adaptive threshold
//!   (`theta += theta_plus` per spike, frozen for labelling and testing), all-to-all plastic input
//!   synapses (pair STDP, weights in `[0, 1]`), the incoming weights of every neuron normalised to
//!   a fixed sum after each image, and lateral inhibition (every neuron inhibits all others).
//! * Between images the state is reset (the "resting" period of the paper); an image that makes
//!   fewer than 5 spikes is shown again with stronger input.
//! * After training, learning stops; each neuron is labelled with the class it responds to most
//!   (on the training images), and a test image is classified by the class whose neurons respond
//!   most on average.
//!
//! ```text
//! cargo run --release --example digits                          # 10 classes, f64
//! cargo run --release --example digits -- --fixed               # the fixed-point twin
//! cargo run --release --example digits -- --digits 0,1          # the binary task
//! cargo run --release --example digits -- --neurons 200 --epochs 2
//! DIGITS_NEURONS=30 DIGITS_TRAIN=300 DIGITS_TEST=150 cargo run --example digits   # CI size
//! ```
//! The last line printed is `test accuracy: 0.XX`.
use spikeforge::model::learning::{LearningFixedConfig, RuleSpec};
use spikeforge::model::network::{
    AdaptiveThreshold, Arith, Connect, InputGroup, Monitor, NetworkBuilder, NeuronGroup,
    Plasticity, Projection, Values, WeightInit,
};
use spikeforge::model::{FixedConfig, ModelSpec};
use std::io::Read;
use std::path::Path;

/// The size and options of a run.
#[derive(Debug, Clone)]
pub struct DigitsConfig {
    pub neurons: usize,
    /// Training images (at most the data minus the test images).
    pub train: usize,
    pub test: usize,
    pub epochs: usize,
    /// Only these digits (empty: all ten).
    pub digits: Vec<u8>,
    pub arith: Arith,
    pub seed: u64,
    pub max_rate_hz: f64,
    pub present_ms: f64,
    pub dt_ms: f64,
    /// Input current per unit weight (nA).
    pub gain: f64,
    /// Weight of the lateral inhibition (nA per spike, negative).
    pub inhibition: f64,
    /// Threshold increase per spike (mV).
    pub theta_plus: f64,
    pub a_plus: f64,
    pub a_minus: f64,
    /// Sum of the incoming weights of every neuron after normalisation.
    pub w_total: f64,
}

impl Default for DigitsConfig {
    fn default() -> Self {
        DigitsConfig {
            neurons: 100,
            train: 1297,
            test: 500,
            epochs: 1,
            digits: Vec::new(),
            arith: Arith::F64,
            seed: 1,
            max_rate_hz: 100.0,
            present_ms: 350.0,
            dt_ms: 0.5,
            gain: 15.0,
            inhibition: -40.0,
            theta_plus: 0.15,
            a_plus: 0.01,
            a_minus: 0.003,
            w_total: 6.4,
        }
    }
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct DigitsOutcome {
    pub train_images: usize,
    pub test_images: usize,
    pub accuracy: f64,
    /// Neurons that got a label (responded to some class).
    pub labelled: usize,
    pub classes: usize,
}

/// An image (64 pixels 0..16, row by row) and its label.
pub type Digit = ([u8; 64], u8);

/// The images and labels of the gzip-compressed CSV.
pub fn load_digits(path: &Path) -> Result<Vec<Digit>, Box<dyn std::error::Error>> {
    let f =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(f).read_to_string(&mut text)?;
    let mut out = Vec::new();
    for (ln, line) in text.lines().enumerate() {
        let v: Vec<u8> = line
            .split(',')
            .map(|x| x.trim().parse::<u8>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{} line {}: {e}", path.display(), ln + 1))?;
        if v.len() != 65 || v[64] > 9 || v[..64].iter().any(|p| *p > 16) {
            return Err(format!(
                "{} line {}: expected 64 pixels 0..16 and a label",
                path.display(),
                ln + 1
            )
            .into());
        }
        let mut img = [0u8; 64];
        img.copy_from_slice(&v[..64]);
        out.push((img, v[64]));
    }
    Ok(out)
}

/// The data set shipped with the repository.
pub fn data_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/digits8x8.csv.gz")
}

fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut g = spikeforge::model::network::rng::SplitMix64::new(seed);
    for i in (1..v.len()).rev() {
        let j = g.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

pub fn run(c: &DigitsConfig) -> Result<DigitsOutcome, Box<dyn std::error::Error>> {
    let mut data = load_digits(&data_path())?;
    if !c.digits.is_empty() {
        data.retain(|(_, l)| c.digits.contains(l));
    }
    shuffle(&mut data, 12345);
    let n_test = c.test.min(data.len() / 3);
    let (test, rest) = data.split_at(n_test);
    let train = &rest[..c.train.min(rest.len())];
    let classes: Vec<u8> = if c.digits.is_empty() {
        (0..10).collect()
    } else {
        c.digits.clone()
    };

    // the network
    let dt = c.dt_ms;
    let mut b = NetworkBuilder::new(dt).seed(c.seed);
    let inp = b.inputs("input", 64, InputGroup::poisson(Values::Const(0.0)))?;
    let mut lif = ModelSpec::new("lif", None)?;
    for (k, v) in [
        ("tau_m", 20.0),
        ("v_rest", -65.0),
        ("v_reset", -65.0),
        ("v_th", -52.0),
        ("t_ref", 5.0),
        ("R", 1.0),
    ] {
        lif.set(k, v)?;
    }
    let exc = b.neurons(
        "exc",
        c.neurons,
        NeuronGroup::new(lif)
            .tau_syn(5.0)
            .adaptive(AdaptiveThreshold {
                theta_plus: c.theta_plus,
                tau_theta_ms: None,
            })
            .fixed(FixedConfig::new("Q8.10".parse()?)),
    )?;
    let mut rule = RuleSpec::new("pair", None)?;
    for (k, v) in [
        ("a_plus", c.a_plus),
        ("a_minus", c.a_minus),
        ("tau_plus", 20.0),
        ("tau_minus", 20.0),
        ("w_min", 0.0),
        ("w_max", 1.0),
    ] {
        rule.set(k, v)?;
    }
    let mut plastic = Plasticity::new(rule);
    plastic.fixed = Some(LearningFixedConfig::new("UQ1.15".parse()?));
    let w_in = b.project(
        Projection::new("input->exc", inp, exc, Connect::Dense { autapses: false })
            .weight(WeightInit::Uniform { lo: 0.0, hi: 0.3 })
            .gain(c.gain)
            .plastic(plastic),
    )?;
    b.project(
        Projection::new("lateral", exc, exc, Connect::Dense { autapses: false })
            .weight(WeightInit::Const(c.inhibition)),
    )?;
    let mon = b.monitor(Monitor::Spikes { pop: exc });
    let mut net = b.build(c.arith)?;
    let w_total = c.w_total;
    net.normalize_incoming(w_in, w_total);
    let ticks = (c.present_ms / dt).round() as u64;

    // one presentation: the spike counts of the excitatory neurons
    let present = |net: &mut spikeforge::model::network::Network,
                   img: &[u8; 64],
                   learn: bool|
     -> Result<Vec<u32>, Box<dyn std::error::Error>> {
        net.set_learning(learn);
        let mut boost = 1.0;
        loop {
            let rates: Vec<f64> = img
                .iter()
                .map(|p| *p as f64 / 16.0 * c.max_rate_hz * boost)
                .collect();
            net.set_input(inp, &rates)?;
            net.clear_records();
            net.run(ticks);
            let counts = net.spikes(mon).counts(c.neurons);
            net.reset_state();
            if learn {
                net.normalize_incoming(w_in, w_total);
            }
            if counts.iter().sum::<u32>() >= 5 || boost >= 4.0 {
                return Ok(counts);
            }
            boost += 0.5;
        }
    };

    let debug = std::env::var("DIGITS_DEBUG").is_ok();
    for _ in 0..c.epochs {
        let mut tot = 0u64;
        for (k, (img, _)) in train.iter().enumerate() {
            let cnt = present(&mut net, img, true)?;
            tot += cnt.iter().map(|x| *x as u64).sum::<u64>();
            if debug && (k + 1) % 200 == 0 {
                let th = net.state(exc, "theta")?;
                let winners = cnt.iter().filter(|x| **x > 0).count();
                eprintln!(
                    "image {}: mean spikes {:.1}, last: {} neurons fired, theta {:.2}..{:.2}",
                    k + 1,
                    tot as f64 / 200.0,
                    winners,
                    th.iter().cloned().fold(f64::INFINITY, f64::min),
                    th.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                );
                tot = 0;
            }
        }
    }
    // label the neurons
    let mut resp = vec![vec![0.0f64; classes.len()]; c.neurons];
    let mut per_class = vec![0usize; classes.len()];
    for (img, l) in train {
        let k = classes.iter().position(|x| x == l).expect("filtered");
        per_class[k] += 1;
        let counts = present(&mut net, img, false)?;
        for (n, cnt) in counts.iter().enumerate() {
            resp[n][k] += *cnt as f64;
        }
    }
    let labels: Vec<Option<usize>> = resp
        .iter()
        .map(|r| {
            let avg: Vec<f64> = r
                .iter()
                .zip(&per_class)
                .map(|(s, n)| s / (*n).max(1) as f64)
                .collect();
            let (best, v) =
                avg.iter()
                    .enumerate()
                    .fold((0, -1.0), |a, (i, v)| if *v > a.1 { (i, *v) } else { a });
            (v > 0.0).then_some(best)
        })
        .collect();
    // test
    let mut correct = 0;
    for (img, l) in test {
        let counts = present(&mut net, img, false)?;
        let mut score = vec![0.0f64; classes.len()];
        let mut members = vec![0usize; classes.len()];
        for (n, lab) in labels.iter().enumerate() {
            if let Some(k) = lab {
                score[*k] += counts[n] as f64;
                members[*k] += 1;
            }
        }
        let pred = score
            .iter()
            .zip(&members)
            .map(|(s, m)| if *m > 0 { s / *m as f64 } else { -1.0 })
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |a, (i, v)| if v > a.1 { (i, v) } else { a },
            )
            .0;
        if classes[pred] == *l {
            correct += 1;
        }
    }
    Ok(DigitsOutcome {
        train_images: train.len(),
        test_images: test.len(),
        accuracy: correct as f64 / test.len().max(1) as f64,
        labelled: labels.iter().filter(|l| l.is_some()).count(),
        classes: classes.len(),
    })
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
    let mut c = DigitsConfig::default();
    if let Some(v) = arg(&args, "--neurons", "DIGITS_NEURONS") {
        c.neurons = v;
    }
    if let Some(v) = arg(&args, "--train", "DIGITS_TRAIN") {
        c.train = v;
    }
    if let Some(v) = arg(&args, "--test", "DIGITS_TEST") {
        c.test = v;
    }
    if let Some(v) = arg(&args, "--epochs", "DIGITS_EPOCHS") {
        c.epochs = v;
    }
    if let Some(v) = arg(&args, "--seed", "DIGITS_SEED") {
        c.seed = v;
    }
    if let Some(v) = arg::<String>(&args, "--digits", "DIGITS_CLASSES") {
        c.digits = v
            .split(',')
            .map(|d| d.trim().parse::<u8>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("--digits {v}: {e}"))?;
    }
    if let Some(v) = arg(&args, "--gain", "DIGITS_GAIN") {
        c.gain = v;
    }
    if let Some(v) = arg(&args, "--inhibition", "DIGITS_INHIBITION") {
        c.inhibition = v;
    }
    if let Some(v) = arg(&args, "--theta-plus", "DIGITS_THETA_PLUS") {
        c.theta_plus = v;
    }
    if let Some(v) = arg(&args, "--a-plus", "DIGITS_A_PLUS") {
        c.a_plus = v;
    }
    if let Some(v) = arg(&args, "--a-minus", "DIGITS_A_MINUS") {
        c.a_minus = v;
    }
    if let Some(v) = arg(&args, "--w-total", "DIGITS_W_TOTAL") {
        c.w_total = v;
    }
    if let Some(v) = arg(&args, "--max-rate", "DIGITS_MAX_RATE") {
        c.max_rate_hz = v;
    }
    if let Some(v) = arg(&args, "--present", "DIGITS_PRESENT_MS") {
        c.present_ms = v;
    }
    if args.iter().any(|a| a == "--fixed") || std::env::var("DIGITS_FIXED").is_ok() {
        c.arith = Arith::Fixed;
    }
    let t = std::time::Instant::now();
    let o = run(&c)?;
    println!(
        "{} classes, {} excitatory neurons ({} labelled), {} training images x {} epoch(s), {} test images, {:?}, {:.1} s",
        o.classes,
        c.neurons,
        o.labelled,
        o.train_images,
        c.epochs,
        o.test_images,
        c.arith,
        t.elapsed().as_secs_f64()
    );
    println!("test accuracy: {:.2}", o.accuracy);
    Ok(())
}
