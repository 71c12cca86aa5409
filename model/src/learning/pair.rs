//! Pair STDP with traces (Song, Miller & Abbott 2000; the trace form of Morrison, Diesmann &
//! Gerstner 2008).
//!
//! # Equations (f64, [`PairStdp`])
//! A presynaptic trace `x` (per pre neuron) and a postsynaptic trace `y` (per post neuron):
//! `dx/dt = -x / tau_plus`, `dy/dt = -y / tau_minus`, decayed once per tick by `exp(-dt/tau)`.
//! * pre spike:  `w += -A- * y * f-(w)`, then `x += 1` (all-to-all) or `x = 1` (nearest);
//! * post spike: `w += +A+ * x * f+(w)`, then `y += 1` or `y = 1`;
//!
//! with `f+ = f- = 1` (additive) or `f+ = (w_max - w)/(w_max - w_min)`, `f- = (w - w_min)/(w_max -
//! w_min)` (multiplicative), and `w` clipped to `[w_min, w_max]` (unbounded by default). For one
//! isolated pair at `delta_t = t_post - t_pre`: `dw = A+ exp(-delta_t/tau_plus)` for `delta_t >= 0`
//! and `-A- exp(delta_t/tau_minus)` for `delta_t < 0`. This is the trace rule of
//! `shared/reference/README.md` (`apre = A+ x`, `apost = -A- y`).
//!
//! **Simultaneous spikes**: pre before post, so `dw(0) = +A+`.
//!
//! # Fixed twin ([`PairStdpFixed`], the hardware specification)
//! Words: traces `x`, `y` unsigned with `T` fraction bits (`ONE = 2^T`), weight `w` (format `W`,
//! `Wf` fraction bits, stored into `[lo, hi]`), amplitude coefficients `a_plus`, `a_minus` (`C`
//! fraction bits; divided by `w_max - w_min` for the multiplicative rule), decays `dec_plus`,
//! `dec_minus` ([`Decay`]). Per tick and event:
//! ```text
//! tick (per neuron):  x = dec_plus(x);  y = dec_minus(y)      // see learning::fixed: half-up, >= 1 LSB
//! pre spike, per synapse:
//!   p  = a_minus * y                            // C + T fraction bits, exact
//!   p  = p * (w - lo)        [multiplicative]   // C + T + Wf fraction bits
//!   w  = clamp(w + round(-p -> Wf), lo, hi)     // round: floor | half-up | stochastic
//! pre spike, once per neuron:  x = min(x + ONE, x_max)  [all-to-all]  |  x = ONE  [nearest]
//! post spike, per synapse:
//!   p  = a_plus * x                             // C + T
//!   p  = p * (hi - w)        [multiplicative]   // C + T + Wf
//!   w  = clamp(w + round(p -> Wf), lo, hi)
//! post spike, once per neuron: y = min(y + ONE, y_max) | ONE
//! ```
//! The stochastic-rounding generator advances once per rounding of a non-zero product.
use super::fixed::{
    bump_raw, rescale_update, Decay, LearningFixedConfig, UpdateRounding, WeightWord, Xorshift32,
};
use super::{
    bump, check_dt, decay_factor, non_negative, positive, Interaction, LearningError,
    PlasticityRule, RuleOptions, WeightDependence, WeightRule,
};
use crate::fixed::QFormat;
use crate::params::{ParamInfo, ParamTable, Preset};
use crate::quant::Coef;
use serde::Serialize;

pub const NAME: &str = "pair";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "a_plus",
        unit: "w",
        default: Some(0.005),
        doc: "potentiation amplitude A+ (dw of a pair at delta_t -> 0+)",
    },
    ParamInfo {
        name: "a_minus",
        unit: "w",
        default: Some(0.00525),
        doc: "depression amplitude A- (|dw| of a pair at delta_t -> 0-)",
    },
    ParamInfo {
        name: "tau_plus",
        unit: "ms",
        default: Some(20.0),
        doc: "time constant of the presynaptic trace (potentiation window)",
    },
    ParamInfo {
        name: "tau_minus",
        unit: "ms",
        default: Some(20.0),
        doc: "time constant of the postsynaptic trace (depression window)",
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
        doc: "upper weight bound (default unbounded; Song et al. use [0, g_max])",
    },
];
/// Song, Miller & Abbott (2000): A+ = 0.005, A- = 1.05 A+, tau+ = tau- = 20 ms (the weights are in
/// units of g_max; the bounds [0, g_max] are left to the network so the pairing protocol is
/// unbounded, as in `shared/reference/stdp_pair_window.csv`).
pub const PRESETS: &[Preset] = &[(
    "song2000",
    &[
        ("a_plus", 0.005),
        ("a_minus", 0.00525),
        ("tau_plus", 20.0),
        ("tau_minus", 20.0),
    ],
)];

/// Pair STDP (f64). Pre and post states are the traces `x`, `y`; the synapse state is the weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairStdp {
    pub a_plus: f64,
    pub a_minus: f64,
    pub tau_plus_ms: f64,
    pub tau_minus_ms: f64,
    pub interaction: Interaction,
    pub weights: WeightRule,
    pub dt_ms: f64,
    /// `exp(-dt / tau_plus)`.
    pub k_plus: f64,
    /// `exp(-dt / tau_minus)`.
    pub k_minus: f64,
}

impl PairStdp {
    /// From a parameter table.
    pub fn from_table(
        t: &ParamTable,
        opts: RuleOptions,
        dt_ms: f64,
    ) -> Result<Self, LearningError> {
        let dt_ms = check_dt(dt_ms)?;
        let (tp, tm) = (positive(t, "tau_plus")?, positive(t, "tau_minus")?);
        Ok(PairStdp {
            a_plus: non_negative(t, "a_plus")?,
            a_minus: non_negative(t, "a_minus")?,
            tau_plus_ms: tp,
            tau_minus_ms: tm,
            interaction: opts.interaction,
            weights: WeightRule::new(opts.dependence, t.get("w_min"), t.get("w_max"))?,
            dt_ms,
            k_plus: decay_factor(tp, dt_ms),
            k_minus: decay_factor(tm, dt_ms),
        })
    }
    /// The `song2000` preset, all-to-all, additive, unbounded.
    pub fn song2000(dt_ms: f64) -> Result<Self, LearningError> {
        let mut t = ParamTable::new(NAME, PARAMS);
        t.apply(PRESETS[0].1)?;
        PairStdp::from_table(&t, RuleOptions::default(), dt_ms)
    }
    /// The weight change of one isolated pair at `delta_t = t_post - t_pre` (continuous time,
    /// additive, unbounded): `A+ e^(-dt/tau+)` for `dt >= 0`, `-A- e^(dt/tau-)` for `dt < 0`.
    pub fn window(&self, delta_t_ms: f64) -> f64 {
        if delta_t_ms >= 0.0 {
            self.a_plus * (-delta_t_ms / self.tau_plus_ms).exp()
        } else {
            -self.a_minus * (delta_t_ms / self.tau_minus_ms).exp()
        }
    }
}

impl PlasticityRule for PairStdp {
    type Pre = f64;
    type Post = f64;
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
    fn post_state(&self) -> f64 {
        0.0
    }
    fn syn_state(&self, w0: f64) -> f64 {
        self.weights.clip(w0)
    }
    fn shared_state(&self) {}
    fn weight(&self, s: &f64) -> f64 {
        *s
    }
    #[inline]
    fn tick_pre(&self, x: &mut f64) {
        *x *= self.k_plus;
    }
    #[inline]
    fn tick_post(&self, y: &mut f64) {
        *y *= self.k_minus;
    }
    #[inline]
    fn on_pre(&self, w: &mut f64, _x: &f64, y: &f64, _g: &mut ()) {
        let dw = -(y * self.a_minus) * self.weights.minus_factor(*w);
        *w = self.weights.clip(*w + dw);
    }
    #[inline]
    fn pre_spike(&self, x: &mut f64) {
        *x = bump(*x, self.interaction);
    }
    #[inline]
    fn on_post(&self, w: &mut f64, x: &f64, _y: &f64, _g: &mut ()) {
        let dw = (x * self.a_plus) * self.weights.plus_factor(*w);
        *w = self.weights.clip(*w + dw);
    }
    #[inline]
    fn post_spike(&self, y: &mut f64) {
        *y = bump(*y, self.interaction);
    }
}

/// The fixed-point pair STDP twin (module doc has the algorithm).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairStdpFixed {
    pub weight: WeightWord,
    /// Trace format (unsigned).
    pub trace: QFormat,
    /// The trace increment of a spike, `2^T`.
    pub one: i64,
    /// Largest trace value (saturation).
    pub trace_max: i64,
    /// Decay of the presynaptic trace `x` (tau_plus).
    pub dec_plus: Decay,
    /// Decay of the postsynaptic trace `y` (tau_minus).
    pub dec_minus: Decay,
    /// `A+` (additive) or `A+ / (w_max - w_min)` (multiplicative).
    pub a_plus: Coef,
    /// `A-` (additive) or `A- / (w_max - w_min)` (multiplicative).
    pub a_minus: Coef,
    pub interaction: Interaction,
    pub dependence: WeightDependence,
    pub rounding: UpdateRounding,
    pub seed: u32,
    pub dt_ms: f64,
}

impl PairStdpFixed {
    /// Quantise `p` with the formats of `cfg`.
    pub fn new(p: &PairStdp, cfg: &LearningFixedConfig) -> Result<Self, LearningError> {
        let weight = WeightWord::new(cfg.weight, &p.weights)?;
        let trace = cfg.trace_format(&[p.tau_plus_ms, p.tau_minus_ms], p.dt_ms, p.interaction)?;
        let scale = match p.weights.dependence {
            WeightDependence::Additive => 1.0,
            WeightDependence::Multiplicative => 1.0 / (p.weights.w_max - p.weights.w_min),
        };
        let (ap, am) = (p.a_plus * scale, p.a_minus * scale);
        let fc = cfg.coef_format(&[ap, am], weight.fmt.frac_bits);
        let f = trace.frac_bits;
        Ok(PairStdpFixed {
            weight,
            trace,
            one: 1i64 << f,
            trace_max: trace.max_raw() as i64,
            dec_plus: Decay::new("tau_plus", p.tau_plus_ms, p.dt_ms, cfg.decay, f, cfg.mul)?,
            dec_minus: Decay::new("tau_minus", p.tau_minus_ms, p.dt_ms, cfg.decay, f, cfg.mul)?,
            a_plus: Coef::new("a_plus", ap, fc, cfg.mul)?,
            a_minus: Coef::new("a_minus", am, fc, cfg.mul)?,
            interaction: p.interaction,
            dependence: p.weights.dependence,
            rounding: cfg.rounding,
            seed: cfg.seed,
            dt_ms: p.dt_ms,
        })
    }
    /// `p` (an exact product with `C + T` fraction bits) times the weight factor, rounded into
    /// the weight's fraction bits and added to `w`.
    #[inline]
    fn apply(&self, w: i64, p: i128, factor: i64, rng: &mut Xorshift32) -> i64 {
        let from = self.a_plus.fmt.frac_bits + self.trace.frac_bits;
        let wf = self.weight.fmt.frac_bits;
        let (p, from) = match self.dependence {
            WeightDependence::Additive => (p, from),
            WeightDependence::Multiplicative => (p * factor as i128, from + wf),
        };
        let dw = rescale_update(p, from, wf, self.rounding, rng);
        self.weight.store(w as i128 + dw)
    }
}

impl PlasticityRule for PairStdpFixed {
    type Pre = i64;
    type Post = i64;
    type Syn = i64;
    type Shared = Xorshift32;
    fn name(&self) -> &'static str {
        NAME
    }
    fn dt_ms(&self) -> f64 {
        self.dt_ms
    }
    fn pre_state(&self) -> i64 {
        0
    }
    fn post_state(&self) -> i64 {
        0
    }
    fn syn_state(&self, w0: f64) -> i64 {
        self.weight.quantize(w0)
    }
    fn shared_state(&self) -> Xorshift32 {
        Xorshift32::new(self.seed)
    }
    fn weight(&self, s: &i64) -> f64 {
        self.weight.real(*s)
    }
    #[inline]
    fn tick_pre(&self, x: &mut i64) {
        *x = self.dec_plus.apply(*x);
    }
    #[inline]
    fn tick_post(&self, y: &mut i64) {
        *y = self.dec_minus.apply(*y);
    }
    #[inline]
    fn on_pre(&self, w: &mut i64, _x: &i64, y: &i64, g: &mut Xorshift32) {
        let p = self.a_minus.raw as i128 * *y as i128; // C + T
        *w = self.apply(*w, -p, *w - self.weight.lo, g);
    }
    #[inline]
    fn pre_spike(&self, x: &mut i64) {
        *x = bump_raw(*x, self.one, self.trace_max, self.interaction);
    }
    #[inline]
    fn on_post(&self, w: &mut i64, x: &i64, _y: &i64, g: &mut Xorshift32) {
        let p = self.a_plus.raw as i128 * *x as i128; // C + T
        *w = self.apply(*w, p, self.weight.hi - *w, g);
    }
    #[inline]
    fn post_spike(&self, y: &mut i64) {
        *y = bump_raw(*y, self.one, self.trace_max, self.interaction);
    }
}
