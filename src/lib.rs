//! spikeforge: the thin library facade over the workspace crates.
pub use spikeforge_hdl as hdl;
pub use spikeforge_model as model;
pub use spikeforge_sim as sim;
pub use spikeforge_synth as synth;
