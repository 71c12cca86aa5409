//! spikeforge-hdl: a small typed RTL IR, a Verilog-2005 emitter, and fixed-point neuron cores.
//!
//! The datapaths here are written independently of the model crate's fixed-point code (they only share
//! parameter and format types), so that co-simulation compares two implementations.
//!
//! # Layout
//!
//! - [`ir`]: types ([`Ty`], [`Sig`]), the [`ModuleBuilder`] (ports, parameters, constants, exact
//!   width-growing arithmetic, saturation, rounding shifts, compares, mux, logic, registers,
//!   memories, instances, FIFOs) and the frozen [`Module`].
//! - [`emit`]: [`Design`] (a top module and everything it instantiates) and the Verilog-2005
//!   writer. Every IR node is its own exactly typed `wire`, with operands explicitly extended, so
//!   Verilog's width and signedness rules cannot change a result. Output is byte-deterministic.
//! - [`prims`]: primitive modules written in the IR (the valid/ready FIFO).
//! - [`tools`]: run `verilator --lint-only -Wall`, Yosys and Icarus as subprocesses.
//!
//! # Example: a registered saturating multiply-accumulate
//!
//! ```
//! use spikeforge_hdl::{Design, ModuleBuilder, Ty};
//!
//! let b = ModuleBuilder::new("mac").unwrap();
//! b.header_line("acc <= sat20(acc + round_half_up(x * k / 2^8)) when en");
//! let x = b.input("x", Ty::signed(16));
//! let k = b.input("k", Ty::signed(16));
//! let en = b.input("en", Ty::BIT);
//! let acc = b.reg("acc", Ty::signed(20), 0); // s20, synchronous reset to 0
//! let term = b.named("term", b.round_shr(b.mul(x, k), 8)); // s32 -> s25
//! let sum = b.add(acc, term); // s26
//! b.set_next_enabled(acc, b.saturate(sum, 20), en); // s20
//! b.output("acc", acc);
//! let design = Design::new(b.finish().unwrap()).unwrap();
//! let files = design.emit_files(); // [("mac.v", text)]
//! assert_eq!(files[0].0, "mac.v");
//! assert!(files[0].1.contains("output reg  signed [19:0] acc"));
//! ```

pub mod emit;
pub mod error;
pub mod ir;
pub mod prims;
pub mod tools;

pub use emit::{emit_module, Design};
pub use error::HdlError;
pub use ir::{
    addr_width, validate_ident, FifoOut, Instance, Mem, Module, ModuleBuilder, Param, Port,
    PortDir, Sig, Ty, CLK, MAX_WIDTH, RST,
};
pub use prims::{fifo_module, fifo_module_name};
pub mod cores;
pub mod package;
