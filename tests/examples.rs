//! The examples at their CI sizes, with their outcomes asserted: the examples' own code is compiled
//! into this test (each example file exposes `run(&Config) -> Outcome` beside its `main`).
#[allow(dead_code)]
#[path = "../examples/song2000.rs"]
mod song2000;

#[allow(dead_code)]
#[path = "../examples/digits.rs"]
mod digits;

#[allow(dead_code)]
#[path = "../examples/rstdp.rs"]
mod rstdp;

use spikeforge::model::network::Arith;
use spikeforge::sim::netplot::Histogram;

/// Song et al. (2000): the uniform initial weights become U-shaped (bimodal): the outer bins hold
/// several times the density of the middle ones, in the f64 model and in the fixed twin.
#[test]
fn song2000_weights_become_bimodal() {
    let dir = tempfile::tempdir().unwrap();
    for arith in [Arith::F64, Arith::Fixed] {
        let c = song2000::SongConfig {
            seconds: 100.0,
            arith,
            out: (arith == Arith::F64).then(|| dir.path().to_path_buf()),
            ..Default::default()
        };
        let o = song2000::run(&c).unwrap();
        let g = o.g_max;
        let hist = |w: &[f64]| Histogram::of("", w, 0.0, g, 20).counts;
        let middle = |h: &[f64]| h[5..15].iter().sum::<f64>() / 10.0;
        let h0 = hist(&o.initial);
        let h1 = hist(&o.weights);
        assert!(
            h0[0] < 2.0 * middle(&h0),
            "{arith:?}: initial not uniform {h0:?}"
        );
        assert!(h1[0] > 3.0 * middle(&h1), "{arith:?}: no peak at 0: {h1:?}");
        assert!(
            h1[19] > 2.0 * middle(&h1),
            "{arith:?}: no peak at g_max: {h1:?}"
        );
        assert!(o.near_zero > 0.2 && o.near_max > 0.1, "{arith:?}: {o:?}");
        assert!(
            o.rate_end_hz < o.rate_start_hz,
            "{arith:?}: the output rate should fall"
        );
    }
    assert!(dir.path().join("song2000_weights.png").exists());
}

#[test]
fn digits_are_learned_by_stdp_at_the_ci_size() {
    let small = |arith| digits::DigitsConfig {
        neurons: 40,
        train: 400,
        test: 200,
        arith,
        ..Default::default()
    };
    let f = digits::run(&small(Arith::F64)).unwrap();
    assert_eq!(f.test_images, 200);
    assert!(f.accuracy >= 0.65, "f64 accuracy {}", f.accuracy);
    let q = digits::run(&small(Arith::Fixed)).unwrap();
    assert!(
        q.accuracy >= 0.6 && q.accuracy >= f.accuracy - 0.08,
        "fixed twin accuracy {} (f64 {})",
        q.accuracy,
        f.accuracy
    );
    // the binary task
    let b = digits::run(&digits::DigitsConfig {
        neurons: 10,
        train: 200,
        test: 100,
        digits: vec![0, 1],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(b.classes, 2);
    assert!(b.accuracy >= 0.95, "0 vs 1 accuracy {}", b.accuracy);
}

#[test]
fn rstdp_learns_the_stimulus_action_association() {
    for arith in [Arith::F64, Arith::Fixed] {
        let o = rstdp::run(&rstdp::RstdpConfig {
            trials: 150,
            arith,
            out: None,
            ..Default::default()
        })
        .unwrap();
        let n = o.correct.len();
        assert!(o.accuracy(n - 50..n) >= 0.9, "{arith:?}: {:?}", o.correct);
        // the rewarded pairs grew, the others did not
        assert!(o.w[0][0] > o.w[0][1] + 0.3, "{arith:?}: {:?}", o.w);
        assert!(o.w[1][1] > o.w[1][0] + 0.3, "{arith:?}: {:?}", o.w);
        assert!(
            (o.w[0][1] - o.w_start[0][1]).abs() < 0.05,
            "{arith:?}: {:?}",
            o.w
        );
    }
}
