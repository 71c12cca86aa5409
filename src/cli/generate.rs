//! `spikeforge generate`.
use super::common::write_dir_atomic;
use super::hw::{Core, CoreArgs};
use serde_json::json;
use spikeforge_hdl::cores::{core, CoreOptions};
use spikeforge_hdl::package::package;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes <top>.v and one .v per submodule (file name = module name), manifest.json (modules, ports,
widths, formats, parameters) and <top>.core (FuseSoC CAPI2). The top module is
sf_<model>_<format>_n<N>; the datapath alone is sf_<model>_<format>.

Examples:
  spikeforge generate --model izhikevich --preset rs --neurons 64 --fixed Q8.12 --out rtl/
  spikeforge generate --model lif --neurons 256 --fixed Q8.8 --mul shift-add:3 --out rtl/
  spikeforge generate --config core.toml --out rtl/")]
pub struct Args {
    #[command(flatten)]
    pub core: CoreArgs,
    /// Output folder (created if missing).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Print a JSON summary instead of a table.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
}

/// Generate the files of a core.
pub fn files(c: &Core) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let opts = CoreOptions {
        neurons: c.neurons,
        fifo_depth: c.fifo_depth,
        init: None,
        runtime_params: c.runtime_params,
    };
    let g = core(&c.twin, &opts)?;
    let params: serde_json::Map<String, serde_json::Value> = c
        .spec
        .params
        .infos()
        .iter()
        .filter_map(|p| {
            c.spec
                .params
                .get(p.name)
                .map(|v| (p.name.to_string(), json!(v)))
        })
        .collect();
    let desc = json!({
        "name": c.spec.info.name,
        "preset": c.spec.preset,
        "params": params,
        "dt_ms": c.dt,
        "method": c.method,
        "fixed": c.fixed,
        "neurons": c.neurons,
        "fifo_depth": c.fifo_depth,
    });
    Ok((g.top.clone(), package(&g, &c.twin, desc)))
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let c = a.core.resolve()?;
    let (top, files) = files(&c)?;
    write_dir_atomic(&a.out, &files)?;
    if a.format == "json" {
        let names: Vec<&String> = files.iter().map(|(n, _)| n).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"top": top, "out": a.out, "files": names}))?
        );
    } else {
        println!(
            "generated {top} ({} neurons, {}) in {}",
            c.neurons,
            c.fixed,
            a.out.display()
        );
        for (n, t) in &files {
            println!("  {n:<40} {:>7} bytes", t.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
