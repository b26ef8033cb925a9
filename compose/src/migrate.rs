//! Migration from `wasm-tools compose` configuration files.
//!
//! wasm-compose is deprecated upstream; witpipe reads its YAML configuration with the
//! `wasm-compose` crate itself (so every file it accepted is read the same way),
//! resolves the composition as wasm-compose does, and writes the equivalent pipeline
//! file. Composition then goes through wac-graph like any other pipeline.
//!
//! The resolution follows wasm-compose's: starting from the root, every instance
//! import is satisfied by a definition component exporting it, by an explicit
//! argument, or by a dependency named after it (the `dependencies:` map, then
//! `NAME.wasm` or `NAME.wat` in the configuration's folder and its search paths);
//! the dependency is passed as a whole instance when its exports fit the import, else
//! through its first export that does. Imports nothing satisfies stay imports of the
//! output, which the migrated file grants (`grants: { imports: [...] }`). What
//! wasm-compose refuses, this refuses too, at the configuration line that causes it.

use crate::load::{assemble_wat, read_at_most, validate, MAX_COMPONENT_BYTES};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::{self, Write};
use std::path::{Component, Path, PathBuf};
use wac_graph::types::{ItemKind, Package, SubtypeChecker, Types};
use wasm_compose::config::Config;

/// Where a migration problem stands: a file, and a line and column in it when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (the configuration, or a component).
    pub file: PathBuf,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        Ok(())
    }
}

/// What can go wrong while migrating: where, what, and how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{at}: {message}")]
pub struct MigrateError {
    /// Where the problem is.
    pub at: Location,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// A migrated pipeline: the YAML text and the notes about what did not carry over.
#[derive(Debug, Clone)]
pub struct Migrated {
    /// The pipeline file's text.
    pub yaml: String,
    /// Settings of the old file that have no equivalent, one sentence each.
    pub notes: Vec<String>,
}

/// A component file read for the migration.
struct Comp {
    path: PathBuf,
    package: Package,
    /// Where the configuration names it (or the file itself).
    at: Location,
}

/// One argument of an instantiation: `import` of the instance is `from`'s `export`
/// (`None`: `from` as a whole).
struct Arg {
    import: String,
    from: usize,
    export: Option<String>,
}

struct Inst {
    /// The wasm-compose name.
    name: String,
    comp: usize,
    args: Vec<Arg>,
}

enum Dep {
    Instance {
        dependent: usize,
        import: String,
        instance: String,
        export: Option<String>,
    },
    Definition {
        dependent: usize,
        import: String,
        def: usize,
    },
}

struct Migrator<'a> {
    cfg: &'a Config,
    /// The configuration file and its text (`None` without a file).
    file: Option<(PathBuf, String)>,
    types: Types,
    cache: HashSet<(ItemKind, ItemKind)>,
    comps: Vec<Comp>,
    comp_by_name: HashMap<String, usize>,
    /// Definition components: the component and its instance once one is needed.
    defs: Vec<(usize, Option<usize>)>,
    insts: Vec<Inst>,
    /// Explicit arguments whose instance was found nowhere (they stay imports, as in
    /// wasm-compose): the sentence, and where the argument stands.
    unfound: Vec<(String, Location)>,
}

/// Reads `config` (a wasm-compose YAML file; `None` for none, as `wasm-tools compose`
/// allows, searching the root's folder) with `root` as the root component and returns
/// a pipeline file that composes the same graph. Paths in the result are relative to
/// `out_dir`, where the pipeline file will live.
pub fn from_wasm_compose(
    config: Option<&Path>,
    root: &Path,
    out_dir: &Path,
) -> Result<Migrated, MigrateError> {
    let (cfg, file) = match config {
        Some(path) => {
            let at = Location {
                file: path.to_path_buf(),
                position: None,
            };
            let text = read_at_most(path, 1 << 20).map_err(|e| MigrateError {
                at: at.clone(),
                message: format!("cannot read the configuration: {e}"),
                help: "pass the `config.yml` that `wasm-tools compose -c` was given".into(),
            })?;
            let cfg = Config::from_file(path).map_err(|e| MigrateError {
                at,
                message: format!("not a wasm-compose configuration: {e:#}"),
                help: "see wasm-compose's CONFIG.md for the format".into(),
            })?;
            let text = String::from_utf8_lossy(&text).into_owned();
            (cfg, Some((path.to_path_buf(), text)))
        }
        None => {
            let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
            (
                Config {
                    dir,
                    ..Default::default()
                },
                None,
            )
        }
    };
    let mut m = Migrator {
        cfg: &cfg,
        file,
        types: Types::default(),
        cache: HashSet::new(),
        comps: Vec::new(),
        comp_by_name: HashMap::new(),
        defs: Vec::new(),
        insts: Vec::new(),
        unfound: Vec::new(),
    };
    let root_at = Location {
        file: root.to_path_buf(),
        position: None,
    };
    let root_comp = m.load(root, root_at.clone())?;
    m.comp_by_name.insert("root".into(), root_comp);
    for path in &cfg.definitions {
        let at = m.locate(&["definitions"]);
        let comp = m.load(&cfg.dir.join(path), at)?;
        m.defs.push((comp, None));
    }
    m.insts.push(Inst {
        name: "root".into(),
        comp: root_comp,
        args: Vec::new(),
    });
    let mut queue = VecDeque::new();
    m.push_dependencies(0, &mut queue)?;
    while let Some(dep) = queue.pop_front() {
        if let Some(new) = m.process(dep)? {
            m.push_dependencies(new, &mut queue)?;
        }
    }
    if m.insts.len() == 1 {
        if let Some((what, at)) = m.unfound.first() {
            return Err(MigrateError {
                at: at.clone(),
                message: format!("no dependency of the root component was found, so there is nothing to compose: {what}"),
                help: "correct the instance's name, or add it under `dependencies:` or `instantiations:`".into(),
            });
        }
        let files: Vec<String> = m
            .instance_imports(root_comp)
            .iter()
            .filter(|i| !names_no_file(i))
            .map(|i| format!("`{i}.wasm`"))
            .collect();
        return Err(MigrateError {
            at: root_at,
            message:
                "no dependency of the root component was found, so there is nothing to compose"
                    .into(),
            help: if files.is_empty() {
                "name the components that implement its imports under `dependencies:` and `instantiations:`".into()
            } else {
                format!(
                    "put a component named after an import ({}) beside the configuration, or name one under `dependencies:`",
                    files.join(", ")
                )
            },
        });
    }
    m.refuse_cycles()?;
    Ok(m.write(config, out_dir))
}

/// `wasm-tools compose`'s notes on settings with no witpipe equivalent.
fn config_notes(cfg: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    if cfg.import_components {
        notes.push(
            "`import-components` is not carried over: witpipe always embeds the components".into(),
        );
    }
    if cfg.skip_validation {
        notes.push("`skip-validation` is not carried over: witpipe always validates".into());
    }
    notes
}

impl Migrator<'_> {
    /// Where the key path `keys` stands in the configuration file (the deepest key
    /// found), or the file itself.
    fn locate(&self, keys: &[&str]) -> Location {
        let Some((file, text)) = &self.file else {
            return Location {
                file: self.cfg.dir.join("(no configuration)"),
                position: None,
            };
        };
        Location {
            file: file.clone(),
            position: locate_key(text, keys),
        }
    }

    /// Reads and validates a component file.
    fn load(&mut self, path: &Path, at: Location) -> Result<usize, MigrateError> {
        let fail = |message: String, help: &str| MigrateError {
            at: at.clone(),
            message,
            help: help.into(),
        };
        let shown = path.display();
        let mut bytes = match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => read_at_most(path, MAX_COMPONENT_BYTES).map_err(|e| {
                fail(
                    format!("cannot read component {shown}: {e}"),
                    "check the file's permissions",
                )
            })?,
            Ok(_) => {
                return Err(fail(
                    format!("component {shown} is not a regular file"),
                    "point the path at a .wasm or .wat component",
                ))
            }
            Err(e) => {
                return Err(fail(
                    format!("cannot read component {shown}: {e}"),
                    "check the path; paths in the configuration are relative to its folder",
                ))
            }
        };
        bytes = assemble_wat(path, bytes).map_err(|e| {
            fail(
                format!("{shown} is not valid WebAssembly text: {e}"),
                "fix the text at the line and column shown",
            )
        })?;
        if wasmparser::Parser::is_core_wasm(&bytes) {
            return Err(fail(
                format!("{shown} is a core WebAssembly module, not a component"),
                "turn it into a component first (`wasm-tools component new`)",
            ));
        }
        if !wasmparser::Parser::is_component(&bytes) {
            return Err(fail(
                format!("{shown} is not a WebAssembly component"),
                "point the path at a .wasm or .wat component",
            ));
        }
        validate(&bytes).map_err(|e| {
            fail(
                format!("{shown} is not a valid component: {e}"),
                "rebuild it with a current toolchain",
            )
        })?;
        let name = format!("migrate:c{}", self.comps.len());
        let package = Package::from_bytes(&name, None, bytes, &mut self.types).map_err(|e| {
            let reason: Vec<String> = e
                .chain()
                .map(|c| c.to_string())
                .filter(|c| !c.contains(&name))
                .collect();
            fail(
                format!("{shown} is not a valid component: {}", reason.join(": ")),
                "rebuild it with a current toolchain",
            )
        })?;
        self.comps.push(Comp {
            path: path.to_path_buf(),
            package,
            at,
        });
        Ok(self.comps.len() - 1)
    }

    fn world(&self, comp: usize) -> &wac_graph::types::World {
        &self.types[self.comps[comp].package.ty()]
    }

    /// The names of a component's instance imports (the ones wasm-compose resolves).
    fn instance_imports(&self, comp: usize) -> Vec<String> {
        self.world(comp)
            .imports
            .iter()
            .filter(|(_, k)| matches!(k, ItemKind::Instance(_)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Finds the component wasm-compose would use for dependency `name`.
    fn find(&mut self, name: &str) -> Result<Option<usize>, MigrateError> {
        if let Some(c) = self.comp_by_name.get(name) {
            return Ok(Some(*c));
        }
        let found = if let Some(dep) = self.cfg.dependencies.get(name) {
            let at = self.locate(&["dependencies", name]);
            Some(self.load(&self.cfg.dir.join(&dep.path), at)?)
        } else if names_no_file(name) {
            None
        } else {
            let dirs: Vec<PathBuf> = std::iter::once(self.cfg.dir.clone())
                // As wasm-compose does: search paths are relative to the working
                // directory, not to the configuration.
                .chain(self.cfg.search_paths.iter().cloned())
                .collect();
            let mut found = None;
            'dirs: for dir in dirs {
                for ext in ["wasm", "wat"] {
                    let path = dir.join(format!("{name}.{ext}"));
                    if path.is_file() {
                        let at = Location {
                            file: path.clone(),
                            position: None,
                        };
                        found = Some(self.load(&path, at)?);
                        break 'dirs;
                    }
                }
            }
            found
        };
        if let Some(c) = found {
            self.comp_by_name.insert(name.to_string(), c);
        }
        Ok(found)
    }

    /// The instance named `name`, instantiating dependency `component` for it if it
    /// is new: `(index, new)`, or `None` when no component is found (an import).
    fn instantiate(
        &mut self,
        name: &str,
        component: &str,
        wanted_by: &[&str],
    ) -> Result<Option<(usize, bool)>, MigrateError> {
        if let Some(i) = self.insts.iter().position(|i| i.name == name) {
            return Ok(Some((i, false)));
        }
        match self.find(component)? {
            Some(comp) => {
                self.insts.push(Inst {
                    name: name.to_string(),
                    comp,
                    args: Vec::new(),
                });
                Ok(Some((self.insts.len() - 1, true)))
            }
            None if self.cfg.disallow_imports => Err(MigrateError {
                at: self.locate(wanted_by),
                message: format!("no dependency named `{component}` was found, and `disallow-imports` leaves nothing to import"),
                help: format!("put `{component}.wasm` beside the configuration or name it under `dependencies:`, or remove `disallow-imports: true`"),
            }),
            None => Ok(None),
        }
    }

    fn subtype(&mut self, a: ItemKind, b: ItemKind) -> Result<(), String> {
        SubtypeChecker::new(&mut self.cache)
            .is_subtype(a, &self.types, b, &self.types)
            .map_err(|e| format!("{e:#}"))
    }

    /// Queues the instance imports of instance `inst`, and checks its explicit
    /// arguments name imports it has.
    fn push_dependencies(
        &mut self,
        inst: usize,
        queue: &mut VecDeque<Dep>,
    ) -> Result<(), MigrateError> {
        let name = self.insts[inst].name.clone();
        let comp = self.insts[inst].comp;
        let explicit = self.cfg.instantiations.get(&name);
        let imports = self.instance_imports(comp);
        'imports: for import in &imports {
            for (def, (def_comp, _)) in self.defs.iter().enumerate() {
                if let Some(ItemKind::Instance(_)) = self.world(*def_comp).exports.get(import) {
                    queue.push_back(Dep::Definition {
                        dependent: inst,
                        import: import.clone(),
                        def,
                    });
                    continue 'imports;
                }
            }
            let arg = explicit.and_then(|e| e.arguments.get(import));
            queue.push_back(Dep::Instance {
                dependent: inst,
                import: import.clone(),
                instance: arg.map_or_else(|| import.clone(), |a| a.instance.clone()),
                export: arg.and_then(|a| a.export.clone()),
            });
        }
        if let Some(explicit) = explicit {
            let all = &self.world(comp).imports;
            if let Some(bad) = explicit.arguments.keys().find(|a| !all.contains_key(*a)) {
                let names: Vec<String> = all.keys().map(|k| format!("`{k}`")).collect();
                return Err(MigrateError {
                    at: self.locate(&["instantiations", &name, "arguments", bad]),
                    message: format!(
                        "component {} (instance `{name}`) has no import named `{bad}`",
                        self.comps[comp].path.display()
                    ),
                    help: format!(
                        "its imports are {}; remove the argument or correct its name",
                        if names.is_empty() {
                            "none".into()
                        } else {
                            names.join(", ")
                        }
                    ),
                });
            }
        }
        if inst == 0 && imports.is_empty() {
            return Err(MigrateError {
                at: self.comps[comp].at.clone(),
                message: "the root component imports no instances, so there is nothing to compose"
                    .into(),
                help: "pass the component that imports the others with `--root`".into(),
            });
        }
        Ok(())
    }

    /// Satisfies one import; returns a new instance whose imports are to be queued.
    fn process(&mut self, dep: Dep) -> Result<Option<usize>, MigrateError> {
        match dep {
            Dep::Definition {
                dependent,
                import,
                def,
            } => {
                let (def_comp, def_inst) = self.defs[def];
                let from = match def_inst {
                    Some(i) => i,
                    None => {
                        let stem = self.comps[def_comp]
                            .path
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        self.insts.push(Inst {
                            name: stem,
                            comp: def_comp,
                            args: Vec::new(),
                        });
                        self.defs[def].1 = Some(self.insts.len() - 1);
                        self.insts.len() - 1
                    }
                };
                let export = self.world(def_comp).exports[&import];
                let wanted = self.world(self.insts[dependent].comp).imports[&import];
                if let Err(reason) = self.subtype(export, wanted) {
                    return Err(MigrateError {
                        at: self.locate(&["definitions"]),
                        message: format!(
                            "definition component {} exports `{import}`, which does not fit import `{import}` of instance `{}`: {reason}",
                            self.comps[def_comp].path.display(),
                            self.insts[dependent].name
                        ),
                        help: "rebuild one side against the other's interface, or drop the definition".into(),
                    });
                }
                self.insts[dependent].args.push(Arg {
                    import: import.clone(),
                    from,
                    export: Some(import),
                });
                Ok(None)
            }
            Dep::Instance {
                dependent,
                import,
                instance,
                export,
            } => {
                let component = self.cfg.dependency_name(&instance).to_string();
                let dependent_name = self.insts[dependent].name.clone();
                let arg_keys = ["instantiations", &dependent_name, "arguments", &import];
                let explicit = self
                    .cfg
                    .instantiations
                    .get(&dependent_name)
                    .is_some_and(|i| i.arguments.contains_key(&import));
                let wanted_by: &[&str] = if explicit {
                    &arg_keys
                } else {
                    &["disallow-imports"]
                };
                let Some((from, new)) = self.instantiate(&instance, &component, wanted_by)? else {
                    if explicit {
                        self.unfound.push((
                            format!("argument `{import}` of `{dependent_name}` names `{instance}`, which is no instantiation, dependency, or `{component}.wasm`/`.wat` file"),
                            self.locate(&arg_keys),
                        ));
                    }
                    if let Some(export) = export {
                        return Err(MigrateError {
                            at: self.locate(&arg_keys),
                            message: format!("`export: {export}` names an export of `{instance}`, but no component named `{component}` was found, so it stays an import"),
                            help: format!("put `{component}.wasm` beside the configuration or name it under `dependencies:`, or remove `export:`"),
                        });
                    }
                    return Ok(None);
                };
                let export = self.connect(dependent, &import, from, export, explicit)?;
                self.insts[dependent].args.push(Arg {
                    import,
                    from,
                    export,
                });
                Ok(new.then_some(from))
            }
        }
    }

    /// How `from` satisfies `import` of `dependent`: as a whole (`None`) or through
    /// an export, as wasm-compose matches them.
    fn connect(
        &mut self,
        dependent: usize,
        import: &str,
        from: usize,
        export: Option<String>,
        explicit: bool,
    ) -> Result<Option<String>, MigrateError> {
        let dependent_name = self.insts[dependent].name.clone();
        let (dep_comp, from_comp) = (self.insts[dependent].comp, self.insts[from].comp);
        let wanted = self.world(dep_comp).imports[import];
        let at = if explicit {
            self.locate(&["instantiations", &dependent_name, "arguments", import])
        } else {
            self.comps[from_comp].at.clone()
        };
        let from_path = self.comps[from_comp].path.display().to_string();
        let dep_path = self.comps[dep_comp].path.display().to_string();
        if let Some(export) = export {
            let kind = self.world(from_comp).exports.get(&export).copied();
            let Some(kind @ ItemKind::Instance(_)) = kind else {
                return Err(MigrateError {
                    at,
                    message: format!(
                        "component {from_path} does not export an instance named `{export}`"
                    ),
                    help: format!(
                        "its exports are {}",
                        list(self.world(from_comp).exports.keys())
                    ),
                });
            };
            return match self.subtype(kind, wanted) {
                Ok(()) => Ok(Some(export)),
                Err(reason) => Err(MigrateError {
                    at,
                    message: format!("component {from_path} exports an instance named `{export}`, but it does not fit import `{import}` of component {dep_path}: {reason}"),
                    help: "name another export, or rebuild one side against the other's interface".into(),
                }),
            };
        }
        let whole = ItemKind::Instance(self.comps[from_comp].package.instance_type());
        let whole_reason = match self.subtype(whole, wanted) {
            Ok(()) => return Ok(None),
            Err(reason) => reason,
        };
        let exports: Vec<(String, ItemKind)> = self
            .world(from_comp)
            .exports
            .iter()
            .map(|(n, k)| (n.clone(), *k))
            .collect();
        for (name, kind) in exports {
            if matches!(kind, ItemKind::Instance(_)) && self.subtype(kind, wanted).is_ok() {
                return Ok(Some(name));
            }
        }
        Err(MigrateError {
            at,
            message: format!("component {from_path} does not fit import `{import}` of component {dep_path}, as a whole or through any export: {whole_reason}"),
            help: "link a component that implements the import, or rebuild one against the other's interface".into(),
        })
    }

    /// Refuses instances whose arguments form a cycle (wasm-compose refuses them too).
    fn refuse_cycles(&self) -> Result<(), MigrateError> {
        // 0: unvisited, 1: on the path, 2: done.
        fn visit(
            m: &Migrator,
            i: usize,
            state: &mut [u8],
            path: &mut Vec<usize>,
        ) -> Option<Vec<usize>> {
            state[i] = 1;
            path.push(i);
            for arg in &m.insts[i].args {
                match state[arg.from] {
                    1 => {
                        let start = path.iter().position(|p| *p == arg.from).unwrap_or(0);
                        let mut cycle = path[start..].to_vec();
                        cycle.push(arg.from);
                        return Some(cycle);
                    }
                    0 => {
                        if let Some(c) = visit(m, arg.from, state, path) {
                            return Some(c);
                        }
                    }
                    _ => {}
                }
            }
            path.pop();
            state[i] = 2;
            None
        }
        let mut state = vec![0u8; self.insts.len()];
        for i in 0..self.insts.len() {
            if state[i] == 0 {
                if let Some(cycle) = visit(self, i, &mut state, &mut Vec::new()) {
                    let names: Vec<String> = cycle
                        .iter()
                        .map(|c| format!("`{}`", self.insts[*c].name))
                        .collect();
                    return Err(MigrateError {
                        at: self.locate(&["instantiations", &self.insts[cycle[0]].name]),
                        message: format!(
                            "instances {} import each other in a cycle, which no composition can instantiate",
                            names.join(" ← ")
                        ),
                        help: "break the cycle: give one of them another instance as that argument".into(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The pipeline file.
    fn write(&self, config: Option<&Path>, out_dir: &Path) -> Migrated {
        let mut notes = config_notes(self.cfg);
        for (what, at) in &self.unfound {
            notes.push(format!("{at}: {what}: it stays an import of the output"));
        }
        let names = pipeline_names(&self.insts);
        for (inst, name) in self.insts.iter().zip(&names) {
            if inst.name != *name {
                notes.push(format!(
                    "instance `{}` is `{name}` in the pipeline (instance names are letters, digits, `-` and `_`)",
                    inst.name
                ));
            }
        }
        let from = config
            .and_then(|c| c.file_name())
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "no configuration".into());
        let mut yaml =
            format!("# Migrated by `witpipe migrate` from {from}.\nversion: 1\ncomponents:\n");
        let mut links = String::new();
        for (i, inst) in self.insts.iter().enumerate() {
            let path = quote(&relative(&self.comps[inst.comp].path, out_dir));
            let world = self.world(inst.comp);
            let linked: BTreeSet<&str> = inst.args.iter().map(|a| a.import.as_str()).collect();
            let (mut host, mut wasi) = (Vec::new(), Vec::new());
            for import in world
                .imports
                .keys()
                .filter(|k| !linked.contains(k.as_str()))
            {
                if import.starts_with("wasi:") {
                    wasi.push(import.clone());
                } else {
                    host.push(quote(import));
                }
            }
            if host.is_empty() {
                let _ = writeln!(yaml, "  {}: {path}", names[i]);
            } else {
                let _ = writeln!(
                    yaml,
                    "  {}:\n    path: {path}\n    # left for the host, as wasm-compose left them\n    grants: {{ imports: [{}] }}",
                    names[i],
                    host.join(", ")
                );
            }
            if !wasi.is_empty() {
                notes.push(format!(
                    "`{}` imports {}: witpipe grants no WASI capability unless the pipeline says so; add what it needs under its `grants:` (docs/policy.md)",
                    names[i],
                    wasi.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            for arg in &inst.args {
                let _ = write!(
                    links,
                    "  - from: {}\n    to: {}\n    import: {}\n",
                    names[arg.from],
                    names[i],
                    quote(&arg.import)
                );
                match &arg.export {
                    None => links.push_str("    export: \"*\"   # the whole instance\n"),
                    Some(e) if *e != arg.import => {
                        let _ = writeln!(links, "    export: {}", quote(e));
                    }
                    Some(_) => {}
                }
            }
        }
        if !links.is_empty() {
            yaml.push_str("links:\n");
            yaml.push_str(&links);
        }
        if self.world(self.insts[0].comp).exports.is_empty() {
            yaml.push_str("# The root exports nothing, so neither does the output (as with wasm-compose).\nexports: []\n");
        } else {
            yaml.push_str("exports: root\n");
        }
        for note in &notes {
            let _ = writeln!(yaml, "# note: {note}");
        }
        Migrated { yaml, notes }
    }
}

/// Whether a dependency name cannot name a file: interface and dependency names
/// (wasm-compose would look for them on disk; they hold `/`, `:` or `<`).
fn names_no_file(name: &str) -> bool {
    name.contains(['/', ':', '\\', '<']) || name.starts_with('.')
}

/// Pipeline instance names for wasm-compose's: kept where valid, else made valid and
/// unique.
fn pipeline_names(insts: &[Inst]) -> Vec<String> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for inst in insts {
        let mut name: String = inst
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            name = format!("i-{name}");
        }
        let base = name.clone();
        let mut k = 2;
        while taken.contains(&name) {
            name = format!("{base}-{k}");
            k += 1;
        }
        taken.insert(name.clone());
        out.push(name);
    }
    out
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// The line and column of the key path `keys` in a YAML text: each key looked for
/// after the previous one, deeper indented; the deepest one found.
fn locate_key(text: &str, keys: &[&str]) -> Option<(usize, usize)> {
    let mut found = None;
    let mut depth: Option<usize> = None;
    let mut k = 0;
    for (n, line) in text.lines().enumerate() {
        if k == keys.len() {
            break;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(d) = depth {
            if indent <= d {
                // Left the block of the previous key without finding the next one.
                break;
            }
        }
        if key_of(trimmed).as_deref() == Some(keys[k]) {
            found = Some((n + 1, indent + 1));
            depth = Some(indent);
            k += 1;
        }
    }
    found
}

/// The key of a `key: value` line, unquoted.
fn key_of(line: &str) -> Option<String> {
    for q in ['\'', '"'] {
        if let Some(rest) = line.strip_prefix(q) {
            let end = rest.find(q)?;
            return Some(rest[..end].to_string());
        }
    }
    if let Some(i) = line.find(": ") {
        return Some(line[..i].to_string());
    }
    line.strip_suffix(':').map(str::to_string)
}

/// A YAML scalar, quoted when it holds characters YAML treats specially.
fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@".contains(c))
    {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::{key_of, locate_key, quote};

    #[test]
    fn keys_are_found_by_path() {
        let text = "dependencies:\n  a: a.wat\ninstantiations:\n  root:\n    arguments:\n      a:\n        instance: a\n      'x=<y:z@1.0.0>': b\n";
        assert_eq!(locate_key(text, &["dependencies", "a"]), Some((2, 3)));
        assert_eq!(
            locate_key(text, &["instantiations", "root", "arguments", "a"]),
            Some((6, 7))
        );
        assert_eq!(
            locate_key(
                text,
                &["instantiations", "root", "arguments", "x=<y:z@1.0.0>"]
            ),
            Some((8, 7))
        );
        // Not under its parent: the parent is the deepest found.
        assert_eq!(locate_key(text, &["dependencies", "root"]), Some((1, 1)));
        assert_eq!(
            key_of("example:service/logging@0.1.0:"),
            Some("example:service/logging@0.1.0".into())
        );
    }

    #[test]
    fn scalars_that_yaml_would_misread_are_quoted() {
        assert_eq!(quote("a"), "a");
        assert_eq!(quote("*"), "\"*\"");
        assert_eq!(quote("x: y\n"), "\"x: y\\n\"");
        assert_eq!(quote(""), "\"\"");
    }
}
