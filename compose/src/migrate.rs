//! Migration from `wasm-tools compose` configuration files.
//!
//! wasm-compose is deprecated upstream; witpipe reads its YAML configuration (with the
//! `wasm-compose` crate itself, so every file it accepted is read the same way) and
//! writes the equivalent pipeline file. Composition then goes through wac-graph like
//! any other pipeline.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};
use wac_graph::types::{Package, Types};
use wasm_compose::config::Config;

/// What can go wrong while migrating.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The configuration could not be read or parsed.
    #[error("cannot read wasm-compose configuration: {0:#}")]
    Config(anyhow::Error),
    /// A component named by the configuration could not be read as a component.
    #[error("cannot read component {}: {reason}", path.display())]
    Component {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An instance that no dependency, instantiation or search path provides.
    #[error("instance `{name}` is used as an argument but is not an instantiation, a dependency or `{name}.wasm` on a search path")]
    UnknownInstance {
        /// The name.
        name: String,
    },
}

/// A migrated pipeline: the YAML text and the notes about what did not carry over.
#[derive(Debug, Clone)]
pub struct Migrated {
    /// The pipeline file's text.
    pub yaml: String,
    /// Settings of the old file that have no equivalent, one sentence each.
    pub notes: Vec<String>,
}

struct Instance {
    name: String,
    path: PathBuf,
}

/// Reads `config` (a wasm-compose YAML file) with `root` as the root component and
/// returns a pipeline file that composes the same graph. Paths in the result are
/// relative to `out_dir`, where the pipeline file will live.
pub fn from_wasm_compose(
    config: &Path,
    root: &Path,
    out_dir: &Path,
) -> Result<Migrated, MigrateError> {
    let cfg = Config::from_file(config).map_err(MigrateError::Config)?;
    let mut notes = Vec::new();
    if !cfg.definitions.is_empty() {
        notes.push("`definitions` are not carried over: list the instances to export under `exports:` instead".to_string());
    }
    if cfg.import_components {
        notes.push(
            "`import-components` is not carried over: witpipe always embeds the components".into(),
        );
    }
    if cfg.disallow_imports {
        notes.push("`disallow-imports` is not carried over: `witpipe check` lists every import left for the host".into());
    }
    if cfg.skip_validation {
        notes.push("`skip-validation` is not carried over: witpipe always validates".into());
    }
    let mut instances = vec![Instance {
        name: "root".into(),
        path: root.to_path_buf(),
    }];
    let find = |name: &str, instances: &[Instance]| -> Result<PathBuf, MigrateError> {
        if let Some(dep) = cfg.dependencies.get(name) {
            return Ok(cfg.dir.join(&dep.path));
        }
        for dir in &cfg.search_paths {
            let candidate = cfg.dir.join(dir).join(format!("{name}.wasm"));
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
        let _ = instances;
        Err(MigrateError::UnknownInstance { name: name.into() })
    };
    for (name, inst) in &cfg.instantiations {
        if name == "root" {
            continue; // arguments of the root component
        }
        let dep = inst.dependency.as_deref().unwrap_or(name);
        let path = find(dep, &instances)?;
        instances.push(Instance {
            name: name.clone(),
            path,
        });
    }
    // Instances used as arguments that are dependencies, not instantiations, are
    // instantiated implicitly by wasm-compose.
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for inst in cfg.instantiations.values() {
        used.extend(inst.arguments.values().map(|a| a.instance.as_str()));
    }
    for name in used {
        if !instances.iter().any(|i| i.name == name) {
            let path = find(name, &instances)?;
            instances.push(Instance {
                name: name.to_string(),
                path,
            });
        }
    }
    let mut links = String::new();
    // A worklist: an import named after a dependency (or a `<name>.wasm` on a search
    // path) instantiates it implicitly, as wasm-compose does.
    let mut i = 0;
    while i < instances.len() {
        let name = instances[i].name.clone();
        let explicit = cfg.instantiations.get(&name).map(|x| &x.arguments);
        for import in imports_of(&instances[i].path)? {
            if let Some(arg) = explicit.and_then(|a| a.get(&import)) {
                let _ = write!(
                    links,
                    "  - from: {}\n    to: {name}\n    import: {}\n",
                    arg.instance,
                    quote(&import)
                );
                if let Some(export) = &arg.export {
                    let _ = writeln!(links, "    export: {}", quote(export));
                }
                continue;
            }
            let known = instances.iter().any(|o| o.name == import);
            if !known {
                match find(&import, &instances) {
                    Ok(path) => instances.push(Instance {
                        name: import.clone(),
                        path,
                    }),
                    Err(_) => continue, // left for the host, as in wasm-compose
                }
            }
            if import != name {
                let _ = write!(
                    links,
                    "  - from: {import}\n    to: {name}\n    import: {}\n",
                    quote(&import)
                );
            }
        }
        i += 1;
    }
    let mut yaml = format!(
        "# Migrated by `witpipe migrate` from {}.\nversion: 1\ncomponents:\n",
        config
            .file_name()
            .map(|f| f.to_string_lossy())
            .unwrap_or_default()
    );
    for inst in &instances {
        let _ = writeln!(
            yaml,
            "  {}: {}",
            inst.name,
            quote(&relative(&inst.path, out_dir))
        );
    }
    if !links.is_empty() {
        yaml.push_str("links:\n");
        yaml.push_str(&links);
    }
    yaml.push_str("exports: root\n");
    for note in &notes {
        let _ = writeln!(yaml, "# note: {note}");
    }
    Ok(Migrated { yaml, notes })
}

/// The top-level import names of a component.
fn imports_of(path: &Path) -> Result<Vec<String>, MigrateError> {
    let fail = |reason: String| MigrateError::Component {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let mut types = Types::default();
    let package = Package::from_bytes("migrate:component", None, bytes, &mut types)
        .map_err(|e| fail(format!("{e:#}")))?;
    Ok(types[package.ty()].imports.keys().cloned().collect())
}

/// A YAML scalar, quoted when it holds characters YAML treats specially.
fn quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./@".contains(c))
    {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// `path` relative to `base` (both made absolute first), with `/` separators.
fn relative(path: &Path, base: &Path) -> String {
    let abs = |p: &Path| {
        let p = p
            .canonicalize()
            .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(p));
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<String>>()
    };
    let (p, b) = (abs(path), abs(base));
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); b.len() - common];
    parts.extend(p[common..].iter().cloned());
    parts.join("/")
}
