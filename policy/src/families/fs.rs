//! Directories (`wasi:filesystem`): key `fs:`, a list of `{ host, guest, mode }`.
//!
//! Nothing granted → the `fs-deny` wrapper (no preopens, no descriptors); some
//! directories → the `fs-guard` wrapper, which hands out only the granted ones and
//! refuses every mutation of a read-only one, whatever the host allows. The host
//! preopens exactly the granted directories.

use super::{Family, Keys, WrapperSetting};
use crate::capability::Capability;
use crate::error::PolicyError;
use crate::route::{Route, Routed, Routes};
use crate::settings_keys as keys;
use crate::wrappers::Role;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Read-only or read-write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FsMode {
    /// Reads only: every mutation fails with `read-only`, whatever the host allows.
    #[default]
    Ro,
    /// Reads and writes.
    Rw,
}

/// One granted directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FsMount {
    /// The host directory, relative to the pipeline file.
    pub host: String,
    /// Where the component sees it (an absolute guest path such as `/data`).
    pub guest: String,
    /// `ro` (default) or `rw`.
    #[serde(default)]
    pub mode: FsMode,
}

grant_keys! {
    /// `fs:` as written.
    FsSpec {
        /// `fs:` — directories: `[{ host: ./data, guest: /data, mode: ro }]`.
        fs: Vec<crate::span::At<FsMount>>,
    }
}

/// A directory the host must preopen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HostDir {
    /// The host path: as granted in a component's needs, joined to the pipeline file's
    /// directory in the output's contract.
    pub host: String,
    /// Where the output sees it.
    pub guest: String,
    /// Whether every grant of it is read-only (the wrappers enforce it either way).
    pub read_only: bool,
}

/// What the filesystem asks of the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsHost {
    /// Directories to preopen.
    pub dirs: Vec<HostDir>,
}

/// What the `fs-guard` is told: one granted directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Where the component sees it.
    pub guest: String,
    /// Read-only or read-write.
    pub mode: FsMode,
}

impl WrapperSetting for Mount {
    fn line(&self) -> String {
        let mode = match self.mode {
            FsMode::Ro => "ro",
            FsMode::Rw => "rw",
        };
        keys::line(keys::MOUNT, &[&self.guest, mode])
    }
}

/// Granted directories only, read-only where granted so.
pub static FS_GUARD: Role = crate::wasi_role!("fs-guard", settings: true);
/// No directories at all.
pub static FS_DENY: Role = crate::wasi_role!("fs-deny", settings: false);

/// The family of `wasi:filesystem`.
pub struct Filesystem;

impl Family for Filesystem {
    type Spec = FsSpec;
    type Grant = Vec<FsMount>;
    type Host = FsHost;
    type Setting = Mount;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] = &[
        ("filesystem", "preopens", Capability::FsPreopens),
        ("filesystem", "types", Capability::FsTypes),
        ("filesystem", "*", Capability::Other),
    ];
    const ROLES: &'static [&'static Role] = &[&FS_GUARD, &FS_DENY];

    fn overlay(grant: &mut Vec<FsMount>, spec: &FsSpec) {
        if let Some(fs) = &spec.fs {
            *grant = super::values(fs);
        }
    }

    fn deny(grant: &mut Vec<FsMount>, _: &str) {
        grant.clear();
    }

    fn named(own: &FsSpec) -> Vec<&'static str> {
        let set = own.fs.as_ref().is_some_and(|s| !s.value.is_empty());
        set.then_some("fs").into_iter().collect()
    }

    fn route(
        grant: &Vec<FsMount>,
        _: bool,
        what: Capability,
        import: &str,
    ) -> Result<Routed, PolicyError> {
        let wrapper = match grant.is_empty() {
            true => FS_DENY.p2(),
            false => FS_GUARD.p2(),
        };
        match what {
            Capability::FsPreopens => Ok(Routed::new(Route::Wrapper(wrapper), FsSpec::KEYS)),
            Capability::FsTypes => Ok(Routed::new(Route::Wrapper(wrapper), &[])),
            _ => Err(PolicyError::NotEnforced {
                import: import.into(),
                what: "filesystem",
            }),
        }
    }

    fn settings(grant: &Vec<FsMount>, role: &Role, _: Routes, out: &mut Vec<Mount>) {
        if role.is(&FS_GUARD) {
            out.extend(grant.iter().map(|m| Mount {
                guest: m.guest.clone(),
                mode: m.mode,
            }));
        }
    }

    fn host_needs(grant: &Vec<FsMount>, routes: Routes) -> FsHost {
        if !routes.uses(&FS_GUARD) {
            return FsHost::default();
        }
        let dirs = grant.iter().map(|m| HostDir {
            host: m.host.clone(),
            guest: m.guest.clone(),
            read_only: m.mode == FsMode::Ro,
        });
        FsHost {
            dirs: dirs.collect(),
        }
    }

    fn gather(parts: &[&FsHost], base_dir: &Path) -> FsHost {
        let mut dirs: Vec<HostDir> = parts
            .iter()
            .flat_map(|p| p.dirs.iter())
            .map(|d| HostDir {
                host: base_dir.join(&d.host).display().to_string(),
                ..d.clone()
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        FsHost { dirs }
    }

    fn wasmtime_flags(host: &FsHost, _: &super::Output, out: &mut Vec<String>) {
        for dir in &host.dirs {
            let spec = format!("{}::{}", dir.host, dir.guest);
            out.push(format!("--dir {}", super::shell_word(&spec)));
        }
    }
}

/// Every granted directory of `block` must exist on this machine (host paths are
/// relative to `base_dir`), under an absolute guest path used once.
pub fn check_mounts(block: &FsSpec, base_dir: &Path) -> Vec<PolicyError> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for mount in block.fs.iter().flat_map(|f| f.value.iter()) {
        let span = mount.span;
        let host_path = super::bad_path("`fs:` host path", &mount.value.host, span);
        let host = base_dir.join(&mount.value.host);
        if host_path.is_none() && !host.is_dir() {
            out.push(PolicyError::MissingDirectory {
                host: mount.value.host.clone(),
                looked: host.display().to_string(),
                span,
            });
        }
        let guest = mount.value.guest.as_str();
        let problem = |why: &str| PolicyError::GuestPath {
            guest: guest.into(),
            why: why.into(),
            span,
        };
        let guest_path = super::bad_path("`fs:` guest path", guest, span);
        if host_path.is_some() || guest_path.is_some() {
            out.extend(host_path.into_iter().chain(guest_path));
        } else if !guest.starts_with('/') || guest.split('/').any(|p| p == "..") {
            out.push(problem(
                "must be absolute and must not contain `..` (e.g. `/data`)",
            ));
        } else if seen.contains(&guest) {
            out.push(problem(
                "is granted twice; give each directory its own guest path",
            ));
        }
        seen.push(guest);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::families::fs::FS_DENY;
    use crate::families::fs::FS_GUARD;
    use crate::testing::{route_of, wrapper_settings};
    use crate::{FsMode, FsMount, Grants, Route};

    #[test]
    fn no_directory_is_the_deny_wrapper_and_granted_ones_the_guard() {
        let preopens = "wasi:filesystem/preopens@0.2.6";
        assert_eq!(
            route_of(&Grants::default(), preopens),
            Route::Wrapper(FS_DENY.p2())
        );
        let g = Grants {
            fs: vec![FsMount {
                host: "data".into(),
                guest: "/data".into(),
                mode: FsMode::Ro,
            }],
            ..Grants::default()
        };
        assert_eq!(
            route_of(&g, "wasi:filesystem/types@0.2.6"),
            Route::Wrapper(FS_GUARD.p2())
        );
        assert_eq!(
            wrapper_settings(&g, preopens, FS_GUARD.p2()),
            "mount=/data=ro\n"
        );
    }
}
