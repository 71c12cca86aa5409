//! AdEx datapath (see `spikeforge_model::neuron::adex` for the specification).
use super::lut::{describe, lookup};
use super::{align, cmul, konst, sat};
use crate::ir::{ModuleBuilder, Sig};
use spikeforge_model::neuron::adex::AdexFixed;

pub(super) fn build(
    b: &ModuleBuilder,
    m: &AdexFixed,
    words: &[Sig],
    input: Sig,
) -> (Vec<Sig>, Sig) {
    let (v, w) = (words[0], words[1]);
    for c in [&m.kl, &m.kc, &m.ka, &m.kw] {
        b.header_line(format!(
            "{} = {} (raw {} in {}, {:?})",
            c.name, c.value, c.raw, c.fmt, c.mul
        ));
    }
    b.header_line(format!(
        "EL {} Vr {} Vcut {} (raw, {}); b {} (raw, {})",
        m.el, m.vr, m.vcut, m.fmt_v, m.b, m.fmt_w
    ));
    b.header_line(describe(&m.exp));
    let f = m.fmt_v.frac_bits;
    let fw = m.fmt_w.frac_bits;
    let fi = m.fmt_in.frac_bits;
    let cf = m.kl.fmt.frac_bits;
    let fe = m.exp.out_fmt.frac_bits;
    // V: I - w, the leak and the exponential term at fa + cf fraction bits (exact)
    let fs = fi.max(fw);
    let s = b.named("s", b.sub(align(b, input, fi, fs), align(b, w, fw, fs)));
    let fa = f.max(fs);
    let d = b.named("d", b.sub(konst(b, "el", m.el, m.fmt_v), v));
    let leak = b.named("leak", b.shl(cmul(b, d, &m.kl), fa - f));
    let drive = b.named("drive", b.shl(cmul(b, s, &m.kc), fa - fs));
    let e = b.named("exp_term", align(b, lookup(b, &m.exp, v), fe, fa + cf));
    let acc = b.named("acc", b.add(b.add(leak, drive), e));
    let dv = b.named("dv", b.round_shr(acc, fa + cf - f));
    let v1 = b.named("v_int", sat(b, b.add(v, dv), m.fmt_v));
    // w: a (V - EL) - w at fb + cf fraction bits
    let fb = f.max(fw);
    let acc_w = b.sub(
        b.shl(
            cmul(b, b.sub(v, konst(b, "el", m.el, m.fmt_v)), &m.ka),
            fb - f,
        ),
        b.shl(cmul(b, w, &m.kw), fb - fw),
    );
    let acc_w = b.named("acc_w", acc_w);
    let dw = b.named("dw", b.round_shr(acc_w, fb + cf - fw));
    let w1 = b.named("w_int", sat(b, b.add(w, dw), m.fmt_w));
    let fire = b.named("fire", b.gt(v1, konst(b, "vcut", m.vcut, m.fmt_v)));
    let v_next = b.mux(fire, konst(b, "vr", m.vr, m.fmt_v), v1);
    let w_reset = sat(b, b.add(w1, konst(b, "b", m.b, m.fmt_w)), m.fmt_w);
    let w_next = b.mux(fire, w_reset, w1);
    (vec![v_next, w_next], fire)
}
