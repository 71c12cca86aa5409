//! The reference cases of `reference/` (copied from shared/reference, made with Brian2 2.9.0).
use spikeforge_model::neuron::Method;
use spikeforge_model::{run_f64, ModelSpec, RunConfig, Stimulus};
use std::collections::BTreeMap;

fn read_csv(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = format!("{}/../reference/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn lif_f_i_curve_matches_brian2() {
    let rows = read_csv("lif_fI.csv");
    assert_eq!(rows.len(), 20);
    for r in rows {
        let dt: f64 = r["dt_ms"].parse().unwrap();
        let ri: f64 = r["RI_mV"].parse().unwrap();
        let n: usize = r["n_spikes"].parse().unwrap();
        let spec = ModelSpec::new("lif", None).unwrap();
        let cfg = RunConfig {
            dt,
            duration_ms: 10_000.0,
            method: Method::Exact,
            record_trace: false,
        };
        let tr = run_f64(
            spec.neuron().unwrap().as_ref(),
            &Stimulus::constant(ri),
            &cfg,
        );
        assert_eq!(tr.spikes_ms.len(), n, "dt {dt} RI {ri}");
        if n > 0 {
            let first: f64 = r["first_spike_ms"].parse().unwrap();
            assert!(
                (tr.spikes_ms[0] - first).abs() < 0.5 * dt,
                "first spike dt {dt} RI {ri}: {} vs {first}",
                tr.spikes_ms[0]
            );
        }
    }
}

#[test]
fn izhikevich_cells_match_brian2() {
    let rows = read_csv("izhikevich_spikes.csv");
    let mut by_cell: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &rows {
        by_cell
            .entry(r["cell"].clone())
            .or_default()
            .push(r["spike_time_ms"].parse().unwrap());
    }
    let expect_counts = [
        ("RS", 23),
        ("IB", 34),
        ("CH", 87),
        ("FS", 131),
        ("LTS", 77),
        ("TC", 260),
        ("RZ", 186),
    ];
    for (cell, count) in expect_counts {
        let reference = &by_cell[cell];
        assert_eq!(reference.len(), count);
        let spec = ModelSpec::new("izhikevich", Some(&cell.to_lowercase())).unwrap();
        let cfg = RunConfig {
            dt: 0.1,
            duration_ms: 1000.0,
            method: Method::Euler,
            record_trace: false,
        };
        let tr = run_f64(
            spec.neuron().unwrap().as_ref(),
            &Stimulus::constant(10.0),
            &cfg,
        );
        assert_eq!(tr.spikes_ms.len(), count, "{cell} spike count");
        for (k, (a, b)) in tr.spikes_ms.iter().zip(reference).enumerate() {
            let tol = if k < 10 { 0.1 + 1e-9 } else { 2.0 };
            assert!((a - b).abs() <= tol, "{cell} spike {k}: {a} vs {b}");
        }
    }
}

#[test]
fn izhikevich_traces_match_brian2() {
    let rows = read_csv("izhikevich_traces_1ms.csv");
    for cell in ["RS", "IB", "CH", "TC"] {
        let spec = ModelSpec::new("izhikevich", Some(&cell.to_lowercase())).unwrap();
        let cfg = RunConfig {
            dt: 0.1,
            duration_ms: 1000.0,
            method: Method::Euler,
            record_trace: true,
        };
        let tr = run_f64(
            spec.neuron().unwrap().as_ref(),
            &Stimulus::constant(10.0),
            &cfg,
        );
        // the first 100 ms, sampled every 1 ms (10 steps), before round-off grows
        for (ms, r) in rows.iter().enumerate().take(100) {
            let v: f64 = r[&format!("v_{cell}")].parse().unwrap();
            let u: f64 = r[&format!("u_{cell}")].parse().unwrap();
            assert!(
                (tr.states[0][ms * 10] - v).abs() < 1e-3,
                "{cell} v at {ms} ms: {} vs {v}",
                tr.states[0][ms * 10]
            );
            assert!(
                (tr.states[1][ms * 10] - u).abs() < 1e-3,
                "{cell} u at {ms} ms"
            );
        }
    }
}

#[test]
fn snntorch_leaky_numbers() {
    // shared/reference/README.md: beta 0.9, input 0.25, threshold 1.
    let cfg = RunConfig {
        dt: 1.0,
        duration_ms: 30.0,
        method: Method::Euler,
        record_trace: true,
    };
    let spec = ModelSpec::new("leaky", Some("subtract")).unwrap();
    let tr = run_f64(
        spec.neuron().unwrap().as_ref(),
        &Stimulus::constant(0.25),
        &cfg,
    );
    // snnTorch step 5 (1-based) is our step 4
    assert_eq!(tr.spikes_ms[0], 4.0);
    // the state after the next update (U[6]) is recorded at t_6 (before step 6)
    assert!(
        (tr.states[0][6] - 0.171398).abs() < 1e-6,
        "{}",
        tr.states[0][6]
    );
    assert!((tr.states[0][6] - (0.9 * 1.023775 + 0.25 - 1.0)).abs() < 1e-9);
    let spec = ModelSpec::new("leaky", Some("zero")).unwrap();
    let tr = run_f64(
        spec.neuron().unwrap().as_ref(),
        &Stimulus::constant(0.25),
        &cfg,
    );
    assert_eq!(tr.spikes_ms[0], 4.0);
    for w in tr.spikes_ms.windows(2) {
        assert_eq!(w[1] - w[0], 5.0);
    }
}
