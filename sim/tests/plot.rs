//! Plots render to PNG and SVG, with readable text from the embedded font, and fail cleanly.
use std::path::Path;

use spikeforge_sim::error::SimError;
use spikeforge_sim::plot::{plot_raster, plot_traces, plot_xy, Series, SpikeMarks};

/// Checks the PNG container: signature, chunk structure with valid CRCs, IHDR size, IEND last.
fn check_png(path: &Path, width: u32, height: u32) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.len() > 20_000,
        "{} is only {} bytes: suspiciously small for a plot",
        path.display(),
        bytes.len()
    );
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let mut pos = 8;
    let mut types = Vec::new();
    while pos < bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let body = &bytes[pos + 8..pos + 8 + len];
        let crc = u32::from_be_bytes(bytes[pos + 8 + len..pos + 12 + len].try_into().unwrap());
        assert_eq!(
            crc32(&bytes[pos + 4..pos + 8 + len]),
            crc,
            "CRC of chunk {kind:?}"
        );
        if kind == b"IHDR" {
            assert_eq!(u32::from_be_bytes(body[0..4].try_into().unwrap()), width);
            assert_eq!(u32::from_be_bytes(body[4..8].try_into().unwrap()), height);
        }
        types.push(String::from_utf8_lossy(kind).into_owned());
        pos += 12 + len;
    }
    assert_eq!(
        pos,
        bytes.len(),
        "chunks end exactly at the end of the file"
    );
    assert_eq!(types.first().map(String::as_str), Some("IHDR"));
    assert_eq!(types.last().map(String::as_str), Some("IEND"));
    assert!(types.iter().any(|t| t == "IDAT"), "image data present");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn read_svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("<svg"), "not an SVG: {}", path.display());
    text
}

fn no_temp_files_left(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

fn membrane(n: usize, offset: f64) -> Series {
    let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.1).collect();
    let y = x
        .iter()
        .map(|t| -65.0 + 20.0 * ((t * 0.7).sin() + offset))
        .collect();
    Series::new("placeholder", x, y)
}

#[test]
fn traces_render_png_and_svg_with_legend_labels_and_spikes() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = membrane(1000, 0.0);
    model.label = "f64 model".into();
    let mut twin = membrane(1000, 0.05);
    twin.label = "fixed twin Q7.8".into();
    // A gap of NaN and an infinity in the middle must be skipped, not panic.
    twin.y[500] = f64::NAN;
    twin.y[501] = f64::INFINITY;
    let spikes = vec![
        SpikeMarks::new("f64 model", vec![10.0, 30.5, 55.0, 80.25]),
        SpikeMarks::new("fixed twin Q7.8", vec![10.1, 30.6, f64::NAN, 80.3]),
    ];
    for ext in ["png", "svg"] {
        let path = dir.path().join(format!("traces.{ext}"));
        plot_traces(
            &path,
            "LIF: model vs twin",
            &[model.clone(), twin.clone()],
            &spikes,
            "time (ms)",
            "membrane v (mV)",
        )
        .unwrap();
        if ext == "png" {
            check_png(&path, 1000, 600);
        } else {
            let svg = read_svg(&path);
            for text in [
                "LIF: model vs twin",
                "f64 model",
                "fixed twin Q7.8",
                "spikes: f64 model",
                "time (ms)",
                "membrane v (mV)",
            ] {
                assert!(svg.contains(text), "SVG lacks {text:?}");
            }
            assert!(svg.contains("<polyline"), "SVG has no lines");
        }
    }
    no_temp_files_left(dir.path());
}

#[test]
fn raster_renders_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    // Deterministic pseudo-random spikes for 50 neurons.
    let mut state = 12345u64;
    let mut spikes = Vec::new();
    for _ in 0..2000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let t = (state >> 33) as f64 / (1u64 << 31) as f64 * 500.0;
        let n = ((state >> 20) % 50) as u32;
        spikes.push((t, n));
    }
    spikes.push((f64::NAN, 3));
    for ext in ["png", "svg"] {
        let path = dir.path().join(format!("raster.{ext}"));
        plot_raster(&path, "Network raster", &spikes, 50, "time (ms)").unwrap();
        if ext == "png" {
            check_png(&path, 1000, 600);
        } else {
            let svg = read_svg(&path);
            for text in ["Network raster", "time (ms)", "neuron"] {
                assert!(svg.contains(text), "SVG lacks {text:?}");
            }
        }
    }
    no_temp_files_left(dir.path());
}

#[test]
fn xy_renders_png_and_svg_with_markers() {
    let dir = tempfile::tempdir().unwrap();
    let i: Vec<f64> = (0..30).map(|k| k as f64 * 0.5).collect();
    let up = Series::new(
        "sweep up",
        i.clone(),
        i.iter()
            .map(|&c| {
                if c < 4.0 {
                    0.0
                } else {
                    10.0 * (c - 4.0).sqrt()
                }
            })
            .collect(),
    );
    let down = Series::new(
        "sweep down",
        i.clone(),
        i.iter()
            .map(|&c| {
                if c < 3.0 {
                    0.0
                } else {
                    10.0 * (c - 3.0).sqrt() + 2.0
                }
            })
            .collect(),
    );
    for ext in ["png", "svg"] {
        let path = dir.path().join(format!("fi.{ext}"));
        plot_xy(
            &path,
            "f-I curve",
            &[up.clone(), down.clone()],
            "input current (nA)",
            "firing rate (Hz)",
            true,
        )
        .unwrap();
        if ext == "png" {
            check_png(&path, 1000, 600);
        } else {
            let svg = read_svg(&path);
            for text in [
                "f-I curve",
                "sweep up",
                "sweep down",
                "input current (nA)",
                "firing rate (Hz)",
            ] {
                assert!(svg.contains(text), "SVG lacks {text:?}");
            }
            assert!(svg.contains("<circle"), "markers requested but none drawn");
        }
    }
    no_temp_files_left(dir.path());
}

#[test]
fn empty_and_non_finite_data_still_render() {
    let dir = tempfile::tempdir().unwrap();
    let nan = Series::new("all NaN", vec![f64::NAN; 5], vec![f64::NAN; 5]);
    let empty = Series::new("empty", vec![], vec![]);
    let huge = Series::new("huge", vec![0.0, 1.0], vec![-1e308, 1.7e308]);
    let constant = Series::new("constant", vec![0.0, 1.0, 2.0], vec![-65.0; 3]);
    for ext in ["png", "svg"] {
        let p = |name: &str| dir.path().join(format!("{name}.{ext}"));
        plot_traces(p("t_empty"), "empty", &[], &[], "time (ms)", "v (mV)").unwrap();
        plot_traces(
            p("t_nan"),
            "nan",
            &[nan.clone(), empty.clone()],
            &[SpikeMarks::new("none", vec![])],
            "time (ms)",
            "v (mV)",
        )
        .unwrap();
        plot_traces(
            p("t_huge"),
            "huge",
            std::slice::from_ref(&huge),
            &[],
            "t",
            "v",
        )
        .unwrap();
        plot_traces(
            p("t_const"),
            "constant",
            std::slice::from_ref(&constant),
            &[],
            "t",
            "v",
        )
        .unwrap();
        plot_raster(p("r_empty"), "no spikes", &[], 0, "time (ms)").unwrap();
        plot_xy(
            p("xy_nan"),
            "nan",
            std::slice::from_ref(&nan),
            "I (nA)",
            "rate (Hz)",
            true,
        )
        .unwrap();
        plot_xy(p("xy_empty"), "none", &[], "I (nA)", "rate (Hz)", false).unwrap();
        for name in [
            "t_empty", "t_nan", "t_huge", "t_const", "r_empty", "xy_nan", "xy_empty",
        ] {
            let len = std::fs::metadata(p(name)).unwrap().len();
            assert!(len > 1000, "{name}.{ext} is only {len} bytes");
        }
    }
    // The legend of an all-NaN series is still shown.
    assert!(read_svg(&dir.path().join("t_nan.svg")).contains("all NaN"));
    no_temp_files_left(dir.path());
}

#[test]
fn bad_extension_is_a_typed_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["plot.jpg", "plot", "plot.pdf"] {
        let path = dir.path().join(name);
        let err = plot_traces(&path, "t", &[], &[], "x", "y").unwrap_err();
        match &err {
            SimError::BadExtension { extension, path: p } => {
                assert_eq!(extension, name.split_once('.').map_or("", |(_, e)| e));
                assert_eq!(p, &path);
            }
            other => panic!("expected BadExtension for {name}, got {other:?}"),
        }
        assert!(err.to_string().contains(".png or .svg"), "{err}");
        let err = plot_raster(&path, "t", &[], 1, "x").unwrap_err();
        assert!(matches!(err, SimError::BadExtension { .. }));
        let err = plot_xy(&path, "t", &[], "x", "y", false).unwrap_err();
        assert!(matches!(err, SimError::BadExtension { .. }));
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn missing_directory_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/plot.png");
    match plot_xy(&path, "t", &[], "x", "y", false) {
        Err(SimError::Io { path: p, .. }) => assert!(p.ends_with("no/such/dir"), "{p:?}"),
        other => panic!("expected Io error, got {other:?}"),
    }
}

#[test]
fn output_is_deterministic_and_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let s = membrane(300, 0.0);
    for ext in ["png", "svg"] {
        let a = dir.path().join(format!("a.{ext}"));
        let b = dir.path().join(format!("b.{ext}"));
        plot_traces(
            &a,
            "same",
            std::slice::from_ref(&s),
            &[],
            "time (ms)",
            "v (mV)",
        )
        .unwrap();
        plot_traces(
            &b,
            "same",
            std::slice::from_ref(&s),
            &[],
            "time (ms)",
            "v (mV)",
        )
        .unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        // Writing over an existing file replaces it.
        plot_traces(
            &a,
            "other title",
            std::slice::from_ref(&s),
            &[],
            "time (ms)",
            "v (mV)",
        )
        .unwrap();
        assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }
}
