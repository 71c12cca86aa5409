"""Brian2 C++ standalone reference for `cargo bench --bench network` (BENCHMARKS.md, issue 5).

The same network as the LIF benchmark of benches/network.rs: N = 10,000 LIF neurons,
tau dv/dt = v0 - v with v0 spread evenly over 0..20 mV, threshold v > 10 mV (so about half fire),
reset 0 mV, refractory 5 ms, exact (linear) integration, dt 0.1 ms, 1 s, all spikes recorded.

Run: pip install brian2 'numpy<2.4' && python3 benches/brian2_lif.py [N] [DURATION_MS]
Prints one JSON line: neuron-updates per second of the simulation loop (Brian2's own timing of the
main loop, device._last_run_time) and of the whole standalone binary run (wall clock, no compile).
"""
import json
import os
import sys
import tempfile
import time

from brian2 import (NeuronGroup, SpikeMonitor, defaultclock, device, ms, mV, run,
                    set_device, prefs)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    duration_ms = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0
    threads = int(os.environ.get("BRIAN2_THREADS", "0"))
    out = tempfile.mkdtemp(prefix="brian2_lif_")
    set_device("cpp_standalone", directory=out, build_on_run=False)
    if threads > 0:
        prefs.devices.cpp_standalone.openmp_threads = threads
    defaultclock.dt = 0.1 * ms
    tau = 10 * ms
    g = NeuronGroup(n, "dv/dt = (v0 - v) / tau : volt (unless refractory)\nv0 : volt",
                    threshold="v > 10*mV", reset="v = 0*mV", refractory=5 * ms,
                    method="exact")
    g.v = 0 * mV
    g.v0 = "20*mV * i / (N - 1)"
    mon = SpikeMonitor(g)
    run(duration_ms * ms)
    t0 = time.perf_counter()
    device.build(directory=out, compile=True, run=False)
    t_compile = time.perf_counter() - t0
    t0 = time.perf_counter()
    device.run(directory=out, with_output=False)
    t_binary = time.perf_counter() - t0
    loop = device._last_run_time
    steps = int(round(duration_ms / 0.1))
    updates = n * steps
    print(json.dumps({
        "simulator": "brian2 cpp_standalone",
        "openmp_threads": threads,
        "neurons": n,
        "steps": steps,
        "spikes": int(mon.num_spikes),
        "firing_neurons": int(len(set(mon.i[:]))),
        "compile_s": round(t_compile, 2),
        "loop_s": loop,
        "binary_s": t_binary,
        "updates_per_s_loop": updates / loop,
        "updates_per_s_binary": updates / t_binary,
    }))


if __name__ == "__main__":
    main()
