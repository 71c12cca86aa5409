//! Izhikevich (2003) simple model.
//!
//! `dv/dt = 0.04 v^2 + 5 v + 140 - u + I`, `du/dt = a (b v - u)` (per ms); when `v >= v_peak` (30 mV):
//! spike, `v = c`, `u += d`. `I` is the dimensionless current of the 2003 paper.
//!
//! Fixed twin (forward Euler, the hardware spec). State `v`, `u` in the membrane format (`f` fraction
//! bits), coefficients with `C` fraction bits ([`crate::quant`]), `dt` folded into the coefficients:
//! ```text
//! sq  = v * v                                       // 2W bits, 2f fraction bits (exact)
//! acc = k2*sq + (k1*v - kdt*u + kdt*I) << f         // 2f + C fraction bits, exact
//! v'  = sat(v + round_half_up(acc >> (f + C)) + k0) // k0 = 140 dt in the state format
//! du  = round_half_up((kab*v - ka*u) >> C)          // kab = a b dt, ka = a dt
//! u'  = sat(u + du)
//! if v' >= v_peak { v' = c; u' = sat(u' + d); spike }
//! ```
//! with `k2 = 0.04 dt`, `k1 = 5 dt`, `kdt = dt`. The shift-add variant ([`MulVariant::ShiftAdd`])
//! builds every constant multiply from a few CSD digits; the quadratic term stays one `v * v` multiply.
//!
//! [`MulVariant::ShiftAdd`]: crate::quant::MulVariant::ShiftAdd
use super::{sat, FixedNeuron, Neuron, Word, MAX_STATE};
use crate::error::ModelError;
use crate::fixed::{QFormat, Rounding};
use crate::params::{quantize_param, ParamInfo, ParamTable, Preset};
use crate::quant::{Coef, FixedConfig};

pub const NAME: &str = "izhikevich";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "a",
        unit: "1/ms",
        default: Some(0.02),
        doc: "recovery time scale",
    },
    ParamInfo {
        name: "b",
        unit: "1",
        default: Some(0.2),
        doc: "recovery sensitivity to v",
    },
    ParamInfo {
        name: "c",
        unit: "mV",
        default: Some(-65.0),
        doc: "reset potential",
    },
    ParamInfo {
        name: "d",
        unit: "1",
        default: Some(8.0),
        doc: "recovery increment at spike",
    },
    ParamInfo {
        name: "v_peak",
        unit: "mV",
        default: Some(30.0),
        doc: "spike cut-off (v >= v_peak)",
    },
    ParamInfo {
        name: "v0",
        unit: "mV",
        default: Some(-65.0),
        doc: "initial v",
    },
    ParamInfo {
        name: "u0",
        unit: "1",
        default: None,
        doc: "initial u (default b*v0)",
    },
];
/// The cells of Izhikevich (2003), Fig. 2.
pub const PRESETS: &[Preset] = &[
    ("rs", &[("a", 0.02), ("b", 0.2), ("c", -65.0), ("d", 8.0)]),
    ("ib", &[("a", 0.02), ("b", 0.2), ("c", -55.0), ("d", 4.0)]),
    ("ch", &[("a", 0.02), ("b", 0.2), ("c", -50.0), ("d", 2.0)]),
    ("fs", &[("a", 0.1), ("b", 0.2), ("c", -65.0), ("d", 2.0)]),
    ("lts", &[("a", 0.02), ("b", 0.25), ("c", -65.0), ("d", 2.0)]),
    ("tc", &[("a", 0.02), ("b", 0.25), ("c", -65.0), ("d", 0.05)]),
    ("rz", &[("a", 0.1), ("b", 0.26), ("c", -65.0), ("d", 2.0)]),
];

/// Izhikevich parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Izhikevich {
    pub a_per_ms: f64,
    pub b: f64,
    pub c_mv: f64,
    pub d: f64,
    pub v_peak_mv: f64,
    pub v0_mv: f64,
    pub u0: f64,
}

impl Izhikevich {
    /// From a parameter table.
    pub fn from_table(p: &ParamTable) -> Result<Self, ModelError> {
        let (v0, b) = (p.v("v0"), p.v("b"));
        Ok(Izhikevich {
            a_per_ms: p.v("a"),
            b,
            c_mv: p.v("c"),
            d: p.v("d"),
            v_peak_mv: p.v("v_peak"),
            v0_mv: v0,
            u0: p.get_or("u0", b * v0),
        })
    }
}

impl Neuron for Izhikevich {
    fn state_names(&self) -> &'static [&'static str] {
        &["v", "u"]
    }
    fn initial_state(&self) -> [f64; MAX_STATE] {
        [self.v0_mv, self.u0, 0.0, 0.0]
    }
    #[inline]
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]) {
        let (v, u) = (x[0], x[1]);
        dx[0] = 0.04 * v * v + 5.0 * v + 140.0 - u + input;
        dx[1] = self.a_per_ms * (self.b * v - u);
    }
    #[inline]
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool {
        if x[0] >= self.v_peak_mv {
            x[0] = self.c_mv;
            x[1] += self.d;
            true
        } else {
            false
        }
    }
}

/// The fixed-point Izhikevich twin (forward Euler).
#[derive(Debug, Clone, PartialEq)]
pub struct IzhikevichFixed {
    pub fmt: QFormat,
    pub fmt_in: QFormat,
    pub k2: Coef,
    pub k1: Coef,
    pub kdt: Coef,
    pub kab: Coef,
    pub ka: Coef,
    /// `140 dt` in the state format.
    pub k0: i64,
    pub c: i64,
    pub d: i64,
    pub v_peak: i64,
    pub v0: i64,
    pub u0: i64,
}

impl IzhikevichFixed {
    /// Quantise `p` for time step `dt` (ms).
    pub fn new(p: &Izhikevich, dt: f64, cfg: &FixedConfig) -> Result<Self, ModelError> {
        cfg.check_words(NAME, &["coef", "input"])?;
        let fmt = cfg.membrane;
        let cs = [
            0.04 * dt,
            5.0 * dt,
            dt,
            p.a_per_ms * p.b * dt,
            p.a_per_ms * dt,
        ];
        let fc = cfg.coef_format(&cs);
        let m = cfg.mul;
        Ok(IzhikevichFixed {
            fmt,
            fmt_in: cfg.word("input", fmt),
            k2: Coef::new("k2", cs[0], fc, m)?,
            k1: Coef::new("k1", cs[1], fc, m)?,
            kdt: Coef::new("kdt", cs[2], fc, m)?,
            kab: Coef::new("kab", cs[3], fc, m)?,
            ka: Coef::new("ka", cs[4], fc, m)?,
            k0: quantize_param("140*dt", 140.0 * dt, fmt)?,
            c: quantize_param("c", p.c_mv, fmt)?,
            d: quantize_param("d", p.d, fmt)?,
            v_peak: quantize_param("v_peak", p.v_peak_mv, fmt)?,
            v0: quantize_param("v0", p.v0_mv, fmt)?,
            u0: quantize_param("u0", p.u0, fmt)?,
        })
    }
}

impl FixedNeuron for IzhikevichFixed {
    fn ident(&self) -> String {
        format!("izhikevich_{}", self.fmt.ident())
    }
    fn state_words(&self) -> Vec<Word> {
        vec![
            Word {
                name: "v",
                fmt: self.fmt,
            },
            Word {
                name: "u",
                fmt: self.fmt,
            },
        ]
    }
    fn input_format(&self) -> QFormat {
        self.fmt_in
    }
    fn initial_state(&self) -> [i64; MAX_STATE] {
        [self.v0, self.u0, 0, 0]
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        use crate::fixed::rescale;
        let f = self.fmt.frac_bits;
        let fi = self.fmt_in.frac_bits;
        let c = self.k2.fmt.frac_bits;
        let (v, u, i) = (x[0] as i128, x[1] as i128, input as i128);
        let sq = v * v; // 2f fraction bits
        let lin_u = self.k1.raw as i128 * v - self.kdt.raw as i128 * u; // f + C
        let lin_i = rescale(self.kdt.raw as i128 * i, fi + c, f + c, Rounding::HalfUp);
        let acc = self.k2.raw as i128 * sq + ((lin_u + lin_i) << f); // 2f + C
        let dv = crate::fixed::shr_round(acc, f + c, Rounding::HalfUp) + self.k0 as i128;
        let du = crate::fixed::shr_round(
            self.kab.raw as i128 * v - self.ka.raw as i128 * u,
            c,
            Rounding::HalfUp,
        );
        let mut v1 = sat(self.fmt, v + dv);
        let mut u1 = sat(self.fmt, u + du);
        let fired = v1 >= self.v_peak;
        if fired {
            v1 = self.c;
            u1 = sat(self.fmt, u1 as i128 + self.d as i128);
        }
        x[0] = v1;
        x[1] = u1;
        fired
    }
}
