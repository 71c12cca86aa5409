//! Neuron cores: one combinational datapath per model (the single-neuron update) and the
//! time-multiplexed core of `N` neurons around it.
//!
//! The datapaths are written here in the IR from the twins' *parameters* (quantised constants and
//! formats), independently of the twins' `step` code; co-simulation checks that both agree.
//!
//! # The time-multiplexed core `sf_<model>_<format>_n<N>`
//! State of all neurons lives in one block RAM (the state words concatenated, depth `N`), initialised
//! with the initial state. Pipeline, one neuron update per clock:
//! * **S0**: an input beat is accepted (`in_valid && in_ready`); the neuron index counter `idx`
//!   (0..N-1, wrapping) addresses the RAM read.
//! * **S1**: the state word arrives; if the previous cycle wrote the same address (only possible
//!   when `N = 1`), the written value is forwarded instead. The datapath computes the next state and
//!   the spike; the RAM is written back; the address of a spiking neuron goes into the spike FIFO.
//!   `obs_*` show the written-back state (for verification).
//!
//! `in_ready` is low while the spike FIFO has fewer than two free places, so a spike is never lost:
//! address events wait in the FIFO (`spk_valid`/`spk_ready`) and back-pressure the input.

use crate::emit::Design;
use crate::error::HdlError;
use crate::ir::{Module, ModuleBuilder, Sig, Ty};
use serde::Serialize;
use spikeforge_model::fixed::QFormat;
use spikeforge_model::neuron::{FixedNeuron, MAX_STATE};
use spikeforge_model::quant::{Coef, MulVariant};
use spikeforge_model::registry::FixedModel;
use std::cell::RefCell;

mod adex;
mod fhn;
mod hasler;
mod izhikevich;
mod leaky;
mod lif;
mod lut;
mod morris_lecar;
mod nullcline;

/// Options of a time-multiplexed core.
#[derive(Debug, Clone, PartialEq)]
pub struct CoreOptions {
    /// Number of neurons (at least 1).
    pub neurons: usize,
    /// Depth of the spike (address-event) FIFO, a power of two of at least 2.
    pub fifo_depth: usize,
    /// Initial state per neuron; `None`: every neuron starts in the twin's initial state.
    pub init: Option<Vec<[i64; MAX_STATE]>>,
    /// Parameters as run-time registers (a `cfg_*` write port) instead of constants.
    pub runtime_params: bool,
}

impl CoreOptions {
    /// `n` neurons, a 16-deep spike FIFO, the twin's initial state.
    pub fn new(neurons: usize) -> Self {
        CoreOptions {
            neurons,
            fifo_depth: 16,
            init: None,
            runtime_params: false,
        }
    }
}

/// A port as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortInfo {
    pub name: String,
    pub dir: &'static str,
    pub width: u32,
    pub signed: bool,
    /// The fixed-point format, for data ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A generated core: the design, its module names and the facts the manifest records.
#[derive(Debug, Clone)]
pub struct GeneratedCore {
    pub design: Design,
    pub top: String,
    pub datapath: String,
    pub ports: Vec<PortInfo>,
    /// The run-time parameters (empty when the parameters are constants).
    pub params: Vec<RuntimeParam>,
}

/// The module name of a twin's datapath: `sf_<model>_<format>`.
pub fn datapath_name(model: &FixedModel) -> String {
    format!("sf_{}", model.ident().replace('-', "_"))
}

/// The module name of the time-multiplexed core: `sf_<model>_<format>_n<N>`.
pub fn core_name(model: &FixedModel, neurons: usize) -> String {
    format!("{}_n{}", datapath_name(model), neurons)
}

/// The IR type of a fixed-point format.
pub fn ty(f: QFormat) -> Ty {
    if f.signed {
        Ty::signed(f.width())
    } else {
        Ty::unsigned(f.width())
    }
}

/// A parameter of a datapath that is a run-time register in a core with `runtime_params`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuntimeParam {
    /// Address on the `cfg_addr` port.
    pub index: u32,
    /// The constant's name in the twin (`v_th`, `k2`, ...); the datapath port is `p_<name>`.
    pub name: String,
    /// Reset value (raw) and its format.
    pub raw: i64,
    #[serde(serialize_with = "ser_fmt")]
    pub format: QFormat,
}

fn ser_fmt<S: serde::Serializer>(f: &QFormat, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(f)
}

thread_local! {
    /// While a run-time-parameter datapath is being built: the parameter ports created so far.
    static RUNTIME: RefCell<Option<Vec<(RuntimeParam, Sig)>>> = const { RefCell::new(None) };
}

/// Collects the run-time parameters of one datapath build; clears the collector on drop (also when
/// a builder panics).
struct RuntimeScope;

impl RuntimeScope {
    fn begin() -> Self {
        RUNTIME.with(|r| *r.borrow_mut() = Some(Vec::new()));
        RuntimeScope
    }
    fn take(self) -> Vec<RuntimeParam> {
        RUNTIME
            .with(|r| r.borrow_mut().take())
            .unwrap_or_default()
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }
}

impl Drop for RuntimeScope {
    fn drop(&mut self) {
        RUNTIME.with(|r| *r.borrow_mut() = None);
    }
}

/// A named constant in format `f`: a literal, or (while building a run-time-parameter datapath) an
/// input port `p_<name>` that the core drives from a register reset to `raw`.
pub(crate) fn konst(b: &ModuleBuilder, name: &str, raw: i64, f: QFormat) -> Sig {
    let port = RUNTIME.with(|r| {
        let mut r = r.borrow_mut();
        let list = r.as_mut()?;
        if let Some((_, s)) = list
            .iter()
            .find(|(p, _)| p.name == name && p.raw == raw && p.format == f)
        {
            return Some(*s);
        }
        let mut pname = name.to_string();
        if list.iter().any(|(p, _)| p.name == pname) {
            pname = format!("{name}_{}", list.len());
        }
        let sig = b.input(&format!("p_{pname}"), ty(f));
        let index = list.len() as u32;
        list.push((
            RuntimeParam {
                index,
                name: pname,
                raw,
                format: f,
            },
            sig,
        ));
        Some(sig)
    });
    port.unwrap_or_else(|| b.constant(raw as i128, ty(f)))
}

/// Multiply a signed signal by a constant coefficient: a DSP-style multiply by the raw value, or a
/// sum of shifted copies for each of its CSD digits. Both give the exact product,
/// `width(x) + width(coef)` bits, signed.
pub(crate) fn cmul(b: &ModuleBuilder, x: Sig, c: &Coef) -> Sig {
    let out_w = x.width() + c.fmt.width();
    match c.mul {
        MulVariant::Exact => b.mul(x, konst(b, c.name, c.raw, c.fmt)),
        MulVariant::ShiftAdd { .. } => {
            if c.csd.is_empty() {
                return b.const_s(0, out_w);
            }
            let mut acc: Option<Sig> = None;
            for &(sign, shift) in &c.csd {
                let term = b.shl(x, shift);
                acc = Some(match (acc, sign > 0) {
                    (None, true) => term,
                    (None, false) => b.neg(term),
                    (Some(a), true) => b.add(a, term),
                    (Some(a), false) => b.sub(a, term),
                });
            }
            // the exact product fits `out_w` bits; the partial sums are exact, so the low bits are it
            let a = acc.expect("at least one digit");
            if a.width() >= out_w {
                b.trunc(a, out_w)
            } else {
                b.sext(a, out_w)
            }
        }
    }
}

/// Change the fraction bits of `x` from `from` to `to`: exact left shift, or round-half-up right
/// shift.
pub(crate) fn align(b: &ModuleBuilder, x: Sig, from: u32, to: u32) -> Sig {
    if to >= from {
        b.shl(x, to - from)
    } else {
        b.round_shr(x, from - to)
    }
}

/// Saturate a signed signal into format `f` (signed).
pub(crate) fn sat(b: &ModuleBuilder, x: Sig, f: QFormat) -> Sig {
    let s = if x.width() < f.width() {
        b.sext(x, f.width())
    } else {
        x
    };
    b.saturate(s, f.width())
}

/// The header lines every module of a core carries.
fn header(b: &ModuleBuilder, model: &FixedModel) {
    b.header_line("do not edit: regenerate with spikeforge generate");
    b.header_line(format!("model: {}", model.ident()));
    for w in model.state_words() {
        b.header_line(format!("state word {}: {}", w.name, w.fmt));
    }
    b.header_line(format!("input word: {}", model.input_format()));
}

/// The combinational single-neuron datapath of `model`: inputs are the state words (port names =
/// word names) and `in_data`; outputs `<word>_next` and `spike`.
pub fn datapath(model: &FixedModel) -> Result<Module, HdlError> {
    datapath_build(model, &datapath_name(model))
}

/// The datapath with its named constants as input ports `p_<name>` (module `sf_<model>_<fmt>_rt`),
/// and the list of those parameters. Multiplies by exact coefficients become multiplies by the port;
/// shift-add coefficients stay wired (their structure is the coefficient), and terms whose
/// coefficient is zero are absent.
pub fn datapath_runtime(model: &FixedModel) -> Result<(Module, Vec<RuntimeParam>), HdlError> {
    let scope = RuntimeScope::begin();
    let m = datapath_build(model, &format!("{}_rt", datapath_name(model)))?;
    Ok((m, scope.take()))
}

fn datapath_build(model: &FixedModel, name: &str) -> Result<Module, HdlError> {
    let b = ModuleBuilder::new(name)?;
    header(&b, model);
    b.header_line("single-neuron update: (state, in_data) -> (state_next, spike), combinational");
    let words: Vec<Sig> = model
        .state_words()
        .iter()
        .map(|w| b.input(w.name, ty(w.fmt)))
        .collect();
    let input = b.input("in_data", ty(model.input_format()));
    let (next, spike) = match model {
        FixedModel::Lif(m) => lif::build(&b, m, &words, input),
        FixedModel::Leaky(m) => leaky::build(&b, m, &words, input),
        FixedModel::Izhikevich(m) => izhikevich::build(&b, m, &words, input),
        FixedModel::Adex(m) => adex::build(&b, m, &words, input),
        FixedModel::Fhn(m) => fhn::build(&b, m, &words, input),
        FixedModel::MorrisLecar(m) => morris_lecar::build(&b, m, &words, input),
        FixedModel::Hasler(m) => hasler::build(&b, m, &words, input),
        FixedModel::Nullcline(m) => nullcline::build(&b, m, &words, input),
    };
    for (w, n) in model.state_words().iter().zip(next) {
        b.output(&format!("{}_next", w.name), n);
    }
    b.output("spike", spike);
    b.finish()
}

/// The time-multiplexed core of `opts.neurons` neurons (see the module docs).
pub fn core(model: &FixedModel, opts: &CoreOptions) -> Result<GeneratedCore, HdlError> {
    let n = opts.neurons;
    if n == 0 {
        return Err(HdlError::Config("a core needs at least one neuron".into()));
    }
    if n > 1 << 20 {
        return Err(HdlError::Config(format!(
            "{n} neurons is more than the 2^20 a core supports"
        )));
    }
    if opts.fifo_depth < 2 || !opts.fifo_depth.is_power_of_two() {
        return Err(HdlError::Config(format!(
            "spike FIFO depth {} must be a power of two >= 2",
            opts.fifo_depth
        )));
    }
    let (dp, params) = if opts.runtime_params {
        datapath_runtime(model)?
    } else {
        (datapath(model)?, Vec::new())
    };
    let words = model.state_words();
    let init_one = model.initial_state();
    let init: Vec<[i64; MAX_STATE]> = match &opts.init {
        Some(v) if v.len() == n => v.clone(),
        Some(v) => {
            return Err(HdlError::Config(format!(
                "{} initial states for {n} neurons",
                v.len()
            )))
        }
        None => vec![init_one; n],
    };
    let top = if opts.runtime_params {
        format!("{}_rt_n{n}", datapath_name(model))
    } else {
        core_name(model, n)
    };
    let b = ModuleBuilder::new(&top)?;
    header(&b, model);
    b.header_line(format!(
        "time-multiplexed core: {n} neurons, state in block RAM, one update per clock"
    ));
    b.header_line("ports: in_valid/in_ready/in_data (one beat per neuron, in order), spk_* address events, obs_* written-back state");
    let aw = crate::ir::addr_width(n);
    let addr_ty = Ty::unsigned(aw);
    let in_ty = ty(model.input_format());
    let in_valid = b.input("in_valid", Ty::BIT);
    let in_data = b.input("in_data", in_ty);
    let spk_ready = b.input("spk_ready", Ty::BIT);

    // state RAM: the words concatenated, membrane in the low bits
    let total_w: u32 = words.iter().map(|w| w.fmt.width()).sum();
    let ram_ty = Ty::unsigned(total_w);
    let pack = |x: &[i64; MAX_STATE]| -> i128 {
        let mut bits: u128 = 0;
        let mut lo = 0;
        for (i, w) in words.iter().enumerate() {
            let t = ty(w.fmt);
            bits |= t.bits_of(x[i] as i128) << lo;
            lo += w.fmt.width();
        }
        bits as i128
    };
    let contents: Vec<i128> = init.iter().map(pack).collect();
    let mem = b.memory_init("state_ram", ram_ty, &contents);
    // the forwarding below covers the one read-during-write case, so no bypass logic is needed
    b.mem_no_rw_check(mem);

    // S0
    let idx = b.reg("idx", addr_ty, 0);
    let s1_valid = b.reg("s1_valid", Ty::BIT, 0);
    let s1_addr = b.reg("s1_addr", addr_ty, 0);
    let s1_in = b.reg("s1_in", in_ty, 0);
    let fifo_aw = crate::ir::addr_width(opts.fifo_depth) + 1;
    let cnt = b.reg("spk_count", Ty::unsigned(fifo_aw), 0);
    let in_ready = b.named(
        "in_ready_w",
        b.le(cnt, b.const_u(opts.fifo_depth as i128 - 2, fifo_aw)),
    );
    let fire0 = b.named("fire0", b.and(in_valid, in_ready));
    let last = b.eq(idx, b.const_u(n as i128 - 1, aw));
    let idx_inc = b.trunc(b.add(idx, b.const_u(1, aw)), aw);
    b.set_next_enabled(idx, b.mux(last, b.const_u(0, aw), idx_inc), fire0);
    b.set_next(s1_valid, fire0);
    b.set_next_enabled(s1_addr, idx, fire0);
    b.set_next_enabled(s1_in, in_data, fire0);
    let rd = b.mem_read_sync(mem, idx, None);

    // S1: forwarding of the previous write
    let wb_valid = b.reg("wb_valid", Ty::BIT, 0);
    let wb_addr = b.reg("wb_addr", addr_ty, 0);
    let wb_data = b.reg("wb_data", ram_ty, 0);
    let fwd = b.named("forward", b.and(wb_valid, b.eq(wb_addr, s1_addr)));
    let cur = b.named("state_cur", b.mux(fwd, wb_data, rd));
    let mut conns: Vec<(String, Sig)> = Vec::new();
    let mut lo = 0;
    for w in &words {
        let width = w.fmt.width();
        let raw = b.slice(cur, lo + width - 1, lo);
        let s = if w.fmt.signed { b.as_signed(raw) } else { raw };
        conns.push((w.name.to_string(), s));
        lo += width;
    }
    conns.push(("in_data".into(), s1_in));
    // run-time parameters: a register bank written through cfg_we / cfg_addr / cfg_data
    let mut cfg_ports = None;
    if !params.is_empty() {
        let paw = crate::ir::addr_width(params.len());
        let dw = params.iter().map(|p| p.format.width()).max().unwrap_or(1);
        let cfg_we = b.input("cfg_we", Ty::BIT);
        let cfg_addr = b.input("cfg_addr", Ty::unsigned(paw));
        let cfg_data = b.input("cfg_data", Ty::signed(dw));
        b.header_line(format!(
            "run-time parameters (cfg_addr: name = reset value, format): {}",
            params
                .iter()
                .map(|p| format!("{}: {} = {} {}", p.index, p.name, p.raw, p.format))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        for p in &params {
            let t = ty(p.format);
            let r = b.reg(&format!("prm_{}", p.name), t, p.raw as i128);
            let bits = b.trunc(cfg_data, t.width);
            let val = if t.signed { bits } else { b.as_unsigned(bits) };
            let hit = b.and(cfg_we, b.eq(cfg_addr, b.const_u(p.index as i128, paw)));
            b.set_next_enabled(r, val, hit);
            conns.push((format!("p_{}", p.name), r));
        }
        cfg_ports = Some((paw, dw));
    }
    let conn_refs: Vec<(&str, Sig)> = conns.iter().map(|(k, s)| (k.as_str(), *s)).collect();
    let inst = b.instance("u_dp", &dp, &conn_refs);
    let nexts: Vec<Sig> = words
        .iter()
        .map(|w| inst.out(&format!("{}_next", w.name)))
        .collect();
    let spike = inst.out("spike");
    let packed_parts: Vec<Sig> = nexts
        .iter()
        .rev()
        .map(|s| if s.is_signed() { b.as_unsigned(*s) } else { *s })
        .collect();
    let packed = b.named("state_next", b.concat(&packed_parts));
    b.mem_write(mem, s1_valid, s1_addr, packed);
    b.set_next(wb_valid, s1_valid);
    b.set_next_enabled(wb_addr, s1_addr, s1_valid);
    b.set_next_enabled(wb_data, packed, s1_valid);

    // spike FIFO and its occupancy mirror
    let push = b.named("spk_push", b.and(s1_valid, spike));
    let f = b.fifo("u_spk", opts.fifo_depth, push, s1_addr, spk_ready);
    let pop = b.and(f.out_valid, spk_ready);
    let one = b.const_u(1, fifo_aw);
    let zero = b.const_u(0, fifo_aw);
    let plus = b.mux(push, one, zero);
    let minus = b.mux(pop, one, zero);
    let next_cnt = b.trunc(
        b.as_unsigned(b.trunc(b.sub(b.add(cnt, plus), minus), fifo_aw + 1)),
        fifo_aw,
    );
    b.set_next(cnt, next_cnt);
    let _ = f.in_ready; // never low when pushing: in_ready_w keeps two places free

    b.output("in_ready", in_ready);
    b.output("spk_valid", f.out_valid);
    b.output("spk_addr", f.out_data);
    b.output("obs_valid", s1_valid);
    b.output("obs_addr", s1_addr);
    b.output("obs_spike", spike);
    for (w, s) in words.iter().zip(&nexts) {
        b.output(&format!("obs_{}", w.name), *s);
    }
    let module = b.finish()?;
    let mut ports = vec![
        PortInfo {
            name: "clk".into(),
            dir: "input",
            width: 1,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "rst".into(),
            dir: "input",
            width: 1,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "in_valid".into(),
            dir: "input",
            width: 1,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "in_ready".into(),
            dir: "output",
            width: 1,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "in_data".into(),
            dir: "input",
            width: in_ty.width,
            signed: in_ty.signed,
            format: Some(model.input_format().to_string()),
        },
        PortInfo {
            name: "spk_valid".into(),
            dir: "output",
            width: 1,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "spk_ready".into(),
            dir: "input",
            width: 1,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "spk_addr".into(),
            dir: "output",
            width: aw,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "obs_valid".into(),
            dir: "output",
            width: 1,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "obs_addr".into(),
            dir: "output",
            width: aw,
            signed: false,
            format: None,
        },
        PortInfo {
            name: "obs_spike".into(),
            dir: "output",
            width: 1,
            signed: false,
            format: None,
        },
    ];
    for w in &words {
        ports.push(PortInfo {
            name: format!("obs_{}", w.name),
            dir: "output",
            width: w.fmt.width(),
            signed: w.fmt.signed,
            format: Some(w.fmt.to_string()),
        });
    }
    if let Some((paw, dw)) = cfg_ports {
        for (name, width, signed) in [
            ("cfg_we", 1, false),
            ("cfg_addr", paw, false),
            ("cfg_data", dw, true),
        ] {
            ports.push(PortInfo {
                name: name.into(),
                dir: "input",
                width,
                signed,
                format: None,
            });
        }
    }
    Ok(GeneratedCore {
        design: Design::new(module)?,
        top,
        datapath: dp.name().to_string(),
        ports,
        params,
    })
}
