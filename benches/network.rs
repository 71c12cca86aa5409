//! Network simulator throughput (issue 5), side by side with Brian2's C++ standalone mode.
//!
//! Run: `cargo bench --bench network` (release). With `pip install brian2 'numpy<2.4'` done, the
//! bench also runs `python3 benches/brian2_lif.py` (the same LIF network in Brian2 standalone) and
//! prints both in one table; set `SPIKEFORGE_NO_BRIAN2=1` to skip it. Results go into
//! BENCHMARKS.md by hand.
//!
//! 1. LIF: 10,000 neurons, `tau dv/dt = v0 - v` with v0 spread evenly over 0..20 mV, threshold
//!    10 mV (so half of them fire), reset 0, refractory 5 ms, exact integration, dt 0.1 ms, 1 s,
//!    every spike recorded; f64 and fixed twin (Q8.8), all cores and one core.
//! 2. Sparse recurrent: 10,000 LIF neurons, each projecting to 1,000 random targets (p = 0.1,
//!    1e7 synapses), exponential synaptic current (5 ms), balanced random weights, bias-driven;
//!    synaptic events per second.
use spikeforge_model::network::{
    Arith, Connect, Monitor, NetworkBuilder, NeuronGroup, Projection, Values, WeightInit,
};
use spikeforge_model::ModelSpec;
use std::process::Command;
use std::time::Instant;

fn lif_spec() -> ModelSpec {
    let mut s = ModelSpec::new("lif", None).unwrap();
    for (k, v) in [
        ("tau_m", 10.0),
        ("v_rest", 0.0),
        ("v_reset", 0.0),
        ("v_th", 10.0),
        ("t_ref", 5.0),
        ("R", 1.0),
    ] {
        s.set(k, v).unwrap();
    }
    s
}

struct Row {
    what: String,
    threads: usize,
    wall: f64,
    updates: f64,
    spikes: usize,
    extra: String,
}

fn lif_bench(arith: Arith, threads: Option<usize>, n: usize, ticks: u64) -> Row {
    let mut b = NetworkBuilder::new(0.1);
    if let Some(t) = threads {
        b = b.threads(t);
    }
    let p = b
        .neurons(
            "lif",
            n,
            NeuronGroup::new(lif_spec()).bias(Values::Linear {
                from: 0.0,
                to: 20.0,
            }),
        )
        .unwrap();
    let m = b.monitor(Monitor::Spikes { pop: p });
    let mut net = b.build(arith).unwrap();
    let t = Instant::now();
    net.run(ticks);
    let wall = t.elapsed().as_secs_f64();
    let r = net.spikes(m);
    let firing = {
        let c = r.counts(n);
        c.iter().filter(|x| **x > 0).count()
    };
    Row {
        what: format!(
            "LIF {n}, {}",
            if arith == Arith::F64 {
                "f64"
            } else {
                "fixed Q8.8"
            }
        ),
        threads: net.threads(),
        wall,
        updates: (n as u64 * ticks) as f64 / wall,
        spikes: r.len(),
        extra: format!("{firing} neurons fire"),
    }
}

fn sparse_bench(arith: Arith, threads: Option<usize>, n: usize, ticks: u64) -> Row {
    let mut b = NetworkBuilder::new(0.1).seed(7);
    if let Some(t) = threads {
        b = b.threads(t);
    }
    let mut spec = lif_spec();
    spec.set("tau_m", 20.0).unwrap();
    spec.set("t_ref", 2.0).unwrap();
    let p = b
        .neurons(
            "net",
            n,
            NeuronGroup::new(spec)
                .tau_syn(5.0)
                .bias(Values::Uniform { lo: 9.0, hi: 13.0 })
                .init_v(Values::Uniform { lo: 0.0, hi: 10.0 }),
        )
        .unwrap();
    b.project(
        Projection::new(
            "rec",
            p,
            p,
            Connect::Sparse {
                p: 0.1,
                autapses: false,
            },
        )
        .weight(WeightInit::Normal {
            mean: 0.0,
            sd: 0.05,
        }),
    )
    .unwrap();
    let m = b.monitor(Monitor::Spikes { pop: p });
    let t = Instant::now();
    let mut net = b.build(arith).unwrap();
    let build = t.elapsed().as_secs_f64();
    let syn = net.synapse_count(spikeforge_model::network::ProjId(0));
    let t = Instant::now();
    net.run(ticks);
    let wall = t.elapsed().as_secs_f64();
    let spikes = net.spikes(m).len();
    let events = spikes as f64 * syn as f64 / n as f64;
    Row {
        what: format!(
            "sparse recurrent {n} x {} syn, {}",
            syn / n,
            if arith == Arith::F64 {
                "f64"
            } else {
                "fixed Q8.8"
            }
        ),
        threads: net.threads(),
        wall,
        updates: (n as u64 * ticks) as f64 / wall,
        spikes,
        extra: format!(
            "{:.3e} syn events/s, rate {:.1} Hz, build {:.2} s",
            events / wall,
            spikes as f64 / n as f64 / (ticks as f64 * 1e-4),
            build
        ),
    }
}

fn brian2() -> Option<String> {
    if std::env::var_os("SPIKEFORGE_NO_BRIAN2").is_some() {
        return None;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/brian2_lif.py");
    let out = Command::new("python3").arg(script).output().ok()?;
    if !out.status.success() {
        eprintln!(
            "brian2 reference skipped: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .map(str::to_string)
}

fn field(json: &str, key: &str) -> Option<f64> {
    let i = json.find(&format!("\"{key}\": "))? + key.len() + 4;
    let rest = &json[i..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

fn main() {
    let n = 10_000;
    let ticks = 10_000;
    let mut rows = Vec::new();
    // warm-up (page faults, frequency scaling)
    lif_bench(Arith::F64, None, n, 1000);
    for arith in [Arith::F64, Arith::Fixed] {
        for threads in [None, Some(1)] {
            // best of 3
            let best = (0..3)
                .map(|_| lif_bench(arith, threads, n, ticks))
                .max_by(|a, b| a.updates.total_cmp(&b.updates))
                .unwrap();
            rows.push(best);
        }
    }
    for arith in [Arith::F64, Arith::Fixed] {
        rows.push(sparse_bench(arith, None, n, ticks));
    }
    println!("| network | threads | wall (s) | neuron updates/s | spikes | notes |");
    println!("|---|---:|---:|---:|---:|---|");
    for r in &rows {
        println!(
            "| {} | {} | {:.4} | {:.3e} | {} | {} |",
            r.what, r.threads, r.wall, r.updates, r.spikes, r.extra
        );
    }
    match brian2() {
        Some(j) => {
            let loop_rate = field(&j, "updates_per_s_loop").unwrap_or(f64::NAN);
            let bin_rate = field(&j, "updates_per_s_binary").unwrap_or(f64::NAN);
            println!(
                "| Brian2 cpp_standalone LIF 10000 (main loop) | 1 | {:.4} | {:.3e} | {} | binary run {:.3e} updates/s |",
                field(&j, "loop_s").unwrap_or(f64::NAN),
                loop_rate,
                field(&j, "spikes").unwrap_or(f64::NAN),
                bin_rate
            );
            let ours = rows[0].updates;
            println!(
                "\nspikeforge f64 / Brian2 standalone: {:.2}x; fixed / Brian2: {:.2}x",
                ours / loop_rate,
                rows[2].updates / loop_rate
            );
        }
        None => println!("\n(Brian2 not run: pip install brian2 'numpy<2.4' to compare)"),
    }
}
