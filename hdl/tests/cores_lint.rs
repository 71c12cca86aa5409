//! Every generated neuron core (every model, two formats, both multiplier variants) passes
//! `verilator --lint-only -Wall` with no warnings and Yosys `hierarchy -check; proc; check -assert`.
use spikeforge_hdl::cores::{core, CoreOptions};
use spikeforge_hdl::tools::{check_yosys, lint_verilator};
use spikeforge_model::{FixedConfig, ModelSpec, MulVariant, QFormat, MODELS};

fn formats(model: &str) -> [&'static str; 2] {
    match model {
        "lif" => ["Q8.8", "Q11.12"],
        "leaky" => ["Q3.12", "Q2.6"],
        "izhikevich" => ["Q8.12", "Q9.16"],
        "adex" => ["Q7.10", "Q8.14"],
        "fhn" | "nullcline" => ["Q3.12", "Q4.16"],
        _ => ["Q7.12", "Q8.16"],
    }
}

#[test]
fn every_core_lints_clean_and_passes_yosys_check() {
    let mut checked = 0;
    for info in MODELS {
        let preset = info.presets.first().map(|(p, _)| *p);
        let spec = ModelSpec::new(info.name, preset).unwrap();
        for (k, fmt) in formats(info.name).iter().enumerate() {
            let mut cfg = FixedConfig::new(fmt.parse::<QFormat>().unwrap());
            if k == 1 {
                cfg.mul = MulVariant::ShiftAdd { terms: 3 };
            }
            let twin = spec
                .fixed(info.default_dt_ms, info.default_method, &cfg)
                .unwrap();
            for n in [1usize, 5] {
                let g = core(&twin, &CoreOptions::new(n)).unwrap();
                let dir = tempfile::tempdir().unwrap();
                let files = g.design.write_files(dir.path()).unwrap();
                // the whole core and, separately, the datapath module alone
                lint_verilator(&files, &g.top)
                    .unwrap_or_else(|e| panic!("{} {fmt} n={n}: {e}", info.name));
                lint_verilator(&files, &g.datapath)
                    .unwrap_or_else(|e| panic!("{} datapath: {e}", info.name));
                check_yosys(&files, &g.top)
                    .unwrap_or_else(|e| panic!("{} {fmt} n={n}: {e}", info.name));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, MODELS.len() * 4);
}
