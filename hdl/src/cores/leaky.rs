//! snnTorch Leaky datapath (see `spikeforge_model::neuron::leaky` for the specification).
use super::{cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::leaky::LeakyFixed;

pub(super) fn build(
    b: &ModuleBuilder,
    m: &LeakyFixed,
    words: &[Sig],
    input: Sig,
) -> (Vec<Sig>, Sig) {
    let (u, s) = (words[0], words[1]);
    b.header_line(format!(
        "beta = {} (raw {} in {}); thr raw {}; reset {}",
        m.beta.value,
        m.beta.raw,
        m.beta.fmt,
        m.thr,
        if m.reset_to_zero {
            "to zero"
        } else {
            "by subtraction"
        }
    ));
    let decayed = b.named(
        "decayed",
        b.round_shr(cmul(b, u, &m.beta), m.beta.fmt.frac_bits),
    );
    let thr = konst(b, "thr", m.thr, m.fmt);
    let integrated = b.add(decayed, input);
    let after_spike = if m.reset_to_zero {
        input
    } else {
        b.sub(integrated, thr)
    };
    let w = integrated.width().max(after_spike.width());
    let pre = b.mux(
        s,
        b.sext(after_spike, w.max(after_spike.width())),
        b.sext(integrated, w),
    );
    let u_next = b.named("u_int", sat(b, pre, m.fmt));
    let fire = b.named("fire", b.gt(u_next, thr));
    (vec![u_next, fire], fire)
}
