//! The generic nullcline-designed 2-D neuron: pick the V-nullcline `w = f(v) + I` and the recovery
//! nullcline `w = g(v)` directly.
//!
//! ```text
//! dv/dt = (f(v) - w + I) / tau_v
//! dw/dt = (g(v) - w) / tau_w,            g(v) = k (v - v0w)
//! shape 0 (cubic):            f(v) = c0 + c1 v + c2 v^2 + c3 v^3
//! shape 1 (piecewise linear): f(v) = c0 + sm clamp(v, vl, vr) + sl min(v - vl, 0) + sr max(v - vr, 0)
//! ```
//! The piecewise-linear V-nullcline (three segments with slopes `sl`, `sm`, `sr` and breakpoints
//! `vl < vr`) is the form hardware designers use to replace the cubic's multipliers by shifts: with
//! power-of-two slopes and `dt/tau_v` every constant multiply is one CSD digit
//! ([`crate::quant::MulVariant::ShiftAdd`]). Dimensionless; one time unit is 1 ms for the runner.
//!
//! Spikes: with `reset = 0` (default) an upward crossing of `v_th`, re-armed below `v_rearm`
//! ([`super::upward_crossing`]; state `v`, `w`, `armed`); with `reset = 1` integrate-and-fire style:
//! `v >= v_peak` fires, `v = v_reset`, `w += d` (state `v`, `w`). `v0`, `w0` default to the lowest
//! fixed point at `I = 0` (the leftmost root of `f(v) = g(v)` in `-10 ..= 10`).
//!
//! Presets: `cubic` (the FitzHugh-Nagumo cubic, identical to the `fhn` model with a 0.7, b 0.8,
//! eps 0.08: `c1 = 1`, `c3 = -1/3`, `k = 1/b`, `v0w = -a`, `tau_w = 1/(eps b)`), `pwl` (an N-shaped
//! three-segment nullcline with slopes -1, 1/2, -1 and knees at -1, +1, the same recovery
//! nullcline; class II onset near `I = 0.125`) and `qif` (a quadratic V-nullcline `v^2` with reset:
//! an adaptive quadratic integrate-and-fire neuron).
//!
//! # Fixed twin (forward Euler, the hardware spec)
//! `v`, `w` and the input in the membrane format `Qm.f`; coefficients
//! ([`FixedConfig::coef_format_sig`], `Cf` fraction bits) with `kt = dt/tau_v` folded in:
//! cubic `a1 = kt c1`, `a2 = kt c2`, `a3 = kt c3`; piecewise `bl = kt sl`, `bm = kt sm`,
//! `br = kt sr`; recovery `kk = dt k/tau_w`, `kw = dt/tau_w`. Added constants are raw integers at
//! the accumulator's fraction bits: `a0 = kt c0` and `kb = -dt k v0w/tau_w`.
//! ```text
//! cubic:  sq   = round_half_up((v * v) >> f)                         // f frac, 2m+1 int bits
//!         cube = sq * v                                              // 2f frac, exact
//!         acc  = ((a1*v + a2*sq + kt*(I - w)) << f) + a3*cube + a0   // 2f+Cf frac, exact
//!         v'   = sat(v + round_half_up(acc >> (f + Cf)))
//! pwl:    acc  = bl*min(v - vl, 0) + bm*clamp(v, vl, vr) + br*max(v - vr, 0)
//!                + kt*(I - w) + a0                                   // f+Cf frac, exact
//!         v'   = sat(v + round_half_up(acc >> Cf))
//! both:   w'   = sat(w + round_half_up((kk*v - kw*w + kb) >> Cf))
//! reset:  if v' >= v_peak { v' = v_reset; w' = sat(w' + d); spike }
//! else:   spike = armed && v' >= v_th;  armed' = spike ? 0 : (armed || v' < v_rearm)
//! ```
//! Cubic: two variable multiplies (`v*v`, `sq*v`); piecewise: none (comparators and constant
//! multiplies only). With an `input` override of other fraction bits, `I` and `w` are aligned
//! (exact left shifts) before the `kt` multiply.
use super::{sat, upward_crossing, upward_crossing_raw, FixedNeuron, Neuron, Word, MAX_STATE};
use crate::error::ModelError;
use crate::fixed::{shr_round, QFormat, Rounding};
use crate::params::{quantize_param, ParamInfo, ParamTable, Preset};
use crate::quant::{Coef, FixedConfig};

pub const NAME: &str = "nullcline";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "shape",
        unit: "0|1",
        default: Some(0.0),
        doc: "V-nullcline: 0 = cubic polynomial, 1 = piecewise linear (three segments)",
    },
    ParamInfo {
        name: "c0",
        unit: "1",
        default: Some(0.0),
        doc: "constant term of f (both shapes)",
    },
    ParamInfo {
        name: "c1",
        unit: "1",
        default: Some(1.0),
        doc: "cubic: linear coefficient",
    },
    ParamInfo {
        name: "c2",
        unit: "1",
        default: Some(0.0),
        doc: "cubic: quadratic coefficient",
    },
    ParamInfo {
        name: "c3",
        unit: "1",
        default: Some(-1.0 / 3.0),
        doc: "cubic: cubic coefficient",
    },
    ParamInfo {
        name: "vl",
        unit: "1",
        default: Some(-1.0),
        doc: "piecewise: left breakpoint",
    },
    ParamInfo {
        name: "vr",
        unit: "1",
        default: Some(1.0),
        doc: "piecewise: right breakpoint",
    },
    ParamInfo {
        name: "sl",
        unit: "1",
        default: Some(-1.0),
        doc: "piecewise: slope left of vl",
    },
    ParamInfo {
        name: "sm",
        unit: "1",
        default: Some(0.5),
        doc: "piecewise: slope between vl and vr",
    },
    ParamInfo {
        name: "sr",
        unit: "1",
        default: Some(-1.0),
        doc: "piecewise: slope right of vr",
    },
    ParamInfo {
        name: "k",
        unit: "1",
        default: Some(1.25),
        doc: "slope of the recovery nullcline g(v) = k (v - v0w)",
    },
    ParamInfo {
        name: "v0w",
        unit: "1",
        default: Some(-0.7),
        doc: "zero of the recovery nullcline",
    },
    ParamInfo {
        name: "tau_v",
        unit: "ms",
        default: Some(1.0),
        doc: "time constant of v",
    },
    ParamInfo {
        name: "tau_w",
        unit: "ms",
        default: Some(15.625),
        doc: "time constant of w",
    },
    ParamInfo {
        name: "reset",
        unit: "0|1",
        default: Some(0.0),
        doc: "0 = spike on upward crossing of v_th, 1 = reset at v_peak",
    },
    ParamInfo {
        name: "v_peak",
        unit: "1",
        default: Some(3.0),
        doc: "reset mode: v >= v_peak fires",
    },
    ParamInfo {
        name: "v_reset",
        unit: "1",
        default: Some(-0.5),
        doc: "reset mode: v after a spike",
    },
    ParamInfo {
        name: "d",
        unit: "1",
        default: Some(0.2),
        doc: "reset mode: w increment at a spike",
    },
    ParamInfo {
        name: "v_th",
        unit: "1",
        default: Some(1.0),
        doc: "crossing mode: spike when v >= v_th",
    },
    ParamInfo {
        name: "v_rearm",
        unit: "1",
        default: Some(0.0),
        doc: "crossing mode: re-arm when v < v_rearm",
    },
    ParamInfo {
        name: "v0",
        unit: "1",
        default: None,
        doc: "initial v (default: the lowest fixed point at I = 0)",
    },
    ParamInfo {
        name: "w0",
        unit: "1",
        default: None,
        doc: "initial w (default: the lowest fixed point at I = 0)",
    },
];
/// The presets (module doc).
pub const PRESETS: &[Preset] = &[
    (
        "cubic",
        &[
            ("shape", 0.0),
            ("c0", 0.0),
            ("c1", 1.0),
            ("c2", 0.0),
            ("c3", -1.0 / 3.0),
            ("k", 1.25),
            ("v0w", -0.7),
            ("tau_v", 1.0),
            ("tau_w", 15.625),
            ("reset", 0.0),
        ],
    ),
    (
        "pwl",
        &[
            ("shape", 1.0),
            ("c0", 0.0),
            ("vl", -1.0),
            ("vr", 1.0),
            ("sl", -1.0),
            ("sm", 0.5),
            ("sr", -1.0),
            ("k", 1.25),
            ("v0w", -0.7),
            ("tau_v", 1.0),
            ("tau_w", 15.625),
            ("reset", 0.0),
        ],
    ),
    (
        "qif",
        &[
            ("shape", 0.0),
            ("c0", 0.0),
            ("c1", 0.0),
            ("c2", 1.0),
            ("c3", 0.0),
            ("k", 0.5),
            ("v0w", 0.0),
            ("tau_v", 1.0),
            ("tau_w", 20.0),
            ("reset", 1.0),
            ("v_peak", 3.0),
            ("v_reset", -0.5),
            ("d", 0.2),
        ],
    ),
];
/// The stimulus of each preset: repetitive firing.
pub const PRESET_STIMULI: &[(&str, &str)] = &[
    ("cubic", "const(0.5)"),
    ("pwl", "const(0.5)"),
    ("qif", "const(0.3)"),
];

/// The V-nullcline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Cubic {
        c0: f64,
        c1: f64,
        c2: f64,
        c3: f64,
    },
    Pwl {
        c0: f64,
        vl: f64,
        vr: f64,
        sl: f64,
        sm: f64,
        sr: f64,
    },
}

impl Shape {
    /// `f(v)`.
    #[inline]
    pub fn f(&self, v: f64) -> f64 {
        match *self {
            Shape::Cubic { c0, c1, c2, c3 } => c0 + v * (c1 + v * (c2 + v * c3)),
            Shape::Pwl {
                c0,
                vl,
                vr,
                sl,
                sm,
                sr,
            } => c0 + sm * v.clamp(vl, vr) + sl * (v - vl).min(0.0) + sr * (v - vr).max(0.0),
        }
    }
}

/// How the nullcline neuron spikes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpikeRule {
    /// Upward crossing of `v_th`, re-armed below `v_rearm`.
    Crossing { v_th: f64, v_rearm: f64 },
    /// `v >= v_peak` fires; `v = v_reset`, `w += d`.
    Reset { v_peak: f64, v_reset: f64, d: f64 },
}

/// Parameters of the nullcline neuron.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nullcline {
    pub shape: Shape,
    pub k: f64,
    pub v0w: f64,
    pub tau_v_ms: f64,
    pub tau_w_ms: f64,
    pub spike: SpikeRule,
    pub v0: f64,
    pub w0: f64,
}

impl Nullcline {
    /// From a parameter table.
    pub fn from_table(p: &ParamTable) -> Result<Self, ModelError> {
        let flag = |n: &str| -> Result<bool, ModelError> {
            let x = p.v(n);
            if x == 0.0 || x == 1.0 {
                Ok(x == 1.0)
            } else {
                Err(ModelError::BadValue {
                    name: n.into(),
                    value: x,
                    why: "must be 0 or 1".into(),
                })
            }
        };
        let shape = if flag("shape")? {
            let (vl, vr) = (p.v("vl"), p.v("vr"));
            if vl >= vr {
                return Err(ModelError::BadValue {
                    name: "vl".into(),
                    value: vl,
                    why: format!("must be below vr = {vr}"),
                });
            }
            Shape::Pwl {
                c0: p.v("c0"),
                vl,
                vr,
                sl: p.v("sl"),
                sm: p.v("sm"),
                sr: p.v("sr"),
            }
        } else {
            Shape::Cubic {
                c0: p.v("c0"),
                c1: p.v("c1"),
                c2: p.v("c2"),
                c3: p.v("c3"),
            }
        };
        let spike = if flag("reset")? {
            let (v_peak, v_reset) = (p.v("v_peak"), p.v("v_reset"));
            if v_reset >= v_peak {
                return Err(ModelError::BadValue {
                    name: "v_reset".into(),
                    value: v_reset,
                    why: format!("must be below v_peak = {v_peak}"),
                });
            }
            SpikeRule::Reset {
                v_peak,
                v_reset,
                d: p.v("d"),
            }
        } else {
            let (v_th, v_rearm) = (p.v("v_th"), p.v("v_rearm"));
            if v_rearm > v_th {
                return Err(ModelError::BadValue {
                    name: "v_rearm".into(),
                    value: v_rearm,
                    why: format!("must not be above v_th = {v_th}"),
                });
            }
            SpikeRule::Crossing { v_th, v_rearm }
        };
        let (k, v0w) = (p.v("k"), p.v("v0w"));
        let (v0, w0) = match (p.get("v0"), p.get("w0")) {
            (Some(v), Some(w)) => (v, w),
            (v, w) => {
                let r = super::leftmost_root(|x| shape.f(x) - k * (x - v0w), -10.0, 10.0, 20_000)
                    .ok_or_else(|| ModelError::BadValue {
                    name: "v0".into(),
                    value: f64::NAN,
                    why: "no fixed point in -10..10 at I = 0; set v0 and w0".into(),
                })?;
                (v.unwrap_or(r), w.unwrap_or(k * (r - v0w)))
            }
        };
        Ok(Nullcline {
            shape,
            k,
            v0w,
            tau_v_ms: p.positive("tau_v")?,
            tau_w_ms: p.positive("tau_w")?,
            spike,
            v0,
            w0,
        })
    }
    /// The recovery nullcline `g(v) = k (v - v0w)`.
    #[inline]
    pub fn g(&self, v: f64) -> f64 {
        self.k * (v - self.v0w)
    }
    fn armed0(&self) -> bool {
        match self.spike {
            SpikeRule::Crossing { v_th, .. } => self.v0 < v_th,
            SpikeRule::Reset { .. } => false,
        }
    }
}

impl Default for Nullcline {
    fn default() -> Self {
        Nullcline::from_table(&ParamTable::new(NAME, PARAMS)).expect("defaults are valid")
    }
}

impl Neuron for Nullcline {
    fn state_names(&self) -> &'static [&'static str] {
        match self.spike {
            SpikeRule::Crossing { .. } => &["v", "w", "armed"],
            SpikeRule::Reset { .. } => &["v", "w"],
        }
    }
    fn ode_dim(&self) -> usize {
        2
    }
    fn initial_state(&self) -> [f64; MAX_STATE] {
        [self.v0, self.w0, f64::from(u8::from(self.armed0())), 0.0]
    }
    #[inline]
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]) {
        let (v, w) = (x[0], x[1]);
        dx[0] = (self.shape.f(v) - w + input) / self.tau_v_ms;
        dx[1] = (self.g(v) - w) / self.tau_w_ms;
    }
    #[inline]
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool {
        match self.spike {
            SpikeRule::Crossing { v_th, v_rearm } => {
                let (v, armed) = (x[0], &mut x[2]);
                upward_crossing(v, armed, v_th, v_rearm)
            }
            SpikeRule::Reset { v_peak, v_reset, d } => {
                if x[0] >= v_peak {
                    x[0] = v_reset;
                    x[1] += d;
                    true
                } else {
                    false
                }
            }
        }
    }
}

/// The V-nullcline datapath of the fixed twin.
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeFixed {
    /// `a0` is `dt c0/tau_v` with `2f + Cf` fraction bits.
    Cubic {
        a0: i64,
        a1: Coef,
        a2: Coef,
        a3: Coef,
    },
    /// `a0` is `dt c0/tau_v` with `f + Cf` fraction bits; `vl`, `vr` in the membrane format.
    Pwl {
        a0: i64,
        vl: i64,
        vr: i64,
        bl: Coef,
        bm: Coef,
        br: Coef,
    },
}

/// The spike rule of the fixed twin (raw words in the membrane format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpikeRuleFixed {
    Crossing { v_th: i64, v_rearm: i64 },
    Reset { v_peak: i64, v_reset: i64, d: i64 },
}

/// The fixed-point twin of the nullcline neuron (forward Euler). Fields are the hardware constants.
#[derive(Debug, Clone, PartialEq)]
pub struct NullclineFixed {
    pub fmt: QFormat,
    pub fmt_in: QFormat,
    pub shape: ShapeFixed,
    /// `dt / tau_v` (multiplies `I - w`).
    pub kt: Coef,
    /// `dt k / tau_w`.
    pub kk: Coef,
    /// `dt / tau_w`.
    pub kw: Coef,
    /// `-dt k v0w / tau_w` with `f + Cf` fraction bits.
    pub kb: i64,
    pub spike: SpikeRuleFixed,
    pub v0: i64,
    pub w0: i64,
}

impl NullclineFixed {
    /// Quantise `p` for time step `dt` (ms).
    pub fn new(p: &Nullcline, dt: f64, cfg: &FixedConfig) -> Result<Self, ModelError> {
        cfg.check_words(NAME, &["coef", "input"])?;
        let fmt = cfg.membrane;
        let kt = dt / p.tau_v_ms;
        let kk = dt * p.k / p.tau_w_ms;
        let kw = dt / p.tau_w_ms;
        let mut cs = vec![kt, kk, kw];
        match p.shape {
            Shape::Cubic { c1, c2, c3, .. } => cs.extend([kt * c1, kt * c2, kt * c3]),
            Shape::Pwl { sl, sm, sr, .. } => cs.extend([kt * sl, kt * sm, kt * sr]),
        }
        let fc = cfg.coef_format_sig(&cs);
        let m = cfg.mul;
        let f = fmt.frac_bits;
        let acc1 = QFormat::q(fmt.int_bits + fc.int_bits + 8, f + fc.frac_bits);
        let acc2 = QFormat::q(fmt.int_bits + fc.int_bits + 8, 2 * f + fc.frac_bits);
        let shape = match p.shape {
            Shape::Cubic { c0, c1, c2, c3 } => ShapeFixed::Cubic {
                a0: quantize_param("c0*dt/tau_v", kt * c0, acc2)?,
                a1: Coef::new("c1*dt/tau_v", kt * c1, fc, m)?,
                a2: Coef::new("c2*dt/tau_v", kt * c2, fc, m)?,
                a3: Coef::new("c3*dt/tau_v", kt * c3, fc, m)?,
            },
            Shape::Pwl {
                c0,
                vl,
                vr,
                sl,
                sm,
                sr,
            } => ShapeFixed::Pwl {
                a0: quantize_param("c0*dt/tau_v", kt * c0, acc1)?,
                vl: quantize_param("vl", vl, fmt)?,
                vr: quantize_param("vr", vr, fmt)?,
                bl: Coef::new("sl*dt/tau_v", kt * sl, fc, m)?,
                bm: Coef::new("sm*dt/tau_v", kt * sm, fc, m)?,
                br: Coef::new("sr*dt/tau_v", kt * sr, fc, m)?,
            },
        };
        let spike = match p.spike {
            SpikeRule::Crossing { v_th, v_rearm } => SpikeRuleFixed::Crossing {
                v_th: quantize_param("v_th", v_th, fmt)?,
                v_rearm: quantize_param("v_rearm", v_rearm, fmt)?,
            },
            SpikeRule::Reset { v_peak, v_reset, d } => SpikeRuleFixed::Reset {
                v_peak: quantize_param("v_peak", v_peak, fmt)?,
                v_reset: quantize_param("v_reset", v_reset, fmt)?,
                d: quantize_param("d", d, fmt)?,
            },
        };
        Ok(NullclineFixed {
            fmt,
            fmt_in: cfg.word("input", fmt),
            shape,
            kt: Coef::new("dt/tau_v", kt, fc, m)?,
            kk: Coef::new("dt*k/tau_w", kk, fc, m)?,
            kw: Coef::new("dt/tau_w", kw, fc, m)?,
            kb: quantize_param("-dt*k*v0w/tau_w", -kk * p.v0w, acc1)?,
            spike,
            v0: quantize_param("v0", p.v0, fmt)?,
            w0: quantize_param("w0", p.w0, fmt)?,
        })
    }
}

impl FixedNeuron for NullclineFixed {
    fn ident(&self) -> String {
        let s = match self.shape {
            ShapeFixed::Cubic { .. } => "cubic",
            ShapeFixed::Pwl { .. } => "pwl",
        };
        format!("nullcline_{s}_{}", self.fmt.ident())
    }
    fn state_words(&self) -> Vec<Word> {
        let mut w = vec![
            Word {
                name: "v",
                fmt: self.fmt,
            },
            Word {
                name: "w",
                fmt: self.fmt,
            },
        ];
        if let SpikeRuleFixed::Crossing { .. } = self.spike {
            w.push(Word {
                name: "armed",
                fmt: QFormat::uq(1, 0),
            });
        }
        w
    }
    fn input_format(&self) -> QFormat {
        self.fmt_in
    }
    fn initial_state(&self) -> [i64; MAX_STATE] {
        let armed = match self.spike {
            SpikeRuleFixed::Crossing { v_th, .. } => i64::from(self.v0 < v_th),
            SpikeRuleFixed::Reset { .. } => 0,
        };
        [self.v0, self.w0, armed, 0]
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        let f = self.fmt.frac_bits;
        let fi = self.fmt_in.frac_bits;
        let cf = self.kt.fmt.frac_bits;
        let (v, w, i) = (x[0] as i128, x[1] as i128, input as i128);
        let fs = f.max(fi);
        let s = (i << (fs - fi)) - (w << (fs - f)); // I - w, fs frac
        let drive = self.kt.raw as i128 * s; // fs + cf frac
        let dv = match &self.shape {
            ShapeFixed::Cubic { a0, a1, a2, a3 } => {
                let sq = shr_round(v * v, f, Rounding::HalfUp); // f frac
                let cube = sq * v; // 2f frac
                let fa = fs.max(2 * f);
                let lin = (a1.raw as i128 * v + a2.raw as i128 * sq) << (fa - f);
                let acc = lin
                    + (drive << (fa - fs))
                    + ((a3.raw as i128 * cube + *a0 as i128) << (fa - 2 * f));
                shr_round(acc, fa + cf - f, Rounding::HalfUp)
            }
            ShapeFixed::Pwl {
                a0,
                vl,
                vr,
                bl,
                bm,
                br,
            } => {
                let (vl, vr) = (*vl as i128, *vr as i128);
                let acc = ((bl.raw as i128 * (v - vl).min(0)
                    + bm.raw as i128 * v.clamp(vl, vr)
                    + br.raw as i128 * (v - vr).max(0)
                    + *a0 as i128)
                    << (fs - f))
                    + drive;
                shr_round(acc, fs + cf - f, Rounding::HalfUp)
            }
        };
        let acc_w = self.kk.raw as i128 * v - self.kw.raw as i128 * w + self.kb as i128;
        let dw = shr_round(acc_w, cf, Rounding::HalfUp);
        let mut v1 = sat(self.fmt, v + dv);
        let mut w1 = sat(self.fmt, w + dw);
        let fired = match self.spike {
            SpikeRuleFixed::Crossing { v_th, v_rearm } => {
                upward_crossing_raw(v1, &mut x[2], v_th, v_rearm)
            }
            SpikeRuleFixed::Reset { v_peak, v_reset, d } => {
                let fired = v1 >= v_peak;
                if fired {
                    v1 = v_reset;
                    w1 = sat(self.fmt, w1 as i128 + d as i128);
                }
                fired
            }
        };
        x[0] = v1;
        x[1] = w1;
        fired
    }
}
