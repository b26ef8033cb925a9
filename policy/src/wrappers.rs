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

/// A wrapper component shipped with witpipe (built from `wrappers/` in this crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Wrapper {
    /// The virtual platform: environment, exit, stdio, terminals, clocks, random.
    Guard,
    /// The same at WASI 0.3.
    GuardP3,
    /// Host environment filtered by an allow-list, plus fixed values.
    EnvFilter,
    /// The same at WASI 0.3.
    EnvFilterP3,
    /// Granted directories only, read-only where granted so.
    FsGuard,
    /// The same at WASI 0.3.
    FsGuardP3,
    /// No directories at all.
    FsDeny,
    /// No directories at all, at WASI 0.3.
    FsDenyP3,
    /// Outgoing HTTP to allowed destinations only.
    HttpGuard,
    /// No outgoing HTTP.
    HttpDeny,
    /// Outgoing HTTP to allowed destinations only, at WASI 0.3.
    HttpGuardP3,
    /// No outgoing HTTP, at WASI 0.3.
    HttpDenyP3,
    /// No sockets and no name lookup.
    SocketsDeny,
    /// No sockets and no name lookup, at WASI 0.3.
    SocketsDenyP3,
    /// TCP connections to allowed addresses only; no UDP.
    SocketsGuard,
    /// The same at WASI 0.3.
    SocketsGuardP3,
    /// No name lookup.
    LookupDeny,
    /// No name lookup, at WASI 0.3.
    LookupDenyP3,
    /// `wasi:config/store` answered with the granted values (`inside: [config]`).
    ConfigStore,
    /// One bucket of the host's key-value store (`keyvalue: { bucket: NAME }`).
    KeyValueBucket,
    /// A key-value store in the instance's memory (`inside: [keyvalue]`).
    KeyValueMemory,
}

impl Wrapper {
    /// Every wrapper, in the order a component's instances are created.
    pub const ALL: [Wrapper; 21] = [
        Wrapper::Guard,
        Wrapper::GuardP3,
        Wrapper::EnvFilter,
        Wrapper::EnvFilterP3,
        Wrapper::FsGuard,
        Wrapper::FsGuardP3,
        Wrapper::FsDeny,
        Wrapper::FsDenyP3,
        Wrapper::HttpGuard,
        Wrapper::HttpDeny,
        Wrapper::HttpGuardP3,
        Wrapper::HttpDenyP3,
        Wrapper::SocketsDeny,
        Wrapper::SocketsDenyP3,
        Wrapper::SocketsGuard,
        Wrapper::SocketsGuardP3,
        Wrapper::LookupDeny,
        Wrapper::LookupDenyP3,
        Wrapper::ConfigStore,
        Wrapper::KeyValueBucket,
        Wrapper::KeyValueMemory,
    ];

    /// The component's bytes, as built for WASI [`Wrapper::built_for`].
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Wrapper::Guard => include_bytes!("../wrappers/components/guard.wasm"),
            Wrapper::GuardP3 => include_bytes!("../wrappers/components/guard-p3.wasm"),
            Wrapper::EnvFilter => include_bytes!("../wrappers/components/env-filter.wasm"),
            Wrapper::EnvFilterP3 => include_bytes!("../wrappers/components/env-filter-p3.wasm"),
            Wrapper::FsGuard => include_bytes!("../wrappers/components/fs-guard.wasm"),
            Wrapper::FsGuardP3 => include_bytes!("../wrappers/components/fs-guard-p3.wasm"),
            Wrapper::FsDeny => include_bytes!("../wrappers/components/fs-deny.wasm"),
            Wrapper::FsDenyP3 => include_bytes!("../wrappers/components/fs-deny-p3.wasm"),
            Wrapper::HttpGuard => include_bytes!("../wrappers/components/http-guard.wasm"),
            Wrapper::HttpDeny => include_bytes!("../wrappers/components/http-deny.wasm"),
            Wrapper::HttpGuardP3 => include_bytes!("../wrappers/components/http-guard-p3.wasm"),
            Wrapper::HttpDenyP3 => include_bytes!("../wrappers/components/http-deny-p3.wasm"),
            Wrapper::SocketsDeny => include_bytes!("../wrappers/components/sockets-deny.wasm"),
            Wrapper::SocketsDenyP3 => {
                include_bytes!("../wrappers/components/sockets-deny-p3.wasm")
            }
            Wrapper::SocketsGuard => include_bytes!("../wrappers/components/sockets-guard.wasm"),
            Wrapper::SocketsGuardP3 => {
                include_bytes!("../wrappers/components/sockets-guard-p3.wasm")
            }
            Wrapper::LookupDeny => include_bytes!("../wrappers/components/lookup-deny.wasm"),
            Wrapper::LookupDenyP3 => include_bytes!("../wrappers/components/lookup-deny-p3.wasm"),
            Wrapper::ConfigStore => include_bytes!("../wrappers/components/config-store.wasm"),
            Wrapper::KeyValueBucket => {
                include_bytes!("../wrappers/components/keyvalue-bucket.wasm")
            }
            Wrapper::KeyValueMemory => {
                include_bytes!("../wrappers/components/keyvalue-memory.wasm")
            }
        }
    }

    /// The release it is built for: one of [`WASI_SERVED`], or for a wrapper of a
    /// proposal outside the WASI lines ([`Wrapper::own_package`]) that proposal's.
    pub fn built_for(self) -> &'static str {
        match self {
            Wrapper::ConfigStore => "0.2.0-rc.1",
            Wrapper::KeyValueBucket | Wrapper::KeyValueMemory => "0.2.0-draft",
            Wrapper::GuardP3
            | Wrapper::EnvFilterP3
            | Wrapper::FsGuardP3
            | Wrapper::FsDenyP3
            | Wrapper::HttpGuardP3
            | Wrapper::HttpDenyP3
            | Wrapper::SocketsDenyP3
            | Wrapper::SocketsGuardP3
            | Wrapper::LookupDenyP3 => WASI_SERVED[1],
            _ => WASI_SERVED[0],
        }
    }

    /// Whether it serves a proposal outside the WASI lines (`wasi:config`,
    /// `wasi:keyvalue`): it is retargeted to the version of that package the
    /// component imports, whatever its WASI line.
    pub fn own_package(self) -> bool {
        matches!(
            self,
            Wrapper::ConfigStore | Wrapper::KeyValueBucket | Wrapper::KeyValueMemory
        )
    }

    /// The wrapper that plays this one's role for imports of the WASI line whose
    /// wrappers are built for `built_for` (`None`: not built for that line yet).
    pub fn at_line(self, built_for: &str) -> Option<Wrapper> {
        let role = self.role();
        Wrapper::ALL
            .into_iter()
            .find(|w| w.role() == role && w.built_for() == built_for)
    }

    /// The role it plays whatever its WASI line: the 0.2 wrapper of that role. The
    /// capability families tell each role its settings.
    pub fn role(self) -> Wrapper {
        match self {
            Wrapper::GuardP3 => Wrapper::Guard,
            Wrapper::EnvFilterP3 => Wrapper::EnvFilter,
            Wrapper::FsGuardP3 => Wrapper::FsGuard,
            Wrapper::FsDenyP3 => Wrapper::FsDeny,
            Wrapper::HttpGuardP3 => Wrapper::HttpGuard,
            Wrapper::HttpDenyP3 => Wrapper::HttpDeny,
            Wrapper::SocketsDenyP3 => Wrapper::SocketsDeny,
            Wrapper::SocketsGuardP3 => Wrapper::SocketsGuard,
            Wrapper::LookupDenyP3 => Wrapper::LookupDeny,
            w => w,
        }
    }

    /// Whether it reads settings (from a settings component composed in with it).
    pub fn reads_settings(self) -> bool {
        matches!(
            self.role(),
            Wrapper::Guard
                | Wrapper::EnvFilter
                | Wrapper::FsGuard
                | Wrapper::HttpGuard
                | Wrapper::SocketsGuard
                | Wrapper::ConfigStore
                | Wrapper::KeyValueBucket
        )
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Wrapper::Guard => "guard",
            Wrapper::GuardP3 => "guard-p3",
            Wrapper::EnvFilter => "env-filter",
            Wrapper::EnvFilterP3 => "env-filter-p3",
            Wrapper::FsGuard => "fs-guard",
            Wrapper::FsGuardP3 => "fs-guard-p3",
            Wrapper::FsDeny => "fs-deny",
            Wrapper::FsDenyP3 => "fs-deny-p3",
            Wrapper::HttpGuard => "http-guard",
            Wrapper::HttpDeny => "http-deny",
            Wrapper::HttpGuardP3 => "http-guard-p3",
            Wrapper::HttpDenyP3 => "http-deny-p3",
            Wrapper::SocketsDeny => "sockets-deny",
            Wrapper::SocketsDenyP3 => "sockets-deny-p3",
            Wrapper::SocketsGuard => "sockets-guard",
            Wrapper::SocketsGuardP3 => "sockets-guard-p3",
            Wrapper::LookupDeny => "lookup-deny",
            Wrapper::LookupDenyP3 => "lookup-deny-p3",
            Wrapper::ConfigStore => "config-store",
            Wrapper::KeyValueBucket => "keyvalue-bucket",
            Wrapper::KeyValueMemory => "keyvalue-memory",
        }
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

#[cfg(test)]
mod tests {
    use super::{served_by, Wrapper, WASI_SERVED};

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
        assert_eq!(Wrapper::Guard.at_line("0.3.2"), Some(Wrapper::GuardP3));
        assert_eq!(Wrapper::GuardP3.at_line("0.2.12"), Some(Wrapper::Guard));
        // Every role is built for both lines.
        for w in Wrapper::ALL.into_iter().filter(|w| !w.own_package()) {
            for line in WASI_SERVED {
                let there = w.at_line(line).unwrap_or_else(|| panic!("{w:?} at {line}"));
                assert_eq!((there.role(), there.built_for()), (w.role(), line));
            }
        }
    }
}
