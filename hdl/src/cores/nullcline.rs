//! Nullcline-neuron datapath, cubic and piecewise-linear V-nullcline, crossing or reset spikes (see
//! `spikeforge_model::neuron::nullcline` for the specification).
use super::fhn::crossing;
use super::lut::const_min;
use super::{align, cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::nullcline::{NullclineFixed, ShapeFixed, SpikeRuleFixed};
use spikeforge_model::quant::Coef;

fn describe(b: &ModuleBuilder, c: &Coef) {
    b.header_line(format!(
        "{} = {} (raw {} in {}, {:?})",
        c.name, c.value, c.raw, c.fmt, c.mul
    ));
}

/// `c * x`, or nothing when the coefficient is zero (the product is exactly zero).
fn term(b: &ModuleBuilder, x: Sig, c: &Coef) -> Option<Sig> {
    (c.raw != 0).then(|| cmul(b, x, c))
}

/// The exact sum of the present terms (a 1-bit zero when there are none).
fn sum(b: &ModuleBuilder, terms: &[Option<Sig>]) -> Sig {
    terms
        .iter()
        .flatten()
        .fold(None, |acc: Option<Sig>, t| {
            Some(acc.map_or(*t, |a| b.add(a, *t)))
        })
        .unwrap_or_else(|| b.const_s(0, 1))
}

pub(super) fn build(
    b: &ModuleBuilder,
    m: &NullclineFixed,
    words: &[Sig],
    input: Sig,
) -> (Vec<Sig>, Sig) {
    let (v, w) = (words[0], words[1]);
    let f = m.fmt.frac_bits;
    let fi = m.fmt_in.frac_bits;
    let cf = m.kt.fmt.frac_bits;
    for c in [&m.kt, &m.kk, &m.kw] {
        describe(b, c);
    }
    b.header_line(format!(
        "-dt*k*v0w/tau_w raw {} ({} fraction bits)",
        m.kb,
        f + cf
    ));
    // I - w at fs fraction bits, times dt/tau_v
    let fs = f.max(fi);
    let s = b.named("s", b.sub(align(b, input, fi, fs), align(b, w, f, fs)));
    let drive = b.named("drive", cmul(b, s, &m.kt)); // fs + cf frac
    let dv = match &m.shape {
        ShapeFixed::Cubic { a0, a1, a2, a3 } => {
            b.header_line(format!(
                "V-nullcline: cubic; c0*dt/tau_v raw {a0} ({} fraction bits)",
                2 * f + cf
            ));
            for c in [a1, a2, a3] {
                describe(b, c);
            }
            let need_sq = a2.raw != 0 || a3.raw != 0;
            let sq = need_sq.then(|| b.named("v_sq", b.round_shr(b.mul(v, v), f))); // f frac
            let cube = sq
                .filter(|_| a3.raw != 0)
                .map(|q| b.named("v_cube", b.mul(q, v))); // 2f frac
            let fa = fs.max(2 * f);
            let lin = sum(b, &[term(b, v, a1), sq.and_then(|q| term(b, q, a2))]); // f + cf frac
            let cub = sum(
                b,
                &[
                    cube.and_then(|c3| term(b, c3, a3)),
                    (*a0 != 0).then(|| const_min(b, *a0)),
                ],
            );
            let acc = b.add(
                b.add(b.shl(lin, fa - f), b.shl(drive, fa - fs)),
                b.shl(cub, fa - 2 * f),
            );
            let acc = b.named("acc", acc);
            b.round_shr(acc, fa + cf - f)
        }
        ShapeFixed::Pwl {
            a0,
            vl,
            vr,
            bl,
            bm,
            br,
        } => {
            b.header_line(format!(
                "V-nullcline: piecewise linear, knees vl {vl} vr {vr} (raw, {}); c0*dt/tau_v raw {a0} ({} fraction bits)",
                m.fmt,
                f + cf
            ));
            for c in [bl, bm, br] {
                describe(b, c);
            }
            let (kl, kr) = (konst(b, "vl", *vl, m.fmt), konst(b, "vr", *vr, m.fmt));
            let dl = b.sub(v, kl); // W+1 bits
            let dr = b.sub(v, kr);
            let zero = b.const_s(0, dl.width());
            let left = b.named("seg_l", b.mux(b.msb(dl), dl, zero)); // min(v - vl, 0)
            let right = b.named("seg_r", b.mux(b.msb(dr), zero, dr)); // max(v - vr, 0)
            let mid = b.named("seg_m", b.mux(b.lt(v, kl), kl, b.mux(b.gt(v, kr), kr, v))); // clamp(v, vl, vr)
            let pw = sum(
                b,
                &[
                    term(b, left, bl),
                    term(b, mid, bm),
                    term(b, right, br),
                    (*a0 != 0).then(|| const_min(b, *a0)),
                ],
            ); // f + cf frac
            let acc = b.named("acc", b.add(b.shl(pw, fs - f), drive));
            b.round_shr(acc, fs + cf - f)
        }
    };
    let dv = b.named("dv", dv);
    let v1 = b.named("v_int", sat(b, b.add(v, dv), m.fmt));
    // w: (k v - w - k v0w) dt/tau_w at f + cf fraction bits
    let acc_w = sum(
        b,
        &[
            term(b, v, &m.kk),
            term(b, w, &m.kw).map(|t| b.neg(t)),
            (m.kb != 0).then(|| const_min(b, m.kb)),
        ],
    );
    let acc_w = b.named("acc_w", acc_w);
    let dw = b.named("dw", b.round_shr(acc_w, cf));
    let w1 = b.named("w_int", sat(b, b.add(w, dw), m.fmt));
    match m.spike {
        SpikeRuleFixed::Crossing { v_th, v_rearm } => {
            b.header_line(format!(
                "spike: upward crossing v >= {v_th}, re-arm below {v_rearm} (raw, {})",
                m.fmt
            ));
            let (spike, armed_next) = crossing(
                b,
                v1,
                words[2],
                konst(b, "v_th", v_th, m.fmt),
                konst(b, "v_rearm", v_rearm, m.fmt),
            );
            (vec![v1, w1, armed_next], spike)
        }
        SpikeRuleFixed::Reset { v_peak, v_reset, d } => {
            b.header_line(format!(
                "spike: v >= {v_peak}: v = {v_reset}, w += {d} (raw, {})",
                m.fmt
            ));
            let fire = b.named("fire", b.ge(v1, konst(b, "v_peak", v_peak, m.fmt)));
            let v_next = b.mux(fire, konst(b, "v_reset", v_reset, m.fmt), v1);
            let w_reset = sat(b, b.add(w1, konst(b, "d", d, m.fmt)), m.fmt);
            let w_next = b.mux(fire, w_reset, w1);
            (vec![v_next, w_next], fire)
        }
    }
}
