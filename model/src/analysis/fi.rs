//! Firing rate against input current (f-I curves) with up and down sweeps.
//!
//! Each current continues from the end state of the previous one (no reset between currents), as
//! in a slow staircase experiment: the state settles for `settle_ms`, then the spikes in the next
//! `measure_ms` give the rate `(n - 1) / (t_last - t_first)` (0 with fewer than two spikes, so the
//! lowest rate resolved is about `1000 / measure_ms` Hz). Near a subcritical Hopf bifurcation the
//! rest state and a large limit cycle coexist: the up sweep stays at rest until the rest state
//! loses stability, the down sweep keeps firing until the cycle disappears, and the two curves
//! differ (hysteresis). Works for every model, including the 1-D and discrete ones.
use super::limit_cycle::{rate_hz, CycleConfig, Stepper};
use crate::neuron::{Neuron, MAX_STATE};
use serde::Serialize;

/// The sweep direction(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sweep {
    Up,
    Down,
    /// Up, then down continuing from the up sweep's end state.
    Both,
}

impl std::str::FromStr for Sweep {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "up" => Ok(Sweep::Up),
            "down" => Ok(Sweep::Down),
            "both" => Ok(Sweep::Both),
            _ => Err(format!("unknown sweep '{s}' (expected up, down or both)")),
        }
    }
}

/// Direction of one point of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// The simulation settings of an f-I curve (same meaning as for limit cycles).
pub type FiConfig = CycleConfig;

/// One point of an f-I curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiPoint {
    #[serde(rename = "I")]
    pub current: f64,
    pub rate_hz: f64,
    pub direction: Direction,
    /// Spikes in the measured time.
    pub n_spikes: usize,
}

/// The f-I curve of `n` over `currents` (taken in ascending order for the up sweep, descending for
/// the down sweep), starting from the model's initial state.
pub fn fi_curve(n: &dyn Neuron, currents: &[f64], sweep: Sweep, cfg: &FiConfig) -> Vec<FiPoint> {
    let mut up: Vec<f64> = currents.to_vec();
    up.sort_by(f64::total_cmp);
    let down: Vec<f64> = up.iter().rev().copied().collect();
    let mut x = n.initial_state();
    let mut out = Vec::new();
    let mut run = |seq: &[f64], dir: Direction, x: &mut [f64; MAX_STATE]| {
        for &i in seq {
            let spikes = run_one(n, x, i, cfg);
            out.push(FiPoint {
                current: i,
                rate_hz: rate_hz(&spikes),
                direction: dir,
                n_spikes: spikes.len(),
            });
        }
    };
    match sweep {
        Sweep::Up => run(&up, Direction::Up, &mut x),
        Sweep::Down => run(&down, Direction::Down, &mut x),
        Sweep::Both => {
            run(&up, Direction::Up, &mut x);
            run(&down, Direction::Down, &mut x);
        }
    }
    out
}

/// Settle, then measure: the spike times (ms from the start of the measured time). `x` is updated.
pub fn run_one(n: &dyn Neuron, x: &mut [f64; MAX_STATE], input: f64, cfg: &FiConfig) -> Vec<f64> {
    let mut st = Stepper::new(n, cfg.dt, cfg.method);
    let settle = (cfg.settle_ms / cfg.dt).round().max(0.0) as usize;
    let measure = (cfg.measure_ms / cfg.dt).round().max(0.0) as usize;
    for _ in 0..settle {
        st.step(x, input);
    }
    let mut spikes = Vec::new();
    for k in 0..measure {
        if st.step(x, input) {
            spikes.push(k as f64 * cfg.dt);
        }
    }
    spikes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ModelSpec;

    #[test]
    fn lif_fi_is_monotone_and_starts_at_rheobase() {
        let spec = ModelSpec::new("lif", None).unwrap();
        let n = spec.neuron().unwrap();
        let cfg = CycleConfig {
            settle_ms: 100.0,
            measure_ms: 500.0,
            ..CycleConfig::for_model(spec.info)
        };
        let currents: Vec<f64> = (0..=10).map(|k| 5.0 * k as f64).collect();
        let f = fi_curve(n.as_ref(), &currents, Sweep::Up, &cfg);
        assert_eq!(f.len(), 11);
        assert_eq!(f[0].rate_hz, 0.0);
        assert!(f[10].rate_hz > 0.0);
        assert!(f.windows(2).all(|w| w[1].rate_hz >= w[0].rate_hz), "{f:?}");
        assert!("both".parse::<Sweep>().is_ok() && "sideways".parse::<Sweep>().is_err());
    }
}
