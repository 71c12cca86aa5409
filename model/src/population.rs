//! A population of identical neurons stepped together (the inner loop of network simulation).
use crate::neuron::{integrate, lif::refractory_steps, FixedNeuron, Method, Neuron, MAX_STATE};

/// `n` copies of an f64 model.
#[derive(Debug, Clone)]
pub struct Population<M> {
    pub model: M,
    pub state: Vec<[f64; MAX_STATE]>,
    refractory: Vec<u32>,
    ref_steps: u32,
    dt: f64,
    method: Method,
}

impl<M: Neuron> Population<M> {
    /// `n` neurons in the model's initial state.
    pub fn new(model: M, n: usize, dt: f64, method: Method) -> Self {
        let x = model.initial_state();
        let ref_steps = refractory_steps(model.refractory_ms(), dt);
        Population {
            state: vec![x; n],
            refractory: vec![0; n],
            ref_steps,
            dt,
            method,
            model,
        }
    }
    /// One step with per-neuron inputs; pushes the indices of the neurons that fired.
    pub fn step(&mut self, input: &[f64], fired: &mut Vec<u32>) {
        let has_ref = self.model.refractory_ms() > 0.0;
        for (i, (x, r)) in self
            .state
            .iter_mut()
            .zip(self.refractory.iter_mut())
            .enumerate()
        {
            if *r > 0 {
                *r -= 1;
                continue;
            }
            integrate(&self.model, x, input[i], self.dt, self.method);
            if self.model.fire_and_reset(x) {
                fired.push(i as u32);
                if has_ref {
                    *r = self.ref_steps;
                }
            }
        }
    }
}

/// `n` copies of a fixed twin.
#[derive(Debug, Clone)]
pub struct FixedPopulation<M> {
    pub model: M,
    pub state: Vec<[i64; MAX_STATE]>,
}

impl<M: FixedNeuron> FixedPopulation<M> {
    /// `n` neurons in the twin's initial state.
    pub fn new(model: M, n: usize) -> Self {
        let x = model.initial_state();
        FixedPopulation {
            state: vec![x; n],
            model,
        }
    }
    /// One step with per-neuron raw inputs; pushes the indices of the neurons that fired.
    pub fn step(&mut self, input: &[i64], fired: &mut Vec<u32>) {
        for (i, x) in self.state.iter_mut().enumerate() {
            if self.model.step(x, input[i]) {
                fired.push(i as u32);
            }
        }
    }
}
