//! The memory primitive is inferred as block RAM by Yosys.

use spikeforge_hdl::tools::run_yosys;
use spikeforge_hdl::{Design, ModuleBuilder, Ty};

/// A 256 x 16 simple dual-port RAM: one write port, one registered read port.
fn ram_256x16(no_rw_check: bool) -> Design {
    let b = ModuleBuilder::new("ram_256x16").unwrap();
    let we = b.input("we", Ty::BIT);
    let waddr = b.input("waddr", Ty::unsigned(8));
    let wdata = b.input("wdata", Ty::signed(16));
    let re = b.input("re", Ty::BIT);
    let raddr = b.input("raddr", Ty::unsigned(8));
    let mem = b.memory("mem", 256, Ty::signed(16));
    if no_rw_check {
        b.mem_no_rw_check(mem);
    }
    b.mem_write(mem, we, waddr, wdata);
    b.output("rdata", b.mem_read_sync(mem, raddr, Some(re)));
    Design::new(b.finish().unwrap()).unwrap()
}

/// Count of `cell` in the `stat` section of a Yosys log.
fn cell_count(log: &str, cell: &str) -> usize {
    log.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            (it.next() == Some(cell)).then(|| it.next()?.parse::<usize>().ok())?
        })
        .next_back()
        .unwrap_or(0)
}

#[test]
fn ram_256x16_maps_to_ice40_and_ecp5_block_ram() {
    let dir = tempfile::tempdir().unwrap();
    let files = ram_256x16(false).write_files(dir.path()).unwrap();

    // exact read-old-word semantics: block RAM plus a few bypass flip-flops
    let log =
        run_yosys(&files, "synth_ice40 -top ram_256x16; stat").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cell_count(&log, "SB_RAM40_4K"), 1, "{log}");
    let bypass = cell_count(&log, "SB_DFF") + cell_count(&log, "SB_DFFE");
    assert!(
        bypass < 64,
        "{bypass} flip-flops: the memory itself must not be in flip-flops"
    );

    let log =
        run_yosys(&files, "synth_ecp5 -top ram_256x16; stat").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cell_count(&log, "DP16KD"), 1, "{log}");
}

#[test]
fn no_rw_check_ram_is_pure_block_ram() {
    let dir = tempfile::tempdir().unwrap();
    let files = ram_256x16(true).write_files(dir.path()).unwrap();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("(* no_rw_check *)"));
    let log =
        run_yosys(&files, "synth_ice40 -top ram_256x16; stat").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cell_count(&log, "SB_RAM40_4K"), 1, "{log}");
    let ffs: usize = log
        .lines()
        .filter(|l| l.trim_start().starts_with("SB_DFF"))
        .count();
    assert_eq!(ffs, 0, "{log}");
}

#[test]
fn initialised_rom_maps_to_ice40_block_ram() {
    let b = ModuleBuilder::new("rom_256x16").unwrap();
    let addr = b.input("addr", Ty::unsigned(8));
    let words: Vec<i128> = (0..256).map(|i| (i * 97 % 65536) - 32768).collect();
    b.output("q", b.rom("lut_rom", Ty::signed(16), &words, addr, None));
    let design = Design::new(b.finish().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = design.write_files(dir.path()).unwrap();
    let log =
        run_yosys(&files, "synth_ice40 -top rom_256x16; stat").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cell_count(&log, "SB_RAM40_4K"), 1, "{log}");
}
