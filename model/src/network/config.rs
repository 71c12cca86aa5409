//! The TOML form of a network (`spikeforge run --config FILE.toml`). It has the meaning of the
//! Rust builder ([`super::NetworkBuilder`]) field for field; unknown keys are errors. Parsing the
//! text and reading weight files is the caller's job (this crate does no I/O): deserialize a
//! [`NetworkConfig`] (e.g. with the `toml` crate) and call [`NetworkConfig::builder`] with a
//! function that returns the text of a weight file.
//!
//! ```toml
//! dt = 0.1            # ms (default 0.1)
//! duration = 1000     # ms
//! seed = 1
//! fixed = false       # true: run the fixed-point twins (formats per population / rule)
//! threads = 0         # 0 or absent: automatic
//!
//! [[population]]
//! name = "input"
//! size = 100
//! encoder = "poisson"           # poisson | regular | latency | generator
//! rate = 20.0                   # Hz: a number, a list, { from = A, to = B }, { uniform = [A, B] }
//!
//! [[population]]
//! name = "exc"
//! size = 50
//! model = "lif"                 # any model of `spikeforge simulate`
//! params = { tau_m = 10.0 }     # preset = "..." too
//! bias = 5.0                    # constant input current (same forms as rate)
//! tau_syn = 5.0                 # ms: exponential synaptic current (absent: one-tick pulses)
//! fixed = "Q8.8"                # membrane format of the twin (words = { input = "Q10.8" })
//! adaptive_threshold = { theta_plus = 0.05, tau_theta = 1e7 }
//!
//! [[projection]]
//! name = "in_exc"
//! from = "input"
//! to = "exc"
//! connect = "sparse"            # dense | one-to-one | sparse | file | list
//! p = 0.2
//! weight = { uniform = [0.0, 1.0] }   # or a number, or { normal = [mean, sd] }
//! gain = 2.0                    # current per unit weight
//! delay = 1                     # ticks, or [lo, hi] uniform per synapse
//! # weights_file = "w.csv"      # connect = "file": rows = sources, columns = targets
//! plasticity = { rule = "pair", preset = "song2000", params = { w_min = 0.0, w_max = 1.0 } }
//!
//! [[monitor]]
//! kind = "state"                # spikes | state | weights | rate | counts
//! population = "exc"
//! var = "v"
//! neurons = [0, 1]
//! every = 10                    # ticks
//!
//! [[reward]]
//! at = 500.0                    # ms
//! amount = 0.5
//! ```
use super::{
    AdaptiveThreshold, Connect, Delay, Encoder, InputGroup, Monitor, NetworkBuilder, NetworkError,
    NeuronGroup, Plasticity, PopId, Projection, Values, WeightInit,
};
use crate::learning::{LearningFixedConfig, RuleSpec};
use crate::quant::{FixedConfig, MulVariant};
use crate::registry::ModelSpec;
use crate::Method;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A whole network.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Time step in ms (default 0.1).
    pub dt: Option<f64>,
    /// Duration in ms (default 1000).
    pub duration: Option<f64>,
    pub seed: Option<u64>,
    pub threads: Option<usize>,
    /// Run the fixed-point twins.
    pub fixed: Option<bool>,
    #[serde(default, rename = "population")]
    pub populations: Vec<PopConfig>,
    #[serde(default, rename = "projection")]
    pub projections: Vec<ProjConfig>,
    #[serde(default, rename = "monitor")]
    pub monitors: Vec<MonitorConfig>,
    #[serde(default, rename = "reward")]
    pub rewards: Vec<RewardConfig>,
}

/// Per-neuron values: a number, a list, `{ from, to }` (even spread) or `{ uniform = [lo, hi] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ValuesConfig {
    One(f64),
    List(Vec<f64>),
    Linear { from: f64, to: f64 },
    Uniform { uniform: [f64; 2] },
}

impl ValuesConfig {
    pub fn values(&self) -> Values {
        match self {
            ValuesConfig::One(x) => Values::Const(*x),
            ValuesConfig::List(l) => Values::List(l.clone()),
            ValuesConfig::Linear { from, to } => Values::Linear {
                from: *from,
                to: *to,
            },
            ValuesConfig::Uniform { uniform } => Values::Uniform {
                lo: uniform[0],
                hi: uniform[1],
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdaptiveConfig {
    pub theta_plus: f64,
    /// ms; absent: no decay.
    pub tau_theta: Option<f64>,
}

/// A population: neurons (`model`) or spike sources (`encoder`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopConfig {
    pub name: String,
    pub size: usize,
    pub model: Option<String>,
    pub preset: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    pub method: Option<String>,
    pub bias: Option<ValuesConfig>,
    pub stimulus: Option<String>,
    pub tau_syn: Option<f64>,
    pub adaptive_threshold: Option<AdaptiveConfig>,
    /// Membrane format of the twin.
    pub fixed: Option<String>,
    #[serde(default)]
    pub words: BTreeMap<String, String>,
    pub mul: Option<String>,
    /// Initial membrane values.
    pub v0: Option<ValuesConfig>,
    pub encoder: Option<String>,
    /// Rates in Hz (poisson, regular).
    pub rate: Option<ValuesConfig>,
    /// Intensities in 0..1 (latency).
    pub values: Option<ValuesConfig>,
    /// Latency window in ms.
    pub window: Option<f64>,
    /// Generator spikes `[t_ms, neuron]`.
    pub spikes: Option<Vec<(f64, u32)>>,
}

/// Weight initialisation: a number, `{ uniform = [lo, hi] }` or `{ normal = [mean, sd] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum WeightConfig {
    One(f64),
    Uniform { uniform: [f64; 2] },
    Normal { normal: [f64; 2] },
}

/// Delay in ticks: a number or `[lo, hi]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DelayConfig {
    One(u32),
    Range([u32; 2]),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlasticityConfig {
    pub rule: String,
    pub preset: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    pub interaction: Option<String>,
    pub dependence: Option<String>,
    /// Weight format of the twin (default: the rule's).
    pub weight_format: Option<String>,
    pub trace_format: Option<String>,
    pub rounding: Option<String>,
    pub decay: Option<String>,
    pub seed: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjConfig {
    pub name: Option<String>,
    pub from: String,
    pub to: String,
    pub connect: String,
    pub p: Option<f64>,
    pub autapses: Option<bool>,
    pub weight: Option<WeightConfig>,
    pub weights_file: Option<String>,
    /// `connect = "list"`: `[source, target, weight]` triples.
    pub synapses: Option<Vec<(u32, u32, f64)>>,
    pub gain: Option<f64>,
    pub delay: Option<DelayConfig>,
    pub plasticity: Option<PlasticityConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    pub kind: String,
    pub population: Option<String>,
    pub projection: Option<String>,
    pub var: Option<String>,
    pub neurons: Option<Vec<u32>>,
    pub every: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardConfig {
    /// ms.
    pub at: f64,
    pub amount: f64,
}

fn bad(place: &str, why: impl Into<String>) -> NetworkError {
    NetworkError::BadValue {
        place: place.to_string(),
        why: why.into(),
    }
}

impl NetworkConfig {
    pub fn dt_ms(&self) -> f64 {
        self.dt.unwrap_or(0.1)
    }
    pub fn duration_ms(&self) -> f64 {
        self.duration.unwrap_or(1000.0)
    }
    /// Ticks of the configured duration.
    pub fn ticks(&self) -> u64 {
        (self.duration_ms() / self.dt_ms()).round().max(0.0) as u64
    }

    /// The builder, with weight files read by `load(path) -> text`.
    pub fn builder(
        &self,
        load: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<NetworkBuilder, NetworkError> {
        let dt = self.dt_ms();
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(bad("dt", format!("{dt}: must be a positive number of ms")));
        }
        let d = self.duration_ms();
        if !(d >= 0.0 && d.is_finite()) || d / dt > 1e10 {
            return Err(bad(
                "duration",
                format!("{d} ms: must be >= 0 and at most 1e10 ticks"),
            ));
        }
        let mut b = NetworkBuilder::new(dt).seed(self.seed.unwrap_or(1));
        if let Some(t) = self.threads.filter(|t| *t > 0) {
            b = b.threads(t);
        }
        for p in &self.populations {
            self.population(&mut b, p)?;
        }
        let names: Vec<String> = self.populations.iter().map(|p| p.name.clone()).collect();
        let find = |place: &str, name: &str| -> Result<PopId, NetworkError> {
            names
                .iter()
                .position(|n| n == name)
                .map(PopId)
                .ok_or_else(|| NetworkError::UnknownPopulation {
                    place: place.to_string(),
                    name: name.to_string(),
                    valid: if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    },
                })
        };
        let mut proj_names = Vec::new();
        for (k, pc) in self.projections.iter().enumerate() {
            let name = pc
                .name
                .clone()
                .unwrap_or_else(|| format!("{}->{}", pc.from, pc.to));
            let place = format!("projection '{name}' ([[projection]] {})", k + 1);
            let from = find(&format!("{place}, from"), &pc.from)?;
            let to = find(&format!("{place}, to"), &pc.to)?;
            let n_src = self.populations[from.0].size;
            let n_tgt = self.populations[to.0].size;
            let _ = (n_src, n_tgt);
            let mut conn_keys = Vec::new();
            if pc.p.is_some() {
                conn_keys.push("p");
            }
            if pc.weights_file.is_some() {
                conn_keys.push("weights_file");
            }
            if pc.synapses.is_some() {
                conn_keys.push("synapses");
            }
            let allowed: &[&str] = match pc.connect.as_str() {
                "sparse" => &["p"],
                "file" => &["weights_file"],
                "list" => &["synapses"],
                _ => &[],
            };
            if let Some(k) = conn_keys.iter().find(|k| !allowed.contains(k)) {
                return Err(bad(
                    &place,
                    format!("'{k}' does not apply to connect = \"{}\"", pc.connect),
                ));
            }
            let autapses = pc.autapses.unwrap_or(false);
            let connect = match pc.connect.as_str() {
                "dense" | "all-to-all" => Connect::Dense { autapses },
                "one-to-one" => Connect::OneToOne,
                "sparse" => Connect::Sparse {
                    p: pc
                        .p
                        .ok_or_else(|| bad(&place, "connect = \"sparse\" needs p = PROBABILITY"))?,
                    autapses,
                },
                "file" => {
                    let path = pc.weights_file.as_ref().ok_or_else(|| {
                        bad(
                            &place,
                            "connect = \"file\" needs weights_file = \"FILE.csv\"",
                        )
                    })?;
                    let text = load(path).map_err(|why| NetworkError::WeightFile {
                        file: path.clone(),
                        why,
                    })?;
                    Connect::Matrix {
                        weights: super::csv::parse_matrix(&text, path)?,
                        source: path.clone(),
                    }
                }
                "list" => Connect::List(pc.synapses.clone().ok_or_else(|| {
                    bad(
                        &place,
                        "connect = \"list\" needs synapses = [[source, target, weight], ...]",
                    )
                })?),
                other => {
                    return Err(bad(
                        &place,
                        format!(
                        "connect = \"{other}\": expected dense, one-to-one, sparse, file or list"
                    ),
                    ))
                }
            };
            let weight = match &pc.weight {
                None => WeightInit::Const(1.0),
                Some(WeightConfig::One(w)) => WeightInit::Const(*w),
                Some(WeightConfig::Uniform { uniform }) => WeightInit::Uniform {
                    lo: uniform[0],
                    hi: uniform[1],
                },
                Some(WeightConfig::Normal { normal }) => WeightInit::Normal {
                    mean: normal[0],
                    sd: normal[1],
                },
            };
            let delay = match pc.delay {
                None => Delay::Const(1),
                Some(DelayConfig::One(d)) => Delay::Const(d),
                Some(DelayConfig::Range([lo, hi])) => Delay::Uniform { lo, hi },
            };
            let mut proj = Projection::new(name.clone(), from, to, connect)
                .weight(weight)
                .gain(pc.gain.unwrap_or(1.0))
                .delay(delay);
            if let Some(pl) = &pc.plasticity {
                proj = proj.plastic(plasticity(pl, &format!("{place}, plasticity"))?);
            }
            b.project(proj)?;
            proj_names.push(name);
        }
        for (k, m) in self.monitors.iter().enumerate() {
            let place = format!("[[monitor]] {} (kind = \"{}\")", k + 1, m.kind);
            let pop = |b: &NetworkBuilder| -> Result<PopId, NetworkError> {
                let name = m
                    .population
                    .as_ref()
                    .ok_or_else(|| bad(&place, "needs population = \"NAME\""))?;
                let _ = b;
                find(&format!("{place}, population"), name)
            };
            let mon = match m.kind.as_str() {
                "spikes" => Monitor::Spikes { pop: pop(&b)? },
                "rate" => Monitor::Rate { pop: pop(&b)? },
                "counts" => Monitor::Counts { pop: pop(&b)? },
                "state" => {
                    let p = pop(&b)?;
                    Monitor::State {
                        pop: p,
                        var: m.var.clone().unwrap_or_else(|| "v".into()),
                        neurons: m.neurons.clone().unwrap_or_else(|| {
                            (0..self.populations[p.0].size.min(10) as u32).collect()
                        }),
                        every: m.every.unwrap_or(1),
                    }
                }
                "weights" => {
                    let name = m
                        .projection
                        .as_ref()
                        .ok_or_else(|| bad(&place, "needs projection = \"NAME\""))?;
                    let j = proj_names.iter().position(|n| n == name).ok_or_else(|| {
                        NetworkError::UnknownProjection {
                            place: format!("{place}, projection"),
                            name: name.clone(),
                            valid: proj_names.join(", "),
                        }
                    })?;
                    Monitor::Weights {
                        proj: super::ProjId(j),
                        every: m.every.unwrap_or(self.ticks().max(1) as u32),
                    }
                }
                other => {
                    return Err(bad(
                        &place,
                        format!(
                            "kind = \"{other}\": expected spikes, state, weights, rate or counts"
                        ),
                    ))
                }
            };
            b.monitor(mon);
        }
        for (k, r) in self.rewards.iter().enumerate() {
            if !(r.at >= 0.0 && r.at.is_finite() && r.amount.is_finite()) {
                return Err(bad(
                    &format!("[[reward]] {}", k + 1),
                    format!(
                        "at = {} ms, amount = {}: need finite values, at >= 0",
                        r.at, r.amount
                    ),
                ));
            }
            b.rewards.push(((r.at / dt).round() as u64, r.amount));
        }
        Ok(b)
    }

    fn population(&self, b: &mut NetworkBuilder, p: &PopConfig) -> Result<PopId, NetworkError> {
        let place = format!("population '{}'", p.name);
        let model_keys = [
            ("preset", p.preset.is_some()),
            ("params", !p.params.is_empty()),
            ("method", p.method.is_some()),
            ("bias", p.bias.is_some()),
            ("stimulus", p.stimulus.is_some()),
            ("tau_syn", p.tau_syn.is_some()),
            ("adaptive_threshold", p.adaptive_threshold.is_some()),
            ("fixed", p.fixed.is_some()),
            ("words", !p.words.is_empty()),
            ("mul", p.mul.is_some()),
            ("v0", p.v0.is_some()),
        ];
        let input_keys = [
            ("rate", p.rate.is_some()),
            ("values", p.values.is_some()),
            ("window", p.window.is_some()),
            ("spikes", p.spikes.is_some()),
        ];
        match (&p.model, &p.encoder) {
            (Some(_), Some(_)) => Err(bad(
                &place,
                "give either model = \"...\" (neurons) or encoder = \"...\" (spike sources), not both",
            )),
            (None, None) => Err(bad(
                &place,
                "needs model = \"...\" (neurons) or encoder = \"...\" (spike sources)",
            )),
            (Some(model), None) => {
                if let Some((k, _)) = input_keys.iter().find(|k| k.1) {
                    return Err(bad(&place, format!("'{k}' applies to input populations (encoder = ...)")));
                }
                let merr = |err| NetworkError::Model {
                    place: place.clone(),
                    err,
                };
                let mut spec = ModelSpec::new(model, p.preset.as_deref()).map_err(merr)?;
                for (k, v) in &p.params {
                    spec.set(k, *v).map_err(merr)?;
                }
                let mut g = NeuronGroup::new(spec);
                if let Some(m) = &p.method {
                    g.method = Some(m.parse::<Method>().map_err(|e| bad(&place, e))?);
                }
                if let Some(v) = &p.bias {
                    g.bias = v.values();
                }
                if let Some(s) = &p.stimulus {
                    g.stimulus = Some(s.parse().map_err(merr)?);
                }
                g.tau_syn_ms = p.tau_syn;
                g.adaptive = p.adaptive_threshold.as_ref().map(|a| AdaptiveThreshold {
                    theta_plus: a.theta_plus,
                    tau_theta_ms: a.tau_theta,
                });
                if p.fixed.is_some() || !p.words.is_empty() || p.mul.is_some() {
                    let f = p
                        .fixed
                        .clone()
                        .unwrap_or_else(|| g.model.info.default_fixed.to_string());
                    let mut cfg = FixedConfig::new(
                        f.parse()
                            .map_err(|e| bad(&format!("{place}, fixed"), format!("{e}")))?,
                    );
                    for (k, v) in &p.words {
                        cfg = cfg.with_word(
                            k,
                            v.parse()
                                .map_err(|e| bad(&format!("{place}, words.{k}"), format!("{e}")))?,
                        );
                    }
                    if let Some(m) = &p.mul {
                        cfg.mul = parse_mul(m).map_err(|e| bad(&format!("{place}, mul"), e))?;
                    }
                    g.fixed = Some(cfg);
                }
                g.init_v = p.v0.as_ref().map(|v| v.values());
                b.neurons(&p.name, p.size, g)
            }
            (None, Some(enc)) => {
                if let Some((k, _)) = model_keys.iter().find(|k| k.1) {
                    return Err(bad(&place, format!("'{k}' applies to neuron populations (model = ...)")));
                }
                let (encoder, vals) = match enc.as_str() {
                    "poisson" | "regular" => {
                        if p.values.is_some() || p.window.is_some() || p.spikes.is_some() {
                            return Err(bad(&place, format!("encoder = \"{enc}\" takes rate = ... (Hz)")));
                        }
                        let r = p
                            .rate
                            .as_ref()
                            .ok_or_else(|| bad(&place, format!("encoder = \"{enc}\" needs rate = HZ")))?;
                        (
                            if enc == "poisson" {
                                Encoder::Poisson
                            } else {
                                Encoder::Regular
                            },
                            r.values(),
                        )
                    }
                    "latency" => {
                        if p.rate.is_some() || p.spikes.is_some() {
                            return Err(bad(&place, "encoder = \"latency\" takes values = ... (0..1) and window = MS"));
                        }
                        let v = p.values.as_ref().ok_or_else(|| {
                            bad(&place, "encoder = \"latency\" needs values = ... (intensities 0..1)")
                        })?;
                        (
                            Encoder::Latency {
                                window_ms: p.window.unwrap_or(10.0),
                            },
                            v.values(),
                        )
                    }
                    "generator" => {
                        if p.rate.is_some() || p.values.is_some() || p.window.is_some() {
                            return Err(bad(&place, "encoder = \"generator\" takes spikes = [[t_ms, neuron], ...]"));
                        }
                        (Encoder::Generator, Values::Const(0.0))
                    }
                    other => {
                        return Err(bad(
                            &place,
                            format!("encoder = \"{other}\": expected poisson, regular, latency or generator"),
                        ))
                    }
                };
                let id = b.inputs(
                    &p.name,
                    p.size,
                    InputGroup {
                        encoder,
                        values: vals,
                    },
                )?;
                Ok(id)
            }
        }
    }

    /// The generator spikes of the config as `(population, [(tick, neuron)])`.
    pub fn generator_spikes(&self) -> Vec<(PopId, Vec<(u64, u32)>)> {
        let dt = self.dt_ms();
        self.populations
            .iter()
            .enumerate()
            .filter_map(|(k, p)| {
                p.spikes.as_ref().map(|s| {
                    (
                        PopId(k),
                        s.iter()
                            .map(|(t, i)| ((t / dt).round().max(0.0) as u64, *i))
                            .collect(),
                    )
                })
            })
            .collect()
    }
}

fn parse_mul(s: &str) -> Result<MulVariant, String> {
    if s == "exact" {
        return Ok(MulVariant::Exact);
    }
    if let Some(n) = s.strip_prefix("shift-add") {
        let terms = match n.strip_prefix(':') {
            None if n.is_empty() => 3,
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|t| (1..=16).contains(t))
                .ok_or_else(|| format!("'{s}': N must be 1..16"))?,
            None => return Err(format!("'{s}': expected exact or shift-add:N")),
        };
        return Ok(MulVariant::ShiftAdd { terms });
    }
    Err(format!("'{s}': expected exact or shift-add:N"))
}

fn plasticity(c: &PlasticityConfig, place: &str) -> Result<Plasticity, NetworkError> {
    let lerr = |err| NetworkError::Learning {
        place: place.to_string(),
        err,
    };
    let mut spec = RuleSpec::new(&c.rule, c.preset.as_deref()).map_err(lerr)?;
    for (k, v) in &c.params {
        spec.set(k, *v).map_err(lerr)?;
    }
    if let Some(i) = &c.interaction {
        spec.options.interaction = i.parse().map_err(lerr)?;
    }
    if let Some(d) = &c.dependence {
        spec.options.dependence = d.parse().map_err(lerr)?;
    }
    let any_fixed = c.weight_format.is_some()
        || c.trace_format.is_some()
        || c.rounding.is_some()
        || c.decay.is_some()
        || c.seed.is_some();
    let fixed = if any_fixed {
        let wf = match &c.weight_format {
            Some(f) => f
                .parse()
                .map_err(|e| bad(&format!("{place}, weight_format"), format!("{e}")))?,
            None => spec
                .default_weight_format()
                .ok_or_else(|| bad(place, format!("rule '{}' has no fixed-point twin", c.rule)))?,
        };
        let mut cfg = LearningFixedConfig::new(wf);
        if let Some(t) = &c.trace_format {
            cfg.trace = Some(
                t.parse()
                    .map_err(|e| bad(&format!("{place}, trace_format"), format!("{e}")))?,
            );
        }
        if let Some(r) = &c.rounding {
            cfg.rounding = r.parse().map_err(lerr)?;
        }
        if let Some(d) = &c.decay {
            cfg.decay = d.parse().map_err(lerr)?;
        }
        if let Some(s) = c.seed {
            cfg.seed = s;
        }
        Some(cfg)
    } else {
        None
    };
    Ok(Plasticity { rule: spec, fixed })
}
