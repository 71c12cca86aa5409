#!/usr/bin/env bash
# The main job, end to end: simulate a neuron (f64 and fixed point), generate a verified Verilog core,
# co-simulate it bit for bit against the model, and plot. Everything lands in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
cargo build --release --quiet
sf=target/release/spikeforge
mkdir -p out
echo "== 1. simulate: Izhikevich chattering cell, f64 model and its Q8.12 fixed-point twin"
$sf simulate --model izhikevich --preset ch --duration 300 --fixed Q8.12 --plot out/izhikevich_ch.png
echo
echo "== 2. generate: a time-multiplexed core of 64 Izhikevich neurons"
$sf generate --model izhikevich --preset rs --neurons 64 --fixed Q8.12 --out out/rtl
echo
echo "== 3. verify: Verilator co-simulation of the generated core against the fixed-point twin"
$sf verify --model izhikevich --preset rs --neurons 64 --fixed Q8.12 --rtl out/rtl --steps 2000 \
  --plot out/verify.png --vcd out/verify.vcd --report out/verify.json
echo
echo "outputs: out/rtl/ (Verilog, manifest.json, FuseSoC .core), out/verify.json (report),"
echo "         out/verify.png + out/verify_raster.png (RTL vs model), out/verify.vcd, out/izhikevich_ch.png"
