//! What `generate`, `verify` and `synth` share: the core description from flags or a TOML file.
use super::common::{FixedArgs, ModelArgs};
use anyhow::{bail, Context};
use serde::Deserialize;
use spikeforge_model::{FixedConfig, FixedModel, Method, ModelSpec};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A core given by flags, or by `--config FILE.toml`.
#[derive(Debug, Clone, clap::Args)]
pub struct CoreArgs {
    /// Model: lif, leaky, izhikevich, adex, fhn, morris-lecar, hasler, nullcline.
    #[arg(
        long,
        short = 'm',
        required_unless_present = "config",
        conflicts_with = "config"
    )]
    pub model: Option<String>,
    /// A named parameter set of the model.
    #[arg(long, short = 'p', conflicts_with = "config")]
    pub preset: Option<String>,
    /// Set a parameter, NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", conflicts_with = "config")]
    pub set: Vec<String>,
    /// Number of neurons of the time-multiplexed core.
    #[arg(
        long,
        short = 'n',
        required_unless_present = "config",
        conflicts_with = "config"
    )]
    pub neurons: Option<usize>,
    /// Membrane format of the fixed-point twin, e.g. Q8.12 (default: the model's).
    #[arg(long, conflicts_with = "config")]
    pub fixed: Option<String>,
    #[command(flatten)]
    pub fixed_args: FixedArgs,
    /// Time step in ms folded into the constants (default: the model's).
    #[arg(long, conflicts_with = "config", allow_negative_numbers = true)]
    pub dt: Option<f64>,
    /// Integration method the twin follows (LIF: exact or euler).
    #[arg(long, conflicts_with = "config")]
    pub method: Option<String>,
    /// Depth of the spike (address-event) FIFO.
    #[arg(long, default_value_t = 16)]
    pub fifo_depth: usize,
    /// Parameters as run-time registers written through a cfg_we/cfg_addr/cfg_data port (listed in
    /// the manifest) instead of constants; the module names get an `_rt` suffix.
    #[arg(long)]
    pub runtime_params: bool,
    /// A TOML file describing the core instead of the flags above (see README).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// The TOML form of a core.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    model: String,
    preset: Option<String>,
    #[serde(default)]
    params: BTreeMap<String, f64>,
    neurons: usize,
    fixed: Option<String>,
    #[serde(default)]
    words: BTreeMap<String, String>,
    mul: Option<String>,
    dt: Option<f64>,
    method: Option<String>,
    fifo_depth: Option<usize>,
    runtime_params: Option<bool>,
}

/// A resolved core description.
#[derive(Debug, Clone)]
pub struct Core {
    pub spec: ModelSpec,
    pub twin: FixedModel,
    pub neurons: usize,
    pub fifo_depth: usize,
    pub fixed: String,
    pub dt: f64,
    pub method: Method,
    pub runtime_params: bool,
}

impl CoreArgs {
    /// Resolve flags or the config file into a core.
    pub fn resolve(&self) -> anyhow::Result<Core> {
        let mut runtime_params = self.runtime_params;
        let (margs, neurons, fixed, fargs, dt, method, fifo) = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let c: ConfigFile =
                    toml::from_str(&text).with_context(|| format!("in {}", path.display()))?;
                let margs = ModelArgs {
                    model: c.model,
                    preset: c.preset,
                    set: c.params.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                };
                let fargs = FixedArgs {
                    words: c.words.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                    mul: c.mul.unwrap_or_else(|| "exact".into()),
                };
                runtime_params |= c.runtime_params.unwrap_or(false);
                (
                    margs,
                    c.neurons,
                    c.fixed,
                    fargs,
                    c.dt,
                    c.method,
                    c.fifo_depth.unwrap_or(self.fifo_depth),
                )
            }
            None => {
                let margs = ModelArgs {
                    model: self.model.clone().unwrap_or_default(),
                    preset: self.preset.clone(),
                    set: self.set.clone(),
                };
                (
                    margs,
                    self.neurons.unwrap_or(0),
                    self.fixed.clone(),
                    self.fixed_args.clone(),
                    self.dt,
                    self.method.clone(),
                    self.fifo_depth,
                )
            }
        };
        if neurons == 0 {
            bail!("--neurons 0: a core needs at least one neuron");
        }
        if neurons > 1 << 20 {
            bail!("--neurons {neurons}: at most 1048576 neurons per core");
        }
        if fifo < 2 || !fifo.is_power_of_two() {
            bail!("--fifo-depth {fifo}: must be a power of two of at least 2");
        }
        let spec = margs.spec()?;
        let dt = dt.unwrap_or(spec.info.default_dt_ms);
        if !(dt > 0.0 && dt.is_finite()) {
            bail!("--dt {dt}: the time step must be a positive number of ms");
        }
        let method = match method {
            Some(m) => m.parse::<Method>().map_err(anyhow::Error::msg)?,
            None => spec.info.default_method,
        };
        spec.check_method(method)?;
        let fixed = fixed.unwrap_or_else(|| spec.info.default_fixed.to_string());
        let cfg: FixedConfig = fargs.config(&fixed)?;
        let twin = spec.fixed(dt, method, &cfg)?;
        Ok(Core {
            spec,
            twin,
            neurons,
            fifo_depth: fifo,
            fixed,
            dt,
            method,
            runtime_params,
        })
    }
}
