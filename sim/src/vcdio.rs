//! VCD (value change dump) writing and reading.
//!
//! * [`write_trace_vcd`] writes integer traces (one value per time step, two's complement in the
//!   signal's width) as a deterministic VCD: no `$date`, no `$version`, signals in the given order,
//!   written atomically (temporary file + rename).
//! * [`read_vcd`] parses VCD files written by any simulator (Icarus, Verilator, GTKWave tools):
//!   nested scopes, any timescale, `x`/`z` values, aliases, real variables. SystemVerilog variable and
//!   scope types that the `vcd` crate does not know (`logic`, `bit`, `int`, `struct`, `interface`, ...)
//!   are read as `wire` / `module`, and unknown header commands (`$attrbegin`, ...) are skipped.
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Write};
use std::path::Path;

use vcd::{
    Command, IdCode, ParseError, ReferenceIndex, ScopeItem, ScopeType, TimescaleUnit, Value, Var,
    VarType,
};

use crate::error::{temp_file_beside, SimError};

/// One integer signal of a trace: `values[step]` is its value at that step, two's complement in
/// `width` bits (1..=64). A spike output is a width-1 signal with values 0 and 1.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VcdSignal {
    pub name: String,
    pub width: u32,
    pub values: Vec<i64>,
}

impl VcdSignal {
    pub fn new(name: impl Into<String>, width: u32, values: Vec<i64>) -> Self {
        VcdSignal {
            name: name.into(),
            width,
            values,
        }
    }
}

/// Whether `name` can be written as a VCD identifier (scope or variable reference).
fn check_identifier(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == '.' || *c == '$')
    {
        return Err(format!(
            "the name contains {c:?} (whitespace, control characters, '.' and '$' are not allowed)"
        ));
    }
    Ok(())
}

/// Whether `v` is representable in `width` bits, as a signed or an unsigned number.
fn fits(v: i64, width: u32) -> bool {
    if width >= 64 {
        return true;
    }
    let min = -(1i64 << (width - 1));
    let max = (1i64 << width) - 1;
    (min..=max).contains(&v)
}

/// The VCD text of a trace (see [`write_trace_vcd`]).
pub fn render_trace_vcd(
    module_name: &str,
    timescale_ns_per_step: u64,
    signals: &[VcdSignal],
    n_steps: usize,
) -> Result<Vec<u8>, SimError> {
    check_identifier(module_name)
        .map_err(|e| SimError::InvalidInput(format!("VCD module name {module_name:?}: {e}")))?;
    if timescale_ns_per_step == 0 {
        return Err(SimError::InvalidInput(
            "VCD time step must be at least 1 ns, got 0".into(),
        ));
    }
    let end_time = (n_steps as u64)
        .checked_mul(timescale_ns_per_step)
        .ok_or_else(|| {
            SimError::InvalidInput(format!(
                "VCD end time {n_steps} steps x {timescale_ns_per_step} ns overflows 64 bits"
            ))
        })?;
    let mut seen = std::collections::BTreeSet::new();
    for s in signals {
        let bad = |reason: String| SimError::VcdSignal {
            name: s.name.clone(),
            reason,
        };
        check_identifier(&s.name).map_err(bad)?;
        if !seen.insert(s.name.as_str()) {
            return Err(bad("the name is used twice".into()));
        }
        if !(1..=64).contains(&s.width) {
            return Err(bad(format!("width {} is not in 1..=64", s.width)));
        }
        if s.values.len() != n_steps {
            return Err(bad(format!(
                "{} values given for {n_steps} steps (one value per step is needed)",
                s.values.len()
            )));
        }
        if let Some((step, v)) = s
            .values
            .iter()
            .enumerate()
            .find(|(_, v)| !fits(**v, s.width))
        {
            return Err(bad(format!(
                "value {v} at step {step} does not fit in {} bits",
                s.width
            )));
        }
    }

    let io_err = |e: io::Error| SimError::io("<memory>", e);
    let mut w = vcd::Writer::new(Vec::new());
    w.timescale(1, TimescaleUnit::NS).map_err(io_err)?;
    w.add_module(module_name).map_err(io_err)?;
    let ids: Vec<IdCode> = signals
        .iter()
        .map(|s| w.add_wire(s.width, &s.name))
        .collect::<Result<_, _>>()
        .map_err(io_err)?;
    w.upscope().map_err(io_err)?;
    w.enddefinitions().map_err(io_err)?;

    let write_value = |w: &mut vcd::Writer<Vec<u8>>, id: IdCode, width: u32, v: i64| {
        let bits = v as u64;
        if width == 1 {
            w.change_scalar(id, bits & 1 == 1)
        } else {
            w.change_vector(
                id,
                (0..width).rev().map(|b| Value::from((bits >> b) & 1 == 1)),
            )
        }
    };
    // Values are compared after masking to the width, so -1 and 1 in one bit are the same change.
    let mask = |v: i64, width: u32| {
        if width >= 64 {
            v as u64
        } else {
            (v as u64) & ((1u64 << width) - 1)
        }
    };
    if n_steps > 0 {
        w.timestamp(0).map_err(io_err)?;
        w.begin(vcd::SimulationCommand::Dumpvars).map_err(io_err)?;
        for (s, &id) in signals.iter().zip(&ids) {
            write_value(&mut w, id, s.width, s.values[0]).map_err(io_err)?;
        }
        w.end().map_err(io_err)?;
    }
    for step in 1..n_steps {
        let mut stamped = false;
        for (s, &id) in signals.iter().zip(&ids) {
            let (prev, cur) = (s.values[step - 1], s.values[step]);
            if mask(prev, s.width) != mask(cur, s.width) {
                if !stamped {
                    w.timestamp(step as u64 * timescale_ns_per_step)
                        .map_err(io_err)?;
                    stamped = true;
                }
                write_value(&mut w, id, s.width, cur).map_err(io_err)?;
            }
        }
    }
    // The end of the last step, so that viewers show its full duration.
    w.timestamp(end_time).map_err(io_err)?;
    w.flush().map_err(io_err)?;
    Ok(std::mem::take(w.writer()))
}

/// Write a trace as a VCD file: one module `module_name` holding `signals` (in the given order), step
/// `k` at time `k * timescale_ns_per_step` ns (`$timescale 1 ns`), only changes written. Values are
/// checked to fit their width (signed or unsigned); the output is deterministic and written
/// atomically.
pub fn write_trace_vcd(
    path: impl AsRef<Path>,
    module_name: &str,
    timescale_ns_per_step: u64,
    signals: &[VcdSignal],
    n_steps: usize,
) -> Result<(), SimError> {
    let bytes = render_trace_vcd(module_name, timescale_ns_per_step, signals, n_steps)?;
    write_atomic(path.as_ref(), &bytes)
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SimError> {
    let mut tmp = temp_file_beside(path, ".tmp")?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.flush())
        .map_err(|e| SimError::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| SimError::io(path, e.error))?;
    Ok(())
}

/// One value change: at `time` (in timescale units) the signal became `value` (`None` when any bit
/// is `x` or `z`). `width` is the signal's declared width; `value` holds its low 128 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VcdChange {
    pub time: u64,
    pub value: Option<u128>,
    pub width: u32,
}

/// The contents of a VCD file. Signal names are hierarchical, scopes joined by `.` (e.g.
/// `tb.dut.v`); a bit-select index is kept (`mem[3]`), a range index (`[7:0]`) is dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VcdData {
    /// Length of one time unit in femtoseconds (`$timescale`), if the file declares one.
    pub timescale_fs: Option<u64>,
    /// Changes of every bit-vector signal, in file order (time non-decreasing).
    pub signals: BTreeMap<String, Vec<VcdChange>>,
    /// Declared width of every signal in `signals`.
    pub widths: BTreeMap<String, u32>,
    /// Changes of every `real` variable.
    pub reals: BTreeMap<String, Vec<(u64, f64)>>,
    /// The last timestamp in the file.
    pub end_time: u64,
}

impl VcdData {
    /// The full name of signal `name`: `name` itself if present, else the one signal whose name
    /// ends with `.name` (so `dut.v` finds `TOP.tb.dut.v`); `None` if absent or ambiguous.
    pub fn resolve(&self, name: &str) -> Option<&str> {
        if let Some((k, _)) = self.signals.get_key_value(name) {
            return Some(k);
        }
        let suffix = format!(".{name}");
        let mut found = self.signals.keys().filter(|k| k.ends_with(&suffix));
        let first = found.next()?;
        match found.next() {
            None => Some(first),
            Some(_) => None,
        }
    }

    /// All signal names, sorted.
    pub fn signal_names(&self) -> impl Iterator<Item = &str> {
        self.signals.keys().map(String::as_str)
    }

    /// The changes of a signal (name as in [`VcdData::resolve`]).
    pub fn changes(&self, name: &str) -> Option<&[VcdChange]> {
        self.signals.get(self.resolve(name)?).map(Vec::as_slice)
    }

    /// The declared width of a signal (name as in [`VcdData::resolve`]).
    pub fn width(&self, name: &str) -> Option<u32> {
        self.widths.get(self.resolve(name)?).copied()
    }

    /// The last change at or before `time` (the value the signal holds at `time`).
    pub fn change_at(&self, name: &str, time: u64) -> Option<&VcdChange> {
        let changes = self.changes(name)?;
        let n = changes.partition_point(|c| c.time <= time);
        n.checked_sub(1).map(|i| &changes[i])
    }

    /// The unsigned value of a signal at `time`; `None` if the signal is unknown, has no value yet,
    /// or is `x`/`z`.
    pub fn value_at(&self, name: &str, time: u64) -> Option<u128> {
        self.change_at(name, time)?.value
    }

    /// The value at `time` read as two's complement in the signal's width; `None` as for
    /// [`VcdData::value_at`], or if it does not fit in an `i64`.
    pub fn signed_value_at(&self, name: &str, time: u64) -> Option<i64> {
        let c = self.change_at(name, time)?;
        to_signed(c.value?, c.width)
    }

    /// Signed values at `start, start + period, ...` (`n` samples), e.g. once per clock cycle.
    pub fn signed_samples(
        &self,
        name: &str,
        start: u64,
        period: u64,
        n: usize,
    ) -> Vec<Option<i64>> {
        (0..n as u64)
            .map(|k| {
                k.checked_mul(period)
                    .and_then(|d| d.checked_add(start))
                    .and_then(|t| self.signed_value_at(name, t))
            })
            .collect()
    }

    /// A time in timescale units converted to nanoseconds (if the file has a timescale).
    pub fn time_to_ns(&self, time: u64) -> Option<f64> {
        let fs = u128::from(time) * u128::from(self.timescale_fs?);
        Some(fs as f64 / 1e6)
    }
}

/// `bits` read as a two's-complement number of `width` bits (1..=128); `None` if the width is out of
/// range or the value does not fit in an `i64`.
pub fn to_signed(bits: u128, width: u32) -> Option<i64> {
    if width == 0 || width > 128 {
        return None;
    }
    let shift = 128 - width;
    let v = ((bits << shift) as i128) >> shift;
    i64::try_from(v).ok()
}

/// Parse a VCD file.
pub fn read_vcd(path: impl AsRef<Path>) -> Result<VcdData, SimError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| SimError::io(path, e))?;
    parse_vcd(BufReader::new(file), path)
}

/// Parse VCD text (`path` only names the source in errors).
pub fn parse_vcd_str(text: &str, path: impl AsRef<Path>) -> Result<VcdData, SimError> {
    parse_vcd(text.as_bytes(), path.as_ref())
}

fn map_io(path: &Path, e: io::Error) -> SimError {
    if let Some(pe) = e.get_ref().and_then(|i| i.downcast_ref::<ParseError>()) {
        return SimError::VcdParse {
            path: path.to_path_buf(),
            line: Some(pe.line()),
            message: pe.kind().to_string(),
        };
    }
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput => {
            SimError::VcdParse {
                path: path.to_path_buf(),
                line: None,
                message: e.to_string(),
            }
        }
        _ => SimError::io(path, e),
    }
}

/// What a declared variable records into.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Bits(usize),
    Real(usize),
}

fn parse_vcd<R: BufRead>(mut reader: R, path: &Path) -> Result<VcdData, SimError> {
    let header_bytes = read_header_bytes(&mut reader).map_err(|e| map_io(path, e))?;
    let header_bytes = normalize_header(&header_bytes);
    let mut parser = vcd::Parser::new(Cursor::new(header_bytes).chain(reader));
    let header = parser.parse_header().map_err(|e| map_io(path, e))?;

    let mut data = VcdData {
        timescale_fs: header
            .timescale
            .map(|(n, unit)| n as u64 * (1_000_000_000_000_000 / unit.divisor())),
        ..Default::default()
    };
    let mut vars = Vec::new();
    collect_vars(&header.items, &mut Vec::new(), &mut vars);

    // Per signal: name and width; per id code: the slots it feeds (codes may be shared by aliases).
    let mut bit_names: Vec<(String, u32)> = Vec::new();
    let mut real_names: Vec<String> = Vec::new();
    let mut slots: HashMap<IdCode, Vec<Slot>> = HashMap::new();
    for (name, var) in vars {
        if data.widths.contains_key(&name) || data.reals.contains_key(&name) {
            continue; // a duplicate declaration: keep the first
        }
        let slot = match var.var_type {
            VarType::String => continue,
            VarType::Real => {
                data.reals.insert(name.clone(), Vec::new());
                real_names.push(name);
                Slot::Real(real_names.len() - 1)
            }
            _ => {
                data.widths.insert(name.clone(), var.size);
                data.signals.insert(name.clone(), Vec::new());
                bit_names.push((name, var.size));
                Slot::Bits(bit_names.len() - 1)
            }
        };
        slots.entry(var.code).or_default().push(slot);
    }
    let mut bit_changes: Vec<Vec<VcdChange>> = vec![Vec::new(); bit_names.len()];
    let mut real_changes: Vec<Vec<(u64, f64)>> = vec![Vec::new(); real_names.len()];

    let mut time = 0u64;
    for cmd in parser {
        let cmd = cmd.map_err(|e| map_io(path, e))?;
        let (id, bits): (IdCode, Vec<Value>) = match cmd {
            Command::Timestamp(t) => {
                time = t;
                data.end_time = data.end_time.max(t);
                continue;
            }
            Command::ChangeScalar(id, v) => (id, vec![v]),
            Command::ChangeVector(id, v) => (id, v.into()),
            Command::ChangeReal(id, r) => {
                for slot in slots.get(&id).into_iter().flatten() {
                    match *slot {
                        Slot::Real(i) => real_changes[i].push((time, r)),
                        // A real value on a bit signal: record its integer part if it has one.
                        Slot::Bits(i) => bit_changes[i].push(VcdChange {
                            time,
                            value: (r.is_finite() && r >= 0.0).then_some(r as u128),
                            width: bit_names[i].1,
                        }),
                    }
                }
                continue;
            }
            _ => continue,
        };
        for slot in slots.get(&id).into_iter().flatten() {
            match *slot {
                Slot::Bits(i) => {
                    let width = bit_names[i].1;
                    bit_changes[i].push(VcdChange {
                        time,
                        value: bits_value(&bits, width),
                        width,
                    });
                }
                Slot::Real(i) => {
                    if let Some(v) = bits_value(&bits, 64) {
                        real_changes[i].push((time, v as f64));
                    }
                }
            }
        }
    }
    for ((name, _), changes) in bit_names.into_iter().zip(bit_changes) {
        data.signals.insert(name, changes);
    }
    for (name, changes) in real_names.into_iter().zip(real_changes) {
        data.reals.insert(name, changes);
    }
    Ok(data)
}

/// The value of a VCD bit string (MSB first) as the low 128 bits of a `width`-bit signal; `None` if
/// any bit of the (extended) value is `x` or `z`. A short string is extended by the VCD rule: with
/// 0 if its leftmost bit is 0 or 1, with x or z if that is x or z.
fn bits_value(bits: &[Value], width: u32) -> Option<u128> {
    if bits.iter().any(|b| matches!(b, Value::X | Value::Z)) {
        return None;
    }
    // Only the low `width` bits count (a longer string is malformed; keep its low bits).
    let keep = (width as usize).min(bits.len());
    let mut v = 0u128;
    for b in &bits[bits.len() - keep..] {
        v = (v << 1) | u128::from(*b == Value::V1);
    }
    Some(v)
}

/// Flatten the scope tree into `(hierarchical name, var)` pairs, in declaration order.
fn collect_vars(items: &[ScopeItem], prefix: &mut Vec<String>, out: &mut Vec<(String, Var)>) {
    for item in items {
        match item {
            ScopeItem::Scope(s) => {
                prefix.push(s.identifier.clone());
                collect_vars(&s.items, prefix, out);
                prefix.pop();
            }
            ScopeItem::Var(v) => {
                let mut reference = v.reference.clone();
                // Some writers attach the range to the name: `count[7:0]`.
                if let Some(open) = reference.rfind('[') {
                    if reference.ends_with(']') {
                        if let Ok(ReferenceIndex::Range(..)) =
                            reference[open..].parse::<ReferenceIndex>()
                        {
                            reference.truncate(open);
                        }
                    }
                }
                if let Some(ReferenceIndex::BitSelect(i)) = v.index {
                    reference = format!("{reference}[{i}]");
                }
                let mut name = prefix.join(".");
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(&reference);
                out.push((name, v.clone()));
            }
            _ => {}
        }
    }
}

/// Read the header: everything up to and including the `$end` of `$enddefinitions`.
fn read_header_bytes<R: BufRead>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut token = Vec::new();
    let mut in_text = false; // inside $comment / $date / $version
    let mut after_enddefs = false;
    loop {
        let (done, used) = {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                if after_enddefs && token.ends_with(b"$end") {
                    return Ok(out);
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "unexpected end of VCD file before $enddefinitions",
                ));
            }
            let mut done = false;
            let mut used = 0;
            for &b in buf {
                used += 1;
                out.push(b);
                if !b.is_ascii_whitespace() {
                    token.push(b);
                    continue;
                }
                if token.is_empty() {
                    continue;
                }
                if in_text {
                    in_text = !token.ends_with(b"$end");
                } else if after_enddefs && token.ends_with(b"$end") {
                    done = true;
                } else if matches!(&token[..], b"$comment" | b"$date" | b"$version") {
                    in_text = true;
                } else if token == b"$enddefinitions" {
                    after_enddefs = true;
                }
                token.clear();
                if done {
                    break;
                }
            }
            (done, used)
        };
        reader.consume(used);
        if done {
            return Ok(out);
        }
    }
}

/// Rewrite header constructs the `vcd` crate does not accept, keeping every newline in place (so
/// parse-error line numbers still match the file): unknown variable types become `wire` (`real` for
/// `realtime`/`shortreal`), unknown scope types become `module`, unknown commands (`$attrbegin`,
/// ...) are blanked out.
fn normalize_header(raw: &[u8]) -> Vec<u8> {
    // Token spans.
    let mut spans = Vec::new();
    let mut start = None;
    for (i, &b) in raw.iter().enumerate() {
        match (b.is_ascii_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, raw.len()));
    }
    let tok = |k: usize| -> &[u8] { &raw[spans[k].0..spans[k].1] };

    // (span index, replacement); a `None` replacement blanks the span.
    let mut edits: Vec<(usize, Option<&'static [u8]>)> = Vec::new();
    // Index of the first token after the `$end` that closes the command containing token `k`
    // (`from` is the first token that may be the `$end`).
    let after_end = |from: usize| {
        let mut j = from;
        while j < spans.len() && !tok(j).ends_with(b"$end") {
            j += 1;
        }
        j + 1
    };
    let mut k = 0;
    while k < spans.len() {
        let t = tok(k);
        k = match t {
            b"$var" => {
                if k + 1 < spans.len() {
                    let ty = String::from_utf8_lossy(tok(k + 1));
                    if ty.parse::<VarType>().is_err() {
                        let rep: &'static [u8] = match ty.as_ref() {
                            "realtime" | "shortreal" => b"real",
                            _ => b"wire",
                        };
                        edits.push((k + 1, Some(rep)));
                    }
                }
                // type, size, id code (which may start with `$`), reference, then `$end`.
                after_end(k + 5)
            }
            b"$scope" => {
                if k + 1 < spans.len() {
                    let ty = String::from_utf8_lossy(tok(k + 1));
                    if ty.parse::<ScopeType>().is_err() {
                        edits.push((k + 1, Some(b"module")));
                    }
                }
                after_end(k + 1)
            }
            _ if t.starts_with(b"$") && !t.ends_with(b"$end") => {
                let next = after_end(k + 1);
                if !is_known_header_command(t) {
                    edits.extend((k..next.min(spans.len())).map(|j| (j, None)));
                }
                next
            }
            _ => k + 1,
        };
    }

    let mut out = Vec::with_capacity(raw.len());
    let mut pos = 0;
    for (k, rep) in edits {
        let (s, e) = spans[k];
        out.extend_from_slice(&raw[pos..s]);
        match rep {
            Some(r) => out.extend_from_slice(r),
            None => out.resize(out.len() + (e - s), b' '),
        }
        pos = e;
    }
    out.extend_from_slice(&raw[pos..]);
    out
}

fn is_known_header_command(t: &[u8]) -> bool {
    matches!(
        t,
        b"$comment" | b"$date" | b"$version" | b"$timescale" | b"$upscope" | b"$enddefinitions"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_conversion() {
        assert_eq!(to_signed(0xFFFF, 16), Some(-1));
        assert_eq!(to_signed(0x7FFF, 16), Some(32767));
        assert_eq!(to_signed(0x8000, 16), Some(-32768));
        assert_eq!(to_signed(1, 1), Some(-1));
        assert_eq!(to_signed(u64::MAX as u128, 64), Some(-1));
        assert_eq!(to_signed(u64::MAX as u128, 65), None);
        assert_eq!(to_signed(5, 0), None);
    }

    #[test]
    fn short_vectors_are_zero_extended_and_x_is_none() {
        use Value::*;
        assert_eq!(bits_value(&[V1, V0], 8), Some(2));
        assert_eq!(bits_value(&[V1, X], 8), None);
        assert_eq!(bits_value(&[Z], 8), None);
        assert_eq!(bits_value(&[V1, V1, V1], 2), Some(3));
    }

    #[test]
    fn header_normalization_keeps_lines() {
        let raw = b"$scope struct s $end\n$attrbegin misc 07 foo 1 $end\n$var logic 8 ! x [7:0] $end\n$var bit 1 $ y $end\n$comment $var bogus $end\n$enddefinitions $end\n";
        let out = normalize_header(raw);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("$scope module s $end"), "{text}");
        assert!(text.contains("$var wire 8 ! x [7:0] $end"), "{text}");
        assert!(text.contains("$var wire 1 $ y $end"), "id code `$`: {text}");
        assert!(!text.contains("attrbegin"), "{text}");
        assert!(
            text.contains("$var bogus"),
            "comment text is left alone: {text}"
        );
        assert_eq!(text.lines().count(), 6);
    }
}
