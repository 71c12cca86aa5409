//! The error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while building, emitting or checking RTL.
///
/// Builder *misuse* (width or signedness mismatches, a signal of another module, a duplicate
/// signal name) panics instead: those are bugs in generator code, see [`crate::ModuleBuilder`].
#[derive(Debug, thiserror::Error)]
pub enum HdlError {
    /// A core configuration that cannot be built (zero neurons, a model without a datapath, ...).
    #[error("{0}")]
    Config(String),
    /// A module or signal name that is not a plain Verilog identifier.
    #[error("invalid name `{name}`: {reason}")]
    InvalidName {
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A module that is incomplete or inconsistent (checked by `ModuleBuilder::finish`).
    #[error("module `{module}`: {msg}")]
    Build {
        /// The module being built.
        module: String,
        /// What is wrong.
        msg: String,
    },
    /// Two different modules of one design share a name.
    #[error("design contains two different modules named `{name}`")]
    DuplicateModule {
        /// The shared module name.
        name: String,
    },
    /// An external tool is not installed (not found on `PATH`).
    #[error("`{tool}` was not found on PATH; {hint}")]
    ToolMissing {
        /// The executable that was looked for.
        tool: String,
        /// How to install it.
        hint: String,
    },
    /// An external tool ran but reported errors or warnings.
    #[error("`{tool}` failed: {reason}\n--- log ---\n{log}")]
    ToolFailed {
        /// The executable.
        tool: String,
        /// Exit status or the kind of complaint.
        reason: String,
        /// Captured stdout and stderr.
        log: String,
    },
    /// A file could not be read or written.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
