//! Seeded random expression DAGs over random widths (1..=120 bits, signed and unsigned): the
//! emitted Verilog is lint-clean under `verilator -Wall` and Icarus computes exactly what an
//! independent i128 reference computes.

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::{round_shr, sat, vlit, wrap, Rng};
use spikeforge_hdl::tools::{check_yosys, lint_verilator, run_icarus};
use spikeforge_hdl::{Design, ModuleBuilder, Sig, Ty};

type Eval = Box<dyn Fn(&[i128]) -> i128>;

/// Reference value of the bits `bits` read in `ty`.
fn reinterpret(v: i128, from: Ty, to: Ty) -> i128 {
    to.value_of(from.bits_of(v))
}

struct Gen<'a> {
    b: &'a ModuleBuilder,
    rng: Rng,
    pool: Vec<(Sig, std::rc::Rc<Eval>)>,
}

const MAX_W: u32 = 120;

impl Gen<'_> {
    fn pick(&mut self) -> (Sig, std::rc::Rc<Eval>) {
        // prefer recent nodes so the DAG gets deep
        let n = self.pool.len() as u64;
        let i = if self.rng.below(2) == 0 {
            n - 1 - self.rng.below(n.min(6))
        } else {
            self.rng.below(n)
        };
        let (s, f) = &self.pool[i as usize];
        (*s, f.clone())
    }

    fn pick_sign(&mut self, signed: bool) -> Option<(Sig, std::rc::Rc<Eval>)> {
        for _ in 0..20 {
            let p = self.pick();
            if p.0.is_signed() == signed {
                return Some(p);
            }
        }
        None
    }

    /// Add one random node; returns false when the chosen op did not apply.
    fn step(&mut self) -> bool {
        let b = self.b;
        let (a, fa) = self.pick();
        let ta = a.ty();
        let op = self.rng.below(17);
        let n = (self.rng.below(u64::from(ta.width) + 2)) as u32;
        let new: (Sig, Eval) = match op {
            0..=3 => {
                let Some((c, fc)) = self.pick_sign(ta.signed) else {
                    return false;
                };
                let w = ta.width.max(c.width()) + 1;
                let wm = ta.width + c.width();
                match op {
                    0 if w <= MAX_W => (b.add(a, c), Box::new(move |v| fa(v) + fc(v))),
                    1 if w <= MAX_W => (b.sub(a, c), Box::new(move |v| fa(v) - fc(v))),
                    2 if wm <= MAX_W => (b.mul(a, c), Box::new(move |v| fa(v) * fc(v))),
                    3 => {
                        let Some((s, fs)) = self.pick_sign(false) else {
                            return false;
                        };
                        if s.width() != 1 {
                            let s1 = b.bit(s, 0);
                            (
                                b.mux(s1, a, c),
                                Box::new(move |v| if fs(v) & 1 == 1 { fa(v) } else { fc(v) }),
                            )
                        } else {
                            (
                                b.mux(s, a, c),
                                Box::new(move |v| if fs(v) == 1 { fa(v) } else { fc(v) }),
                            )
                        }
                    }
                    _ => return false,
                }
            }
            4 if ta.width < MAX_W => (b.neg(a), Box::new(move |v| -fa(v))),
            5 => (b.shr(a, n), Box::new(move |v| fa(v) >> n.min(127))),
            6 if ta.width + n <= MAX_W => (b.shl(a, n), Box::new(move |v| fa(v) << n)),
            7 if ta.width.max(n + 1) < MAX_W => {
                (b.round_shr(a, n), Box::new(move |v| round_shr(fa(v), n)))
            }
            8 => {
                let w = 1 + self.rng.below(u64::from(ta.width) + 4) as u32;
                let to = Ty::new(w, ta.signed);
                (b.saturate(a, w), Box::new(move |v| sat(fa(v), to)))
            }
            9 => {
                let w = 1 + self.rng.below(u64::from(ta.width)) as u32;
                let to = Ty::new(w, ta.signed);
                (b.trunc(a, w), Box::new(move |v| wrap(fa(v), to)))
            }
            10 if ta.width + 8 <= MAX_W => {
                let w = ta.width + self.rng.below(8) as u32;
                (b.extend(a, w), Box::new(move |v| fa(v)))
            }
            11 => {
                let lo = self.rng.below(u64::from(ta.width)) as u32;
                let hi = lo + self.rng.below(u64::from(ta.width - lo)) as u32;
                let m = (1i128 << (hi - lo + 1)) - 1;
                (
                    b.slice(a, hi, lo),
                    Box::new(move |v| (ta.bits_of(fa(v)) >> lo) as i128 & m),
                )
            }
            12 => {
                let Some((c, fc)) = self.pick_sign(ta.signed) else {
                    return false;
                };
                match self.rng.below(6) {
                    0 => (b.lt(a, c), Box::new(move |v| i128::from(fa(v) < fc(v)))),
                    1 => (b.le(a, c), Box::new(move |v| i128::from(fa(v) <= fc(v)))),
                    2 => (b.gt(a, c), Box::new(move |v| i128::from(fa(v) > fc(v)))),
                    3 => (b.ge(a, c), Box::new(move |v| i128::from(fa(v) >= fc(v)))),
                    4 => (b.eq(a, c), Box::new(move |v| i128::from(fa(v) == fc(v)))),
                    _ => (b.ne(a, c), Box::new(move |v| i128::from(fa(v) != fc(v)))),
                }
            }
            13 if !ta.signed && ta.width < MAX_W => (b.to_signed(a), Box::new(move |v| fa(v))),
            14 => {
                let to = Ty::new(ta.width, !ta.signed);
                let s = if ta.signed {
                    b.as_unsigned(a)
                } else {
                    b.as_signed(a)
                };
                (s, Box::new(move |v| reinterpret(fa(v), ta, to)))
            }
            15 => {
                // bitwise op against a same-typed constant
                let k = self.rng.value(ta);
                let c = b.constant(k, ta);
                match self.rng.below(3) {
                    0 => (
                        b.and(a, c),
                        Box::new(move |v| ta.value_of(ta.bits_of(fa(v)) & ta.bits_of(k))),
                    ),
                    1 => (
                        b.or(a, c),
                        Box::new(move |v| ta.value_of(ta.bits_of(fa(v)) | ta.bits_of(k))),
                    ),
                    _ => (
                        b.xor(a, c),
                        Box::new(move |v| ta.value_of(ta.bits_of(fa(v)) ^ ta.bits_of(k))),
                    ),
                }
            }
            16 => {
                let (c, fc) = self.pick();
                let tc = c.ty();
                if ta.width + tc.width > MAX_W {
                    return false;
                }
                (
                    b.concat(&[a, c]),
                    Box::new(move |v| {
                        ((ta.bits_of(fa(v)) << tc.width) | tc.bits_of(fc(v))) as i128
                    }),
                )
            }
            _ => return false,
        };
        self.pool.push((new.0, std::rc::Rc::new(new.1)));
        true
    }
}

fn run_seed(seed: u64) {
    let b = ModuleBuilder::new(&format!("dag_{seed}")).unwrap();
    let mut rng = Rng::new(seed);
    let inputs: Vec<Ty> = (0..4)
        .map(|_| Ty::new(1 + rng.below(40) as u32, rng.below(2) == 0))
        .collect();
    let mut g = Gen {
        b: &b,
        rng,
        pool: Vec::new(),
    };
    for (i, ty) in inputs.iter().enumerate() {
        let s = b.input(&format!("i{i}"), *ty);
        g.pool
            .push((s, std::rc::Rc::new(Box::new(move |v: &[i128]| v[i]))));
    }
    let mut made = 0;
    while made < 60 {
        made += usize::from(g.step());
    }
    // every node built after the inputs is an output
    let outs: Vec<(String, Ty, std::rc::Rc<Eval>)> = g.pool[inputs.len()..]
        .iter()
        .enumerate()
        .filter(|(i, (s, _))| !g.pool[..inputs.len() + i].iter().any(|(p, _)| p == s))
        .map(|(i, (s, f))| {
            let name = format!("o{i}");
            b.output(&name, *s);
            (name, s.ty(), f.clone())
        })
        .collect();
    let mut rng = g.rng;
    let design = Design::new(b.finish().unwrap()).unwrap();
    let top = design.top().name().to_string();

    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = design.write_files(dir.path()).unwrap();
    lint_verilator(&files, &top).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    check_yosys(&files, &top).unwrap_or_else(|e| panic!("seed {seed}: {e}"));

    let mut vecs: Vec<Vec<i128>> = Vec::new();
    for _ in 0..60 {
        vecs.push(inputs.iter().map(|t| rng.value(*t)).collect());
    }
    let mut tb = String::from("module tb;\n");
    for (i, t) in inputs.iter().enumerate() {
        let s = if t.signed { "signed " } else { "" };
        let _ = writeln!(tb, "  reg {s}[{}:0] i{i};", t.width - 1);
    }
    for (name, t, _) in &outs {
        let s = if t.signed { "signed " } else { "" };
        let _ = writeln!(tb, "  wire {s}[{}:0] {name};", t.width - 1);
    }
    let conns: Vec<String> = (0..inputs.len())
        .map(|i| format!("i{i}"))
        .chain(outs.iter().map(|o| o.0.clone()))
        .map(|n| format!(".{n}({n})"))
        .collect();
    let _ = writeln!(tb, "  {top} dut ({});\n  initial begin", conns.join(", "));
    let fmt = vec!["%0d"; outs.len()].join(" ");
    let names: Vec<&str> = outs.iter().map(|o| o.0.as_str()).collect();
    for v in &vecs {
        for (i, t) in inputs.iter().enumerate() {
            let _ = write!(tb, "    i{i} = {};", vlit(v[i], *t));
        }
        let _ = writeln!(tb, "\n    #1 $display(\"R {fmt}\", {});", names.join(", "));
    }
    tb.push_str("    $finish;\n  end\nendmodule\n");
    let tb_path = dir.path().join("tb.v");
    std::fs::write(&tb_path, tb).unwrap();
    files.push(tb_path);
    let out = run_icarus(&files, "tb", dir.path()).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("R ")).collect();
    assert_eq!(lines.len(), vecs.len(), "seed {seed}");
    for (v, line) in vecs.iter().zip(lines) {
        for ((name, ty, f), tok) in outs.iter().zip(line[2..].split_whitespace()) {
            let want = f(v);
            assert!(
                ty.contains(want),
                "seed {seed} {name}: {want} does not fit {ty}"
            );
            let got: i128 = tok
                .parse()
                .unwrap_or_else(|_| panic!("seed {seed} {name}: {tok:?}"));
            assert_eq!(got, want, "seed {seed}, output {name} ({ty}), inputs {v:?}");
        }
    }
}

#[test]
fn random_dags_lint_clean_and_match_reference() {
    for seed in [1, 2, 3, 4, 5, 6] {
        run_seed(seed);
    }
}
