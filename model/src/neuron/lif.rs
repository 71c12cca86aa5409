//! Leaky integrate-and-fire neuron (current based, with a refractory period).
//!
//! `tau_m dv/dt = -(v - v_rest) + R I`; when `v > v_th` (strict): spike, `v = v_reset`, and `v` is held
//! for `t_ref` (Brian2 semantics, see [`crate::neuron`]). `I` in nA with `R` in MOhm gives mV.
//!
//! Fixed twin (hardware spec), with `k = 1 - exp(-dt/tau_m)` for exact integration or `dt/tau_m` for
//! Euler, and `k_in = k R`:
//! ```text
//! if ref_cnt > 0 { ref_cnt -= 1; return }          // v held at v_reset
//! d   = v_rest - v                                 // W+1 bits, F fraction bits
//! acc = k * d + k_in * I                           // exact products, aligned to F + C fraction bits
//! v'  = sat_W(v + round_half_up(acc >> C'))        // C' = the extra fraction bits of the products
//! if v' > v_th { v' = v_reset; ref_cnt = R - 1; spike }
//! ```
//! `R = round(t_ref / dt)`; the counter word `ref_cnt` is unsigned, just wide enough for `R - 1`.
use super::{FixedNeuron, Method, Neuron, Word, MAX_STATE};
use crate::error::ModelError;
use crate::fixed::{rescale, QFormat, Rounding};
use crate::params::{quantize_param, ParamInfo, ParamTable, Preset};
use crate::quant::{Coef, FixedConfig};

pub const NAME: &str = "lif";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "tau_m",
        unit: "ms",
        default: Some(20.0),
        doc: "membrane time constant",
    },
    ParamInfo {
        name: "v_rest",
        unit: "mV",
        default: Some(-70.0),
        doc: "resting potential",
    },
    ParamInfo {
        name: "v_reset",
        unit: "mV",
        default: Some(-70.0),
        doc: "reset potential",
    },
    ParamInfo {
        name: "v_th",
        unit: "mV",
        default: Some(-50.0),
        doc: "threshold (strict >)",
    },
    ParamInfo {
        name: "t_ref",
        unit: "ms",
        default: Some(2.0),
        doc: "refractory period",
    },
    ParamInfo {
        name: "R",
        unit: "MOhm",
        default: Some(1.0),
        doc: "membrane resistance (nA -> mV)",
    },
    ParamInfo {
        name: "v0",
        unit: "mV",
        default: None,
        doc: "initial membrane potential (default v_rest)",
    },
];
pub const PRESETS: &[Preset] = &[];

/// LIF parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lif {
    pub tau_m_ms: f64,
    pub v_rest_mv: f64,
    pub v_reset_mv: f64,
    pub v_th_mv: f64,
    pub t_ref_ms: f64,
    pub r_mohm: f64,
    pub v0_mv: f64,
}

impl Lif {
    /// From a parameter table.
    pub fn from_table(p: &ParamTable) -> Result<Self, ModelError> {
        let t_ref = p.v("t_ref");
        if t_ref < 0.0 {
            return Err(ModelError::BadValue {
                name: "t_ref".into(),
                value: t_ref,
                why: "must not be negative".into(),
            });
        }
        Ok(Lif {
            tau_m_ms: p.positive("tau_m")?,
            v_rest_mv: p.v("v_rest"),
            v_reset_mv: p.v("v_reset"),
            v_th_mv: p.v("v_th"),
            t_ref_ms: t_ref,
            r_mohm: p.v("R"),
            v0_mv: p.get_or("v0", p.v("v_rest")),
        })
    }
}

impl Default for Lif {
    fn default() -> Self {
        Lif::from_table(&ParamTable::new(NAME, PARAMS)).expect("defaults are valid")
    }
}

impl Neuron for Lif {
    fn state_names(&self) -> &'static [&'static str] {
        &["v"]
    }
    fn initial_state(&self) -> [f64; MAX_STATE] {
        [self.v0_mv, 0.0, 0.0, 0.0]
    }
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]) {
        dx[0] = (self.v_rest_mv - x[0] + self.r_mohm * input) / self.tau_m_ms;
    }
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool {
        if x[0] > self.v_th_mv {
            x[0] = self.v_reset_mv;
            true
        } else {
            false
        }
    }
    fn refractory_ms(&self) -> f64 {
        self.t_ref_ms
    }
    fn has_exact(&self) -> bool {
        true
    }
    fn exact_update(&self, x: &mut [f64; MAX_STATE], input: f64, dt: f64) -> bool {
        let v_inf = self.v_rest_mv + self.r_mohm * input;
        x[0] = v_inf + (x[0] - v_inf) * (-dt / self.tau_m_ms).exp();
        true
    }
}

/// Number of skipped steps after a spike, `round(t_ref / dt) - 1` (at least 0).
pub fn refractory_steps(t_ref_ms: f64, dt: f64) -> u32 {
    ((t_ref_ms / dt).round() as i64 - 1).max(0) as u32
}

/// The fixed-point LIF twin. Fields are the hardware constants (raw integers).
#[derive(Debug, Clone, PartialEq)]
pub struct LifFixed {
    pub fmt_v: QFormat,
    pub fmt_in: QFormat,
    pub fmt_ref: QFormat,
    pub k: Coef,
    pub k_in: Coef,
    pub v_rest: i64,
    pub v_reset: i64,
    pub v_th: i64,
    pub v0: i64,
    /// Steps skipped after a spike (the value loaded into `ref`).
    pub ref_steps: u32,
}

impl LifFixed {
    /// Quantise `p` for time step `dt` (ms); `method` picks exact (`1 - e^(-dt/tau)`) or Euler
    /// (`dt/tau`) leak coefficients.
    pub fn new(p: &Lif, dt: f64, method: Method, cfg: &FixedConfig) -> Result<Self, ModelError> {
        cfg.check_words(NAME, &["coef", "input"])?;
        let fmt_v = cfg.membrane;
        let fmt_in = cfg.word("input", fmt_v);
        let k = match method {
            Method::Euler => dt / p.tau_m_ms,
            _ => 1.0 - (-dt / p.tau_m_ms).exp(),
        };
        let fmt_c = cfg.coef_format(&[k, k * p.r_mohm]);
        let ref_steps = refractory_steps(p.t_ref_ms, dt);
        let ref_bits = (32 - ref_steps.leading_zeros()).max(1);
        Ok(LifFixed {
            fmt_v,
            fmt_in,
            fmt_ref: QFormat::uq(ref_bits, 0),
            k: Coef::new("k", k, fmt_c, cfg.mul)?,
            k_in: Coef::new("k_in", k * p.r_mohm, fmt_c, cfg.mul)?,
            v_rest: quantize_param("v_rest", p.v_rest_mv, fmt_v)?,
            v_reset: quantize_param("v_reset", p.v_reset_mv, fmt_v)?,
            v_th: quantize_param("v_th", p.v_th_mv, fmt_v)?,
            v0: quantize_param("v0", p.v0_mv, fmt_v)?,
            ref_steps,
        })
    }
}

impl FixedNeuron for LifFixed {
    fn ident(&self) -> String {
        format!("lif_{}", self.fmt_v.ident())
    }
    fn state_words(&self) -> Vec<Word> {
        vec![
            Word {
                name: "v",
                fmt: self.fmt_v,
            },
            Word {
                name: "ref_cnt",
                fmt: self.fmt_ref,
            },
        ]
    }
    fn input_format(&self) -> QFormat {
        self.fmt_in
    }
    fn initial_state(&self) -> [i64; MAX_STATE] {
        [self.v0, 0, 0, 0]
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        if x[1] > 0 {
            x[1] -= 1;
            return false;
        }
        let c = self.k.fmt.frac_bits;
        let f = self.fmt_v.frac_bits;
        let fi = self.fmt_in.frac_bits;
        let facc = f.max(fi) + c; // fraction bits of the aligned sum
        let d = (self.v_rest - x[0]) as i128; // W+1 bits
        let leak = rescale(d * self.k.raw as i128, f + c, facc, Rounding::Floor); // exact (left shift)
        let drive = rescale(
            input as i128 * self.k_in.raw as i128,
            fi + c,
            facc,
            Rounding::Floor,
        );
        let dv = rescale(leak + drive, facc, f, Rounding::HalfUp);
        let v = self.fmt_v.saturate(x[0] as i128 + dv) as i64;
        if v > self.v_th {
            x[0] = self.v_reset;
            x[1] = self.ref_steps as i64;
            true
        } else {
            x[0] = v;
            false
        }
    }
}
