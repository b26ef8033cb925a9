//! What witpipe keeps between runs: the folder ([`dir`]) and the composition cache
//! ([`CompositionCache`]). The compile cache (host crate) and pulled OCI components
//! (`oci` crate) live in the same folder.

mod composition;

pub use composition::{sha256_hex, Cached, CompositionCache};

/// witpipe's cache folder (compiled components, pulled OCI components):
/// `$WITPIPE_CACHE_DIR`, else `$XDG_CACHE_HOME/witpipe`, else `~/.cache/witpipe`.
pub fn dir() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("WITPIPE_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("witpipe"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".cache").join("witpipe"))
}
