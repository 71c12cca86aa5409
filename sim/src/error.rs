//! The error type of the sim crate.
use std::path::PathBuf;

/// Everything that can go wrong in `spikeforge-sim`.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Reading or writing a file failed.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The plotting library reported an error while drawing.
    #[error("plot error: {0}")]
    Plot(String),

    /// A plot was requested in a format chosen by an extension we cannot write.
    #[error(
        "unsupported plot file extension {extension:?} in {} (use .png or .svg)",
        path.display()
    )]
    BadExtension { path: PathBuf, extension: String },

    /// A VCD file could not be parsed.
    #[error("VCD parse error in {}{}: {message}", path.display(), fmt_line(*line))]
    VcdParse {
        path: PathBuf,
        /// 1-based line number, when known.
        line: Option<u64>,
        message: String,
    },

    /// A signal given to the VCD writer is invalid (bad name, width, value or length).
    #[error("invalid VCD signal {name:?}: {reason}")]
    VcdSignal { name: String, reason: String },

    /// An argument is out of its valid range (names the argument and the bad value).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// An external tool (simulator, synthesiser) is not installed or not on `PATH`.
    #[error("required tool `{tool}` was not found: {hint}")]
    ToolMissing { tool: String, hint: String },

    /// An external tool ran but failed; the end of its output and the full log's path.
    #[error("{tool} failed (full log: {}):\n{output}", log.display())]
    ToolFailed {
        tool: String,
        log: PathBuf,
        output: String,
    },

    /// The RTL did not follow the core interface (no observations, a hang, too many outputs).
    #[error("co-simulation protocol error: {0}")]
    Protocol(String),
}

fn fmt_line(line: Option<u64>) -> String {
    match line {
        Some(l) => format!(" at line {l}"),
        None => String::new(),
    }
}

impl SimError {
    /// Wrap an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SimError::Io {
            path: path.into(),
            source,
        }
    }
}

/// A temporary file in the directory of `path`, named `.NAME.XXXXXX<suffix>`, with ordinary
/// permissions (0666 minus the umask, like a plainly created file), to be renamed over `path` with
/// `persist` once it is completely written (atomic output: no half-written file on error).
pub(crate) fn temp_file_beside(
    path: &std::path::Path,
    suffix: &str,
) -> Result<tempfile::NamedTempFile, SimError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(&dir).map_err(|e| SimError::io(dir, e))
}
