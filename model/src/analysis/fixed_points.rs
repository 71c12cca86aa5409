//! Fixed points: all of them in a window, with Jacobian eigenvalues (nalgebra) and class.
use super::nullcline::golden_max;
use super::{PhasePlane, Window};
use nalgebra::Matrix2;
use serde::Serialize;

/// Grid points of the root scan along the recovery nullcline.
pub const ROOT_GRID: usize = 2000;

/// The linear-stability class of a fixed point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FpClass {
    StableNode,
    StableFocus,
    UnstableNode,
    UnstableFocus,
    Saddle,
    Center,
}

impl FpClass {
    /// The name used in JSON and legends (`stable-node`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            FpClass::StableNode => "stable-node",
            FpClass::StableFocus => "stable-focus",
            FpClass::UnstableNode => "unstable-node",
            FpClass::UnstableFocus => "unstable-focus",
            FpClass::Saddle => "saddle",
            FpClass::Center => "center",
        }
    }
    /// Asymptotically stable (a node or focus with both eigenvalues in the left half-plane).
    pub fn is_stable(&self) -> bool {
        matches!(self, FpClass::StableNode | FpClass::StableFocus)
    }
    /// Every class, in legend order.
    pub const ALL: [FpClass; 6] = [
        FpClass::StableNode,
        FpClass::StableFocus,
        FpClass::UnstableNode,
        FpClass::UnstableFocus,
        FpClass::Saddle,
        FpClass::Center,
    ];
}

impl std::fmt::Display for FpClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fixed point `(x, y)` of the field with its linearisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedPoint {
    pub x: f64,
    pub y: f64,
    pub class: FpClass,
    /// `[re, im]` pairs, largest real part first (per ms).
    pub eigenvalues: [[f64; 2]; 2],
    /// Row-major Jacobian `[[dfx/dx, dfx/dy], [dfy/dx, dfy/dy]]`.
    pub jacobian: [[f64; 2]; 2],
    pub trace: f64,
    pub det: f64,
}

/// Classify a 2x2 Jacobian; returns the class and the eigenvalues (nalgebra's Schur form).
pub fn classify_jacobian(j: &Matrix2<f64>) -> (FpClass, [[f64; 2]; 2]) {
    let ev = j.complex_eigenvalues();
    let mut e = [[ev[0].re, ev[0].im], [ev[1].re, ev[1].im]];
    e.sort_by(|a, b| b[0].total_cmp(&a[0]).then(b[1].total_cmp(&a[1])));
    let tr = j.trace();
    let det = j.determinant();
    let class = if det < 0.0 {
        FpClass::Saddle
    } else if tr * tr < 4.0 * det {
        if tr.abs() <= 1e-9 * det.sqrt() {
            FpClass::Center
        } else if tr < 0.0 {
            FpClass::StableFocus
        } else {
            FpClass::UnstableFocus
        }
    } else if tr <= 0.0 {
        FpClass::StableNode
    } else {
        FpClass::UnstableNode
    };
    (class, e)
}

/// The fixed point at `(x, y)` with its Jacobian, eigenvalues and class.
pub fn linearise(pp: &PhasePlane, x: f64, y: f64, input: f64) -> FixedPoint {
    let j = pp.jacobian(x, y, input);
    let (class, eigenvalues) = classify_jacobian(&j);
    FixedPoint {
        x,
        y,
        class,
        eigenvalues,
        jacobian: [[j[(0, 0)], j[(0, 1)]], [j[(1, 0)], j[(1, 1)]]],
        trace: j.trace(),
        det: j.determinant(),
    }
}

/// Every fixed point in `win` at input `input`, sorted by `x`.
pub fn fixed_points(pp: &PhasePlane, input: f64, win: &Window) -> Vec<FixedPoint> {
    roots(pp, input, win.x, ROOT_GRID)
        .into_iter()
        .filter_map(|x| {
            let y = pp.solve_y(x, input, 1)?;
            win.contains(x, y).then(|| linearise(pp, x, y, input))
        })
        .collect()
}

/// The roots in `x` of `h(x) = dx/dt` along the recovery nullcline on `range`: every sign change
/// of `h` on an `n`-step grid, and every close pair of roots between two grid nodes (a local
/// minimum of `|h|` whose refined extremum has the other sign), each bisected to full precision.
pub fn roots(pp: &PhasePlane, input: f64, range: (f64, f64), n: usize) -> Vec<f64> {
    let h = |x: f64| pp.h(x, input);
    let xs = super::grid(range.0, range.1, n.max(2));
    let hs: Vec<Option<f64>> = xs.iter().map(|&x| h(x)).collect();
    let mut out = Vec::new();
    for k in 0..xs.len() {
        let Some(hk) = hs[k] else { continue };
        if hk == 0.0 {
            out.push(xs[k]);
            continue;
        }
        if k + 1 < xs.len() {
            if let Some(hn) = hs[k + 1] {
                if hn != 0.0 && hk.signum() != hn.signum() {
                    out.push(bisect_root(&h, xs[k], xs[k + 1], hk));
                }
            }
        }
        // a close pair hidden between nodes: |h| has a local minimum without a sign change
        if k >= 1 && k + 1 < xs.len() {
            if let (Some(hp), Some(hn)) = (hs[k - 1], hs[k + 1]) {
                let same = hp.signum() == hk.signum() && hn.signum() == hk.signum();
                if same && hk.abs() < hp.abs() && hk.abs() <= hn.abs() {
                    let s = -hk.signum();
                    let g = |x: f64| h(x).map_or(f64::NEG_INFINITY, |v| s * v);
                    let xm = golden_max(g, xs[k - 1], xs[k + 1]);
                    if let Some(hm) = h(xm) {
                        if hm.signum() != hk.signum() && hm != 0.0 {
                            out.push(bisect_root(&h, xs[k - 1], xm, hp));
                            out.push(bisect_root(&h, xm, xs[k + 1], hm));
                        } else if hm == 0.0 {
                            out.push(xm);
                        }
                    }
                }
            }
        }
    }
    out.sort_by(f64::total_cmp);
    let tol = 1e-10 * (range.1 - range.0);
    out.dedup_by(|a, b| (*a - *b).abs() <= tol);
    out
}

/// Bisection of `h` on `a .. b` where `h(a) = ha` and `h(b)` has the other sign.
fn bisect_root(h: &impl Fn(f64) -> Option<f64>, mut a: f64, mut b: f64, mut ha: f64) -> f64 {
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if m <= a.min(b) || m >= a.max(b) {
            break;
        }
        let Some(hm) = h(m) else { break };
        if hm == 0.0 {
            return m;
        }
        if hm.signum() == ha.signum() {
            a = m;
            ha = hm;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ModelSpec;

    #[test]
    fn classes_from_jacobians() {
        let c = |a, b, c, d| classify_jacobian(&Matrix2::new(a, b, c, d)).0;
        assert_eq!(c(-1.0, 0.0, 0.0, -2.0), FpClass::StableNode);
        assert_eq!(c(1.0, 0.0, 0.0, 2.0), FpClass::UnstableNode);
        assert_eq!(c(1.0, 0.0, 0.0, -2.0), FpClass::Saddle);
        assert_eq!(c(-0.1, -1.0, 1.0, -0.1), FpClass::StableFocus);
        assert_eq!(c(0.1, -1.0, 1.0, 0.1), FpClass::UnstableFocus);
        assert_eq!(c(0.0, -1.0, 1.0, 0.0), FpClass::Center);
        let (_, e) = classify_jacobian(&Matrix2::new(0.1, -1.0, 1.0, 0.1));
        assert!((e[0][0] - 0.1).abs() < 1e-12 && (e[0][1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn close_pairs_between_grid_nodes_are_found() {
        // Izhikevich just below its saddle-node (I_SN = 4 for b = 0.2): the two roots are ~0.1 mV
        // apart, closer than the 2000-step grid can separate by sign changes alone at n = 50
        let spec = ModelSpec::new("izhikevich", None).unwrap();
        let pp = PhasePlane::new(&spec).unwrap();
        let r = roots(&pp, 4.0 - 1e-6, (-90.0, 30.0), 50);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(
            (r[0] + 60.0).abs() < 0.1 && (r[1] + 60.0).abs() < 0.1,
            "{r:?}"
        );
        assert!(roots(&pp, 4.0 + 1e-6, (-90.0, 30.0), 50).is_empty());
    }
}
