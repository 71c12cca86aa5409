//! Izhikevich datapath (see `spikeforge_model::neuron::izhikevich` for the specification).
use super::{align, cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::izhikevich::IzhikevichFixed;

pub(super) fn build(
    b: &ModuleBuilder,
    m: &IzhikevichFixed,
    words: &[Sig],
    input: Sig,
) -> (Vec<Sig>, Sig) {
    let (v, u) = (words[0], words[1]);
    for c in [&m.k2, &m.k1, &m.kdt, &m.kab, &m.ka] {
        b.header_line(format!(
            "{} = {} (raw {} in {}, {:?})",
            c.name, c.value, c.raw, c.fmt, c.mul
        ));
    }
    b.header_line(format!(
        "k0 = 140 dt = raw {}; c {} d {} v_peak {} (raw, {})",
        m.k0, m.c, m.d, m.v_peak, m.fmt
    ));
    let f = m.fmt.frac_bits;
    let fi = m.fmt_in.frac_bits;
    let c = m.k2.fmt.frac_bits;
    // dv: k2 v^2 + (k1 v - kdt u + kdt I) << f, all at 2f + C fraction bits
    let sq = b.named("v_sq", b.mul(v, v));
    let quad = b.named("quad", cmul(b, sq, &m.k2));
    let lin_u = b.sub(cmul(b, v, &m.k1), cmul(b, u, &m.kdt));
    let lin_i = align(b, cmul(b, input, &m.kdt), fi + c, f + c);
    let lin = b.named("lin", b.add(lin_u, lin_i));
    let acc = b.named("acc", b.add(quad, b.shl(lin, f)));
    let dv = b.named(
        "dv",
        b.add(b.round_shr(acc, f + c), konst(b, "k0", m.k0, m.fmt)),
    );
    let v1 = b.named("v_int", sat(b, b.add(v, dv), m.fmt));
    // du: kab v - ka u at f + C fraction bits
    let du = b.named(
        "du",
        b.round_shr(b.sub(cmul(b, v, &m.kab), cmul(b, u, &m.ka)), c),
    );
    let u1 = b.named("u_int", sat(b, b.add(u, du), m.fmt));
    let fire = b.named("fire", b.ge(v1, konst(b, "v_peak", m.v_peak, m.fmt)));
    let v_next = b.mux(fire, konst(b, "c", m.c, m.fmt), v1);
    let u_reset = sat(b, b.add(u1, konst(b, "d", m.d, m.fmt)), m.fmt);
    let u_next = b.mux(fire, u_reset, u1);
    (vec![v_next, u_next], fire)
}
