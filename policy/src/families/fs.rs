//! Directories (`wasi:filesystem`): key `fs:`, a list of `{ host, guest, mode }`.
//!
//! Nothing granted → the `fs-deny` wrapper (no preopens, no descriptors); some
//! directories → the `fs-guard` wrapper, which hands out only the granted ones and
//! refuses every mutation of a read-only one, whatever the host allows. The host
//! preopens exactly the granted directories.

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grants::{Grants, GrantsSpec};
use crate::plan::{Plan, Route};
use crate::settings::Setting;
use crate::wrappers::Wrapper;
use crate::PolicyError;
use serde::Deserialize;
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

/// The family of `wasi:filesystem`.
pub(crate) struct Filesystem;

impl Family for Filesystem {
    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[
            ("filesystem", "preopens", Capability::FsPreopens),
            ("filesystem", "types", Capability::FsTypes),
            ("filesystem", "*", Capability::Other),
        ]
    }

    fn keys(&self) -> &'static [&'static str] {
        &["fs"]
    }

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(fs) = &spec.fs {
            grants.fs = super::values(fs);
        }
    }

    fn deny(&self, grants: &mut Grants, _: &str) {
        grants.fs.clear();
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        let set = own.fs.as_ref().is_some_and(|s| !s.value.is_empty());
        set.then_some("fs").into_iter().collect()
    }

    fn route(
        &self,
        grants: &Grants,
        what: Capability,
        import: &str,
    ) -> Result<Routed, PolicyError> {
        let wrapper = match grants.fs.is_empty() {
            true => Wrapper::FsDeny,
            false => Wrapper::FsGuard,
        };
        match what {
            Capability::FsPreopens => Ok(Routed::new(Route::Wrapper(wrapper), self.keys())),
            Capability::FsTypes => Ok(Routed::new(Route::Wrapper(wrapper), &[])),
            _ => Err(PolicyError::NotEnforced {
                import: import.into(),
                what: "filesystem",
            }),
        }
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, _: &Plan, out: &mut Vec<Setting>) {
        if wrapper == Wrapper::FsGuard {
            out.extend(grants.fs.iter().map(|m| Setting::Mount {
                guest: m.guest.clone(),
                mode: m.mode,
            }));
        }
    }

    fn host_needs(&self, grants: &Grants, plan: &mut Plan) {
        if plan.uses(Wrapper::FsGuard) {
            plan.host_dirs = grants.fs.clone();
        }
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        for dir in &contract.dirs {
            out.push(format!(
                "--dir {}",
                super::shell_word(&format!("{}::{}", dir.host, dir.guest))
            ));
        }
    }
}

/// Every granted directory of `block` must exist on this machine (host paths are
/// relative to `base_dir`), under an absolute guest path used once.
pub fn check_mounts(block: &GrantsSpec, base_dir: &Path) -> Vec<PolicyError> {
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
    use crate::testing::{route_of, wrapper_settings};
    use crate::{FsMode, FsMount, Grants, Route, Wrapper};

    #[test]
    fn no_directory_is_the_deny_wrapper_and_granted_ones_the_guard() {
        let preopens = "wasi:filesystem/preopens@0.2.6";
        assert_eq!(
            route_of(&Grants::default(), preopens),
            Route::Wrapper(Wrapper::FsDeny)
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
            Route::Wrapper(Wrapper::FsGuard)
        );
        assert_eq!(
            wrapper_settings(&g, preopens, Wrapper::FsGuard),
            "mount=/data=ro\n"
        );
    }
}
