//! Lookup tables: the hardware form of the transcendental functions of the fixed twins (the
//! exponential of AdEx, the steady states, rates and folded currents of Morris-Lecar and of the
//! silicon neuron).
//!
//! # The contract
//! A [`Lut`] maps a raw input word `x` (format `in_fmt`) to a raw output word (format `out_fmt`).
//! The input range is cut into `len` buckets of `2^shift` input LSBs starting at the raw input
//! `offset`. Two modes:
//!
//! * [`LutMode::Step`] (piecewise constant, one ROM read, no arithmetic): `len` entries, entry `k`
//!   is the function sampled at the **centre** of bucket `k`, the real input
//!   `(offset + k 2^shift + (2^shift - 1)/2) 2^-f`.
//!   ```text
//!   index = clamp((x - offset) >>> shift, 0, len - 1)    // W+1-bit subtract, arithmetic shift
//!   y     = entries[index]
//!   ```
//!   Error: at most `|f'| 2^(shift-1) 2^-f` (half a bucket times the slope) plus half an output LSB.
//! * [`LutMode::Linear`] (linear interpolation between bucket edges): `len + 1` entries, entry `k`
//!   is the function sampled at the **lower edge** of bucket `k`, the real input
//!   `(offset + k 2^shift) 2^-f` (entry `len` at the top edge).
//!   ```text
//!   xc = clamp(x - offset, 0, len 2^shift - 1)           // W+1 bits
//!   k  = xc >>> shift;  r = xc & (2^shift - 1)            // index bits | fraction bits
//!   y  = e[k] + round_half_up(((e[k+1] - e[k]) * r) >>> shift)
//!   ```
//!   one narrow multiply (an entry difference by `shift` bits). Error: at most
//!   `|f''| (2^shift 2^-f)^2 / 8` plus one output LSB.
//!
//! Inputs below (above) the table use its first (last) value. Both modes are bit-exact
//! specifications; the RTL builds the ROM from `entries` and the arithmetic above.
//!
//! # How a table is built ([`Lut::sample`])
//! * `offset` is the raw input nearest below `lo` (`floor(lo 2^f)`), clamped to the input range;
//! * `shift` is the smallest shift for which the buckets from `offset` up to the raw input nearest
//!   above `hi` need at most `max_entries` entries (every model uses at most [`MAX_LUT_LEN`] = 1024,
//!   one block RAM);
//! * every sample is quantised into `out_fmt` (round half-up); a sample that does not fit is a
//!   [`ModelError::DoesNotFit`] naming the table and the entry.
use crate::error::ModelError;
use crate::fixed::{shr_round, QFormat, Rounding};
use crate::params::quantize_param;
use serde::Serialize;

/// The largest table any model builds (1024 words: one 18/36 kbit block RAM for words up to 36 bits).
pub const MAX_LUT_LEN: usize = 1024;

/// How a table's entries are sampled and read (module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LutMode {
    /// Piecewise constant, sampled at bucket centres.
    Step,
    /// Linear interpolation between samples at bucket edges.
    Linear,
}

/// A lookup table over one fixed-point word.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lut {
    /// What the table holds, e.g. `exp` (also the name in errors and of the RTL ROM).
    pub name: &'static str,
    pub mode: LutMode,
    /// Format of the input word `x`.
    pub in_fmt: QFormat,
    /// Raw input value of the lower edge of bucket 0.
    pub offset: i64,
    /// A bucket is `2^shift` input LSBs wide.
    pub shift: u32,
    /// Format of the entries (and of the output).
    pub out_fmt: QFormat,
    /// The ROM contents (raw values in `out_fmt`): `len` words (step) or `len + 1` (linear).
    pub entries: Vec<i64>,
}

impl Lut {
    /// Sample `f` over the real input range `lo ..= hi` into a table of at most `max_entries` words
    /// (module doc).
    #[allow(clippy::too_many_arguments)]
    pub fn sample(
        name: &'static str,
        mode: LutMode,
        in_fmt: QFormat,
        lo: f64,
        hi: f64,
        max_entries: usize,
        out_fmt: QFormat,
        f: impl Fn(f64) -> f64,
    ) -> Result<Lut, ModelError> {
        let extra = usize::from(mode == LutMode::Linear);
        if !(lo.is_finite() && hi.is_finite() && lo <= hi) || max_entries < 1 + extra {
            return Err(ModelError::BadValue {
                name: format!("{name} table range"),
                value: hi - lo,
                why: format!("needs finite lo <= hi (got {lo} .. {hi}) and room for the entries"),
            });
        }
        let max_len = (max_entries - extra) as u128;
        let scale = (in_fmt.frac_bits as f64).exp2();
        let clampf = |x: f64| {
            x.clamp(in_fmt.min_raw() as f64, in_fmt.max_raw() as f64)
                .clamp(i64::MIN as f64, i64::MAX as f64) as i64
        };
        let offset = clampf((lo * scale).floor());
        let top = clampf((hi * scale).ceil()).max(offset);
        let span = (top as i128 - offset as i128) as u128; // raw inputs above offset
        let mut shift = 0u32;
        while (span >> shift) + 1 > max_len {
            shift += 1;
        }
        let len = ((span >> shift) + 1) as usize;
        let bucket = (shift as f64).exp2();
        let pos = match mode {
            LutMode::Step => ((1i128 << shift) - 1) as f64 / 2.0,
            LutMode::Linear => 0.0,
        };
        let entries = (0..len + extra)
            .map(|k| {
                let x = (offset as f64 + k as f64 * bucket + pos) / scale;
                quantize_param(&format!("{name} table entry {k}"), f(x), out_fmt)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Lut {
            name,
            mode,
            in_fmt,
            offset,
            shift,
            out_fmt,
            entries,
        })
    }

    /// Number of buckets.
    pub fn len(&self) -> usize {
        match self.mode {
            LutMode::Step => self.entries.len(),
            LutMode::Linear => self.entries.len() - 1,
        }
    }

    /// Whether the table has no buckets (never, for a table built by [`Lut::sample`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bucket of raw input `x`: `clamp((x - offset) >>> shift, 0, len - 1)`.
    #[inline]
    pub fn index(&self, x: i64) -> usize {
        let k = (x as i128 - self.offset as i128) >> self.shift;
        k.clamp(0, self.len() as i128 - 1) as usize
    }

    /// The table's value for raw input `x` (raw, in `out_fmt`), by the mode's rule (module doc).
    #[inline]
    pub fn lookup(&self, x: i64) -> i64 {
        match self.mode {
            LutMode::Step => self.entries[self.index(x)],
            LutMode::Linear => {
                let top = ((self.len() as i128) << self.shift) - 1;
                let xc = (x as i128 - self.offset as i128).clamp(0, top);
                let k = (xc >> self.shift) as usize;
                let r = xc & ((1i128 << self.shift) - 1);
                let (e0, e1) = (self.entries[k] as i128, self.entries[k + 1] as i128);
                (e0 + shr_round((e1 - e0) * r, self.shift, Rounding::HalfUp)) as i64
            }
        }
    }

    /// The real input where entry `k` was sampled (a bucket centre, or an edge for linear tables).
    pub fn sample_point(&self, k: usize) -> f64 {
        let pos = match self.mode {
            LutMode::Step => ((1i128 << self.shift) - 1) as f64 / 2.0,
            LutMode::Linear => 0.0,
        };
        self.in_fmt
            .to_f64(self.offset as i128 + ((k as i128) << self.shift))
            + pos * self.in_fmt.lsb()
    }

    /// The real input range covered by the buckets (`offset` to the last raw input of the last
    /// bucket).
    pub fn range(&self) -> (f64, f64) {
        let lo = self.in_fmt.to_f64(self.offset as i128);
        let hi = self
            .in_fmt
            .to_f64(self.offset as i128 + ((self.len() as i128) << self.shift) - 1);
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_buckets_clamp_and_sample_at_centres() {
        let fin = QFormat::q(7, 4); // LSB 1/16
        let fout = QFormat::q(7, 8);
        let l = Lut::sample("id", LutMode::Step, fin, -1.0, 1.0, 8, fout, |x| x).unwrap();
        // 33 raw inputs from -16 to 16 -> shift 3 gives 5 buckets of 8
        assert_eq!((l.offset, l.shift, l.len()), (-16, 3, 5));
        assert_eq!(l.index(-100), 0);
        assert_eq!(l.index(-16), 0);
        assert_eq!(l.index(-9), 0);
        assert_eq!(l.index(-8), 1);
        assert_eq!(l.index(16), 4);
        assert_eq!(l.index(1000), 4);
        // bucket 0 covers raw -16..-9, centre -12.5/16
        assert!((l.sample_point(0) + 12.5 / 16.0).abs() < 1e-12);
        assert_eq!(l.lookup(-16), fout.quantize(-12.5 / 16.0).unwrap().0 as i64);
        assert_eq!(l.lookup(-1000), l.entries[0]);
        assert_eq!(l.range(), (-1.0, 23.0 / 16.0));
    }

    #[test]
    fn linear_interpolates_between_edges() {
        let fin = QFormat::q(7, 4);
        let fout = QFormat::q(7, 8);
        let hi = 4.0 - 1.0 / 16.0;
        let l = Lut::sample("sq", LutMode::Linear, fin, 0.0, hi, 9, fout, |x| x * x).unwrap();
        // raw inputs 0..=63 -> 8 buckets of 8 LSB (0.5), 9 edge samples 0, 0.25, 1, ..., 16
        assert_eq!((l.shift, l.len(), l.entries.len()), (3, 8, 9));
        assert_eq!(l.entries[2], 256); // 1.0
        assert_eq!(l.lookup(16), 256); // at an edge: exact
        assert_eq!(l.lookup(20), (256 + 576) / 2); // halfway between 1.0 and 2.25
        assert_eq!(l.lookup(-5), 0);
        // above the table: the top edge value minus one LSB's share of the last slope
        let top = l.lookup(10_000);
        assert_eq!(top, l.lookup(63));
        assert!((fout.to_f64(top as i128) - 16.0).abs() < 1.0);
        // the interpolation error is below |f''| h^2 / 8 + 1 LSB
        for raw in 0..64i64 {
            let x = fin.to_f64(raw as i128);
            let err = (fout.to_f64(l.lookup(raw) as i128) - x * x).abs();
            assert!(err <= 2.0 * 0.25 / 8.0 + 1.0 / 256.0, "{x}: {err}");
        }
    }

    #[test]
    fn shift_zero_is_exact_and_errors_name_the_table() {
        let fin = QFormat::q(3, 2);
        let l = Lut::sample(
            "sq",
            LutMode::Step,
            fin,
            0.0,
            2.0,
            64,
            QFormat::q(7, 4),
            |x| x * x,
        )
        .unwrap();
        assert_eq!(l.shift, 0);
        for raw in 0..=8i64 {
            let x = fin.to_f64(raw as i128);
            assert_eq!(l.lookup(raw), (x * x * 16.0).round() as i64);
        }
        let e = Lut::sample(
            "big",
            LutMode::Linear,
            fin,
            0.0,
            2.0,
            64,
            QFormat::q(1, 4),
            |x| 10.0 * x,
        )
        .unwrap_err();
        assert!(
            matches!(e, ModelError::DoesNotFit { ref name, .. } if name.starts_with("big table"))
        );
    }
}
