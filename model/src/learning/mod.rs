//! Learning rules: spike-timing, rate, voltage and supervised plasticity, in f64 and, for the rules
//! meant for on-chip learning, as fixed-point twins (the hardware specification of the learning
//! unit, in the same spirit as [`crate::neuron::FixedNeuron`]).
//!
//! # Rules
//! | module | CLI name | kind | fixed twin |
//! |---|---|---|---|
//! | [`pair`] | `pair` | pair STDP with traces; additive or multiplicative; all-to-all or nearest | [`pair::PairStdpFixed`] |
//! | [`triplet`] | `triplet` | triplet STDP (Pfister & Gerstner 2006) | [`triplet::TripletStdpFixed`] |
//! | [`rstdp`] | `rstdp` | reward-modulated STDP with eligibility traces (Izhikevich 2007) | [`rstdp::RStdpFixed`] |
//! | [`bcm`] | `bcm` | BCM with a sliding threshold (rate based) | - |
//! | [`abs`] | `abs` | Artola-Bröcher-Singer: two voltage thresholds | - |
//! | [`supervised`] | `supervised` | supervised Hebbian (teacher spikes replace the post spikes) | - |
//! | [`resume`] | `resume` | ReSuMe (Ponulak & Kasiński 2010) | - |
//!
//! Parameters are named with units ([`crate::params::ParamInfo`] tables in each module, so
//! `--set NAME=VALUE` works); [`rules`] is the catalogue ([`rules::RULES`], [`rules::RuleSpec`]).
//! All times are in ms, rates in Hz; weights are dimensionless (or in the unit the network gives
//! them; the amplitudes are in the same unit).
//!
//! # The state machine ([`PlasticityRule`])
//! A spike-timing rule is split by where its state lives, so that a network stores each piece once:
//! * `Pre`: per presynaptic neuron (its traces), shared by all its outgoing synapses;
//! * `Post`: per postsynaptic neuron (its traces), shared by all its incoming synapses;
//! * `Syn`: per synapse (the weight, and e.g. R-STDP's eligibility trace);
//! * `Shared`: per learning unit (R-STDP's dopamine level, the stochastic-rounding generator).
//!
//! One tick (the learning phase (3) of the network tick of `DESIGN.md`) is, in this order:
//! 1. [`PlasticityRule::tick_shared`] once, then [`PlasticityRule::reward`] for rewards of this tick;
//! 2. [`PlasticityRule::tick_pre`] / [`PlasticityRule::tick_post`] for every neuron (trace decay);
//! 3. [`PlasticityRule::tick_syn`] for every synapse, only if [`PlasticityRule::SYN_DYNAMICS`];
//! 4. for every presynaptic spike of this tick: [`PlasticityRule::on_pre`] for each of the neuron's
//!    synapses (reads the post traces), then [`PlasticityRule::pre_spike`] once (bumps its traces);
//! 5. for every postsynaptic spike: [`PlasticityRule::on_post`] for each incoming synapse, then
//!    [`PlasticityRule::post_spike`] once.
//!
//! **Simultaneous pre and post spikes** (the same tick): pre is handled before post, so the post
//! spike sees the pre trace that already includes this tick's pre spike: `dw(0) = +A+` for pair
//! STDP (the convention of `shared/reference/README.md`, Brian2's order of `on_pre` before
//! `on_post`). A spike's own trace increment is never seen by its own update ("just before" the
//! spike, as Pfister & Gerstner write `o2(t-)`). [`protocol`] drives a single synapse this way.
//!
//! # Fixed-point twins
//! Words and their formats are set by [`fixed::LearningFixedConfig`]: a weight format chosen by the
//! user (saturating stores, optional hard bounds inside it), trace words (unsigned, decaying by a
//! constant multiply ([`crate::quant::Coef`], exact or shift-add) or by a shift), amplitude
//! coefficients, and the rounding of every weight update: floor, half-up, or stochastic rounding
//! driven by a seeded xorshift32 generator ([`fixed::Xorshift32`]) that the hardware reproduces.
//! Each twin's module doc gives its exact integer algorithm.

use crate::error::ModelError;
use serde::Serialize;

pub mod abs;
pub mod bcm;
pub mod fixed;
pub mod pair;
pub mod protocol;
pub mod resume;
pub mod rstdp;
pub mod rules;
pub mod supervised;
pub mod triplet;

pub use fixed::{DecayKind, LearningFixedConfig, UpdateRounding, Xorshift32};
pub use protocol::{PairingProtocol, Reward};
pub use rules::{FixedRule, Rule, RuleSpec, RULES};

/// Errors of the learning rules and protocols.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LearningError {
    #[error("unknown learning rule '{name}' (valid rules: {valid})")]
    UnknownRule { name: String, valid: String },
    #[error("unknown preset '{preset}' for learning rule {rule} (valid presets: {valid})")]
    UnknownPreset {
        rule: String,
        preset: String,
        valid: String,
    },
    #[error("unknown parameter '{name}' for learning rule {rule} (valid parameters: {valid})")]
    UnknownParam {
        rule: String,
        name: String,
        valid: String,
    },
    #[error("bad value for {name}: {value} ({why})")]
    BadValue {
        name: String,
        value: f64,
        why: String,
    },
    #[error("bad protocol: {0}")]
    Protocol(String),
    /// An option or format that is not valid (the message names it).
    #[error("{0}")]
    Invalid(String),
    #[error("learning rule {rule} does not support {what}")]
    Unsupported { rule: String, what: String },
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl LearningError {
    pub(crate) fn bad(name: &str, value: f64, why: &str) -> Self {
        LearningError::BadValue {
            name: name.to_string(),
            value,
            why: why.to_string(),
        }
    }
}

/// Which spike pairs interact (Morrison, Diesmann & Gerstner 2008).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Interaction {
    /// Every pre spike with every post spike: a trace is incremented by 1 per spike.
    #[default]
    AllToAll,
    /// Nearest spike (symmetric): a trace is reset to 1 per spike, so only the latest spike counts.
    Nearest,
}

impl std::str::FromStr for Interaction {
    type Err = LearningError;
    fn from_str(s: &str) -> Result<Self, LearningError> {
        match s {
            "all-to-all" | "all" => Ok(Interaction::AllToAll),
            "nearest" | "nearest-spike" => Ok(Interaction::Nearest),
            _ => Err(LearningError::Invalid(format!(
                "unknown spike interaction '{s}' (expected all-to-all or nearest)"
            ))),
        }
    }
}

/// How a weight change depends on the current weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WeightDependence {
    /// `dw` does not depend on `w`; hard bounds `[w_min, w_max]` (if set) clip the result.
    #[default]
    Additive,
    /// Soft bounds (van Rossum et al. 2000; Gütig et al. 2003 with mu = 1): potentiation is scaled
    /// by `(w_max - w) / (w_max - w_min)`, depression by `(w - w_min) / (w_max - w_min)`. Needs
    /// finite `w_min` and `w_max`.
    Multiplicative,
}

impl std::str::FromStr for WeightDependence {
    type Err = LearningError;
    fn from_str(s: &str) -> Result<Self, LearningError> {
        match s {
            "additive" | "add" => Ok(WeightDependence::Additive),
            "multiplicative" | "mult" => Ok(WeightDependence::Multiplicative),
            _ => Err(LearningError::Invalid(format!(
                "unknown weight dependence '{s}' (expected additive or multiplicative)"
            ))),
        }
    }
}

/// The structural options of the STDP rules (not numbers, so not in the parameter tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct RuleOptions {
    pub interaction: Interaction,
    pub dependence: WeightDependence,
}

/// Weight bounds and dependence, shared by the STDP rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightRule {
    pub dependence: WeightDependence,
    /// Lower bound (`-inf` when unbounded).
    pub w_min: f64,
    /// Upper bound (`+inf` when unbounded).
    pub w_max: f64,
}

impl WeightRule {
    /// Unbounded and additive (the pairing protocol's default).
    pub const UNBOUNDED: WeightRule = WeightRule {
        dependence: WeightDependence::Additive,
        w_min: f64::NEG_INFINITY,
        w_max: f64::INFINITY,
    };

    /// Check the bounds: `w_min < w_max`, both finite for the multiplicative rule.
    pub fn new(
        dependence: WeightDependence,
        w_min: Option<f64>,
        w_max: Option<f64>,
    ) -> Result<Self, LearningError> {
        let lo = w_min.unwrap_or(f64::NEG_INFINITY);
        let hi = w_max.unwrap_or(f64::INFINITY);
        if lo.is_nan() || hi.is_nan() || lo >= hi {
            return Err(LearningError::bad(
                "w_max",
                hi,
                &format!("must be larger than w_min = {lo}"),
            ));
        }
        if dependence == WeightDependence::Multiplicative && !(lo.is_finite() && hi.is_finite()) {
            return Err(LearningError::bad(
                if lo.is_finite() { "w_max" } else { "w_min" },
                if lo.is_finite() { hi } else { lo },
                "the multiplicative weight dependence needs finite w_min and w_max (--set w_min=.. --set w_max=..)",
            ));
        }
        Ok(WeightRule {
            dependence,
            w_min: lo,
            w_max: hi,
        })
    }

    /// Scale of a potentiation at weight `w`.
    #[inline]
    pub fn plus_factor(&self, w: f64) -> f64 {
        match self.dependence {
            WeightDependence::Additive => 1.0,
            WeightDependence::Multiplicative => (self.w_max - w) / (self.w_max - self.w_min),
        }
    }

    /// Scale of a depression at weight `w`.
    #[inline]
    pub fn minus_factor(&self, w: f64) -> f64 {
        match self.dependence {
            WeightDependence::Additive => 1.0,
            WeightDependence::Multiplicative => (w - self.w_min) / (self.w_max - self.w_min),
        }
    }

    /// Clip to the bounds.
    #[inline]
    pub fn clip(&self, w: f64) -> f64 {
        w.clamp(self.w_min, self.w_max)
    }
}

/// Per-step decay factor `exp(-dt / tau)` of a trace.
#[inline]
pub fn decay_factor(tau_ms: f64, dt_ms: f64) -> f64 {
    (-dt_ms / tau_ms).exp()
}

/// A trace's response to a spike: `x + 1` (all-to-all) or `1` (nearest).
#[inline]
pub fn bump(x: f64, interaction: Interaction) -> f64 {
    match interaction {
        Interaction::AllToAll => x + 1.0,
        Interaction::Nearest => 1.0,
    }
}

/// A spike-timing learning rule as a per-tick state machine (see the module doc for the order of
/// calls within a tick). Implemented by the f64 rules and by their fixed twins, so the same driver
/// (the [`protocol`] runner, the network simulator) runs both.
pub trait PlasticityRule {
    /// State per presynaptic neuron (its traces).
    type Pre: Clone + std::fmt::Debug;
    /// State per postsynaptic neuron (its traces).
    type Post: Clone + std::fmt::Debug;
    /// State per synapse (the weight and any per-synapse trace).
    type Syn: Clone + std::fmt::Debug;
    /// State per learning unit (neuromodulator, random generator).
    type Shared: Clone + std::fmt::Debug;
    /// Whether [`PlasticityRule::tick_syn`] does anything; when false a network may skip the
    /// per-synapse sweep of step 3.
    const SYN_DYNAMICS: bool = false;

    /// The rule's CLI name.
    fn name(&self) -> &'static str;
    /// The time step the rule's constants were computed for.
    fn dt_ms(&self) -> f64;
    fn pre_state(&self) -> Self::Pre;
    fn post_state(&self) -> Self::Post;
    /// A synapse at weight `w0` (quantised, saturating, by the fixed twins).
    fn syn_state(&self, w0: f64) -> Self::Syn;
    fn shared_state(&self) -> Self::Shared;
    /// The real value of a synapse's weight.
    fn weight(&self, s: &Self::Syn) -> f64;
    /// Step 1: decay of the shared state.
    fn tick_shared(&self, _g: &mut Self::Shared) {}
    /// Step 1: a reward (neuromodulator release) of `amount`; rules without one ignore it.
    fn reward(&self, _g: &mut Self::Shared, _amount: f64) {}
    /// Step 2: trace decay of a presynaptic neuron.
    fn tick_pre(&self, p: &mut Self::Pre);
    /// Step 2: trace decay of a postsynaptic neuron.
    fn tick_post(&self, q: &mut Self::Post);
    /// Step 3: per-synapse dynamics (only when [`PlasticityRule::SYN_DYNAMICS`]).
    fn tick_syn(&self, _s: &mut Self::Syn, _g: &mut Self::Shared) {}
    /// Step 4: a presynaptic spike reaches synapse `s` (pre traces `p` not yet bumped).
    fn on_pre(&self, s: &mut Self::Syn, p: &Self::Pre, q: &Self::Post, g: &mut Self::Shared);
    /// Step 4: after all synapses of the spiking presynaptic neuron: bump its traces.
    fn pre_spike(&self, p: &mut Self::Pre);
    /// Step 5: a postsynaptic spike at synapse `s` (post traces `q` not yet bumped).
    fn on_post(&self, s: &mut Self::Syn, p: &Self::Pre, q: &Self::Post, g: &mut Self::Shared);
    /// Step 5: after all synapses of the spiking postsynaptic neuron: bump its traces.
    fn post_spike(&self, q: &mut Self::Post);
    /// How long after the last event weights can still change (ms); 0 for rules whose weights
    /// change only at spikes. The protocol runner runs this long after the last event.
    fn settle_ms(&self) -> f64 {
        0.0
    }
}

/// Positive parameter from a table, or a clear error.
pub(crate) fn positive(t: &crate::params::ParamTable, name: &str) -> Result<f64, LearningError> {
    let v = t.v(name);
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(LearningError::bad(name, v, "must be positive"))
    }
}

/// Non-negative parameter from a table, or a clear error.
pub(crate) fn non_negative(
    t: &crate::params::ParamTable,
    name: &str,
) -> Result<f64, LearningError> {
    let v = t.v(name);
    if v >= 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(LearningError::bad(name, v, "must be zero or positive"))
    }
}

/// Check a time step.
pub(crate) fn check_dt(dt_ms: f64) -> Result<f64, LearningError> {
    if dt_ms > 0.0 && dt_ms.is_finite() {
        Ok(dt_ms)
    } else {
        Err(LearningError::bad(
            "dt",
            dt_ms,
            "the time step must be a positive number of ms",
        ))
    }
}
