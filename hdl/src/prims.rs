//! Reusable primitive modules written in the IR itself.

use crate::ir::{addr_width, Module, ModuleBuilder, Ty};

/// Name of the FIFO module for a word type and depth, e.g. `sf_fifo_u8_d4`.
pub fn fifo_module_name(data: Ty, depth: usize) -> String {
    format!("sf_fifo_{data}_d{depth}")
}

/// A synchronous first-word-fall-through FIFO of `depth` words (a power of two, at least 2).
///
/// Ports: `clk`, `rst` (synchronous, empties the FIFO), push side `in_valid`/`in_ready`/`in_data`,
/// pop side `out_valid`/`out_ready`/`out_data`. A word moves on a clock where valid and ready are
/// both high. `in_ready` is `!full` and `out_valid` is `!empty`, neither depends combinationally on
/// the other side's handshake. `out_data` is read asynchronously from a small LUT memory. The
/// module name is [`fifo_module_name`], so equal FIFOs are emitted once per design.
///
/// Panics if `depth` is not a power of two or is less than 2.
pub fn fifo_module(data: Ty, depth: usize) -> Module {
    assert!(
        depth >= 2 && depth.is_power_of_two(),
        "fifo depth must be a power of two >= 2, got {depth}"
    );
    let b = ModuleBuilder::new(&fifo_module_name(data, depth)).expect("fifo name is valid");
    b.header_line(format!(
        "synchronous FIFO, {depth} words of {data}, first-word fall-through"
    ));
    b.header_line("push: in_valid/in_ready/in_data, pop: out_valid/out_ready/out_data");
    let in_valid = b.input("in_valid", Ty::BIT);
    let in_data = b.input("in_data", data);
    let out_ready = b.input("out_ready", Ty::BIT);

    let aw = addr_width(depth);
    let ptr = Ty::unsigned(aw + 1); // one extra bit tells full from empty
    let wr = b.reg("wr_ptr", ptr, 0);
    let rd = b.reg("rd_ptr", ptr, 0);
    let level = b.named("level", b.as_unsigned(b.trunc(b.sub(wr, rd), aw + 1)));
    let full = b.eq(level, b.constant(depth as i128, ptr));
    let empty = b.eq(wr, rd);
    let can_push = b.named("can_push", b.not(full));
    let can_pop = b.named("can_pop", b.not(empty));
    let push = b.named("push", b.and(in_valid, can_push));
    let pop = b.named("pop", b.and(can_pop, out_ready));
    let one = b.const_u(1, 1);
    b.set_next_enabled(wr, b.trunc(b.add(wr, one), aw + 1), push);
    b.set_next_enabled(rd, b.trunc(b.add(rd, one), aw + 1), pop);

    let mem = b.memory("mem", depth, data);
    b.mem_write(mem, push, b.trunc(wr, aw), in_data);
    let head = b.mem_read_async(mem, b.trunc(rd, aw));

    b.output("in_ready", can_push);
    b.output("out_valid", can_pop);
    b.output("out_data", head);
    b.finish().expect("fifo module is complete")
}
