//! Throughput of the behavioural models and their fixed twins, in neuron updates per second.
//! Run: `cargo bench --bench model` (results go into BENCHMARKS.md by hand).
use spikeforge_model::neuron::izhikevich::{Izhikevich, IzhikevichFixed};
use spikeforge_model::neuron::lif::{Lif, LifFixed};
use spikeforge_model::neuron::Method;
use spikeforge_model::params::ParamTable;
use spikeforge_model::population::{FixedPopulation, Population};
use spikeforge_model::{FixedConfig, FixedNeuron, Neuron, QFormat};
use std::hint::black_box;
use std::time::Instant;

fn rate(updates: u64, t: f64) -> String {
    format!("{:.3e}", updates as f64 / t)
}

fn bench_pop<M: Neuron + Clone>(
    name: &str,
    m: M,
    n: usize,
    steps: usize,
    method: Method,
    drive: f64,
) {
    let mut p = Population::new(m, n, 0.1, method);
    let input: Vec<f64> = (0..n)
        .map(|i| drive * (0.75 + 0.5 * i as f64 / n as f64))
        .collect();
    let mut fired = Vec::with_capacity(n);
    let t = Instant::now();
    let mut total = 0usize;
    for _ in 0..steps {
        fired.clear();
        p.step(&input, &mut fired);
        total += fired.len();
    }
    let s = t.elapsed().as_secs_f64();
    black_box(total);
    println!(
        "| {name} | {n} | f64 | {} | {:.2} |",
        rate((n * steps) as u64, s),
        total as f64 / (n as f64 * steps as f64 * 1e-4)
    );
}

fn bench_fixed<M: FixedNeuron + Clone>(name: &str, m: M, n: usize, steps: usize, drive: f64) {
    let inputs: Vec<i64> = (0..n)
        .map(|i| m.quantize_input(drive * (0.75 + 0.5 * i as f64 / n as f64)))
        .collect();
    let mut p = FixedPopulation::new(m, n);
    let mut fired = Vec::with_capacity(n);
    let t = Instant::now();
    let mut total = 0usize;
    for _ in 0..steps {
        fired.clear();
        p.step(&inputs, &mut fired);
        total += fired.len();
    }
    let s = t.elapsed().as_secs_f64();
    black_box(total);
    println!(
        "| {name} | {n} | fixed | {} | {:.2} |",
        rate((n * steps) as u64, s),
        total as f64 / (n as f64 * steps as f64 * 1e-4)
    );
}

fn main() {
    let lif = Lif::default();
    let izh = Izhikevich::from_table(&ParamTable::new(
        "izhikevich",
        spikeforge_model::neuron::izhikevich::PARAMS,
    ))
    .unwrap();
    let lif_fx = LifFixed::new(
        &lif,
        0.1,
        Method::Exact,
        &FixedConfig::new(QFormat::q(8, 8)),
    )
    .unwrap();
    let izh_fx = IzhikevichFixed::new(&izh, 0.1, &FixedConfig::new(QFormat::q(8, 12))).unwrap();
    println!("| model | neurons | arithmetic | updates/s | mean rate (Hz) |");
    println!("|---|---|---|---|---|");
    for (n, steps) in [(1usize, 2_000_000usize), (10_000, 1_000)] {
        bench_pop("lif exact", lif, n, steps, Method::Exact, 30.0);
        bench_fixed("lif exact", lif_fx.clone(), n, steps, 30.0);
        bench_pop("izhikevich euler", izh, n, steps, Method::Euler, 10.0);
        bench_pop("izhikevich rk4", izh, n, steps, Method::Rk4, 10.0);
        bench_fixed("izhikevich euler", izh_fx.clone(), n, steps, 10.0);
    }
}
