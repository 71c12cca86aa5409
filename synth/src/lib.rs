//! spikeforge-synth: Yosys and nextpnr flows. Verilog files and a top name in, typed reports out; this
//! crate knows nothing of neurons.
