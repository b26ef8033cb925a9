//! Applying a `WorkloadDeployment` to a wasmCloud v2 host directly, the way the v2
//! operator drives one: NATS request/reply on `runtime.host.<host id>.workload.
//! {start,status,stop}` with protobuf-JSON bodies (`wasmcloud.runtime.v2` messages,
//! camelCase fields, enums by name). The host is found by its heartbeat on
//! `runtime.operator.heartbeat.<host id>`. On a cluster the same manifest is
//! `kubectl apply`ed and the operator does this.

use crate::nats::{connect, fail, request, runtime};
use crate::DeployError;
use async_nats::Client;
use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// Where the v2 host is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct V2Host {
    /// The hosts' scheduler NATS server, e.g. `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// The host to use; else the first whose heartbeat matches the manifest's
    /// `hostSelector`.
    pub host_id: Option<String>,
    /// How long to wait for a heartbeat, and for the workload to run.
    pub wait: Duration,
}

/// Starts the workload of `manifest` (a `WorkloadDeployment` as JSON) on a v2 host as
/// `workload_id` and waits until the host reports it running. Returns the host's id.
pub fn start(
    manifest: &Value,
    workload_id: &str,
    host: &V2Host,
    progress: &mut dyn FnMut(&str),
) -> Result<String, DeployError> {
    let workload = workload(manifest)?;
    runtime()?.block_on(async {
        let (client, id) = reach(host, manifest, progress).await?;
        let started = call(
            &client,
            &id,
            "start",
            json!({ "workloadId": workload_id, "workload": workload }),
        )
        .await?;
        let mut status = started["workloadStatus"].clone();
        let begun = Instant::now();
        let mut last = String::new();
        loop {
            let state = status["workloadState"].as_str().unwrap_or("").to_string();
            let line = format!("{state}: {}", status["message"].as_str().unwrap_or(""));
            if line != last {
                progress(&format!("{:>5.1} s  {line}", begun.elapsed().as_secs_f64()));
                last = line;
            }
            match state.as_str() {
                "WORKLOAD_STATE_RUNNING" | "WORKLOAD_STATE_COMPLETED" => return Ok(id),
                "WORKLOAD_STATE_ERROR" | "WORKLOAD_STATE_NOT_FOUND" => {
                    return Err(fail(format!(
                        "host {id} did not start workload {workload_id}: {}",
                        status["message"].as_str().unwrap_or(&state)
                    )))
                }
                _ if begun.elapsed() > host.wait => {
                    return Err(fail(format!(
                        "workload {workload_id} was not running within {} s (last status: {last})",
                        host.wait.as_secs()
                    )))
                }
                _ => tokio::time::sleep(Duration::from_millis(300)).await,
            }
            let answer = call(&client, &id, "status", json!({ "workloadId": workload_id })).await?;
            status = answer["workloadStatus"].clone();
        }
    })
}

/// Stops workload `workload_id` of `manifest` on a v2 host (the one its `hostSelector`
/// picks, or `--host-id`); returns the state the host reports.
pub fn stop(
    manifest: &Value,
    workload_id: &str,
    host: &V2Host,
    progress: &mut dyn FnMut(&str),
) -> Result<String, DeployError> {
    runtime()?.block_on(async {
        let (client, id) = reach(host, manifest, progress).await?;
        let answer = call(&client, &id, "stop", json!({ "workloadId": workload_id })).await?;
        let state = answer["workloadStatus"]["workloadState"]
            .as_str()
            .unwrap_or("");
        match state {
            "WORKLOAD_STATE_NOT_FOUND" => Err(fail(format!(
                "host {id} has no workload {workload_id} to stop"
            ))),
            "WORKLOAD_STATE_ERROR" => Err(fail(format!(
                "host {id} could not stop workload {workload_id}: {}",
                answer["workloadStatus"]["message"].as_str().unwrap_or("")
            ))),
            _ => Ok(state.to_string()),
        }
    })
}

/// A connection to the hosts' NATS and the id of the host for `manifest`.
async fn reach(
    host: &V2Host,
    manifest: &Value,
    progress: &mut dyn FnMut(&str),
) -> Result<(Client, String), DeployError> {
    let client = connect(&host.nats_url, "a wasmCloud v2 host (`wash host`)").await?;
    let selector = &manifest["spec"]["template"]["spec"]["hostSelector"];
    let id = find_host(&client, host, selector, progress).await?;
    Ok((client, id))
}

/// One request to a host's workload API.
async fn call(client: &Client, host: &str, op: &str, body: Value) -> Result<Value, DeployError> {
    let subject = format!("runtime.host.{host}.workload.{op}");
    let who = format!("wasmCloud v2 host {host}");
    request(client, subject, body.to_string().into_bytes(), &who).await
}

/// The id of the host to use: `--host-id`, else the first heartbeat whose labels hold
/// every `hostSelector` entry (hosts beat at start and every 15 s).
async fn find_host(
    client: &Client,
    host: &V2Host,
    selector: &Value,
    progress: &mut dyn FnMut(&str),
) -> Result<String, DeployError> {
    if let Some(id) = &host.host_id {
        return Ok(id.clone());
    }
    let mut beats = client
        .subscribe("runtime.operator.heartbeat.*")
        .await
        .map_err(|e| fail(format!("cannot listen for host heartbeats: {e}")))?;
    let wanted = selector.as_object().cloned().unwrap_or_default();
    let mut seen = Vec::new();
    let deadline = tokio::time::sleep(host.wait);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            beat = beats.next() => {
                let Some(beat) = beat else { break };
                let Ok(beat) = serde_json::from_slice::<Value>(&beat.payload) else { continue };
                let Some(id) = beat["id"].as_str() else { continue };
                let labels = &beat["labels"];
                if wanted.iter().all(|(k, v)| labels[k] == *v) {
                    progress(&format!("host {id} ({}, wasmCloud {})",
                        beat["hostname"].as_str().unwrap_or("?"),
                        beat["version"].as_str().unwrap_or("?")));
                    return Ok(id.to_string());
                }
                seen.push(format!("{id} {labels}"));
            }
            _ = &mut deadline => break,
        }
    }
    Err(fail(match seen.is_empty() {
        true => format!(
            "no wasmCloud v2 host sent a heartbeat to {} within {} s; is `wash host` running with --scheduler-nats-url there?",
            host.nats_url,
            host.wait.as_secs()
        ),
        false => format!(
            "no host matches the hostSelector {selector}; hosts seen: {}",
            seen.join(", ")
        ),
    }))
}

/// The `Workload` message for a `WorkloadDeployment`'s template, mapped as the operator
/// maps it: `volumes[].hostPath.path` becomes `localPath`, `localResources.environment`
/// is flattened into one map (its `config`; `configFrom` and `secretFrom` need the
/// cluster), and what stays with the operator (`hostSelector`, `replicas`) is left out.
fn workload(manifest: &Value) -> Result<Value, DeployError> {
    let template = &manifest["spec"]["template"];
    let spec = &template["spec"];
    let name = manifest["metadata"]["name"]
        .as_str()
        .ok_or_else(|| fail("the manifest has no metadata.name".into()))?;
    let mut workload = json!({
        "namespace": "default",
        "name": name,
        "annotations": template["annotations"].clone(),
    });
    if let Some(service) = spec.get("service") {
        workload["service"] = json!({
            "image": service["image"],
            "localResources": local_resources(&service["localResources"]),
        });
    }
    let components: Vec<Value> = (spec["components"].as_array().into_iter().flatten())
        .map(|c| {
            json!({
                "name": c["name"],
                "image": c["image"],
                "localResources": local_resources(&c["localResources"]),
            })
        })
        .collect();
    workload["witWorld"] = json!({
        "components": components,
        "hostInterfaces": spec["hostInterfaces"].as_array().cloned().unwrap_or_default(),
    });
    let volumes: Vec<Value> = (spec["volumes"].as_array().into_iter().flatten())
        .map(|v| json!({ "name": v["name"], "hostPath": { "localPath": v["hostPath"]["path"] } }))
        .collect();
    workload["volumes"] = Value::Array(volumes);
    Ok(workload)
}

/// `LocalResources` from the CRD's form.
fn local_resources(crd: &Value) -> Value {
    let mut out = Map::new();
    for key in ["config", "volumeMounts", "allowedHosts"] {
        if let Some(v) = crd.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(env) = crd["environment"]["config"].as_object() {
        out.insert("environment".into(), Value::Object(env.clone()));
    }
    Value::Object(out)
}
