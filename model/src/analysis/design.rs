//! Nullcline-based design: state the nullclines and the wanted excitability class, get parameters
//! of the `nullcline` or `hasler` model, an account of which parameter moves which nullcline, and
//! a check by the analysis ([`super::bifurcation::scan`]).
//!
//! # The generic nullcline neuron (`nullcline`)
//! `dv/dt = (f(v) - w + I)/tau_v`, `dw/dt = (k (v - v0w) - w)/tau_w`. The V-nullcline is
//! `w = f(v) + I` (the input lifts it), the recovery nullcline the line `w = k (v - v0w)`. At a
//! fixed point `trace J = f'(v)/tau_v - 1/tau_w` and `det J = (k - f'(v))/(tau_v tau_w)`, so:
//! * **cubic** `f` (N-shaped, knees `(vL, wL)` and `(vR, wR)`): with `k > max f'` there is one
//!   fixed point; raising `I` moves it up the left branch onto the middle one, where it loses
//!   stability in a Hopf bifurcation at `f'(v) = tau_v/tau_w`: **class 2** (needs
//!   `tau_w > tau_v / max f'`). A shallower line crosses three times, but the third crossing
//!   (`f' < k < tau_v/tau_w`) is then always stable, so the saddle-node is off the invariant
//!   circle: a cubic with a linear recovery nullcline cannot be class 1 (the designer says so).
//!   Same for the **piecewise-linear** shape (slopes `sl`, `sm`, `sr`).
//! * **quadratic** `f = a (v - vv)^2 + wv` (with the reset of the integrate-and-fire form): the
//!   line crosses twice (node and saddle), which merge at `f'(v) = k`. The rest state reaches that
//!   fold still stable when `k tau_w < tau_v`: **class 1** (saddle-node; the reset closes the
//!   orbit). With `k tau_w > tau_v` it first loses stability in a Hopf bifurcation at
//!   `f'(v) = tau_v/tau_w`: **class 2**.
//!
//! Parameters: `c0..c3` (or `vl vr sl sm sr`) from the knees / vertex, `k` from the slope, `v0w`
//! so that the line crosses the V-nullcline at the requested rest potential at `I = 0`, and `tau_w`
//! chosen for the class when not given.
//!
//! # The silicon neuron (`hasler`)
//! Its V-nullcline (`gL`, `EL`, `gNa`, `Vm`, `km`, `ENa`, `gK`, `EK`) is N-shaped; the recovery
//! nullcline is the sigmoid `n_inf(V)` placed by `Vn` (half-activation) and `kn` (slope). A
//! high-threshold potassium sigmoid (`Vn` to the right) crosses the V-nullcline three times and
//! the rest state ends in a saddle-node on the invariant circle (class 1); a low-threshold one
//! (`Vn` to the left) crosses once and the rest state ends in a Hopf bifurcation (class 2). The
//! designer starts from the matching bias set (`type1` / `type2`), applies the stated recovery
//! sigmoid, solves `EL` (closed form) for the requested rest potential, and, if the analysis then
//! shows the other class and `Vn` was not fixed by the user, moves `Vn` in 2.5 mV steps towards
//! the wanted class until the analysis agrees.
use super::bifurcation::{scan, OnsetKind, ScanConfig};
use super::fixed_points::fixed_points;
use super::nullcline::{knees, nullclines};
use super::{AnalysisError, Family, PhasePlane, Window};
use crate::registry::ModelSpec;
use serde::Serialize;
use std::collections::BTreeMap;

/// The shape of the membrane (V-) nullcline of the `nullcline` model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "shape")]
pub enum VShape {
    /// N-shaped cubic with a local minimum `left_knee` and a local maximum `right_knee`.
    Cubic {
        left_knee: (f64, f64),
        right_knee: (f64, f64),
    },
    /// Three segments through the knees, with the outer slopes (negative for an N shape).
    Pwl {
        left_knee: (f64, f64),
        right_knee: (f64, f64),
        outer_slopes: (f64, f64),
    },
    /// `a (v - vertex.0)^2 + vertex.1`, `a = curvature > 0`.
    Quadratic { vertex: (f64, f64), curvature: f64 },
}

/// Reset of the integrate-and-fire form (quadratic shape).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResetSpec {
    pub v_peak: f64,
    pub v_reset: f64,
    pub d: f64,
}

/// A design of the `nullcline` model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NullclineDesign {
    pub v_nullcline: VShape,
    /// Slope `k` of the recovery nullcline `w = k (v - v0w)`.
    pub recovery_slope: f64,
    /// Rest potential at `I = 0` (where the recovery line crosses the V-nullcline).
    pub rest: f64,
    /// Wanted class, 1 or 2.
    pub class: u8,
    pub tau_v: f64,
    /// `None`: chosen for the class.
    pub tau_w: Option<f64>,
    /// Quadratic shape: the reset (`None`: defaults, see [`design`]).
    pub reset: Option<ResetSpec>,
}

/// A design of the `hasler` silicon neuron.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct HaslerDesign {
    pub class: u8,
    /// Rest potential at `I = 0` (mV); `None`: the bias set's own.
    pub rest: Option<f64>,
    /// Half-activation `Vn` of the recovery sigmoid (mV); `None`: chosen.
    pub recovery_half: Option<f64>,
    /// Slope factor `kn` of the recovery sigmoid (mV).
    pub recovery_slope: Option<f64>,
    /// `tau_n` (ms).
    pub tau_n: Option<f64>,
}

/// What to design.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "model")]
pub enum DesignSpec {
    Nullcline(NullclineDesign),
    Hasler(HaslerDesign),
}

/// Which nullcline a parameter moves, measured by perturbing it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamRole {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// `V-nullcline`, `recovery nullcline`, `both nullclines`, `time scale only` or `neither`.
    pub moves: &'static str,
    /// Mean `|dy|` of each nullcline per unit of the parameter (window columns at `I = 0`).
    pub dx_nullcline: f64,
    pub dy_nullcline: f64,
    pub doc: &'static str,
}

/// The analysis of a design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignCheck {
    pub wanted_class: u8,
    pub class: Option<u8>,
    pub ok: bool,
    pub onset: Option<OnsetKind>,
    pub onset_current: Option<f64>,
    pub hopf: Vec<f64>,
    pub saddle_node: Vec<f64>,
    /// The stable fixed point at `I = 0` (lowest `x`).
    pub rest: Option<(f64, f64)>,
    /// The knees (local extrema) of the V-nullcline at `I = 0`.
    pub knees: Vec<(f64, f64)>,
    /// Slope of the recovery nullcline at the rest point.
    pub recovery_slope_at_rest: Option<f64>,
    /// The scanned current range.
    pub scan: (f64, f64),
}

/// A finished design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Design {
    pub model: &'static str,
    /// The bias set the design started from (`hasler`).
    pub preset: Option<String>,
    pub params: BTreeMap<String, f64>,
    /// A phase-plane window that shows the design.
    pub window: Window,
    pub roles: Vec<ParamRole>,
    pub check: DesignCheck,
    pub notes: Vec<String>,
}

impl Design {
    /// The designed model as a [`ModelSpec`].
    pub fn spec(&self) -> Result<ModelSpec, AnalysisError> {
        let mut s = ModelSpec::new(self.model, self.preset.as_deref())?;
        for (k, v) in &self.params {
            s.set(k, *v)?;
        }
        Ok(s)
    }
}

fn infeasible(s: String) -> AnalysisError {
    AnalysisError::Infeasible(s)
}

/// Design a neuron (module doc). Errors explain why a request cannot be met.
pub fn design(spec: &DesignSpec) -> Result<Design, AnalysisError> {
    match spec {
        DesignSpec::Nullcline(d) => design_nullcline(d),
        DesignSpec::Hasler(d) => design_hasler(d),
    }
}

fn check_class(c: u8) -> Result<(), AnalysisError> {
    if c == 1 || c == 2 {
        Ok(())
    } else {
        Err(AnalysisError::BadValue {
            name: "class".into(),
            value: c as f64,
            why: "must be 1 (saddle-node onset) or 2 (Hopf onset)".into(),
        })
    }
}

fn finite(name: &str, v: f64) -> Result<f64, AnalysisError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(AnalysisError::BadValue {
            name: name.into(),
            value: v,
            why: "not a finite number".into(),
        })
    }
}

/// `f`, `f'`, the largest slope and an `x` range of a V-nullcline.
type Shape = (
    Box<dyn Fn(f64) -> f64>,
    Box<dyn Fn(f64) -> f64>,
    f64,
    f64,
    f64,
);

fn design_nullcline(d: &NullclineDesign) -> Result<Design, AnalysisError> {
    check_class(d.class)?;
    let k = finite("recovery slope", d.recovery_slope)?;
    let rest = finite("rest", d.rest)?;
    let tau_v = d.tau_v;
    if !(tau_v > 0.0 && tau_v.is_finite()) {
        return Err(AnalysisError::BadValue {
            name: "tau_v".into(),
            value: tau_v,
            why: "must be positive".into(),
        });
    }
    if let Some(t) = d.tau_w {
        if !(t > 0.0 && t.is_finite()) {
            return Err(AnalysisError::BadValue {
                name: "tau_w".into(),
                value: t,
                why: "must be positive".into(),
            });
        }
    }
    let mut p: BTreeMap<String, f64> = BTreeMap::new();
    let mut notes = Vec::new();
    // f, f' and the largest slope of the V-nullcline
    let (f, fp, fpmax, lo, hi): Shape = match d.v_nullcline {
        VShape::Cubic {
            left_knee: (vl, wl),
            right_knee: (vr, wr),
        }
        | VShape::Pwl {
            left_knee: (vl, wl),
            right_knee: (vr, wr),
            ..
        } => {
            for (n, v) in [
                ("left knee v", vl),
                ("left knee w", wl),
                ("right knee v", vr),
            ] {
                finite(n, v)?;
            }
            finite("right knee w", wr)?;
            if vl >= vr || wl >= wr {
                return Err(infeasible(format!(
                    "an N-shaped V-nullcline needs the left knee (a minimum) below and left of \
                         the right knee (a maximum); got ({vl}, {wl}) and ({vr}, {wr})"
                )));
            }
            if d.class == 1 {
                return Err(infeasible(
                    "class 1 is not reachable with an N-shaped (cubic or piecewise-linear) \
                         V-nullcline and a linear recovery nullcline: where the line crosses three \
                         times, the third fixed point has f' < k < tau_v/tau_w and is stable, so \
                         the saddle-node is off the invariant circle. Use a quadratic V-nullcline \
                         (integrate-and-fire reset) or the hasler model with a high-threshold \
                         recovery sigmoid"
                        .into(),
                ));
            }
            let span = vr - vl;
            match d.v_nullcline {
                VShape::Cubic { .. } => {
                    let c3 = -2.0 * (wr - wl) / span.powi(3);
                    let c2 = -1.5 * c3 * (vl + vr);
                    let c1 = 3.0 * c3 * vl * vr;
                    let c0 = wl - (c1 * vl + c2 * vl * vl + c3 * vl.powi(3));
                    for (n, v) in [
                        ("shape", 0.0),
                        ("c0", c0),
                        ("c1", c1),
                        ("c2", c2),
                        ("c3", c3),
                    ] {
                        p.insert(n.into(), v);
                    }
                    let fpmax = -0.75 * c3 * span * span;
                    (
                        Box::new(move |v| c0 + v * (c1 + v * (c2 + v * c3))),
                        Box::new(move |v| c1 + v * (2.0 * c2 + 3.0 * c3 * v)),
                        fpmax,
                        vl - span,
                        vr + span,
                    )
                }
                VShape::Pwl {
                    outer_slopes: (sl, sr),
                    ..
                } => {
                    finite("left slope", sl)?;
                    finite("right slope", sr)?;
                    let sm = (wr - wl) / span;
                    if sl >= sm || sr >= sm {
                        return Err(infeasible(format!(
                            "the outer slopes ({sl}, {sr}) must be below the middle slope {sm} \
                                 for knees at the breakpoints"
                        )));
                    }
                    let c0 = wl - sm * vl;
                    for (n, v) in [
                        ("shape", 1.0),
                        ("c0", c0),
                        ("vl", vl),
                        ("vr", vr),
                        ("sl", sl),
                        ("sm", sm),
                        ("sr", sr),
                    ] {
                        p.insert(n.into(), v);
                    }
                    let ff = move |v: f64| {
                        c0 + sm * v.clamp(vl, vr) + sl * (v - vl).min(0.0) + sr * (v - vr).max(0.0)
                    };
                    let fd = move |v: f64| {
                        if v < vl {
                            sl
                        } else if v > vr {
                            sr
                        } else {
                            sm
                        }
                    };
                    (Box::new(ff), Box::new(fd), sm, vl - span, vr + span)
                }
                VShape::Quadratic { .. } => unreachable!(),
            }
        }
        VShape::Quadratic {
            vertex: (vv, wv),
            curvature: a,
        } => {
            finite("vertex v", vv)?;
            finite("vertex w", wv)?;
            if !(a > 0.0 && a.is_finite()) {
                return Err(infeasible(format!(
                    "the quadratic V-nullcline needs a positive curvature (a U shape), got {a}"
                )));
            }
            let (c0, c1, c2) = (a * vv * vv + wv, -2.0 * a * vv, a);
            for (n, v) in [
                ("shape", 0.0),
                ("c0", c0),
                ("c1", c1),
                ("c2", c2),
                ("c3", 0.0),
            ] {
                p.insert(n.into(), v);
            }
            let scale = (vv - rest).abs().max(1.0 / a.sqrt());
            (
                Box::new(move |v| a * (v - vv) * (v - vv) + wv),
                Box::new(move |v| 2.0 * a * (v - vv)),
                f64::INFINITY,
                vv - 3.0 * scale,
                vv + 3.0 * scale,
            )
        }
    };
    if k == 0.0 {
        return Err(infeasible(
            "a recovery slope of 0 makes w constant at rest; give a non-zero --slope".into(),
        ));
    }
    let quadratic = matches!(d.v_nullcline, VShape::Quadratic { .. });
    // tau_w for the class
    let tau_w = match (quadratic, d.class, d.tau_w) {
        (false, _, t) => {
            if k <= fpmax {
                return Err(infeasible(format!(
                    "for class 2 the recovery nullcline must be steeper than the V-nullcline's \
                     steepest slope ({fpmax:.4}) so that there is one fixed point; got slope {k}"
                )));
            }
            let t = t.unwrap_or(15.625 * tau_v / fpmax);
            if t <= tau_v / fpmax {
                return Err(infeasible(format!(
                    "tau_w = {t} is too fast: the Hopf bifurcation needs tau_w > tau_v / max f' = \
                     {:.4}",
                    tau_v / fpmax
                )));
            }
            t
        }
        (true, 1, t) => {
            let t = t.unwrap_or(if k > 0.0 {
                0.5 * tau_v / k
            } else {
                10.0 * tau_v
            });
            if k * t >= tau_v {
                return Err(infeasible(format!(
                    "class 1 needs k tau_w < tau_v (the rest state must reach the saddle-node \
                     still stable); k tau_w = {} >= tau_v = {tau_v}: use tau_w < {}",
                    k * t,
                    tau_v / k
                )));
            }
            t
        }
        (true, _, t) => {
            if k <= 0.0 {
                return Err(infeasible(format!(
                    "class 2 with a quadratic V-nullcline needs a rising recovery nullcline \
                     (k > 0, so that k tau_w > tau_v is possible); got k = {k}"
                )));
            }
            let t = t.unwrap_or(2.0 * tau_v / k);
            if k * t <= tau_v {
                return Err(infeasible(format!(
                    "class 2 with a quadratic V-nullcline needs k tau_w > tau_v (a Hopf bifurcation \
                     before the saddle-node); k tau_w = {} <= {tau_v}: use tau_w > {}",
                    k * t,
                    tau_v / k
                )));
            }
            t
        }
    };
    // the rest point must be a stable crossing
    let trace = fp(rest) / tau_v - 1.0 / tau_w;
    let det = (k - fp(rest)) / (tau_v * tau_w);
    if !(trace < 0.0 && det > 0.0) {
        return Err(infeasible(format!(
            "the requested rest potential {rest} is not a stable fixed point with these nullclines \
             (slope of the V-nullcline there {:.4}, recovery slope {k}, tau_v/tau_w {:.4}); move \
             it to the left (outer) branch",
            fp(rest),
            tau_v / tau_w
        )));
    }
    let v0w = rest - f(rest) / k;
    p.insert("k".into(), k);
    p.insert("v0w".into(), v0w);
    p.insert("tau_v".into(), tau_v);
    p.insert("tau_w".into(), tau_w);
    p.insert("v0".into(), rest);
    p.insert("w0".into(), f(rest));
    let (mut lo, mut hi) = (lo.min(rest - 1.0), hi.max(rest + 1.0));
    if quadratic {
        let (vv, a) = match d.v_nullcline {
            VShape::Quadratic {
                vertex, curvature, ..
            } => (vertex.0, curvature),
            _ => unreachable!(),
        };
        let scale = (vv - rest).abs().max(1.0 / a.sqrt());
        let r = d.reset.unwrap_or(ResetSpec {
            v_peak: vv + 3.0 * scale,
            v_reset: rest,
            d: 0.0,
        });
        if r.v_reset >= r.v_peak {
            return Err(infeasible(format!(
                "v_reset {} must be below v_peak {}",
                r.v_reset, r.v_peak
            )));
        }
        p.insert("reset".into(), 1.0);
        p.insert("v_peak".into(), r.v_peak);
        p.insert("v_reset".into(), r.v_reset);
        p.insert("d".into(), r.d);
        hi = hi.max(r.v_peak);
        lo = lo.min(r.v_reset - 0.5 * scale);
    } else {
        p.insert("reset".into(), 0.0);
        let (vl, vr) = match d.v_nullcline {
            VShape::Cubic {
                left_knee,
                right_knee,
            }
            | VShape::Pwl {
                left_knee,
                right_knee,
                ..
            } => (left_knee.0, right_knee.0),
            _ => unreachable!(),
        };
        // spike detection between the knees' levels, scaled to the design
        p.insert("v_th".into(), vr);
        p.insert("v_rearm".into(), 0.5 * (vl + vr));
    }
    // window: x range; y from the nullclines over it
    let ys: Vec<f64> = super::grid(lo, hi, 200)
        .into_iter()
        .flat_map(|v| [f(v), k * (v - v0w)])
        .filter(|y| y.is_finite())
        .collect();
    let (ylo, yhi) = ys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    let ypad = 0.1 * (yhi - ylo).max(1e-6);
    let mut ylo = ylo - ypad;
    let mut yhi = yhi + ypad;
    // keep the interesting part: clip the far ends of the cubic branches
    let fr = [f(lo), f(hi)];
    let (wmin, wmax) = (f(rest).min(k * (rest - v0w)), f(rest).max(k * (rest - v0w)));
    if !quadratic {
        let knee_span = (fr[0] - fr[1]).abs();
        ylo = ylo.max(wmin - knee_span);
        yhi = yhi.min(wmax + 2.0 * knee_span);
    }
    let window = Window::new((lo, hi), (ylo, yhi))?;
    let mut spec = ModelSpec::new("nullcline", None)?;
    for (n, v) in &p {
        spec.set(n, *v)?;
    }
    notes.push(format!(
        "tau_w = {tau_w:.6} ({})",
        if d.tau_w.is_some() {
            "as given"
        } else {
            "chosen for the class"
        }
    ));
    // predicted onset current: Hopf at f' = tau_v/tau_w, fold at f' = k
    let target_slope = if quadratic && d.class == 1 {
        k
    } else {
        tau_v / tau_w
    };
    let vb = solve_increasing(&fp, rest, hi, target_slope).unwrap_or(hi);
    let i_pred = k * (vb - v0w) - f(vb);
    let to = (2.0 * i_pred).max(i_pred + 0.5);
    let check = check_design(&spec, &window, d.class, 0.0_f64.min(i_pred - 1.0), to)?;
    finish("nullcline", None, p, spec, window, check, notes)
}

/// The `v` in `a ..= b` where the increasing-in-that-range `g` reaches `target` (bisection).
fn solve_increasing(g: &dyn Fn(f64) -> f64, a: f64, b: f64, target: f64) -> Option<f64> {
    if g(a) >= target || g(b) < target {
        return None;
    }
    Some(super::bisect(a, b, 1e-14, 0.0, |v| g(v) >= target))
}

fn design_hasler(d: &HaslerDesign) -> Result<Design, AnalysisError> {
    check_class(d.class)?;
    let preset = if d.class == 1 { "type1" } else { "type2" };
    let mut p: BTreeMap<String, f64> = BTreeMap::new();
    if let Some(v) = d.recovery_half {
        p.insert("Vn".into(), finite("recovery half-activation", v)?);
    }
    if let Some(v) = d.recovery_slope {
        if !(v > 0.0 && v.is_finite()) {
            return Err(AnalysisError::BadValue {
                name: "recovery slope factor kn".into(),
                value: v,
                why: "must be positive".into(),
            });
        }
        p.insert("kn".into(), v);
    }
    if let Some(v) = d.tau_n {
        if !(v > 0.0 && v.is_finite()) {
            return Err(AnalysisError::BadValue {
                name: "tau_n".into(),
                value: v,
                why: "must be positive".into(),
            });
        }
        p.insert("tau_n".into(), v);
    }
    let mut notes = vec![format!("started from the {preset} bias set")];
    let base = ModelSpec::new("hasler", Some(preset))?;
    let build = |p: &BTreeMap<String, f64>| -> Result<ModelSpec, AnalysisError> {
        let mut s = base.clone();
        for (k, v) in p {
            s.set(k, *v)?;
        }
        if let Some(rest) = d.rest {
            let rest = finite("rest", rest)?;
            let h = crate::neuron::hasler::Hasler::from_table(&{
                let mut t = s.params.clone();
                t.set("V0", rest)?;
                t
            })?;
            let gl = h.gl_ms_cm2;
            if gl == 0.0 {
                return Err(infeasible(
                    "gL = 0: the rest potential cannot be placed by EL".into(),
                ));
            }
            // steady current zero at V = rest:  EL = V + (i_Na + gK n_inf (V - EK)) / gL
            let el = rest + (h.i_na(rest) + h.gk_ms_cm2 * h.n_inf(rest) * (rest - h.ek_mv)) / gl;
            s.set("EL", el)?;
        }
        Ok(s)
    };
    let window = Window::new((-90.0, 20.0), (-0.05, 1.05))?;
    let (from, to) = (0.0, 100.0);
    let mut spec = build(&p)?;
    let mut check = check_design(&spec, &window, d.class, from, to)?;
    if !check.ok && d.recovery_half.is_none() {
        // move the recovery sigmoid towards the wanted class
        let step = if d.class == 1 { 2.5 } else { -2.5 };
        let mut vn = spec.params.get("Vn").unwrap_or(-25.0);
        for _ in 0..16 {
            vn += step;
            p.insert("Vn".into(), vn);
            let s = match build(&p) {
                Ok(s) => s,
                Err(_) => continue,
            };
            let c = match check_design(&s, &window, d.class, from, to) {
                Ok(c) => c,
                Err(_) => continue,
            };
            if c.ok {
                notes.push(format!(
                    "moved the recovery sigmoid's half-activation Vn to {vn} mV to get class {}",
                    d.class
                ));
                spec = s;
                check = c;
                break;
            }
        }
    }
    if !check.ok {
        return Err(infeasible(format!(
            "the analysis gives class {} instead of {} for these nullclines{}",
            check
                .class
                .map_or("none (no onset in 0..100 uA/cm^2)".to_string(), |c| c
                    .to_string()),
            d.class,
            if d.recovery_half.is_some() {
                format!(
                    "; move the recovery half-activation {} (Vn {} for class {})",
                    if d.class == 1 { "up" } else { "down" },
                    if d.class == 1 { "higher" } else { "lower" },
                    d.class
                )
            } else {
                String::new()
            }
        )));
    }
    // report every parameter that differs from the defaults, plus the placed ones
    let mut params = BTreeMap::new();
    for info in spec.params.infos() {
        if let Some(v) = spec.params.get(info.name) {
            if info.default != Some(v) || p.contains_key(info.name) || info.name == "EL" {
                params.insert(info.name.to_string(), v);
            }
        }
    }
    finish(
        "hasler",
        Some(preset.to_string()),
        params,
        spec,
        window,
        check,
        notes,
    )
}

fn finish(
    model: &'static str,
    preset: Option<String>,
    params: BTreeMap<String, f64>,
    spec: ModelSpec,
    window: Window,
    check: DesignCheck,
    notes: Vec<String>,
) -> Result<Design, AnalysisError> {
    let roles = param_roles(&spec, &window)?;
    // no "-0" in the output
    let params = params.into_iter().map(|(k, v)| (k, v + 0.0)).collect();
    Ok(Design {
        model,
        preset,
        params,
        window,
        roles,
        check,
        notes,
    })
}

/// Analyse a candidate: class from a scan of `I` over `from ..= to`, rest point, knees, slope.
pub fn check_design(
    spec: &ModelSpec,
    win: &Window,
    wanted: u8,
    from: f64,
    to: f64,
) -> Result<DesignCheck, AnalysisError> {
    let fam = Family::new(spec, "I", 0.0, *win)?;
    let b = scan(
        &fam,
        &ScanConfig {
            from,
            to,
            steps: 200,
            cycles: None,
        },
    )?;
    let pp = PhasePlane::with_window(spec, win)?;
    let rest = fixed_points(&pp, 0.0, win)
        .into_iter()
        .find(|f| f.class.is_stable())
        .map(|f| (f.x, f.y));
    let slope = rest.and_then(|(x, _)| {
        let h = 1e-6 * win.x_span();
        let a = pp.solve_y(x - h, 0.0, 1)?;
        let c = pp.solve_y(x + h, 0.0, 1)?;
        Some((c - a) / (2.0 * h))
    });
    Ok(DesignCheck {
        wanted_class: wanted,
        class: b.class,
        ok: b.class == Some(wanted),
        onset: b.onset.as_ref().map(|o| o.kind),
        onset_current: b.onset.as_ref().map(|o| o.p),
        hopf: b.hopf.iter().map(|h| h.p).collect(),
        saddle_node: b.saddle_node.iter().map(|f| f.p).collect(),
        rest,
        knees: knees(&pp, 0.0, win),
        recovery_slope_at_rest: slope,
        scan: (from, to),
    })
}

/// Parameters that only start, detect or reset spikes: no nullcline role.
const NO_ROLE: &[&str] = &[
    "v0",
    "w0",
    "V0",
    "n0",
    "u0",
    "v_th",
    "v_rearm",
    "V_th",
    "V_rearm",
    "shape",
    "reset",
    "v_peak",
    "v_reset",
    "d",
    "c",
    "Vcut",
    "Vr",
    "b_pa",
    "v_peak_mv",
];

/// For every parameter of `spec`, which nullcline it moves (by a 1 % perturbation, measured on the
/// window at `I = 0`).
pub fn param_roles(spec: &ModelSpec, win: &Window) -> Result<Vec<ParamRole>, AnalysisError> {
    let base = PhasePlane::with_window(spec, win)?;
    let n = 200;
    let nc0 = nullclines(&base, 0.0, win, n);
    let probe = (win.x.0 + 0.37 * win.x_span(), win.y.0 + 0.41 * win.y_span());
    let f0 = base.field(probe.0, probe.1, 0.0);
    let mut out = Vec::new();
    for info in spec.params.infos() {
        if NO_ROLE.contains(&info.name) {
            continue;
        }
        let Some(v) = spec.params.get(info.name) else {
            continue;
        };
        let dv = if v != 0.0 { 0.01 * v.abs() } else { 0.01 };
        let mut s = spec.clone();
        s.set(info.name, v + dv)?;
        let Ok(pp) = PhasePlane::with_window(&s, win) else {
            continue;
        };
        let nc = nullclines(&pp, 0.0, win, n);
        let mean = |a: &[f64], b: &[f64]| {
            let d: Vec<f64> = a
                .iter()
                .zip(b)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(x, y)| (x - y).abs())
                .collect();
            if d.is_empty() {
                0.0
            } else {
                d.iter().sum::<f64>() / d.len() as f64 / dv
            }
        };
        let dx = mean(&nc.x_nullcline, &nc0.x_nullcline);
        let dy = mean(&nc.y_nullcline, &nc0.y_nullcline);
        let tol = 1e-9 * win.y_span();
        let f1 = pp.field(probe.0, probe.1, 0.0);
        let moves = match (dx > tol, dy > tol) {
            (true, true) => "both nullclines",
            (true, false) => "V-nullcline",
            (false, true) => "recovery nullcline",
            (false, false) if f1 != f0 => "time scale only",
            _ => "neither",
        };
        out.push(ParamRole {
            name: info.name.to_string(),
            value: v + 0.0,
            unit: info.unit,
            moves,
            dx_nullcline: dx,
            dy_nullcline: dy,
            doc: info.doc,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fhn_by_its_nullclines() {
        let d = design(&DesignSpec::Nullcline(NullclineDesign {
            v_nullcline: VShape::Cubic {
                left_knee: (-1.0, -2.0 / 3.0),
                right_knee: (1.0, 2.0 / 3.0),
            },
            recovery_slope: 1.25,
            rest: crate::neuron::fhn::rest_point(0.7, 0.8).unwrap().0,
            class: 2,
            tau_v: 1.0,
            tau_w: None,
            reset: None,
        }))
        .unwrap();
        assert!((d.params["c1"] - 1.0).abs() < 1e-12);
        assert!((d.params["c3"] + 1.0 / 3.0).abs() < 1e-12);
        assert!((d.params["v0w"] + 0.7).abs() < 1e-9, "{:?}", d.params);
        assert!((d.params["tau_w"] - 15.625).abs() < 1e-12);
        assert!(d.check.ok, "{:?}", d.check);
        assert!((d.check.onset_current.unwrap() - 0.331281).abs() < 1e-5);
    }
}
