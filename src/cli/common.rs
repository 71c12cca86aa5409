//! Flags and helpers shared by the subcommands.
use anyhow::{bail, Context};
use clap::Args;
use spikeforge_model::{FixedConfig, ModelSpec, MulVariant, QFormat};
use std::io::Write;
use std::path::Path;

/// Which model, with which parameters.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Model: lif, leaky, izhikevich, adex, fhn, morris-lecar, hasler, nullcline.
    #[arg(long, short = 'm')]
    pub model: String,
    /// A named parameter set of the model (e.g. izhikevich: rs ib ch fs lts tc rz).
    #[arg(long, short = 'p')]
    pub preset: Option<String>,
    /// Set a parameter, NAME=VALUE (repeatable), in the units of the model's papers.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

impl ModelArgs {
    /// The model with preset and `--set` applied.
    pub fn spec(&self) -> anyhow::Result<ModelSpec> {
        let mut spec = ModelSpec::new(&self.model, self.preset.as_deref())?;
        for kv in &self.set {
            let (k, v) = split_kv(kv, "--set")?;
            let x: f64 = v
                .trim()
                .parse()
                .with_context(|| format!("--set {kv}: '{v}' is not a number"))?;
            spec.set(k.trim(), x)?;
        }
        Ok(spec)
    }
}

/// Fixed-point word formats.
#[derive(Debug, Clone, Args)]
pub struct FixedArgs {
    /// Override the format of one word, NAME=FORMAT (e.g. coef=Q1.20, input=Q11.4; repeatable).
    #[arg(long = "word", value_name = "NAME=FORMAT")]
    pub words: Vec<String>,
    /// Constant multiplies: `exact` (DSP multipliers) or `shift-add:N` (at most N CSD digits).
    #[arg(long, default_value = "exact", value_name = "exact|shift-add:N")]
    pub mul: String,
}

impl FixedArgs {
    /// The configuration for membrane format `fmt`.
    pub fn config(&self, fmt: &str) -> anyhow::Result<FixedConfig> {
        let membrane: QFormat = fmt.parse().with_context(|| format!("--fixed {fmt}"))?;
        let mut cfg = FixedConfig::new(membrane);
        for kv in &self.words {
            let (k, v) = split_kv(kv, "--word")?;
            let f: QFormat = v.parse().with_context(|| format!("--word {kv}"))?;
            cfg = cfg.with_word(k.trim(), f);
        }
        cfg.mul = parse_mul(&self.mul)?;
        Ok(cfg)
    }
}

fn parse_mul(s: &str) -> anyhow::Result<MulVariant> {
    if s == "exact" {
        return Ok(MulVariant::Exact);
    }
    if let Some(n) = s.strip_prefix("shift-add") {
        let terms = match n.strip_prefix(':') {
            None if n.is_empty() => 3,
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|t| (1..=16).contains(t))
                .with_context(|| format!("--mul {s}: N must be 1..16"))?,
            None => bail!("--mul {s}: expected exact or shift-add:N"),
        };
        return Ok(MulVariant::ShiftAdd { terms });
    }
    bail!("--mul {s}: expected exact or shift-add:N")
}

fn split_kv<'a>(kv: &'a str, flag: &str) -> anyhow::Result<(&'a str, &'a str)> {
    kv.split_once('=')
        .with_context(|| format!("{flag} {kv}: expected NAME=VALUE"))
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so that no
/// half-written file is ever left behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "cannot write {}: folder {} does not exist",
            path.display(),
            dir.display()
        );
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".spikeforge-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write into {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Print to stdout or write to `--out`.
pub fn emit(out: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match out {
        Some(p) => write_atomic(p, text.as_bytes()),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// Write a set of files into `dir` without leaving half-written files: everything is written into a
/// temporary folder beside `dir` first, then moved in by renames.
pub fn write_dir_atomic(dir: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        bail!(
            "cannot write {}: folder {} does not exist",
            dir.display(),
            parent.display()
        );
    }
    if dir.exists() && !dir.is_dir() {
        bail!("--out {}: exists and is not a folder", dir.display());
    }
    let tmp = tempfile::Builder::new()
        .prefix(".spikeforge-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot write into {}", parent.display()))?;
    for (name, text) in files {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
    }
    if !dir.exists() {
        let staged = tmp.keep();
        std::fs::rename(&staged, dir)
            .with_context(|| format!("moving the files into {}", dir.display()))?;
    } else {
        for (name, _) in files {
            std::fs::rename(tmp.path().join(name), dir.join(name))
                .with_context(|| format!("writing {}", dir.join(name).display()))?;
        }
    }
    Ok(())
}
