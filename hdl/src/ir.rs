//! The typed RTL IR and its builder.
//!
//! A [`ModuleBuilder`] creates typed signals ([`Sig`]: a cheap `Copy` handle carrying its [`Ty`]) and
//! combinational nodes over them; every node has a width (1..=128) and a signedness fixed at build
//! time. The width rules are exact (no wrap-around unless asked for with [`ModuleBuilder::trunc`]):
//!
//! | op | result |
//! | --- | --- |
//! | `add(a, b)`, `sub(a, b)` | `max(wa, wb) + 1` bits (unsigned `sub` gives a signed result) |
//! | `mul(a, b)` | `wa + wb` bits |
//! | `neg(a)` | `wa + 1` bits, signed |
//! | `shr(a, n)` | floor(a / 2^n): `wa - n` bits (`>>>` for signed, `>>` for unsigned) |
//! | `shl(a, n)` | a * 2^n: `wa + n` bits |
//! | `round_shr(a, n)` | floor((a + 2^(n-1)) / 2^n) (round half up): `max(wa, n+1) + 1 - n` bits |
//! | `saturate(a, w)` | clamp into the range of `w` bits of the same signedness |
//! | `extend`, `sext`, `zext` | wider, value preserving |
//! | `trunc(a, w)` | low `w` bits, same signedness (wraps) |
//! | compares | 1 bit unsigned; operands of different widths are extended first |
//!
//! # Panics
//!
//! Builder methods are called by generator code, so misuse is a programming error and **panics**
//! with a message naming the module, the operation and the offending types: mixing signed and
//! unsigned operands (convert explicitly with [`ModuleBuilder::to_signed`],
//! [`ModuleBuilder::as_signed`] or [`ModuleBuilder::as_unsigned`]), widths outside 1..=128,
//! constants out of range, invalid or duplicate names, a [`Sig`] of another builder, setting a
//! register's next value twice. Whole-module checks (every register has a next value, every
//! memory is read, ...) are reported as [`HdlError::Build`] by [`ModuleBuilder::finish`].

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::HdlError;

/// Widest signal the IR supports.
pub const MAX_WIDTH: u32 = 128;

/// Name of the clock port every sequential module has.
pub const CLK: &str = "clk";
/// Name of the synchronous active-high reset port.
pub const RST: &str = "rst";

/// Width and signedness of a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ty {
    /// Number of bits, 1..=128.
    pub width: u32,
    /// Two's complement when true.
    pub signed: bool,
}

impl Ty {
    /// A single unsigned bit.
    pub const BIT: Ty = Ty {
        width: 1,
        signed: false,
    };

    /// A type of `width` bits. Panics unless `1 <= width <= 128`.
    pub const fn new(width: u32, signed: bool) -> Ty {
        if width == 0 || width > MAX_WIDTH {
            panic!("spikeforge-hdl: signal width is outside 1..=128");
        }
        Ty { width, signed }
    }

    /// A signed (two's complement) type of `width` bits.
    pub const fn signed(width: u32) -> Ty {
        Ty::new(width, true)
    }

    /// An unsigned type of `width` bits.
    pub const fn unsigned(width: u32) -> Ty {
        Ty::new(width, false)
    }

    /// All-ones mask of `width` bits.
    pub fn mask(self) -> u128 {
        mask(self.width)
    }

    /// Smallest representable value.
    pub fn min_value(self) -> i128 {
        if self.signed && self.width == 128 {
            i128::MIN
        } else if self.signed {
            -(1i128 << (self.width - 1))
        } else {
            0
        }
    }

    /// Largest representable value (`i128::MAX` for unsigned 128-bit, whose true maximum does not
    /// fit an `i128`).
    pub fn max_value(self) -> i128 {
        if self.signed {
            ((1u128 << (self.width - 1)) - 1) as i128
        } else if self.width >= 127 {
            i128::MAX
        } else {
            (1i128 << self.width) - 1
        }
    }

    /// Whether `value` is representable.
    pub fn contains(self, value: i128) -> bool {
        value >= self.min_value() && value <= self.max_value()
    }

    /// The two's complement bit pattern of `value` in this type (low `width` bits).
    pub fn bits_of(self, value: i128) -> u128 {
        (value as u128) & self.mask()
    }

    /// The value of a bit pattern in this type (unsigned 128-bit patterns above `i128::MAX` wrap).
    pub fn value_of(self, bits: u128) -> i128 {
        let bits = bits & self.mask();
        if self.signed && self.width < 128 && (bits >> (self.width - 1)) & 1 == 1 {
            (bits | !self.mask()) as i128
        } else {
            bits as i128
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", if self.signed { "s" } else { "u" }, self.width)
    }
}

pub(crate) fn mask(width: u32) -> u128 {
    if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    }
}

/// Number of address bits for a memory of `depth` words: `ceil(log2(depth))`, at least 1.
pub fn addr_width(depth: usize) -> u32 {
    let mut w = 1;
    while (1usize << w) < depth {
        w += 1;
    }
    w
}

/// A typed signal of one module: a cheap `Copy` handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sig {
    owner: u32,
    id: u32,
    ty: Ty,
}

impl Sig {
    /// Width and signedness.
    pub fn ty(self) -> Ty {
        self.ty
    }
    /// Number of bits.
    pub fn width(self) -> u32 {
        self.ty.width
    }
    /// Whether the signal is two's complement.
    pub fn is_signed(self) -> bool {
        self.ty.signed
    }
}

/// A memory array of one module (see [`ModuleBuilder::memory`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mem {
    owner: u32,
    index: usize,
    depth: usize,
    ty: Ty,
}

impl Mem {
    /// Number of words.
    pub fn depth(self) -> usize {
        self.depth
    }
    /// Word type.
    pub fn ty(self) -> Ty {
        self.ty
    }
    /// Address width that the read and write ports must use.
    pub fn addr_width(self) -> u32 {
        addr_width(self.depth)
    }
}

/// Direction of a module port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortDir {
    /// Driven from outside.
    Input,
    /// Driven by the module.
    Output,
}

/// A module port (part of a module's public interface, e.g. for a manifest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Port {
    /// Port name.
    pub name: String,
    /// Direction.
    pub dir: PortDir,
    /// Width and signedness.
    pub ty: Ty,
}

/// A Verilog `parameter` of a module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// Parameter name.
    pub name: String,
    /// Width and signedness.
    pub ty: Ty,
    /// Default value.
    pub value: i128,
}

/// Compare operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// Bitwise binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BitOp {
    And,
    Or,
    Xor,
}

/// Combinational operations; operands are node ids of the same module.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Add(u32, u32),
    Sub(u32, u32),
    Neg(u32),
    Mul(u32, u32),
    /// Bits `[lo + width - 1 : lo]` of the source (truncation, constant right shift, bit slices).
    Slice {
        src: u32,
        lo: u32,
    },
    /// Left shift by a constant: `{src, n'd0}`.
    Shl(u32, u32),
    /// Right shift by a signal (arithmetic for signed), width kept.
    ShrDyn(u32, u32),
    /// Left shift by a signal, width kept (wraps).
    ShlDyn(u32, u32),
    /// Extend by the *source's* signedness to the node width.
    Extend(u32),
    Concat(Vec<u32>),
    /// Same bits, possibly another signedness (also used for named aliases).
    Alias(u32),
    Saturate(u32),
    Cmp(CmpOp, u32, u32),
    Mux(u32, u32, u32),
    Bit(BitOp, u32, u32),
    Not(u32),
    Reduce(BitOp, u32),
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Input,
    Param,
    Const(u128),
    Reg(usize),
    MemReadSync {
        mem: usize,
        addr: u32,
        en: Option<u32>,
    },
    MemReadAsync {
        mem: usize,
        addr: u32,
    },
    InstOut,
    Op(Op),
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) ty: Ty,
    pub(crate) name: Option<String>,
    pub(crate) kind: Kind,
}

#[derive(Clone, Debug)]
pub(crate) struct RegDecl {
    pub(crate) node: u32,
    pub(crate) reset: Option<u128>,
    pub(crate) next: Option<u32>,
    pub(crate) en: Option<u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct MemWrite {
    pub(crate) en: u32,
    pub(crate) addr: u32,
    pub(crate) data: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct MemDecl {
    pub(crate) name: String,
    pub(crate) depth: usize,
    pub(crate) ty: Ty,
    pub(crate) init: Option<Vec<u128>>,
    pub(crate) write: Option<MemWrite>,
    pub(crate) reads: usize,
    pub(crate) no_rw_check: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct InstDecl {
    pub(crate) name: String,
    pub(crate) module: Module,
    /// One entry per port of the submodule, in its port order: the parent node connected to it.
    pub(crate) conns: Vec<u32>,
}

/// Declaration order of the module body.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Item {
    Node(u32),
    Mem(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct ModuleData {
    pub(crate) name: String,
    pub(crate) header: Vec<String>,
    pub(crate) ports: Vec<Port>,
    /// Input: the port's node; output: the driving node.
    pub(crate) port_nodes: Vec<u32>,
    pub(crate) params: Vec<Param>,
    pub(crate) param_nodes: Vec<u32>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) regs: Vec<RegDecl>,
    pub(crate) mems: Vec<MemDecl>,
    pub(crate) insts: Vec<InstDecl>,
    pub(crate) items: Vec<Item>,
    pub(crate) clk: Option<u32>,
    pub(crate) rst: Option<u32>,
}

/// A finished, immutable module (cheap to clone). Build one with [`ModuleBuilder`].
#[derive(Clone)]
pub struct Module(pub(crate) Arc<ModuleData>);

impl fmt::Debug for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.0.name)
            .field("ports", &self.0.ports)
            .finish_non_exhaustive()
    }
}

impl Module {
    /// The module name (also its file name stem).
    pub fn name(&self) -> &str {
        &self.0.name
    }
    /// Ports in declaration order (`clk` and `rst` first when present).
    pub fn ports(&self) -> &[Port] {
        &self.0.ports
    }
    /// The port called `name`.
    pub fn port(&self, name: &str) -> Option<&Port> {
        self.0.ports.iter().find(|p| p.name == name)
    }
    /// Verilog parameters.
    pub fn params(&self) -> &[Param] {
        &self.0.params
    }
    /// Header comment lines (the first is the generator line).
    pub fn header(&self) -> &[String] {
        &self.0.header
    }
    /// `(instance name, module)` of every submodule instance, in order.
    pub fn instances(&self) -> impl Iterator<Item = (&str, &Module)> {
        self.0.insts.iter().map(|i| (i.name.as_str(), &i.module))
    }
    /// Number of registers (flip-flop words, excluding memories).
    pub fn num_regs(&self) -> usize {
        self.0.regs.len()
    }
}

/// The outputs of a submodule instance (see [`ModuleBuilder::instance`]).
#[derive(Clone, Debug)]
pub struct Instance {
    name: String,
    outputs: Vec<(String, Sig)>,
}

impl Instance {
    /// The parent-side signal of output port `port`. Panics if the submodule has no such output.
    pub fn out(&self, port: &str) -> Sig {
        match self.outputs.iter().find(|(n, _)| n == port) {
            Some((_, s)) => *s,
            None => panic!(
                "instance `{}` has no output port `{port}` (outputs: {:?})",
                self.name,
                self.outputs.iter().map(|(n, _)| n).collect::<Vec<_>>()
            ),
        }
    }
}

/// Handshake signals of a FIFO instance (see [`ModuleBuilder::fifo`]).
#[derive(Clone, Copy, Debug)]
pub struct FifoOut {
    /// High when the FIFO accepts a word this cycle.
    pub in_ready: Sig,
    /// High when `out_data` holds a word.
    pub out_valid: Sig,
    /// The oldest word (first-word fall-through).
    pub out_data: Sig,
}

const GENERATOR_LINE: &str = concat!("generated by spikeforge ", env!("CARGO_PKG_VERSION"));

static NEXT_KEY: AtomicU32 = AtomicU32::new(1);

/// Verilog-2005 and SystemVerilog-2017 reserved words (Verilator parses `.v` files as SV).
const KEYWORDS: &[&str] = &[
    "accept_on",
    "alias",
    "always",
    "always_comb",
    "always_ff",
    "always_latch",
    "and",
    "assert",
    "assign",
    "assume",
    "automatic",
    "before",
    "begin",
    "bind",
    "bins",
    "binsof",
    "bit",
    "break",
    "buf",
    "bufif0",
    "bufif1",
    "byte",
    "case",
    "casex",
    "casez",
    "cell",
    "chandle",
    "checker",
    "class",
    "clocking",
    "cmos",
    "config",
    "const",
    "constraint",
    "context",
    "continue",
    "cover",
    "covergroup",
    "coverpoint",
    "cross",
    "deassign",
    "default",
    "defparam",
    "design",
    "disable",
    "dist",
    "do",
    "edge",
    "else",
    "end",
    "endcase",
    "endchecker",
    "endclass",
    "endclocking",
    "endconfig",
    "endfunction",
    "endgenerate",
    "endgroup",
    "endinterface",
    "endmodule",
    "endpackage",
    "endprimitive",
    "endprogram",
    "endproperty",
    "endsequence",
    "endspecify",
    "endtable",
    "endtask",
    "enum",
    "event",
    "eventually",
    "expect",
    "export",
    "extends",
    "extern",
    "final",
    "first_match",
    "for",
    "force",
    "foreach",
    "forever",
    "fork",
    "forkjoin",
    "function",
    "generate",
    "genvar",
    "global",
    "highz0",
    "highz1",
    "if",
    "iff",
    "ifnone",
    "ignore_bins",
    "illegal_bins",
    "implements",
    "implies",
    "import",
    "incdir",
    "include",
    "initial",
    "inout",
    "input",
    "inside",
    "instance",
    "int",
    "integer",
    "interconnect",
    "interface",
    "intersect",
    "join",
    "join_any",
    "join_none",
    "large",
    "let",
    "liblist",
    "library",
    "local",
    "localparam",
    "logic",
    "longint",
    "macromodule",
    "matches",
    "medium",
    "modport",
    "module",
    "nand",
    "negedge",
    "nettype",
    "new",
    "nexttime",
    "nmos",
    "nor",
    "noshowcancelled",
    "not",
    "notif0",
    "notif1",
    "null",
    "or",
    "output",
    "package",
    "packed",
    "parameter",
    "pmos",
    "posedge",
    "primitive",
    "priority",
    "program",
    "property",
    "protected",
    "pull0",
    "pull1",
    "pulldown",
    "pullup",
    "pulsestyle_ondetect",
    "pulsestyle_onevent",
    "pure",
    "rand",
    "randc",
    "randcase",
    "randsequence",
    "rcmos",
    "real",
    "realtime",
    "ref",
    "reg",
    "reject_on",
    "release",
    "repeat",
    "restrict",
    "return",
    "rnmos",
    "rpmos",
    "rtran",
    "rtranif0",
    "rtranif1",
    "s_always",
    "s_eventually",
    "s_nexttime",
    "s_until",
    "s_until_with",
    "scalared",
    "sequence",
    "shortint",
    "shortreal",
    "showcancelled",
    "signed",
    "small",
    "soft",
    "solve",
    "specify",
    "specparam",
    "static",
    "string",
    "strong",
    "strong0",
    "strong1",
    "struct",
    "super",
    "supply0",
    "supply1",
    "sync_accept_on",
    "sync_reject_on",
    "table",
    "tagged",
    "task",
    "this",
    "throughout",
    "time",
    "timeprecision",
    "timeunit",
    "tran",
    "tranif0",
    "tranif1",
    "tri",
    "tri0",
    "tri1",
    "triand",
    "trior",
    "trireg",
    "type",
    "typedef",
    "union",
    "unique",
    "unique0",
    "unsigned",
    "until",
    "until_with",
    "untyped",
    "use",
    "uwire",
    "var",
    "vectored",
    "virtual",
    "void",
    "wait",
    "wait_order",
    "wand",
    "weak",
    "weak0",
    "weak1",
    "while",
    "wildcard",
    "wire",
    "with",
    "within",
    "wor",
    "xnor",
    "xor",
];

/// Check that `name` is a plain Verilog identifier (`[A-Za-z_][A-Za-z0-9_]*`, at most 128
/// characters, not a Verilog/SystemVerilog keyword).
pub fn validate_ident(name: &str) -> Result<(), HdlError> {
    let bad = |reason: &str| {
        Err(HdlError::InvalidName {
            name: name.to_string(),
            reason: reason.to_string(),
        })
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return bad("empty"),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            return bad("must start with an ASCII letter or `_`")
        }
        _ => {}
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return bad("only ASCII letters, digits and `_` are allowed");
    }
    if name.len() > 128 {
        return bad("longer than 128 characters");
    }
    if KEYWORDS.contains(&name) {
        return bad("is a Verilog/SystemVerilog keyword");
    }
    Ok(())
}

struct State {
    data: ModuleData,
    names: BTreeSet<String>,
    consts: BTreeMap<(Ty, u128), u32>,
}

/// Builds one [`Module`]. All methods take `&self` so that expressions nest naturally:
/// `b.saturate(b.shr(b.mul(x, k), 8), 16)`.
///
/// See the [module documentation](self) for width rules and for which misuse panics.
pub struct ModuleBuilder {
    key: u32,
    st: RefCell<State>,
}

impl ModuleBuilder {
    /// Start a module called `name` (a Verilog identifier; it is also the file name stem).
    pub fn new(name: &str) -> Result<ModuleBuilder, HdlError> {
        validate_ident(name)?;
        Ok(ModuleBuilder {
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            st: RefCell::new(State {
                data: ModuleData {
                    name: name.to_string(),
                    header: vec![GENERATOR_LINE.to_string()],
                    ports: Vec::new(),
                    port_nodes: Vec::new(),
                    params: Vec::new(),
                    param_nodes: Vec::new(),
                    nodes: Vec::new(),
                    regs: Vec::new(),
                    mems: Vec::new(),
                    insts: Vec::new(),
                    items: Vec::new(),
                    clk: None,
                    rst: None,
                },
                names: BTreeSet::new(),
                consts: BTreeMap::new(),
            }),
        })
    }

    /// The module name.
    pub fn name(&self) -> String {
        self.st.borrow().data.name.clone()
    }

    /// Append lines to the header comment (text with newlines becomes several lines). The first
    /// header line is always `generated by spikeforge <version>`.
    pub fn header_line(&self, text: impl AsRef<str>) {
        let mut st = self.st.borrow_mut();
        for line in text.as_ref().lines() {
            st.data.header.push(line.trim_end().to_string());
        }
    }

    // ----------------------------------------------------------------------------------------
    // internals

    fn fail(&self, msg: String) -> ! {
        panic!(
            "spikeforge-hdl: module `{}`: {msg}",
            self.st.borrow().data.name
        )
    }

    fn check(&self, op: &str, s: Sig) -> u32 {
        if s.owner != self.key {
            self.fail(format!(
                "{op}: the signal belongs to another module builder"
            ));
        }
        s.id
    }

    fn check_mem(&self, op: &str, m: Mem) -> usize {
        if m.owner != self.key {
            self.fail(format!(
                "{op}: the memory belongs to another module builder"
            ));
        }
        m.index
    }

    fn claim(&self, name: &str) {
        if let Err(e) = validate_ident(name) {
            self.fail(e.to_string());
        }
        let mut st = self.st.borrow_mut();
        if !st.names.insert(name.to_string()) {
            drop(st);
            self.fail(format!("the name `{name}` is used twice"));
        }
    }

    fn claim_user(&self, name: &str) {
        if name == CLK || name == RST {
            self.fail(format!(
                "`{name}` is reserved for the implicit clock/reset ports (use clk() / rst())"
            ));
        }
        self.claim(name);
    }

    fn push(&self, ty: Ty, name: Option<String>, kind: Kind) -> Sig {
        let mut st = self.st.borrow_mut();
        let id = st.data.nodes.len() as u32;
        st.data.nodes.push(Node { ty, name, kind });
        st.data.items.push(Item::Node(id));
        Sig {
            owner: self.key,
            id,
            ty,
        }
    }

    fn op(&self, ty: Ty, op: Op) -> Sig {
        self.push(ty, None, Kind::Op(op))
    }

    fn grow(&self, op: &str, width: u32) -> u32 {
        if width > MAX_WIDTH {
            self.fail(format!(
                "{op}: result would be {width} bits, more than {MAX_WIDTH}"
            ));
        }
        width
    }

    fn same_sign(&self, op: &str, a: Sig, b: Sig) {
        if a.ty.signed != b.ty.signed {
            self.fail(format!(
                "{op}: operands must have the same signedness, got {} and {} \
                 (convert with to_signed / as_signed / as_unsigned)",
                a.ty, b.ty
            ));
        }
    }

    fn sig_of(&self, id: u32) -> Sig {
        let st = self.st.borrow();
        Sig {
            owner: self.key,
            id,
            ty: st.data.nodes[id as usize].ty,
        }
    }

    // ----------------------------------------------------------------------------------------
    // ports, parameters, constants, names

    /// Declare an input port.
    pub fn input(&self, name: &str, ty: Ty) -> Sig {
        self.claim_user(name);
        let s = self.push(ty, Some(name.to_string()), Kind::Input);
        let mut st = self.st.borrow_mut();
        st.data.ports.push(Port {
            name: name.to_string(),
            dir: PortDir::Input,
            ty,
        });
        st.data.port_nodes.push(s.id);
        s
    }

    /// Declare an output port driven by `sig` (the port has `sig`'s type). The port may have the
    /// name of the register or named wire that drives it (`b.output("v", v)`): the signal is then
    /// declared as the port itself (`output reg signed [15:0] v`).
    pub fn output(&self, name: &str, sig: Sig) {
        let id = self.check("output", sig);
        let (merged, unnamed) = {
            let st = self.st.borrow();
            let node = &st.data.nodes[id as usize];
            let merged = node.name.as_deref() == Some(name)
                && !matches!(node.kind, Kind::Input | Kind::Param)
                && !st.data.ports.iter().any(|p| p.name == name);
            let unnamed = node.name.is_none()
                && matches!(
                    node.kind,
                    Kind::Op(_) | Kind::MemReadSync { .. } | Kind::MemReadAsync { .. }
                );
            (merged, unnamed)
        };
        if !merged {
            self.claim_user(name);
        }
        if unnamed {
            // an anonymous node takes the port's name and is declared as the port
            self.st.borrow_mut().data.nodes[id as usize].name = Some(name.to_string());
        }
        let mut st = self.st.borrow_mut();
        st.data.ports.push(Port {
            name: name.to_string(),
            dir: PortDir::Output,
            ty: sig.ty,
        });
        st.data.port_nodes.push(id);
    }

    fn implicit_port(&self, name: &str) -> Sig {
        self.claim(name);
        let s = self.push(Ty::BIT, Some(name.to_string()), Kind::Input);
        let mut st = self.st.borrow_mut();
        let at = if name == RST && st.data.clk.is_some() {
            1
        } else {
            0
        };
        st.data.ports.insert(
            at,
            Port {
                name: name.to_string(),
                dir: PortDir::Input,
                ty: Ty::BIT,
            },
        );
        st.data.port_nodes.insert(at, s.id);
        if name == CLK {
            st.data.clk = Some(s.id);
        } else {
            st.data.rst = Some(s.id);
        }
        s
    }

    /// The clock input `clk` (created on first use; registers, memories and instances create it).
    pub fn clk(&self) -> Sig {
        let existing = self.st.borrow().data.clk;
        match existing {
            Some(id) => self.sig_of(id),
            None => self.implicit_port(CLK),
        }
    }

    /// The synchronous active-high reset input `rst` (created on first use).
    pub fn rst(&self) -> Sig {
        let existing = self.st.borrow().data.rst;
        match existing {
            Some(id) => self.sig_of(id),
            None => self.implicit_port(RST),
        }
    }

    /// Declare a Verilog `parameter` with a default value and use it as a signal.
    pub fn param(&self, name: &str, ty: Ty, value: i128) -> Sig {
        if !ty.contains(value) {
            self.fail(format!("param `{name}`: value {value} does not fit {ty}"));
        }
        self.claim_user(name);
        let s = self.push(ty, Some(name.to_string()), Kind::Param);
        let mut st = self.st.borrow_mut();
        st.data.params.push(Param {
            name: name.to_string(),
            ty,
            value,
        });
        st.data.param_nodes.push(s.id);
        s
    }

    /// A constant. Panics if `value` does not fit `ty`. Equal constants share one wire.
    pub fn constant(&self, value: i128, ty: Ty) -> Sig {
        if !ty.contains(value) {
            self.fail(format!("constant {value} does not fit {ty}"));
        }
        self.const_bits(ty.bits_of(value), ty)
    }

    /// A constant given by its bit pattern (low `ty.width` bits of `bits`).
    pub fn const_bits(&self, bits: u128, ty: Ty) -> Sig {
        let bits = bits & ty.mask();
        let existing = self.st.borrow().consts.get(&(ty, bits)).copied();
        if let Some(id) = existing {
            return self.sig_of(id);
        }
        let s = self.push(ty, None, Kind::Const(bits));
        self.st.borrow_mut().consts.insert((ty, bits), s.id);
        s
    }

    /// A signed constant of `width` bits.
    pub fn const_s(&self, value: i128, width: u32) -> Sig {
        self.constant(value, Ty::signed(width))
    }

    /// An unsigned constant of `width` bits.
    pub fn const_u(&self, value: i128, width: u32) -> Sig {
        self.constant(value, Ty::unsigned(width))
    }

    /// A constant of the same type as `like`.
    pub fn const_like(&self, like: Sig, value: i128) -> Sig {
        self.constant(value, like.ty)
    }

    /// Give `sig` a readable wire name. Unnamed nodes are renamed in place; already named signals
    /// (ports, registers, other names) get an alias wire.
    pub fn named(&self, name: &str, sig: Sig) -> Sig {
        let id = self.check("named", sig);
        self.claim_user(name);
        let mut st = self.st.borrow_mut();
        let node = &mut st.data.nodes[id as usize];
        if node.name.is_none() && !matches!(node.kind, Kind::Const(_)) {
            node.name = Some(name.to_string());
            return sig;
        }
        drop(st);
        self.push(sig.ty, Some(name.to_string()), Kind::Op(Op::Alias(id)))
    }

    // ----------------------------------------------------------------------------------------
    // arithmetic

    /// `a + b`, exact: `max(wa, wb) + 1` bits, same signedness.
    pub fn add(&self, a: Sig, b: Sig) -> Sig {
        let (x, y) = (self.check("add", a), self.check("add", b));
        self.same_sign("add", a, b);
        let w = self.grow("add", a.width().max(b.width()) + 1);
        self.op(Ty::new(w, a.is_signed()), Op::Add(x, y))
    }

    /// `a - b`, exact: `max(wa, wb) + 1` bits, always signed (unsigned operands are zero-extended).
    pub fn sub(&self, a: Sig, b: Sig) -> Sig {
        let (x, y) = (self.check("sub", a), self.check("sub", b));
        self.same_sign("sub", a, b);
        let w = self.grow("sub", a.width().max(b.width()) + 1);
        self.op(Ty::signed(w), Op::Sub(x, y))
    }

    /// `-a`, exact: `wa + 1` bits, signed.
    pub fn neg(&self, a: Sig) -> Sig {
        let x = self.check("neg", a);
        let w = self.grow("neg", a.width() + 1);
        self.op(Ty::signed(w), Op::Neg(x))
    }

    /// Widening multiply `a * b`: `wa + wb` bits, same signedness (signed x signed or
    /// unsigned x unsigned; use [`to_signed`](Self::to_signed) to mix).
    pub fn mul(&self, a: Sig, b: Sig) -> Sig {
        let (x, y) = (self.check("mul", a), self.check("mul", b));
        self.same_sign("mul", a, b);
        let w = self.grow("mul", a.width() + b.width());
        self.op(Ty::new(w, a.is_signed()), Op::Mul(x, y))
    }

    /// Right shift by a constant, rounding toward minus infinity (`>>>` for signed, `>>` for
    /// unsigned): floor(a / 2^n) in `wa - n` bits (1 bit if `n >= wa`).
    pub fn shr(&self, a: Sig, n: u32) -> Sig {
        let x = self.check("shr", a);
        if n == 0 {
            return a;
        }
        if n >= a.width() {
            return if a.is_signed() {
                self.op(
                    Ty::signed(1),
                    Op::Slice {
                        src: x,
                        lo: a.width() - 1,
                    },
                )
            } else {
                self.const_u(0, 1)
            };
        }
        self.op(
            Ty::new(a.width() - n, a.is_signed()),
            Op::Slice { src: x, lo: n },
        )
    }

    /// Left shift by a constant with growth: a * 2^n in `wa + n` bits.
    pub fn shl(&self, a: Sig, n: u32) -> Sig {
        let x = self.check("shl", a);
        if n == 0 {
            return a;
        }
        let w = self.grow("shl", a.width() + n);
        self.op(Ty::new(w, a.is_signed()), Op::Shl(x, n))
    }

    /// Right shift by an unsigned signal amount, width kept (arithmetic for signed `a`).
    pub fn shr_dyn(&self, a: Sig, amount: Sig) -> Sig {
        let (x, y) = (self.check("shr_dyn", a), self.check("shr_dyn", amount));
        if amount.is_signed() {
            self.fail("shr_dyn: the shift amount must be unsigned".into());
        }
        self.op(a.ty, Op::ShrDyn(x, y))
    }

    /// Left shift by an unsigned signal amount, width kept (bits shifted out are lost).
    pub fn shl_dyn(&self, a: Sig, amount: Sig) -> Sig {
        let (x, y) = (self.check("shl_dyn", a), self.check("shl_dyn", amount));
        if amount.is_signed() {
            self.fail("shl_dyn: the shift amount must be unsigned".into());
        }
        self.op(a.ty, Op::ShlDyn(x, y))
    }

    /// Round-half-up right shift: floor((a + 2^(n-1)) / 2^n), computed in a grown width so it
    /// cannot overflow. Result: `max(wa, n + 1) + 1 - n` bits.
    pub fn round_shr(&self, a: Sig, n: u32) -> Sig {
        self.check("round_shr", a);
        if n == 0 {
            return a;
        }
        let half = if a.is_signed() {
            self.constant(1i128 << (n - 1), Ty::signed(self.grow("round_shr", n + 1)))
        } else {
            self.constant(1i128 << (n - 1), Ty::unsigned(n))
        };
        let sum = self.add(a, half);
        self.shr(sum, n)
    }

    // ----------------------------------------------------------------------------------------
    // width and signedness

    /// Extend to `width` bits by `a`'s signedness (sign- or zero-extension). Panics if narrower.
    pub fn extend(&self, a: Sig, width: u32) -> Sig {
        let x = self.check("extend", a);
        if width < a.width() {
            self.fail(format!(
                "extend: target width {width} is narrower than {} (use trunc or saturate)",
                a.ty
            ));
        }
        if width == a.width() {
            return a;
        }
        self.op(Ty::new(width, a.is_signed()), Op::Extend(x))
    }

    /// Sign-extend the bits of `a` (read as signed) to a signed `width`-bit signal.
    pub fn sext(&self, a: Sig, width: u32) -> Sig {
        let s = self.as_signed(a);
        self.extend(s, width)
    }

    /// Zero-extend the bits of `a` (read as unsigned) to an unsigned `width`-bit signal.
    pub fn zext(&self, a: Sig, width: u32) -> Sig {
        let u = self.as_unsigned(a);
        self.extend(u, width)
    }

    /// Keep the low `width` bits (wraps), same signedness.
    pub fn trunc(&self, a: Sig, width: u32) -> Sig {
        let x = self.check("trunc", a);
        if width > a.width() {
            self.fail(format!(
                "trunc: target width {width} is wider than {}",
                a.ty
            ));
        }
        if width == a.width() {
            return a;
        }
        self.op(Ty::new(width, a.is_signed()), Op::Slice { src: x, lo: 0 })
    }

    /// Bits `[hi:lo]` as an unsigned signal.
    pub fn slice(&self, a: Sig, hi: u32, lo: u32) -> Sig {
        let x = self.check("slice", a);
        if hi < lo || hi >= a.width() {
            self.fail(format!("slice: [{hi}:{lo}] is not inside {}", a.ty));
        }
        let ty = Ty::unsigned(hi - lo + 1);
        if ty == a.ty {
            return a;
        }
        self.op(ty, Op::Slice { src: x, lo })
    }

    /// Bit `i` as a 1-bit unsigned signal.
    pub fn bit(&self, a: Sig, i: u32) -> Sig {
        self.slice(a, i, i)
    }

    /// The sign bit (most significant bit) of `a`.
    pub fn msb(&self, a: Sig) -> Sig {
        self.bit(a, a.width() - 1)
    }

    /// Concatenate, most significant part first; unsigned result.
    pub fn concat(&self, parts: &[Sig]) -> Sig {
        if parts.is_empty() {
            self.fail("concat: no parts".into());
        }
        let ids: Vec<u32> = parts.iter().map(|p| self.check("concat", *p)).collect();
        let w = self.grow("concat", parts.iter().map(|p| p.width()).sum());
        self.op(Ty::unsigned(w), Op::Concat(ids))
    }

    /// Same bits read as signed.
    pub fn as_signed(&self, a: Sig) -> Sig {
        let x = self.check("as_signed", a);
        if a.is_signed() {
            return a;
        }
        self.op(Ty::signed(a.width()), Op::Alias(x))
    }

    /// Same bits read as unsigned.
    pub fn as_unsigned(&self, a: Sig) -> Sig {
        let x = self.check("as_unsigned", a);
        if !a.is_signed() {
            return a;
        }
        self.op(Ty::unsigned(a.width()), Op::Alias(x))
    }

    /// Value-preserving conversion to signed (unsigned `a` gains a zero sign bit: `wa + 1` bits).
    pub fn to_signed(&self, a: Sig) -> Sig {
        let x = self.check("to_signed", a);
        if a.is_signed() {
            return a;
        }
        let w = self.grow("to_signed", a.width() + 1);
        self.op(Ty::signed(w), Op::Extend(x))
    }

    /// Resize with saturation: clamp `a` into the range of `width` bits of its own signedness
    /// (signed: [-2^(w-1), 2^(w-1)-1], unsigned: [0, 2^w-1]). Widening just extends.
    pub fn saturate(&self, a: Sig, width: u32) -> Sig {
        let x = self.check("saturate", a);
        let ty = Ty::new(width, a.is_signed());
        if width >= a.width() {
            return self.extend(a, width);
        }
        self.op(ty, Op::Saturate(x))
    }

    // ----------------------------------------------------------------------------------------
    // compare, select, logic

    fn cmp(&self, op: CmpOp, name: &str, a: Sig, b: Sig) -> Sig {
        let (x, y) = (self.check(name, a), self.check(name, b));
        self.same_sign(name, a, b);
        self.op(Ty::BIT, Op::Cmp(op, x, y))
    }

    /// `a < b` (same signedness; widths may differ).
    pub fn lt(&self, a: Sig, b: Sig) -> Sig {
        self.cmp(CmpOp::Lt, "lt", a, b)
    }
    /// `a <= b`.
    pub fn le(&self, a: Sig, b: Sig) -> Sig {
        self.cmp(CmpOp::Le, "le", a, b)
    }
    /// `a > b`.
    pub fn gt(&self, a: Sig, b: Sig) -> Sig {
        self.cmp(CmpOp::Gt, "gt", a, b)
    }
    /// `a >= b`.
    pub fn ge(&self, a: Sig, b: Sig) -> Sig {
        self.cmp(CmpOp::Ge, "ge", a, b)
    }
    /// `a == b` (by value).
    pub fn eq(&self, a: Sig, b: Sig) -> Sig {
        self.cmp(CmpOp::Eq, "eq", a, b)
    }
    /// `a != b` (by value).
    pub fn ne(&self, a: Sig, b: Sig) -> Sig {
        self.cmp(CmpOp::Ne, "ne", a, b)
    }

    /// `sel ? if_true : if_false`; `sel` is 1 bit, the arms share a signedness and are extended
    /// to the wider width.
    pub fn mux(&self, sel: Sig, if_true: Sig, if_false: Sig) -> Sig {
        let s = self.check("mux", sel);
        let (x, y) = (self.check("mux", if_true), self.check("mux", if_false));
        if sel.width() != 1 {
            self.fail(format!("mux: select must be 1 bit, got {}", sel.ty));
        }
        self.same_sign("mux", if_true, if_false);
        let w = if_true.width().max(if_false.width());
        self.op(Ty::new(w, if_true.is_signed()), Op::Mux(s, x, y))
    }

    fn bitop(&self, op: BitOp, name: &str, a: Sig, b: Sig) -> Sig {
        let (x, y) = (self.check(name, a), self.check(name, b));
        if a.ty != b.ty {
            self.fail(format!(
                "{name}: operands must have the same type, got {} and {}",
                a.ty, b.ty
            ));
        }
        self.op(a.ty, Op::Bit(op, x, y))
    }

    /// Bitwise and (same type).
    pub fn and(&self, a: Sig, b: Sig) -> Sig {
        self.bitop(BitOp::And, "and", a, b)
    }
    /// Bitwise or (same type).
    pub fn or(&self, a: Sig, b: Sig) -> Sig {
        self.bitop(BitOp::Or, "or", a, b)
    }
    /// Bitwise xor (same type).
    pub fn xor(&self, a: Sig, b: Sig) -> Sig {
        self.bitop(BitOp::Xor, "xor", a, b)
    }
    /// Bitwise not.
    pub fn not(&self, a: Sig) -> Sig {
        let x = self.check("not", a);
        self.op(a.ty, Op::Not(x))
    }
    /// And of all bits (1 bit).
    pub fn reduce_and(&self, a: Sig) -> Sig {
        let x = self.check("reduce_and", a);
        self.op(Ty::BIT, Op::Reduce(BitOp::And, x))
    }
    /// Or of all bits (1 bit).
    pub fn reduce_or(&self, a: Sig) -> Sig {
        let x = self.check("reduce_or", a);
        self.op(Ty::BIT, Op::Reduce(BitOp::Or, x))
    }
    /// Xor of all bits (parity, 1 bit).
    pub fn reduce_xor(&self, a: Sig) -> Sig {
        let x = self.check("reduce_xor", a);
        self.op(Ty::BIT, Op::Reduce(BitOp::Xor, x))
    }

    // ----------------------------------------------------------------------------------------
    // registers

    fn new_reg(&self, name: &str, ty: Ty, reset: Option<i128>) -> Sig {
        if let Some(v) = reset {
            if !ty.contains(v) {
                self.fail(format!("reg `{name}`: reset value {v} does not fit {ty}"));
            }
        }
        self.claim_user(name);
        self.clk();
        if reset.is_some() {
            self.rst();
        }
        let index = self.st.borrow().data.regs.len();
        let s = self.push(ty, Some(name.to_string()), Kind::Reg(index));
        self.st.borrow_mut().data.regs.push(RegDecl {
            node: s.id,
            reset: reset.map(|v| ty.bits_of(v)),
            next: None,
            en: None,
        });
        s
    }

    /// A register clocked by `clk` with synchronous reset (`rst`) to `reset`. Its output can be
    /// used at once; give its next value later with [`set_next`](Self::set_next).
    pub fn reg(&self, name: &str, ty: Ty, reset: i128) -> Sig {
        self.new_reg(name, ty, Some(reset))
    }

    /// A register without reset.
    pub fn reg_noreset(&self, name: &str, ty: Ty) -> Sig {
        self.new_reg(name, ty, None)
    }

    fn set_next_inner(&self, op: &str, reg: Sig, next: Sig, en: Option<Sig>) {
        let r = self.check(op, reg);
        let n = self.check(op, next);
        let e = en.map(|e| self.check(op, e));
        if let Some(e) = en {
            if e.width() != 1 {
                self.fail(format!("{op}: enable must be 1 bit, got {}", e.ty));
            }
        }
        let mut st = self.st.borrow_mut();
        let node = &st.data.nodes[r as usize];
        let (index, name) = match node.kind {
            Kind::Reg(i) => (i, node.name.clone().unwrap_or_default()),
            _ => {
                drop(st);
                self.fail(format!("{op}: the signal is not a register"));
            }
        };
        if next.ty != reg.ty {
            drop(st);
            self.fail(format!(
                "{op}: register `{name}` is {} but the next value is {} \
                 (use saturate / trunc / extend)",
                reg.ty, next.ty
            ));
        }
        let decl = &mut st.data.regs[index];
        if decl.next.is_some() {
            drop(st);
            self.fail(format!("{op}: register `{name}` already has a next value"));
        }
        decl.next = Some(n);
        decl.en = e;
    }

    /// Set the value a register loads every clock (unless in reset). Types must match exactly.
    pub fn set_next(&self, reg: Sig, next: Sig) {
        self.set_next_inner("set_next", reg, next, None);
    }

    /// Set the value a register loads on clocks where `enable` is high (reset has priority).
    pub fn set_next_enabled(&self, reg: Sig, next: Sig, enable: Sig) {
        self.set_next_inner("set_next_enabled", reg, next, Some(enable));
    }

    // ----------------------------------------------------------------------------------------
    // memories

    fn new_mem(&self, name: &str, depth: usize, ty: Ty, init: Option<&[i128]>) -> Mem {
        if depth == 0 {
            self.fail(format!("memory `{name}`: depth must be at least 1"));
        }
        let init = init.map(|words| {
            words
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if !ty.contains(v) {
                        self.fail(format!(
                            "memory `{name}`: init word {i} = {v} does not fit {ty}"
                        ));
                    }
                    ty.bits_of(v)
                })
                .collect::<Vec<u128>>()
        });
        self.claim_user(name);
        let mut st = self.st.borrow_mut();
        let index = st.data.mems.len();
        st.data.mems.push(MemDecl {
            name: name.to_string(),
            depth,
            ty,
            init,
            write: None,
            reads: 0,
            no_rw_check: false,
        });
        st.data.items.push(Item::Mem(index));
        Mem {
            owner: self.key,
            index,
            depth,
            ty,
        }
    }

    /// A memory array of `depth` words of type `ty` without initial contents; add one write
    /// port ([`mem_write`](Self::mem_write)) and read ports. With one synchronous read port this
    /// is the simple dual-port RAM that Yosys maps to block RAM (iCE40 `SB_RAM40_4K`, ECP5
    /// `DP16KD`). A read of an address written in the same clock returns the old word.
    pub fn memory(&self, name: &str, depth: usize, ty: Ty) -> Mem {
        self.new_mem(name, depth, ty, None)
    }

    /// Promise that no synchronous read port reads the address being written in the same clock
    /// (or accept undefined read data when one does). Emits Yosys' `(* no_rw_check *)`, which
    /// lets it map the memory to block RAM without the bypass flip-flops that emulate the exact
    /// "read returns the old word" behaviour. Simulation keeps returning the old word.
    pub fn mem_no_rw_check(&self, mem: Mem) {
        let i = self.check_mem("mem_no_rw_check", mem);
        self.st.borrow_mut().data.mems[i].no_rw_check = true;
    }

    /// A memory initialised with `init` (depth = `init.len()`), emitted as an inline `initial`
    /// block so the design stays self-contained.
    pub fn memory_init(&self, name: &str, ty: Ty, init: &[i128]) -> Mem {
        self.new_mem(name, init.len(), ty, Some(init))
    }

    fn check_addr(&self, op: &str, mem: Mem, addr: Sig) -> u32 {
        let a = self.check(op, addr);
        let want = Ty::unsigned(mem.addr_width());
        if addr.ty != want {
            self.fail(format!(
                "{op}: memory of depth {} needs a {want} address, got {}",
                mem.depth, addr.ty
            ));
        }
        a
    }

    fn check_bit(&self, op: &str, s: Sig) -> u32 {
        let x = self.check(op, s);
        if s.width() != 1 {
            self.fail(format!("{op}: enable must be 1 bit, got {}", s.ty));
        }
        x
    }

    /// The write port: on a clock with `en` high, `mem[addr] <= data`. At most one per memory.
    pub fn mem_write(&self, mem: Mem, en: Sig, addr: Sig, data: Sig) {
        let i = self.check_mem("mem_write", mem);
        let e = self.check_bit("mem_write", en);
        let a = self.check_addr("mem_write", mem, addr);
        let d = self.check("mem_write", data);
        if data.ty != mem.ty {
            self.fail(format!(
                "mem_write: memory holds {} but data is {}",
                mem.ty, data.ty
            ));
        }
        self.clk();
        let mut st = self.st.borrow_mut();
        if st.data.mems[i].write.is_some() {
            drop(st);
            self.fail("mem_write: the memory already has a write port".into());
        }
        st.data.mems[i].write = Some(MemWrite {
            en: e,
            addr: a,
            data: d,
        });
    }

    /// A synchronous (registered) read port: the word at `addr` appears one clock later; with
    /// `en`, the output only updates on clocks where `en` is high.
    pub fn mem_read_sync(&self, mem: Mem, addr: Sig, en: Option<Sig>) -> Sig {
        let i = self.check_mem("mem_read_sync", mem);
        let a = self.check_addr("mem_read_sync", mem, addr);
        let e = en.map(|e| self.check_bit("mem_read_sync", e));
        self.clk();
        self.st.borrow_mut().data.mems[i].reads += 1;
        self.push(
            mem.ty,
            None,
            Kind::MemReadSync {
                mem: i,
                addr: a,
                en: e,
            },
        )
    }

    /// An asynchronous (combinational) read port: LUT RAM or logic, not block RAM.
    pub fn mem_read_async(&self, mem: Mem, addr: Sig) -> Sig {
        let i = self.check_mem("mem_read_async", mem);
        let a = self.check_addr("mem_read_async", mem, addr);
        self.st.borrow_mut().data.mems[i].reads += 1;
        self.push(mem.ty, None, Kind::MemReadAsync { mem: i, addr: a })
    }

    /// A ROM with a synchronous read port (maps to block RAM when large enough).
    pub fn rom(&self, name: &str, ty: Ty, contents: &[i128], addr: Sig, en: Option<Sig>) -> Sig {
        let m = self.memory_init(name, ty, contents);
        self.mem_read_sync(m, addr, en)
    }

    /// A ROM with an asynchronous read (small lookup tables in LUTs).
    pub fn rom_async(&self, name: &str, ty: Ty, contents: &[i128], addr: Sig) -> Sig {
        let m = self.memory_init(name, ty, contents);
        self.mem_read_async(m, addr)
    }

    // ----------------------------------------------------------------------------------------
    // hierarchy

    /// Instantiate `module` as `name`, connecting its input ports by name. `clk` and `rst` are
    /// connected automatically to this module's own; every other input must be connected
    /// exactly once with a signal of exactly the port's type. Outputs become wires named
    /// `<name>_<port>`, read them with [`Instance::out`].
    pub fn instance(&self, name: &str, module: &Module, conns: &[(&str, Sig)]) -> Instance {
        self.claim_user(name);
        let op = format!("instance `{name}` of `{}`", module.name());
        for (i, (port, _)) in conns.iter().enumerate() {
            if conns[..i].iter().any(|(p, _)| p == port) {
                self.fail(format!("{op}: port `{port}` connected twice"));
            }
            match module.port(port) {
                Some(p) if p.dir == PortDir::Input && port != &CLK && port != &RST => {}
                Some(_) => self.fail(format!(
                    "{op}: `{port}` is not a connectable input (outputs are read with out(); clk/rst are automatic)"
                )),
                None => self.fail(format!("{op}: no port named `{port}`")),
            }
        }
        let mut ids = Vec::new();
        let mut outputs = Vec::new();
        for p in module.ports() {
            let id = match p.dir {
                PortDir::Input if p.name == CLK => self.clk().id,
                PortDir::Input if p.name == RST => self.rst().id,
                PortDir::Input => {
                    let Some((_, s)) = conns.iter().find(|(n, _)| *n == p.name) else {
                        self.fail(format!("{op}: input `{}` is not connected", p.name));
                    };
                    let id = self.check("instance", *s);
                    if s.ty != p.ty {
                        self.fail(format!(
                            "{op}: port `{}` is {} but the signal is {}",
                            p.name, p.ty, s.ty
                        ));
                    }
                    id
                }
                PortDir::Output => {
                    let wire = format!("{name}_{}", p.name);
                    self.claim(&wire);
                    let s = self.push(p.ty, Some(wire), Kind::InstOut);
                    outputs.push((p.name.clone(), s));
                    s.id
                }
            };
            ids.push(id);
        }
        self.st.borrow_mut().data.insts.push(InstDecl {
            name: name.to_string(),
            module: module.clone(),
            conns: ids,
        });
        Instance {
            name: name.to_string(),
            outputs,
        }
    }

    /// Instantiate a synchronous FIFO ([`crate::fifo_module`]) of `depth` words (a power of two,
    /// at least 2) of `in_data`'s type, with valid/ready handshakes on both sides.
    pub fn fifo(
        &self,
        name: &str,
        depth: usize,
        in_valid: Sig,
        in_data: Sig,
        out_ready: Sig,
    ) -> FifoOut {
        let m = crate::prims::fifo_module(in_data.ty, depth);
        let inst = self.instance(
            name,
            &m,
            &[
                ("in_valid", in_valid),
                ("in_data", in_data),
                ("out_ready", out_ready),
            ],
        );
        FifoOut {
            in_ready: inst.out("in_ready"),
            out_valid: inst.out("out_valid"),
            out_data: inst.out("out_data"),
        }
    }

    // ----------------------------------------------------------------------------------------

    /// Check the module and freeze it.
    ///
    /// Errors: a register without next value, a memory never read, a memory with neither a write
    /// port nor initial contents, an init list longer than the memory.
    pub fn finish(self) -> Result<Module, HdlError> {
        let st = self.st.into_inner();
        let d = st.data;
        let err = |msg: String| HdlError::Build {
            module: d.name.clone(),
            msg,
        };
        for r in &d.regs {
            if r.next.is_none() {
                let name = d.nodes[r.node as usize].name.clone().unwrap_or_default();
                return Err(err(format!(
                    "register `{name}` has no next value (set_next)"
                )));
            }
        }
        for m in &d.mems {
            if m.reads == 0 {
                return Err(err(format!("memory `{}` is never read", m.name)));
            }
            if m.write.is_none() && m.init.is_none() {
                return Err(err(format!(
                    "memory `{}` has neither a write port nor initial contents",
                    m.name
                )));
            }
        }
        Ok(Module(Arc::new(d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb() -> ModuleBuilder {
        ModuleBuilder::new("t").unwrap()
    }

    #[test]
    fn ty_ranges() {
        assert_eq!(Ty::signed(8).min_value(), -128);
        assert_eq!(Ty::signed(8).max_value(), 127);
        assert_eq!(Ty::unsigned(8).max_value(), 255);
        assert_eq!(Ty::signed(128).min_value(), i128::MIN);
        assert_eq!(Ty::signed(128).max_value(), i128::MAX);
        assert_eq!(Ty::signed(18).bits_of(-5), 0x3fffb);
        assert_eq!(Ty::signed(18).value_of(0x3fffb), -5);
        assert!(!Ty::signed(4).contains(8));
        assert!(Ty::signed(4).contains(-8));
        assert_eq!(Ty::signed(16).to_string(), "s16");
    }

    #[test]
    fn width_rules() {
        let b = mb();
        let a = b.input("a", Ty::signed(16));
        let c = b.input("c", Ty::signed(12));
        let u = b.input("u", Ty::unsigned(10));
        assert_eq!(b.add(a, c).ty(), Ty::signed(17));
        assert_eq!(b.sub(u, u).ty(), Ty::signed(11));
        assert_eq!(b.mul(a, c).ty(), Ty::signed(28));
        assert_eq!(b.shr(a, 3).ty(), Ty::signed(13));
        assert_eq!(b.shr(a, 16).ty(), Ty::signed(1));
        assert_eq!(b.shl(u, 3).ty(), Ty::unsigned(13));
        assert_eq!(b.round_shr(a, 4).ty(), Ty::signed(13));
        assert_eq!(b.round_shr(c, 15).ty(), Ty::signed(2));
        assert_eq!(b.saturate(a, 8).ty(), Ty::signed(8));
        assert_eq!(b.saturate(c, 20).ty(), Ty::signed(20));
        assert_eq!(b.to_signed(u).ty(), Ty::signed(11));
        assert_eq!(b.zext(a, 20).ty(), Ty::unsigned(20));
        assert_eq!(b.concat(&[a, u]).ty(), Ty::unsigned(26));
        assert_eq!(b.lt(a, c).ty(), Ty::BIT);
        assert_eq!(b.mux(b.lt(a, c), a, c).ty(), Ty::signed(16));
        assert_eq!(b.neg(u).ty(), Ty::signed(11));
    }

    #[test]
    fn constants_are_shared() {
        let b = mb();
        let x = b.const_s(-5, 18);
        let y = b.constant(-5, Ty::signed(18));
        assert_eq!(x, y);
        assert_ne!(x, b.const_u(5, 18));
    }

    #[test]
    #[should_panic(expected = "same signedness")]
    fn mixed_signedness_panics() {
        let b = mb();
        let a = b.input("a", Ty::signed(8));
        let u = b.input("u", Ty::unsigned(8));
        b.add(a, u);
    }

    #[test]
    #[should_panic(expected = "more than 128")]
    fn too_wide_panics() {
        let b = mb();
        let a = b.input("a", Ty::signed(100));
        b.mul(a, a);
    }

    #[test]
    #[should_panic(expected = "another module builder")]
    fn foreign_signal_panics() {
        let b1 = mb();
        let b2 = mb();
        let a = b1.input("a", Ty::signed(8));
        b2.neg(a);
    }

    #[test]
    #[should_panic(expected = "used twice")]
    fn duplicate_name_panics() {
        let b = mb();
        b.input("a", Ty::signed(8));
        b.input("a", Ty::signed(8));
    }

    #[test]
    #[should_panic(expected = "does not fit")]
    fn constant_range_checked() {
        mb().const_s(128, 8);
    }

    #[test]
    #[should_panic(expected = "use saturate")]
    fn reg_next_type_checked() {
        let b = mb();
        let r = b.reg("r", Ty::signed(8), 0);
        let n = b.add(r, r);
        b.set_next(r, n);
    }

    #[test]
    fn names_are_validated() {
        assert!(ModuleBuilder::new("lif_core").is_ok());
        for bad in ["", "1abc", "a-b", "module", "logic", "a b", "é"] {
            assert!(
                matches!(ModuleBuilder::new(bad), Err(HdlError::InvalidName { .. })),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn finish_reports_missing_next() {
        let b = mb();
        let r = b.reg("r", Ty::signed(8), 0);
        b.output("y", r);
        let e = b.finish().unwrap_err();
        assert!(e.to_string().contains("no next value"), "{e}");
    }

    #[test]
    fn finish_reports_unread_memory() {
        let b = mb();
        let m = b.memory("m", 16, Ty::unsigned(8));
        let en = b.input("en", Ty::BIT);
        let a = b.input("a", Ty::unsigned(4));
        let d = b.input("d", Ty::unsigned(8));
        b.mem_write(m, en, a, d);
        assert!(b.finish().unwrap_err().to_string().contains("never read"));
    }

    #[test]
    fn clk_and_rst_come_first() {
        let b = mb();
        let x = b.input("x", Ty::signed(8));
        let r = b.reg("r", Ty::signed(8), 0);
        b.set_next(r, x);
        b.output("y", r);
        let m = b.finish().unwrap();
        let names: Vec<&str> = m.ports().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["clk", "rst", "x", "y"]);
        assert!(m.header()[0].starts_with("generated by spikeforge "));
    }

    #[test]
    fn addr_widths() {
        assert_eq!(addr_width(1), 1);
        assert_eq!(addr_width(2), 1);
        assert_eq!(addr_width(3), 2);
        assert_eq!(addr_width(256), 8);
        assert_eq!(addr_width(257), 9);
    }
}
