//! The policy an output enforces, carried inside it: a custom section named
//! [`SECTION`] holding JSON with the host contract, each component's input digest,
//! host imports, wrappers and `deny:`, the chains of `layers:`, and the witpipe and
//! format versions. Written last when a pipeline composes (deterministic: nothing in
//! it depends on the machine, the time or the paths), read by `witpipe inspect
//! --policy`, and checked against the output's own imports and exports by
//! [`check_against`] (`witpipe verify`).

use crate::report::ChainLine;
use crate::Composition;
use crate::HostContract;
use serde::{Deserialize, Serialize};

/// The custom section's name.
pub const SECTION: &str = "witpipe-policy";

/// The version of the section's format this witpipe writes and reads.
pub const FORMAT: u32 = 1;

/// The largest section witpipe reads.
pub const MAX_SECTION_BYTES: usize = 16 << 20;

/// What an output enforces, as its section says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySection {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// The witpipe version that composed the output.
    pub witpipe: String,
    /// What the output asks of the host.
    pub contract: HostContract,
    /// Each instance of the output, in the pipeline's order.
    pub components: Vec<ComponentRecord>,
    /// The chains of `layers:`.
    pub layers: Vec<ChainLine>,
}

/// One instance in a [`PolicySection`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRecord {
    /// The instance's name.
    pub instance: String,
    /// The SHA-256 of the component file it instantiates (hex), if it has one.
    pub sha256: Option<String>,
    /// Its imports the host serves.
    pub host: Vec<String>,
    /// Its imports a policy wrapper answers: `(import, wrapper)`.
    pub wrapped: Vec<(String, String)>,
    /// The capability names its `deny:` lists.
    pub denied: Vec<String>,
}

/// What stops a section from being read.
#[derive(Debug, thiserror::Error)]
pub enum SectionError {
    /// The bytes are not a component witpipe can read.
    #[error("not a readable component: {0}")]
    NotAComponent(String),
    /// No section: not composed by witpipe, or stripped.
    #[error("it carries no `{SECTION}` section (composed by witpipe before it wrote one, by another tool, or stripped)")]
    Missing,
    /// More than one section.
    #[error("it carries {0} `{SECTION}` sections; witpipe writes one")]
    Several(usize),
    /// Over [`MAX_SECTION_BYTES`].
    #[error("its `{SECTION}` section is {0} bytes, over the {MAX_SECTION_BYTES} witpipe reads")]
    TooLarge(usize),
    /// Not JSON of this format.
    #[error("its `{SECTION}` section is not a policy witpipe can read: {0}")]
    Unreadable(String),
    /// Another format version.
    #[error("its `{SECTION}` section is format {0}; this witpipe reads format {FORMAT}")]
    Format(u32),
}

impl PolicySection {
    /// The section of `composition`, whose output is `composition.bytes`.
    pub fn of(composition: &Composition) -> PolicySection {
        let p = &composition.pipeline;
        // Once per file: the stages of a long pipe, and layers' instances, share one.
        let digests: Vec<String> = (p.loaded.files.iter())
            .map(|f| crate::cache::sha256_hex(&f.bytes))
            .collect();
        let mut lines: std::collections::BTreeMap<String, crate::report::PolicyLine> =
            (composition.policy_lines().into_iter())
                .map(|l| (l.instance.clone(), l))
                .collect();
        let denied = composition.denied();
        let components = (p.links.used(&p.loaded).into_iter())
            .map(|i| {
                let instance = p.instance_name(i).to_string();
                let line = lines.remove(&instance);
                ComponentRecord {
                    sha256: p.loaded.instances[i].file.map(|f| digests[f].clone()),
                    host: line.as_ref().map_or_else(Vec::new, |l| l.host.clone()),
                    wrapped: line.map_or_else(Vec::new, |l| l.wrapped),
                    denied: denied.get(i).cloned().unwrap_or_default(),
                    instance,
                }
            })
            .collect();
        PolicySection {
            format: FORMAT,
            witpipe: env!("CARGO_PKG_VERSION").to_string(),
            contract: composition.contract.clone(),
            components,
            layers: composition.chain_lines(),
        }
    }

    /// `bytes` (a component) with this section appended.
    pub fn append_to(&self, bytes: &[u8]) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("a policy section serializes");
        let mut section = Vec::new();
        leb128(&mut section, SECTION.len());
        section.extend_from_slice(SECTION.as_bytes());
        section.extend_from_slice(&json);
        let mut out = Vec::with_capacity(bytes.len() + section.len() + 6);
        out.extend_from_slice(bytes);
        out.push(0); // custom section
        leb128(&mut out, section.len());
        out.extend_from_slice(&section);
        out
    }

    /// The section `bytes` (an output) carries at its top level.
    pub fn read(bytes: &[u8]) -> Result<PolicySection, SectionError> {
        use wasmparser::Payload;
        if !wasmparser::Parser::is_component(bytes) {
            return Err(SectionError::NotAComponent(
                crate::wit::not_a_component(bytes)
                    .unwrap_or("not a component")
                    .into(),
            ));
        }
        let mut found = Vec::new();
        let mut depth = 0usize;
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| SectionError::NotAComponent(e.to_string()))? {
                Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
                Payload::End(_) => depth = depth.saturating_sub(1),
                Payload::CustomSection(s) if depth == 0 && s.name() == SECTION => {
                    found.push(s.data().to_vec())
                }
                _ => {}
            }
        }
        let data = match found.len() {
            0 => return Err(SectionError::Missing),
            1 => found.remove(0),
            n => return Err(SectionError::Several(n)),
        };
        if data.len() > MAX_SECTION_BYTES {
            return Err(SectionError::TooLarge(data.len()));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&data).map_err(|e| SectionError::Unreadable(e.to_string()))?;
        match value.get("format").and_then(|f| f.as_u64()) {
            Some(f) if f == u64::from(FORMAT) => {}
            Some(f) => return Err(SectionError::Format(u32::try_from(f).unwrap_or(u32::MAX))),
            None => return Err(SectionError::Unreadable("no `format`".into())),
        }
        serde_json::from_value(value).map_err(|e| SectionError::Unreadable(e.to_string()))
    }
}

/// Where the section and the output it is in disagree: an import the output has that
/// the section does not name (added after composing, or the section edited), one the
/// section names that the output lacks, and the same for exports. Empty when they
/// agree.
pub fn check_against(section: &PolicySection, bytes: &[u8]) -> Vec<String> {
    use std::collections::BTreeSet;
    let (imports, exports) = crate::wit::top_level_names(bytes);
    let mut problems = Vec::new();
    let mut compare = |what: &str, actual: Vec<String>, said: Vec<String>| {
        let actual: BTreeSet<String> = actual.into_iter().collect();
        let said: BTreeSet<String> = said.into_iter().collect();
        for extra in actual.difference(&said) {
            problems.push(format!(
                "the output {what} `{extra}`, which its policy section does not name"
            ));
        }
        for missing in said.difference(&actual) {
            problems.push(format!(
                "the policy section names {what} `{missing}`, which the output does not have"
            ));
        }
    };
    let said_imports = section.contract.imports.iter().map(|i| i.name.clone());
    compare("imports", imports, said_imports.collect());
    compare("exports", exports, section.contract.exports.clone());
    problems
}

/// Appends `n` as unsigned LEB128.
fn leb128(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
