//! Plots of network data: histograms (e.g. of synaptic weights), overlaid as outlined bars, written
//! with [`crate::plot::render_figure`] (PNG or SVG by extension, atomically).
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::SimError;
use crate::plot::{palette, render_figure, Figure, DEFAULT_SIZE};

/// One histogram: `counts[k]` values fell in `[edges[k], edges[k + 1])`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    pub label: String,
    pub edges: Vec<f64>,
    pub counts: Vec<f64>,
}

impl Histogram {
    /// `bins` equal bins over `[lo, hi]` (the last bin includes `hi`); values outside are clamped
    /// into the first or last bin, non-finite values are skipped.
    pub fn of(label: impl Into<String>, values: &[f64], lo: f64, hi: f64, bins: usize) -> Self {
        let bins = bins.max(1);
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        let w = (hi - lo) / bins as f64;
        let mut counts = vec![0.0; bins];
        for v in values.iter().filter(|v| v.is_finite()) {
            let k = (((v - lo) / w).floor().max(0.0) as usize).min(bins - 1);
            counts[k] += 1.0;
        }
        Histogram {
            label: label.into(),
            edges: (0..=bins).map(|k| lo + w * k as f64).collect(),
            counts,
        }
    }
}

struct HistFigure<'a> {
    title: &'a str,
    hists: &'a [Histogram],
    x_label: &'a str,
    y_label: &'a str,
}

fn err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> SimError {
    SimError::Plot(e.to_string())
}

impl Figure for HistFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), SimError> {
        root.fill(&WHITE).map_err(err)?;
        let edges = self.hists.iter().flat_map(|h| h.edges.iter().copied());
        let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
        for e in edges.filter(|e| e.is_finite()) {
            x0 = x0.min(e);
            x1 = x1.max(e);
        }
        if x1 <= x0 {
            (x0, x1) = (0.0, 1.0);
        }
        let ymax = self
            .hists
            .iter()
            .flat_map(|h| h.counts.iter().copied())
            .filter(|c| c.is_finite())
            .fold(0.0f64, f64::max)
            .max(1.0);
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, ("sans-serif", 26))
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(85)
            .build_cartesian_2d(x0..x1, 0.0..ymax * 1.08)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(err)?;
        for (i, h) in self.hists.iter().enumerate() {
            let c = palette(i);
            let fill = c.mix(if self.hists.len() > 1 { 0.35 } else { 0.6 });
            let bars = h.counts.iter().enumerate().filter_map(|(k, n)| {
                let (a, b) = (*h.edges.get(k)?, *h.edges.get(k + 1)?);
                (n.is_finite() && *n > 0.0).then_some((a, b, *n))
            });
            let bars: Vec<(f64, f64, f64)> = bars.collect();
            chart
                .draw_series(
                    bars.iter()
                        .map(|(a, b, n)| Rectangle::new([(*a, 0.0), (*b, *n)], fill.filled())),
                )
                .map_err(err)?
                .label(h.label.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.filled()));
            chart
                .draw_series(
                    bars.iter()
                        .map(|(a, b, n)| Rectangle::new([(*a, 0.0), (*b, *n)], c.stroke_width(1))),
                )
                .map_err(err)?;
        }
        if self.hists.iter().any(|h| !h.label.is_empty()) {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperMiddle)
                .label_font(("sans-serif", 16))
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .draw()
                .map_err(err)?;
        }
        Ok(())
    }
}

/// Plot histograms (overlaid, translucent) to `path` (PNG or SVG by extension).
pub fn plot_histograms(
    path: impl AsRef<Path>,
    title: &str,
    hists: &[Histogram],
    x_label: &str,
    y_label: &str,
) -> Result<(), SimError> {
    render_figure(
        path.as_ref(),
        DEFAULT_SIZE,
        &HistFigure {
            title,
            hists,
            x_label,
            y_label,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_and_plot() {
        let h = Histogram::of(
            "w",
            &[0.0, 0.1, 0.5, 0.99, 1.0, 7.0, f64::NAN, -3.0],
            0.0,
            1.0,
            4,
        );
        assert_eq!(h.counts, vec![3.0, 0.0, 1.0, 3.0]);
        assert_eq!(h.edges.len(), 5);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.svg");
        plot_histograms(
            &p,
            "weights",
            &[
                h.clone(),
                Histogram {
                    label: "b".into(),
                    ..h
                },
            ],
            "w",
            "count",
        )
        .unwrap();
        let s = std::fs::read_to_string(&p).unwrap();
        assert!(s.contains("<svg") && s.contains("weights"));
        let p = dir.path().join("h.png");
        plot_histograms(&p, "weights", &[], "w", "count").unwrap();
        assert!(std::fs::metadata(&p).unwrap().len() > 1000);
    }
}
