//! End-to-end tests of `analyze`, `bifurcation`, `fi`, `design` and `quantize`: JSON shapes,
//! must-show values through the binary, exit codes on bad input, and plots that render.
mod common;
use common::{bad, json, sf};
use serde_json::Value;
use std::path::Path;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// A PNG of the expected size with real content (a blank figure compresses to a few KB).
fn check_png(p: &Path, size: (u32, u32)) {
    let b = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        p.display()
    );
    let w = u32::from_be_bytes(b[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(b[20..24].try_into().unwrap());
    assert_eq!((w, h), size, "{}", p.display());
    assert!(b.len() > 20_000, "{}: only {} bytes", p.display(), b.len());
}

/// An SVG that carries the given texts (axis labels, legend entries).
fn check_svg(p: &Path, texts: &[&str]) {
    let s = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(
        s.starts_with("<svg") || s.contains("<svg"),
        "{}",
        p.display()
    );
    for t in texts {
        assert!(s.contains(t), "{} lacks '{t}'", p.display());
    }
}

#[test]
fn analyze_json_shape_and_fhn_rest_point() {
    let j = json(&[
        "analyze",
        "--model",
        "fhn",
        "--current",
        "0",
        "--format",
        "json",
    ]);
    let fps = j["fixed_points"].as_array().unwrap();
    assert_eq!(fps.len(), 1);
    let f = &fps[0];
    for k in ["v", "w", "class", "eigenvalues"] {
        assert!(f.get(k).is_some(), "fixed point lacks {k}: {f}");
    }
    assert!((f["v"].as_f64().unwrap() + 1.19941).abs() < 1e-5, "{f}");
    assert!((f["w"].as_f64().unwrap() + 0.62426).abs() < 1e-5, "{f}");
    assert_eq!(f["class"], "stable-focus");
    let ev = f["eigenvalues"].as_array().unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].as_array().unwrap().len(), 2);
    assert!(ev[0][0].as_f64().unwrap() < 0.0 && ev[0][1].as_f64().unwrap() > 0.0);
    let nc = &j["nullclines"];
    assert!(nc["v"].as_array().unwrap().len() > 100);
    assert_eq!(
        nc["v"].as_array().unwrap().len(),
        nc["w_nullcline"].as_array().unwrap().len()
    );
    // state names replace v and w: hasler's are V and n; three fixed points in type1 at rest
    let j = json(&[
        "analyze",
        "--model",
        "hasler",
        "--preset",
        "type1",
        "--current",
        "0",
        "--format",
        "json",
    ]);
    let fps = j["fixed_points"].as_array().unwrap();
    let classes: Vec<&str> = fps.iter().map(|f| f["class"].as_str().unwrap()).collect();
    assert_eq!(classes, ["stable-node", "saddle", "unstable-focus"]);
    assert!(fps[0].get("V").is_some() && fps[0].get("n").is_some());
    assert!(j["nullclines"].get("V_nullcline").is_some());
    // a negative current parses
    let j = json(&[
        "analyze",
        "--model",
        "fhn",
        "--current",
        "-0.5",
        "--format",
        "json",
    ]);
    assert_eq!(j["current"], -0.5);
}

#[test]
fn analyze_with_fixed_twin_reports_shift() {
    let j = json(&[
        "analyze",
        "--model",
        "fhn",
        "--current",
        "0",
        "--fixed",
        "Q3.12",
        "--format",
        "json",
    ]);
    let t = &j["fixed"];
    assert_eq!(t["format"], "Q3.12");
    let fp = &t["fixed_points"][0];
    assert!(fp["shift_v"].as_f64().unwrap().abs() < 0.01, "{fp}");
    assert_eq!(fp["stable"], true);
    assert!(t["max_shift_v_nullcline"].as_f64().unwrap() < 0.01);
    assert!(t["nullclines"]["w_band"].as_array().unwrap().len() > 10);
}

#[test]
fn bifurcation_json_fhn_hopf_and_morris_lecar_classes() {
    let j = json(&[
        "bifurcation",
        "--model",
        "fhn",
        "--from",
        "0",
        "--to",
        "2",
        "--steps",
        "20",
        "--no-cycles",
        "--format",
        "json",
    ]);
    let h: Vec<f64> = j["hopf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(h.len(), 2);
    assert!(
        (h[0] - 0.331281).abs() < 1e-5 && (h[1] - 1.418719).abs() < 1e-5,
        "{h:?}"
    );
    assert_eq!(j["saddle_node"].as_array().unwrap().len(), 0);
    assert_eq!(j["class"], 2);

    let j = json(&[
        "bifurcation",
        "--model",
        "morris-lecar",
        "--preset",
        "snlc",
        "--from",
        "0",
        "--to",
        "80",
        "--steps",
        "40",
        "--no-cycles",
        "--format",
        "json",
    ]);
    assert_eq!(j["class"], 1);
    let sn = j["saddle_node"][0].as_f64().unwrap();
    assert!((sn - 39.96).abs() / 39.96 < 1e-3, "{sn}");
    assert_eq!(j["onset"]["kind"], "saddle-node");
    let j = json(&[
        "bifurcation",
        "--model",
        "morris-lecar",
        "--preset",
        "hopf",
        "--from",
        "0",
        "--to",
        "150",
        "--steps",
        "30",
        "--no-cycles",
        "--format",
        "json",
    ]);
    assert_eq!(j["class"], 2);
    assert!((j["hopf"][0].as_f64().unwrap() - 93.86).abs() / 93.86 < 1e-3);
    // a model parameter as the scanned parameter (negative range parses)
    let j = json(&[
        "bifurcation",
        "--model",
        "fhn",
        "--param",
        "a",
        "--from",
        "-1",
        "--to",
        "1",
        "--steps",
        "20",
        "--current",
        "0",
        "--no-cycles",
        "--format",
        "json",
    ]);
    assert_eq!(j["param"], "a");
    assert!(!j["hopf"].as_array().unwrap().is_empty());
}

#[test]
fn fi_json_shape_and_hysteresis() {
    let j = json(&[
        "fi",
        "--model",
        "fhn",
        "--from",
        "0.318",
        "--to",
        "0.338",
        "--steps",
        "10",
        "--sweep",
        "both",
        "--settle",
        "1500",
        "--measure",
        "1500",
        "--format",
        "json",
    ]);
    let pts = j.as_array().unwrap();
    assert_eq!(pts.len(), 22);
    for p in pts {
        assert_eq!(keys(p), ["I", "direction", "rate_hz"]);
    }
    let rate = |dir: &str, i: f64| {
        pts.iter()
            .find(|p| p["direction"] == dir && (p["I"].as_f64().unwrap() - i).abs() < 1e-9)
            .unwrap()["rate_hz"]
            .as_f64()
            .unwrap()
    };
    // at 0.328 (below the Hopf point 0.3313): at rest going up, firing coming down
    assert_eq!(rate("up", 0.328), 0.0);
    assert!(rate("down", 0.328) > 15.0);
    assert!(rate("up", 0.336) > 15.0);
    let o = sf(&[
        "fi",
        "--model",
        "lif",
        "--from",
        "0",
        "--to",
        "40",
        "--steps",
        "4",
        "--measure",
        "300",
        "--format",
        "csv",
    ]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.starts_with("I,rate_hz,direction\n"), "{s}");
    assert_eq!(s.lines().count(), 6);
}

#[test]
fn design_json_and_quantize_recommendation() {
    let j = json(&[
        "design", "--model", "hasler", "--class", "1", "--rest", "-70", "--format", "json",
    ]);
    assert_eq!(j["class"], 1);
    assert_eq!(j["check"]["ok"], true);
    assert!(j["params"]["EL"].as_f64().is_some());
    assert!(j["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "Vn" && r["moves"] == "recovery nullcline"));
    let j = json(&[
        "design",
        "--model",
        "nullcline",
        "--class",
        "2",
        "--v-nullcline",
        "cubic",
        "--knees",
        "-1,-0.6666666666666666,1,0.6666666666666666",
        "--slope",
        "1.25",
        "--rest",
        "-1.1994080",
        "--format",
        "json",
    ]);
    assert_eq!(j["class"], 2);
    assert!((j["params"]["v0w"].as_f64().unwrap() + 0.7).abs() < 1e-5);
    let j = json(&[
        "quantize",
        "--model",
        "fhn",
        "--from",
        "0",
        "--to",
        "1",
        "--formats",
        "Q3.12,Q3.16",
        "--format",
        "json",
    ]);
    assert_eq!(j["recommended"], "Q3.16");
    assert_eq!(j["f64"]["class"], 2);
    assert_eq!(j["formats"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("x.png");
    let p = png.to_str().unwrap();
    bad(
        &["analyze", "--model", "lif", "--plot", p],
        "no 2-D phase plane",
    );
    bad(&["analyze", "--model", "leaky"], "no 2-D phase plane");
    bad(
        &[
            "bifurcation",
            "--model",
            "lif",
            "--from",
            "0",
            "--to",
            "1",
            "--steps",
            "5",
        ],
        "no 2-D phase plane",
    );
    assert!(!png.exists(), "no plot file on bad input");
    bad(
        &[
            "bifurcation",
            "--model",
            "fhn",
            "--from",
            "0",
            "--to",
            "2",
            "--steps",
            "0",
        ],
        "--steps 0",
    );
    bad(
        &[
            "bifurcation",
            "--model",
            "fhn",
            "--from",
            "1",
            "--to",
            "1",
            "--steps",
            "5",
            "--plot",
            p,
        ],
        "empty parameter range",
    );
    bad(
        &[
            "bifurcation",
            "--model",
            "fhn",
            "--from",
            "2",
            "--to",
            "0",
            "--steps",
            "5",
        ],
        "empty parameter range",
    );
    bad(
        &[
            "bifurcation",
            "--model",
            "fhn",
            "--param",
            "nope",
            "--from",
            "0",
            "--to",
            "1",
        ],
        "unknown parameter 'nope'",
    );
    bad(
        &["fi", "--model", "fhn", "--from", "1", "--to", "0"],
        "empty current range",
    );
    bad(
        &[
            "fi", "--model", "fhn", "--from", "0", "--to", "1", "--steps", "0",
        ],
        "--steps 0",
    );
    bad(
        &["analyze", "--model", "fhn", "--window", "1,0,0,1"],
        "--window",
    );
    bad(
        &[
            "design",
            "--model",
            "nullcline",
            "--class",
            "1",
            "--v-nullcline",
            "cubic",
            "--knees",
            "-1,-0.5,1,0.5",
            "--slope",
            "0.5",
            "--rest",
            "-1.2",
        ],
        "class 1 is not reachable",
    );
    bad(
        &["design", "--model", "hasler", "--class", "3"],
        "--class 3",
    );
    bad(
        &[
            "quantize",
            "--model",
            "fhn",
            "--from",
            "0",
            "--to",
            "1",
            "--formats",
            "Q3.x",
        ],
        "--formats",
    );
    assert!(!png.exists(), "no plot file on bad input");
}

#[test]
fn plots_render_as_png_and_svg_with_labels_and_legends() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let run = |args: &[&str]| {
        let o = sf(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    // phase portrait
    let (png, svg) = (d("pp.png"), d("pp.svg"));
    for p in [&png, &svg] {
        run(&[
            "analyze",
            "--model",
            "morris-lecar",
            "--preset",
            "snlc",
            "--current",
            "30",
            "--plot",
            p.to_str().unwrap(),
        ]);
    }
    check_png(&png, (1100, 750));
    check_svg(
        &svg,
        &[
            "V (mV)",
            "w (dimensionless)",
            "V-nullcline",
            "w-nullcline",
            "fixed point: stable-node",
            "fixed point: saddle",
            "vector field",
            "trajectory from",
        ],
    );
    // with the twin's nullclines
    let tw = d("twin.svg");
    run(&[
        "analyze",
        "--model",
        "fhn",
        "--current",
        "0",
        "--fixed",
        "Q3.8",
        "--plot",
        tw.to_str().unwrap(),
    ]);
    check_svg(&tw, &["twin Q3.8 v-nullcline", "fixed point: twin stable"]);
    // bifurcation diagram
    let (png, svg) = (d("bif.png"), d("bif.svg"));
    for p in [&png, &svg] {
        run(&[
            "bifurcation",
            "--model",
            "fhn",
            "--from",
            "0",
            "--to",
            "2",
            "--steps",
            "20",
            "--settle",
            "300",
            "--measure",
            "300",
            "--plot",
            p.to_str().unwrap(),
        ]);
    }
    check_png(&png, (1100, 750));
    check_svg(
        &svg,
        &[
            "I (dimensionless)",
            "v (dimensionless)",
            "stable fixed point",
            "unstable fixed point",
            "Hopf (H)",
            "limit cycle min/max (up sweep)",
        ],
    );
    // f-I curve
    let (png, svg) = (d("fi.png"), d("fi.svg"));
    for p in [&png, &svg] {
        run(&[
            "fi",
            "--model",
            "morris-lecar",
            "--preset",
            "snlc",
            "--from",
            "35",
            "--to",
            "60",
            "--steps",
            "10",
            "--settle",
            "300",
            "--measure",
            "1000",
            "--sweep",
            "both",
            "--plot",
            p.to_str().unwrap(),
        ]);
    }
    check_png(&png, (1000, 600));
    check_svg(
        &svg,
        &["I (uA/cm^2)", "firing rate (Hz)", "up sweep", "down sweep"],
    );
    // design portrait and quantisation plot
    let ds = d("design.svg");
    run(&[
        "design",
        "--model",
        "hasler",
        "--class",
        "2",
        "--plot",
        ds.to_str().unwrap(),
    ]);
    check_svg(
        &ds,
        &["V (mV)", "n (dimensionless)", "fixed point: stable-focus"],
    );
    let qs = d("quant.svg");
    run(&[
        "quantize",
        "--model",
        "fhn",
        "--from",
        "0",
        "--to",
        "1",
        "--formats",
        "Q3.12,Q3.16",
        "--plot",
        qs.to_str().unwrap(),
    ]);
    check_svg(
        &qs,
        &["membrane fraction bits", "fixed twin: onset current"],
    );
}

#[test]
fn every_analysis_subcommand_has_help_with_examples() {
    for cmd in ["analyze", "bifurcation", "fi", "design", "quantize"] {
        let o = sf(&[cmd, "--help"]);
        assert!(o.status.success());
        let s = String::from_utf8_lossy(&o.stdout);
        assert!(
            s.contains("Examples:") && s.contains(&format!("spikeforge {cmd} ")),
            "{cmd}: {s}"
        );
    }
}
