//! Keeping the cache folder bounded: what it holds ([`usage`]), dropping the least
//! recently used entries past a budget ([`prune`]), and emptying it ([`clean`]).
//!
//! Only files witpipe names are touched: compiled components (`*.cwasm` at the top),
//! compositions (`compose/*.entry`) and pulled components (`oci/…`), so a
//! `WITPIPE_CACHE_DIR` pointed at the wrong folder loses nothing else.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The cache's size budget when `WITPIPE_CACHE_MAX` does not set one: 1 GiB.
pub const DEFAULT_BUDGET: u64 = 1 << 30;

/// One file of the cache.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was last written or used.
    pub used: SystemTime,
}

/// The budget: `WITPIPE_CACHE_MAX` (bytes, or with a K, M or G suffix), else
/// [`DEFAULT_BUDGET`]. `Err` names a value that is not a size.
pub fn budget() -> Result<u64, String> {
    match std::env::var("WITPIPE_CACHE_MAX") {
        Ok(text) if !text.is_empty() => parse_size(&text).ok_or_else(|| {
            format!("WITPIPE_CACHE_MAX={text:?} is not a size (e.g. 500M, 2G, 1073741824)")
        }),
        _ => Ok(DEFAULT_BUDGET),
    }
}

fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&text[..i], 1 << 20),
        (i, 'G' | 'g') => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

/// Every entry of the cache under `dir`, oldest use first.
pub fn usage(dir: &Path) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut add = |path: PathBuf| {
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            if meta.is_file() {
                entries.push(Entry {
                    bytes: meta.len(),
                    used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    path,
                });
            }
        }
    };
    let files = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d)
            .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    };
    for path in files(dir) {
        if path.extension().is_some_and(|e| e == "cwasm") {
            add(path);
        }
    }
    for path in files(&dir.join("compose")) {
        if path.extension().is_some_and(|e| e == "entry") {
            add(path);
        }
    }
    // Pulled components: `oci/<registry>/…`, two levels at most.
    for sub in files(&dir.join("oci")) {
        if sub.is_dir() {
            files(&sub).into_iter().for_each(&mut add);
        } else {
            add(sub);
        }
    }
    entries.sort_by_key(|e| e.used);
    entries
}

/// What [`prune`] or [`clean`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    /// Files removed.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// Removes the least recently used entries until the cache holds at most `budget`
/// bytes. A file that cannot be removed is skipped.
pub fn prune(dir: &Path, budget: u64) -> Removed {
    let entries = usage(dir);
    let mut total: u64 = entries.iter().map(|e| e.bytes).sum();
    let mut removed = Removed::default();
    for entry in entries {
        if total <= budget {
            break;
        }
        if std::fs::remove_file(&entry.path).is_ok() {
            total -= entry.bytes;
            removed.files += 1;
            removed.bytes += entry.bytes;
        }
    }
    removed
}

/// Removes every entry.
pub fn clean(dir: &Path) -> Removed {
    prune(dir, 0)
}

/// Marks an entry used now, so that [`prune`] keeps it longest.
pub fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, bytes: usize, age_secs: u64) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, vec![0u8; bytes]).unwrap();
        let when = SystemTime::now() - std::time::Duration::from_secs(age_secs);
        std::fs::File::options()
            .append(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn prune_drops_the_least_recently_used_first_and_only_cache_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(&d.join("old.cwasm"), 400, 300);
        write(&d.join("compose/mid.entry"), 300, 200);
        write(&d.join("oci/reg/new.wasm"), 200, 100);
        write(&d.join("notes.txt"), 5000, 1000); // not witpipe's
        touch(&d.join("old.cwasm")); // used just now: kept longest
        assert_eq!(usage(d).iter().map(|e| e.bytes).sum::<u64>(), 900);
        let removed = prune(d, 500);
        assert_eq!(
            removed,
            Removed {
                files: 2,
                bytes: 500
            }
        );
        assert!(d.join("old.cwasm").exists());
        assert!(!d.join("compose/mid.entry").exists());
        assert!(!d.join("oci/reg/new.wasm").exists());
        assert_eq!(
            clean(d),
            Removed {
                files: 1,
                bytes: 400
            }
        );
        assert!(
            d.join("notes.txt").exists(),
            "a file witpipe does not name stays"
        );
    }

    #[test]
    fn sizes_take_suffixes() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("2g"), Some(2 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999G"), None);
    }
}
