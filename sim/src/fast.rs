//! Fast co-simulation: the core in Verilator with a generated C++ harness instead of a Verilog
//! testbench, compared with the fixed-point twin by a digest instead of line by line.
//!
//! The text mode ([`crate::cosim`]) writes one line per neuron update and reaches about 10^6
//! updates/s; this mode drives the Verilated model's ports directly from C++ and only folds what it
//! observes into two 64-bit digests, which is one to two orders of magnitude faster. It answers
//! "bit-exact or not"; to find *where* a run differs, [`verify_or_locate`] falls back to the text
//! mode.
//!
//! # The harness
//! `harness.cpp` (generated from the [`CoreSpec`]) reads the stimulus, a binary file of
//! little-endian `i64` input words (tick-major, `N` per tick, as many as the file holds), holds
//! `rst` high for 3 cycles, then drives `in_valid` high while inputs remain and `spk_ready` high
//! always (no stalls). Every cycle it sets the inputs with `clk` low, evaluates, samples the outputs
//! (what a testbench sees just before the rising edge), then raises `clk` and evaluates again.
//!
//! * On every cycle with `obs_valid` high it folds `obs_addr`, `obs_spike` and every `obs_<word>`
//!   into the **update digest**, in that order.
//! * On every cycle with `spk_valid` high (accepted, since `spk_ready` is high) it folds `spk_addr`
//!   into the **event digest**.
//!
//! Each value is first extended to 64 bits from its declared width: signed words sign-extended,
//! unsigned words, addresses and the spike bit zero-extended, i.e. exactly the `i64` raw value the
//! twin holds. A digest starts at `0xcbf29ce484222325` (the FNV-1a offset basis) and folds a value
//! `x` by
//! ```text
//! d = (d ^ x) * 0x100000001b3   (mod 2^64, the FNV prime)
//! d = d ^ (d >> 32)
//! ```
//! Both steps are bijections of `d`, so a run that differs from the twin in a single value always
//! gives a different digest. After the last input, the harness clocks on until every input has been
//! observed and the spike FIFO has been empty for 64 cycles, then prints one line:
//! ```text
//! DIGEST <hex> UPDATES <n> SPIKES <n> SECONDS <s> EVENT_DIGEST <hex> CYCLES <n>
//! ```
//! (`SPIKES` counts address events; `SECONDS` is the wall time of the simulation loop alone.)
//!
//! The initial state of the neurons is part of the generated RTL (its RAM contents); the `init`
//! given to [`run`] must be the one the core was generated with.
use crate::cosim::{self, CoreSpec, CosimOptions, CosimReport, Mismatch, Simulator};
use crate::error::SimError;
use spikeforge_model::neuron::{FixedNeuron, MAX_STATE};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Start value of both digests (the FNV-1a 64-bit offset basis).
pub const DIGEST_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// The multiplier of the digest (the FNV 64-bit prime).
pub const DIGEST_PRIME: u64 = 0x0000_0100_0000_01b3;
/// The most inputs the text testbench holds; [`verify_or_locate`] gives it at most this many.
pub const TEXT_MODE_MAX_INPUTS: usize = 4_194_304;
/// Cycles the harness keeps clocking after the last observation while the spike FIFO is empty.
const DRAIN_CYCLES: u32 = 64;

/// Fold one value into a digest (see the module docs).
#[inline]
pub fn fold(d: u64, x: u64) -> u64 {
    let d = (d ^ x).wrapping_mul(DIGEST_PRIME);
    d ^ (d >> 32)
}

/// The two digests of a run, and the counts behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Digests {
    /// Over every update: address, spike bit, state words.
    pub updates_digest: u64,
    /// Over every address event: the address.
    pub events_digest: u64,
    pub updates: u64,
    /// Address events.
    pub spikes: u64,
}

impl Digests {
    fn new() -> Self {
        Digests {
            updates_digest: DIGEST_BASIS,
            events_digest: DIGEST_BASIS,
            updates: 0,
            spikes: 0,
        }
    }
}

impl std::fmt::Display for Digests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "updates {:016x} ({}), events {:016x} ({})",
            self.updates_digest, self.updates, self.events_digest, self.spikes
        )
    }
}

/// The digests the twin gives for `inputs` (tick-major, `n = init.len()` per tick), starting from
/// `init`: the same values in the same order as the harness folds them.
pub fn model_digests(
    twin: &dyn FixedNeuron,
    nwords: usize,
    init: &[[i64; MAX_STATE]],
    inputs: &[i64],
) -> Digests {
    let n = init.len();
    let mut state = init.to_vec();
    let mut d = Digests::new();
    for tick_inputs in inputs.chunks_exact(n) {
        for (neuron, (x, &input)) in state.iter_mut().zip(tick_inputs).enumerate() {
            let fired = twin.step(x, input);
            let mut h = fold(d.updates_digest, neuron as u64);
            h = fold(h, u64::from(fired));
            for &w in &x[..nwords] {
                h = fold(h, w as u64);
            }
            d.updates_digest = h;
            if fired {
                d.events_digest = fold(d.events_digest, neuron as u64);
                d.spikes += 1;
            }
        }
        d.updates += n as u64;
    }
    d
}

/// A built fast harness, ready to run with different stimuli.
#[derive(Debug, Clone)]
pub struct FastBuilt {
    /// The interface the harness was generated for.
    pub spec: CoreSpec,
    pub workdir: PathBuf,
    /// RTL files it was built from (absolute), for the text-mode fallback.
    pub rtl: Vec<PathBuf>,
    /// Wall time of Verilator and the C++ build.
    pub build_seconds: f64,
    program: PathBuf,
}

/// What a fast co-simulation found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FastReport {
    /// Neuron updates the RTL showed.
    pub updates: u64,
    /// Address events the RTL sent.
    pub spikes: u64,
    /// Both digests and both counts equal the twin's.
    pub bit_exact: bool,
    pub rtl_digest: Digests,
    pub model_digest: Digests,
    pub build_seconds: f64,
    /// The harness's simulation loop alone.
    pub sim_seconds: f64,
    /// The whole of [`run`]: stimulus file, harness (load, loop) and twin (run in parallel).
    pub wall_seconds: f64,
    /// Clock cycles the harness ran (after reset).
    pub cycles: u64,
}

fn c_type(width: u32) -> &'static str {
    match width {
        0..=8 => "CData",
        9..=16 => "SData",
        17..=32 => "IData",
        33..=64 => "QData",
        _ => "VlWide", // rejected by `check_spec`
    }
}

/// C++ expression for output port `port` (`width` <= 64 bits, so a `CData`..`QData`), extended
/// to 64 bits from its declared width: sign-extended when `signed`, else zero-extended.
fn read_port(port: &str, width: u32, signed: bool) -> String {
    let f = if signed { "sx" } else { "zx" };
    format!("{f}((uint64_t)top->{port}, {width})")
}

/// The C++ harness for `spec` (see the module docs). `class` is the Verilated model's class name.
pub fn harness(spec: &CoreSpec, class: &str) -> String {
    let aw = spec.addr_width();
    let iw = spec.input.width();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// spikeforge fast co-simulation harness for {} ({} neurons). Generated; do not edit.",
        spec.top, spec.n
    );
    let _ = writeln!(
        s,
        "// stimulus: little-endian int64 input words, tick-major; output: one line\n\
         // DIGEST <hex> UPDATES <n> SPIKES <n> SECONDS <s> EVENT_DIGEST <hex> CYCLES <n>"
    );
    let _ = writeln!(s, "// port types: in_data {}", c_type(iw));
    for w in &spec.words {
        let _ = writeln!(
            s,
            "//   obs_{}: {} bits, {}, {}",
            w.name,
            w.fmt.width(),
            if w.fmt.signed { "signed" } else { "unsigned" },
            c_type(w.fmt.width())
        );
    }
    let _ = writeln!(s, "#include \"{class}.h\"\n#include \"verilated.h\"");
    s.push_str(
        "#include <chrono>\n#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n\n\
         double sc_time_stamp() { return 0; }\n\n\
         // extend the low `w` bits of `v` to 64 bits: sign (sx) or zero (zx)\n\
         static inline uint64_t sx(uint64_t v, unsigned w) {\n\
         \x20 if (w >= 64) return v;\n\
         \x20 const unsigned s = 64 - w;\n\
         \x20 return (uint64_t)((int64_t)(v << s) >> s);\n\
         }\n\
         static inline uint64_t zx(uint64_t v, unsigned w) {\n\
         \x20 return w >= 64 ? v : (v & ((UINT64_C(1) << w) - 1));\n\
         }\n\
         static inline uint64_t fold(uint64_t d, uint64_t x) {\n\
         \x20 d = (d ^ x) * UINT64_C(0x100000001b3);\n\
         \x20 return d ^ (d >> 32);\n\
         }\n\n",
    );
    let _ = writeln!(s, "int main(int argc, char** argv) {{");
    s.push_str(
        "  if (argc < 2) { std::fprintf(stderr, \"usage: %s STIM.bin\\n\", argv[0]); return 2; }\n\
         \x20 std::FILE* f = std::fopen(argv[1], \"rb\");\n\
         \x20 if (!f) { std::perror(argv[1]); return 2; }\n\
         \x20 std::fseek(f, 0, SEEK_END);\n\
         \x20 const long size = std::ftell(f);\n\
         \x20 std::fseek(f, 0, SEEK_SET);\n\
         \x20 if (size < 0 || size % 8 != 0) { std::fprintf(stderr, \"stimulus size %ld is not a multiple of 8\\n\", size); return 2; }\n\
         \x20 const uint64_t total = (uint64_t)size / 8;\n\
         \x20 uint64_t* stim = new uint64_t[total + 1];\n\
         \x20 if (std::fread(stim, 8, total, f) != total) { std::fprintf(stderr, \"short read of the stimulus\\n\"); return 2; }\n\
         \x20 std::fclose(f);\n\
         \x20 // the file is little-endian; swap on a big-endian host\n\
         \x20 const uint16_t probe = 1;\n\
         \x20 if (*(const unsigned char*)&probe == 0) {\n\
         \x20   for (uint64_t i = 0; i < total; ++i) stim[i] = __builtin_bswap64(stim[i]);\n\
         \x20 }\n\
         \x20 VerilatedContext* ctx = new VerilatedContext;\n",
    );
    let _ = writeln!(s, "  {class}* top = new {class}{{ctx}};");
    let set_in = format!("top->in_data = ({})x;", c_type(iw));
    let tie_cfg = if spec.cfg.is_some() {
        " top->cfg_we = 0;"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "  auto set_in = [&](uint64_t x) {{ {set_in} }};\n\
         \x20 top->clk = 0; top->rst = 1; top->in_valid = 0; top->spk_ready = 1; set_in(0);{tie_cfg}\n\
         \x20 top->eval();\n\
         \x20 for (int i = 0; i < 3; ++i) {{ top->clk = 1; top->eval(); top->clk = 0; top->eval(); }}\n\
         \x20 top->rst = 0;\n\
         \x20 uint64_t d = UINT64_C(0x{DIGEST_BASIS:x}), e = d;\n\
         \x20 uint64_t k = 0, nobs = 0, nspk = 0, cycles = 0;\n\
         \x20 unsigned quiet = 0;\n\
         \x20 const uint64_t limit = 4 * total + 100000;\n\
         \x20 bool timeout = false;\n\
         \x20 const auto t0 = std::chrono::steady_clock::now();\n\
         \x20 for (;;) {{\n\
         \x20   const bool iv = k < total;\n\
         \x20   top->in_valid = iv;\n\
         \x20   set_in(iv ? zx(stim[k], {iw}) : 0);\n\
         \x20   top->eval();  // clk low: settle the outputs for this cycle\n\
         \x20   if (top->obs_valid) {{\n\
         \x20     d = fold(d, {addr});\n\
         \x20     d = fold(d, {spike});",
        addr = read_port("obs_addr", aw, false),
        spike = read_port("obs_spike", 1, false),
    );
    for w in &spec.words {
        let _ = writeln!(
            s,
            "      d = fold(d, {});",
            read_port(&format!("obs_{}", w.name), w.fmt.width(), w.fmt.signed)
        );
    }
    let _ = writeln!(
        s,
        "      ++nobs;\n\
         \x20   }}\n\
         \x20   if (top->spk_valid) {{ e = fold(e, {spk}); ++nspk; quiet = 0; }} else {{ ++quiet; }}\n\
         \x20   if (iv && top->in_ready) ++k;\n\
         \x20   top->clk = 1;\n\
         \x20   top->eval();  // rising edge\n\
         \x20   top->clk = 0;\n\
         \x20   ++cycles;\n\
         \x20   if (nobs >= total && k >= total && quiet > {DRAIN_CYCLES}) break;\n\
         \x20   if (cycles > limit) {{ timeout = true; break; }}\n\
         \x20 }}\n\
         \x20 const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();\n\
         \x20 top->final();\n\
         \x20 if (timeout) {{\n\
         \x20   std::printf(\"TIMEOUT CYCLES %llu INPUTS %llu UPDATES %llu\\n\", (unsigned long long)cycles, (unsigned long long)k, (unsigned long long)nobs);\n\
         \x20   return 3;\n\
         \x20 }}\n\
         \x20 std::printf(\"DIGEST %016llx UPDATES %llu SPIKES %llu SECONDS %.9f EVENT_DIGEST %016llx CYCLES %llu\\n\",\n\
         \x20             (unsigned long long)d, (unsigned long long)nobs, (unsigned long long)nspk, secs,\n\
         \x20             (unsigned long long)e, (unsigned long long)cycles);\n\
         \x20 delete top;\n\
         \x20 delete ctx;\n\
         \x20 delete[] stim;\n\
         \x20 return 0;\n\
         }}",
        spk = read_port("spk_addr", aw, false),
    );
    s
}

/// Check that the core interface can be driven from 64-bit words: the input and every state word
/// at most 64 bits wide (Verilator would make wider ports `VlWide` arrays; the twin's raw values are
/// `i64` anyway).
fn check_spec(spec: &CoreSpec) -> Result<(), SimError> {
    if spec.input.width() > 64 {
        return Err(SimError::InvalidInput(format!(
            "input format {} is {} bits wide; the fast harness drives at most 64",
            spec.input,
            spec.input.width()
        )));
    }
    if let Some(w) = spec.words.iter().find(|w| w.fmt.width() > 64) {
        return Err(SimError::InvalidInput(format!(
            "state word {} ({}) is {} bits wide; the fast harness reads at most 64",
            w.name,
            w.fmt,
            w.fmt.width()
        )));
    }
    if spec.n == 0 {
        return Err(SimError::InvalidInput(
            "a core needs at least one neuron".into(),
        ));
    }
    if spec.words.is_empty() || spec.words.len() > MAX_STATE {
        return Err(SimError::InvalidInput(format!(
            "{} state words (expected 1..={MAX_STATE})",
            spec.words.len()
        )));
    }
    Ok(())
}

/// Generate the harness for `spec` and build it with the RTL files `rtl` in Verilator (in
/// `workdir`, which is created and kept for inspection).
pub fn build(spec: &CoreSpec, rtl: &[PathBuf], workdir: &Path) -> Result<FastBuilt, SimError> {
    if spec.cfg.as_ref().is_some_and(|c| !c.writes.is_empty()) {
        return Err(SimError::InvalidInput(
            "the fast harness does not write run-time parameters; use the text mode".into(),
        ));
    }
    check_spec(spec)?;
    cosim::check_simulator(Simulator::Verilator)?;
    std::fs::create_dir_all(workdir).map_err(|e| SimError::io(workdir, e))?;
    let wd = std::fs::canonicalize(workdir).map_err(|e| SimError::io(workdir, e))?;
    let class = "Vsf_fast";
    let h = wd.join("harness.cpp");
    std::fs::write(&h, harness(spec, class)).map_err(|e| SimError::io(h.clone(), e))?;
    let rtl: Vec<PathBuf> = rtl
        .iter()
        .map(|p| std::fs::canonicalize(p).map_err(|e| SimError::io(p.clone(), e)))
        .collect::<Result<_, _>>()?;
    let t0 = Instant::now();
    let mut c = Command::new("verilator");
    c.current_dir(&wd).args([
        "--cc",
        "--exe",
        "--build",
        "-O3",
        "--x-assign",
        "fast",
        "--x-initial",
        "fast",
        "--noassert",
        "-Wno-fatal",
        "-Wno-lint",
        "-Wno-style",
        "--top-module",
        &spec.top,
        "--prefix",
        class,
        "-o",
        "sf_fast",
        "-Mdir",
        "obj",
        "-CFLAGS",
        "-O2",
        "-MAKEFLAGS",
        "OPT_FAST=-O2 OPT_GLOBAL=-O2",
        "--build-jobs",
        "2",
    ]);
    c.args(&rtl).arg("harness.cpp");
    run_logged(&mut c, "verilator", &wd.join("build.log"))?;
    Ok(FastBuilt {
        spec: spec.clone(),
        workdir: wd.clone(),
        rtl,
        build_seconds: t0.elapsed().as_secs_f64(),
        program: wd.join("obj").join("sf_fast"),
    })
}

fn run_logged(cmd: &mut Command, tool: &str, log: &Path) -> Result<String, SimError> {
    let out = cmd.output().map_err(|e| tool_error(tool, e))?;
    finish(tool, log, out)
}

fn tool_error(tool: &str, e: std::io::Error) -> SimError {
    if e.kind() == std::io::ErrorKind::NotFound {
        SimError::ToolMissing {
            tool: tool.to_string(),
            hint: cosim::install_hint(tool),
        }
    } else {
        SimError::io(PathBuf::from(tool), e)
    }
}

fn finish(tool: &str, log: &Path, out: std::process::Output) -> Result<String, SimError> {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let text = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::write(log, &text);
    if text.starts_with("TIMEOUT") {
        return Err(SimError::Protocol(format!(
            "the core stopped accepting inputs or producing observations ({})",
            text.trim()
        )));
    }
    if !out.status.success() {
        let lines: Vec<&str> = text.lines().collect();
        return Err(SimError::ToolFailed {
            tool: tool.to_string(),
            log: log.to_path_buf(),
            output: lines[lines.len().saturating_sub(40)..].join("\n"),
        });
    }
    Ok(stdout)
}

/// The fields of the harness's result line.
fn parse_result(out: &str) -> Option<(Digests, f64, u64)> {
    let line = out.lines().find(|l| l.starts_with("DIGEST "))?;
    let mut it = line.split_ascii_whitespace();
    let mut field = |key: &str| -> Option<String> {
        (it.next()? == key).then_some(())?;
        it.next().map(str::to_string)
    };
    let updates_digest = u64::from_str_radix(&field("DIGEST")?, 16).ok()?;
    let updates = field("UPDATES")?.parse().ok()?;
    let spikes = field("SPIKES")?.parse().ok()?;
    let secs = field("SECONDS")?.parse().ok()?;
    let events_digest = u64::from_str_radix(&field("EVENT_DIGEST")?, 16).ok()?;
    let cycles = field("CYCLES")?.parse().ok()?;
    Some((
        Digests {
            updates_digest,
            events_digest,
            updates,
            spikes,
        },
        secs,
        cycles,
    ))
}

/// Run the built harness on `inputs` (raw input words, tick-major, `spec.n` per tick; any
/// number of whole ticks) and compare its digests with the twin's, started from `init` (one
/// state per neuron, the state the core was generated with). The twin runs while the harness
/// does.
pub fn run(
    built: &FastBuilt,
    spec: &CoreSpec,
    twin: &dyn FixedNeuron,
    init: &[[i64; MAX_STATE]],
    inputs: &[i64],
) -> Result<FastReport, SimError> {
    let t0 = Instant::now();
    if *spec != built.spec {
        return Err(SimError::InvalidInput(format!(
            "the harness was built for {} ({} neurons), not for {} ({} neurons)",
            built.spec.top, built.spec.n, spec.top, spec.n
        )));
    }
    let n = spec.n;
    if init.len() != n {
        return Err(SimError::InvalidInput(format!(
            "{} initial states for {n} neurons",
            init.len()
        )));
    }
    if !inputs.len().is_multiple_of(n) {
        return Err(SimError::InvalidInput(format!(
            "{} inputs are not whole ticks of {n} neurons",
            inputs.len()
        )));
    }
    let (lo, hi) = (spec.input.min_raw(), spec.input.max_raw());
    if let Some((i, x)) = inputs
        .iter()
        .enumerate()
        .find(|(_, &x)| (x as i128) < lo || (x as i128) > hi)
    {
        return Err(SimError::InvalidInput(format!(
            "input #{i} = {x} is outside the input format {} ({lo}..={hi})",
            spec.input
        )));
    }
    let wd = &built.workdir;
    let stim = wd.join("stim.bin");
    {
        let f = std::fs::File::create(&stim).map_err(|e| SimError::io(stim.clone(), e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        let mut buf = Vec::with_capacity(8 * 8192);
        for chunk in inputs.chunks(8192) {
            buf.clear();
            for x in chunk {
                buf.extend_from_slice(&x.to_le_bytes());
            }
            w.write_all(&buf)
                .map_err(|e| SimError::io(stim.clone(), e))?;
        }
        w.flush().map_err(|e| SimError::io(stim.clone(), e))?;
    }
    let child = Command::new(&built.program)
        .arg(&stim)
        .current_dir(wd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_error("verilator", e))?;
    // the twin, while the harness runs
    let model = model_digests(twin, spec.words.len(), init, inputs);
    let out = child
        .wait_with_output()
        .map_err(|e| SimError::io(built.program.clone(), e))?;
    let text = finish("verilator", &wd.join("run.log"), out)?;
    let (rtl, sim_seconds, cycles) = parse_result(&text).ok_or_else(|| {
        SimError::Protocol(format!(
            "the fast harness printed no result line: {:?}",
            text.trim()
        ))
    })?;
    Ok(FastReport {
        updates: rtl.updates,
        spikes: rtl.spikes,
        bit_exact: rtl == model,
        rtl_digest: rtl,
        model_digest: model,
        build_seconds: built.build_seconds,
        sim_seconds,
        wall_seconds: t0.elapsed().as_secs_f64(),
        cycles,
    })
}

/// The verdict of [`verify_or_locate`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict {
    pub fast: FastReport,
    /// The first difference, from the text mode; `None` when the fast run was bit-exact.
    pub mismatch: Option<Mismatch>,
    /// The text-mode run, when there was one.
    pub text: Option<CosimReport>,
}

/// Run the fast co-simulation; when it is not bit-exact, run the text mode
/// ([`cosim::cosimulate`], Verilator, no stalls, in `<workdir>/text`) on the same inputs to find
/// the first mismatch (step, neuron, signal, expected, got).
///
/// The text testbench holds at most [`TEXT_MODE_MAX_INPUTS`] inputs; longer runs are located in
/// their first that many (whole ticks) and give a protocol error when the difference lies later.
pub fn verify_or_locate(
    built: &FastBuilt,
    spec: &CoreSpec,
    twin: &dyn FixedNeuron,
    init: &[[i64; MAX_STATE]],
    inputs: &[i64],
) -> Result<Verdict, SimError> {
    let fast = run(built, spec, twin, init, inputs)?;
    if fast.bit_exact {
        return Ok(Verdict {
            fast,
            mismatch: None,
            text: None,
        });
    }
    let take = inputs.len().min(TEXT_MODE_MAX_INPUTS / spec.n * spec.n);
    let opts = CosimOptions {
        simulator: Simulator::Verilator,
        workdir: built.workdir.join("text"),
        stalls: false,
        vcd: None,
    };
    let text = cosim::cosimulate(spec, &built.rtl, twin, init, &inputs[..take], &opts)?;
    match text.mismatch.clone() {
        Some(m) => Ok(Verdict {
            fast,
            mismatch: Some(m),
            text: Some(text),
        }),
        None => Err(SimError::Protocol(format!(
            "the fast run differs from the twin (RTL {}, twin {}) but the text mode finds no \
             mismatch in the first {take} of {} inputs",
            fast.rtl_digest,
            fast.model_digest,
            inputs.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spikeforge_model::fixed::QFormat;
    use spikeforge_model::neuron::Word;

    fn spec(words: Vec<Word>, input: QFormat) -> CoreSpec {
        CoreSpec {
            top: "sf_x_n5".into(),
            n: 5,
            words,
            input,
            cfg: None,
        }
    }

    #[test]
    fn harness_extends_every_port_from_its_declared_width() {
        let s = spec(
            vec![
                Word {
                    name: "v",
                    fmt: QFormat::q(8, 8),
                },
                Word {
                    name: "w",
                    fmt: QFormat::q(20, 23),
                },
                Word {
                    name: "cnt",
                    fmt: QFormat::uq(3, 0),
                },
            ],
            QFormat::q(5, 4),
        );
        let h = harness(&s, "Vtop");
        assert!(h.contains("#include \"Vtop.h\""));
        assert!(h.contains("d = fold(d, zx((uint64_t)top->obs_addr, 3));"));
        assert!(h.contains("d = fold(d, zx((uint64_t)top->obs_spike, 1));"));
        assert!(h.contains("d = fold(d, sx((uint64_t)top->obs_v, 17));"));
        assert!(h.contains("d = fold(d, sx((uint64_t)top->obs_w, 44));"));
        assert!(h.contains("d = fold(d, zx((uint64_t)top->obs_cnt, 3));"));
        assert!(h.contains("top->in_data = (SData)x;"));
        assert!(h.contains("zx(stim[k], 10)"));
        assert!(h.contains("obs_w: 44 bits, signed, QData"));
        // deterministic
        assert_eq!(h, harness(&s, "Vtop"));
    }

    #[test]
    fn ports_wider_than_64_bits_are_rejected() {
        let wide = QFormat::q(40, 30);
        let e = check_spec(&spec(
            vec![Word {
                name: "v",
                fmt: wide,
            }],
            QFormat::q(8, 8),
        ))
        .unwrap_err();
        assert!(e.to_string().contains("state word v"), "{e}");
        let e = check_spec(&spec(
            vec![Word {
                name: "v",
                fmt: QFormat::q(8, 8),
            }],
            wide,
        ))
        .unwrap_err();
        assert!(e.to_string().contains("input format"), "{e}");
    }
}
