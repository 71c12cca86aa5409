//! The ABS rule (Artola, Bröcher & Singer 1990, Nature 347:69-72): the sign of the change at an
//! active synapse depends on the postsynaptic depolarisation, with two voltage thresholds
//! `theta_minus < theta_plus`.
//!
//! # Equations ([`Abs`], event driven at presynaptic spikes)
//! At each presynaptic spike, with the postsynaptic membrane potential `v`:
//! * `v >= theta_plus` (strong depolarisation, NMDA-dependent LTP): `w += A_ltp * f+(w)`;
//! * `theta_minus <= v < theta_plus` (moderate depolarisation): `w -= A_ltd * f-(w)` (LTD);
//! * `v < theta_minus`: no change.
//!
//! `f+`, `f-` and the bounds are those of [`super::WeightRule`] (additive and unbounded by default).
//!
//! **Which `v`, and simultaneous spikes**: the caller passes the postsynaptic potential at the
//! start of the tick (before this tick's neuron update, so a reset does not hide the
//! depolarisation that caused a spike), and whether the postsynaptic neuron spiked in the same
//! tick; a postsynaptic spike counts as a depolarisation above `theta_plus` (LTP). Post spikes
//! without a presynaptic spike change nothing.
//!
//! The default thresholds (-60 mV, -50 mV for a neuron resting at -70 mV and firing at -50 mV) are
//! illustrative: the paper reports two depolarisation levels of the same order, not potentials.
use super::{non_negative, LearningError, RuleOptions, WeightRule};
use crate::params::{ParamInfo, ParamTable, Preset};
use serde::Serialize;

pub const NAME: &str = "abs";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "theta_minus",
        unit: "mV",
        default: Some(-60.0),
        doc: "LTD threshold on the postsynaptic potential",
    },
    ParamInfo {
        name: "theta_plus",
        unit: "mV",
        default: Some(-50.0),
        doc: "LTP threshold on the postsynaptic potential (> theta_minus)",
    },
    ParamInfo {
        name: "a_ltp",
        unit: "w",
        default: Some(0.01),
        doc: "potentiation per presynaptic spike above theta_plus",
    },
    ParamInfo {
        name: "a_ltd",
        unit: "w",
        default: Some(0.005),
        doc: "depression per presynaptic spike between the thresholds",
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

/// What an ABS update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AbsRegion {
    None,
    Ltd,
    Ltp,
}

/// The ABS rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Abs {
    pub theta_minus_mv: f64,
    pub theta_plus_mv: f64,
    pub a_ltp: f64,
    pub a_ltd: f64,
    pub weights: WeightRule,
}

impl Abs {
    /// From a parameter table.
    pub fn from_table(t: &ParamTable, opts: RuleOptions) -> Result<Self, LearningError> {
        let (lo, hi) = (t.v("theta_minus"), t.v("theta_plus"));
        if lo >= hi {
            return Err(LearningError::bad(
                "theta_plus",
                hi,
                &format!("must be above theta_minus = {lo}"),
            ));
        }
        Ok(Abs {
            theta_minus_mv: lo,
            theta_plus_mv: hi,
            a_ltp: non_negative(t, "a_ltp")?,
            a_ltd: non_negative(t, "a_ltd")?,
            weights: WeightRule::new(opts.dependence, t.get("w_min"), t.get("w_max"))?,
        })
    }
    /// The defaults.
    pub fn defaults() -> Result<Self, LearningError> {
        Abs::from_table(&ParamTable::new(NAME, PARAMS), RuleOptions::default())
    }
    /// The region of a postsynaptic state.
    pub fn region(&self, v_post_mv: f64, post_spiked: bool) -> AbsRegion {
        if post_spiked || v_post_mv >= self.theta_plus_mv {
            AbsRegion::Ltp
        } else if v_post_mv >= self.theta_minus_mv {
            AbsRegion::Ltd
        } else {
            AbsRegion::None
        }
    }
    /// A presynaptic spike at a synapse of weight `w`; returns the region applied.
    #[inline]
    pub fn on_pre(&self, w: &mut f64, v_post_mv: f64, post_spiked: bool) -> AbsRegion {
        let r = self.region(v_post_mv, post_spiked);
        let dw = match r {
            AbsRegion::Ltp => self.a_ltp * self.weights.plus_factor(*w),
            AbsRegion::Ltd => -self.a_ltd * self.weights.minus_factor(*w),
            AbsRegion::None => 0.0,
        };
        *w = self.weights.clip(*w + dw);
        r
    }
}
