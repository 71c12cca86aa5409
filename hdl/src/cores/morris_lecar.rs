//! Morris-Lecar datapath (see `spikeforge_model::neuron::morris_lecar` for the specification).
use super::fhn::crossing;
use super::lut::{describe, lookup};
use super::{align, cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::morris_lecar::MorrisLecarFixed;

pub(super) fn build(
    b: &ModuleBuilder,
    m: &MorrisLecarFixed,
    words: &[Sig],
    input: Sig,
) -> (Vec<Sig>, Sig) {
    let (v, w, armed) = (words[0], words[1], words[2]);
    for c in [&m.kin, &m.kl, &m.kk] {
        b.header_line(format!(
            "{} = {} (raw {} in {}, {:?})",
            c.name, c.value, c.raw, c.fmt, c.mul
        ));
    }
    b.header_line(format!(
        "EL {} EK {} V_th {} V_rearm {} (raw, {})",
        m.el, m.ek, m.v_th, m.v_rearm, m.fmt_v
    ));
    for l in [&m.ca, &m.winf, &m.rate] {
        b.header_line(describe(l));
    }
    let f = m.fmt_v.frac_bits;
    let fw = m.fmt_w.frac_bits;
    let fi = m.fmt_in.frac_bits;
    let cf = m.kl.fmt.frac_bits;
    let fca = m.ca.out_fmt.frac_bits;
    // three tables read at the same address V
    let ca = b.named("ca", lookup(b, &m.ca, v));
    let winf = b.named("winf", lookup(b, &m.winf, v));
    let rate = b.named("rate", lookup(b, &m.rate, v));
    // V: kin I - kl (V - EL) - kk w (V - EK) - ca[V] at fa + cf fraction bits
    let p = b.named(
        "p",
        b.round_shr(b.mul(w, b.sub(v, konst(b, "ek", m.ek, m.fmt_v))), fw),
    ); // f frac
    let fa = f.max(fi);
    let drive = b.shl(cmul(b, input, &m.kin), fa - fi);
    let ion = b.add(
        cmul(b, b.sub(v, konst(b, "el", m.el, m.fmt_v)), &m.kl),
        cmul(b, p, &m.kk),
    );
    let acc = b.sub(b.sub(drive, b.shl(ion, fa - f)), align(b, ca, fca, fa + cf));
    let acc = b.named("acc", acc);
    let dv = b.named("dv", b.round_shr(acc, fa + cf - f));
    let v1 = b.named("v_int", sat(b, b.add(v, dv), m.fmt_v));
    // w: rate[V] (winf[V] - w), back to fw fraction bits
    let lf = m.rate.out_fmt.frac_bits;
    let dw = b.named("dw", b.round_shr(b.mul(rate, b.sub(winf, w)), lf));
    let w1 = b.named("w_int", sat(b, b.add(w, dw), m.fmt_w));
    let (spike, armed_next) = crossing(
        b,
        v1,
        armed,
        konst(b, "v_th", m.v_th, m.fmt_v),
        konst(b, "v_rearm", m.v_rearm, m.fmt_v),
    );
    (vec![v1, w1, armed_next], spike)
}
