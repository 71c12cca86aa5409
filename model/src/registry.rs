//! The catalogue of models: names, parameters, presets, defaults, and construction of the f64 model
//! and the fixed twin from a [`ModelSpec`].
//!
//! # Default formats and the measured error of the fixed twins
//! `ModelInfo::default_fixed` is the membrane format the error bounds are documented for (the other
//! words follow the rules of [`crate::quant`] and of each model's module doc). Measured with the
//! model's default `dt` and method (forward Euler, LIF exact), the preset's default stimulus
//! ([`ModelSpec::default_stimulus`]) and the model's default duration; spike-time error = mean
//! (max) |t_fixed - t_f64| over the spikes paired in order ([`crate::run::spike_error`]). The test
//! `fixed_twins_track_the_f64_models_at_their_default_formats` (tests/models.rs) bounds every row.
//!
//! | model | default | dt (ms) | duration (ms) | preset: spikes f64/fixed, mean (max) error in ms |
//! |---|---|---|---|---|
//! | lif | Q8.8 | 0.1 | 200 | (none): 5/5, 0 (0) |
//! | leaky | Q3.12 | 1 | 50 | subtract 9/9, 0; zero 10/10, 0 |
//! | izhikevich | Q8.12 | 0.1 | 1000 | rs 23/23, 1.10 (2.2); ib 34/34, 1.46 (3.1); ch 87/87, 0.78 (1.6); fs 131/131, 0.64 (1.7); lts 77/76, 0.62 (1.6); tc 260/260, 0.36 (0.4); rz 186/186, 0 (0) |
//! | adex | Q7.10 (w, input Q11.10) | 0.1 | 300 | bg2005-rs 5/5, 0 (0); tonic 28/28, 0 (0); adapting 7/7, 0 (0); initial-burst 7/7, 0.03 (0.1); bursting 5/5, 0 (0); delayed-accelerating 17/17, 0.02 (0.1); delayed-bursting 14/14, 0.17 (0.7); transient 1/1, 0 (0); irregular (chaotic; first 120 ms) 7/7, 0.20 (0.8), over 300 ms 16/17, 2.8 (12) |
//! | fhn | Q3.12 | 0.05 | 500 | classic 13/13, 0.09 (0.2) |
//! | morris-lecar | Q7.12 (w Q1.18, input Q9.12) | 0.1 | 1000 | hopf 12/12, 0 (0); snlc 10/10, 0.15 (0.2) |
//! | hasler | Q7.12 (n Q1.18) | 0.01 | 200 | type1 19/19, 0.024 (0.04); type2 55/55, 0.005 (0.01) |
//! | nullcline | Q3.12 | 0.05 | 500 | cubic 13/13, 0.09 (0.2); pwl 15/15, 0.013 (0.05); qif 35/35, 0.42 (0.85) |
//!
//! Why these formats: the error is dominated by the rounding of small per-step increments, which
//! is systematic where the state moves slowly; near a class-I onset (saddle-node on the invariant
//! circle) the firing rate is infinitely sensitive to the current, so the error grows there: e.g.
//! Morris-Lecar `snlc` at I = 41 (1 uA/cm^2 above onset) 2.8 ms mean over 1 s at Q7.12 (0.3 ms at
//! Q7.16), `hasler` `type1` at I = 5 1.1 ms over 500 ms at Q7.12; the narrower formats Q7.8
//! (Morris-Lecar) and Q7.10 (hasler) lose or gain spikes near onset. AdEx at Q7.8 has ~0.1-0.3 ms
//! mean errors at the preset stimuli but 1.8 ms for the RS cell at 700 pA (near rheobase), hence
//! Q7.10. Near the Hopf points of FHN (I = 0.34, 1.4) Q3.12 gives ~1 ms over 1 s (period ~40 ms).
use crate::error::ModelError;
use crate::fixed::QFormat;
use crate::neuron::{
    adex, fhn, hasler, izhikevich, leaky, lif, morris_lecar, nullcline, FixedNeuron, Method,
    Neuron, Word, MAX_STATE,
};
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
    /// Stimuli of presets that need their own (e.g. the currents of the AdEx firing patterns);
    /// [`ModelSpec::default_stimulus`] picks one.
    pub preset_stimuli: &'static [(&'static str, &'static str)],
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
        preset_stimuli: &[],
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
        preset_stimuli: &[],
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
        preset_stimuli: &[],
        default_duration_ms: 1000.0,
    },
    ModelInfo {
        name: adex::NAME,
        about: "adaptive exponential integrate-and-fire (Brette & Gerstner 2005)",
        params: adex::PARAMS,
        presets: adex::PRESETS,
        input_unit: "pA",
        default_dt_ms: 0.1,
        default_method: Method::Euler,
        default_fixed: "Q7.10",
        default_stimulus: "pulse(20,120,1000)",
        preset_stimuli: adex::PRESET_STIMULI,
        default_duration_ms: 300.0,
    },
    ModelInfo {
        name: fhn::NAME,
        about: "FitzHugh-Nagumo (dimensionless, 1 time unit = 1 ms)",
        params: fhn::PARAMS,
        presets: fhn::PRESETS,
        input_unit: "1 (dimensionless)",
        default_dt_ms: 0.05,
        default_method: Method::Euler,
        default_fixed: "Q3.12",
        default_stimulus: "const(0.5)",
        preset_stimuli: &[],
        default_duration_ms: 500.0,
    },
    ModelInfo {
        name: morris_lecar::NAME,
        about: "Morris-Lecar (Rinzel & Ermentrout), class II (hopf) and class I (snlc) presets",
        params: morris_lecar::PARAMS,
        presets: morris_lecar::PRESETS,
        input_unit: "uA/cm^2",
        default_dt_ms: 0.1,
        default_method: Method::Euler,
        default_fixed: "Q7.12",
        default_stimulus: "const(100)",
        preset_stimuli: morris_lecar::PRESET_STIMULI,
        default_duration_ms: 1000.0,
    },
    ModelInfo {
        name: hasler::NAME,
        about:
            "nullcline-designed silicon neuron after Basu & Hasler (2010), type I / type II biases",
        params: hasler::PARAMS,
        presets: hasler::PRESETS,
        input_unit: "uA/cm^2",
        default_dt_ms: 0.01,
        default_method: Method::Euler,
        default_fixed: "Q7.12",
        default_stimulus: "const(6)",
        preset_stimuli: hasler::PRESET_STIMULI,
        default_duration_ms: 200.0,
    },
    ModelInfo {
        name: nullcline::NAME,
        about: "generic 2-D neuron designed by its nullclines (cubic or piecewise-linear)",
        params: nullcline::PARAMS,
        presets: nullcline::PRESETS,
        input_unit: "1 (dimensionless)",
        default_dt_ms: 0.05,
        default_method: Method::Euler,
        default_fixed: "Q3.12",
        default_stimulus: "const(0.5)",
        preset_stimuli: nullcline::PRESET_STIMULI,
        default_duration_ms: 500.0,
    },
];

impl ModelInfo {
    /// The stimulus `simulate` uses without `--stimulus`: the preset's own, else the model's.
    pub fn stimulus_for(&self, preset: Option<&str>) -> &'static str {
        preset
            .and_then(|p| self.preset_stimuli.iter().find(|(n, _)| *n == p))
            .map(|(_, s)| *s)
            .unwrap_or(self.default_stimulus)
    }
}

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
    Adex(adex::AdexFixed),
    Fhn(fhn::FhnFixed),
    MorrisLecar(morris_lecar::MorrisLecarFixed),
    Hasler(hasler::HaslerFixed),
    Nullcline(nullcline::NullclineFixed),
}

impl FixedModel {
    /// The twin as a trait object.
    pub fn as_neuron(&self) -> &dyn FixedNeuron {
        match self {
            FixedModel::Lif(m) => m,
            FixedModel::Leaky(m) => m,
            FixedModel::Izhikevich(m) => m,
            FixedModel::Adex(m) => m,
            FixedModel::Fhn(m) => m,
            FixedModel::MorrisLecar(m) => m,
            FixedModel::Hasler(m) => m,
            FixedModel::Nullcline(m) => m,
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
            FixedModel::Adex(m) => m.step(x, input),
            FixedModel::Fhn(m) => m.step(x, input),
            FixedModel::MorrisLecar(m) => m.step(x, input),
            FixedModel::Hasler(m) => m.step(x, input),
            FixedModel::Nullcline(m) => m.step(x, input),
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
    /// The stimulus to use when none is given: the preset's ([`ModelInfo::stimulus_for`]).
    pub fn default_stimulus(&self) -> &'static str {
        self.info.stimulus_for(self.preset.as_deref())
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
            adex::NAME => Box::new(adex::Adex::from_table(p)?),
            fhn::NAME => Box::new(fhn::Fhn::from_table(p)?),
            morris_lecar::NAME => Box::new(morris_lecar::MorrisLecar::from_table(p)?),
            hasler::NAME => Box::new(hasler::Hasler::from_table(p)?),
            nullcline::NAME => Box::new(nullcline::Nullcline::from_table(p)?),
            other => return Err(ModelError::Other(format!("model {other} has no f64 form"))),
        })
    }
    /// The fixed twin for time step `dt` (ms). `method` picks LIF's leak coefficient (exact or
    /// Euler); every other twin is a forward-Euler twin whatever `method` is (module docs).
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
            adex::NAME => {
                FixedModel::Adex(adex::AdexFixed::new(&adex::Adex::from_table(p)?, dt, cfg)?)
            }
            fhn::NAME => FixedModel::Fhn(fhn::FhnFixed::new(&fhn::Fhn::from_table(p)?, dt, cfg)?),
            morris_lecar::NAME => FixedModel::MorrisLecar(morris_lecar::MorrisLecarFixed::new(
                &morris_lecar::MorrisLecar::from_table(p)?,
                dt,
                cfg,
            )?),
            hasler::NAME => FixedModel::Hasler(hasler::HaslerFixed::new(
                &hasler::Hasler::from_table(p)?,
                dt,
                cfg,
            )?),
            nullcline::NAME => FixedModel::Nullcline(nullcline::NullclineFixed::new(
                &nullcline::Nullcline::from_table(p)?,
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
