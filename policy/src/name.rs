//! Import names: `ns:pkg/iface@version`, and matching them against `imports:` grants.

/// `ns:pkg/iface@version` split up; `None` for plain (function) names.
pub fn split(name: &str) -> Option<(&str, &str, &str, Option<&str>)> {
    let (ns, rest) = name.split_once(':')?;
    let (pkg, rest) = rest.split_once('/')?;
    let (iface, version) = match rest.split_once('@') {
        Some((i, v)) => (i, Some(v)),
        None => (rest, None),
    };
    Some((ns, pkg, iface, version))
}

/// Whether `wasi:{package}/{interface}` carries no authority: `wasi:io` (streams and
/// polling) and WASI 0.3's type-only `wasi:cli/types` and `wasi:clocks/types`.
pub(crate) fn no_authority(package: &str, interface: &str) -> bool {
    package == "io" || (interface == "types" && matches!(package, "cli" | "clocks"))
}

/// Whether `import` matches a granted name (versions compatible within 0.x minor or x major).
/// A dependency name (`locked-dep=<...>`) matches only exactly; an unversioned grant
/// matches its name at any version, and nothing else.
pub(crate) fn granted(import: &str, grants: &[String]) -> bool {
    let base = |n: &str| n.split('@').next().unwrap_or(n).to_string();
    let versioned = !import.contains('<');
    grants.iter().any(|g| {
        g == import
            || (versioned && !g.contains('@') && base(import) == *g)
            || (versioned && track(g).is_some_and(|t| Some(t) == track(import)))
    })
}

/// The semver track of a versioned name: `a:b/c@0.2` for `@0.2.x`, `a:b/c@1` for `@1.x`.
fn track(name: &str) -> Option<String> {
    let (base, v) = name.split_once('@')?;
    let mut parts = v.split('.');
    let major = parts.next()?;
    if v.contains('-') {
        return Some(name.to_string());
    }
    Some(if major == "0" {
        format!("{base}@0.{}", parts.next()?)
    } else {
        format!("{base}@{major}")
    })
}

#[cfg(test)]
mod tests {
    use super::granted;

    #[test]
    fn granted_names_match_within_a_semver_track() {
        let g = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(granted("a:b/c@0.2.3", &g(&["a:b/c@0.2.0"])));
        assert!(!granted("a:b/c@0.3.0", &g(&["a:b/c@0.2.0"])));
        assert!(granted("a:b/c@1.4.0", &g(&["a:b/c"])));
        assert!(granted("a:b/c@2.1.0", &g(&["a:b/c@2.0.0"])));
        assert!(!granted("a:b/d@0.2.0", &g(&["a:b/c@0.2.0"])));
        // An unversioned grant is no wildcard for other unversioned imports.
        assert!(!granted("a:b/d", &g(&["a:b/c"])));
        assert!(!granted("logger", &g(&["a:b/c"])));
        assert!(granted("logger", &g(&["logger"])));
        assert!(!granted("other", &g(&["logger"])));
        // Dependency names match exactly.
        assert!(granted(
            "locked-dep=<f:a@1.0.0>",
            &g(&["locked-dep=<f:a@1.0.0>"])
        ));
        assert!(!granted(
            "locked-dep=<f:a@1.2.0>",
            &g(&["locked-dep=<f:a@1.0.0>"])
        ));
    }
}
