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

/// The component's imports that are interfaces with no functions: they carry types
/// (resources, records) and no authority.
pub fn type_only_imports(bytes: &[u8]) -> Vec<String> {
    let Ok((resolve, world)) = decode(bytes) else {
        return Vec::new();
    };
    resolve.worlds[world]
        .imports
        .iter()
        .filter_map(|(key, item)| match item {
            WorldItem::Interface { id, .. } if resolve.interfaces[*id].functions.is_empty() => {
                Some(resolve.name_world_key(key))
            }
            _ => None,
        })
        .collect()
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
