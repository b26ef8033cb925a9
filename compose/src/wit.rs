//! WIT text for components and for single interfaces, for reports and errors.

use wit_component::{DecodedWasm, WitPrinter};
use wit_parser::{Resolve, WorldId, WorldItem};

fn decode(bytes: &[u8]) -> anyhow::Result<(Resolve, WorldId)> {
    match wit_component::decode(bytes)? {
        DecodedWasm::Component(resolve, world) => Ok((resolve, world)),
        DecodedWasm::WitPackage(..) => anyhow::bail!("this is a WIT package, not a component"),
    }
}

/// The whole WIT of a component: its world and every interface it uses, in the form
/// `wasm-tools component wit` prints.
pub fn component_wit(bytes: &[u8]) -> anyhow::Result<String> {
    let (resolve, world) = decode(bytes)?;
    let main = resolve.worlds[world]
        .package
        .ok_or_else(|| anyhow::anyhow!("decoded world has no package"))?;
    let nested: Vec<_> = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| *id != main)
        .collect();
    let mut printer = WitPrinter::default();
    printer.print(&resolve, main, &nested)?;
    Ok(printer.output.to_string())
}

/// The WIT of one imported (or exported) interface of a component, if it has one by
/// that name.
pub fn interface_wit(bytes: &[u8], name: &str, exported: bool) -> Option<String> {
    let (resolve, world) = decode(bytes).ok()?;
    let world = &resolve.worlds[world];
    let items = if exported {
        &world.exports
    } else {
        &world.imports
    };
    let (key, item) = items
        .iter()
        .find(|(key, _)| resolve.name_world_key(key) == name)?;
    let mut printer = WitPrinter::default();
    match item {
        WorldItem::Interface { id, .. } => {
            printer.print_interface(&resolve, *id).ok()?;
            let body: String = printer
                .output
                .to_string()
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        "\n".to_string()
                    } else {
                        format!("  {l}\n")
                    }
                })
                .collect();
            Some(format!(
                "interface {} {{\n{body}}}",
                resolve.name_world_key(key)
            ))
        }
        WorldItem::Function(f) => Some(format!("{}: func(…)", f.name)),
        WorldItem::Type { .. } => None,
    }
}

/// What kind of item a world import or export is.
pub fn item_kind(item: &WorldItem) -> &'static str {
    match item {
        WorldItem::Interface { .. } => "interface",
        WorldItem::Function(_) => "function",
        WorldItem::Type { .. } => "type",
    }
}

/// The names and kinds of a component's imports and exports, in order.
pub type Items = Vec<(String, &'static str)>;

/// The imports and exports of a component, as `(name, kind)` lists.
pub fn world_items(bytes: &[u8]) -> anyhow::Result<(Items, Items)> {
    let (resolve, world) = decode(bytes)?;
    let world = &resolve.worlds[world];
    let list = |items: &wit_parser::IndexMap<wit_parser::WorldKey, WorldItem>| {
        items
            .iter()
            .map(|(k, v)| (resolve.name_world_key(k), item_kind(v)))
            .collect()
    };
    Ok((list(&world.imports), list(&world.exports)))
}

/// A function a host can call on a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFunction {
    /// `name` for a function export, `interface#name` for a function of an exported
    /// interface (as `witpipe call` names it).
    pub name: String,
    /// Its parameters' names.
    pub params: Vec<String>,
}

/// The functions a component exports that a host can call, in export order. Read
/// without compiling anything.
pub fn callable(bytes: &[u8]) -> anyhow::Result<Vec<ExportedFunction>> {
    let (resolve, world) = decode(bytes)?;
    let function = |name: String, f: &wit_parser::Function| ExportedFunction {
        name,
        params: f.params.iter().map(|p| p.name.clone()).collect(),
    };
    let mut out = Vec::new();
    for (key, item) in &resolve.worlds[world].exports {
        match item {
            WorldItem::Function(f) => out.push(function(f.name.clone(), f)),
            WorldItem::Interface { id, .. } => {
                let name = resolve.name_world_key(key);
                let functions = &resolve.interfaces[*id].functions;
                out.extend(
                    functions
                        .iter()
                        .map(|(n, f)| function(format!("{name}#{n}"), f)),
                );
            }
            WorldItem::Type { .. } => {}
        }
    }
    Ok(out)
}

/// A component's top-level import and export names, read from its sections (no
/// decoding).
pub fn top_level_names(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    use wasmparser::Payload;
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::ModuleSection { .. } | Payload::ComponentSection { .. }) => depth += 1,
            Ok(Payload::End(_)) => depth = depth.saturating_sub(1),
            Ok(Payload::ComponentImportSection(s)) if depth == 0 => {
                imports.extend(s.into_iter().flatten().map(|i| i.name.name.to_string()))
            }
            Ok(Payload::ComponentExportSection(s)) if depth == 0 => {
                exports.extend(s.into_iter().flatten().map(|e| e.name.name.to_string()))
            }
            Err(_) => break,
            _ => {}
        }
    }
    (imports, exports)
}

/// Why `bytes` is not a component witpipe can show, if it is not one.
pub fn not_a_component(bytes: &[u8]) -> Option<&'static str> {
    if wasmparser::Parser::is_component(bytes) {
        None
    } else if wasmparser::Parser::is_core_wasm(bytes) {
        Some("is a core WebAssembly module, not a component (turn it into one with `wasm-tools component new`)")
    } else {
        Some("is not a WebAssembly component")
    }
}
