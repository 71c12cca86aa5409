//! Combinational lookup tables (see `spikeforge_model::lut` for the specification).
//!
//! A table is an asynchronous-read ROM (the core's S1 stage is combinational) plus its index
//! logic, built from the table's public fields (`offset`, `shift`, `entries`, formats):
//! * **step**: `index = clamp((x - offset) >>> shift, 0, len - 1)`, `y = rom[index]`;
//! * **linear**: `xc = clamp(x - offset, 0, len 2^shift - 1)`, `k = xc >> shift`,
//!   `r = xc & (2^shift - 1)`; the ROM word `k` holds `{e[k+1] - e[k], e[k]}` (slope and base, one
//!   read), `y = e[k] + round_half_up((slope * r) >>> shift)`: one narrow multiply (the slope's
//!   width by `shift + 1` bits).
use crate::ir::{addr_width, ModuleBuilder, Sig, Ty};
use spikeforge_model::lut::{Lut, LutMode};

/// The fewest bits of a signed word holding `v` (at least 1).
pub(super) fn signed_bits(v: i64) -> u32 {
    let mut w = 1;
    while w < 64 && !(-(1i128 << (w - 1)) <= v as i128 && (v as i128) < (1i128 << (w - 1))) {
        w += 1;
    }
    w
}

/// A signed constant of the fewest bits holding `v`.
pub(super) fn const_min(b: &ModuleBuilder, v: i64) -> Sig {
    b.const_s(v as i128, signed_bits(v))
}

/// The number of bits of the unsigned value `v` (0 for 0).
fn bit_len(v: u128) -> u32 {
    128 - v.leading_zeros()
}

/// A header line describing `lut`.
pub(super) fn describe(lut: &Lut) -> String {
    let mode = match lut.mode {
        LutMode::Step => "step (piecewise constant)",
        LutMode::Linear => "linear (interpolated)",
    };
    format!(
        "LUT {}: {mode}, {} buckets of 2^{} LSB of {} from raw {}, {} entries in {}",
        lut.name,
        lut.len(),
        lut.shift,
        lut.in_fmt,
        lut.offset,
        lut.entries.len(),
        lut.out_fmt
    )
}

/// Clamp the signed signal `d` into `0 ..= top` and return its low bits as an unsigned word of
/// `bits` bits (`top < 2^bits`).
fn clamp_index(b: &ModuleBuilder, d: Sig, top: u128, bits: u32) -> Sig {
    debug_assert!(d.is_signed() && top < (1u128 << bits));
    let w = d.width().max(bits + 1);
    let dx = b.sext(d, w);
    let neg = b.msb(dx);
    let zero = b.const_s(0, w);
    // only compare with the top when `d` can exceed it (no constant comparisons)
    let upper = if (top as i128) < d.ty().max_value() {
        let t = b.const_s(top as i128, w);
        b.mux(b.gt(dx, t), t, dx)
    } else {
        dx
    };
    let c = b.mux(neg, zero, upper);
    b.slice(c, bits - 1, 0)
}

/// The value of `lut` at the raw input `x` (a signed word of the table's input format), a signed
/// word of the table's output format. `name` names the ROM.
pub(super) fn lookup(b: &ModuleBuilder, lut: &Lut, x: Sig) -> Sig {
    assert_eq!(
        x.width(),
        lut.in_fmt.width(),
        "LUT {}: input width",
        lut.name
    );
    let name = format!("lut_{}", lut.name);
    let len = lut.len();
    let ow = lut.out_fmt.width();
    let aw = addr_width(len);
    let off = b.const_s(lut.offset as i128, signed_bits(lut.offset).max(x.width()));
    let d = b.named(&format!("{name}_d"), b.sub(x, off)); // x - offset, exact
    match lut.mode {
        LutMode::Step => {
            let k = b.shr(d, lut.shift); // floor((x - offset) / 2^shift), signed
            let idx = b.named(
                &format!("{name}_idx"),
                clamp_index(b, k, len as u128 - 1, aw),
            );
            let contents: Vec<i128> = lut.entries.iter().map(|e| *e as i128).collect();
            b.rom_async(&name, Ty::signed(ow), &contents, idx)
        }
        LutMode::Linear => {
            let s = lut.shift;
            let top = ((len as u128) << s) - 1;
            let xw = bit_len(top).max(1);
            let xc = b.named(&format!("{name}_xc"), clamp_index(b, d, top, xw));
            // bucket index k (aw bits) and position r inside the bucket (s bits)
            let k = if xw > s {
                b.slice(xc, xw - 1, s)
            } else {
                b.const_u(0, 1)
            };
            let k = if k.width() < aw {
                b.zext(k, aw)
            } else {
                b.trunc(k, aw)
            };
            let base: Vec<i64> = lut.entries[..len].to_vec();
            if s == 0 {
                // every bucket is one input LSB: no interpolation
                let contents: Vec<i128> = base.iter().map(|e| *e as i128).collect();
                return b.rom_async(&name, Ty::signed(ow), &contents, k);
            }
            let slopes: Vec<i64> = lut.entries.windows(2).map(|p| p[1] - p[0]).collect();
            let sw = slopes.iter().map(|v| signed_bits(*v)).max().unwrap_or(1);
            let (tb, ts) = (Ty::signed(ow), Ty::signed(sw));
            let contents: Vec<i128> = base
                .iter()
                .zip(&slopes)
                .map(|(e, sl)| ((ts.bits_of(*sl as i128) << ow) | tb.bits_of(*e as i128)) as i128)
                .collect();
            let word = b.rom_async(&name, Ty::unsigned(ow + sw), &contents, k);
            let e0 = b.named(
                &format!("{name}_base"),
                b.as_signed(b.slice(word, ow - 1, 0)),
            );
            let slope = b.named(
                &format!("{name}_slope"),
                b.as_signed(b.slice(word, ow + sw - 1, ow)),
            );
            let r = b.to_signed(b.slice(xc, s - 1, 0)); // s + 1 bits, >= 0
            let step = b.round_shr(b.mul(slope, r), s);
            // e0 + step lies between e[k] and e[k+1]: the output format holds it, the truncation is exact
            let y = b.add(e0, step);
            b.trunc(y, ow)
        }
    }
}
