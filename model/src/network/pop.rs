//! Populations: what a user describes ([`NeuronGroup`], [`InputGroup`]) and the per-thread chunks
//! the simulator steps (crate-private), with one monomorphised kernel per model kind.
//!
//! # Neuron input (the current of one tick)
//! `I = bias + stimulus(t) + S`, where `S` is the synaptic input: without a synaptic time constant
//! `S` is the sum of the weights delivered in this tick (a current pulse lasting one tick); with
//! `tau_syn`, `S` is a current state `I_syn <- I_syn * exp(-dt / tau_syn) + delivered` (an
//! exponentially decaying current-based synapse), updated every tick (also while the neuron is
//! refractory; the refractory neuron itself ignores its input, its state is held).
//!
//! Fixed-point populations hold the bias, the stimulus value, the delivered weights and `I_syn` as
//! raw integers with the fraction bits of the twin's input word: delivered weights are summed in 64
//! bits; `I_syn` is stored saturating into the input format and decays by the same word arithmetic
//! as the learning twins' traces ([`crate::learning::fixed::Decay`], multiply by the quantised
//! `exp(-dt / tau_syn)`); the sum `I` is saturated into the input format before the twin's `step`.
//!
//! # Adaptive threshold (LIF only; Diehl & Cook 2015)
//! `v > v_th + theta`; after the test, `theta <- theta * exp(-dt / tau_theta) + theta_plus *
//! [fired]` while learning is on (no decay when `tau_theta` is not set). The fixed twin holds
//! `theta` in the membrane format (saturating) and decays it like `I_syn`.
use super::rng::{draw, threshold, SplitMix64};
use super::NetworkError;
use crate::fixed::QFormat;
use crate::learning::fixed::Decay;
use crate::learning::DecayKind;
use crate::neuron::{
    adex, fhn, hasler, integrate, izhikevich, leaky, lif, lif::refractory_steps, morris_lecar,
    nullcline, FixedNeuron, Method, Neuron, MAX_STATE,
};
use crate::quant::{FixedConfig, MulVariant};
use crate::registry::{FixedModel, ModelSpec};
use crate::stimulus::Stimulus;

/// Per-neuron values of a population: one value, an even spread, seeded uniform draws, or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Const(f64),
    /// Evenly spread: neuron `i` of `n` gets `from + (to - from) i / (n - 1)`.
    Linear {
        from: f64,
        to: f64,
    },
    /// Uniform in `[lo, hi)`, drawn from the network seed.
    Uniform {
        lo: f64,
        hi: f64,
    },
    List(Vec<f64>),
}

impl Default for Values {
    fn default() -> Self {
        Values::Const(0.0)
    }
}

impl Values {
    /// The `n` values; `what` names them in errors.
    pub(crate) fn expand(
        &self,
        n: usize,
        rng: &mut SplitMix64,
        what: &str,
    ) -> Result<Vec<f64>, NetworkError> {
        let v = match self {
            Values::Const(c) => vec![*c; n],
            Values::Linear { from, to } => (0..n)
                .map(|i| {
                    if n < 2 {
                        *from
                    } else {
                        from + (to - from) * i as f64 / (n - 1) as f64
                    }
                })
                .collect(),
            Values::Uniform { lo, hi } => (0..n).map(|_| lo + (hi - lo) * rng.uniform()).collect(),
            Values::List(l) => {
                if l.len() != n {
                    return Err(NetworkError::BadValue {
                        place: what.to_string(),
                        why: format!("{} values given for {n} neurons", l.len()),
                    });
                }
                l.clone()
            }
        };
        if let Some(x) = v.iter().find(|x| !x.is_finite()) {
            return Err(NetworkError::BadValue {
                place: what.to_string(),
                why: format!("{x} is not a finite number"),
            });
        }
        Ok(v)
    }
}

/// The adaptive threshold of Diehl & Cook (2015), for LIF populations (module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveThreshold {
    /// Increase of `theta` at every spike (mV).
    pub theta_plus: f64,
    /// Decay time constant of `theta` (ms); `None`: no decay.
    pub tau_theta_ms: Option<f64>,
}

/// A population of neurons of one model.
#[derive(Debug, Clone)]
pub struct NeuronGroup {
    pub model: ModelSpec,
    /// Integration method of the f64 model (default: the model's); for the LIF twin it picks the
    /// leak coefficient (exact or Euler).
    pub method: Option<Method>,
    /// Constant input current per neuron, in the model's input unit.
    pub bias: Values,
    /// A time course added to every neuron's input (the stimulus grammar of `simulate`).
    pub stimulus: Option<Stimulus>,
    /// Synaptic current time constant (ms); `None`: delivered weights last one tick.
    pub tau_syn_ms: Option<f64>,
    pub adaptive: Option<AdaptiveThreshold>,
    /// Word formats of the fixed twin (default: the model's default membrane format).
    pub fixed: Option<FixedConfig>,
    /// Initial value of the first state variable (membrane), default the model's.
    pub init_v: Option<Values>,
}

impl NeuronGroup {
    /// A group with the model's defaults: no bias, no synaptic time constant.
    pub fn new(model: ModelSpec) -> Self {
        NeuronGroup {
            model,
            method: None,
            bias: Values::Const(0.0),
            stimulus: None,
            tau_syn_ms: None,
            adaptive: None,
            fixed: None,
            init_v: None,
        }
    }
    pub fn bias(mut self, b: Values) -> Self {
        self.bias = b;
        self
    }
    pub fn method(mut self, m: Method) -> Self {
        self.method = Some(m);
        self
    }
    pub fn stimulus(mut self, s: Stimulus) -> Self {
        self.stimulus = Some(s);
        self
    }
    pub fn tau_syn(mut self, tau_ms: f64) -> Self {
        self.tau_syn_ms = Some(tau_ms);
        self
    }
    pub fn adaptive(mut self, a: AdaptiveThreshold) -> Self {
        self.adaptive = Some(a);
        self
    }
    pub fn fixed(mut self, cfg: FixedConfig) -> Self {
        self.fixed = Some(cfg);
        self
    }
    pub fn init_v(mut self, v: Values) -> Self {
        self.init_v = Some(v);
        self
    }
}

/// How an input population turns its values into spikes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Encoder {
    /// Value = rate (Hz): a spike in a tick with probability `rate dt` (counter-based seeded draws).
    Poisson,
    /// Value = rate (Hz): regular spikes from a 32.32 fixed-point phase accumulator (first spike
    /// after one period).
    Regular,
    /// Value = intensity in `[0, 1]`: one spike `round((1 - x) window / dt)` ticks after the
    /// values were set (or the state reset); `x <= 0` gives no spike.
    Latency { window_ms: f64 },
    /// Spikes at given ticks ([`crate::network::Network::schedule_spikes`]); values are unused.
    Generator,
}

/// A population of spike sources.
#[derive(Debug, Clone, PartialEq)]
pub struct InputGroup {
    pub encoder: Encoder,
    /// Rates (Hz) or intensities, see [`Encoder`].
    pub values: Values,
}

impl InputGroup {
    pub fn poisson(rates_hz: Values) -> Self {
        InputGroup {
            encoder: Encoder::Poisson,
            values: rates_hz,
        }
    }
    pub fn regular(rates_hz: Values) -> Self {
        InputGroup {
            encoder: Encoder::Regular,
            values: rates_hz,
        }
    }
    pub fn latency(intensities: Values, window_ms: f64) -> Self {
        InputGroup {
            encoder: Encoder::Latency { window_ms },
            values: intensities,
        }
    }
    pub fn generator() -> Self {
        InputGroup {
            encoder: Encoder::Generator,
            values: Values::Const(0.0),
        }
    }
}

/// What a population is.
#[derive(Debug, Clone)]
pub enum PopKind {
    Neurons(Box<NeuronGroup>),
    Input(InputGroup),
}

// ------------------------------------------------------------------------------------------------
// Chunks (crate-private): the neurons `lo .. lo + n` of a population, owned by one thread.

/// The spikes of one chunk in one tick: `idx[..len]` (global neuron indices, ascending).
#[derive(Debug, Clone, Default)]
pub(crate) struct SpikeBuf {
    pub idx: Vec<u32>,
    pub len: usize,
}

impl SpikeBuf {
    pub fn with_capacity(n: usize) -> Self {
        SpikeBuf {
            idx: vec![0; n],
            len: 0,
        }
    }
    #[inline]
    pub fn spikes(&self) -> &[u32] {
        &self.idx[..self.len]
    }
}

/// The f64 models (static dispatch: the kernel is monomorphised per model).
#[derive(Debug, Clone)]
pub(crate) enum F64Model {
    Lif(lif::Lif),
    Leaky(leaky::Leaky),
    Izhikevich(izhikevich::Izhikevich),
    Adex(adex::Adex),
    Fhn(fhn::Fhn),
    MorrisLecar(morris_lecar::MorrisLecar),
    Hasler(hasler::Hasler),
    Nullcline(nullcline::Nullcline),
}

macro_rules! with_f64_model {
    ($m:expr, $n:ident => $body:expr) => {
        match $m {
            F64Model::Lif($n) => $body,
            F64Model::Leaky($n) => $body,
            F64Model::Izhikevich($n) => $body,
            F64Model::Adex($n) => $body,
            F64Model::Fhn($n) => $body,
            F64Model::MorrisLecar($n) => $body,
            F64Model::Hasler($n) => $body,
            F64Model::Nullcline($n) => $body,
        }
    };
}

macro_rules! with_fixed_model {
    ($m:expr, $n:ident => $body:expr) => {
        match $m {
            FixedModel::Lif($n) => $body,
            FixedModel::Leaky($n) => $body,
            FixedModel::Izhikevich($n) => $body,
            FixedModel::Adex($n) => $body,
            FixedModel::Fhn($n) => $body,
            FixedModel::MorrisLecar($n) => $body,
            FixedModel::Hasler($n) => $body,
            FixedModel::Nullcline($n) => $body,
        }
    };
}

impl F64Model {
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, crate::ModelError> {
        let p = &spec.params;
        Ok(match spec.info.name {
            lif::NAME => F64Model::Lif(lif::Lif::from_table(p)?),
            leaky::NAME => F64Model::Leaky(leaky::Leaky::from_table(p)?),
            izhikevich::NAME => F64Model::Izhikevich(izhikevich::Izhikevich::from_table(p)?),
            adex::NAME => F64Model::Adex(adex::Adex::from_table(p)?),
            fhn::NAME => F64Model::Fhn(fhn::Fhn::from_table(p)?),
            morris_lecar::NAME => F64Model::MorrisLecar(morris_lecar::MorrisLecar::from_table(p)?),
            hasler::NAME => F64Model::Hasler(hasler::Hasler::from_table(p)?),
            nullcline::NAME => F64Model::Nullcline(nullcline::Nullcline::from_table(p)?),
            other => {
                return Err(crate::ModelError::Other(format!(
                    "model {other} is not available in networks"
                )))
            }
        })
    }
    pub fn neuron(&self) -> &dyn Neuron {
        with_f64_model!(self, m => m)
    }
}

/// Constants of the f64 LIF kernel (bit-identical to [`lif::Lif`] with the runner's refractoriness).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LifK {
    pub v_rest: f64,
    pub v_reset: f64,
    pub v_th: f64,
    pub r: f64,
    pub tau: f64,
    pub dt: f64,
    /// `exp(-dt / tau_m)` (exact integration).
    pub e: f64,
    pub exact: bool,
    pub ref_steps: u32,
}

/// Constants of the 64-bit fixed LIF kernel, bit-identical to [`lif::LifFixed::step`]. It holds
/// the membrane in 32 bits and forms the products of 32-bit words in 64 bits, so it applies when
/// the membrane has at most 30 bits, the input and both coefficients at most 31 and the aligned
/// sum fits 62 bits ([`LifIK::new`]); other formats run the twin's own (128-bit) `step`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LifIK {
    pub v_rest: i32,
    pub v_reset: i32,
    pub v_th: i32,
    pub k: i32,
    pub k_in: i32,
    pub sl: u32,
    pub sd: u32,
    pub sh: u32,
    pub half: i64,
    pub vmin: i32,
    pub vmax: i32,
    pub ref_steps: u32,
    /// Every intermediate is an integer below 2^53, so the f64-lane kernel computes it exactly.
    pub f64_exact: bool,
    pub f: LifFK,
}

/// The constants of [`LifIK`] as f64 (exact integers and powers of two).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LifFK {
    pub v_rest: f64,
    pub v_reset: f64,
    pub v_th: f64,
    /// `k 2^sl`, `k_in 2^sd` (exact), `2^-sh`.
    pub kl: f64,
    pub kd: f64,
    pub ph: f64,
    pub half: f64,
    pub vmin: f64,
    pub vmax: f64,
    pub in_min: f64,
    pub in_max: f64,
}

fn bits(x: i64) -> u32 {
    64 - x.unsigned_abs().leading_zeros()
}

impl LifIK {
    /// The 64-bit kernel of `m`, if its words are narrow enough (type doc).
    pub fn new(m: &lif::LifFixed) -> Option<Self> {
        let c = m.k.fmt.frac_bits;
        let f = m.fmt_v.frac_bits;
        let fi = m.fmt_in.frac_bits;
        let facc = f.max(fi) + c;
        let sl = facc - (f + c);
        let sd = facc - (fi + c);
        let sh = facc - f;
        let leak_bits = m.fmt_v.width() + 1 + bits(m.k.raw) + sl;
        let drive_bits = m.fmt_in.width() + bits(m.k_in.raw) + sd;
        if leak_bits.max(drive_bits) + 2 > 62
            || m.fmt_v.width() > 30
            || m.fmt_in.width() > 31
            || bits(m.k.raw) > 30
            || bits(m.k_in.raw) > 30
            || sh > 62
        {
            return None;
        }
        let half = if sh == 0 { 0 } else { 1i64 << (sh - 1) };
        Some(LifIK {
            f64_exact: leak_bits.max(drive_bits) <= 51,
            f: LifFK {
                v_rest: m.v_rest as f64,
                v_reset: m.v_reset as f64,
                v_th: m.v_th as f64,
                kl: m.k.raw as f64 * (sl as f64).exp2(),
                kd: m.k_in.raw as f64 * (sd as f64).exp2(),
                ph: (-(sh as f64)).exp2(),
                half: half as f64,
                vmin: m.fmt_v.min_raw() as f64,
                vmax: m.fmt_v.max_raw() as f64,
                in_min: m.fmt_in.min_raw() as f64,
                in_max: m.fmt_in.max_raw() as f64,
            },
            v_rest: m.v_rest as i32,
            v_reset: m.v_reset as i32,
            v_th: m.v_th as i32,
            k: m.k.raw as i32,
            k_in: m.k_in.raw as i32,
            sl,
            sd,
            sh,
            half,
            vmin: m.fmt_v.min_raw() as i32,
            vmax: m.fmt_v.max_raw() as i32,
            ref_steps: m.ref_steps,
        })
    }
}

/// Decay of a raw word by one tick: the [`Decay::Mul`] of the learning twins (the same word
/// arithmetic for synaptic currents and adaptive thresholds as for traces).
#[derive(Debug, Clone)]
pub(crate) struct DecayI(Decay);

impl DecayI {
    pub fn new(name: &'static str, tau_ms: f64, dt_ms: f64, frac: u32) -> Result<Self, String> {
        Decay::new(name, tau_ms, dt_ms, DecayKind::Mul, frac, MulVariant::Exact)
            .map(DecayI)
            .map_err(|e| e.to_string())
    }
    #[inline]
    pub fn apply(&self, x: i64) -> i64 {
        self.0.apply(x)
    }
}

/// The input side of an f64 chunk.
#[derive(Debug, Clone)]
pub(crate) struct DriveF {
    pub bias: Vec<f64>,
    pub isyn: Vec<f64>,
    /// Delivered weights, `ring[slot * n + i]` (empty when nothing projects here).
    pub ring: Vec<f64>,
    pub depth: usize,
    /// `exp(-dt / tau_syn)`.
    pub k_syn: Option<f64>,
    pub stimulus: Option<Stimulus>,
}

/// The input side of a fixed chunk (raw words with the input format's fraction bits).
#[derive(Debug, Clone)]
pub(crate) struct DriveI {
    pub bias: Vec<i64>,
    /// `bias` as f64 (exact: the words have at most 31 bits), for the f64-lane LIF kernel.
    pub bias_f: Vec<f64>,
    /// The LIF kernel's constant-input term from `bias_f` (computed on first use; emptied when
    /// the bias changes).
    pub const_c: Vec<f64>,
    pub isyn: Vec<i64>,
    pub ring: Vec<i64>,
    pub depth: usize,
    pub decay: Option<DecayI>,
    pub stimulus: Option<Stimulus>,
    pub fmt_in: QFormat,
    pub in_min: i64,
    pub in_max: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct AdaptF {
    pub theta: Vec<f64>,
    pub plus: f64,
    pub k: Option<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct AdaptI {
    pub theta: Vec<i64>,
    pub plus: i64,
    pub decay: Option<DecayI>,
}

#[derive(Debug, Clone)]
pub(crate) struct InputChunk {
    pub encoder: Encoder,
    pub key: u64,
    /// Poisson: 64-bit thresholds; Regular: phase increments (32.32); Latency: spike tick.
    pub param: Vec<u64>,
    /// Regular: phase accumulators.
    pub phase: Vec<u64>,
    /// Generator: scheduled `(tick, neuron)` events of this chunk, sorted, and the next one.
    pub events: Vec<(u64, u32)>,
    pub cursor: usize,
    pub values: Vec<f64>,
    pub dt: f64,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    LifF {
        k: LifK,
        v: Vec<f64>,
        refc: Vec<u32>,
        adapt: Option<AdaptF>,
        drive: DriveF,
    },
    GenF {
        m: F64Model,
        method: Method,
        dt: f64,
        ref_steps: u32,
        has_ref: bool,
        discrete: bool,
        x: Vec<[f64; MAX_STATE]>,
        refc: Vec<u32>,
        drive: DriveF,
    },
    LifI {
        k: LifIK,
        m: lif::LifFixed,
        /// Raw membrane words held as f64 (exact: at most 30 bits).
        v: Vec<f64>,
        refc: Vec<u32>,
        adapt: Option<AdaptI>,
        drive: DriveI,
    },
    GenI {
        m: FixedModel,
        x: Vec<[i64; MAX_STATE]>,
        drive: DriveI,
    },
    Input(InputChunk),
}

/// The neurons `lo .. lo + n` of one population.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    pub lo: usize,
    pub n: usize,
    pub body: Body,
    /// The initial state (for [`Chunk::reset`]).
    pub init: Body,
}

/// Synaptic input mode of a kernel: none, one-tick pulses, or exponential current.
const SYN_NONE: u8 = 0;
const SYN_PULSE: u8 = 1;
const SYN_EXP: u8 = 2;

/// The slice of the ring for `slot` (slot-major layout: `ring[slot * n + i]`), or an empty slice.
#[inline(always)]
fn ring_slot<T>(ring: &mut [T], slot: usize, n: usize) -> &mut [T] {
    if ring.is_empty() {
        &mut ring[..0]
    } else {
        &mut ring[slot * n..(slot + 1) * n]
    }
}

/// Neurons per block of the LIF kernels: a block is updated by a vectorised pass that sets one
/// flag per neuron, then its spikes are collected (blocks without a spike are skipped at once).
const BLOCK: usize = 64;

/// `x[r]`, or `x` itself when it is empty (an unused input of a kernel variant).
#[inline(always)]
fn sub<T>(x: &mut [T], r: std::ops::Range<usize>) -> &mut [T] {
    if x.is_empty() {
        x
    } else {
        &mut x[r]
    }
}

/// Run the pass `$pass(range, flags)` over blocks of `$n` neurons and collect the indices
/// (`$lo + i`) of the flagged ones into `$out`; evaluates to their number. A macro, not a function
/// taking a closure, so that everything is compiled into the caller (with its target features).
macro_rules! blocked {
    ($n:expr, $lo:expr, $out:expr, |$r:ident, $f:ident| $pass:expr) => {{
        let n: usize = $n;
        let lo: u32 = $lo;
        let out: &mut [u32] = $out;
        let mut flags = [0u32; BLOCK];
        let mut cnt = 0;
        let mut b = 0;
        while b < n {
            let e = (b + BLOCK).min(n);
            let $f = &mut flags[..e - b];
            let $r = b..e;
            $pass;
            let f = &flags[..e - b];
            if f.iter().fold(0, |a, x| a | x) != 0 {
                for (j, x) in f.iter().enumerate() {
                    out[cnt] = lo + (b + j) as u32;
                    cnt += *x as usize;
                }
            }
            b = e;
        }
        cnt
    }};
}

/// Pass 1 of the f64 LIF kernel: update every neuron of the chunk, set `flags[i]` for those that
/// fired. Branch-free, so the compiler vectorises it.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_f64_pass<const SYN: u8, const EXACT: bool, const ADAPT: bool>(
    k: &LifK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [f64],
    th_plus: f64,
    th_k: f64,
    bias: &[f64],
    isyn: &mut [f64],
    ring: &mut [f64],
    ks: f64,
    ext: f64,
    flags: &mut [u32],
) {
    let n = v.len();
    let (refc, bias, flags) = (&mut refc[..n], &bias[..n], &mut flags[..n]);
    let isyn = if SYN == SYN_EXP {
        &mut isyn[..n]
    } else {
        &mut isyn[..0]
    };
    let ring = if SYN == SYN_NONE {
        &mut ring[..0]
    } else {
        &mut ring[..n]
    };
    let theta = if ADAPT {
        &mut theta[..n]
    } else {
        &mut theta[..0]
    };
    for i in 0..n {
        let mut inp = bias[i] + ext;
        if SYN == SYN_PULSE {
            inp += ring[i];
            ring[i] = 0.0;
        } else if SYN == SYN_EXP {
            let s = isyn[i] * ks + ring[i];
            ring[i] = 0.0;
            isyn[i] = s;
            inp += s;
        }
        let x = v[i];
        let nv = if EXACT {
            let vinf = k.v_rest + k.r * inp;
            vinf + (x - vinf) * k.e
        } else {
            x + k.dt * ((k.v_rest - x + k.r * inp) / k.tau)
        };
        let th = if ADAPT { k.v_th + theta[i] } else { k.v_th };
        let r = refc[i];
        let active = r == 0;
        let fire = active & (nv > th);
        // a refractory neuron holds v_reset (it was reset when it fired), so no masked store
        v[i] = if active & !fire { nv } else { k.v_reset };
        refc[i] = if fire {
            k.ref_steps
        } else {
            r.saturating_sub(1)
        };
        if ADAPT {
            let t = theta[i] * th_k;
            theta[i] = if fire { t + th_plus } else { t };
        }
        flags[i] = fire as u32;
    }
}

/// Pass 1 of the 64-bit fixed LIF kernel (see [`LifIK`]).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_fixed_pass<const SYN: u8, const ADAPT: bool>(
    k: &LifIK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [i64],
    th_plus: i64,
    th_decay: Option<&DecayI>,
    bias: &[i64],
    isyn: &mut [i64],
    ring: &mut [i64],
    decay: Option<&DecayI>,
    in_min: i64,
    in_max: i64,
    ext: i64,
    flags: &mut [u32],
) {
    let n = v.len();
    let (refc, bias, flags) = (&mut refc[..n], &bias[..n], &mut flags[..n]);
    let isyn = if SYN == SYN_EXP {
        &mut isyn[..n]
    } else {
        &mut isyn[..0]
    };
    let ring = if SYN == SYN_NONE {
        &mut ring[..0]
    } else {
        &mut ring[..n]
    };
    let theta = if ADAPT {
        &mut theta[..n]
    } else {
        &mut theta[..0]
    };
    let (kk, kin) = (k.k as i64, k.k_in as i64);
    for i in 0..n {
        let mut inp = bias[i] + ext;
        if SYN == SYN_PULSE {
            inp += ring[i];
            ring[i] = 0;
        } else if SYN == SYN_EXP {
            let dec = match decay {
                Some(dk) => dk.apply(isyn[i]),
                None => isyn[i],
            };
            let s = (dec + ring[i]).clamp(in_min, in_max);
            ring[i] = 0;
            isyn[i] = s;
            inp += s;
        }
        let inp = inp.clamp(in_min, in_max) as i32;
        let x = v[i] as i32;
        let d0 = k.v_rest - x; // W+1 <= 31 bits
        let acc = ((d0 as i64 * kk) << k.sl) + ((inp as i64 * kin) << k.sd); // exact, < 2^62
        let dv = (acc + k.half) >> k.sh; // round half-up
        let nv = (x as i64 + dv).clamp(k.vmin as i64, k.vmax as i64) as i32;
        let th = if ADAPT {
            (k.v_th as i64 + theta[i]).clamp(k.vmin as i64, k.vmax as i64)
        } else {
            k.v_th as i64
        };
        let r = refc[i];
        let active = r == 0;
        let fire = active & (nv as i64 > th);
        // a refractory neuron holds v_reset (it was reset when it fired), so no masked store
        v[i] = if active & !fire { nv } else { k.v_reset } as f64;
        refc[i] = if fire {
            k.ref_steps
        } else {
            r.saturating_sub(1)
        };
        if ADAPT {
            let t = match th_decay {
                Some(dk) => dk.apply(theta[i]),
                None => theta[i],
            };
            theta[i] = if fire {
                (t + th_plus).clamp(k.vmin as i64, k.vmax as i64)
            } else {
                t
            };
        }
        flags[i] = fire as u32;
    }
}

/// The loop-invariant part of the fixed LIF update for constant inputs:
/// `v_rest k << sl + I k_in << sd + half` (exact integers in f64, see [`lif_fixed_f64_pass`]).
fn const_drive(k: &LifFK, bias_f: &[f64]) -> Vec<f64> {
    bias_f
        .iter()
        .map(|b| k.v_rest * k.kl + b * k.kd + k.half)
        .collect()
}

/// Pass 1 of the fixed LIF kernel in f64 lanes, for formats where every intermediate of
/// [`lif_fixed_pass`] is an integer below 2^53 ([`LifIK::f64_exact`]): products of integers,
/// scaling by powers of two, `floor` and `min`/`max` are then exact in f64, so the raw words are
/// the same, bit for bit, and the loop vectorises like the f64 model's. With `CONST` (a constant
/// input: bias only), `bias_f` holds the loop-invariant part of the sum ([`const_drive`]).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_fixed_f64_pass<const SYN: u8, const CONST: bool>(
    k: &LifFK,
    ref_steps: u32,
    v: &mut [f64],
    refc: &mut [u32],
    bias_f: &[f64],
    ring: &mut [i64],
    ext: f64,
    flags: &mut [u32],
) {
    let n = v.len();
    let (refc, bias_f, flags) = (&mut refc[..n], &bias_f[..n], &mut flags[..n]);
    let ring = if SYN == SYN_NONE {
        &mut ring[..0]
    } else {
        &mut ring[..n]
    };
    for i in 0..n {
        let x = v[i];
        // acc = (v_rest - v) k << sl + I k_in << sd, plus half an LSB of the result
        let acc = if CONST {
            // `bias_f` holds v_rest k << sl + I k_in << sd + half for a constant input
            bias_f[i] - x * k.kl
        } else {
            let mut inp = bias_f[i] + ext;
            if SYN == SYN_PULSE {
                inp += ring[i] as f64;
                ring[i] = 0;
            }
            let inp = clamp_f(inp, k.in_min, k.in_max);
            (k.v_rest - x) * k.kl + inp * k.kd + k.half
        };
        let dv = (acc * k.ph).floor(); // round half-up, >> sh
        let nv = clamp_f(x + dv, k.vmin, k.vmax);
        let r = refc[i];
        let active = r == 0;
        let fire = active & (nv > k.v_th);
        v[i] = if active & !fire { nv } else { k.v_reset };
        refc[i] = if fire { ref_steps } else { r.saturating_sub(1) };
        flags[i] = fire as u32;
    }
}

/// `x` clamped to `[lo, hi]` by plain comparisons (no NaN handling: the values are integers).
#[inline(always)]
fn clamp_f(x: f64, lo: f64, hi: f64) -> f64 {
    let y = if x < lo { lo } else { x };
    if y > hi {
        hi
    } else {
        y
    }
}

/// The f64-lane fixed LIF kernel over a chunk (blocks of [`lif_fixed_f64_pass`]).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_fixed_f64_blocked<const SYN: u8, const CONST: bool>(
    k: &LifFK,
    ref_steps: u32,
    v: &mut [f64],
    refc: &mut [u32],
    bias_f: &[f64],
    ring: &mut [i64],
    ext: f64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    blocked!(v.len(), lo, out, |r, f| {
        lif_fixed_f64_pass::<SYN, CONST>(
            k,
            ref_steps,
            &mut v[r.clone()],
            &mut refc[r.clone()],
            &bias_f[r.clone()],
            sub(ring, r),
            ext,
            f,
        )
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn lif_fixed_f64_avx2<const SYN: u8, const CONST: bool>(
    k: &LifFK,
    ref_steps: u32,
    v: &mut [f64],
    refc: &mut [u32],
    bias_f: &[f64],
    ring: &mut [i64],
    ext: f64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    lif_fixed_f64_blocked::<SYN, CONST>(k, ref_steps, v, refc, bias_f, ring, ext, lo, out)
}

#[allow(clippy::too_many_arguments)]
fn lif_fixed_f64_run<const SYN: u8, const CONST: bool>(
    k: &LifFK,
    ref_steps: u32,
    v: &mut [f64],
    refc: &mut [u32],
    bias_f: &[f64],
    ring: &mut [i64],
    ext: f64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe {
            lif_fixed_f64_avx2::<SYN, CONST>(k, ref_steps, v, refc, bias_f, ring, ext, lo, out)
        };
    }
    lif_fixed_f64_blocked::<SYN, CONST>(k, ref_steps, v, refc, bias_f, ring, ext, lo, out)
}

// The kernels compiled a second time with AVX2, used where the CPU has it: the same arithmetic
// vectorised (Rust never contracts a * b + c into an FMA), so results are bit-identical.

/// The f64 LIF kernel over a chunk (blocks of [`lif_f64_pass`]); returns the number of spikes.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_f64_blocked<const SYN: u8, const EXACT: bool, const ADAPT: bool>(
    k: &LifK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [f64],
    th_plus: f64,
    th_k: f64,
    bias: &[f64],
    isyn: &mut [f64],
    ring: &mut [f64],
    ks: f64,
    ext: f64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    blocked!(v.len(), lo, out, |r, f| {
        lif_f64_pass::<SYN, EXACT, ADAPT>(
            k,
            &mut v[r.clone()],
            &mut refc[r.clone()],
            sub(theta, r.clone()),
            th_plus,
            th_k,
            &bias[r.clone()],
            sub(isyn, r.clone()),
            sub(ring, r),
            ks,
            ext,
            f,
        )
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn lif_f64_avx2<const SYN: u8, const EXACT: bool, const ADAPT: bool>(
    k: &LifK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [f64],
    th_plus: f64,
    th_k: f64,
    bias: &[f64],
    isyn: &mut [f64],
    ring: &mut [f64],
    ks: f64,
    ext: f64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    lif_f64_blocked::<SYN, EXACT, ADAPT>(
        k, v, refc, theta, th_plus, th_k, bias, isyn, ring, ks, ext, lo, out,
    )
}

#[allow(clippy::too_many_arguments)]
fn lif_f64_run<const SYN: u8, const EXACT: bool, const ADAPT: bool>(
    k: &LifK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [f64],
    th_plus: f64,
    th_k: f64,
    bias: &[f64],
    isyn: &mut [f64],
    ring: &mut [f64],
    ks: f64,
    ext: f64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe {
            lif_f64_avx2::<SYN, EXACT, ADAPT>(
                k, v, refc, theta, th_plus, th_k, bias, isyn, ring, ks, ext, lo, out,
            )
        };
    }
    lif_f64_blocked::<SYN, EXACT, ADAPT>(
        k, v, refc, theta, th_plus, th_k, bias, isyn, ring, ks, ext, lo, out,
    )
}

/// The 64-bit fixed LIF kernel over a chunk (blocks of [`lif_fixed_pass`]).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_fixed_blocked<const SYN: u8, const ADAPT: bool>(
    k: &LifIK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [i64],
    th_plus: i64,
    th_decay: Option<&DecayI>,
    bias: &[i64],
    isyn: &mut [i64],
    ring: &mut [i64],
    decay: Option<&DecayI>,
    in_min: i64,
    in_max: i64,
    ext: i64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    blocked!(v.len(), lo, out, |r, f| {
        lif_fixed_pass::<SYN, ADAPT>(
            k,
            &mut v[r.clone()],
            &mut refc[r.clone()],
            sub(theta, r.clone()),
            th_plus,
            th_decay,
            &bias[r.clone()],
            sub(isyn, r.clone()),
            sub(ring, r),
            decay,
            in_min,
            in_max,
            ext,
            f,
        )
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn lif_fixed_avx2<const SYN: u8, const ADAPT: bool>(
    k: &LifIK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [i64],
    th_plus: i64,
    th_decay: Option<&DecayI>,
    bias: &[i64],
    isyn: &mut [i64],
    ring: &mut [i64],
    decay: Option<&DecayI>,
    in_min: i64,
    in_max: i64,
    ext: i64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    lif_fixed_blocked::<SYN, ADAPT>(
        k, v, refc, theta, th_plus, th_decay, bias, isyn, ring, decay, in_min, in_max, ext, lo, out,
    )
}

#[allow(clippy::too_many_arguments)]
fn lif_fixed_run<const SYN: u8, const ADAPT: bool>(
    k: &LifIK,
    v: &mut [f64],
    refc: &mut [u32],
    theta: &mut [i64],
    th_plus: i64,
    th_decay: Option<&DecayI>,
    bias: &[i64],
    isyn: &mut [i64],
    ring: &mut [i64],
    decay: Option<&DecayI>,
    in_min: i64,
    in_max: i64,
    ext: i64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe {
            lif_fixed_avx2::<SYN, ADAPT>(
                k, v, refc, theta, th_plus, th_decay, bias, isyn, ring, decay, in_min, in_max, ext,
                lo, out,
            )
        };
    }
    lif_fixed_blocked::<SYN, ADAPT>(
        k, v, refc, theta, th_plus, th_decay, bias, isyn, ring, decay, in_min, in_max, ext, lo, out,
    )
}

#[inline(always)]
fn syn_f64(d: &mut DriveF, i: usize, slot: usize, ext: f64) -> f64 {
    let mut inp = d.bias[i] + ext;
    if !d.ring.is_empty() {
        let j = slot * d.bias.len() + i;
        let w = d.ring[j];
        d.ring[j] = 0.0;
        match d.k_syn {
            Some(ks) => {
                let s = d.isyn[i] * ks + w;
                d.isyn[i] = s;
                inp += s;
            }
            None => inp += w,
        }
    }
    inp
}

#[inline(always)]
fn syn_fixed(d: &mut DriveI, i: usize, slot: usize, ext: i64) -> i64 {
    let mut inp = d.bias[i] + ext;
    if !d.ring.is_empty() {
        let j = slot * d.bias.len() + i;
        let w = d.ring[j];
        d.ring[j] = 0;
        match &d.decay {
            Some(dk) => {
                let s = (dk.apply(d.isyn[i]) + w).clamp(d.in_min, d.in_max);
                d.isyn[i] = s;
                inp += s;
            }
            None => inp += w,
        }
    }
    inp.clamp(d.in_min, d.in_max)
}

#[allow(clippy::too_many_arguments)]
fn gen_f64<M: Neuron>(
    m: &M,
    method: Method,
    dt: f64,
    ref_steps: u32,
    has_ref: bool,
    discrete: bool,
    x: &mut [[f64; MAX_STATE]],
    refc: &mut [u32],
    d: &mut DriveF,
    slot: usize,
    ext: f64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    let dim = m.ode_dim();
    let mut cnt = 0;
    for (i, (s, rc)) in x.iter_mut().zip(refc.iter_mut()).enumerate() {
        let inp = syn_f64(d, i, slot, ext);
        if *rc > 0 {
            *rc -= 1;
            continue;
        }
        if discrete {
            let mut dx = [0.0; MAX_STATE];
            m.derivative(s, inp, &mut dx);
            for k in 0..dim {
                s[k] += dx[k];
            }
        } else {
            integrate(m, s, inp, dt, method);
        }
        if m.fire_and_reset(s) {
            out[cnt] = lo + i as u32;
            cnt += 1;
            if has_ref {
                *rc = ref_steps;
            }
        }
    }
    cnt
}

#[allow(clippy::too_many_arguments)]
fn gen_fixed<M: FixedNeuron>(
    m: &M,
    x: &mut [[i64; MAX_STATE]],
    d: &mut DriveI,
    slot: usize,
    ext: i64,
    lo: u32,
    out: &mut [u32],
) -> usize {
    let mut cnt = 0;
    for (i, s) in x.iter_mut().enumerate() {
        let inp = syn_fixed(d, i, slot, ext);
        if m.step(s, inp) {
            out[cnt] = lo + i as u32;
            cnt += 1;
        }
    }
    cnt
}

impl Chunk {
    /// One update (phase 2 of a tick) of every neuron of the chunk; the spikes go into `out`.
    pub fn update(&mut self, tick: u64, dt: f64, learning: bool, out: &mut SpikeBuf) {
        let lo = self.lo as u32;
        let t_ms = tick as f64 * dt;
        let o = &mut out.idx[..];
        out.len = match &mut self.body {
            Body::LifF {
                k,
                v,
                refc,
                adapt,
                drive,
            } => {
                let n = v.len();
                let slot = (tick % drive.depth.max(1) as u64) as usize;
                let ext = drive.stimulus.as_ref().map_or(0.0, |s| s.at(t_ms));
                let syn = if drive.ring.is_empty() {
                    SYN_NONE
                } else if drive.k_syn.is_some() {
                    SYN_EXP
                } else {
                    SYN_PULSE
                };
                let ks = drive.k_syn.unwrap_or(0.0);
                let DriveF {
                    bias, isyn, ring, ..
                } = drive;
                let ring = ring_slot(ring, slot, n);
                let mut none: Vec<f64> = Vec::new();
                let (theta, plus, tk, ad) = match adapt {
                    // with learning off the threshold is frozen: tested, never changed
                    Some(a) if learning => (&mut a.theta, a.plus, a.k.unwrap_or(1.0), true),
                    Some(a) => (&mut a.theta, 0.0, 1.0, true),
                    None => (&mut none, 0.0, 1.0, false),
                };
                macro_rules! go {
                    ($s:expr, $e:expr) => {
                        if ad {
                            lif_f64_run::<$s, $e, true>(
                                k, v, refc, theta, plus, tk, bias, isyn, ring, ks, ext, lo, o,
                            )
                        } else {
                            lif_f64_run::<$s, $e, false>(
                                k, v, refc, theta, plus, tk, bias, isyn, ring, ks, ext, lo, o,
                            )
                        }
                    };
                }
                match (syn, k.exact) {
                    (SYN_NONE, true) => go!(SYN_NONE, true),
                    (SYN_NONE, false) => go!(SYN_NONE, false),
                    (SYN_PULSE, true) => go!(SYN_PULSE, true),
                    (SYN_PULSE, false) => go!(SYN_PULSE, false),
                    (_, true) => go!(SYN_EXP, true),
                    (_, false) => go!(SYN_EXP, false),
                }
            }
            Body::GenF {
                m,
                method,
                dt,
                ref_steps,
                has_ref,
                discrete,
                x,
                refc,
                drive,
            } => {
                let slot = (tick % drive.depth.max(1) as u64) as usize;
                let ext = drive.stimulus.as_ref().map_or(0.0, |s| s.at(t_ms));
                with_f64_model!(m, mm => gen_f64(
                    mm, *method, *dt, *ref_steps, *has_ref, *discrete, x, refc, drive, slot, ext, lo, o
                ))
            }
            Body::LifI {
                k,
                v,
                refc,
                adapt,
                drive,
                ..
            } => {
                let n = v.len();
                let slot = (tick % drive.depth.max(1) as u64) as usize;
                let ext = drive
                    .stimulus
                    .as_ref()
                    .map_or(0, |s| drive.fmt_in.quantize_saturating(s.at(t_ms)) as i64);
                let syn = if drive.ring.is_empty() {
                    SYN_NONE
                } else if drive.decay.is_some() {
                    SYN_EXP
                } else {
                    SYN_PULSE
                };
                let DriveI {
                    bias,
                    bias_f,
                    const_c,
                    isyn,
                    ring,
                    decay,
                    in_min,
                    in_max,
                    ..
                } = drive;
                let ring = ring_slot(ring, slot, n);
                let decay = decay.as_ref();
                let mut none: Vec<i64> = Vec::new();
                let (theta, plus, td, ad) = match adapt {
                    Some(a) if learning => (&mut a.theta, a.plus, a.decay.as_ref(), true),
                    Some(a) => (&mut a.theta, 0, None, true),
                    None => (&mut none, 0, None, false),
                };
                macro_rules! go {
                    ($s:expr) => {
                        if ad {
                            lif_fixed_run::<$s, true>(
                                k, v, refc, theta, plus, td, bias, isyn, ring, decay, *in_min,
                                *in_max, ext, lo, o,
                            )
                        } else {
                            lif_fixed_run::<$s, false>(
                                k, v, refc, theta, plus, td, bias, isyn, ring, decay, *in_min,
                                *in_max, ext, lo, o,
                            )
                        }
                    };
                }
                match syn {
                    SYN_NONE if k.f64_exact && !ad && ext == 0 => {
                        if const_c.len() != n {
                            *const_c = const_drive(&k.f, bias_f);
                        }
                        lif_fixed_f64_run::<SYN_NONE, true>(
                            &k.f,
                            k.ref_steps,
                            v,
                            refc,
                            const_c,
                            ring,
                            0.0,
                            lo,
                            o,
                        )
                    }
                    SYN_NONE if k.f64_exact && !ad => lif_fixed_f64_run::<SYN_NONE, false>(
                        &k.f,
                        k.ref_steps,
                        v,
                        refc,
                        bias_f,
                        ring,
                        ext as f64,
                        lo,
                        o,
                    ),
                    SYN_PULSE if k.f64_exact && !ad => lif_fixed_f64_run::<SYN_PULSE, false>(
                        &k.f,
                        k.ref_steps,
                        v,
                        refc,
                        bias_f,
                        ring,
                        ext as f64,
                        lo,
                        o,
                    ),
                    SYN_NONE => go!(SYN_NONE),
                    SYN_PULSE => go!(SYN_PULSE),
                    _ => go!(SYN_EXP),
                }
            }
            Body::GenI { m, x, drive } => {
                let slot = (tick % drive.depth.max(1) as u64) as usize;
                let ext = drive
                    .stimulus
                    .as_ref()
                    .map_or(0, |s| drive.fmt_in.quantize_saturating(s.at(t_ms)) as i64);
                with_fixed_model!(m, mm => gen_fixed(mm, x, drive, slot, ext, lo, o))
            }
            Body::Input(c) => c.update(tick, lo, o),
        };
    }

    /// Back to the initial state, keeping `keep_theta` adaptive thresholds and the input values.
    pub fn reset(&mut self, tick: u64) {
        let keep = std::mem::replace(&mut self.body, self.init.clone());
        match (&mut self.body, keep) {
            (
                Body::LifF {
                    adapt: Some(a),
                    drive,
                    ..
                },
                Body::LifF {
                    adapt: Some(old),
                    drive: od,
                    ..
                },
            ) => {
                a.theta = old.theta;
                drive.bias = od.bias;
            }
            (
                Body::LifI {
                    adapt: Some(a),
                    drive,
                    ..
                },
                Body::LifI {
                    adapt: Some(old),
                    drive: od,
                    ..
                },
            ) => {
                a.theta = old.theta;
                drive.bias = od.bias;
                drive.bias_f = od.bias_f;
                drive.const_c.clear();
            }
            (Body::LifF { drive, .. }, Body::LifF { drive: od, .. })
            | (Body::GenF { drive, .. }, Body::GenF { drive: od, .. }) => drive.bias = od.bias,
            (Body::LifI { drive, .. }, Body::LifI { drive: od, .. })
            | (Body::GenI { drive, .. }, Body::GenI { drive: od, .. }) => {
                drive.bias = od.bias;
                drive.bias_f = od.bias_f;
                drive.const_c.clear();
            }
            (Body::Input(c), Body::Input(old)) => {
                c.values = old.values;
                c.param = old.param;
                c.events = old.events;
                c.cursor = old.cursor;
                c.restart(tick);
            }
            _ => {}
        }
    }

    /// The ring of delivered weights of an f64 chunk (`None` for fixed or input chunks).
    #[inline]
    pub fn ring_f(&mut self) -> Option<(&mut [f64], usize)> {
        match &mut self.body {
            Body::LifF { drive, .. } | Body::GenF { drive, .. } => {
                Some((&mut drive.ring[..], drive.depth))
            }
            _ => None,
        }
    }

    #[inline]
    pub fn ring_i(&mut self) -> Option<(&mut [i64], usize)> {
        match &mut self.body {
            Body::LifI { drive, .. } | Body::GenI { drive, .. } => {
                Some((&mut drive.ring[..], drive.depth))
            }
            _ => None,
        }
    }

    /// Value of variable `var` of local neuron `i`.
    pub fn var(&self, var: &VarRef, i: usize) -> f64 {
        match (&self.body, var) {
            (Body::LifF { v, .. }, VarRef::State(0)) => v[i],
            (Body::LifF { adapt: Some(a), .. }, VarRef::Theta) => a.theta[i],
            (Body::GenF { x, .. }, VarRef::State(k)) => x[i][*k],
            (Body::LifI { v, m, .. }, VarRef::State(0)) => m.fmt_v.to_f64(v[i] as i128),
            (Body::LifI { refc, .. }, VarRef::State(1)) => refc[i] as f64,
            (
                Body::LifI {
                    adapt: Some(a), m, ..
                },
                VarRef::Theta,
            ) => m.fmt_v.to_f64(a.theta[i] as i128),
            (Body::GenI { m, x, .. }, VarRef::State(k)) => m.state_to_f64(&x[i], *k),
            (Body::LifF { drive, .. } | Body::GenF { drive, .. }, VarRef::Isyn) => drive.isyn[i],
            (Body::LifI { drive, .. } | Body::GenI { drive, .. }, VarRef::Isyn) => {
                drive.fmt_in.to_f64(drive.isyn[i] as i128)
            }
            _ => f64::NAN,
        }
    }

    /// Set the input values (rates, intensities) of an input chunk, or the bias of a neuron chunk;
    /// `vals` are the chunk's values.
    pub fn set_values(&mut self, vals: &[f64], tick: u64) {
        match &mut self.body {
            Body::Input(c) => {
                c.values = vals.to_vec();
                c.configure();
                c.restart(tick);
            }
            Body::LifF { drive, .. } | Body::GenF { drive, .. } => drive.bias = vals.to_vec(),
            Body::LifI { drive, .. } | Body::GenI { drive, .. } => {
                drive.bias = vals
                    .iter()
                    .map(|b| drive.fmt_in.quantize_saturating(*b) as i64)
                    .collect();
                drive.bias_f = drive.bias.iter().map(|b| *b as f64).collect();
                drive.const_c.clear();
            }
        }
    }
}

/// A variable of a population that monitors can record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VarRef {
    State(usize),
    Theta,
    Isyn,
}

impl InputChunk {
    pub fn new(encoder: Encoder, key: u64, values: Vec<f64>, dt: f64) -> Self {
        let mut c = InputChunk {
            encoder,
            key,
            param: Vec::new(),
            phase: vec![0; values.len()],
            events: Vec::new(),
            cursor: 0,
            values,
            dt,
        };
        c.configure();
        c.restart(0);
        c
    }
    /// Derive the per-neuron parameters from the values.
    pub fn configure(&mut self) {
        let dt = self.dt;
        self.param = match self.encoder {
            Encoder::Poisson => self
                .values
                .iter()
                .map(|r| threshold(r * dt / 1000.0))
                .collect(),
            Encoder::Regular => self
                .values
                .iter()
                .map(|r| {
                    let inc = (r.max(0.0) * dt / 1000.0 * 4_294_967_296.0).round();
                    inc.min(4_294_967_296.0) as u64
                })
                .collect(),
            Encoder::Latency { .. } | Encoder::Generator => vec![u64::MAX; self.values.len()],
        };
    }
    /// Restart time-dependent encoders at `tick` (latency spikes are counted from here; regular
    /// phases start at 0).
    pub fn restart(&mut self, tick: u64) {
        match self.encoder {
            Encoder::Regular => self.phase.iter_mut().for_each(|p| *p = 0),
            Encoder::Latency { window_ms } => {
                let w = window_ms / self.dt;
                self.param = self
                    .values
                    .iter()
                    .map(|x| {
                        if *x > 0.0 {
                            tick + ((1.0 - x.min(1.0)) * w).round() as u64
                        } else {
                            u64::MAX
                        }
                    })
                    .collect();
            }
            _ => {}
        }
    }
    fn update(&mut self, tick: u64, lo: u32, out: &mut [u32]) -> usize {
        let mut cnt = 0;
        match self.encoder {
            Encoder::Poisson => {
                for (i, th) in self.param.iter().enumerate() {
                    let g = lo + i as u32;
                    out[cnt] = g;
                    cnt += (draw(self.key, tick, g as u64) < *th) as usize;
                }
            }
            Encoder::Regular => {
                const ONE: u64 = 1 << 32;
                for (i, (p, inc)) in self.phase.iter_mut().zip(&self.param).enumerate() {
                    *p += inc;
                    let fire = *p >= ONE;
                    if fire {
                        *p -= ONE;
                    }
                    out[cnt] = lo + i as u32;
                    cnt += fire as usize;
                }
            }
            Encoder::Latency { .. } => {
                for (i, t) in self.param.iter().enumerate() {
                    out[cnt] = lo + i as u32;
                    cnt += (*t == tick) as usize;
                }
            }
            Encoder::Generator => {
                while self.cursor < self.events.len() && self.events[self.cursor].0 < tick {
                    self.cursor += 1;
                }
                let mut last = u32::MAX;
                while self.cursor < self.events.len() && self.events[self.cursor].0 == tick {
                    let g = self.events[self.cursor].1;
                    if g != last {
                        out[cnt] = g;
                        cnt += 1;
                        last = g;
                    }
                    self.cursor += 1;
                }
            }
        }
        cnt
    }
    /// Add scheduled events (global neuron indices of this chunk), keeping them sorted.
    pub fn schedule(&mut self, ev: &[(u64, u32)]) {
        self.events.drain(..self.cursor);
        self.cursor = 0;
        self.events.extend_from_slice(ev);
        self.events.sort_unstable();
    }
}

/// Build the chunk bodies of a neuron population (f64 or fixed) for neurons `lo..hi`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn neuron_body(
    g: &NeuronGroup,
    fixed: bool,
    dt: f64,
    lo: usize,
    hi: usize,
    bias: &[f64],
    init_v: Option<&[f64]>,
    ring_depth: usize,
    has_input: bool,
) -> Result<Body, String> {
    let n = hi - lo;
    let spec = &g.model;
    let method = g.method.unwrap_or(spec.info.default_method);
    spec.check_method(method).map_err(|e| e.to_string())?;
    let ring_len = if has_input { n * ring_depth } else { 0 };
    if g.adaptive.is_some() && spec.info.name != lif::NAME {
        return Err(format!(
            "an adaptive threshold is available for lif populations only, not {}",
            spec.info.name
        ));
    }
    if let Some(t) = g.tau_syn_ms {
        if !(t > 0.0 && t.is_finite()) {
            return Err(format!("tau_syn = {t}: must be a positive number of ms"));
        }
    }
    if let Some(a) = &g.adaptive {
        if !a.theta_plus.is_finite() {
            return Err(format!("theta_plus = {}: not finite", a.theta_plus));
        }
        if let Some(t) = a.tau_theta_ms {
            if !(t > 0.0 && t.is_finite()) {
                return Err(format!("tau_theta = {t}: must be a positive number of ms"));
            }
        }
    }
    if !fixed {
        let m = F64Model::from_spec(spec).map_err(|e| e.to_string())?;
        let nn = m.neuron();
        let mut x0 = nn.initial_state();
        let drive = DriveF {
            bias: bias.to_vec(),
            isyn: vec![0.0; n],
            ring: vec![0.0; ring_len],
            depth: ring_depth,
            k_syn: g.tau_syn_ms.map(|t| (-dt / t).exp()),
            stimulus: g.stimulus.clone(),
        };
        let ref_steps = refractory_steps(nn.refractory_ms(), dt);
        if let (F64Model::Lif(l), Method::Exact | Method::Euler) = (&m, method) {
            let k = LifK {
                v_rest: l.v_rest_mv,
                v_reset: l.v_reset_mv,
                v_th: l.v_th_mv,
                r: l.r_mohm,
                tau: l.tau_m_ms,
                dt,
                e: (-dt / l.tau_m_ms).exp(),
                exact: method == Method::Exact,
                ref_steps: if l.t_ref_ms > 0.0 { ref_steps } else { 0 },
            };
            let v = match init_v {
                Some(v) => v.to_vec(),
                None => vec![x0[0]; n],
            };
            return Ok(Body::LifF {
                k,
                v,
                refc: vec![0; n],
                adapt: g.adaptive.map(|a| AdaptF {
                    theta: vec![0.0; n],
                    plus: a.theta_plus,
                    k: a.tau_theta_ms.map(|t| (-dt / t).exp()),
                }),
                drive,
            });
        }
        let mut x = vec![x0; n];
        if let Some(v) = init_v {
            for (s, v0) in x.iter_mut().zip(v) {
                s[0] = *v0;
            }
        }
        x0 = x.first().copied().unwrap_or(x0);
        let _ = x0;
        return Ok(Body::GenF {
            has_ref: nn.refractory_ms() > 0.0,
            discrete: nn.discrete(),
            m,
            method,
            dt,
            ref_steps,
            x,
            refc: vec![0; n],
            drive,
        });
    }
    // the fixed twin
    let cfg = match &g.fixed {
        Some(c) => c.clone(),
        None => FixedConfig::new(
            spec.info
                .default_fixed
                .parse()
                .map_err(|e: crate::fixed::FixedError| e.to_string())?,
        ),
    };
    let twin = spec.fixed(dt, method, &cfg).map_err(|e| e.to_string())?;
    let fmt_in = twin.input_format();
    let q = |x: f64| fmt_in.quantize_saturating(x) as i64;
    let decay = match g.tau_syn_ms {
        Some(t) => Some(DecayI::new("tau_syn", t, dt, fmt_in.frac_bits)?),
        None => None,
    };
    let bias_i: Vec<i64> = bias.iter().map(|b| q(*b)).collect();
    let drive = DriveI {
        bias_f: bias_i.iter().map(|b| *b as f64).collect(),
        const_c: Vec::new(),
        bias: bias_i,
        isyn: vec![0; n],
        ring: vec![0; ring_len],
        depth: ring_depth,
        decay,
        stimulus: g.stimulus.clone(),
        fmt_in,
        in_min: fmt_in.min_raw() as i64,
        in_max: fmt_in.max_raw() as i64,
    };
    let mut x0 = twin.initial_state();
    if let FixedModel::Lif(l) = &twin {
        if let Some(k) = LifIK::new(l) {
            let v = match init_v {
                Some(v) => v
                    .iter()
                    .map(|x| l.fmt_v.quantize_saturating(*x) as f64)
                    .collect(),
                None => vec![x0[0] as f64; n],
            };
            let adapt = match &g.adaptive {
                Some(a) => Some(AdaptI {
                    theta: vec![0; n],
                    plus: l.fmt_v.quantize_saturating(a.theta_plus) as i64,
                    decay: match a.tau_theta_ms {
                        Some(t) => Some(DecayI::new("tau_theta", t, dt, l.fmt_v.frac_bits)?),
                        None => None,
                    },
                }),
                None => None,
            };
            return Ok(Body::LifI {
                k,
                m: l.clone(),
                v,
                refc: vec![0; n],
                adapt,
                drive,
            });
        }
        if g.adaptive.is_some() {
            return Err(format!(
                "the adaptive threshold needs the 64-bit LIF twin; formats {} / {} are too wide",
                l.fmt_v, l.fmt_in
            ));
        }
    }
    let words = twin.state_words();
    let mut x = vec![x0; n];
    if let Some(v) = init_v {
        for (s, v0) in x.iter_mut().zip(v) {
            s[0] = words[0].fmt.quantize_saturating(*v0) as i64;
        }
    }
    x0 = x.first().copied().unwrap_or(x0);
    let _ = x0;
    Ok(Body::GenI { m: twin, x, drive })
}

/// The recordable variables of a population: names and references.
pub(crate) fn var_names(body: &Body) -> Vec<(String, VarRef)> {
    let mut v: Vec<(String, VarRef)> = Vec::new();
    match body {
        Body::LifF { adapt, .. } => {
            v.push(("v".into(), VarRef::State(0)));
            if adapt.is_some() {
                v.push(("theta".into(), VarRef::Theta));
            }
        }
        Body::GenF { m, .. } => {
            for (k, n) in m.neuron().state_names().iter().enumerate() {
                v.push((n.to_string(), VarRef::State(k)));
            }
        }
        Body::LifI { m, adapt, .. } => {
            for (k, w) in m.state_words().iter().enumerate() {
                v.push((w.name.to_string(), VarRef::State(k)));
            }
            if adapt.is_some() {
                v.push(("theta".into(), VarRef::Theta));
            }
        }
        Body::GenI { m, .. } => {
            for (k, w) in m.state_words().iter().enumerate() {
                v.push((w.name.to_string(), VarRef::State(k)));
            }
        }
        Body::Input(_) => {}
    }
    if !matches!(body, Body::Input(_)) {
        v.push(("I_syn".into(), VarRef::Isyn));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::FixedConfig;

    #[test]
    fn lif_fast_fixed_kernels_equal_the_twin() {
        // several formats, random states and inputs: both fast kernels (64-bit integer lanes and
        // exact f64 lanes) are bit-exact with the twin's step()
        let mut rng = SplitMix64::new(5);
        for (fmt, method, f64_lanes) in [
            ("Q8.8", Method::Exact, true),
            ("Q8.8", Method::Euler, true),
            ("Q7.12", Method::Exact, true),
            ("Q10.16", Method::Exact, true),
            ("Q12.17", Method::Exact, true),
            ("Q12.17 coef Q1.29", Method::Exact, false),
        ] {
            let l = lif::Lif::default();
            let mut cfg = FixedConfig::new(fmt.split_whitespace().next().unwrap().parse().unwrap());
            if fmt.ends_with("Q1.29") {
                cfg = cfg.with_word("coef", "Q1.29".parse().unwrap());
            }
            let tw = lif::LifFixed::new(&l, 0.1, method, &cfg).unwrap();
            let k = LifIK::new(&tw).expect("fits in 64 bits");
            assert_eq!(k.f64_exact, f64_lanes, "{fmt}");
            let d_in = tw.fmt_in;
            let (in_min, in_max) = (d_in.min_raw() as i64, d_in.max_raw() as i64);
            let n = 67;
            let mut x: Vec<[i64; MAX_STATE]> = (0..n).map(|_| tw.initial_state()).collect();
            let mut v: Vec<f64> = x.iter().map(|s| s[0] as f64).collect();
            let mut v2 = v.clone();
            let mut refc = vec![0u32; n];
            let mut refc2 = refc.clone();
            let mut out = vec![0u32; n];
            let mut out2 = vec![0u32; n];
            let mut bias = vec![0i64; n];
            for step in 0..3000 {
                for b in bias.iter_mut() {
                    let r = rng.uniform();
                    *b = if r < 0.05 {
                        in_max
                    } else if r < 0.07 {
                        in_min
                    } else {
                        d_in.quantize_saturating(40.0 * rng.uniform() - 5.0) as i64
                    };
                }
                let bias_f: Vec<f64> = bias.iter().map(|b| *b as f64).collect();
                // pulses in the ring push some inputs beyond the input range (saturation)
                let pulses: Vec<i64> = (0..n)
                    .map(|_| if rng.uniform() < 0.1 { in_max / 2 } else { 0 })
                    .collect();
                let (mut ring, mut ring2) = (pulses.clone(), pulses.clone());
                let cnt = lif_fixed_run::<SYN_PULSE, false>(
                    &k,
                    &mut v,
                    &mut refc,
                    &mut [],
                    0,
                    None,
                    &bias,
                    &mut [],
                    &mut ring,
                    None,
                    in_min,
                    in_max,
                    0,
                    0,
                    &mut out,
                );
                if f64_lanes {
                    let cnt2 = lif_fixed_f64_run::<SYN_PULSE, false>(
                        &k.f,
                        k.ref_steps,
                        &mut v2,
                        &mut refc2,
                        &bias_f,
                        &mut ring2,
                        0.0,
                        0,
                        &mut out2,
                    );
                    assert_eq!(&out[..cnt], &out2[..cnt2], "{fmt} step {step}");
                    assert_eq!(v, v2, "{fmt} step {step}");
                    assert_eq!(ring2, vec![0; n]);
                }
                let mut want = Vec::new();
                for (i, s) in x.iter_mut().enumerate() {
                    if tw.step(s, (bias[i] + pulses[i]).clamp(in_min, in_max)) {
                        want.push(i as u32);
                    }
                }
                assert_eq!(&out[..cnt], &want[..], "{fmt} step {step}");
                for i in 0..n {
                    assert_eq!(v[i] as i64, x[i][0], "{fmt} step {step} neuron {i}");
                    assert_eq!(refc[i] as i64, x[i][1]);
                }
            }
        }
    }

    #[test]
    fn constant_input_kernel_equals_the_twin() {
        for fmt in ["Q8.8", "Q7.12", "Q10.16"] {
            let l = lif::Lif::default();
            let cfg = FixedConfig::new(fmt.parse().unwrap());
            let tw = lif::LifFixed::new(&l, 0.1, Method::Exact, &cfg).unwrap();
            let k = LifIK::new(&tw).unwrap();
            let n = 101;
            let f = tw.fmt_in;
            let bias: Vec<i64> = (0..n)
                .map(|i| {
                    if i == 0 {
                        f.max_raw() as i64
                    } else {
                        f.quantize_saturating(i as f64 * 0.5 - 10.0) as i64
                    }
                })
                .collect();
            let c = const_drive(&k.f, &bias.iter().map(|b| *b as f64).collect::<Vec<_>>());
            let mut x: Vec<[i64; MAX_STATE]> = (0..n).map(|_| tw.initial_state()).collect();
            let mut v: Vec<f64> = x.iter().map(|s| s[0] as f64).collect();
            let mut refc = vec![0u32; n];
            let mut out = vec![0u32; n];
            let mut total = 0;
            for step in 0..2000 {
                let cnt = lif_fixed_f64_run::<SYN_NONE, true>(
                    &k.f,
                    k.ref_steps,
                    &mut v,
                    &mut refc,
                    &c,
                    &mut [],
                    0.0,
                    0,
                    &mut out,
                );
                let want: Vec<u32> = (0..n)
                    .filter(|i| tw.step(&mut x[*i], bias[*i]))
                    .map(|i| i as u32)
                    .collect();
                assert_eq!(&out[..cnt], &want[..], "{fmt} step {step}");
                total += cnt;
                for i in 0..n {
                    assert_eq!(v[i] as i64, x[i][0], "{fmt} step {step} neuron {i}");
                }
            }
            assert!(total > 100, "{fmt}: {total} spikes");
        }
    }

    #[test]
    fn encoders() {
        // regular: 100 Hz at dt 1 ms = every 10th tick
        let mut c = InputChunk::new(Encoder::Regular, 1, vec![100.0, 0.0], 1.0);
        let mut out = vec![0u32; 2];
        let mut ticks = Vec::new();
        for t in 0..35 {
            if c.update(t, 0, &mut out) > 0 {
                assert_eq!(out[0], 0);
                ticks.push(t);
            }
        }
        assert_eq!(ticks, vec![9, 19, 29]);
        // latency: intensity 1 fires at once, 0.5 after half the window, 0 never
        let mut c = InputChunk::new(
            Encoder::Latency { window_ms: 10.0 },
            1,
            vec![1.0, 0.5, 0.0],
            1.0,
        );
        let mut out = vec![0u32; 3];
        let mut ev = Vec::new();
        for t in 0..20 {
            let n = c.update(t, 0, &mut out);
            ev.extend(out[..n].iter().map(|i| (t, *i)));
        }
        assert_eq!(ev, vec![(0, 0), (5, 1)]);
        // poisson: rate close to the asked one
        let mut c = InputChunk::new(Encoder::Poisson, 9, vec![50.0; 100], 0.1);
        let mut out = vec![0u32; 100];
        let total: usize = (0..10_000).map(|t| c.update(t, 0, &mut out)).sum();
        let rate = total as f64 / 100.0; // spikes per neuron in 1 s
        assert!((rate - 50.0).abs() < 2.0, "{rate}");
    }
}
