//! Run the external HDL tools (Verilator, Yosys, Icarus Verilog) as subprocesses.
//!
//! Every function captures stdout and stderr; a missing executable gives
//! [`HdlError::ToolMissing`] with an install hint, a failure or any warning gives
//! [`HdlError::ToolFailed`] carrying the log.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::HdlError;

/// How to install the tools these helpers need.
pub const INSTALL_HINT: &str =
    "install the HDL tools with `apt-get install -y verilator iverilog yosys` (Debian/Ubuntu)";

/// Run `cmd`, returning (success, stdout, stderr).
fn run(tool: &str, cmd: &mut Command) -> Result<(bool, String, String), HdlError> {
    match cmd.output() {
        Ok(out) => Ok((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(HdlError::ToolMissing {
            tool: tool.to_string(),
            hint: INSTALL_HINT.to_string(),
        }),
        Err(e) => Err(HdlError::ToolFailed {
            tool: tool.to_string(),
            reason: format!("could not start: {e}"),
            log: String::new(),
        }),
    }
}

fn failed(tool: &str, reason: &str, log: String) -> HdlError {
    HdlError::ToolFailed {
        tool: tool.to_string(),
        reason: reason.to_string(),
        log,
    }
}

/// `verilator --lint-only -Wall --top-module <top> <files>`: succeeds only with no warning at all.
/// Returns the (normally empty) log.
pub fn lint_verilator(files: &[PathBuf], top: &str) -> Result<String, HdlError> {
    let (ok, out, err) = run(
        "verilator",
        Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", top])
            .args(files),
    )?;
    let log = format!("{out}{err}");
    if !ok {
        return Err(failed("verilator", "lint reported errors or warnings", log));
    }
    if log.contains("%Warning") || log.contains("%Error") {
        return Err(failed("verilator", "lint reported warnings", log));
    }
    Ok(log)
}

/// Run a Yosys script after reading `files` (read with Yosys' Verilog frontend, by extension).
/// Fails on a non-zero exit or on any `Warning:` line. Returns the full log.
pub fn run_yosys(files: &[PathBuf], script: &str) -> Result<String, HdlError> {
    let (ok, out, err) = run(
        "yosys",
        Command::new("yosys").arg("-p").arg(script).args(files),
    )?;
    let log = format!("{out}{err}");
    if !ok {
        return Err(failed("yosys", "exited with an error", log));
    }
    if log.lines().any(|l| l.trim_start().starts_with("Warning:")) {
        return Err(failed("yosys", "reported warnings", log));
    }
    Ok(log)
}

/// The structural check `read_verilog <files>; hierarchy -check -top <top>; proc; check -assert`.
pub fn check_yosys(files: &[PathBuf], top: &str) -> Result<String, HdlError> {
    run_yosys(
        files,
        &format!("hierarchy -check -top {top}; proc; check -assert"),
    )
}

/// Compile `files` with `iverilog -g2005 -s <top>` into `work_dir` and run the result with
/// `vvp -n`. Returns the simulation's stdout.
pub fn run_icarus(files: &[PathBuf], top: &str, work_dir: &Path) -> Result<String, HdlError> {
    let exe = work_dir.join(format!("{top}.vvp"));
    let (ok, out, err) = run(
        "iverilog",
        Command::new("iverilog")
            .args(["-g2005", "-s", top, "-o"])
            .arg(&exe)
            .args(files),
    )?;
    if !ok {
        return Err(failed(
            "iverilog",
            "compilation failed",
            format!("{out}{err}"),
        ));
    }
    let (ok, out, err) = run("vvp", Command::new("vvp").arg("-n").arg(&exe))?;
    if !ok {
        return Err(failed("vvp", "simulation failed", format!("{out}{err}")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tool_says_how_to_install() {
        let e = run(
            "spikeforge-no-such-tool",
            &mut Command::new("spikeforge-no-such-tool"),
        )
        .unwrap_err();
        assert!(matches!(e, HdlError::ToolMissing { .. }));
        assert!(e
            .to_string()
            .contains("apt-get install -y verilator iverilog yosys"));
    }
}
