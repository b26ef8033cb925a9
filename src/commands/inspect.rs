//! `witpipe inspect FILE.wasm|FILE.yaml`: imports and exports as WIT.

use crate::diagnostics::{report_plain, Reported};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use witpipe_compose::wit;

/// Show a component's (or a composed pipeline's) imports and exports as WIT.
#[derive(clap::Args)]
pub struct Args {
    /// A component (`.wasm`) or a pipeline file.
    file: PathBuf,
    /// Print JSON for machines instead of WIT.
    #[arg(long)]
    json: bool,
    /// Print the policy an output carries (its `witpipe-policy` section) instead.
    #[arg(long)]
    policy: bool,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let max = match self.file.extension().is_some_and(|e| e == "wasm") {
            true => witpipe_compose::load::MAX_COMPONENT_BYTES,
            false => witpipe_compose::MAX_PIPELINE_BYTES,
        };
        let head = witpipe_compose::load::read_at_most(&self.file, max)
            .map_err(|e| report_plain(format!("cannot read {}: {e}", self.file.display())))?;
        let is_wasm = head.starts_with(b"\0asm");
        if self.policy {
            return print_policy(&self.file, &head, self.json);
        }
        // For a pipeline: which instances each remaining import and each export come from.
        if let Some(why) = is_wasm.then(|| wit::not_a_component(&head)).flatten() {
            return Err(report_plain(format!("{} {why}", self.file.display())));
        }
        let (bytes, import_owners, export_owners, chains) = if is_wasm {
            (head, BTreeMap::new(), BTreeMap::new(), None)
        } else {
            let composition = super::compose_pipeline(&self.file)?;
            let report = composition.report();
            let imports: BTreeMap<String, Vec<String>> = report
                .contract
                .imports
                .into_iter()
                .map(|i| (i.name, i.instances))
                .collect();
            let exports: BTreeMap<String, String> = report
                .exports
                .into_iter()
                .map(|(name, instance, _)| (name, instance))
                .collect();
            (composition.bytes, imports, exports, Some(report.chains))
        };
        let (imports, exports) = wit::world_items(&bytes).map_err(|e| {
            report_plain(format!(
                "{} is not a component witpipe can decode: {e:#}",
                self.file.display()
            ))
        })?;
        if self.json {
            let item = |(name, kind): &(String, &str), owners: serde_json::Value| json!({ "name": name, "kind": kind, "instances": owners });
            let mut doc = json!({
                "imports": imports.iter().map(|i| item(i, json!(import_owners.get(&i.0)))).collect::<Vec<_>>(),
                "exports": exports.iter().map(|e| item(e, json!(export_owners.get(&e.0).map(|o| vec![o])))).collect::<Vec<_>>(),
            });
            // A pipeline's chains of layers, as `check --json` gives them.
            if let Some(chains) = chains {
                doc["layers"] = json!(chains);
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("JSON of strings")
            );
            return Ok(());
        }
        let text = wit::component_wit(&bytes).map_err(|e| {
            report_plain(format!(
                "cannot print WIT for {}: {e:#}",
                self.file.display()
            ))
        })?;
        print!("{text}");
        if !is_wasm {
            println!("\n// imports left for the host, by instance:");
            for (name, who) in &import_owners {
                println!("//   {name} <- {}", who.join(", "));
            }
            println!("// exports, by instance:");
            for (name, who) in &export_owners {
                println!("//   {name} <- {who}");
            }
        }
        Ok(())
    }
}

/// Prints the policy section of the output `file` (`bytes`), as text or JSON.
fn print_policy(file: &std::path::Path, bytes: &[u8], json: bool) -> Result<(), Reported> {
    use witpipe_compose::policy_section::PolicySection;
    let section = PolicySection::read(bytes).map_err(|e| {
        report_plain(format!(
            "{}: {e}; `--policy` reads an output of `witpipe compose`",
            file.display()
        ))
    })?;
    if json {
        let text = serde_json::to_string_pretty(&section).expect("a policy section serializes");
        println!("{text}");
        return Ok(());
    }
    println!(
        "{}: composed by witpipe {} (policy format {})",
        file.display(),
        section.witpipe,
        section.format
    );
    println!(
        "imports left for the host ({}):",
        section.contract.imports.len()
    );
    for i in &section.contract.imports {
        let only = if i.type_only { "; types only" } else { "" };
        println!("  {} (for {}{only})", i.name, i.instances.join(", "));
    }
    println!(
        "exports ({}): {}",
        section.contract.exports.len(),
        section.contract.exports.join(", ")
    );
    println!("components ({}):", section.components.len());
    for c in &section.components {
        println!(
            "  {}: sha256 {}",
            c.instance,
            c.sha256.as_deref().unwrap_or("-")
        );
        if !c.host.is_empty() {
            println!("    from the host: {}", c.host.join(", "));
        }
        for (import, wrapper) in &c.wrapped {
            println!("    answered inside the output: {import} ({wrapper})");
        }
        if !c.denied.is_empty() {
            println!("    deny: {}", c.denied.join(", "));
        }
    }
    if !section.layers.is_empty() {
        println!("layers ({}):", section.layers.len());
        for l in &section.layers {
            println!("  {} {}: {}", l.edge, l.interface, l.path.join(" → "));
        }
    }
    Ok(())
}
