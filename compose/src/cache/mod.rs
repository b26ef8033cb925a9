//! What witpipe keeps between runs: the folder ([`dir`]) and the composition cache
//! ([`CompositionCache`]). The compile cache (host crate) and pulled OCI components
//! (`oci` crate) live in the same folder.

mod composition;
pub mod housekeeping;

pub use composition::{sha256_hex, Cached, CompositionCache};

/// witpipe's cache folder (compiled components, compositions, pulled OCI components):
/// `$WITPIPE_CACHE_DIR`, else the platform's cache folder + `witpipe`
/// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
/// `%LOCALAPPDATA%` on Windows).
pub fn dir() -> Option<std::path::PathBuf> {
    use etcetera::BaseStrategy;
    if let Some(dir) = std::env::var_os("WITPIPE_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(dir.into());
    }
    let strategy = etcetera::base_strategy::choose_native_strategy().ok()?;
    Some(strategy.cache_dir().join("witpipe"))
}
