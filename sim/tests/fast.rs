//! Fast co-simulation (C++ harness in Verilator, digests): the digests of LIF and Izhikevich cores
//! equal their twins' over more than 10^5 updates, and a twin that differs from the core (another
//! threshold, or another parameter set) is caught, then located by the text-mode fallback.
use spikeforge_hdl::cores::{core, CoreOptions};
use spikeforge_model::registry::FixedModel;
use spikeforge_model::{FixedConfig, FixedNeuron, ModelSpec, QFormat, Stimulus};
use spikeforge_sim::cosim::{random_init, random_inputs, typical_range, CoreSpec};
use spikeforge_sim::fast::{self, fold, model_digests, FastBuilt, DIGEST_BASIS};
use std::path::{Path, PathBuf};

const NEURONS: usize = 64;
const STEPS: usize = 2000; // 64 x 2000 = 128000 updates

struct Setup {
    twin: FixedModel,
    spec: CoreSpec,
    init: Vec<[i64; spikeforge_model::neuron::MAX_STATE]>,
    inputs: Vec<i64>,
    built: FastBuilt,
}

fn twin_of(model: &str, preset: Option<&str>, fmt: &str, set: &[(&str, f64)]) -> FixedModel {
    let mut spec = ModelSpec::new(model, preset).unwrap();
    for (k, v) in set {
        spec.set(k, *v).unwrap();
    }
    let cfg = FixedConfig::new(fmt.parse::<QFormat>().unwrap());
    spec.fixed(spec.info.default_dt_ms, spec.info.default_method, &cfg)
        .unwrap()
}

/// Generate the core of `hw` (with seeded random initial states), build the fast harness, and make
/// seeded inputs from the typical range of `model`.
fn setup(model: &str, preset: Option<&str>, hw: FixedModel, seed: u64, dir: &Path) -> Setup {
    let init = random_init(&hw, NEURONS, seed);
    let opts = CoreOptions {
        neurons: NEURONS,
        fifo_depth: 16,
        init: Some(init.clone()),
        runtime_params: false,
    };
    let g = core(&hw, &opts).unwrap();
    let rtl = dir.join("rtl");
    std::fs::create_dir_all(&rtl).unwrap();
    let files: Vec<PathBuf> = g
        .design
        .emit_files()
        .into_iter()
        .map(|(name, text)| {
            let p = rtl.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let spec = CoreSpec::of(&hw, &g.top, NEURONS);
    let standard: Stimulus = ModelSpec::new(model, preset)
        .unwrap()
        .default_stimulus()
        .parse()
        .unwrap();
    let inputs = random_inputs(
        hw.input_format(),
        typical_range(standard.at(1e4)),
        NEURONS,
        STEPS,
        seed,
    );
    let built = fast::build(&spec, &files, &dir.join("fast"))
        .unwrap_or_else(|e| panic!("{model}: building the fast harness failed: {e}"));
    assert!(built.build_seconds > 0.0);
    Setup {
        twin: hw,
        spec,
        init,
        inputs,
        built,
    }
}

fn assert_bit_exact(s: &Setup, what: &str) {
    let r = fast::run(&s.built, &s.spec, &s.twin, &s.init, &s.inputs)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        r.bit_exact,
        "{what}: RTL {} vs twin {}",
        r.rtl_digest, r.model_digest
    );
    assert_eq!(r.updates, s.inputs.len() as u64, "{what}");
    assert!(r.updates >= 100_000);
    assert!(r.spikes > 0, "{what}: no neuron fired");
    assert_eq!(r.rtl_digest, r.model_digest);
    assert_ne!(r.rtl_digest.updates_digest, DIGEST_BASIS);
    assert!(r.sim_seconds > 0.0 && r.sim_seconds <= r.wall_seconds);
    // one update per clock without stalls, plus the pipeline and the drain
    assert!(
        r.cycles >= r.updates && r.cycles < r.updates + 200,
        "{what}: {} cycles",
        r.cycles
    );
    // the locate path agrees and does not fall back
    let v = fast::verify_or_locate(&s.built, &s.spec, &s.twin, &s.init, &s.inputs).unwrap();
    assert!(v.fast.bit_exact && v.mismatch.is_none() && v.text.is_none());
}

#[test]
fn lif_core_digest_equals_the_twin() {
    let dir = tempfile::tempdir().unwrap();
    let twin = twin_of("lif", None, "Q8.8", &[]);
    let s = setup("lif", None, twin, 21, dir.path());
    assert_bit_exact(&s, "lif Q8.8");

    // bad arguments are rejected before running
    let e = fast::run(
        &s.built,
        &s.spec,
        &s.twin,
        &s.init,
        &s.inputs[..NEURONS + 1],
    )
    .unwrap_err();
    assert!(e.to_string().contains("whole ticks"), "{e}");
    let mut bad = s.inputs[..NEURONS].to_vec();
    bad[3] = i64::MAX;
    let e = fast::run(&s.built, &s.spec, &s.twin, &s.init, &bad).unwrap_err();
    assert!(e.to_string().contains("input #3"), "{e}");
    let e = fast::run(&s.built, &s.spec, &s.twin, &s.init[..1], &s.inputs).unwrap_err();
    assert!(e.to_string().contains("initial states"), "{e}");
    let mut other = s.spec.clone();
    other.n = 3;
    let e = fast::run(&s.built, &other, &s.twin, &s.init, &s.inputs).unwrap_err();
    assert!(e.to_string().contains("built for"), "{e}");
}

#[test]
fn izhikevich_core_digest_equals_the_twin() {
    let dir = tempfile::tempdir().unwrap();
    let twin = twin_of("izhikevich", Some("rs"), "Q8.12", &[]);
    let s = setup("izhikevich", Some("rs"), twin, 22, dir.path());
    assert_bit_exact(&s, "izhikevich rs Q8.12");
}

fn assert_caught(s: &Setup, wrong: &FixedModel, what: &str) {
    let r = fast::run(&s.built, &s.spec, wrong, &s.init, &s.inputs).unwrap();
    assert!(!r.bit_exact, "{what}: the wrong twin was not caught");
    assert_ne!(r.rtl_digest, r.model_digest);
    let v = fast::verify_or_locate(&s.built, &s.spec, wrong, &s.init, &s.inputs).unwrap();
    assert!(!v.fast.bit_exact);
    let m = v.mismatch.expect("the text mode locates the difference");
    assert!(m.step < STEPS && m.neuron < NEURONS, "{what}: {m}");
    assert!(!m.signal.is_empty());
    assert_ne!(m.expected, m.got, "{what}: {m}");
    // the same run with the right twin is exact
    let ok = fast::run(&s.built, &s.spec, &s.twin, &s.init, &s.inputs).unwrap();
    assert!(ok.bit_exact, "{what}");
    assert_eq!(
        ok.rtl_digest, r.rtl_digest,
        "{what}: the RTL run is deterministic"
    );
}

#[test]
fn a_twin_with_another_threshold_is_caught_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let twin = twin_of("lif", None, "Q8.8", &[]);
    let s = setup("lif", None, twin.clone(), 23, dir.path());
    let mut wrong = twin;
    match &mut wrong {
        FixedModel::Lif(m) => m.v_th += 1, // one LSB higher
        _ => unreachable!(),
    }
    assert_caught(&s, &wrong, "lif v_th + 1 LSB");
}

#[test]
fn a_core_from_other_parameters_is_caught_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let hw = twin_of("izhikevich", Some("rs"), "Q8.12", &[("d", 7.0)]);
    let twin = twin_of("izhikevich", Some("rs"), "Q8.12", &[]);
    assert_ne!(hw, twin);
    let s = setup("izhikevich", Some("rs"), hw, 24, dir.path());
    assert_caught(&s, &twin, "izhikevich d = 7 in the core");
}

#[test]
fn digest_folds_every_value() {
    // the documented mixing function
    let d = fold(DIGEST_BASIS, 5);
    let expect = (DIGEST_BASIS ^ 5).wrapping_mul(0x100000001b3);
    assert_eq!(d, expect ^ (expect >> 32));
    // a single changed value changes the digest, also in the sign bit only
    assert_ne!(
        fold(fold(DIGEST_BASIS, 1), 2),
        fold(fold(DIGEST_BASIS, 1), 3)
    );
    let a = fold(fold(DIGEST_BASIS, 1 << 63), 1 << 63);
    assert_ne!(a, fold(fold(DIGEST_BASIS, 0), 0));
    // the twin's digests count updates and events
    let twin = twin_of("lif", None, "Q8.8", &[]);
    let init = vec![twin.initial_state(); 4];
    let big = twin.quantize_input(100.0);
    let d = model_digests(&twin, 2, &init, &vec![big; 4 * 100]);
    assert_eq!(d.updates, 400);
    assert!(d.spikes > 0 && d.events_digest != DIGEST_BASIS);
    let d0 = model_digests(&twin, 2, &init, &[0; 8]);
    assert_eq!(
        (d0.updates, d0.spikes, d0.events_digest),
        (8, 0, DIGEST_BASIS)
    );
}
