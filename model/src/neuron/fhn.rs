//! FitzHugh-Nagumo model.
//!
//! ```text
//! dv/dt = v - v^3/3 - w + I
//! dw/dt = eps (v + a - b w)
//! ```
//! Dimensionless; the runner treats one time unit as 1 ms. There is no reset: a spike is an upward
//! crossing of `v_th` with re-arm below `v_rearm` ([`super::upward_crossing`]), so the state is
//! `v`, `w` and the flag `armed`. Defaults a 0.7, b 0.8, eps 0.08: the rest point at `I = 0` is
//! (-1.19941, -0.62426), the (subcritical) Hopf points are at `I = 0.331281` and `1.418719`.
//! `v0`, `w0` default to the rest point at `I = 0` of the given `a`, `b` (the leftmost root of
//! `(1 - b) v + a + b v^3/3 = 0`).
//!
//! # Fixed twin (forward Euler, the hardware spec)
//! `v`, `w` and the input in the membrane format `Qm.f` (`W` bits); coefficients with `Cf = f + 8`
//! fraction bits ([`FixedConfig::coef_format`]): `kdt = dt`, `k3 = dt/3`, `ke = eps dt`,
//! `keb = eps b dt`; the constant `kea = eps a dt` is a raw integer with `f + Cf` fraction bits.
//! ```text
//! sq   = round_half_up((v * v) >> f)                 // 2W-bit product -> 2m+1 int bits, f frac
//! cube = sq * v                                      // exact, 3m+2 int bits, 2f frac
//! acc  = (kdt * (v - w + I)) << f  -  k3 * cube      // exact, 2f+Cf frac
//! v'   = sat(v + round_half_up(acc >> (f + Cf)))
//! accw = ke*v - keb*w + kea                          // exact, f+Cf frac
//! w'   = sat(w + round_half_up(accw >> Cf))
//! spike = armed && v' >= v_th;  armed' = spike ? 0 : (armed || v' < v_rearm)
//! ```
//! Two variable multiplies (`v*v`, `sq*v`), four constant multiplies. With an `input` override of
//! other fraction bits, `v - w` and `I` are aligned (exact left shifts) before the `kdt` multiply.
use super::{sat, upward_crossing, upward_crossing_raw, FixedNeuron, Neuron, Word, MAX_STATE};
use crate::error::ModelError;
use crate::fixed::{shr_round, QFormat, Rounding};
use crate::params::{quantize_param, ParamInfo, ParamTable, Preset};
use crate::quant::{Coef, FixedConfig};

pub const NAME: &str = "fhn";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "a",
        unit: "1",
        default: Some(0.7),
        doc: "offset of the w-nullcline",
    },
    ParamInfo {
        name: "b",
        unit: "1",
        default: Some(0.8),
        doc: "slope factor of the w-nullcline",
    },
    ParamInfo {
        name: "eps",
        unit: "1/ms",
        default: Some(0.08),
        doc: "recovery rate (time scale separation)",
    },
    ParamInfo {
        name: "v_th",
        unit: "1",
        default: Some(1.0),
        doc: "spike: upward crossing v >= v_th",
    },
    ParamInfo {
        name: "v_rearm",
        unit: "1",
        default: Some(0.0),
        doc: "spike detection re-arms when v < v_rearm",
    },
    ParamInfo {
        name: "v0",
        unit: "1",
        default: None,
        doc: "initial v (default: the rest point at I = 0)",
    },
    ParamInfo {
        name: "w0",
        unit: "1",
        default: None,
        doc: "initial w (default: the rest point at I = 0)",
    },
];
/// `classic`: the textbook values (the defaults).
pub const PRESETS: &[Preset] = &[("classic", &[("a", 0.7), ("b", 0.8), ("eps", 0.08)])];

/// FitzHugh-Nagumo parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fhn {
    pub a: f64,
    pub b: f64,
    pub eps_per_ms: f64,
    pub v_th: f64,
    pub v_rearm: f64,
    pub v0: f64,
    pub w0: f64,
}

/// The leftmost root of `(1 - b) v + a + b v^3 / 3` in `-10 ..= 10` (the rest point at `I = 0`).
pub fn rest_point(a: f64, b: f64) -> Option<(f64, f64)> {
    let h = |v: f64| (1.0 - b) * v + a + b * v * v * v / 3.0;
    let v = super::leftmost_root(h, -10.0, 10.0, 20_000)?;
    Some((v, v - v * v * v / 3.0))
}

impl Fhn {
    /// From a parameter table.
    pub fn from_table(p: &ParamTable) -> Result<Self, ModelError> {
        let (a, b) = (p.v("a"), p.v("b"));
        let (v0, w0) = match (p.get("v0"), p.get("w0")) {
            (Some(v), Some(w)) => (v, w),
            (v, w) => {
                let (rv, rw) = rest_point(a, b).ok_or_else(|| ModelError::BadValue {
                    name: "v0".into(),
                    value: f64::NAN,
                    why: "no rest point in -10..10 for these a, b; set v0 and w0".into(),
                })?;
                (v.unwrap_or(rv), w.unwrap_or(rw))
            }
        };
        let (v_th, v_rearm) = (p.v("v_th"), p.v("v_rearm"));
        if v_rearm > v_th {
            return Err(ModelError::BadValue {
                name: "v_rearm".into(),
                value: v_rearm,
                why: format!("must not be above v_th = {v_th}"),
            });
        }
        Ok(Fhn {
            a,
            b,
            eps_per_ms: p.v("eps"),
            v_th,
            v_rearm,
            v0,
            w0,
        })
    }
}

impl Default for Fhn {
    fn default() -> Self {
        Fhn::from_table(&ParamTable::new(NAME, PARAMS)).expect("defaults are valid")
    }
}

impl Neuron for Fhn {
    fn state_names(&self) -> &'static [&'static str] {
        &["v", "w", "armed"]
    }
    fn ode_dim(&self) -> usize {
        2
    }
    fn initial_state(&self) -> [f64; MAX_STATE] {
        [
            self.v0,
            self.w0,
            f64::from(u8::from(self.v0 < self.v_th)),
            0.0,
        ]
    }
    #[inline]
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]) {
        let (v, w) = (x[0], x[1]);
        dx[0] = v - v * v * v / 3.0 - w + input;
        dx[1] = self.eps_per_ms * (v + self.a - self.b * w);
    }
    #[inline]
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool {
        let (v, armed) = (x[0], &mut x[2]);
        upward_crossing(v, armed, self.v_th, self.v_rearm)
    }
}

/// The fixed-point FitzHugh-Nagumo twin (forward Euler).
#[derive(Debug, Clone, PartialEq)]
pub struct FhnFixed {
    pub fmt: QFormat,
    pub fmt_in: QFormat,
    /// `dt`.
    pub kdt: Coef,
    /// `dt / 3`.
    pub k3: Coef,
    /// `eps dt`.
    pub ke: Coef,
    /// `eps b dt`.
    pub keb: Coef,
    /// `eps a dt` with `f + Cf` fraction bits (an added constant, not a multiplier).
    pub kea: i64,
    pub v_th: i64,
    pub v_rearm: i64,
    pub v0: i64,
    pub w0: i64,
}

impl FhnFixed {
    /// Quantise `p` for time step `dt` (ms).
    pub fn new(p: &Fhn, dt: f64, cfg: &FixedConfig) -> Result<Self, ModelError> {
        cfg.check_words(NAME, &["coef", "input"])?;
        let fmt = cfg.membrane;
        let cs = [dt, dt / 3.0, p.eps_per_ms * dt, p.eps_per_ms * p.b * dt];
        let fc = cfg.coef_format(&cs);
        let m = cfg.mul;
        let acc_fmt = QFormat::q(fc.int_bits + fmt.int_bits + 1, fc.frac_bits + fmt.frac_bits);
        Ok(FhnFixed {
            fmt,
            fmt_in: cfg.word("input", fmt),
            kdt: Coef::new("dt", cs[0], fc, m)?,
            k3: Coef::new("dt/3", cs[1], fc, m)?,
            ke: Coef::new("eps*dt", cs[2], fc, m)?,
            keb: Coef::new("eps*b*dt", cs[3], fc, m)?,
            kea: quantize_param("eps*a*dt", p.eps_per_ms * p.a * dt, acc_fmt)?,
            v_th: quantize_param("v_th", p.v_th, fmt)?,
            v_rearm: quantize_param("v_rearm", p.v_rearm, fmt)?,
            v0: quantize_param("v0", p.v0, fmt)?,
            w0: quantize_param("w0", p.w0, fmt)?,
        })
    }
}

impl FixedNeuron for FhnFixed {
    fn ident(&self) -> String {
        format!("fhn_{}", self.fmt.ident())
    }
    fn state_words(&self) -> Vec<Word> {
        vec![
            Word {
                name: "v",
                fmt: self.fmt,
            },
            Word {
                name: "w",
                fmt: self.fmt,
            },
            Word {
                name: "armed",
                fmt: QFormat::uq(1, 0),
            },
        ]
    }
    fn input_format(&self) -> QFormat {
        self.fmt_in
    }
    fn initial_state(&self) -> [i64; MAX_STATE] {
        [self.v0, self.w0, i64::from(self.v0 < self.v_th), 0]
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        let f = self.fmt.frac_bits;
        let fi = self.fmt_in.frac_bits;
        let cf = self.kdt.fmt.frac_bits;
        let (v, w, i) = (x[0] as i128, x[1] as i128, input as i128);
        let sq = shr_round(v * v, f, Rounding::HalfUp); // f frac
        let cube = sq * v; // 2f frac
        let fs = f.max(fi);
        let s = ((v - w) << (fs - f)) + (i << (fs - fi)); // fs frac
        let fa = fs.max(2 * f);
        let acc = ((self.kdt.raw as i128 * s) << (fa - fs))
            - ((self.k3.raw as i128 * cube) << (fa - 2 * f)); // fa + cf frac
        let dv = shr_round(acc, fa + cf - f, Rounding::HalfUp);
        let acc_w = self.ke.raw as i128 * v - self.keb.raw as i128 * w + self.kea as i128; // f + cf
        let dw = shr_round(acc_w, cf, Rounding::HalfUp);
        let v1 = sat(self.fmt, v + dv);
        x[0] = v1;
        x[1] = sat(self.fmt, w + dw);
        let mut armed = x[2];
        let fired = upward_crossing_raw(v1, &mut armed, self.v_th, self.v_rearm);
        x[2] = armed;
        fired
    }
}
