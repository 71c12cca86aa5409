//! End-to-end tests of the `spikeforge` binary: reference cases through the CLI, exit codes on bad
//! input, and no half-written output.
mod common;
use common::{bad, json, sf};
use serde_json::Value;
use std::path::Path;

#[test]
fn izhikevich_reference_counts_through_the_cli() {
    // shared/reference/README.md: counts in 1 s at I = 10, forward Euler dt 0.1 ms
    for (cell, count) in [
        ("rs", 23),
        ("ib", 34),
        ("ch", 87),
        ("fs", 131),
        ("lts", 77),
        ("tc", 260),
        ("rz", 186),
    ] {
        let j = json(&[
            "simulate",
            "--model",
            "izhikevich",
            "--preset",
            cell,
            "--stimulus",
            "const(10)",
            "--duration",
            "1000",
            "--dt",
            "0.1",
            "--format",
            "json",
        ]);
        assert_eq!(j["model"], "izhikevich");
        assert_eq!(j["n_spikes"], count, "{cell}");
        assert_eq!(j["spikes_ms"].as_array().unwrap().len(), count);
    }
    // RS first spikes (izhikevich_spikes.csv): 3.3 and 27.0 ms
    let j = json(&[
        "simulate",
        "--model",
        "izhikevich",
        "--preset",
        "rs",
        "--duration",
        "100",
        "--format",
        "json",
    ]);
    let s: Vec<f64> = j["spikes_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(
        (s[0] - 3.3).abs() < 0.1 + 1e-9 && (s[1] - 27.0).abs() < 0.1 + 1e-9,
        "{s:?}"
    );
}

#[test]
fn lif_f_i_points_through_the_cli() {
    // lif_fI.csv, dt 0.1: RI 21 mV -> 159 spikes, first at 60.8 ms; RI 100 -> 1562
    let j = json(&[
        "simulate",
        "--model",
        "lif",
        "--stimulus",
        "const(21)",
        "--duration",
        "10000",
        "--method",
        "exact",
        "--format",
        "json",
    ]);
    assert_eq!(j["n_spikes"], 159);
    assert!((j["spikes_ms"][0].as_f64().unwrap() - 60.8).abs() < 0.05);
    let j = json(&[
        "simulate",
        "--model",
        "lif",
        "--stimulus",
        "const(100)",
        "--duration",
        "10000",
        "--format",
        "json",
    ]);
    assert_eq!(j["n_spikes"], 1562);
}

#[test]
fn snntorch_leaky_through_the_cli() {
    let o = sf(&[
        "simulate",
        "--model",
        "leaky",
        "--preset",
        "subtract",
        "--stimulus",
        "const(0.25)",
        "--duration",
        "10",
        "--dt",
        "1",
        "--record",
        "trace",
        "--format",
        "csv",
    ]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    // columns t_ms,input,U,S,spike; snnTorch step 5 is our step 4; U after the next update 0.171398
    assert_eq!(rows[4][4], "1");
    let u6: f64 = rows[6][2].parse().unwrap();
    assert!((u6 - 0.171398).abs() < 1e-6, "{u6}");
}

#[test]
fn adex_bg2005_spike_times_through_the_cli() {
    let j = json(&[
        "simulate",
        "--model",
        "adex",
        "--preset",
        "bg2005-rs",
        "--stimulus",
        "pulse(20,120,1000)",
        "--duration",
        "150",
        "--dt",
        "0.1",
        "--method",
        "euler",
        "--format",
        "json",
    ]);
    let s: Vec<f64> = j["spikes_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let want = [31.8, 45.5, 61.4, 80.1, 102.1];
    assert_eq!(s.len(), want.len(), "{s:?}");
    for (a, b) in s.iter().zip(want) {
        assert!((a - b).abs() <= 0.2 + 1e-9, "{s:?}");
    }
}

#[test]
fn fixed_twin_error_is_reported() {
    let j = json(&[
        "simulate",
        "--model",
        "izhikevich",
        "--preset",
        "rs",
        "--fixed",
        "Q8.12",
        "--format",
        "json",
    ]);
    assert_eq!(j["n_spikes"], j["fixed_vs_f64"]["n_test"]);
    assert_eq!(j["f64"]["n_spikes"], 23);
    let mean = j["fixed_vs_f64"]["mean_abs_ms"].as_f64().unwrap();
    assert!(mean < 3.0, "{mean}");
    let o = sf(&["simulate", "--model", "lif", "--fixed", "Q8.8"]);
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("spike-time error mean"), "{t}");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    bad(
        &["simulate", "--model", "hodgkin"],
        "unknown model 'hodgkin'",
    );
    bad(
        &["simulate", "--model", "izhikevich", "--preset", "xx"],
        "unknown preset 'xx'",
    );
    bad(
        &["simulate", "--model", "izhikevich", "--set", "zz=1"],
        "unknown parameter 'zz'",
    );
    bad(
        &["simulate", "--model", "izhikevich", "--set", "a=abc"],
        "not a number",
    );
    bad(
        &["simulate", "--model", "lif", "--stimulus", "step(1"],
        "malformed stimulus",
    );
    bad(
        &["simulate", "--model", "lif", "--stimulus", "foo(1)"],
        "unknown term 'foo'",
    );
    bad(&["simulate", "--model", "lif", "--dt", "0"], "--dt");
    bad(&["simulate", "--model", "lif", "--dt", "-0.1"], "--dt");
    bad(
        &["simulate", "--model", "lif", "--fixed", "Q3.4"],
        "v_rest = -70 does not fit",
    );
    bad(
        &["simulate", "--model", "lif", "--fixed", "Q7"],
        "invalid fixed-point format",
    );
    bad(
        &["simulate", "--model", "izhikevich", "--method", "exact"],
        "not available",
    );
    bad(
        &["generate", "--model", "lif", "--neurons", "0", "--out", "x"],
        "--neurons 0",
    );
    bad(
        &[
            "generate",
            "--model",
            "lif",
            "--neurons",
            "4",
            "--fixed",
            "Q4.4",
            "--out",
            "x",
        ],
        "does not fit",
    );
    bad(
        &[
            "verify",
            "--model",
            "lif",
            "--neurons",
            "4",
            "--simulator",
            "ghdl",
        ],
        "unknown simulator",
    );
}

#[test]
fn no_half_written_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope").join("out.json");
    bad(
        &[
            "simulate",
            "--model",
            "lif",
            "--format",
            "json",
            "--out",
            missing.to_str().unwrap(),
        ],
        "does not exist",
    );
    assert!(!missing.exists());
    let plot = dir.path().join("v.bmp");
    bad(
        &[
            "simulate",
            "--model",
            "lif",
            "--plot",
            plot.to_str().unwrap(),
        ],
        "extension",
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn plots_render() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["png", "svg"] {
        let p = dir.path().join(format!("ch.{ext}"));
        let o = sf(&[
            "simulate",
            "--model",
            "izhikevich",
            "--preset",
            "ch",
            "--duration",
            "200",
            "--fixed",
            "Q8.12",
            "--plot",
            p.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let bytes = std::fs::read(&p).unwrap();
        assert!(bytes.len() > 5000, "{ext}: {} bytes", bytes.len());
        if ext == "svg" {
            let t = String::from_utf8(bytes).unwrap();
            assert!(
                t.contains("time (ms)") && t.contains("fixed twin"),
                "axis label and legend in the SVG"
            );
        } else {
            assert_eq!(&bytes[1..4], b"PNG");
        }
    }
}

fn read_dir_sorted(d: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn generation_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = sf(&[
            "generate",
            "--model",
            "izhikevich",
            "--preset",
            "ch",
            "--neurons",
            "32",
            "--fixed",
            "Q8.12",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (fa, fb) = (read_dir_sorted(&a), read_dir_sorted(&b));
    assert_eq!(fa, fb);
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"sf_izhikevich_q8_12_n32.v") && names.contains(&"sf_izhikevich_q8_12.v"),
        "{names:?}"
    );
    assert!(
        names.contains(&"manifest.json") && names.contains(&"sf_izhikevich_q8_12_n32.core"),
        "{names:?}"
    );
    let m: Value =
        serde_json::from_slice(&fa.iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap();
    assert_eq!(m["top"], "sf_izhikevich_q8_12_n32");
    assert_eq!(m["formats"]["state"][0]["format"], "Q8.12");
    assert_eq!(m["model"]["params"]["c"], -50.0);
}

#[test]
fn generate_from_a_toml_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("core.toml");
    std::fs::write(&cfg, "model = \"lif\"\nneurons = 8\nfixed = \"Q9.8\"\nmul = \"shift-add:3\"\n[params]\ntau_m = 10.0\n").unwrap();
    let out = dir.path().join("rtl");
    let o = sf(&[
        "generate",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["top"], "sf_lif_q9_8_n8");
    assert_eq!(m["model"]["params"]["tau_m"], 10.0);
    std::fs::write(&cfg, "model = \"lif\"\nneurons = 8\nbogus = 1\n").unwrap();
    bad(
        &[
            "generate",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        "bogus",
    );
}
