//! spikeforge-model: spiking-neuron models in f64 and their bit-exact fixed-point twins.
//!
//! # The contract
//! * [`fixed`]: every fixed-point quantity has an explicit [`fixed::QFormat`]; every operation states
//!   its width growth, rounding and overflow. Defaults: saturate on every store to state, round
//!   half-up on every multiply ([`quant`] has the derivation rules of a model's word formats).
//! * [`neuron`]: each model has an f64 form ([`neuron::Neuron`]) and a fixed twin
//!   ([`neuron::FixedNeuron`]) whose `step` IS the hardware specification: a pure function of the
//!   parameters, the state and the input. The RTL must equal it bit for bit, every step.
//! * Time-step semantics and the spike-time convention are in [`neuron`].
//! * This crate does no I/O, runs no tools and knows nothing of Verilog.
pub mod analysis;
pub mod error;
pub mod fixed;
pub mod learning;
pub mod lut;
pub mod network;
pub mod neuron;
pub mod params;
pub mod population;
pub mod quant;
pub mod registry;
pub mod run;
pub mod stimulus;

pub use error::ModelError;
pub use fixed::{QFormat, Rounding};
pub use neuron::{FixedNeuron, Method, Neuron};
pub use quant::{FixedConfig, MulVariant};
pub use registry::{FixedModel, ModelSpec, MODELS};
pub use run::{run_f64, run_fixed, RunConfig, Trace};
pub use stimulus::Stimulus;
