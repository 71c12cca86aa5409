//! Helpers shared by the integration tests: a seeded PRNG, reference arithmetic on i128, and a
//! design that uses every primitive of the IR.
#![allow(dead_code)]

use spikeforge_hdl::{Design, Module, ModuleBuilder, Ty};

/// xorshift64*: small, seeded, good enough for test vectors.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// A value of `ty`: one time in four a corner (min, max, -1, 0, 1), otherwise uniform.
    pub fn value(&mut self, ty: Ty) -> i128 {
        if self.below(4) == 0 {
            let corners = [ty.min_value(), ty.max_value(), -1, 0, 1];
            let v = corners[self.below(5) as usize];
            if ty.contains(v) {
                return v;
            }
        }
        let bits = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        ty.value_of(bits)
    }
}

/// Clamp into the range of `ty` (saturation).
pub fn sat(v: i128, ty: Ty) -> i128 {
    v.clamp(ty.min_value(), ty.max_value())
}

/// Wrap into `ty` (keep the low bits).
pub fn wrap(v: i128, ty: Ty) -> i128 {
    ty.value_of(ty.bits_of(v))
}

/// floor(v / 2^n) on i128 (arithmetic shift).
pub fn floor_shr(v: i128, n: u32) -> i128 {
    v >> n
}

/// Round half up: floor((v + 2^(n-1)) / 2^n).
pub fn round_shr(v: i128, n: u32) -> i128 {
    if n == 0 {
        v
    } else {
        (v + (1i128 << (n - 1))) >> n
    }
}

/// A Verilog literal of `v` in `ty` (bit pattern in hex).
pub fn vlit(v: i128, ty: Ty) -> String {
    format!("{}'h{:x}", ty.width, ty.bits_of(v))
}

/// A small submodule with a register, instantiated by [`kitchen_sink`].
pub fn sub_module() -> Module {
    let b = ModuleBuilder::new("sf_test_sub").unwrap();
    b.header_line("test submodule: registered saturating add");
    let x = b.input("x", Ty::signed(12));
    let y = b.input("y", Ty::signed(12));
    let z = b.reg("z", Ty::signed(12), -1);
    b.set_next(z, b.saturate(b.add(x, y), 12));
    b.output("z", z);
    b.finish().unwrap()
}

/// A design that uses every primitive: arithmetic with growth, widening signed multiply,
/// arithmetic shifts of negative numbers, saturation, extension, mux, compares, logic, registers
/// with reset and enable, a block RAM, sync and async ROMs, a FIFO and a submodule instance.
pub fn kitchen_sink() -> Design {
    let sub = sub_module();
    let b = ModuleBuilder::new("sf_test_top").unwrap();
    b.header_line("test design exercising every primitive");
    b.header_line("formats: a, b = Q7.8; c = Q3.8");
    let a = b.input("a", Ty::signed(16));
    let bb = b.input("b", Ty::signed(16));
    let c = b.input("c", Ty::signed(12));
    let u = b.input("u", Ty::unsigned(10));
    let en = b.input("en", Ty::BIT);
    let amt = b.input("amt", Ty::unsigned(4));
    let we = b.input("we", Ty::BIT);
    let waddr = b.input("waddr", Ty::unsigned(8));
    let raddr = b.input("raddr", Ty::unsigned(8));
    let re = b.input("re", Ty::BIT);
    let rom_addr = b.input("rom_addr", Ty::unsigned(5));
    let in_valid = b.input("in_valid", Ty::BIT);
    let in_data = b.input("in_data", Ty::unsigned(8));
    let out_ready = b.input("out_ready", Ty::BIT);
    let gain = b.param("GAIN", Ty::signed(16), -3);
    let _unused = b.param("SPARE", Ty::unsigned(8), 7);

    // arithmetic
    let sum = b.named("sum", b.add(a, bb)); // s17
    let diff = b.named("diff", b.sub(a, c)); // s17
    let prod = b.named("prod", b.mul(a, bb)); // s32
    let prod_sh = b.shr(prod, 7); // s25, >>> of negatives
    let prod_sat = b.named("prod_sat", b.saturate(prod_sh, 16));
    let prod_rnd = b.named("prod_rnd", b.saturate(b.round_shr(prod, 9), 16));
    let scaled = b.saturate(b.mul(a, gain), 16);
    let wide = b.mul(b.sext(a, 64), b.sext(bb, 64)); // s128
    let wide_sat = b.saturate(b.shr(wide, 3), 24);
    let big = b.const_s(-(1i128 << 100) + 12345, 128);
    let wide_lt = b.lt(wide, big);
    b.output("sum", sum);
    b.output("diff", diff);
    b.output("prod_sat", prod_sat);
    b.output("prod_rnd", prod_rnd);
    b.output("scaled", scaled);
    b.output("wide_sat", wide_sat);
    b.output("wide_lt", wide_lt);
    b.output("neg_a", b.neg(a));
    b.output("u_signed", b.add(b.to_signed(u), c));
    b.output("u_minus", b.sub(u, b.slice(bb, 9, 0)));

    // widths and bits
    b.output("c_sext", b.sext(c, 20));
    b.output("u_zext", b.zext(u, 14));
    b.output("a_trunc", b.trunc(a, 8));
    b.output("a_mid", b.slice(a, 11, 4));
    b.output("cat", b.concat(&[b.msb(a), b.slice(c, 3, 0), u]));
    b.output("c_shl", b.shl(c, 3));
    b.output("a_shr_dyn", b.shr_dyn(a, amt));
    b.output("u_shl_dyn", b.shl_dyn(u, amt));
    b.output("a_sign", b.shr(a, 20));
    b.output("u_sat", b.saturate(b.shl(u, 3), 12));

    // compare, select, logic
    let lt = b.named("a_lt_c", b.lt(a, c));
    b.output("lt", lt);
    b.output("ge", b.ge(bb, a));
    b.output("le", b.le(c, a));
    b.output("gt", b.gt(u, b.slice(a, 9, 0)));
    b.output("eq", b.eq(a, bb));
    b.output("ne", b.ne(c, b.trunc(a, 12)));
    b.output("min_ac", b.mux(lt, a, c));
    b.output("bits", b.xor(b.and(a, bb), b.or(b.not(a), bb)));
    b.output(
        "red",
        b.concat(&[b.reduce_and(a), b.reduce_or(c), b.reduce_xor(u)]),
    );

    // registers: saturating accumulator with reset and enable, a pipeline register without reset
    let acc = b.reg("acc", Ty::signed(16), -7);
    b.set_next_enabled(acc, b.saturate(b.add(acc, prod_sat), 16), en);
    let pipe = b.reg_noreset("pipe", Ty::signed(17));
    b.set_next(pipe, sum);
    b.output("acc_q", acc);
    b.output("pipe_q", pipe);

    // block RAM 256 x s16, synchronous read with enable
    let ram = b.memory("ram", 256, Ty::signed(16));
    b.mem_no_rw_check(ram);
    b.mem_write(ram, we, waddr, prod_sat);
    b.output("ram_q", b.mem_read_sync(ram, raddr, Some(re)));

    // ROMs
    let coef: Vec<i128> = (0..32).map(|i| (i * 37 % 1024) - 512).collect();
    b.output(
        "coef_q",
        b.rom("coef", Ty::signed(10), &coef, rom_addr, None),
    );
    let lut: Vec<i128> = (0..8).map(|i| i * i).collect();
    b.output(
        "lut_q",
        b.rom_async("lut", Ty::unsigned(6), &lut, b.trunc(rom_addr, 3)),
    );

    // FIFO and submodule
    let f = b.fifo("q", 8, in_valid, in_data, out_ready);
    b.output("in_ready", f.in_ready);
    b.output("out_valid", f.out_valid);
    b.output("out_data", f.out_data);
    let s = b.instance("u_sub", &sub, &[("x", c), ("y", b.trunc(a, 12))]);
    b.output("sub_z", s.out("z"));
    let s2 = b.instance("u_sub2", &sub, &[("x", c), ("y", c)]);
    b.output("sub2_z", s2.out("z"));

    Design::new(b.finish().unwrap()).unwrap()
}
