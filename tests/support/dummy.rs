//! Components built in-process from WIT (a dummy core module behind a world), for
//! tests that only compose and check.

use std::path::Path;
use wit_component::{dummy_module, embed_component_metadata, ComponentEncoder, StringEncoding};
use wit_parser::{ManglingAndAbi, Resolve};

/// Builds a component from a WIT file holding one world, or a WIT folder (with `deps/`).
pub fn component_from_wit(path: &Path) -> Vec<u8> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve
        .push_path(path)
        .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    let world = resolve
        .select_world(&[pkg], None)
        .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    let mut module = dummy_module(&resolve, world, ManglingAndAbi::Standard32);
    embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8).unwrap();
    ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
}
