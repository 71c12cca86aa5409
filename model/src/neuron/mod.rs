//! Neuron models: the f64 behavioural form ([`Neuron`]) and the fixed-point twin ([`FixedNeuron`]).
//!
//! # Time-step semantics (shared with the RTL)
//! One step of length `dt` starting at `t_n = n dt`: (1) if the neuron is refractory, hold its state
//! (it was reset when it fired) and count down; otherwise (2) integrate `t_n -> t_{n+1}` with the input
//! sampled at `t_n`; (3) threshold; (4) reset. A spike is stamped `t_n`, the start of the step whose
//! update crossed threshold (the convention of `shared/reference/README.md`). Forward Euler updates all
//! state variables from the old values (simultaneous update).
//!
//! Refractoriness follows Brian2: after a spike stamped `t_n`, steps `n+1 .. n+R-1` are skipped, where
//! `R = round(t_ref / dt)`; the step at `t_n + t_ref` integrates again.

use crate::fixed::QFormat;
use serde::Serialize;

pub mod izhikevich;
pub mod leaky;
pub mod lif;

/// Integration method of the f64 model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Forward Euler, simultaneous update of all state variables.
    Euler,
    /// Classic fourth-order Runge-Kutta with the input held over the step.
    Rk4,
    /// Exact integration for linear models (LIF), with the input held over the step.
    Exact,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "euler" => Ok(Method::Euler),
            "rk4" => Ok(Method::Rk4),
            "exact" => Ok(Method::Exact),
            _ => Err(format!(
                "unknown integration method '{s}' (expected euler, rk4 or exact)"
            )),
        }
    }
}

/// Most state variables any model has (fixed-size buffers avoid per-step allocation).
pub const MAX_STATE: usize = 4;

/// An f64 neuron model: an ODE with threshold and reset.
pub trait Neuron: Send + Sync {
    /// Names of the state variables, membrane first.
    fn state_names(&self) -> &'static [&'static str];
    /// Initial state.
    fn initial_state(&self) -> [f64; MAX_STATE];
    /// Time derivative (per ms) of the state at input `input`.
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]);
    /// Threshold test after an update; resets `x` and returns true when the neuron fired.
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool;
    /// Refractory period in ms (state held after a spike).
    fn refractory_ms(&self) -> f64 {
        0.0
    }
    /// Exact update over `dt` with the input held, for models that have one.
    fn exact_update(&self, _x: &mut [f64; MAX_STATE], _input: f64, _dt: f64) -> bool {
        false
    }
    /// Whether [`Neuron::exact_update`] is available.
    fn has_exact(&self) -> bool {
        false
    }
    /// A discrete-time model (one update per step whatever `dt`, no ODE): [`Neuron::derivative`]
    /// then returns the change per step and the runner applies it once.
    fn discrete(&self) -> bool {
        false
    }
}

/// One integration step of `n` without threshold (used by the runner and by analysis).
pub fn integrate(n: &dyn Neuron, x: &mut [f64; MAX_STATE], input: f64, dt: f64, method: Method) {
    let dim = n.state_names().len();
    match method {
        Method::Exact if n.exact_update(x, input, dt) => {}
        Method::Rk4 => {
            let mut k = [[0.0; MAX_STATE]; 4];
            let mut y = *x;
            n.derivative(x, input, &mut k[0]);
            for (stage, h) in [(1usize, 0.5 * dt), (2, 0.5 * dt), (3, dt)] {
                for i in 0..dim {
                    y[i] = x[i] + h * k[stage - 1][i];
                }
                let mut ks = [0.0; MAX_STATE];
                n.derivative(&y, input, &mut ks);
                k[stage] = ks;
            }
            for i in 0..dim {
                x[i] += dt / 6.0 * (k[0][i] + 2.0 * k[1][i] + 2.0 * k[2][i] + k[3][i]);
            }
        }
        _ => {
            let mut k = [0.0; MAX_STATE];
            n.derivative(x, input, &mut k);
            for i in 0..dim {
                x[i] += dt * k[i];
            }
        }
    }
}

/// A named word of a fixed twin's state, with its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    pub name: &'static str,
    pub fmt: QFormat,
}

/// A fixed-point twin: its `step` is the hardware specification (a pure function of the parameters,
/// the state and the input). Raw values are integers in the formats of [`FixedNeuron::state_words`].
pub trait FixedNeuron: Send + Sync {
    /// Stable module-name fragment, e.g. `lif_q7_8`.
    fn ident(&self) -> String;
    /// The state words, membrane first; the RTL holds exactly these words.
    fn state_words(&self) -> Vec<Word>;
    /// Format of the input word.
    fn input_format(&self) -> QFormat;
    /// Initial state (raw).
    fn initial_state(&self) -> [i64; MAX_STATE];
    /// One time step. Returns true when the neuron fired.
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool;
    /// Real value of state word `i`.
    fn state_to_f64(&self, x: &[i64; MAX_STATE], i: usize) -> f64 {
        self.state_words()[i].fmt.to_f64(x[i] as i128)
    }
    /// Quantise a real input (saturating, round half-up).
    fn quantize_input(&self, i: f64) -> i64 {
        self.input_format().quantize_saturating(i) as i64
    }
}

/// Saturate a wide intermediate into a stored word.
#[inline]
pub(crate) fn sat(fmt: QFormat, x: i128) -> i64 {
    fmt.saturate(x) as i64
}
