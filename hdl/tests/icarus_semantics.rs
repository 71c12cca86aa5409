//! The emitted Verilog computes exactly what the IR says: seeded random vectors (with min/max
//! corners) simulated in Icarus Verilog, checked against the same arithmetic on i128 in Rust.

mod common;

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::PathBuf;

use common::{floor_shr, round_shr, sat, vlit, wrap, Rng};
use spikeforge_hdl::tools::run_icarus;
use spikeforge_hdl::{Design, ModuleBuilder, Ty};

/// Write the design plus a testbench, simulate, return the output lines.
fn simulate(design: &Design, tb: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = design.write_files(dir.path()).unwrap();
    let tb_path = dir.path().join("tb.v");
    std::fs::write(&tb_path, tb).unwrap();
    files.push(tb_path);
    let out = run_icarus(&files, "tb", dir.path()).unwrap_or_else(|e| panic!("{e}"));
    out.lines()
        .filter(|l| l.starts_with("R "))
        .map(|l| l[2..].to_string())
        .collect()
}

fn parse(line: &str) -> Vec<i128> {
    line.split_whitespace()
        .map(|t| {
            t.parse()
                .unwrap_or_else(|_| panic!("bad number {t:?} in {line:?}"))
        })
        .collect()
}

const A: Ty = Ty {
    width: 16,
    signed: true,
};
const B: Ty = Ty {
    width: 16,
    signed: true,
};
const C: Ty = Ty {
    width: 12,
    signed: true,
};
const U: Ty = Ty {
    width: 10,
    signed: false,
};
const AMT: Ty = Ty {
    width: 4,
    signed: false,
};

type RefFn = fn(&[i128; 5]) -> i128;

/// (output name, reference computation on (a, b, c, u, amt))
fn reference() -> Vec<(&'static str, RefFn)> {
    vec![
        ("sat_mul_shr3", |v| {
            sat(floor_shr(v[0] * v[1], 3), Ty::signed(16))
        }),
        ("rnd_a4", |v| round_shr(v[0], 4)),
        ("rnd_mul7_sat", |v| {
            sat(round_shr(v[0] * v[1], 7), Ty::signed(16))
        }),
        ("rnd_c11", |v| round_shr(v[2], 11)),
        ("lt_ac", |v| i128::from(v[0] < v[2])),
        ("ge_ba", |v| i128::from(v[1] >= v[0])),
        ("le_ca", |v| i128::from(v[2] <= v[0])),
        ("eq_ab", |v| i128::from(v[0] == v[1])),
        ("ne_ca", |v| i128::from(v[2] != v[0])),
        ("gt_u", |v| i128::from(v[3] > (v[1] & 0x3ff))),
        ("sum_ac", |v| v[0] + v[2]),
        ("diff_cb", |v| v[2] - v[1]),
        ("neg_a", |v| -v[0]),
        ("min_ac", |v| v[0].min(v[2])),
        ("trunc_a8", |v| wrap(v[0], Ty::signed(8))),
        ("sat_add", |v| sat(v[0] + v[1], Ty::signed(16))),
        ("sat_sub12", |v| sat(v[2] - v[0], Ty::signed(12))),
        ("usat", |v| sat(v[3] << 3, Ty::unsigned(12))),
        ("mixed", |v| v[3] + v[2]),
        ("u_minus", |v| v[3] - (v[1] & 0x3ff)),
        ("shr_dyn", |v| v[0] >> v[4]),
        ("sign_a", |v| if v[0] < 0 { -1 } else { 0 }),
        ("sext_c", |v| v[2]),
        ("zext_c", |v| v[2] & 0xfff),
        ("shl_c", |v| v[2] * 8),
        ("wide", |v| v[0] * v[1] * v[2]),
        ("wide_sat", |v| {
            sat(floor_shr(v[0] * v[1] * v[2], 5), Ty::signed(20))
        }),
        ("mul_u", |v| v[3] * v[4]),
        ("sat_to_u", |v| sat(v[3] * v[3], Ty::unsigned(16))),
        ("max_c", |v| v[2].max(-5)),
    ]
}

fn comb_design() -> Design {
    let b = ModuleBuilder::new("sem_dut").unwrap();
    let a = b.input("a", A);
    let bb = b.input("b", B);
    let c = b.input("c", C);
    let u = b.input("u", U);
    let amt = b.input("amt", AMT);
    let prod = b.named("prod", b.mul(a, bb)); // s32
    b.output("sat_mul_shr3", b.saturate(b.shr(prod, 3), 16));
    b.output("rnd_a4", b.round_shr(a, 4));
    b.output("rnd_mul7_sat", b.saturate(b.round_shr(prod, 7), 16));
    b.output("rnd_c11", b.round_shr(c, 11));
    b.output("lt_ac", b.lt(a, c));
    b.output("ge_ba", b.ge(bb, a));
    b.output("le_ca", b.le(c, a));
    b.output("eq_ab", b.eq(a, bb));
    b.output("ne_ca", b.ne(c, a));
    b.output("gt_u", b.gt(u, b.slice(bb, 9, 0)));
    b.output("sum_ac", b.add(a, c));
    b.output("diff_cb", b.sub(c, bb));
    b.output("neg_a", b.neg(a));
    b.output("min_ac", b.mux(b.lt(a, c), a, c));
    b.output("trunc_a8", b.trunc(a, 8));
    b.output("sat_add", b.saturate(b.add(a, bb), 16));
    b.output("sat_sub12", b.saturate(b.sub(c, a), 12));
    b.output("usat", b.saturate(b.shl(u, 3), 12));
    b.output("mixed", b.add(b.to_signed(u), c));
    b.output("u_minus", b.sub(u, b.slice(bb, 9, 0)));
    b.output("shr_dyn", b.shr_dyn(a, amt));
    b.output("sign_a", b.shr(a, 40));
    b.output("sext_c", b.sext(c, 20));
    b.output("zext_c", b.zext(c, 14));
    b.output("shl_c", b.shl(c, 3));
    let wide = b.mul(b.sext(prod, 100), b.sext(c, 28)); // s128
    b.output("wide", wide);
    b.output("wide_sat", b.saturate(b.shr(wide, 5), 20));
    b.output("mul_u", b.mul(u, amt));
    b.output("sat_to_u", b.saturate(b.mul(u, u), 16));
    let m5 = b.const_s(-5, 12);
    b.output("max_c", b.mux(b.gt(c, m5), c, m5));
    Design::new(b.finish().unwrap()).unwrap()
}

#[test]
fn combinational_ops_match_i128_reference() {
    let design = comb_design();
    let top = design.top().clone();
    let refs = reference();
    let outs: Vec<_> = refs
        .iter()
        .map(|(n, _)| top.port(n).unwrap().clone())
        .collect();

    // vectors: all min/max/-1/0/1 corner combinations of a and b, then seeded random ones
    let corners = |t: Ty| [t.min_value(), t.max_value(), -1, 0, 1];
    let mut vectors: Vec<[i128; 5]> = Vec::new();
    for (i, &x) in corners(A).iter().enumerate() {
        for (j, &y) in corners(B).iter().enumerate() {
            vectors.push([
                x,
                y,
                corners(C)[(i + j) % 5],
                U.max_value() - j as i128,
                (i * 3) as i128,
            ]);
        }
    }
    let mut rng = Rng::new(0x5eed_0001);
    while vectors.len() < 400 {
        let a = rng.value(A);
        let b = if rng.below(8) == 0 { a } else { rng.value(B) };
        vectors.push([a, b, rng.value(C), rng.value(U), rng.value(AMT)]);
    }

    let mut tb = String::from("`timescale 1ns/1ns\nmodule tb;\n");
    for (name, ty) in [("a", A), ("b", B), ("c", C), ("u", U), ("amt", AMT)] {
        let s = if ty.signed { "signed " } else { "" };
        let _ = writeln!(tb, "  reg {s}[{}:0] {name};", ty.width - 1);
    }
    for p in &outs {
        let s = if p.ty.signed { "signed " } else { "" };
        let _ = writeln!(tb, "  wire {s}[{}:0] {};", p.ty.width - 1, p.name);
    }
    let conns: Vec<String> = ["a", "b", "c", "u", "amt"]
        .iter()
        .map(|s| s.to_string())
        .chain(outs.iter().map(|p| p.name.clone()))
        .map(|n| format!(".{n}({n})"))
        .collect();
    let _ = writeln!(tb, "  sem_dut dut ({});", conns.join(", "));
    let fmt = vec!["%0d"; outs.len()].join(" ");
    let args: Vec<&str> = outs.iter().map(|p| p.name.as_str()).collect();
    tb.push_str("  initial begin\n");
    for v in &vectors {
        let _ = writeln!(
            tb,
            "    a = {}; b = {}; c = {}; u = {}; amt = {};\n    #1 $display(\"R {fmt}\", {});",
            vlit(v[0], A),
            vlit(v[1], B),
            vlit(v[2], C),
            vlit(v[3], U),
            vlit(v[4], AMT),
            args.join(", ")
        );
    }
    tb.push_str("    $finish;\n  end\nendmodule\n");

    let lines = simulate(&design, &tb);
    assert_eq!(lines.len(), vectors.len(), "one result line per vector");
    let mut saturated = 0;
    for (v, line) in vectors.iter().zip(&lines) {
        let got = parse(line);
        for ((name, f), (g, p)) in refs.iter().zip(got.iter().zip(&outs)) {
            let want = f(v);
            assert!(
                p.ty.contains(want),
                "{name}: reference {want} does not fit {}",
                p.ty
            );
            assert_eq!(*g, want, "output {name} for a,b,c,u,amt = {v:?}");
        }
        saturated += usize::from(got[0] == 32767 || got[0] == -32768);
    }
    assert!(
        saturated > 10,
        "the vectors must hit saturation ({saturated})"
    );
}

#[test]
fn registered_saturating_mac_matches_reference() {
    // acc <= sat20(acc + round_half_up(x * k >>> 8)) when en; synchronous reset to 0
    let b = ModuleBuilder::new("mac_dut").unwrap();
    let x = b.input("x", Ty::signed(16));
    let k = b.input("k", Ty::signed(16));
    let en = b.input("en", Ty::BIT);
    let acc = b.reg("acc", Ty::signed(20), 0);
    let term = b.named("term", b.round_shr(b.mul(x, k), 8)); // s25
    b.set_next_enabled(acc, b.saturate(b.add(acc, term), 20), en);
    b.output("acc", acc);
    let design = Design::new(b.finish().unwrap()).unwrap();

    let mut rng = Rng::new(42);
    let steps: Vec<(bool, i128, i128, bool)> = (0..300)
        .map(|i| {
            let rst = i < 2 || i == 150;
            (
                rst,
                rng.value(Ty::signed(16)),
                rng.value(Ty::signed(16)),
                rng.below(4) != 0,
            )
        })
        .collect();
    let mut tb = String::from(
        "`timescale 1ns/1ns\nmodule tb;\n  reg clk = 0, rst = 1, en = 0;\n  reg signed [15:0] x = 0, k = 0;\n  wire signed [19:0] acc;\n  mac_dut dut (.clk(clk), .rst(rst), .x(x), .k(k), .en(en), .acc(acc));\n  initial begin\n",
    );
    for (r, xv, kv, e) in &steps {
        let _ = writeln!(
            tb,
            "    rst = {}; x = {}; k = {}; en = {};\n    #5 clk = 1; #1 $display(\"R %0d\", acc); #4 clk = 0;",
            u8::from(*r),
            vlit(*xv, Ty::signed(16)),
            vlit(*kv, Ty::signed(16)),
            u8::from(*e)
        );
    }
    tb.push_str("    $finish;\n  end\nendmodule\n");
    let lines = simulate(&design, &tb);
    assert_eq!(lines.len(), steps.len());
    let mut acc = 0i128;
    for (i, ((r, xv, kv, e), line)) in steps.iter().zip(&lines).enumerate() {
        if *r {
            acc = 0;
        } else if *e {
            acc = sat(acc + round_shr(xv * kv, 8), Ty::signed(20));
        }
        assert_eq!(parse(line), [acc], "step {i}");
    }
}

#[test]
fn fifo_handshakes_and_order_match_a_queue() {
    const DEPTH: usize = 4;
    let b = ModuleBuilder::new("fifo_dut").unwrap();
    let iv = b.input("iv", Ty::BIT);
    let id = b.input("id", Ty::signed(8));
    let or = b.input("ordy", Ty::BIT);
    let f = b.fifo("q", DEPTH, iv, id, or);
    b.output("irdy", f.in_ready);
    b.output("ov", f.out_valid);
    b.output("od", f.out_data);
    let design = Design::new(b.finish().unwrap()).unwrap();
    assert_eq!(design.module_names(), ["fifo_dut", "sf_fifo_s8_d4"]);

    let mut rng = Rng::new(7);
    // bursts of mostly-push then mostly-pop so that full and empty both happen
    let steps: Vec<(bool, i128, bool)> = (0..400)
        .map(|i| {
            let phase = (i / 25) % 2 == 0;
            let push = rng.below(8) < if phase { 7 } else { 2 };
            let pop = rng.below(8) < if phase { 2 } else { 7 };
            (push, rng.value(Ty::signed(8)), pop)
        })
        .collect();
    let mut tb = String::from(
        "`timescale 1ns/1ns\nmodule tb;\n  reg clk = 0, rst = 1, iv = 0, ordy = 0;\n  reg signed [7:0] id = 0;\n  wire irdy, ov;\n  wire signed [7:0] od;\n  fifo_dut dut (.clk(clk), .rst(rst), .iv(iv), .id(id), .ordy(ordy), .irdy(irdy), .ov(ov), .od(od));\n  initial begin\n    #5 clk = 1; #5 clk = 0; rst = 0;\n",
    );
    for (push, d, pop) in &steps {
        let _ = writeln!(
            tb,
            "    iv = {}; id = {}; ordy = {};\n    #1 $display(\"R %0d %0d %0d\", irdy, ov, ov ? od : 8'sd0); #4 clk = 1; #5 clk = 0;",
            u8::from(*push),
            vlit(*d, Ty::signed(8)),
            u8::from(*pop)
        );
    }
    tb.push_str("    $finish;\n  end\nendmodule\n");
    let lines = simulate(&design, &tb);
    assert_eq!(lines.len(), steps.len());
    let mut q: VecDeque<i128> = VecDeque::new();
    let (mut fulls, mut moved) = (0, 0);
    for (i, ((push, d, pop), line)) in steps.iter().zip(&lines).enumerate() {
        let got = parse(line);
        let in_ready = q.len() < DEPTH;
        let out_valid = !q.is_empty();
        assert_eq!(got[0], i128::from(in_ready), "in_ready at step {i}");
        assert_eq!(got[1], i128::from(out_valid), "out_valid at step {i}");
        if out_valid {
            assert_eq!(got[2], q[0], "out_data at step {i}");
        }
        fulls += usize::from(!in_ready);
        if out_valid && *pop {
            q.pop_front();
            moved += 1;
        }
        if in_ready && *push {
            q.push_back(*d);
        }
    }
    assert!(
        fulls > 5 && moved > 100,
        "full {fulls} times, {moved} words moved"
    );
}
