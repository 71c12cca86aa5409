//! Fixed-point numbers with explicit formats, width growth, rounding and overflow.
//!
//! # The contract
//! * A [`QFormat`] is signedness + integer bits + fraction bits. `Q7.8` is sign + 7 integer + 8
//!   fraction bits (16 bits, two's complement); `UQ8.8` is unsigned, 16 bits. A stored word is at most
//!   64 bits wide; intermediates (products, sums) may be up to 128 bits and are held in `i128`.
//! * A value is an integer `raw` in that format; its real value is `raw * 2^-frac_bits`.
//! * Width growth: `a + b` has `max(frac)` fraction bits and `max(int) + 1` integer bits; `a * b` has
//!   `frac_a + frac_b` fraction bits and `int_a + int_b + 1` integer bits (signed), so both are exact.
//! * Rounding when fraction bits are dropped: [`Rounding::Floor`] (arithmetic right shift, toward minus
//!   infinity) or [`Rounding::HalfUp`] (add half an LSB, then arithmetic right shift; ties go up).
//! * Overflow when a value is stored into a narrower format: [`Overflow::Saturate`] (clamp to the
//!   format's range) or [`Overflow::Wrap`] (keep the low bits, two's complement).
//! * Defaults of the neuron twins: saturate on every store to state, round half-up on every multiply.
//!
//! These rules are the numeric half of the hardware specification: the RTL in `spikeforge-hdl` computes
//! the same integers.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Errors of the fixed-point core.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FixedError {
    /// A format string that is not `Qm.n` / `UQm.n`.
    #[error(
        "invalid fixed-point format '{0}': expected Qm.n (signed) or UQm.n (unsigned), e.g. Q7.8"
    )]
    BadFormat(String),
    /// A format wider than allowed.
    #[error("fixed-point format {fmt} is {width} bits wide; at most {max} bits are allowed")]
    TooWide { fmt: String, width: u32, max: u32 },
    /// A real value that the format cannot hold.
    #[error("value {value} does not fit {fmt} (range {min} .. {max})")]
    OutOfRange {
        value: f64,
        fmt: String,
        min: f64,
        max: f64,
    },
    /// NaN or infinity.
    #[error("value {0} is not a finite number")]
    NotFinite(f64),
}

/// Rounding applied when fraction bits are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    /// Truncate toward minus infinity (an arithmetic right shift).
    Floor,
    /// Add half an LSB of the result, then floor: ties round up (toward plus infinity).
    #[default]
    HalfUp,
}

/// Overflow behaviour when a value is stored into a format it does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Overflow {
    /// Clamp to the nearest representable value.
    #[default]
    Saturate,
    /// Keep the low `width` bits (two's complement wrap-around).
    Wrap,
}

/// A fixed-point format: signedness, integer bits and fraction bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QFormat {
    pub signed: bool,
    pub int_bits: u32,
    pub frac_bits: u32,
}

/// Widest stored word.
pub const MAX_STORED_WIDTH: u32 = 64;
/// Widest intermediate.
pub const MAX_WIDTH: u32 = 127;

impl QFormat {
    /// A signed format `Q{int}.{frac}`. Panics only on widths over 127 (a programming error).
    pub const fn q(int_bits: u32, frac_bits: u32) -> Self {
        assert!(1 + int_bits + frac_bits <= MAX_WIDTH);
        QFormat {
            signed: true,
            int_bits,
            frac_bits,
        }
    }
    /// An unsigned format `UQ{int}.{frac}`.
    pub const fn uq(int_bits: u32, frac_bits: u32) -> Self {
        assert!(int_bits + frac_bits <= MAX_WIDTH && int_bits + frac_bits > 0);
        QFormat {
            signed: false,
            int_bits,
            frac_bits,
        }
    }
    /// A checked constructor for stored words (at most 64 bits, at least 1).
    pub fn new(signed: bool, int_bits: u32, frac_bits: u32) -> Result<Self, FixedError> {
        let f = QFormat {
            signed,
            int_bits,
            frac_bits,
        };
        let w = int_bits as u64 + frac_bits as u64 + signed as u64;
        let max = if signed {
            MAX_STORED_WIDTH
        } else {
            MAX_STORED_WIDTH - 1
        };
        if w == 0 {
            return Err(FixedError::BadFormat(f.to_string()));
        }
        if w > max as u64 {
            return Err(FixedError::TooWide {
                fmt: f.to_string(),
                width: w.min(u32::MAX as u64) as u32,
                max,
            });
        }
        Ok(f)
    }
    /// Total width in bits.
    pub const fn width(&self) -> u32 {
        self.int_bits + self.frac_bits + self.signed as u32
    }
    /// Smallest raw value.
    pub const fn min_raw(&self) -> i128 {
        if self.signed {
            -(1i128 << (self.width() - 1))
        } else {
            0
        }
    }
    /// Largest raw value.
    pub const fn max_raw(&self) -> i128 {
        if self.signed {
            (1i128 << (self.width() - 1)) - 1
        } else {
            (1i128 << self.width()) - 1
        }
    }
    /// The value of one LSB.
    pub fn lsb(&self) -> f64 {
        (-(self.frac_bits as f64)).exp2()
    }
    /// Smallest representable real value.
    pub fn min_value(&self) -> f64 {
        self.min_raw() as f64 * self.lsb()
    }
    /// Largest representable real value.
    pub fn max_value(&self) -> f64 {
        self.max_raw() as f64 * self.lsb()
    }
    /// Whether `raw` is representable.
    pub fn contains(&self, raw: i128) -> bool {
        raw >= self.min_raw() && raw <= self.max_raw()
    }
    /// Clamp `raw` to the format's range.
    pub fn saturate(&self, raw: i128) -> i128 {
        raw.clamp(self.min_raw(), self.max_raw())
    }
    /// Keep the low `width` bits of `raw`, interpreted in this format.
    pub fn wrap(&self, raw: i128) -> i128 {
        let w = self.width();
        let mask = (1i128 << w) - 1;
        let low = raw & mask;
        if self.signed && (low >> (w - 1)) & 1 == 1 {
            low - (1i128 << w)
        } else {
            low
        }
    }
    /// Store `raw` (already in this format's fraction bits) with the given overflow rule.
    pub fn store(&self, raw: i128, overflow: Overflow) -> i128 {
        match overflow {
            Overflow::Saturate => self.saturate(raw),
            Overflow::Wrap => self.wrap(raw),
        }
    }
    /// Quantise a real value: round to the nearest LSB (ties up) and fail if it does not fit.
    /// Returns the raw value and the quantisation error `quantised - x`.
    pub fn quantize(&self, x: f64) -> Result<(i128, f64), FixedError> {
        if !x.is_finite() {
            return Err(FixedError::NotFinite(x));
        }
        let scaled = x * (self.frac_bits as f64).exp2();
        let raw = (scaled + 0.5).floor();
        if raw < self.min_raw() as f64 || raw > self.max_raw() as f64 {
            return Err(FixedError::OutOfRange {
                value: x,
                fmt: self.to_string(),
                min: self.min_value(),
                max: self.max_value(),
            });
        }
        let raw = raw as i128;
        Ok((raw, self.to_f64(raw) - x))
    }
    /// Quantise a real value, saturating out-of-range values (NaN gives 0).
    pub fn quantize_saturating(&self, x: f64) -> i128 {
        if x.is_nan() {
            return 0;
        }
        let scaled = (x * (self.frac_bits as f64).exp2() + 0.5).floor();
        if scaled <= self.min_raw() as f64 {
            self.min_raw()
        } else if scaled >= self.max_raw() as f64 {
            self.max_raw()
        } else {
            scaled as i128
        }
    }
    /// The real value of `raw`.
    pub fn to_f64(&self, raw: i128) -> f64 {
        raw as f64 * self.lsb()
    }
    /// Module-name fragment: `q7_8`, `uq8_8`.
    pub fn ident(&self) -> String {
        format!(
            "{}q{}_{}",
            if self.signed { "" } else { "u" },
            self.int_bits,
            self.frac_bits
        )
    }
    /// The format of `self + other` (exact).
    pub fn add_format(&self, other: &QFormat) -> QFormat {
        let signed = self.signed || other.signed;
        QFormat {
            signed,
            int_bits: self.int_bits.max(other.int_bits) + 1,
            frac_bits: self.frac_bits.max(other.frac_bits),
        }
    }
    /// The format of `self * other` (exact).
    pub fn mul_format(&self, other: &QFormat) -> QFormat {
        let signed = self.signed || other.signed;
        let int_bits = self.int_bits + other.int_bits + u32::from(self.signed && other.signed);
        QFormat {
            signed,
            int_bits,
            frac_bits: self.frac_bits + other.frac_bits,
        }
    }
}

impl fmt::Display for QFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}Q{}.{}",
            if self.signed { "" } else { "U" },
            self.int_bits,
            self.frac_bits
        )
    }
}

impl FromStr for QFormat {
    type Err = FixedError;
    fn from_str(s: &str) -> Result<Self, FixedError> {
        let t = s.trim();
        let (signed, rest) = if let Some(r) = t.strip_prefix("UQ").or_else(|| t.strip_prefix("uq"))
        {
            (false, r)
        } else if let Some(r) = t.strip_prefix('Q').or_else(|| t.strip_prefix('q')) {
            (true, r)
        } else {
            return Err(FixedError::BadFormat(s.to_string()));
        };
        let (i, f) = rest
            .split_once('.')
            .ok_or_else(|| FixedError::BadFormat(s.to_string()))?;
        let parse = |x: &str| -> Result<u32, FixedError> {
            if x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()) || x.len() > 3 {
                return Err(FixedError::BadFormat(s.to_string()));
            }
            x.parse().map_err(|_| FixedError::BadFormat(s.to_string()))
        };
        QFormat::new(signed, parse(i)?, parse(f)?)
    }
}

/// Drop `shift` fraction bits of `x` with the given rounding. `shift == 0` returns `x`.
///
/// Floor is `x >>> shift`; half-up is `(x + 2^(shift-1)) >>> shift`.
#[inline]
pub fn shr_round(x: i128, shift: u32, rounding: Rounding) -> i128 {
    if shift == 0 {
        return x;
    }
    match rounding {
        Rounding::Floor => x >> shift,
        Rounding::HalfUp => (x + (1i128 << (shift - 1))) >> shift,
    }
}

/// Change the number of fraction bits of a raw value: left shift (exact) when growing, rounded right
/// shift when shrinking.
#[inline]
pub fn rescale(x: i128, from_frac: u32, to_frac: u32, rounding: Rounding) -> i128 {
    if to_frac >= from_frac {
        x << (to_frac - from_frac)
    } else {
        shr_round(x, from_frac - to_frac, rounding)
    }
}

/// Multiply a value with `a_frac` fraction bits by a coefficient with `c_frac` fraction bits and return
/// the product rounded to `out_frac` fraction bits. The product itself is exact (128-bit).
#[inline]
pub fn mul_round(
    a: i64,
    coeff: i64,
    a_frac: u32,
    c_frac: u32,
    out_frac: u32,
    rounding: Rounding,
) -> i128 {
    rescale(
        a as i128 * coeff as i128,
        a_frac + c_frac,
        out_frac,
        rounding,
    )
}

/// A value together with its format. Arithmetic on `Fixed` follows the width-growth rules exactly;
/// narrowing happens only in [`Fixed::convert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fixed {
    pub raw: i128,
    pub fmt: QFormat,
}

impl Fixed {
    /// A value from its raw integer; the raw value must fit the format.
    pub fn from_raw(raw: i128, fmt: QFormat) -> Option<Fixed> {
        fmt.contains(raw).then_some(Fixed { raw, fmt })
    }
    /// Quantise a real value (round half-up); fails when it does not fit.
    pub fn from_f64(x: f64, fmt: QFormat) -> Result<(Fixed, f64), FixedError> {
        let (raw, err) = fmt.quantize(x)?;
        Ok((Fixed { raw, fmt }, err))
    }
    /// Real value.
    pub fn to_f64(&self) -> f64 {
        self.fmt.to_f64(self.raw)
    }
    /// Exact sum in the grown format.
    pub fn add(&self, o: &Fixed) -> Fixed {
        let fmt = self.fmt.add_format(&o.fmt);
        let raw = rescale(self.raw, self.fmt.frac_bits, fmt.frac_bits, Rounding::Floor)
            + rescale(o.raw, o.fmt.frac_bits, fmt.frac_bits, Rounding::Floor);
        Fixed { raw, fmt }
    }
    /// Exact difference in the grown format.
    pub fn sub(&self, o: &Fixed) -> Fixed {
        let mut fmt = self.fmt.add_format(&o.fmt);
        fmt.signed = true;
        let raw = rescale(self.raw, self.fmt.frac_bits, fmt.frac_bits, Rounding::Floor)
            - rescale(o.raw, o.fmt.frac_bits, fmt.frac_bits, Rounding::Floor);
        Fixed { raw, fmt }
    }
    /// Exact (widening) product.
    pub fn mul(&self, o: &Fixed) -> Fixed {
        Fixed {
            raw: self.raw * o.raw,
            fmt: self.fmt.mul_format(&o.fmt),
        }
    }
    /// Arithmetic right shift by `n` (floor), keeping the format: divides by `2^n` rounding down.
    pub fn shr(&self, n: u32) -> Fixed {
        Fixed {
            raw: self.raw >> n.min(127),
            fmt: self.fmt,
        }
    }
    /// Convert to another format: rounding when fraction bits are dropped, overflow rule on the range.
    pub fn convert(&self, fmt: QFormat, rounding: Rounding, overflow: Overflow) -> Fixed {
        let r = rescale(self.raw, self.fmt.frac_bits, fmt.frac_bits, rounding);
        Fixed {
            raw: fmt.store(r, overflow),
            fmt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_display() {
        let f: QFormat = "Q7.8".parse().unwrap();
        assert_eq!(f, QFormat::q(7, 8));
        assert_eq!(f.width(), 16);
        assert_eq!(f.to_string(), "Q7.8");
        let u: QFormat = "UQ8.8".parse().unwrap();
        assert_eq!(u.width(), 16);
        assert!(!u.signed);
        assert_eq!(u.ident(), "uq8_8");
        for bad in ["Q7", "7.8", "Q7.x", "Q.8", "Q40.40", "UQ0.0", "Q-1.8"] {
            assert!(bad.parse::<QFormat>().is_err(), "{bad}");
        }
        assert_eq!(QFormat::q(7, 8).min_value(), -128.0);
        assert_eq!(QFormat::q(7, 8).max_value(), 128.0 - 1.0 / 256.0);
    }

    #[test]
    fn rounding_examples() {
        // -2.5 LSB: floor -> -3, half-up -> -2
        assert_eq!(shr_round(-5, 1, Rounding::Floor), -3);
        assert_eq!(shr_round(-5, 1, Rounding::HalfUp), -2);
        assert_eq!(shr_round(5, 1, Rounding::HalfUp), 3);
        assert_eq!(shr_round(-6, 2, Rounding::HalfUp), -1); // -1.5 -> -1
        assert_eq!(shr_round(-7, 2, Rounding::HalfUp), -2); // -1.75 -> -2
    }

    #[test]
    fn quantize_reports_out_of_range() {
        let f = QFormat::q(3, 4);
        assert!(matches!(
            f.quantize(8.0),
            Err(FixedError::OutOfRange { .. })
        ));
        assert!(f.quantize(-8.0).is_ok());
        assert!(f.quantize(f64::NAN).is_err());
    }

    fn fmt_strategy() -> impl Strategy<Value = QFormat> {
        (any::<bool>(), 0u32..30, 0u32..30)
            .prop_filter("nonzero", |(s, i, f)| i + f + *s as u32 > 0)
            .prop_map(|(s, i, f)| QFormat {
                signed: s,
                int_bits: i,
                frac_bits: f,
            })
    }

    proptest! {
        #[test]
        fn saturation_never_wraps(f in fmt_strategy(), x in any::<i64>()) {
            let s = f.saturate(x as i128);
            prop_assert!(f.contains(s));
            // saturation keeps the sign and order: never jumps to the other end
            if (x as i128) > f.max_raw() { prop_assert_eq!(s, f.max_raw()); }
            else if (x as i128) < f.min_raw() { prop_assert_eq!(s, f.min_raw()); }
            else { prop_assert_eq!(s, x as i128); }
        }

        #[test]
        fn round_trip_error_at_most_half_lsb(f in fmt_strategy(), u in 0.0f64..1.0) {
            let x = f.min_value() + u * (f.max_value() - f.min_value());
            let (raw, err) = f.quantize(x).unwrap();
            prop_assert!(err.abs() <= f.lsb() / 2.0 + 1e-12 * x.abs().max(1.0));
            prop_assert!((f.to_f64(raw) - x - err).abs() < 1e-9);
        }

        #[test]
        fn widening_multiply_is_exact(a in -(1i64<<31)..(1i64<<31), b in -(1i64<<31)..(1i64<<31)) {
            let fa = Fixed::from_raw(a as i128, QFormat::q(15, 16)).unwrap();
            let fb = Fixed::from_raw(b as i128, QFormat::q(20, 11)).unwrap();
            let p = fa.mul(&fb);
            prop_assert_eq!(p.raw, a as i128 * b as i128);
            prop_assert!(p.fmt.contains(p.raw));
            prop_assert_eq!(p.fmt.frac_bits, 27);
            // the real value is exact
            prop_assert_eq!(p.to_f64(), fa.to_f64() * fb.to_f64());
        }

        #[test]
        fn shifts_match_integer_semantics(x in any::<i64>(), n in 0u32..63) {
            // arithmetic shift = floor division by 2^n, also for negative numbers
            let floor = (x as i128).div_euclid(1i128 << n);
            prop_assert_eq!(shr_round(x as i128, n, Rounding::Floor), floor);
            // half-up = floor(x / 2^n + 1/2)
            let hu = ((x as i128) * 2 + (1i128 << n)).div_euclid(1i128 << (n + 1));
            prop_assert_eq!(shr_round(x as i128, n, Rounding::HalfUp), hu);
        }

        #[test]
        fn sums_are_exact(a in -(1i64<<40)..(1i64<<40), b in -(1i64<<40)..(1i64<<40)) {
            let fa = Fixed::from_raw(a as i128, QFormat::q(30, 10)).unwrap();
            let fb = Fixed::from_raw(b as i128, QFormat::q(20, 20)).unwrap();
            let s = fa.add(&fb);
            prop_assert!(s.fmt.contains(s.raw));
            prop_assert_eq!(s.to_f64(), fa.to_f64() + fb.to_f64());
        }

        #[test]
        fn wrap_is_modular(f in fmt_strategy(), x in any::<i64>()) {
            let w = f.wrap(x as i128);
            prop_assert!(f.contains(w));
            prop_assert_eq!((w - x as i128).rem_euclid(1i128 << f.width()), 0);
        }
    }
}
