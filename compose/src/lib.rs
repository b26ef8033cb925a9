//! witpipe's composition engine: pipeline files in, one validated component out.
//!
//! The flow, one module per step: [`spec`] (YAML → model) → [`load`] (component
//! files) → [`graph`] (links, exports, cycles) → policy (grants, from
//! `witpipe-policy`) → `compose` (wac-graph wiring and type checks) → [`emit`]
//! (atomic write). No runtime: nothing here compiles or runs wasm, so a
//! build script can depend on this crate cheaply.
//!
//! ```
//! // In a build.rs, write to `OUT_DIR` instead of the temp dir.
//! let pipeline = concat!(env!("CARGO_MANIFEST_DIR"), "/../pipelines/wordfreq/pipeline.yaml");
//! let composed = witpipe_compose::compose_file(pipeline)
//!     .map_err(|failure| failure.to_string())?; // `file:line:col: error: ...` lines
//! for warning in &composed.warnings {
//!     println!("cargo:warning={warning}");
//! }
//! assert!(composed.contract.runs()); // it exports `wasi:cli/run`
//! // What the output asks of the host: the standard streams and the arguments.
//! assert!(composed.contract.needs.environment.args);
//! let out = std::env::temp_dir().join("wordfreq-doctest.wasm");
//! witpipe_compose::emit::write_atomically(&out, &composed.bytes)?;
//! # std::fs::remove_file(&out)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod cache;
mod compose;
pub mod emit;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
mod joint;
mod layers;
pub mod load;
#[cfg(feature = "migrate")]
pub mod migrate;
mod nest;
mod output;
pub mod plumbing;
mod policy;
pub mod policy_section;
mod report;
pub mod scaffold;
pub mod span;
pub mod spec;
mod toolchains;
pub mod wit;

pub use error::{Error, Warning};
pub use report::{Failure, LinkLine, PolicyLine, Report, TrapFrame, TrapSite};
pub use span::line_col;
pub use witpipe_policy::{Capability, HostContract, HostDir, HostImport};

use graph::LinkGraph;
use load::Loaded;
use miette::Diagnostic as _;
use spec::PipelineSpec;
use std::path::{Path, PathBuf};

/// A pipeline file, parsed, with its components loaded and its links resolved.
pub struct Pipeline {
    /// The pipeline file.
    pub(crate) path: PathBuf,
    /// The directory that component and granted paths are relative to.
    pub(crate) base_dir: PathBuf,
    /// Its text (error spans index into it).
    pub(crate) source: String,
    /// The parsed model.
    pub(crate) spec: PipelineSpec,
    /// The loaded components.
    pub(crate) loaded: Loaded,
    /// The resolved links and exports.
    pub(crate) links: LinkGraph,
    /// Each used component's policy plan.
    pub(crate) policies: Vec<policy::ComponentPolicy>,
    /// Problems that do not stop composition.
    pub(crate) warnings: Vec<Warning>,
}

/// A composed pipeline: the component's bytes and what went into it.
pub struct Composition {
    /// The pipeline it came from.
    pub pipeline: Pipeline,
    /// The composed, validated component.
    pub bytes: Vec<u8>,
    /// What it asks of the host that runs it.
    pub contract: HostContract,
    /// Problems that did not stop composition.
    pub warnings: Vec<Warning>,
}

/// The largest pipeline file witpipe reads (16 MiB).
pub const MAX_PIPELINE_BYTES: u64 = 16 << 20;

impl Pipeline {
    /// Reads, parses, loads and resolves a pipeline file of local components (an
    /// `oci://` reference is an error; see [`Pipeline::open_with`]). Component files
    /// are checked as far as their types; function bodies are validated by
    /// [`Pipeline::compose`] (with the output, and a broken file is named) or here when
    /// anything else fails.
    pub fn open(path: impl AsRef<Path>) -> Result<Pipeline, Failure> {
        Self::open_with(path, &load::NoFetch)
    }

    /// [`Pipeline::open`], with `fetch` bringing components named by OCI reference.
    pub fn open_with(path: impl AsRef<Path>, fetch: &dyn load::Fetch) -> Result<Pipeline, Failure> {
        let path = path.as_ref().to_path_buf();
        let fail = |errors| Failure::new(path.clone(), String::new(), errors, Vec::new());
        // A pipeline file is small; do not read a huge (or endless) one into memory.
        let too_large = std::fs::metadata(&path)
            .ok()
            .filter(|m| m.is_file() && m.len() > MAX_PIPELINE_BYTES)
            .map(|m| m.len());
        if let Some(len) = too_large {
            return Err(fail(vec![Error::ReadPipeline {
                path: path.clone(),
                source: std::io::Error::other(format!(
                    "it is {len} bytes; a pipeline file may be at most {MAX_PIPELINE_BYTES} bytes"
                )),
            }]));
        }
        let bytes = load::read_at_most(&path, MAX_PIPELINE_BYTES).map_err(|source| {
            fail(vec![Error::ReadPipeline {
                path: path.clone(),
                source,
            }])
        })?;
        if bytes.starts_with(b"\0asm") {
            let what = match bytes.get(4..8) {
                Some([1, 0, 0, 0]) => "core module",
                _ => "component",
            };
            return Err(fail(vec![Error::NotAPipeline {
                path: path.clone(),
                what,
            }]));
        }
        let source = String::from_utf8(bytes)
            .map_err(|_| fail(vec![Error::NotUtf8 { path: path.clone() }]))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_source_with(path, source, &base, fetch)
    }

    /// Parses pipeline text as if it were the file `path`; component paths are
    /// resolved against `base_dir`.
    pub fn from_source(
        path: PathBuf,
        source: String,
        base_dir: &Path,
    ) -> Result<Pipeline, Failure> {
        Self::from_source_with(path, source, base_dir, &load::NoFetch)
    }

    /// [`Pipeline::from_source`], with `fetch` bringing components named by OCI reference.
    pub fn from_source_with(
        path: PathBuf,
        source: String,
        base_dir: &Path,
        fetch: &dyn load::Fetch,
    ) -> Result<Pipeline, Failure> {
        let spec = match spec::parse_pipeline(&source) {
            Ok(spec) => spec,
            Err(failure) => {
                let mut errors = failure.errors;
                // Every problem of every grants block in one run.
                let (more, warnings) = (failure.recovered.as_ref())
                    .map(|spec| policy::check_blocks(spec, base_dir))
                    .unwrap_or_default();
                errors.extend(more);
                errors.sort_by_key(|e| e.labels().and_then(|mut l| l.next()).map(|l| l.offset()));
                return Err(Failure::new(path, source, errors, warnings));
            }
        };
        let resolve = |validation| {
            let (mut loaded, mut errors) =
                load::load_components(&spec, base_dir, fetch, validation);
            if errors.is_empty() {
                errors.extend(joint::insert(&spec, &mut loaded).err());
            }
            let (mut links, graph_errors, mut warnings) = graph::resolve(&spec, &loaded);
            errors.extend(graph_errors);
            if errors.is_empty() {
                errors.extend(layers::apply(&spec, &mut loaded, &mut links));
            }
            let (policies, policy_errors, policy_warnings) =
                policy::apply(&spec, base_dir, &loaded, &links, errors.is_empty());
            errors.extend(policy_errors);
            warnings.extend(policy_warnings);
            warnings.extend(toolchains::warnings(&spec, &loaded, &links, &policies));
            (loaded, links, policies, errors, warnings)
        };
        let (loaded, links, policies, errors, warnings) = resolve(load::Validation::Types);
        if !errors.is_empty() {
            // Something failed. If a file is broken, go again validating every file
            // whole, so that it is reported as such, in its place, and not as what it
            // made fail (a file that fails loading makes no links, no exports).
            if load::invalid_file(&loaded.files).is_none() {
                return Err(Failure::new(path, source, errors, warnings));
            }
            let (_, _, _, errors, warnings) = resolve(load::Validation::Full);
            return Err(Failure::new(path, source, errors, warnings));
        }
        Ok(Pipeline {
            base_dir: base_dir.to_path_buf(),
            path,
            source,
            spec,
            loaded,
            links,
            policies,
            warnings,
        })
    }

    /// Wires the components together (checking every link's types) and encodes the
    /// composed component.
    pub fn compose(mut self) -> Result<Composition, Failure> {
        match output::build(&mut self.loaded, &self.links, &self.policies) {
            Ok((bytes, type_only)) => {
                let mut composition = Composition {
                    warnings: std::mem::take(&mut self.warnings),
                    contract: self.host_contract(&type_only),
                    pipeline: self,
                    bytes,
                };
                // The output carries the policy it enforces (`policy_section`).
                let section = policy_section::PolicySection::of(&composition);
                composition.bytes = section.append_to(&composition.bytes);
                Ok(composition)
            }
            Err(errors) => Err(Failure::new(self.path, self.source, errors, self.warnings)),
        }
    }

    /// The pipeline's name: its `name:`, else the file's stem.
    pub fn output_name(&self) -> String {
        match &self.spec.name {
            Some(n) => n.value.clone(),
            None => self
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "pipeline".into()),
        }
    }

    /// The default output path: `<name>.wasm` (see [`Pipeline::output_name`]) next to
    /// the file.
    pub fn default_output(&self) -> PathBuf {
        self.path
            .with_file_name(format!("{}.wasm", self.output_name()))
    }

    /// Refuses `out` as an output path when it is one of this pipeline's inputs: the
    /// pipeline file or a component file (which writing would destroy).
    pub fn refuse_as_output(&self, out: &Path) -> Result<(), Error> {
        let pipeline = std::iter::once((self.path.as_path(), "the pipeline file".to_string()));
        let components = self.loaded.files.iter().enumerate().map(|(n, f)| {
            let users: Vec<&str> = self
                .loaded
                .instances
                .iter()
                .filter(|i| i.file == Some(n))
                .map(|i| i.name.value.as_str())
                .collect();
            (
                f.path.as_path(),
                format!("the component file of `{}`", users.join("`, `")),
            )
        });
        emit::refuse_inputs(out, pipeline.chain(components))
    }

    /// The host contract of this pipeline composed, whose imports that carry only
    /// types are `type_only`.
    fn host_contract(&self, type_only: &[String]) -> HostContract {
        let components = self
            .policies
            .iter()
            .map(|g| (self.instance_name(g.instance), &g.plan));
        let exports = self.links.exports.iter().map(|e| e.name.clone()).collect();
        HostContract::new(components, type_only, exports, &self.base_dir)
    }

    /// The pipeline file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its text (error spans index into it).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The parsed model.
    pub fn spec(&self) -> &PipelineSpec {
        &self.spec
    }

    /// The resolved links, exports and imports left unlinked.
    pub fn links(&self) -> &LinkGraph {
        &self.links
    }

    /// A failure of this pipeline made of `errors` (for a front end that fails after
    /// composing, e.g. when writing the output).
    pub fn failure(&self, errors: Vec<Error>) -> Failure {
        Failure::new(self.path.clone(), self.source.clone(), errors, Vec::new())
    }

    /// Instance name by index.
    pub fn instance_name(&self, i: usize) -> &str {
        &self.loaded.instances[i].name.value
    }

    /// The `pipe:` of commands and the plumbing added for it, if the pipeline has one.
    pub fn command_pipe(&self) -> Option<&plumbing::CommandPipe> {
        self.loaded.command_pipe.as_ref()
    }
}

/// Loads and composes a pipeline file in one call (what a build script wants).
pub fn compose_file(path: impl AsRef<Path>) -> Result<Composition, Failure> {
    Pipeline::open(path)?.compose()
}
