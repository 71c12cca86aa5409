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
//!
//! Models without a reset (FHN, Morris-Lecar, the silicon neuron, the nullcline neuron in crossing
//! mode) spike on an upward threshold crossing with hysteresis ([`upward_crossing`]); their re-arm
//! flag is a state variable after the ODE variables ([`Neuron::ode_dim`]).
//!
//! # Models
//! | module | name | twin's nonlinear datapath |
//! |---|---|---|
//! | [`lif`] | `lif` | none (constant multiplies) |
//! | [`leaky`] | `leaky` | none |
//! | [`izhikevich`] | `izhikevich` | `v*v` |
//! | [`adex`] | `adex` | exponential ROM ([`crate::lut`], piecewise constant) |
//! | [`fhn`] | `fhn` | `v*v`, `(v^2)*v` |
//! | [`morris_lecar`] | `morris-lecar` | `w*(V-EK)`, `rate*(winf-w)`, three ROMs (two interpolated) |
//! | [`hasler`] | `hasler` | `n*(V-EK)`, two interpolated ROMs |
//! | [`nullcline`] | `nullcline` | cubic: `v*v`, `(v^2)*v`; piecewise linear: comparators only |

use crate::fixed::QFormat;
use serde::Serialize;

pub mod adex;
pub mod fhn;
pub mod hasler;
pub mod izhikevich;
pub mod leaky;
pub mod lif;
pub mod morris_lecar;
pub mod nullcline;

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
    /// How many leading state variables are continuous ODE variables (integrated by [`integrate`],
    /// the dimension of the phase space for analysis). The remaining ones are discrete flags that only
    /// [`Neuron::fire_and_reset`] changes, e.g. the re-arm flag of threshold-crossing models (FHN,
    /// Morris-Lecar). Default: all of them.
    fn ode_dim(&self) -> usize {
        self.state_names().len()
    }
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

/// One integration step of `n` without threshold (used by the runner and by analysis). Generic so
/// that a concrete model is inlined; `&dyn Neuron` works too.
#[inline]
pub fn integrate<N: Neuron + ?Sized>(
    n: &N,
    x: &mut [f64; MAX_STATE],
    input: f64,
    dt: f64,
    method: Method,
) {
    let dim = n.ode_dim();
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

/// Spike detection of the models without a reset (FHN, Morris-Lecar, the silicon neuron, the
/// nullcline neuron without reset): a spike is an upward crossing `v >= v_th` while *armed*; firing
/// disarms, and the flag re-arms when `v < v_rearm` (`v_rearm <= v_th`, hysteresis so that one
/// excursion gives one spike). The flag is a state variable (f64: `1.0` armed / `0.0`; fixed twin: a
/// 1-bit word `armed`); it starts armed when `v0 < v_th`. The state is not changed otherwise.
#[inline]
pub fn upward_crossing(v: f64, armed: &mut f64, v_th: f64, v_rearm: f64) -> bool {
    if *armed != 0.0 {
        if v >= v_th {
            *armed = 0.0;
            return true;
        }
    } else if v < v_rearm {
        *armed = 1.0;
    }
    false
}

/// [`upward_crossing`] on raw words (the hardware comparator and 1-bit flag).
#[inline]
pub fn upward_crossing_raw(v: i64, armed: &mut i64, v_th: i64, v_rearm: i64) -> bool {
    if *armed != 0 {
        if v >= v_th {
            *armed = 0;
            return true;
        }
    } else if v < v_rearm {
        *armed = 1;
    }
    false
}

/// The leftmost root of `h` in `lo ..= hi`: the first sign change on a grid of `n` steps, refined by
/// bisection to full precision. Used for the default initial states (rest points) of the 2-D models.
pub fn leftmost_root(h: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> Option<f64> {
    let step = (hi - lo) / n.max(1) as f64;
    let mut a = lo;
    let mut ha = h(a);
    if ha == 0.0 {
        return Some(a);
    }
    for k in 1..=n.max(1) {
        let b = lo + k as f64 * step;
        let hb = h(b);
        if hb == 0.0 {
            return Some(b);
        }
        if ha.signum() != hb.signum() && ha.is_finite() && hb.is_finite() {
            let (mut l, mut r, mut hl) = (a, b, ha);
            for _ in 0..200 {
                let mid = 0.5 * (l + r);
                if mid <= l || mid >= r {
                    break;
                }
                let hm = h(mid);
                if hm == 0.0 {
                    return Some(mid);
                }
                if hm.signum() == hl.signum() {
                    l = mid;
                    hl = hm;
                } else {
                    r = mid;
                }
            }
            return Some(0.5 * (l + r));
        }
        a = b;
        ha = hb;
    }
    None
}

/// Saturate a wide intermediate into a stored word.
#[inline]
pub(crate) fn sat(fmt: QFormat, x: i128) -> i64 {
    fmt.saturate(x) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_fires_once_per_excursion() {
        let (th, re) = (1.0, 0.0);
        let mut armed = 1.0;
        let vs = [-1.0, 0.5, 1.0, 1.5, 0.5, 1.2, -0.1, 0.9, 1.1];
        let fired: Vec<bool> = vs
            .iter()
            .map(|v| upward_crossing(*v, &mut armed, th, re))
            .collect();
        let want = [false, false, true, false, false, false, false, false, true];
        assert_eq!(fired, want);
        // the raw comparator agrees
        let mut a = 1i64;
        let raw: Vec<bool> = vs
            .iter()
            .map(|v| upward_crossing_raw((*v * 16.0) as i64, &mut a, 16, 0))
            .collect();
        assert_eq!(raw, want);
    }

    #[test]
    fn leftmost_root_finds_the_lowest_of_three() {
        let r = leftmost_root(|x| (x + 2.0) * (x - 0.5) * (x - 3.0), -10.0, 10.0, 1000).unwrap();
        assert!((r + 2.0).abs() < 1e-12, "{r}");
        assert!(leftmost_root(|x| x * x + 1.0, -10.0, 10.0, 1000).is_none());
    }
}
