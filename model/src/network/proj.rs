//! Projections: connectivity (stored by source as CSR, targets ascending in each row), weights
//! (static, or per-synapse plastic state of a learning rule), delays, and the event-driven delivery
//! of spikes into the targets' input rings.
//!
//! # Weights, gain and units
//! A synapse's weight `w` is in the unit of its learning rule (dimensionless, e.g. a fraction of
//! `g_max`) or, for a static projection, whatever the user likes; the current it delivers into the
//! target's input is `gain * w` in the target model's input unit. For fixed-point targets a static
//! projection stores `gain * w` quantised (round half-up, saturating) into the target's input word;
//! a plastic projection multiplies the twin's raw weight (`Wf` fraction bits) by `gain` quantised
//! with `G = max(f_in + 8, 11 - floor(log2 |gain|))` fraction bits and rounds the exact product
//! half-up to the input's `f_in` fraction bits, at every delivery.
//!
//! # Delays
//! A delay `d >= 1` (ticks) means that a spike emitted in tick `s` is added to the target's input of
//! tick `s + d` (`d = 1`: the next tick, the minimum the tick order allows).
use super::pop::Chunk;
use super::rng::SplitMix64;
use super::NetworkError;
use crate::fixed::QFormat;
use crate::learning::{LearningFixedConfig, PlasticityRule, RuleSpec};
use crate::quant::SIG_BITS;

/// Which synapses a projection makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Connect {
    /// Every source to every target (`autapses`: whether a neuron connects to itself when the
    /// projection is recurrent).
    Dense { autapses: bool },
    /// Source `i` to target `i` (same sizes).
    OneToOne,
    /// Each pair independently with probability `p` (seeded).
    Sparse { p: f64, autapses: bool },
    /// A weight matrix, one row per source and one column per target (every entry is a synapse;
    /// the weights replace [`WeightInit`]). `source` names it in errors (e.g. the file name).
    Matrix {
        weights: Vec<Vec<f64>>,
        source: String,
    },
    /// Explicit synapses `(source, target, weight)`.
    List(Vec<(u32, u32, f64)>),
}

/// Initial weights of [`Connect::Dense`], [`Connect::OneToOne`] and [`Connect::Sparse`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightInit {
    Const(f64),
    /// Uniform in `[lo, hi)` (seeded).
    Uniform {
        lo: f64,
        hi: f64,
    },
    /// Normal (seeded).
    Normal {
        mean: f64,
        sd: f64,
    },
}

/// Synaptic delay in ticks (at least 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delay {
    Const(u32),
    /// Uniform integer in `lo..=hi` per synapse (seeded).
    Uniform {
        lo: u32,
        hi: u32,
    },
}

/// A learning rule on a projection: the rule (name, preset, parameters, options) and the word
/// formats of its fixed twin (default: the rule's default weight format).
#[derive(Debug, Clone)]
pub struct Plasticity {
    pub rule: RuleSpec,
    pub fixed: Option<LearningFixedConfig>,
}

impl Plasticity {
    pub fn new(rule: RuleSpec) -> Self {
        Plasticity { rule, fixed: None }
    }
}

/// A projection from one population to another (or to itself).
#[derive(Debug, Clone)]
pub struct Projection {
    pub name: String,
    pub from: super::PopId,
    pub to: super::PopId,
    pub connect: Connect,
    pub weight: WeightInit,
    /// Current per unit weight (module doc).
    pub gain: f64,
    pub delay: Delay,
    pub plasticity: Option<Plasticity>,
}

impl Projection {
    /// A projection with weight 1, gain 1, delay 1 tick and no plasticity.
    pub fn new(
        name: impl Into<String>,
        from: super::PopId,
        to: super::PopId,
        connect: Connect,
    ) -> Self {
        Projection {
            name: name.into(),
            from,
            to,
            connect,
            weight: WeightInit::Const(1.0),
            gain: 1.0,
            delay: Delay::Const(1),
            plasticity: None,
        }
    }
    pub fn weight(mut self, w: WeightInit) -> Self {
        self.weight = w;
        self
    }
    pub fn gain(mut self, g: f64) -> Self {
        self.gain = g;
        self
    }
    pub fn delay(mut self, d: Delay) -> Self {
        self.delay = d;
        self
    }
    pub fn plastic(mut self, p: Plasticity) -> Self {
        self.plasticity = Some(p);
        self
    }
}

/// Connectivity by source (CSR), with the per-thread segments of every row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    pub n_src: usize,
    pub n_tgt: usize,
    pub row_ptr: Vec<u32>,
    pub tgt: Vec<u32>,
    /// Per-synapse delays, or empty when every synapse has `delay`.
    pub delays: Vec<u16>,
    pub delay: u32,
    pub max_delay: u32,
    /// `seg[s * (T + 1) + t]`: first synapse of row `s` whose target belongs to thread `t`.
    pub seg: Vec<u32>,
    pub threads: usize,
    /// Plastic projections only: source of every synapse and the synapses by target (CSC).
    pub src: Vec<u32>,
    pub col_ptr: Vec<u32>,
    pub col_syn: Vec<u32>,
}

impl Csr {
    #[inline]
    pub fn row(&self, s: usize) -> std::ops::Range<usize> {
        self.row_ptr[s] as usize..self.row_ptr[s + 1] as usize
    }
    pub fn len(&self) -> usize {
        self.tgt.len()
    }
    /// The per-thread segments for target chunk starts `bounds` (`T + 1` entries).
    pub fn segment(&mut self, bounds: &[usize]) {
        let t = bounds.len() - 1;
        self.threads = t;
        self.seg = Vec::with_capacity(self.n_src * (t + 1));
        for s in 0..self.n_src {
            let r = self.row(s);
            let row = &self.tgt[r.clone()];
            for b in bounds {
                let k = row.partition_point(|x| (*x as usize) < *b);
                self.seg.push((r.start + k) as u32);
            }
        }
    }
    /// The source array and the by-target index (for learning).
    pub fn index_columns(&mut self) {
        let mut src = Vec::with_capacity(self.len());
        for s in 0..self.n_src {
            for _ in self.row(s) {
                src.push(s as u32);
            }
        }
        let mut col_ptr = vec![0u32; self.n_tgt + 1];
        for t in &self.tgt {
            col_ptr[*t as usize + 1] += 1;
        }
        for j in 0..self.n_tgt {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut fill = col_ptr.clone();
        let mut col_syn = vec![0u32; self.len()];
        for (k, t) in self.tgt.iter().enumerate() {
            let f = &mut fill[*t as usize];
            col_syn[*f as usize] = k as u32;
            *f += 1;
        }
        self.src = src;
        self.col_ptr = col_ptr;
        self.col_syn = col_syn;
    }
}

/// Build the connectivity and the initial weights of `p` between populations of `n_src` and
/// `n_tgt` neurons. Returns the CSR and the weights in CSR order.
pub(crate) fn connect(
    p: &Projection,
    n_src: usize,
    n_tgt: usize,
    recurrent: bool,
    from_name: &str,
    to_name: &str,
    keys: (u64, u64, u64),
) -> Result<(Csr, Vec<f64>), NetworkError> {
    let place = format!("projection '{}'", p.name);
    let bad = |why: String| NetworkError::BadValue {
        place: place.clone(),
        why,
    };
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n_src];
    let mut given: Option<Vec<Vec<f64>>> = None;
    let mut conn = SplitMix64::new(keys.0);
    match &p.connect {
        Connect::Dense { autapses } => {
            for (s, row) in rows.iter_mut().enumerate() {
                row.extend(
                    (0..n_tgt as u32).filter(|t| *autapses || !recurrent || *t as usize != s),
                );
            }
        }
        Connect::OneToOne => {
            if n_src != n_tgt {
                return Err(bad(format!(
                    "one-to-one needs populations of the same size ('{from_name}' has {n_src} neurons, '{to_name}' {n_tgt})"
                )));
            }
            for (s, row) in rows.iter_mut().enumerate() {
                row.push(s as u32);
            }
        }
        Connect::Sparse { p: prob, autapses } => {
            if !(0.0..=1.0).contains(prob) {
                return Err(bad(format!("p = {prob}: a probability must be in 0..1")));
            }
            if *prob > 0.0 {
                let lq = (1.0 - prob).ln();
                for (s, row) in rows.iter_mut().enumerate() {
                    let mut t: i64 = -1;
                    loop {
                        let skip = if *prob >= 1.0 {
                            0.0
                        } else {
                            ((1.0 - conn.uniform()).ln() / lq).floor()
                        };
                        t += 1 + skip.min(n_tgt as f64) as i64;
                        if t >= n_tgt as i64 {
                            break;
                        }
                        if *autapses || !recurrent || t as usize != s {
                            row.push(t as u32);
                        }
                    }
                }
            }
        }
        Connect::Matrix { weights, source } => {
            let cols = weights.first().map_or(0, |r| r.len());
            if weights.len() != n_src || weights.iter().any(|r| r.len() != n_tgt) {
                return Err(NetworkError::Shape(Box::new(super::ShapeMismatch {
                    place: place.clone(),
                    matrix: source.clone(),
                    rows: weights.len(),
                    cols,
                    want_rows: n_src,
                    want_cols: n_tgt,
                    from: from_name.to_string(),
                    to: to_name.to_string(),
                })));
            }
            for row in rows.iter_mut() {
                row.extend(0..n_tgt as u32);
            }
            given = Some(weights.clone());
        }
        Connect::List(list) => {
            let mut g: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_src];
            for (k, (s, t, w)) in list.iter().enumerate() {
                if *s as usize >= n_src || *t as usize >= n_tgt {
                    return Err(bad(format!(
                        "synapse {k} ({s} -> {t}) is outside '{from_name}' ({n_src} neurons) -> '{to_name}' ({n_tgt} neurons)"
                    )));
                }
                if !w.is_finite() {
                    return Err(bad(format!("synapse {k}: weight {w} is not finite")));
                }
                g[*s as usize].push((*t, *w));
            }
            let mut ws = Vec::with_capacity(n_src);
            for (row, gr) in rows.iter_mut().zip(g.iter_mut()) {
                gr.sort_by_key(|x| x.0);
                row.extend(gr.iter().map(|x| x.0));
                ws.push(gr.iter().map(|x| x.1).collect());
            }
            given = Some(ws);
        }
    }
    let total: usize = rows.iter().map(|r| r.len()).sum();
    if total > u32::MAX as usize {
        return Err(bad(format!(
            "{total} synapses: at most 2^32 - 1 per projection"
        )));
    }
    let mut csr = Csr {
        n_src,
        n_tgt,
        ..Default::default()
    };
    csr.row_ptr.reserve(n_src + 1);
    csr.row_ptr.push(0);
    csr.tgt.reserve(total);
    for r in &rows {
        csr.tgt.extend_from_slice(r);
        csr.row_ptr.push(csr.tgt.len() as u32);
    }
    drop(rows);
    // weights
    let mut wr = SplitMix64::new(keys.1);
    let weights: Vec<f64> = match given {
        Some(g) => match &p.connect {
            Connect::Matrix { .. } => g.into_iter().flatten().collect(),
            _ => g.into_iter().flatten().collect(),
        },
        None => match p.weight {
            WeightInit::Const(w) => vec![w; total],
            WeightInit::Uniform { lo, hi } => {
                (0..total).map(|_| lo + (hi - lo) * wr.uniform()).collect()
            }
            WeightInit::Normal { mean, sd } => {
                (0..total).map(|_| mean + sd * wr.normal()).collect()
            }
        },
    };
    if let Some(w) = weights.iter().find(|w| !w.is_finite()) {
        return Err(bad(format!("weight {w} is not finite")));
    }
    if !p.gain.is_finite() {
        return Err(bad(format!("gain = {} is not finite", p.gain)));
    }
    // delays
    match p.delay {
        Delay::Const(d) => {
            if d == 0 || d > u16::MAX as u32 {
                return Err(bad(format!(
                    "delay = {d} ticks: must be 1..65535 (1 = the next tick)"
                )));
            }
            csr.delay = d;
            csr.max_delay = d;
        }
        Delay::Uniform { lo, hi } => {
            if lo == 0 || hi < lo || hi > u16::MAX as u32 {
                return Err(bad(format!(
                    "delay = {lo}..{hi} ticks: need 1 <= lo <= hi <= 65535"
                )));
            }
            let mut dr = SplitMix64::new(keys.2);
            csr.delays = (0..total)
                .map(|_| (lo as u64 + dr.below((hi - lo + 1) as u64)) as u16)
                .collect();
            csr.delay = lo;
            csr.max_delay = hi;
        }
    }
    Ok((csr, weights))
}

/// The learning-rule side the network needs beyond [`PlasticityRule`]: raw weights of the fixed
/// twins (delivered without a round trip through f64) and setting a weight.
pub trait NetRule:
    PlasticityRule<
        Pre: Send + Sync + 'static,
        Post: Send + Sync + 'static,
        Syn: Send + Sync + 'static,
        Shared: Send + Sync + 'static,
    > + Send
    + Sync
    + 'static
{
    /// Fraction bits of the raw weight (fixed twins), `None` for f64 rules.
    fn weight_frac(&self) -> Option<u32>;
    /// The raw weight word (fixed twins; f64 rules return 0).
    fn raw_weight(&self, s: &Self::Syn) -> i64;
    /// Set the weight (clipped / quantised by the rule's bounds and format), keeping the other
    /// per-synapse state.
    fn set_weight(&self, s: &mut Self::Syn, w: f64);
}

mod rules {
    use super::NetRule;
    use crate::learning::pair::{PairStdp, PairStdpFixed};
    use crate::learning::rstdp::{RStdp, RStdpFixed};
    use crate::learning::triplet::{TripletStdp, TripletStdpFixed};

    impl NetRule for PairStdp {
        fn weight_frac(&self) -> Option<u32> {
            None
        }
        fn raw_weight(&self, _: &f64) -> i64 {
            0
        }
        fn set_weight(&self, s: &mut f64, w: f64) {
            *s = self.weights.clip(w);
        }
    }
    impl NetRule for TripletStdp {
        fn weight_frac(&self) -> Option<u32> {
            None
        }
        fn raw_weight(&self, _: &f64) -> i64 {
            0
        }
        fn set_weight(&self, s: &mut f64, w: f64) {
            *s = self.weights.clip(w);
        }
    }
    impl NetRule for RStdp {
        fn weight_frac(&self) -> Option<u32> {
            None
        }
        fn raw_weight(&self, _: &Self::Syn) -> i64 {
            0
        }
        fn set_weight(&self, s: &mut Self::Syn, w: f64) {
            s.w = self.weights.clip(w);
        }
    }
    impl NetRule for PairStdpFixed {
        fn weight_frac(&self) -> Option<u32> {
            Some(self.weight.fmt.frac_bits)
        }
        fn raw_weight(&self, s: &i64) -> i64 {
            *s
        }
        fn set_weight(&self, s: &mut i64, w: f64) {
            *s = self.weight.quantize(w);
        }
    }
    impl NetRule for TripletStdpFixed {
        fn weight_frac(&self) -> Option<u32> {
            Some(self.weight.fmt.frac_bits)
        }
        fn raw_weight(&self, s: &i64) -> i64 {
            *s
        }
        fn set_weight(&self, s: &mut i64, w: f64) {
            *s = self.weight.quantize(w);
        }
    }
    impl NetRule for RStdpFixed {
        fn weight_frac(&self) -> Option<u32> {
            Some(self.weight.fmt.frac_bits)
        }
        fn raw_weight(&self, s: &Self::Syn) -> i64 {
            s.w
        }
        fn set_weight(&self, s: &mut Self::Syn, w: f64) {
            s.w = self.weight.quantize(w);
        }
    }
}

/// `gain` for a fixed-point target: `raw` with `frac` fraction bits; a delivery rounds the product
/// with the raw weight (`wf + frac` fraction bits) half-up to `f_in` fraction bits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GainI {
    pub raw: i64,
    /// Right shift of the product (`wf + frac - f_in`), or a left shift when negative.
    pub shift: i32,
}

impl GainI {
    pub fn new(gain: f64, wf: u32, f_in: u32) -> Result<Self, String> {
        let e = if gain != 0.0 {
            gain.abs().log2().floor() as i64
        } else {
            0
        };
        let frac = ((f_in + 8) as i64)
            .max(SIG_BITS as i64 - 1 - e)
            .clamp(0, 40) as u32;
        let fmt = QFormat::q(crate::quant::int_bits_for(gain.abs()).min(20), frac);
        let raw = fmt
            .quantize(gain)
            .map_err(|_| format!("gain {gain} does not fit {fmt}"))?
            .0 as i64;
        Ok(GainI {
            raw,
            shift: (wf + frac) as i32 - f_in as i32,
        })
    }
    #[inline]
    pub fn apply(&self, w: i64) -> i64 {
        let p = w as i128 * self.raw as i128;
        (if self.shift > 0 {
            (p + (1i128 << (self.shift - 1))) >> self.shift
        } else {
            p << (-self.shift)
        }) as i64
    }
}

/// The per-projection plastic state behind a trait object (one virtual call per projection and
/// tick; the loops inside are monomorphised per rule).
pub(crate) trait PlasticDyn: Send + Sync {
    #[allow(clippy::too_many_arguments)]
    fn deliver_f(
        &self,
        csr: &Csr,
        th: usize,
        spikes: &[u32],
        tick: u64,
        ring: &mut [f64],
        depth: usize,
        lo: usize,
        gain: f64,
    );
    #[allow(clippy::too_many_arguments)]
    fn deliver_i(
        &self,
        csr: &Csr,
        th: usize,
        spikes: &[u32],
        tick: u64,
        ring: &mut [i64],
        depth: usize,
        lo: usize,
        gain: GainI,
    );
    fn learn(&mut self, csr: &Csr, pre: &[u32], post: &[u32], rewards: &[f64]);
    fn weights(&self) -> Vec<f64>;
    fn set_weights(&mut self, w: &[f64]);
    /// Traces and per-synapse state (eligibility) back to their initial values; the weights and
    /// the shared state (dopamine, the stochastic-rounding generator) are kept.
    fn reset(&mut self);
    fn rule_name(&self) -> &'static str;
    fn weight_frac(&self) -> Option<u32>;
}

pub(crate) struct Plastic<R: NetRule> {
    pub rule: R,
    pub pre: Vec<R::Pre>,
    pub post: Vec<R::Post>,
    pub syn: Vec<R::Syn>,
    pub shared: R::Shared,
}

impl<R: NetRule> Plastic<R> {
    pub fn new(rule: R, n_src: usize, n_tgt: usize, w0: &[f64]) -> Self {
        Plastic {
            pre: vec![rule.pre_state(); n_src],
            post: vec![rule.post_state(); n_tgt],
            syn: w0.iter().map(|w| rule.syn_state(*w)).collect(),
            shared: rule.shared_state(),
            rule,
        }
    }
}

/// The delivery loop shared by every synapse kind: `value(k)` is the input synapse `k` adds.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn deliver_loop<T: Copy + std::ops::AddAssign>(
    csr: &Csr,
    th: usize,
    spikes: &[u32],
    tick: u64,
    ring: &mut [T],
    depth: usize,
    lo: usize,
    value: impl Fn(usize) -> T,
) {
    let stride = csr.threads + 1;
    let tgt = &csr.tgt[..];
    let n = ring.len() / depth;
    if csr.delays.is_empty() {
        let slot = ((tick + csr.delay as u64 - 1) % depth as u64) as usize;
        // the slot's row of the ring (slot-major layout, `ring[slot * n + i]`)
        let row = &mut ring[slot * n..(slot + 1) * n];
        for &s in spikes {
            let r = s as usize * stride + th;
            let (a, b) = (csr.seg[r] as usize, csr.seg[r + 1] as usize);
            for k in a..b {
                row[tgt[k] as usize - lo] += value(k);
            }
        }
    } else {
        for &s in spikes {
            let r = s as usize * stride + th;
            let (a, b) = (csr.seg[r] as usize, csr.seg[r + 1] as usize);
            for k in a..b {
                let slot = ((tick + csr.delays[k] as u64 - 1) % depth as u64) as usize;
                ring[slot * n + tgt[k] as usize - lo] += value(k);
            }
        }
    }
}

impl<R: NetRule> PlasticDyn for Plastic<R> {
    fn deliver_f(
        &self,
        csr: &Csr,
        th: usize,
        spikes: &[u32],
        tick: u64,
        ring: &mut [f64],
        depth: usize,
        lo: usize,
        gain: f64,
    ) {
        let (rule, syn) = (&self.rule, &self.syn);
        deliver_loop(csr, th, spikes, tick, ring, depth, lo, |k| {
            gain * rule.weight(&syn[k])
        });
    }
    fn deliver_i(
        &self,
        csr: &Csr,
        th: usize,
        spikes: &[u32],
        tick: u64,
        ring: &mut [i64],
        depth: usize,
        lo: usize,
        gain: GainI,
    ) {
        let (rule, syn) = (&self.rule, &self.syn);
        deliver_loop(csr, th, spikes, tick, ring, depth, lo, |k| {
            gain.apply(rule.raw_weight(&syn[k]))
        });
    }
    fn learn(&mut self, csr: &Csr, pre: &[u32], post: &[u32], rewards: &[f64]) {
        let Plastic {
            rule,
            pre: xs,
            post: ys,
            syn,
            shared,
        } = self;
        rule.tick_shared(shared);
        for r in rewards {
            rule.reward(shared, *r);
        }
        for x in xs.iter_mut() {
            rule.tick_pre(x);
        }
        for y in ys.iter_mut() {
            rule.tick_post(y);
        }
        if R::SYN_DYNAMICS {
            for s in syn.iter_mut() {
                rule.tick_syn(s, shared);
            }
        }
        for &i in pre {
            let i = i as usize;
            for k in csr.row(i) {
                rule.on_pre(&mut syn[k], &xs[i], &ys[csr.tgt[k] as usize], shared);
            }
            rule.pre_spike(&mut xs[i]);
        }
        for &j in post {
            let j = j as usize;
            for c in csr.col_ptr[j] as usize..csr.col_ptr[j + 1] as usize {
                let k = csr.col_syn[c] as usize;
                rule.on_post(&mut syn[k], &xs[csr.src[k] as usize], &ys[j], shared);
            }
            rule.post_spike(&mut ys[j]);
        }
    }
    fn weights(&self) -> Vec<f64> {
        self.syn.iter().map(|s| self.rule.weight(s)).collect()
    }
    fn set_weights(&mut self, w: &[f64]) {
        for (s, w) in self.syn.iter_mut().zip(w) {
            self.rule.set_weight(s, *w);
        }
    }
    fn reset(&mut self) {
        let r = &self.rule;
        self.pre.iter_mut().for_each(|x| *x = r.pre_state());
        self.post.iter_mut().for_each(|y| *y = r.post_state());
        for s in self.syn.iter_mut() {
            *s = r.syn_state(r.weight(s));
        }
    }
    fn rule_name(&self) -> &'static str {
        self.rule.name()
    }
    fn weight_frac(&self) -> Option<u32> {
        self.rule.weight_frac()
    }
}

/// The synapses of a projection.
pub(crate) enum Synapses {
    /// Static f64 weights (delivered as `gain * w`).
    F(Vec<f64>),
    /// Static fixed weights: `gain * w` as raw input words of the target.
    I { raw: Vec<i64>, fmt_in: QFormat },
    /// Plastic synapses: read by every thread's delivery, written by the learning phase (the
    /// barriers keep the two apart; the lock is never contended).
    Plastic(std::sync::RwLock<Box<dyn PlasticDyn>>),
}

/// A built projection.
pub(crate) struct Proj {
    pub name: String,
    pub from: usize,
    pub to: usize,
    pub csr: Csr,
    pub syn: Synapses,
    pub gain: f64,
    pub gain_i: Option<GainI>,
}

impl Proj {
    /// Phase 1 for thread `th`: add the weights of the `spikes` (of the previous tick) into the
    /// thread's chunk of the target population.
    pub fn deliver(&self, th: usize, spikes: &[u32], tick: u64, chunk: &mut Chunk) {
        if spikes.is_empty() || chunk.n == 0 {
            return;
        }
        let lo = chunk.lo;
        let csr = &self.csr;
        match &self.syn {
            Synapses::F(w) => {
                if let Some((ring, depth)) = chunk.ring_f() {
                    let g = self.gain;
                    if g == 1.0 {
                        deliver_loop(csr, th, spikes, tick, ring, depth, lo, |k| w[k]);
                    } else {
                        deliver_loop(csr, th, spikes, tick, ring, depth, lo, |k| g * w[k]);
                    }
                }
            }
            Synapses::I { raw, .. } => {
                if let Some((ring, depth)) = chunk.ring_i() {
                    deliver_loop(csr, th, spikes, tick, ring, depth, lo, |k| raw[k]);
                }
            }
            Synapses::Plastic(p) => {
                let p = p.read().expect("plastic synapses");
                if let Some((ring, depth)) = chunk.ring_f() {
                    p.deliver_f(csr, th, spikes, tick, ring, depth, lo, self.gain);
                } else if let (Some((ring, depth)), Some(g)) = (chunk.ring_i(), self.gain_i) {
                    p.deliver_i(csr, th, spikes, tick, ring, depth, lo, g);
                }
            }
        }
    }
    /// Current weights in CSR order (static fixed weights: the stored input word / gain).
    pub fn weights(&self) -> Vec<f64> {
        match &self.syn {
            Synapses::F(w) => w.clone(),
            Synapses::I { raw, fmt_in } => raw
                .iter()
                .map(|r| fmt_in.to_f64(*r as i128) / self.gain)
                .collect(),
            Synapses::Plastic(p) => p.read().expect("plastic synapses").weights(),
        }
    }
    pub fn set_weights(&mut self, w: &[f64]) {
        let g = self.gain;
        match &mut self.syn {
            Synapses::F(old) => old.copy_from_slice(w),
            Synapses::I { raw, fmt_in } => {
                for (r, w) in raw.iter_mut().zip(w) {
                    *r = fmt_in.quantize_saturating(g * w) as i64;
                }
            }
            Synapses::Plastic(p) => p.get_mut().expect("plastic synapses").set_weights(w),
        }
    }
}
