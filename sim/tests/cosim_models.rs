//! Co-simulation of every model's core, at two formats each, in Verilator and in Icarus: at least
//! 10^5 neuron updates per run with seeded random input (typical values, full-range values and the
//! input format's extremes), seeded stalls on both handshakes, and random initial states at the
//! formats' extremes for half the neurons. Every state word and every spike must equal the
//! fixed-point twin's.
use spikeforge_hdl::cores::{core, CoreOptions};
use spikeforge_model::{FixedConfig, FixedNeuron, ModelSpec, MulVariant, QFormat, Stimulus};
use spikeforge_sim::cosim::{
    cosimulate, random_init, random_inputs, typical_range, CoreSpec, CosimOptions, Simulator,
};

const NEURONS: usize = 16;
const STEPS: usize = 6250; // 16 x 6250 = 10^5 updates

fn check(model: &str, preset: Option<&str>, fmt: &str, mul: MulVariant, seed: u64) {
    let spec = ModelSpec::new(model, preset).unwrap();
    let mut cfg = FixedConfig::new(fmt.parse::<QFormat>().unwrap());
    cfg.mul = mul;
    let twin = spec
        .fixed(spec.info.default_dt_ms, spec.info.default_method, &cfg)
        .unwrap();
    let opts = CoreOptions {
        neurons: NEURONS,
        fifo_depth: 16,
        init: Some(random_init(&twin, NEURONS, seed)),
        runtime_params: false,
    };
    let g = core(&twin, &opts).unwrap();
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
    let cs = CoreSpec::of(&twin, &g.top, NEURONS);
    let standard: Stimulus = spec.default_stimulus().parse().unwrap();
    let inputs = random_inputs(
        twin.input_format(),
        typical_range(standard.at(1e4)),
        NEURONS,
        STEPS,
        seed,
    );
    let init = opts.init.clone().unwrap();
    for sim in [Simulator::Verilator, Simulator::Icarus] {
        let o = CosimOptions {
            simulator: sim,
            workdir: dir.path().join(format!("work_{sim}")),
            stalls: true,
            vcd: None,
        };
        let r = cosimulate(&cs, &files, &twin, &init, &inputs, &o)
            .unwrap_or_else(|e| panic!("{model} {fmt} {sim}: {e}"));
        assert_eq!(
            r.mismatch, None,
            "{model} {preset:?} {fmt} {mul:?} in {sim}"
        );
        assert_eq!(r.updates, (NEURONS * STEPS) as u64);
        assert!(
            r.spikes > 0,
            "{model} {fmt}: no neuron fired, the stimulus is too weak to test anything"
        );
        let corners: u64 = r.corners.iter().map(|c| c.at_min + c.at_max).sum();
        assert!(
            corners > 0,
            "{model} {fmt}: no state word reached a saturation corner: {:?}",
            r.corners
        );
    }
}

#[test]
fn lif_cores_are_bit_exact() {
    check("lif", None, "Q8.8", MulVariant::Exact, 1);
    check("lif", None, "Q11.12", MulVariant::ShiftAdd { terms: 3 }, 2);
}

#[test]
fn leaky_cores_are_bit_exact() {
    check("leaky", Some("subtract"), "Q3.12", MulVariant::Exact, 3);
    check(
        "leaky",
        Some("zero"),
        "Q2.6",
        MulVariant::ShiftAdd { terms: 2 },
        4,
    );
}

#[test]
fn izhikevich_cores_are_bit_exact() {
    check("izhikevich", Some("rs"), "Q8.12", MulVariant::Exact, 5);
    check(
        "izhikevich",
        Some("ch"),
        "Q9.16",
        MulVariant::ShiftAdd { terms: 3 },
        6,
    );
}

#[test]
fn adex_cores_are_bit_exact() {
    check("adex", Some("bg2005-rs"), "Q7.10", MulVariant::Exact, 7);
    check(
        "adex",
        Some("bursting"),
        "Q8.14",
        MulVariant::ShiftAdd { terms: 3 },
        8,
    );
}

#[test]
fn fhn_cores_are_bit_exact() {
    check("fhn", None, "Q3.12", MulVariant::Exact, 9);
    check("fhn", None, "Q3.10", MulVariant::ShiftAdd { terms: 3 }, 10);
}

#[test]
fn morris_lecar_cores_are_bit_exact() {
    check("morris-lecar", Some("snlc"), "Q7.12", MulVariant::Exact, 11);
    check("morris-lecar", Some("hopf"), "Q8.16", MulVariant::Exact, 12);
}

#[test]
fn hasler_cores_are_bit_exact() {
    check("hasler", Some("type1"), "Q7.12", MulVariant::Exact, 13);
    check(
        "hasler",
        Some("type2"),
        "Q7.10",
        MulVariant::ShiftAdd { terms: 3 },
        14,
    );
}

#[test]
fn nullcline_cores_are_bit_exact() {
    check("nullcline", Some("cubic"), "Q3.12", MulVariant::Exact, 15);
    check(
        "nullcline",
        Some("pwl"),
        "Q4.16",
        MulVariant::ShiftAdd { terms: 3 },
        16,
    );
}
