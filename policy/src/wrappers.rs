//! The wrapper components and the per-instance settings component.

use std::borrow::Cow;
use wasm_encoder::reencode::{ReencodeComponent, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, Component, ComponentExportSection, ComponentExternName, ComponentImportSection,
    ConstExpr, DataSection, ExportKind, ExportSection, Function, FunctionSection, Instruction,
    MemorySection, MemoryType, Module, RawSection, TypeSection, ValType,
};
use wasmparser::Parser;

/// The interface through which a wrapper instance reads its settings.
pub const SETTINGS_INTERFACE: &str = "witpipe:policy/settings@0.1.0";

/// The WASI release each line's wrappers are built against, oldest line first. An
/// import of a release of one of these lines (`0.2.x`; `0.3.0` to `0.3.2`) gets
/// wrappers retargeted to its version; any other is refused, naming these.
pub const WASI_SERVED: [&str; 2] = ["0.2.12", "0.3.2"];

/// The release in [`WASI_SERVED`] whose wrappers serve an import of WASI `version`:
/// any `0.2.x` (minor releases of 0.2 only add to what the 0.2.12 wrappers export
/// under `@since` gates they do not use), a `0.3.x` no newer than 0.3.2 (a later one
/// may add functions the wrappers lack). 0.3 release candidates are not served.
pub fn served_by(version: &str) -> Option<&'static str> {
    let v = semver::Version::parse(version).ok()?;
    // 0.2 release candidates were served before 0.3 existed; 0.3's are not.
    if v.major != 0 || (!v.pre.is_empty() && v.minor != 2) {
        return None;
    }
    WASI_SERVED.into_iter().find(|built| {
        let b = semver::Version::parse(built).expect("a release");
        b.minor == v.minor && (v.minor == 2 || v.patch <= b.patch)
    })
}

/// The WASI lines wrappers are built for, in the order of [`WASI_SERVED`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Line {
    /// WASI 0.2.
    P2,
    /// WASI 0.3.
    P3,
}

impl Line {
    /// Both lines, oldest first.
    pub const ALL: [Line; 2] = [Line::P2, Line::P3];

    /// The release this line's wrappers are built for.
    pub fn built_for(self) -> &'static str {
        WASI_SERVED[self as usize]
    }

    /// The line whose wrappers are built for `built_for` (one of [`WASI_SERVED`]).
    pub fn of(built_for: &str) -> Option<Line> {
        Line::ALL.into_iter().find(|l| l.built_for() == built_for)
    }
}

/// A wrapper role: one job (deny the filesystem, filter the environment…), owned by
/// the capability family that routes imports to it, with its component built for each
/// WASI line (or, for a proposal outside the WASI lines, for that proposal's version).
/// Declared with [`wasi_role!`](crate::wasi_role) or
/// [`proposal_role!`](crate::proposal_role).
#[derive(Debug)]
pub struct Role {
    /// Its name at each line (`fs-guard`, `fs-guard-p3`), for reports.
    pub names: [&'static str; 2],
    /// Whether it reads settings (from a settings component composed in with it).
    pub reads_settings: bool,
    /// For a proposal outside the WASI lines (`wasi:config`, `wasi:keyvalue`): the
    /// version it is built for; it is retargeted to the version of that package the
    /// component imports, whatever its WASI line.
    pub package: Option<&'static str>,
    /// Its component at each line, as built (`None`: not built for that line).
    pub builds: [Option<&'static [u8]>; 2],
}

/// The bytes of the built wrapper `wrappers/components/NAME SUFFIX`.
#[macro_export]
#[doc(hidden)]
macro_rules! wrapper_file {
    ($name:literal, $suffix:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/wrappers/components/",
            $name,
            $suffix
        ))
    };
}

/// Declares a [`Role`] built for both WASI lines from `wrappers/components/NAME.wasm`
/// and `NAME-p3.wasm`: `wasi_role!("fs-guard", settings: true)`.
#[macro_export]
#[doc(hidden)]
macro_rules! wasi_role {
    ($name:literal, settings: $settings:expr) => {
        $crate::wrappers::Role {
            names: [$name, concat!($name, "-p3")],
            reads_settings: $settings,
            package: None,
            builds: [
                Some($crate::wrapper_file!($name, ".wasm")),
                Some($crate::wrapper_file!($name, "-p3.wasm")),
            ],
        }
    };
}

/// Declares a [`Role`] that serves a proposal outside the WASI lines, built from
/// `wrappers/components/NAME.wasm` for the proposal's `VERSION`:
/// `proposal_role!("config-store", "0.2.0-rc.1", settings: true)`.
#[macro_export]
#[doc(hidden)]
macro_rules! proposal_role {
    ($name:literal, $version:literal, settings: $settings:expr) => {
        $crate::wrappers::Role {
            names: [$name, $name],
            reads_settings: $settings,
            package: Some($version),
            builds: [Some($crate::wrapper_file!($name, ".wasm")), None],
        }
    };
}

impl Role {
    /// This role's wrapper at WASI 0.2 (or, for a proposal, its only one).
    pub fn p2(&'static self) -> Wrapper {
        Wrapper {
            role: self,
            line: Line::P2,
        }
    }

    /// This role's wrapper at WASI 0.3.
    pub fn p3(&'static self) -> Wrapper {
        Wrapper {
            role: self,
            line: Line::P3,
        }
    }

    /// Its wrappers, one per line it is built for.
    pub fn wrappers(&'static self) -> impl Iterator<Item = Wrapper> {
        let built = Line::ALL
            .into_iter()
            .filter(move |l| self.builds[*l as usize].is_some());
        built.map(move |line| Wrapper { role: self, line })
    }

    /// Whether it is `other` (roles are compared by name).
    pub fn is(&self, other: &Role) -> bool {
        self.names[0] == other.names[0]
    }
}

/// A wrapper component shipped with witpipe (built from `wrappers/` in this crate): a
/// [`Role`] at one WASI line.
#[derive(Clone, Copy)]
pub struct Wrapper {
    role: &'static Role,
    line: Line,
}

impl Wrapper {
    /// The component's bytes, as built for [`Wrapper::built_for`].
    pub fn bytes(self) -> &'static [u8] {
        self.role.builds[self.line as usize].expect("a wrapper is made only where built")
    }

    /// The release it is built for: one of [`WASI_SERVED`], or for a wrapper of a
    /// proposal outside the WASI lines ([`Wrapper::own_package`]) that proposal's.
    pub fn built_for(self) -> &'static str {
        self.role.package.unwrap_or(self.line.built_for())
    }

    /// Whether it serves a proposal outside the WASI lines (`wasi:config`,
    /// `wasi:keyvalue`): it is retargeted to the version of that package the
    /// component imports, whatever its WASI line.
    pub fn own_package(self) -> bool {
        self.role.package.is_some()
    }

    /// The wrapper that plays this one's role for imports of the WASI line whose
    /// wrappers are built for `built_for` (`None`: not built for that line yet).
    pub fn at_line(self, built_for: &str) -> Option<Wrapper> {
        let line = Line::of(built_for)?;
        let built = self.role.builds[line as usize].is_some() && !self.own_package();
        built.then_some(Wrapper {
            role: self.role,
            line,
        })
    }

    /// The role it plays whatever its WASI line; the capability families tell each
    /// role its settings.
    pub fn role(self) -> &'static Role {
        self.role
    }

    /// The WASI line it is built for.
    pub fn line(self) -> Line {
        self.line
    }

    /// Whether it reads settings (from a settings component composed in with it).
    pub fn reads_settings(self) -> bool {
        self.role.reads_settings
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        self.role.names[self.line as usize]
    }

    /// What this wrapper imports from the host when retargeted to WASI `version`
    /// (its settings come from inside the output, not the host).
    pub fn host_imports(self, version: &str) -> Vec<String> {
        let bytes = self.retargeted(version).unwrap_or_default();
        let mut out = Vec::new();
        let _ = for_each_section(&bytes, |id, data, offset| {
            if id == COMPONENT_IMPORT_SECTION {
                let reader = wasmparser::BinaryReader::new(data, offset as u64);
                let imports = wasmparser::ComponentImportSectionReader::new(reader)
                    .map_err(|e| e.to_string())?;
                out.extend(
                    imports
                        .into_iter()
                        .flatten()
                        .map(|i| i.name.name.to_string()),
                );
            }
            Ok(())
        });
        out.retain(|n| n.as_str() != SETTINGS_INTERFACE);
        out
    }
}

const COMPONENT_IMPORT_SECTION: u8 = 10;
const COMPONENT_EXPORT_SECTION: u8 = 11;

/// Calls `f(id, payload, payload offset)` for each top-level section of a component
/// (`id, LEB128 size, payload` after the 8-byte header); nested modules and
/// components are single sections here, so their own imports are never seen.
fn for_each_section(
    bytes: &[u8],
    mut f: impl FnMut(u8, &[u8], usize) -> Result<(), String>,
) -> Result<(), String> {
    if bytes.len() < 8 || !Parser::is_component(bytes) {
        return Err("not a component".into());
    }
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        let mut reader = wasmparser::BinaryReader::new(&bytes[at + 1..], (at + 1) as u64);
        let size = reader.read_var_u32().map_err(|e| e.to_string())? as usize;
        let start = at + 1 + reader.current_position();
        let data = bytes.get(start..start + size).ok_or("truncated section")?;
        f(id, data, start)?;
        at = start + size;
    }
    Ok(())
}

/// An import or export name with its plain name passed through `rename`.
fn renamed<'a>(
    name: wasmparser::ComponentExternName<'a>,
    rename: &impl Fn(&str) -> String,
) -> ComponentExternName<'a> {
    let mut out = ComponentExternName::from(name);
    out.name = Cow::Owned(rename(name.name));
    out
}

impl Wrapper {
    /// Its bytes retargeted to WASI `version` (of its line), see [`retarget`].
    pub fn retargeted(self, version: &str) -> Result<Vec<u8>, String> {
        retarget(self.bytes(), self.built_for(), version)
    }
}

/// Renames a component's top-level `wasi:*@{built_for}` imports and exports to
/// `@version`, so that a wrapper shares its type imports with (and offers its exports
/// under the names of) a component built for another release of the same WASI line.
/// Only names change: types are structural, and nothing inside the component refers
/// to these names.
pub fn retarget(bytes: &[u8], built_for: &str, version: &str) -> Result<Vec<u8>, String> {
    if version == built_for {
        return Ok(bytes.to_vec());
    }
    let rename = |name: &str| -> String {
        match name.strip_suffix(built_for) {
            Some(base) if name.starts_with("wasi:") && base.ends_with('@') => {
                format!("{base}{version}")
            }
            _ => name.to_string(),
        }
    };
    let mut out = Component::new();
    let mut reencoder = RoundtripReencoder;
    // Imports (10) and exports (11) are rewritten; every other section is copied byte
    // for byte.
    for_each_section(bytes, |id, data, start| {
        let section_reader = || wasmparser::BinaryReader::new(data, start as u64);
        match id {
            COMPONENT_IMPORT_SECTION => {
                let mut section = ComponentImportSection::new();
                for import in wasmparser::ComponentImportSectionReader::new(section_reader())
                    .map_err(|e| e.to_string())?
                {
                    let import = import.map_err(|e| e.to_string())?;
                    let ty = reencoder
                        .component_type_ref(import.ty)
                        .map_err(|e| e.to_string())?;
                    section.import(renamed(import.name, &rename), ty);
                }
                out.section(&section);
            }
            COMPONENT_EXPORT_SECTION => {
                let mut section = ComponentExportSection::new();
                for export in wasmparser::ComponentExportSectionReader::new(section_reader())
                    .map_err(|e| e.to_string())?
                {
                    let export = export.map_err(|e| e.to_string())?;
                    let kind = reencoder.component_export_kind(export.kind);
                    let ty = export
                        .ty
                        .map(|t| reencoder.component_type_ref(t))
                        .transpose()
                        .map_err(|e| e.to_string())?;
                    section.export(renamed(export.name, &rename), kind, export.index, ty);
                }
                out.section(&section);
            }
            _ => {
                out.section(&RawSection { id, data });
            }
        }
        Ok(())
    })?;
    let result = out.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&result)
        .map_err(|e| format!("retargeted wrapper is invalid: {e}"))?;
    Ok(result)
}

/// A component that exports [`SETTINGS_INTERFACE`] for the wrappers of `instance`:
/// `get` returns `text` (one data segment), and `deny(what)` traps in a function named
/// after denial `what`, inside a module named for `instance` (see
/// `crate::settings_keys::DENIALS`). A few hundred bytes.
pub fn settings_component(text: &str, instance: &str) -> Result<Vec<u8>, String> {
    use crate::settings_keys::{DENIALS, DENIAL_MODULE};
    const WIT: &str = "package witpipe:settings-provider;\n\
        package witpipe:policy@0.1.0 {\n  interface settings {\n    get: func() -> string;\n    deny: func(what: u32);\n  }\n}\n\
        world provider {\n  export witpipe:policy/settings@0.1.0;\n}\n";
    let mut resolve = wit_parser::Resolve::default();
    let pkg = resolve
        .push_str("settings.wit", WIT)
        .map_err(|e| format!("{e:#}"))?;
    let world = resolve
        .select_world(&[pkg], Some("provider"))
        .map_err(|e| format!("{e:#}"))?;

    // Functions: 0 `get`, 1 `deny`, then one trapping function per denial.
    // Memory layout: the (pointer, length) pair at 8, the text at 16.
    let len = text.len() as u32;
    let pages = (16 + u64::from(len)).div_ceil(65536).max(1);
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]);
    types.ty().function([ValType::I32], []);
    types.ty().function([], []);
    module.section(&types);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    funcs.function(1);
    for _ in DENIALS {
        funcs.function(2);
    }
    module.section(&funcs);
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: pages,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    module.section(&memory);
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export(&format!("{SETTINGS_INTERFACE}#get"), ExportKind::Func, 0);
    exports.export(&format!("{SETTINGS_INTERFACE}#deny"), ExportKind::Func, 1);
    module.section(&exports);
    let mut code = CodeSection::new();
    let mut get = Function::new([]);
    get.instruction(&Instruction::I32Const(8));
    get.instruction(&Instruction::End);
    code.function(&get);
    let mut deny = Function::new([]);
    for i in 0..DENIALS.len() as u32 {
        deny.instruction(&Instruction::LocalGet(0));
        deny.instruction(&Instruction::I32Const(i as i32));
        deny.instruction(&Instruction::I32Eq);
        deny.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
        deny.instruction(&Instruction::Call(2 + i));
        deny.instruction(&Instruction::End);
    }
    deny.instruction(&Instruction::Unreachable);
    deny.instruction(&Instruction::End);
    code.function(&deny);
    for _ in DENIALS {
        let mut f = Function::new([]);
        f.instruction(&Instruction::Unreachable);
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    module.section(&code);
    let mut data = DataSection::new();
    let mut header = 16u32.to_le_bytes().to_vec();
    header.extend_from_slice(&len.to_le_bytes());
    data.active(0, &ConstExpr::i32_const(8), header);
    data.active(0, &ConstExpr::i32_const(16), text.as_bytes().to_vec());
    module.section(&data);
    let mut names = wasm_encoder::NameSection::new();
    names.module(&format!("{DENIAL_MODULE}{instance}"));
    let mut functions = wasm_encoder::NameMap::new();
    functions.append(0, "get");
    functions.append(1, "deny");
    for (i, denial) in (2..).zip(DENIALS) {
        functions.append(i, denial);
    }
    names.functions(&functions);
    module.section(&names);
    let mut bytes = module.finish();
    wit_component::embed_component_metadata(
        &mut bytes,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .map_err(|e| format!("{e:#}"))?;
    wit_component::ComponentEncoder::default()
        .module(&bytes)
        .map_err(|e| format!("{e:#}"))?
        .validate(true)
        .encode()
        .map_err(|e| format!("{e:#}"))
}

impl PartialEq for Wrapper {
    fn eq(&self, other: &Wrapper) -> bool {
        self.role.is(other.role) && self.line == other.line
    }
}

impl Eq for Wrapper {}

impl std::hash::Hash for Wrapper {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.name(), self.line).hash(h);
    }
}

impl PartialOrd for Wrapper {
    fn partial_cmp(&self, other: &Wrapper) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Wrapper {
    /// By name: wrappers are compared to be looked up, never to be put in order (a
    /// component's wrappers come in the order of `Wrapper::all`).
    fn cmp(&self, other: &Wrapper) -> std::cmp::Ordering {
        (self.name(), self.line).cmp(&(other.name(), other.line))
    }
}

impl std::fmt::Debug for Wrapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::served_by;

    #[test]
    fn each_wasi_release_is_served_by_its_lines_wrappers_or_not_at_all() {
        assert_eq!(served_by("0.2.0"), Some("0.2.12"));
        assert_eq!(served_by("0.2.13"), Some("0.2.12"));
        assert_eq!(served_by("0.3.0"), Some("0.3.2"));
        assert_eq!(served_by("0.3.2"), Some("0.3.2"));
        for refused in [
            "0.3.3",
            "0.4.0",
            "1.0.0",
            "0.3.0-rc-2025-09-16",
            "0.1.0",
            "x",
        ] {
            assert_eq!(served_by(refused), None, "{refused}");
        }
    }
}
