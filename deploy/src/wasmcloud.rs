//! A wadm application (`core.oam.dev/v1beta1`) for a wasmCloud lattice.
//!
//! What a wasmCloud host (0.27, wasmtime inside) serves a component itself: WASI 0.2
//! `cli`, `clocks`, `random`, `io` and `http/types`, and the draft `wasi:config/store`
//! (`0.2.0-draft`) with the component's config. `wasi:keyvalue` (`0.2.0-draft`) and
//! outgoing HTTP come from capability providers the manifest links; an incoming HTTP
//! export gets the host's built-in HTTP server. Filesystems and sockets: nothing.

use crate::{every_host_serves, map_imports, wasi_0_2, DeployError, Manifest};
use crate::{Options, Spread};
use serde_json::{json, Value};
use witpipe_policy::{Capability, HostContract};

/// The built-in providers of a wasmCloud host (experimental features to enable on the host).
const HTTP_SERVER: &str = "wasmcloud+builtin://http-server";
const HTTP_CLIENT: &str = "wasmcloud+builtin://http-client";

const WHY: &str = "wasmCloud hosts (0.27) serve WASI 0.2 cli, clocks, random, io and http, wasi:config/store@0.2.0-draft and, through a provider, wasi:keyvalue@0.2.0-draft; they give components no filesystem or sockets. Take the grant out of the pipeline, build the component against the versions named, or deploy to wasmtime";

pub(crate) fn manifest(
    contract: &HostContract,
    options: &Options,
) -> Result<Manifest, DeployError> {
    let mut mapping = map_imports(contract, "a wasmCloud host", WHY, |capability, v| {
        match capability {
            c if every_host_serves(c) && wasi_0_2(v) => Some("provided by every wasmCloud host"),
            Capability::HttpOutgoing if wasi_0_2(v) => Some(
                "linked to the host's built-in HTTP client (the wrappers inside decide which requests leave)",
            ),
            Capability::Config if v == "0.2.0-draft" => {
                Some("the component's `config` (values from the pipeline's grants)")
            }
            Capability::KeyValue if v == "0.2.0-draft" => Some("linked to the key-value provider"),
            _ => None,
        }
    })?;
    let mut component = json!({
        "name": options.name,
        "type": "component",
        "properties": { "image": options.image },
        "traits": [{ "type": "spreadscaler", "properties": scale(options, options.replicas) }]
    });
    if let Some(config) = &contract.needs.config.values {
        let properties: serde_json::Map<String, Value> = config
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        component["properties"]["config"] = json!([
            { "name": format!("{}-config", options.name), "properties": properties }
        ]);
    }
    let mut providers = vec![];
    let mut link_out = |name: &str, image: &str, package: &str, interfaces: Vec<&str>| {
        component["traits"]
            .as_array_mut()
            .expect("traits")
            .push(json!({
                "type": "link",
                "properties": {
                    "target": { "name": name },
                    "namespace": "wasi",
                    "package": package,
                    "interfaces": interfaces,
                }
            }));
        providers.push(json!({
            "name": name,
            "type": "capability",
            "properties": { "image": image },
            "traits": [{ "type": "daemonscaler", "properties": scale(options, 1) }],
        }));
    };
    let keyvalue: Vec<&str> = contract.imports_of(Capability::KeyValue).collect();
    if !keyvalue.is_empty() {
        let Some(provider) = &options.keyvalue_provider else {
            return Err(DeployError::Unsupported {
                target: "a wasmCloud host",
                imports: keyvalue.iter().map(|n| n.to_string()).collect(),
                why: "wasmCloud has no built-in key-value store: pass the provider's image with `--keyvalue-provider REF` (for example a Redis or NATS key-value provider)".into(),
            });
        };
        link_out("keyvalue", provider, "keyvalue", interfaces(&keyvalue));
    }
    let outgoing: Vec<&str> = contract.imports_of(Capability::HttpOutgoing).collect();
    if !outgoing.is_empty() {
        link_out("httpclient", HTTP_CLIENT, "http", interfaces(&outgoing));
    }
    if contract.serves_http() {
        for (name, address, spread) in http_servers(options) {
            mapping.push(format!(
                "exports wasi:http/incoming-handler: served by the built-in HTTP server on {address}{}",
                spread
                    .map(|s| format!(" (hosts with {}={})", s.label, s.value))
                    .unwrap_or_default()
            ));
            providers.push(json!({
                "name": name,
                "type": "capability",
                "properties": { "image": HTTP_SERVER },
                "traits": [
                    { "type": "daemonscaler", "properties": scale_on(spread, 1) },
                    { "type": "link", "properties": {
                        "target": { "name": options.name },
                        "namespace": "wasi",
                        "package": "http",
                        "interfaces": ["incoming-handler"],
                        "source": { "config": [{
                            "name": format!("{name}-address"),
                            "properties": { "address": address }
                        }] }
                    } }
                ]
            }));
        }
    }
    let mut components = vec![component];
    components.extend(providers);
    let doc = json!({
        "apiVersion": "core.oam.dev/v1beta1",
        "kind": "Application",
        "metadata": {
            "name": options.name,
            "annotations": {
                "version": options.version,
                "description": "composed and policy-wrapped by witpipe",
            }
        },
        "spec": { "components": components }
    });
    Ok(Manifest { doc, mapping })
}

/// The interface names of versioned import names, sorted and unique.
fn interfaces<'a>(imports: &[&'a str]) -> Vec<&'a str> {
    let mut names: Vec<&str> = imports
        .iter()
        .filter_map(|n| witpipe_policy::split(n).map(|(_, _, iface, _)| iface))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A scaler's properties: `instances` spread evenly over the `--spread` groups.
fn scale(options: &Options, instances: u32) -> Value {
    let mut properties = json!({ "instances": instances });
    if !options.spread.is_empty() {
        let weight = (100 / options.spread.len()).max(1);
        properties["spread"] = options
            .spread
            .iter()
            .map(|s| {
                let mut entry = requirement(s);
                entry["weight"] = json!(weight);
                entry
            })
            .collect();
    }
    properties
}

/// A scaler's properties for the hosts of one group (all hosts for `None`).
fn scale_on(spread: Option<&Spread>, instances: u32) -> Value {
    let mut properties = json!({ "instances": instances });
    if let Some(s) = spread {
        properties["spread"] = json!([requirement(s)]);
    }
    properties
}

/// A spread entry: the group's name and the host label it requires.
fn requirement(s: &Spread) -> Value {
    json!({ "name": group(s), "requirements": { &s.label: s.value } })
}

/// One HTTP server per spread group (its own address), else one on every host.
fn http_servers(options: &Options) -> Vec<(String, String, Option<&Spread>)> {
    if options.spread.is_empty() {
        return vec![("httpserver".into(), options.http_address.clone(), None)];
    }
    options
        .spread
        .iter()
        .map(|s| {
            (
                format!("httpserver-{}", group(s)),
                s.http_address
                    .clone()
                    .unwrap_or_else(|| options.http_address.clone()),
                Some(s),
            )
        })
        .collect()
}

/// A DNS-label-like name for a spread group.
fn group(s: &Spread) -> String {
    format!("{}-{}", s.label, s.value)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
