//! ReSuMe, remote supervised method (Ponulak & Kasiński 2010, Neural Comput. 22:467-510).
//!
//! # Equations ([`Resume`])
//! `dw/dt = [S_d(t) - S_o(t)] * [a + integral_0^inf W(s) S_in(t - s) ds]`, `W(s) = A exp(-s/tau)`,
//! with `S_d`, `S_o`, `S_in` the desired, output and input spike trains. With an input trace `x`
//! (`dx/dt = -x/tau`, `+1` per input spike, all-to-all):
//! * desired spike: `w += a + A * x`;
//! * output spike:  `w -= a + A * x`;
//! * input spike:   `x += 1` (no weight change: the window has no `s < 0` side).
//!
//! The non-Hebbian term `a` moves all weights to correct the output rate; the Hebbian term moves
//! the inputs active just before a missing (extra) output spike up (down). When the output
//! equals the desired train, the changes cancel and learning stops. Weights are clipped to
//! `[w_min, w_max]` (unbounded by default).
//!
//! **Simultaneous spikes**: an input spike in the same tick as a desired or output spike counts
//! with `s = 0` (input handled first); a desired and an output spike in the same tick cancel
//! exactly. In the [`super::PlasticityRule`] interface the desired spikes are the "post" events;
//! the neuron's own spikes go to [`Resume::on_output`].
use super::{check_dt, non_negative, positive, LearningError, PlasticityRule, WeightRule};
use crate::params::{ParamInfo, ParamTable, Preset};
use serde::Serialize;

pub const NAME: &str = "resume";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "a",
        unit: "w",
        default: Some(0.0005),
        doc: "non-Hebbian term a (per desired/output spike)",
    },
    ParamInfo {
        name: "a_learn",
        unit: "w",
        default: Some(0.01),
        doc: "amplitude A of the learning window W(s) = A exp(-s/tau)",
    },
    ParamInfo {
        name: "tau",
        unit: "ms",
        default: Some(5.0),
        doc: "time constant of the learning window",
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

/// The ReSuMe rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Resume {
    pub a: f64,
    pub a_learn: f64,
    pub tau_ms: f64,
    pub weights: WeightRule,
    pub dt_ms: f64,
    /// `exp(-dt / tau)`.
    pub k: f64,
}

impl Resume {
    /// From a parameter table.
    pub fn from_table(t: &ParamTable, dt_ms: f64) -> Result<Self, LearningError> {
        let dt_ms = check_dt(dt_ms)?;
        let tau = positive(t, "tau")?;
        Ok(Resume {
            a: non_negative(t, "a")?,
            a_learn: non_negative(t, "a_learn")?,
            tau_ms: tau,
            weights: WeightRule::new(
                super::WeightDependence::Additive,
                t.get("w_min"),
                t.get("w_max"),
            )?,
            dt_ms,
            k: (-dt_ms / tau).exp(),
        })
    }
    /// The defaults.
    pub fn defaults(dt_ms: f64) -> Result<Self, LearningError> {
        Resume::from_table(&ParamTable::new(NAME, PARAMS), dt_ms)
    }
    /// A desired spike: `w += a + A x`.
    #[inline]
    pub fn on_desired(&self, w: &mut f64, x: f64) {
        *w = self.weights.clip(*w + self.a + self.a_learn * x);
    }
    /// An output spike of the neuron: `w -= a + A x`.
    #[inline]
    pub fn on_output(&self, w: &mut f64, x: f64) {
        *w = self.weights.clip(*w - (self.a + self.a_learn * x));
    }
}

impl PlasticityRule for Resume {
    type Pre = f64;
    type Post = ();
    type Syn = f64;
    type Shared = ();
    fn name(&self) -> &'static str {
        NAME
    }
    fn dt_ms(&self) -> f64 {
        self.dt_ms
    }
    fn pre_state(&self) -> f64 {
        0.0
    }
    fn post_state(&self) {}
    fn syn_state(&self, w0: f64) -> f64 {
        self.weights.clip(w0)
    }
    fn shared_state(&self) {}
    fn weight(&self, s: &f64) -> f64 {
        *s
    }
    #[inline]
    fn tick_pre(&self, x: &mut f64) {
        *x *= self.k;
    }
    fn tick_post(&self, _q: &mut ()) {}
    fn on_pre(&self, _w: &mut f64, _x: &f64, _q: &(), _g: &mut ()) {}
    #[inline]
    fn pre_spike(&self, x: &mut f64) {
        *x += 1.0;
    }
    /// A desired spike.
    #[inline]
    fn on_post(&self, w: &mut f64, x: &f64, _q: &(), _g: &mut ()) {
        self.on_desired(w, *x);
    }
    fn post_spike(&self, _q: &mut ()) {}
}
