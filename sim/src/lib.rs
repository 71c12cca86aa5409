//! spikeforge-sim: co-simulation of generated RTL in Verilator and Icarus against the fixed-point twin,
//! VCD reading and writing, and plots.
pub mod cosim;
pub mod error;
pub mod fast;
pub mod netplot;
pub mod phase;
pub mod plot;
pub mod vcdio;
