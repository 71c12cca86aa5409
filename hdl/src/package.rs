//! What `generate` writes besides the Verilog: a manifest (modules, ports, widths, formats,
//! parameters) and a FuseSoC CAPI2 `.core` file.
use crate::cores::GeneratedCore;
use serde_json::{json, Value};
use spikeforge_model::neuron::FixedNeuron;
use spikeforge_model::registry::FixedModel;

/// The generated files: `(file name, contents)` in a stable order: Verilog, then `manifest.json`,
/// then `<top>.core`.
pub fn package(
    core: &GeneratedCore,
    model: &FixedModel,
    description: Value,
) -> Vec<(String, String)> {
    let mut files = core.design.emit_files();
    let verilog: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let manifest = manifest(core, model, &verilog, description);
    files.push((
        "manifest.json".into(),
        serde_json::to_string_pretty(&manifest).expect("json") + "\n",
    ));
    files.push((
        format!("{}.core", core.top),
        fusesoc_core(&core.top, &verilog),
    ));
    files
}

/// The manifest JSON.
pub fn manifest(
    core: &GeneratedCore,
    model: &FixedModel,
    verilog: &[String],
    description: Value,
) -> Value {
    json!({
        "generator": format!("spikeforge {}", env!("CARGO_PKG_VERSION")),
        "top": core.top,
        "datapath": core.datapath,
        "modules": core.design.module_names(),
        "files": verilog,
        "ports": core.ports,
        "runtime_params": core.params,
        "formats": {
            "state": model.state_words().iter().map(|w| json!({"name": w.name, "format": w.fmt.to_string(), "width": w.fmt.width()})).collect::<Vec<_>>(),
            "input": model.input_format().to_string(),
        },
        "model": description,
    })
}

/// A FuseSoC CAPI2 core description of the files, with a default and a Verilator lint target.
pub fn fusesoc_core(top: &str, verilog: &[String]) -> String {
    let mut s = String::from("CAPI=2:\n");
    s.push_str(&format!(
        "name: spikeforge:cores:{top}:{}\n",
        env!("CARGO_PKG_VERSION")
    ));
    s.push_str(&format!(
        "description: spikeforge neuron core {top} (generated)\n\n"
    ));
    s.push_str("filesets:\n  rtl:\n    files:\n");
    for f in verilog {
        s.push_str(&format!("      - {f}\n"));
    }
    s.push_str("    file_type: verilogSource\n\n");
    s.push_str("targets:\n  default:\n    filesets: [rtl]\n");
    s.push_str(&format!("    toplevel: {top}\n"));
    s.push_str("  lint:\n    default_tool: verilator\n    filesets: [rtl]\n    tools:\n      verilator:\n        mode: lint-only\n        verilator_options: [-Wall]\n");
    s.push_str(&format!("    toplevel: {top}\n"));
    s
}
