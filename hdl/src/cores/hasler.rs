//! Silicon-neuron datapath (see `spikeforge_model::neuron::hasler` for the specification).
use super::fhn::crossing;
use super::lut::{describe, lookup};
use super::{align, cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::hasler::HaslerFixed;

pub(super) fn build(
    b: &ModuleBuilder,
    m: &HaslerFixed,
    words: &[Sig],
    input: Sig,
) -> (Vec<Sig>, Sig) {
    let (v, n, armed) = (words[0], words[1], words[2]);
    for c in [&m.kin, &m.kl, &m.kk, &m.kn] {
        b.header_line(format!(
            "{} = {} (raw {} in {}, {:?})",
            c.name, c.value, c.raw, c.fmt, c.mul
        ));
    }
    b.header_line(format!(
        "EL {} EK {} V_th {} V_rearm {} (raw, {})",
        m.el, m.ek, m.v_th, m.v_rearm, m.fmt_v
    ));
    for l in [&m.na, &m.ninf] {
        b.header_line(describe(l));
    }
    let f = m.fmt_v.frac_bits;
    let fnn = m.fmt_n.frac_bits;
    let fi = m.fmt_in.frac_bits;
    let cf = m.kl.fmt.frac_bits;
    let fna = m.na.out_fmt.frac_bits;
    // two tables read at the same address V
    let na = b.named("na", lookup(b, &m.na, v));
    let ninf = b.named("ninf", lookup(b, &m.ninf, v));
    // V: kin I - kl (V - EL) - kk n (V - EK) - na[V] at fa + cf fraction bits
    let p = b.named(
        "p",
        b.round_shr(b.mul(n, b.sub(v, konst(b, "ek", m.ek, m.fmt_v))), fnn),
    ); // f frac
    let fa = f.max(fi);
    let drive = b.shl(cmul(b, input, &m.kin), fa - fi);
    let ion = b.add(
        cmul(b, b.sub(v, konst(b, "el", m.el, m.fmt_v)), &m.kl),
        cmul(b, p, &m.kk),
    );
    let acc = b.sub(b.sub(drive, b.shl(ion, fa - f)), align(b, na, fna, fa + cf));
    let acc = b.named("acc", acc);
    let dv = b.named("dv", b.round_shr(acc, fa + cf - f));
    let v1 = b.named("v_int", sat(b, b.add(v, dv), m.fmt_v));
    // n: kn (ninf[V] - n), back to fn fraction bits
    let dn = b.named("dn", b.round_shr(cmul(b, b.sub(ninf, n), &m.kn), cf));
    let n1 = b.named("n_int", sat(b, b.add(n, dn), m.fmt_n));
    let (spike, armed_next) = crossing(
        b,
        v1,
        armed,
        konst(b, "v_th", m.v_th, m.fmt_v),
        konst(b, "v_rearm", m.v_rearm, m.fmt_v),
    );
    (vec![v1, n1, armed_next], spike)
}
