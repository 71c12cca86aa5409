//! Supervised Hebbian learning (teacher-forced STDP, as in Legenstein, Näger & Maass 2005, "What
//! can a neuron learn with spike-timing-dependent plasticity?").
//!
//! # Equations ([`SupervisedHebb`])
//! The rule is Hebbian between the input spikes and a **teacher** spike train that stands for the
//! desired postsynaptic activity; the neuron's own spikes are ignored by the rule (during training
//! the teacher also drives or clamps the neuron, which is the network's business). With a
//! presynaptic trace `x` (`tau_plus`) and a teacher trace `z` (`tau_minus`):
//! * input (pre) spike: `w += -A- * z * f-(w)`, then `x += 1` (or `= 1`, nearest);
//! * teacher spike:     `w += +A+ * x * f+(w)`, then `z += 1` (or `= 1`).
//!
//! So inputs that fire shortly before the teacher's spikes grow, inputs that fire after them
//! shrink, and (with `A- tau_minus > A+ tau_plus`, the default) inputs uncorrelated with the
//! teacher drift down. In the [`super::PlasticityRule`] interface the teacher's spikes are the
//! "post" events: a network calls `on_post`/`post_spike` for teacher spikes, not for the neuron's.
//!
//! **Simultaneous spikes**: input before teacher (`dw(0) = +A+`), as in [`super::pair`].
use super::pair::PairStdp;
use super::{LearningError, PlasticityRule, RuleOptions};
use crate::params::{ParamInfo, ParamTable, Preset};
use serde::Serialize;

pub const NAME: &str = "supervised";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "a_plus",
        unit: "w",
        default: Some(0.01),
        doc: "potentiation of an input spike followed by a teacher spike (delta_t -> 0+)",
    },
    ParamInfo {
        name: "a_minus",
        unit: "w",
        default: Some(0.0105),
        doc: "depression of an input spike preceded by a teacher spike (delta_t -> 0-)",
    },
    ParamInfo {
        name: "tau_plus",
        unit: "ms",
        default: Some(20.0),
        doc: "input trace time constant",
    },
    ParamInfo {
        name: "tau_minus",
        unit: "ms",
        default: Some(20.0),
        doc: "teacher trace time constant",
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

/// Supervised Hebbian learning: pair STDP between input spikes and teacher spikes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SupervisedHebb {
    /// The STDP between input and teacher (its `a_minus`, `tau_minus` act on the teacher trace).
    pub stdp: PairStdp,
}

impl SupervisedHebb {
    /// From a parameter table (same parameter names as [`super::pair`]).
    pub fn from_table(
        t: &ParamTable,
        opts: RuleOptions,
        dt_ms: f64,
    ) -> Result<Self, LearningError> {
        Ok(SupervisedHebb {
            stdp: PairStdp::from_table(t, opts, dt_ms)?,
        })
    }
    /// The defaults with bounds.
    pub fn bounded(w_min: f64, w_max: f64, dt_ms: f64) -> Result<Self, LearningError> {
        let mut t = ParamTable::new(NAME, PARAMS);
        t.set("w_min", w_min)?;
        t.set("w_max", w_max)?;
        SupervisedHebb::from_table(&t, RuleOptions::default(), dt_ms)
    }
}

impl PlasticityRule for SupervisedHebb {
    type Pre = f64;
    /// The teacher trace `z`.
    type Post = f64;
    type Syn = f64;
    type Shared = ();
    fn name(&self) -> &'static str {
        NAME
    }
    fn dt_ms(&self) -> f64 {
        self.stdp.dt_ms
    }
    fn pre_state(&self) -> f64 {
        0.0
    }
    fn post_state(&self) -> f64 {
        0.0
    }
    fn syn_state(&self, w0: f64) -> f64 {
        self.stdp.syn_state(w0)
    }
    fn shared_state(&self) {}
    fn weight(&self, s: &f64) -> f64 {
        *s
    }
    #[inline]
    fn tick_pre(&self, x: &mut f64) {
        self.stdp.tick_pre(x)
    }
    #[inline]
    fn tick_post(&self, z: &mut f64) {
        self.stdp.tick_post(z)
    }
    #[inline]
    fn on_pre(&self, w: &mut f64, x: &f64, z: &f64, g: &mut ()) {
        self.stdp.on_pre(w, x, z, g)
    }
    #[inline]
    fn pre_spike(&self, x: &mut f64) {
        self.stdp.pre_spike(x)
    }
    /// A teacher spike.
    #[inline]
    fn on_post(&self, w: &mut f64, x: &f64, z: &f64, g: &mut ()) {
        self.stdp.on_post(w, x, z, g)
    }
    #[inline]
    fn post_spike(&self, z: &mut f64) {
        self.stdp.post_spike(z)
    }
}
