//! The catalogue of learning rules: names, parameters, presets, and construction of the f64 rule
//! and its fixed twin from a [`RuleSpec`] (rule name + preset + `--set` overrides + options).
use super::abs::{self, Abs};
use super::bcm::{self, Bcm};
use super::fixed::LearningFixedConfig;
use super::pair::{self, PairStdp, PairStdpFixed};
use super::protocol::{self, PairingProtocol, RatePoint, WindowPoint};
use super::resume::{self, Resume};
use super::rstdp::{self, RStdp, RStdpFixed};
use super::supervised::{self, SupervisedHebb};
use super::triplet::{self, TripletStdp, TripletStdpFixed};
use super::{LearningError, RuleOptions};
use crate::error::ModelError;
use crate::fixed::QFormat;
use crate::params::{find_preset, ParamInfo, ParamTable, Preset};
use serde::Serialize;

/// What drives a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// Pre and post spike times (runs the pairing protocol).
    SpikeTiming,
    /// Pre spikes and teacher (desired) spikes (runs the pairing protocol with the teacher as post).
    Supervised,
    /// Pre and post rates.
    Rate,
    /// Pre spikes and the postsynaptic membrane potential.
    Voltage,
}

/// Static description of a rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub name: &'static str,
    pub about: &'static str,
    pub kind: RuleKind,
    pub params: &'static [ParamInfo],
    pub presets: &'static [Preset],
    /// Default weight format of the fixed twin (`None`: no twin).
    pub default_fixed: Option<&'static str>,
}

/// Every rule, in CLI order.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        name: pair::NAME,
        about: "pair STDP with traces (additive/multiplicative, all-to-all/nearest)",
        kind: RuleKind::SpikeTiming,
        params: pair::PARAMS,
        presets: pair::PRESETS,
        default_fixed: Some("Q1.14"),
    },
    RuleInfo {
        name: triplet::NAME,
        about: "triplet STDP (Pfister & Gerstner 2006)",
        kind: RuleKind::SpikeTiming,
        params: triplet::PARAMS,
        presets: triplet::PRESETS,
        default_fixed: Some("Q1.14"),
    },
    RuleInfo {
        name: rstdp::NAME,
        about: "reward-modulated STDP with eligibility traces (Izhikevich 2007)",
        kind: RuleKind::SpikeTiming,
        params: rstdp::PARAMS,
        presets: rstdp::PRESETS,
        // the weight integrates small per-tick increments: 20 fraction bits (or stochastic rounding)
        default_fixed: Some("Q3.20"),
    },
    RuleInfo {
        name: bcm::NAME,
        about: "BCM with a sliding threshold (rate based)",
        kind: RuleKind::Rate,
        params: bcm::PARAMS,
        presets: bcm::PRESETS,
        default_fixed: None,
    },
    RuleInfo {
        name: abs::NAME,
        about: "Artola-Bröcher-Singer rule with two voltage thresholds",
        kind: RuleKind::Voltage,
        params: abs::PARAMS,
        presets: abs::PRESETS,
        default_fixed: None,
    },
    RuleInfo {
        name: supervised::NAME,
        about: "supervised Hebbian learning (STDP with teacher spikes)",
        kind: RuleKind::Supervised,
        params: supervised::PARAMS,
        presets: supervised::PRESETS,
        default_fixed: None,
    },
    RuleInfo {
        name: resume::NAME,
        about: "ReSuMe (Ponulak & Kasiński 2010)",
        kind: RuleKind::Supervised,
        params: resume::PARAMS,
        presets: resume::PRESETS,
        default_fixed: None,
    },
];

/// The names of all rules, space separated.
pub fn rule_names() -> String {
    RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(" ")
}

/// A rule by name.
pub fn find_rule(name: &str) -> Result<&'static RuleInfo, LearningError> {
    RULES
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| LearningError::UnknownRule {
            name: name.to_string(),
            valid: rule_names(),
        })
}

/// A rule with its parameters: name, preset, `--set` overrides and options.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub info: &'static RuleInfo,
    pub preset: Option<String>,
    pub params: ParamTable,
    pub options: RuleOptions,
}

impl RuleSpec {
    /// The rule's defaults with `preset` applied.
    pub fn new(name: &str, preset: Option<&str>) -> Result<Self, LearningError> {
        let info = find_rule(name)?;
        let mut params = ParamTable::new(info.name, info.params);
        if let Some(p) = preset {
            let o = find_preset(info.name, info.presets, p).map_err(|_| {
                LearningError::UnknownPreset {
                    rule: info.name.into(),
                    preset: p.into(),
                    valid: if info.presets.is_empty() {
                        "none".into()
                    } else {
                        info.presets
                            .iter()
                            .map(|p| p.0)
                            .collect::<Vec<_>>()
                            .join(" ")
                    },
                }
            })?;
            params.apply(o)?;
        }
        Ok(RuleSpec {
            info,
            preset: preset.map(str::to_string),
            params,
            options: RuleOptions::default(),
        })
    }
    /// Set a parameter by name.
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), LearningError> {
        self.params.set(name, value).map_err(|e| match e {
            ModelError::UnknownParam { name, valid, .. } => LearningError::UnknownParam {
                rule: self.info.name.into(),
                name,
                valid,
            },
            e => e.into(),
        })
    }
    /// The f64 rule for time step `dt_ms`.
    pub fn build(&self, dt_ms: f64) -> Result<Rule, LearningError> {
        let (t, o) = (&self.params, self.options);
        Ok(match self.info.name {
            pair::NAME => Rule::Pair(PairStdp::from_table(t, o, dt_ms)?),
            triplet::NAME => Rule::Triplet(TripletStdp::from_table(t, o, dt_ms)?),
            rstdp::NAME => Rule::RStdp(RStdp::from_table(t, o, dt_ms)?),
            bcm::NAME => Rule::Bcm(Bcm::from_table(t, dt_ms)?),
            abs::NAME => Rule::Abs(Abs::from_table(t, o)?),
            supervised::NAME => Rule::Supervised(SupervisedHebb::from_table(t, o, dt_ms)?),
            resume::NAME => Rule::Resume(Resume::from_table(t, dt_ms)?),
            other => unreachable!("rule {other} is in RULES but not built"),
        })
    }
    /// The fixed twin for time step `dt_ms`.
    pub fn fixed(&self, dt_ms: f64, cfg: &LearningFixedConfig) -> Result<FixedRule, LearningError> {
        match self.build(dt_ms)? {
            Rule::Pair(r) => Ok(FixedRule::Pair(PairStdpFixed::new(&r, cfg)?)),
            Rule::Triplet(r) => Ok(FixedRule::Triplet(TripletStdpFixed::new(&r, cfg)?)),
            Rule::RStdp(r) => Ok(FixedRule::RStdp(RStdpFixed::new(&r, cfg)?)),
            _ => Err(LearningError::Unsupported {
                rule: self.info.name.into(),
                what: "a fixed-point twin (rules with twins: pair, triplet, rstdp)".into(),
            }),
        }
    }
    /// The default weight format of the fixed twin.
    pub fn default_weight_format(&self) -> Option<QFormat> {
        self.info.default_fixed.and_then(|f| f.parse().ok())
    }
}

/// A built f64 rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Pair(PairStdp),
    Triplet(TripletStdp),
    RStdp(RStdp),
    Bcm(Bcm),
    Abs(Abs),
    Supervised(SupervisedHebb),
    Resume(Resume),
}

/// A built fixed twin.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum FixedRule {
    Pair(PairStdpFixed),
    Triplet(TripletStdpFixed),
    RStdp(RStdpFixed),
}

/// Dispatch a generic protocol function over the rules that have spike-timing state machines.
macro_rules! with_timing_rule {
    ($self:expr, $r:ident => $body:expr) => {
        match $self {
            Rule::Pair($r) => Ok($body),
            Rule::Triplet($r) => Ok($body),
            Rule::RStdp($r) => Ok($body),
            Rule::Supervised($r) => Ok($body),
            Rule::Resume($r) => Ok($body),
            Rule::Bcm(_) | Rule::Abs(_) => Err(LearningError::Unsupported {
                rule: $self.name().into(),
                what: format!(
                    "the pairing protocol ({} rule; spike-timing rules: pair, triplet, rstdp, supervised, resume)",
                    if matches!($self, Rule::Bcm(_)) { "a rate-based" } else { "a voltage-based" }
                ),
            }),
        }
    };
}

impl Rule {
    /// The rule's name.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Pair(_) => pair::NAME,
            Rule::Triplet(_) => triplet::NAME,
            Rule::RStdp(_) => rstdp::NAME,
            Rule::Bcm(_) => bcm::NAME,
            Rule::Abs(_) => abs::NAME,
            Rule::Supervised(_) => supervised::NAME,
            Rule::Resume(_) => resume::NAME,
        }
    }
    /// [`protocol::pairing`] (spike-timing and supervised rules only).
    pub fn pairing(&self, p: &PairingProtocol) -> Result<f64, LearningError> {
        with_timing_rule!(self, r => protocol::pairing(r, p)?)
    }
    /// [`protocol::window`].
    pub fn window(
        &self,
        p: &PairingProtocol,
        delta_ts: &[f64],
    ) -> Result<Vec<WindowPoint>, LearningError> {
        with_timing_rule!(self, r => protocol::window(r, p, delta_ts)?)
    }
    /// [`protocol::rate_dependence`].
    pub fn rate_dependence(
        &self,
        p: &PairingProtocol,
        delta_ts: &[f64],
        rates_hz: &[f64],
    ) -> Result<Vec<RatePoint>, LearningError> {
        with_timing_rule!(self, r => protocol::rate_dependence(r, p, delta_ts, rates_hz)?)
    }
}

macro_rules! with_fixed_rule {
    ($self:expr, $r:ident => $body:expr) => {
        match $self {
            FixedRule::Pair($r) => $body,
            FixedRule::Triplet($r) => $body,
            FixedRule::RStdp($r) => $body,
        }
    };
}

impl FixedRule {
    /// [`protocol::pairing`] on the twin.
    pub fn pairing(&self, p: &PairingProtocol) -> Result<f64, LearningError> {
        with_fixed_rule!(self, r => protocol::pairing(r, p))
    }
    /// [`protocol::window`] on the twin.
    pub fn window(
        &self,
        p: &PairingProtocol,
        delta_ts: &[f64],
    ) -> Result<Vec<WindowPoint>, LearningError> {
        with_fixed_rule!(self, r => protocol::window(r, p, delta_ts))
    }
    /// [`protocol::rate_dependence`] on the twin.
    pub fn rate_dependence(
        &self,
        p: &PairingProtocol,
        delta_ts: &[f64],
        rates_hz: &[f64],
    ) -> Result<Vec<RatePoint>, LearningError> {
        with_fixed_rule!(self, r => protocol::rate_dependence(r, p, delta_ts, rates_hz))
    }
    /// Stable name fragment for generated hardware, e.g. `pair_q1_14`.
    pub fn ident(&self) -> String {
        let name = match self {
            FixedRule::Pair(_) => pair::NAME,
            FixedRule::Triplet(_) => triplet::NAME,
            FixedRule::RStdp(_) => rstdp::NAME,
        };
        format!("{name}_{}", self.weight_format().ident())
    }
    /// The weight format.
    pub fn weight_format(&self) -> QFormat {
        with_fixed_rule!(self, r => r.weight.fmt)
    }
    /// The trace format.
    pub fn trace_format(&self) -> QFormat {
        with_fixed_rule!(self, r => r.trace)
    }
}
