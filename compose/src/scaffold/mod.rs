//! `witpipe layer new`: a Rust guest crate for a layer that imports and exports one
//! interface and forwards every call, ready to edit, built with
//! `cargo build --target wasm32-wasip2`.
//!
//! The interface's WIT comes from a WIT folder or file, from a component that imports
//! or exports it, or (by default) from the WASI interfaces witpipe's own wrappers are
//! built against, at both WASI lines.

mod forward;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use wit_component::{DecodedWasm, WitPrinter};
use wit_parser::{InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeOwner, WorldItem};

/// What can stop a layer from being written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ScaffoldError {
    /// The layer's name cannot be a crate, world and file name.
    #[error("`{name}` cannot name a layer: expected lowercase words joined by `-` (`http-log`)")]
    #[diagnostic(
        code(witpipe::layer_name),
        help("use letters, digits and `-`, starting with a letter")
    )]
    BadName {
        /// The name given.
        name: String,
    },
    /// The WIT source could not be read.
    #[error("cannot read WIT from {}: {why}", path.display())]
    #[diagnostic(
        code(witpipe::layer_wit),
        help("give a WIT folder, a .wit file or a component (.wasm)")
    )]
    Source {
        /// The source.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// No interface of that name is in the source.
    #[error("no interface `{name}` in {source_name}")]
    #[diagnostic(code(witpipe::layer_interface), help("{help}"))]
    NoInterface {
        /// The name given.
        name: String,
        /// Where it was looked for.
        source_name: String,
        /// The interfaces that are there, or what to do.
        help: String,
    },
    /// The name matches several versions.
    #[error("`{name}` is in {source_name} at several versions: {}", versions.join(", "))]
    #[diagnostic(code(witpipe::layer_interface), help("name one: `--interface {name}@{}`", versions[0]))]
    Ambiguous {
        /// The name given.
        name: String,
        /// Where it was looked for.
        source_name: String,
        /// The versions found.
        versions: Vec<String>,
    },
    /// A function the forwarding code cannot pass on.
    #[error("cannot forward `{function}`: it takes or gives {what}")]
    #[diagnostic(
        code(witpipe::layer_unsupported),
        help("write this layer by hand (`witpipe layer new` forwards records, variants, enums, flags, lists, options, results, tuples, resources, streams and futures of other interfaces' types)")
    )]
    Unsupported {
        /// The WIT function.
        function: String,
        /// The kind of type.
        what: String,
    },
    /// The WIT could not be printed.
    #[error("cannot write the WIT of `{name}`: {why}")]
    #[diagnostic(code(witpipe::layer_wit))]
    Print {
        /// The interface.
        name: String,
        /// Why.
        why: String,
    },
}

/// A layer crate, as files relative to its folder.
#[derive(Debug)]
pub struct Scaffold {
    /// The interface the layer forwards, versioned (`wasi:cli/environment@0.2.12`).
    pub interface: String,
    /// Whether it is a WASI 0.3 (async) interface.
    pub is_async: bool,
    /// `(relative path, contents)`, in the order written.
    pub files: Vec<(PathBuf, String)>,
}

/// Where the interface's WIT is read from.
pub enum WitSource<'a> {
    /// A WIT folder, a `.wit` file or a component.
    Path(&'a Path),
    /// The WASI interfaces of witpipe's wrappers.
    Bundled,
}

/// The crate of a layer `name` that forwards `interface` (`ns:pkg/name`, with
/// `@version` when the source has several).
pub fn layer(
    name: &str,
    interface: &str,
    source: WitSource<'_>,
) -> Result<Scaffold, ScaffoldError> {
    if !valid_name(name) {
        return Err(ScaffoldError::BadName { name: name.into() });
    }
    let (resolve, iface, source_name) = find(interface, source)?;
    let full = resolve.id_of(iface).expect("found interfaces are named");
    let forward = forward::Forward::new(&resolve, iface).code()?;
    let is_async = resolve.interfaces[iface]
        .functions
        .values()
        .any(|f| f.kind.is_async());
    let has_flags = resolve.types.iter().any(|(_, t)| {
        t.owner == TypeOwner::Interface(iface) && matches!(t.kind, TypeDefKind::Flags(_))
    });
    let iface_path = module_path(&resolve, iface);
    let mut files = vec![
        (
            PathBuf::from("Cargo.toml"),
            cargo_toml(name, is_async, has_flags),
        ),
        (PathBuf::from("wit/world.wit"), world_wit(name, &full)),
    ];
    for pkg in packages_needed(&resolve, iface) {
        let mut printer = WitPrinter::default();
        printer
            .print(&resolve, pkg, &[])
            .map_err(|e| ScaffoldError::Print {
                name: full.clone(),
                why: e.to_string(),
            })?;
        let p = &resolve.packages[pkg].name;
        let file = match &p.version {
            Some(v) => format!("wit/deps/{}-{}@{v}.wit", p.namespace, p.name),
            None => format!("wit/deps/{}-{}.wit", p.namespace, p.name),
        };
        files.push((PathBuf::from(file), printer.output.to_string()));
    }
    let lib = format!(
        "//! `{name}`: a layer on `{full}` edges, written by `witpipe layer new` from\n\
         //! {source_name}. Every call goes on to the next component on the edge (the next\n\
         //! layer, or the capability behind the edge's policy); change the functions below\n\
         //! to log, check, rewrite or answer calls here.\n\n\
         wit_bindgen::generate!({{ path: \"wit\", world: \"{name}\", generate_all }});\n\n\
         #[allow(unused_imports)]\n\
         use exports::{iface_path} as exp;\n\
         #[allow(unused_imports)]\n\
         use {iface_path} as imp;\n\n{forward}"
    );
    files.push((PathBuf::from("src/lib.rs"), lib));
    files.push((PathBuf::from("layer-test.yaml"), test_pipeline(name, &full)));
    files.push((PathBuf::from(".gitignore"), "/target\n".into()));
    Ok(Scaffold {
        interface: full,
        is_async,
        files,
    })
}

/// Lowercase words of letters and digits joined by `-`, starting with a letter.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.split('-').all(|w| {
            w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The resolve holding `interface`, the interface, and a name for where it came from.
fn find(
    interface: &str,
    source: WitSource<'_>,
) -> Result<(Resolve, InterfaceId, String), ScaffoldError> {
    let candidates: Vec<(Resolve, String)> = match source {
        WitSource::Path(path) => vec![(read_source(path)?, path.display().to_string())],
        WitSource::Bundled => vec![(bundled(), BUNDLED.to_string())],
    };
    let source_name = candidates
        .first()
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| BUNDLED.into());
    let mut versions = BTreeSet::new();
    let mut all = BTreeSet::new();
    let mut found = None;
    for (index, (resolve, _)) in candidates.iter().enumerate() {
        for (id, _) in resolve.interfaces.iter() {
            let Some(full) = resolve.id_of(id) else {
                continue;
            };
            let bare = full.split('@').next().unwrap_or(&full).to_string();
            all.insert(full.clone());
            if full == interface || bare == interface {
                if let Some(v) = full.split_once('@').map(|(_, v)| v.to_string()) {
                    versions.insert(v);
                }
                if found.is_none() || full == interface {
                    found = Some((index, id));
                }
            }
        }
    }
    let Some((index, id)) = found else {
        let near: Vec<&String> = all
            .iter()
            .filter(|n| n.split('/').next() == interface.split('/').next())
            .take(12)
            .collect();
        let help = if near.is_empty() {
            "give `--wit` a WIT folder or a component that has it; names are `namespace:package/interface`".into()
        } else {
            format!(
                "interfaces of that package here: {}",
                near.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(ScaffoldError::NoInterface {
            name: interface.into(),
            source_name,
            help,
        });
    };
    if !interface.contains('@') && versions.len() > 1 {
        return Err(ScaffoldError::Ambiguous {
            name: interface.into(),
            source_name,
            versions: versions.into_iter().collect(),
        });
    }
    let (resolve, _) = candidates
        .into_iter()
        .nth(index)
        .expect("index from the same list");
    Ok((resolve, id, source_name))
}

/// What the bundled WIT is called in messages.
const BUNDLED: &str =
    "witpipe's WASI WIT (0.2.12 and 0.3.2, wasi:config@0.2.0-rc.1, wasi:keyvalue@0.2.0-draft)";

/// The WASI WIT witpipe carries ([`witpipe_policy::wasi_wit`]), resolved: a package
/// goes in once every package it uses is in.
fn bundled() -> Resolve {
    let mut groups: Vec<Vec<(&str, &str)>> = Vec::new();
    for (path, text) in witpipe_policy::wasi_wit::FILES {
        let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
        let single = path.starts_with("p3/");
        match groups.last_mut() {
            Some(g) if !single && g[0].0.rsplit_once('/').map_or("", |(f, _)| f) == folder => {
                g.push((path, text))
            }
            _ => groups.push(vec![(path, text)]),
        }
    }
    let mut resolve = Resolve::default();
    while !groups.is_empty() {
        let before = groups.len();
        groups.retain(|group| {
            let mut map = wit_parser::SourceMap::new();
            for (path, text) in group {
                map.push_str(path, *text);
            }
            let mut attempt = resolve.clone();
            let pushed = map.parse().ok().and_then(|g| attempt.push_group(g).ok());
            if pushed.is_some() {
                resolve = attempt;
            }
            pushed.is_none()
        });
        assert!(
            groups.len() < before,
            "the bundled WASI WIT resolves (policy/wit)"
        );
    }
    resolve
}

/// A WIT folder or file, or the WIT a component carries.
fn read_source(path: &Path) -> Result<Resolve, ScaffoldError> {
    let fail = |why: String| ScaffoldError::Source {
        path: path.into(),
        why,
    };
    if path.extension().is_some_and(|e| e == "wasm") {
        let bytes = crate::load::read_at_most(path, crate::load::MAX_COMPONENT_BYTES)
            .map_err(|e| fail(e.to_string()))?;
        return match wit_component::decode(&bytes).map_err(|e| fail(format!("{e:#}")))? {
            DecodedWasm::Component(resolve, _) | DecodedWasm::WitPackage(resolve, _) => Ok(resolve),
        };
    }
    let mut resolve = Resolve::default();
    resolve
        .push_path(path)
        .map_err(|e| fail(format!("{e:#}")))?;
    Ok(resolve)
}

/// The packages `iface` needs, its own first: every package its package's interfaces
/// and worlds refer to, transitively.
fn packages_needed(resolve: &Resolve, iface: InterfaceId) -> Vec<PackageId> {
    let first = resolve.interfaces[iface]
        .package
        .expect("named interfaces have a package");
    let mut order = vec![first];
    let mut i = 0;
    while i < order.len() {
        let pkg = &resolve.packages[order[i]];
        let mut refs: Vec<InterfaceId> = Vec::new();
        for id in pkg.interfaces.values() {
            for t in resolve.interfaces[*id].types.values() {
                if let TypeDefKind::Type(Type::Id(other)) = resolve.types[*t].kind {
                    if let TypeOwner::Interface(o) = resolve.types[other].owner {
                        refs.push(o);
                    }
                }
            }
        }
        for w in pkg.worlds.values() {
            let world = &resolve.worlds[*w];
            for item in world.imports.values().chain(world.exports.values()) {
                if let WorldItem::Interface { id, .. } = item {
                    refs.push(*id);
                }
            }
        }
        for r in refs {
            if let Some(p) = resolve.interfaces[r].package {
                if !order.contains(&p) {
                    order.push(p);
                }
            }
        }
        i += 1;
    }
    order
}

/// The Rust module path wit-bindgen gives an imported interface (`wasi::cli::environment`).
fn module_path(resolve: &Resolve, iface: InterfaceId) -> String {
    let i = &resolve.interfaces[iface];
    let pkg = &resolve.packages[i.package.expect("named interfaces have a package")].name;
    let name = i.name.as_deref().expect("named interface");
    [pkg.namespace.as_str(), pkg.name.as_str(), name]
        .map(forward::ident)
        .join("::")
}

fn cargo_toml(name: &str, is_async: bool, has_flags: bool) -> String {
    let mut features = vec!["\"macros\"", "\"realloc\""];
    if is_async {
        features.push("\"async\"");
    }
    if has_flags {
        features.push("\"bitflags\"");
    }
    format!(
        "# A witpipe layer (`witpipe layer new`). Build: cargo build --release --target wasm32-wasip2\n\
         [package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n\
         [dependencies]\nwit-bindgen = {{ version = \"0.63\", default-features = false, features = [{}] }}\n\n\
         [profile.release]\nopt-level = \"s\"\nlto = true\ncodegen-units = 1\npanic = \"abort\"\nstrip = true\n\n\
         # Its own workspace, wherever it is put.\n[workspace]\n",
        features.join(", ")
    )
}

fn world_wit(name: &str, full: &str) -> String {
    format!(
        "package witpipe-layer:{name};\n\n\
         /// A layer on `{full}` edges: it imports the interface (the next component on\n\
         /// the edge) and exports it (to the component whose edge it is).\n\
         world {name} {{\n    import {full};\n    export {full};\n}}\n"
    )
}

fn test_pipeline(name: &str, full: &str) -> String {
    let bare = full.split('@').next().unwrap_or(full);
    format!(
        "# The layer on its own, in front of the real host: the pipeline's export is the\n\
         # layer's, and its import of {bare} is served by the host within the\n\
         # grants below (add what the interface needs). Try a call with\n\
         #   witpipe call layer-test.yaml '{full}#FUNCTION(ARGS)'\n\
         # To test it against a stub instead, add a component `stub` that exports\n\
         # {bare}, link it (`links: [{{ from: stub, to: {name} }}]`) and keep\n\
         # `exports: {name}`.\n\
         # To use it, put it on an edge of your pipeline:\n\
         #   layers:\n\
         #     - import: {bare}\n\
         #       chain: [{name}]\n\
         version: 1\nname: {name}-test\ncomponents:\n  {name}:\n    path: target/wasm32-wasip2/release/{}.wasm\n    grants: {{}}\nexports: {name}\n",
        name.replace('-', "_")
    )
}

impl Scaffold {
    /// Writes the crate into `dir`, which must not exist: into a sibling folder first,
    /// renamed into place once every file is written, so a failure leaves nothing.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        if dir.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} already exists: choose another folder with --dir, or remove it",
                    dir.display()
                ),
            ));
        }
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        std::fs::create_dir(&partial)?;
        let written = self.files.iter().try_for_each(|(path, text)| {
            let file = partial.join(path);
            if let Some(folder) = file.parent() {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::write(file, text)
        });
        let result = written.and_then(|()| std::fs::rename(&partial, dir));
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&partial);
        }
        result
    }
}
