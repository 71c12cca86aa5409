//! Phase-plane, bifurcation, f-I, design and quantisation analysis against published and
//! closed-form values (issue 4, "Must show").
use spikeforge_model::analysis::bifurcation::OnsetKind;
use spikeforge_model::analysis::design::{
    design, DesignSpec, HaslerDesign, NullclineDesign, VShape,
};
use spikeforge_model::analysis::fi::Direction;
use spikeforge_model::analysis::nullcline::knees;
use spikeforge_model::analysis::quantised::{sweep_formats, Protocol, QuantConfig};
use spikeforge_model::analysis::{
    default_window, fi_curve, fixed_points, scan, AnalysisError, CycleConfig, Family, FpClass,
    PhasePlane, ScanConfig, Sweep,
};
use spikeforge_model::{FixedConfig, ModelSpec, QFormat};

fn bif(
    model: &str,
    preset: Option<&str>,
    from: f64,
    to: f64,
    steps: usize,
) -> spikeforge_model::analysis::Bifurcations {
    let spec = ModelSpec::new(model, preset).unwrap();
    let fam = Family::new(&spec, "I", 0.0, default_window(&spec).unwrap()).unwrap();
    scan(
        &fam,
        &ScanConfig {
            from,
            to,
            steps,
            cycles: None,
        },
    )
    .unwrap()
}

#[test]
fn fhn_rest_point_at_zero_current() {
    let spec = ModelSpec::new("fhn", None).unwrap();
    let win = default_window(&spec).unwrap();
    let pp = PhasePlane::new(&spec).unwrap();
    let fps = fixed_points(&pp, 0.0, &win);
    assert_eq!(fps.len(), 1, "{fps:?}");
    let f = &fps[0];
    assert!((f.x + 1.19941).abs() < 1e-5, "{f:?}");
    assert!((f.y + 0.62426).abs() < 1e-5, "{f:?}");
    assert_eq!(f.class, FpClass::StableFocus);
    // eigenvalues from the closed-form Jacobian [[1 - v^2, -1], [eps, -eps b]]
    let (a, d) = (1.0 - f.x * f.x, -0.08 * 0.8);
    let (tr, det) = (a + d, a * d + 0.08);
    let re = tr / 2.0;
    let im = (det - re * re).sqrt();
    assert!((f.eigenvalues[0][0] - re).abs() < 1e-7 && (f.eigenvalues[0][1] - im).abs() < 1e-7);
}

#[test]
fn fhn_hopf_points_are_refined_far_below_the_grid_step() {
    // a coarse grid (step 0.286): the refinement, not the grid, sets the precision
    let b = bif("fhn", None, 0.0, 2.0, 7);
    let h: Vec<f64> = b.hopf.iter().map(|h| h.p).collect();
    assert_eq!(h.len(), 2, "{h:?}");
    assert!((h[0] - 0.331281).abs() < 1e-5, "{h:?}");
    assert!((h[1] - 1.418719).abs() < 1e-5, "{h:?}");
    assert!(b.saddle_node.is_empty());
    assert_eq!(b.class, Some(2));
    assert_eq!(b.onset.unwrap().kind, OnsetKind::Hopf);
    // both grids agree to 1e-9
    let fine = bif("fhn", None, 0.0, 2.0, 200);
    assert!((fine.hopf[0].p - h[0]).abs() < 1e-9 && (fine.hopf[1].p - h[1]).abs() < 1e-9);
}

#[test]
fn fhn_subcritical_onset_finite_period_up_and_hysteresis_down() {
    let spec = ModelSpec::new("fhn", None).unwrap();
    let n = spec.neuron().unwrap();
    let cfg = CycleConfig {
        settle_ms: 1500.0,
        measure_ms: 1500.0,
        ..CycleConfig::for_model(spec.info)
    };
    let currents: Vec<f64> = (0..=20).map(|k| 0.316 + 0.002 * k as f64).collect();
    let f = fi_curve(n.as_ref(), &currents, Sweep::Both, &cfg);
    let up: Vec<_> = f.iter().filter(|p| p.direction == Direction::Up).collect();
    let down: Vec<_> = f
        .iter()
        .filter(|p| p.direction == Direction::Down)
        .collect();
    // up: rest until the Hopf point, then a jump to a finite rate (period about 48)
    let first = up
        .iter()
        .find(|p| p.rate_hz > 0.0)
        .expect("fires on the up sweep");
    assert!(first.current > 0.331281, "{first:?}");
    assert!(first.current < 0.331281 + 0.004, "{first:?}");
    let period = 1000.0 / first.rate_hz;
    assert!((period - 48.0).abs() < 1.5, "period at onset {period}");
    // down: still firing below the Hopf point (bistability), where the up sweep was at rest
    let hysteresis: Vec<f64> = down
        .iter()
        .filter(|d| {
            d.rate_hz > 0.0
                && d.current < 0.331281
                && up
                    .iter()
                    .any(|u| u.current == d.current && u.rate_hz == 0.0)
        })
        .map(|d| d.current)
        .collect();
    assert!(hysteresis.len() >= 2, "no hysteresis: {f:?}");
    let last_down = down.iter().rfind(|d| d.rate_hz > 0.0).unwrap();
    assert!(
        1000.0 / last_down.rate_hz > period,
        "the cycle slows towards its fold"
    );
}

/// Published onsets (Rinzel & Ermentrout 1998, "Analysis of neural excitability and
/// oscillations", and Ermentrout & Terman 2010, ch. 3, with the same parameter sets as the
/// presets): subcritical Hopf bifurcation of the `hopf` set at I = 93.86 uA/cm^2; saddle-node on
/// the limit cycle of the `snlc` set at I = 39.96 uA/cm^2 (both printed to four digits, so 0.1 %
/// is far above their rounding). We compute 93.8576 and 39.9632.
#[test]
fn morris_lecar_presets_hopf_is_class_2_and_snlc_is_class_1() {
    let h = bif("morris-lecar", Some("hopf"), 0.0, 150.0, 150);
    assert_eq!(h.class, Some(2));
    let o = h.onset.unwrap();
    assert_eq!(o.kind, OnsetKind::Hopf);
    assert!((o.p - 93.86).abs() / 93.86 < 1e-3, "{o:?}");
    assert!(h.saddle_node.is_empty());

    let s = bif("morris-lecar", Some("snlc"), 0.0, 80.0, 80);
    assert_eq!(s.class, Some(1));
    let o = s.onset.unwrap();
    assert_eq!(o.kind, OnsetKind::SaddleNode);
    assert!((o.p - 39.96).abs() / 39.96 < 1e-3, "{o:?}");
    // three fixed points at rest: node, saddle, unstable node (the saddle-node is on the circle)
    let spec = ModelSpec::new("morris-lecar", Some("snlc")).unwrap();
    let pp = PhasePlane::new(&spec).unwrap();
    let c: Vec<FpClass> = fixed_points(&pp, 0.0, &default_window(&spec).unwrap())
        .iter()
        .map(|f| f.class)
        .collect();
    assert_eq!(
        c,
        vec![FpClass::StableNode, FpClass::Saddle, FpClass::UnstableNode]
    );
}

#[test]
fn morris_lecar_snic_rate_grows_as_sqrt_of_distance() {
    let spec = ModelSpec::new("morris-lecar", Some("snlc")).unwrap();
    let i_sn = bif("morris-lecar", Some("snlc"), 0.0, 80.0, 40).saddle_node[0].p;
    let n = spec.neuron().unwrap();
    let cfg = CycleConfig {
        settle_ms: 500.0,
        measure_ms: 4000.0,
        ..CycleConfig::for_model(spec.info)
    };
    let ds = [0.05, 0.1, 0.2, 0.4];
    let cur: Vec<f64> = ds.iter().map(|d| i_sn + d).collect();
    let f = fi_curve(n.as_ref(), &cur, Sweep::Up, &cfg);
    let r: Vec<f64> = f.iter().map(|p| p.rate_hz).collect();
    assert!(r.iter().all(|&x| x > 0.5), "{r:?}");
    // least-squares slope of log(rate) on log(I - I_SN)
    let xs: Vec<f64> = ds.iter().map(|d| d.ln()).collect();
    let ys: Vec<f64> = r.iter().map(|x| x.ln()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / 4.0, ys.iter().sum::<f64>() / 4.0);
    let slope = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / xs.iter().map(|x| (x - mx).powi(2)).sum::<f64>();
    assert!((slope - 0.5).abs() < 0.05, "exponent {slope}, rates {r:?}");
    // and the coefficient rate / sqrt(I - I_SN) is nearly constant (within 6 %)
    let k: Vec<f64> = r.iter().zip(&ds).map(|(x, d)| x / d.sqrt()).collect();
    let (kmin, kmax) = k
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    assert!(kmax / kmin < 1.06, "{k:?}");
}

/// dv/dt = 0.04 v^2 + 5 v + 140 - u + I, u = b v on the recovery nullcline: the roots of
/// 0.04 v^2 + (5 - b) v + 140 + I merge where the discriminant vanishes,
/// I_SN = (5 - b)^2 / (4 * 0.04) - 140, at v = -(5 - b) / 0.08.
#[test]
fn izhikevich_saddle_node_where_theory_puts_it() {
    for (b, from, to) in [(0.2, -10.0, 10.0), (0.25, -10.0, 10.0), (-0.1, 0.0, 40.0)] {
        let mut spec = ModelSpec::new("izhikevich", None).unwrap();
        spec.set("b", b).unwrap();
        let fam = Family::new(&spec, "I", 0.0, default_window(&spec).unwrap()).unwrap();
        let r = scan(
            &fam,
            &ScanConfig {
                from,
                to,
                steps: 100,
                cycles: None,
            },
        )
        .unwrap();
        let theory = (5.0 - b) * (5.0 - b) / (4.0 * 0.04) - 140.0;
        assert_eq!(r.saddle_node.len(), 1, "b = {b}: {:?}", r.saddle_node);
        let sn = &r.saddle_node[0];
        assert!(
            (sn.p - theory).abs() < 1e-6 * theory.abs().max(1.0),
            "b = {b}: {} vs {theory}",
            sn.p
        );
        assert!((sn.x + (5.0 - b) / 0.08).abs() < 1e-3, "b = {b}: {sn:?}");
    }
}

#[test]
fn no_phase_plane_for_lif_and_leaky() {
    for m in ["lif", "leaky"] {
        let spec = ModelSpec::new(m, None).unwrap();
        assert!(matches!(
            PhasePlane::new(&spec),
            Err(AnalysisError::NoPhasePlane { .. })
        ));
    }
}

#[test]
fn designer_round_trip_fhn_cubic() {
    let rest = spikeforge_model::neuron::fhn::rest_point(0.7, 0.8)
        .unwrap()
        .0;
    let d = design(&DesignSpec::Nullcline(NullclineDesign {
        v_nullcline: VShape::Cubic {
            left_knee: (-1.0, -2.0 / 3.0),
            right_knee: (1.0, 2.0 / 3.0),
        },
        recovery_slope: 1.25,
        rest,
        class: 2,
        tau_v: 1.0,
        tau_w: None,
        reset: None,
    }))
    .unwrap();
    // the nullcline model with these parameters IS the FitzHugh-Nagumo model of the fhn preset
    for (k, v) in [
        ("c0", 0.0),
        ("c1", 1.0),
        ("c2", 0.0),
        ("c3", -1.0 / 3.0),
        ("k", 1.25),
        ("v0w", -0.7),
        ("tau_w", 15.625),
    ] {
        assert!(
            (d.params[k] - v).abs() < 1e-9,
            "{k} = {} (want {v})",
            d.params[k]
        );
    }
    assert!(d.check.ok && d.check.class == Some(2));
    assert!((d.check.onset_current.unwrap() - 0.331281).abs() < 1e-5);
    // re-analyse the designed model independently: knees, rest, slope as requested
    let spec = d.spec().unwrap();
    let pp = PhasePlane::with_window(&spec, &d.window).unwrap();
    let k = knees(&pp, 0.0, &d.window);
    assert_eq!(k.len(), 2);
    assert!(
        (k[0].0 + 1.0).abs() < 1e-6 && (k[0].1 + 2.0 / 3.0).abs() < 1e-9,
        "{k:?}"
    );
    assert!(
        (k[1].0 - 1.0).abs() < 1e-6 && (k[1].1 - 2.0 / 3.0).abs() < 1e-9,
        "{k:?}"
    );
    let (rx, _) = d.check.rest.unwrap();
    assert!((rx - rest).abs() < 1e-9);
    assert!((d.check.recovery_slope_at_rest.unwrap() - 1.25).abs() < 1e-6);
    // which parameter moves which nullcline
    let role = |n: &str| d.roles.iter().find(|r| r.name == n).unwrap().moves;
    assert_eq!(role("c1"), "V-nullcline");
    assert_eq!(role("k"), "recovery nullcline");
    assert_eq!(role("v0w"), "recovery nullcline");
    assert_eq!(role("tau_w"), "time scale only");
}

#[test]
fn designer_quadratic_class_1_and_2_and_cubic_class_1_refused() {
    for class in [1u8, 2] {
        let d = design(&DesignSpec::Nullcline(NullclineDesign {
            v_nullcline: VShape::Quadratic {
                vertex: (0.0, 0.0),
                curvature: 1.0,
            },
            recovery_slope: 0.5,
            rest: -0.5,
            class,
            tau_v: 1.0,
            tau_w: None,
            reset: None,
        }))
        .unwrap();
        assert!(d.check.ok, "class {class}: {:?}", d.check);
        // fold of the parabola with the line w = 0.5 (v + 1): f'(v) = 2 v = 0.5 -> I = 0.5625
        assert!(d
            .check
            .saddle_node
            .iter()
            .any(|p| (p - 0.5625).abs() < 1e-6));
        let k = &d.check.knees;
        assert!(
            k.len() == 1 && k[0].0.abs() < 1e-6 && k[0].1.abs() < 1e-9,
            "{k:?}"
        );
    }
    let e = design(&DesignSpec::Nullcline(NullclineDesign {
        v_nullcline: VShape::Cubic {
            left_knee: (-1.0, -0.5),
            right_knee: (1.0, 0.5),
        },
        recovery_slope: 0.5,
        rest: -1.2,
        class: 1,
        tau_v: 1.0,
        tau_w: None,
        reset: None,
    }))
    .unwrap_err();
    assert!(e.to_string().contains("class 1 is not reachable"), "{e}");
}

#[test]
fn designer_hasler_type_1_and_type_2() {
    for (class, rest) in [(1u8, -70.0), (2, -65.0)] {
        let d = design(&DesignSpec::Hasler(HaslerDesign {
            class,
            rest: Some(rest),
            ..Default::default()
        }))
        .unwrap();
        assert!(d.check.ok, "class {class}: {:?}", d.check);
        let (rx, _) = d.check.rest.unwrap();
        assert!((rx - rest).abs() < 1e-6, "rest {rx} vs {rest}");
        // an independent scan of the designed model agrees
        let spec = d.spec().unwrap();
        let fam = Family::new(&spec, "I", 0.0, d.window).unwrap();
        let b = scan(
            &fam,
            &ScanConfig {
                from: 0.0,
                to: 100.0,
                steps: 100,
                cycles: None,
            },
        )
        .unwrap();
        assert_eq!(b.class, Some(class));
        let kind = if class == 1 {
            OnsetKind::SaddleNode
        } else {
            OnsetKind::Hopf
        };
        assert_eq!(b.onset.unwrap().kind, kind);
        let role = |n: &str| d.roles.iter().find(|r| r.name == n).unwrap().moves;
        assert_eq!(role("Vn"), "recovery nullcline");
        assert_eq!(role("EL"), "V-nullcline");
    }
    // a fixed low-threshold recovery sigmoid cannot give class 1: explained
    let e = design(&DesignSpec::Hasler(HaslerDesign {
        class: 1,
        rest: Some(-62.0),
        recovery_half: Some(-45.0),
        ..Default::default()
    }))
    .unwrap_err();
    assert!(e.to_string().contains("Vn higher"), "{e}");
}

#[test]
fn quantised_onset_and_recommended_format_morris_lecar() {
    let spec = ModelSpec::new("morris-lecar", Some("hopf")).unwrap();
    let formats: Vec<QFormat> = ["Q7.6", "Q7.8", "Q7.10", "Q7.12"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let r = sweep_formats(
        &spec,
        &QuantConfig {
            from: 0.0,
            to: 150.0,
            formats,
            base: FixedConfig::new("Q7.12".parse().unwrap()),
            tolerance: 0.01,
            protocol: Protocol::for_model(&spec),
            window: None,
        },
    )
    .unwrap();
    // the f64 model under the protocol agrees with its analysis
    assert_eq!(r.f64.class, Some(2));
    let p = r.f64.protocol.unwrap();
    assert_eq!(p.class, 2);
    assert!((p.current - r.f64.bifurcation_current.unwrap()).abs() / 93.86 < 0.01);
    let by = |f: &str| r.formats.iter().find(|x| x.format == f).unwrap();
    assert!(
        !by("Q7.6").passes && by("Q7.6").rel_shift.unwrap() > 0.1,
        "{:?}",
        by("Q7.6")
    );
    assert!(by("Q7.12").passes && by("Q7.12").rel_shift.unwrap() < 1e-3);
    assert_eq!(by("Q7.12").class, Some(2));
    assert_eq!(r.recommended.as_deref(), Some("Q7.10"), "{:?}", r.formats);
    // the twin's nullclines move by less than a percent of a millivolt-scale window at Q7.12
    assert!(by("Q7.12").max_shift_y_nullcline.unwrap() < 1e-4);
}

/// The FHN twin at its default Q3.12 has a dead zone in the recovery word (eps dt (v + a - b w)
/// rounds to 0 within ~0.04 of the w-nullcline), which freezes the slow spiral out of the rest
/// state above the Hopf point: on a slow ramp it keeps resting far above I = 0.33. The sweep finds
/// that, and recommends a wider format.
#[test]
fn quantised_fhn_dead_zone_shifts_the_onset() {
    let spec = ModelSpec::new("fhn", None).unwrap();
    let formats: Vec<QFormat> = ["Q3.12", "Q3.16"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let r = sweep_formats(
        &spec,
        &QuantConfig {
            from: 0.0,
            to: 1.0,
            formats,
            base: FixedConfig::new("Q3.12".parse().unwrap()),
            tolerance: 0.01,
            protocol: Protocol::for_model(&spec),
            window: None,
        },
    )
    .unwrap();
    let (q12, q16) = (&r.formats[0], &r.formats[1]);
    assert!(q12.onset.unwrap() > 0.5, "{q12:?}");
    assert!(!q12.passes);
    assert!(
        q16.passes && (q16.onset.unwrap() - 0.3313).abs() < 0.003,
        "{q16:?}"
    );
    assert_eq!(r.recommended.as_deref(), Some("Q3.16"));
}
