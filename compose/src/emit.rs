//! Writing the composed component: through a temporary file, renamed into place.

use crate::error::Error;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory, renamed into
/// place, so a reader or a killed witpipe never leaves a partial file at `path`.
///
/// There is no `fsync`: like compilers and linkers, witpipe leaves durability across a
/// power loss to the file system (it cost 0.5–10 ms per output here, more than the rest
/// of a small compose); rerun the build after one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let fail = |reason: String| Error::Write {
        path: path.to_path_buf(),
        reason,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(fail(format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    // Name the failure, not the temporary file's random path.
    let fail_io = |e: std::io::Error| fail(e.kind().to_string());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".witpipe-").suffix(".tmp");
    // A temporary file is private (0600); the output is an ordinary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(dir).map_err(fail_io)?;
    tmp.write_all(bytes).map_err(fail_io)?;
    tmp.persist(path).map_err(|e| fail_io(e.error))?;
    Ok(())
}
