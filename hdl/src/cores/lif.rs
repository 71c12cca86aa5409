//! LIF datapath (see `spikeforge_model::neuron::lif` for the specification).
use super::{align, cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::lif::LifFixed;

pub(super) fn build(b: &ModuleBuilder, m: &LifFixed, words: &[Sig], input: Sig) -> (Vec<Sig>, Sig) {
    let (v, refc) = (words[0], words[1]);
    b.header_line(format!(
        "k = {} (raw {} in {}), k_in = {} (raw {})",
        m.k.value, m.k.raw, m.k.fmt, m.k_in.value, m.k_in.raw
    ));
    b.header_line(format!(
        "v_rest {} v_reset {} v_th {} (raw, {}); refractory steps {}",
        m.v_rest, m.v_reset, m.v_th, m.fmt_v, m.ref_steps
    ));
    let f = m.fmt_v.frac_bits;
    let fi = m.fmt_in.frac_bits;
    let c = m.k.fmt.frac_bits;
    let facc = f.max(fi) + c;
    let d = b.named("d", b.sub(konst(b, "v_rest", m.v_rest, m.fmt_v), v));
    let leak = b.named("leak", align(b, cmul(b, d, &m.k), f + c, facc));
    let drive = b.named("drive", align(b, cmul(b, input, &m.k_in), fi + c, facc));
    let dv = b.named("dv", b.round_shr(b.add(leak, drive), facc - f));
    let v_int = b.named("v_int", sat(b, b.add(v, dv), m.fmt_v));
    let fire = b.named("fire", b.gt(v_int, konst(b, "v_th", m.v_th, m.fmt_v)));
    let rw = m.fmt_ref.width();
    let refr = b.named("refractory", b.ne(refc, b.const_u(0, rw)));
    let v_next = b.mux(
        refr,
        v,
        b.mux(fire, konst(b, "v_reset", m.v_reset, m.fmt_v), v_int),
    );
    let ref_dec = b.as_unsigned(b.trunc(b.sub(refc, b.const_u(1, rw)), rw));
    let ref_load = b.mux(fire, b.const_u(m.ref_steps as i128, rw), b.const_u(0, rw));
    let ref_next = b.mux(refr, ref_dec, ref_load);
    let spike = b.and(b.not(refr), fire);
    (vec![v_next, ref_next], spike)
}
