//! Helpers shared by the end-to-end tests: run the `spikeforge` binary and check its outcome.
#![allow(dead_code)]
use serde_json::Value;
use std::process::{Command, Output};

/// Run `spikeforge` with `args`.
pub fn sf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikeforge"))
        .args(args)
        .output()
        .expect("run spikeforge")
}

/// Run `spikeforge`, require success and parse its stdout as JSON.
pub fn json(args: &[&str]) -> Value {
    let o = sf(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// Run `spikeforge` and require exit code 2 with every `needle` in the message, no panic and no
/// partial output on stdout.
pub fn bad_all(args: &[&str], needles: &[&str]) {
    let o = sf(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?} should exit 2: {err}");
    for n in needles {
        assert!(
            err.contains(n),
            "{args:?}: message should mention '{n}': {err}"
        );
    }
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    assert!(o.stdout.is_empty(), "{args:?}: no partial output on stdout");
}

/// [`bad_all`] with one needle.
pub fn bad(args: &[&str], needle: &str) {
    bad_all(args, &[needle]);
}
