#!/usr/bin/env bash
# Install the Debian packages spikeforge runs as subprocesses, when they are missing:
# Verilator, Icarus Verilog, Yosys, nextpnr-ice40 and the IceStorm tools.
set -euo pipefail
need=()
command -v verilator >/dev/null 2>&1 || need+=(verilator)
command -v iverilog >/dev/null 2>&1 || need+=(iverilog)
command -v yosys >/dev/null 2>&1 || need+=(yosys)
command -v nextpnr-ice40 >/dev/null 2>&1 || need+=(nextpnr-ice40)
command -v icepack >/dev/null 2>&1 || need+=(fpga-icestorm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
fi
