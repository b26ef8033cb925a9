//! Reading component files and registering them with the composition graph.
//!
//! One file used by several instances is read, validated and registered once.
//! Every failure names the pipeline line that referenced the file.

use crate::error::Error;
use crate::span::At;
use crate::spec::PipelineSpec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, PackageId};

/// The largest component file witpipe reads (1 GiB): bigger files are refused, not read.
pub const MAX_COMPONENT_BYTES: u64 = 1 << 30;

/// Reads `path` whole, but never more than `max` bytes, whatever it is (a device such
/// as `/dev/zero` or a pipe never ends, and a file can grow while it is read).
pub fn read_at_most(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "it holds more than {max} bytes, the most witpipe reads from such a file"
        )));
    }
    Ok(bytes)
}

/// A component file, read and registered.
#[derive(Debug, Clone)]
pub struct ComponentFile {
    /// The path as resolved against the pipeline's directory.
    pub path: PathBuf,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its package in the composition graph.
    pub package: PackageId,
    /// Where the pipeline first names it.
    pub span: crate::span::Span,
}

/// An instance from `components:`, with the file it instantiates (if that loaded).
#[derive(Debug, Clone)]
pub struct Instance {
    /// The instance name and where it is declared.
    pub name: At<String>,
    /// Index into [`Loaded::files`], or `None` when the file failed to load.
    pub file: Option<usize>,
    /// The `components:` entry it instantiates, whose grants it gets: its own, or for
    /// a layer's instance on one edge, the layer's (`None`: witpipe's plumbing).
    pub entry: Option<usize>,
}

/// Every component of a pipeline, loaded into one composition graph.
pub struct Loaded {
    /// The graph the packages are registered in.
    pub graph: CompositionGraph,
    /// Distinct component files.
    pub files: Vec<ComponentFile>,
    /// Instances in file order, then the plumbing of a command pipe.
    pub instances: Vec<Instance>,
    /// The pipeline's `pipe:` when it is a pipe of commands (see [`crate::plumbing`]).
    pub command_pipe: Option<crate::plumbing::CommandPipe>,
}

impl Loaded {
    /// The package an instance instantiates.
    pub fn package(&self, instance: usize) -> Option<PackageId> {
        self.instances[instance].file.map(|f| self.files[f].package)
    }
}

/// The prefix of a component named by OCI reference: `oci://REGISTRY/REPO:TAG` or
/// `oci://REGISTRY/REPO@sha256:DIGEST`.
pub const OCI_SCHEME: &str = "oci://";

/// Brings components named by OCI reference onto this machine. The compose crate does no
/// networking itself: the CLI passes a fetcher that pulls and caches by digest
/// (`witpipe-deploy`), a build script may pass its own.
pub trait Fetch {
    /// The local file holding the component at `reference` (without `oci://`), or why not.
    fn fetch(&self, reference: &str) -> Result<PathBuf, String>;
}

/// The fetcher of [`crate::Pipeline::open`]: refuses every OCI reference.
pub struct NoFetch;

impl Fetch for NoFetch {
    fn fetch(&self, _reference: &str) -> Result<PathBuf, String> {
        Err("this program composes local files only; the witpipe CLI pulls OCI references (a library user passes a `Fetch` to `Pipeline::open_with`)".into())
    }
}

/// How much of each component file [`load_components`] validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// What wac-types reads (types, not function bodies); the rest is left to the
    /// validation of the composed output, which contains every used file whole.
    Types,
    /// Everything, function bodies included (used to name a broken file when
    /// something fails).
    Full,
}

/// Loads every component that `spec` names; paths are relative to `base_dir`, OCI
/// references go through `fetch`. Collects one error per failing file reference rather
/// than stopping at the first.
pub fn load_components(
    spec: &PipelineSpec,
    base_dir: &Path,
    fetch: &dyn Fetch,
    validation: Validation,
) -> (Loaded, Vec<Error>) {
    let mut graph = CompositionGraph::new();
    let mut files: Vec<ComponentFile> = Vec::new();
    let mut by_path: BTreeMap<PathBuf, Option<usize>> = BTreeMap::new();
    let mut canonical: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut instances = Vec::new();
    let mut errors = Vec::new();
    for component in &spec.components {
        let reference = component.path.value.strip_prefix(OCI_SCHEME);
        let path = match reference {
            Some(_) => PathBuf::from(&component.path.value),
            None => base_dir.join(&component.path.value),
        };
        // Resolving symlinks costs a few system calls per path: once per distinct text.
        let key = match canonical.get(&component.path.value) {
            Some(key) => key.clone(),
            None => {
                let key = path.canonicalize().unwrap_or_else(|_| path.clone());
                canonical.insert(component.path.value.clone(), key.clone());
                key
            }
        };
        let file = match by_path.get(&key) {
            Some(known) => *known,
            None => {
                let local = match reference {
                    Some(r) => fetch
                        .fetch(r)
                        .map_err(|reason| Error::ComponentUnfetchable {
                            reference: component.path.value.clone(),
                            reason,
                            span: component.path.span,
                        }),
                    None => Ok(path.clone()),
                };
                let loaded = local
                    .and_then(|local| read_component(&local, &component.path))
                    .and_then(|bytes| {
                        let file = files.len();
                        register(&mut graph, file, &path, bytes, &component.path, validation)
                    });
                let index = match loaded {
                    Ok(file) => {
                        files.push(file);
                        Some(files.len() - 1)
                    }
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                };
                by_path.insert(key, index);
                index
            }
        };
        instances.push(Instance {
            name: component.name.clone(),
            file,
            entry: Some(instances.len()),
        });
    }
    (
        Loaded {
            graph,
            files,
            instances,
            command_pipe: None,
        },
        errors,
    )
}

/// The text format, as `wasm-tools compose` reads it: a `.wat` file that is not
/// already binary is assembled; anything else is returned as it is. `Err` is the
/// assembler's message, with the file's line and column.
pub(crate) fn assemble_wat(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if path.extension().is_none_or(|e| e != "wat") || bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    wat::parse_bytes(&bytes)
        .map(|b| b.into_owned())
        .map_err(|mut e| {
            e.set_path(path);
            e.to_string()
        })
}

/// Reads a file and checks that it is a binary component.
fn read_component(path: &Path, at: &At<String>) -> Result<Vec<u8>, Error> {
    let span = at.span;
    let unreadable = |reason: String| Error::ComponentUnreadable {
        path: path.to_path_buf(),
        reason,
        span,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::ComponentNotFound {
                path: path.to_path_buf(),
                span,
            })
        }
        Err(e) => return Err(unreadable(e.to_string())),
    };
    if meta.is_dir() {
        return Err(unreadable("it is a directory".into()));
    }
    // A FIFO would block the read forever; a device could be endless.
    if !meta.is_file() {
        return Err(unreadable(
            "it is not a regular file (a pipe, socket or device)".into(),
        ));
    }
    if meta.len() > MAX_COMPONENT_BYTES {
        return Err(unreadable(format!(
            "it is {} bytes, more than the {} bytes witpipe reads",
            meta.len(),
            MAX_COMPONENT_BYTES
        )));
    }
    let mut bytes =
        read_at_most(path, MAX_COMPONENT_BYTES).map_err(|e| unreadable(e.to_string()))?;
    bytes = assemble_wat(path, bytes).map_err(|reason| Error::BadWat {
        path: path.to_path_buf(),
        reason,
        span,
    })?;
    if wasmparser::Parser::is_core_wasm(&bytes) {
        return Err(Error::CoreModule {
            path: path.to_path_buf(),
            span,
        });
    }
    if !wasmparser::Parser::is_component(&bytes) {
        return Err(Error::NotWasm {
            path: path.to_path_buf(),
            span,
        });
    }
    Ok(bytes)
}

/// Reads a component's types and registers it as a package named after its index.
/// wac-types' reader validates what it reads but skips function bodies; with
/// [`Validation::Types`] the bodies are left to the output's validation (a failure
/// there is traced back to its file with [`invalid_file`]), so the success path
/// validates each byte once.
fn register(
    graph: &mut CompositionGraph,
    index: usize,
    path: &Path,
    bytes: Vec<u8>,
    at: &At<String>,
    validation: Validation,
) -> Result<ComponentFile, Error> {
    let invalid = |reason: String| Error::InvalidComponent {
        path: path.to_path_buf(),
        reason,
        span: at.span,
    };
    if validation == Validation::Full {
        validate(&bytes).map_err(invalid)?;
    }
    // Package names are internal to the composition; derive them from the file's
    // position so the same pipeline always encodes the same way.
    let name = format!("witpipe:component{index}");
    let package = Package::from_bytes(&name, None, bytes.clone(), graph.types_mut())
        // The validator's message is the more precise one.
        .map_err(|e| invalid(validate(&bytes).err().unwrap_or_else(|| format!("{e:#}"))))?;
    let package = graph
        .register_package(package)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(ComponentFile {
        path: path.to_path_buf(),
        bytes,
        package,
        span: at.span,
    })
}

/// Validates a whole component file, function bodies included, as an engine will.
pub fn validate(bytes: &[u8]) -> Result<(), String> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The first of `files` that does not validate, as a located error.
pub fn invalid_file<'a>(files: impl IntoIterator<Item = &'a ComponentFile>) -> Option<Error> {
    files.into_iter().find_map(|f| {
        validate(&f.bytes)
            .err()
            .map(|reason| Error::InvalidComponent {
                path: f.path.clone(),
                reason,
                span: f.span,
            })
    })
}

/// Registers a component built by witpipe itself (a wrapper, a settings provider, a
/// command pipe's plumbing).
pub(crate) fn register_internal(loaded: &mut Loaded, bytes: Vec<u8>) -> Result<PackageId, Error> {
    let name = format!("witpipe:internal{}", loaded.graph.packages().count());
    let package =
        Package::from_bytes(&name, None, bytes, loaded.graph.types_mut()).map_err(|e| {
            Error::Encode {
                reason: format!("{e:#}"),
            }
        })?;
    loaded
        .graph
        .register_package(package)
        .map_err(|e| Error::Encode {
            reason: e.to_string(),
        })
}
