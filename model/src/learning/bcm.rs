//! BCM with a sliding threshold (Bienenstock, Cooper & Munro 1982; the threshold of Intrator &
//! Cooper 1992).
//!
//! # Equations ([`Bcm`], rate based)
//! For a synapse with presynaptic rate `x` and a postsynaptic neuron with rate `y` (Hz):
//! * `dw/dt = eta * x * y * (y - theta)` (LTD below the threshold, LTP above);
//! * `tau_theta * dtheta/dt = y^2 / y0 - theta` (per neuron): the threshold slides with the
//!   recent average of `y^2`, which stabilises the rule.
//!
//! Both are integrated by forward Euler once per tick; the weight update uses the threshold of the
//! start of the tick, then the threshold is updated (call [`Bcm::update_weight`] for every
//! synapse, then [`Bcm::update_threshold`] once per neuron). Weights are clipped to `[w_min,
//! w_max]` (unbounded by default).
//!
//! **Fixed point**: for a constant input pattern the stable fixed point has `y* = y0` and
//! `theta* = y0` (with `y = w . x`, e.g. `w* = y0 / x` for one input); `y = 0` is unstable.
//! The threshold must be faster than the weights (`tau_theta` well below the weights' time scale
//! `1 / (eta x^2 y0)`), else the rule oscillates.
//!
//! **Rates from spikes**: a network estimates `x` and `y` with [`RateTrace`]s (a trace that decays
//! with `tau_r` and jumps by `1000 / tau_r` Hz at each spike, so its mean is the rate); there is no
//! spike-pairing convention (simultaneous spikes just both count in their rates).
use super::{check_dt, non_negative, positive, LearningError, WeightRule};
use crate::params::{ParamInfo, ParamTable, Preset};
use serde::Serialize;

pub const NAME: &str = "bcm";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "eta",
        unit: "w/(ms Hz^3)",
        default: Some(1e-5),
        doc: "learning rate: dw/dt = eta x y (y - theta)",
    },
    ParamInfo {
        name: "tau_theta",
        unit: "ms",
        default: Some(50.0),
        doc: "time constant of the sliding threshold",
    },
    ParamInfo {
        name: "y0",
        unit: "Hz",
        default: Some(10.0),
        doc: "target rate: theta -> <y^2> / y0, fixed point y = y0",
    },
    ParamInfo {
        name: "theta0",
        unit: "Hz",
        default: Some(0.0),
        doc: "initial threshold",
    },
    ParamInfo {
        name: "w_min",
        unit: "w",
        default: None,
        doc: "lower weight bound (default unbounded)",
    },
    ParamInfo {
        name: "w_max",
        unit: "w",
        default: None,
        doc: "upper weight bound (default unbounded)",
    },
];
pub const PRESETS: &[Preset] = &[];

/// BCM rule parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bcm {
    pub eta: f64,
    pub tau_theta_ms: f64,
    pub y0_hz: f64,
    pub theta0_hz: f64,
    pub weights: WeightRule,
    pub dt_ms: f64,
}

/// The per-neuron state: the sliding threshold (Hz).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BcmNeuron {
    pub theta: f64,
}

impl Bcm {
    /// From a parameter table.
    pub fn from_table(t: &ParamTable, dt_ms: f64) -> Result<Self, LearningError> {
        Ok(Bcm {
            eta: non_negative(t, "eta")?,
            tau_theta_ms: positive(t, "tau_theta")?,
            y0_hz: positive(t, "y0")?,
            theta0_hz: non_negative(t, "theta0")?,
            weights: WeightRule::new(
                super::WeightDependence::Additive,
                t.get("w_min"),
                t.get("w_max"),
            )?,
            dt_ms: check_dt(dt_ms)?,
        })
    }
    /// The defaults.
    pub fn defaults(dt_ms: f64) -> Result<Self, LearningError> {
        Bcm::from_table(&ParamTable::new(NAME, PARAMS), dt_ms)
    }
    /// A neuron's initial state.
    pub fn neuron(&self) -> BcmNeuron {
        BcmNeuron {
            theta: self.theta0_hz,
        }
    }
    /// One tick of a synapse: `w += dt * eta * x * y * (y - theta)`, clipped. Returns the change.
    #[inline]
    pub fn update_weight(&self, w: &mut f64, x_hz: f64, y_hz: f64, n: &BcmNeuron) -> f64 {
        let old = *w;
        *w = self
            .weights
            .clip(old + self.dt_ms * self.eta * x_hz * y_hz * (y_hz - n.theta));
        *w - old
    }
    /// One tick of a neuron's threshold: `theta += dt / tau_theta * (y^2 / y0 - theta)`.
    #[inline]
    pub fn update_threshold(&self, n: &mut BcmNeuron, y_hz: f64) {
        n.theta += self.dt_ms / self.tau_theta_ms * (y_hz * y_hz / self.y0_hz - n.theta);
    }
    /// One tick of a linear neuron `y = w . x` with all its synapses: weights first (with the old
    /// threshold), then the threshold. Returns `y`.
    pub fn step_linear(&self, w: &mut [f64], x_hz: &[f64], n: &mut BcmNeuron) -> f64 {
        let y: f64 = w.iter().zip(x_hz).map(|(w, x)| w * x).sum();
        for (wi, xi) in w.iter_mut().zip(x_hz) {
            self.update_weight(wi, *xi, y, n);
        }
        self.update_threshold(n, y);
        y
    }
}

/// A rate estimate from spikes: decays with `tau_r`, jumps by `1000 / tau_r` Hz per spike.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateTrace {
    pub tau_ms: f64,
    /// Per-tick decay `exp(-dt / tau)`.
    pub k: f64,
}

impl RateTrace {
    pub fn new(tau_ms: f64, dt_ms: f64) -> Self {
        RateTrace {
            tau_ms,
            k: (-dt_ms / tau_ms).exp(),
        }
    }
    /// One tick of decay.
    #[inline]
    pub fn tick(&self, r: &mut f64) {
        *r *= self.k;
    }
    /// A spike.
    #[inline]
    pub fn spike(&self, r: &mut f64) {
        *r += 1000.0 / self.tau_ms;
    }
}
