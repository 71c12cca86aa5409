//! The catalogue of models: names, parameters, presets, defaults, and construction of the f64 model
//! and the fixed twin from a [`ModelSpec`].
use crate::error::ModelError;
use crate::fixed::QFormat;
use crate::neuron::{izhikevich, leaky, lif, FixedNeuron, Method, Neuron, Word, MAX_STATE};
use crate::params::{find_preset, ParamInfo, ParamTable, Preset};
use crate::quant::FixedConfig;

/// Static description of a model.
#[derive(Debug, Clone, Copy)]
pub struct ModelInfo {
    pub name: &'static str,
    pub about: &'static str,
    pub params: &'static [ParamInfo],
    pub presets: &'static [Preset],
    /// Unit of the input current.
    pub input_unit: &'static str,
    pub default_dt_ms: f64,
    pub default_method: Method,
    /// Default membrane format of the fixed twin (the one the spike-error bounds are documented for).
    pub default_fixed: &'static str,
    /// Default constant input for `simulate` when no stimulus is given.
    pub default_stimulus: &'static str,
    /// Default duration of `simulate` in ms.
    pub default_duration_ms: f64,
}

/// Every model, in CLI order.
pub const MODELS: &[ModelInfo] = &[
    ModelInfo {
        name: lif::NAME,
        about: "leaky integrate-and-fire, current based, refractory period",
        params: lif::PARAMS,
        presets: lif::PRESETS,
        input_unit: "nA",
        default_dt_ms: 0.1,
        default_method: Method::Exact,
        default_fixed: "Q8.8",
        default_stimulus: "const(25)",
        default_duration_ms: 200.0,
    },
    ModelInfo {
        name: leaky::NAME,
        about: "discrete leaky neuron of snnTorch (one update per step)",
        params: leaky::PARAMS,
        presets: leaky::PRESETS,
        input_unit: "1",
        default_dt_ms: 1.0,
        default_method: Method::Euler,
        default_fixed: "Q3.12",
        default_stimulus: "const(0.25)",
        default_duration_ms: 50.0,
    },
    ModelInfo {
        name: izhikevich::NAME,
        about: "Izhikevich (2003) simple model",
        params: izhikevich::PARAMS,
        presets: izhikevich::PRESETS,
        input_unit: "1 (dimensionless, as in the 2003 paper)",
        default_dt_ms: 0.1,
        default_method: Method::Euler,
        default_fixed: "Q8.12",
        default_stimulus: "const(10)",
        default_duration_ms: 1000.0,
    },
];

/// Look up a model by name.
pub fn model_info(name: &str) -> Result<&'static ModelInfo, ModelError> {
    MODELS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| ModelError::UnknownModel {
            name: name.to_string(),
            valid: MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(" "),
        })
}

/// A model with its parameter values.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    pub info: &'static ModelInfo,
    pub preset: Option<String>,
    pub params: ParamTable,
}

/// A fixed twin of any model, as concrete types (the hdl crate matches on this).
#[derive(Debug, Clone, PartialEq)]
pub enum FixedModel {
    Lif(lif::LifFixed),
    Leaky(leaky::LeakyFixed),
    Izhikevich(izhikevich::IzhikevichFixed),
}

impl FixedModel {
    /// The twin as a trait object.
    pub fn as_neuron(&self) -> &dyn FixedNeuron {
        match self {
            FixedModel::Lif(m) => m,
            FixedModel::Leaky(m) => m,
            FixedModel::Izhikevich(m) => m,
        }
    }
}

impl FixedNeuron for FixedModel {
    fn ident(&self) -> String {
        self.as_neuron().ident()
    }
    fn state_words(&self) -> Vec<Word> {
        self.as_neuron().state_words()
    }
    fn input_format(&self) -> QFormat {
        self.as_neuron().input_format()
    }
    fn initial_state(&self) -> [i64; MAX_STATE] {
        self.as_neuron().initial_state()
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        match self {
            FixedModel::Lif(m) => m.step(x, input),
            FixedModel::Leaky(m) => m.step(x, input),
            FixedModel::Izhikevich(m) => m.step(x, input),
        }
    }
}

impl ModelSpec {
    /// A model by name with an optional preset applied.
    pub fn new(model: &str, preset: Option<&str>) -> Result<Self, ModelError> {
        let info = model_info(model)?;
        let mut params = ParamTable::new(info.name, info.params);
        if let Some(p) = preset {
            params.apply(find_preset(info.name, info.presets, p)?)?;
        }
        Ok(ModelSpec {
            info,
            preset: preset.map(str::to_string),
            params,
        })
    }
    /// Set one parameter by name.
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ModelError> {
        self.params.set(name, value)
    }
    /// Check that `method` is available for this model.
    pub fn check_method(&self, method: Method) -> Result<(), ModelError> {
        let n = self.neuron()?;
        let ok = match method {
            Method::Exact => n.has_exact(),
            _ => !n.discrete() || method == Method::Euler,
        };
        if ok {
            Ok(())
        } else {
            Err(ModelError::MethodUnsupported {
                model: self.info.name.into(),
                method: format!("{method:?}").to_lowercase(),
            })
        }
    }
    /// The f64 model.
    pub fn neuron(&self) -> Result<Box<dyn Neuron>, ModelError> {
        let p = &self.params;
        Ok(match self.info.name {
            lif::NAME => Box::new(lif::Lif::from_table(p)?),
            leaky::NAME => Box::new(leaky::Leaky::from_table(p)?),
            izhikevich::NAME => Box::new(izhikevich::Izhikevich::from_table(p)?),
            other => return Err(ModelError::Other(format!("model {other} has no f64 form"))),
        })
    }
    /// The fixed twin for time step `dt` (ms).
    pub fn fixed(
        &self,
        dt: f64,
        method: Method,
        cfg: &FixedConfig,
    ) -> Result<FixedModel, ModelError> {
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(ModelError::BadValue {
                name: "dt".into(),
                value: dt,
                why: "must be positive".into(),
            });
        }
        let p = &self.params;
        Ok(match self.info.name {
            lif::NAME => FixedModel::Lif(lif::LifFixed::new(
                &lif::Lif::from_table(p)?,
                dt,
                method,
                cfg,
            )?),
            leaky::NAME => {
                FixedModel::Leaky(leaky::LeakyFixed::new(&leaky::Leaky::from_table(p)?, cfg)?)
            }
            izhikevich::NAME => FixedModel::Izhikevich(izhikevich::IzhikevichFixed::new(
                &izhikevich::Izhikevich::from_table(p)?,
                dt,
                cfg,
            )?),
            other => {
                return Err(ModelError::Other(format!(
                    "model {other} has no fixed twin"
                )))
            }
        })
    }
}
