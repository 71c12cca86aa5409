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
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::SimError;

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
    let file_name = path
        .file_name()
        .ok_or_else(|| SimError::Plot(format!("{} is not a file path", path.display())))?
        .to_string_lossy()
        .into_owned();
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The temporary file keeps the real extension so the bitmap encoder picks the right format.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(&format!(".tmp.{}", format.extension()))
        .tempfile_in(&dir)
        .map_err(|e| SimError::io(&dir, e))?;
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

/// Min and max of the finite values, if any.
fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// An axis range from data bounds: `frac` of the span added on each side; a degenerate span is
/// widened; no data gives `0..1`. Always finite with `lo < hi`.
fn axis_range(bounds: Option<(f64, f64)>, frac: f64) -> (f64, f64) {
    let Some((lo, hi)) = bounds else {
        return (0.0, 1.0);
    };
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        let d = (lo.abs() * 0.05).max(0.5);
        (lo - d, hi + d)
    };
    // Computed as a difference of scaled values so that huge ranges do not overflow.
    let pad = hi * frac - lo * frac;
    let (plo, phi) = (lo - pad, hi + pad);
    let (lo, hi) = (
        if plo.is_finite() { plo } else { lo },
        if phi.is_finite() { phi } else { hi },
    );
    if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

/// The runs of consecutive points where both coordinates are finite.
fn finite_segments(x: &[f64], y: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut segments = Vec::new();
    let mut current = Vec::new();
    for (&a, &b) in x.iter().zip(y) {
        if a.is_finite() && b.is_finite() {
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

fn series_bounds(series: &[Series]) -> (Option<(f64, f64)>, Option<(f64, f64)>) {
    let finite_points = || {
        series
            .iter()
            .flat_map(|s| s.x.iter().zip(&s.y))
            .filter(|(a, b)| a.is_finite() && b.is_finite())
    };
    (
        finite_bounds(finite_points().map(|(a, _)| *a)),
        finite_bounds(finite_points().map(|(_, b)| *b)),
    )
}

fn merge_bounds(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Option<(f64, f64)> {
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
            (sx1 + 10, yc - LEGEND_SIZE as i32 / 2 - 1),
            font.clone(),
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
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
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
                chart
                    .draw_series(LineSeries::new(seg, style))
                    .map_err(plot_err)?;
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
                            .filter(|t| t.is_finite() && **t >= x0 && **t <= x1)
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
            .filter(|(t, _)| t.is_finite())
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
                chart
                    .draw_series(LineSeries::new(seg, color.stroke_width(width)))
                    .map_err(plot_err)?;
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
        let (lo, hi) = axis_range(Some((-1e308, 1.7e308)), 0.05);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
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
