//! A composition kept between runs, so that `witpipe run` (and `serve`, `call`,
//! `compile`) of an unchanged pipeline does not compose it again.
//!
//! An entry is used only when everything that went into it is unchanged: the composing
//! program ([`CompositionCache::new`]'s `tool`), the working directory and the path as
//! given (relative paths in the output's host contract depend on both), the pipeline
//! file's bytes, the bytes of every component file it names (read and hashed again on
//! every lookup; a symlink pointed elsewhere counts as a change) and the existence of
//! every directory it grants. Pipelines that gave warnings or that name a component by
//! OCI *tag* (which can move) are not kept; a digest names its bytes.

use crate::load::OCI_SCHEME;
use crate::{Composition, Report};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A composed pipeline as the cache returns it.
#[derive(Debug, Clone)]
pub struct Cached {
    /// The composed component.
    pub bytes: Vec<u8>,
    /// Its host contract and what went into it.
    pub report: Report,
    /// The pipeline's name ([`crate::Pipeline::output_name`]).
    pub name: String,
}

/// Compositions under `<dir>/compose/`, one entry per pipeline path: composing a
/// changed pipeline again replaces its entry, so the folder does not grow with edits.
pub struct CompositionCache {
    dir: PathBuf,
    tool: String,
}

/// What an entry records besides the component's bytes.
#[derive(Serialize, Deserialize)]
struct Header {
    tool: String,
    pipeline_sha256: String,
    /// Component files as resolved (relative to the working directory), with the
    /// length and SHA-256 of what they held.
    files: Vec<(PathBuf, u64, String)>,
    /// Granted host directories that must still exist.
    dirs: Vec<PathBuf>,
    name: String,
    report: Report,
    output_sha256: String,
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

impl CompositionCache {
    /// A cache under `dir` for compositions made by `tool`: a string that changes
    /// whenever the composing code may have (the CLI uses its version and its
    /// executable's size and modification time).
    pub fn new(dir: &Path, tool: impl Into<String>) -> CompositionCache {
        CompositionCache {
            dir: dir.join("compose"),
            tool: tool.into(),
        }
    }

    /// The entry file for the pipeline at `path` (as given) from the current directory.
    /// The tool is checked inside the entry, not named by it, so a rebuilt witpipe
    /// replaces its predecessor's entries instead of adding its own.
    fn entry(&self, path: &Path) -> Option<PathBuf> {
        let cwd = std::env::current_dir().ok()?;
        let key = format!("{}\0{}", cwd.display(), path.display());
        Some(
            self.dir
                .join(format!("{}.entry", &sha256_hex(key.as_bytes())[..32])),
        )
    }

    /// The composition of the pipeline at `path`, if one was kept and nothing that went
    /// into it has changed. Any doubt (an unreadable, stale or damaged entry) is a miss.
    pub fn get(&self, path: &Path) -> Option<Cached> {
        let entry = self.entry(path)?;
        let stored = std::fs::read(&entry).ok()?;
        let split = stored.iter().position(|&b| b == b'\n')?;
        let header: Header = serde_json::from_slice(&stored[..split]).ok()?;
        let bytes = &stored[split + 1..];
        let fresh = header.tool == self.tool
            && file_sha256(path, crate::MAX_PIPELINE_BYTES)? == header.pipeline_sha256
            && header
                .files
                .iter()
                .all(|(file, len, sha)| file_sha256(file, *len).as_ref() == Some(sha))
            && header.dirs.iter().all(|d| d.is_dir())
            && sha256_hex(bytes) == header.output_sha256;
        if fresh {
            super::housekeeping::touch(&entry);
        }
        fresh.then(|| Cached {
            bytes: bytes.to_vec(),
            report: header.report,
            name: header.name,
        })
    }

    /// Keeps `composition` for the next [`get`](Self::get) of the same path. Returns
    /// whether it was kept: not when it gave warnings (they would not be shown again)
    /// or names a component by OCI tag. Failing to write only costs the next start.
    pub fn put(&self, composition: &Composition) -> bool {
        let p = &composition.pipeline;
        let mutable_reference = p.spec.components.iter().any(|c| {
            c.path
                .value
                .strip_prefix(OCI_SCHEME)
                .is_some_and(|r| !r.contains("@sha256:"))
        });
        if !composition.warnings.is_empty() || mutable_reference {
            return false;
        }
        let mut files: Vec<(PathBuf, u64, String)> = Vec::new();
        let mut hashes: Vec<Option<String>> = vec![None; p.loaded.files.len()];
        for (component, instance) in p.spec.components.iter().zip(&p.loaded.instances) {
            let (Some(f), false) = (instance.file, component.path.value.starts_with(OCI_SCHEME))
            else {
                continue;
            };
            let path = p.base_dir.join(&component.path.value);
            if files.iter().any(|(known, _, _)| *known == path) {
                continue;
            }
            let bytes = &p.loaded.files[f].bytes;
            let sha = hashes[f].get_or_insert_with(|| sha256_hex(bytes)).clone();
            files.push((path, bytes.len() as u64, sha));
        }
        let grants = p
            .spec
            .defaults
            .iter()
            .chain(p.spec.components.iter().filter_map(|c| c.grants.as_deref()));
        let dirs = grants
            .flat_map(|g| g.value.fs.fs.iter().flat_map(|f| f.value.iter()))
            .map(|mount| p.base_dir.join(&mount.value.host))
            .collect();
        let header = Header {
            tool: self.tool.clone(),
            pipeline_sha256: sha256_hex(p.source.as_bytes()),
            files,
            dirs,
            name: p.output_name(),
            report: composition.report(),
            output_sha256: sha256_hex(&composition.bytes),
        };
        let (Some(entry), Ok(mut stored)) = (self.entry(&p.path), serde_json::to_vec(&header))
        else {
            return false;
        };
        stored.push(b'\n');
        stored.extend_from_slice(&composition.bytes);
        std::fs::create_dir_all(&self.dir).is_ok()
            && crate::emit::write_atomically(&entry, &stored).is_ok()
    }
}

/// The hex SHA-256 of a file no longer than `limit`, or `None` if it cannot be read.
fn file_sha256(path: &Path, limit: u64) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    std::fs::read(path).ok().map(|bytes| sha256_hex(&bytes))
}
