//! Limit cycles by simulation: period, extrema and amplitude of the membrane oscillation, and the
//! firing rate; the stepping follows [`crate::run::run_f64`] (refractory period, discrete models,
//! spike stamps at the start of the step) but continues from a given state.
use crate::neuron::{integrate, lif::refractory_steps, Method, Neuron, MAX_STATE};
use crate::registry::ModelInfo;
use serde::Serialize;

/// How long and how finely to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CycleConfig {
    /// Time step (ms).
    pub dt: f64,
    /// Integration method (analysis default: RK4, the closest to the ODE).
    pub method: Method,
    /// Transient discarded at each parameter value (ms).
    pub settle_ms: f64,
    /// Measured time (ms): the rate counts the spikes here, the cycle is detected here.
    pub measure_ms: f64,
}

impl CycleConfig {
    /// The analysis defaults for a model: its default `dt`, RK4 (Euler for discrete models),
    /// 1000 ms settle and 2000 ms measure.
    pub fn for_model(info: &ModelInfo) -> Self {
        CycleConfig {
            dt: info.default_dt_ms,
            method: if info.name == "leaky" || info.name == "lif" {
                info.default_method
            } else {
                Method::Rk4
            },
            settle_ms: 1000.0,
            measure_ms: 2000.0,
        }
    }
    fn steps(ms: f64, dt: f64) -> usize {
        (ms / dt).round().max(0.0) as usize
    }
}

/// A limit cycle found by simulation (membrane `x`, recovery `y`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitCycle {
    pub period_ms: f64,
    pub x_min: f64,
    pub x_max: f64,
    pub y_min: f64,
    pub y_max: f64,
    /// `x_max - x_min`.
    pub amplitude: f64,
    /// Spikes (model threshold) in the measured time.
    pub n_spikes: usize,
    /// Firing rate from the spikes (0 when fewer than two).
    pub rate_hz: f64,
}

/// A neuron being stepped with the runner's semantics, from any state.
pub struct Stepper<'a> {
    n: &'a dyn Neuron,
    dt: f64,
    method: Method,
    ref_steps: u32,
    has_ref: bool,
    ref_left: u32,
    discrete: bool,
    dim: usize,
}

impl<'a> Stepper<'a> {
    pub fn new(n: &'a dyn Neuron, dt: f64, method: Method) -> Self {
        Stepper {
            n,
            dt,
            method,
            ref_steps: refractory_steps(n.refractory_ms(), dt),
            has_ref: n.refractory_ms() > 0.0,
            ref_left: 0,
            discrete: n.discrete(),
            dim: n.state_names().len(),
        }
    }
    /// One step at `input`; true when the neuron fired.
    #[inline]
    pub fn step(&mut self, x: &mut [f64; MAX_STATE], input: f64) -> bool {
        if self.ref_left > 0 {
            self.ref_left -= 1;
            return false;
        }
        if self.discrete {
            let mut d = [0.0; MAX_STATE];
            self.n.derivative(x, input, &mut d);
            for k in 0..self.dim {
                x[k] += d[k];
            }
        } else {
            integrate(self.n, x, input, self.dt, self.method);
        }
        let fired = self.n.fire_and_reset(x);
        if fired && self.has_ref {
            self.ref_left = self.ref_steps;
        }
        fired
    }
}

/// Rate from spike times: `(n - 1) / (t_last - t_first)` in Hz, 0 with fewer than two spikes.
pub fn rate_hz(spikes_ms: &[f64]) -> f64 {
    match spikes_ms {
        [first, .., last] if last > first => 1000.0 * (spikes_ms.len() - 1) as f64 / (last - first),
        _ => 0.0,
    }
}

/// What a simulated interval showed: spikes, membrane extrema per half, mid-level crossings.
#[derive(Debug, Clone, Default)]
struct Record {
    spikes: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
}

fn simulate(n: &dyn Neuron, x: &mut [f64; MAX_STATE], input: f64, cfg: &CycleConfig) -> Record {
    let mut st = Stepper::new(n, cfg.dt, cfg.method);
    for _ in 0..CycleConfig::steps(cfg.settle_ms, cfg.dt) {
        st.step(x, input);
        if !(x[0].is_finite() && x[1].is_finite()) {
            return Record::default();
        }
    }
    let m = CycleConfig::steps(cfg.measure_ms, cfg.dt);
    let mut r = Record {
        x: Vec::with_capacity(m),
        y: Vec::with_capacity(m),
        ..Default::default()
    };
    for k in 0..m {
        r.x.push(x[0]);
        r.y.push(x[1]);
        if st.step(x, input) {
            r.spikes.push(k as f64 * cfg.dt);
        }
        if !(x[0].is_finite() && x[1].is_finite()) {
            break;
        }
    }
    r
}

/// Simulate `n` at `input` from state `x` (updated in place: the end state, for continuation), and
/// report the limit cycle the trajectory settled on, if any. A cycle needs an oscillation of the
/// membrane larger than `1e-6 * x_scale` whose amplitude over the second half of the measured time
/// is within 10 % of the first half's (no decaying or growing spiral) and at least two upward
/// crossings of its mid-level in the second half.
pub fn detect_cycle(
    n: &dyn Neuron,
    x: &mut [f64; MAX_STATE],
    input: f64,
    cfg: &CycleConfig,
    x_scale: f64,
) -> Option<LimitCycle> {
    let r = simulate(n, x, input, cfg);
    cycle_of(&r, cfg.dt, x_scale)
}

/// Simulate and return the spike times (ms from the start of the measured time) and the cycle.
pub fn rate_and_cycle(
    n: &dyn Neuron,
    x: &mut [f64; MAX_STATE],
    input: f64,
    cfg: &CycleConfig,
    x_scale: f64,
) -> (Vec<f64>, Option<LimitCycle>) {
    let r = simulate(n, x, input, cfg);
    let c = cycle_of(&r, cfg.dt, x_scale);
    (r.spikes, c)
}

fn cycle_of(r: &Record, dt: f64, x_scale: f64) -> Option<LimitCycle> {
    let len = r.x.len();
    if len < 8 {
        return None;
    }
    let half = len / 2;
    let ext = |s: &[f64]| {
        s.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (a_lo, a_hi) = ext(&r.x[..half]);
    let (b_lo, b_hi) = ext(&r.x[half..]);
    let (a, b) = (a_hi - a_lo, b_hi - b_lo);
    if b.is_nan() || b <= 1e-6 * x_scale || b < 0.9 * a || b > 1.1 * a {
        return None;
    }
    let mid = 0.5 * (b_lo + b_hi);
    let mut ups = Vec::new();
    for k in half + 1..len {
        let (p, q) = (r.x[k - 1], r.x[k]);
        if p < mid && q >= mid {
            let frac = (mid - p) / (q - p);
            ups.push((k as f64 - 1.0 + frac) * dt);
        }
    }
    if ups.len() < 2 {
        return None;
    }
    let period = (ups[ups.len() - 1] - ups[0]) / (ups.len() - 1) as f64;
    let (y_lo, y_hi) = ext(&r.y[half..]);
    Some(LimitCycle {
        period_ms: period,
        x_min: b_lo,
        x_max: b_hi,
        y_min: y_lo,
        y_max: y_hi,
        amplitude: b,
        n_spikes: r.spikes.len(),
        rate_hz: rate_hz(&r.spikes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ModelSpec;

    #[test]
    fn fhn_cycle_at_half_current_and_none_at_rest() {
        let spec = ModelSpec::new("fhn", None).unwrap();
        let n = spec.neuron().unwrap();
        let cfg = CycleConfig::for_model(spec.info);
        let mut x = n.initial_state();
        let c = detect_cycle(n.as_ref(), &mut x, 0.5, &cfg, 5.0).expect("a cycle at I = 0.5");
        assert!(c.period_ms > 30.0 && c.period_ms < 60.0, "{c:?}");
        assert!(c.x_max > 1.5 && c.x_min < -1.5, "{c:?}");
        assert!((c.rate_hz - 1000.0 / c.period_ms).abs() < 0.5, "{c:?}");
        let mut x = n.initial_state();
        assert!(detect_cycle(n.as_ref(), &mut x, 0.0, &cfg, 5.0).is_none());
        assert_eq!(rate_hz(&[1.0]), 0.0);
        assert_eq!(rate_hz(&[0.0, 10.0, 20.0]), 100.0);
    }
}
