//! `spikeforge run`: networks from TOML through the CLI, the same meaning as the Rust builder, and
//! clear errors (exit 2) for bad configs.
mod common;
use common::{bad_all as bad, sf};
use serde_json::Value;
use spikeforge::model::learning::RuleSpec;
use spikeforge::model::network::config::NetworkConfig;
use spikeforge::model::network::{
    Arith, Connect, Delay, InputGroup, Monitor, NetworkBuilder, NeuronGroup, Plasticity,
    Projection, Values, WeightInit,
};
use spikeforge::model::ModelSpec;
use std::path::Path;

const NET: &str = r#"
dt = 0.1
duration = 500
seed = 7

[[population]]
name = "in"
size = 50
encoder = "poisson"
rate = 30.0

[[population]]
name = "exc"
size = 20
model = "lif"
tau_syn = 5.0
bias = { from = 10.0, to = 15.0 }

[[projection]]
name = "in_exc"
from = "in"
to = "exc"
connect = "sparse"
p = 0.5
weight = { uniform = [0.0, 1.0] }
gain = 6.0
plasticity = { rule = "pair", preset = "song2000", params = { w_min = 0.0, w_max = 1.0 } }

[[projection]]
name = "lateral"
from = "exc"
to = "exc"
connect = "dense"
weight = -3.0
delay = [1, 5]

[[monitor]]
kind = "spikes"
population = "exc"

[[monitor]]
kind = "weights"
projection = "in_exc"
every = 2500
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn run_json(args: &[&str]) -> Value {
    let o = sf(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn run_simulates_a_config_with_plots() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "net.toml", NET);
    let raster = dir.path().join("r.png").display().to_string();
    let weights = dir.path().join("w.svg").display().to_string();
    let rates = dir.path().join("rates.png").display().to_string();
    let j = run_json(&[
        "run",
        "--config",
        &cfg,
        "--format",
        "json",
        "--plot-raster",
        &raster,
        "--plot-weights",
        &weights,
        "--plot-rates",
        &rates,
    ]);
    assert_eq!(j["ticks"], 5000);
    let pops = j["populations"].as_array().unwrap();
    let rate_in = pops[0]["rate_hz"].as_f64().unwrap();
    assert!((rate_in - 30.0).abs() < 4.0, "{rate_in}");
    let spikes = pops[1]["spikes"].as_u64().unwrap();
    assert!(spikes > 20, "{spikes}");
    // the spike monitor saw exactly the counted spikes
    let mon = &j["monitors"][0];
    assert_eq!(mon["kind"], "spikes");
    assert_eq!(mon["t_ms"].as_array().unwrap().len() as u64, spikes);
    let w = &j["monitors"][1];
    assert_eq!(w["weights"].as_array().unwrap().len(), 2);
    assert_eq!(j["projections"][1]["synapses"], 20 * 19);
    for p in [&raster, &weights, &rates] {
        assert!(std::fs::metadata(p).unwrap().len() > 1000, "{p}");
    }
    // deterministic, and the fixed twin runs
    let again = run_json(&["run", "--config", &cfg, "--format", "json"]);
    assert_eq!(again["monitors"], j["monitors"]);
    let twin = run_json(&[
        "run",
        "--config",
        &cfg,
        "--format",
        "json",
        "--fixed",
        "--threads",
        "2",
    ]);
    assert_eq!(twin["arith"], "fixed");
    let ts = twin["populations"][1]["spikes"].as_u64().unwrap();
    assert!(
        ts.abs_diff(spikes) * 5 < spikes,
        "fixed {ts} vs f64 {spikes}"
    );
    // the table
    let o = sf(&["run", "--config", &cfg]);
    assert!(o.status.success());
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("in_exc") && t.contains("pair"), "{t}");
}

/// The TOML config and the Rust builder describe the same network: same spikes, same weights.
#[test]
fn config_and_builder_have_the_same_meaning() {
    let cfg: NetworkConfig = toml::from_str(NET).unwrap();
    let from_toml = cfg.builder(&mut |_| Err("no files".into())).unwrap();
    let mut b = NetworkBuilder::new(0.1).seed(7);
    let inp = b
        .inputs("in", 50, InputGroup::poisson(Values::Const(30.0)))
        .unwrap();
    let exc = b
        .neurons(
            "exc",
            20,
            NeuronGroup::new(ModelSpec::new("lif", None).unwrap())
                .tau_syn(5.0)
                .bias(Values::Linear {
                    from: 10.0,
                    to: 15.0,
                }),
        )
        .unwrap();
    let mut rule = RuleSpec::new("pair", Some("song2000")).unwrap();
    rule.set("w_min", 0.0).unwrap();
    rule.set("w_max", 1.0).unwrap();
    let pj = b
        .project(
            Projection::new(
                "in_exc",
                inp,
                exc,
                Connect::Sparse {
                    p: 0.5,
                    autapses: false,
                },
            )
            .weight(WeightInit::Uniform { lo: 0.0, hi: 1.0 })
            .gain(6.0)
            .plastic(Plasticity::new(rule)),
        )
        .unwrap();
    b.project(
        Projection::new("lateral", exc, exc, Connect::Dense { autapses: false })
            .weight(WeightInit::Const(-3.0))
            .delay(Delay::Uniform { lo: 1, hi: 5 }),
    )
    .unwrap();
    let m = b.monitor(Monitor::Spikes { pop: exc });
    for arith in [Arith::F64, Arith::Fixed] {
        let mut x = from_toml.build(arith).unwrap();
        let mut y = b.build(arith).unwrap();
        x.run(5000);
        y.run(5000);
        assert!(!y.spikes(m).is_empty());
        assert_eq!(x.spikes(m), y.spikes(m), "{arith:?}");
        assert_eq!(x.weights(pj), y.weights(pj), "{arith:?}");
    }
}

#[test]
fn bad_configs_exit_2_with_the_place_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // a projection to an undefined population
    let cfg = write(
        d,
        "undef.toml",
        &NET.replace(
            "to = \"exc\"\nconnect = \"sparse\"",
            "to = \"exx\"\nconnect = \"sparse\"",
        ),
    );
    bad(
        &["run", "--config", &cfg],
        &["projection 'in_exc'", "'exx'", "in, exc"],
    );
    // a weight file of the wrong shape
    write(d, "w.csv", "0.1,0.2,0.3\n0.4,0.5,0.6\n");
    let cfg = write(
        d,
        "shape.toml",
        r#"
duration = 10
[[population]]
name = "a"
size = 4
encoder = "poisson"
rate = 10.0
[[population]]
name = "b"
size = 2
model = "lif"
[[projection]]
from = "a"
to = "b"
connect = "file"
weights_file = "w.csv"
"#,
    );
    bad(
        &["run", "--config", &cfg],
        &["w.csv", "2 rows x 3 columns", "4 x 2"],
    );
    // the right shape runs (rows = sources)
    write(d, "w.csv", "1,2\n3,4\n5,6\n7,8\n");
    assert!(sf(&["run", "--config", &cfg]).status.success());
    // a missing weight file
    let cfg2 = write(
        d,
        "missing.toml",
        &std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("w.csv", "nope.csv"),
    );
    bad(&["run", "--config", &cfg2], &["nope.csv"]);
    // unknown keys, at the top and in a population
    let cfg = write(d, "key.toml", &format!("{NET}\nspeed = 3\n"));
    bad(&["run", "--config", &cfg], &["unknown field `speed`"]);
    let cfg = write(
        d,
        "key2.toml",
        &NET.replace("tau_syn = 5.0", "tau_syn = 5.0\ntua_m = 3.0"),
    );
    bad(&["run", "--config", &cfg], &["tua_m"]);
    // an unknown model parameter and rule
    let cfg = write(
        d,
        "param.toml",
        &NET.replace("tau_syn = 5.0", "tau_syn = 5.0\nparams = { tau = 3.0 }"),
    );
    bad(&["run", "--config", &cfg], &["population 'exc'", "'tau'"]);
    let cfg = write(
        d,
        "rule.toml",
        &NET.replace("rule = \"pair\"", "rule = \"hebbian\""),
    );
    bad(
        &["run", "--config", &cfg],
        &["projection 'in_exc'", "hebbian"],
    );
    // a monitor of an undefined population / variable
    let cfg = write(
        d,
        "mon.toml",
        &format!("{NET}\n[[monitor]]\nkind = \"state\"\npopulation = \"exc\"\nvar = \"w\"\n"),
    );
    bad(
        &["run", "--config", &cfg],
        &["state of 'exc'", "no variable 'w'"],
    );
    // a bad plot extension: nothing is written
    let cfg = write(d, "ok.toml", NET);
    let out = d.join("out.json").display().to_string();
    let plot = d.join("r.gif").display().to_string();
    bad(
        &[
            "run",
            "--config",
            &cfg,
            "--out",
            &out,
            "--plot-raster",
            &plot,
        ],
        &["gif"],
    );
    assert!(!Path::new(&out).exists() && !Path::new(&plot).exists());
}

/// The example config of the README runs, in f64 and as the fixed twin.
#[test]
fn the_example_config_runs() {
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/network.toml");
    for extra in [None, Some("--fixed")] {
        let mut args = vec!["run", "--config", cfg, "--format", "json"];
        args.extend(extra);
        let j = run_json(&args);
        let pops = j["populations"].as_array().unwrap();
        assert_eq!(pops.len(), 3);
        for p in pops {
            assert!(p["spikes"].as_u64().unwrap() > 50, "{extra:?}: {p}");
        }
        assert_eq!(j["monitors"][0]["values"].as_array().unwrap().len(), 3);
    }
}

/// Scheduled generator spikes and rewards in a config: an R-STDP synapse changes only when the
/// `[[reward]]` section is there.
#[test]
fn config_rewards_drive_rstdp() {
    let dir = tempfile::tempdir().unwrap();
    let base = r#"
dt = 1.0
duration = 3000
[[population]]
name = "pre"
size = 1
encoder = "generator"
spikes = [[100.0, 0]]
[[population]]
name = "kick"
size = 1
encoder = "generator"
spikes = [[109.0, 0]]
[[population]]
name = "post"
size = 1
model = "lif"
params = { tau_m = 0.1 }
[[projection]]
name = "syn"
from = "pre"
to = "post"
connect = "one-to-one"
weight = 1.0
gain = 0.0
plasticity = { rule = "rstdp", params = { w_min = 0.0, w_max = 4.0 } }
[[projection]]
from = "kick"
to = "post"
connect = "one-to-one"
weight = 127.0
"#;
    let w = |text: &str, fixed: bool| -> f64 {
        let cfg = write(dir.path(), "r.toml", text);
        let mut args = vec!["run", "--config", cfg.as_str(), "--format", "json"];
        if fixed {
            args.push("--fixed");
        }
        let j = run_json(&args);
        assert_eq!(j["populations"][2]["spikes"], 1, "{j}");
        j["projections"][0]["w_mean"].as_f64().unwrap()
    };
    for fixed in [false, true] {
        assert_eq!(w(base, fixed), 1.0);
        let rewarded = format!("{base}\n[[reward]]\nat = 500.0\namount = 0.5\n");
        assert!(w(&rewarded, fixed) > 1.05, "fixed {fixed}");
    }
}
