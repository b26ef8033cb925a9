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
    #[diagnostic(code(witpipe::layer_interface), help("{help}"))]
    Ambiguous {
        /// The name given.
        name: String,
        /// Where it was looked for.
        source_name: String,
        /// The versions found.
        versions: Vec<String>,
        /// How to name one.
        help: String,
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
    /// The interfaces the layer forwards, versioned (`wasi:cli/environment@0.2.12`).
    pub interfaces: Vec<String>,
    /// The edge it goes on: its interface, or its package's `ns:pkg/*`.
    pub edge: String,
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

/// The crate of a layer `name` that forwards `interfaces` (each `ns:pkg/name`, with
/// `@version` when the source has several; `ns:pkg/*` for all of a package's).
pub fn layer(
    name: &str,
    interfaces: &[String],
    source: WitSource<'_>,
) -> Result<Scaffold, ScaffoldError> {
    if !valid_name(name) {
        return Err(ScaffoldError::BadName { name: name.into() });
    }
    let (resolve, source_name) = load(source)?;
    let mut ifaces = Vec::new();
    for interface in interfaces {
        for id in find(&resolve, interface, &source_name)? {
            if !ifaces.contains(&id) {
                ifaces.push(id);
            }
        }
    }
    let full: Vec<String> = ifaces
        .iter()
        .map(|i| resolve.id_of(*i).expect("found interfaces are named"))
        .collect();
    let forward = forward::Forward::new(&resolve, ifaces.clone());
    let uses = forward.uses(|i| module_path(&resolve, i));
    let code = forward.code()?;
    let mine = |owner: TypeOwner| matches!(owner, TypeOwner::Interface(i) if ifaces.contains(&i));
    let is_async = ifaces
        .iter()
        .flat_map(|i| resolve.interfaces[*i].functions.values())
        .any(|f| f.kind.is_async());
    let has_flags = (resolve.types.iter())
        .any(|(_, t)| mine(t.owner) && matches!(t.kind, TypeDefKind::Flags(_)));
    let mut files = vec![
        (
            PathBuf::from("Cargo.toml"),
            cargo_toml(name, is_async, has_flags),
        ),
        (PathBuf::from("wit/world.wit"), world_wit(name, &full)),
    ];
    for pkg in packages_needed(&resolve, &ifaces) {
        let mut printer = WitPrinter::default();
        printer
            .print(&resolve, pkg, &[])
            .map_err(|e| ScaffoldError::Print {
                name: full.join(", "),
                why: e.to_string(),
            })?;
        let p = &resolve.packages[pkg].name;
        let file = match &p.version {
            Some(v) => format!("wit/deps/{}-{}@{v}.wit", p.namespace, p.name),
            None => format!("wit/deps/{}-{}.wit", p.namespace, p.name),
        };
        files.push((PathBuf::from(file), printer.output.to_string()));
    }
    let edges: String = full.iter().map(|f| format!("//! - `{f}`\n")).collect();
    let lib = format!(
        "//! `{name}`: a layer written by `witpipe layer new` (the WIT from\n\
         //! {source_name}), for edges of\n\
         {edges}\
         //!\n\
         //! Every call goes on to the next component on the edge (the next layer, or the\n\
         //! capability behind the edge's policy); change the functions below to log, check,\n\
         //! rewrite or answer calls here.\n\n\
         wit_bindgen::generate!({{ path: \"wit\", world: \"{name}\", generate_all }});\n\n\
         {uses}\n{code}"
    );
    files.push((PathBuf::from("src/lib.rs"), lib));
    files.push((PathBuf::from("layer-test.yaml"), test_pipeline(name, &full)));
    files.push((PathBuf::from(".gitignore"), "/target\n".into()));
    Ok(Scaffold {
        edge: edge(&full),
        interfaces: full,
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

/// The WIT of `source`, and a name for it in messages.
fn load(source: WitSource<'_>) -> Result<(Resolve, String), ScaffoldError> {
    Ok(match source {
        WitSource::Path(path) => (read_source(path)?, path.display().to_string()),
        WitSource::Bundled => (bundled(), BUNDLED.to_string()),
    })
}

/// The interfaces `interface` names in `resolve`: one (`ns:pkg/name`, with or without
/// its version), or all of a package's (`ns:pkg/*`).
fn find(
    resolve: &Resolve,
    interface: &str,
    source_name: &str,
) -> Result<Vec<InterfaceId>, ScaffoldError> {
    let whole = interface.strip_suffix("/*");
    let mut all = BTreeSet::new();
    let mut found: Vec<(InterfaceId, String)> = Vec::new();
    for (id, _) in resolve.interfaces.iter() {
        let Some(full) = resolve.id_of(id) else {
            continue;
        };
        let (bare, version) = full.split_once('@').unwrap_or((&full, ""));
        let package = bare.split('/').next().unwrap_or(bare);
        all.insert(full.clone());
        let matches = match whole {
            Some(p) => package == p,
            None => full == interface || bare == interface,
        };
        if matches {
            found.push((id, version.to_string()));
        }
    }
    if found.is_empty() {
        let near: Vec<&str> = (all.iter())
            .filter(|n| n.split('/').next() == interface.split('/').next())
            .take(12)
            .map(String::as_str)
            .collect();
        let help = if near.is_empty() {
            "give `--wit` a WIT folder or a component that has it; names are `namespace:package/interface`".into()
        } else {
            format!("interfaces of that package here: {}", near.join(", "))
        };
        return Err(ScaffoldError::NoInterface {
            name: interface.into(),
            source_name: source_name.into(),
            help,
        });
    }
    let versions: BTreeSet<String> = found.iter().map(|(_, v)| v.clone()).collect();
    // A name with its version matches one interface only.
    if versions.len() > 1 {
        let first = versions.iter().next().cloned().unwrap_or_default();
        let help = match whole {
            Some(_) => "name each interface with its version: `--interface ns:pkg/a@VERSION --interface ns:pkg/b@VERSION`".into(),
            None => format!("name one: `--interface {interface}@{first}`"),
        };
        return Err(ScaffoldError::Ambiguous {
            name: interface.into(),
            source_name: source_name.into(),
            versions: versions.into_iter().collect(),
            help,
        });
    }
    Ok(found.into_iter().map(|(id, _)| id).collect())
}

/// What the bundled WIT is called in messages.
const BUNDLED: &str = "witpipe's WASI WIT (0.2.12, 0.3.2, and the proposals it wraps)";

/// The WASI WIT witpipe carries ([`witpipe_policy::wasi_wit`]), resolved: a package
/// goes in once every package it uses is in.
fn bundled() -> Resolve {
    let folder = |path: &str| path.rsplit_once('/').map_or("", |(f, _)| f).to_string();
    let mut groups: Vec<Vec<(&str, &str)>> = Vec::new();
    for (path, text) in witpipe_policy::wasi_wit::FILES {
        // A 0.2 package is a folder of files; a 0.3 package is one file.
        let single = path.starts_with("p3/");
        match groups.last_mut() {
            Some(g) if !single && folder(g[0].0) == folder(path) => g.push((path, text)),
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

/// The packages `ifaces` need, theirs first: every package their packages' interfaces
/// and worlds refer to, transitively.
fn packages_needed(resolve: &Resolve, ifaces: &[InterfaceId]) -> Vec<PackageId> {
    let mut order: Vec<PackageId> = Vec::new();
    for i in ifaces {
        let p = resolve.interfaces[*i]
            .package
            .expect("named interfaces have a package");
        if !order.contains(&p) {
            order.push(p);
        }
    }
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

fn world_wit(name: &str, full: &[String]) -> String {
    let imports: String = full.iter().map(|f| format!("    import {f};\n")).collect();
    let exports: String = full.iter().map(|f| format!("    export {f};\n")).collect();
    format!(
        "package witpipe-layer:{name};\n\n\
         /// A layer: it imports its interfaces (the next component on the edge) and\n\
         /// exports them (to the component whose edge it is).\n\
         world {name} {{\n{imports}{exports}}}\n"
    )
}

/// The edge a layer of `full` goes on: the interface, or the package's `ns:pkg/*`.
fn edge(full: &[String]) -> String {
    let bare = |f: &String| f.split('@').next().unwrap_or(f).to_string();
    match full {
        [one] => bare(one),
        _ => format!("{}/*", bare(&full[0]).split('/').next().unwrap_or("")),
    }
}

fn test_pipeline(name: &str, full: &[String]) -> String {
    let edge = edge(full);
    let call = &full[0];
    format!(
        "# The layer on its own, in front of the real host: the pipeline's export is the\n\
         # layer's, and its imports are served by the host within the grants below (add\n\
         # what the interface needs). Try a call with\n\
         #   witpipe call layer-test.yaml '{call}#FUNCTION(ARGS)'\n\
         # To test it against a stub instead, add a component `stub` that exports the\n\
         # same, link it (`links: [{{ from: stub, to: {name} }}]`) and keep\n\
         # `exports: {name}`.\n\
         # To use it, put it on an edge of your pipeline:\n\
         #   layers:\n\
         #     - import: {edge}\n\
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
