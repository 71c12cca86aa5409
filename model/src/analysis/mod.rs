//! Phase-plane and bifurcation analysis of the 2-D models, for the f64 model and for its fixed twin,
//! and a nullcline-based designer.
//!
//! # What is analysed
//! Every model whose [`Neuron::ode_dim`] is 2 and that is not a discrete-time model has a phase
//! plane: `izhikevich`, `adex`, `fhn`, `morris-lecar`, `hasler`, `nullcline`. The first two state
//! variables are the membrane (`x`, e.g. `v`, `V`) and the recovery variable (`y`, e.g. `w`, `u`,
//! `n`); trailing flags (the re-arm flag of threshold-crossing models) are held at their initial
//! value. `lif` (one variable) and `leaky` (discrete time) have no phase plane: [`PhasePlane::new`]
//! returns [`AnalysisError::NoPhasePlane`]. The vector field is the model's own
//! [`Neuron::derivative`]; the threshold and reset are not part of the field (they matter for the
//! simulations: limit cycles, f-I curves, trajectories).
//!
//! * [`mod@nullcline`]: the two nullclines as curves `y(x)`.
//! * [`mod@fixed_points`]: every fixed point in a window, its Jacobian, eigenvalues (nalgebra) and
//!   class (`stable-node`, `stable-focus`, `unstable-node`, `unstable-focus`, `saddle`, `center`).
//! * [`bifurcation`]: a parameter scan (the input current `I` or any model parameter) with
//!   saddle-node (fold) and Hopf points refined far below the grid step, the fixed-point branches
//!   with their stability, limit-cycle extrema, and the excitability class (1 or 2).
//! * [`limit_cycle`]: simulation-based limit-cycle detection (period, extrema, amplitude).
//! * [`fi`]: firing rate against current with up / down sweeps that continue from the previous end
//!   state (so that hysteresis shows).
//! * [`quantised`]: the same questions for the fixed-point twin (its step as a discrete map on raw
//!   integers), the shift against the f64 model, and a recommended membrane format.
//! * [`design`]: parameters of the `nullcline` and `hasler` models from stated nullcline shapes
//!   and the wanted class, checked by this analysis.
//!
//! # Assumption (true for every model in the crate)
//! Both derivatives are monotone (in fact affine) in the recovery variable `y` at fixed `x`, so each
//! nullcline is a graph `y(x)` found by a secant solve per `x`. The fixed points are the roots of the
//! one-dimensional function `h(x) = dx/dt(x, y_w(x))` along the recovery nullcline `y_w(x)`: all
//! sign changes on a fine grid, plus the close pairs that hide between two grid nodes (found from the
//! local extrema of `|h|`), each refined by bisection to full precision.
//!
//! This module does no I/O; the figures are drawn by `spikeforge-sim` (`phase.rs`).
use crate::error::ModelError;
use crate::neuron::{Neuron, MAX_STATE};
use crate::registry::ModelSpec;
use nalgebra::Matrix2;
use serde::Serialize;

pub mod bifurcation;
pub mod design;
pub mod fi;
pub mod fixed_points;
pub mod limit_cycle;
pub mod nullcline;
pub mod quantised;

pub use bifurcation::{scan, Bifurcations, ScanConfig};
pub use fi::{fi_curve, FiConfig, FiPoint, Sweep};
pub use fixed_points::{fixed_points, FixedPoint, FpClass};
pub use limit_cycle::{detect_cycle, CycleConfig, LimitCycle};
pub use nullcline::{nullclines, Nullclines};

/// Errors of the analysis.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error(
        "model {model} has no 2-D phase plane ({why}); phase-plane analysis needs one of: {valid}"
    )]
    NoPhasePlane {
        model: String,
        why: String,
        valid: String,
    },
    #[error("empty range for {name}: from {from} to {to} ({why})")]
    EmptyRange {
        name: String,
        from: f64,
        to: f64,
        why: String,
    },
    #[error("bad value for {name}: {value} ({why})")]
    BadValue {
        name: String,
        value: f64,
        why: String,
    },
    #[error("{0}")]
    Infeasible(String),
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// The models that have a 2-D phase plane, in CLI order.
pub const PHASE_PLANE_MODELS: &[&str] = &[
    "izhikevich",
    "adex",
    "fhn",
    "morris-lecar",
    "hasler",
    "nullcline",
];

/// A rectangle of the phase plane: `x` (membrane) from `x.0` to `x.1`, `y` (recovery) likewise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Window {
    /// A window; both ranges must be finite and non-empty.
    pub fn new(x: (f64, f64), y: (f64, f64)) -> Result<Self, AnalysisError> {
        for (name, (lo, hi)) in [("window x", x), ("window y", y)] {
            if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
                return Err(AnalysisError::EmptyRange {
                    name: name.into(),
                    from: lo,
                    to: hi,
                    why: "needs finite bounds with from < to".into(),
                });
            }
        }
        Ok(Window { x, y })
    }
    /// Width of the `x` range.
    pub fn x_span(&self) -> f64 {
        self.x.1 - self.x.0
    }
    /// Height of the `y` range.
    pub fn y_span(&self) -> f64 {
        self.y.1 - self.y.0
    }
    /// Whether `(x, y)` lies inside (bounds included, with a relative slack of 1e-9).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let sx = 1e-9 * self.x_span();
        let sy = 1e-9 * self.y_span();
        x >= self.x.0 - sx && x <= self.x.1 + sx && y >= self.y.0 - sy && y <= self.y.1 + sy
    }
}

/// The default window of a model (documented per model; the CLI's `--window` overrides it):
///
/// | model | x | y |
/// |---|---|---|
/// | `fhn` | `v` -2.5 .. 2.5 | `w` -1.5 .. 3 |
/// | `nullcline` | `v` -3 .. 3 (reset mode: -3 .. max(3, v_peak)) | `w` -3 .. 5 (reset mode: -3 .. 12) |
/// | `morris-lecar` | `V` -80 .. 60 mV | `w` -0.05 .. 1.05 |
/// | `hasler` | `V` -90 .. 20 mV | `n` -0.05 .. 1.05 |
/// | `izhikevich` | `v` -90 .. 30 mV | `u` -25 .. 15 |
/// | `adex` | `V` EL-25 .. Vcut mV | `w` -40 s .. 80 max(s, a/4) pA with s = max(1, gL/10 nS) |
pub fn default_window(spec: &ModelSpec) -> Result<Window, AnalysisError> {
    let p = &spec.params;
    let w = match spec.info.name {
        "fhn" => Window::new((-2.5, 2.5), (-1.5, 3.0))?,
        "nullcline" => {
            let reset = p.get("reset").unwrap_or(0.0) == 1.0;
            let vp = p.get("v_peak").unwrap_or(3.0);
            if reset {
                Window::new((-3.0, vp.max(3.0)), (-3.0, 12.0))?
            } else {
                Window::new((-3.0, 3.0), (-3.0, 5.0))?
            }
        }
        "morris-lecar" => Window::new((-80.0, 60.0), (-0.05, 1.05))?,
        "hasler" => Window::new((-90.0, 20.0), (-0.05, 1.05))?,
        "izhikevich" => Window::new((-90.0, 30.0), (-25.0, 15.0))?,
        "adex" => {
            let a = crate::neuron::adex::Adex::from_table(p)?;
            let scale = (a.gl_ns / 10.0).max(1.0);
            Window::new(
                (a.el_mv - 25.0, a.vcut_mv),
                (-40.0 * scale, 80.0 * scale.max(a.a_ns.abs() / 4.0)),
            )?
        }
        other => {
            let n = spec.neuron()?;
            let why = if n.discrete() {
                "it is a discrete-time model".to_string()
            } else {
                let d = n.ode_dim();
                format!("it has {d} ODE variable{}", if d == 1 { "" } else { "s" })
            };
            return Err(AnalysisError::NoPhasePlane {
                model: other.into(),
                why,
                valid: PHASE_PLANE_MODELS.join(" "),
            });
        }
    };
    Ok(w)
}

/// The phase plane of one f64 model: its vector field, Jacobian and nullcline solves.
pub struct PhasePlane {
    neuron: Box<dyn Neuron>,
    model: &'static str,
    names: [&'static str; 2],
    base: [f64; MAX_STATE],
    /// Finite-difference steps of the Jacobian per coordinate.
    h: [f64; 2],
    /// Bracket for the secant solves of `y` (the window's `y` range).
    y_bracket: (f64, f64),
}

impl std::fmt::Debug for PhasePlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhasePlane")
            .field("model", &self.model)
            .field("names", &self.names)
            .finish()
    }
}

impl PhasePlane {
    /// The phase plane of `spec`'s f64 model, with the model's default window as scale.
    pub fn new(spec: &ModelSpec) -> Result<Self, AnalysisError> {
        let win = default_window(spec)?;
        Self::with_window(spec, &win)
    }
    /// As [`PhasePlane::new`], with `win` setting the finite-difference scale and the `y` bracket.
    pub fn with_window(spec: &ModelSpec, win: &Window) -> Result<Self, AnalysisError> {
        let n = spec.neuron()?;
        Self::from_neuron(spec.info.name, n, win)
    }
    /// Wrap an f64 model; it must have two ODE variables and be continuous-time.
    pub fn from_neuron(
        model: &'static str,
        neuron: Box<dyn Neuron>,
        win: &Window,
    ) -> Result<Self, AnalysisError> {
        let no = |why: String| AnalysisError::NoPhasePlane {
            model: model.into(),
            why,
            valid: PHASE_PLANE_MODELS.join(" "),
        };
        if neuron.discrete() {
            return Err(no("it is a discrete-time model".into()));
        }
        if neuron.ode_dim() != 2 {
            return Err(no(format!(
                "it has {} ODE variable{}",
                neuron.ode_dim(),
                if neuron.ode_dim() == 1 { "" } else { "s" }
            )));
        }
        let names = neuron.state_names();
        let base = neuron.initial_state();
        Ok(PhasePlane {
            model,
            names: [names[0], names[1]],
            base,
            h: [1e-7 * win.x_span(), 1e-7 * win.y_span()],
            y_bracket: win.y,
            neuron,
        })
    }
    /// The model's name.
    pub fn model(&self) -> &'static str {
        self.model
    }
    /// Names of the two phase-plane variables (membrane, recovery).
    pub fn names(&self) -> [&'static str; 2] {
        self.names
    }
    /// The f64 model.
    pub fn neuron(&self) -> &dyn Neuron {
        self.neuron.as_ref()
    }
    /// A full state vector with `(x, y)` and the model's initial flags.
    pub fn state(&self, x: f64, y: f64) -> [f64; MAX_STATE] {
        let mut s = self.base;
        s[0] = x;
        s[1] = y;
        s
    }
    /// The vector field `(dx/dt, dy/dt)` (per ms) at input `input`.
    #[inline]
    pub fn field(&self, x: f64, y: f64, input: f64) -> [f64; 2] {
        let s = self.state(x, y);
        let mut d = [0.0; MAX_STATE];
        self.neuron.derivative(&s, input, &mut d);
        [d[0], d[1]]
    }
    /// The Jacobian of the field at `(x, y)` by central differences (steps `1e-7` of the window).
    pub fn jacobian(&self, x: f64, y: f64, input: f64) -> Matrix2<f64> {
        let hx = self.h[0].max(1e-9 * x.abs());
        let hy = self.h[1].max(1e-9 * y.abs());
        let fxp = self.field(x + hx, y, input);
        let fxm = self.field(x - hx, y, input);
        let fyp = self.field(x, y + hy, input);
        let fym = self.field(x, y - hy, input);
        Matrix2::new(
            (fxp[0] - fxm[0]) / (2.0 * hx),
            (fyp[0] - fym[0]) / (2.0 * hy),
            (fxp[1] - fxm[1]) / (2.0 * hx),
            (fyp[1] - fym[1]) / (2.0 * hy),
        )
    }
    /// The `y` where component `which` (0: `dx/dt`, 1: `dy/dt`) of the field vanishes at this `x`:
    /// a secant solve started on the window's `y` bracket (exact in one step for a field affine in
    /// `y`, as every model's is). `None` where the component does not depend on `y` or the solve
    /// fails.
    pub fn solve_y(&self, x: f64, input: f64, which: usize) -> Option<f64> {
        let f = |y: f64| self.field(x, y, input)[which];
        let (mut a, mut b) = self.y_bracket;
        let (mut fa, mut fb) = (f(a), f(b));
        let scale = fa.abs().max(fb.abs());
        if !(fa.is_finite() && fb.is_finite()) || scale == 0.0 {
            return None;
        }
        for _ in 0..40 {
            let d = fb - fa;
            if d == 0.0 || !d.is_finite() {
                return None;
            }
            let c = b - fb * (b - a) / d;
            if !c.is_finite() {
                return None;
            }
            let fc = f(c);
            if !fc.is_finite() {
                return None;
            }
            if fc.abs() <= 1e-14 * scale || (c - b).abs() <= 1e-15 * (c.abs() + 1e-300) {
                return Some(c);
            }
            a = b;
            fa = fb;
            b = c;
            fb = fc;
        }
        // a non-converging secant: not a graph over x here
        None
    }
    /// `dx/dt` along the recovery nullcline: zero at a fixed point (`None` off the nullcline).
    pub fn h(&self, x: f64, input: f64) -> Option<f64> {
        let y = self.solve_y(x, input, 1)?;
        let v = self.field(x, y, input)[0];
        v.is_finite().then_some(v)
    }
}

/// Fix the initial-state parameters (`v0`, `V0`, `w0`, `n0`, `u0`, ...) at their current derived
/// values, so that a parameter scan does not fail where the derived default (a rest point at
/// `I = 0`) stops existing. Only parameters that exist and are unset are pinned.
pub fn pin_initial_state(spec: &mut ModelSpec) -> Result<(), AnalysisError> {
    let n = spec.neuron()?;
    let init = n.initial_state();
    let names = n.state_names();
    let dim = n.ode_dim().min(names.len());
    for (i, name) in names.iter().enumerate().take(dim) {
        let p = format!("{name}0");
        let known = spec.params.infos().iter().any(|q| q.name == p);
        if known && spec.params.get(&p).is_none() {
            spec.set(&p, init[i])?;
        }
    }
    Ok(())
}

/// A parameter to scan: the input current `I` or a model parameter by name.
#[derive(Debug)]
pub struct Family {
    spec: ModelSpec,
    param: String,
    /// The input current when the parameter is not `I`.
    input: f64,
    window: Window,
    /// The plane for `I` scans (built once).
    fixed_plane: Option<PhasePlane>,
}

impl Family {
    /// A family of systems over `param` (`"I"` = the input current, otherwise a parameter of
    /// `spec`); `input` is the current used when `param` is not `I`.
    pub fn new(
        spec: &ModelSpec,
        param: &str,
        input: f64,
        window: Window,
    ) -> Result<Self, AnalysisError> {
        let mut spec = spec.clone();
        pin_initial_state(&mut spec)?;
        let is_input = param == "I";
        if !is_input && !spec.params.infos().iter().any(|p| p.name == param) {
            return Err(AnalysisError::Model(ModelError::UnknownParam {
                model: spec.info.name.into(),
                name: param.into(),
                valid: std::iter::once("I")
                    .chain(spec.params.infos().iter().map(|p| p.name))
                    .collect::<Vec<_>>()
                    .join(" "),
            }));
        }
        let fixed_plane = if is_input {
            Some(PhasePlane::with_window(&spec, &window)?)
        } else {
            // fail early (e.g. a model without a phase plane)
            PhasePlane::with_window(&spec, &window)?;
            None
        };
        Ok(Family {
            spec,
            param: param.into(),
            input,
            window,
            fixed_plane,
        })
    }
    /// The scanned parameter's name.
    pub fn param(&self) -> &str {
        &self.param
    }
    /// Whether the scanned parameter is the input current.
    pub fn is_input(&self) -> bool {
        self.fixed_plane.is_some()
    }
    /// The window.
    pub fn window(&self) -> &Window {
        &self.window
    }
    /// The model (initial state pinned).
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }
    /// Run `f` on the system at parameter value `p`.
    pub fn with<R>(
        &self,
        p: f64,
        f: impl FnOnce(&PhasePlane, f64) -> R,
    ) -> Result<R, AnalysisError> {
        match &self.fixed_plane {
            Some(pl) => Ok(f(pl, p)),
            None => {
                let mut s = self.spec.clone();
                s.set(&self.param, p)?;
                let pl = PhasePlane::with_window(&s, &self.window)?;
                Ok(f(&pl, self.input))
            }
        }
    }
    /// The f64 neuron at parameter value `p` and the input current to drive it with.
    pub fn neuron_at(&self, p: f64) -> Result<(Box<dyn Neuron>, f64), AnalysisError> {
        if self.is_input() {
            Ok((self.spec.neuron()?, p))
        } else {
            let mut s = self.spec.clone();
            s.set(&self.param, p)?;
            Ok((s.neuron()?, self.input))
        }
    }
}

/// Check a scan range: finite, `from < to`, at least one step.
pub fn check_range(name: &str, from: f64, to: f64, steps: usize) -> Result<(), AnalysisError> {
    if !(from.is_finite() && to.is_finite()) {
        return Err(AnalysisError::EmptyRange {
            name: name.into(),
            from,
            to,
            why: "bounds must be finite numbers".into(),
        });
    }
    if to <= from {
        return Err(AnalysisError::EmptyRange {
            name: name.into(),
            from,
            to,
            why: "the range has no points: --to must be greater than --from".into(),
        });
    }
    if steps == 0 {
        return Err(AnalysisError::BadValue {
            name: "steps".into(),
            value: 0.0,
            why: "at least one step is needed".into(),
        });
    }
    Ok(())
}

/// The grid `from, from + (to - from)/steps, ..., to` (`steps + 1` values).
pub fn grid(from: f64, to: f64, steps: usize) -> Vec<f64> {
    (0..=steps)
        .map(|k| {
            if k == steps {
                to
            } else {
                from + (to - from) * k as f64 / steps as f64
            }
        })
        .collect()
}

/// Bisection for the switch of a predicate on `lo .. hi` (`pred(lo) != pred(hi)`), to a relative
/// precision `rel` (and at least `abs`): returns the midpoint of the final bracket.
pub(crate) fn bisect(
    mut lo: f64,
    mut hi: f64,
    rel: f64,
    abs: f64,
    mut pred: impl FnMut(f64) -> bool,
) -> f64 {
    let at_lo = pred(lo);
    for _ in 0..200 {
        let tol = (rel * lo.abs().max(hi.abs())).max(abs);
        if (hi - lo).abs() <= tol {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if mid == lo || mid == hi {
            break;
        }
        if pred(mid) == at_lo {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lif_and_leaky_have_no_phase_plane() {
        for m in ["lif", "leaky"] {
            let spec = ModelSpec::new(m, None).unwrap();
            let win = Window::new((-1.0, 1.0), (-1.0, 1.0)).unwrap();
            let e = PhasePlane::with_window(&spec, &win).unwrap_err();
            assert!(matches!(e, AnalysisError::NoPhasePlane { .. }), "{e}");
            assert!(e.to_string().contains("no 2-D phase plane"), "{e}");
        }
    }

    #[test]
    fn every_listed_model_has_a_phase_plane_and_default_window() {
        for m in PHASE_PLANE_MODELS {
            let spec = ModelSpec::new(m, None).unwrap();
            let pp = PhasePlane::new(&spec).unwrap();
            assert_eq!(pp.model(), *m);
        }
    }

    #[test]
    fn ranges_are_checked() {
        assert!(check_range("I", 0.0, 1.0, 10).is_ok());
        assert!(check_range("I", 1.0, 1.0, 10).is_err());
        assert!(check_range("I", 1.0, 0.0, 10).is_err());
        assert!(check_range("I", 0.0, 1.0, 0).is_err());
        assert!(check_range("I", f64::NAN, 1.0, 3).is_err());
        assert_eq!(grid(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn secant_solves_the_fhn_nullclines_exactly() {
        let spec = ModelSpec::new("fhn", None).unwrap();
        let pp = PhasePlane::new(&spec).unwrap();
        for v in [-2.0, -1.0, 0.3, 1.7] {
            let wv = pp.solve_y(v, 0.25, 0).unwrap();
            assert!((wv - (v - v * v * v / 3.0 + 0.25)).abs() < 1e-12);
            let ww = pp.solve_y(v, 0.25, 1).unwrap();
            assert!((ww - (v + 0.7) / 0.8).abs() < 1e-12);
        }
    }
}
