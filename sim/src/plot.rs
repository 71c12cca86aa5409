//! Plots of traces, spike rasters and x-y curves, written as PNG or SVG.
//!
//! * The output format is chosen by the file extension: `.png` (bitmap) or `.svg` (vector); any other
//!   extension is a [`SimError::BadExtension`].
//! * Text uses the DejaVu Sans font embedded in the binary, so no system fonts are needed.
//! * Files are written atomically: the figure is rendered to a temporary file in the target directory
//!   and renamed at the end, so an error never leaves a half-written file behind.
//! * Plot functions take plain data. Non-finite values (NaN, +-inf) are skipped: a line is broken
//!   where they occur. Empty data still renders a figure with a default axis range of `0..1`.
//! * New figure kinds implement [`Figure`] and are written with [`render_figure`].
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::error::{temp_file_beside, SimError};

/// The embedded font (DejaVu Sans, see `assets/DejaVuSans-LICENSE.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The font family every text in a figure uses.
const FONT: &str = "sans-serif";

/// Default figure size in pixels (width, height).
pub const DEFAULT_SIZE: (u32, u32) = (1000, 600);

/// Distinct line colours (the Tableau 10 palette), used in order.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

const TITLE_SIZE: u32 = 26;
const LABEL_SIZE: u32 = 15;
const AXIS_DESC_SIZE: u32 = 18;
const LEGEND_SIZE: u32 = 16;
const LEGEND_ROW_PX: i32 = 24;
const LEGEND_SAMPLE_PX: i32 = 28;

/// One line of a plot: `y[i]` against `x[i]` (extra elements of the longer vector are ignored).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl Series {
    pub fn new(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            x,
            y,
        }
    }

    /// State variable `state_index` of a model trace, against time in ms. `None` if the trace has no
    /// such state variable.
    pub fn from_trace(
        label: impl Into<String>,
        trace: &spikeforge_model::Trace,
        state_index: usize,
    ) -> Option<Self> {
        let y = trace.states.get(state_index)?;
        Some(Series::new(label, trace.t_ms.clone(), y.clone()))
    }
}

/// A spike train drawn as short vertical ticks in a strip at the top of a trace plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpikeMarks {
    pub label: String,
    pub times: Vec<f64>,
}

impl SpikeMarks {
    pub fn new(label: impl Into<String>, times: Vec<f64>) -> Self {
        SpikeMarks {
            label: label.into(),
            times,
        }
    }
}

/// A figure that can draw itself on any plotters backend; see [`render_figure`].
pub trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), SimError>;
}

/// Several line series over time with a legend and, optionally, spike marks at the top.
#[derive(Debug, Clone, Copy)]
pub struct TracePlot<'a> {
    pub title: &'a str,
    pub series: &'a [Series],
    pub spikes: &'a [SpikeMarks],
    pub x_label: &'a str,
    pub y_label: &'a str,
}

/// A spike raster: one row per neuron, one tick per spike.
#[derive(Debug, Clone, Copy)]
pub struct RasterPlot<'a> {
    pub title: &'a str,
    /// `(time, neuron index)` pairs.
    pub spikes: &'a [(f64, u32)],
    /// Rows shown: `0..n_neurons` (extended if a spike names a higher neuron).
    pub n_neurons: u32,
    pub x_label: &'a str,
}

/// Generic curves (e.g. f-I curves), optionally with a marker at every point.
#[derive(Debug, Clone, Copy)]
pub struct XyPlot<'a> {
    pub title: &'a str,
    pub series: &'a [Series],
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub markers: bool,
}

/// Plot several series over time (e.g. "f64 model" and "fixed twin", or "RTL" and "model") with a
/// legend and spike marks. Labels should carry units, e.g. `"time (ms)"`, `"v (mV)"`.
pub fn plot_traces(
    path: impl AsRef<Path>,
    title: &str,
    series: &[Series],
    spikes: &[SpikeMarks],
    x_label: &str,
    y_label: &str,
) -> Result<(), SimError> {
    let fig = TracePlot {
        title,
        series,
        spikes,
        x_label,
        y_label,
    };
    render_figure(path.as_ref(), DEFAULT_SIZE, &fig)
}

/// Plot a spike raster of `(time, neuron)` pairs for neurons `0..n_neurons`.
pub fn plot_raster(
    path: impl AsRef<Path>,
    title: &str,
    spikes: &[(f64, u32)],
    n_neurons: u32,
    x_label: &str,
) -> Result<(), SimError> {
    let fig = RasterPlot {
        title,
        spikes,
        n_neurons,
        x_label,
    };
    render_figure(path.as_ref(), DEFAULT_SIZE, &fig)
}

/// Plot curves (e.g. firing rate against current), with a marker at every point if `markers`.
pub fn plot_xy(
    path: impl AsRef<Path>,
    title: &str,
    series: &[Series],
    x_label: &str,
    y_label: &str,
    markers: bool,
) -> Result<(), SimError> {
    let fig = XyPlot {
        title,
        series,
        x_label,
        y_label,
        markers,
    };
    render_figure(path.as_ref(), DEFAULT_SIZE, &fig)
}

/// The output formats, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotFormat {
    Png,
    Svg,
}

impl PlotFormat {
    /// The format for `path`'s extension (case-insensitive), or [`SimError::BadExtension`].
    pub fn from_path(path: &Path) -> Result<Self, SimError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "png" => Ok(PlotFormat::Png),
            "svg" => Ok(PlotFormat::Svg),
            _ => Err(SimError::BadExtension {
                path: path.to_path_buf(),
                extension: path
                    .extension()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            }),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            PlotFormat::Png => "png",
            PlotFormat::Svg => "svg",
        }
    }
}

/// Register the embedded font with plotters (once per process).
fn ensure_font() -> Result<(), SimError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
                .map_err(|_| "the embedded DejaVuSans.ttf could not be loaded".to_string())
        })
        .clone()
        .map_err(SimError::Plot)
}

/// Render `fig` at `size` pixels to `path` (format from the extension), atomically.
pub fn render_figure<F: Figure + ?Sized>(
    path: &Path,
    size: (u32, u32),
    fig: &F,
) -> Result<(), SimError> {
    let format = PlotFormat::from_path(path)?;
    if size.0 < 100 || size.1 < 100 {
        return Err(SimError::Plot(format!(
            "figure size {}x{} is too small (at least 100x100 pixels)",
            size.0, size.1
        )));
    }
    ensure_font()?;
    if path.file_name().is_none() {
        return Err(SimError::Plot(format!(
            "{} is not a file path",
            path.display()
        )));
    }
    // The temporary file keeps the real extension so the bitmap encoder picks the right format.
    let tmp = temp_file_beside(path, &format!(".tmp.{}", format.extension()))?;
    match format {
        PlotFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                fig.draw(&root)?;
                root.present().map_err(plot_err)?;
            }
            let mut file = tmp.as_file();
            file.write_all(svg.as_bytes())
                .and_then(|_| file.flush())
                .map_err(|e| SimError::io(tmp.path(), e))?;
        }
        PlotFormat::Png => {
            let root = BitMapBackend::new(tmp.path(), size).into_drawing_area();
            fig.draw(&root)?;
            root.present().map_err(plot_err)?;
        }
    }
    tmp.persist(path).map_err(|e| SimError::io(path, e.error))?;
    Ok(())
}

fn plot_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> SimError {
    SimError::Plot(e.to_string())
}

/// Colour `i` of the palette (cycling).
pub fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Values of larger magnitude are skipped like NaN and inf (plotters' axis code needs a finite span).
pub const MAX_ABS_VALUE: f64 = 1e300;

/// Whether a value can be plotted (finite and at most [`MAX_ABS_VALUE`] in magnitude).
fn plottable(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_ABS_VALUE
}

/// Min and max of the plottable values, if any.
fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Bounds {
    values
        .into_iter()
        .filter(|v| plottable(*v))
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// An axis range from data bounds (plottable values): `frac` of the span added on each side; a
/// (nearly) degenerate span is widened around its middle; no data gives `0..1`. Always finite with
/// `lo < hi` and a span plotters can divide into ticks.
fn axis_range(bounds: Bounds, frac: f64) -> (f64, f64) {
    let Some((lo, hi)) = bounds.filter(|(lo, hi)| plottable(*lo) && plottable(*hi) && lo <= hi)
    else {
        return (0.0, 1.0);
    };
    let magnitude = lo.abs().max(hi.abs());
    let (lo, hi) = if hi - lo > (magnitude * 1e-9).max(1e-200) {
        (lo, hi)
    } else {
        let mid = lo / 2.0 + hi / 2.0;
        let d = (mid.abs() * 0.05).max(0.5);
        (mid - d, mid + d)
    };
    let pad = (hi - lo) * frac;
    (lo - pad, hi + pad)
}

/// The runs of consecutive points where both coordinates are finite.
fn finite_segments(x: &[f64], y: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut segments = Vec::new();
    let mut current = Vec::new();
    for (&a, &b) in x.iter().zip(y) {
        if plottable(a) && plottable(b) {
            current.push((a, b));
        } else if !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// Buckets per figure for [`decimate`]: twice the default width in pixels.
const DECIMATE_BUCKETS: usize = 2 * DEFAULT_SIZE.0 as usize;

/// Thin a long segment whose x never decreases (a time series) to at most four points per bucket of
/// x (the first, lowest, highest and last), which draws the same picture at figure resolution and
/// keeps SVG files small. Other segments are returned unchanged.
fn decimate(seg: Vec<(f64, f64)>, buckets: usize) -> Vec<(f64, f64)> {
    if seg.len() <= 4 * buckets || !seg.windows(2).all(|w| w[0].0 <= w[1].0) {
        return seg;
    }
    let (x0, x1) = (seg[0].0, seg[seg.len() - 1].0);
    let width = (x1 - x0) / buckets as f64;
    if !(width > 0.0 && width.is_finite()) {
        return seg;
    }
    let bucket_of = |x: f64| ((x - x0) / width).floor();
    let mut out = Vec::with_capacity(4 * buckets + 4);
    let mut i = 0;
    while i < seg.len() {
        let b = bucket_of(seg[i].0);
        let mut j = i + 1;
        while j < seg.len() && bucket_of(seg[j].0) == b {
            j += 1;
        }
        let bucket = &seg[i..j];
        let (mut lo, mut hi) = (0, 0);
        for (k, p) in bucket.iter().enumerate() {
            if p.1 < bucket[lo].1 {
                lo = k;
            }
            if p.1 > bucket[hi].1 {
                hi = k;
            }
        }
        let mut keep = [0, lo, hi, bucket.len() - 1];
        keep.sort_unstable();
        let mut last = None;
        for k in keep {
            if last != Some(k) {
                out.push(bucket[k]);
                last = Some(k);
            }
        }
        i = j;
    }
    out
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Split a polyline where it turns back sharply (more than 120 degrees, in pixel space), dropping
/// points that land on the pixel of the previous one. Plotters turns wide lines into polygons with
/// mitred joins, and a near-reversal (a spike and its reset) makes the mitre shoot across the whole
/// image; lines that meet end to end do not have that problem.
fn split_sharp_turns(
    points: &[(f64, f64)],
    to_px: impl Fn((f64, f64)) -> (i32, i32),
) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut px: Vec<(i32, i32)> = Vec::new(); // pixels of `current`
    for &p in points {
        let q = to_px(p);
        if px.last() == Some(&q) {
            continue;
        }
        if let [.., a, b] = px[..] {
            let u = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
            let v = ((q.0 - b.0) as f64, (q.1 - b.1) as f64);
            let dot = u.0 * v.0 + u.1 * v.1;
            let norms = (u.0.hypot(u.1)) * (v.0.hypot(v.1));
            if dot < -0.5 * norms {
                let last = *current.last().expect("current has the points of px");
                pieces.push(std::mem::replace(&mut current, vec![last]));
                px = vec![b];
            }
        }
        current.push(p);
        px.push(q);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Draw one run of finite points as a line (thinned by [`decimate`], split by
/// [`split_sharp_turns`]).
fn draw_polyline<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
) -> Result<(), SimError> {
    let points = decimate(points, DECIMATE_BUCKETS);
    let pieces = split_sharp_turns(&points, |p| chart.backend_coord(&p));
    for piece in pieces {
        chart
            .draw_series(LineSeries::new(piece, style))
            .map_err(plot_err)?;
    }
    Ok(())
}

/// Data bounds `(min, max)` on one axis, `None` when there is no plottable value.
type Bounds = Option<(f64, f64)>;

fn series_bounds(series: &[Series]) -> (Bounds, Bounds) {
    let finite_points = || {
        series
            .iter()
            .flat_map(|s| s.x.iter().zip(&s.y))
            .filter(|(a, b)| plottable(**a) && plottable(**b))
    };
    (
        finite_bounds(finite_points().map(|(a, _)| *a)),
        finite_bounds(finite_points().map(|(_, b)| *b)),
    )
}

fn merge_bounds(a: Bounds, b: Bounds) -> Bounds {
    match (a, b) {
        (Some((l1, h1)), Some((l2, h2))) => Some((l1.min(l2), h1.max(h2))),
        (a, None) => a,
        (None, b) => b,
    }
}

/// How a legend entry's sample is drawn.
#[derive(Debug, Clone, Copy)]
enum Sample {
    Line(u32),
    LineMarker(u32),
    Tick,
}

struct LegendEntry {
    label: String,
    color: RGBColor,
    sample: Sample,
}

/// Width of the legend panel (0 when there is no entry), at most 40 % of the figure.
fn legend_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> Result<u32, SimError> {
    if entries.is_empty() {
        return Ok(0);
    }
    let font: TextStyle = (FONT, LEGEND_SIZE).into_font().into();
    let mut text_w = 0;
    for e in entries {
        let (w, _) = area.estimate_text_size(&e.label, &font).map_err(plot_err)?;
        text_w = text_w.max(w);
    }
    let want = text_w + LEGEND_SAMPLE_PX as u32 + 50;
    Ok(want.min(area.dim_in_pixel().0 * 2 / 5))
}

/// Draw the legend panel: white box with a border, one row per entry, near the top of `area`.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    top: i32,
) -> Result<(), SimError> {
    if entries.is_empty() {
        return Ok(());
    }
    let (w, _) = area.dim_in_pixel();
    let (x0, x1) = (8, w as i32 - 12);
    let y0 = top;
    let y1 = y0 + 10 + LEGEND_ROW_PX * entries.len() as i32;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))
        .map_err(plot_err)?;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], BLACK.stroke_width(1)))
        .map_err(plot_err)?;
    let font = (FONT, LEGEND_SIZE).into_font().color(&BLACK);
    for (i, e) in entries.iter().enumerate() {
        let yc = y0 + 5 + LEGEND_ROW_PX * i as i32 + LEGEND_ROW_PX / 2;
        let sx0 = x0 + 10;
        let sx1 = sx0 + LEGEND_SAMPLE_PX;
        match e.sample {
            Sample::Line(width) | Sample::LineMarker(width) => {
                area.draw(&PathElement::new(
                    vec![(sx0, yc), (sx1, yc)],
                    e.color.stroke_width(width),
                ))
                .map_err(plot_err)?;
                if matches!(e.sample, Sample::LineMarker(_)) {
                    area.draw(&Circle::new(((sx0 + sx1) / 2, yc), 4, e.color.filled()))
                        .map_err(plot_err)?;
                }
            }
            Sample::Tick => {
                area.draw(&PathElement::new(
                    vec![((sx0 + sx1) / 2, yc - 8), ((sx0 + sx1) / 2, yc + 8)],
                    e.color.stroke_width(2),
                ))
                .map_err(plot_err)?;
            }
        }
        area.draw(&Text::new(
            e.label.clone(),
            (sx1 + 10, yc),
            font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(plot_err)?;
    }
    Ok(())
}

/// White background and title; returns the plot area and the legend area (if any entries).
#[allow(clippy::type_complexity)]
fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[LegendEntry],
) -> Result<(DrawingArea<DB, Shift>, Option<DrawingArea<DB, Shift>>), SimError> {
    root.fill(&WHITE).map_err(plot_err)?;
    let body = root
        .titled(title, (FONT, TITLE_SIZE).into_font().color(&BLACK))
        .map_err(plot_err)?;
    let lw = legend_width(&body, entries)?;
    if lw == 0 {
        Ok((body, None))
    } else {
        let (w, _) = body.dim_in_pixel();
        let (plot, legend) = body.split_horizontally(w - lw);
        Ok((plot, Some(legend)))
    }
}

/// Line widths: with several series the first is drawn wide and the rest narrower on top, so that
/// identical curves (RTL and model) both stay visible.
fn line_width(i: usize, n: usize) -> u32 {
    if n > 1 && i == 0 {
        4
    } else {
        2
    }
}

const CHART_MARGIN: u32 = 15;
const X_LABEL_AREA: u32 = 55;
const Y_LABEL_AREA: u32 = 85;

fn draw_mesh<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    x_label: &str,
    y_label: &str,
    y_formatter: Option<&dyn Fn(&f64) -> String>,
) -> Result<(), SimError> {
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_label)
        .y_desc(y_label)
        .label_style((FONT, LABEL_SIZE).into_font().color(&BLACK))
        .axis_desc_style((FONT, AXIS_DESC_SIZE).into_font().color(&BLACK))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(242, 242, 242))
        .axis_style(BLACK.stroke_width(1));
    if let Some(f) = y_formatter {
        mesh.y_label_formatter(f);
    }
    mesh.draw().map_err(plot_err)
}

impl Figure for TracePlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), SimError> {
        let n = self.series.len();
        let series_colors: Vec<RGBColor> = (0..n).map(palette).collect();
        // A spike train whose label matches a series gets that series' colour.
        let mut next_color = n;
        let spike_colors: Vec<RGBColor> = self
            .spikes
            .iter()
            .map(
                |sm| match self.series.iter().position(|s| s.label == sm.label) {
                    Some(i) => series_colors[i],
                    None => {
                        next_color += 1;
                        palette(next_color - 1)
                    }
                },
            )
            .collect();
        let mut entries: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendEntry {
                label: s.label.clone(),
                color: series_colors[i],
                sample: Sample::Line(line_width(i, n)),
            })
            .collect();
        entries.extend(
            self.spikes
                .iter()
                .zip(&spike_colors)
                .map(|(sm, &color)| LegendEntry {
                    label: format!("spikes: {}", sm.label),
                    color,
                    sample: Sample::Tick,
                }),
        );
        let (plot_area, legend_area) = layout(root, self.title, &entries)?;

        let (xb, yb) = series_bounds(self.series);
        let spike_xb = finite_bounds(self.spikes.iter().flat_map(|s| s.times.iter().copied()));
        let (x0, x1) = axis_range(merge_bounds(xb, spike_xb), 0.0);
        let (y0, mut y1) = axis_range(yb, 0.05);
        // The spike strip: one row per spike train above the data range.
        let row = (y1 - y0) * 0.06;
        let strip_base = y1;
        if !self.spikes.is_empty() {
            let top = y1 + row * (self.spikes.len() as f64 + 0.3);
            if top.is_finite() {
                y1 = top;
            }
        }

        let mut chart = ChartBuilder::on(&plot_area)
            .margin(CHART_MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_err)?;
        draw_mesh(&mut chart, self.x_label, self.y_label, None)?;

        for (i, s) in self.series.iter().enumerate() {
            let style = series_colors[i].stroke_width(line_width(i, n));
            for seg in finite_segments(&s.x, &s.y) {
                draw_polyline(&mut chart, seg, style)?;
            }
        }

        if !self.spikes.is_empty() && y1 > strip_base {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0, strip_base), (x1, strip_base)],
                    RGBColor(160, 160, 160).stroke_width(1),
                )))
                .map_err(plot_err)?;
            for (k, (sm, &color)) in self.spikes.iter().zip(&spike_colors).enumerate() {
                let lo = strip_base + row * (k as f64 + 0.3);
                let hi = lo + row * 0.8;
                chart
                    .draw_series(
                        sm.times
                            .iter()
                            .filter(|t| plottable(**t) && **t >= x0 && **t <= x1)
                            .map(|&t| {
                                PathElement::new(vec![(t, lo), (t, hi)], color.stroke_width(2))
                            }),
                    )
                    .map_err(plot_err)?;
            }
        }

        if let Some(legend) = legend_area {
            draw_legend(&legend, &entries, CHART_MARGIN as i32)?;
        }
        Ok(())
    }
}

impl Figure for RasterPlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), SimError> {
        let (plot_area, _) = layout(root, self.title, &[])?;
        let spikes: Vec<(f64, u32)> = self
            .spikes
            .iter()
            .copied()
            .filter(|(t, _)| plottable(*t))
            .collect();
        let tb = finite_bounds(spikes.iter().map(|s| s.0));
        // Time axis from 0 (or the earliest spike, if negative) to the last spike.
        let (x0, x1) = axis_range(tb.map(|(lo, hi)| (lo.min(0.0), hi)), 0.02);
        let max_id = spikes.iter().map(|s| s.1).max();
        let rows = self
            .n_neurons
            .max(max_id.map_or(0, |m| m.saturating_add(1)))
            .max(1);
        let (y0, y1) = (-0.5, rows as f64 - 0.5);

        let mut chart = ChartBuilder::on(&plot_area)
            .margin(CHART_MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_err)?;
        let integer_labels = |v: &f64| {
            if (v - v.round()).abs() < 1e-9 && *v >= 0.0 {
                format!("{}", v.round() as i64)
            } else {
                String::new()
            }
        };
        draw_mesh(&mut chart, self.x_label, "neuron", Some(&integer_labels))?;
        let half = if rows > 200 { 0.5 } else { 0.4 };
        let color = RGBColor(20, 20, 20);
        chart
            .draw_series(spikes.iter().map(|&(t, id)| {
                let y = id as f64;
                PathElement::new(vec![(t, y - half), (t, y + half)], color.stroke_width(1))
            }))
            .map_err(plot_err)?;
        Ok(())
    }
}

impl Figure for XyPlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), SimError> {
        let n = self.series.len();
        let entries: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendEntry {
                label: s.label.clone(),
                color: palette(i),
                sample: if self.markers {
                    Sample::LineMarker(2)
                } else {
                    Sample::Line(line_width(i, n))
                },
            })
            .collect();
        let (plot_area, legend_area) = layout(root, self.title, &entries)?;
        let (xb, yb) = series_bounds(self.series);
        let (x0, x1) = axis_range(xb, 0.02);
        let (y0, y1) = axis_range(yb, 0.05);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(CHART_MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_err)?;
        draw_mesh(&mut chart, self.x_label, self.y_label, None)?;
        for (i, s) in self.series.iter().enumerate() {
            let color = palette(i);
            let width = if self.markers { 2 } else { line_width(i, n) };
            for seg in finite_segments(&s.x, &s.y) {
                if self.markers {
                    chart
                        .draw_series(seg.iter().map(|&p| Circle::new(p, 4, color.filled())))
                        .map_err(plot_err)?;
                }
                draw_polyline(&mut chart, seg, color.stroke_width(width))?;
            }
        }
        if let Some(legend) = legend_area {
            draw_legend(&legend, &entries, CHART_MARGIN as i32)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_range_handles_degenerate_input() {
        assert_eq!(axis_range(None, 0.05), (0.0, 1.0));
        let (lo, hi) = axis_range(Some((-65.0, -65.0)), 0.0);
        assert!(lo < -65.0 && hi > -65.0);
        let (lo, hi) = axis_range(Some((-1e300, 1e300)), 0.05);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
        assert_eq!(axis_range(Some((-1e308, 1.7e308)), 0.05), (0.0, 1.0));
        let (lo, hi) = axis_range(Some((1.0, 1.0 + 1e-15)), 0.05);
        assert!(lo < 0.99 && hi > 1.01);
        let (lo, hi) = axis_range(Some((0.0, 1e-310)), 0.05);
        assert!(lo <= -0.5 && hi >= 0.5);
        assert_eq!(axis_range(Some((0.0, 10.0)), 0.1), (-1.0, 11.0));
    }

    #[test]
    fn segments_break_at_non_finite_points() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, 4.0];
        let segs = finite_segments(&x, &y);
        assert_eq!(
            segs,
            vec![
                vec![(0.0, 1.0)],
                vec![(2.0, 2.0), (3.0, 3.0)],
                vec![(5.0, 4.0)]
            ]
        );
    }

    #[test]
    fn decimation_keeps_extremes_and_ends() {
        let n = 100_000;
        let seg: Vec<(f64, f64)> = (0..n)
            .map(|i| (i as f64, if i == 54_321 { 1e6 } else { (i % 7) as f64 }))
            .collect();
        let out = decimate(seg.clone(), 1000);
        assert!(out.len() <= 4000, "{}", out.len());
        assert_eq!(out.first(), seg.first());
        assert_eq!(out.last(), seg.last());
        assert!(out.contains(&(54_321.0, 1e6)), "the spike survives");
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
        // Short or non-monotonic segments are untouched.
        let short = seg[..100].to_vec();
        assert_eq!(decimate(short.clone(), 1000), short);
        let mut back = seg.clone();
        back.swap(10, 20);
        assert_eq!(decimate(back.clone(), 1000).len(), back.len());
    }

    #[test]
    fn polylines_split_at_reversals_only() {
        let px = |p: (f64, f64)| (p.0 as i32, p.1 as i32);
        // Up, then straight back down: split at the top.
        let spike = [(0.0, 0.0), (1.0, 10.0), (2.0, 20.0), (2.0, 0.0), (3.0, 0.0)];
        let pieces = split_sharp_turns(&spike, px);
        assert_eq!(
            pieces,
            vec![
                vec![(0.0, 0.0), (1.0, 10.0), (2.0, 20.0)],
                vec![(2.0, 20.0), (2.0, 0.0), (3.0, 0.0)]
            ]
        );
        // A right angle and a gentle curve stay in one piece; same-pixel points are dropped.
        let gentle = [
            (0.0, 0.0),
            (10.0, 0.0),
            (10.2, 0.3),
            (10.0, 10.0),
            (20.0, 12.0),
        ];
        assert_eq!(
            split_sharp_turns(&gentle, px),
            vec![vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (20.0, 12.0)]]
        );
        assert!(split_sharp_turns(&[], px).is_empty());
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(
            PlotFormat::from_path(Path::new("a/b.PNG")).unwrap(),
            PlotFormat::Png
        );
        assert_eq!(
            PlotFormat::from_path(Path::new("b.svg")).unwrap(),
            PlotFormat::Svg
        );
        match PlotFormat::from_path(Path::new("b.jpg")) {
            Err(SimError::BadExtension { extension, .. }) => assert_eq!(extension, "jpg"),
            other => panic!("expected BadExtension, got {other:?}"),
        }
    }
}
