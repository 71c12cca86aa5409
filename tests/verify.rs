//! `spikeforge verify` end to end: a generated core verifies bit-exact in both simulators, and every
//! single edit of the mutation set is caught through `verify --rtl` (exit 1 with the mismatch).
mod common;
use common::sf;
use std::path::Path;
use std::process::{Command, Output};

fn generate(dir: &Path, model: &[&str]) {
    let mut args = vec!["generate"];
    args.extend_from_slice(model);
    args.extend_from_slice(&["--out", dir.to_str().unwrap()]);
    let o = sf(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn verify(model: &[&str], extra: &[&str]) -> Output {
    let mut args = vec!["verify"];
    args.extend_from_slice(model);
    args.extend_from_slice(extra);
    sf(&args)
}

/// Replace exactly one occurrence of `from` in `file`.
fn mutate(file: &Path, from: &str, to: &str) {
    let t = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        t.matches(from).count(),
        1,
        "the mutation target '{from}' must occur once in {}",
        file.display()
    );
    std::fs::write(file, t.replacen(from, to, 1)).unwrap();
}

const LIF: &[&str] = &["--model", "lif", "--neurons", "4", "--fixed", "Q8.8"];
const LEAKY: &[&str] = &[
    "--model",
    "leaky",
    "--preset",
    "subtract",
    "--neurons",
    "4",
    "--fixed",
    "Q3.12",
];

#[test]
fn generated_cores_verify_in_both_simulators() {
    for sim in ["verilator", "icarus"] {
        let o = verify(
            LIF,
            &["--steps", "500", "--simulator", sim, "--format", "json"],
        );
        assert!(
            o.status.success(),
            "{sim}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["bit_exact"], true);
        assert_eq!(j["updates"], 2000);
    }
}

#[test]
fn mutations_are_caught() {
    // (model, file, from, to, what): each is one edit a careless hand or a generator bug could make
    let cases: &[(&[&str], &str, &str, &str, &str)] = &[
        (
            LIF,
            "sf_lif_q8_8.v",
            "= {n3[16], n3} - {v[16], v};",
            "= {n3[16], n3} + {v[16], v};",
            "operator - -> +",
        ),
        (
            LIF,
            "sf_lif_q8_8.v",
            "n5 = 18'd327;",
            "n5 = 18'd328;",
            "constant k +1 LSB",
        ),
        (
            LIF,
            "sf_lif_q8_8.v",
            "dv = n10[37:16];",
            "dv = n10[36:15];",
            "shift amount 16 -> 15",
        ),
        (
            LIF,
            "sf_lif_q8_8.v",
            "wire fire = v_int > n14;",
            "wire fire = v_int < n14;",
            "comparison > -> <",
        ),
        (
            LIF,
            "sf_lif_q8_8.v",
            "wire [4:0] n24 = 5'd19;",
            "wire [4:0] n24 = 5'd18;",
            "refractory period constant",
        ),
        (LEAKY, "sf_leaky_q3_12.v", "", "", "dropped saturation"),
    ];
    for (model, file, from, to, what) in cases {
        let dir = tempfile::tempdir().unwrap();
        let rtl = dir.path().join("rtl");
        generate(&rtl, model);
        let path = rtl.join(file);
        if what == &"dropped saturation" {
            // replace the saturating store of U by plain truncation of the same sum
            let t = std::fs::read_to_string(&path).unwrap();
            let line = t
                .lines()
                .find(|l| l.contains("u_int ="))
                .expect("the saturating store of U")
                .to_string();
            let (lhs, rhs) = line.split_once(" = ").unwrap();
            let sum = rhs.rsplit(" : ").next().unwrap().trim_end_matches(';');
            mutate(&path, &line, &format!("{lhs} = {sum};"));
        } else {
            mutate(&path, from, to);
        }
        let o = verify(
            model,
            &[
                "--rtl",
                rtl.to_str().unwrap(),
                "--steps",
                "1000",
                "--simulator",
                "verilator",
            ],
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(1),
            "mutation '{what}' was not caught: {err}"
        );
        assert!(err.contains("MISMATCH: step"), "{what}: {err}");
    }
}

#[test]
fn mismatch_report_names_step_neuron_signal_and_shows_the_vcd_window() {
    let dir = tempfile::tempdir().unwrap();
    let rtl = dir.path().join("rtl");
    generate(&rtl, LIF);
    mutate(&rtl.join("sf_lif_q8_8.v"), "n5 = 18'd327;", "n5 = 18'd328;");
    let vcd = dir.path().join("run.vcd");
    let o = verify(
        LIF,
        &[
            "--rtl",
            rtl.to_str().unwrap(),
            "--steps",
            "300",
            "--simulator",
            "icarus",
            "--vcd",
            vcd.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("neuron")
            && err.contains("signal v")
            && err.contains("expected")
            && err.contains("got"),
        "{err}"
    );
    assert!(err.contains("VCD window") && err.contains("obs_v"), "{err}");
    assert!(vcd.exists());
    let model_vcd = std::fs::read_to_string(dir.path().join("run_model.vcd")).unwrap();
    assert!(
        model_vcd.contains("twin_neuron0")
            && model_vcd.contains(" v ")
            && model_vcd.contains("spike"),
        "{}",
        &model_vcd[..model_vcd.len().min(600)]
    );
}

#[test]
fn bad_rtl_folder_and_missing_simulator_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other.v"), "module other; endmodule\n").unwrap();
    let o = verify(LIF, &["--rtl", dir.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no module sf_lif_q8_8_n4") && err.contains("other"),
        "{err}"
    );

    let empty = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_spikeforge"))
        .args([
            "verify",
            "--model",
            "lif",
            "--neurons",
            "4",
            "--simulator",
            "icarus",
        ])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("iverilog") && err.contains("apt-get install"),
        "{err}"
    );
}

#[test]
fn runtime_parameter_cores_generate_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let rtl = dir.path().join("rtl");
    let model = [
        "--model",
        "izhikevich",
        "--preset",
        "fs",
        "--neurons",
        "4",
        "--runtime-params",
    ];
    generate(&rtl, &model);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rtl.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["top"], "sf_izhikevich_q8_12_rt_n4");
    let names: Vec<&str> = m["runtime_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for want in ["k2", "c", "d", "v_peak"] {
        assert!(names.contains(&want), "{names:?}");
    }
    assert!(m["ports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "cfg_data"));
    let o = verify(
        &model,
        &[
            "--rtl",
            rtl.to_str().unwrap(),
            "--steps",
            "500",
            "--simulator",
            "icarus",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
