//! Named parameters: the CLI contract of `--set NAME=VALUE`.
use crate::error::ModelError;
use crate::fixed::QFormat;
use std::collections::BTreeMap;

/// Description of one parameter of a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamInfo {
    pub name: &'static str,
    pub unit: &'static str,
    /// `None` for a parameter whose default derives from others (documented in `doc`).
    pub default: Option<f64>,
    pub doc: &'static str,
}

/// A named preset: parameter overrides.
pub type Preset = (&'static str, &'static [(&'static str, f64)]);

/// Parameter values of one model, by name. Only names in `infos` are accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamTable {
    model: &'static str,
    infos: &'static [ParamInfo],
    values: BTreeMap<&'static str, f64>,
}

impl ParamTable {
    /// The defaults of a model.
    pub fn new(model: &'static str, infos: &'static [ParamInfo]) -> Self {
        let values = infos
            .iter()
            .filter_map(|p| p.default.map(|d| (p.name, d)))
            .collect();
        ParamTable {
            model,
            infos,
            values,
        }
    }
    /// The parameter descriptions.
    pub fn infos(&self) -> &'static [ParamInfo] {
        self.infos
    }
    /// Set a parameter; unknown names and non-finite values are errors.
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ModelError> {
        let info =
            self.infos
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| ModelError::UnknownParam {
                    model: self.model.to_string(),
                    name: name.to_string(),
                    valid: self
                        .infos
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(" "),
                })?;
        if !value.is_finite() {
            return Err(ModelError::BadValue {
                name: name.into(),
                value,
                why: "not a finite number".into(),
            });
        }
        self.values.insert(info.name, value);
        Ok(())
    }
    /// Apply a preset's overrides.
    pub fn apply(&mut self, overrides: &[(&str, f64)]) -> Result<(), ModelError> {
        overrides.iter().try_for_each(|(n, v)| self.set(n, *v))
    }
    /// The value of a parameter, if set (or defaulted).
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.get(name).copied()
    }
    /// The value of a parameter with a derived default.
    pub fn get_or(&self, name: &str, derived: f64) -> f64 {
        self.get(name).unwrap_or(derived)
    }
    /// The value of a parameter that has a default. Panics for a name not in the table (programming
    /// error in a model module).
    pub fn v(&self, name: &str) -> f64 {
        self.get(name)
            .unwrap_or_else(|| panic!("parameter {name} of {} has no value", self.model))
    }
    /// A positive parameter, or a clear error.
    pub fn positive(&self, name: &str) -> Result<f64, ModelError> {
        let v = self.v(name);
        if v > 0.0 {
            Ok(v)
        } else {
            Err(ModelError::BadValue {
                name: name.into(),
                value: v,
                why: "must be positive".into(),
            })
        }
    }
}

/// Look up a preset by name.
pub fn find_preset(
    model: &str,
    presets: &'static [Preset],
    name: &str,
) -> Result<&'static [(&'static str, f64)], ModelError> {
    presets
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, o)| *o)
        .ok_or_else(|| ModelError::UnknownPreset {
            model: model.into(),
            preset: name.into(),
            valid: if presets.is_empty() {
                "none".into()
            } else {
                presets
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        })
}

/// Quantise a named parameter into `fmt` (round half-up), or a [`ModelError::DoesNotFit`] naming it.
pub fn quantize_param(name: &str, value: f64, fmt: QFormat) -> Result<i64, ModelError> {
    fmt.quantize(value)
        .map(|(raw, _)| raw as i64)
        .map_err(|_| ModelError::DoesNotFit {
            name: name.to_string(),
            value,
            fmt: fmt.to_string(),
            min: fmt.min_value(),
            max: fmt.max_value(),
        })
}
