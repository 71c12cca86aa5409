//! End-to-end tests of `spikeforge plasticity`: the Brian2 reference values through the CLI, the
//! window and rate plots (PNG and SVG), the fixed twin, and exit code 2 on bad input.
mod common;
use common::{bad, json, sf};

fn pairing_dw(delta_t: &str) -> f64 {
    let j = json(&[
        "plasticity",
        "--rule",
        "pair",
        "--preset",
        "song2000",
        "--protocol",
        "pairing",
        "--delta-t",
        delta_t,
        "--rate",
        "1",
        "--pairs",
        "1",
        "--format",
        "json",
    ]);
    j["dw"].as_f64().expect("dw")
}

#[test]
fn song2000_pairing_matches_the_reference_values() {
    // shared/reference/README.md (Brian2): dw(+10) = 3.0327e-3, dw(-10) = -3.1843e-3, dw(0) = A+,
    // quoted to 5 significant digits, so within half a unit of the last digit
    assert!((pairing_dw("10") - 3.0327e-3).abs() <= 0.5e-7);
    assert!((pairing_dw("-10") + 3.1843e-3).abs() <= 0.5e-7);
    assert!((pairing_dw("0") - 5e-3).abs() <= 1e-15);
}

#[test]
fn window_json_matches_the_reference_csv() {
    let j = json(&[
        "plasticity",
        "--rule",
        "pair",
        "--preset",
        "song2000",
        "--pairs",
        "1",
        "--window",
        "--format",
        "json",
    ]);
    let w = j["window"].as_array().unwrap();
    let path = format!(
        "{}/reference/stdp_pair_window.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<(f64, f64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].parse().unwrap(), c[1].parse().unwrap())
        })
        .collect();
    assert_eq!(w.len(), rows.len());
    for (p, (d, dw)) in w.iter().zip(rows) {
        assert_eq!(p["delta_t_ms"].as_f64().unwrap(), d);
        assert!((p["dw"].as_f64().unwrap() - dw).abs() <= 1e-12, "{d}");
    }
}

#[test]
fn window_and_rate_plots_render_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["png", "svg"] {
        let win = dir.path().join(format!("window.{ext}"));
        let o = sf(&[
            "plasticity",
            "--rule",
            "pair",
            "--preset",
            "song2000",
            "--pairs",
            "1",
            "--window",
            "--from",
            "-50",
            "--to",
            "50",
            "--step",
            "2",
            "--plot",
            win.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rates = dir.path().join(format!("rates.{ext}"));
        let o = sf(&[
            "plasticity",
            "--rule",
            "triplet",
            "--preset",
            "visual-cortex-minimal",
            "--pairs",
            "10",
            "--rates",
            "1,10,20,40,50",
            "--delta-t",
            "10",
            "--delta-t",
            "-10",
            "--plot",
            rates.to_str().unwrap(),
            "--fixed",
            "Q1.14",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for f in [&win, &rates] {
            let bytes = std::fs::read(f).unwrap();
            assert!(
                bytes.len() > 2000,
                "{} is {} bytes",
                f.display(),
                bytes.len()
            );
            if ext == "png" {
                assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            } else {
                let s = String::from_utf8(bytes).unwrap();
                assert!(
                    s.contains("<svg") && s.contains("<polyline"),
                    "{}",
                    f.display()
                );
                assert!(s.contains("delta_t"), "axis label in {}", f.display());
            }
        }
    }
}

#[test]
fn triplet_rates_json_shows_the_frequency_dependence() {
    let j = json(&[
        "plasticity",
        "--rule",
        "triplet",
        "--preset",
        "visual-cortex-minimal",
        "--pairs",
        "60",
        "--rates",
        "1,20,50",
        "--delta-t",
        "-10",
        "--format",
        "json",
    ]);
    let dw: Vec<f64> = j["rate_dependence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dw"].as_f64().unwrap())
        .collect();
    assert_eq!(dw.len(), 3);
    assert!(dw[0] < 0.0 && dw[2] > 0.0 && dw[2] > dw[1], "{dw:?}");
}

#[test]
fn fixed_twin_through_the_cli() {
    let j = json(&[
        "plasticity",
        "--rule",
        "pair",
        "--preset",
        "song2000",
        "--delta-t",
        "10",
        "--pairs",
        "60",
        "--rate",
        "20",
        "--fixed",
        "Q1.14",
        "--rounding",
        "stochastic",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    let (dw, f) = (j["dw"].as_f64().unwrap(), j["dw_f64"].as_f64().unwrap());
    assert!((dw - f).abs() < 60.0 * 2f64.powi(-14), "{dw} vs {f}");
    assert_eq!(j["fixed"]["weight_format"], "Q1.14");
    assert!(j["fixed"]["twin"]["a_plus"]["raw"].as_i64().unwrap() > 0);
    // the same seed gives the same bits
    let k = json(&[
        "plasticity",
        "--rule",
        "pair",
        "--preset",
        "song2000",
        "--delta-t",
        "10",
        "--pairs",
        "60",
        "--rate",
        "20",
        "--fixed",
        "Q1.14",
        "--rounding",
        "stochastic",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(j, k);
    // R-STDP with a reward
    let j = json(&[
        "plasticity",
        "--rule",
        "rstdp",
        "--delta-t",
        "10",
        "--pairs",
        "1",
        "--reward-delay",
        "1000",
        "--fixed",
        "Q3.14",
        "--format",
        "json",
    ]);
    assert!(
        j["dw"].as_f64().unwrap() > 0.1 && j["dw_f64"].as_f64().unwrap() > 0.1,
        "{j}"
    );
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let base = ["plasticity", "--rule"];
    let run = |extra: &[&str], needle: &str| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        bad(&a, needle);
    };
    run(
        &["hebbian", "--delta-t", "10", "--pairs", "1"],
        "unknown learning rule 'hebbian'",
    );
    run(&["pair", "--delta-t", "10"], "--pairs");
    run(&["pair", "--pairs", "1"], "--delta-t");
    run(
        &[
            "pair",
            "--preset",
            "song2001",
            "--delta-t",
            "1",
            "--pairs",
            "1",
        ],
        "song2000",
    );
    run(
        &["pair", "--set", "tau=5", "--delta-t", "1", "--pairs", "1"],
        "tau_plus",
    );
    run(
        &[
            "pair",
            "--set",
            "tau_plus=x",
            "--delta-t",
            "1",
            "--pairs",
            "1",
        ],
        "not a number",
    );
    run(&["pair", "--delta-t", "10", "--pairs", "0"], "pairs");
    run(
        &["pair", "--delta-t", "10", "--pairs", "1", "--rate", "-2"],
        "rate",
    );
    run(
        &["pair", "--delta-t", "10", "--pairs", "1", "--dt", "0"],
        "--dt",
    );
    run(&["bcm", "--delta-t", "10", "--pairs", "1"], "rate-based");
    run(&["abs", "--delta-t", "10", "--pairs", "1"], "voltage-based");
    run(
        &["pair", "--window", "--delta-t", "5", "--pairs", "1"],
        "--window",
    );
    run(
        &[
            "pair", "--window", "--pairs", "1", "--from", "5", "--to", "-5",
        ],
        "sweep",
    );
    run(
        &["pair", "--delta-t", "10", "--pairs", "1", "--fixed", "Q1"],
        "Q1",
    );
    run(
        &["bcm", "--delta-t", "10", "--pairs", "1", "--fixed", "Q1.14"],
        "twin",
    );
    run(
        &[
            "pair",
            "--delta-t",
            "10",
            "--pairs",
            "1",
            "--reward-delay",
            "100",
        ],
        "rstdp",
    );
    run(
        &[
            "pair",
            "--delta-t",
            "10",
            "--pairs",
            "1",
            "--dependence",
            "multiplicative",
        ],
        "w_min",
    );
    run(
        &[
            "pair",
            "--delta-t",
            "10",
            "--pairs",
            "1",
            "--interaction",
            "some",
        ],
        "interaction",
    );
    run(
        &["pair", "--delta-t", "10", "--pairs", "1", "--decay", "exp"],
        "--decay",
    );
    run(
        &[
            "pair",
            "--delta-t",
            "10",
            "--pairs",
            "1",
            "--mul",
            "shift-add:0",
        ],
        "--mul",
    );
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("w.jpg");
    run(
        &[
            "pair",
            "--window",
            "--pairs",
            "1",
            "--plot",
            jpg.to_str().unwrap(),
        ],
        "jpg",
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no file left"
    );
    run(
        &[
            "pair",
            "--delta-t",
            "10",
            "--pairs",
            "1",
            "--plot",
            jpg.with_extension("png").to_str().unwrap(),
        ],
        "--window",
    );
}
