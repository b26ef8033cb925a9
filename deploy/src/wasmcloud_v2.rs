//! A wasmCloud v2 `WorkloadDeployment` (`runtime.wasmcloud.dev/v1alpha1`), the resource
//! the v2 operator reads (wadm manifests reach v1 hosts only).
//!
//! What a v2 host (2.10) serves a workload itself, measured and read in its source
//! (`wash-runtime`): WASI 0.2 `cli`, `clocks`, `random`, `io`, `filesystem` (the
//! workload's volume mounts), `sockets` and outgoing `http` (both under the workload's
//! allow-lists), and an HTTP server that routes requests by their `Host` header to a
//! workload exporting `wasi:http/incoming-handler` (0.2) or `wasi:http/handler`
//! (0.3.0). Through host plugins named in `hostInterfaces`: `wasi:config/store` at
//! `0.2.0-rc.1` and `wasi:keyvalue` at `0.2.0-draft`. Other WASI 0.3 imports: none.
//!
//! The grants become the workload's own limits as well (`localResources`): `fs:` grants
//! volume mounts (read-only where every grant is), `http:` grants `allowedHosts`. The
//! wrappers inside the output still decide; the host's lists are a second line.

use crate::{every_host_serves, map_imports, wasi_0_2, DeployError, Manifest, Options};
use serde_json::{json, Map, Value};
use witpipe_policy::grammar::{HttpPattern, PatternPort};
use witpipe_policy::{Capability, HostContract};

const WHY: &str = "wasmCloud v2 hosts (2.10) serve WASI 0.2 cli, clocks, random, io, filesystem, sockets and http, wasi:http/handler@0.3.0 for incoming requests, wasi:config/store@0.2.0-rc.1 and wasi:keyvalue@0.2.0-draft; take the grant out of the pipeline, build the component against the versions named, or deploy to wasmtime";

/// The `config` version the v2 host's config plugin serves.
const CONFIG: &str = "0.2.0-rc.1";
/// The `keyvalue` version the v2 host's key-value plugins serve.
const KEYVALUE: &str = "0.2.0-draft";

pub(crate) fn manifest(
    contract: &HostContract,
    options: &Options,
) -> Result<Manifest, DeployError> {
    let handler = http_handler(contract);
    if handler.is_none() && !contract.runs() {
        return Err(DeployError::Unsupported {
            target: "wasmCloud v2",
            imports: vec!["(no wasi:cli/run or wasi:http handler export)".into()],
            why: "a v2 workload is a service (a command, `wasi:cli/run`) or a component that serves HTTP; export one of them".into(),
        });
    }
    if let Some((version, "handler")) = handler {
        if version != "0.3.0" {
            return Err(DeployError::Unsupported {
                target: "a wasmCloud v2 host",
                imports: vec![format!("(export wasi:http/handler@{version})")],
                why: WHY.into(),
            });
        }
    }
    let mut mapping = map_imports(contract, "a wasmCloud v2 host", WHY, |capability, v| {
        use Capability::*;
        match capability {
            c if every_host_serves(c) && wasi_0_2(v) => Some("served by every wasmCloud v2 host"),
            FsPreopens | FsTypes if wasi_0_2(v) => {
                Some("the workload's volume mounts (`volumes`, `volumeMounts`)")
            }
            Network | Tcp | Udp | NameLookup if wasi_0_2(v) => Some(
                "the host's sockets (the wrappers inside decide which connections are made)",
            ),
            HttpOutgoing if wasi_0_2(v) => Some(
                "the host's HTTP client, limited to `allowedHosts` (the wrappers inside decide too)",
            ),
            Config if v == CONFIG => {
                Some("the host's config plugin (`hostInterfaces`: the values of the grants)")
            }
            KeyValue if v == KEYVALUE => Some(
                "the host's key-value plugin (`hostInterfaces`): a NATS JetStream bucket named by what is passed to `open`; `open(\"\")`, the only bucket wasmtime serves, fails there, so grant the component `keyvalue: { bucket: NAME }` (witpipe then opens NAME, and falls back to `\"\"` only on a host with no NAME)",
            ),
            _ => None,
        }
    })?;
    let mut interfaces = Vec::new();
    // The HTTP entry carries no version: the host serves the handler itself (no plugin
    // to match), and an entry without a version matches any.
    if let Some((_, interface)) = &handler {
        let host = options
            .http_host
            .clone()
            .unwrap_or_else(|| options.name.clone());
        mapping.push(format!(
            "exports wasi:http/{interface}: served by the host's HTTP server, for requests with `Host: {host}`"
        ));
        interfaces.push(host_interface(
            "http",
            vec![interface.to_string()],
            None,
            json!({ "host": host }),
        ));
    }
    if let Some(config) = &contract.needs.config.values {
        let values: Map<String, Value> = config
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        interfaces.push(host_interface(
            "config",
            vec!["store".into()],
            Some(CONFIG),
            Value::Object(values),
        ));
    }
    let keyvalue = wasi_interfaces(contract.imports_of(Capability::KeyValue));
    if !keyvalue.is_empty() {
        interfaces.push(host_interface(
            "keyvalue",
            keyvalue,
            Some(KEYVALUE),
            json!({}),
        ));
    }
    for name in &contract.needs.environment.env {
        mapping.push(format!(
            "environment variable {name}: a v2 host passes none of its own; set it in the workload's `localResources.environment` (config, configFrom or secretFrom)"
        ));
    }
    let mut resources = json!({});
    let mut volumes = Vec::new();
    let mut mounts = Vec::new();
    for (k, dir) in contract.needs.fs.dirs.iter().enumerate() {
        let name = format!("dir-{k}");
        volumes.push(json!({ "name": name, "hostPath": { "path": node_path(&dir.host) } }));
        mounts.push(json!({ "name": name, "mountPath": dir.guest, "readOnly": dir.read_only }));
    }
    if !mounts.is_empty() {
        resources["volumeMounts"] = Value::Array(mounts);
    }
    if !contract.needs.http.allowed.is_empty() {
        resources["allowedHosts"] = json!(allowed_hosts(&contract.needs.http.allowed));
    }
    let mut spec = json!({});
    match handler {
        Some(_) => {
            let mut component = json!({ "name": options.name, "image": options.image });
            if resources != json!({}) {
                component["localResources"] = resources;
            }
            spec["components"] = json!([component]);
        }
        None => {
            let mut service = json!({ "image": options.image });
            if resources != json!({}) {
                service["localResources"] = resources;
            }
            spec["service"] = service;
        }
    }
    if !interfaces.is_empty() {
        spec["hostInterfaces"] = Value::Array(interfaces);
    }
    if !volumes.is_empty() {
        spec["volumes"] = Value::Array(volumes);
    }
    match options.spread.as_slice() {
        [] => {}
        [one] if one.http_address.is_none() => {
            spec["hostSelector"] = json!({ &one.label: one.value });
        }
        _ => {
            return Err(DeployError::Options(
                "a WorkloadDeployment selects its hosts with one label (`--spread LABEL=VALUE`, no address: the host's HTTP address is its own); write one manifest per group of hosts".into(),
            ))
        }
    }
    let doc = json!({
        "apiVersion": "runtime.wasmcloud.dev/v1alpha1",
        "kind": "WorkloadDeployment",
        "metadata": {
            "name": options.name,
            "annotations": {
                "witpipe.dev/version": options.version,
                "description": "composed and policy-wrapped by witpipe",
            }
        },
        "spec": {
            "replicas": options.replicas,
            "template": {
                "annotations": { "witpipe.dev/version": options.version },
                "spec": spec,
            }
        }
    });
    Ok(Manifest { doc, mapping })
}

/// A granted directory as a node path: absolute, without `.` parts (a `hostPath` is
/// resolved on the node, not beside the pipeline file).
fn node_path(host: &str) -> String {
    let path = std::path::absolute(host).unwrap_or_else(|_| host.into());
    let clean: std::path::PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    clean.display().to_string()
}

/// The output's HTTP handler export as (version, interface), if it has one. The host
/// serves `handler` at 0.3.0 only.
fn http_handler(contract: &HostContract) -> Option<(&str, &'static str)> {
    contract.exports.iter().find_map(|e| {
        let (name, version) = e.split_once('@')?;
        match name {
            "wasi:http/incoming-handler" => Some((version, "incoming-handler")),
            "wasi:http/handler" => Some((version, "handler")),
            _ => None,
        }
    })
}

/// One `hostInterfaces` entry of the `wasi` namespace.
fn host_interface(
    package: &str,
    interfaces: Vec<String>,
    version: Option<&str>,
    config: Value,
) -> Value {
    let mut entry = json!({
        "namespace": "wasi",
        "package": package,
        "interfaces": interfaces,
    });
    if let Some(version) = version {
        entry["version"] = json!(version);
    }
    if config != json!({}) {
        entry["config"] = config;
    }
    entry
}

/// The interface names of `wasi:` import names, sorted and unique.
fn wasi_interfaces<'a>(imports: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = imports
        .filter_map(|n| witpipe_policy::split(n).map(|(_, _, iface, _)| iface.to_string()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `allowedHosts` from `http:` grants (`scheme://host[:port]`, `*` in any part), in
/// the forms the v2 host matches: a grant with a scheme and port as written
/// (`https://api.example.com`, `https://*.example.com:8443`); one with any scheme or any
/// port as `host[:port]` (any scheme; any port when none is given); any host as `*`.
/// Where the host's form is wider than the grant, the wrappers inside still hold to it.
fn allowed_hosts(patterns: &[HttpPattern]) -> Vec<String> {
    let mut hosts: Vec<String> = patterns
        .iter()
        .map(|p| match (p.host.as_str(), p.scheme.as_str(), p.port) {
            ("*", _, _) => "*".to_string(),
            (_, "*", PatternPort::Number(port)) => format!("{}:{port}", p.host_in_url()),
            (_, "*", _) | (_, _, PatternPort::Any) => p.host_in_url(),
            _ => p.to_string(),
        })
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

#[cfg(test)]
mod tests {
    use super::{allowed_hosts, HttpPattern};

    #[test]
    fn http_grants_become_the_allowed_hosts_the_v2_host_matches() {
        let grants = [
            "https://api.example.com",
            "https://*.example.com:8443",
            "*://db.internal:5984",
            "http://cache.internal:*",
            "*://[::1]:8080",
            "https://[2001:db8::1]",
        ];
        let parse = |p: &str| HttpPattern::parse(p).unwrap();
        let got = allowed_hosts(&grants.map(parse));
        assert_eq!(
            got,
            [
                "[::1]:8080",
                "cache.internal",
                "db.internal:5984",
                "https://*.example.com:8443",
                "https://[2001:db8::1]",
                "https://api.example.com",
            ]
        );
        assert_eq!(allowed_hosts(&[parse("*://*:*")]), ["*"]);
    }
}
