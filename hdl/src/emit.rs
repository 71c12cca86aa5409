//! Verilog-2005 emission.
//!
//! Every IR node becomes its own `wire` (or `reg`) of exactly the node's width and signedness,
//! and every operand is explicitly extended to the operation's width before the operator is
//! applied (`{{k{x[w-1]}}, x}` or `{k'd0, x}`, wrapped in `$signed(...)` where the operator's
//! result depends on signedness). So Verilog's context-determined widths and its "any unsigned
//! operand makes the expression unsigned" rule can never change a result: the Verilog means
//! exactly what the IR means.
//!
//! Output is deterministic: names and order come from the build order only. Wires whose bits are
//! not all read (a truncation or constant shift drops bits) are wrapped, one declaration at a time,
//! in `/* verilator lint_off UNUSEDSIGNAL */ ... lint_on`, so modules pass
//! `verilator --lint-only -Wall` without warnings.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::HdlError;
use crate::ir::{mask, BitOp, CmpOp, Item, Kind, Module, ModuleData, Op, PortDir, Ty, CLK, RST};

const RULE: &str =
    "// ------------------------------------------------------------------------------------------";

/// A set of modules with one top, each distinct module emitted once.
#[derive(Clone, Debug)]
pub struct Design {
    /// Top first, then submodules in order of first instantiation (depth first).
    modules: Vec<Module>,
    /// Emitted text of each module (without the `default_nettype` lines).
    texts: Vec<String>,
}

impl Design {
    /// Collect `top` and every module it instantiates, recursively. Modules are identified by
    /// name; two *different* modules with one name are an error.
    pub fn new(top: Module) -> Result<Design, HdlError> {
        let mut d = Design {
            modules: Vec::new(),
            texts: Vec::new(),
        };
        let mut seen = BTreeMap::new();
        d.visit(&top, &mut seen)?;
        Ok(d)
    }

    fn visit(&mut self, m: &Module, seen: &mut BTreeMap<String, usize>) -> Result<(), HdlError> {
        if let Some(&i) = seen.get(m.name()) {
            if self.texts[i] != module_text(&m.0) {
                return Err(HdlError::DuplicateModule {
                    name: m.name().to_string(),
                });
            }
            return Ok(());
        }
        seen.insert(m.name().to_string(), self.modules.len());
        self.texts.push(module_text(&m.0));
        self.modules.push(m.clone());
        for inst in &m.0.insts {
            self.visit(&inst.module, seen)?;
        }
        Ok(())
    }

    /// The top module.
    pub fn top(&self) -> &Module {
        &self.modules[0]
    }

    /// All modules: top first, then submodules in order of first instantiation.
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// Module names in emission order.
    pub fn module_names(&self) -> Vec<&str> {
        self.modules.iter().map(|m| m.name()).collect()
    }

    /// One file per module: `(<module>.v, contents)`, in emission order. File names equal module
    /// names, as Verilator's DECLFILENAME lint expects.
    pub fn emit_files(&self) -> Vec<(String, String)> {
        self.modules
            .iter()
            .zip(&self.texts)
            .map(|(m, t)| (format!("{}.v", m.name()), wrap_nettype(t)))
            .collect()
    }

    /// The whole design in one file (handy for synthesis; lint per-module files instead, since
    /// Verilator's DECLFILENAME wants one module per file).
    pub fn emit_single(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{RULE}");
        let _ = writeln!(s, "// design `{}`", self.top().name());
        let _ = writeln!(s, "// modules: {}", self.module_names().join(", "));
        let _ = writeln!(s, "// {}", self.top().header()[0]);
        let _ = writeln!(s, "{RULE}");
        s.push_str("`default_nettype none\n");
        for t in &self.texts {
            s.push('\n');
            s.push_str(t);
        }
        s.push_str("\n`default_nettype wire\n");
        s
    }

    /// Write [`emit_files`](Self::emit_files) into `dir` (created if missing); returns the paths
    /// in emission order.
    pub fn write_files(&self, dir: &Path) -> Result<Vec<PathBuf>, HdlError> {
        std::fs::create_dir_all(dir).map_err(|source| HdlError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths = Vec::new();
        for (name, text) in self.emit_files() {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|source| HdlError::Io {
                path: path.clone(),
                source,
            })?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// One module as a complete file (`default_nettype none ... wire`).
pub fn emit_module(m: &Module) -> String {
    wrap_nettype(&module_text(&m.0))
}

fn wrap_nettype(text: &str) -> String {
    // keep the header comment above the directive
    let split = text.find("\nmodule ").map_or(0, |i| i + 1);
    format!(
        "{}`default_nettype none\n\n{}\n`default_nettype wire\n",
        &text[..split],
        &text[split..]
    )
}

/// `signed [15:0] `, `[7:0] `, `signed ` or `` (1-bit unsigned).
fn ty_decl(ty: Ty) -> String {
    match (ty.signed, ty.width) {
        (false, 1) => String::new(),
        (true, 1) => "signed ".into(),
        (false, w) => format!("[{}:0] ", w - 1),
        (true, w) => format!("signed [{}:0] ", w - 1),
    }
}

/// A sized hex literal of the low `width` bits of `bits`.
fn hex_lit(width: u32, bits: u128) -> String {
    format!("{width}'h{:x}", bits & mask(width))
}

/// A readable constant: decimal when small and non-negative, otherwise hex bits plus the value
/// in a comment.
fn const_lit(ty: Ty, bits: u128) -> (String, Option<String>) {
    let v = ty.value_of(bits);
    if (0..=i128::from(u32::MAX)).contains(&v) {
        (format!("{}'d{}", ty.width, bits), None)
    } else if ty.width == 128 && !ty.signed && bits >> 127 == 1 {
        (hex_lit(ty.width, bits), Some(format!("= {bits}")))
    } else {
        (hex_lit(ty.width, bits), Some(format!("= {v}")))
    }
}

struct Ctx<'a> {
    d: &'a ModuleData,
    names: Vec<String>,
}

impl Ctx<'_> {
    fn ty(&self, id: u32) -> Ty {
        self.d.nodes[id as usize].ty
    }
    fn n(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
    fn bit(&self, id: u32, i: u32) -> String {
        if self.ty(id).width == 1 {
            self.n(id).to_string()
        } else {
            format!("{}[{i}]", self.n(id))
        }
    }
    fn slice(&self, id: u32, hi: u32, lo: u32) -> String {
        if lo == 0 && hi + 1 == self.ty(id).width {
            self.n(id).to_string()
        } else if hi == lo {
            self.bit(id, hi)
        } else {
            format!("{}[{hi}:{lo}]", self.n(id))
        }
    }
    /// `id` extended by its own signedness to `w` bits (an unsigned concatenation when k > 0).
    fn ext(&self, id: u32, w: u32) -> String {
        let ty = self.ty(id);
        let k = w - ty.width;
        if k == 0 {
            self.n(id).to_string()
        } else if ty.signed {
            let msb = self.bit(id, ty.width - 1);
            if k == 1 {
                format!("{{{msb}, {}}}", self.n(id))
            } else {
                format!("{{{{{k}{{{msb}}}}}, {}}}", self.n(id))
            }
        } else {
            format!("{{{k}'d0, {}}}", self.n(id))
        }
    }
    /// Like [`ext`](Self::ext), but a signed expression (for signed `id`).
    fn sext(&self, id: u32, w: u32) -> String {
        if self.ty(id).width == w {
            self.n(id).to_string()
        } else {
            format!("$signed({})", self.ext(id, w))
        }
    }
    /// The operand in the signedness of the operation: signed ops need `$signed`.
    fn arith(&self, id: u32, w: u32) -> String {
        if self.ty(id).signed {
            self.sext(id, w)
        } else {
            self.ext(id, w)
        }
    }

    fn expr(&self, ty: Ty, op: &Op) -> String {
        let w = ty.width;
        match op {
            Op::Add(a, b) => format!("{} + {}", self.ext(*a, w), self.ext(*b, w)),
            Op::Sub(a, b) => format!("{} - {}", self.ext(*a, w), self.ext(*b, w)),
            Op::Neg(a) => format!("-{}", self.ext(*a, w)),
            Op::Mul(a, b) => format!("{} * {}", self.arith(*a, w), self.arith(*b, w)),
            Op::Slice { src, lo } => self.slice(*src, lo + w - 1, *lo),
            Op::Shl(a, n) => format!("{{{}, {n}'d0}}", self.n(*a)),
            Op::ShrDyn(a, s) => {
                let op = if ty.signed { ">>>" } else { ">>" };
                format!("{} {op} {}", self.n(*a), self.n(*s))
            }
            Op::ShlDyn(a, s) => format!("{} << {}", self.n(*a), self.n(*s)),
            Op::Extend(a) => self.ext(*a, w),
            Op::Concat(parts) => {
                let p: Vec<&str> = parts.iter().map(|p| self.n(*p)).collect();
                format!("{{{}}}", p.join(", "))
            }
            Op::Alias(a) => self.n(*a).to_string(),
            Op::Saturate(a) => {
                let wa = self.ty(*a).width;
                let low = self.slice(*a, w - 1, 0);
                if ty.signed {
                    let top = self.bit(*a, wa - 1);
                    let rest = self.slice(*a, wa - 2, w - 1);
                    let max = hex_lit(w, mask(w) >> 1);
                    let min = hex_lit(w, 1u128 << (w - 1));
                    format!("(~{top} & (|{rest})) ? {max} : ({top} & ~(&{rest})) ? {min} : {low}")
                } else {
                    let high = self.slice(*a, wa - 1, w);
                    format!("(|{high}) ? {} : {low}", hex_lit(w, mask(w)))
                }
            }
            Op::Cmp(c, a, b) => {
                let wc = self.ty(*a).width.max(self.ty(*b).width);
                let sym = match c {
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                    CmpOp::Eq => "==",
                    CmpOp::Ne => "!=",
                };
                format!("{} {sym} {}", self.arith(*a, wc), self.arith(*b, wc))
            }
            Op::Mux(s, a, b) => {
                format!("{} ? {} : {}", self.n(*s), self.ext(*a, w), self.ext(*b, w))
            }
            Op::Bit(o, a, b) => format!("{} {} {}", self.n(*a), bit_sym(*o), self.n(*b)),
            Op::Not(a) => format!("~{}", self.n(*a)),
            Op::Reduce(o, a) => format!("{}{}", bit_sym(*o), self.n(*a)),
        }
    }
}

fn bit_sym(o: BitOp) -> &'static str {
    match o {
        BitOp::And => "&",
        BitOp::Or => "|",
        BitOp::Xor => "^",
    }
}

/// Bits of every node that something reads.
fn used_bits(d: &ModuleData) -> Vec<u128> {
    let mut used = vec![0u128; d.nodes.len()];
    let full = |used: &mut Vec<u128>, id: u32| used[id as usize] = d.nodes[id as usize].ty.mask();
    for node in &d.nodes {
        match &node.kind {
            Kind::Op(op) => match op {
                Op::Slice { src, lo } => used[*src as usize] |= node.ty.mask() << lo,
                Op::Add(a, b)
                | Op::Sub(a, b)
                | Op::Mul(a, b)
                | Op::ShrDyn(a, b)
                | Op::ShlDyn(a, b)
                | Op::Cmp(_, a, b)
                | Op::Bit(_, a, b) => {
                    full(&mut used, *a);
                    full(&mut used, *b);
                }
                Op::Neg(a)
                | Op::Shl(a, _)
                | Op::Extend(a)
                | Op::Alias(a)
                | Op::Saturate(a)
                | Op::Not(a)
                | Op::Reduce(_, a) => full(&mut used, *a),
                Op::Concat(parts) => parts.iter().for_each(|p| full(&mut used, *p)),
                Op::Mux(s, a, b) => [*s, *a, *b].iter().for_each(|p| full(&mut used, *p)),
            },
            Kind::MemReadSync { addr, en, .. } => {
                full(&mut used, *addr);
                if let Some(e) = en {
                    full(&mut used, *e);
                }
            }
            Kind::MemReadAsync { addr, .. } => full(&mut used, *addr),
            Kind::Input | Kind::Param | Kind::Const(_) | Kind::Reg(_) | Kind::InstOut => {}
        }
    }
    for r in &d.regs {
        for id in r.next.iter().chain(r.en.iter()) {
            full(&mut used, *id);
        }
        if r.reset.is_some() {
            full(&mut used, d.rst.expect("reset port exists"));
        }
    }
    for m in &d.mems {
        if let Some(w) = &m.write {
            for id in [w.en, w.addr, w.data] {
                full(&mut used, id);
            }
        }
    }
    if let Some(clk) = d.clk {
        let clocked = !d.regs.is_empty()
            || d.mems.iter().any(|m| m.write.is_some())
            || d.nodes
                .iter()
                .any(|n| matches!(n.kind, Kind::MemReadSync { .. }));
        if clocked {
            full(&mut used, clk);
        }
    }
    for inst in &d.insts {
        for (port, id) in inst.module.ports().iter().zip(&inst.conns) {
            if port.dir == PortDir::Input {
                full(&mut used, *id);
            }
        }
    }
    for (port, id) in d.ports.iter().zip(&d.port_nodes) {
        if port.dir == PortDir::Output {
            full(&mut used, *id);
        }
    }
    used
}

/// Readable, unique, deterministic names for every node.
fn node_names(d: &ModuleData) -> Vec<String> {
    let mut taken: BTreeSet<String> = d.nodes.iter().filter_map(|n| n.name.clone()).collect();
    taken.extend(d.mems.iter().map(|m| m.name.clone()));
    taken.extend(d.insts.iter().map(|i| i.name.clone()));
    taken.extend(d.ports.iter().map(|p| p.name.clone()));
    d.nodes
        .iter()
        .enumerate()
        .map(|(id, n)| {
            if let Some(name) = &n.name {
                return name.clone();
            }
            let base = match &n.kind {
                Kind::MemReadSync { mem, .. } | Kind::MemReadAsync { mem, .. } => {
                    format!("{}_q", d.mems[*mem].name)
                }
                _ => format!("n{id}"),
            };
            let mut name = base.clone();
            if taken.contains(&name) {
                name = format!("{base}_{id}");
                while taken.contains(&name) {
                    name.push('_');
                }
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

fn push_wrapped(out: &mut String, indent: &str, line: &str, wrap: Option<&str>) {
    match wrap {
        Some(code) => {
            let _ = writeln!(out, "{indent}/* verilator lint_off {code} */");
            let _ = writeln!(out, "{indent}{line}");
            let _ = writeln!(out, "{indent}/* verilator lint_on {code} */");
        }
        None => {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
}

/// The module's text: header comment and `module ... endmodule`.
pub(crate) fn module_text(d: &ModuleData) -> String {
    let used = used_bits(d);
    let cx = Ctx {
        d,
        names: node_names(d),
    };
    let partly_unused = |id: u32| used[id as usize] != d.nodes[id as usize].ty.mask();
    // nodes declared as the output port of the same name
    let mut merged = vec![false; d.nodes.len()];
    for (p, id) in d.ports.iter().zip(&d.port_nodes) {
        if p.dir == PortDir::Output && cx.n(*id) == p.name {
            merged[*id as usize] = true;
        }
    }
    let mut o = String::new();

    // header
    let _ = writeln!(o, "{RULE}");
    let _ = writeln!(o, "// module {}", d.name);
    for line in &d.header {
        if line.is_empty() {
            o.push_str("//\n");
        } else {
            let _ = writeln!(o, "// {line}");
        }
    }
    let _ = writeln!(o, "{RULE}");

    // ports
    if d.ports.is_empty() {
        let _ = writeln!(o, "module {} ();", d.name);
    } else {
        let _ = writeln!(o, "module {} (", d.name);
        let n = d.ports.len();
        for (i, (p, id)) in d.ports.iter().zip(&d.port_nodes).enumerate() {
            let dir = match p.dir {
                PortDir::Input => "input  wire",
                PortDir::Output
                    if merged[*id as usize]
                        && matches!(
                            d.nodes[*id as usize].kind,
                            Kind::Reg(_) | Kind::MemReadSync { .. }
                        ) =>
                {
                    "output reg "
                }
                PortDir::Output => "output wire",
            };
            let sep = if i + 1 < n { "," } else { "" };
            let line = format!("{dir} {}{}{sep}", ty_decl(p.ty), p.name);
            let wrap = (p.dir == PortDir::Input && partly_unused(*id)).then_some("UNUSEDSIGNAL");
            push_wrapped(&mut o, "    ", &line, wrap);
        }
        o.push_str(");\n");
    }

    // parameters
    if !d.params.is_empty() {
        o.push('\n');
        for (p, id) in d.params.iter().zip(&d.param_nodes) {
            let (lit, comment) = const_lit(p.ty, p.ty.bits_of(p.value));
            let mut line = format!("parameter {}{} = {lit};", ty_decl(p.ty), p.name);
            if let Some(c) = comment {
                let _ = write!(line, " // {c}");
            }
            let wrap = (used[*id as usize] == 0).then_some("UNUSEDPARAM");
            push_wrapped(&mut o, "    ", &line, wrap);
        }
    }

    // declarations, in build order
    let mut decls = String::new();
    for item in &d.items {
        match *item {
            Item::Mem(i) => {
                let m = &d.mems[i];
                if m.no_rw_check {
                    decls.push_str("    (* no_rw_check *)\n");
                }
                let _ = writeln!(
                    decls,
                    "    reg {}{} [0:{}];",
                    ty_decl(Ty::unsigned(m.ty.width)),
                    m.name,
                    m.depth - 1
                );
                if let Some(init) = &m.init {
                    decls.push_str("    initial begin\n");
                    let digits = m.ty.width.div_ceil(4) as usize;
                    for (a, bits) in init.iter().enumerate() {
                        let _ = writeln!(
                            decls,
                            "        {}[{a}] = {}'h{:0digits$x};",
                            m.name, m.ty.width, bits
                        );
                    }
                    decls.push_str("    end\n");
                }
            }
            Item::Node(id) => {
                let node = &d.nodes[id as usize];
                let decl = format!("{}{}", ty_decl(node.ty), cx.n(id));
                let line = match &node.kind {
                    Kind::Input | Kind::Param => continue,
                    Kind::Reg(_) | Kind::MemReadSync { .. } | Kind::InstOut
                        if merged[id as usize] =>
                    {
                        continue
                    }
                    Kind::Const(bits) if merged[id as usize] => {
                        format!("assign {} = {};", cx.n(id), const_lit(node.ty, *bits).0)
                    }
                    Kind::MemReadAsync { mem, addr } if merged[id as usize] => {
                        format!(
                            "assign {} = {}[{}];",
                            cx.n(id),
                            d.mems[*mem].name,
                            cx.n(*addr)
                        )
                    }
                    Kind::Op(op) if merged[id as usize] => {
                        format!("assign {} = {};", cx.n(id), cx.expr(node.ty, op))
                    }
                    Kind::Const(bits) => {
                        let (lit, comment) = const_lit(node.ty, *bits);
                        match comment {
                            Some(c) => format!("wire {decl} = {lit}; // {c}"),
                            None => format!("wire {decl} = {lit};"),
                        }
                    }
                    Kind::Reg(_) | Kind::MemReadSync { .. } => format!("reg {decl};"),
                    Kind::MemReadAsync { mem, addr } => {
                        format!("wire {decl} = {}[{}];", d.mems[*mem].name, cx.n(*addr))
                    }
                    Kind::InstOut => format!("wire {decl};"),
                    Kind::Op(op) => format!("wire {decl} = {};", cx.expr(node.ty, op)),
                };
                let wrap = partly_unused(id).then_some("UNUSEDSIGNAL");
                push_wrapped(&mut decls, "    ", &line, wrap);
            }
        }
    }
    if !decls.is_empty() {
        o.push('\n');
        o.push_str(&decls);
    }

    // instances
    for inst in &d.insts {
        let _ = writeln!(o, "\n    {} {} (", inst.module.name(), inst.name);
        let ports = inst.module.ports();
        for (i, (p, id)) in ports.iter().zip(&inst.conns).enumerate() {
            let sep = if i + 1 < ports.len() { "," } else { "" };
            let _ = writeln!(o, "        .{}({}){sep}", p.name, cx.n(*id));
        }
        o.push_str("    );\n");
    }

    // memory ports
    for (i, m) in d.mems.iter().enumerate() {
        if let Some(w) = &m.write {
            let _ = write!(
                o,
                "\n    always @(posedge {CLK}) begin\n        if ({}) begin\n            {}[{}] <= {};\n        end\n    end\n",
                cx.n(w.en),
                m.name,
                cx.n(w.addr),
                cx.n(w.data)
            );
        }
        for (id, node) in d.nodes.iter().enumerate() {
            if let Kind::MemReadSync { mem, addr, en } = &node.kind {
                if *mem != i {
                    continue;
                }
                let q = format!("{} <= {}[{}];", cx.n(id as u32), m.name, cx.n(*addr));
                o.push_str(&format!("\n    always @(posedge {CLK}) begin\n"));
                match en {
                    Some(e) => {
                        let _ = write!(
                            o,
                            "        if ({}) begin\n            {q}\n        end\n",
                            cx.n(*e)
                        );
                    }
                    None => {
                        let _ = writeln!(o, "        {q}");
                    }
                }
                o.push_str("    end\n");
            }
        }
    }

    // registers
    for r in &d.regs {
        let name = cx.n(r.node);
        let ty = d.nodes[r.node as usize].ty;
        let next = r.next.map(|n| cx.n(n)).unwrap_or(name);
        let _ = writeln!(o, "\n    always @(posedge {CLK}) begin");
        let load = format!("{name} <= {next};");
        match (r.reset, r.en) {
            (Some(bits), en) => {
                let (lit, comment) = const_lit(ty, bits);
                let c = comment.map(|c| format!(" // {c}")).unwrap_or_default();
                let _ = writeln!(
                    o,
                    "        if ({RST}) begin\n            {name} <= {lit};{c}"
                );
                match en {
                    Some(e) => {
                        let _ = writeln!(o, "        end else if ({}) begin", cx.n(e));
                    }
                    None => o.push_str("        end else begin\n"),
                }
                let _ = writeln!(o, "            {load}\n        end");
            }
            (None, Some(e)) => {
                let _ = writeln!(
                    o,
                    "        if ({}) begin\n            {load}\n        end",
                    cx.n(e)
                );
            }
            (None, None) => {
                let _ = writeln!(o, "        {load}");
            }
        }
        o.push_str("    end\n");
    }

    // outputs
    let outs: Vec<_> = d
        .ports
        .iter()
        .zip(&d.port_nodes)
        .filter(|(p, id)| p.dir == PortDir::Output && !merged[**id as usize])
        .collect();
    if !outs.is_empty() {
        o.push('\n');
        for (p, id) in outs {
            let _ = writeln!(o, "    assign {} = {};", p.name, cx.n(*id));
        }
    }
    o.push_str("endmodule\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ModuleBuilder;

    #[test]
    fn literals() {
        assert_eq!(
            const_lit(Ty::signed(18), Ty::signed(18).bits_of(-5)).0,
            "18'h3fffb"
        );
        assert_eq!(const_lit(Ty::signed(18), 5).0, "18'd5");
        assert_eq!(hex_lit(16, 0x8000), "16'h8000");
        assert_eq!(ty_decl(Ty::signed(16)), "signed [15:0] ");
        assert_eq!(ty_decl(Ty::BIT), "");
    }

    #[test]
    fn operands_are_extended_explicitly() {
        let b = ModuleBuilder::new("ext").unwrap();
        let a = b.input("a", Ty::signed(16));
        let c = b.input("c", Ty::signed(12));
        let s = b.named("s", b.add(a, c));
        let p = b.named("p", b.mul(a, c));
        let l = b.named("l", b.lt(a, c));
        b.output("s_o", s);
        b.output("p_o", p);
        b.output("l_o", l);
        let text = emit_module(&b.finish().unwrap());
        assert!(
            text.contains("wire signed [16:0] s = {a[15], a} + {{5{c[11]}}, c};"),
            "{text}"
        );
        assert!(text.contains(
            "wire signed [27:0] p = $signed({{12{a[15]}}, a}) * $signed({{16{c[11]}}, c});"
        ));
        assert!(text.contains("wire l = a < $signed({{4{c[11]}}, c});"));
        assert!(text.starts_with(RULE));
        assert!(text.contains("`default_nettype none\n\nmodule ext ("));
        assert!(text.ends_with("`default_nettype wire\n"));
    }

    #[test]
    fn dropped_bits_get_one_lint_waiver() {
        let b = ModuleBuilder::new("waiver").unwrap();
        let a = b.input("a", Ty::signed(16));
        let sh = b.shr(a, 4);
        b.output("y", sh);
        let text = emit_module(&b.finish().unwrap());
        assert_eq!(text.matches("lint_off UNUSEDSIGNAL").count(), 1, "{text}");
        assert!(text
            .contains("/* verilator lint_off UNUSEDSIGNAL */\n    input  wire signed [15:0] a,"));
    }
}
