//! Tests of the network simulator: tick semantics, equality with the single-neuron runners,
//! determinism across thread counts, plastic projections against the learning rules.
use super::*;
use crate::learning::pair::PairStdp;
use crate::learning::protocol::pairing;
use crate::learning::PairingProtocol;
use crate::neuron::Method;
use crate::registry::ModelSpec;
use crate::run::{run_f64, run_fixed, RunConfig};
use crate::stimulus::Stimulus;
use crate::QFormat;

fn lif() -> ModelSpec {
    ModelSpec::new("lif", None).unwrap()
}

/// A LIF neuron that fires in the tick a strong input arrives (tau_m = 0.1 ms).
fn fast_lif() -> ModelSpec {
    let mut s = lif();
    s.set("tau_m", 0.1).unwrap();
    s
}

fn spike_ticks(net: &Network, m: MonitorId, neuron: u32) -> Vec<u64> {
    let r = net.spikes(m);
    r.ticks
        .iter()
        .zip(&r.neurons)
        .filter(|(_, n)| **n == neuron)
        .map(|(t, _)| *t)
        .collect()
}

#[test]
fn populations_equal_the_single_neuron_runners() {
    // every neuron of a population with a bias reproduces run_f64 / run_fixed at that current
    for (model, preset, method, drive) in [
        ("lif", None, Method::Exact, [21.0, 25.0, 40.0]),
        ("lif", None, Method::Euler, [21.0, 25.0, 40.0]),
        ("izhikevich", Some("ch"), Method::Euler, [4.0, 10.0, 20.0]),
        ("adex", Some("tonic"), Method::Euler, [300.0, 500.0, 800.0]),
    ] {
        let spec = ModelSpec::new(model, preset).unwrap();
        for arith in [Arith::F64, Arith::Fixed] {
            let mut b = NetworkBuilder::new(0.1);
            let p = b
                .neurons(
                    "p",
                    3,
                    NeuronGroup::new(spec.clone())
                        .method(method)
                        .bias(Values::List(drive.to_vec())),
                )
                .unwrap();
            let m = b.monitor(Monitor::Spikes { pop: p });
            let mut net = b.build(arith).unwrap();
            net.run(3000);
            let cfg = RunConfig {
                dt: 0.1,
                duration_ms: 300.0,
                method,
                record_trace: false,
            };
            for (i, d) in drive.iter().enumerate() {
                let want = match arith {
                    Arith::F64 => run_f64(&*spec.neuron().unwrap(), &Stimulus::constant(*d), &cfg),
                    Arith::Fixed => {
                        let cfgq = crate::quant::FixedConfig::new(
                            spec.info.default_fixed.parse().unwrap(),
                        );
                        let tw = spec.fixed(0.1, method, &cfgq).unwrap();
                        run_fixed(&tw, &Stimulus::constant(*d), &cfg)
                    }
                };
                let got: Vec<f64> = spike_ticks(&net, m, i as u32)
                    .iter()
                    .map(|t| *t as f64 * 0.1)
                    .collect();
                assert!(!want.spikes_ms.is_empty(), "{model} {d}: no spikes");
                assert_eq!(got.len(), want.spikes_ms.len(), "{model} {arith:?} {d}");
                for (a, b) in got.iter().zip(&want.spikes_ms) {
                    assert!((a - b).abs() < 1e-9, "{model} {arith:?} {d}: {a} vs {b}");
                }
            }
        }
    }
}

/// A generator spike in tick `s` through a projection with delay `d` reaches the target in tick
/// `s + d`, and a strong enough weight makes it fire in that very tick.
#[test]
fn delivery_follows_the_tick_order_and_delays() {
    for arith in [Arith::F64, Arith::Fixed] {
        for delay in [1u32, 3, 7] {
            let mut b = NetworkBuilder::new(0.1);
            let g = b.inputs("g", 1, InputGroup::generator()).unwrap();
            let t = b.neurons("t", 1, NeuronGroup::new(fast_lif())).unwrap();
            b.project(
                Projection::new("g->t", g, t, Connect::OneToOne)
                    .weight(WeightInit::Const(127.0))
                    .delay(Delay::Const(delay)),
            )
            .unwrap();
            let mg = b.monitor(Monitor::Spikes { pop: g });
            let mt = b.monitor(Monitor::Spikes { pop: t });
            let mut net = b.build(arith).unwrap();
            net.schedule_spikes(g, &[(10, 0), (500, 0)]).unwrap();
            net.run(600);
            assert_eq!(spike_ticks(&net, mg, 0), vec![10, 500]);
            assert_eq!(
                spike_ticks(&net, mt, 0),
                vec![10 + delay as u64, 500 + delay as u64],
                "{arith:?} delay {delay}"
            );
        }
    }
}

#[test]
fn exponential_synaptic_current_decays_with_tau_syn() {
    let mut b = NetworkBuilder::new(0.1);
    let g = b.inputs("g", 1, InputGroup::generator()).unwrap();
    let t = b
        .neurons("t", 1, NeuronGroup::new(lif()).tau_syn(5.0))
        .unwrap();
    b.project(Projection::new("g->t", g, t, Connect::OneToOne).weight(WeightInit::Const(2.0)))
        .unwrap();
    let m = b.monitor(Monitor::State {
        pop: t,
        var: "I_syn".into(),
        neurons: vec![0],
        every: 1,
    });
    let mut net = b.build(Arith::F64).unwrap();
    net.schedule_spikes(g, &[(0, 0)]).unwrap();
    net.run(100);
    let Record::State(r) = net.record(m) else {
        panic!()
    };
    // sampled before the update: the current delivered in tick 1 is seen from tick 2 on
    assert_eq!(r.values[0][1], 0.0);
    assert!((r.values[0][2] - 2.0).abs() < 1e-12);
    let k = (-0.1f64 / 5.0).exp();
    assert!((r.values[0][52] - 2.0 * k.powi(50)).abs() < 1e-12);
}

fn recurrent(threads: usize, arith: Arith, plastic: bool) -> (Vec<u64>, Vec<u32>, Vec<f64>) {
    let mut b = NetworkBuilder::new(0.1).seed(42).threads(threads);
    let inp = b
        .inputs(
            "in",
            300,
            InputGroup::poisson(Values::Uniform { lo: 5.0, hi: 40.0 }),
        )
        .unwrap();
    let e = b
        .neurons(
            "e",
            1001,
            NeuronGroup::new(lif())
                .tau_syn(5.0)
                .bias(Values::Linear {
                    from: 10.0,
                    to: 19.0,
                })
                .init_v(Values::Uniform {
                    lo: -70.0,
                    hi: -50.0,
                }),
        )
        .unwrap();
    let mut p = Projection::new(
        "in->e",
        inp,
        e,
        Connect::Sparse {
            p: 0.1,
            autapses: false,
        },
    )
    .weight(WeightInit::Uniform { lo: 0.0, hi: 1.0 })
    .gain(4.0);
    if plastic {
        let mut rs = crate::learning::RuleSpec::new("pair", Some("song2000")).unwrap();
        rs.set("w_min", 0.0).unwrap();
        rs.set("w_max", 1.0).unwrap();
        p = p.plastic(Plasticity::new(rs));
    }
    b.project(p).unwrap();
    b.project(
        Projection::new(
            "e->e",
            e,
            e,
            Connect::Sparse {
                p: 0.05,
                autapses: false,
            },
        )
        .weight(WeightInit::Normal { mean: 0.5, sd: 1.0 })
        .delay(Delay::Uniform { lo: 1, hi: 20 }),
    )
    .unwrap();
    let m = b.monitor(Monitor::Spikes { pop: e });
    let counts = b.monitor(Monitor::Counts { pop: e });
    let mut net = b.build(arith).unwrap();
    assert_eq!(net.threads(), threads);
    net.run(700);
    net.run(300);
    let r = net.spikes(m).clone();
    let Record::Counts(c) = net.record(counts) else {
        panic!()
    };
    let c: Vec<u32> = c.iter().map(|x| *x as u32).collect();
    assert_eq!(c, r.counts(1001));
    let w = net.weights(ProjId(0));
    (r.ticks, r.neurons, w)
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    for arith in [Arith::F64, Arith::Fixed] {
        for plastic in [false, true] {
            let one = recurrent(1, arith, plastic);
            assert!(
                one.0.len() > 500,
                "{arith:?}: too few spikes ({})",
                one.0.len()
            );
            for t in [2, 3] {
                let many = recurrent(t, arith, plastic);
                assert_eq!(one.0, many.0, "{arith:?} plastic {plastic} threads {t}");
                assert_eq!(one.1, many.1, "{arith:?} plastic {plastic} threads {t}");
                assert_eq!(one.2, many.2, "{arith:?} plastic {plastic} threads {t}");
            }
        }
    }
}

/// One pre spike (tick a) and one post spike (tick b) through a plastic projection change the
/// weight by the pair rule's window at (b - a) dt, the same as the rule's own pairing protocol.
#[test]
fn plastic_projection_follows_the_pair_rule() {
    let rule = PairStdp::song2000(0.1).unwrap();
    for lag in [-200i64, -30, -1, 0, 1, 30, 200] {
        for arith in [Arith::F64, Arith::Fixed] {
            let mut b = NetworkBuilder::new(0.1);
            let pre = b.inputs("pre", 1, InputGroup::generator()).unwrap();
            let kick = b.inputs("kick", 1, InputGroup::generator()).unwrap();
            let post = b.neurons("post", 1, NeuronGroup::new(fast_lif())).unwrap();
            let mut rs = crate::learning::RuleSpec::new("pair", Some("song2000")).unwrap();
            rs.set("w_min", -1.0).unwrap();
            let pj = b
                .project(
                    Projection::new("syn", pre, post, Connect::OneToOne)
                        .weight(WeightInit::Const(0.5))
                        .gain(0.0)
                        .plastic(Plasticity::new(rs)),
                )
                .unwrap();
            b.project(
                Projection::new("kick", kick, post, Connect::OneToOne)
                    .weight(WeightInit::Const(127.0)),
            )
            .unwrap();
            let mut net = b.build(arith).unwrap();
            let a = 300u64;
            let post_tick = (a as i64 + lag) as u64;
            net.schedule_spikes(pre, &[(a, 0)]).unwrap();
            net.schedule_spikes(kick, &[(post_tick - 1, 0)]).unwrap();
            net.run(900);
            let dw = net.weights(pj)[0] - 0.5;
            let proto = PairingProtocol {
                w0: 0.5,
                ..PairingProtocol::new(lag as f64 * 0.1, 1.0, 1)
            };
            match arith {
                Arith::F64 => {
                    let want = pairing(&rule, &proto).unwrap();
                    assert!((dw - want).abs() < 1e-12, "lag {lag}: {dw} vs {want}");
                    let window = rule.window(lag as f64 * 0.1);
                    assert!((dw - window).abs() < 1e-9, "lag {lag}: {dw} vs {window}");
                }
                Arith::Fixed => {
                    let cfg = LearningFixedConfig::new("Q1.14".parse::<QFormat>().unwrap());
                    let mut rs = crate::learning::RuleSpec::new("pair", Some("song2000")).unwrap();
                    rs.set("w_min", -1.0).unwrap();
                    let tw = match rs.fixed(0.1, &cfg).unwrap() {
                        FixedRule::Pair(t) => t,
                        _ => unreachable!(),
                    };
                    let tw = crate::learning::pair::PairStdpFixed { seed: 0, ..tw };
                    let want = pairing(&tw, &proto).unwrap();
                    assert!((dw - want).abs() < 1e-12, "fixed lag {lag}: {dw} vs {want}");
                }
            }
        }
    }
}

/// R-STDP in a network: a causal pairing changes the weight only when a reward follows.
#[test]
fn rstdp_weights_change_only_with_reward() {
    for arith in [Arith::F64, Arith::Fixed] {
        let mut dws = Vec::new();
        for rewarded in [false, true] {
            let mut b = NetworkBuilder::new(1.0);
            let pre = b.inputs("pre", 1, InputGroup::generator()).unwrap();
            let kick = b.inputs("kick", 1, InputGroup::generator()).unwrap();
            let post = b.neurons("post", 1, NeuronGroup::new(fast_lif())).unwrap();
            let mut rs = crate::learning::RuleSpec::new("rstdp", None).unwrap();
            rs.set("w_min", 0.0).unwrap();
            rs.set("w_max", 4.0).unwrap();
            let pj = b
                .project(
                    Projection::new("syn", pre, post, Connect::OneToOne)
                        .weight(WeightInit::Const(1.0))
                        .gain(0.0)
                        .plastic(Plasticity::new(rs)),
                )
                .unwrap();
            b.project(
                Projection::new("kick", kick, post, Connect::OneToOne)
                    .weight(WeightInit::Const(127.0)),
            )
            .unwrap();
            let mut net = b.build(arith).unwrap();
            net.schedule_spikes(pre, &[(100, 0)]).unwrap();
            net.schedule_spikes(kick, &[(109, 0)]).unwrap(); // post at 110: +10 ms
            net.run(500);
            assert_eq!(
                net.weights(pj)[0],
                1.0,
                "{arith:?}: changed before any reward"
            );
            if rewarded {
                net.reward(0.5);
            }
            net.run(3000);
            dws.push(net.weights(pj)[0] - 1.0);
        }
        assert_eq!(dws[0], 0.0, "{arith:?}: no reward, no change");
        assert!(
            dws[1] > 0.05,
            "{arith:?}: rewarded causal pairing: {}",
            dws[1]
        );
    }
}

#[test]
fn adaptive_threshold_grows_per_spike_and_freezes_without_learning() {
    for arith in [Arith::F64, Arith::Fixed] {
        let mut b = NetworkBuilder::new(0.5);
        let p = b
            .neurons(
                "p",
                1,
                NeuronGroup::new(lif())
                    .bias(Values::Const(30.0))
                    .adaptive(AdaptiveThreshold {
                        theta_plus: 0.25,
                        tau_theta_ms: None,
                    }),
            )
            .unwrap();
        let m = b.monitor(Monitor::Spikes { pop: p });
        let mut net = b.build(arith).unwrap();
        net.run(2000);
        let n1 = net.spikes(m).len();
        let th = net.state(p, "theta").unwrap()[0];
        assert!(n1 > 5);
        assert!(
            (th - 0.25 * n1 as f64).abs() < 1e-9,
            "{arith:?}: {th} after {n1}"
        );
        net.set_learning(false);
        net.run(2000);
        assert_eq!(net.state(p, "theta").unwrap()[0], th);
        let n2 = net.spikes(m).len() - n1;
        assert!(
            n2 > 0 && n2 < n1,
            "{arith:?}: higher threshold, fewer spikes {n2} vs {n1}"
        );
        // reset keeps theta
        net.reset_state();
        assert_eq!(net.state(p, "theta").unwrap()[0], th);
        assert_eq!(net.state(p, "v").unwrap()[0], -70.0);
    }
}

#[test]
fn connectivity_and_weight_access() {
    let mut b = NetworkBuilder::new(0.1).seed(3);
    let a = b
        .inputs("a", 200, InputGroup::poisson(Values::Const(0.0)))
        .unwrap();
    let c = b.neurons("c", 300, NeuronGroup::new(lif())).unwrap();
    let sp = b
        .project(Projection::new(
            "sp",
            a,
            c,
            Connect::Sparse {
                p: 0.2,
                autapses: false,
            },
        ))
        .unwrap();
    let m: Vec<Vec<f64>> = (0..3).map(|i| vec![i as f64, 1.0, -2.5]).collect();
    let b3 = b.neurons("b3", 3, NeuronGroup::new(lif())).unwrap();
    let a3 = b.inputs("a3", 3, InputGroup::generator()).unwrap();
    let mx = b
        .project(Projection::new(
            "mx",
            a3,
            b3,
            Connect::Matrix {
                weights: m.clone(),
                source: "w.csv".into(),
            },
        ))
        .unwrap();
    let cc = b
        .project(Projection::new(
            "cc",
            c,
            c,
            Connect::Dense { autapses: false },
        ))
        .unwrap();
    let net = b.build(Arith::F64).unwrap();
    let frac = net.synapse_count(sp) as f64 / (200.0 * 300.0);
    assert!((frac - 0.2).abs() < 0.01, "{frac}");
    assert_eq!(net.weight_matrix(mx), m);
    assert_eq!(net.synapse_count(cc), 300 * 299);
    assert!(net.synapses(cc).iter().all(|(s, t)| s != t));
    // wrong shape: names the matrix and both shapes
    let mut b = NetworkBuilder::new(0.1);
    let x = b.inputs("x", 4, InputGroup::generator()).unwrap();
    let y = b.neurons("y", 2, NeuronGroup::new(lif())).unwrap();
    b.project(Projection::new(
        "bad",
        x,
        y,
        Connect::Matrix {
            weights: m,
            source: "w.csv".into(),
        },
    ))
    .unwrap();
    let e = b.build(Arith::F64).unwrap_err().to_string();
    assert!(
        e.contains("w.csv") && e.contains("3 rows x 3 columns") && e.contains("4 x 2"),
        "{e}"
    );
}

#[test]
fn normalisation_and_reset() {
    let mut b = NetworkBuilder::new(0.1).seed(9);
    let a = b
        .inputs("a", 10, InputGroup::poisson(Values::Const(50.0)))
        .unwrap();
    let c = b.neurons("c", 4, NeuronGroup::new(lif())).unwrap();
    let mut rs = crate::learning::RuleSpec::new("pair", None).unwrap();
    rs.set("w_min", 0.0).unwrap();
    rs.set("w_max", 1.0).unwrap();
    let j = b
        .project(
            Projection::new("ac", a, c, Connect::Dense { autapses: true })
                .weight(WeightInit::Uniform { lo: 0.0, hi: 0.3 })
                .plastic(Plasticity::new(rs)),
        )
        .unwrap();
    for arith in [Arith::F64, Arith::Fixed] {
        let mut net = b.build(arith).unwrap();
        net.normalize_incoming(j, 2.0);
        let m = net.weight_matrix(j);
        for t in 0..4 {
            let s: f64 = m.iter().map(|r| r[t]).sum();
            assert!((s - 2.0).abs() < 1e-3, "{arith:?}: {s}");
        }
        net.run(100);
        net.reset_state();
        assert!(net.state(c, "v").unwrap().iter().all(|v| *v == -70.0));
    }
}

#[test]
fn bad_descriptions_are_clear_errors() {
    let mut b = NetworkBuilder::new(0.1);
    let x = b.inputs("x", 4, InputGroup::generator()).unwrap();
    let y = b
        .neurons(
            "y",
            3,
            NeuronGroup::new(ModelSpec::new("izhikevich", None).unwrap()).adaptive(
                AdaptiveThreshold {
                    theta_plus: 1.0,
                    tau_theta_ms: None,
                },
            ),
        )
        .unwrap();
    assert!(b.neurons("y", 3, NeuronGroup::new(lif())).is_err());
    let e = b.build(Arith::F64).unwrap_err().to_string();
    assert!(e.contains("population 'y'") && e.contains("lif"), "{e}");
    let mut b = NetworkBuilder::new(0.1);
    let x2 = b.inputs("x", 4, InputGroup::generator()).unwrap();
    let y2 = b.neurons("y", 3, NeuronGroup::new(lif())).unwrap();
    b.project(Projection::new("oo", x2, y2, Connect::OneToOne))
        .unwrap();
    let e = b.build(Arith::F64).unwrap_err().to_string();
    assert!(
        e.contains("projection 'oo'") && e.contains("same size"),
        "{e}"
    );
    let mut b = NetworkBuilder::new(0.1);
    let x3 = b.inputs("x", 4, InputGroup::generator()).unwrap();
    let y3 = b.neurons("y", 3, NeuronGroup::new(lif())).unwrap();
    b.project(
        Projection::new("bcm", x3, y3, Connect::Dense { autapses: false }).plastic(
            Plasticity::new(crate::learning::RuleSpec::new("bcm", None).unwrap()),
        ),
    )
    .unwrap();
    let e = b.build(Arith::F64).unwrap_err().to_string();
    assert!(
        e.contains("projection 'bcm'") && e.contains("not available"),
        "{e}"
    );
    let _ = (x, y);
}
