//! Monitors: what a run records. Every thread records its own neurons while it runs; the records
//! are merged in a fixed order at the end of the run (tick, then neuron), so the result does not
//! depend on the number of threads.
use super::pop::{Chunk, VarRef};
use super::{PopId, ProjId};

/// What to record.
#[derive(Debug, Clone, PartialEq)]
pub enum Monitor {
    /// Every spike of a population (tick, neuron).
    Spikes { pop: PopId },
    /// A state variable (`v`, a model's state name, `theta`, `I_syn`) of some neurons, every
    /// `every` ticks, sampled at the start of the tick (before the update, as [`crate::run::Trace`]).
    State {
        pop: PopId,
        var: String,
        neurons: Vec<u32>,
        every: u32,
    },
    /// All weights of a projection (in synapse order, see [`super::Network::synapses`]) every
    /// `every` ticks, after the learning phase.
    Weights { proj: ProjId, every: u32 },
    /// The number of spikes of a population in every tick.
    Rate { pop: PopId },
    /// The number of spikes of every neuron of a population (cheap: one counter per neuron).
    Counts { pop: PopId },
}

/// Recorded spikes: `ticks[k]`, `neurons[k]`, in order of tick then neuron.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpikeRecord {
    pub ticks: Vec<u64>,
    pub neurons: Vec<u32>,
}

impl SpikeRecord {
    pub fn len(&self) -> usize {
        self.ticks.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ticks.is_empty()
    }
    /// Spike counts per neuron of a population of `n`.
    pub fn counts(&self, n: usize) -> Vec<u32> {
        let mut c = vec![0u32; n];
        for i in &self.neurons {
            if let Some(x) = c.get_mut(*i as usize) {
                *x += 1;
            }
        }
        c
    }
}

/// A recorded state variable: `values[k][s]` is neuron `neurons[k]` at tick `ticks[s]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StateRecord {
    pub var: String,
    pub neurons: Vec<u32>,
    pub ticks: Vec<u64>,
    pub values: Vec<Vec<f64>>,
}

/// Recorded weights: `weights[s]` are all weights of the projection after tick `ticks[s]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightRecord {
    pub ticks: Vec<u64>,
    pub weights: Vec<Vec<f64>>,
}

/// Spikes per tick of a population: `counts[k]` in tick `first_tick + k`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateRecord {
    pub first_tick: u64,
    pub counts: Vec<u32>,
}

/// The record of a monitor.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Spikes(SpikeRecord),
    State(StateRecord),
    Weights(WeightRecord),
    Rate(RateRecord),
    /// Spikes per neuron since the start (or [`super::Network::clear_records`]).
    Counts(Vec<u64>),
}

/// A monitor and what it has recorded.
#[derive(Debug, Clone)]
pub(crate) struct MonitorState {
    pub spec: Monitor,
    pub var: Option<VarRef>,
    pub record: Record,
}

/// What one thread records during one run.
#[derive(Debug)]
pub(crate) enum PartRec {
    Spikes {
        pop: usize,
        ticks: Vec<u64>,
        neurons: Vec<u32>,
    },
    State {
        pop: usize,
        var: VarRef,
        every: u64,
        /// (position in the monitor's list, local index) of this thread's neurons.
        mine: Vec<(usize, usize)>,
        ticks: Vec<u64>,
        values: Vec<f64>,
    },
    Rate {
        pop: usize,
        t0: u64,
        counts: Vec<u32>,
    },
    Counts {
        pop: usize,
        lo: usize,
        counts: Vec<u64>,
    },
    None,
}

impl PartRec {
    /// The recorder of one thread for monitor `m` (neurons `lo..hi` of `m`'s population).
    pub fn new(m: &MonitorState, lo: usize, hi: usize, t0: u64, ticks: u64) -> Self {
        match &m.spec {
            Monitor::Spikes { pop } => PartRec::Spikes {
                pop: pop.0,
                ticks: Vec::new(),
                neurons: Vec::new(),
            },
            Monitor::State {
                pop,
                neurons,
                every,
                ..
            } => PartRec::State {
                pop: pop.0,
                var: m.var.clone().expect("resolved at build"),
                every: (*every).max(1) as u64,
                mine: neurons
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| (lo..hi).contains(&(**n as usize)))
                    .map(|(k, n)| (k, *n as usize - lo))
                    .collect(),
                ticks: Vec::new(),
                values: Vec::new(),
            },
            Monitor::Rate { pop } => PartRec::Rate {
                pop: pop.0,
                t0,
                counts: vec![0; ticks as usize],
            },
            Monitor::Counts { pop } => PartRec::Counts {
                pop: pop.0,
                lo,
                counts: vec![0; hi - lo],
            },
            Monitor::Weights { .. } => PartRec::None,
        }
    }
    /// Before population `pop` is updated in `tick`.
    #[inline]
    pub fn before(&mut self, pop: usize, tick: u64, chunk: &Chunk) {
        if let PartRec::State {
            pop: p,
            var,
            every,
            mine,
            ticks,
            values,
        } = self
        {
            if *p == pop && tick.is_multiple_of(*every) {
                ticks.push(tick);
                for (_, i) in mine.iter() {
                    values.push(chunk.var(var, *i));
                }
            }
        }
    }
    /// After population `pop` fired `spikes` in `tick`.
    #[inline]
    pub fn after(&mut self, pop: usize, tick: u64, spikes: &[u32]) {
        match self {
            PartRec::Spikes {
                pop: p,
                ticks,
                neurons,
            } if *p == pop => {
                ticks.extend(std::iter::repeat_n(tick, spikes.len()));
                neurons.extend_from_slice(spikes);
            }
            PartRec::Rate { pop: p, t0, counts } if *p == pop => {
                counts[(tick - *t0) as usize] += spikes.len() as u32;
            }
            PartRec::Counts { pop: p, lo, counts } if *p == pop => {
                for i in spikes {
                    counts[*i as usize - *lo] += 1;
                }
            }
            _ => {}
        }
    }
}

/// Merge the per-thread records of monitor `m` (threads in order) into its record.
pub(crate) fn merge(m: &mut MonitorState, parts: Vec<PartRec>) {
    match &mut m.record {
        Record::Spikes(r) => {
            let mut all: Vec<(u64, u32)> = Vec::new();
            for p in parts {
                if let PartRec::Spikes { ticks, neurons, .. } = p {
                    all.extend(ticks.into_iter().zip(neurons));
                }
            }
            // threads hold ascending neuron ranges: a stable sort by tick keeps neuron order
            all.sort_by_key(|x| x.0);
            r.ticks.extend(all.iter().map(|x| x.0));
            r.neurons.extend(all.iter().map(|x| x.1));
        }
        Record::State(r) => {
            let n = r.neurons.len();
            let mut new_ticks: Vec<u64> = Vec::new();
            let mut cols: Vec<Vec<f64>> = vec![Vec::new(); n];
            for p in parts {
                if let PartRec::State {
                    mine,
                    ticks,
                    values,
                    ..
                } = p
                {
                    if new_ticks.is_empty() {
                        new_ticks = ticks.clone();
                    }
                    let w = mine.len();
                    if w == 0 {
                        continue;
                    }
                    for (s, row) in values.chunks(w).enumerate() {
                        let _ = s;
                        for ((k, _), v) in mine.iter().zip(row) {
                            cols[*k].push(*v);
                        }
                    }
                }
            }
            r.ticks.extend(new_ticks);
            for (dst, src) in r.values.iter_mut().zip(cols) {
                dst.extend(src);
            }
        }
        Record::Rate(r) => {
            let mut sum: Vec<u32> = Vec::new();
            let mut first = None;
            for p in parts {
                if let PartRec::Rate { t0, counts, .. } = p {
                    first.get_or_insert(t0);
                    if sum.is_empty() {
                        sum = counts;
                    } else {
                        for (a, b) in sum.iter_mut().zip(counts) {
                            *a += b;
                        }
                    }
                }
            }
            if r.counts.is_empty() {
                r.first_tick = first.unwrap_or(0);
            }
            r.counts.extend(sum);
        }
        Record::Counts(all) => {
            for p in parts {
                if let PartRec::Counts { lo, counts, .. } = p {
                    for (k, c) in counts.into_iter().enumerate() {
                        all[lo + k] += c;
                    }
                }
            }
        }
        Record::Weights(_) => {}
    }
}
