//! Single-neuron simulation of the f64 model and of the fixed twin, and the error measures between
//! them.
use crate::neuron::{integrate, lif::refractory_steps, FixedNeuron, Method, Neuron, MAX_STATE};
use crate::stimulus::Stimulus;
use serde::Serialize;

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunConfig {
    /// Time step in ms.
    pub dt: f64,
    /// Duration in ms; `round(duration / dt)` steps are taken.
    pub duration_ms: f64,
    pub method: Method,
    /// Record the state at every step (else spikes only).
    pub record_trace: bool,
}

impl RunConfig {
    /// Number of steps.
    pub fn steps(&self) -> usize {
        (self.duration_ms / self.dt).round().max(0.0) as usize
    }
}

/// The result of a run. `states[k][n]` is state variable `k` at `t_n` (before step `n`'s update).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Trace {
    pub state_names: Vec<String>,
    pub t_ms: Vec<f64>,
    pub states: Vec<Vec<f64>>,
    pub spikes_ms: Vec<f64>,
    /// The inputs applied, per step (only with `record_trace`).
    pub input: Vec<f64>,
}

/// Run the f64 model. Spikes are stamped at `t_n`, the start of the step that crossed threshold.
pub fn run_f64(n: &dyn Neuron, stim: &Stimulus, cfg: &RunConfig) -> Trace {
    let names = n.state_names();
    let dim = names.len();
    let mut tr = Trace {
        state_names: names.iter().map(|s| s.to_string()).collect(),
        states: vec![Vec::new(); dim],
        ..Default::default()
    };
    let mut x = n.initial_state();
    let ref_steps = refractory_steps(n.refractory_ms(), cfg.dt);
    let has_ref = n.refractory_ms() > 0.0;
    let mut ref_left = 0u32;
    let discrete = n.discrete();
    for step in 0..cfg.steps() {
        let t = step as f64 * cfg.dt;
        let i = stim.at(t);
        if cfg.record_trace {
            tr.t_ms.push(t);
            tr.input.push(i);
            for (series, v) in tr.states.iter_mut().zip(&x[..dim]) {
                series.push(*v);
            }
        }
        if ref_left > 0 {
            ref_left -= 1;
            continue;
        }
        if discrete {
            let mut d = [0.0; MAX_STATE];
            n.derivative(&x, i, &mut d);
            for k in 0..dim {
                x[k] += d[k];
            }
        } else {
            integrate(n, &mut x, i, cfg.dt, cfg.method);
        }
        if n.fire_and_reset(&mut x) {
            tr.spikes_ms.push(t);
            if has_ref {
                ref_left = ref_steps;
            }
        }
    }
    tr
}

/// Run the fixed twin with the stimulus quantised at every step. States are reported as real values.
pub fn run_fixed(n: &dyn FixedNeuron, stim: &Stimulus, cfg: &RunConfig) -> Trace {
    let words = n.state_words();
    let dim = words.len();
    let mut tr = Trace {
        state_names: words.iter().map(|w| w.name.to_string()).collect(),
        states: vec![Vec::new(); dim],
        ..Default::default()
    };
    let mut x = n.initial_state();
    for step in 0..cfg.steps() {
        let t = step as f64 * cfg.dt;
        let i = n.quantize_input(stim.at(t));
        if cfg.record_trace {
            tr.t_ms.push(t);
            tr.input.push(n.input_format().to_f64(i as i128));
            for k in 0..dim {
                tr.states[k].push(words[k].fmt.to_f64(x[k] as i128));
            }
        }
        if n.step(&mut x, i) {
            tr.spikes_ms.push(t);
        }
    }
    tr
}

/// How far the fixed twin's spikes are from the f64 model's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpikeError {
    pub n_reference: usize,
    pub n_test: usize,
    /// Spikes compared in order (the first `min(n_reference, n_test)`).
    pub n_compared: usize,
    pub mean_abs_ms: f64,
    pub max_abs_ms: f64,
}

/// Compare two spike trains in order.
pub fn spike_error(reference: &[f64], test: &[f64]) -> SpikeError {
    let n = reference.len().min(test.len());
    let d: Vec<f64> = reference
        .iter()
        .zip(test)
        .map(|(a, b)| (a - b).abs())
        .collect();
    SpikeError {
        n_reference: reference.len(),
        n_test: test.len(),
        n_compared: n,
        mean_abs_ms: if n == 0 {
            0.0
        } else {
            d.iter().sum::<f64>() / n as f64
        },
        max_abs_ms: d.iter().cloned().fold(0.0, f64::max),
    }
}

/// Root-mean-square difference of two equally sampled series (the shorter length is used).
pub fn rms(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    (a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / n as f64).sqrt()
}
