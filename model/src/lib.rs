//! spikeforge-model: spiking-neuron models in f64 and their bit-exact fixed-point twins.
pub mod fixed;
