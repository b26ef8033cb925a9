//! Arbitrary bytes as a component, loaded and composed: never a panic or a hang.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("witpipe-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        dir
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let partner = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pipelines/wordfreq/components/count.wasm"
    ));
    witpipe_compose::fuzzing::component_bytes(data, scratch(), partner);
});
