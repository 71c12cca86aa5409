//! Cores with run-time parameter registers: without writes they equal the twin of the parameters they
//! were generated with; after writes through the cfg port they equal the twin of the new parameters.
use spikeforge_hdl::cores::{core, CoreOptions, GeneratedCore};
use spikeforge_hdl::tools::{check_yosys, lint_verilator};
use spikeforge_model::{FixedConfig, FixedModel, FixedNeuron, ModelSpec, QFormat, Stimulus};
use spikeforge_sim::cosim::{
    cosimulate, random_inputs, typical_range, CfgPort, CoreSpec, CosimOptions, Simulator,
};

fn twin(
    model: &str,
    preset: Option<&str>,
    set: &[(&str, f64)],
    fmt: &str,
) -> (ModelSpec, FixedModel) {
    let mut spec = ModelSpec::new(model, preset).unwrap();
    for (k, v) in set {
        spec.set(k, *v).unwrap();
    }
    let t = spec
        .fixed(
            spec.info.default_dt_ms,
            spec.info.default_method,
            &FixedConfig::new(fmt.parse::<QFormat>().unwrap()),
        )
        .unwrap();
    (spec, t)
}

fn run(
    g: &GeneratedCore,
    spec: &ModelSpec,
    expected: &FixedModel,
    writes: Vec<(u32, i64)>,
    sim: Simulator,
) {
    let n = 4;
    let dir = tempfile::tempdir().unwrap();
    let files = g.design.write_files(&dir.path().join("rtl")).unwrap();
    lint_verilator(&files, &g.top).unwrap();
    check_yosys(&files, &g.top).unwrap();
    let port = |name: &str| g.ports.iter().find(|p| p.name == name).unwrap().width;
    let mut cs = CoreSpec::of(expected, &g.top, n);
    cs.cfg = Some(CfgPort {
        addr_width: port("cfg_addr"),
        data_width: port("cfg_data"),
        writes,
    });
    let standard: Stimulus = spec.default_stimulus().parse().unwrap();
    let inputs = random_inputs(
        expected.input_format(),
        typical_range(standard.at(1e4)),
        n,
        2000,
        42,
    );
    let o = CosimOptions {
        simulator: sim,
        workdir: dir.path().join("work"),
        stalls: true,
        vcd: None,
    };
    let r = cosimulate(
        &cs,
        &files,
        expected,
        &vec![expected.initial_state(); n],
        &inputs,
        &o,
    )
    .unwrap();
    assert_eq!(r.mismatch, None, "{} in {sim}", g.top);
    assert!(r.spikes > 0);
}

fn index(g: &GeneratedCore, name: &str) -> u32 {
    g.params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no run-time parameter {name}: {:?}", g.params))
        .index
}

#[test]
fn lif_runtime_parameters() {
    let (spec, base) = twin("lif", None, &[], "Q8.8");
    let g = core(
        &base,
        &CoreOptions {
            runtime_params: true,
            ..CoreOptions::new(4)
        },
    )
    .unwrap();
    assert_eq!(g.top, "sf_lif_q8_8_rt_n4");
    // without writes: the generated parameters
    run(&g, &spec, &base, vec![], Simulator::Icarus);
    // new membrane time constant and threshold, written at run time
    let (spec2, changed) = twin("lif", None, &[("tau_m", 10.0), ("v_th", -55.0)], "Q8.8");
    let FixedModel::Lif(m) = &changed else {
        unreachable!()
    };
    let writes = vec![
        (index(&g, "k"), m.k.raw),
        (index(&g, "k_in"), m.k_in.raw),
        (index(&g, "v_th"), m.v_th),
    ];
    run(&g, &spec2, &changed, writes.clone(), Simulator::Icarus);
    run(&g, &spec2, &changed, writes, Simulator::Verilator);
}

#[test]
fn izhikevich_runtime_parameters_turn_rs_into_ch() {
    let (spec, rs) = twin("izhikevich", Some("rs"), &[], "Q8.12");
    let g = core(
        &rs,
        &CoreOptions {
            runtime_params: true,
            ..CoreOptions::new(4)
        },
    )
    .unwrap();
    let (spec_ch, ch) = twin("izhikevich", Some("ch"), &[], "Q8.12");
    let FixedModel::Izhikevich(m) = &ch else {
        unreachable!()
    };
    let writes = vec![(index(&g, "c"), m.c), (index(&g, "d"), m.d)];
    run(&g, &spec, &rs, vec![], Simulator::Verilator);
    run(&g, &spec_ch, &ch, writes, Simulator::Verilator);
}
