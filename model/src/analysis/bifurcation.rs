//! One-parameter bifurcation scans: saddle-node (fold) and Hopf points, the fixed-point branches
//! with their stability, limit-cycle extrema, and the excitability class.
//!
//! # Method
//! * The parameter (`I` or a model parameter) runs over `steps + 1` grid values; at each, every
//!   fixed point in the window is found ([`fn@super::fixed_points`]).
//! * **Fold**: where the number of fixed points changes between two grid values. For each adjacent
//!   pair (a saddle and a node) that exists on one side and not on the other, the extremum of
//!   `h(x) = dx/dt` along the recovery nullcline between them crosses zero at the fold; bisection
//!   on the sign of that extremum locates the parameter to `1e-12` relative (the grid step does not
//!   limit it).
//! * **Hopf**: where the trace of the Jacobian of a tracked fixed point changes sign with a positive
//!   determinant; bisection on the sign of the trace (the fixed point re-found at every value)
//!   locates it to `1e-12` relative. The frequency at onset is `sqrt(det) / 2 pi`.
//! * **Class**: the rest state (the most hyperpolarised stable fixed point at `from`) is followed
//!   towards `to`. If it first disappears in a fold with no other stable fixed point left, the onset
//!   is a saddle-node on the invariant circle (or with a reset, its integrate-and-fire analogue):
//!   class 1, firing starts at zero rate. If it first loses stability in a Hopf bifurcation: class 2,
//!   onset at a finite rate. If a fold hands the state to another stable fixed point, that one is
//!   followed. No onset in the range: class `None`.
//! * **Limit cycles** (optional): an up sweep and a down sweep that continue from the previous end
//!   state ([`super::limit_cycle::detect_cycle`]) record the membrane extrema of stable cycles, so
//!   both branches of a bistable (subcritical) region show.
use super::fixed_points::{fixed_points, linearise, roots, FixedPoint, FpClass, ROOT_GRID};
use super::limit_cycle::{detect_cycle, CycleConfig};
use super::nullcline::golden_max;
use super::{check_range, grid, AnalysisError, Family, PhasePlane};
use serde::Serialize;

/// What to scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanConfig {
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    /// Limit cycles by simulation (`None`: skip them).
    pub cycles: Option<CycleConfig>,
}

/// A fixed point on a branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchPoint {
    /// Parameter value.
    pub p: f64,
    pub x: f64,
    pub y: f64,
    pub class: FpClass,
}

/// A Hopf point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HopfPoint {
    pub p: f64,
    pub x: f64,
    pub y: f64,
    /// Frequency of the linear oscillation at onset, `sqrt(det J) / 2 pi` (Hz, time in ms).
    pub frequency_hz: f64,
}

/// A saddle-node (fold) point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldPoint {
    pub p: f64,
    pub x: f64,
    pub y: f64,
}

/// How the rest state is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnsetKind {
    Hopf,
    SaddleNode,
}

/// The bifurcation that ends the rest state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Onset {
    pub kind: OnsetKind,
    pub p: f64,
    pub x: f64,
    pub y: f64,
}

/// Which sweep found a limit cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CycleSweep {
    Up,
    Down,
}

/// A stable limit cycle at one parameter value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CyclePoint {
    pub p: f64,
    pub x_min: f64,
    pub x_max: f64,
    pub period_ms: f64,
    pub rate_hz: f64,
    pub sweep: CycleSweep,
}

/// The result of a scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bifurcations {
    pub param: String,
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    pub hopf: Vec<HopfPoint>,
    pub saddle_node: Vec<FoldPoint>,
    /// Excitability class (1: saddle-node onset, 2: Hopf onset), `None` without onset in range.
    pub class: Option<u8>,
    pub onset: Option<Onset>,
    /// Fixed-point branches (polylines in the parameter), with refined Hopf and fold points
    /// inserted so that the stability changes exactly there.
    pub branches: Vec<Vec<BranchPoint>>,
    pub cycles: Vec<CyclePoint>,
    /// Remarks on the class decision (e.g. a fold that hands over to another stable state).
    pub notes: Vec<String>,
}

/// Scan `fam` over `cfg.from ..= cfg.to`.
pub fn scan(fam: &Family, cfg: &ScanConfig) -> Result<Bifurcations, AnalysisError> {
    check_range(fam.param(), cfg.from, cfg.to, cfg.steps)?;
    let ps = grid(cfg.from, cfg.to, cfg.steps);
    let win = *fam.window();
    let mut fps: Vec<Vec<FixedPoint>> = Vec::with_capacity(ps.len());
    for &p in &ps {
        fps.push(fam.with(p, |pp, i| fixed_points(pp, i, &win))?);
    }
    let span = win.x_span();

    // ---- folds
    let mut folds: Vec<(usize, FoldPoint, (usize, usize), usize)> = Vec::new(); // (k, point, pair, side with)
    for k in 0..cfg.steps {
        if fps[k].len() == fps[k + 1].len() {
            continue;
        }
        let (with, without) = if fps[k].len() > fps[k + 1].len() {
            (k, k + 1)
        } else {
            (k + 1, k)
        };
        let pts = &fps[with];
        for i in 0..pts.len().saturating_sub(1) {
            let (a, b) = (&pts[i], &pts[i + 1]);
            if (a.det > 0.0) == (b.det > 0.0) {
                continue;
            }
            let d = (b.x - a.x).max(0.02 * span);
            let lo = (a.x - d).max(win.x.0);
            let hi = (b.x + d).min(win.x.1);
            let mid = 0.5 * (a.x + b.x);
            let s = fam
                .with(ps[with], |pp, inp| pp.h(mid, inp))?
                .map(f64::signum)
                .unwrap_or(0.0);
            if s == 0.0 {
                continue;
            }
            let phi = |p: f64| -> Result<(f64, f64), AnalysisError> {
                fam.with(p, |pp, inp| extremum(pp, inp, s, lo, hi))
            };
            let (phi_with, _) = phi(ps[with])?;
            let (phi_without, _) = phi(ps[without])?;
            // the pair is gone on the other side: the extremum of h between them no longer reaches
            // zero (within rounding: a double root exactly at the grid value is the fold itself).
            // A fixed point that merely left the window keeps the extremum well above zero.
            if phi_without > 1e-9 * phi_with.abs() {
                continue; // this pair did not vanish
            }
            let mut err = None;
            let p_star = super::bisect(ps[with], ps[without], 1e-13, 0.0, |p| match phi(p) {
                Ok((v, _)) => v > 1e-9 * phi_with.abs(),
                Err(e) => {
                    err = Some(e);
                    false
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
            let (_, x_star) = phi(p_star)?;
            let y_star = fam
                .with(p_star, |pp, inp| pp.solve_y(x_star, inp, 1))?
                .unwrap_or(f64::NAN);
            folds.push((
                k,
                FoldPoint {
                    p: p_star,
                    x: x_star,
                    y: y_star,
                },
                (i, i + 1),
                with,
            ));
        }
    }

    // ---- matching between grid values and Hopf points
    let matches: Vec<Vec<Option<usize>>> = (0..cfg.steps)
        .map(|k| mutual_nearest(&fps[k], &fps[k + 1], span))
        .collect();
    let mut hopfs: Vec<(usize, usize, HopfPoint)> = Vec::new(); // (k, index at k, point)
    for k in 0..cfg.steps {
        for (ia, m) in matches[k].iter().enumerate() {
            let Some(ib) = *m else { continue };
            let (a, b) = (&fps[k][ia], &fps[k + 1][ib]);
            if !(a.det > 0.0 && b.det > 0.0) || (a.trace > 0.0) == (b.trace > 0.0) {
                continue;
            }
            let (p0, p1) = (ps[k], ps[k + 1]);
            let track = |p: f64| -> Result<Option<FixedPoint>, AnalysisError> {
                let t = (p - p0) / (p1 - p0);
                let xi = a.x + (b.x - a.x) * t;
                let d = (b.x - a.x).abs() + 3.0 * span / ROOT_GRID as f64;
                fam.with(p, |pp, inp| track_point(pp, inp, xi, d, &win))
            };
            let mut err = None;
            let a_pos = a.trace > 0.0;
            let p_star = super::bisect(p0, p1, 1e-13, 0.0, |p| match track(p) {
                Ok(Some(fp)) => fp.trace > 0.0,
                Ok(None) => a_pos,
                Err(e) => {
                    err = Some(e);
                    a_pos
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
            if let Some(fp) = track(p_star)? {
                if fp.det > 0.0 {
                    hopfs.push((
                        k,
                        ia,
                        HopfPoint {
                            p: p_star,
                            x: fp.x,
                            y: fp.y,
                            frequency_hz: 1000.0 * fp.det.sqrt() / (2.0 * std::f64::consts::PI),
                        },
                    ));
                }
            }
        }
    }

    // ---- branches for the diagram
    let branches = build_branches(&ps, &fps, &matches, &folds, &hopfs);

    // ---- onset and class: follow the rest state
    let mut notes = Vec::new();
    let mut onset = None;
    let mut rest = fps[0].iter().position(|f| f.class.is_stable());
    if rest.is_none() {
        notes.push(format!(
            "no stable fixed point at {} = {}: no rest state to follow",
            fam.param(),
            cfg.from
        ));
    }
    'walk: for k in 0..cfg.steps {
        let Some(r) = rest else { break };
        // events in (p_k, p_k+1], by parameter value
        let mut events: Vec<(f64, OnsetKind, f64, f64)> = Vec::new();
        for (kh, ia, h) in &hopfs {
            if *kh == k && *ia == r {
                events.push((h.p, OnsetKind::Hopf, h.x, h.y));
            }
        }
        for (kf, f, (i, j), with) in &folds {
            if *kf == k && *with == k && (*i == r || *j == r) {
                events.push((f.p, OnsetKind::SaddleNode, f.x, f.y));
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(&(p, kind, x, y)) = events.first() {
            if kind == OnsetKind::SaddleNode {
                // another stable state to fall onto?
                let next = fps[k + 1]
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.class.is_stable())
                    .min_by(|a, b| (a.1.x - x).abs().total_cmp(&(b.1.x - x).abs()));
                if let Some((j, f)) = next {
                    notes.push(format!(
                        "the rest state disappears in a saddle-node at {} = {p:.6} but a stable \
                         fixed point remains (x = {:.4}): no repetitive firing there (saddle-node \
                         off the invariant circle); following that state",
                        fam.param(),
                        f.x
                    ));
                    rest = Some(j);
                    continue 'walk;
                }
            }
            onset = Some(Onset { kind, p, x, y });
            break;
        }
        match matches[k][r] {
            Some(j) if fps[k + 1][j].class.is_stable() => rest = Some(j),
            Some(j) => {
                // stability lost without a refined event (e.g. two crossings within one step)
                let f = &fps[k + 1][j];
                let kind = if matches!(f.class, FpClass::UnstableFocus | FpClass::Center) {
                    OnsetKind::Hopf
                } else {
                    OnsetKind::SaddleNode
                };
                notes.push(format!(
                    "the rest state lost stability between grid values {} and {} without a \
                     refined bifurcation; refine the grid",
                    ps[k],
                    ps[k + 1]
                ));
                onset = Some(Onset {
                    kind,
                    p: ps[k + 1],
                    x: f.x,
                    y: f.y,
                });
                break;
            }
            None => {
                notes.push(format!(
                    "the rest state left the window near {} = {}",
                    fam.param(),
                    ps[k + 1]
                ));
                break;
            }
        }
    }
    let class = onset.as_ref().map(|o| match o.kind {
        OnsetKind::SaddleNode => 1,
        OnsetKind::Hopf => 2,
    });

    // ---- limit cycles
    let mut cycles = Vec::new();
    if let Some(cc) = &cfg.cycles {
        let (n0, _) = fam.neuron_at(ps[0])?;
        let mut x = n0.initial_state();
        for (dir, seq) in [
            (CycleSweep::Up, ps.clone()),
            (
                CycleSweep::Down,
                ps.iter().rev().copied().collect::<Vec<_>>(),
            ),
        ] {
            for &p in &seq {
                let (n, input) = fam.neuron_at(p)?;
                if let Some(c) = detect_cycle(n.as_ref(), &mut x, input, cc, span) {
                    cycles.push(CyclePoint {
                        p,
                        x_min: c.x_min,
                        x_max: c.x_max,
                        period_ms: c.period_ms,
                        rate_hz: c.rate_hz,
                        sweep: dir,
                    });
                }
                if !(x[0].is_finite() && x[1].is_finite()) {
                    x = n.initial_state();
                }
            }
        }
    }

    let mut hopf: Vec<HopfPoint> = hopfs.into_iter().map(|h| h.2).collect();
    hopf.sort_by(|a, b| a.p.total_cmp(&b.p));
    let mut saddle_node: Vec<FoldPoint> = folds.into_iter().map(|f| f.1).collect();
    saddle_node.sort_by(|a, b| a.p.total_cmp(&b.p));
    Ok(Bifurcations {
        param: fam.param().to_string(),
        from: cfg.from,
        to: cfg.to,
        steps: cfg.steps,
        hopf,
        saddle_node,
        class,
        onset,
        branches,
        cycles,
        notes,
    })
}

/// The maximum of `s * h(x)` on `lo ..= hi` (a 48-point scan, then golden-section around the best)
/// and where it is.
fn extremum(pp: &PhasePlane, input: f64, s: f64, lo: f64, hi: f64) -> (f64, f64) {
    let g = |x: f64| pp.h(x, input).map_or(f64::NEG_INFINITY, |v| s * v);
    let n = 48;
    let xs = grid(lo, hi, n);
    let (mut best, mut bv) = (0, f64::NEG_INFINITY);
    for (k, &x) in xs.iter().enumerate() {
        let v = g(x);
        if v > bv {
            bv = v;
            best = k;
        }
    }
    let a = xs[best.saturating_sub(1)];
    let b = xs[(best + 1).min(n)];
    let xm = golden_max(g, a, b);
    let vm = g(xm);
    if vm >= bv {
        (vm, xm)
    } else {
        (bv, xs[best])
    }
}

/// The fixed point near `xi` (within `d`), re-found at this parameter value.
fn track_point(
    pp: &PhasePlane,
    input: f64,
    xi: f64,
    d: f64,
    win: &super::Window,
) -> Option<FixedPoint> {
    let local = roots(pp, input, (xi - d, xi + d), 24);
    let x = match local
        .into_iter()
        .min_by(|a, b| (a - xi).abs().total_cmp(&(b - xi).abs()))
    {
        Some(x) => x,
        None => roots(pp, input, win.x, ROOT_GRID)
            .into_iter()
            .min_by(|a, b| (a - xi).abs().total_cmp(&(b - xi).abs()))?,
    };
    let y = pp.solve_y(x, input, 1)?;
    Some(linearise(pp, x, y, input))
}

/// For each fixed point of `a`, the index of its mutual nearest neighbour (in `x`) in `b`, if they
/// are within a tenth of the window.
fn mutual_nearest(a: &[FixedPoint], b: &[FixedPoint], span: f64) -> Vec<Option<usize>> {
    let nearest = |p: &FixedPoint, q: &[FixedPoint]| {
        q.iter()
            .enumerate()
            .min_by(|u, v| (u.1.x - p.x).abs().total_cmp(&(v.1.x - p.x).abs()))
            .map(|(i, _)| i)
    };
    a.iter()
        .enumerate()
        .map(|(i, p)| {
            let j = nearest(p, b)?;
            (nearest(&b[j], a) == Some(i) && (b[j].x - p.x).abs() < 0.1 * span).then_some(j)
        })
        .collect()
}

type FoldRec = (usize, FoldPoint, (usize, usize), usize);

fn build_branches(
    ps: &[f64],
    fps: &[Vec<FixedPoint>],
    matches: &[Vec<Option<usize>>],
    folds: &[FoldRec],
    hopfs: &[(usize, usize, HopfPoint)],
) -> Vec<Vec<BranchPoint>> {
    let bp = |p: f64, f: &FixedPoint| BranchPoint {
        p,
        x: f.x,
        y: f.y,
        class: f.class,
    };
    let mut done: Vec<Vec<BranchPoint>> = Vec::new();
    // open[i] = branch index for fixed point i at the current grid value
    let mut branches: Vec<Vec<BranchPoint>> = fps[0].iter().map(|f| vec![bp(ps[0], f)]).collect();
    let mut open: Vec<usize> = (0..fps[0].len()).collect();
    for k in 0..ps.len() - 1 {
        let mut next_open = vec![usize::MAX; fps[k + 1].len()];
        for (i, &bi) in open.iter().enumerate() {
            if let Some(h) = hopfs.iter().find(|h| h.0 == k && h.1 == i) {
                branches[bi].push(BranchPoint {
                    p: h.2.p,
                    x: h.2.x,
                    y: h.2.y,
                    class: FpClass::Center,
                });
            }
            match matches[k].get(i).copied().flatten() {
                Some(j) => {
                    branches[bi].push(bp(ps[k + 1], &fps[k + 1][j]));
                    next_open[j] = bi;
                }
                None => {
                    // ends here: at a fold, close it at the fold point
                    if let Some(f) = folds
                        .iter()
                        .find(|f| f.0 == k && f.3 == k && (f.2 .0 == i || f.2 .1 == i))
                    {
                        let class = branches[bi]
                            .last()
                            .map(|b| b.class)
                            .unwrap_or(FpClass::Saddle);
                        branches[bi].push(BranchPoint {
                            p: f.1.p,
                            x: f.1.x,
                            y: f.1.y,
                            class,
                        });
                    }
                }
            }
        }
        for (j, slot) in next_open.iter_mut().enumerate() {
            if *slot == usize::MAX {
                let f = &fps[k + 1][j];
                let mut b = Vec::new();
                // born at a fold between k and k+1: start at the fold point
                if let Some(fr) = folds
                    .iter()
                    .find(|fr| fr.0 == k && fr.3 == k + 1 && (fr.2 .0 == j || fr.2 .1 == j))
                {
                    b.push(BranchPoint {
                        p: fr.1.p,
                        x: fr.1.x,
                        y: fr.1.y,
                        class: f.class,
                    });
                }
                b.push(bp(ps[k + 1], f));
                branches.push(b);
                *slot = branches.len() - 1;
            }
        }
        open = next_open;
    }
    done.append(&mut branches);
    done.retain(|b| !b.is_empty());
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::default_window;
    use crate::registry::ModelSpec;

    #[test]
    fn fhn_hopf_points_without_cycles() {
        let spec = ModelSpec::new("fhn", None).unwrap();
        let win = default_window(&spec).unwrap();
        let fam = Family::new(&spec, "I", 0.0, win).unwrap();
        let b = scan(
            &fam,
            &ScanConfig {
                from: 0.0,
                to: 2.0,
                steps: 40,
                cycles: None,
            },
        )
        .unwrap();
        assert_eq!(b.hopf.len(), 2, "{:?}", b.hopf);
        assert!((b.hopf[0].p - 0.331281).abs() < 1e-5, "{:?}", b.hopf);
        assert!((b.hopf[1].p - 1.418719).abs() < 1e-5, "{:?}", b.hopf);
        assert!(b.saddle_node.is_empty());
        assert_eq!(b.class, Some(2));
        assert_eq!(b.branches.len(), 1);
    }
}
