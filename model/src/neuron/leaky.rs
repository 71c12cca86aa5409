//! The discrete leaky neuron of snnTorch (`snn.Leaky`).
//!
//! One update per time step, whatever `dt` is: with `S[t] = (U[t] > thr)`,
//! * subtract reset: `U[t+1] = beta U[t] + I[t+1] - S[t] thr`
//! * zero reset:     `U[t+1] = beta U[t] (1 - S[t]) + I[t+1]`
//!
//! The spike `S[t]` is stamped at the step whose update produced `U[t]`: snnTorch's step `k` (1-based
//! count of updates) is our step `n = k - 1`, time `n dt`. State: `U` and the spike flag `S`.
//!
//! Fixed twin: `U' = sat(round_half_up(beta * U) + I - S thr)` (subtract) or
//! `U' = sat(S ? I : round_half_up(beta * U) + I)` (zero), `S' = U' > thr`.
use super::{sat, FixedNeuron, Neuron, Word, MAX_STATE};
use crate::error::ModelError;
use crate::fixed::{shr_round, QFormat, Rounding};
use crate::params::{quantize_param, ParamInfo, ParamTable, Preset};
use crate::quant::{Coef, FixedConfig};

pub const NAME: &str = "leaky";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "beta",
        unit: "1",
        default: Some(0.9),
        doc: "decay per step (0..1)",
    },
    ParamInfo {
        name: "thr",
        unit: "1",
        default: Some(1.0),
        doc: "threshold (strict >)",
    },
    ParamInfo {
        name: "reset",
        unit: "0|1",
        default: Some(0.0),
        doc: "0 = subtract threshold, 1 = reset to zero",
    },
    ParamInfo {
        name: "u0",
        unit: "1",
        default: Some(0.0),
        doc: "initial U",
    },
];
pub const PRESETS: &[Preset] = &[("subtract", &[("reset", 0.0)]), ("zero", &[("reset", 1.0)])];

/// snnTorch Leaky parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leaky {
    pub beta: f64,
    pub thr: f64,
    pub reset_to_zero: bool,
    pub u0: f64,
}

impl Leaky {
    /// From a parameter table.
    pub fn from_table(p: &ParamTable) -> Result<Self, ModelError> {
        let beta = p.v("beta");
        if !(0.0..=1.0).contains(&beta) {
            return Err(ModelError::BadValue {
                name: "beta".into(),
                value: beta,
                why: "must be in 0..1".into(),
            });
        }
        let r = p.v("reset");
        if r != 0.0 && r != 1.0 {
            return Err(ModelError::BadValue {
                name: "reset".into(),
                value: r,
                why: "must be 0 (subtract) or 1 (zero)".into(),
            });
        }
        Ok(Leaky {
            beta,
            thr: p.v("thr"),
            reset_to_zero: r == 1.0,
            u0: p.v("u0"),
        })
    }
    /// One discrete update (the runner calls it once per step).
    pub fn update(&self, x: &mut [f64; MAX_STATE], input: f64) {
        let s = x[1];
        x[0] = if self.reset_to_zero {
            self.beta * x[0] * (1.0 - s) + input
        } else {
            self.beta * x[0] + input - s * self.thr
        };
    }
}

impl Neuron for Leaky {
    fn state_names(&self) -> &'static [&'static str] {
        &["U", "S"]
    }
    fn initial_state(&self) -> [f64; MAX_STATE] {
        [self.u0, 0.0, 0.0, 0.0]
    }
    /// The change per step (a discrete model: the runner applies it once per step).
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]) {
        let mut y = *x;
        self.update(&mut y, input);
        dx[0] = y[0] - x[0];
        dx[1] = 0.0;
    }
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool {
        let s = x[0] > self.thr;
        x[1] = f64::from(u8::from(s));
        s
    }
    fn discrete(&self) -> bool {
        true
    }
}

/// The fixed-point Leaky twin.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakyFixed {
    pub fmt: QFormat,
    pub beta: Coef,
    pub thr: i64,
    pub reset_to_zero: bool,
    pub u0: i64,
}

impl LeakyFixed {
    /// Quantise `p`.
    pub fn new(p: &Leaky, cfg: &FixedConfig) -> Result<Self, ModelError> {
        cfg.check_words(NAME, &["coef"])?;
        let fmt = cfg.membrane;
        Ok(LeakyFixed {
            fmt,
            beta: Coef::new("beta", p.beta, cfg.coef_format(&[p.beta]), cfg.mul)?,
            thr: quantize_param("thr", p.thr, fmt)?,
            reset_to_zero: p.reset_to_zero,
            u0: quantize_param("u0", p.u0, fmt)?,
        })
    }
}

impl FixedNeuron for LeakyFixed {
    fn ident(&self) -> String {
        format!("leaky_{}", self.fmt.ident())
    }
    fn state_words(&self) -> Vec<Word> {
        vec![
            Word {
                name: "U",
                fmt: self.fmt,
            },
            Word {
                name: "S",
                fmt: QFormat::uq(1, 0),
            },
        ]
    }
    fn input_format(&self) -> QFormat {
        self.fmt
    }
    fn initial_state(&self) -> [i64; MAX_STATE] {
        [self.u0, 0, 0, 0]
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        let decayed = shr_round(
            x[0] as i128 * self.beta.raw as i128,
            self.beta.fmt.frac_bits,
            Rounding::HalfUp,
        );
        let u = if x[1] != 0 {
            if self.reset_to_zero {
                input as i128
            } else {
                decayed + input as i128 - self.thr as i128
            }
        } else {
            decayed + input as i128
        };
        let u = sat(self.fmt, u);
        let s = u > self.thr;
        x[0] = u;
        x[1] = i64::from(s);
        s
    }
}
