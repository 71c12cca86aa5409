//! Reward-modulated STDP with eligibility traces (Izhikevich 2007, "Solving the distal reward
//! problem through linkage of STDP and dopamine signaling", Cereb. Cortex 17:2443-2452).
//!
//! # Equations (f64, [`RStdp`])
//! Pair-STDP traces `x` (pre, `tau_plus`) and `y` (post, `tau_minus`) feed a per-synapse
//! eligibility trace `c` instead of the weight; a dopamine level `d` (per learning unit) gates the
//! weight change:
//! * `dc/dt = -c / tau_c + STDP(delta_t) delta(t - t_pre/post)`: pre spike `c -= A- y`, post spike
//!   `c += A+ x` (then the traces are bumped as in [`super::pair`]);
//! * `dd/dt = -d / tau_d + DA(t)`: a reward adds `amount` (default `reward`) to `d`;
//! * `dw/dt = eta * c * (d + d_tonic)`, integrated once per tick (`w += eta dt c (d + d_tonic)`,
//!   after `c` and `d` decayed), clipped to `[w_min, w_max]`.
//!
//! Per tick (order of [`super::PlasticityRule`]): `d *= exp(-dt/tau_d)`, rewards, trace decay,
//! `c *= exp(-dt/tau_c)` and the weight step, then the spikes' eligibility updates (so a pairing
//! starts to count from the next tick). With `d_tonic = 0` (default) weights change only while a
//! reward's dopamine overlaps an eligibility trace: a reward that comes `D` ms after a pairing
//! scales the change by `exp(-D / tau_c)` (the eligibility window, about `tau_c` = 1 s).
//!
//! Defaults follow the paper: `A+ = 1`, `A- = 1.5`, `tau_plus = tau_minus = 20 ms`, `tau_c = 1000
//! ms`, `tau_d = 200 ms`, reward 0.5 uM. The paper writes `ds/dt = c d` (`eta = 1`) with weights in
//! mV clipped to [0, 4]; the default `eta = 0.01 /(ms uM)` makes one +10 ms pairing rewarded 1 s
//! later change `w` by about 0.18. Its tonic dopamine (0.01 uM) is `d_tonic` (default 0).
//!
//! **Simultaneous spikes**: pre before post (`c` gains `+A+` from a pair at `delta_t = 0`); a
//! reward in the same tick as a pairing acts from the next tick.
//!
//! # Fixed twin ([`RStdpFixed`], the hardware specification)
//! Words: traces `x`, `y` (unsigned, `T` fraction bits, `ONE = 2^T`); eligibility `c` (signed, `E`
//! fraction bits); dopamine `d` (unsigned, `D` fraction bits); weight `w` (`Wf`, in `[lo, hi]`);
//! coefficients `a_plus`, `a_minus` (`Ca` fraction bits), `kw = eta * dt` (`Cw`); `tonic` =
//! `d_tonic` in the dopamine format. Defaults: `E = ceil(log2(tau_c/dt)) + 8` with the integer bits
//! of `8 max(A+, A-)`; `D = ceil(log2(tau_d/dt)) + 8` with the integer bits of `8 reward`.
//! ```text
//! tick (unit):      d = dec_d(d)                                   // half-up, >= 1 LSB toward 0
//! reward(amount):   d = min(d + round_half_up(amount * 2^D), d_max)
//! tick (neuron):    x = dec_plus(x);  y = dec_minus(y)
//! tick (synapse):   c = dec_c(c)
//!                   p = kw * c * (d + tonic)                        // Cw + E + D fraction bits
//!                   w = clamp(w + round(p -> Wf), lo, hi)
//! pre spike:        c = sat_E(c + round(-(a_minus * y) -> E))       // Ca + T -> E
//!                   (once per neuron) x = min(x + ONE, x_max) | ONE
//! post spike:       c = sat_E(c + round(a_plus * x -> E))
//!                   (once per neuron) y = min(y + ONE, y_max) | ONE
//! ```
//! `round` is the update rounding (floor, half-up or stochastic); a zero product draws no random
//! word and changes nothing, so without dopamine the weights are exactly constant, and an
//! eligibility trace decays to exactly 0 (after about `tau_c ln(2^E)` ms), which makes the
//! eligibility window finite in hardware.
use super::fixed::{
    amp_format, bump_raw, rescale_update, state_frac_bits, Decay, LearningFixedConfig,
    UpdateRounding, WeightWord, Xorshift32,
};
use super::{
    bump, check_dt, decay_factor, non_negative, positive, Interaction, LearningError,
    PlasticityRule, RuleOptions, WeightDependence, WeightRule,
};
use crate::fixed::QFormat;
use crate::params::{ParamInfo, ParamTable, Preset};
use crate::quant::{int_bits_for, Coef};
use serde::Serialize;

pub const NAME: &str = "rstdp";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "a_plus",
        unit: "1",
        default: Some(1.0),
        doc: "eligibility increment of a pre-before-post pair at delta_t -> 0+",
    },
    ParamInfo {
        name: "a_minus",
        unit: "1",
        default: Some(1.5),
        doc: "eligibility decrement of a post-before-pre pair at delta_t -> 0-",
    },
    ParamInfo {
        name: "tau_plus",
        unit: "ms",
        default: Some(20.0),
        doc: "presynaptic trace time constant",
    },
    ParamInfo {
        name: "tau_minus",
        unit: "ms",
        default: Some(20.0),
        doc: "postsynaptic trace time constant",
    },
    ParamInfo {
        name: "tau_c",
        unit: "ms",
        default: Some(1000.0),
        doc: "eligibility trace time constant",
    },
    ParamInfo {
        name: "tau_d",
        unit: "ms",
        default: Some(200.0),
        doc: "dopamine time constant",
    },
    ParamInfo {
        name: "eta",
        unit: "w/(ms uM)",
        default: Some(0.01),
        doc: "learning rate: dw/dt = eta c (d + d_tonic)",
    },
    ParamInfo {
        name: "reward",
        unit: "uM",
        default: Some(0.5),
        doc: "dopamine released by one reward",
    },
    ParamInfo {
        name: "d_tonic",
        unit: "uM",
        default: Some(0.0),
        doc: "tonic dopamine (the paper: 0.01; 0 = weights change only after rewards)",
    },
    ParamInfo {
        name: "w_min",
        unit: "w",
        default: None,
        doc: "lower weight bound (default unbounded; the paper: 0)",
    },
    ParamInfo {
        name: "w_max",
        unit: "w",
        default: None,
        doc: "upper weight bound (default unbounded; the paper: 4 mV)",
    },
];
/// Izhikevich (2007): the defaults, with the paper's tonic dopamine and weight range.
pub const PRESETS: &[Preset] = &[(
    "izhikevich2007",
    &[
        ("a_plus", 1.0),
        ("a_minus", 1.5),
        ("tau_plus", 20.0),
        ("tau_minus", 20.0),
        ("tau_c", 1000.0),
        ("tau_d", 200.0),
        ("reward", 0.5),
        ("d_tonic", 0.01),
        ("w_min", 0.0),
        ("w_max", 4.0),
    ],
)];

/// Per-synapse state: weight and eligibility trace.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct RStdpSyn<T> {
    pub w: T,
    pub c: T,
}

/// Reward-modulated STDP (f64).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RStdp {
    pub a_plus: f64,
    pub a_minus: f64,
    pub tau_plus_ms: f64,
    pub tau_minus_ms: f64,
    pub tau_c_ms: f64,
    pub tau_d_ms: f64,
    pub eta: f64,
    pub reward: f64,
    pub d_tonic: f64,
    pub interaction: Interaction,
    pub weights: WeightRule,
    pub dt_ms: f64,
    pub k_plus: f64,
    pub k_minus: f64,
    pub k_c: f64,
    pub k_d: f64,
}

impl RStdp {
    /// From a parameter table (additive weight dependence only).
    pub fn from_table(
        t: &ParamTable,
        opts: RuleOptions,
        dt_ms: f64,
    ) -> Result<Self, LearningError> {
        let dt_ms = check_dt(dt_ms)?;
        if opts.dependence != WeightDependence::Additive {
            return Err(LearningError::Unsupported {
                rule: NAME.into(),
                what: "the multiplicative weight dependence (use w_min/w_max bounds)".into(),
            });
        }
        let tp = positive(t, "tau_plus")?;
        let tm = positive(t, "tau_minus")?;
        let tc = positive(t, "tau_c")?;
        let td = positive(t, "tau_d")?;
        Ok(RStdp {
            a_plus: non_negative(t, "a_plus")?,
            a_minus: non_negative(t, "a_minus")?,
            tau_plus_ms: tp,
            tau_minus_ms: tm,
            tau_c_ms: tc,
            tau_d_ms: td,
            eta: non_negative(t, "eta")?,
            reward: non_negative(t, "reward")?,
            d_tonic: non_negative(t, "d_tonic")?,
            interaction: opts.interaction,
            weights: WeightRule::new(opts.dependence, t.get("w_min"), t.get("w_max"))?,
            dt_ms,
            k_plus: decay_factor(tp, dt_ms),
            k_minus: decay_factor(tm, dt_ms),
            k_c: decay_factor(tc, dt_ms),
            k_d: decay_factor(td, dt_ms),
        })
    }
    /// The defaults (unbounded, no tonic dopamine).
    pub fn defaults(dt_ms: f64) -> Result<Self, LearningError> {
        RStdp::from_table(
            &ParamTable::new(NAME, PARAMS),
            RuleOptions::default(),
            dt_ms,
        )
    }
}

impl PlasticityRule for RStdp {
    type Pre = f64;
    type Post = f64;
    type Syn = RStdpSyn<f64>;
    /// The dopamine level `d` (phasic part).
    type Shared = f64;
    const SYN_DYNAMICS: bool = true;
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
    fn syn_state(&self, w0: f64) -> RStdpSyn<f64> {
        RStdpSyn {
            w: self.weights.clip(w0),
            c: 0.0,
        }
    }
    fn shared_state(&self) -> f64 {
        0.0
    }
    fn weight(&self, s: &RStdpSyn<f64>) -> f64 {
        s.w
    }
    #[inline]
    fn tick_shared(&self, d: &mut f64) {
        *d *= self.k_d;
    }
    fn reward(&self, d: &mut f64, amount: f64) {
        *d += amount;
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
    fn tick_syn(&self, s: &mut RStdpSyn<f64>, d: &mut f64) {
        s.c *= self.k_c;
        let dw = self.eta * self.dt_ms * s.c * (*d + self.d_tonic);
        s.w = self.weights.clip(s.w + dw);
    }
    #[inline]
    fn on_pre(&self, s: &mut RStdpSyn<f64>, _x: &f64, y: &f64, _d: &mut f64) {
        s.c -= y * self.a_minus;
    }
    #[inline]
    fn pre_spike(&self, x: &mut f64) {
        *x = bump(*x, self.interaction);
    }
    #[inline]
    fn on_post(&self, s: &mut RStdpSyn<f64>, x: &f64, _y: &f64, _d: &mut f64) {
        s.c += x * self.a_plus;
    }
    #[inline]
    fn post_spike(&self, y: &mut f64) {
        *y = bump(*y, self.interaction);
    }
    fn settle_ms(&self) -> f64 {
        // c * d decays with 1/tau_c + 1/tau_d; 20 of those time constants leave e^-20
        20.0 * self.tau_c_ms * self.tau_d_ms / (self.tau_c_ms + self.tau_d_ms)
    }
}

/// Shared state of the fixed twin: dopamine word and stochastic-rounding generator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RStdpFixedShared {
    pub d: i64,
    pub rng: Xorshift32,
}

/// The fixed-point R-STDP twin (module doc has the algorithm).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RStdpFixed {
    pub weight: WeightWord,
    pub trace: QFormat,
    pub eligibility: QFormat,
    pub dopamine: QFormat,
    pub one: i64,
    pub trace_max: i64,
    pub dec_plus: Decay,
    pub dec_minus: Decay,
    pub dec_c: Decay,
    pub dec_d: Decay,
    pub a_plus: Coef,
    pub a_minus: Coef,
    /// `eta * dt`.
    pub kw: Coef,
    /// `d_tonic` in the dopamine format.
    pub tonic: i64,
    /// `reward` in the dopamine format (the default reward amount).
    pub reward: i64,
    pub interaction: Interaction,
    pub rounding: UpdateRounding,
    pub seed: u32,
    pub dt_ms: f64,
}

impl RStdpFixed {
    /// Quantise `p` with the formats of `cfg`.
    pub fn new(p: &RStdp, cfg: &LearningFixedConfig) -> Result<Self, LearningError> {
        let weight = WeightWord::new(cfg.weight, &p.weights)?;
        let dt = p.dt_ms;
        let trace = cfg.trace_format(&[p.tau_plus_ms, p.tau_minus_ms], dt, p.interaction)?;
        let eligibility = match cfg.eligibility {
            Some(f) => f,
            None => QFormat::new(
                true,
                int_bits_for(8.0 * p.a_plus.max(p.a_minus)),
                state_frac_bits(p.tau_c_ms, dt),
            )
            .map_err(crate::ModelError::from)?,
        };
        let dopamine = match cfg.dopamine {
            Some(f) => f,
            None => QFormat::new(
                false,
                int_bits_for(8.0 * p.reward.max(p.d_tonic)),
                state_frac_bits(p.tau_d_ms, dt),
            )
            .map_err(crate::ModelError::from)?,
        };
        if !eligibility.signed || dopamine.signed {
            return Err(LearningError::Invalid(format!(
                "the eligibility format must be signed and the dopamine format unsigned (got {eligibility}, {dopamine})"
            )));
        }
        let fa = cfg.coef_format(&[p.a_plus, p.a_minus], eligibility.frac_bits);
        let kw = p.eta * dt;
        let fw = amp_format(&[kw], weight.fmt.frac_bits);
        let (f, m, k) = (trace.frac_bits, cfg.mul, cfg.decay);
        Ok(RStdpFixed {
            weight,
            trace,
            eligibility,
            dopamine,
            one: 1i64 << f,
            trace_max: trace.max_raw() as i64,
            dec_plus: Decay::new("tau_plus", p.tau_plus_ms, dt, k, f, m)?,
            dec_minus: Decay::new("tau_minus", p.tau_minus_ms, dt, k, f, m)?,
            dec_c: Decay::new("tau_c", p.tau_c_ms, dt, k, eligibility.frac_bits, m)?,
            dec_d: Decay::new("tau_d", p.tau_d_ms, dt, k, dopamine.frac_bits, m)?,
            a_plus: Coef::new("a_plus", p.a_plus, fa, m)?,
            a_minus: Coef::new("a_minus", p.a_minus, fa, m)?,
            kw: Coef::new("eta*dt", kw, fw, m)?,
            tonic: crate::params::quantize_param("d_tonic", p.d_tonic, dopamine)?,
            reward: crate::params::quantize_param("reward", p.reward, dopamine)?,
            interaction: p.interaction,
            rounding: cfg.rounding,
            seed: cfg.seed,
            dt_ms: dt,
        })
    }
    /// Add a reward given as a raw dopamine word (saturating).
    pub fn reward_raw(&self, g: &mut RStdpFixedShared, amount: i64) {
        g.d = self.dopamine.saturate(g.d as i128 + amount as i128) as i64;
    }
    #[inline]
    fn add_c(&self, c: i64, p: i128, g: &mut Xorshift32) -> i64 {
        let from = self.a_plus.fmt.frac_bits + self.trace.frac_bits;
        let dc = rescale_update(p, from, self.eligibility.frac_bits, self.rounding, g);
        self.eligibility.saturate(c as i128 + dc) as i64
    }
}

impl PlasticityRule for RStdpFixed {
    type Pre = i64;
    type Post = i64;
    type Syn = RStdpSyn<i64>;
    type Shared = RStdpFixedShared;
    const SYN_DYNAMICS: bool = true;
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
    fn syn_state(&self, w0: f64) -> RStdpSyn<i64> {
        RStdpSyn {
            w: self.weight.quantize(w0),
            c: 0,
        }
    }
    fn shared_state(&self) -> RStdpFixedShared {
        RStdpFixedShared {
            d: 0,
            rng: Xorshift32::new(self.seed),
        }
    }
    fn weight(&self, s: &RStdpSyn<i64>) -> f64 {
        self.weight.real(s.w)
    }
    #[inline]
    fn tick_shared(&self, g: &mut RStdpFixedShared) {
        g.d = self.dec_d.apply(g.d);
    }
    fn reward(&self, g: &mut RStdpFixedShared, amount: f64) {
        let raw = self.dopamine.quantize_saturating(amount) as i64;
        self.reward_raw(g, raw);
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
    fn tick_syn(&self, s: &mut RStdpSyn<i64>, g: &mut RStdpFixedShared) {
        s.c = self.dec_c.apply(s.c);
        // Cw + E + D fraction bits, exact
        let p = self.kw.raw as i128 * s.c as i128 * (g.d as i128 + self.tonic as i128);
        let from = self.kw.fmt.frac_bits + self.eligibility.frac_bits + self.dopamine.frac_bits;
        let dw = rescale_update(
            p,
            from,
            self.weight.fmt.frac_bits,
            self.rounding,
            &mut g.rng,
        );
        s.w = self.weight.store(s.w as i128 + dw);
    }
    #[inline]
    fn on_pre(&self, s: &mut RStdpSyn<i64>, _x: &i64, y: &i64, g: &mut RStdpFixedShared) {
        let p = self.a_minus.raw as i128 * *y as i128; // Ca + T
        s.c = self.add_c(s.c, -p, &mut g.rng);
    }
    #[inline]
    fn pre_spike(&self, x: &mut i64) {
        *x = bump_raw(*x, self.one, self.trace_max, self.interaction);
    }
    #[inline]
    fn on_post(&self, s: &mut RStdpSyn<i64>, x: &i64, _y: &i64, g: &mut RStdpFixedShared) {
        let p = self.a_plus.raw as i128 * *x as i128; // Ca + T
        s.c = self.add_c(s.c, p, &mut g.rng);
    }
    #[inline]
    fn post_spike(&self, y: &mut i64) {
        *y = bump_raw(*y, self.one, self.trace_max, self.interaction);
    }
    fn settle_ms(&self) -> f64 {
        let (tc, td) = (
            self.dec_c.tau_eff_ms(self.dt_ms),
            self.dec_d.tau_eff_ms(self.dt_ms),
        );
        20.0 * tc * td / (tc + td)
    }
}
