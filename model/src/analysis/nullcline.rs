//! The two nullclines of a 2-D model as curves over the membrane variable.
use super::{PhasePlane, Window};
use serde::Serialize;

/// Both nullclines sampled on a grid of `x`: `x_nullcline[k]` is the `y` where `dx/dt = 0` at
/// `x[k]` (the membrane or "V-" nullcline), `y_nullcline[k]` where `dy/dt = 0` (the recovery
/// nullcline). `NaN` (JSON `null`) where there is none or it lies outside the window's `y` range
/// widened by half its height on each side (so that a plot can clip it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nullclines {
    pub x: Vec<f64>,
    pub x_nullcline: Vec<f64>,
    pub y_nullcline: Vec<f64>,
}

/// The nullclines at input `input` on `n + 1` evenly spaced `x` over the window.
pub fn nullclines(pp: &PhasePlane, input: f64, win: &Window, n: usize) -> Nullclines {
    let n = n.max(1);
    let x: Vec<f64> = super::grid(win.x.0, win.x.1, n);
    let (lo, hi) = (win.y.0 - 0.5 * win.y_span(), win.y.1 + 0.5 * win.y_span());
    let clip = |y: Option<f64>| match y {
        Some(y) if y >= lo && y <= hi => y,
        _ => f64::NAN,
    };
    let x_nullcline = x.iter().map(|&v| clip(pp.solve_y(v, input, 0))).collect();
    let y_nullcline = x.iter().map(|&v| clip(pp.solve_y(v, input, 1))).collect();
    Nullclines {
        x,
        x_nullcline,
        y_nullcline,
    }
}

/// The local extrema ("knees") of the membrane nullcline `y(x)` in the window: `(x, y)` pairs,
/// refined by golden-section search. A cubic (N-shaped) nullcline has two, a quadratic one.
pub fn knees(pp: &PhasePlane, input: f64, win: &Window) -> Vec<(f64, f64)> {
    let n = 2000;
    let xs = super::grid(win.x.0, win.x.1, n);
    let ys: Vec<Option<f64>> = xs.iter().map(|&x| pp.solve_y(x, input, 0)).collect();
    let mut out = Vec::new();
    for k in 1..n {
        let (Some(a), Some(b), Some(c)) = (ys[k - 1], ys[k], ys[k + 1]) else {
            continue;
        };
        let is_max = b > a && b >= c;
        let is_min = b < a && b <= c;
        if !(is_max || is_min) {
            continue;
        }
        let sign = if is_max { 1.0 } else { -1.0 };
        let f = |x: f64| sign * pp.solve_y(x, input, 0).unwrap_or(f64::NEG_INFINITY * sign);
        let x = golden_max(f, xs[k - 1], xs[k + 1]);
        if let Some(y) = pp.solve_y(x, input, 0) {
            out.push((x, y));
        }
    }
    out
}

/// The argmax of a unimodal `f` on `a ..= b` by golden-section search (to ~1e-12 of the bracket).
pub(crate) fn golden_max(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..80 {
        if fc >= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
        if (b - a).abs() <= 1e-13 * (a.abs() + b.abs() + 1e-300) {
            break;
        }
    }
    0.5 * (a + b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ModelSpec;

    #[test]
    fn fhn_knees_are_at_plus_minus_one() {
        let spec = ModelSpec::new("fhn", None).unwrap();
        let pp = PhasePlane::new(&spec).unwrap();
        let win = super::super::default_window(&spec).unwrap();
        let k = knees(&pp, 0.0, &win);
        assert_eq!(k.len(), 2, "{k:?}");
        assert!((k[0].0 + 1.0).abs() < 1e-6 && (k[0].1 + 2.0 / 3.0).abs() < 1e-9);
        assert!((k[1].0 - 1.0).abs() < 1e-6 && (k[1].1 - 2.0 / 3.0).abs() < 1e-9);
        let nc = nullclines(&pp, 0.0, &win, 100);
        assert_eq!(nc.x.len(), 101);
        assert!(nc.y_nullcline.iter().any(|y| y.is_finite()));
    }
}
