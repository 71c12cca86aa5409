//! Triplet STDP (Pfister & Gerstner 2006, J. Neurosci. 26:9673-9682).
//!
//! # Equations (f64, [`TripletStdp`])
//! Two presynaptic traces `r1` (`tau_plus`), `r2` (`tau_x`) and two postsynaptic traces `o1`
//! (`tau_minus`), `o2` (`tau_y`), each decayed once per tick by `exp(-dt/tau)`:
//! * pre spike:  `w += -o1 * (A2- + A3- * r2(t-)) * f-(w)`, then `r1, r2 += 1` (or `= 1`, nearest);
//! * post spike: `w += +r1 * (A2+ + A3+ * o2(t-)) * f+(w)`, then `o1, o2 += 1` (or `= 1`);
//!
//! `r2(t-)`, `o2(t-)` are read before the spike's own increment (the paper's "just before"), with
//! `f+`, `f-` and the bounds of [`super::WeightRule`]. With `A3+ = A3- = 0` this is exactly
//! [`super::pair::PairStdp`] with `A+ = A2+`, `A- = A2-` (same arithmetic, bit for bit).
//!
//! **Simultaneous spikes**: pre before post; the post spike's potentiation sees `r1` including the
//! pre spike of the same tick (`dw(0) = A2+ + A3+ o2`).
//!
//! **Frequency dependence**: at high pairing rates `o2` carries the previous post spikes, so
//! potentiation grows with the rate for both signs of `delta_t` (Pfister & Gerstner Fig. 5, data of
//! Sjöström, Turrigiano & Nelson 2001); the pair rule cannot do that.
//!
//! # Presets (all-to-all interaction rows of the paper)
//! `tau_plus = 16.8 ms` and `tau_minus = 33.7 ms` in every row. The visual-cortex rows (fit to
//! Sjöström et al. 2001) are in the paper's Table 3, the hippocampal rows (fit to Wang et al. 2005)
//! in its Table 4:
//!
//! | preset | A2+ | A3+ | A2- | A3- | tau_x (ms) | tau_y (ms) |
//! |---|---|---|---|---|---|---|
//! | `visual-cortex-minimal` | 0 | 6.5e-3 | 7.1e-3 | 0 | (unused) | 114 |
//! | `visual-cortex-full` | 5e-10 | 6.2e-3 | 7e-3 | 2.3e-4 | 101 | 125 |
//! | `hippocampal-minimal` | 5.3e-3 | 8e-3 | 3.5e-3 | 0 | (unused) | 40 |
//! | `hippocampal-full` | 6.1e-3 | 6.7e-3 | 1.6e-3 | 1.4e-3 | 946 | 27 |
//!
//! The minimal models leave `tau_x` blank (`A3- = 0` multiplies `r2` away); the presets keep the
//! full model's value there. The paper prints the visual-cortex full `tau_x` in parentheses (the fit
//! is insensitive to it). Cross-checked against two independent implementations: Auryn's
//! `TripletConnection` (minimal visual cortex: A3+ = 6.5e-3, tau_y = 114 ms) and NEST's
//! `stdp_triplet_synapse` documentation (tau_plus 16.8, tau_minus 33.7, tau_x 101, tau_y 125).
//!
//! # Fixed twin ([`TripletStdpFixed`], the hardware specification)
//! Words as in [`super::pair`]: four unsigned traces with `T` fraction bits (`ONE = 2^T`), the
//! weight `w` in `[lo, hi]` (`Wf` fraction bits), amplitudes `a2p a3p a2m a3m` with `C` fraction
//! bits (divided by `w_max - w_min` for the multiplicative rule), four [`Decay`]s.
//! ```text
//! tick (per neuron):   r1 = dec_plus(r1); r2 = dec_x(r2); o1 = dec_minus(o1); o2 = dec_y(o2)
//! pre spike, per synapse:
//!   p = ((a2m * o1) << T) + a3m * o1 * r2       // C + 2T fraction bits, exact
//!   p = p * (w - lo)          [multiplicative]  // C + 2T + Wf
//!   w = clamp(w + round(-p -> Wf), lo, hi)
//! pre spike, once per neuron:  r1 = min(r1 + ONE, max); r2 = min(r2 + ONE, max)  [nearest: = ONE]
//! post spike, per synapse:
//!   p = ((a2p * r1) << T) + a3p * r1 * o2       // C + 2T
//!   p = p * (hi - w)          [multiplicative]
//!   w = clamp(w + round(p -> Wf), lo, hi)
//! post spike, once per neuron: o1 = min(o1 + ONE, max); o2 = min(o2 + ONE, max)  [nearest: = ONE]
//! ```
//! With `a3p = a3m = 0` and the same trace and coefficient formats this equals
//! [`super::pair::PairStdpFixed`] bit for bit, for every rounding mode (the stochastic rounding
//! aligns its random word at the top of the dropped bits).
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

pub const NAME: &str = "triplet";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "a2_plus",
        unit: "w",
        default: Some(0.0),
        doc: "pair potentiation amplitude A2+",
    },
    ParamInfo {
        name: "a3_plus",
        unit: "w",
        default: Some(6.5e-3),
        doc: "triplet potentiation amplitude A3+ (times o2)",
    },
    ParamInfo {
        name: "a2_minus",
        unit: "w",
        default: Some(7.1e-3),
        doc: "pair depression amplitude A2-",
    },
    ParamInfo {
        name: "a3_minus",
        unit: "w",
        default: Some(0.0),
        doc: "triplet depression amplitude A3- (times r2)",
    },
    ParamInfo {
        name: "tau_plus",
        unit: "ms",
        default: Some(16.8),
        doc: "fast presynaptic trace r1",
    },
    ParamInfo {
        name: "tau_minus",
        unit: "ms",
        default: Some(33.7),
        doc: "fast postsynaptic trace o1",
    },
    ParamInfo {
        name: "tau_x",
        unit: "ms",
        default: Some(101.0),
        doc: "slow presynaptic trace r2",
    },
    ParamInfo {
        name: "tau_y",
        unit: "ms",
        default: Some(114.0),
        doc: "slow postsynaptic trace o2",
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

/// Pfister & Gerstner (2006), all-to-all rows: visual cortex from Table 3, hippocampal culture
/// from Table 4 (module doc). The defaults are `visual-cortex-minimal`.
pub const PRESETS: &[Preset] = &[
    (
        "visual-cortex-minimal",
        &[
            ("a2_plus", 0.0),
            ("a3_plus", 6.5e-3),
            ("a2_minus", 7.1e-3),
            ("a3_minus", 0.0),
            ("tau_plus", 16.8),
            ("tau_minus", 33.7),
            ("tau_x", 101.0), // blank in the paper (unused, A3- = 0)
            ("tau_y", 114.0),
        ],
    ),
    (
        "visual-cortex-full",
        &[
            ("a2_plus", 5e-10),
            ("a3_plus", 6.2e-3),
            ("a2_minus", 7e-3),
            ("a3_minus", 2.3e-4),
            ("tau_plus", 16.8),
            ("tau_minus", 33.7),
            ("tau_x", 101.0),
            ("tau_y", 125.0),
        ],
    ),
    (
        "hippocampal-minimal",
        &[
            ("a2_plus", 5.3e-3),
            ("a3_plus", 8e-3),
            ("a2_minus", 3.5e-3),
            ("a3_minus", 0.0),
            ("tau_plus", 16.8),
            ("tau_minus", 33.7),
            ("tau_x", 946.0), // blank in the paper (unused, A3- = 0)
            ("tau_y", 40.0),
        ],
    ),
    (
        "hippocampal-full",
        &[
            ("a2_plus", 6.1e-3),
            ("a3_plus", 6.7e-3),
            ("a2_minus", 1.6e-3),
            ("a3_minus", 1.4e-3),
            ("tau_plus", 16.8),
            ("tau_minus", 33.7),
            ("tau_x", 946.0),
            ("tau_y", 27.0),
        ],
    ),
];

/// Presynaptic traces of the triplet rule.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct TripletPre<T> {
    /// Fast trace (tau_plus).
    pub r1: T,
    /// Slow trace (tau_x).
    pub r2: T,
}

/// Postsynaptic traces of the triplet rule.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct TripletPost<T> {
    /// Fast trace (tau_minus).
    pub o1: T,
    /// Slow trace (tau_y).
    pub o2: T,
}

/// Triplet STDP (f64).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TripletStdp {
    pub a2_plus: f64,
    pub a3_plus: f64,
    pub a2_minus: f64,
    pub a3_minus: f64,
    pub tau_plus_ms: f64,
    pub tau_minus_ms: f64,
    pub tau_x_ms: f64,
    pub tau_y_ms: f64,
    pub interaction: Interaction,
    pub weights: WeightRule,
    pub dt_ms: f64,
    /// Per-tick decay factors of r1, o1, r2, o2.
    pub k_plus: f64,
    pub k_minus: f64,
    pub k_x: f64,
    pub k_y: f64,
}

impl TripletStdp {
    /// From a parameter table.
    pub fn from_table(
        t: &ParamTable,
        opts: RuleOptions,
        dt_ms: f64,
    ) -> Result<Self, LearningError> {
        let dt_ms = check_dt(dt_ms)?;
        let tp = positive(t, "tau_plus")?;
        let tm = positive(t, "tau_minus")?;
        let tx = positive(t, "tau_x")?;
        let ty = positive(t, "tau_y")?;
        Ok(TripletStdp {
            a2_plus: non_negative(t, "a2_plus")?,
            a3_plus: non_negative(t, "a3_plus")?,
            a2_minus: non_negative(t, "a2_minus")?,
            a3_minus: non_negative(t, "a3_minus")?,
            tau_plus_ms: tp,
            tau_minus_ms: tm,
            tau_x_ms: tx,
            tau_y_ms: ty,
            interaction: opts.interaction,
            weights: WeightRule::new(opts.dependence, t.get("w_min"), t.get("w_max"))?,
            dt_ms,
            k_plus: decay_factor(tp, dt_ms),
            k_minus: decay_factor(tm, dt_ms),
            k_x: decay_factor(tx, dt_ms),
            k_y: decay_factor(ty, dt_ms),
        })
    }
    /// A preset by name (all-to-all, additive, unbounded).
    pub fn preset(name: &str, dt_ms: f64) -> Result<Self, LearningError> {
        let mut t = ParamTable::new(NAME, PARAMS);
        let o = crate::params::find_preset(NAME, PRESETS, name).map_err(|_| {
            LearningError::UnknownPreset {
                rule: NAME.into(),
                preset: name.into(),
                valid: PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(" "),
            }
        })?;
        t.apply(o)?;
        TripletStdp::from_table(&t, RuleOptions::default(), dt_ms)
    }
}

impl PlasticityRule for TripletStdp {
    type Pre = TripletPre<f64>;
    type Post = TripletPost<f64>;
    type Syn = f64;
    type Shared = ();
    fn name(&self) -> &'static str {
        NAME
    }
    fn dt_ms(&self) -> f64 {
        self.dt_ms
    }
    fn pre_state(&self) -> TripletPre<f64> {
        TripletPre::default()
    }
    fn post_state(&self) -> TripletPost<f64> {
        TripletPost::default()
    }
    fn syn_state(&self, w0: f64) -> f64 {
        self.weights.clip(w0)
    }
    fn shared_state(&self) {}
    fn weight(&self, s: &f64) -> f64 {
        *s
    }
    #[inline]
    fn tick_pre(&self, p: &mut TripletPre<f64>) {
        p.r1 *= self.k_plus;
        p.r2 *= self.k_x;
    }
    #[inline]
    fn tick_post(&self, q: &mut TripletPost<f64>) {
        q.o1 *= self.k_minus;
        q.o2 *= self.k_y;
    }
    #[inline]
    fn on_pre(&self, w: &mut f64, p: &TripletPre<f64>, q: &TripletPost<f64>, _g: &mut ()) {
        let dw = -(q.o1 * (self.a2_minus + self.a3_minus * p.r2)) * self.weights.minus_factor(*w);
        *w = self.weights.clip(*w + dw);
    }
    #[inline]
    fn pre_spike(&self, p: &mut TripletPre<f64>) {
        p.r1 = bump(p.r1, self.interaction);
        p.r2 = bump(p.r2, self.interaction);
    }
    #[inline]
    fn on_post(&self, w: &mut f64, p: &TripletPre<f64>, q: &TripletPost<f64>, _g: &mut ()) {
        let dw = (p.r1 * (self.a2_plus + self.a3_plus * q.o2)) * self.weights.plus_factor(*w);
        *w = self.weights.clip(*w + dw);
    }
    #[inline]
    fn post_spike(&self, q: &mut TripletPost<f64>) {
        q.o1 = bump(q.o1, self.interaction);
        q.o2 = bump(q.o2, self.interaction);
    }
}

/// The fixed-point triplet twin (module doc has the algorithm).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TripletStdpFixed {
    pub weight: WeightWord,
    pub trace: QFormat,
    pub one: i64,
    pub trace_max: i64,
    pub dec_plus: Decay,
    pub dec_minus: Decay,
    pub dec_x: Decay,
    pub dec_y: Decay,
    pub a2_plus: Coef,
    pub a3_plus: Coef,
    pub a2_minus: Coef,
    pub a3_minus: Coef,
    pub interaction: Interaction,
    pub dependence: WeightDependence,
    pub rounding: UpdateRounding,
    pub seed: u32,
    pub dt_ms: f64,
}

impl TripletStdpFixed {
    /// Quantise `p` with the formats of `cfg`.
    pub fn new(p: &TripletStdp, cfg: &LearningFixedConfig) -> Result<Self, LearningError> {
        let weight = WeightWord::new(cfg.weight, &p.weights)?;
        let trace = cfg.trace_format(
            &[p.tau_plus_ms, p.tau_minus_ms, p.tau_x_ms, p.tau_y_ms],
            p.dt_ms,
            p.interaction,
        )?;
        let s = match p.weights.dependence {
            WeightDependence::Additive => 1.0,
            WeightDependence::Multiplicative => 1.0 / (p.weights.w_max - p.weights.w_min),
        };
        let amps = [p.a2_plus * s, p.a3_plus * s, p.a2_minus * s, p.a3_minus * s];
        let fc = cfg.coef_format(&amps, weight.fmt.frac_bits);
        let (f, m, k) = (trace.frac_bits, cfg.mul, cfg.decay);
        let dt = p.dt_ms;
        Ok(TripletStdpFixed {
            weight,
            trace,
            one: 1i64 << f,
            trace_max: trace.max_raw() as i64,
            dec_plus: Decay::new("tau_plus", p.tau_plus_ms, dt, k, f, m)?,
            dec_minus: Decay::new("tau_minus", p.tau_minus_ms, dt, k, f, m)?,
            dec_x: Decay::new("tau_x", p.tau_x_ms, dt, k, f, m)?,
            dec_y: Decay::new("tau_y", p.tau_y_ms, dt, k, f, m)?,
            a2_plus: Coef::new("a2_plus", amps[0], fc, m)?,
            a3_plus: Coef::new("a3_plus", amps[1], fc, m)?,
            a2_minus: Coef::new("a2_minus", amps[2], fc, m)?,
            a3_minus: Coef::new("a3_minus", amps[3], fc, m)?,
            interaction: p.interaction,
            dependence: p.weights.dependence,
            rounding: cfg.rounding,
            seed: cfg.seed,
            dt_ms: dt,
        })
    }
    #[inline]
    fn apply(&self, w: i64, p: i128, factor: i64, rng: &mut Xorshift32) -> i64 {
        let from = self.a2_plus.fmt.frac_bits + 2 * self.trace.frac_bits;
        let wf = self.weight.fmt.frac_bits;
        let (p, from) = match self.dependence {
            WeightDependence::Additive => (p, from),
            WeightDependence::Multiplicative => (p * factor as i128, from + wf),
        };
        let dw = rescale_update(p, from, wf, self.rounding, rng);
        self.weight.store(w as i128 + dw)
    }
}

impl PlasticityRule for TripletStdpFixed {
    type Pre = TripletPre<i64>;
    type Post = TripletPost<i64>;
    type Syn = i64;
    type Shared = Xorshift32;
    fn name(&self) -> &'static str {
        NAME
    }
    fn dt_ms(&self) -> f64 {
        self.dt_ms
    }
    fn pre_state(&self) -> TripletPre<i64> {
        TripletPre::default()
    }
    fn post_state(&self) -> TripletPost<i64> {
        TripletPost::default()
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
    fn tick_pre(&self, p: &mut TripletPre<i64>) {
        p.r1 = self.dec_plus.apply(p.r1);
        p.r2 = self.dec_x.apply(p.r2);
    }
    #[inline]
    fn tick_post(&self, q: &mut TripletPost<i64>) {
        q.o1 = self.dec_minus.apply(q.o1);
        q.o2 = self.dec_y.apply(q.o2);
    }
    #[inline]
    fn on_pre(&self, w: &mut i64, p: &TripletPre<i64>, q: &TripletPost<i64>, g: &mut Xorshift32) {
        let t = self.trace.frac_bits;
        let o1 = q.o1 as i128;
        // C + 2T fraction bits, exact
        let v =
            ((self.a2_minus.raw as i128 * o1) << t) + self.a3_minus.raw as i128 * o1 * p.r2 as i128;
        *w = self.apply(*w, -v, *w - self.weight.lo, g);
    }
    #[inline]
    fn pre_spike(&self, p: &mut TripletPre<i64>) {
        p.r1 = bump_raw(p.r1, self.one, self.trace_max, self.interaction);
        p.r2 = bump_raw(p.r2, self.one, self.trace_max, self.interaction);
    }
    #[inline]
    fn on_post(&self, w: &mut i64, p: &TripletPre<i64>, q: &TripletPost<i64>, g: &mut Xorshift32) {
        let t = self.trace.frac_bits;
        let r1 = p.r1 as i128;
        let v =
            ((self.a2_plus.raw as i128 * r1) << t) + self.a3_plus.raw as i128 * r1 * q.o2 as i128;
        *w = self.apply(*w, v, self.weight.hi - *w, g);
    }
    #[inline]
    fn post_spike(&self, q: &mut TripletPost<i64>) {
        q.o1 = bump_raw(q.o1, self.one, self.trace_max, self.interaction);
        q.o2 = bump_raw(q.o2, self.one, self.trace_max, self.interaction);
    }
}
