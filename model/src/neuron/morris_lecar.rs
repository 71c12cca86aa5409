//! Morris-Lecar model (Morris & Lecar 1981; the reduced 2-D form of Rinzel & Ermentrout 1989).
//!
//! ```text
//! C dV/dt = I - gL (V - EL) - gCa m_inf(V) (V - ECa) - gK w (V - EK)
//! dw/dt   = phi (w_inf(V) - w) / tau_w(V)
//! m_inf(V) = (1 + tanh((V - V1)/V2)) / 2
//! w_inf(V) = (1 + tanh((V - V3)/V4)) / 2
//! tau_w(V) = 1 / cosh((V - V3)/(2 V4))
//! ```
//! Units: `C` in uF/cm^2, conductances in mS/cm^2, potentials in mV, `phi` in 1/ms, input in
//! uA/cm^2 (then uA/uF = mV/ms). No reset: a spike is an upward crossing of `V_th` with re-arm below
//! `V_rearm` ([`super::upward_crossing`]); the state is `V`, `w` and the flag `armed`. `V0` defaults
//! to the rest point at `I = 0` (the lowest root of the steady-state current in `EK ..= ECa`) and
//! `w0` to `w_inf(V0)`.
//!
//! Presets (Rinzel & Ermentrout 1989/1998, as tabulated in Ermentrout & Terman 2010, *Mathematical
//! Foundations of Neuroscience*, ch. 3): `hopf` (class II, the defaults) and `snlc` (class I:
//! saddle-node on a limit cycle).
//!
//! # Fixed twin (forward Euler, the hardware spec)
//! Words: `V` in the membrane format `Qm.f` (`W` bits); the input in `Q(m+2).f` (currents of a
//! few hundred uA/cm^2, [`crate::quant::ML_INPUT_EXTRA_INT_BITS`]); `w` in `Q1.(W-2)` (`fw`
//! fraction bits, [`crate::quant::gate_format`]); both overridable (words `input`, `w`).
//! Coefficients ([`FixedConfig::coef_format_sig`], `Cf` fraction bits): `kin = dt/C`,
//! `kl = dt gL/C`, `kk = dt gK/C`. Three [`Lut`]s over `V`, each over `EK ..= ECa` with at most 1024
//! entries (buckets of 0.25 mV for the presets):
//! * `ca[V] = dt gCa m_inf(V)(V - ECa)/C` (mV per step, `f + 8` fraction bits), linearly
//!   interpolated ([`LutMode::Linear`]): the calcium current is a function of `V` alone, so its
//!   multiply folds into the table; a piecewise-constant table could shift the class-I onset by up
//!   to ~2 uA/cm^2 (slope ~15 uA/cm^2 per mV times half a bucket);
//! * `winf[V] = w_inf(V)` (the `w` format), linearly interpolated for the same reason;
//! * `rate[V] = dt phi cosh((V - V3)/(2 V4))` (`Lf` fraction bits: at least `f + 8` and 12
//!   significant bits of the smallest entry), piecewise constant ([`RATE_LUT_MODE`]): it only
//!   scales the speed of `w`, and interpolating it did not change the measured errors.
//! ```text
//! p    = round_half_up((w * (V - EK)) >> fw)          // (W)x(W+1)-bit product -> f frac, ~W+2 bits
//! acc  = kin*I - kl*(V - EL) - kk*p - (ca[V] << (Cf - 8))  // exact, f+Cf frac
//! V'   = sat(V + round_half_up(acc >> Cf))
//! dw   = round_half_up((rate[V] * (winf[V] - w)) >> Lf)   // fw frac
//! w'   = sat_w(w + dw)
//! spike = armed && V' >= V_th;  armed' = spike ? 0 : (armed || V' < V_rearm)
//! ```
//! Two variable multiplies (`w (V - EK)`, `rate (winf - w)`), three constant multiplies, three ROM
//! reads of the same address (two of them interpolated: one narrow multiply each, [`crate::lut`]). With an `input` override of other fraction bits, the `kin` product is
//! aligned (exact shift) to the accumulator.
use super::{sat, upward_crossing, upward_crossing_raw, FixedNeuron, Neuron, Word, MAX_STATE};
use crate::error::ModelError;
use crate::fixed::{shr_round, QFormat, Rounding};
use crate::lut::{Lut, LutMode, MAX_LUT_LEN};
use crate::params::{quantize_param, ParamInfo, ParamTable, Preset};
use crate::quant::{
    gate_format, int_bits_for, Coef, FixedConfig, ML_INPUT_EXTRA_INT_BITS, SIG_BITS,
};

pub const NAME: &str = "morris-lecar";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "C",
        unit: "uF/cm^2",
        default: Some(20.0),
        doc: "membrane capacitance",
    },
    ParamInfo {
        name: "gL",
        unit: "mS/cm^2",
        default: Some(2.0),
        doc: "leak conductance",
    },
    ParamInfo {
        name: "EL",
        unit: "mV",
        default: Some(-60.0),
        doc: "leak reversal potential",
    },
    ParamInfo {
        name: "gK",
        unit: "mS/cm^2",
        default: Some(8.0),
        doc: "potassium conductance",
    },
    ParamInfo {
        name: "EK",
        unit: "mV",
        default: Some(-84.0),
        doc: "potassium reversal potential",
    },
    ParamInfo {
        name: "gCa",
        unit: "mS/cm^2",
        default: Some(4.4),
        doc: "calcium conductance",
    },
    ParamInfo {
        name: "ECa",
        unit: "mV",
        default: Some(120.0),
        doc: "calcium reversal potential",
    },
    ParamInfo {
        name: "V1",
        unit: "mV",
        default: Some(-1.2),
        doc: "half-activation of m_inf",
    },
    ParamInfo {
        name: "V2",
        unit: "mV",
        default: Some(18.0),
        doc: "slope of m_inf",
    },
    ParamInfo {
        name: "V3",
        unit: "mV",
        default: Some(2.0),
        doc: "half-activation of w_inf",
    },
    ParamInfo {
        name: "V4",
        unit: "mV",
        default: Some(30.0),
        doc: "slope of w_inf",
    },
    ParamInfo {
        name: "phi",
        unit: "1/ms",
        default: Some(0.04),
        doc: "rate of w",
    },
    ParamInfo {
        name: "V_th",
        unit: "mV",
        default: Some(0.0),
        doc: "spike: upward crossing V >= V_th",
    },
    ParamInfo {
        name: "V_rearm",
        unit: "mV",
        default: Some(-20.0),
        doc: "spike detection re-arms when V < V_rearm",
    },
    ParamInfo {
        name: "V0",
        unit: "mV",
        default: None,
        doc: "initial V (default: the rest point at I = 0)",
    },
    ParamInfo {
        name: "w0",
        unit: "1",
        default: None,
        doc: "initial w (default w_inf(V0))",
    },
];
/// Rinzel & Ermentrout (1989/1998) via Ermentrout & Terman (2010), ch. 3.
pub const PRESETS: &[Preset] = &[
    (
        "hopf",
        &[
            ("C", 20.0),
            ("gL", 2.0),
            ("EL", -60.0),
            ("gK", 8.0),
            ("EK", -84.0),
            ("gCa", 4.4),
            ("ECa", 120.0),
            ("V1", -1.2),
            ("V2", 18.0),
            ("V3", 2.0),
            ("V4", 30.0),
            ("phi", 0.04),
        ],
    ),
    (
        "snlc",
        &[
            ("C", 20.0),
            ("gL", 2.0),
            ("EL", -60.0),
            ("gK", 8.0),
            ("EK", -84.0),
            ("gCa", 4.0),
            ("ECa", 120.0),
            ("V1", -1.2),
            ("V2", 18.0),
            ("V3", 12.0),
            ("V4", 17.4),
            ("phi", 1.0 / 15.0),
        ],
    ),
];
/// The stimulus of each preset: above the onset of repetitive firing.
pub const PRESET_STIMULI: &[(&str, &str)] = &[("hopf", "const(100)"), ("snlc", "const(45)")];

/// The mode of the `rate` table (`ca` and `winf` interpolate).
pub const RATE_LUT_MODE: LutMode = LutMode::Step;

/// Morris-Lecar parameters (units in the field names; `ua_cm2` etc. per cm^2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisLecar {
    pub c_uf_cm2: f64,
    pub gl_ms_cm2: f64,
    pub el_mv: f64,
    pub gk_ms_cm2: f64,
    pub ek_mv: f64,
    pub gca_ms_cm2: f64,
    pub eca_mv: f64,
    pub v1_mv: f64,
    pub v2_mv: f64,
    pub v3_mv: f64,
    pub v4_mv: f64,
    pub phi_per_ms: f64,
    pub v_th_mv: f64,
    pub v_rearm_mv: f64,
    pub v0_mv: f64,
    pub w0: f64,
}

impl MorrisLecar {
    /// From a parameter table.
    pub fn from_table(p: &ParamTable) -> Result<Self, ModelError> {
        let nonzero = |n: &str| {
            let v = p.v(n);
            if v == 0.0 {
                Err(ModelError::BadValue {
                    name: n.into(),
                    value: v,
                    why: "must not be zero".into(),
                })
            } else {
                Ok(v)
            }
        };
        let mut m = MorrisLecar {
            c_uf_cm2: p.positive("C")?,
            gl_ms_cm2: p.v("gL"),
            el_mv: p.v("EL"),
            gk_ms_cm2: p.v("gK"),
            ek_mv: p.v("EK"),
            gca_ms_cm2: p.v("gCa"),
            eca_mv: p.v("ECa"),
            v1_mv: p.v("V1"),
            v2_mv: nonzero("V2")?,
            v3_mv: p.v("V3"),
            v4_mv: nonzero("V4")?,
            phi_per_ms: p.v("phi"),
            v_th_mv: p.v("V_th"),
            v_rearm_mv: p.v("V_rearm"),
            v0_mv: 0.0,
            w0: 0.0,
        };
        if m.ek_mv >= m.eca_mv {
            return Err(ModelError::BadValue {
                name: "EK".into(),
                value: m.ek_mv,
                why: format!("must be below ECa = {}", m.eca_mv),
            });
        }
        if m.v_rearm_mv > m.v_th_mv {
            return Err(ModelError::BadValue {
                name: "V_rearm".into(),
                value: m.v_rearm_mv,
                why: format!("must not be above V_th = {}", m.v_th_mv),
            });
        }
        m.v0_mv = match p.get("V0") {
            Some(v) => v,
            None => m.rest_point(0.0).ok_or_else(|| ModelError::BadValue {
                name: "V0".into(),
                value: f64::NAN,
                why: "no rest point in EK..ECa at I = 0; set V0".into(),
            })?,
        };
        m.w0 = p.get_or("w0", m.w_inf(m.v0_mv));
        Ok(m)
    }
    /// `m_inf(V)`.
    #[inline]
    pub fn m_inf(&self, v: f64) -> f64 {
        0.5 * (1.0 + ((v - self.v1_mv) / self.v2_mv).tanh())
    }
    /// `w_inf(V)`.
    #[inline]
    pub fn w_inf(&self, v: f64) -> f64 {
        0.5 * (1.0 + ((v - self.v3_mv) / self.v4_mv).tanh())
    }
    /// `phi / tau_w(V) = phi cosh((V - V3)/(2 V4))` (1/ms).
    #[inline]
    pub fn w_rate(&self, v: f64) -> f64 {
        self.phi_per_ms * ((v - self.v3_mv) / (2.0 * self.v4_mv)).cosh()
    }
    /// The calcium current `gCa m_inf(V) (V - ECa)` (uA/cm^2).
    #[inline]
    pub fn i_ca(&self, v: f64) -> f64 {
        self.gca_ms_cm2 * self.m_inf(v) * (v - self.eca_mv)
    }
    /// The steady-state current `I - I_ion(V)` with `w = w_inf(V)`: zero at a fixed point.
    pub fn steady_current(&self, v: f64, input: f64) -> f64 {
        input
            - self.gl_ms_cm2 * (v - self.el_mv)
            - self.i_ca(v)
            - self.gk_ms_cm2 * self.w_inf(v) * (v - self.ek_mv)
    }
    /// The lowest fixed point `V` at input `input`, in `EK ..= ECa`.
    pub fn rest_point(&self, input: f64) -> Option<f64> {
        super::leftmost_root(
            |v| self.steady_current(v, input),
            self.ek_mv,
            self.eca_mv,
            20_000,
        )
    }
}

impl Default for MorrisLecar {
    fn default() -> Self {
        MorrisLecar::from_table(&ParamTable::new(NAME, PARAMS)).expect("defaults are valid")
    }
}

impl Neuron for MorrisLecar {
    fn state_names(&self) -> &'static [&'static str] {
        &["V", "w", "armed"]
    }
    fn ode_dim(&self) -> usize {
        2
    }
    fn initial_state(&self) -> [f64; MAX_STATE] {
        [
            self.v0_mv,
            self.w0,
            f64::from(u8::from(self.v0_mv < self.v_th_mv)),
            0.0,
        ]
    }
    #[inline]
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]) {
        let (v, w) = (x[0], x[1]);
        dx[0] = (input
            - self.gl_ms_cm2 * (v - self.el_mv)
            - self.i_ca(v)
            - self.gk_ms_cm2 * w * (v - self.ek_mv))
            / self.c_uf_cm2;
        dx[1] = self.w_rate(v) * (self.w_inf(v) - w);
    }
    #[inline]
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool {
        let (v, armed) = (x[0], &mut x[2]);
        upward_crossing(v, armed, self.v_th_mv, self.v_rearm_mv)
    }
}

/// The fixed-point Morris-Lecar twin (forward Euler). Fields are the hardware constants.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisLecarFixed {
    pub fmt_v: QFormat,
    pub fmt_w: QFormat,
    pub fmt_in: QFormat,
    /// `dt / C`.
    pub kin: Coef,
    /// `dt gL / C`.
    pub kl: Coef,
    /// `dt gK / C`.
    pub kk: Coef,
    /// `dt gCa m_inf(V) (V - ECa) / C` (mV per step), `f + 8` fraction bits.
    pub ca: Lut,
    /// `w_inf(V)` in the `w` format.
    pub winf: Lut,
    /// `dt phi cosh((V - V3)/(2 V4))` (per step).
    pub rate: Lut,
    pub el: i64,
    pub ek: i64,
    pub v_th: i64,
    pub v_rearm: i64,
    pub v0: i64,
    pub w0: i64,
}

impl MorrisLecarFixed {
    /// Quantise `p` for time step `dt` (ms).
    pub fn new(p: &MorrisLecar, dt: f64, cfg: &FixedConfig) -> Result<Self, ModelError> {
        cfg.check_words(NAME, &["coef", "input", "w"])?;
        let fmt_v = cfg.membrane;
        let fmt_w = cfg.word("w", gate_format(fmt_v));
        let c = p.c_uf_cm2;
        let cs = [dt / c, dt * p.gl_ms_cm2 / c, dt * p.gk_ms_cm2 / c];
        let fc = cfg.coef_format_sig(&cs);
        // the lookup-table term is aligned by `cf - 8` (table at f + 8 fraction bits)
        crate::quant::require_coef_frac(fc, 8)?;
        let m = cfg.mul;
        // scalar constants first, so that a narrow format names the parameter
        let el = quantize_param("EL", p.el_mv, fmt_v)?;
        let ek = quantize_param("EK", p.ek_mv, fmt_v)?;
        let v_th = quantize_param("V_th", p.v_th_mv, fmt_v)?;
        let v_rearm = quantize_param("V_rearm", p.v_rearm_mv, fmt_v)?;
        let v0 = quantize_param("V0", p.v0_mv, fmt_v)?;
        let w0 = quantize_param("w0", p.w0, fmt_w)?;
        let (lo, hi) = (p.ek_mv, p.eca_mv);
        let f8 = fmt_v.frac_bits + 8;
        let ca_max = (dt / c) * p.gca_ms_cm2.abs() * (hi - lo + 1.0);
        let ca = Lut::sample(
            "ca",
            LutMode::Linear,
            fmt_v,
            lo,
            hi,
            MAX_LUT_LEN,
            QFormat::q(int_bits_for(ca_max), f8),
            |v| dt * p.i_ca(v) / c,
        )?;
        let winf = Lut::sample(
            "winf",
            LutMode::Linear,
            fmt_v,
            lo,
            hi,
            MAX_LUT_LEN,
            fmt_w,
            |v| p.w_inf(v),
        )?;
        let r_of = |v: f64| dt * p.w_rate(v);
        let (rmin, rmax) = (r_of(p.v3_mv).abs(), r_of(lo).abs().max(r_of(hi).abs()));
        let e = if rmin > 0.0 {
            rmin.log2().floor() as i64
        } else {
            0
        };
        let lf = (f8 as i64).max(SIG_BITS as i64 - 1 - e).clamp(1, 60) as u32;
        let rate_fmt = QFormat::new(true, int_bits_for(rmax), lf)?;
        let rate = Lut::sample(
            "rate",
            RATE_LUT_MODE,
            fmt_v,
            lo,
            hi,
            MAX_LUT_LEN,
            rate_fmt,
            r_of,
        )?;
        Ok(MorrisLecarFixed {
            fmt_v,
            fmt_w,
            fmt_in: cfg.word(
                "input",
                QFormat::new(
                    true,
                    fmt_v.int_bits + ML_INPUT_EXTRA_INT_BITS,
                    fmt_v.frac_bits,
                )?,
            ),
            kin: Coef::new("dt/C", cs[0], fc, m)?,
            kl: Coef::new("dt*gL/C", cs[1], fc, m)?,
            kk: Coef::new("dt*gK/C", cs[2], fc, m)?,
            ca,
            winf,
            rate,
            el,
            ek,
            v_th,
            v_rearm,
            v0,
            w0,
        })
    }
}

impl FixedNeuron for MorrisLecarFixed {
    fn ident(&self) -> String {
        format!("morris_lecar_{}", self.fmt_v.ident())
    }
    fn state_words(&self) -> Vec<Word> {
        vec![
            Word {
                name: "V",
                fmt: self.fmt_v,
            },
            Word {
                name: "w",
                fmt: self.fmt_w,
            },
            Word {
                name: "armed",
                fmt: QFormat::uq(1, 0),
            },
        ]
    }
    fn input_format(&self) -> QFormat {
        self.fmt_in
    }
    fn initial_state(&self) -> [i64; MAX_STATE] {
        [self.v0, self.w0, i64::from(self.v0 < self.v_th), 0]
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        let f = self.fmt_v.frac_bits;
        let fw = self.fmt_w.frac_bits;
        let fi = self.fmt_in.frac_bits;
        let cf = self.kl.fmt.frac_bits;
        let (v, w, i) = (x[0] as i128, x[1] as i128, input as i128);
        let p = shr_round(w * (v - self.ek as i128), fw, Rounding::HalfUp); // f frac
        let fa = f.max(fi);
        let acc = ((self.kin.raw as i128 * i) << (fa - fi))
            - ((self.kl.raw as i128 * (v - self.el as i128) + self.kk.raw as i128 * p) << (fa - f))
            - ((self.ca.lookup(x[0]) as i128) << (fa + cf - (f + 8)));
        let dv = shr_round(acc, fa + cf - f, Rounding::HalfUp);
        let lf = self.rate.out_fmt.frac_bits;
        let dw = shr_round(
            self.rate.lookup(x[0]) as i128 * (self.winf.lookup(x[0]) as i128 - w),
            lf,
            Rounding::HalfUp,
        );
        let v1 = sat(self.fmt_v, v + dv);
        x[0] = v1;
        x[1] = sat(self.fmt_w, w + dw);
        let mut armed = x[2];
        let fired = upward_crossing_raw(v1, &mut armed, self.v_th, self.v_rearm);
        x[2] = armed;
        fired
    }
}
