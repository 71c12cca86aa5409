//! spikeforge-hdl: a small typed RTL IR, a Verilog-2005 emitter, and fixed-point neuron cores.
//!
//! The datapaths here are written independently of the model crate's fixed-point code (they only share
//! parameter and format types), so that co-simulation compares two implementations.
