//! Quantisation-aware analysis: the fixed twin's phase plane, its firing onset and class, the shift
//! against the f64 model, and the narrowest membrane format that keeps them.
//!
//! # The twin as a discrete map
//! The twin's [`FixedNeuron::step`] maps raw state words to raw state words. Its nullclines are
//! where the per-step change of a word is zero: in column `x` (a raw membrane value) the change of
//! `x` (or of `y`) is monotone in the raw recovery word `y`, so binary searches over `y` find the
//! band of states where the change is exactly zero (rounding makes it a band, the "dead zone",
//! whose height we report) and its centre. The twin's fixed points are the crossings of the two
//! band centres along `x` (found on a grid of columns and refined by integer bisection); a fixed
//! point's stability is checked by running the twin from a small perturbation. Flags after the two
//! ODE words are held disarmed (a threshold-crossing twin then never fires in these single steps);
//! for reset models a step that fires counts as an increase of `x`.
//!
//! # Onset of firing, for the twin and the f64 model alike (the "protocol")
//! The input settles at `from` for `settle_ms`, ramps linearly to `I` over `ramp_ms` (slow enough
//! to follow the rest state, so that a step does not kick the neuron onto a coexisting limit
//! cycle), then holds `I` for `hold_ms`; the neuron "fires" at `I` when it spikes at least twice
//! during the hold. The onset is the lowest such `I`: bisection over the twin's raw input words
//! (its resolution is one input LSB) and, for the f64 model run with the twin's semantics
//! (forward Euler at the same `dt`), bisection to `1e-6` of the range. Both see the same protocol
//! bias (a slow spiral-out above a Hopf point or a long first period above a saddle-node needs
//! time), so their difference is the effect of quantisation; the f64 model's analytic bifurcation
//! current ([`super::bifurcation::scan`]) is reported beside them.
//!
//! # Class of the twin
//! The bifurcation type of a quantised map is not a clean notion, but its observable is Hodgkin's
//! definition of the classes: class 1 when the f-I curve starts continuously at zero rate
//! (saddle-node), class 2 when it jumps to a finite rate (Hopf). So the class is read from the
//! rates under the protocol: class 1 when the rate at the onset current is below 0.3 times the
//! rate 5 % of the range above it, else class 2. The same rule is applied to the f64 model (and
//! checked against its analytic class in the tests). The fixed-point counts at `from` and at the
//! onset (a drop means the rest state vanished in a fold) are reported beside it.
//!
//! # Recommended format
//! Membrane formats `Qm.f` (`m` the model's default integer bits) for the fraction bits asked
//! (default: 8 below to 4 above the model's default). A format passes when it builds, its class
//! equals the f64 model's, and `|onset_twin - onset_f64| <= tolerance * |I_bif|` (relative to the
//! f64 model's analytic onset current; absolute when that is 0). The recommendation is the
//! narrowest format from which every wider candidate passes too.
use super::bifurcation::{scan, ScanConfig};
use super::fixed_points::fixed_points;
use super::limit_cycle::Stepper;
use super::{check_range, default_window, AnalysisError, Family, PhasePlane, Window};
use crate::fixed::QFormat;
use crate::neuron::{FixedNeuron, Method, Neuron, MAX_STATE};
use crate::quant::FixedConfig;
use crate::registry::{FixedModel, ModelSpec};
use serde::Serialize;

/// The twin's phase plane on raw words.
pub struct TwinPlane<'a> {
    twin: &'a FixedModel,
    base: [i64; MAX_STATE],
    fx: QFormat,
    fy: QFormat,
    fin: QFormat,
}

/// A zero band of one word's change in one column: centre (raw `y`, may be a half-integer) and the
/// number of raw `y` values in it (0: the change jumps across zero between two neighbours).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub centre: f64,
    pub width: i64,
}

impl<'a> TwinPlane<'a> {
    /// The phase plane of `twin` (its first two state words).
    pub fn new(twin: &'a FixedModel) -> Self {
        let words = twin.state_words();
        let mut base = twin.initial_state();
        for b in base.iter_mut().skip(2) {
            *b = 0;
        }
        TwinPlane {
            twin,
            base,
            fx: words[0].fmt,
            fy: words[1].fmt,
            fin: twin.input_format(),
        }
    }
    /// Formats of the membrane, recovery and input words.
    pub fn formats(&self) -> (QFormat, QFormat, QFormat) {
        (self.fx, self.fy, self.fin)
    }
    /// One step from `(x, y)` at raw input `i`: the changes of both words and whether it fired.
    #[inline]
    pub fn delta(&self, x: i64, y: i64, i: i64) -> (i64, i64, bool) {
        let mut s = self.base;
        s[0] = x;
        s[1] = y;
        let fired = self.twin.step(&mut s, i);
        (s[0] - x, s[1] - y, fired)
    }
    fn sign(&self, x: i64, y: i64, i: i64, which: usize) -> i64 {
        let (dx, dy, fired) = self.delta(x, y, i);
        if which == 0 {
            if fired {
                1
            } else {
                dx.signum()
            }
        } else {
            dy.signum()
        }
    }
    fn raw_range(fmt: QFormat, lo: f64, hi: f64) -> (i64, i64) {
        (
            fmt.quantize_saturating(lo) as i64,
            fmt.quantize_saturating(hi) as i64,
        )
    }
    /// The raw `y` search range: the window's widened by half its height on each side (so that
    /// bands near the window's edge are not clipped), within the word's range.
    fn y_search(&self, win: &Window) -> (i64, i64) {
        let h = 0.5 * win.y_span();
        Self::raw_range(self.fy, win.y.0 - h, win.y.1 + h)
    }
    /// The zero band of word `which`'s change in column `x` (raw), `y` within `y_range` (raw).
    pub fn column(&self, x: i64, i: i64, which: usize, y_range: (i64, i64)) -> Option<Band> {
        let (a, b) = y_range;
        let (sa, sb) = (self.sign(x, a, i, which), self.sign(x, b, i, which));
        if sa == sb && sa != 0 {
            return None;
        }
        if sa == 0 && sb == 0 {
            return Some(Band {
                centre: 0.5 * (a + b) as f64,
                width: b - a + 1,
            });
        }
        let dec = sa > sb;
        // first y in a..=b with pred true (pred monotone false -> true); b + 1 if none
        let first = |pred: &dyn Fn(i64) -> bool| {
            let (mut lo, mut hi) = (a, b + 1);
            while lo < hi {
                let m = lo + (hi - lo) / 2;
                if pred(m) {
                    hi = m;
                } else {
                    lo = m + 1;
                }
            }
            lo
        };
        let (l, u) = if dec {
            (
                first(&|y| self.sign(x, y, i, which) <= 0),
                first(&|y| self.sign(x, y, i, which) < 0),
            )
        } else {
            (
                first(&|y| self.sign(x, y, i, which) >= 0),
                first(&|y| self.sign(x, y, i, which) > 0),
            )
        };
        Some(Band {
            centre: 0.5 * (l + u - 1) as f64,
            width: u - l,
        })
    }
    /// The twin's nullclines at real input `input` on `n + 1` columns over the window.
    pub fn nullclines(&self, win: &Window, input: f64, n: usize) -> TwinNullclines {
        let i = self.fin.quantize_saturating(input) as i64;
        let (x0, x1) = Self::raw_range(self.fx, win.x.0, win.x.1);
        let yr = self.y_search(win);
        let n = n.max(1) as i64;
        let mut out = TwinNullclines::default();
        let ly = self.fy.lsb();
        let mut last = None;
        for k in 0..=n {
            let x = x0 + (x1 - x0) * k / n;
            if last == Some(x) {
                continue;
            }
            last = Some(x);
            out.x.push(self.fx.to_f64(x as i128));
            for (which, line, band) in [
                (0, &mut out.x_nullcline, &mut out.x_band),
                (1, &mut out.y_nullcline, &mut out.y_band),
            ] {
                match self.column(x, i, which, yr) {
                    Some(b) => {
                        line.push(b.centre * ly);
                        band.push(b.width as f64 * ly);
                    }
                    None => {
                        line.push(f64::NAN);
                        band.push(f64::NAN);
                    }
                }
            }
        }
        out
    }
    /// `centre_x(x) - centre_y(x)` in raw `y` units (`None` where a nullcline is missing).
    fn gap(&self, x: i64, i: i64, yr: (i64, i64)) -> Option<f64> {
        let a = self.column(x, i, 0, yr)?;
        let b = self.column(x, i, 1, yr)?;
        Some(a.centre - b.centre)
    }
    /// The twin's fixed points (nullcline crossings) in the window at real input `input`, with a
    /// stability check: the twin is run for `check_steps` from a perturbation of
    /// `max(8 LSB, 1e-3 window)` in `x`; stable when it comes back within that distance.
    pub fn fixed_points(
        &self,
        win: &Window,
        input: f64,
        check_steps: usize,
    ) -> Vec<TwinFixedPoint> {
        let i = self.fin.quantize_saturating(input) as i64;
        let (x0, x1) = Self::raw_range(self.fx, win.x.0, win.x.1);
        let yr = self.y_search(win);
        let n: i64 = 1000.min((x1 - x0).max(1));
        let cols: Vec<i64> = (0..=n).map(|k| x0 + (x1 - x0) * k / n).collect();
        let gaps: Vec<Option<f64>> = cols.iter().map(|&x| self.gap(x, i, yr)).collect();
        let mut out = Vec::new();
        for k in 0..cols.len() - 1 {
            let (Some(ga), Some(gb)) = (gaps[k], gaps[k + 1]) else {
                continue;
            };
            if ga == 0.0 || ga.signum() == gb.signum() {
                continue;
            }
            // integer bisection on x
            let (mut a, mut b, sa) = (cols[k], cols[k + 1], ga.signum());
            while b - a > 1 {
                let m = a + (b - a) / 2;
                match self.gap(m, i, yr) {
                    Some(0.0) => {
                        a = m;
                        b = m;
                    }
                    Some(g) if g.signum() == sa => a = m,
                    Some(_) => b = m,
                    None => break,
                }
            }
            let x = if a == b { a } else { a + (b - a) / 2 };
            let Some(yb) = self.column(x, i, 1, yr) else {
                continue;
            };
            let y = yb.centre.round() as i64;
            if !win.contains(self.fx.to_f64(x as i128), self.fy.to_f64(y as i128)) {
                continue;
            }
            out.push(TwinFixedPoint {
                x: self.fx.to_f64(x as i128),
                y: self.fy.to_f64(y as i128),
                stable: self.is_stable(x, y, i, win, check_steps),
            });
        }
        out
    }
    fn is_stable(&self, x: i64, y: i64, i: i64, win: &Window, steps: usize) -> bool {
        let d = ((1e-3 * win.x_span() / self.fx.lsb()).round() as i64).max(8);
        let mut s = self.base;
        s[0] = x + d;
        s[1] = y;
        for _ in 0..steps {
            if self.twin.step(&mut s, i) {
                return false;
            }
        }
        (s[0] - x).abs() <= d
    }
}

/// The twin's nullclines: band centres and band heights (in the recovery word's real units).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct TwinNullclines {
    pub x: Vec<f64>,
    pub x_nullcline: Vec<f64>,
    pub y_nullcline: Vec<f64>,
    /// Height of the zero band of the membrane word's change (the dead zone).
    pub x_band: Vec<f64>,
    pub y_band: Vec<f64>,
}

/// A fixed point of the twin (real values of the raw words).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwinFixedPoint {
    pub x: f64,
    pub y: f64,
    pub stable: bool,
}

/// A twin fixed point next to the nearest f64 fixed point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedPointShift {
    pub twin: TwinFixedPoint,
    /// The f64 fixed point's position and class (`None` if the f64 model has none).
    pub f64_x: Option<f64>,
    pub f64_y: Option<f64>,
    pub f64_class: Option<super::FpClass>,
    pub shift_x: Option<f64>,
    pub shift_y: Option<f64>,
}

/// The twin's phase plane against the f64 model's at one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwinComparison {
    pub format: String,
    pub input: f64,
    /// The input as the twin sees it (quantised).
    pub input_quantised: f64,
    pub nullclines: TwinNullclines,
    pub fixed_points: Vec<FixedPointShift>,
    /// Largest `|y_twin - y_f64|` of each nullcline over the columns where both exist.
    pub max_shift_x_nullcline: f64,
    pub max_shift_y_nullcline: f64,
    /// Largest zero-band height of each nullcline.
    pub max_band_x: f64,
    pub max_band_y: f64,
}

/// Compare the twin's phase plane with the f64 model's at `input` on `n` columns.
pub fn compare_at(
    pp: &PhasePlane,
    twin: &FixedModel,
    format: &str,
    win: &Window,
    input: f64,
    n: usize,
    check_steps: usize,
) -> TwinComparison {
    let tp = TwinPlane::new(twin);
    let nc = tp.nullclines(win, input, n);
    let mut sx: f64 = 0.0;
    let mut sy: f64 = 0.0;
    for (k, &x) in nc.x.iter().enumerate() {
        if let Some(y) = pp.solve_y(x, input, 0) {
            if nc.x_nullcline[k].is_finite() {
                sx = sx.max((nc.x_nullcline[k] - y).abs());
            }
        }
        if let Some(y) = pp.solve_y(x, input, 1) {
            if nc.y_nullcline[k].is_finite() {
                sy = sy.max((nc.y_nullcline[k] - y).abs());
            }
        }
    }
    let fmax = |v: &[f64]| {
        v.iter()
            .filter(|x| x.is_finite())
            .fold(0.0f64, |m, &x| m.max(x))
    };
    let f64_fps = fixed_points(pp, input, win);
    let fixed_points = tp
        .fixed_points(win, input, check_steps)
        .into_iter()
        .map(|t| {
            let near = f64_fps.iter().min_by(|a, b| {
                let da =
                    ((a.x - t.x) / win.x_span()).powi(2) + ((a.y - t.y) / win.y_span()).powi(2);
                let db =
                    ((b.x - t.x) / win.x_span()).powi(2) + ((b.y - t.y) / win.y_span()).powi(2);
                da.total_cmp(&db)
            });
            FixedPointShift {
                f64_x: near.map(|f| f.x),
                f64_y: near.map(|f| f.y),
                f64_class: near.map(|f| f.class),
                shift_x: near.map(|f| t.x - f.x),
                shift_y: near.map(|f| t.y - f.y),
                twin: t,
            }
        })
        .collect();
    let fin = twin.input_format();
    TwinComparison {
        format: format.to_string(),
        input,
        input_quantised: fin.to_f64(fin.quantize_saturating(input)),
        max_band_x: fmax(&nc.x_band),
        max_band_y: fmax(&nc.y_band),
        nullclines: nc,
        fixed_points,
        max_shift_x_nullcline: sx,
        max_shift_y_nullcline: sy,
    }
}

/// The onset protocol's timing (module doc).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Protocol {
    /// Time step (ms) of the twin and of the f64 reference (forward Euler).
    pub dt: f64,
    pub settle_ms: f64,
    pub ramp_ms: f64,
    pub hold_ms: f64,
}

impl Protocol {
    /// Defaults for a model: its default `dt`, 1000 ms settle, 500 ms ramp, 2000 ms hold.
    pub fn for_model(spec: &ModelSpec) -> Self {
        Protocol {
            dt: spec.info.default_dt_ms,
            settle_ms: 1000.0,
            ramp_ms: 500.0,
            hold_ms: 2000.0,
        }
    }
    fn n(&self, ms: f64) -> usize {
        (ms / self.dt).round().max(1.0) as usize
    }
}

/// Something the protocol can drive with a real input.
trait Drive {
    type State: Copy;
    fn start(&self) -> Self::State;
    /// Run `n` steps from `s` with input `input(k)`; the steps `k >= count_from` that spiked.
    fn run(
        &self,
        s: &mut Self::State,
        n: usize,
        input: &dyn Fn(usize) -> f64,
        count_from: usize,
    ) -> Vec<usize>;
}

struct F64Drive<'a>(&'a dyn Neuron, f64);
impl Drive for F64Drive<'_> {
    type State = [f64; MAX_STATE];
    fn start(&self) -> Self::State {
        self.0.initial_state()
    }
    fn run(
        &self,
        s: &mut Self::State,
        n: usize,
        input: &dyn Fn(usize) -> f64,
        count_from: usize,
    ) -> Vec<usize> {
        let mut st = Stepper::new(self.0, self.1, Method::Euler);
        (0..n)
            .filter(|&k| st.step(s, input(k)) && k >= count_from)
            .collect()
    }
}

struct TwinDrive<'a>(&'a FixedModel);
impl Drive for TwinDrive<'_> {
    type State = [i64; MAX_STATE];
    fn start(&self) -> Self::State {
        self.0.initial_state()
    }
    fn run(
        &self,
        s: &mut Self::State,
        n: usize,
        input: &dyn Fn(usize) -> f64,
        count_from: usize,
    ) -> Vec<usize> {
        (0..n)
            .filter(|&k| self.0.step(s, self.0.quantize_input(input(k))) && k >= count_from)
            .collect()
    }
}

/// Settle at `from`, ramp to `input`, hold: the number of spikes during the hold and their rate.
fn protocol_spikes<D: Drive>(
    d: &D,
    settled: D::State,
    from: f64,
    input: f64,
    p: &Protocol,
) -> (usize, f64) {
    let mut s = settled;
    let ramp = p.n(p.ramp_ms);
    let hold = p.n(p.hold_ms);
    let u = move |k: usize| {
        if k < ramp {
            from + (input - from) * (k + 1) as f64 / ramp as f64
        } else {
            input
        }
    };
    let k = d.run(&mut s, ramp + hold, &u, ramp);
    let times: Vec<f64> = k.iter().map(|&k| k as f64 * p.dt).collect();
    (times.len(), super::limit_cycle::rate_hz(&times))
}

fn settle<D: Drive>(d: &D, from: f64, p: &Protocol) -> D::State {
    let mut s = d.start();
    d.run(&mut s, p.n(p.settle_ms), &|_| from, usize::MAX);
    s
}

/// The firing onset found by the protocol, with the rates that decide the class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProtocolOnset {
    /// The lowest current that fires (at least two spikes in the hold).
    pub current: f64,
    /// Rate at the onset current (Hz).
    pub rate_at_onset_hz: f64,
    /// Rate 5 % of the range above the onset (Hz).
    pub rate_above_hz: f64,
    /// 1 when the rate starts near zero (`rate_at_onset < 0.3 rate_above`: a continuous f-I
    /// curve, Hodgkin's class 1), else 2 (onset at a finite rate).
    pub class: u8,
}

fn classify_onset(current: f64, r_on: f64, r_above: f64) -> ProtocolOnset {
    ProtocolOnset {
        current,
        rate_at_onset_hz: r_on,
        rate_above_hz: r_above,
        class: if r_on < 0.3 * r_above { 1 } else { 2 },
    }
}

/// Onset of repetitive firing of the f64 model (forward Euler at `p.dt`) in `from ..= to`.
pub fn onset_f64(n: &dyn Neuron, from: f64, to: f64, p: &Protocol) -> Option<ProtocolOnset> {
    let d = F64Drive(n, p.dt);
    let s0 = settle(&d, from, p);
    let run = |i: f64| protocol_spikes(&d, s0, from, i, p);
    if run(from).0 >= 2 || run(to).0 < 2 {
        return None;
    }
    let (mut lo, mut hi) = (from, to);
    while hi - lo > 1e-6 * (to - from) {
        let m = 0.5 * (lo + hi);
        if run(m).0 >= 2 {
            hi = m;
        } else {
            lo = m;
        }
    }
    let above = (hi + 0.05 * (to - from)).min(to);
    Some(classify_onset(hi, run(hi).1, run(above).1))
}

/// Onset of repetitive firing of the twin in `from ..= to`, to one input LSB.
pub fn onset_twin(twin: &FixedModel, from: f64, to: f64, p: &Protocol) -> Option<ProtocolOnset> {
    let d = TwinDrive(twin);
    let fin = twin.input_format();
    let s0 = settle(&d, from, p);
    let run = |raw: i64| protocol_spikes(&d, s0, from, fin.to_f64(raw as i128), p);
    let (mut lo, mut hi) = (
        fin.quantize_saturating(from) as i64,
        fin.quantize_saturating(to) as i64,
    );
    if run(lo).0 >= 2 || run(hi).0 < 2 {
        return None;
    }
    while hi - lo > 1 {
        let m = lo + (hi - lo) / 2;
        if run(m).0 >= 2 {
            hi = m;
        } else {
            lo = m;
        }
    }
    let onset = fin.to_f64(hi as i128);
    let above = fin.quantize_saturating((onset + 0.05 * (to - from)).min(to)) as i64;
    Some(classify_onset(onset, run(hi).1, run(above).1))
}

/// What to sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantConfig {
    /// Current range of the onset search.
    pub from: f64,
    pub to: f64,
    /// Candidate membrane formats, narrowest first.
    pub formats: Vec<QFormat>,
    /// Word overrides and multiplier variant (the membrane is replaced per candidate).
    pub base: FixedConfig,
    /// Relative tolerance on the onset current.
    pub tolerance: f64,
    pub protocol: Protocol,
    pub window: Option<Window>,
}

/// The default candidates for a model: `Qm.f` with the default's `m` and `f` from 8 below to 4
/// above its default (at least 1).
pub fn default_formats(spec: &ModelSpec) -> Result<Vec<QFormat>, AnalysisError> {
    let d: QFormat = spec
        .info
        .default_fixed
        .parse()
        .map_err(crate::error::ModelError::from)?;
    let lo = d.frac_bits.saturating_sub(8).max(1);
    Ok((lo..=d.frac_bits + 4)
        .filter_map(|f| QFormat::new(true, d.int_bits, f).ok())
        .collect())
}

/// The f64 reference of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F64Reference {
    /// Analytic onset (first bifurcation of the rest state) and its class.
    pub bifurcation_current: Option<f64>,
    pub bifurcation: Option<super::bifurcation::OnsetKind>,
    pub class: Option<u8>,
    /// Onset under the protocol (forward Euler at the twin's `dt`), with its class from the rates.
    pub protocol: Option<ProtocolOnset>,
    /// Fixed points at `from` and at the protocol onset (a drop means a fold took the rest).
    pub fixed_points_at_from: usize,
    pub fixed_points_at_onset: Option<usize>,
}

/// One candidate format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormatResult {
    pub format: String,
    /// Why the twin could not be built at this format.
    pub error: Option<String>,
    pub onset: Option<f64>,
    pub rate_at_onset_hz: Option<f64>,
    /// From the rates at onset, as for the f64 model's protocol onset.
    pub class: Option<u8>,
    /// `onset - f64 protocol onset`.
    pub shift: Option<f64>,
    /// `|shift| / |f64 bifurcation current|`.
    pub rel_shift: Option<f64>,
    pub keeps_class: bool,
    pub within_tolerance: bool,
    pub passes: bool,
    /// Fixed points of the twin at `from` and at its onset.
    pub fixed_points_at_from: usize,
    pub fixed_points_at_onset: Option<usize>,
    /// Largest nullcline shifts against the f64 model at `from` (recovery-word units).
    pub max_shift_x_nullcline: Option<f64>,
    pub max_shift_y_nullcline: Option<f64>,
}

/// The whole sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantSweep {
    pub model: String,
    pub from: f64,
    pub to: f64,
    pub tolerance: f64,
    pub protocol: Protocol,
    pub f64: F64Reference,
    pub formats: Vec<FormatResult>,
    /// The narrowest format from which every wider candidate passes.
    pub recommended: Option<String>,
}

/// Sweep the candidate formats of `spec` (module doc).
pub fn sweep_formats(spec: &ModelSpec, cfg: &QuantConfig) -> Result<QuantSweep, AnalysisError> {
    check_range("I", cfg.from, cfg.to, 1)?;
    if !(cfg.tolerance >= 0.0 && cfg.tolerance.is_finite()) {
        return Err(AnalysisError::BadValue {
            name: "tolerance".into(),
            value: cfg.tolerance,
            why: "must be a non-negative fraction, e.g. 0.01 for 1 %".into(),
        });
    }
    if cfg.formats.is_empty() {
        return Err(AnalysisError::BadValue {
            name: "formats".into(),
            value: 0.0,
            why: "no candidate format".into(),
        });
    }
    let mut spec = spec.clone();
    super::pin_initial_state(&mut spec)?;
    let win = match cfg.window {
        Some(w) => w,
        None => default_window(&spec)?,
    };
    let pp = PhasePlane::with_window(&spec, &win)?;
    let n = spec.neuron()?;
    let p = &cfg.protocol;
    // f64 reference
    let fam = Family::new(&spec, "I", 0.0, win)?;
    let bif = scan(
        &fam,
        &ScanConfig {
            from: cfg.from,
            to: cfg.to,
            steps: 200,
            cycles: None,
        },
    )?;
    let count = |i: f64| fixed_points(&pp, i, &win).len();
    let protocol = onset_f64(n.as_ref(), cfg.from, cfg.to, p);
    let protocol_onset = protocol.map(|o| o.current);
    let protocol_class = protocol.map(|o| o.class);
    let reference = F64Reference {
        bifurcation_current: bif.onset.as_ref().map(|o| o.p),
        bifurcation: bif.onset.as_ref().map(|o| o.kind),
        class: bif.class,
        protocol,
        fixed_points_at_from: count(cfg.from),
        fixed_points_at_onset: protocol_onset.map(count),
    };
    let scale = reference
        .bifurcation_current
        .or(protocol_onset)
        .map(f64::abs)
        .filter(|s| *s > 1e-12);
    let check_steps = p.n(500.0);
    let mut results = Vec::new();
    for fmt in &cfg.formats {
        let mut fc = cfg.base.clone();
        fc.membrane = *fmt;
        let name = fmt.to_string();
        let twin = match spec.fixed(p.dt, Method::Euler, &fc) {
            Ok(t) => t,
            Err(e) => {
                results.push(FormatResult {
                    format: name,
                    error: Some(e.to_string()),
                    onset: None,
                    rate_at_onset_hz: None,
                    class: None,
                    shift: None,
                    rel_shift: None,
                    keeps_class: false,
                    within_tolerance: false,
                    passes: false,
                    fixed_points_at_from: 0,
                    fixed_points_at_onset: None,
                    max_shift_x_nullcline: None,
                    max_shift_y_nullcline: None,
                });
                continue;
            }
        };
        let tp = TwinPlane::new(&twin);
        let cmp = compare_at(&pp, &twin, &name, &win, cfg.from, 400, check_steps);
        let fp_from = tp.fixed_points(&win, cfg.from, 0).len();
        let tw = onset_twin(&twin, cfg.from, cfg.to, p);
        let onset = tw.map(|o| o.current);
        let fp_onset = onset.map(|i| tp.fixed_points(&win, i, 0).len());
        let class = tw.map(|o| o.class);
        let shift = match (onset, protocol_onset) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        };
        let rel_shift = shift.map(|s| match scale {
            Some(sc) => s.abs() / sc,
            None => s.abs(),
        });
        let keeps_class = class.is_some() && class == protocol_class;
        let within_tolerance = rel_shift.is_some_and(|r| r <= cfg.tolerance);
        results.push(FormatResult {
            format: name,
            error: None,
            onset,
            rate_at_onset_hz: tw.map(|o| o.rate_at_onset_hz),
            class,
            shift,
            rel_shift,
            keeps_class,
            within_tolerance,
            passes: keeps_class && within_tolerance,
            fixed_points_at_from: fp_from,
            fixed_points_at_onset: fp_onset,
            max_shift_x_nullcline: Some(cmp.max_shift_x_nullcline),
            max_shift_y_nullcline: Some(cmp.max_shift_y_nullcline),
        });
    }
    // narrowest from which all wider pass (candidates sorted by fraction bits)
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by_key(|&k| cfg.formats[k].width());
    let mut recommended = None;
    for (pos, &k) in order.iter().enumerate() {
        if order[pos..].iter().all(|&j| results[j].passes) {
            recommended = Some(results[k].format.clone());
            break;
        }
    }
    Ok(QuantSweep {
        model: spec.info.name.to_string(),
        from: cfg.from,
        to: cfg.to,
        tolerance: cfg.tolerance,
        protocol: *p,
        f64: reference,
        formats: results,
        recommended,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fhn_twin_nullclines_follow_the_f64_ones() {
        let spec = ModelSpec::new("fhn", None).unwrap();
        let win = default_window(&spec).unwrap();
        let pp = PhasePlane::new(&spec).unwrap();
        let twin = spec
            .fixed(
                0.05,
                Method::Euler,
                &FixedConfig::new("Q3.12".parse().unwrap()),
            )
            .unwrap();
        let c = compare_at(&pp, &twin, "Q3.12", &win, 0.0, 200, 10_000);
        assert!(
            c.max_shift_x_nullcline < 0.01,
            "{}",
            c.max_shift_x_nullcline
        );
        assert!(
            c.max_shift_y_nullcline < 0.01,
            "{}",
            c.max_shift_y_nullcline
        );
        assert_eq!(c.fixed_points.len(), 1);
        let f = &c.fixed_points[0];
        assert!(f.twin.stable);
        assert!(
            f.shift_x.unwrap().abs() < 0.01 && f.shift_y.unwrap().abs() < 0.01,
            "{f:?}"
        );
    }
}
