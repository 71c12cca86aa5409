//! The nullcline-designed silicon neuron after Basu & Hasler (2010, "Nullcline-based design of a
//! silicon neuron", IEEE TCAS-I 57(11)).
//!
//! # What comes from the paper, and what is our reconstruction
//! *From the paper* (the design method, as we read it): a 2-D neuron built from a sodium-like
//! channel giving fast (instantaneous) positive feedback through a sigmoidal activation, and a
//! potassium-like channel giving slower negative feedback through a first-order delayed activation,
//! plus a leak; the bias parameters place the V-nullcline (N-shaped, from the sodium feedback
//! against leak) and the recovery nullcline (the potassium activation's steady state), and the
//! placement of their intersection decides the onset of firing: a saddle-node on the invariant
//! circle (class/type I, arbitrarily low rates at onset) or a Hopf bifurcation (type II, onset at a
//! finite rate).
//!
//! *Our reconstruction* (the equations and the numbers are ours, not the paper's circuit
//! equations): the conductance-based `I_Na,p + I_K` form, with the transistor-style sigmoids of a
//! subthreshold differential pair,
//! ```text
//! C dV/dt  = I - gL (V - EL) - gNa m_inf(V) (V - ENa) - gK n (V - EK)
//! dn/dt    = (n_inf(V) - n) / tau_n
//! m_inf(V) = 1 / (1 + exp((Vm - V)/km)),   n_inf(V) = 1 / (1 + exp((Vn - V)/kn))
//! ```
//! and the two bias sets of the `I_Na,p + I_K` model in Izhikevich (2007, *Dynamical Systems in
//! Neuroscience*, ch. 4 and 6), which realise exactly the two nullcline geometries of the design
//! method: `type1` (high-threshold K, `EL = -80`, `Vn = -25` mV: three fixed points at rest, the
//! stable node and the saddle merge on the limit cycle near `I = 4.51`) and `type2` (low-threshold
//! K, `EL = -78`, `Vn = -45` mV: one fixed point, a stable focus that loses stability through a
//! Hopf bifurcation near `I = 14.7` with eigenvalues `+-2.1i` per ms, ~340 Hz). The module tests
//! check both. Units as in that book: uF/cm^2, mS/cm^2, mV, ms, input in uA/cm^2.
//!
//! No reset: a spike is an upward crossing of `V_th` with re-arm below `V_rearm`
//! ([`super::upward_crossing`]); the state is `V`, `n` and the flag `armed`. `V0` defaults to the
//! lowest fixed point at `I = 0` and `n0` to `n_inf(V0)`.
//!
//! # Fixed twin (forward Euler, the hardware spec)
//! Words: `V` and the input in the membrane format `Qm.f` (`W` bits), `n` in `Q1.(W-2)` (`fn`
//! fraction bits, [`crate::quant::gate_format`]). Coefficients ([`FixedConfig::coef_format_sig`],
//! `Cf` fraction bits): `kin = dt/C`, `kl = dt gL/C`, `kk = dt gK/C`, `kn = dt/tau_n`. Two linearly
//! interpolated [`Lut`]s over `V` on `EK ..= ENa` (at most 1024 entries): `na[V] = dt gNa m_inf(V)
//! (V - ENa)/C` (mV per step, `f + 8` fraction bits: the sodium current depends on `V` alone, so its
//! multiply folds into the table) and `ninf[V] = n_inf(V)` (the `n` format).
//! ```text
//! p    = round_half_up((n * (V - EK)) >> fn)                 // (W)x(W+1)-bit product -> f frac
//! acc  = kin*I - kl*(V - EL) - kk*p - (na[V] << (Cf - 8))     // exact, f+Cf frac
//! V'   = sat(V + round_half_up(acc >> Cf))
//! n'   = sat_n(n + round_half_up((kn * (ninf[V] - n)) >> Cf))
//! spike = armed && V' >= V_th;  armed' = spike ? 0 : (armed || V' < V_rearm)
//! ```
//! One variable multiply (`n (V - EK)`), four constant multiplies, two interpolated ROM reads of the
//! same address. With an `input` override of other fraction bits, the `kin` product is aligned
//! (exact shift) to the accumulator.
use super::{sat, upward_crossing, upward_crossing_raw, FixedNeuron, Neuron, Word, MAX_STATE};
use crate::error::ModelError;
use crate::fixed::{shr_round, QFormat, Rounding};
use crate::lut::{Lut, LutMode, MAX_LUT_LEN};
use crate::params::{quantize_param, ParamInfo, ParamTable, Preset};
use crate::quant::{gate_format, int_bits_for, Coef, FixedConfig};

pub const NAME: &str = "hasler";
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "C",
        unit: "uF/cm^2",
        default: Some(1.0),
        doc: "membrane capacitance",
    },
    ParamInfo {
        name: "gL",
        unit: "mS/cm^2",
        default: Some(8.0),
        doc: "leak conductance",
    },
    ParamInfo {
        name: "EL",
        unit: "mV",
        default: Some(-80.0),
        doc: "leak reversal potential",
    },
    ParamInfo {
        name: "gNa",
        unit: "mS/cm^2",
        default: Some(20.0),
        doc: "sodium-like (fast positive feedback) conductance",
    },
    ParamInfo {
        name: "ENa",
        unit: "mV",
        default: Some(60.0),
        doc: "sodium reversal potential",
    },
    ParamInfo {
        name: "Vm",
        unit: "mV",
        default: Some(-20.0),
        doc: "half-activation of m_inf (sodium bias)",
    },
    ParamInfo {
        name: "km",
        unit: "mV",
        default: Some(15.0),
        doc: "slope factor of m_inf",
    },
    ParamInfo {
        name: "gK",
        unit: "mS/cm^2",
        default: Some(10.0),
        doc: "potassium-like (slow negative feedback) conductance",
    },
    ParamInfo {
        name: "EK",
        unit: "mV",
        default: Some(-90.0),
        doc: "potassium reversal potential",
    },
    ParamInfo {
        name: "Vn",
        unit: "mV",
        default: Some(-25.0),
        doc: "half-activation of n_inf (potassium bias: places the recovery nullcline)",
    },
    ParamInfo {
        name: "kn",
        unit: "mV",
        default: Some(5.0),
        doc: "slope factor of n_inf",
    },
    ParamInfo {
        name: "tau_n",
        unit: "ms",
        default: Some(1.0),
        doc: "time constant of the potassium activation",
    },
    ParamInfo {
        name: "V_th",
        unit: "mV",
        default: Some(-20.0),
        doc: "spike: upward crossing V >= V_th",
    },
    ParamInfo {
        name: "V_rearm",
        unit: "mV",
        default: Some(-50.0),
        doc: "spike detection re-arms when V < V_rearm",
    },
    ParamInfo {
        name: "V0",
        unit: "mV",
        default: None,
        doc: "initial V (default: the lowest fixed point at I = 0)",
    },
    ParamInfo {
        name: "n0",
        unit: "1",
        default: None,
        doc: "initial n (default n_inf(V0))",
    },
];
/// The two bias sets (module doc).
pub const PRESETS: &[Preset] = &[
    ("type1", &[("EL", -80.0), ("Vn", -25.0)]),
    ("type2", &[("EL", -78.0), ("Vn", -45.0)]),
];
/// The stimulus of each preset: repetitive firing above onset.
pub const PRESET_STIMULI: &[(&str, &str)] = &[("type1", "const(6)"), ("type2", "const(40)")];

/// Parameters of the silicon neuron (units in the field names; per cm^2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hasler {
    pub c_uf_cm2: f64,
    pub gl_ms_cm2: f64,
    pub el_mv: f64,
    pub gna_ms_cm2: f64,
    pub ena_mv: f64,
    pub vm_mv: f64,
    pub km_mv: f64,
    pub gk_ms_cm2: f64,
    pub ek_mv: f64,
    pub vn_mv: f64,
    pub kn_mv: f64,
    pub tau_n_ms: f64,
    pub v_th_mv: f64,
    pub v_rearm_mv: f64,
    pub v0_mv: f64,
    pub n0: f64,
}

impl Hasler {
    /// From a parameter table.
    pub fn from_table(p: &ParamTable) -> Result<Self, ModelError> {
        let mut m = Hasler {
            c_uf_cm2: p.positive("C")?,
            gl_ms_cm2: p.v("gL"),
            el_mv: p.v("EL"),
            gna_ms_cm2: p.v("gNa"),
            ena_mv: p.v("ENa"),
            vm_mv: p.v("Vm"),
            km_mv: p.positive("km")?,
            gk_ms_cm2: p.v("gK"),
            ek_mv: p.v("EK"),
            vn_mv: p.v("Vn"),
            kn_mv: p.positive("kn")?,
            tau_n_ms: p.positive("tau_n")?,
            v_th_mv: p.v("V_th"),
            v_rearm_mv: p.v("V_rearm"),
            v0_mv: 0.0,
            n0: 0.0,
        };
        if m.ek_mv >= m.ena_mv {
            return Err(ModelError::BadValue {
                name: "EK".into(),
                value: m.ek_mv,
                why: format!("must be below ENa = {}", m.ena_mv),
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
                why: "no fixed point in EK..ENa at I = 0; set V0".into(),
            })?,
        };
        m.n0 = p.get_or("n0", m.n_inf(m.v0_mv));
        Ok(m)
    }
    /// `m_inf(V)`.
    #[inline]
    pub fn m_inf(&self, v: f64) -> f64 {
        1.0 / (1.0 + ((self.vm_mv - v) / self.km_mv).exp())
    }
    /// `n_inf(V)`.
    #[inline]
    pub fn n_inf(&self, v: f64) -> f64 {
        1.0 / (1.0 + ((self.vn_mv - v) / self.kn_mv).exp())
    }
    /// The sodium-like current `gNa m_inf(V) (V - ENa)` (uA/cm^2, negative = inward).
    #[inline]
    pub fn i_na(&self, v: f64) -> f64 {
        self.gna_ms_cm2 * self.m_inf(v) * (v - self.ena_mv)
    }
    /// The steady-state current with `n = n_inf(V)`: zero at a fixed point.
    pub fn steady_current(&self, v: f64, input: f64) -> f64 {
        input
            - self.gl_ms_cm2 * (v - self.el_mv)
            - self.i_na(v)
            - self.gk_ms_cm2 * self.n_inf(v) * (v - self.ek_mv)
    }
    /// The lowest fixed point `V` at input `input`, in `EK ..= ENa`.
    pub fn rest_point(&self, input: f64) -> Option<f64> {
        super::leftmost_root(
            |v| self.steady_current(v, input),
            self.ek_mv,
            self.ena_mv,
            20_000,
        )
    }
}

impl Default for Hasler {
    fn default() -> Self {
        Hasler::from_table(&ParamTable::new(NAME, PARAMS)).expect("defaults are valid")
    }
}

impl Neuron for Hasler {
    fn state_names(&self) -> &'static [&'static str] {
        &["V", "n", "armed"]
    }
    fn ode_dim(&self) -> usize {
        2
    }
    fn initial_state(&self) -> [f64; MAX_STATE] {
        [
            self.v0_mv,
            self.n0,
            f64::from(u8::from(self.v0_mv < self.v_th_mv)),
            0.0,
        ]
    }
    #[inline]
    fn derivative(&self, x: &[f64; MAX_STATE], input: f64, dx: &mut [f64; MAX_STATE]) {
        let (v, n) = (x[0], x[1]);
        dx[0] = (input
            - self.gl_ms_cm2 * (v - self.el_mv)
            - self.i_na(v)
            - self.gk_ms_cm2 * n * (v - self.ek_mv))
            / self.c_uf_cm2;
        dx[1] = (self.n_inf(v) - n) / self.tau_n_ms;
    }
    #[inline]
    fn fire_and_reset(&self, x: &mut [f64; MAX_STATE]) -> bool {
        let (v, armed) = (x[0], &mut x[2]);
        upward_crossing(v, armed, self.v_th_mv, self.v_rearm_mv)
    }
}

/// The fixed-point twin of the silicon neuron (forward Euler). Fields are the hardware constants.
#[derive(Debug, Clone, PartialEq)]
pub struct HaslerFixed {
    pub fmt_v: QFormat,
    pub fmt_n: QFormat,
    pub fmt_in: QFormat,
    /// `dt / C`.
    pub kin: Coef,
    /// `dt gL / C`.
    pub kl: Coef,
    /// `dt gK / C`.
    pub kk: Coef,
    /// `dt / tau_n`.
    pub kn: Coef,
    /// `dt gNa m_inf(V) (V - ENa) / C` (mV per step), `f + 8` fraction bits.
    pub na: Lut,
    /// `n_inf(V)` in the `n` format.
    pub ninf: Lut,
    pub el: i64,
    pub ek: i64,
    pub v_th: i64,
    pub v_rearm: i64,
    pub v0: i64,
    pub n0: i64,
}

impl HaslerFixed {
    /// Quantise `p` for time step `dt` (ms).
    pub fn new(p: &Hasler, dt: f64, cfg: &FixedConfig) -> Result<Self, ModelError> {
        cfg.check_words(NAME, &["coef", "input", "n"])?;
        let fmt_v = cfg.membrane;
        let fmt_n = cfg.word("n", gate_format(fmt_v));
        let c = p.c_uf_cm2;
        let cs = [
            dt / c,
            dt * p.gl_ms_cm2 / c,
            dt * p.gk_ms_cm2 / c,
            dt / p.tau_n_ms,
        ];
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
        let n0 = quantize_param("n0", p.n0, fmt_n)?;
        let (lo, hi) = (p.ek_mv, p.ena_mv);
        let na_max = (dt / c) * p.gna_ms_cm2.abs() * (hi - lo + 1.0);
        let na = Lut::sample(
            "na",
            LutMode::Linear,
            fmt_v,
            lo,
            hi,
            MAX_LUT_LEN,
            QFormat::q(int_bits_for(na_max), fmt_v.frac_bits + 8),
            |v| dt * p.i_na(v) / c,
        )?;
        let ninf = Lut::sample(
            "ninf",
            LutMode::Linear,
            fmt_v,
            lo,
            hi,
            MAX_LUT_LEN,
            fmt_n,
            |v| p.n_inf(v),
        )?;
        Ok(HaslerFixed {
            fmt_v,
            fmt_n,
            fmt_in: cfg.word("input", fmt_v),
            kin: Coef::new("dt/C", cs[0], fc, m)?,
            kl: Coef::new("dt*gL/C", cs[1], fc, m)?,
            kk: Coef::new("dt*gK/C", cs[2], fc, m)?,
            kn: Coef::new("dt/tau_n", cs[3], fc, m)?,
            na,
            ninf,
            el,
            ek,
            v_th,
            v_rearm,
            v0,
            n0,
        })
    }
}

impl FixedNeuron for HaslerFixed {
    fn ident(&self) -> String {
        format!("hasler_{}", self.fmt_v.ident())
    }
    fn state_words(&self) -> Vec<Word> {
        vec![
            Word {
                name: "V",
                fmt: self.fmt_v,
            },
            Word {
                name: "n",
                fmt: self.fmt_n,
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
        [self.v0, self.n0, i64::from(self.v0 < self.v_th), 0]
    }
    #[inline]
    fn step(&self, x: &mut [i64; MAX_STATE], input: i64) -> bool {
        let f = self.fmt_v.frac_bits;
        let fnn = self.fmt_n.frac_bits;
        let fi = self.fmt_in.frac_bits;
        let cf = self.kl.fmt.frac_bits;
        let (v, n, i) = (x[0] as i128, x[1] as i128, input as i128);
        let p = shr_round(n * (v - self.ek as i128), fnn, Rounding::HalfUp); // f frac
        let fa = f.max(fi);
        let acc = ((self.kin.raw as i128 * i) << (fa - fi))
            - ((self.kl.raw as i128 * (v - self.el as i128) + self.kk.raw as i128 * p) << (fa - f))
            - ((self.na.lookup(x[0]) as i128) << (fa + cf - (f + 8)));
        let dv = shr_round(acc, fa + cf - f, Rounding::HalfUp);
        let dn = shr_round(
            self.kn.raw as i128 * (self.ninf.lookup(x[0]) as i128 - n),
            cf,
            Rounding::HalfUp,
        );
        let v1 = sat(self.fmt_v, v + dv);
        x[0] = v1;
        x[1] = sat(self.fmt_n, n + dn);
        let mut armed = x[2];
        let fired = upward_crossing_raw(v1, &mut armed, self.v_th, self.v_rearm);
        x[2] = armed;
        fired
    }
}
