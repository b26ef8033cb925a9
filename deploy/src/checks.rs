//! The deploy options, each checked against the rule of the target that reads it
//! before it reaches a manifest: a DNS-1123 label, a Kubernetes label, an OCI
//! reference, a socket address, a host name. A value that breaks its rule is refused
//! with the rule, never written into YAML for the target to misread.

use crate::{DeployError, Options, Spread};

/// Checks every option of `options`.
pub(crate) fn options(options: &Options) -> Result<(), DeployError> {
    let refuse = |what: &str, value: &str, rule: &str| {
        Err(DeployError::Options(format!(
            "{what} `{}` {rule}",
            value.escape_debug()
        )))
    };
    if let Err(rule) = dns_label(&options.name) {
        return refuse("the application name", &options.name, &format!("{rule} (a DNS-1123 label: 1 to 63 lowercase letters, digits and `-`, starting and ending with a letter or digit; set it with `name:` in the pipeline or `--name`)"));
    }
    if let Err(rule) = oci_reference(&options.image) {
        return refuse(
            "--image",
            &options.image,
            &format!("is not an OCI reference: {rule} (e.g. 127.0.0.1:5000/team/app:1.0)"),
        );
    }
    if let Some(provider) = &options.keyvalue_provider {
        // wadm also takes a provider archive on the host's disk, `file:///PATH`.
        let checked = match provider.strip_prefix("file://") {
            Some(path) if path.starts_with('/') && !path.chars().any(char::is_control) => Ok(()),
            Some(_) => Err("a `file://` URL names an absolute path without control characters"),
            None => oci_reference(provider),
        };
        if let Err(rule) = checked {
            let why = format!("is neither an OCI reference nor file:///PATH: {rule}");
            return refuse("--keyvalue-provider", provider, &why);
        }
    }
    if let Err(rule) = socket_address(&options.http_address) {
        return refuse("--http-address", &options.http_address, &rule);
    }
    if let Some(host) = &options.http_host {
        if let Err(rule) = host_name(host) {
            return refuse("--http-host", host, &format!("is not a host name: {rule} (a `Host` header: DNS labels of letters, digits and `-`, joined by `.`; no port, path or query)"));
        }
    }
    for spread in &options.spread {
        spread_parts(spread).map_err(DeployError::Options)?;
    }
    Ok(())
}

/// Checks the parts of a `--spread` (its own parser calls this too).
pub(crate) fn spread_parts(spread: &Spread) -> Result<(), String> {
    let text = format!("{}={}", spread.label, spread.value);
    label_key(&spread.label).map_err(|rule| {
        format!("`{}`: the label `{}` {rule} (a Kubernetes label key: an optional DNS prefix and `/`, then up to 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit)", text.escape_debug(), spread.label.escape_debug())
    })?;
    label_value(&spread.value).map_err(|rule| {
        format!("`{}`: the value `{}` {rule} (a Kubernetes label value: up to 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit)", text.escape_debug(), spread.value.escape_debug())
    })?;
    if let Some(address) = &spread.http_address {
        socket_address(address).map_err(|rule| {
            format!(
                "`{}`: the address `{}` {rule}",
                text.escape_debug(),
                address.escape_debug()
            )
        })?;
    }
    Ok(())
}

/// A DNS-1123 label.
pub(crate) fn dns_label(text: &str) -> Result<(), &'static str> {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    match text.len() {
        0 => Err("is empty"),
        64.. => Err("is longer than 63 characters"),
        _ if !text.chars().all(|c| ok(c) || c == '-') => {
            Err("holds a character other than a-z, 0-9 and `-`")
        }
        _ if !text.starts_with(ok) || !text.ends_with(ok) => {
            Err("does not start and end with a letter or digit")
        }
        _ => Ok(()),
    }
}

/// A host name: DNS labels (any case) joined by `.`, at most 253 characters.
fn host_name(text: &str) -> Result<(), &'static str> {
    if text.is_empty() {
        return Err("it is empty");
    }
    if text.len() > 253 {
        return Err("it is longer than 253 characters");
    }
    for label in text.split('.') {
        dns_label(&label.to_ascii_lowercase()).map_err(|_| "a label between dots is empty, longer than 63 characters, holds a character other than letters, digits and `-`, or starts or ends with `-`")?;
    }
    Ok(())
}

/// A socket address, `IP:PORT` (`[IPv6]:PORT`).
fn socket_address(text: &str) -> Result<(), String> {
    text.parse::<std::net::SocketAddr>()
        .map(|_| ())
        .map_err(|_| {
            "is not a socket address: write IP:PORT, e.g. 0.0.0.0:8080 or [::]:8080".into()
        })
}

/// A label's name part and its value share one rule: up to 63 of `[A-Za-z0-9_.-]`,
/// starting and ending with a letter or digit (the value may also be empty, which a
/// spread does not allow).
fn label_value(text: &str) -> Result<(), &'static str> {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    match text.len() {
        0 => Err("is empty"),
        64.. => Err("is longer than 63 characters"),
        _ if !text
            .chars()
            .all(|c| alnum(c) || matches!(c, '-' | '_' | '.')) =>
        {
            Err("holds a character other than letters, digits, `-`, `_` and `.`")
        }
        _ if !text.starts_with(alnum) || !text.ends_with(alnum) => {
            Err("does not start and end with a letter or digit")
        }
        _ => Ok(()),
    }
}

/// A label key: `[PREFIX/]NAME`, PREFIX a DNS subdomain of at most 253 characters.
fn label_key(text: &str) -> Result<(), &'static str> {
    match text.rsplit_once('/') {
        Some((prefix, name)) => {
            let subdomain = prefix.len() <= 253 && prefix.split('.').all(|l| dns_label(l).is_ok());
            if !subdomain {
                return Err("has a prefix that is not a DNS subdomain");
            }
            label_value(name)
        }
        None => label_value(text),
    }
}

/// An OCI reference (the distribution spec's grammar): `[REGISTRY/]PATH[:TAG][@DIGEST]`.
pub(crate) fn oci_reference(text: &str) -> Result<(), &'static str> {
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (text, None),
    };
    if let Some(digest) = digest {
        let (algorithm, hex) = digest
            .split_once(':')
            .ok_or("its digest is not ALGORITHM:HEX")?;
        let algorithm_ok = !algorithm.is_empty()
            && algorithm
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c));
        if !algorithm_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err("its digest is not ALGORITHM:HEX");
        }
    }
    // A tag follows the last `:` after the last `/`.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag.starts_with(word)
            && tag.chars().all(|c| word(c) || c == '.' || c == '-');
        if !ok {
            return Err("its tag is not 1 to 128 letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`");
        }
    }
    if name.is_empty() || name.len() > 255 {
        return Err("its name is empty or longer than 255 characters");
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    // The first part is a registry when it has a `.` or a `:` or is `localhost`.
    if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        let registry = parts.remove(0);
        let (host, port) = match registry.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, Some(p)),
            _ => (registry, None),
        };
        let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
            None => host_name(host).is_ok(),
        };
        let port_ok =
            port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
        if !host_ok || !port_ok {
            return Err("its registry is not HOST[:PORT]");
        }
    }
    for part in parts {
        let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        let ok = part.starts_with(alnum)
            && part.ends_with(alnum)
            && part
                .chars()
                .all(|c| alnum(c) || matches!(c, '.' | '_' | '-'))
            && !part.contains("..")
            && !part.contains("___");
        if !ok {
            return Err("a path component is not lowercase letters and digits separated by `.`, `_`, `__` or `-`");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{dns_label, host_name, label_key, label_value, oci_reference, socket_address};

    #[test]
    fn each_rule_refuses_what_the_target_would_misread() {
        for good in ["app", "a-1", &"a".repeat(63)] {
            dns_label(good).unwrap();
        }
        for bad in ["", "-a", "a-", "A", "a b", "a\nb", "é", &"a".repeat(64)] {
            assert!(dns_label(bad).is_err(), "{bad:?}");
        }
        for good in ["example.com", "Counter.Local", "a"] {
            host_name(good).unwrap();
        }
        let long = format!("{}.com", "a".repeat(300));
        for bad in [
            "",
            "a\r\nb",
            "a b",
            "é.com",
            "a.com/path?q",
            "a.com:80",
            "a..b",
            long.as_str(),
        ] {
            assert!(host_name(bad).is_err(), "{bad:?}");
        }
        for good in ["0.0.0.0:8080", "[::]:80", "127.0.0.1:1"] {
            socket_address(good).unwrap();
        }
        for bad in [
            "nonsense",
            "0.0.0.0",
            ":80",
            "localhost:80",
            "0.0.0.0:99999",
        ] {
            assert!(socket_address(bad).is_err(), "{bad:?}");
        }
        for good in ["zone", "topology.kubernetes.io/zone", "a_b.c-d"] {
            label_key(good).unwrap();
        }
        for bad in ["", "a\nb", "zöne", "a=b", "-a", "/a", "UPPER_/x"] {
            assert!(label_key(bad).is_err(), "{bad:?}");
        }
        for bad in ["b=c", "é", "", "a\n", &"v".repeat(64)] {
            assert!(label_value(bad).is_err(), "{bad:?}");
        }
        for good in [
            "127.0.0.1:5000/team/app:1.0",
            "ghcr.io/org/app",
            "localhost/app@sha256:0123456789abcdef0123456789abcdef",
            "app",
            "registry.example.com:443/a/b_c/d__e:v1.2-rc_3",
            "[::1]:5000/app:1",
        ] {
            oci_reference(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in [
            "not a reference!",
            "App/Upper",
            "host:port/app:",
            "app:tag with space",
            "app@sha256:xyz",
            "reg.io/a//b",
            "reg.io:99999/a",
            "a\n:1",
            "",
        ] {
            assert!(oci_reference(bad).is_err(), "{bad:?}");
        }
    }
}
