//! The network simulator: populations of any model (f64 or fixed twin), projections (dense, sparse,
//! one-to-one, from a weight matrix or a list) with delays and current-based synapses, spike
//! sources (Poisson, regular, latency, scheduled), plastic projections driven by the learning
//! rules of [`crate::learning`], and monitors.
//!
//! # Time-step semantics (one tick; `DESIGN.md`, shared with the RTL)
//! 1. **Deliver** the spikes emitted in the previous tick: for every projection and every spike of
//!    its source, add `gain * w` of each outgoing synapse into the target's input ring at the slot
//!    of tick `t - 1 + delay` (so delay 1 = this tick).
//! 2. **Update** every neuron once with its input of this tick ([`pop`] documents the input: bias,
//!    stimulus, synaptic current), spike sources draw their spikes.
//! 3. **Learn**: for every plastic projection, the order of [`crate::learning::PlasticityRule`]
//!    (shared decay and rewards, trace decay, per-synapse dynamics, this tick's pre spikes, then this
//!    tick's post spikes). A reward given with [`Network::reward`] acts in the next tick's phase 3.
//! 4. **Emit** this tick's spikes as address events (monitors record them; they are delivered in
//!    phase 1 of the next tick).
//!
//! A spike of tick `n` is stamped `t_n = n dt` (the start of the step that crossed threshold, the
//! convention of [`crate::neuron`]).
//!
//! # Speed and determinism
//! Connectivity is stored by source (CSR) and delivery is event driven: a tick costs the neuron
//! updates plus one addition per synaptic event. Nothing is allocated per tick. Large networks
//! (by default 4096 neurons or more) are split into one contiguous chunk per thread
//! (`std::thread::scope` for the duration of a run, a spinning barrier per tick): each thread
//! updates its chunk of every population and delivers into it, so every target's input is summed
//! in the same order whatever the number of threads; spike sources use counter-based random draws
//! ([`rng`]). Results are bit-identical for any thread count. Learning runs on one thread.
//!
//! # f64 and fixed point
//! [`NetworkBuilder::build`] makes the f64 network ([`Arith::F64`]) or its fixed-point twin
//! ([`Arith::Fixed`]) from the same description: every population becomes its model's twin (word
//! formats from [`NeuronGroup::fixed`], default the model's), static weights are quantised into the
//! targets' input words, plastic projections use the rules' twins ([`Plasticity::fixed`]). Spike
//! sources draw the same spikes in both. LIF populations (f64: exact or Euler; fixed: formats whose
//! products fit 64 bits) run specialised kernels, bit-identical to [`crate::neuron::lif`].
//!
//! # Building
//! From Rust ([`NetworkBuilder`]) or from a TOML description ([`config::NetworkConfig`], used by
//! `spikeforge run --config`), with the same meaning.
pub mod config;
pub mod csv;
mod monitor;
mod pop;
mod proj;
pub mod rng;
mod sync;

pub use monitor::{Monitor, RateRecord, Record, SpikeRecord, StateRecord, WeightRecord};
pub use pop::{AdaptiveThreshold, Encoder, InputGroup, NeuronGroup, PopKind, Values};
pub use proj::{Connect, Delay, NetRule, Plasticity, Projection, WeightInit};

use crate::error::ModelError;
use crate::learning::{FixedRule, LearningError, LearningFixedConfig, Rule, RuleSpec};
use monitor::{MonitorState, PartRec};
use pop::{Body, Chunk, InputChunk, SpikeBuf, VarRef};
use proj::{GainI, Plastic, PlasticDyn, Proj, Synapses};
use rng::{stream_key, SplitMix64};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use sync::SpinBarrier;

/// Errors of building or driving a network; each names the place (population, projection,
/// monitor, file) it is about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    #[error("{place}: population '{name}' is not defined (populations: {valid})")]
    UnknownPopulation {
        place: String,
        name: String,
        valid: String,
    },
    #[error("{place}: '{name}' is not defined (projections: {valid})")]
    UnknownProjection {
        place: String,
        name: String,
        valid: String,
    },
    #[error("{kind} '{name}' is defined twice")]
    Duplicate { kind: &'static str, name: String },
    #[error("{0}")]
    Shape(Box<ShapeMismatch>),
    #[error("weight matrix {file}: {why}")]
    WeightFile { file: String, why: String },
    #[error("{place}: {why}")]
    BadValue { place: String, why: String },
    #[error("{place}: {why}")]
    Unsupported { place: String, why: String },
    #[error("{place}: {err}")]
    Model { place: String, err: ModelError },
    #[error("{place}: {err}")]
    Learning { place: String, err: LearningError },
}

/// A weight matrix whose shape does not fit the populations of its projection.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeMismatch {
    pub place: String,
    /// Where the matrix came from (e.g. the file name).
    pub matrix: String,
    pub rows: usize,
    pub cols: usize,
    pub want_rows: usize,
    pub want_cols: usize,
    pub from: String,
    pub to: String,
}

impl std::fmt::Display for ShapeMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the weight matrix {} has {} rows x {} columns, but '{}' -> '{}' needs {} x {} (one row per source neuron, one column per target neuron)",
            self.place, self.matrix, self.rows, self.cols, self.from, self.to, self.want_rows, self.want_cols
        )
    }
}

/// A population handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PopId(pub usize);
/// A projection handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjId(pub usize);
/// A monitor handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonitorId(pub usize);

/// Which arithmetic a network is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arith {
    #[default]
    F64,
    /// The fixed-point twins (the hardware specification).
    Fixed,
}

/// Networks of at least this many neurons use all cores by default.
pub const PARALLEL_MIN_NEURONS: usize = 4096;

/// A network description, built into a runnable [`Network`] by [`NetworkBuilder::build`].
#[derive(Debug, Clone)]
pub struct NetworkBuilder {
    pub dt_ms: f64,
    pub seed: u64,
    /// Worker threads (`None`: all cores for networks of [`PARALLEL_MIN_NEURONS`] or more).
    pub threads: Option<usize>,
    pub pops: Vec<(String, usize, PopKind)>,
    pub projections: Vec<Projection>,
    pub monitors: Vec<Monitor>,
    /// Rewards at given ticks (phase 3 of that tick).
    pub rewards: Vec<(u64, f64)>,
}

impl NetworkBuilder {
    /// An empty network with time step `dt_ms` and seed 1.
    pub fn new(dt_ms: f64) -> Self {
        NetworkBuilder {
            dt_ms,
            seed: 1,
            threads: None,
            pops: Vec::new(),
            projections: Vec::new(),
            monitors: Vec::new(),
            rewards: Vec::new(),
        }
    }
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    pub fn threads(mut self, t: usize) -> Self {
        self.threads = Some(t.max(1));
        self
    }
    fn add_pop(&mut self, name: &str, n: usize, k: PopKind) -> Result<PopId, NetworkError> {
        if self.pops.iter().any(|p| p.0 == name) {
            return Err(NetworkError::Duplicate {
                kind: "population",
                name: name.into(),
            });
        }
        if n == 0 || n > u32::MAX as usize / 2 {
            return Err(NetworkError::BadValue {
                place: format!("population '{name}'"),
                why: format!("size {n}: must be 1 .. 2^31"),
            });
        }
        self.pops.push((name.to_string(), n, k));
        Ok(PopId(self.pops.len() - 1))
    }
    /// Add `n` neurons.
    pub fn neurons(&mut self, name: &str, n: usize, g: NeuronGroup) -> Result<PopId, NetworkError> {
        self.add_pop(name, n, PopKind::Neurons(Box::new(g)))
    }
    /// Add `n` spike sources.
    pub fn inputs(&mut self, name: &str, n: usize, g: InputGroup) -> Result<PopId, NetworkError> {
        self.add_pop(name, n, PopKind::Input(g))
    }
    /// Add a projection.
    pub fn project(&mut self, p: Projection) -> Result<ProjId, NetworkError> {
        if self.projections.iter().any(|q| q.name == p.name) {
            return Err(NetworkError::Duplicate {
                kind: "projection",
                name: p.name,
            });
        }
        for id in [p.from, p.to] {
            if id.0 >= self.pops.len() {
                return Err(NetworkError::BadValue {
                    place: format!("projection '{}'", p.name),
                    why: format!("population id {} does not exist", id.0),
                });
            }
        }
        self.projections.push(p);
        Ok(ProjId(self.projections.len() - 1))
    }
    /// Add a monitor.
    pub fn monitor(&mut self, m: Monitor) -> MonitorId {
        self.monitors.push(m);
        MonitorId(self.monitors.len() - 1)
    }
    /// A population by name.
    pub fn pop(&self, name: &str) -> Option<PopId> {
        self.pops.iter().position(|p| p.0 == name).map(PopId)
    }
    /// Total number of neurons.
    pub fn neuron_count(&self) -> usize {
        self.pops.iter().map(|p| p.1).sum()
    }

    /// Build the network in `arith`.
    pub fn build(&self, arith: Arith) -> Result<Network, NetworkError> {
        let dt = self.dt_ms;
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(NetworkError::BadValue {
                place: "network".into(),
                why: format!("dt = {dt}: the time step must be a positive number of ms"),
            });
        }
        let fixed = arith == Arith::Fixed;
        let threads = match self.threads {
            Some(t) => t.clamp(1, 64),
            None if self.neuron_count() >= PARALLEL_MIN_NEURONS => {
                std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
            }
            None => 1,
        };
        let bounds: Vec<Vec<usize>> = self
            .pops
            .iter()
            .map(|(_, n, _)| (0..=threads).map(|t| n * t / threads).collect())
            .collect();
        // ring depth and input presence per target population
        let mut depth = vec![1usize; self.pops.len()];
        let mut has_input = vec![false; self.pops.len()];
        // connectivity first (it fixes the ring depths)
        let mut built: Vec<(proj::Csr, Vec<f64>)> = Vec::new();
        for (j, p) in self.projections.iter().enumerate() {
            let (fname, ns, _) = &self.pops[p.from.0];
            let (tname, nt, tk) = &self.pops[p.to.0];
            if matches!(tk, PopKind::Input(_)) {
                return Err(NetworkError::Unsupported {
                    place: format!("projection '{}'", p.name),
                    why: format!(
                        "'{tname}' is an input population; projections must end on neurons"
                    ),
                });
            }
            let salt = 1_000_000 + 4 * j as u64;
            let keys = (
                stream_key(self.seed, salt),
                stream_key(self.seed, salt + 1),
                stream_key(self.seed, salt + 2),
            );
            let (mut csr, w) = proj::connect(p, *ns, *nt, p.from == p.to, fname, tname, keys)?;
            csr.segment(&bounds[p.to.0]);
            if p.plasticity.is_some() {
                csr.index_columns();
            }
            depth[p.to.0] = depth[p.to.0].max(csr.max_delay as usize);
            has_input[p.to.0] = true;
            built.push((csr, w));
        }
        // populations
        let mut pops = Vec::new();
        let mut parts: Vec<Part> = (0..threads)
            .map(|_| Part {
                chunks: Vec::new(),
                out: Vec::new(),
            })
            .collect();
        for (pi, (name, n, kind)) in self.pops.iter().enumerate() {
            let place = format!("population '{name}'");
            let mut rng = SplitMix64::new(stream_key(self.seed, 2 * pi as u64));
            let b = &bounds[pi];
            let vars;
            match kind {
                PopKind::Neurons(g) => {
                    let bias = g.bias.expand(*n, &mut rng, &format!("{place}: bias"))?;
                    let init = match &g.init_v {
                        Some(v) => Some(v.expand(*n, &mut rng, &format!("{place}: v0"))?),
                        None => None,
                    };
                    let mut v = Vec::new();
                    for (t, part) in parts.iter_mut().enumerate() {
                        let (lo, hi) = (b[t], b[t + 1]);
                        let body = pop::neuron_body(
                            g,
                            fixed,
                            dt,
                            lo,
                            hi,
                            &bias[lo..hi],
                            init.as_ref().map(|x| &x[lo..hi]),
                            depth[pi],
                            has_input[pi],
                        )
                        .map_err(|why| NetworkError::BadValue {
                            place: place.clone(),
                            why,
                        })?;
                        if t == 0 {
                            v = pop::var_names(&body);
                        }
                        part.chunks.push(Chunk {
                            lo,
                            n: hi - lo,
                            init: body.clone(),
                            body,
                        });
                        part.out.push(SpikeBuf::with_capacity(hi - lo));
                    }
                    vars = v;
                }
                PopKind::Input(g) => {
                    if let Encoder::Latency { window_ms } = g.encoder {
                        if !(window_ms >= 0.0 && window_ms.is_finite()) {
                            return Err(NetworkError::BadValue {
                                place,
                                why: format!("latency window {window_ms} ms: must be >= 0"),
                            });
                        }
                    }
                    let vals = g.values.expand(*n, &mut rng, &format!("{place}: values"))?;
                    let key = stream_key(self.seed, 2 * pi as u64 + 1);
                    for (t, part) in parts.iter_mut().enumerate() {
                        let (lo, hi) = (b[t], b[t + 1]);
                        let body =
                            Body::Input(InputChunk::new(g.encoder, key, vals[lo..hi].to_vec(), dt));
                        part.chunks.push(Chunk {
                            lo,
                            n: hi - lo,
                            init: body.clone(),
                            body,
                        });
                        part.out.push(SpikeBuf::with_capacity(hi - lo));
                    }
                    vars = Vec::new();
                }
            }
            pops.push(PopInfo {
                name: name.clone(),
                n: *n,
                bounds: b.clone(),
                input: matches!(kind, PopKind::Input(_)),
                vars,
            });
        }
        // synapses
        let mut projs = Vec::new();
        for (j, (p, (csr, w))) in self.projections.iter().zip(built).enumerate() {
            let place = format!("projection '{}'", p.name);
            let target = &parts[0].chunks[p.to.0].body;
            let fmt_in = match target {
                Body::LifI { drive, .. } | Body::GenI { drive, .. } => Some(drive.fmt_in),
                _ => None,
            };
            let (syn, gain_i) = match (&p.plasticity, fmt_in) {
                (None, None) => (Synapses::F(w), None),
                (None, Some(f)) => (
                    Synapses::I {
                        raw: w
                            .iter()
                            .map(|x| f.quantize_saturating(p.gain * x) as i64)
                            .collect(),
                        fmt_in: f,
                    },
                    None,
                ),
                (Some(pl), f) => {
                    let (dynp, gi) =
                        plastic(pl, dt, csr.n_src, csr.n_tgt, &w, p.gain, f, j, self.seed)
                            .map_err(|err| match err {
                                PlasticErr::Learning(err) => NetworkError::Learning {
                                    place: place.clone(),
                                    err,
                                },
                                PlasticErr::Other(why) => NetworkError::Unsupported {
                                    place: place.clone(),
                                    why,
                                },
                            })?;
                    (Synapses::Plastic(std::sync::RwLock::new(dynp)), gi)
                }
            };
            projs.push(Proj {
                name: p.name.clone(),
                from: p.from.0,
                to: p.to.0,
                csr,
                syn,
                gain: p.gain,
                gain_i,
            });
        }
        // monitors
        let mut monitors = Vec::new();
        for (k, m) in self.monitors.iter().enumerate() {
            let place = format!("monitor {k}");
            let check_pop = |id: PopId| -> Result<&PopInfo, NetworkError> {
                pops.get(id.0).ok_or_else(|| NetworkError::BadValue {
                    place: place.clone(),
                    why: format!("population id {} does not exist", id.0),
                })
            };
            let (var, record) = match m {
                Monitor::Spikes { pop } => {
                    check_pop(*pop)?;
                    (None, Record::Spikes(SpikeRecord::default()))
                }
                Monitor::Rate { pop } => {
                    check_pop(*pop)?;
                    (None, Record::Rate(RateRecord::default()))
                }
                Monitor::Counts { pop } => {
                    let n = check_pop(*pop)?.n;
                    (None, Record::Counts(vec![0; n]))
                }
                Monitor::State {
                    pop,
                    var,
                    neurons,
                    every,
                } => {
                    let info = check_pop(*pop)?;
                    let place = format!("{place} (state of '{}')", info.name);
                    let vr = info
                        .vars
                        .iter()
                        .find(|(n, _)| n == var)
                        .map(|(_, r)| r.clone())
                        .ok_or_else(|| NetworkError::BadValue {
                            place: place.clone(),
                            why: format!(
                                "no variable '{var}' (variables: {})",
                                if info.vars.is_empty() {
                                    "none, an input population".to_string()
                                } else {
                                    info.vars
                                        .iter()
                                        .map(|v| v.0.as_str())
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                }
                            ),
                        })?;
                    if let Some(bad) = neurons.iter().find(|i| **i as usize >= info.n) {
                        return Err(NetworkError::BadValue {
                            place,
                            why: format!("neuron {bad} does not exist ({} neurons)", info.n),
                        });
                    }
                    if *every == 0 {
                        return Err(NetworkError::BadValue {
                            place,
                            why: "every = 0: must be at least 1 tick".into(),
                        });
                    }
                    (
                        Some(vr),
                        Record::State(StateRecord {
                            var: var.clone(),
                            neurons: neurons.clone(),
                            ticks: Vec::new(),
                            values: vec![Vec::new(); neurons.len()],
                        }),
                    )
                }
                Monitor::Weights { proj, every } => {
                    if proj.0 >= projs.len() || *every == 0 {
                        return Err(NetworkError::BadValue {
                            place,
                            why: format!(
                                "projection id {} / every {every}: no such projection, or every = 0",
                                proj.0
                            ),
                        });
                    }
                    (None, Record::Weights(WeightRecord::default()))
                }
            };
            monitors.push(MonitorState {
                spec: m.clone(),
                var,
                record,
            });
        }
        let spikes = pops
            .iter()
            .map(|p| {
                (0..threads)
                    .map(|t| {
                        let n = p.bounds[t + 1] - p.bounds[t];
                        [SharedSpikes::new(n), SharedSpikes::new(n)]
                    })
                    .collect()
            })
            .collect();
        let mut rewards = self.rewards.clone();
        rewards.sort_by_key(|r| r.0);
        Ok(Network {
            dt,
            tick: 0,
            threads,
            arith,
            gather: vec![Vec::new(); pops.len()],
            pops,
            parts,
            projs,
            spikes,
            monitors,
            learning: true,
            pending: Vec::new(),
            scheduled: rewards,
        })
    }
}

enum PlasticErr {
    Learning(LearningError),
    Other(String),
}

impl From<LearningError> for PlasticErr {
    fn from(e: LearningError) -> Self {
        PlasticErr::Learning(e)
    }
}

#[allow(clippy::too_many_arguments)]
fn plastic(
    pl: &Plasticity,
    dt: f64,
    ns: usize,
    nt: usize,
    w: &[f64],
    gain: f64,
    fmt_in: Option<crate::fixed::QFormat>,
    j: usize,
    seed: u64,
) -> Result<(Box<dyn PlasticDyn>, Option<GainI>), PlasticErr> {
    let spec: &RuleSpec = &pl.rule;
    let unsupported = || {
        PlasticErr::Other(format!(
            "learning rule '{}' is not available in networks (spike-timing rules with network support: pair, triplet, rstdp)",
            spec.info.name
        ))
    };
    match fmt_in {
        None => {
            let b: Box<dyn PlasticDyn> = match spec.build(dt)? {
                Rule::Pair(r) => Box::new(Plastic::new(r, ns, nt, w)),
                Rule::Triplet(r) => Box::new(Plastic::new(r, ns, nt, w)),
                Rule::RStdp(r) => Box::new(Plastic::new(r, ns, nt, w)),
                _ => return Err(unsupported()),
            };
            Ok((b, None))
        }
        Some(f) => {
            let mut cfg = match &pl.fixed {
                Some(c) => c.clone(),
                None => {
                    LearningFixedConfig::new(spec.default_weight_format().ok_or_else(unsupported)?)
                }
            };
            if pl.fixed.is_none() {
                // a different stochastic-rounding stream per projection
                cfg.seed = (rng::mix64(seed ^ j as u64) as u32).max(1);
            }
            let b: Box<dyn PlasticDyn> = match spec.fixed(dt, &cfg)? {
                FixedRule::Pair(r) => Box::new(Plastic::new(r, ns, nt, w)),
                FixedRule::Triplet(r) => Box::new(Plastic::new(r, ns, nt, w)),
                FixedRule::RStdp(r) => Box::new(Plastic::new(r, ns, nt, w)),
            };
            let wf = b.weight_frac().expect("fixed twins have raw weights");
            let g = GainI::new(gain, wf, f.frac_bits).map_err(PlasticErr::Other)?;
            Ok((b, Some(g)))
        }
    }
}

#[derive(Debug, Clone)]
struct PopInfo {
    name: String,
    n: usize,
    bounds: Vec<usize>,
    input: bool,
    vars: Vec<(String, VarRef)>,
}

/// The chunks (one per population) that one thread owns, and their spike outputs.
#[derive(Debug)]
struct Part {
    chunks: Vec<Chunk>,
    out: Vec<SpikeBuf>,
}

/// A built network, ready to run.
pub struct Network {
    dt: f64,
    tick: u64,
    threads: usize,
    arith: Arith,
    pops: Vec<PopInfo>,
    parts: Vec<Part>,
    projs: Vec<Proj>,
    /// `spikes[pop][thread][tick & 1]`.
    spikes: Vec<Vec<[SharedSpikes; 2]>>,
    monitors: Vec<MonitorState>,
    learning: bool,
    /// Rewards for the next tick.
    pending: Vec<f64>,
    /// Scheduled rewards `(tick, amount)`, sorted.
    scheduled: Vec<(u64, f64)>,
    /// Per population: all spikes of the current tick (learning phase).
    gather: Vec<Vec<u32>>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("dt_ms", &self.dt)
            .field("tick", &self.tick)
            .field("threads", &self.threads)
            .field("arith", &self.arith)
            .field(
                "populations",
                &self.pops.iter().map(|p| (&p.name, p.n)).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What all workers share during a run.
struct Ctx<'a> {
    dt: f64,
    t0: u64,
    ticks: u64,
    threads: usize,
    learning: bool,
    plastic: bool,
    barrier: SpinBarrier,
    projs: &'a [Proj],
    spikes: &'a [Vec<[SharedSpikes; 2]>],
    /// Projections by target population.
    incoming: Vec<Vec<usize>>,
    /// Per population: whether a projection starts there, and its size.
    is_source: Vec<(bool, usize)>,
}

/// What only thread 0 touches during a run (the learning phase, weight monitors, progress).
struct Serial<'a, 'b> {
    gather: &'a mut [Vec<u32>],
    plastic: Vec<usize>,
    /// Populations whose spikes learning needs.
    needed: Vec<usize>,
    pending: &'a mut Vec<f64>,
    scheduled: &'a [(u64, f64)],
    next_sched: usize,
    rewards: Vec<f64>,
    wmon: Vec<(usize, usize, u64)>,
    wrec: Vec<Vec<(u64, Vec<f64>)>>,
    progress: &'b mut dyn FnMut(u64),
}

impl Serial<'_, '_> {
    fn phase(&mut self, tick: u64, ctx: &Ctx) {
        if ctx.plastic && ctx.learning {
            let par = (tick & 1) as usize;
            for &p in &self.needed {
                let g = &mut self.gather[p];
                g.clear();
                for th in 0..ctx.threads {
                    ctx.spikes[p][th][par].read_into(g);
                }
            }
            self.rewards.clear();
            if tick == ctx.t0 {
                self.rewards.append(self.pending);
            }
            while self.next_sched < self.scheduled.len()
                && self.scheduled[self.next_sched].0 <= tick
            {
                if self.scheduled[self.next_sched].0 == tick {
                    self.rewards.push(self.scheduled[self.next_sched].1);
                }
                self.next_sched += 1;
            }
            for &j in &self.plastic {
                let pr = &ctx.projs[j];
                if let Synapses::Plastic(p) = &pr.syn {
                    p.write().expect("plastic synapses").learn(
                        &pr.csr,
                        &self.gather[pr.from],
                        &self.gather[pr.to],
                        &self.rewards,
                    );
                }
            }
        }
        for (k, (_, j, every)) in self.wmon.iter().enumerate() {
            if tick.is_multiple_of(*every) {
                let w = ctx.projs[*j].weights();
                self.wrec[k].push((tick, w));
            }
        }
        let done = tick + 1 - ctx.t0;
        if done.is_multiple_of(64) || done == ctx.ticks {
            (self.progress)(done);
        }
    }
}

fn worker(
    th: usize,
    ctx: &Ctx,
    part: &mut Part,
    recs: &mut [PartRec],
    mut serial: Option<&mut Serial>,
) {
    let _poison = ctx.barrier.guard();
    let any_rec = recs.iter().any(|r| !matches!(r, PartRec::None));
    // the previous tick's spikes of every source population, gathered from all threads
    let mut prev_spikes: Vec<Vec<u32>> = ctx
        .is_source
        .iter()
        .map(|(src, n)| {
            if *src {
                Vec::with_capacity(*n)
            } else {
                Vec::new()
            }
        })
        .collect();
    for step in 0..ctx.ticks {
        let tick = ctx.t0 + step;
        let cur = (tick & 1) as usize;
        let prev = cur ^ 1;
        // (1) deliver the previous tick's spikes into this thread's chunks
        for (p, buf) in prev_spikes.iter_mut().enumerate() {
            if ctx.is_source[p].0 {
                buf.clear();
                for per_thread in &ctx.spikes[p] {
                    per_thread[prev].read_into(buf);
                }
            }
        }
        for (pi, incoming) in ctx.incoming.iter().enumerate() {
            for &j in incoming {
                let pr = &ctx.projs[j];
                pr.deliver(th, &prev_spikes[pr.from], tick, &mut part.chunks[pi]);
            }
        }
        // (2) update
        for (pi, (chunk, out)) in part.chunks.iter_mut().zip(&mut part.out).enumerate() {
            if any_rec {
                for r in recs.iter_mut() {
                    r.before(pi, tick, chunk);
                }
            }
            chunk.update(tick, ctx.dt, ctx.learning, out);
            ctx.spikes[pi][th][cur].publish(out.spikes());
            if any_rec {
                for r in recs.iter_mut() {
                    r.after(pi, tick, out.spikes());
                }
            }
        }
        ctx.barrier.wait();
        // (3) learn, (4) emit: the spikes are in the buffers for the next tick's delivery
        if let Some(s) = serial.as_deref_mut() {
            s.phase(tick, ctx);
        }
        if ctx.plastic && ctx.learning {
            ctx.barrier.wait();
        }
    }
}

/// The spikes of one thread's chunk of a population in one tick, readable by every thread. Plain
/// relaxed atomics (ordinary loads and stores on x86): the barrier between the phases orders them.
#[derive(Debug)]
struct SharedSpikes {
    idx: Vec<AtomicU32>,
    len: AtomicUsize,
}

impl SharedSpikes {
    fn new(n: usize) -> Self {
        SharedSpikes {
            idx: (0..n).map(|_| AtomicU32::new(0)).collect(),
            len: AtomicUsize::new(0),
        }
    }
    fn publish(&self, s: &[u32]) {
        for (d, v) in self.idx.iter().zip(s) {
            d.store(*v, Ordering::Relaxed);
        }
        self.len.store(s.len(), Ordering::Relaxed);
    }
    fn read_into(&self, out: &mut Vec<u32>) {
        let n = self.len.load(Ordering::Relaxed);
        out.extend(self.idx[..n].iter().map(|a| a.load(Ordering::Relaxed)));
    }
    fn clear(&self) {
        self.len.store(0, Ordering::Relaxed);
    }
}

impl Network {
    /// Time step (ms).
    pub fn dt_ms(&self) -> f64 {
        self.dt
    }
    /// Ticks run so far.
    pub fn tick(&self) -> u64 {
        self.tick
    }
    /// Time of the next tick (ms).
    pub fn t_ms(&self) -> f64 {
        self.tick as f64 * self.dt
    }
    pub fn threads(&self) -> usize {
        self.threads
    }
    pub fn arith(&self) -> Arith {
        self.arith
    }
    /// A population by name.
    pub fn pop(&self, name: &str) -> Option<PopId> {
        self.pops.iter().position(|p| p.name == name).map(PopId)
    }
    /// A projection by name.
    pub fn proj(&self, name: &str) -> Option<ProjId> {
        self.projs.iter().position(|p| p.name == name).map(ProjId)
    }
    /// Population names and sizes, in definition order.
    pub fn populations(&self) -> Vec<(String, usize)> {
        self.pops.iter().map(|p| (p.name.clone(), p.n)).collect()
    }
    /// Projection names, in definition order.
    pub fn projections(&self) -> Vec<String> {
        self.projs.iter().map(|p| p.name.clone()).collect()
    }
    pub fn pop_size(&self, p: PopId) -> usize {
        self.pops[p.0].n
    }
    pub fn pop_name(&self, p: PopId) -> &str {
        &self.pops[p.0].name
    }
    /// The variables a state monitor can record in `p`.
    pub fn variables(&self, p: PopId) -> Vec<String> {
        self.pops[p.0].vars.iter().map(|v| v.0.clone()).collect()
    }

    /// Run `ticks` ticks.
    pub fn run(&mut self, ticks: u64) {
        self.run_with(ticks, &mut |_| {});
    }

    /// Run `ticks` ticks, calling `progress(ticks_done)` now and then (from the calling thread).
    pub fn run_with(&mut self, ticks: u64, progress: &mut dyn FnMut(u64)) {
        if ticks == 0 {
            return;
        }
        let t0 = self.tick;
        let threads = self.threads;
        let mut incoming = vec![Vec::new(); self.pops.len()];
        let mut plastic = Vec::new();
        let mut needed = Vec::new();
        let mut is_source: Vec<(bool, usize)> = self.pops.iter().map(|p| (false, p.n)).collect();
        for (j, p) in self.projs.iter().enumerate() {
            incoming[p.to].push(j);
            is_source[p.from].0 = true;
            if matches!(p.syn, Synapses::Plastic(_)) {
                plastic.push(j);
                needed.push(p.from);
                needed.push(p.to);
            }
        }
        needed.sort_unstable();
        needed.dedup();
        let mut recs: Vec<Vec<PartRec>> = (0..threads)
            .map(|th| {
                self.monitors
                    .iter()
                    .map(|m| {
                        let (lo, hi) = match &m.spec {
                            Monitor::State { pop, .. } | Monitor::Counts { pop } => {
                                (self.pops[pop.0].bounds[th], self.pops[pop.0].bounds[th + 1])
                            }
                            _ => (0, 0),
                        };
                        PartRec::new(m, lo, hi, t0, ticks)
                    })
                    .collect()
            })
            .collect();
        let wmon: Vec<(usize, usize, u64)> = self
            .monitors
            .iter()
            .enumerate()
            .filter_map(|(k, m)| match m.spec {
                Monitor::Weights { proj, every } => Some((k, proj.0, every as u64)),
                _ => None,
            })
            .collect();
        let ctx = Ctx {
            dt: self.dt,
            t0,
            ticks,
            threads,
            learning: self.learning,
            plastic: !plastic.is_empty(),
            barrier: SpinBarrier::new(threads),
            projs: &self.projs,
            spikes: &self.spikes,
            incoming,
            is_source,
        };
        let next_sched = self.scheduled.partition_point(|r| r.0 < t0);
        let mut serial = Serial {
            gather: &mut self.gather,
            plastic,
            needed,
            pending: &mut self.pending,
            scheduled: &self.scheduled,
            next_sched,
            rewards: Vec::new(),
            wrec: vec![Vec::new(); wmon.len()],
            wmon,
            progress,
        };
        if threads == 1 {
            worker(0, &ctx, &mut self.parts[0], &mut recs[0], Some(&mut serial));
        } else {
            let ctx = &ctx;
            let (p0, prest) = self.parts.split_first_mut().expect("one part per thread");
            let (r0, rrest) = recs.split_first_mut().expect("one record set per thread");
            std::thread::scope(|s| {
                for (i, (p, r)) in prest.iter_mut().zip(rrest.iter_mut()).enumerate() {
                    s.spawn(move || worker(i + 1, ctx, p, r, None));
                }
                worker(0, ctx, p0, r0, Some(&mut serial));
            });
        }
        if !ctx.learning || !ctx.plastic {
            // rewards are consumed by the learning phase only
            serial.pending.clear();
        }
        let wrec = std::mem::take(&mut serial.wrec);
        let wmon = std::mem::take(&mut serial.wmon);
        drop(serial);
        drop(ctx);
        self.tick += ticks;
        // merge the records
        let mut by_monitor: Vec<Vec<PartRec>> =
            (0..self.monitors.len()).map(|_| Vec::new()).collect();
        for per_thread in recs {
            for (k, r) in per_thread.into_iter().enumerate() {
                by_monitor[k].push(r);
            }
        }
        for (m, parts) in self.monitors.iter_mut().zip(by_monitor) {
            monitor::merge(m, parts);
        }
        for ((k, _, _), rec) in wmon.iter().zip(wrec) {
            if let Record::Weights(w) = &mut self.monitors[*k].record {
                for (t, ws) in rec {
                    w.ticks.push(t);
                    w.weights.push(ws);
                }
            }
        }
    }

    /// Set the values of a population: rates (Hz) or intensities of an input population (see
    /// [`Encoder`]; time-dependent encoders restart now), or the bias currents of neurons.
    pub fn set_input(&mut self, p: PopId, values: &[f64]) -> Result<(), NetworkError> {
        let info = &self.pops[p.0];
        if values.len() != info.n {
            return Err(NetworkError::BadValue {
                place: format!("population '{}'", info.name),
                why: format!("{} values given for {} neurons", values.len(), info.n),
            });
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(NetworkError::BadValue {
                place: format!("population '{}'", info.name),
                why: format!("value {v} is not finite"),
            });
        }
        for (t, part) in self.parts.iter_mut().enumerate() {
            let (lo, hi) = (info.bounds[t], info.bounds[t + 1]);
            part.chunks[p.0].set_values(&values[lo..hi], self.tick);
        }
        Ok(())
    }

    /// Schedule spikes of a [`Encoder::Generator`] population: `(tick, neuron)` with absolute ticks.
    pub fn schedule_spikes(&mut self, p: PopId, events: &[(u64, u32)]) -> Result<(), NetworkError> {
        let info = &self.pops[p.0];
        if let Some(e) = events.iter().find(|e| e.1 as usize >= info.n) {
            return Err(NetworkError::BadValue {
                place: format!("population '{}'", info.name),
                why: format!("neuron {} does not exist ({} neurons)", e.1, info.n),
            });
        }
        for (t, part) in self.parts.iter_mut().enumerate() {
            let (lo, hi) = (info.bounds[t], info.bounds[t + 1]);
            let mine: Vec<(u64, u32)> = events
                .iter()
                .filter(|e| (lo..hi).contains(&(e.1 as usize)))
                .copied()
                .collect();
            match &mut part.chunks[p.0].body {
                Body::Input(c) if c.encoder == Encoder::Generator => c.schedule(&mine),
                _ => {
                    return Err(NetworkError::Unsupported {
                        place: format!("population '{}'", info.name),
                        why: "spikes can be scheduled on generator populations only".into(),
                    })
                }
            }
        }
        Ok(())
    }

    /// A reward (R-STDP: dopamine) for every plastic projection, in the next tick's phase 3.
    pub fn reward(&mut self, amount: f64) {
        self.pending.push(amount);
    }

    /// Learning on or off: plastic projections and adaptive thresholds are frozen while off.
    pub fn set_learning(&mut self, on: bool) {
        self.learning = on;
    }
    pub fn learning(&self) -> bool {
        self.learning
    }

    /// Back to the initial state between presentations: neuron states, synaptic currents, spikes
    /// in flight, learning traces and eligibility, pending rewards; time-dependent encoders
    /// restart. Kept: weights, adaptive thresholds, input values, the learning rules' shared state
    /// (dopamine, stochastic-rounding generator) and the tick counter.
    pub fn reset_state(&mut self) {
        let tick = self.tick;
        for part in &mut self.parts {
            for c in &mut part.chunks {
                c.reset(tick);
            }
        }
        for per_pop in &self.spikes {
            for bufs in per_pop {
                for b in bufs {
                    b.clear();
                }
            }
        }
        for p in &mut self.projs {
            if let Synapses::Plastic(pl) = &mut p.syn {
                pl.get_mut().expect("plastic synapses").reset();
            }
        }
        self.pending.clear();
    }

    /// All synapses of a projection as `(source, target)`, in the order of [`Network::weights`].
    pub fn synapses(&self, j: ProjId) -> Vec<(u32, u32)> {
        let p = &self.projs[j.0];
        let mut v = Vec::with_capacity(p.csr.len());
        for s in 0..p.csr.n_src {
            for k in p.csr.row(s) {
                v.push((s as u32, p.csr.tgt[k]));
            }
        }
        v
    }
    /// Current weights of a projection (synapse order of [`Network::synapses`]).
    pub fn weights(&self, j: ProjId) -> Vec<f64> {
        self.projs[j.0].weights()
    }
    /// The weights as a dense `n_src x n_tgt` matrix (0 where there is no synapse; duplicates add).
    pub fn weight_matrix(&self, j: ProjId) -> Vec<Vec<f64>> {
        let p = &self.projs[j.0];
        let w = p.weights();
        let mut m = vec![vec![0.0; p.csr.n_tgt]; p.csr.n_src];
        for (s, row) in m.iter_mut().enumerate() {
            for k in p.csr.row(s) {
                row[p.csr.tgt[k] as usize] += w[k];
            }
        }
        m
    }
    /// Replace the weights (synapse order; clipped/quantised by the rule or the input format).
    pub fn set_weights(&mut self, j: ProjId, w: &[f64]) -> Result<(), NetworkError> {
        let p = &mut self.projs[j.0];
        if w.len() != p.csr.len() {
            return Err(NetworkError::BadValue {
                place: format!("projection '{}'", p.name),
                why: format!("{} weights given for {} synapses", w.len(), p.csr.len()),
            });
        }
        p.set_weights(w);
        Ok(())
    }
    /// Scale the incoming weights of every target neuron so that they sum to `total` (the weight
    /// normalisation of Diehl & Cook 2015); targets whose weights sum to 0 are left alone.
    pub fn normalize_incoming(&mut self, j: ProjId, total: f64) {
        let p = &mut self.projs[j.0];
        let mut w = p.weights();
        let mut sums = vec![0.0; p.csr.n_tgt];
        for (k, t) in p.csr.tgt.iter().enumerate() {
            sums[*t as usize] += w[k];
        }
        for (k, t) in p.csr.tgt.iter().enumerate() {
            let s = sums[*t as usize];
            if s > 0.0 {
                w[k] *= total / s;
            }
        }
        p.set_weights(&w);
    }

    /// The current values of a variable of every neuron of `p`.
    pub fn state(&self, p: PopId, var: &str) -> Result<Vec<f64>, NetworkError> {
        let info = &self.pops[p.0];
        let vr = info
            .vars
            .iter()
            .find(|(n, _)| n == var)
            .map(|v| v.1.clone())
            .ok_or_else(|| NetworkError::BadValue {
                place: format!("population '{}'", info.name),
                why: format!(
                    "no variable '{var}' (variables: {})",
                    info.vars
                        .iter()
                        .map(|v| v.0.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            })?;
        let mut out = Vec::with_capacity(info.n);
        for part in &self.parts {
            let c = &part.chunks[p.0];
            for i in 0..c.n {
                out.push(c.var(&vr, i));
            }
        }
        Ok(out)
    }

    /// The record of a monitor.
    pub fn record(&self, m: MonitorId) -> &Record {
        &self.monitors[m.0].record
    }
    /// The spikes of a spike monitor (empty for other monitors).
    pub fn spikes(&self, m: MonitorId) -> &SpikeRecord {
        static EMPTY: SpikeRecord = SpikeRecord {
            ticks: Vec::new(),
            neurons: Vec::new(),
        };
        match &self.monitors[m.0].record {
            Record::Spikes(s) => s,
            _ => &EMPTY,
        }
    }
    /// The monitors' descriptions.
    pub fn monitors(&self) -> Vec<Monitor> {
        self.monitors.iter().map(|m| m.spec.clone()).collect()
    }
    /// Forget everything recorded so far.
    pub fn clear_records(&mut self) {
        for m in &mut self.monitors {
            m.record = match &m.record {
                Record::Spikes(_) => Record::Spikes(SpikeRecord::default()),
                Record::State(s) => Record::State(StateRecord {
                    var: s.var.clone(),
                    neurons: s.neurons.clone(),
                    ticks: Vec::new(),
                    values: vec![Vec::new(); s.neurons.len()],
                }),
                Record::Weights(_) => Record::Weights(WeightRecord::default()),
                Record::Rate(_) => Record::Rate(RateRecord::default()),
                Record::Counts(c) => Record::Counts(vec![0; c.len()]),
            };
        }
    }
    /// Whether `p` is an input population.
    pub fn is_input(&self, p: PopId) -> bool {
        self.pops[p.0].input
    }
    /// The rule of a plastic projection (`None` for static ones).
    pub fn rule_name(&self, j: ProjId) -> Option<&'static str> {
        match &self.projs[j.0].syn {
            Synapses::Plastic(p) => Some(p.read().expect("plastic synapses").rule_name()),
            _ => None,
        }
    }
    /// Number of synapses of a projection.
    pub fn synapse_count(&self, j: ProjId) -> usize {
        self.projs[j.0].csr.len()
    }
}

#[cfg(test)]
mod tests;
