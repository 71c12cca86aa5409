//! Generation and co-simulation throughput of 256-neuron cores: time to build the IR and emit the
//! Verilog, Verilator build time of the fast harness, fast co-simulation (C++ harness, digests) over
//! 10^7 updates, and the text-mode co-simulation in Verilator and Icarus for comparison.
//! Run: `cargo bench --bench cosim` (prints a Markdown table; results go into BENCHMARKS.md by hand).
use spikeforge_hdl::cores::{core, CoreOptions};
use spikeforge_model::{FixedConfig, FixedModel, FixedNeuron, ModelSpec, QFormat, Stimulus};
use spikeforge_sim::cosim::{
    self, random_init, random_inputs, typical_range, CoreSpec, CosimOptions, Simulator,
};
use spikeforge_sim::fast;
use std::path::PathBuf;
use std::time::Instant;

const NEURONS: usize = 256;
/// Fast mode: 39063 ticks x 256 = 10,000,128 updates.
const FAST_STEPS: usize = 39_063;
/// Text mode in Verilator: 782 x 256 = 200,192 updates.
const TEXT_STEPS: usize = 782;
/// Text mode in Icarus: 79 x 256 = 20,224 updates.
const ICARUS_STEPS: usize = 79;
/// Generation runs averaged.
const GEN_RUNS: usize = 10;

struct Row {
    name: String,
    gen_ms: f64,
    fast_build_s: f64,
    fast_updates: u64,
    fast_spikes: u64,
    fast_loop_rate: f64,
    fast_e2e_rate: f64,
    exact: bool,
    text_build_s: f64,
    text_rate: f64,
    icarus_rate: f64,
}

fn rate(x: f64) -> String {
    format!("{x:.3e}")
}

fn bench(model: &str, preset: Option<&str>, fmt: &str, seed: u64) -> Row {
    let spec = ModelSpec::new(model, preset).unwrap();
    let cfg = FixedConfig::new(fmt.parse::<QFormat>().unwrap());
    let twin: FixedModel = spec
        .fixed(spec.info.default_dt_ms, spec.info.default_method, &cfg)
        .unwrap();
    let init = random_init(&twin, NEURONS, seed);
    let opts = CoreOptions {
        neurons: NEURONS,
        fifo_depth: 16,
        init: Some(init.clone()),
        runtime_params: false,
    };
    // generation: IR + Verilog text
    let t = Instant::now();
    let mut files = Vec::new();
    let mut top = String::new();
    for _ in 0..GEN_RUNS {
        let g = core(&twin, &opts).unwrap();
        files = g.design.emit_files();
        top = g.top;
    }
    let gen_ms = t.elapsed().as_secs_f64() * 1e3 / GEN_RUNS as f64;

    let dir = tempfile::tempdir().unwrap();
    let rtl_dir = dir.path().join("rtl");
    std::fs::create_dir_all(&rtl_dir).unwrap();
    let rtl: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| {
            let p = rtl_dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let cs = CoreSpec::of(&twin, &top, NEURONS);
    let standard: Stimulus = spec.default_stimulus().parse().unwrap();
    let typical = typical_range(standard.at(1e4));
    let inputs = random_inputs(twin.input_format(), typical, NEURONS, FAST_STEPS, seed);

    // fast mode
    let built = fast::build(&cs, &rtl, &dir.path().join("fast")).unwrap();
    let r = fast::run(&built, &cs, &twin, &init, &inputs).unwrap();
    assert!(r.bit_exact, "{model}: fast co-simulation is not bit-exact");

    // text mode, same stimulus prefix, no stalls
    let text = |sim: Simulator, steps: usize| -> (f64, f64) {
        let o = CosimOptions {
            simulator: sim,
            workdir: dir.path().join(format!("text_{sim}")),
            stalls: false,
            vcd: None,
        };
        let b = cosim::build(&cs, &rtl, &o).unwrap();
        let t = Instant::now();
        let rep = cosim::run(&b, &cs, &twin, &init, &inputs[..steps * NEURONS], None).unwrap();
        let wall = t.elapsed().as_secs_f64();
        assert_eq!(rep.mismatch, None, "{model} in {sim}");
        (b.build_seconds, rep.updates as f64 / wall)
    };
    let (text_build_s, text_rate) = text(Simulator::Verilator, TEXT_STEPS);
    let (_, icarus_rate) = text(Simulator::Icarus, ICARUS_STEPS);
    Row {
        name: format!(
            "{model}{} {fmt}",
            preset.map(|p| format!(" ({p})")).unwrap_or_default()
        ),
        gen_ms,
        fast_build_s: built.build_seconds,
        fast_updates: r.updates,
        fast_spikes: r.spikes,
        fast_loop_rate: r.updates as f64 / r.sim_seconds,
        fast_e2e_rate: r.updates as f64 / r.wall_seconds,
        exact: r.bit_exact,
        text_build_s,
        text_rate,
        icarus_rate,
    }
}

fn main() {
    if let Err(e) = cosim::check_simulator(Simulator::Verilator)
        .and_then(|_| cosim::check_simulator(Simulator::Icarus))
    {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let t0 = Instant::now();
    let rows = [
        bench("lif", None, "Q8.8", 1),
        bench("izhikevich", Some("rs"), "Q8.12", 2),
        bench("adex", Some("bg2005-rs"), "Q7.10", 3),
    ];
    println!(
        "Cores of {NEURONS} neurons. Fast mode: {} updates per core; text mode: {} (Verilator), \
         {} (Icarus); seeded random stimulus and initial states, no stalls. Rates in neuron \
         updates/s; text-mode rates include writing the stimulus, the simulator run and the \
         line-by-line comparison.\n",
        FAST_STEPS * NEURONS,
        TEXT_STEPS * NEURONS,
        ICARUS_STEPS * NEURONS
    );
    println!(
        "| core | generate (ms) | fast build (s) | fast sim loop | fast end-to-end | bit-exact (spikes) | text build (s) | text Verilator | text Icarus |"
    );
    println!("|---|---:|---:|---:|---:|---|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.2} | {:.1} | {} | {} | {} ({} of {}) | {:.1} | {} | {} |",
            r.name,
            r.gen_ms,
            r.fast_build_s,
            rate(r.fast_loop_rate),
            rate(r.fast_e2e_rate),
            if r.exact { "yes" } else { "NO" },
            r.fast_spikes,
            r.fast_updates,
            r.text_build_s,
            rate(r.text_rate),
            rate(r.icarus_rate),
        );
    }
    println!(
        "\n({} CPUs; whole bench {:.0} s)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        t0.elapsed().as_secs_f64()
    );
}
