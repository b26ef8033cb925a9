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
///
/// What is already at `path` decides how: nothing or a regular file is replaced (through
/// a symbolic link, the file it leads to); a character device or a pipe (`/dev/null`,
/// `/dev/stdout`, a FIFO) is written into, never replaced; anything else (a directory,
/// a block device, a socket, a link that leads nowhere) is refused.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let fail = |reason: String| Error::Write {
        path: path.to_path_buf(),
        reason,
    };
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = match std::fs::metadata(path) {
        Ok(m) if m.is_file() && is_link => std::fs::canonicalize(path)
            .map_err(|e| fail(format!("cannot follow the symbolic link: {}", e.kind())))?,
        Ok(m) if m.is_file() => path.to_path_buf(),
        Ok(m) if m.is_dir() => return Err(fail("it is a directory".into())),
        Ok(m) if writable_in_place(&m) => return write_into(path, bytes).map_err(fail),
        Ok(_) => return Err(fail(
            "it is not a regular file, a character device or a pipe (witpipe never replaces one)"
                .into(),
        )),
        Err(_) if is_link => {
            return Err(fail("it is a symbolic link to nothing".into()));
        }
        Err(_) => path.to_path_buf(),
    };
    replace(&target, bytes).map_err(fail)
}

/// A character device or a FIFO: written into, not replaced.
fn writable_in_place(m: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        m.file_type().is_char_device() || m.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        false
    }
}

/// Writes `bytes` into an existing device or pipe (no create, no truncate).
fn write_into(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| e.kind().to_string())?;
    file.write_all(bytes).map_err(|e| e.kind().to_string())
}

/// Creates or replaces the regular file `path` through a temporary file beside it.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!("the directory {} does not exist", dir.display()));
    }
    // Name the failure, not the temporary file's random path.
    let io = |e: std::io::Error| e.kind().to_string();
    let mut builder = tempfile::Builder::new();
    builder.prefix(".witpipe-").suffix(".tmp");
    // A temporary file is private (0600); the output is an ordinary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Refuses an output path that is one of `inputs` (each a path and what it is, e.g.
/// `the pipeline file`): the same file, however it is named (links, `..`).
pub fn refuse_inputs<'a>(
    out: &Path,
    inputs: impl IntoIterator<Item = (&'a Path, String)>,
) -> Result<(), Error> {
    let Ok(written) = std::fs::metadata(out) else {
        return Ok(());
    };
    for (input, what) in inputs {
        if std::fs::metadata(input).is_ok_and(|m| same_file(&m, &written)) {
            return Err(Error::OutputIsInput {
                path: out.to_path_buf(),
                input: what,
            });
        }
    }
    Ok(())
}

/// Whether two metadata describe one file.
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}
