//! FitzHugh-Nagumo datapath (see `spikeforge_model::neuron::fhn` for the specification).
use super::lut::const_min;
use super::{align, cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::fhn::FhnFixed;

/// The upward-crossing spike detector of the models without reset: `spike = armed && v >= v_th`,
/// `armed' = armed ? !(v >= v_th) : (v < v_rearm)`. Returns `(spike, armed')`.
pub(super) fn crossing(
    b: &ModuleBuilder,
    v: Sig,
    armed: Sig,
    v_th: Sig,
    v_rearm: Sig,
) -> (Sig, Sig) {
    let above = b.named("above_th", b.ge(v, v_th));
    let below = b.named("below_rearm", b.lt(v, v_rearm));
    let spike = b.named("fire", b.and(armed, above));
    let armed_next = b.mux(armed, b.not(above), below);
    (spike, armed_next)
}

pub(super) fn build(b: &ModuleBuilder, m: &FhnFixed, words: &[Sig], input: Sig) -> (Vec<Sig>, Sig) {
    let (v, w, armed) = (words[0], words[1], words[2]);
    for c in [&m.kdt, &m.k3, &m.ke, &m.keb] {
        b.header_line(format!(
            "{} = {} (raw {} in {}, {:?})",
            c.name, c.value, c.raw, c.fmt, c.mul
        ));
    }
    let f = m.fmt.frac_bits;
    let fi = m.fmt_in.frac_bits;
    let cf = m.kdt.fmt.frac_bits;
    b.header_line(format!(
        "eps*a*dt raw {} ({} fraction bits); v_th {} v_rearm {} (raw, {})",
        m.kea,
        f + cf,
        m.v_th,
        m.v_rearm,
        m.fmt
    ));
    // v: dt (v - w + I) - dt/3 v^3 at fa + cf fraction bits
    let sq = b.named("v_sq", b.round_shr(b.mul(v, v), f)); // f frac
    let cube = b.named("v_cube", b.mul(sq, v)); // 2f frac, exact
    let fs = f.max(fi);
    let s = b.named(
        "s",
        b.add(align(b, b.sub(v, w), f, fs), align(b, input, fi, fs)),
    );
    let fa = fs.max(2 * f);
    let acc = b.sub(
        b.shl(cmul(b, s, &m.kdt), fa - fs),
        b.shl(cmul(b, cube, &m.k3), fa - 2 * f),
    );
    let acc = b.named("acc", acc);
    let dv = b.named("dv", b.round_shr(acc, fa + cf - f));
    let v1 = b.named("v_int", sat(b, b.add(v, dv), m.fmt));
    // w: eps (v + a - b w) dt at f + cf fraction bits
    let acc_w = b.add(
        b.sub(cmul(b, v, &m.ke), cmul(b, w, &m.keb)),
        const_min(b, m.kea),
    );
    let acc_w = b.named("acc_w", acc_w);
    let dw = b.named("dw", b.round_shr(acc_w, cf));
    let w1 = b.named("w_int", sat(b, b.add(w, dw), m.fmt));
    let (spike, armed_next) = crossing(
        b,
        v1,
        armed,
        konst(b, "v_th", m.v_th, m.fmt),
        konst(b, "v_rearm", m.v_rearm, m.fmt),
    );
    (vec![v1, w1, armed_next], spike)
}
