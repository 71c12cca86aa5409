//! Scratch: bit-exact co-simulation of the adex, fhn, morris-lecar, hasler and nullcline cores
//! against their twins, every preset, three formats, both simulators.
use spikeforge_hdl::cores::{core, CoreOptions};
use spikeforge_model::stimulus::Stimulus;
use spikeforge_model::{FixedConfig, FixedNeuron, ModelSpec, MulVariant, QFormat};
use spikeforge_sim::cosim::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

struct Case {
    model: &'static str,
    preset: &'static str,
    fmt: &'static str,
    mul: MulVariant,
    n: usize,
}

fn cases() -> Vec<Case> {
    let sa = MulVariant::ShiftAdd { terms: 3 };
    let ex = MulVariant::Exact;
    let table: &[(&str, &[&str], [&str; 3])] = &[
        (
            "adex",
            &[
                "bg2005-rs",
                "tonic",
                "adapting",
                "initial-burst",
                "bursting",
                "delayed-accelerating",
                "delayed-bursting",
                "transient",
                "irregular",
            ],
            ["Q7.10", "Q7.8", "Q8.14"],
        ),
        ("fhn", &["classic"], ["Q3.12", "Q3.10", "Q4.16"]),
        (
            "morris-lecar",
            &["hopf", "snlc"],
            ["Q7.12", "Q7.10", "Q8.16"],
        ),
        ("hasler", &["type1", "type2"], ["Q7.12", "Q7.10", "Q8.16"]),
        (
            "nullcline",
            &["cubic", "pwl", "qif"],
            ["Q3.12", "Q3.10", "Q4.16"],
        ),
    ];
    let only = std::env::var("SF_DEV_MODEL").ok();
    let mut out = Vec::new();
    for (model, presets, fmts) in table {
        if only.as_deref().is_some_and(|m| m != *model) {
            continue;
        }
        for preset in *presets {
            // default format exact, narrow format shift-add, wide format exact
            out.push(Case {
                model,
                preset,
                fmt: fmts[0],
                mul: ex,
                n: 4,
            });
            out.push(Case {
                model,
                preset,
                fmt: fmts[1],
                mul: sa,
                n: 8,
            });
            out.push(Case {
                model,
                preset,
                fmt: fmts[2],
                mul: ex,
                n: 4,
            });
        }
    }
    out
}

fn run(c: &Case, seed: u64) -> Vec<String> {
    let spec = ModelSpec::new(c.model, Some(c.preset)).unwrap();
    let mut cfg = FixedConfig::new(c.fmt.parse::<QFormat>().unwrap());
    cfg.mul = c.mul;
    let twin = spec
        .fixed(spec.info.default_dt_ms, spec.info.default_method, &cfg)
        .unwrap();
    let g = core(&twin, &CoreOptions::new(c.n)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rtl = dir.path().join("rtl");
    std::fs::create_dir_all(&rtl).unwrap();
    let files: Vec<std::path::PathBuf> = g
        .design
        .emit_files()
        .into_iter()
        .map(|(name, text)| {
            let p = rtl.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let tag = format!("{} {} {} {:?} n{}", c.model, c.preset, c.fmt, c.mul, c.n);
    if let Err(e) = spikeforge_hdl::tools::lint_verilator(&files, &g.top) {
        return vec![format!("FAIL {tag}: lint: {e}")];
    }
    if let Err(e) = spikeforge_hdl::tools::check_yosys(&files, &g.top) {
        return vec![format!("FAIL {tag}: yosys: {e}")];
    }
    let amp = spec
        .info
        .stimulus_for(Some(c.preset))
        .parse::<Stimulus>()
        .unwrap()
        .at(60.0);
    let typical = if amp >= 0.0 {
        (0.0, 1.5 * amp)
    } else {
        (1.5 * amp, 0.0)
    };
    let cs = CoreSpec::of(&twin, &g.top, c.n);
    let steps = 2000;
    let inputs = random_inputs(twin.input_format(), typical, c.n, steps, seed);
    let mut lines = Vec::new();
    for sim in [Simulator::Icarus, Simulator::Verilator] {
        let opts = CosimOptions {
            simulator: sim,
            workdir: dir.path().join(format!("work_{sim}")),
            stalls: true,
            vcd: None,
        };
        match cosimulate(
            &cs,
            &files,
            &twin,
            &vec![twin.initial_state(); c.n],
            &inputs,
            &opts,
        ) {
            Ok(r) => {
                let ok = r.mismatch.is_none() && r.updates == (steps * c.n) as u64;
                lines.push(format!(
                    "{} {tag} {sim}: typical {typical:?} updates {} spikes {} mismatch {:?} corners {:?} build {:.1}s",
                    if ok { "ok" } else { "FAIL" },
                    r.updates,
                    r.spikes,
                    r.mismatch.map(|m| m.to_string()),
                    r.corners.iter().map(|k| (k.word.clone(), k.at_min, k.at_max)).collect::<Vec<_>>(),
                    r.build_seconds
                ));
            }
            Err(e) => lines.push(format!("FAIL {tag} {sim}: {e}")),
        }
    }
    lines
}

#[test]
fn models_are_bit_exact() {
    let cases = cases();
    let next = AtomicUsize::new(0);
    let out = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(c) = cases.get(i) else { break };
                let lines = run(c, 1 + i as u64);
                for l in &lines {
                    println!("{l}");
                }
                out.lock().unwrap().extend(lines);
            });
        }
    });
    let out = out.into_inner().unwrap();
    let fails: Vec<&String> = out.iter().filter(|l| !l.starts_with("ok")).collect();
    assert!(!out.is_empty());
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
