//! Behaviour of the models (f64 forms) and the error bounds of their fixed twins.
use spikeforge_model::error::ModelError;
use spikeforge_model::neuron::{hasler::Hasler, integrate, Method, Neuron, MAX_STATE};
use spikeforge_model::params::ParamTable;
use spikeforge_model::quant::MulVariant;
use spikeforge_model::registry::{model_info, FixedModel, MODELS};
use spikeforge_model::run::spike_error;
use spikeforge_model::{
    run_f64, run_fixed, FixedConfig, FixedNeuron, ModelSpec, QFormat, RunConfig, Stimulus, Trace,
};

fn cfg(dt: f64, duration_ms: f64, method: Method) -> RunConfig {
    RunConfig {
        dt,
        duration_ms,
        method,
        record_trace: false,
    }
}

fn run(model: &str, preset: Option<&str>, stim: &str, c: &RunConfig) -> Trace {
    let spec = ModelSpec::new(model, preset).unwrap();
    let stim: Stimulus = stim.parse().unwrap();
    run_f64(spec.neuron().unwrap().as_ref(), &stim, c)
}

fn isis(s: &[f64]) -> Vec<f64> {
    s.windows(2).map(|w| w[1] - w[0]).collect()
}

/// Firing rate (Hz) from the spikes in the second half of the run.
fn late_rate(s: &[f64], duration_ms: f64) -> f64 {
    let late: Vec<f64> = s
        .iter()
        .copied()
        .filter(|t| *t >= duration_ms / 2.0)
        .collect();
    if late.len() < 2 {
        return 0.0;
    }
    (late.len() - 1) as f64 / (late[late.len() - 1] - late[0]) * 1000.0
}

#[test]
fn adex_bg2005_regular_spiking_spike_times() {
    // Brette & Gerstner (2005) RS cell, 1 nA from 20 to 120 ms, forward Euler dt 0.1 ms; spikes
    // stamped at the start of the crossing step (neuron module doc).
    let expect = [31.8, 45.5, 61.4, 80.1, 102.1];
    let c = cfg(0.1, 200.0, Method::Euler);
    let spec = ModelSpec::new("adex", Some("bg2005-rs")).unwrap();
    assert_eq!(spec.default_stimulus(), "pulse(20,120,1000)");
    let stim: Stimulus = "pulse(20,120,1000)".parse().unwrap();
    let tr = run_f64(spec.neuron().unwrap().as_ref(), &stim, &c);
    assert_eq!(tr.spikes_ms.len(), expect.len(), "{:?}", tr.spikes_ms);
    for (a, b) in tr.spikes_ms.iter().zip(expect) {
        assert!((a - b).abs() <= 0.2 + 1e-9, "{a} vs {b}");
    }
    // the defaults are the same cell
    let d = run("adex", None, "pulse(20,120,1000)", &c);
    assert_eq!(d.spikes_ms, tr.spikes_ms);
    // and the fixed twin at the default format reproduces them
    let fmt: QFormat = spec.info.default_fixed.parse().unwrap();
    let twin = spec
        .fixed(0.1, Method::Euler, &FixedConfig::new(fmt))
        .unwrap();
    let tf = run_fixed(&twin, &stim, &c);
    assert_eq!(tf.spikes_ms.len(), expect.len());
    for (a, b) in tf.spikes_ms.iter().zip(expect) {
        assert!((a - b).abs() <= 0.2 + 1e-9, "fixed: {a} vs {b}");
    }
}

#[test]
fn adex_naud_presets_show_their_firing_patterns() {
    let c = cfg(0.1, 500.0, Method::Euler);
    let spikes = |p: &str| {
        let spec = ModelSpec::new("adex", Some(p)).unwrap();
        run("adex", Some(p), spec.default_stimulus(), &c).spikes_ms
    };
    // tonic: regular firing
    let s = spikes("tonic");
    let i = isis(&s);
    assert!(s.len() >= 40, "tonic {}", s.len());
    let tail = &i[3..];
    let (lo, hi) = tail
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), x| (a.min(*x), b.max(*x)));
    assert!(hi / lo < 1.05, "tonic ISIs {lo} .. {hi}");
    // adapting: intervals lengthen
    let i = isis(&spikes("adapting"));
    assert!(i[i.len() - 1] > 5.0 * i[0], "adapting {i:?}");
    // initial burst, then slow tonic firing
    let i = isis(&spikes("initial-burst"));
    assert!(i[0] < 10.0 && i[1] < 10.0, "initial burst {i:?}");
    assert!(i[2..].iter().all(|x| *x > 40.0), "initial burst {i:?}");
    // regular bursting: short intra-burst and long inter-burst intervals, several bursts
    let i = isis(&spikes("bursting"));
    assert!(
        i.iter().filter(|x| **x < 10.0).count() >= 4,
        "bursting {i:?}"
    );
    assert!(
        i.iter().filter(|x| **x > 100.0).count() >= 2,
        "bursting {i:?}"
    );
    // delayed accelerating: late first spike, shortening intervals
    let s = spikes("delayed-accelerating");
    let i = isis(&s);
    assert!(s[0] - 20.0 > 25.0, "delay {}", s[0]);
    assert!(i[i.len() - 1] < 0.75 * i[0], "accelerating {i:?}");
    // delayed bursting
    let s = spikes("delayed-bursting");
    let i = isis(&s);
    assert!(s[0] - 20.0 > 40.0, "delay {}", s[0]);
    assert!(i.iter().filter(|x| **x < 10.0).count() >= 4, "{i:?}");
    assert!(i.iter().filter(|x| **x > 40.0).count() >= 2, "{i:?}");
    // transient: a spike at onset, then silence
    let s = spikes("transient");
    assert!((1..=3).contains(&s.len()), "transient {s:?}");
    assert!(s.iter().all(|t| *t < 150.0), "transient {s:?}");
    // irregular: highly variable intervals
    let i = isis(&spikes("irregular"));
    let m = i.iter().sum::<f64>() / i.len() as f64;
    let sd = (i.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / i.len() as f64).sqrt();
    assert!(
        i.len() >= 14 && sd / m > 0.3,
        "irregular CV {} {i:?}",
        sd / m
    );
}

#[test]
fn fhn_rests_at_the_published_point_and_oscillates() {
    let c = cfg(0.05, 500.0, Method::Euler);
    let spec = ModelSpec::new("fhn", None).unwrap();
    let n = spec.neuron().unwrap();
    let x0 = n.initial_state();
    assert!((x0[0] + 1.19941).abs() < 1e-4 && (x0[1] + 0.62426).abs() < 1e-4);
    // started away from rest, it settles there at I = 0
    let mut s = ModelSpec::new("fhn", None).unwrap();
    s.set("v0", -1.0).unwrap();
    s.set("w0", -0.5).unwrap();
    let c2 = RunConfig {
        record_trace: true,
        ..c
    };
    let tr = run_f64(s.neuron().unwrap().as_ref(), &Stimulus::constant(0.0), &c2);
    assert!(tr.spikes_ms.is_empty());
    let (v, w) = (tr.states[0].last().unwrap(), tr.states[1].last().unwrap());
    assert!(
        (v + 1.19941).abs() < 1e-4 && (w + 0.62426).abs() < 1e-4,
        "{v} {w}"
    );
    // beyond the Hopf point (I = 0.331) it oscillates with a period near 40
    let tr = run("fhn", None, "const(0.5)", &c);
    assert!(tr.spikes_ms.len() >= 10, "{:?}", tr.spikes_ms);
    let p = isis(&tr.spikes_ms);
    let last = p[p.len() - 1];
    assert!((30.0..50.0).contains(&last), "period {last}");
}

#[test]
fn fhn_rk4_and_euler_agree_at_small_dt() {
    let period = |m: Method| {
        let tr = run("fhn", None, "const(0.5)", &cfg(0.01, 1000.0, m));
        let p = isis(&tr.spikes_ms);
        p[p.len() - 5..].iter().sum::<f64>() / 5.0
    };
    let (e, r) = (period(Method::Euler), period(Method::Rk4));
    assert!((e - r).abs() / r < 0.01, "euler {e} rk4 {r}");
    // and the flag is not integrated
    let n = ModelSpec::new("fhn", None).unwrap().neuron().unwrap();
    assert_eq!(n.ode_dim(), 2);
    let mut x = n.initial_state();
    x[2] = 1.0;
    integrate(n.as_ref(), &mut x, 0.5, 0.1, Method::Rk4);
    assert_eq!(x[2], 1.0);
}

#[test]
fn morris_lecar_class_one_and_class_two() {
    let c = cfg(0.1, 4000.0, Method::Euler);
    let snlc = |i: f64| run("morris-lecar", Some("snlc"), &format!("const({i})"), &c);
    let hopf = |i: f64| run("morris-lecar", Some("hopf"), &format!("const({i})"), &c);
    // snlc: quiet at 30, fires at 45, and the rate goes to ~0 at onset (class I)
    assert!(snlc(30.0).spikes_ms.is_empty());
    let r45 = late_rate(&snlc(45.0).spikes_ms, 4000.0);
    assert!(r45 > 8.0, "snlc rate at 45: {r45}");
    let r_on = late_rate(&snlc(40.5).spikes_ms, 4000.0);
    assert!(r_on > 0.0 && r_on < 5.0, "snlc rate near onset: {r_on}");
    // hopf: after the onset transient quiet at 80, fires at 100; onset at a finite rate (class II)
    assert!(hopf(80.0).spikes_ms.iter().all(|t| *t < 200.0));
    let r100 = late_rate(&hopf(100.0).spikes_ms, 4000.0);
    assert!(r100 > 10.0, "hopf rate at 100: {r100}");
    let r_on = late_rate(&hopf(89.0).spikes_ms, 4000.0);
    assert!(r_on > 8.0, "hopf rate at onset: {r_on}");
}

/// The Jacobian of the 2-D ODE at `x` by central differences, its trace and determinant.
fn trace_det(n: &dyn Neuron, x: &[f64; MAX_STATE], input: f64) -> (f64, f64) {
    let mut j = [[0.0; 2]; 2];
    for k in 0..2 {
        let h = 1e-6 * x[k].abs().max(1.0);
        let (mut a, mut b) = (*x, *x);
        a[k] += h;
        b[k] -= h;
        let (mut da, mut db) = ([0.0; MAX_STATE], [0.0; MAX_STATE]);
        n.derivative(&a, input, &mut da);
        n.derivative(&b, input, &mut db);
        for r in 0..2 {
            j[r][k] = (da[r] - db[r]) / (2.0 * h);
        }
    }
    (j[0][0] + j[1][1], j[0][0] * j[1][1] - j[0][1] * j[1][0])
}

/// Fixed points of the silicon neuron at `input` (sign changes of the steady-state current).
fn fixed_points(h: &Hasler, input: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut v = h.ek_mv;
    let mut prev = h.steady_current(v, input);
    while v < h.ena_mv {
        let v2 = v + 0.01;
        let cur = h.steady_current(v2, input);
        if prev.signum() != cur.signum() {
            out.push(v);
        }
        v = v2;
        prev = cur;
    }
    out
}

fn hasler(preset: &str) -> Hasler {
    let mut t = ParamTable::new(
        spikeforge_model::neuron::hasler::NAME,
        spikeforge_model::neuron::hasler::PARAMS,
    );
    t.apply(
        spikeforge_model::params::find_preset(
            "hasler",
            spikeforge_model::neuron::hasler::PRESETS,
            preset,
        )
        .unwrap(),
    )
    .unwrap();
    Hasler::from_table(&t).unwrap()
}

fn rest_eigen(h: &Hasler, input: f64) -> (f64, f64) {
    let v = h.rest_point(input).unwrap();
    let x = [v, h.n_inf(v), 0.0, 0.0];
    trace_det(h, &x, input)
}

#[test]
fn hasler_type1_onset_is_a_saddle_node_on_the_invariant_circle() {
    let h = hasler("type1");
    // three fixed points below onset (node, saddle, focus), one above
    assert_eq!(fixed_points(&h, 0.0).len(), 3);
    assert_eq!(fixed_points(&h, 4.0).len(), 3);
    assert_eq!(fixed_points(&h, 4.6).len(), 1);
    // the rest point is a stable node whose slow eigenvalue goes to 0 (saddle-node)
    let slow = |i: f64| {
        let (tr, det) = rest_eigen(&h, i);
        let disc = tr * tr - 4.0 * det;
        assert!(disc > 0.0 && tr < 0.0 && det > 0.0, "stable node at {i}");
        (tr + disc.sqrt()) / 2.0
    };
    assert!(slow(0.0) < -0.5);
    assert!(slow(4.5) > -0.2 && slow(4.5) < 0.0);
    // continuous f-I curve from 0: arbitrarily slow firing at onset
    let c = cfg(0.01, 2000.0, Method::Euler);
    let rate = |i: f64| {
        late_rate(
            &run("hasler", Some("type1"), &format!("const({i})"), &c).spikes_ms,
            2000.0,
        )
    };
    assert_eq!(rate(4.5), 0.0);
    let (r0, r1, r2, r3) = (rate(4.52), rate(4.6), rate(5.0), rate(6.0));
    assert!(r0 > 0.0 && r0 < 15.0, "rate at onset {r0}");
    assert!(r0 < r1 && r1 < r2 && r2 < r3, "{r0} {r1} {r2} {r3}");
    assert!(r0 < 0.2 * r3);
}

#[test]
fn hasler_type2_onset_is_a_hopf_bifurcation() {
    let h = hasler("type2");
    // one fixed point throughout: no saddle-node
    for i in [0.0, 10.0, 14.0, 16.0, 30.0, 40.0] {
        assert_eq!(fixed_points(&h, i).len(), 1, "I = {i}");
    }
    // a focus (complex eigenvalues) whose real part changes sign between 14 and 16
    let (tr14, det14) = rest_eigen(&h, 14.0);
    let (tr16, det16) = rest_eigen(&h, 16.0);
    assert!(tr14 < 0.0 && tr16 > 0.0, "{tr14} {tr16}");
    for (tr, det) in [(tr14, det14), (tr16, det16)] {
        let im = (4.0 * det - tr * tr).sqrt() / 2.0;
        assert!(im > 1.5, "imaginary part {im} per ms");
    }
    // spiking starts at a finite, high rate (class II)
    let c = cfg(0.01, 500.0, Method::Euler);
    let rate = |i: f64| {
        late_rate(
            &run("hasler", Some("type2"), &format!("const({i})"), &c).spikes_ms,
            500.0,
        )
    };
    let onset = (20..=60)
        .map(f64::from)
        .find(|i| rate(*i) > 0.0)
        .expect("fires below 60");
    assert!(rate(onset) > 100.0, "onset {onset}: {} Hz", rate(onset));
}

#[test]
fn nullcline_presets() {
    let c = cfg(0.05, 500.0, Method::Euler);
    // the cubic preset is FitzHugh-Nagumo
    let a = run("nullcline", Some("cubic"), "const(0.5)", &c);
    let b = run("fhn", None, "const(0.5)", &c);
    assert_eq!(a.spikes_ms.len(), b.spikes_ms.len());
    for (x, y) in a.spikes_ms.iter().zip(&b.spikes_ms) {
        assert!((x - y).abs() <= 0.05 + 1e-9, "{x} {y}");
    }
    // piecewise linear: rests at I = 0, oscillates at 0.5
    assert!(run("nullcline", Some("pwl"), "const(0)", &c)
        .spikes_ms
        .is_empty());
    assert!(
        run("nullcline", Some("pwl"), "const(0.5)", &c)
            .spikes_ms
            .len()
            >= 10
    );
    // quadratic integrate-and-fire with reset and adaptation: quiet at 0, adapting firing at 0.3
    let c = RunConfig {
        record_trace: true,
        ..c
    };
    assert!(run("nullcline", Some("qif"), "const(0)", &c)
        .spikes_ms
        .is_empty());
    let tr = run("nullcline", Some("qif"), "const(0.3)", &c);
    assert!(tr.spikes_ms.len() >= 20);
    assert_eq!(tr.state_names, ["v", "w"]);
    assert!(tr.states[0].iter().all(|v| *v < 3.0));
    let i = isis(&tr.spikes_ms);
    assert!(i[i.len() - 1] > 1.5 * i[0], "adaptation {i:?}");
}

/// Fixed twin vs f64 at the default format of each model: (model, preset, duration in ms (0 = the
/// model's default), allowed spike-count difference, bound on the mean |spike-time error| in ms).
/// The stimulus is the preset's default ([`ModelSpec::default_stimulus`]), the method and `dt` the
/// model's defaults. The numbers measured when the bounds were set are in the registry docs.
const FIXED_BOUNDS: &[(&str, Option<&str>, f64, usize, f64)] = &[
    ("lif", None, 0.0, 0, 0.1),
    ("leaky", Some("subtract"), 0.0, 0, 0.5),
    ("leaky", Some("zero"), 0.0, 0, 0.5),
    ("izhikevich", Some("rs"), 0.0, 0, 2.5),
    ("izhikevich", Some("ib"), 0.0, 0, 3.0),
    ("izhikevich", Some("ch"), 0.0, 0, 1.5),
    ("izhikevich", Some("fs"), 0.0, 0, 1.5),
    ("izhikevich", Some("lts"), 0.0, 1, 1.5),
    ("izhikevich", Some("tc"), 0.0, 0, 1.0),
    ("izhikevich", Some("rz"), 0.0, 0, 0.5),
    ("adex", Some("bg2005-rs"), 0.0, 0, 0.2),
    ("adex", Some("tonic"), 0.0, 0, 0.2),
    ("adex", Some("adapting"), 0.0, 0, 0.2),
    ("adex", Some("initial-burst"), 0.0, 0, 0.2),
    ("adex", Some("bursting"), 0.0, 0, 0.2),
    ("adex", Some("delayed-accelerating"), 0.0, 0, 0.2),
    ("adex", Some("delayed-bursting"), 0.0, 0, 0.5),
    ("adex", Some("transient"), 0.0, 0, 0.2),
    // chaotic: only the first ~100 ms after onset are comparable
    ("adex", Some("irregular"), 120.0, 0, 0.5),
    ("fhn", Some("classic"), 0.0, 0, 0.3),
    ("morris-lecar", Some("hopf"), 0.0, 0, 0.2),
    ("morris-lecar", Some("snlc"), 0.0, 0, 0.5),
    ("hasler", Some("type1"), 0.0, 0, 0.1),
    ("hasler", Some("type2"), 0.0, 0, 0.05),
    ("nullcline", Some("cubic"), 0.0, 0, 0.3),
    ("nullcline", Some("pwl"), 0.0, 0, 0.1),
    ("nullcline", Some("qif"), 0.0, 0, 1.0),
];

#[test]
fn fixed_twins_track_the_f64_models_at_their_default_formats() {
    // every model and preset is in the table
    for m in MODELS {
        let presets: Vec<Option<&str>> = if m.presets.is_empty() {
            vec![None]
        } else {
            m.presets.iter().map(|(p, _)| Some(*p)).collect()
        };
        for p in presets {
            assert!(
                FIXED_BOUNDS.iter().any(|r| r.0 == m.name && r.1 == p),
                "{} {p:?} has no bound",
                m.name
            );
        }
    }
    for &(model, preset, dur, count_tol, mean_bound) in FIXED_BOUNDS {
        let spec = ModelSpec::new(model, preset).unwrap();
        let info = spec.info;
        let dur = if dur > 0.0 {
            dur
        } else {
            info.default_duration_ms
        };
        let c = cfg(info.default_dt_ms, dur, info.default_method);
        let stim: Stimulus = spec.default_stimulus().parse().unwrap();
        let f = run_f64(spec.neuron().unwrap().as_ref(), &stim, &c);
        let fmt: QFormat = info.default_fixed.parse().unwrap();
        let twin = spec.fixed(c.dt, c.method, &FixedConfig::new(fmt)).unwrap();
        let x = run_fixed(&twin, &stim, &c);
        let e = spike_error(&f.spikes_ms, &x.spikes_ms);
        let what = format!("{model} {preset:?} at {fmt}: {e:?}");
        assert!(e.n_reference >= 1, "{what}: the f64 model must fire");
        assert!(e.n_reference.abs_diff(e.n_test) <= count_tol, "{what}");
        assert!(e.mean_abs_ms <= mean_bound + 1e-9, "{what}");
    }
}

#[test]
fn a_format_too_narrow_names_the_parameter() {
    let spec = ModelSpec::new("adex", Some("bg2005-rs")).unwrap();
    let e = spec
        .fixed(0.1, Method::Euler, &FixedConfig::new(QFormat::q(5, 10)))
        .unwrap_err();
    assert!(
        matches!(e, ModelError::DoesNotFit { ref name, value, .. } if name == "EL" && value == -70.6),
        "{e}"
    );
    assert!(e.to_string().contains("EL = -70.6"), "{e}");
    // a narrow w word: the spike increment b does not fit
    let cfg = FixedConfig::new(QFormat::q(7, 10)).with_word("w", QFormat::q(5, 10));
    let e = spec.fixed(0.1, Method::Euler, &cfg).unwrap_err();
    assert!(
        matches!(e, ModelError::DoesNotFit { ref name, .. } if name == "b"),
        "{e}"
    );
    // Morris-Lecar in Q6.8 (+-64 mV): EK = -84 mV does not fit
    let ml = ModelSpec::new("morris-lecar", Some("hopf")).unwrap();
    let e = ml
        .fixed(0.1, Method::Euler, &FixedConfig::new(QFormat::q(6, 8)))
        .unwrap_err();
    assert!(
        matches!(e, ModelError::DoesNotFit { ref name, .. } if name == "EK"),
        "{e}"
    );
    // an unknown word is rejected by name
    let cfg = FixedConfig::new(QFormat::q(7, 10)).with_word("u", QFormat::q(5, 10));
    assert!(matches!(
        spec.fixed(0.1, Method::Euler, &cfg),
        Err(ModelError::UnknownParam { .. })
    ));
}

#[test]
fn lookup_tables_fit_one_block_ram() {
    for m in MODELS {
        for (p, _) in m.presets {
            let spec = ModelSpec::new(m.name, Some(p)).unwrap();
            let fmt: QFormat = m.default_fixed.parse().unwrap();
            let twin = spec
                .fixed(m.default_dt_ms, m.default_method, &FixedConfig::new(fmt))
                .unwrap();
            let luts = match &twin {
                FixedModel::Adex(t) => vec![&t.exp],
                FixedModel::MorrisLecar(t) => vec![&t.ca, &t.winf, &t.rate],
                FixedModel::Hasler(t) => vec![&t.na, &t.ninf],
                _ => vec![],
            };
            for l in luts {
                assert!(
                    l.entries.len() <= 1024 && l.len() >= 256,
                    "{} {p} {}: {}",
                    m.name,
                    l.name,
                    l.entries.len()
                );
                assert!(l.entries.iter().all(|e| l.out_fmt.contains(*e as i128)));
            }
        }
    }
}

#[test]
fn shift_add_twins_use_few_digits_and_still_fire() {
    let spec = ModelSpec::new("nullcline", Some("pwl")).unwrap();
    let mut cfg = FixedConfig::new(QFormat::q(3, 12));
    cfg.mul = MulVariant::ShiftAdd { terms: 3 };
    let twin = spec.fixed(0.05, Method::Euler, &cfg).unwrap();
    let FixedModel::Nullcline(n) = &twin else {
        panic!("not a nullcline twin")
    };
    assert!(n.kt.csd.len() <= 3 && n.kk.csd.len() <= 3 && n.kw.csd.len() <= 3);
    let c = self::cfg(0.05, 500.0, Method::Euler);
    let tr = run_fixed(&twin, &Stimulus::constant(0.5), &c);
    assert!(tr.spikes_ms.len() >= 10, "{:?}", tr.spikes_ms);
    assert!(twin.ident().starts_with("nullcline_pwl_q3_12"));
}

#[test]
fn registry_defaults_are_consistent() {
    for m in MODELS {
        let spec = ModelSpec::new(m.name, None).unwrap();
        spec.check_method(m.default_method).unwrap();
        let _: Stimulus = m.default_stimulus.parse().unwrap();
        for (p, s) in m.preset_stimuli {
            assert!(m.presets.iter().any(|(n, _)| n == p), "{} {p}", m.name);
            let _: Stimulus = s.parse().unwrap();
        }
        // the twin's words match the f64 model's state names
        let fmt: QFormat = m.default_fixed.parse().unwrap();
        let twin = spec
            .fixed(m.default_dt_ms, m.default_method, &FixedConfig::new(fmt))
            .unwrap();
        let n = spec.neuron().unwrap();
        let words: Vec<&str> = twin.state_words().iter().map(|w| w.name).collect();
        if !n.discrete() && m.name != "lif" {
            assert_eq!(words, n.state_names(), "{}", m.name);
        }
        assert_eq!(twin.state_words()[0].fmt, fmt, "{}", m.name);
    }
    assert!(model_info("hodgkin-huxley").is_err());
}

#[test]
fn a_coefficient_format_too_coarse_for_the_tables_is_an_error_not_a_panic() {
    use spikeforge_model::{FixedConfig, ModelError, ModelSpec, QFormat};
    for (m, fmt) in [
        ("adex", "Q7.10"),
        ("morris-lecar", "Q7.12"),
        ("hasler", "Q7.12"),
    ] {
        let spec = ModelSpec::new(m, None).unwrap();
        let cfg = FixedConfig::new(fmt.parse().unwrap()).with_word("coef", QFormat::q(10, 4));
        let e = spec
            .fixed(spec.info.default_dt_ms, spec.info.default_method, &cfg)
            .unwrap_err();
        assert!(
            matches!(&e, ModelError::BadValue { name, .. } if name == "word coef")
                || matches!(e, ModelError::DoesNotFit { .. }),
            "{m}: {e}"
        );
    }
}
