//! Figures of the phase-plane analysis ([`spikeforge_model::analysis`]): phase portraits,
//! bifurcation diagrams and f-I curves, as PNG or SVG through [`crate::plot::render_figure`]
//! (embedded font, atomic writes, format by extension).
//!
//! The figures take plain data; the CLI fills them from the analysis results.
//! * [`PhasePortrait`]: both nullclines (membrane nullcline blue, recovery nullcline red; the fixed
//!   twin's, if given, dashed in darker shades), the direction of the vector field as grey arrows
//!   of equal length (computed in pixel space, so the axes' different units do not distort them),
//!   fixed points marked by class (legend) and trajectories.
//! * [`BifurcationDiagram`]: fixed-point branches against the parameter, solid black where stable
//!   and dashed red where unstable, the limit cycles' minimum and maximum (green discs from the up
//!   sweep, blue rings from the down sweep, so a bistable range shows both), Hopf (`H`) and
//!   saddle-node (`SN`) points labelled.
//! * [`plot_fi`]: rate against current, up and down sweeps as two marked series.
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::SimError;
use crate::plot::{palette, plot_xy, render_figure, Figure, Series};

const FONT: &str = "sans-serif";
const TITLE_SIZE: u32 = 26;
const LABEL_SIZE: u32 = 15;
const AXIS_DESC_SIZE: u32 = 18;
const LEGEND_SIZE: u32 = 15;
const LEGEND_ROW: i32 = 24;
const SAMPLE_W: i32 = 30;
const MARGIN: u32 = 15;

/// Figure size of the phase-plane figures (pixels).
pub const PHASE_SIZE: (u32, u32) = (1100, 750);

fn err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> SimError {
    SimError::Plot(e.to_string())
}

/// How a fixed point is marked (by its class name, e.g. `stable-focus`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mark {
    FilledCircle(RGBColor),
    OpenCircle(RGBColor),
    Triangle(RGBColor),
    Cross(RGBColor),
    Square(RGBColor),
    Ring(RGBColor),
}

/// Marker, colour and legend text of each fixed-point class.
fn class_mark(class: &str) -> Mark {
    match class {
        "stable-node" => Mark::FilledCircle(RGBColor(20, 20, 20)),
        "stable-focus" => Mark::FilledCircle(RGBColor(44, 160, 44)),
        "unstable-node" => Mark::OpenCircle(RGBColor(148, 103, 189)),
        "unstable-focus" => Mark::OpenCircle(RGBColor(255, 127, 14)),
        "saddle" => Mark::Triangle(RGBColor(214, 39, 40)),
        "center" => Mark::Cross(RGBColor(23, 190, 207)),
        // the twin's fixed points: "twin stable" / "twin unstable"
        "twin stable" => Mark::Square(RGBColor(60, 60, 60)),
        _ => Mark::Ring(RGBColor(60, 60, 60)),
    }
}

fn draw_mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    m: Mark,
    r: i32,
) -> Result<(), SimError> {
    match m {
        Mark::FilledCircle(c) => area.draw(&Circle::new(at, r, c.filled())).map_err(err)?,
        Mark::OpenCircle(c) => {
            area.draw(&Circle::new(at, r, WHITE.filled()))
                .map_err(err)?;
            area.draw(&Circle::new(at, r, c.stroke_width(3)))
                .map_err(err)?
        }
        Mark::Triangle(c) => area
            .draw(&TriangleMarker::new(at, r + 2, c.filled()))
            .map_err(err)?,
        Mark::Cross(c) => area
            .draw(&Cross::new(at, r, c.stroke_width(3)))
            .map_err(err)?,
        Mark::Square(c) => area
            .draw(&Rectangle::new(
                [(at.0 - r + 2, at.1 - r + 2), (at.0 + r - 2, at.1 + r - 2)],
                c.stroke_width(2),
            ))
            .map_err(err)?,
        Mark::Ring(c) => area
            .draw(&Circle::new(at, r - 1, c.stroke_width(2)))
            .map_err(err)?,
    }
    Ok(())
}

/// A legend row's sample.
#[derive(Debug, Clone, Copy)]
enum Sample {
    Line(RGBColor, u32),
    Dashed(RGBColor, u32),
    Mark(Mark),
    Arrow(RGBColor),
}

struct Entry {
    label: String,
    sample: Sample,
}

/// Title, plot area and a legend panel on the right sized for the entries.
#[allow(clippy::type_complexity)]
fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[Entry],
) -> Result<(DrawingArea<DB, Shift>, DrawingArea<DB, Shift>), SimError> {
    root.fill(&WHITE).map_err(err)?;
    let body = root
        .titled(title, (FONT, TITLE_SIZE).into_font().color(&BLACK))
        .map_err(err)?;
    let font: TextStyle = (FONT, LEGEND_SIZE).into_font().into();
    let mut tw = 0;
    for e in entries {
        tw = tw.max(body.estimate_text_size(&e.label, &font).map_err(err)?.0);
    }
    let (w, _) = body.dim_in_pixel();
    let lw = (tw + SAMPLE_W as u32 + 50).min(w * 2 / 5);
    let (plot, legend) = body.split_horizontally(w - lw);
    Ok((plot, legend))
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
) -> Result<(), SimError> {
    if entries.is_empty() {
        return Ok(());
    }
    let (w, _) = area.dim_in_pixel();
    let (x0, x1, y0) = (8, w as i32 - 12, MARGIN as i32);
    let y1 = y0 + 10 + LEGEND_ROW * entries.len() as i32;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))
        .map_err(err)?;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], BLACK.stroke_width(1)))
        .map_err(err)?;
    let font = (FONT, LEGEND_SIZE).into_font().color(&BLACK);
    for (i, e) in entries.iter().enumerate() {
        let yc = y0 + 5 + LEGEND_ROW * i as i32 + LEGEND_ROW / 2;
        let (sx0, sx1) = (x0 + 10, x0 + 10 + SAMPLE_W);
        match e.sample {
            Sample::Line(c, wd) => area
                .draw(&PathElement::new(
                    vec![(sx0, yc), (sx1, yc)],
                    c.stroke_width(wd),
                ))
                .map_err(err)?,
            Sample::Dashed(c, wd) => {
                for k in 0..3 {
                    let a = sx0 + k * 11;
                    area.draw(&PathElement::new(
                        vec![(a, yc), ((a + 7).min(sx1), yc)],
                        c.stroke_width(wd),
                    ))
                    .map_err(err)?;
                }
            }
            Sample::Mark(m) => draw_mark(area, ((sx0 + sx1) / 2, yc), m, 6)?,
            Sample::Arrow(c) => {
                let s = c.stroke_width(2);
                area.draw(&PathElement::new(vec![(sx0, yc), (sx1, yc)], s))
                    .map_err(err)?;
                area.draw(&PathElement::new(
                    vec![(sx1 - 7, yc - 4), (sx1, yc), (sx1 - 7, yc + 4)],
                    s,
                ))
                .map_err(err)?;
            }
        }
        area.draw(&Text::new(
            e.label.clone(),
            (sx1 + 10, yc),
            font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn mesh<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, x: &str, y: &str) -> Result<(), SimError> {
    chart
        .configure_mesh()
        .x_desc(x)
        .y_desc(y)
        .label_style((FONT, LABEL_SIZE).into_font().color(&BLACK))
        .axis_desc_style((FONT, AXIS_DESC_SIZE).into_font().color(&BLACK))
        .bold_line_style(RGBColor(220, 220, 220))
        .light_line_style(RGBColor(245, 245, 245))
        .axis_style(BLACK.stroke_width(1))
        .draw()
        .map_err(err)
}

/// Runs of consecutive points inside the ranges (finite), so lines stop at the frame.
fn inside_runs(x: &[f64], y: &[f64], xr: (f64, f64), yr: (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (&a, &b) in x.iter().zip(y) {
        let ok = a.is_finite() && b.is_finite() && a >= xr.0 && a <= xr.1 && b >= yr.0 && b <= yr.1;
        if ok {
            cur.push((a, b));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn draw_line<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    s: &Series,
    xr: (f64, f64),
    yr: (f64, f64),
    style: ShapeStyle,
    dashed: bool,
) -> Result<(), SimError> {
    for run in inside_runs(&s.x, &s.y, xr, yr) {
        if dashed {
            chart
                .draw_series(DashedLineSeries::new(run, 9, 6, style))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(run, style))
                .map_err(err)?;
        }
    }
    Ok(())
}

fn valid_range(r: (f64, f64)) -> (f64, f64) {
    if r.0.is_finite() && r.1.is_finite() && r.1 > r.0 {
        r
    } else {
        (0.0, 1.0)
    }
}

/// A phase portrait (plain data).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhasePortrait {
    pub title: String,
    /// Axis labels with units, e.g. `V (mV)`, `w (1)`.
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    /// The membrane nullcline (`x` values and the `y` where `dx/dt = 0`; NaN breaks the line) and
    /// its legend label.
    pub x_nullcline: Series,
    pub y_nullcline: Series,
    /// The fixed twin's nullclines (dashed), if compared.
    pub twin_nullclines: Option<(Series, Series)>,
    /// Vector field samples `[x, y, dx/dt, dy/dt]`.
    pub arrows: Vec<[f64; 4]>,
    /// `(x, y, class)` with the class names of the analysis (`stable-node`, ...).
    pub fixed_points: Vec<(f64, f64, String)>,
    /// The twin's fixed points `(x, y, stable)`.
    pub twin_fixed_points: Vec<(f64, f64, bool)>,
    pub trajectories: Vec<Series>,
}

impl Figure for PhasePortrait {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), SimError> {
        let xr = valid_range(self.x_range);
        let yr = valid_range(self.y_range);
        let (cx, cy) = (RGBColor(31, 119, 180), RGBColor(214, 39, 40));
        let (tcx, tcy) = (RGBColor(10, 50, 110), RGBColor(120, 10, 10));
        let arrow_c = RGBColor(165, 165, 165);
        let traj_c = |i: usize| palette(4 + i % 6);
        let mut entries = vec![
            Entry {
                label: self.x_nullcline.label.clone(),
                sample: Sample::Line(cx, 3),
            },
            Entry {
                label: self.y_nullcline.label.clone(),
                sample: Sample::Line(cy, 3),
            },
        ];
        if let Some((a, b)) = &self.twin_nullclines {
            entries.push(Entry {
                label: a.label.clone(),
                sample: Sample::Dashed(tcx, 2),
            });
            entries.push(Entry {
                label: b.label.clone(),
                sample: Sample::Dashed(tcy, 2),
            });
        }
        if !self.arrows.is_empty() {
            entries.push(Entry {
                label: "vector field (direction)".into(),
                sample: Sample::Arrow(arrow_c),
            });
        }
        let mut seen: Vec<&str> = Vec::new();
        for (_, _, c) in &self.fixed_points {
            if !seen.contains(&c.as_str()) {
                seen.push(c);
            }
        }
        let order = [
            "stable-node",
            "stable-focus",
            "unstable-node",
            "unstable-focus",
            "saddle",
            "center",
        ];
        for c in order.iter().filter(|c| seen.contains(c)) {
            entries.push(Entry {
                label: format!("fixed point: {c}"),
                sample: Sample::Mark(class_mark(c)),
            });
        }
        for (stable, name) in [(true, "twin stable"), (false, "twin unstable")] {
            if self.twin_fixed_points.iter().any(|f| f.2 == stable) {
                entries.push(Entry {
                    label: format!("fixed point: {name}"),
                    sample: Sample::Mark(class_mark(name)),
                });
            }
        }
        for (i, t) in self.trajectories.iter().enumerate().take(6) {
            entries.push(Entry {
                label: t.label.clone(),
                sample: Sample::Line(traj_c(i), 2),
            });
        }
        let (plot, legend) = layout(root, &self.title, &entries)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(MARGIN)
            .x_label_area_size(55)
            .y_label_area_size(85)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .map_err(err)?;
        mesh(&mut chart, &self.x_label, &self.y_label)?;

        // arrows, equal length in pixels
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        let sx = pw as f64 / (xr.1 - xr.0);
        let sy = ph as f64 / (yr.1 - yr.0);
        let len = 16.0;
        for a in &self.arrows {
            let (px, py) = (a[2] * sx, a[3] * sy);
            let n = px.hypot(py);
            if !(n.is_finite() && n > 0.0) {
                continue;
            }
            let (ux, uy) = (px / n, py / n);
            let tip = (a[0] + len * ux / sx, a[1] + len * uy / sy);
            let head = |ang: f64| {
                let (c, s) = (ang.cos(), ang.sin());
                let (bx, by) = (-ux * c + uy * s, -ux * s - uy * c);
                (tip.0 + 6.0 * bx / sx, tip.1 + 6.0 * by / sy)
            };
            let style = arrow_c.stroke_width(1);
            chart
                .draw_series([
                    PathElement::new(vec![(a[0], a[1]), tip], style),
                    PathElement::new(vec![head(0.45), tip, head(-0.45)], style),
                ])
                .map_err(err)?;
        }
        for (i, t) in self.trajectories.iter().enumerate() {
            draw_line(&mut chart, t, xr, yr, traj_c(i).stroke_width(2), false)?;
            if let Some(p) =
                t.x.iter()
                    .zip(&t.y)
                    .find(|(x, y)| x.is_finite() && y.is_finite())
            {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (*p.0, *p.1),
                        4,
                        traj_c(i).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        draw_line(
            &mut chart,
            &self.x_nullcline,
            xr,
            yr,
            cx.stroke_width(3),
            false,
        )?;
        draw_line(
            &mut chart,
            &self.y_nullcline,
            xr,
            yr,
            cy.stroke_width(3),
            false,
        )?;
        if let Some((a, b)) = &self.twin_nullclines {
            draw_line(&mut chart, a, xr, yr, tcx.stroke_width(2), true)?;
            draw_line(&mut chart, b, xr, yr, tcy.stroke_width(2), true)?;
        }
        let area = chart.plotting_area().strip_coord_spec();
        let to_px = |x: f64, y: f64| {
            let (bx, by) = chart.backend_coord(&(x, y));
            let (ox, oy) = chart.plotting_area().get_base_pixel();
            (bx - ox, by - oy)
        };
        let inside = |x: f64, y: f64| x >= xr.0 && x <= xr.1 && y >= yr.0 && y <= yr.1;
        for (x, y, stable) in &self.twin_fixed_points {
            if inside(*x, *y) {
                let name = if *stable {
                    "twin stable"
                } else {
                    "twin unstable"
                };
                draw_mark(&area, to_px(*x, *y), class_mark(name), 11)?;
            }
        }
        for (x, y, c) in &self.fixed_points {
            if inside(*x, *y) {
                draw_mark(&area, to_px(*x, *y), class_mark(c), 7)?;
            }
        }
        draw_legend(&legend, &entries)
    }
}

/// A bifurcation diagram (plain data).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BifurcationDiagram {
    pub title: String,
    /// e.g. `I (uA/cm^2)` and `V (mV)`.
    pub x_label: String,
    pub y_label: String,
    /// Fixed-point branches: `(parameter, x, stable)` polylines; `None` marks a boundary point
    /// (a Hopf point) whose segments take the stability of their other end.
    pub branches: Vec<Vec<(f64, f64, Option<bool>)>>,
    /// Stable limit cycles `(parameter, x_min, x_max)` found on the up and on the down sweep.
    pub cycles_up: Vec<(f64, f64, f64)>,
    pub cycles_down: Vec<(f64, f64, f64)>,
    /// Hopf and saddle-node points `(parameter, x)`.
    pub hopf: Vec<(f64, f64)>,
    pub saddle_node: Vec<(f64, f64)>,
    /// The parameter range shown.
    pub x_range: (f64, f64),
}

impl Figure for BifurcationDiagram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), SimError> {
        let stable_c = RGBColor(20, 20, 20);
        let unstable_c = RGBColor(214, 39, 40);
        let up_c = RGBColor(44, 160, 44);
        let down_c = RGBColor(31, 119, 180);
        let hopf_c = RGBColor(255, 127, 14);
        let sn_c = RGBColor(148, 103, 189);
        let mut entries = vec![
            Entry {
                label: "stable fixed point".into(),
                sample: Sample::Line(stable_c, 3),
            },
            Entry {
                label: "unstable fixed point".into(),
                sample: Sample::Dashed(unstable_c, 2),
            },
        ];
        if !self.cycles_up.is_empty() {
            entries.push(Entry {
                label: "limit cycle min/max (up sweep)".into(),
                sample: Sample::Mark(Mark::FilledCircle(up_c)),
            });
        }
        if !self.cycles_down.is_empty() {
            entries.push(Entry {
                label: "limit cycle min/max (down sweep)".into(),
                sample: Sample::Mark(Mark::Ring(down_c)),
            });
        }
        if !self.hopf.is_empty() {
            entries.push(Entry {
                label: "Hopf (H)".into(),
                sample: Sample::Mark(Mark::Square(hopf_c)),
            });
        }
        if !self.saddle_node.is_empty() {
            entries.push(Entry {
                label: "saddle-node (SN)".into(),
                sample: Sample::Mark(Mark::Triangle(sn_c)),
            });
        }
        let (plot, legend) = layout(root, &self.title, &entries)?;
        let ys = self
            .branches
            .iter()
            .flat_map(|b| b.iter().map(|p| p.1))
            .chain(self.cycles_up.iter().flat_map(|c| [c.1, c.2]))
            .chain(self.cycles_down.iter().flat_map(|c| [c.1, c.2]))
            .filter(|y| y.is_finite());
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
            (a.min(y), b.max(y))
        });
        let yr = if lo.is_finite() && hi > lo {
            let pad = 0.06 * (hi - lo);
            (lo - pad, hi + pad)
        } else if lo.is_finite() {
            (lo - 1.0, lo + 1.0)
        } else {
            (0.0, 1.0)
        };
        let xr = valid_range(self.x_range);
        let mut chart = ChartBuilder::on(&plot)
            .margin(MARGIN)
            .x_label_area_size(55)
            .y_label_area_size(85)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .map_err(err)?;
        mesh(&mut chart, &self.x_label, &self.y_label)?;
        for b in &self.branches {
            // a segment is stable when its ends are (a boundary point, None, takes the other end's)
            let seg = |k: usize| match (b[k].2, b[k + 1].2) {
                (Some(u), Some(v)) => u && v,
                (Some(u), None) => u,
                (None, Some(v)) => v,
                (None, None) => false,
            };
            let mut k = 0;
            while k + 1 < b.len() {
                let stable = seg(k);
                let mut j = k + 1;
                while j + 1 < b.len() && seg(j) == stable {
                    j += 1;
                }
                let sr = Series::new(
                    "",
                    b[k..=j].iter().map(|p| p.0).collect(),
                    b[k..=j].iter().map(|p| p.1).collect(),
                );
                if stable {
                    draw_line(&mut chart, &sr, xr, yr, stable_c.stroke_width(3), false)?;
                } else {
                    draw_line(&mut chart, &sr, xr, yr, unstable_c.stroke_width(2), true)?;
                }
                k = j;
            }
        }
        let area = chart.plotting_area().strip_coord_spec();
        let to_px = |x: f64, y: f64| {
            let (bx, by) = chart.backend_coord(&(x, y));
            let (ox, oy) = chart.plotting_area().get_base_pixel();
            (bx - ox, by - oy)
        };
        let inside = |x: f64, y: f64| x >= xr.0 && x <= xr.1 && y >= yr.0 && y <= yr.1;
        for (cs, m, r) in [
            (&self.cycles_down, Mark::Ring(down_c), 6),
            (&self.cycles_up, Mark::FilledCircle(up_c), 3),
        ] {
            for c in cs.iter() {
                for y in [c.1, c.2] {
                    if inside(c.0, y) {
                        draw_mark(&area, to_px(c.0, y), m, r)?;
                    }
                }
            }
        }
        let font = (FONT, 17).into_font().color(&BLACK);
        for (pts, m, text) in [
            (&self.hopf, Mark::Square(hopf_c), "H"),
            (&self.saddle_node, Mark::Triangle(sn_c), "SN"),
        ] {
            for &(p, x) in pts.iter() {
                if inside(p, x) {
                    let at = to_px(p, x);
                    draw_mark(&area, at, m, 9)?;
                    area.draw(&Text::new(
                        text.to_string(),
                        (at.0 + 9, at.1 - 12),
                        font.clone().pos(Pos::new(HPos::Left, VPos::Bottom)),
                    ))
                    .map_err(err)?;
                }
            }
        }
        draw_legend(&legend, &entries)
    }
}

/// Write a phase portrait (PNG or SVG by extension).
pub fn plot_phase_portrait(path: impl AsRef<Path>, fig: &PhasePortrait) -> Result<(), SimError> {
    render_figure(path.as_ref(), PHASE_SIZE, fig)
}

/// Write a bifurcation diagram (PNG or SVG by extension).
pub fn plot_bifurcation(path: impl AsRef<Path>, fig: &BifurcationDiagram) -> Result<(), SimError> {
    render_figure(path.as_ref(), PHASE_SIZE, fig)
}

/// Write an f-I curve: `up` and `down` are `(current, rate)` points of the two sweeps (either may
/// be empty); `x_label` carries the current's unit.
pub fn plot_fi(
    path: impl AsRef<Path>,
    title: &str,
    up: &[(f64, f64)],
    down: &[(f64, f64)],
    x_label: &str,
) -> Result<(), SimError> {
    let mut series = Vec::new();
    for (name, pts) in [("up sweep", up), ("down sweep", down)] {
        if !pts.is_empty() {
            series.push(Series::new(
                name,
                pts.iter().map(|p| p.0).collect(),
                pts.iter().map(|p| p.1).collect(),
            ));
        }
    }
    plot_xy(path, title, &series, x_label, "firing rate (Hz)", true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_stop_at_the_frame() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0];
        let y = [0.0, 5.0, 0.5, f64::NAN, 0.7];
        let r = inside_runs(&x, &y, (0.0, 4.0), (0.0, 1.0));
        assert_eq!(
            r,
            vec![vec![(0.0, 0.0)], vec![(2.0, 0.5)], vec![(4.0, 0.7)]]
        );
    }
}
