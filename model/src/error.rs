//! Errors of the model crate.
use crate::fixed::FixedError;

/// Everything that can go wrong when building or running a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("unknown model '{name}' (valid models: {valid})")]
    UnknownModel { name: String, valid: String },
    #[error("unknown preset '{preset}' for model {model} (valid presets: {valid})")]
    UnknownPreset {
        model: String,
        preset: String,
        valid: String,
    },
    #[error("unknown parameter '{name}' for model {model} (valid parameters: {valid})")]
    UnknownParam {
        model: String,
        name: String,
        valid: String,
    },
    #[error("bad value for {name}: {value} ({why})")]
    BadValue {
        name: String,
        value: f64,
        why: String,
    },
    #[error("parameter {name} = {value} does not fit the fixed-point format {fmt} (range {min} .. {max}); choose a wider format")]
    DoesNotFit {
        name: String,
        value: f64,
        fmt: String,
        min: f64,
        max: f64,
    },
    #[error("malformed stimulus '{input}': {why}")]
    Stimulus { input: String, why: String },
    #[error("integration method {method} is not available for model {model}")]
    MethodUnsupported { model: String, method: String },
    #[error(transparent)]
    Fixed(#[from] FixedError),
    #[error("{0}")]
    Other(String),
}
