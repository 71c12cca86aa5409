//! Input stimuli: a sum of terms `const(A)`, `step(T0,A)`, `pulse(T0,T1,A)`, `ramp(T0,SLOPE)`,
//! `sine(AMP,HZ)`, joined by `+`; times in ms, `SLOPE` per ms, `HZ` in hertz.
//!
//! `step` is `A` for `t >= T0`; `pulse` is `A` for `T0 <= t < T1`; `ramp` is `SLOPE (t - T0)` for
//! `t >= T0`; `sine` is `AMP sin(2 pi HZ t / 1000)`.
use crate::error::ModelError;
use std::fmt;
use std::str::FromStr;

/// One term of a stimulus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Term {
    Const(f64),
    Step { t0: f64, a: f64 },
    Pulse { t0: f64, t1: f64, a: f64 },
    Ramp { t0: f64, slope: f64 },
    Sine { amp: f64, hz: f64 },
}

/// A stimulus: the sum of its terms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stimulus {
    pub terms: Vec<Term>,
}

impl Stimulus {
    /// A constant input.
    pub fn constant(a: f64) -> Self {
        Stimulus {
            terms: vec![Term::Const(a)],
        }
    }
    /// The input at time `t` (ms).
    #[inline]
    pub fn at(&self, t: f64) -> f64 {
        self.terms
            .iter()
            .map(|term| match *term {
                Term::Const(a) => a,
                Term::Step { t0, a } => {
                    if t >= t0 {
                        a
                    } else {
                        0.0
                    }
                }
                Term::Pulse { t0, t1, a } => {
                    if t >= t0 && t < t1 {
                        a
                    } else {
                        0.0
                    }
                }
                Term::Ramp { t0, slope } => {
                    if t >= t0 {
                        slope * (t - t0)
                    } else {
                        0.0
                    }
                }
                Term::Sine { amp, hz } => {
                    amp * (2.0 * std::f64::consts::PI * hz * t / 1000.0).sin()
                }
            })
            .sum()
    }
}

impl FromStr for Stimulus {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        let err = |why: String| ModelError::Stimulus {
            input: s.to_string(),
            why,
        };
        let mut terms = Vec::new();
        let mut depth = 0i32;
        let mut start = 0;
        let mut parts = Vec::new();
        for (i, ch) in s.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        return Err(err("unbalanced ')'".into()));
                    }
                }
                '+' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        if depth != 0 {
            return Err(err("unbalanced '('".into()));
        }
        parts.push(&s[start..]);
        for part in parts {
            let p = part.trim();
            if p.is_empty() {
                return Err(err("empty term".into()));
            }
            let open = p
                .find('(')
                .ok_or_else(|| err(format!("term '{p}' has no '(' (expected e.g. const(10))")))?;
            if !p.ends_with(')') {
                return Err(err(format!("term '{p}' does not end with ')'")));
            }
            let name = p[..open].trim();
            let args: Vec<f64> = p[open + 1..p.len() - 1]
                .split(',')
                .map(|a| {
                    let a = a.trim();
                    a.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| err(format!("'{a}' in '{p}' is not a number")))
                })
                .collect::<Result<_, _>>()?;
            let want = |n: usize| {
                if args.len() == n {
                    Ok(())
                } else {
                    Err(err(format!(
                        "{name} takes {n} argument(s), got {}",
                        args.len()
                    )))
                }
            };
            terms.push(match name {
                "const" => want(1).map(|_| Term::Const(args[0]))?,
                "step" => want(2).map(|_| Term::Step {
                    t0: args[0],
                    a: args[1],
                })?,
                "pulse" => {
                    want(3)?;
                    if args[1] < args[0] {
                        return Err(err(format!(
                            "pulse ends ({}) before it starts ({})",
                            args[1], args[0]
                        )));
                    }
                    Term::Pulse {
                        t0: args[0],
                        t1: args[1],
                        a: args[2],
                    }
                }
                "ramp" => want(2).map(|_| Term::Ramp {
                    t0: args[0],
                    slope: args[1],
                })?,
                "sine" => want(2).map(|_| Term::Sine {
                    amp: args[0],
                    hz: args[1],
                })?,
                other => {
                    return Err(err(format!(
                        "unknown term '{other}' (expected const, step, pulse, ramp or sine)"
                    )))
                }
            });
        }
        Ok(Stimulus { terms })
    }
}

impl fmt::Display for Stimulus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|t| match *t {
                Term::Const(a) => format!("const({a})"),
                Term::Step { t0, a } => format!("step({t0},{a})"),
                Term::Pulse { t0, t1, a } => format!("pulse({t0},{t1},{a})"),
                Term::Ramp { t0, slope } => format!("ramp({t0},{slope})"),
                Term::Sine { amp, hz } => format!("sine({amp},{hz})"),
            })
            .collect();
        f.write_str(&parts.join("+"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_and_evaluates() {
        let s: Stimulus = "const(1) + step(10,2) + pulse(20,30,-4) + ramp(50,0.5) + sine(3,1000)"
            .parse()
            .unwrap();
        assert_eq!(s.terms.len(), 5);
        // the 1 kHz sine is ~0 (round-off, ~1e-13) at whole milliseconds
        let near = |t: f64, want: f64| (s.at(t) - want).abs() < 1e-9;
        assert_eq!(s.at(0.0), 1.0);
        assert!(near(10.0, 3.0), "{}", s.at(10.0));
        assert!(near(20.0, -1.0), "{}", s.at(20.0));
        assert!(near(30.0, 3.0), "{}", s.at(30.0));
        assert!((s.at(52.0) - 4.0).abs() < 1e-9); // 1 + 2 + 1 + sin(2 pi 52) ~ 0
        assert!((s.at(0.25) - 4.0).abs() < 1e-9); // sine peak at 0.25 ms for 1 kHz
        let round: Stimulus = s.to_string().parse().unwrap();
        assert_eq!(round, s);
        assert_eq!("const(1e1)".parse::<Stimulus>().unwrap().at(0.0), 10.0);
    }
    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "const()",
            "const(1",
            "foo(1)",
            "step(1)",
            "const(x)",
            "const(1)+",
            "pulse(5,2,1)",
            "const(nan)",
            "1",
        ] {
            assert!(bad.parse::<Stimulus>().is_err(), "{bad}");
        }
    }
}
