//! Co-simulation: run a generated neuron core in Verilator or Icarus and compare it, step by step and
//! bit for bit, with the fixed-point twin.
//!
//! # The core interface (the contract with `spikeforge-hdl`)
//! A time-multiplexed core of `N` neurons has the ports
//! * `clk`, `rst` (synchronous, active high);
//! * `in_valid`, `in_ready`, `in_data` (signed input word): one beat per neuron update, neurons in
//!   order `0..N-1`, then again for the next tick;
//! * `spk_valid`, `spk_ready`, `spk_addr`: the address events of the neurons that fired;
//! * `obs_valid`, `obs_addr`, `obs_spike` and `obs_<word>` for every state word: the state written
//!   back in this cycle (for verification).
//!
//! The generated testbench feeds the inputs of a stimulus file with seeded stalls on both handshakes,
//! and writes one line per observed update (`O time addr spike word...`) and per address event
//! (`S time addr`). This module then replays the same inputs through the twin and reports the first
//! difference.
use crate::error::SimError;
use spikeforge_model::fixed::QFormat;
use spikeforge_model::neuron::{FixedNeuron, Word, MAX_STATE};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Which simulator runs the RTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Simulator {
    Verilator,
    Icarus,
}

impl std::str::FromStr for Simulator {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "verilator" => Ok(Simulator::Verilator),
            "icarus" | "iverilog" => Ok(Simulator::Icarus),
            _ => Err(format!(
                "unknown simulator '{s}' (expected verilator or icarus)"
            )),
        }
    }
}

impl std::fmt::Display for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Simulator::Verilator => "verilator",
            Simulator::Icarus => "icarus",
        })
    }
}

/// The interface of a core under test.
#[derive(Debug, Clone, PartialEq)]
pub struct CoreSpec {
    /// Module name of the core.
    pub top: String,
    /// Number of neurons.
    pub n: usize,
    pub words: Vec<Word>,
    pub input: QFormat,
    /// The run-time parameter port of a core generated with run-time parameters, and the writes the
    /// testbench makes through it after reset, before the first input.
    pub cfg: Option<CfgPort>,
}

/// A core's `cfg_we` / `cfg_addr` / `cfg_data` port and the parameter writes to apply.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CfgPort {
    pub addr_width: u32,
    pub data_width: u32,
    /// `(cfg_addr, raw value)` in order.
    pub writes: Vec<(u32, i64)>,
}

impl CoreSpec {
    /// The interface of a twin's core with `n` neurons, module `top`.
    pub fn of(twin: &dyn FixedNeuron, top: &str, n: usize) -> Self {
        CoreSpec {
            top: top.to_string(),
            n,
            words: twin.state_words(),
            input: twin.input_format(),
            cfg: None,
        }
    }
    /// Width of neuron addresses.
    pub fn addr_width(&self) -> u32 {
        addr_width(self.n)
    }
}

/// Width of a neuron address for `n` neurons (at least 1).
pub fn addr_width(n: usize) -> u32 {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1)
}

/// Options of a co-simulation run.
#[derive(Debug, Clone)]
pub struct CosimOptions {
    pub simulator: Simulator,
    /// Folder for the testbench, stimulus, build and logs (kept for inspection).
    pub workdir: PathBuf,
    /// Insert seeded stalls on `in_valid` and `spk_ready`.
    pub stalls: bool,
    /// Write a VCD of the run to this file.
    pub vcd: Option<PathBuf>,
}

/// The first difference between the RTL and the twin.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Mismatch {
    pub step: usize,
    pub neuron: usize,
    pub signal: String,
    pub expected: i64,
    pub got: i64,
    /// Simulation time (ns) of the observation.
    pub time_ns: u64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {}, neuron {}, signal {}: expected {}, got {} (at {} ns)",
            self.step, self.neuron, self.signal, self.expected, self.got, self.time_ns
        )
    }
}

/// What a co-simulation found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CosimReport {
    pub simulator: Simulator,
    pub neurons: usize,
    pub steps: usize,
    /// Neuron updates compared.
    pub updates: u64,
    pub spikes: u64,
    pub mismatch: Option<Mismatch>,
    /// For every state word: how often the twin's value sat at the format's minimum and maximum.
    pub corners: Vec<Corner>,
    pub build_seconds: f64,
    pub run_seconds: f64,
    /// Membrane (first word) of neuron 0 per step as RTL produced it, for plots.
    pub rtl_membrane0: Vec<i64>,
    /// The same from the twin.
    pub model_membrane0: Vec<i64>,
    /// Address events of the RTL: (step, neuron).
    pub rtl_spikes: Vec<(usize, usize)>,
}

/// Saturation-corner coverage of one state word: the updates that started or ended with the word
/// at the format's minimum (maximum), where the update's saturating store is exercised.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Corner {
    pub word: String,
    pub at_min: u64,
    pub at_max: u64,
}

/// Seeded stimulus: `steps * n` input words (raw), tick-major. A quarter of the neurons get inputs
/// that stay in `typical` (a real range around the model's firing threshold); the rest get a mix of
/// typical values, full-range values and the format's extremes, so that every saturation corner is
/// driven.
pub fn random_inputs(
    fmt: QFormat,
    typical: (f64, f64),
    n: usize,
    steps: usize,
    seed: u64,
) -> Vec<i64> {
    let mut rng = XorShift::new(seed);
    let lo = fmt.quantize_saturating(typical.0) as i64;
    let hi = fmt.quantize_saturating(typical.1) as i64;
    let (min, max) = (fmt.min_raw() as i64, fmt.max_raw() as i64);
    let mut out = Vec::with_capacity(n * steps);
    // per-neuron regime, changing every 200 ticks
    for step in 0..steps {
        for neuron in 0..n {
            let block = (step / 200) as u64;
            let regime = XorShift::new(
                seed ^ (neuron as u64).wrapping_mul(0x9e37_79b9) ^ block.wrapping_mul(0x85eb_ca6b),
            )
            .next_u64()
                % 8;
            let x = match (neuron % 4, regime) {
                (0, _) | (_, 0..=3) => rng.range(lo, hi),
                (_, 4) => max,
                (_, 5) => min,
                (_, 6) => rng.range(min, max),
                _ => {
                    if rng.next_u64().is_multiple_of(2) {
                        max
                    } else {
                        rng.range(lo, hi)
                    }
                }
            };
            out.push(x);
        }
    }
    out
}

/// Seeded initial states: every other neuron starts in the twin's initial state; the rest get, per
/// state word, the format's minimum, its maximum or a uniform value, so that the saturation logic is
/// exercised from the first step.
pub fn random_init(twin: &dyn FixedNeuron, n: usize, seed: u64) -> Vec<[i64; MAX_STATE]> {
    let mut rng = XorShift::new(seed ^ 0x5eed_1417);
    let words = twin.state_words();
    (0..n)
        .map(|i| {
            let mut x = twin.initial_state();
            if i % 2 == 1 {
                for (k, w) in words.iter().enumerate() {
                    let (lo, hi) = (w.fmt.min_raw() as i64, w.fmt.max_raw() as i64);
                    x[k] = match rng.next_u64() % 3 {
                        0 => lo,
                        1 => hi,
                        _ => rng.range(lo, hi),
                    };
                }
            }
            x
        })
        .collect()
}

/// A small, well-known PRNG (xorshift64*), so runs are reproducible from a seed.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (self.next_u64() as u128 % span) as i128) as i64
    }
}

fn vrange(w: u32) -> String {
    format!("[{}:0]", w - 1)
}

/// The Verilog testbench for `spec`.
pub fn testbench(spec: &CoreSpec, stalls: bool) -> String {
    let a = spec.addr_width();
    let iw = spec.input.width();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// spikeforge co-simulation testbench for {} ({} neurons). Generated; do not edit.",
        spec.top, spec.n
    );
    s.push_str("`timescale 1ns/1ps\nmodule sf_tb;\n");
    let _ = writeln!(s, "  localparam integer N = {};", spec.n);
    let _ = writeln!(s, "  localparam STALLS = 1'b{};", u8::from(stalls));
    s.push_str("  reg clk = 1'b0;\n  reg rst = 1'b1;\n");
    let _ = writeln!(
        s,
        "  wire in_valid;\n  wire in_ready;\n  wire signed {} in_data;",
        vrange(iw)
    );
    let _ = writeln!(
        s,
        "  wire spk_valid;\n  wire spk_ready;\n  wire {} spk_addr;",
        vrange(a)
    );
    let _ = writeln!(
        s,
        "  wire obs_valid;\n  wire {} obs_addr;\n  wire obs_spike;",
        vrange(a)
    );
    for w in &spec.words {
        let _ = writeln!(
            s,
            "  wire {}{} obs_{};",
            if w.fmt.signed { "signed " } else { "" },
            vrange(w.fmt.width()),
            w.name
        );
    }
    let _ = writeln!(s, "  reg {} stim [0:4194303];", vrange(iw));
    s.push_str("  integer total;\n  integer k;\n  integer nobs;\n  integer cycles;\n  integer drain;\n  integer fd;\n");
    s.push_str("  reg [15:0] lfsr;\n  reg [255:0] stimfile;\n  reg [255:0] outfile;\n");
    if let Some(c) = &spec.cfg {
        let _ = writeln!(
            s,
            "  reg cfg_we = 1'b0;\n  reg {} cfg_addr = 0;\n  reg signed {} cfg_data = 0;\n  reg cfg_done = 1'b0;",
            vrange(c.addr_width),
            vrange(c.data_width)
        );
    }
    let _ = writeln!(s, "  {} dut (", spec.top);
    let mut ports = vec![
        ".clk(clk)".to_string(),
        ".rst(rst)".into(),
        ".in_valid(in_valid)".into(),
        ".in_ready(in_ready)".into(),
        ".in_data(in_data)".into(),
        ".spk_valid(spk_valid)".into(),
        ".spk_ready(spk_ready)".into(),
        ".spk_addr(spk_addr)".into(),
        ".obs_valid(obs_valid)".into(),
        ".obs_addr(obs_addr)".into(),
        ".obs_spike(obs_spike)".into(),
    ];
    for w in &spec.words {
        ports.push(format!(".obs_{0}(obs_{0})", w.name));
    }
    if spec.cfg.is_some() {
        for p in ["cfg_we", "cfg_addr", "cfg_data"] {
            ports.push(format!(".{p}({p})"));
        }
    }
    let _ = writeln!(s, "    {}\n  );", ports.join(",\n    "));
    let gate = if spec.cfg.is_some() {
        " && cfg_done"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "  assign in_valid = !rst{gate} && (k < total) && (!STALLS || lfsr[0] || lfsr[3]);"
    );
    s.push_str(
        "\
         \x20 assign in_data = stim[k];\n\
         \x20 assign spk_ready = !STALLS || lfsr[5] || lfsr[9];\n\
         \x20 always #5 clk = ~clk;\n\
         \x20 initial begin\n\
         \x20   k = 0; nobs = 0; cycles = 0; drain = 0; lfsr = 16'hace1;\n\
         \x20   if (!$value$plusargs(\"total=%d\", total)) total = 0;\n\
         \x20   if (!$value$plusargs(\"stim=%s\", stimfile)) stimfile = \"stim.hex\";\n\
         \x20   if (!$value$plusargs(\"out=%s\", outfile)) outfile = \"rtl.txt\";\n\
         \x20   $readmemh(stimfile, stim, 0, total - 1);\n\
         \x20   fd = $fopen(outfile, \"w\");\n\
         `ifdef SF_VCD\n\
         \x20   $dumpfile(\"sf_tb.vcd\");\n\
         \x20   $dumpvars(0, sf_tb);\n\
         `endif\n\
         \x20   repeat (3) @(posedge clk);\n\
         \x20   rst <= 1'b0;\n",
    );
    if let Some(c) = &spec.cfg {
        for (addr, value) in &c.writes {
            let _ = writeln!(
                s,
                "    @(posedge clk); cfg_we <= 1'b1; cfg_addr <= {aw}'d{addr}; cfg_data <= {dw}'h{v};",
                aw = c.addr_width,
                dw = c.data_width,
                v = hex_word(*value, c.data_width)
            );
        }
        s.push_str("    @(posedge clk); cfg_we <= 1'b0; cfg_done <= 1'b1;\n");
    }
    s.push_str(
        "\
         \x20 end\n\
         \x20 always @(posedge clk) begin\n\
         \x20   if (!rst) begin\n\
         \x20     cycles <= cycles + 1;\n\
         \x20     lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};\n\
         \x20     if (in_valid && in_ready) k <= k + 1;\n\
         \x20     if (spk_valid && spk_ready) $fwrite(fd, \"S %0d %0d\\n\", $time, spk_addr);\n",
    );
    let mut fmt_str = String::from("O %0d %0d %0d");
    let mut args = String::from("$time, obs_addr, obs_spike");
    for w in &spec.words {
        fmt_str.push_str(" %0d");
        let _ = write!(args, ", obs_{}", w.name);
    }
    let _ = writeln!(s, "      if (obs_valid) begin\n        $fwrite(fd, \"{fmt_str}\\n\", {args});\n        nobs <= nobs + 1;\n      end");
    s.push_str(
        "      if (nobs == total) drain <= drain + 1;\n\
         \x20     if (drain == 64 + 8 * N) begin\n\
         \x20       $fwrite(fd, \"E %0d\\n\", cycles);\n\
         \x20       $fclose(fd);\n\
         \x20       $finish;\n\
         \x20     end\n\
         \x20     if (cycles > 16 * total + 1000) begin\n\
         \x20       $fwrite(fd, \"T %0d\\n\", cycles);\n\
         \x20       $fclose(fd);\n\
         \x20       $finish;\n\
         \x20     end\n\
         \x20   end\n\
         \x20 end\n\
         endmodule\n",
    );
    s
}

fn hex_word(x: i64, width: u32) -> String {
    let mask = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    format!("{:x}", (x as u64) & mask)
}

fn run_tool(cmd: &mut Command, tool: &str, log: &Path) -> Result<String, SimError> {
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            SimError::ToolMissing {
                tool: tool.to_string(),
                hint: install_hint(tool),
            }
        } else {
            SimError::io(PathBuf::from(tool), e)
        }
    })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::write(log, &text);
    if !out.status.success() {
        return Err(SimError::ToolFailed {
            tool: tool.to_string(),
            log: log.to_path_buf(),
            output: tail(&text, 40),
        });
    }
    Ok(text)
}

fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// How to install a missing tool.
pub fn install_hint(tool: &str) -> String {
    let pkg = match tool {
        "iverilog" | "vvp" => "iverilog",
        "nextpnr-ice40" => "nextpnr-ice40",
        "icepack" => "fpga-icestorm",
        t => t,
    };
    format!("install it with `sudo apt-get install -y {pkg}` (or run scripts/install-tools.sh)")
}

/// Check that a simulator is installed, with an install hint when it is not.
pub fn check_simulator(sim: Simulator) -> Result<(), SimError> {
    let tool = match sim {
        Simulator::Verilator => "verilator",
        Simulator::Icarus => "iverilog",
    };
    match Command::new(tool)
        .arg(if sim == Simulator::Icarus {
            "-V"
        } else {
            "--version"
        })
        .output()
    {
        Ok(_) => Ok(()),
        Err(_) => Err(SimError::ToolMissing {
            tool: tool.to_string(),
            hint: install_hint(tool),
        }),
    }
}

/// A built simulation, ready to run with different stimuli.
#[derive(Debug, Clone)]
pub struct Built {
    pub simulator: Simulator,
    pub workdir: PathBuf,
    pub build_seconds: f64,
    program: PathBuf,
}

/// Build the testbench and the RTL files for `opts.simulator`.
pub fn build(spec: &CoreSpec, rtl: &[PathBuf], opts: &CosimOptions) -> Result<Built, SimError> {
    check_simulator(opts.simulator)?;
    let wd = &opts.workdir;
    std::fs::create_dir_all(wd).map_err(|e| SimError::io(wd.clone(), e))?;
    let wd = &std::fs::canonicalize(wd).map_err(|e| SimError::io(wd.clone(), e))?;
    let tb = wd.join("sf_tb.v");
    std::fs::write(&tb, testbench(spec, opts.stalls)).map_err(|e| SimError::io(tb.clone(), e))?;
    let abs = |p: &PathBuf| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
    let t0 = Instant::now();
    let program = match opts.simulator {
        Simulator::Icarus => {
            let mut c = Command::new("iverilog");
            c.current_dir(wd)
                .args(["-g2005", "-o", "sf_tb.vvp", "-s", "sf_tb"]);
            if opts.vcd.is_some() {
                c.arg("-DSF_VCD");
            }
            c.arg("sf_tb.v").args(rtl.iter().map(abs));
            run_tool(&mut c, "iverilog", &wd.join("build.log"))?;
            wd.join("sf_tb.vvp")
        }
        Simulator::Verilator => {
            let mut c = Command::new("verilator");
            c.current_dir(wd).args([
                "--binary",
                "--timing",
                "-Wno-fatal",
                "-Wno-lint",
                "-Wno-style",
                "--top-module",
                "sf_tb",
                "-Mdir",
                "obj",
                "--build-jobs",
                "2",
                "-O3",
            ]);
            if opts.vcd.is_some() {
                c.args(["--trace", "-DSF_VCD"]);
            }
            c.arg("sf_tb.v").args(rtl.iter().map(abs));
            run_tool(&mut c, "verilator", &wd.join("build.log"))?;
            wd.join("obj").join("Vsf_tb")
        }
    };
    Ok(Built {
        simulator: opts.simulator,
        workdir: wd.clone(),
        build_seconds: t0.elapsed().as_secs_f64(),
        program,
    })
}

/// One parsed line of the testbench output.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    Obs {
        time: u64,
        addr: usize,
        spike: bool,
        words: [i64; MAX_STATE],
    },
    Spike {
        time: u64,
        addr: usize,
    },
}

/// Run a built simulation on `inputs` (`steps * n` raw words, tick-major) and compare with `twin`
/// started from `init` (one state per neuron).
pub fn run(
    built: &Built,
    spec: &CoreSpec,
    twin: &dyn FixedNeuron,
    init: &[[i64; MAX_STATE]],
    inputs: &[i64],
    vcd: Option<&Path>,
) -> Result<CosimReport, SimError> {
    let wd = &built.workdir;
    let n = spec.n;
    assert_eq!(init.len(), n, "one initial state per neuron");
    assert_eq!(inputs.len() % n, 0, "inputs are whole ticks");
    if inputs.len() > 4_194_304 {
        return Err(SimError::InvalidInput(format!(
            "{} updates is more than the testbench holds (4194304)",
            inputs.len()
        )));
    }
    let steps = inputs.len() / n;
    let stim_path = wd.join("stim.hex");
    let mut text = String::with_capacity(inputs.len() * 6);
    for x in inputs {
        text.push_str(&hex_word(*x, spec.input.width()));
        text.push('\n');
    }
    std::fs::write(&stim_path, text).map_err(|e| SimError::io(stim_path.clone(), e))?;
    let out_path = wd.join("rtl.txt");
    let _ = std::fs::remove_file(&out_path);
    let t0 = Instant::now();
    let mut c = match built.simulator {
        Simulator::Icarus => {
            let mut c = Command::new("vvp");
            c.arg("-n").arg(&built.program);
            c
        }
        Simulator::Verilator => Command::new(&built.program),
    };
    c.current_dir(wd)
        .arg(format!("+total={}", inputs.len()))
        .arg("+stim=stim.hex")
        .arg("+out=rtl.txt");
    let tool = if built.simulator == Simulator::Icarus {
        "vvp"
    } else {
        "verilator"
    };
    run_tool(&mut c, tool, &wd.join("run.log"))?;
    let run_seconds = t0.elapsed().as_secs_f64();
    if let Some(v) = vcd {
        let src = wd.join("sf_tb.vcd");
        std::fs::rename(&src, v)
            .or_else(|_| std::fs::copy(&src, v).map(|_| ()))
            .map_err(|e| SimError::io(v.to_path_buf(), e))?;
    }
    let out = std::fs::read_to_string(&out_path).map_err(|e| SimError::io(out_path.clone(), e))?;
    compare(&out, spec, twin, init, inputs, steps, built, run_seconds)
}

fn parse_line(l: &str, nwords: usize) -> Option<Line> {
    let mut it = l.split_ascii_whitespace();
    let tag = it.next()?;
    let mut num = || it.next().and_then(|x| x.parse::<i128>().ok());
    match tag {
        "O" => {
            let time = num()? as u64;
            let addr = num()? as usize;
            let spike = num()? != 0;
            let mut words = [0i64; MAX_STATE];
            for w in words.iter_mut().take(nwords) {
                *w = num()? as i64;
            }
            Some(Line::Obs {
                time,
                addr,
                spike,
                words,
            })
        }
        "S" => Some(Line::Spike {
            time: num()? as u64,
            addr: num()? as usize,
        }),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn compare(
    out: &str,
    spec: &CoreSpec,
    twin: &dyn FixedNeuron,
    init: &[[i64; MAX_STATE]],
    inputs: &[i64],
    steps: usize,
    built: &Built,
    run_seconds: f64,
) -> Result<CosimReport, SimError> {
    let n = spec.n;
    let nw = spec.words.len();
    let mut state: Vec<[i64; MAX_STATE]> = init.to_vec();
    let mut corners: Vec<Corner> = spec
        .words
        .iter()
        .map(|w| Corner {
            word: w.name.to_string(),
            at_min: 0,
            at_max: 0,
        })
        .collect();
    let mut report = CosimReport {
        simulator: built.simulator,
        neurons: n,
        steps,
        updates: 0,
        spikes: 0,
        mismatch: None,
        corners: Vec::new(),
        build_seconds: built.build_seconds,
        run_seconds,
        rtl_membrane0: Vec::new(),
        model_membrane0: Vec::new(),
        rtl_spikes: Vec::new(),
    };
    let mut expected_spikes: Vec<(usize, usize)> = Vec::new();
    let mut got_spikes: Vec<(u64, usize)> = Vec::new();
    let mut k = 0usize;
    let mut ended = false;
    let mut mismatch = None;
    for l in out.lines() {
        if l.starts_with('E') {
            ended = true;
            continue;
        }
        if l.starts_with('T') {
            return Err(SimError::Protocol(format!(
                "the core stopped accepting inputs or producing observations: {} of {} updates seen before the time-out",
                k,
                inputs.len()
            )));
        }
        match parse_line(l, nw) {
            Some(Line::Spike { time, addr }) => got_spikes.push((time, addr)),
            Some(Line::Obs {
                time,
                addr,
                spike,
                words,
            }) => {
                if k >= inputs.len() {
                    return Err(SimError::Protocol(format!(
                        "more observations than inputs ({})",
                        inputs.len()
                    )));
                }
                let (step, neuron) = (k / n, k % n);
                let x = &mut state[neuron];
                let before = *x;
                let fired = twin.step(x, inputs[k]);
                if fired {
                    expected_spikes.push((step, neuron));
                }
                for (i, w) in spec.words.iter().enumerate() {
                    let (lo, hi) = (w.fmt.min_raw(), w.fmt.max_raw());
                    if x[i] as i128 == lo || before[i] as i128 == lo {
                        corners[i].at_min += 1;
                    }
                    if x[i] as i128 == hi || before[i] as i128 == hi {
                        corners[i].at_max += 1;
                    }
                }
                if neuron == 0 {
                    report.rtl_membrane0.push(words[0]);
                    report.model_membrane0.push(x[0]);
                }
                if spike {
                    report.rtl_spikes.push((step, neuron));
                }
                if mismatch.is_none() {
                    let mut check = |signal: &str, expected: i64, got: i64| {
                        if mismatch.is_none() && expected != got {
                            mismatch = Some(Mismatch {
                                step,
                                neuron,
                                signal: signal.to_string(),
                                expected,
                                got,
                                time_ns: time,
                            });
                        }
                    };
                    check("obs_addr", neuron as i64, addr as i64);
                    for (i, w) in spec.words.iter().enumerate() {
                        check(w.name, x[i], words[i]);
                    }
                    check("spike", i64::from(fired), i64::from(spike));
                }
                k += 1;
            }
            None => {}
        }
    }
    if !ended {
        return Err(SimError::Protocol(
            "the testbench output ended early (simulator crashed?)".into(),
        ));
    }
    if mismatch.is_none() && k != inputs.len() {
        return Err(SimError::Protocol(format!(
            "{} observations for {} inputs",
            k,
            inputs.len()
        )));
    }
    // address events: same neurons in the same order
    if mismatch.is_none() {
        for (j, &(step, e)) in expected_spikes.iter().enumerate() {
            match got_spikes.get(j) {
                Some((_, a)) if *a == e => {}
                other => {
                    mismatch = Some(Mismatch {
                        step,
                        neuron: e,
                        signal: format!("spk_addr (address event #{j})"),
                        expected: e as i64,
                        got: other.map(|(_, a)| *a as i64).unwrap_or(-1),
                        time_ns: other.map(|(t, _)| *t).unwrap_or(0),
                    });
                    break;
                }
            }
        }
        if mismatch.is_none() && got_spikes.len() > expected_spikes.len() {
            let (t, a) = got_spikes[expected_spikes.len()];
            mismatch = Some(Mismatch {
                step: steps,
                neuron: a,
                signal: "spk_addr (extra address event)".into(),
                expected: -1,
                got: a as i64,
                time_ns: t,
            });
        }
    }
    report.updates = k as u64;
    report.spikes = expected_spikes.len() as u64;
    report.corners = corners;
    report.mismatch = mismatch;
    Ok(report)
}

/// Build and run in one call.
pub fn cosimulate(
    spec: &CoreSpec,
    rtl: &[PathBuf],
    twin: &dyn FixedNeuron,
    init: &[[i64; MAX_STATE]],
    inputs: &[i64],
    opts: &CosimOptions,
) -> Result<CosimReport, SimError> {
    let built = build(spec, rtl, opts)?;
    run(&built, spec, twin, init, inputs, opts.vcd.as_deref())
}

/// A text table of the core's ports around `time_ns` (± `cycles` clock cycles of 10 ns), read from
/// the VCD of a co-simulation run; each row shows the values just before a rising clock edge, as the
/// testbench saw them.
pub fn vcd_window(
    vcd: &Path,
    spec: &CoreSpec,
    time_ns: u64,
    cycles: u64,
) -> Result<String, SimError> {
    let data = crate::vcdio::read_vcd(vcd)?;
    let fs = data.timescale_fs.unwrap_or(1_000_000) as f64;
    let to_units = |ns: f64| (ns * 1e6 / fs).round().max(0.0) as u64;
    let mut names: Vec<String> = [
        "in_valid",
        "in_ready",
        "in_data",
        "obs_valid",
        "obs_addr",
        "obs_spike",
    ]
    .iter()
    .map(|s| format!("dut.{s}"))
    .collect();
    for w in &spec.words {
        names.push(format!("dut.obs_{}", w.name));
    }
    let mut s = String::new();
    let _ = write!(s, "{:>10}", "time (ns)");
    for n in &names {
        let _ = write!(s, " {:>12}", n.trim_start_matches("dut."));
    }
    s.push('\n');
    let start = time_ns.saturating_sub(cycles * 10);
    for k in 0..=(2 * cycles) {
        let t = start + k * 10;
        let _ = write!(s, "{:>10}{}", t, if t == time_ns { "*" } else { " " });
        for n in &names {
            let v = data.signed_value_at(n, to_units(t as f64 - 1.0));
            let _ = write!(
                s,
                "{:>12} ",
                v.map(|x| x.to_string()).unwrap_or_else(|| "x".into())
            );
        }
        s.push('\n');
    }
    Ok(s)
}

/// The range of typical inputs for random stimulus: from 0 to twice the model's standard input
/// (its default stimulus late in the run), or -1..1 when that is not positive.
pub fn typical_range(standard_input: f64) -> (f64, f64) {
    if standard_input > 0.0 {
        (0.0, 2.0 * standard_input)
    } else if standard_input < 0.0 {
        (2.0 * standard_input, 0.0)
    } else {
        (-1.0, 1.0)
    }
}
