//! Plasticity protocols on one synapse (library only, no I/O): the classic pairing protocol, the
//! STDP window (a sweep over `delta_t`) and the rate dependence (a sweep over the pairing rate).
//!
//! # The pairing protocol ([`PairingProtocol`], [`pairing`])
//! `pairs` pairings at `rate_hz`: pairing `k` has a presynaptic spike at `t_k = t0 + k * 1000 /
//! rate_hz` ms and a postsynaptic spike at `t_k + delta_t` (`delta_t = t_post - t_pre`, ms; it may
//! be negative). Times are put on the rule's tick grid: the pre spike at tick `round(t_k / dt)`,
//! the post spike `round(delta_t / dt)` ticks after it (so every pairing has exactly the same
//! lag); `t0 = max(0, -delta_t)` so that no spike is before tick 0. The weight starts at `w0`
//! (default 0) and the rule's own bounds apply (the rules are additive and unbounded by default).
//! With a [`Reward`], a reward of `amount` is given `delay_ms` after the later spike of every
//! pairing (R-STDP; the other rules ignore rewards). The run lasts until the last event plus the
//! rule's [`PlasticityRule::settle_ms`]. The result is the total weight change `w_end - w0`.
//!
//! Each tick follows the order of [`super`]: shared decay and rewards, trace decay, per-synapse
//! dynamics, the pre spike, then the post spike (so `delta_t = 0` is pre-before-post). The f64
//! rules and their fixed twins run through the same code ([`run_events`]).
use super::{LearningError, PlasticityRule};
use serde::Serialize;

/// Most ticks one protocol run may take.
pub const MAX_TICKS: u64 = 1_000_000_000;

/// A reward after every pairing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reward {
    /// Delay after the later spike of the pairing, ms.
    pub delay_ms: f64,
    /// Amount (R-STDP: dopamine, uM).
    pub amount: f64,
}

/// The pairing protocol.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairingProtocol {
    /// `t_post - t_pre`, ms.
    pub delta_t_ms: f64,
    /// Pairings per second, Hz.
    pub rate_hz: f64,
    /// Number of pairings (at least 1).
    pub pairs: u32,
    /// Initial weight.
    pub w0: f64,
    pub reward: Option<Reward>,
}

impl PairingProtocol {
    /// `pairs` pairings at `delta_t_ms` and `rate_hz`, from `w0 = 0`, no reward.
    pub fn new(delta_t_ms: f64, rate_hz: f64, pairs: u32) -> Self {
        PairingProtocol {
            delta_t_ms,
            rate_hz,
            pairs,
            w0: 0.0,
            reward: None,
        }
    }
    /// The same protocol at another `delta_t`.
    pub fn with_delta_t(mut self, delta_t_ms: f64) -> Self {
        self.delta_t_ms = delta_t_ms;
        self
    }
    /// The same protocol at another rate.
    pub fn with_rate(mut self, rate_hz: f64) -> Self {
        self.rate_hz = rate_hz;
        self
    }
    /// Check the protocol for time step `dt_ms`.
    pub fn validate(&self, dt_ms: f64) -> Result<(), LearningError> {
        let bad = |m: String| Err(LearningError::Protocol(m));
        if !self.delta_t_ms.is_finite() {
            return bad(format!(
                "delta_t = {} is not a finite number of ms",
                self.delta_t_ms
            ));
        }
        if self.pairs == 0 {
            return bad("the number of pairs must be at least 1".into());
        }
        if !(self.rate_hz > 0.0 && self.rate_hz.is_finite()) {
            return bad(format!(
                "rate = {} Hz: must be a positive number",
                self.rate_hz
            ));
        }
        if 1000.0 / self.rate_hz < dt_ms {
            return bad(format!(
                "rate = {} Hz: a pairing every {} ms is shorter than the time step dt = {dt_ms} ms",
                self.rate_hz,
                1000.0 / self.rate_hz
            ));
        }
        if !self.w0.is_finite() {
            return bad(format!("w0 = {} is not finite", self.w0));
        }
        if let Some(r) = self.reward {
            if !(r.delay_ms >= 0.0 && r.delay_ms.is_finite()) {
                return bad(format!(
                    "reward delay = {} ms: must be zero or positive",
                    r.delay_ms
                ));
            }
            if !r.amount.is_finite() {
                return bad(format!("reward amount = {} is not finite", r.amount));
            }
        }
        let span = self.pairs as f64 * 1000.0 / self.rate_hz
            + self.delta_t_ms.abs()
            + self.reward.map_or(0.0, |r| r.delay_ms);
        if span / dt_ms > MAX_TICKS as f64 {
            return bad(format!(
                "{} pairs at {} Hz take more than {MAX_TICKS} ticks of {dt_ms} ms",
                self.pairs, self.rate_hz
            ));
        }
        Ok(())
    }
    /// The spike and reward ticks of the protocol for time step `dt_ms`.
    pub fn events(&self, dt_ms: f64) -> Result<SpikeEvents, LearningError> {
        self.validate(dt_ms)?;
        let lag = (self.delta_t_ms / dt_ms).round() as i64;
        let t0 = (-lag).max(0);
        let period = 1000.0 / self.rate_hz / dt_ms;
        let delay = self.reward.map(|r| (r.delay_ms / dt_ms).round() as i64);
        let mut ev = SpikeEvents::default();
        for k in 0..self.pairs as i64 {
            let pre = t0 + (k as f64 * period).round() as i64;
            let post = pre + lag;
            ev.pre.push(pre as u64);
            ev.post.push(post as u64);
            if let (Some(d), Some(r)) = (delay, self.reward) {
                ev.rewards.push(((pre.max(post) + d) as u64, r.amount));
            }
        }
        ev.post.sort_unstable();
        ev.rewards.sort_by_key(|r| r.0);
        Ok(ev)
    }
}

/// Spike and reward times of one synapse, in ticks (each list sorted; at most one spike per tick
/// and neuron).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SpikeEvents {
    pub pre: Vec<u64>,
    pub post: Vec<u64>,
    pub rewards: Vec<(u64, f64)>,
}

impl SpikeEvents {
    /// The last tick with an event.
    pub fn last_tick(&self) -> u64 {
        let last = |v: &[u64]| v.last().copied().unwrap_or(0);
        last(&self.pre)
            .max(last(&self.post))
            .max(self.rewards.last().map_or(0, |r| r.0))
    }
}

/// Run one synapse through `ev` from weight `w0` for ticks `0 ..= last event + settle`; returns
/// the final weight.
pub fn run_events<R: PlasticityRule>(rule: &R, ev: &SpikeEvents, w0: f64) -> f64 {
    let settle = (rule.settle_ms() / rule.dt_ms()).ceil().max(0.0) as u64;
    let end = ev.last_tick() + settle;
    let (mut p, mut q) = (rule.pre_state(), rule.post_state());
    let (mut s, mut g) = (rule.syn_state(w0), rule.shared_state());
    let (mut ip, mut iq, mut ir) = (0usize, 0usize, 0usize);
    for n in 0..=end {
        rule.tick_shared(&mut g);
        while ir < ev.rewards.len() && ev.rewards[ir].0 == n {
            rule.reward(&mut g, ev.rewards[ir].1);
            ir += 1;
        }
        rule.tick_pre(&mut p);
        rule.tick_post(&mut q);
        if R::SYN_DYNAMICS {
            rule.tick_syn(&mut s, &mut g);
        }
        if ip < ev.pre.len() && ev.pre[ip] == n {
            rule.on_pre(&mut s, &p, &q, &mut g);
            rule.pre_spike(&mut p);
            while ip < ev.pre.len() && ev.pre[ip] == n {
                ip += 1;
            }
        }
        if iq < ev.post.len() && ev.post[iq] == n {
            rule.on_post(&mut s, &p, &q, &mut g);
            rule.post_spike(&mut q);
            while iq < ev.post.len() && ev.post[iq] == n {
                iq += 1;
            }
        }
    }
    rule.weight(&s)
}

/// The total weight change of the pairing protocol.
pub fn pairing<R: PlasticityRule>(rule: &R, proto: &PairingProtocol) -> Result<f64, LearningError> {
    let ev = proto.events(rule.dt_ms())?;
    let w0 = rule.weight(&rule.syn_state(proto.w0));
    Ok(run_events(rule, &ev, proto.w0) - w0)
}

/// One point of an STDP window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WindowPoint {
    pub delta_t_ms: f64,
    pub dw: f64,
}

/// The pairing protocol at every `delta_t` of `delta_ts` (the STDP window).
pub fn window<R: PlasticityRule>(
    rule: &R,
    proto: &PairingProtocol,
    delta_ts: &[f64],
) -> Result<Vec<WindowPoint>, LearningError> {
    delta_ts
        .iter()
        .map(|&d| {
            Ok(WindowPoint {
                delta_t_ms: d,
                dw: pairing(rule, &proto.with_delta_t(d))?,
            })
        })
        .collect()
}

/// One point of a rate dependence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatePoint {
    pub delta_t_ms: f64,
    pub rate_hz: f64,
    pub dw: f64,
}

/// The pairing protocol at every rate of `rates_hz`, for every `delta_t` of `delta_ts`
/// (`delta_t`-major order).
pub fn rate_dependence<R: PlasticityRule>(
    rule: &R,
    proto: &PairingProtocol,
    delta_ts: &[f64],
    rates_hz: &[f64],
) -> Result<Vec<RatePoint>, LearningError> {
    let mut out = Vec::with_capacity(delta_ts.len() * rates_hz.len());
    for &d in delta_ts {
        for &r in rates_hz {
            out.push(RatePoint {
                delta_t_ms: d,
                rate_hz: r,
                dw: pairing(rule, &proto.with_delta_t(d).with_rate(r))?,
            });
        }
    }
    Ok(out)
}

/// The values `from, from + step, ..., <= to` (computed as `from + i * step`, so a sweep of whole
/// numbers stays whole), at most 100,000 of them.
pub fn sweep(from: f64, to: f64, step: f64) -> Result<Vec<f64>, LearningError> {
    if !(from.is_finite() && to.is_finite()) || from > to {
        return Err(LearningError::Protocol(format!(
            "sweep from {from} to {to}: need finite from <= to"
        )));
    }
    if !(step > 0.0 && step.is_finite()) {
        return Err(LearningError::Protocol(format!(
            "sweep step {step}: must be positive"
        )));
    }
    let n = ((to - from) / step + 1e-9).floor();
    if n > 100_000.0 {
        return Err(LearningError::Protocol(format!(
            "sweep from {from} to {to} by {step} has more than 100000 points"
        )));
    }
    Ok((0..=n as u64).map(|i| from + i as f64 * step).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_keep_the_lag_and_start_at_zero() {
        let p = PairingProtocol::new(-10.0, 30.0, 3);
        let ev = p.events(0.1).unwrap();
        assert_eq!(ev.pre, vec![100, 433, 767]);
        assert_eq!(ev.post, vec![0, 333, 667]);
        let p = PairingProtocol {
            reward: Some(Reward {
                delay_ms: 50.0,
                amount: 1.0,
            }),
            ..PairingProtocol::new(5.0, 10.0, 2)
        };
        let ev = p.events(0.1).unwrap();
        assert_eq!(ev.pre, vec![0, 1000]);
        assert_eq!(ev.post, vec![50, 1050]);
        assert_eq!(ev.rewards, vec![(550, 1.0), (1550, 1.0)]);
    }

    #[test]
    fn bad_protocols_are_named() {
        let e = PairingProtocol::new(10.0, 1.0, 0)
            .validate(0.1)
            .unwrap_err();
        assert!(e.to_string().contains("pairs"), "{e}");
        let e = PairingProtocol::new(10.0, -1.0, 5)
            .validate(0.1)
            .unwrap_err();
        assert!(e.to_string().contains("rate"), "{e}");
        let e = PairingProtocol::new(10.0, 20_000.0, 5)
            .validate(0.1)
            .unwrap_err();
        assert!(e.to_string().contains("time step"), "{e}");
        assert!(sweep(1.0, 0.0, 1.0).is_err());
        assert!(sweep(0.0, 1.0, 0.0).is_err());
        assert_eq!(
            sweep(-2.0, 2.0, 1.0).unwrap(),
            vec![-2.0, -1.0, 0.0, 1.0, 2.0]
        );
    }
}
