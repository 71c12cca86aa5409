//! VCD writing and reading: round trips, handwritten files from other tools, and a real Icarus run.
use std::path::Path;
use std::process::Command;

use spikeforge_sim::error::SimError;
use spikeforge_sim::vcdio::{
    parse_vcd_str, read_vcd, render_trace_vcd, write_trace_vcd, VcdSignal,
};

fn sample_signals(n: usize) -> Vec<VcdSignal> {
    let v: Vec<i64> = (0..n as i64).map(|k| (k * 1237 % 65536) - 32768).collect();
    let spike: Vec<i64> = (0..n as i64).map(|k| i64::from(k % 5 == 4)).collect();
    let addr: Vec<i64> = (0..n as i64).map(|k| (k * 37) % 256).collect();
    let wide: Vec<i64> = (0..n as i64)
        .map(|k| {
            if k % 2 == 0 {
                i64::MIN + k
            } else {
                i64::MAX - k
            }
        })
        .collect();
    vec![
        VcdSignal::new("v", 16, v),
        VcdSignal::new("spike", 1, spike),
        VcdSignal::new("addr", 8, addr),
        VcdSignal::new("acc", 64, wide),
    ]
}

#[test]
fn trace_round_trips_including_negative_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.vcd");
    let n = 200;
    let signals = sample_signals(n);
    write_trace_vcd(&path, "lif_core", 10, &signals, n).unwrap();

    let data = read_vcd(&path).unwrap();
    assert_eq!(data.timescale_fs, Some(1_000_000), "1 ns");
    assert_eq!(data.end_time, n as u64 * 10);
    assert_eq!(
        data.signal_names().collect::<Vec<_>>(),
        [
            "lif_core.acc",
            "lif_core.addr",
            "lif_core.spike",
            "lif_core.v"
        ]
    );
    assert_eq!(data.width("lif_core.v"), Some(16));
    assert_eq!(data.width("spike"), Some(1), "suffix lookup");
    for s in &signals {
        let name = format!("lif_core.{}", s.name);
        for (step, &want) in s.values.iter().enumerate() {
            let t = step as u64 * 10;
            // Every time inside the step sees the step's value.
            for dt in [0, 9] {
                let got = if s.width == 1 {
                    data.value_at(&name, t + dt).map(|v| v as i64)
                } else if s.name == "addr" {
                    data.value_at(&name, t + dt).map(|v| v as i64)
                } else {
                    data.signed_value_at(&name, t + dt)
                };
                assert_eq!(got, Some(want), "{name} at step {step} (+{dt} ns)");
            }
        }
    }
    // Some values really are negative, and the unsigned view is the two's complement bit pattern.
    let v0 = signals[0].values[0];
    assert!(v0 < 0);
    assert_eq!(data.value_at("lif_core.v", 0), Some((v0 as u16) as u128));
    assert_eq!(data.signed_value_at("lif_core.acc", 0), Some(i64::MIN));
    // Only changes are stored: the 1-bit spike changes far less often than once per step.
    assert!(data.changes("lif_core.spike").unwrap().len() < n / 2);
    // Sampling per step gives the trace back.
    let samples = data.signed_samples("v", 0, 10, n);
    assert_eq!(
        samples,
        signals[0]
            .values
            .iter()
            .map(|&v| Some(v))
            .collect::<Vec<_>>()
    );
    // Before the first timestamp and for unknown names there is no value.
    assert_eq!(data.value_at("lif_core.nope", 0), None);
}

#[test]
fn output_is_deterministic_with_no_date_or_version() {
    let signals = sample_signals(50);
    let a = render_trace_vcd("core", 1, &signals, 50).unwrap();
    let b = render_trace_vcd("core", 1, &signals, 50).unwrap();
    assert_eq!(a, b);
    let text = String::from_utf8(a).unwrap();
    assert!(!text.contains("$date"), "{text}");
    assert!(!text.contains("$version"), "{text}");
    assert!(
        text.starts_with("$timescale 1 ns $end\n$scope module core $end\n"),
        "{text}"
    );
    assert!(text.contains("$var wire 16 ! v $end"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let p1 = dir.path().join("a.vcd");
    let p2 = dir.path().join("b.vcd");
    write_trace_vcd(&p1, "core", 1, &signals, 50).unwrap();
    write_trace_vcd(&p2, "core", 1, &signals, 50).unwrap();
    assert_eq!(std::fs::read(&p1).unwrap(), std::fs::read(&p2).unwrap());
    assert_eq!(std::fs::read_to_string(&p1).unwrap(), text);
}

#[test]
fn invalid_signals_are_rejected_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.vcd");
    let cases: Vec<(Vec<VcdSignal>, &str)> = vec![
        (vec![VcdSignal::new("v", 8, vec![0, 256])], "does not fit"),
        (vec![VcdSignal::new("v", 8, vec![0, -129])], "does not fit"),
        (
            vec![VcdSignal::new("v", 8, vec![0])],
            "values given for 2 steps",
        ),
        (vec![VcdSignal::new("v", 0, vec![0, 0])], "width 0"),
        (vec![VcdSignal::new("v", 65, vec![0, 0])], "width 65"),
        (vec![VcdSignal::new("my v", 8, vec![0, 0])], "name contains"),
        (vec![VcdSignal::new("", 8, vec![0, 0])], "empty"),
        (
            vec![
                VcdSignal::new("v", 8, vec![0, 0]),
                VcdSignal::new("v", 8, vec![0, 0]),
            ],
            "used twice",
        ),
    ];
    for (signals, want) in cases {
        let err = write_trace_vcd(&path, "core", 10, &signals, 2).unwrap_err();
        assert!(matches!(err, SimError::VcdSignal { .. }), "{err:?}");
        assert!(
            err.to_string().contains(want),
            "{err} should mention {want:?}"
        );
    }
    // Edge values that do fit: -128..=255 in 8 bits.
    render_trace_vcd("core", 10, &[VcdSignal::new("v", 8, vec![-128, 255])], 2).unwrap();
    assert!(matches!(
        write_trace_vcd(&path, "bad module", 10, &[], 0),
        Err(SimError::InvalidInput(_))
    ));
    assert!(matches!(
        write_trace_vcd(&path, "core", 0, &[], 0),
        Err(SimError::InvalidInput(_))
    ));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

const HANDWRITTEN: &str = r#"$date
    Mon Jan  1 00:00:00 2024
$end
$version Some simulator 1.0 $end
$comment
    Nested scopes, x and z values, an alias, a real, SystemVerilog types and attributes.
$end
$timescale 10ps $end
$scope module tb $end
  $var reg 1 ! clk $end
  $var wire 8 " bus [7:0] $end
  $scope module dut $end
    $var logic 4 # v [3:0] $end
    $var wire 8 " bus_alias [7:0] $end
    $attrbegin misc 07 dut.v 1 $end
    $var integer 32 $ count $end
    $var real 64 % r $end
    $scope struct st $end
      $var bit 2 & f $end
    $upscope $end
  $upscope $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
x!
bxxxxxxxx "
bz #
b0 $
r0.5 %
b1 &
$end
#5
0!
b101 "
b1111 #
b11111111111111111111111111111110 $
#10
1!
b1x1 "
b1001 #
r-2.25 %
#20
b10 &
"#;

#[test]
fn handwritten_vcd_with_nested_scopes_and_x_values() {
    let data = parse_vcd_str(HANDWRITTEN, "handwritten.vcd").unwrap();
    assert_eq!(data.timescale_fs, Some(10_000), "10 ps");
    assert_eq!(data.end_time, 20);
    assert_eq!(data.time_to_ns(20), Some(0.2));
    let names: Vec<_> = data.signal_names().collect();
    assert_eq!(
        names,
        [
            "tb.bus",
            "tb.clk",
            "tb.dut.bus_alias",
            "tb.dut.count",
            "tb.dut.st.f",
            "tb.dut.v"
        ]
    );
    // x at time 0, then 0, then 1.
    assert_eq!(data.value_at("tb.clk", 0), None);
    assert_eq!(data.value_at("tb.clk", 5), Some(0));
    assert_eq!(data.value_at("tb.clk", 7), Some(0));
    assert_eq!(data.value_at("tb.clk", 10), Some(1));
    // A short vector is zero-extended; a vector with an x bit has no value.
    assert_eq!(data.value_at("tb.bus", 5), Some(5));
    assert_eq!(data.value_at("tb.bus", 10), None);
    assert_eq!(
        data.value_at("tb.dut.bus_alias", 5),
        Some(5),
        "alias of tb.bus"
    );
    // z, then -1 as a signed 4-bit value, then -7.
    assert_eq!(data.signed_value_at("tb.dut.v", 0), None);
    assert_eq!(data.signed_value_at("tb.dut.v", 5), Some(-1));
    assert_eq!(data.value_at("tb.dut.v", 5), Some(15));
    assert_eq!(data.signed_value_at("dut.v", 10), Some(-7), "suffix lookup");
    assert_eq!(data.signed_value_at("tb.dut.count", 6), Some(-2));
    assert_eq!(data.width("tb.dut.count"), Some(32));
    assert_eq!(data.value_at("st.f", 19), Some(1));
    assert_eq!(data.value_at("st.f", 20), Some(2));
    assert_eq!(data.reals["tb.dut.r"], vec![(0, 0.5), (10, -2.25)]);
    let c = data.change_at("tb.dut.v", 12).unwrap();
    assert_eq!((c.time, c.value, c.width), (10, Some(9), 4));
}

/// The shape of a Verilator 5 trace: `TOP` scope, padded columns, `$scope struct`, no `$dumpvars`.
const VERILATOR_STYLE: &str = "$version Generated by VerilatedVcd $end
$timescale 1ps $end

 $scope module TOP $end
  $scope module tb $end
   $var wire  1 ) clk $end
   $var wire  8 # cnt [7:0] $end
   $var wire 32 * i [31:0] $end
   $scope struct s $end
    $var wire  4 & a [3:0] $end
   $upscope $end
  $upscope $end
 $upscope $end
$enddefinitions $end


#0
b00000000 #
b0000 &
0)
b11111111111111111111111111111101 *
#1
b00000001 #
1)
#2
0)
";

#[test]
fn verilator_style_vcd() {
    let data = parse_vcd_str(VERILATOR_STYLE, "verilator.vcd").unwrap();
    assert_eq!(data.timescale_fs, Some(1_000));
    assert_eq!(data.signed_value_at("TOP.tb.i", 0), Some(-3));
    assert_eq!(data.value_at("tb.cnt", 1), Some(1));
    assert_eq!(data.value_at("TOP.tb.s.a", 2), Some(0));
    assert_eq!(data.value_at("clk", 2), Some(0));
}

#[test]
fn ambiguous_suffixes_do_not_resolve() {
    let text = "$scope module a $end $var wire 1 ! x $end $upscope $end
$scope module b $end $var wire 1 \" x $end $upscope $end
$enddefinitions $end
#0
1!
0\"
";
    let data = parse_vcd_str(text, "two.vcd").unwrap();
    assert_eq!(data.value_at("a.x", 0), Some(1));
    assert_eq!(data.value_at("b.x", 0), Some(0));
    assert_eq!(data.resolve("x"), None, "x is ambiguous");
    assert_eq!(data.timescale_fs, None);
}

#[test]
fn malformed_vcd_is_a_parse_error_with_a_line() {
    let text = "$timescale 1ns $end
$scope module top $end
$var wire 1 ! a $end
$upscope $end
$enddefinitions $end
#0
1!
q!
";
    match parse_vcd_str(text, "bad.vcd") {
        Err(SimError::VcdParse { line, path, .. }) => {
            assert_eq!(line, Some(8));
            assert_eq!(path, Path::new("bad.vcd"));
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    match parse_vcd_str("$scope module top $end\n", "short.vcd") {
        Err(e @ SimError::VcdParse { .. }) => {
            assert!(e.to_string().contains("short.vcd"), "{e}")
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    match read_vcd("/nonexistent/dir/x.vcd") {
        Err(SimError::Io { path, .. }) => assert_eq!(path, Path::new("/nonexistent/dir/x.vcd")),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

/// Run a tool, failing the test with an install hint if it is missing.
fn run_tool(tool: &str, args: &[&str], dir: &Path) {
    let out = match Command::new(tool).args(args).current_dir(dir).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` (Icarus Verilog) is not installed or not on PATH; this test needs it. \
             Install it with `sudo apt-get install iverilog` (Debian/Ubuntu) or \
             `brew install icarus-verilog` (macOS)."
        ),
        Err(e) => panic!("could not run `{tool}`: {e}"),
    };
    assert!(
        out.status.success(),
        "`{tool} {}` failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn icarus_counter_vcd_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("counter.v"),
        r#"`timescale 1ns/1ps
module counter(input wire clk, input wire rst, output reg [7:0] count, output reg signed [7:0] down);
  always @(posedge clk) begin
    if (rst) begin count <= 8'd0; down <= 8'sd3; end
    else begin count <= count + 8'd1; down <= down - 8'sd1; end
  end
endmodule
module tb;
  reg clk = 1'b0;
  reg rst = 1'b1;
  wire [7:0] count;
  wire signed [7:0] down;
  counter dut(.clk(clk), .rst(rst), .count(count), .down(down));
  always #5 clk = ~clk;
  initial begin
    $dumpfile("counter.vcd");
    $dumpvars(0, tb);
    #12 rst = 1'b0;
    #200 $finish;
  end
endmodule
"#,
    )
    .unwrap();
    run_tool("iverilog", &["-o", "counter.vvp", "counter.v"], dir.path());
    run_tool("vvp", &["counter.vvp"], dir.path());
    let data = read_vcd(dir.path().join("counter.vcd")).unwrap();
    assert_eq!(
        data.timescale_fs,
        Some(1_000),
        "`timescale 1ns/1ps: 1 ps units"
    );
    assert_eq!(data.width("tb.dut.count"), Some(8));
    // Before the first clock edge the registers are x.
    assert_eq!(data.value_at("tb.dut.count", 0), None);
    // Rising edges at 5, 15, 25, ... ns; reset is released at 12 ns, so the edge at 15 ns is the
    // first count. Sample in the middle of each cycle (units are ps).
    assert_eq!(
        data.value_at("tb.dut.count", 10_000),
        Some(0),
        "reset at 5 ns"
    );
    for k in 0..18u64 {
        let t_ps = (15 + 10 * k) * 1000 + 5000;
        assert_eq!(
            data.value_at("tb.dut.count", t_ps),
            Some(u128::from(k + 1)),
            "count at {t_ps} ps"
        );
        assert_eq!(
            data.signed_value_at("tb.down", t_ps),
            Some(3 - (k as i64 + 1)),
            "down at {t_ps} ps"
        );
        // The port and the testbench wire are the same signal.
        assert_eq!(
            data.value_at("tb.count", t_ps),
            data.value_at("tb.dut.count", t_ps)
        );
    }
    assert!(data.signed_value_at("tb.down", 200_000).unwrap() < 0);
    assert_eq!(data.value_at("tb.clk", 6_000), Some(1));
}
