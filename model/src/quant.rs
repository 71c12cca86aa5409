//! Quantisation of a model: formats of every word and constant coefficients.
//!
//! # Derivation rules (documented contract)
//! * `--fixed Qm.f` names the membrane format. Every other state word and the input word take the
//!   same format unless the model documents its own rule or the user overrides it by name
//!   ([`FixedConfig::words`], CLI `--word NAME=FORMAT`).
//! * Constant coefficients (the multipliers of the update, with `dt` folded in) are signed words with
//!   `f + 8` fraction bits and the fewest integer bits (at least 1) that hold every coefficient of the
//!   model; the word `coef` overrides that.
//! * Products are exact; a sum of products is rounded once, half-up, to the state's fraction bits, then
//!   saturated into the state format.
//! * Models whose coefficients span many octaves (AdEx and Morris-Lecar, where `dt / C` is small)
//!   use [`FixedConfig::coef_format_sig`]: at least `f + 8` fraction bits and at least
//!   [`SIG_BITS`] significant bits for the smallest non-zero coefficient.
//! * A second state word in other units than the membrane keeps the membrane's fraction bits and
//!   adds integer bits: AdEx's adaptation current `w` and its input (pA, while `V` is in mV) use
//!   `Q(m+4).f` ([`ADEX_EXTRA_INT_BITS`]). Morris-Lecar's input (uA/cm^2, up to a few hundred
//!   while `V` stays within +-128 mV) uses `Q(m+2).f` ([`ML_INPUT_EXTRA_INT_BITS`]).
//! * Gating variables in `0..1` (Morris-Lecar `w`, the silicon neuron's `n`) use `Q1.(W-2)`: the
//!   membrane's width `W`, as many fraction bits as fit.
//! * Lookup tables ([`crate::lut`]) that feed a membrane accumulator hold their term with `f + 8`
//!   fraction bits (a product's precision) and the fewest integer bits that hold the largest entry.
//! * [`MulVariant::ShiftAdd`] replaces each coefficient by its `terms` most significant
//!   non-zero canonical-signed-digit (CSD) digits, so the hardware multiplies by shifts and adds; the
//!   twin then uses that approximated coefficient, so both stay bit-exact.
use crate::error::ModelError;
use crate::fixed::QFormat;
use serde::Serialize;
use std::collections::BTreeMap;

/// Significant bits kept by [`FixedConfig::coef_format_sig`] for the smallest coefficient.
pub const SIG_BITS: u32 = 12;

/// Extra integer bits of AdEx's `w` and input words over the membrane (pA against mV).
pub const ADEX_EXTRA_INT_BITS: u32 = 4;

/// Extra integer bits of Morris-Lecar's input word over the membrane.
pub const ML_INPUT_EXTRA_INT_BITS: u32 = 2;

/// The fewest integer bits (at least 1) of a signed word holding `maxabs`.
pub fn int_bits_for(maxabs: f64) -> u32 {
    let mut int_bits = 1;
    while (int_bits as f64).exp2() <= maxabs && int_bits < 60 {
        int_bits += 1;
    }
    int_bits
}

/// The format of a gating variable in `0..1` for membrane `m`: `Q1.(W-2)` (same width as `m`).
pub fn gate_format(m: QFormat) -> QFormat {
    QFormat::q(1, m.width().saturating_sub(2).max(1))
}

/// How constant multiplications are built in hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum MulVariant {
    /// An exact multiply by the quantised coefficient (DSP blocks).
    #[default]
    Exact,
    /// Shift-and-add with at most `terms` CSD digits per coefficient (no multipliers).
    ShiftAdd { terms: u32 },
}

/// Word formats chosen by the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedConfig {
    /// Format of the membrane (main state variable).
    pub membrane: QFormat,
    /// Per-word overrides by name (`coef`, `input`, or a state-word name).
    pub words: BTreeMap<String, QFormat>,
    /// Constant multiplication variant.
    pub mul: MulVariant,
}

impl FixedConfig {
    /// A configuration with only the membrane format given.
    pub fn new(membrane: QFormat) -> Self {
        FixedConfig {
            membrane,
            words: BTreeMap::new(),
            mul: MulVariant::Exact,
        }
    }
    /// Override the format of a word by name.
    pub fn with_word(mut self, name: &str, fmt: QFormat) -> Self {
        self.words.insert(name.to_string(), fmt);
        self
    }
    /// The format of a word: an override, else `default`.
    pub fn word(&self, name: &str, default: QFormat) -> QFormat {
        self.words.get(name).copied().unwrap_or(default)
    }
    /// Reject overrides of words the model does not have.
    pub fn check_words(&self, model: &str, known: &[&str]) -> Result<(), ModelError> {
        for k in self.words.keys() {
            if !known.contains(&k.as_str()) {
                return Err(ModelError::UnknownParam {
                    model: model.to_string(),
                    name: format!("word {k}"),
                    valid: known.join(" "),
                });
            }
        }
        Ok(())
    }
    /// The coefficient format for a set of real coefficients (rule above).
    pub fn coef_format(&self, coefs: &[f64]) -> QFormat {
        let maxabs = coefs.iter().fold(0.0f64, |m, c| m.max(c.abs()));
        let int_bits = int_bits_for(maxabs).min(40);
        let frac = (self.membrane.frac_bits + 8).min(62 - int_bits);
        self.word("coef", QFormat::q(int_bits, frac))
    }
    /// The coefficient format that keeps [`SIG_BITS`] significant bits of the smallest non-zero
    /// coefficient (and at least `f + 8` fraction bits); the word `coef` overrides it.
    pub fn coef_format_sig(&self, coefs: &[f64]) -> QFormat {
        let maxabs = coefs.iter().fold(0.0f64, |m, c| m.max(c.abs()));
        let minabs = coefs
            .iter()
            .map(|c| c.abs())
            .filter(|c| *c > 0.0 && c.is_finite())
            .fold(f64::INFINITY, f64::min);
        let int_bits = int_bits_for(maxabs).min(40);
        let mut frac = self.membrane.frac_bits + 8;
        if minabs.is_finite() {
            // minabs >= 2^e with e = floor(log2 minabs); SIG_BITS bits need frac >= SIG_BITS - 1 - e
            let e = minabs.log2().floor() as i64;
            frac = frac.max((SIG_BITS as i64 - 1 - e).clamp(0, 62) as u32);
        }
        let frac = frac.min(62 - int_bits);
        self.word("coef", QFormat::q(int_bits, frac))
    }
}

/// A quantised constant coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coef {
    pub name: &'static str,
    /// The real value asked for.
    pub value: f64,
    /// The raw integer the hardware multiplies by (after CSD approximation for shift-add).
    pub raw: i64,
    pub fmt: QFormat,
    /// `raw` as signed power-of-two digits `(+1|-1, shift)`: `raw = sum(sign << shift)`.
    pub csd: Vec<(i8, u32)>,
    /// How the hardware multiplies by it.
    pub mul: MulVariant,
}

impl Coef {
    /// Quantise `value` into `fmt` (round half-up), approximated to `terms` CSD digits for shift-add.
    pub fn new(
        name: &'static str,
        value: f64,
        fmt: QFormat,
        mul: MulVariant,
    ) -> Result<Coef, ModelError> {
        let raw = crate::params::quantize_param(name, value, fmt)?;
        let (raw, csd) = match mul {
            MulVariant::Exact => (raw, csd(raw)),
            MulVariant::ShiftAdd { terms } => {
                let mut d = csd(raw);
                // keep the most significant digits
                d.sort_by_key(|digit| std::cmp::Reverse(digit.1));
                d.truncate(terms.max(1) as usize);
                let r = d.iter().map(|(s, k)| (*s as i64) << k).sum();
                (r, csd(r))
            }
        };
        Ok(Coef {
            name,
            value,
            raw,
            fmt,
            csd,
            mul,
        })
    }
    /// The real value the hardware uses.
    pub fn real(&self) -> f64 {
        self.fmt.to_f64(self.raw as i128)
    }
}

/// Canonical signed-digit form of `x`: digits `(sign, shift)` from LSB up, no two adjacent non-zero.
pub fn csd(x: i64) -> Vec<(i8, u32)> {
    let mut out = Vec::new();
    let mut v = x as i128;
    let mut k = 0;
    while v != 0 {
        if v & 1 == 1 {
            // digit is +1 if v mod 4 == 1, -1 if v mod 4 == 3
            let d: i8 = if v.rem_euclid(4) == 1 { 1 } else { -1 };
            out.push((d, k));
            v -= d as i128;
        }
        v >>= 1;
        k += 1;
    }
    out
}

/// Reject a coefficient format with fewer than `min` fraction bits (models whose lookup tables are
/// aligned against the coefficients need it), naming the `coef` word.
pub fn require_coef_frac(fc: QFormat, min: u32) -> Result<(), ModelError> {
    if fc.frac_bits >= min {
        Ok(())
    } else {
        Err(ModelError::BadValue {
            name: "word coef".into(),
            value: fc.frac_bits as f64,
            why: format!(
                "the coefficient format {fc} needs at least {min} fraction bits for this model"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    proptest! {
        #[test]
        fn csd_is_exact_and_sparse(x in any::<i32>()) {
            let d = csd(x as i64);
            prop_assert_eq!(d.iter().map(|(s, k)| (*s as i64) << k).sum::<i64>(), x as i64);
            for w in d.windows(2) { prop_assert!(w[1].1 > w[0].1 + 1); }
        }
    }
    #[test]
    fn shift_add_keeps_leading_digits() {
        let f = QFormat::q(1, 16);
        let c = Coef::new("k", 0.004, f, MulVariant::ShiftAdd { terms: 2 }).unwrap();
        assert!(c.csd.len() <= 2);
        assert!((c.real() - 0.004).abs() < 0.0004);
        let e = Coef::new("k", 0.004, f, MulVariant::Exact).unwrap();
        assert_eq!(e.raw, 262);
        assert!(matches!(
            Coef::new("big", 3.0, f, MulVariant::Exact),
            Err(ModelError::DoesNotFit { .. })
        ));
    }
}
